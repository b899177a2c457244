//! The committed manual page is what `httperf_rs::cli::man::render()` makes
//! of the clap definition and the man/*.roff fragments; it renders without
//! warnings; it and `--help` document every option the parser accepts; the
//! completion scripts are generated; its COMPATIBILITY list matches the
//! README's. `UPDATE_MAN=1 cargo test --test it man_page` rewrites the page.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn page_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man/httperf-rs.1")
}

fn committed_page() -> String {
    std::fs::read_to_string(page_path()).unwrap_or_default()
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
}

fn run(mut command: Command) -> Output {
    command.output().expect("the command starts")
}

fn long_options() -> Vec<String> {
    let mut cmd = httperf_rs::cli::command();
    cmd.build();
    cmd.get_arguments()
        .filter_map(|arg| arg.get_long())
        .map(str::to_string)
        .collect()
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn the_committed_page_is_current() {
    let page = httperf_rs::cli::man::render();
    if std::env::var_os("UPDATE_MAN").is_some() {
        std::fs::write(page_path(), &page).expect("man/httperf-rs.1 is writable");
        return;
    }
    assert!(
        committed_page() == page,
        "man/httperf-rs.1 is stale: run `UPDATE_MAN=1 cargo test --test it man_page` \
         and commit the result"
    );
}

#[test]
fn the_page_renders_without_warnings() {
    if !have("groff") {
        println!("note: groff is not installed, the page was not rendered");
        return;
    }
    let mut groff = Command::new("groff");
    groff.args(["-ww", "-man", "-Tutf8", "-z"]).arg(page_path());
    let out = run(groff);
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && warnings.is_empty(), "{warnings}");
}

#[test]
fn the_page_and_help_describe_every_option() {
    let page = committed_page();
    let help = run({
        let mut c = bin();
        c.arg("--help");
        c
    });
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    for long in long_options() {
        // clap_mangen writes an option as \fB\-\-name\fR at the head of its entry.
        let roff = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
        assert!(page.contains(&roff), "the man page lacks --{long}");
        let described = help.lines().any(|line| {
            let names = line
                .get(6..)
                .filter(|_| line.starts_with("  "))
                .unwrap_or("");
            names
                .strip_prefix(&format!("--{long}"))
                .is_some_and(|end| end.is_empty() || end.starts_with([' ', '[', '.']))
        });
        assert!(described, "--help does not describe --{long}");
    }
}

#[test]
fn completions_are_generated_for_every_option() {
    for (shell, check) in [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")] {
        let out = run({
            let mut c = bin();
            c.args(["--generate-completions", shell]);
            c
        });
        assert!(out.status.success(), "{shell}");
        assert!(out.stderr.is_empty(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout).into_owned();
        for long in long_options() {
            assert!(script.contains(&long), "{shell} completion lacks --{long}");
        }
        if have(shell) {
            let path = std::env::temp_dir().join(format!(
                "httperf-rs-completion-{}.{shell}",
                std::process::id()
            ));
            std::fs::write(&path, &script).expect("temp file");
            let out = run({
                let mut c = Command::new(shell);
                c.arg(check).arg(&path);
                c
            });
            let _ = std::fs::remove_file(&path);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{shell} rejects its script: {stderr}");
        } else {
            println!("note: {shell} is not installed, its script was not syntax-checked");
        }
    }
    let out = run({
        let mut c = bin();
        c.args(["--generate-completions", "tcsh"]);
        c
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn the_compatibility_section_lists_every_readme_deviation() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let table = readme
        .split("## Compatibility with httperf 0.9.0")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_default();
    // Rows after the header and the |---| line.
    let rows = table
        .lines()
        .filter(|l| l.starts_with('|'))
        .count()
        .saturating_sub(2);
    let fragment = include_str!("../../man/compatibility.roff");
    let entries = fragment.lines().filter(|l| *l == ".IP \\(bu 2").count();
    assert!(rows > 0, "README has no compatibility table");
    assert_eq!(
        entries, rows,
        "man/compatibility.roff has {entries} entries, the README's table {rows} rows: \
         keep them in step (one `.IP \\(bu 2` entry per row)"
    );
}
