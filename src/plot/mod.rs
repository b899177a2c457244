//! `httperf-rs plot`: a self-contained HTML page (and SVG files) drawn from
//! `--json` results.

use std::ffi::OsString;

use crate::output::Exit;

/// Runs `plot RESULT.json…` (`args` are the words after `plot`).
pub fn run(program: &str, _args: &[OsString]) -> i32 {
    Exit::failure_line(format!("{program}: plot: not implemented yet")).finish()
}
