//! The report: pure functions from collected data to httperf's exact text —
//! the end-of-run dump (`render`, after `burst_line`) and the lines printed
//! while the test runs (`sample_lines`, `periodic_line`). No clock, no I/O.

mod basic;
mod formulas;
mod session;
mod websocket;

pub use basic::{values as basic_values, BasicValues};
pub use session::{values as session_values, SessionValues};

use crate::c::printf::{fixed, fixed_left};
use crate::stats::summary::Summary;

/// What the report needs to know beyond the data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// `-v` count: level 2 and up print the connection-lifetime histogram.
    pub verbose: u32,
}

/// `Maximum connect burst length: N` (without newline).
pub fn burst_line(max_burst: u64) -> String {
    format!("Maximum connect burst length: {max_burst}")
}

/// Everything printed after the burst line, starting with its empty line: the
/// basic block (with the lifetime histogram at verbose ≥ 2 and master's
/// `Periodic stats:` block when `summary.periodic` is set), then the session
/// block when `summary.session` is set, then the `--websocket` block when
/// `summary.websocket` is. Every line ends in `\n`.
pub fn render(summary: &Summary, options: &ReportOptions) -> String {
    let mut out = basic::render(summary, options);
    if let Some(session) = &summary.session {
        out.push_str(&session::render(session, summary.test_duration_s));
    }
    if let Some(ws) = &summary.websocket {
        out.push_str(&websocket::render(ws));
    }
    out
}

/// The verbose lines for one rate sample: `reply-rate = %-8.1f` and, in
/// session workloads, `session-rate = %-8.1f`, each ending in `\n`.
pub fn sample_lines(reply_rate: f64, session_rate: Option<f64>) -> String {
    let mut out = format!("reply-rate = {}\n", fixed_left(reply_rate, 8, 1));
    if let Some(rate) = session_rate {
        out.push_str(&format!("session-rate = {}\n", fixed_left(rate, 8, 1)));
    }
    out
}

/// \[master\] `--periodic-stats` line `[%.6f s] 200=%lu, 302=%lu` (without
/// newline, like `burst_line`); the counts are those since the previous line.
pub fn periodic_line(elapsed_s: f64, status_200: u64, status_302: u64) -> String {
    format!(
        "[{} s] 200={status_200}, 302={status_302}",
        fixed(elapsed_s, 6)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_line_has_no_newline() {
        assert_eq!(burst_line(0), "Maximum connect burst length: 0");
    }

    #[test]
    fn sample_lines_pad_to_eight_columns() {
        assert_eq!(sample_lines(99.9, None), "reply-rate = 99.9    \n");
        assert_eq!(
            sample_lines(20.78, Some(13.0 / 1.251)),
            "reply-rate = 20.8    \nsession-rate = 10.4    \n"
        );
        assert_eq!(sample_lines(1234.56, None), "reply-rate = 1234.6  \n");
        assert_eq!(
            sample_lines(123456789.0, None),
            "reply-rate = 123456789.0\n"
        );
    }

    #[test]
    fn periodic_line_format() {
        assert_eq!(periodic_line(0.999911, 20, 0), "[0.999911 s] 200=20, 302=0");
        assert_eq!(
            periodic_line(2.0000004, 7, 13),
            "[2.000000 s] 200=7, 302=13"
        );
    }
}
