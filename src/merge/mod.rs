//! `httperf-rs merge`: one exact httperf report from the `--json` shards of
//! several processes or machines.

use std::ffi::OsString;

use crate::output::Exit;

/// Runs `merge SHARD…` (`args` are the words after `merge`).
pub fn run(program: &str, _args: &[OsString]) -> i32 {
    Exit::failure_line(format!("{program}: merge: not implemented yet")).finish()
}
