//! httperf's session statistics collector: session-rate samples, lifetimes of
//! completed sessions, failtimes of failed ones, connections per session and
//! the session length histogram. No formatting.

use crate::stats::summary::SessionSummary;

#[derive(Debug, Default)]
pub struct SessionStats {
    summary: SessionSummary,
    completed_in_interval: u64,
    last_sample_s: f64,
}

/// What SESS_DESTROYED reports about one session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndedSession {
    pub failed: bool,
    /// Seconds from SESS_NEW to SESS_DESTROYED.
    pub age_s: f64,
    /// CONN_CONNECTED events on the session's connections (reconnects count).
    pub connections: u64,
    /// Replies completed in the session (any status).
    pub completed_calls: u64,
}

impl SessionStats {
    pub fn new(start_s: f64) -> SessionStats {
        SessionStats {
            last_sample_s: start_s,
            summary: SessionSummary {
                length_histogram: vec![0],
                ..SessionSummary::default()
            },
            ..SessionStats::default()
        }
    }

    pub fn session_destroyed(&mut self, session: &EndedSession) {
        let summary = &mut self.summary;
        if session.failed {
            summary.failed += 1;
            summary.failtime_sum_s += session.age_s;
        } else {
            summary.completed += 1;
            summary.lifetime_sum_s += session.age_s;
            summary.conn_sum += session.connections;
            self.completed_in_interval += 1;
        }
        let length = usize::try_from(session.completed_calls).unwrap_or(usize::MAX);
        if length >= summary.length_histogram.len() {
            summary.length_histogram.resize(length.saturating_add(1), 0);
        }
        if let Some(bin) = summary.length_histogram.get_mut(length) {
            *bin += 1;
        }
    }

    /// PERF_SAMPLE: sessions completed per second since the previous sample.
    pub fn take_sample(&mut self, now_s: f64) -> f64 {
        let rate = self.completed_in_interval as f64 / (now_s - self.last_sample_s);
        self.summary.rate_samples.push(rate);
        self.completed_in_interval = 0;
        self.last_sample_s = now_s;
        rate
    }

    pub fn summary(&self) -> SessionSummary {
        self.summary.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_and_failed_sessions_are_kept_apart() {
        let mut stats = SessionStats::new(0.0);
        let ended = |failed, completed_calls| EndedSession {
            failed,
            age_s: 2.0,
            connections: 1,
            completed_calls,
        };
        stats.session_destroyed(&ended(false, 2));
        stats.session_destroyed(&ended(false, 2));
        stats.session_destroyed(&ended(true, 0));
        assert_eq!(stats.take_sample(1.25), 1.6);
        let summary = stats.summary();
        assert_eq!((summary.completed, summary.failed), (2, 1));
        assert_eq!(summary.conn_sum, 2);
        assert_eq!(summary.lifetime_sum_s, 4.0);
        assert_eq!(summary.failtime_sum_s, 2.0);
        assert_eq!(summary.length_histogram, [1, 0, 2]);
        assert_eq!(summary.rate_samples, [1.6]);
    }

    #[test]
    fn no_session_gives_a_single_zero_bin() {
        assert_eq!(SessionStats::new(0.0).summary().length_histogram, [0]);
    }
}
