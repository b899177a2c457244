//! The session collector's block (`--wsess`, `--wsesslog`, `--wsesspage`),
//! printed after the basic dump. Formulas follow docs/behaviour.md#session-report.

use super::formulas::sample_stats;
use crate::c::printf::fixed;
use crate::stats::summary::SessionSummary;

fn per_session(sum: f64, count: u64) -> f64 {
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}

pub(super) fn render(session: &SessionSummary, test_duration_s: f64) -> String {
    let rate = sample_stats(&session.rate_samples);
    // The average is completions over the whole run, not the sample mean, so
    // it can lie outside [min, max] (e.g. `min 0.00 avg 7.45 max 0.00`).
    let avg = if test_duration_s > 0.0 {
        session.completed as f64 / test_duration_s
    } else {
        0.0
    };
    let mut histogram = String::new();
    for count in &session.length_histogram {
        histogram.push_str(&format!(" {count}"));
    }
    if session.length_histogram.is_empty() {
        // Length 0 always has a slot, even when no session ended.
        histogram.push_str(" 0");
    }
    format!(
        "\nSession rate [sess/s]: min {} avg {} max {} stddev {} ({}/{})\n\
         Session: avg {} connections/session\n\
         Session lifetime [s]: {}\n\
         Session failtime [s]: {}\n\
         Session length histogram:{}\n",
        fixed(rate.min, 2),
        fixed(avg, 2),
        fixed(rate.max, 2),
        fixed(rate.stddev, 2),
        session.completed,
        session.completed + session.failed,
        fixed(per_session(session.conn_sum as f64, session.completed), 2),
        fixed(per_session(session.lifetime_sum_s, session.completed), 1),
        fixed(per_session(session.failtime_sum_s, session.failed), 1),
        histogram
    )
}
