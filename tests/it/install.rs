//! The README's installation, done in a temporary prefix: bin/httperf-rs,
//! share/man/man1/httperf-rs.1 and the optional bin/httperf link. `man` must
//! find and render the installed page (with MANPATH set, and through PATH as
//! the README says), and the `httperf` name must behave as httperf: usage,
//! messages and echo line say `httperf`. Only loopback, bounded runs.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A prefix laid out as the README installs, removed on drop.
struct Prefix(PathBuf);

impl Prefix {
    fn install(name: &str) -> Prefix {
        let root =
            std::env::temp_dir().join(format!("httperf-rs-install-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let man1 = root.join("share/man/man1");
        std::fs::create_dir_all(root.join("bin")).expect("bin");
        std::fs::create_dir_all(&man1).expect("man1");
        std::fs::copy(
            env!("CARGO_BIN_EXE_httperf-rs"),
            root.join("bin/httperf-rs"),
        )
        .expect("install the binary");
        let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/httperf-rs.1");
        std::fs::copy(page, man1.join("httperf-rs.1")).expect("install the page");
        std::os::unix::fs::symlink("httperf-rs", root.join("bin/httperf")).expect("link");
        Prefix(root)
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.0.join("bin").join(name)
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn output(mut command: Command) -> Output {
    command.output().expect("the command starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn have_man() -> bool {
    Command::new("man").arg("-w").arg("man").output().is_ok()
}

fn man(prefix: &Prefix, manpath: Option<&Path>) -> Output {
    let mut command = Command::new("man");
    command
        .args(["-P", "cat", "httperf-rs"])
        .env("MANWIDTH", "80")
        .env("MAN_DISABLE_SECCOMP", "1")
        .env_remove("MANPATH")
        .env_remove("MANPAGER")
        .env_remove("PAGER");
    match manpath {
        Some(dir) => {
            command.env("MANPATH", dir);
        }
        None => {
            let path = std::env::var("PATH").unwrap_or_default();
            let bin = prefix.0.join("bin");
            command.env("PATH", format!("{}:{path}", bin.display()));
        }
    }
    output(command)
}

#[test]
fn man_finds_the_installed_page() {
    if !have_man() {
        println!("note: man is not installed, the installed page was not looked up");
        return;
    }
    let prefix = Prefix::install("man");
    let manpath = prefix.0.join("share/man");
    for (how, out) in [
        ("MANPATH", man(&prefix, Some(&manpath))),
        ("PATH", man(&prefix, None)),
    ] {
        let page = text(&out.stdout);
        assert!(out.status.success(), "{how}: {}", text(&out.stderr));
        assert!(page.contains("NAME"), "{how}: {page}");
        assert!(
            page.contains("HTTP performance measurement tool"),
            "{how}: {page}"
        );
        assert!(page.contains("--generate-completions"), "{how}");
    }
}

#[test]
fn the_httperf_name_behaves_as_httperf() {
    let prefix = Prefix::install("name");
    let httperf = prefix.bin("httperf");

    let mut help = Command::new(&httperf);
    help.arg("--help");
    let out = output(help);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("Usage: httperf [-hdvV] [--add-header S]"));

    // getopt's messages quote argv[0] as typed, httperf's own its basename.
    let mut bogus = Command::new(&httperf);
    bogus.arg("--bogus");
    let out = output(bogus);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        format!("{}: unrecognized option '--bogus'\n", httperf.display())
    );
    let mut illegal = Command::new(&httperf);
    illegal.args(["--num-conns", "x"]);
    let out = output(illegal);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "httperf: illegal number of connections x\n"
    );

    let mut completions = Command::new(&httperf);
    completions.args(["--generate-completions", "bash"]);
    let out = output(completions);
    assert_eq!(out.status.code(), Some(0));
    let script = text(&out.stdout);
    assert!(script.contains("complete") && script.contains("httperf"));
    assert!(!script.contains("httperf-rs"));
}

#[test]
fn the_httperf_name_runs_a_test() {
    // A port nobody listens on: the one connection is refused at once.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let prefix = Prefix::install("run");
    let mut run = Command::new(prefix.bin("httperf"));
    run.args(["--server", "127.0.0.1", "--port", &port.to_string()])
        .args(["--num-conns", "1", "--timeout", "2"]);
    let out = output(run);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let echo = format!("httperf --timeout=2 --client=0/1 --server=127.0.0.1 --port={port} ");
    assert!(report.starts_with(&echo), "{report}");
    assert!(report.contains("\nErrors: total 1 "), "{report}");
}
