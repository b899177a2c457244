//! `httperf-rs compare` and `httperf-rs rerun`: regression verdicts between
//! saved httperf reports (text or `--json`) and new runs.

use std::ffi::OsString;

use crate::output::Exit;

/// Runs `compare BASELINE CANDIDATE…` (`args` are the words after `compare`).
pub fn run_compare(program: &str, _args: &[OsString]) -> i32 {
    Exit::failure_line(format!("{program}: compare: not implemented yet")).finish()
}

/// Runs `rerun OLD_REPORT…` (`args` are the words after `rerun`).
pub fn run_rerun(program: &str, _args: &[OsString]) -> i32 {
    Exit::failure_line(format!("{program}: rerun: not implemented yet")).finish()
}
