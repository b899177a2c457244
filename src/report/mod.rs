//! The report: a pure function from a `Summary` to httperf's exact text.

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

/// Everything printed after the burst line, starting with its empty line.
pub fn render(summary: &Summary, _options: &ReportOptions) -> String {
    format!("\nTotal: connections {}\n", summary.conns_issued)
}

/// Verbose per-sample lines: `reply-rate = %-8.1f` (and `session-rate = `).
pub fn sample_lines(reply_rate: f64, session_rate: Option<f64>) -> String {
    let mut lines = format!(
        "reply-rate = {}\n",
        crate::fmt::fixed_left(reply_rate, 8, 1)
    );
    if let Some(rate) = session_rate {
        lines += &format!("session-rate = {}\n", crate::fmt::fixed_left(rate, 8, 1));
    }
    lines
}
