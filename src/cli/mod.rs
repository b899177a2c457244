//! The command line: one clap `Command` that is the single source of the option
//! table, `--help`, the man page and completions; a getopt_long-compatible
//! scanner over that table; the parameter echo line.

pub mod getopt;
pub mod options;
pub mod values;

use std::ffi::OsString;

pub use options::Options;

/// What a successful parse asks the program to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Run a test with these options.
    Run(Box<Options>),
    /// Print this text to stdout and exit 0 (`-h`/`--help`).
    Help(String),
}

/// A command-line error: `message` is printed to stderr as is (it ends with a
/// newline unless httperf's own message does not), then the process exits
/// with `exit_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub message: String,
    pub exit_code: i32,
}

/// The clap definition of every option.
pub fn command() -> clap::Command {
    clap::Command::new("httperf-rs")
}

/// Parses argv (argv[0] included) with getopt_long semantics.
pub fn parse(args: Vec<OsString>) -> Result<Parsed, CliError> {
    let program = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Parsed::Run(Box::new(Options::defaults(&program))))
}

/// The parameter echo line (without the trailing newline).
pub fn echo_line(options: &Options) -> String {
    options.program.clone()
}
