//! Standard output or standard error that cannot be written (a full device,
//! a pipe whose reader has gone) never makes httperf-rs panic: `--help` and
//! option errors end with their usual status or a one-line message, and a
//! test keeps its report on stdout when stderr is unusable.

use crate::support;

use std::fs::File;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{ok_reply, wait_bounded, Behaviour, Run, TestServer};

const LIMIT: Duration = Duration::from_secs(20);

/// The write end of a pipe whose read end is already closed.
// std makes no pipe whose read end is closed.
#[allow(unsafe_code)]
fn pipe_without_reader() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2");
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by us.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read_end);
    Stdio::from(write_end)
}

fn dev_full() -> Stdio {
    Stdio::from(
        File::options()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

fn run_with(args: &[&str], stdout: Stdio, stderr: Stdio) -> Run {
    let child = Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("spawn httperf-rs");
    wait_bounded(child, LIMIT)
}

#[test]
fn help_and_completions_on_a_full_stdout_fail_with_a_message() {
    for args in [&["--help"][..], &["--generate-completions", "bash"]] {
        let run = run_with(args, dev_full(), Stdio::piped());
        assert_eq!(run.status, 1, "{args:?}: {run:?}");
        assert_eq!(
            run.stderr, "httperf-rs: cannot write to standard output: No space left on device\n",
            "{args:?}"
        );
    }
}

#[test]
fn help_into_a_closed_pipe_just_stops() {
    for args in [&["--help"][..], &["--generate-completions", "zsh"]] {
        let run = run_with(args, pipe_without_reader(), Stdio::piped());
        assert_eq!((run.status, run.stderr.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn option_errors_keep_their_status_when_stderr_is_full() {
    let run = run_with(&["--bogus"], Stdio::piped(), dev_full());
    assert_eq!(run.status, 1, "{run:?}");
    let run = run_with(&["--session-cookies"], Stdio::piped(), dev_full());
    assert_eq!(run.status, 255, "{run:?}");
}

#[test]
fn the_report_survives_an_unusable_stderr() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let port = server.port.to_string();
    // An unknown --add-header escape warns before the test, -v -v -v traces
    // every inter-arrival time during it: both go to stderr.
    let args = [
        "--server=127.0.0.1",
        "--port",
        &port,
        "--num-conns=3",
        "--rate=100",
        "--add-header=X-A\\q: 1\\n",
        "-v",
        "-v",
        "-v",
    ];
    for stderr in [dev_full(), pipe_without_reader()] {
        let run = run_with(&args, Stdio::piped(), stderr);
        assert_eq!(run.status, 0, "{run:?}");
        assert_eq!(run.count("Total:", "replies"), 3, "{run:?}");
        assert!(run.stdout.contains("\nErrors: fd-unavail 0"), "{run:?}");
    }
}

#[test]
fn a_run_into_an_unusable_stdout_says_what_failed() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let port = server.port.to_string();
    let args = ["--server=127.0.0.1", "--port", &port, "--num-conns=2"];
    let cases = [
        (pipe_without_reader(), "Broken pipe"),
        (dev_full(), "No space left on device"),
    ];
    for (stdout, reason) in cases {
        let run = run_with(&args, stdout, Stdio::piped());
        assert_eq!(
            (run.status, run.stderr.as_str()),
            (
                1,
                format!("httperf-rs: cannot write to standard output: {reason}\n").as_str()
            ),
        );
    }
}

#[test]
fn a_comparison_that_cannot_be_printed_is_not_a_pass() {
    let report = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wsess.txt");
    for format in ["text", "markdown", "json"] {
        let args = ["compare", "--format", format, report, report];
        let run = run_with(&args, dev_full(), Stdio::piped());
        assert_eq!(run.status, 2, "{format}: {run:?}");
        assert_eq!(
            run.stderr,
            "httperf-rs compare: cannot write to standard output: No space left on device\n",
            "{format}"
        );
        // A reader that stops early (`| head`) still gets the verdict's status.
        let run = run_with(&args, pipe_without_reader(), Stdio::piped());
        assert_eq!(run.status, 0, "{format}: {run:?}");
    }
}
