//! The metrics `compare` knows: every number of httperf's report under a
//! short name (the names compat-tests uses for the same fields), which way
//! is better, the default regression threshold and the smallest change that
//! counts. The man page fragment man/regression.roff lists the same table.

/// Which direction of change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither: with a threshold, any change beyond it is flagged.
    Neither,
}

/// What `compare` knows about one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricInfo {
    pub unit: &'static str,
    pub better: Better,
    /// Default threshold in percent; `None` = shown for information only.
    pub threshold_pct: Option<f64>,
    /// Changes smaller than this (in the metric's unit) are never flagged:
    /// a report prints times to 0.1 ms, so 0.1 → 0.2 ms is not +100 %.
    pub floor: f64,
    /// A count that two clients running the same workload against the same
    /// server print identically (the round trip checks these).
    pub counted: bool,
}

const fn info(unit: &'static str, better: Better, counted: bool) -> MetricInfo {
    MetricInfo {
        unit,
        better,
        threshold_pct: None,
        floor: 0.0,
        counted,
    }
}

const fn judged(unit: &'static str, better: Better, pct: f64, floor: f64) -> MetricInfo {
    MetricInfo {
        unit,
        better,
        threshold_pct: Some(pct),
        floor,
        counted: false,
    }
}

const fn error_count() -> MetricInfo {
    MetricInfo {
        unit: "",
        better: Better::Lower,
        threshold_pct: Some(0.0),
        floor: 0.0,
        counted: true,
    }
}

use Better::{Higher, Lower, Neither};

/// Response-type times: up by more than 10 % and at least 1 ms.
const TIME: MetricInfo = judged("ms", Lower, 10.0, 1.0);
/// Throughput: down by more than 5 %.
const RATE: MetricInfo = judged("/s", Higher, 5.0, 0.0);

/// Every fixed metric, in report order.
pub const METRICS: &[(&str, MetricInfo)] = &[
    ("burst-length", info("", Neither, false)),
    ("total.connections", info("", Neither, true)),
    ("total.requests", info("", Neither, true)),
    (
        "total.replies",
        MetricInfo {
            counted: true,
            ..judged("", Higher, 1.0, 0.0)
        },
    ),
    ("test-duration", info("s", Lower, false)),
    ("conn-rate", RATE),
    ("ms-per-conn", info("ms", Lower, false)),
    ("concurrency", info("", Neither, false)),
    ("conn-time.min", info("ms", Lower, false)),
    ("conn-time.avg", TIME),
    ("conn-time.max", info("ms", Lower, false)),
    ("conn-time.median", TIME),
    ("conn-time.stddev", info("ms", Lower, false)),
    ("conn-time.connect", TIME),
    ("conn-length", info("replies/conn", Neither, true)),
    ("req-rate", RATE),
    ("ms-per-req", info("ms", Lower, false)),
    ("request-size", info("B", Neither, true)),
    ("reply-rate.min", info("/s", Higher, false)),
    ("reply-rate.avg", RATE),
    ("reply-rate.max", info("/s", Higher, false)),
    ("reply-rate.stddev", info("/s", Lower, false)),
    ("reply-rate.samples", info("", Neither, false)),
    ("reply-time.response", TIME),
    ("reply-time.transfer", TIME),
    ("reply-size.header", info("B", Neither, true)),
    ("reply-size.content", info("B", Neither, true)),
    ("reply-size.footer", info("B", Neither, true)),
    ("reply-size.total", info("B", Neither, true)),
    ("status.1xx", info("", Neither, true)),
    ("status.2xx", info("", Higher, true)),
    ("status.3xx", info("", Neither, true)),
    ("status.4xx", error_count()),
    ("status.5xx", error_count()),
    ("periodic.200", info("", Higher, false)),
    ("periodic.302", info("", Neither, false)),
    ("cpu.user", info("s", Lower, false)),
    ("cpu.system", info("s", Lower, false)),
    ("cpu.user-pct", info("%", Lower, false)),
    ("cpu.system-pct", info("%", Lower, false)),
    ("cpu.total-pct", info("%", Lower, false)),
    ("netio.kbps", info("KB/s", Higher, false)),
    ("netio.mbps", info("10^6 bps", Higher, false)),
    ("errors.total", error_count()),
    ("errors.client-timo", error_count()),
    ("errors.socket-timo", error_count()),
    ("errors.connrefused", error_count()),
    ("errors.connreset", error_count()),
    ("errors.fd-unavail", error_count()),
    ("errors.addrunavail", error_count()),
    ("errors.ftab-full", error_count()),
    ("errors.other", error_count()),
    ("session-rate.min", info("sess/s", Higher, false)),
    ("session-rate.avg", judged("sess/s", Higher, 5.0, 0.0)),
    ("session-rate.max", info("sess/s", Higher, false)),
    ("session-rate.stddev", info("sess/s", Lower, false)),
    (
        "sessions.completed",
        MetricInfo {
            counted: true,
            ..judged("", Higher, 1.0, 0.0)
        },
    ),
    ("sessions.total", info("", Neither, true)),
    ("session.conns", info("conns/sess", Neither, true)),
    ("session.lifetime", judged("s", Lower, 10.0, 0.1)),
    ("session.failtime", info("s", Neither, false)),
];

/// The percentile measures judged by default (p50 and p90 only: higher
/// percentiles of a short run rest on a handful of samples).
const JUDGED_PERCENTILE_MEASURES: &[&str] = &["connect", "response", "transfer", "reply"];

/// Where `key` sits in report order (percentiles after every fixed metric).
pub fn order(key: &str) -> usize {
    METRICS
        .iter()
        .position(|(name, _)| *name == key)
        .unwrap_or(METRICS.len())
}

/// What is known about `key`: a fixed metric, a percentile
/// (`pct.MEASURE.pN`), or an unknown name (information only).
pub fn info_for(key: &str) -> MetricInfo {
    if let Some((_, info)) = METRICS.iter().find(|(name, _)| *name == key) {
        return *info;
    }
    if let Some(rest) = key.strip_prefix("pct.") {
        let (measure, label) = rest.rsplit_once('.').unwrap_or((rest, ""));
        let judged_label = matches!(label, "p50" | "p90");
        if judged_label && JUDGED_PERCENTILE_MEASURES.contains(&measure) {
            return TIME;
        }
        return info("ms", Lower, false);
    }
    info("", Neither, false)
}

/// Whether `pattern` (as given to `--threshold`) names `key`: the key itself
/// or a group of keys (`errors` names `errors.total`, `errors.other`, …).
pub fn pattern_matches(pattern: &str, key: &str) -> bool {
    key == pattern
        || key
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Whether `pattern` names at least one metric a report can have.
pub fn pattern_is_known(pattern: &str) -> bool {
    pattern == "pct"
        || pattern.starts_with("pct.")
        || METRICS
            .iter()
            .any(|(name, _)| pattern_matches(pattern, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_match_their_members_only() {
        assert!(pattern_matches("errors", "errors.other"));
        assert!(pattern_matches("errors.other", "errors.other"));
        assert!(!pattern_matches("error", "errors.other"));
        assert!(!pattern_matches("conn-time", "conn-rate"));
        assert!(pattern_is_known("reply-rate"));
        assert!(!pattern_is_known("reply-rat"));
        assert!(pattern_is_known("pct.response.p99"));
    }

    #[test]
    fn percentile_defaults() {
        assert_eq!(info_for("pct.response.p50").threshold_pct, Some(10.0));
        assert_eq!(info_for("pct.response.p99.9").threshold_pct, None);
        assert_eq!(info_for("pct.schedule_lag.p50").threshold_pct, None);
    }

    #[test]
    fn names_are_unique() {
        for (i, (name, _)) in METRICS.iter().enumerate() {
            assert_eq!(order(name), i, "{name}");
        }
    }
}
