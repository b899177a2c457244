//! The per-second time series of `--json` (and the progress line's source):
//! connections, requests, replies, errors and bytes per second of the test,
//! with the median and 99th percentile of the reply times completed in each
//! second. One entry per second of test time, never per call.

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
}

impl Second {
    fn new(t: u64) -> Second {
        Second {
            t,
            ..Second::default()
        }
    }
}

/// The series; the last entry is the second being filled.
#[derive(Debug, Default)]
pub struct TimeSeries {
    seconds: Vec<Second>,
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
    /// The entry of the second `now_ns` falls in (events arrive in time
    /// order; a late one lands in the current second).
    pub fn at(&mut self, start_ns: u64, now_ns: u64) -> CurrentSecond<'_> {
        let t = now_ns.saturating_sub(start_ns) / 1_000_000_000;
        self.advance_to(t);
        let reply_times = self
            .current_replies
            .get_or_insert_with(|| LatencyHistogram::with_digits(SECOND_DIGITS));
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
            self.seconds.push(Second::new(0));
        }
        while self.seconds.last().is_some_and(|s| s.t < t) {
            self.seal_current();
            let next = self.seconds.last().map_or(0, |s| s.t + 1);
            self.seconds.push(Second::new(next));
        }
    }

    fn seal_current(&mut self) {
        let (Some(second), Some(replies)) =
            (self.seconds.last_mut(), self.current_replies.as_mut())
        else {
            return;
        };
        if replies.count() > 0 {
            second.reply_p50_ms = Some(replies.percentile_ms(50.0));
            second.reply_p99_ms = Some(replies.percentile_ms(99.0));
        }
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
}
