//! The plain data a finished run hands to the report: counters, sums and
//! samples exactly as httperf's statistics collectors keep them. No formulas
//! beyond accumulation live here; `report::render` derives every printed number.

use std::collections::BTreeMap;

/// Width of one connection-lifetime histogram bin, in seconds (1 ms).
pub const LIFETIME_BIN_S: f64 = 0.001;
/// Number of lifetime histogram bins (0–100 s); longer lifetimes are kept out of it.
pub const LIFETIME_BINS: u32 = 100_000;

/// The eight error counters of httperf's `Errors:` lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErrorCounts {
    pub client_timeouts: u64,
    pub socket_timeouts: u64,
    pub conn_refused: u64,
    pub conn_reset: u64,
    pub fd_unavail: u64,
    pub addr_unavail: u64,
    pub ftab_full: u64,
    pub other: u64,
}

impl ErrorCounts {
    pub fn total(&self) -> u64 {
        self.client_timeouts
            + self.socket_timeouts
            + self.conn_refused
            + self.conn_reset
            + self.fd_unavail
            + self.addr_unavail
            + self.ftab_full
            + self.other
    }
}

/// Lifetimes of successful connections (those that delivered at least one reply).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LifetimeStats {
    pub count: u64,
    pub sum_s: f64,
    pub sum_sq_s2: f64,
    /// Meaningful only when `count > 0`.
    pub min_s: f64,
    /// Meaningful only when `count > 0`.
    pub max_s: f64,
    /// Bin index (`trunc(L * 100000 / 100.0)`) → count, only bins below `LIFETIME_BINS`.
    pub histogram: BTreeMap<u32, u64>,
}

impl LifetimeStats {
    /// Adds one lifetime, binned exactly as httperf does.
    pub fn record(&mut self, lifetime_s: f64) {
        if self.count == 0 || lifetime_s < self.min_s {
            self.min_s = lifetime_s;
        }
        if self.count == 0 || lifetime_s > self.max_s {
            self.max_s = lifetime_s;
        }
        self.count += 1;
        self.sum_s += lifetime_s;
        self.sum_sq_s2 += lifetime_s * lifetime_s;
        let bin = (lifetime_s * f64::from(LIFETIME_BINS) / 100.0).trunc();
        if (0.0..f64::from(LIFETIME_BINS)).contains(&bin) {
            *self.histogram.entry(bin as u32).or_insert(0) += 1;
        }
    }
}

/// The session collector's data (`--wsess`, `--wsesslog`, `--wsesspage`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionSummary {
    /// Session-rate samples, sessions/s, one per reply-rate sample instant.
    pub rate_samples: Vec<f64>,
    pub completed: u64,
    pub failed: u64,
    /// Connections (CONN_CONNECTED events) summed over completed sessions.
    pub conn_sum: u64,
    pub lifetime_sum_s: f64,
    pub failtime_sum_s: f64,
    /// Index = number of completed calls in a destroyed session; length = longest + 1
    /// (at least 1).
    pub length_histogram: Vec<u64>,
}

/// `--websocket`: what the WebSocket conversations did (counted by the
/// workload; the HTTP counters above see only the opening handshakes).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WebSocketSummary {
    /// Opening handshakes sent.
    pub handshakes: u64,
    /// Handshakes answered by `101` with the right `Sec-WebSocket-Accept`.
    pub upgraded: u64,
    /// Handshakes answered by another status ("ws-handshake-fail").
    pub handshake_failed: u64,
    /// `101` replies with a missing or wrong accept value ("ws-bad-accept").
    pub bad_accept: u64,
    pub messages_sent: u64,
    pub messages_echoed: u64,
    /// Close frames sent, and the server Close frames that answered them.
    pub closes_sent: u64,
    pub closes_answered: u64,
    /// Frames no RFC 6455 server may send, or a Close instead of an echo
    /// ("ws-frame-error").
    pub frame_errors: u64,
    pub opening: HandshakeTimes,
    pub closing: HandshakeTimes,
}

/// Times of one kind of handshake, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HandshakeTimes {
    pub count: u64,
    pub min_ms: f64,
    pub avg_ms: f64,
    pub max_ms: f64,
    /// (label such as `p99.9`, milliseconds), in the order printed.
    pub percentiles_ms: Vec<(String, f64)>,
    /// The times themselves as an HdrHistogram (V2 compressed, base64), so
    /// that shards merge exactly; absent when there were none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<String>,
}

/// \[master\] `--periodic-stats` totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodicTotals {
    pub status_200: u64,
    pub status_302: u64,
}

/// Everything the basic (and optional session) report is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// δ: test_time_stop − test_time_start, seconds.
    pub test_duration_s: f64,
    /// Connections that reached the connecting stage ("Total: connections").
    pub conns_issued: u64,
    /// Peak number of simultaneously existing connections.
    pub max_concurrent_conns: u64,
    pub lifetimes: LifetimeStats,
    /// Sum of connect times (connecting → connected), seconds.
    pub connect_sum_s: f64,
    pub num_connects: u64,
    /// Requests completely written ("requests").
    pub requests_sent: u64,
    /// Request bytes written, summed over sent requests.
    pub request_bytes: u64,
    /// Replies by status class; index 1..=5 are 1xx..5xx, index 0 is unused.
    pub replies_by_class: [u64; 6],
    /// Reply-rate samples, replies/s.
    pub reply_rate_samples: Vec<f64>,
    /// Sum of send-start → status-line times, seconds.
    pub response_sum_s: f64,
    pub num_responses: u64,
    /// Sum of status-line → reply-complete times over every completed reply
    /// (including those with a status outside 100–599), seconds.
    pub transfer_sum_s: f64,
    /// Reply byte sums over every completed reply (any status).
    pub reply_header_bytes: u64,
    pub reply_content_bytes: u64,
    pub reply_footer_bytes: u64,
    pub cpu_user_s: f64,
    pub cpu_system_s: f64,
    pub errors: ErrorCounts,
    pub session: Option<SessionSummary>,
    pub periodic: Option<PeriodicTotals>,
    /// `--websocket` only.
    pub websocket: Option<WebSocketSummary>,
}

impl Summary {
    /// "replies": completed replies with a status class of 1–5.
    pub fn total_replies(&self) -> u64 {
        self.replies_by_class[1..=5].iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_bins_are_one_millisecond() {
        let mut stats = LifetimeStats::default();
        stats.record(0.0004);
        stats.record(0.0235);
        stats.record(0.0236);
        stats.record(150.0);
        assert_eq!(stats.count, 4);
        assert_eq!(stats.histogram.get(&0), Some(&1));
        assert_eq!(stats.histogram.get(&23), Some(&2));
        assert_eq!(stats.histogram.len(), 2);
        assert_eq!(stats.min_s, 0.0004);
        assert_eq!(stats.max_s, 150.0);
    }
}
