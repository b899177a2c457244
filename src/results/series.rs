//! The per-second time series of `--json` (and the progress line's source):
//! connections, requests, replies, errors (by kind) and bytes per second of
//! the test, status classes, the reply-time percentiles of each second and
//! its histogram (so that the series of several runs merge exactly), and the
//! target rate. One entry per second of test time, never per call.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::histograms::LatencyHistogram;

/// Significant digits of the per-second reply-time histogram (1 %).
const SECOND_DIGITS: u8 = 2;

/// One second of the test, `[t, t+1)` seconds after its start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Second {
    /// Seconds since the start of the test (the interval's start).
    pub t: u64,
    /// Connections that reached the connecting stage.
    pub connections: u64,
    /// Requests completely written.
    pub requests: u64,
    /// Replies completed (any status).
    pub replies: u64,
    /// Failed and timed-out connections.
    pub errors: u64,
    /// Request bytes written by the requests counted in `requests`.
    pub bytes_sent: u64,
    /// Reply bytes (header, content, footer) of the replies in `replies`.
    pub bytes_received: u64,
    /// Median reply time of this second's replies, ms (null when none).
    pub reply_p50_ms: Option<f64>,
    /// 99th percentile reply time of this second's replies, ms.
    pub reply_p99_ms: Option<f64>,
    /// 90th percentile reply time of this second's replies, ms.
    #[serde(default)]
    pub reply_p90_ms: Option<f64>,
    /// Longest reply time of this second's replies, ms.
    #[serde(default)]
    pub reply_max_ms: Option<f64>,
    /// This second's reply times (µs, two significant digits) in
    /// HdrHistogram's compressed V2 encoding, base64; null when none.
    #[serde(default)]
    pub reply_histogram: Option<String>,
    /// Replies by status class: 1xx, 2xx, 3xx, 4xx, 5xx.
    #[serde(default)]
    pub status: [u64; 5],
    /// `errors` by the report's counter names (`client-timo`,
    /// `socket-timo`, `connrefused`, `connreset`, `fd-unavail`,
    /// `addrunavail`, `ftab-full`, `other`); counters at 0 are left out.
    #[serde(default)]
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Arrivals (connections, or sessions) per second the schedule asked for
    /// over this second; null without `--rate`/`--period`.
    #[serde(default)]
    pub target_rate: Option<f64>,
}

impl Second {
    fn new(t: u64) -> Second {
        Second {
            t,
            ..Second::default()
        }
    }

    /// One more reply of HTTP status `status` (classes 1xx to 5xx).
    pub fn count_status(&mut self, status: u32) {
        if let Some(slot) = (status / 100)
            .checked_sub(1)
            .and_then(|class| self.status.get_mut(class as usize))
        {
            *slot += 1;
        }
    }

    /// One more error, counted in `errors` and under `kind`.
    pub fn count_error(&mut self, kind: &str) {
        self.errors += 1;
        *self.errors_by_kind.entry(kind.to_string()).or_insert(0) += 1;
    }

    /// Sets the reply-time fields from this second's histogram.
    pub fn set_reply_times(&mut self, replies: &LatencyHistogram) {
        if replies.count() == 0 {
            self.reply_p50_ms = None;
            self.reply_p90_ms = None;
            self.reply_p99_ms = None;
            self.reply_max_ms = None;
            self.reply_histogram = None;
            return;
        }
        self.reply_p50_ms = Some(replies.percentile_ms(50.0));
        self.reply_p90_ms = Some(replies.percentile_ms(90.0));
        self.reply_p99_ms = Some(replies.percentile_ms(99.0));
        self.reply_max_ms = Some(replies.max_ms());
        self.reply_histogram = Some(replies.to_base64());
    }
}

/// A piece of the arrival schedule: the rate goes linearly from
/// `from_per_s` at `start_s` to `to_per_s` at `end_s` (seconds since the
/// test start; `end_s` may be infinite for a constant `--rate`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateSegment {
    pub start_s: f64,
    pub end_s: f64,
    pub from_per_s: f64,
    pub to_per_s: f64,
}

impl RateSegment {
    /// A constant rate from the start on.
    pub fn constant(rate_per_s: f64) -> RateSegment {
        RateSegment {
            start_s: 0.0,
            end_s: f64::INFINITY,
            from_per_s: rate_per_s,
            to_per_s: rate_per_s,
        }
    }

    fn rate_at(&self, t: f64) -> f64 {
        if self.end_s.is_infinite() || self.end_s <= self.start_s {
            return self.from_per_s;
        }
        let fraction = (t - self.start_s) / (self.end_s - self.start_s);
        self.from_per_s + (self.to_per_s - self.from_per_s) * fraction
    }

    /// Scheduled arrivals within `[from, to)` (trapezoid of the overlap).
    fn arrivals_between(&self, from: f64, to: f64) -> f64 {
        let a = from.max(self.start_s);
        let b = to.min(self.end_s);
        if b <= a {
            return 0.0;
        }
        (self.rate_at(a) + self.rate_at(b)) / 2.0 * (b - a)
    }
}

/// The arrivals `schedule` asks for in second `t` (so the rate, for a whole
/// second inside the schedule); `None` without a schedule.
pub fn target_in_second(schedule: &[RateSegment], t: u64) -> Option<f64> {
    if schedule.is_empty() {
        return None;
    }
    let from = t as f64;
    Some(
        schedule
            .iter()
            .map(|segment| segment.arrivals_between(from, from + 1.0))
            .sum(),
    )
}

/// The per-second histogram's precision (for readers that rebuild one).
pub fn second_histogram() -> LatencyHistogram {
    LatencyHistogram::with_digits(SECOND_DIGITS)
}

/// The series; the last entry is the second being filled.
#[derive(Debug, Default)]
pub struct TimeSeries {
    seconds: Vec<Second>,
    /// The arrival schedule, for each second's `target_rate`.
    schedule: Vec<RateSegment>,
    /// Reply times of the current second.
    current_replies: Option<LatencyHistogram>,
}

/// A handle on the current second that records reply times too.
pub struct CurrentSecond<'a> {
    second: &'a mut Second,
    reply_times: &'a mut LatencyHistogram,
}

impl std::ops::Deref for CurrentSecond<'_> {
    type Target = Second;
    fn deref(&self) -> &Second {
        self.second
    }
}

impl std::ops::DerefMut for CurrentSecond<'_> {
    fn deref_mut(&mut self) -> &mut Second {
        self.second
    }
}

impl CurrentSecond<'_> {
    pub fn record_reply_ns(&mut self, reply_ns: u64) {
        self.reply_times.record_ns(reply_ns);
    }
}

impl TimeSeries {
    /// A series whose seconds carry the target of `schedule`.
    pub fn with_schedule(schedule: Vec<RateSegment>) -> TimeSeries {
        TimeSeries {
            schedule,
            ..TimeSeries::default()
        }
    }

    /// The entry of the second `now_ns` falls in (events arrive in time
    /// order; a late one lands in the current second).
    pub fn at(&mut self, start_ns: u64, now_ns: u64) -> CurrentSecond<'_> {
        let t = now_ns.saturating_sub(start_ns) / 1_000_000_000;
        self.advance_to(t);
        let reply_times = self.current_replies.get_or_insert_with(second_histogram);
        let last = self.seconds.len() - 1;
        CurrentSecond {
            second: &mut self.seconds[last],
            reply_times,
        }
    }

    /// Ends the series at `stop_ns`: every second up to it has an entry.
    pub fn close(&mut self, start_ns: u64, stop_ns: u64) {
        let t = stop_ns.saturating_sub(start_ns) / 1_000_000_000;
        self.advance_to(t);
        self.seal_current();
    }

    pub fn seconds(&self) -> &[Second] {
        &self.seconds
    }

    /// The last completed second (for the progress line).
    pub fn last_complete(&self) -> Option<&Second> {
        let len = self.seconds.len();
        (len >= 2).then(|| &self.seconds[len - 2])
    }

    fn advance_to(&mut self, t: u64) {
        if self.seconds.is_empty() {
            self.seconds.push(self.new_second(0));
        }
        while self.seconds.last().is_some_and(|s| s.t < t) {
            self.seal_current();
            let next = self.seconds.last().map_or(0, |s| s.t + 1);
            let second = self.new_second(next);
            self.seconds.push(second);
        }
    }

    fn new_second(&self, t: u64) -> Second {
        Second {
            target_rate: target_in_second(&self.schedule, t),
            ..Second::new(t)
        }
    }

    fn seal_current(&mut self) {
        let (Some(second), Some(replies)) =
            (self.seconds.last_mut(), self.current_replies.as_mut())
        else {
            return;
        };
        second.set_reply_times(replies);
        replies.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_land_in_their_second_and_gaps_are_filled() {
        let mut series = TimeSeries::default();
        let start = 1_000;
        series.at(start, start + 10).connections += 1;
        let mut second = series.at(start, start + 200_000_000);
        second.replies += 1;
        second.record_reply_ns(2_000_000);
        series.at(start, start + 2_500_000_000).requests += 1;
        series.close(start, start + 3_100_000_000);
        let seconds = series.seconds();
        assert_eq!(seconds.len(), 4);
        assert_eq!(
            seconds.iter().map(|s| s.t).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!((seconds[0].connections, seconds[0].replies), (1, 1));
        let p50 = seconds[0].reply_p50_ms.unwrap_or_default();
        assert!((p50 - 2.0).abs() < 0.02, "{p50}");
        assert_eq!(seconds[1], Second::new(1));
        assert_eq!(seconds[2].requests, 1);
        assert_eq!(seconds[2].reply_p99_ms, None);
    }

    #[test]
    fn a_second_counts_status_classes_errors_by_kind_and_reply_times() {
        let mut series = TimeSeries::with_schedule(vec![RateSegment::constant(50.0)]);
        let mut second = series.at(0, 1);
        second.count_status(204);
        second.count_status(503);
        second.count_status(99);
        second.count_error("connreset");
        second.count_error("connreset");
        second.count_error("client-timo");
        for ms in 1..=100 {
            second.record_reply_ns(ms * 1_000_000);
        }
        series.close(0, 1_500_000_000);
        let first = &series.seconds()[0];
        assert_eq!(first.status, [0, 1, 0, 0, 1]);
        assert_eq!(first.errors, 3);
        assert_eq!(first.errors_by_kind.get("connreset"), Some(&2));
        assert_eq!(first.target_rate, Some(50.0));
        let p90 = first.reply_p90_ms.unwrap_or_default();
        let max = first.reply_max_ms.unwrap_or_default();
        assert!(
            (p90 - 90.0).abs() < 1.0 && (max - 100.0).abs() < 1.0,
            "{p90} {max}"
        );
        let text = first.reply_histogram.as_deref().unwrap_or_default();
        assert_eq!(
            LatencyHistogram::from_base64(text).map(|h| h.count()),
            Ok(100)
        );
        assert_eq!(series.seconds()[1].reply_histogram, None);
    }

    #[test]
    fn the_target_of_a_second_follows_a_ramp_and_ends_with_the_schedule() {
        let ramp = [
            RateSegment {
                start_s: 0.0,
                end_s: 10.0,
                from_per_s: 100.0,
                to_per_s: 200.0,
            },
            RateSegment {
                start_s: 10.0,
                end_s: 12.5,
                from_per_s: 300.0,
                to_per_s: 300.0,
            },
        ];
        let target = |t| target_in_second(&ramp, t).unwrap_or(f64::NAN);
        assert!((target(0) - 105.0).abs() < 1e-9);
        assert!((target(9) - 195.0).abs() < 1e-9);
        assert!((target(10) - 300.0).abs() < 1e-9);
        assert!((target(12) - 150.0).abs() < 1e-9);
        assert_eq!(target(13), 0.0);
        assert_eq!(target_in_second(&[], 0), None);
    }
}
