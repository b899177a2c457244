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

use crate::sys;

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

/// One run of this executable.
struct RunOutcome {
    /// Its standard output, up to [`REPORT_MAX_BYTES`].
    output: Vec<u8>,
    status: i32,
    /// A stop signal reached rerun during the run, which was passed on: the
    /// report covers a shortened test.
    interrupted: bool,
}

/// Runs this executable with `args` once. A stop signal (SIGINT, SIGTERM,
/// SIGHUP) is passed on to the child as SIGINT, which ends its test with its
/// report, as Ctrl-C does to a plain run.
fn run_once(exe: &PathBuf, args: &[OsString]) -> Result<RunOutcome, Failure> {
    let mut command = Command::new(exe);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    sys::start_ignoring_stop_signals(&mut command);
    let mut child = command
        .spawn()
        .map_err(|error| Failure(format!("cannot run {}: {error}", display(exe))))?;
    let reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut output = Vec::new();
            let _ = (&mut stdout)
                .take(REPORT_MAX_BYTES)
                .read_to_end(&mut output);
            // Beyond the limit: keep the child from blocking, drop the rest.
            let _ = io::copy(&mut stdout, &mut io::sink());
            output
        })
    });
    let mut interrupted = false;
    let status = loop {
        interrupted |= sys::take_stop_signal();
        if interrupted {
            // Again at every look: a child still starting up ignores it.
            sys::interrupt(child.id());
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(sys::CHILD_POLL_INTERVAL),
            Err(error) => {
                return Err(Failure(format!(
                    "cannot wait for {}: {error}",
                    display(exe)
                )))
            }
        }
    };
    let output = reader
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    Ok(RunOutcome {
        output,
        status: status.code().unwrap_or(-1),
        interrupted,
    })
}

/// The `--save` file, opened before the first run so that a path that
/// cannot be written is refused before the load, not after it; nothing in
/// it is lost unless a run's output replaces it.
struct SaveFile {
    path: PathBuf,
    file: std::fs::File,
}

impl SaveFile {
    fn open(path: &PathBuf) -> Result<SaveFile, Failure> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|error| Failure(format!("{}: cannot write it: {error}", display(path))))?;
        Ok(SaveFile {
            path: path.clone(),
            file,
        })
    }

    fn write(mut self, output: &[u8]) -> Result<(), Failure> {
        let written = (|| {
            if self.file.metadata()?.is_file() {
                self.file.set_len(0)?;
            }
            self.file.write_all(output)
        })();
        written
            .map_err(|error| Failure(format!("{}: cannot write it: {error}", display(&self.path))))
    }
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
    let save = matches
        .get_one::<PathBuf>("save")
        .map(SaveFile::open)
        .transpose()?;
    sys::install_stop_signals()
        .map_err(|error| Failure(format!("cannot install signal handlers: {error}")))?;
    let mut saved = Vec::new();
    let mut candidate = Side::new();
    let mut runs = Vec::new();
    let mut failure = None;
    let mut interrupted = None;
    for run in 1..=repeat {
        if sys::take_stop_signal() {
            interrupted = Some(format!("stopped by a signal before run {run}/{repeat}"));
            break;
        }
        eprintln!("rerun {run}/{repeat}: httperf-rs {}", shown.join(" "));
        let outcome = run_once(&exe, &args)?;
        saved.extend_from_slice(&outcome.output);
        if outcome.interrupted {
            // A shortened test is no sample of the workload: kept, not judged.
            interrupted = Some(format!(
                "stopped by a signal during run {run}/{repeat}; its report is not compared"
            ));
            break;
        }
        match parse_bytes(&outcome.output) {
            Ok(reports) => runs.extend(reports),
            Err(error) => {
                failure = Some(Failure(format!(
                    "run {run} (exit status {}) printed no usable report: line {}: {}",
                    outcome.status, error.line, error.message
                )));
                break;
            }
        }
    }
    // The output of every run that ended is saved, whatever happens next.
    if let Some(save) = save {
        save.write(&saved)?;
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    if let Some(interrupted) = interrupted {
        eprintln!("rerun: {interrupted}");
        if runs.is_empty() {
            return Err(Failure(
                "no run completed, so there is nothing to compare".to_string(),
            ));
        }
    }
    let label = if runs.len() == 1 {
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
