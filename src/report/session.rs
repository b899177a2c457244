//! The session collector's block (`--wsess`, `--wsesslog`, `--wsesspage`),
//! printed after the basic dump. Formulas follow docs/behaviour.md#session-report.

use super::formulas::sample_stats;
use crate::c::printf::fixed;
use crate::stats::summary::SessionSummary;
use serde::Serialize;

fn per_session(sum: f64, count: u64) -> f64 {
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}

/// Every number of the session block, computed with httperf's formulas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionValues {
    pub rate_min_per_s: f64,
    /// Completions over the whole run, not the sample mean, so it can lie
    /// outside [min, max] (e.g. `min 0.00 avg 7.45 max 0.00`).
    pub rate_avg_per_s: f64,
    pub rate_max_per_s: f64,
    pub rate_stddev_per_s: f64,
    pub completed: u64,
    pub total: u64,
    pub connections_per_session: f64,
    pub lifetime_s: f64,
    pub failtime_s: f64,
    /// Index = completed calls; length 0 never happens (a slot is printed).
    pub length_histogram: Vec<u64>,
}

pub fn values(session: &SessionSummary, test_duration_s: f64) -> SessionValues {
    let rate = sample_stats(&session.rate_samples);
    let avg = if test_duration_s > 0.0 {
        session.completed as f64 / test_duration_s
    } else {
        0.0
    };
    let mut length_histogram = session.length_histogram.clone();
    if length_histogram.is_empty() {
        // Length 0 always has a slot, even when no session ended.
        length_histogram.push(0);
    }
    SessionValues {
        rate_min_per_s: rate.min,
        rate_avg_per_s: avg,
        rate_max_per_s: rate.max,
        rate_stddev_per_s: rate.stddev,
        completed: session.completed,
        total: session.completed + session.failed,
        connections_per_session: per_session(session.conn_sum as f64, session.completed),
        lifetime_s: per_session(session.lifetime_sum_s, session.completed),
        failtime_s: per_session(session.failtime_sum_s, session.failed),
        length_histogram,
    }
}

pub(super) fn render(session: &SessionSummary, test_duration_s: f64) -> String {
    let v = values(session, test_duration_s);
    let mut histogram = String::new();
    for count in &v.length_histogram {
        histogram.push_str(&format!(" {count}"));
    }
    format!(
        "\nSession rate [sess/s]: min {} avg {} max {} stddev {} ({}/{})\n\
         Session: avg {} connections/session\n\
         Session lifetime [s]: {}\n\
         Session failtime [s]: {}\n\
         Session length histogram:{}\n",
        fixed(v.rate_min_per_s, 2),
        fixed(v.rate_avg_per_s, 2),
        fixed(v.rate_max_per_s, 2),
        fixed(v.rate_stddev_per_s, 2),
        v.completed,
        v.total,
        fixed(v.connections_per_session, 2),
        fixed(v.lifetime_s, 1),
        fixed(v.failtime_s, 1),
        histogram
    )
}
