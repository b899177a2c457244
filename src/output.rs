//! Standard output and standard error, written so that no write can panic or
//! stop the program: std's `print!` family panics when a stream cannot be
//! written (a closed pipe, a full disk), which would lose the report.
//!
//! * stdout: the first failed write is remembered and everything after it is
//!   dropped, so the test still runs to its end; the caller then says once,
//!   on stderr, what failed ([`stdout_failure_message`]).
//! * stderr: a message that cannot be written is dropped; there is nowhere
//!   left to report it, and stdout (the report) must not suffer for it.
//!
//! The crate root shadows `print!`, `println!`, `eprint!` and `eprintln!`
//! with macros that come here, so every module, present and future, gets
//! this behaviour without a call site having to remember it.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::sync::OnceLock;

/// The first error a write to stdout met; later writes are not attempted.
static STDOUT_FAILURE: OnceLock<io::Error> = OnceLock::new();

/// The process's stdout as an unbuffered writer that never returns an error:
/// a failed write is recorded (see [`stdout_failure`]) and it and every later
/// write are reported as done.
#[derive(Debug, Default, Clone, Copy)]
pub struct GuardedStdout;

impl Write for GuardedStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if STDOUT_FAILURE.get().is_none() {
            let mut stdout = io::stdout().lock();
            if let Err(error) = stdout.write_all(buf).and_then(|()| stdout.flush()) {
                let _ = STDOUT_FAILURE.set(error);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A buffered stdout for the run's output (echo line, report, traces).
pub fn stdout() -> BufWriter<GuardedStdout> {
    BufWriter::new(GuardedStdout)
}

/// Writes `bytes` to stdout now.
pub fn print_bytes(bytes: &[u8]) {
    let _ = GuardedStdout.write_all(bytes);
}

/// Writes formatted text to stdout now (the shadowed `print!`).
pub fn print_fmt(args: fmt::Arguments<'_>) {
    let _ = GuardedStdout.write_fmt(args);
}

/// Writes `bytes` to stderr, dropping them if stderr cannot take them.
pub fn eprint_bytes(bytes: &[u8]) {
    let _ = io::stderr().lock().write_all(bytes);
}

/// Writes formatted text to stderr (the shadowed `eprint!`).
pub fn eprint_fmt(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Writes `line` and a newline to stderr in one write, dropping them if
/// stderr cannot take them.
pub fn eprint_line(line: &[u8]) {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line);
    bytes.push(b'\n');
    eprint_bytes(&bytes);
}

/// How the program ends when it stops before or instead of a run (a bad
/// option, a failed check or initialisation): the exact bytes for stderr,
/// newline included (or not, where httperf's own message lacks one), and the
/// exit status. Every module that refuses to go on returns one of these, and
/// only `app` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    pub message: Vec<u8>,
    pub status: i32,
}

impl Exit {
    /// Exit status 1 after `message`, written as it is.
    pub fn failure(message: impl Into<Vec<u8>>) -> Exit {
        Exit {
            message: message.into(),
            status: 1,
        }
    }

    /// Exit status 1 after `line` and a newline.
    pub fn failure_line(line: impl Into<Vec<u8>>) -> Exit {
        let mut message = line.into();
        message.push(b'\n');
        Exit::failure(message)
    }

    /// The message as text (lossy), for tests and diagnostics.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.message).into_owned()
    }

    /// Writes the message to stderr and returns the exit status.
    pub fn finish(&self) -> i32 {
        eprint_bytes(&self.message);
        self.status
    }
}

/// The first write error stdout met, if any.
pub fn stdout_failure() -> Option<&'static io::Error> {
    STDOUT_FAILURE.get()
}

/// `<program>: cannot write to standard output: <reason>` when stdout failed.
pub fn stdout_failure_message(program: &str) -> Option<String> {
    let error = stdout_failure()?;
    let text = error.to_string();
    let reason = text.split(" (os error").next().unwrap_or(&text);
    Some(format!(
        "{program}: cannot write to standard output: {reason}"
    ))
}

/// Prints text that is all the program does (`--help`, a completion script)
/// and returns the exit status: 0, also when the reader closed the pipe
/// early (`--help | head`); 1, with a message, when stdout failed otherwise.
pub fn print_only_output(program: &str, text: &[u8]) -> i32 {
    print_bytes(text);
    match stdout_failure() {
        None => 0,
        Some(error) if error.kind() == io::ErrorKind::BrokenPipe => 0,
        Some(_) => {
            if let Some(message) = stdout_failure_message(program) {
                eprint_line(message.as_bytes());
            }
            1
        }
    }
}
