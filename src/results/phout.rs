//! `--log-requests FILE`: one tab-separated line per call in Yandex Phantom's
//! "phout" layout, streamed through a buffered writer so memory stays flat
//! however long the test. Columns: send timestamp (Unix seconds, three
//! decimals), tag, total time, connect time, send time, latency (request
//! written → first reply byte), receive time, time to the reply event
//! (interval start → first reply byte), bytes out, bytes in, errno (0 if
//! none), HTTP status (0 if none); times in microseconds. A write failure
//! (full disk, closed file) is reported once on stderr, stops the log and
//! leaves the test running.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::CallRecord;

const BUFFER_BYTES: usize = 256 * 1024;

/// The open log.
pub struct PhoutLog {
    writer: Option<BufWriter<File>>,
    path: String,
    program: String,
    /// Monotonic ns and Unix ms of the same instant (the test's start).
    epoch_ns: u64,
    epoch_unix_ms: u64,
    error: Option<String>,
}

impl PhoutLog {
    /// Creates (or truncates) the log before the test starts, so an
    /// unwritable path is an init failure, not a surprise at the end.
    pub fn create(path: &Path, program: &str) -> io::Result<PhoutLog> {
        let file = File::create(path)?;
        Ok(PhoutLog {
            writer: Some(BufWriter::with_capacity(BUFFER_BYTES, file)),
            path: path.display().to_string(),
            program: program.to_string(),
            epoch_ns: 0,
            epoch_unix_ms: 0,
            error: None,
        })
    }

    /// Ties the monotonic clock to wall time.
    pub fn set_epoch(&mut self, epoch_ns: u64, wall: SystemTime) {
        self.epoch_ns = epoch_ns;
        self.epoch_unix_ms = wall
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
    }

    pub fn write(&mut self, call: &CallRecord) {
        let Some(writer) = &mut self.writer else {
            return;
        };
        let line = format_line(call, self.epoch_ns, self.epoch_unix_ms);
        if let Err(error) = writer.write_all(line.as_bytes()) {
            self.fail(&error);
        }
    }

    /// Flushes the log; returns the error that stopped it, if any.
    pub fn finish(&mut self) -> Option<String> {
        if let Some(mut writer) = self.writer.take() {
            if let Err(error) = writer.flush() {
                self.fail(&error);
            }
        }
        self.error.clone()
    }

    fn fail(&mut self, error: &io::Error) {
        // Dropping a BufWriter flushes it again; forget the buffer instead.
        if let Some(writer) = self.writer.take() {
            let (_file, _unwritten) = writer.into_parts();
        }
        let message = format!(
            "{}: cannot write the request log {}: {error}; the log stops here, the test goes on",
            self.program, self.path
        );
        eprintln!("{message}");
        self.error = Some(message);
    }
}

fn us_between(from_ns: u64, to_ns: u64) -> u64 {
    to_ns.saturating_sub(from_ns).saturating_add(500) / 1000
}

/// One phout line, newline included.
pub fn format_line(call: &CallRecord, epoch_ns: u64, epoch_unix_ms: u64) -> String {
    let unix_ms = epoch_unix_ms + call.start_ns.saturating_sub(epoch_ns) / 1_000_000;
    let sent_or_end = if call.sent_ns > 0 {
        call.sent_ns
    } else {
        call.end_ns
    };
    let send_us = us_between(call.send_start_ns, sent_or_end);
    let (latency_us, receive_us, event_us) = if call.first_byte_ns > 0 {
        (
            us_between(sent_or_end, call.first_byte_ns),
            us_between(call.first_byte_ns, call.end_ns),
            us_between(call.start_ns, call.first_byte_ns),
        )
    } else {
        (0, 0, 0)
    };
    format!(
        "{}.{:03}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        unix_ms / 1000,
        unix_ms % 1000,
        call.label.as_deref().unwrap_or(""),
        us_between(call.start_ns, call.end_ns),
        (call.connect_ns.saturating_add(500)) / 1000,
        send_us,
        latency_us,
        receive_us,
        event_us,
        call.bytes_out,
        call.bytes_in,
        call.errno,
        call.status
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_first_call_has_every_column() {
        let ms = 1_000_000;
        let call = CallRecord {
            start_ns: 10 * ms,
            connect_ns: ms,
            send_start_ns: 11 * ms,
            sent_ns: 12 * ms,
            first_byte_ns: 15 * ms,
            end_ns: 16 * ms,
            arrival_lag_ns: 0,
            bytes_out: 60,
            bytes_in: 250,
            status: 200,
            errno: 0,
            label: Some("3".into()),
        };
        assert_eq!(
            format_line(&call, 0, 1_700_000_000_123),
            "1700000000.133\t3\t6000\t1000\t1000\t3000\t1000\t5000\t60\t250\t0\t200\n"
        );
    }

    #[test]
    fn a_failed_call_has_its_errno_and_no_status() {
        let call = CallRecord {
            start_ns: 5_000_000,
            send_start_ns: 5_000_000,
            end_ns: 7_000_000,
            errno: libc::ECONNRESET,
            ..CallRecord::default()
        };
        assert_eq!(
            format_line(&call, 5_000_000, 1_000),
            "1.000\t\t2000\t0\t2000\t0\t0\t0\t0\t0\t104\t0\n"
        );
    }

    #[test]
    fn an_unwritable_log_stops_without_failing_the_test() {
        let Ok(full) = File::options().write(true).open("/dev/full") else {
            return;
        };
        let mut log = PhoutLog {
            writer: Some(BufWriter::with_capacity(16, full)),
            path: "/dev/full".into(),
            program: "httperf-rs".into(),
            epoch_ns: 0,
            epoch_unix_ms: 0,
            error: None,
        };
        for _ in 0..10 {
            log.write(&CallRecord::default());
        }
        let error = log.finish().unwrap_or_default();
        assert!(error.contains("/dev/full"), "{error}");
    }
}
