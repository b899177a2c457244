//! The self-check: did the client keep up? It fails when scheduled arrivals
//! started late (90th percentile schedule lag above the larger of 1 ms and
//! 10 % of the mean inter-arrival time) or when connections failed for lack
//! of client resources (fd-unavail, addrunavail, ftab-full). Pure: the
//! verdict and its explanation; `app` decides where it goes.

use serde::{Deserialize, Serialize};

use super::{Measure, Measures};
use crate::c::printf::fixed;
use crate::stats::summary::ErrorCounts;

/// Lag below this never fails the check.
pub const MIN_LAG_THRESHOLD_MS: f64 = 1.0;
/// Share of the mean inter-arrival time that the lag may reach.
pub const LAG_SHARE_OF_IAT: f64 = 0.1;
/// Exit status of a run whose `--self-check` failed.
pub const FAILED_EXIT_STATUS: i32 = 3;

/// The check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub passed: bool,
    /// One sentence per reason the check failed.
    pub reasons: Vec<String>,
    /// The lag threshold used, ms (null without a schedule).
    pub lag_threshold_ms: Option<f64>,
    /// 90th percentile schedule lag, ms (null without a schedule).
    pub lag_p90_ms: Option<f64>,
}

/// `mean_iat_s` is the mean inter-arrival time, `None` without a schedule.
pub fn evaluate(measures: &Measures, errors: &ErrorCounts, mean_iat_s: Option<f64>) -> Verdict {
    let mut reasons = Vec::new();
    let mut lag_threshold_ms = None;
    let mut lag_p90_ms = None;
    if let Some(iat_s) = mean_iat_s {
        let lag = measures.get(Measure::ScheduleLag);
        let threshold = MIN_LAG_THRESHOLD_MS.max(LAG_SHARE_OF_IAT * iat_s * 1000.0);
        let p90 = lag.percentile_ms(90.0);
        lag_threshold_ms = Some(threshold);
        lag_p90_ms = Some(p90);
        if lag.count() > 0 && p90 > threshold {
            reasons.push(format!(
                "arrivals started late: 10% of the scheduled connections or sessions \
                 started {} ms or more after their time (max {} ms), above the {} ms \
                 allowed (the larger of 1 ms and 10% of the mean inter-arrival time)",
                fixed(p90, 3),
                fixed(lag.max_ms(), 3),
                fixed(threshold, 3)
            ));
        }
    }
    let resource_errors = [
        (
            errors.fd_unavail,
            "fd-unavail",
            "found no free file descriptor",
        ),
        (
            errors.addr_unavail,
            "addrunavail",
            "found no free local port or address",
        ),
        (
            errors.ftab_full,
            "ftab-full",
            "found the system's file table full",
        ),
    ];
    for (count, name, what) in resource_errors {
        if count > 0 {
            reasons.push(format!("{count} connections {what} ({name})"));
        }
    }
    Verdict {
        passed: reasons.is_empty(),
        reasons,
        lag_threshold_ms,
        lag_p90_ms,
    }
}

/// The stderr text of a failed check (empty when it passed).
pub fn render(verdict: &Verdict, program: &str) -> String {
    if verdict.passed {
        return String::new();
    }
    let mut out = format!(
        "{program}: self-check failed: these results measure the client, not the server:\n"
    );
    for reason in &verdict.reasons {
        out.push_str(&format!("{program}:   {reason}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_fails_above_the_larger_of_1ms_and_a_tenth_of_the_iat() {
        let mut measures = Measures::default();
        for _ in 0..100 {
            measures.get_mut(Measure::ScheduleLag).record_ns(5_000_000);
        }
        let errors = ErrorCounts::default();
        assert!(!evaluate(&measures, &errors, Some(0.001)).passed);
        // A 100 ms inter-arrival time allows 10 ms of lag.
        let verdict = evaluate(&measures, &errors, Some(0.1));
        assert!(verdict.passed, "{verdict:?}");
        let threshold = verdict.lag_threshold_ms.unwrap_or_default();
        assert!((threshold - 10.0).abs() < 1e-9, "{threshold}");
        // Without a schedule there is no lag to judge.
        assert!(evaluate(&measures, &errors, None).passed);
    }

    #[test]
    fn client_resource_errors_fail_the_check() {
        let errors = ErrorCounts {
            fd_unavail: 3,
            ..ErrorCounts::default()
        };
        let verdict = evaluate(&Measures::default(), &errors, None);
        assert!(!verdict.passed);
        let text = render(&verdict, "httperf-rs");
        assert_eq!(
            text,
            "httperf-rs: self-check failed: these results measure the client, not the server:\n\
             httperf-rs:   3 connections found no free file descriptor (fd-unavail)\n"
        );
        assert_eq!(
            render(
                &evaluate(&Measures::default(), &ErrorCounts::default(), None),
                "x"
            ),
            ""
        );
    }
}
