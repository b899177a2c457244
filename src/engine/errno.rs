//! Names for the errnos and close reasons in `--debug` traces.

use super::CloseReason;

pub(super) fn describe_close(reason: CloseReason) -> String {
    match reason {
        CloseReason::Client => "closed by the client".to_string(),
        CloseReason::Failed { errno } => format!("failed with {}", errno_name(errno)),
        CloseReason::TimedOut => "timed out".to_string(),
    }
}

/// The symbolic name of the errnos a load test meets, for `--debug` traces.
pub fn errno_name(errno: i32) -> String {
    match crate::c::errno::symbol(errno) {
        Some(name) => format!("{name} ({errno})"),
        None => format!("errno {errno}"),
    }
}
