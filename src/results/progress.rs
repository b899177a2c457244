//! The live status line on stderr (a terminal, or `--progress`): elapsed and
//! expected time, connections and replies per second over the last second,
//! errors so far and the last second's 99th percentile reply time, rewritten
//! in place about once a second and erased before the report.

use std::io::{self, Write};

use super::series::TimeSeries;
use crate::c::printf::fixed;

/// Erase the current terminal line: carriage return, then clear to its end.
const ERASE_LINE: &str = "\r\x1b[K";

#[derive(Debug)]
pub struct Progress {
    expected_s: f64,
    shown: bool,
}

impl Progress {
    pub fn new(expected_s: f64) -> Progress {
        Progress {
            expected_s,
            shown: false,
        }
    }

    pub fn update(&mut self, elapsed_s: f64, series: &TimeSeries) {
        let line = status_line(elapsed_s, self.expected_s, series);
        let mut err = io::stderr().lock();
        let _ = write!(err, "{ERASE_LINE}{line}");
        let _ = err.flush();
        self.shown = true;
    }

    pub fn erase(&mut self) {
        if self.shown {
            let mut err = io::stderr().lock();
            let _ = write!(err, "{ERASE_LINE}");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

/// The status line (without line end).
pub fn status_line(elapsed_s: f64, expected_s: f64, series: &TimeSeries) -> String {
    let expected = if expected_s > 0.0 {
        format!("/{}", fixed(expected_s, 0))
    } else {
        String::new()
    };
    let errors: u64 = series.seconds().iter().map(|s| s.errors).sum();
    let (conn_rate, reply_rate, p99) = match series.last_complete() {
        Some(second) => (
            second.connections,
            second.replies,
            second
                .reply_p99_ms
                .map_or_else(|| "-".to_string(), |ms| fixed(ms, 1)),
        ),
        None => (0, 0, "-".to_string()),
    };
    format!(
        "[{}{expected} s] {conn_rate} conn/s, {reply_rate} replies/s, {errors} errors, reply p99 {p99} ms",
        fixed(elapsed_s, 0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_the_last_complete_second() {
        let mut series = TimeSeries::default();
        assert_eq!(
            status_line(0.4, 10.0, &series),
            "[0/10 s] 0 conn/s, 0 replies/s, 0 errors, reply p99 - ms"
        );
        for _ in 0..3 {
            let mut second = series.at(0, 100);
            second.connections += 1;
            second.replies += 1;
            second.record_reply_ns(4_000_000);
        }
        series.at(0, 1_200_000_000).errors += 1;
        assert_eq!(
            status_line(1.6, 0.0, &series),
            "[2 s] 3 conn/s, 3 replies/s, 1 errors, reply p99 4.0 ms"
        );
    }
}
