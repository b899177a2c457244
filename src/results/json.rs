//! `--json`: the whole result as one JSON document, described by
//! `docs/results.schema.json` (format `httperf-rs-results`, version 1).
//! `totals` holds httperf's raw counters and sums (with sums of squares,
//! the 1-ms lifetime bins and the 5-second rate samples), from which every
//! line of the text report is recomputed exactly: [`Totals::to_summary`]
//! gives back the `Summary` that `report::render` prints, so several runs'
//! documents can be merged by adding their totals and histograms.
//! `report` holds the printed values themselves, computed by the report's
//! own functions (`null` where the text shows `inf` or `nan`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::check::Verdict;
use super::histograms::{percentile_label, HIGHEST_US, SIGNIFICANT_DIGITS};
use super::output::RunContext;
use super::series::Second;
use super::{Measure, Measures, Recorder};
use crate::report;
use crate::stats::summary::{ErrorCounts, LifetimeStats, PeriodicTotals, SessionSummary, Summary};

/// The `format` value.
pub const FORMAT: &str = "httperf-rs-results";
/// The `format_version` value; raised when a field changes meaning or goes.
pub const FORMAT_VERSION: u32 = 1;

/// The document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub format: String,
    pub format_version: u32,
    pub program: Program,
    pub host: String,
    /// argv, `argv[0]` included; arguments that are not UTF-8 as `{"base64": …}`.
    pub command_line: Vec<Argument>,
    /// The parameter line httperf prints first.
    pub echo_line: String,
    /// httperf-rs's own options that shape the workload (`--schedule`,
    /// `--seed`, `--think-jitter`, `--ammo*`, `--websocket`, `--ws-*`) as
    /// given, in order: the echo line leaves them out. Absent without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload_options: Vec<Argument>,
    /// Test start, ISO 8601 UTC with microseconds.
    pub start_time_utc: String,
    #[serde(deserialize_with = "real")]
    pub start_unix_s: f64,
    #[serde(deserialize_with = "real")]
    pub duration_s: f64,
    /// `-v` count (level 2 adds the lifetime histogram to the report).
    pub verbose: u32,
    pub totals: Totals,
    /// Every value of the text report, as printed before rounding.
    pub report: Report,
    /// Completed replies per HTTP status code (every code, not only classes).
    pub status_codes: BTreeMap<String, u64>,
    /// Failed connections by errno.
    pub errors_by_errno: Vec<ErrnoCount>,
    pub percentiles: Percentiles,
    pub histograms: Histograms,
    pub time_series: TimeSeriesData,
    pub self_check: Verdict,
    /// What part of a larger test this document holds: present in the
    /// results of `--workers` and `merge`, absent in a single run's (which
    /// is then client I of N as its echo line says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

/// The part of a test a document holds, for merging it with the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The echo line of the whole test as the user gave it (before
    /// `--workers` divided it); shards merge only when these are equal but
    /// for `--client`.
    pub workload_echo_line: String,
    /// The client identities (`--client` I) this document covers, ascending.
    pub clients: Vec<u32>,
    /// Out of how many clients (`--client` N).
    pub num_clients: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub name: String,
    pub version: String,
    /// The httperf whose report and options this program reproduces.
    pub compatible_with: String,
}

/// One command-line argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Argument {
    Text(String),
    Bytes { base64: String },
}

impl Argument {
    /// The argument for a message: its text, or `(base64 …)` for bytes
    /// that are not UTF-8.
    pub fn shown(&self) -> String {
        match self {
            Argument::Text(text) => text.clone(),
            Argument::Bytes { base64 } => format!("(base64 {base64})"),
        }
    }
}

/// httperf's raw counters: everything the text report is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    #[serde(deserialize_with = "real")]
    pub test_duration_s: f64,
    /// Connections that reached the connecting stage.
    pub connections: u64,
    pub max_concurrent_connections: u64,
    /// `Maximum connect burst length`.
    pub max_connect_burst: u64,
    pub connection_lifetimes: Lifetimes,
    /// Sum of connect times over `connects` connects.
    #[serde(deserialize_with = "real")]
    pub connect_sum_s: f64,
    pub connects: u64,
    /// Requests completely written, and their bytes.
    pub requests: u64,
    pub request_bytes: u64,
    /// Replies by status class (1xx to 5xx).
    pub replies_by_class: ReplyClasses,
    /// Replies per second, one per 5-second sample.
    #[serde(deserialize_with = "reals")]
    pub reply_rate_samples: Vec<f64>,
    /// Sum of send-start → status-line times over `responses` replies.
    #[serde(deserialize_with = "real")]
    pub response_sum_s: f64,
    pub responses: u64,
    /// Sum of status-line → complete times over every completed reply.
    #[serde(deserialize_with = "real")]
    pub transfer_sum_s: f64,
    pub reply_header_bytes: u64,
    pub reply_content_bytes: u64,
    pub reply_footer_bytes: u64,
    #[serde(deserialize_with = "real")]
    pub cpu_user_s: f64,
    #[serde(deserialize_with = "real")]
    pub cpu_system_s: f64,
    pub errors: Errors,
    /// `--periodic-stats` totals.
    pub periodic: Option<Periodic>,
    /// Session workloads only.
    pub session: Option<SessionTotals>,
    /// `--websocket` only (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket: Option<crate::stats::summary::WebSocketSummary>,
}

/// Lifetimes of the connections that delivered a reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lifetimes {
    pub count: u64,
    #[serde(deserialize_with = "real")]
    pub sum_s: f64,
    #[serde(deserialize_with = "real")]
    pub sum_sq_s2: f64,
    #[serde(deserialize_with = "real")]
    pub min_s: f64,
    #[serde(deserialize_with = "real")]
    pub max_s: f64,
    /// `[bin, count]` pairs of the 1-ms bins (bin = ⌊lifetime in ms⌋, below
    /// 100,000), from which the report's median is computed.
    pub bins_1ms: Vec<[u64; 2]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyClasses {
    #[serde(rename = "1xx")]
    pub c1xx: u64,
    #[serde(rename = "2xx")]
    pub c2xx: u64,
    #[serde(rename = "3xx")]
    pub c3xx: u64,
    #[serde(rename = "4xx")]
    pub c4xx: u64,
    #[serde(rename = "5xx")]
    pub c5xx: u64,
}

/// The `Errors:` counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Errors {
    pub client_timo: u64,
    pub socket_timo: u64,
    pub connrefused: u64,
    pub connreset: u64,
    pub fd_unavail: u64,
    pub addrunavail: u64,
    pub ftab_full: u64,
    pub other: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Periodic {
    pub status_200: u64,
    pub status_302: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionTotals {
    /// Sessions completed per second, one per 5-second sample.
    #[serde(deserialize_with = "reals")]
    pub rate_samples: Vec<f64>,
    pub completed: u64,
    pub failed: u64,
    /// Connections summed over completed sessions.
    pub connections: u64,
    #[serde(deserialize_with = "real")]
    pub lifetime_sum_s: f64,
    #[serde(deserialize_with = "real")]
    pub failtime_sum_s: f64,
    /// Index = calls completed in a session.
    pub length_histogram: Vec<u64>,
}

/// The report's values (see `report::BasicValues`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub basic: serde_json::Value,
    pub session: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrnoCount {
    pub errno: i32,
    /// Symbolic name (`ECONNREFUSED`), null when unknown.
    pub name: Option<String>,
    pub count: u64,
}

/// One measure's summary from its histogram, milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurePercentiles {
    pub count: u64,
    pub min_ms: f64,
    pub mean_ms: f64,
    pub max_ms: f64,
    /// `p50`, `p99.9`, …: the value at each percentile of `list`.
    pub values_ms: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub list: Vec<f64>,
    pub measures: BTreeMap<String, MeasurePercentiles>,
}

/// The histograms, each in HdrHistogram's V2 compressed encoding, base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histograms {
    pub unit: String,
    pub significant_digits: u8,
    pub lowest_us: u64,
    pub highest_us: u64,
    pub encoding: String,
    pub measures: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeSeriesData {
    pub interval_s: u64,
    pub seconds: Vec<Second>,
}

impl Totals {
    pub fn from_summary(s: &Summary, max_connect_burst: u64) -> Totals {
        let lt = &s.lifetimes;
        let e = &s.errors;
        let class = &s.replies_by_class;
        Totals {
            test_duration_s: s.test_duration_s,
            connections: s.conns_issued,
            max_concurrent_connections: s.max_concurrent_conns,
            max_connect_burst,
            connection_lifetimes: Lifetimes {
                count: lt.count,
                sum_s: lt.sum_s,
                sum_sq_s2: lt.sum_sq_s2,
                min_s: lt.min_s,
                max_s: lt.max_s,
                bins_1ms: lt
                    .histogram
                    .iter()
                    .map(|(&bin, &count)| [u64::from(bin), count])
                    .collect(),
            },
            connect_sum_s: s.connect_sum_s,
            connects: s.num_connects,
            requests: s.requests_sent,
            request_bytes: s.request_bytes,
            replies_by_class: ReplyClasses {
                c1xx: class[1],
                c2xx: class[2],
                c3xx: class[3],
                c4xx: class[4],
                c5xx: class[5],
            },
            reply_rate_samples: s.reply_rate_samples.clone(),
            response_sum_s: s.response_sum_s,
            responses: s.num_responses,
            transfer_sum_s: s.transfer_sum_s,
            reply_header_bytes: s.reply_header_bytes,
            reply_content_bytes: s.reply_content_bytes,
            reply_footer_bytes: s.reply_footer_bytes,
            cpu_user_s: s.cpu_user_s,
            cpu_system_s: s.cpu_system_s,
            errors: Errors {
                client_timo: e.client_timeouts,
                socket_timo: e.socket_timeouts,
                connrefused: e.conn_refused,
                connreset: e.conn_reset,
                fd_unavail: e.fd_unavail,
                addrunavail: e.addr_unavail,
                ftab_full: e.ftab_full,
                other: e.other,
            },
            periodic: s.periodic.map(|p| Periodic {
                status_200: p.status_200,
                status_302: p.status_302,
            }),
            websocket: s.websocket.clone(),
            session: s.session.as_ref().map(|session| SessionTotals {
                rate_samples: session.rate_samples.clone(),
                completed: session.completed,
                failed: session.failed,
                connections: session.conn_sum,
                lifetime_sum_s: session.lifetime_sum_s,
                failtime_sum_s: session.failtime_sum_s,
                length_histogram: session.length_histogram.clone(),
            }),
        }
    }

    /// The `Summary` these totals came from: `report::render` of it prints
    /// the run's report again, byte for byte.
    pub fn to_summary(&self) -> Summary {
        let lt = &self.connection_lifetimes;
        let e = &self.errors;
        let c = &self.replies_by_class;
        Summary {
            test_duration_s: self.test_duration_s,
            conns_issued: self.connections,
            max_concurrent_conns: self.max_concurrent_connections,
            lifetimes: LifetimeStats {
                count: lt.count,
                sum_s: lt.sum_s,
                sum_sq_s2: lt.sum_sq_s2,
                min_s: lt.min_s,
                max_s: lt.max_s,
                histogram: lt
                    .bins_1ms
                    .iter()
                    .filter_map(|&[bin, count]| Some((u32::try_from(bin).ok()?, count)))
                    .collect(),
            },
            connect_sum_s: self.connect_sum_s,
            num_connects: self.connects,
            requests_sent: self.requests,
            request_bytes: self.request_bytes,
            replies_by_class: [0, c.c1xx, c.c2xx, c.c3xx, c.c4xx, c.c5xx],
            reply_rate_samples: self.reply_rate_samples.clone(),
            response_sum_s: self.response_sum_s,
            num_responses: self.responses,
            transfer_sum_s: self.transfer_sum_s,
            reply_header_bytes: self.reply_header_bytes,
            reply_content_bytes: self.reply_content_bytes,
            reply_footer_bytes: self.reply_footer_bytes,
            cpu_user_s: self.cpu_user_s,
            cpu_system_s: self.cpu_system_s,
            errors: ErrorCounts {
                client_timeouts: e.client_timo,
                socket_timeouts: e.socket_timo,
                conn_refused: e.connrefused,
                conn_reset: e.connreset,
                fd_unavail: e.fd_unavail,
                addr_unavail: e.addrunavail,
                ftab_full: e.ftab_full,
                other: e.other,
            },
            session: self.session.as_ref().map(|s| SessionSummary {
                rate_samples: s.rate_samples.clone(),
                completed: s.completed,
                failed: s.failed,
                conn_sum: s.connections,
                lifetime_sum_s: s.lifetime_sum_s,
                failtime_sum_s: s.failtime_sum_s,
                length_histogram: s.length_histogram.clone(),
            }),
            periodic: self.periodic.map(|p| PeriodicTotals {
                status_200: p.status_200,
                status_302: p.status_302,
            }),
            websocket: self.websocket.clone(),
        }
    }
}

/// Builds the document of a finished run.
pub fn document(
    recorder: &Recorder,
    summary: &Summary,
    context: &RunContext<'_>,
    percentiles: &[f64],
    verdict: &Verdict,
) -> Document {
    let start = recorder.start_wall();
    let start_unix_s = start
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let basic = report::basic_values(summary);
    let session = summary
        .session
        .as_ref()
        .map(|s| report::session_values(s, summary.test_duration_s));
    Document {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        program: Program {
            name: "httperf-rs".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            compatible_with: "httperf-0.9.0".to_string(),
        },
        host: host_name(),
        command_line: context.args.iter().map(argument).collect(),
        echo_line: context.echo_line.to_string(),
        workload_options: (context.shape.workload_options.iter())
            .map(|option| bytes_argument(option))
            .collect(),
        start_time_utc: utc_timestamp(start),
        start_unix_s,
        duration_s: summary.test_duration_s,
        verbose: context.shape.verbose,
        totals: Totals::from_summary(summary, recorder.max_connect_burst()),
        report: Report {
            basic: serde_json::to_value(basic).unwrap_or_default(),
            session: session.map(|s| serde_json::to_value(s).unwrap_or_default()),
        },
        status_codes: recorder
            .status_counts()
            .iter()
            .map(|(status, count)| (status.to_string(), *count))
            .collect(),
        errors_by_errno: recorder
            .errno_counts()
            .iter()
            .map(|(&errno, &count)| ErrnoCount {
                errno,
                name: errno_symbol(errno),
                count,
            })
            .collect(),
        percentiles: percentile_section(recorder, percentiles),
        histograms: histogram_section(recorder),
        time_series: TimeSeriesData {
            interval_s: 1,
            seconds: recorder.series().seconds().to_vec(),
        },
        self_check: verdict.clone(),
        shard: None,
    }
}

fn percentile_section(recorder: &Recorder, percentiles: &[f64]) -> Percentiles {
    percentiles_of(recorder.measures(), percentiles)
}

/// The `percentiles` section of these histograms.
pub fn percentiles_of(measures: &Measures, percentiles: &[f64]) -> Percentiles {
    let measures = Measure::ALL
        .iter()
        .map(|&measure| {
            let histogram = measures.get(measure);
            let values_ms = percentiles
                .iter()
                .map(|&p| (percentile_label(p), histogram.percentile_ms(p)))
                .collect();
            let summary = MeasurePercentiles {
                count: histogram.count(),
                min_ms: histogram.min_ms(),
                mean_ms: histogram.mean_ms(),
                max_ms: histogram.max_ms(),
                values_ms,
            };
            (measure.key().to_string(), summary)
        })
        .collect();
    Percentiles {
        list: percentiles.to_vec(),
        measures,
    }
}

fn histogram_section(recorder: &Recorder) -> Histograms {
    histograms_of(recorder.measures())
}

/// The `histograms` section of these histograms.
pub fn histograms_of(measures: &Measures) -> Histograms {
    Histograms {
        unit: "us".to_string(),
        significant_digits: SIGNIFICANT_DIGITS,
        lowest_us: 1,
        highest_us: HIGHEST_US,
        encoding: "HdrHistogram V2 compressed (zlib), base64".to_string(),
        measures: Measure::ALL
            .iter()
            .map(|&m| (m.key().to_string(), measures.get(m).to_base64()))
            .collect(),
    }
}

/// The document as text: pretty-printed, with a final newline.
pub fn to_string(document: &Document) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads a document back (for merging and comparing runs).
pub fn from_str(text: &str) -> Result<Document, String> {
    let document: Document = serde_json::from_str(text).map_err(|error| error.to_string())?;
    if document.format != FORMAT || document.format_version != FORMAT_VERSION {
        return Err(format!(
            "not an {FORMAT} document of version {FORMAT_VERSION}"
        ));
    }
    Ok(document)
}

pub fn argument(arg: &OsString) -> Argument {
    use std::os::unix::ffi::OsStrExt;
    bytes_argument(arg.as_bytes())
}

/// An argument's bytes: text when they are UTF-8, base64 otherwise.
pub fn bytes_argument(bytes: &[u8]) -> Argument {
    match std::str::from_utf8(bytes) {
        Ok(text) => Argument::Text(text.to_string()),
        Err(_) => Argument::Bytes {
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        },
    }
}

pub fn errno_symbol(errno: i32) -> Option<String> {
    crate::c::errno::symbol(errno).map(str::to_string)
}

/// The kernel's host name.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SS.ssssssZ`.
pub fn utc_timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_micros()
    )
}

/// Gregorian date of a day count since 1970-01-01 (proleptic calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A number, or null for a value that was `inf` or NaN (read back as NaN).
fn real<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

fn reals<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
    let values = Vec::<Option<f64>>::deserialize(deserializer)?;
    Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamps_are_iso_8601() {
        let t = UNIX_EPOCH + std::time::Duration::from_micros(1_709_251_199_123_456);
        assert_eq!(utc_timestamp(t), "2024-02-29T23:59:59.123456Z");
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn totals_give_back_the_summary() {
        let mut summary = Summary {
            test_duration_s: 1.25,
            conns_issued: 7,
            replies_by_class: [0, 1, 5, 0, 1, 0],
            reply_rate_samples: vec![5.0, 0.1 + 0.2],
            ..Summary::default()
        };
        summary.lifetimes.record(0.0123);
        summary.lifetimes.record(0.0456);
        summary.session = Some(SessionSummary {
            length_histogram: vec![0, 2],
            ..SessionSummary::default()
        });
        let totals = Totals::from_summary(&summary, 3);
        let text = serde_json::to_string(&totals).unwrap_or_default();
        let back: Totals = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(back.to_summary(), summary);
        assert_eq!(back.max_connect_burst, 3);
    }

    #[test]
    fn non_utf8_arguments_are_base64() {
        use std::os::unix::ffi::OsStringExt;
        let arg = OsString::from_vec(vec![b'-', 0xff]);
        assert_eq!(
            argument(&arg),
            Argument::Bytes {
                base64: "Lf8=".to_string()
            }
        );
        assert_eq!(
            serde_json::to_string(&argument(&OsString::from("--rate"))).unwrap_or_default(),
            "\"--rate\""
        );
    }
}
