//! What `plot` draws from one result file: the document, read and checked
//! with messages that name the file, its per-second series (grouped into
//! buckets of several seconds when the run is long, so the page stays
//! small), and the percentile spectra of its latency histograms.
//!
//! Per-second fields added after the first files were written
//! (`reply_p90_ms`, `reply_max_ms`, `reply_histogram`, `status`,
//! `errors_by_kind`, `target_rate`) are drawn when present; an older file
//! plots without them.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::results::histograms::LatencyHistogram;
use crate::results::json::{self, Document, FORMAT, FORMAT_VERSION};
use crate::results::series::{second_histogram, Second};

/// Most points a series gets; longer runs are drawn in buckets of seconds.
pub const MAX_POINTS: usize = 600;
/// Largest result file read (a day of seconds is far below this).
const MAX_FILE_BYTES: u64 = 512 << 20;
/// Spectrum samples per decade of 1/(1−p).
const SPECTRUM_STEPS_PER_DECADE: u32 = 40;

/// The measures whose percentile spectra are drawn, with their names.
pub const SPECTRUM_MEASURES: [(&str, &str); 3] = [
    ("reply", "reply time"),
    ("connect", "connect time"),
    ("response", "response time"),
];

/// One result file, ready to draw.
#[derive(Debug, Clone)]
pub struct Run {
    pub label: String,
    pub document: Document,
    /// Seconds per point of `points` (1 unless the run is long).
    pub bucket_s: u64,
    pub points: Vec<Point>,
    /// `(log10(1/(1−p)), ms)` per measure of [`SPECTRUM_MEASURES`], empty
    /// when the measure has no values.
    pub spectra: Vec<Vec<(f64, f64)>>,
    /// The target rate counts sessions (else connections) per second.
    pub sessions: bool,
}

/// One second, or one bucket of seconds: counts are per second.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Point {
    /// Start of the second (bucket), seconds since the start of the test.
    pub t: f64,
    pub connections: f64,
    pub requests: f64,
    pub replies: f64,
    pub errors: f64,
    pub reply_p50_ms: Option<f64>,
    pub reply_p90_ms: Option<f64>,
    pub reply_p99_ms: Option<f64>,
    pub reply_max_ms: Option<f64>,
    /// Replies per second by class 1xx to 5xx, when the file has them.
    pub status: Option<[f64; 5]>,
    /// Failures per second by the report's error names, when the file has them.
    pub errors_by_kind: Option<BTreeMap<String, f64>>,
    pub target_rate: Option<f64>,
}

/// Which per-second breakdowns a file holds: files written before they
/// were added read back as all zero, which a run with replies (errors)
/// cannot have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Recorded {
    status: bool,
    errors_by_kind: bool,
}

impl Recorded {
    fn in_file(seconds: &[Second]) -> Recorded {
        Recorded {
            status: seconds.iter().all(|s| s.replies == 0)
                || seconds.iter().any(|s| s.status.iter().any(|&c| c > 0)),
            errors_by_kind: seconds.iter().all(|s| s.errors == 0)
                || seconds.iter().any(|s| !s.errors_by_kind.is_empty()),
        }
    }
}

/// Reads and checks `path`: every failure is one line naming the file.
pub fn load(path: &Path, label: String) -> Result<Run, String> {
    let name = path.display();
    let text = read_text(path).map_err(|reason| format!("{name}: {reason}"))?;
    from_text(&name.to_string(), &text, label)
}

/// Checks and prepares the text of a result file called `name`.
pub fn from_text(name: &str, text: &str, label: String) -> Result<Run, String> {
    let raw: Value = serde_json::from_str(text)
        .map_err(|error| format!("{name}: not a result file (not JSON: {error})"))?;
    if raw.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format!(
            "{name}: not a result file (no \"format\": \"{FORMAT}\"; write one with --json)"
        ));
    }
    match raw.get("format_version").and_then(Value::as_u64) {
        Some(version) if version == u64::from(FORMAT_VERSION) => {}
        Some(version) => {
            return Err(format!(
                "{name}: format_version {version} is not supported (this httperf-rs reads version {FORMAT_VERSION})"
            ))
        }
        None => return Err(format!("{name}: not a result file (no format_version)")),
    }
    let document =
        json::from_str(text).map_err(|error| format!("{name}: damaged result file: {error}"))?;
    if document.time_series.seconds.is_empty() || is_empty_run(&document) {
        return Err(format!(
            "{name}: the run is empty (no connection was attempted): nothing to plot"
        ));
    }
    let histograms = decode_histograms(&document).map_err(|error| format!("{name}: {error}"))?;
    let seconds = &document.time_series.seconds;
    let bucket_s = bucket_seconds(seconds.len());
    let recorded = Recorded::in_file(seconds);
    let points = seconds
        .chunks(bucket_s as usize)
        .map(|chunk| bucket_point(chunk, recorded))
        .collect();
    let spectra = histograms.iter().map(spectrum).collect();
    let sessions = document.totals.session.is_some();
    Ok(Run {
        label,
        document,
        bucket_s,
        points,
        spectra,
        sessions,
    })
}

fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|error| io_reason(&error))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| io_reason(&error))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "not a result file (larger than {} MiB)",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| "not a result file (not UTF-8 text)".to_string())
}

/// `No such file or directory`, without std's ` (os error 2)`.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

/// Nothing was attempted: no connection, request or failure at all.
fn is_empty_run(document: &Document) -> bool {
    let totals = &document.totals;
    let errors = &totals.errors;
    totals.connections == 0
        && totals.requests == 0
        && [
            errors.client_timo,
            errors.socket_timo,
            errors.connrefused,
            errors.connreset,
            errors.fd_unavail,
            errors.addrunavail,
            errors.ftab_full,
            errors.other,
        ]
        .iter()
        .all(|&count| count == 0)
        && document
            .time_series
            .seconds
            .iter()
            .all(|s| s.connections == 0 && s.errors == 0)
}

/// The histograms of [`SPECTRUM_MEASURES`] (empty ones where a file lacks one).
fn decode_histograms(document: &Document) -> Result<Vec<LatencyHistogram>, String> {
    SPECTRUM_MEASURES
        .iter()
        .map(|(key, _)| match document.histograms.measures.get(*key) {
            None => Ok(LatencyHistogram::default()),
            Some(text) => LatencyHistogram::from_base64(text)
                .map_err(|error| format!("damaged {key} histogram: {error}")),
        })
        .collect()
}

/// Seconds per point for a run of `seconds` seconds.
pub fn bucket_seconds(seconds: usize) -> u64 {
    seconds.div_ceil(MAX_POINTS).max(1) as u64
}

/// One point from consecutive seconds: counts averaged per second; reply
/// times from the seconds' merged histograms (a file without them: the
/// medians' reply-weighted mean and the highest of the other values, an
/// upper bound).
fn bucket_point(seconds: &[Second], recorded: Recorded) -> Point {
    let n = seconds.len().max(1) as f64;
    let mean = |count: fn(&Second) -> u64| seconds.iter().map(|s| count(s) as f64).sum::<f64>() / n;
    let mut point = Point {
        t: seconds.first().map_or(0.0, |s| s.t as f64),
        connections: mean(|s| s.connections),
        requests: mean(|s| s.requests),
        replies: mean(|s| s.replies),
        errors: mean(|s| s.errors),
        ..Point::default()
    };
    match (seconds, merge_histograms(seconds)) {
        ([second], _) => {
            point.reply_p50_ms = second.reply_p50_ms;
            point.reply_p90_ms = second.reply_p90_ms;
            point.reply_p99_ms = second.reply_p99_ms;
            point.reply_max_ms = second.reply_max_ms;
        }
        (_, Some(histogram)) => {
            if histogram.count() > 0 {
                point.reply_p50_ms = Some(histogram.percentile_ms(50.0));
                point.reply_p90_ms = Some(histogram.percentile_ms(90.0));
                point.reply_p99_ms = Some(histogram.percentile_ms(99.0));
                point.reply_max_ms = Some(histogram.max_ms());
            }
        }
        (_, None) => {
            let weighted: Vec<(f64, f64)> = seconds
                .iter()
                .filter_map(|s| Some((s.reply_p50_ms?, s.replies as f64)))
                .collect();
            let weight: f64 = weighted.iter().map(|(_, w)| w).sum();
            if !weighted.is_empty() {
                point.reply_p50_ms = Some(if weight > 0.0 {
                    weighted.iter().map(|(v, w)| v * w).sum::<f64>() / weight
                } else {
                    weighted.iter().map(|(v, _)| v).sum::<f64>() / weighted.len() as f64
                });
            }
            point.reply_p90_ms = highest(seconds.iter().map(|s| s.reply_p90_ms));
            point.reply_p99_ms = highest(seconds.iter().map(|s| s.reply_p99_ms));
            point.reply_max_ms = highest(seconds.iter().map(|s| s.reply_max_ms));
        }
    }
    if recorded.status {
        let mut status = [0.0; 5];
        for second in seconds {
            for (class, count) in status.iter_mut().zip(second.status) {
                *class += count as f64 / n;
            }
        }
        point.status = Some(status);
    }
    if recorded.errors_by_kind {
        let mut kinds = BTreeMap::new();
        for second in seconds {
            for (kind, count) in &second.errors_by_kind {
                *kinds.entry(kind.clone()).or_default() += *count as f64 / n;
            }
        }
        point.errors_by_kind = Some(kinds);
    }
    // The scheduled rate: its mean over the bucket's seconds that have one.
    let targets: Vec<f64> = seconds.iter().filter_map(|s| s.target_rate).collect();
    if !targets.is_empty() {
        point.target_rate = Some(targets.iter().sum::<f64>() / targets.len() as f64);
    }
    point
}

fn highest(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values.flatten().filter(|v| v.is_finite()).reduce(f64::max)
}

/// The seconds' reply histograms merged, when every second with replies
/// has one (a file written before they were recorded has none).
fn merge_histograms(seconds: &[Second]) -> Option<LatencyHistogram> {
    let mut merged = second_histogram();
    for second in seconds {
        match &second.reply_histogram {
            Some(text) => merged.add(&LatencyHistogram::from_base64(text).ok()?),
            None if second.replies > 0 => return None,
            None => {}
        }
    }
    Some(merged)
}

/// Points `(log10(1/(1−p)), value at p)` from p = 0 up to where fewer than
/// one value lies beyond p, then the maximum: HdrHistogram's percentile
/// distribution, sampled evenly along its log axis.
pub fn spectrum(histogram: &LatencyHistogram) -> Vec<(f64, f64)> {
    let count = histogram.count();
    if count == 0 {
        return Vec::new();
    }
    let last = (count as f64).log10();
    let mut points = Vec::new();
    let mut step = 0;
    loop {
        let nines = f64::from(step) / f64::from(SPECTRUM_STEPS_PER_DECADE);
        if nines >= last || nines > 9.0 {
            break;
        }
        let p = 100.0 * (1.0 - 10f64.powf(-nines));
        points.push((nines, histogram.percentile_ms(p)));
        step += 1;
    }
    points.push((last.max(0.0), histogram.max_ms()));
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectrum_is_monotone_and_ends_at_the_maximum() {
        let mut histogram = LatencyHistogram::default();
        for i in 0..10_000u64 {
            histogram.record_ns(100_000 + i * i * 3);
        }
        let points = spectrum(&histogram);
        assert!(points.len() > 100, "{}", points.len());
        for pair in points.windows(2) {
            assert!(pair[0].0 < pair[1].0 && pair[0].1 <= pair[1].1, "{pair:?}");
        }
        let (x, y) = points[points.len() - 1];
        assert!((x - 4.0).abs() < 1e-9);
        assert_eq!(y, histogram.max_ms());
        assert!(spectrum(&LatencyHistogram::default()).is_empty());
    }

    fn second(t: u64, reply_ms: &[u64]) -> Second {
        let mut histogram = second_histogram();
        for ms in reply_ms {
            histogram.record_ns(ms * 1_000_000);
        }
        let mut second = Second {
            t,
            replies: reply_ms.len() as u64,
            status: [0, reply_ms.len() as u64, 0, 0, 0],
            ..Second::default()
        };
        second.set_reply_times(&histogram);
        second
    }

    #[test]
    fn buckets_merge_the_seconds_histograms() {
        let seconds = [second(0, &[1; 9]), second(1, &[100]), second(2, &[])];
        let recorded = Recorded::in_file(&seconds);
        let point = bucket_point(&seconds, recorded);
        assert_eq!((point.t, point.replies), (0.0, 10.0 / 3.0));
        let p90 = point.reply_p90_ms.unwrap_or_default();
        assert!((p90 - 1.0).abs() < 0.02, "{p90}");
        let max = point.reply_max_ms.unwrap_or_default();
        assert!((max - 100.0).abs() < 1.0, "{max}");
        assert_eq!(point.status.map(|s| s[1]), Some(10.0 / 3.0));
        // A file from before the histograms: the median's weighted mean and
        // the highest p99, statuses unknown.
        let old: Vec<Second> = seconds
            .iter()
            .map(|s| Second {
                reply_histogram: None,
                reply_p90_ms: None,
                reply_max_ms: None,
                status: [0; 5],
                ..s.clone()
            })
            .collect();
        let recorded = Recorded::in_file(&old);
        assert!(!recorded.status && recorded.errors_by_kind);
        let point = bucket_point(&old, recorded);
        let p50 = point.reply_p50_ms.unwrap_or_default();
        assert!((p50 - (9.0 * 1.0 + 100.0) / 10.0).abs() < 1.0, "{p50}");
        assert_eq!(point.reply_p99_ms, old[1].reply_p99_ms);
        assert_eq!((point.reply_p90_ms, point.status), (None, None));
        // One second per point: its own values.
        assert_eq!(
            bucket_point(&seconds[1..2], recorded).reply_max_ms,
            seconds[1].reply_max_ms
        );
    }

    #[test]
    fn long_runs_are_bucketed() {
        assert_eq!(bucket_seconds(1), 1);
        assert_eq!(bucket_seconds(MAX_POINTS), 1);
        assert_eq!(bucket_seconds(MAX_POINTS + 1), 2);
        assert_eq!(bucket_seconds(86_400), 144);
    }
}
