//! `rerun`: the command line an old report's echo line records, run again
//! by this executable (a fresh process per repeat, so no state carries
//! over), against the recorded server or the one named, then compared with
//! the old report's runs.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use clap::ArgMatches;

use super::{display, judge_and_print, load, parse_bytes, Failure, Side, REPORT_MAX_BYTES};

/// The recovered options with `--server`/`--port` replaced as asked.
fn command_line(echo: &super::Echo, server: Option<&OsString>, port: Option<u16>) -> Vec<OsString> {
    let mut args = Vec::new();
    let mut server_done = server.is_none();
    let mut port_done = port.is_none();
    for (item, arg) in echo.items.iter().zip(echo.arguments()) {
        match (item.name.as_str(), server, port) {
            // A server named on the command line replaces a --servers file.
            ("server" | "servers", Some(server), _) => {
                if !server_done {
                    let mut arg = OsString::from("--server=");
                    arg.push(server);
                    args.push(arg);
                    server_done = true;
                }
            }
            ("port", _, Some(port)) => {
                args.push(OsString::from(format!("--port={port}")));
                port_done = true;
            }
            _ => args.push(arg),
        }
    }
    if let (false, Some(server)) = (server_done, server) {
        let mut arg = OsString::from("--server=");
        arg.push(server);
        args.push(arg);
    }
    if let (false, Some(port)) = (port_done, port) {
        args.push(OsString::from(format!("--port={port}")));
    }
    args
}

/// `arg` as a POSIX shell word.
fn shell_word(arg: &OsString) -> String {
    let text = String::from_utf8_lossy(arg.as_bytes());
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=/.,:@%+".contains(&b));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Runs this executable with `args` once; its stdout.
fn run_once(exe: &PathBuf, args: &[OsString]) -> Result<(Vec<u8>, i32), Failure> {
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| Failure(format!("cannot run {}: {error}", display(exe))))?;
    let mut output = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = (&mut stdout)
            .take(REPORT_MAX_BYTES)
            .read_to_end(&mut output);
        // Beyond the limit: keep the child from blocking, drop the rest.
        let _ = io::copy(&mut stdout, &mut io::sink());
    }
    let status = child
        .wait()
        .map_err(|error| Failure(format!("cannot wait for {}: {error}", display(exe))))?;
    Ok((output, status.code().unwrap_or(-1)))
}

pub(super) fn main(matches: &ArgMatches) -> Result<i32, Failure> {
    let Some(old_path) = matches.get_one::<PathBuf>("old") else {
        return Err(Failure("needs OLD_REPORT".to_string()));
    };
    let old_name = display(old_path);
    let old_runs = load(old_path)?;
    let Some(first) = old_runs.first() else {
        return Err(Failure(format!("{old_name}: no report")));
    };
    let Some(echo) = first.echo.clone() else {
        return Err(Failure(format!(
            "{old_name}:{}: this report has no echo line, so its command line is unknown",
            first.line
        )));
    };
    let force = matches.get_flag("force");
    if !echo.inexact.is_empty() {
        let reasons = echo.inexact.join("\n  ");
        let message = format!(
            "{old_name}:{}: the command line cannot be recovered exactly from the echo line:\n  \
             {reasons}",
            first.line
        );
        if !force {
            return Err(Failure(format!(
                "{message}\n(use --force to run it as recovered)"
            )));
        }
        eprintln!("warning: {message}");
    }
    let args = command_line(
        &echo,
        matches.get_one::<OsString>("server"),
        matches.get_one::<u16>("port").copied(),
    );
    let shown: Vec<String> = args.iter().map(shell_word).collect();
    if matches.get_flag("dry-run") {
        println!("httperf-rs {}", shown.join(" "));
        return Ok(0);
    }
    let exe = std::env::current_exe()
        .map_err(|error| Failure(format!("cannot find this executable: {error}")))?;
    let repeat = matches.get_one::<u32>("repeat").copied().unwrap_or(1);
    let mut saved = Vec::new();
    let mut candidate = Side::new();
    let mut runs = Vec::new();
    for run in 1..=repeat {
        eprintln!("rerun {run}/{repeat}: httperf-rs {}", shown.join(" "));
        let (output, status) = run_once(&exe, &args)?;
        saved.extend_from_slice(&output);
        let reports = parse_bytes(&output).map_err(|error| {
            Failure(format!(
                "run {run} (exit status {status}) printed no usable report: line {}: {}",
                error.line, error.message
            ))
        })?;
        runs.extend(reports);
    }
    if let Some(path) = matches.get_one::<PathBuf>("save") {
        std::fs::File::create(path)
            .and_then(|mut file| file.write_all(&saved))
            .map_err(|error| Failure(format!("{}: cannot write it: {error}", display(path))))?;
    }
    let label = if repeat == 1 {
        "new run".to_string()
    } else {
        "new runs".to_string()
    };
    candidate.add(label, runs);
    let mut baseline = Side::new();
    baseline.add(old_name, old_runs);
    judge_and_print(&baseline, &candidate, matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_of(line: &[u8], server: Option<&str>, port: Option<u16>) -> Vec<String> {
        let echo = super::super::parse_echo(line);
        let server = server.map(OsString::from);
        command_line(&echo, server.as_ref(), port)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn server_and_port_are_replaced_or_added() {
        let line = b"httperf --client=0/1 --server=old --port=80 --uri=/ --send-buffer=4096 \
--recv-buffer=16384 --num-conns=1";
        assert_eq!(
            args_of(line, Some("127.0.0.1"), Some(8080))[1..3],
            ["--server=127.0.0.1", "--port=8080"]
        );
        let no_port = b"httperf --client=0/1 --server=old --uri=/ --send-buffer=4096 \
--recv-buffer=16384 --num-conns=1";
        let args = args_of(no_port, None, Some(81));
        assert_eq!(args.last().unwrap(), "--port=81");
        assert_eq!(args_of(no_port, None, None)[1], "--server=old");
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word(&OsString::from("--uri=/a")), "--uri=/a");
        assert_eq!(
            shell_word(&OsString::from("--add-header=X: it's")),
            r"'--add-header=X: it'\''s'"
        );
    }
}
