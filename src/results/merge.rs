//! Merging `--json` results: the documents of several workers, processes
//! or machines that ran parts of one test become the one document (and so
//! the one httperf report) of the whole test, computed from their raw data,
//! never by averaging printed values.
//!
//! How each figure merges:
//! - counts, byte totals, sums and sums of squares add up, so averages and
//!   standard deviations come out of the merged sums exactly;
//! - the test duration runs from the earliest start to the latest end, and
//!   every rate is over that duration;
//! - minima and maxima are over all shards; the median comes from the
//!   added 1-ms lifetime bins; percentiles from the added HDR histograms;
//! - CPU time adds up over the shards (its percentage of the duration can
//!   exceed 100 %); the concurrency maximum adds up too, so it is an upper
//!   bound of the test's (the shards need not have peaked together); the
//!   connect burst is the longest of any shard;
//! - the per-second series are added second by second since the common
//!   start (each shard's seconds shifted by its start, rounded to a whole
//!   second), and with more than one shard the 5-second reply-rate samples
//!   are the merged replies of each full 5-second window since the common
//!   start; a single shard keeps its own samples, so merging one document
//!   prints its own report again. Session-rate samples, which have no
//!   per-second series, add up sample by sample.
//!
//! Shards merge only when they ran the same workload (echo lines equal
//! but for `--client`, and the same httperf-rs workload options, which the
//! echo line leaves out), out of the same number of clients, with no client
//! identity twice.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

use super::check::{self, Verdict};
use super::histograms::{handshake_times, LatencyHistogram};
use super::json::{
    self, Document, ErrnoCount, Lifetimes, Periodic, ReplyClasses, Report, SessionTotals, Shard,
    TimeSeriesData, Totals,
};
use super::series::Second;
use super::{Measure, Measures};
use crate::report;
use crate::stats::summary::{HandshakeTimes, WebSocketSummary};

/// Length of httperf's reply-rate sampling window, seconds.
const RATE_WINDOW_S: u64 = 5;

/// Longest merged series, seconds (eight days): bounds the memory a
/// damaged or hostile shard can make the merge use.
const MAX_SERIES_S: u64 = 8 * 86_400;

/// Why shards could not be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// The shards are not parts of one test (exit status 2).
    Refused(String),
    /// A shard's data cannot be read (exit status 1).
    Invalid(String),
}

impl MergeError {
    pub fn message(&self) -> &str {
        match self {
            MergeError::Refused(message) | MergeError::Invalid(message) => message,
        }
    }

    pub fn exit_status(&self) -> i32 {
        match self {
            MergeError::Refused(_) => 2,
            MergeError::Invalid(_) => 1,
        }
    }
}

/// One shard: its name for messages (a file name) and its document.
pub struct NamedDocument {
    pub name: String,
    pub document: Document,
}

/// Which part of which test a document holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The whole test's echo line.
    pub workload_echo_line: String,
    /// That echo line without its `--client` item.
    pub workload: String,
    /// httperf-rs's workload options, which the echo line leaves out.
    pub workload_options: Vec<json::Argument>,
    pub clients: Vec<u32>,
    pub num_clients: u32,
}

/// The `--client=I/N` item of an echo line: (I, N, byte range of the item
/// including its leading space).
fn client_item(echo_line: &str) -> Option<(u32, u32, std::ops::Range<usize>)> {
    const ITEM: &str = " --client=";
    let at = echo_line.find(ITEM)?;
    let rest = &echo_line[at + ITEM.len()..];
    let end = rest.find(' ').unwrap_or(rest.len());
    let (id, count) = rest[..end].split_once('/')?;
    let range = at..at + ITEM.len() + end;
    Some((id.parse().ok()?, count.parse().ok()?, range))
}

/// The identity of a document: its `shard` record, or for a single run
/// client I of N as its echo line says.
pub fn identity(document: &Document) -> Result<Identity, String> {
    let (echo_line, clients, num_clients) = match &document.shard {
        Some(shard) => (
            shard.workload_echo_line.clone(),
            shard.clients.clone(),
            shard.num_clients,
        ),
        None => {
            let (id, count, _) =
                client_item(&document.echo_line).ok_or("its echo line has no --client=I/N item")?;
            (document.echo_line.clone(), vec![id], count)
        }
    };
    let workload = match client_item(&echo_line) {
        Some((_, _, range)) => format!("{}{}", &echo_line[..range.start], &echo_line[range.end..]),
        None => return Err("its workload echo line has no --client=I/N item".to_string()),
    };
    Ok(Identity {
        workload_echo_line: echo_line,
        workload,
        workload_options: document.workload_options.clone(),
        clients,
        num_clients,
    })
}

/// Checks that the shards are parts of one test and returns their
/// identities, in the order given.
fn check_shards(shards: &[NamedDocument]) -> Result<Vec<Identity>, MergeError> {
    let identities = shards
        .iter()
        .map(|shard| {
            identity(&shard.document)
                .map_err(|why| MergeError::Invalid(format!("{}: {why}", shard.name)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(first), Some(first_shard)) = (identities.first(), shards.first()) else {
        return Err(MergeError::Invalid("no shards to merge".to_string()));
    };
    let mut owners: BTreeMap<u32, &str> = BTreeMap::new();
    for (identity, shard) in identities.iter().zip(shards) {
        if identity.workload != first.workload {
            return Err(MergeError::Refused(format!(
                "{} and {} ran different workloads (their echo lines differ in more than \
                 --client):\n  {}\n  {}",
                first_shard.name, shard.name, first.workload_echo_line, identity.workload_echo_line
            )));
        }
        if identity.workload_options != first.workload_options {
            return Err(MergeError::Refused(format!(
                "{} and {} ran different workloads (their httperf-rs workload options \
                 differ):\n  {}\n  {}",
                first_shard.name,
                shard.name,
                options_text(&first.workload_options),
                options_text(&identity.workload_options)
            )));
        }
        if identity.num_clients != first.num_clients {
            return Err(MergeError::Refused(format!(
                "{} is one of {} clients but {} is one of {}",
                first_shard.name, first.num_clients, shard.name, identity.num_clients
            )));
        }
        for &client in &identity.clients {
            if client >= identity.num_clients {
                return Err(MergeError::Refused(format!(
                    "{} holds client {client} of {}: a client must be below the count",
                    shard.name, identity.num_clients
                )));
            }
            if let Some(other) = owners.insert(client, &shard.name) {
                return Err(MergeError::Refused(format!(
                    "{other} and {} both hold client {client}/{}: each shard needs its own \
                     --client",
                    shard.name, identity.num_clients
                )));
            }
        }
    }
    Ok(identities)
}

/// Workload options for a message: as given, base64 ones marked as such.
fn options_text(options: &[json::Argument]) -> String {
    if options.is_empty() {
        return "(none)".to_string();
    }
    let shown: Vec<String> = options.iter().map(json::Argument::shown).collect();
    shown.join(" ")
}

/// A warning naming the clients of the test that no shard holds (a machine
/// or worker whose result is missing): the report then covers the others
/// only.
pub fn missing_clients(shards: &[NamedDocument]) -> Option<String> {
    let identities = check_shards(shards).ok()?;
    let num_clients = identities.first()?.num_clients;
    let held: std::collections::BTreeSet<u32> = identities
        .iter()
        .flat_map(|identity| identity.clients.iter().copied())
        .collect();
    let missing: Vec<String> = (0..num_clients)
        .filter(|client| !held.contains(client))
        .take(MISSING_CLIENTS_NAMED)
        .map(|client| client.to_string())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let count = num_clients as usize - held.len();
    let more = if count > missing.len() { ", ..." } else { "" };
    Some(format!(
        "warning: no shard holds {count} of the {num_clients} clients ({}{more}): the \
         report covers the others only",
        missing.join(", ")
    ))
}

/// How many missing clients a warning names.
const MISSING_CLIENTS_NAMED: usize = 10;

/// A warning when some shards' tests did not overlap in time at all (one
/// ended before another began): their rates are then over a span none of
/// them ran through, which `--start-at` avoids.
pub fn disjoint_shards(shards: &[NamedDocument]) -> Option<String> {
    let span = |shard: &NamedDocument| {
        let d = &shard.document;
        (
            d.start_unix_s,
            d.start_unix_s + finite(d.totals.test_duration_s),
        )
    };
    for (i, a) in shards.iter().enumerate() {
        for b in &shards[i + 1..] {
            let ((a_start, a_end), (b_start, b_end)) = (span(a), span(b));
            if a_end < b_start || b_end < a_start {
                let (early, late) = if a_end < b_start { (a, b) } else { (b, a) };
                return Some(format!(
                    "warning: {} ended before {} began ({:.3} s apart): the rates are over \
                     the whole span; start the shards together with --start-at",
                    early.name,
                    late.name,
                    (span(late).0 - span(early).1).abs()
                ));
            }
        }
    }
    None
}

/// What the merged document says about how it was made.
pub struct MergeContext<'a> {
    /// The command line that merged (recorded as the document's).
    pub args: &'a [OsString],
    /// Percentiles for the `percentiles` section.
    pub percentiles: &'a [f64],
}

/// The one document of the test the shards are parts of.
pub fn merge(shards: &[NamedDocument], context: &MergeContext<'_>) -> Result<Document, MergeError> {
    let identities = check_shards(shards)?;
    // The shard holding the lowest client names the test (its echo line).
    let lead = identities
        .iter()
        .enumerate()
        .min_by_key(|(_, identity)| identity.clients.first().copied().unwrap_or(u32::MAX))
        .map_or(0, |(index, _)| index);
    let documents: Vec<&Document> = shards.iter().map(|shard| &shard.document).collect();
    let start_s = documents
        .iter()
        .map(|d| d.start_unix_s)
        .filter(|s| s.is_finite())
        .fold(f64::INFINITY, f64::min);
    let start_s = if start_s.is_finite() { start_s } else { 0.0 };
    let end_s = documents
        .iter()
        .map(|d| d.start_unix_s + finite(d.totals.test_duration_s))
        .filter(|s| s.is_finite())
        .fold(start_s, f64::max);
    let duration_s = end_s - start_s;
    // Each shard's seconds, shifted to seconds since the common start.
    let offsets: Vec<u64> = documents
        .iter()
        .map(|d| {
            let offset = (d.start_unix_s - start_s).round();
            if offset.is_finite() && offset > 0.0 {
                offset as u64
            } else {
                0
            }
        })
        .collect();
    let seconds = merge_series(&documents, &offsets)?;
    let mut totals = merge_totals(&documents, duration_s);
    if documents.len() > 1 {
        totals.reply_rate_samples = rate_samples(&seconds, duration_s);
    }
    let mut measures = Measures::default();
    for shard in shards {
        for measure in Measure::ALL {
            if let Some(text) = shard.document.histograms.measures.get(measure.key()) {
                let histogram = LatencyHistogram::from_base64(text).map_err(|why| {
                    MergeError::Invalid(format!(
                        "{}: the {} histogram cannot be read: {why}",
                        shard.name,
                        measure.key()
                    ))
                })?;
                measures.get_mut(measure).add(&histogram);
            }
        }
    }
    let summary = totals.to_summary();
    let basic = report::basic_values(&summary);
    let session = summary
        .session
        .as_ref()
        .map(|s| report::session_values(s, summary.test_duration_s));
    let lead_document = documents[lead];
    let mut clients: Vec<u32> = identities
        .iter()
        .flat_map(|identity| identity.clients.iter().copied())
        .collect();
    clients.sort_unstable();
    let verdict = merged_verdict(&documents, &measures, &summary);
    Ok(Document {
        format: json::FORMAT.to_string(),
        format_version: json::FORMAT_VERSION,
        program: lead_document.program.clone(),
        host: json::host_name(),
        command_line: context.args.iter().map(json::argument).collect(),
        // One shard alone is shown as it ran (a worker's own share).
        echo_line: if documents.len() == 1 {
            lead_document.echo_line.clone()
        } else {
            identities[lead].workload_echo_line.clone()
        },
        workload_options: identities[lead].workload_options.clone(),
        start_time_utc: json::utc_timestamp(
            UNIX_EPOCH + Duration::try_from_secs_f64(start_s.max(0.0)).unwrap_or_default(),
        ),
        start_unix_s: start_s,
        duration_s,
        verbose: documents.iter().map(|d| d.verbose).max().unwrap_or(0),
        totals,
        report: Report {
            basic: serde_json::to_value(basic).unwrap_or_default(),
            session: session.map(|s| serde_json::to_value(s).unwrap_or_default()),
        },
        status_codes: merge_status_codes(&documents),
        errors_by_errno: merge_errnos(&documents),
        percentiles: json::percentiles_of(&measures, context.percentiles),
        histograms: json::histograms_of(&measures),
        time_series: TimeSeriesData {
            interval_s: 1,
            seconds,
        },
        self_check: verdict,
        shard: Some(Shard {
            workload_echo_line: identities[lead].workload_echo_line.clone(),
            clients,
            num_clients: identities[lead].num_clients,
        }),
    })
}

/// The merged histograms of a merged document.
pub fn measures(document: &Document) -> Result<Measures, String> {
    let mut measures = Measures::default();
    for measure in Measure::ALL {
        if let Some(text) = document.histograms.measures.get(measure.key()) {
            measures
                .get_mut(measure)
                .add(&LatencyHistogram::from_base64(text)?);
        }
    }
    Ok(measures)
}

fn finite(value: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        0.0
    }
}

fn merge_totals(documents: &[&Document], duration_s: f64) -> Totals {
    let all = || documents.iter().map(|d| &d.totals);
    let sum = |field: fn(&Totals) -> u64| all().map(field).fold(0u64, u64::saturating_add);
    let sum_f = |field: fn(&Totals) -> f64| all().map(field).sum::<f64>();
    let errors = |field: fn(&json::Errors) -> u64| {
        all()
            .map(|t| field(&t.errors))
            .fold(0u64, u64::saturating_add)
    };
    let classes = |field: fn(&ReplyClasses) -> u64| {
        all()
            .map(|t| field(&t.replies_by_class))
            .fold(0u64, u64::saturating_add)
    };
    let single = documents.len() == 1;
    Totals {
        test_duration_s: if single {
            documents[0].totals.test_duration_s
        } else {
            duration_s
        },
        connections: sum(|t| t.connections),
        websocket: if single {
            documents[0].totals.websocket.clone()
        } else {
            merge_websocket(all().map(|t| t.websocket.as_ref()))
        },
        max_concurrent_connections: sum(|t| t.max_concurrent_connections),
        max_connect_burst: all().map(|t| t.max_connect_burst).max().unwrap_or(0),
        connection_lifetimes: merge_lifetimes(all().map(|t| &t.connection_lifetimes)),
        connect_sum_s: sum_f(|t| t.connect_sum_s),
        connects: sum(|t| t.connects),
        requests: sum(|t| t.requests),
        request_bytes: sum(|t| t.request_bytes),
        replies_by_class: ReplyClasses {
            c1xx: classes(|c| c.c1xx),
            c2xx: classes(|c| c.c2xx),
            c3xx: classes(|c| c.c3xx),
            c4xx: classes(|c| c.c4xx),
            c5xx: classes(|c| c.c5xx),
        },
        reply_rate_samples: if single {
            documents[0].totals.reply_rate_samples.clone()
        } else {
            Vec::new()
        },
        response_sum_s: sum_f(|t| t.response_sum_s),
        responses: sum(|t| t.responses),
        transfer_sum_s: sum_f(|t| t.transfer_sum_s),
        reply_header_bytes: sum(|t| t.reply_header_bytes),
        reply_content_bytes: sum(|t| t.reply_content_bytes),
        reply_footer_bytes: sum(|t| t.reply_footer_bytes),
        cpu_user_s: sum_f(|t| t.cpu_user_s),
        cpu_system_s: sum_f(|t| t.cpu_system_s),
        errors: json::Errors {
            client_timo: errors(|e| e.client_timo),
            socket_timo: errors(|e| e.socket_timo),
            connrefused: errors(|e| e.connrefused),
            connreset: errors(|e| e.connreset),
            fd_unavail: errors(|e| e.fd_unavail),
            addrunavail: errors(|e| e.addrunavail),
            ftab_full: errors(|e| e.ftab_full),
            other: errors(|e| e.other),
        },
        periodic: all().filter_map(|t| t.periodic).reduce(|a, b| Periodic {
            status_200: a.status_200.saturating_add(b.status_200),
            status_302: a.status_302.saturating_add(b.status_302),
        }),
        session: merge_sessions(all().filter_map(|t| t.session.as_ref())),
    }
}

/// The shards' WebSocket blocks added up: counts summed, and the handshake
/// times from their merged histograms, as one run would have made them. None
/// when no shard has one, or when a shard's times come without their
/// histogram (written before histograms were kept): such times cannot be
/// merged exactly.
fn merge_websocket<'a>(
    blocks: impl Iterator<Item = Option<&'a WebSocketSummary>>,
) -> Option<WebSocketSummary> {
    let blocks: Vec<&WebSocketSummary> = blocks.collect::<Option<Vec<_>>>()?;
    if blocks.is_empty() {
        return None;
    }
    let sum = |field: fn(&WebSocketSummary) -> u64| {
        blocks
            .iter()
            .map(|b| field(b))
            .fold(0u64, u64::saturating_add)
    };
    let times = |field: fn(&WebSocketSummary) -> &HandshakeTimes| {
        let mut merged: Option<LatencyHistogram> = None;
        for block in &blocks {
            let part = field(block);
            if part.count == 0 {
                continue;
            }
            let histogram = LatencyHistogram::from_base64(part.histogram.as_deref()?).ok()?;
            match &mut merged {
                Some(all) => all.add(&histogram),
                None => merged = Some(histogram),
            }
        }
        Some(merged.map_or_else(HandshakeTimes::default, |all| handshake_times(&all)))
    };
    Some(WebSocketSummary {
        handshakes: sum(|b| b.handshakes),
        upgraded: sum(|b| b.upgraded),
        handshake_failed: sum(|b| b.handshake_failed),
        bad_accept: sum(|b| b.bad_accept),
        messages_sent: sum(|b| b.messages_sent),
        messages_echoed: sum(|b| b.messages_echoed),
        closes_sent: sum(|b| b.closes_sent),
        closes_answered: sum(|b| b.closes_answered),
        frame_errors: sum(|b| b.frame_errors),
        opening: times(|b| &b.opening)?,
        closing: times(|b| &b.closing)?,
    })
}

fn merge_lifetimes<'a>(lifetimes: impl Iterator<Item = &'a Lifetimes>) -> Lifetimes {
    let mut merged = Lifetimes {
        count: 0,
        sum_s: 0.0,
        sum_sq_s2: 0.0,
        min_s: 0.0,
        max_s: 0.0,
        bins_1ms: Vec::new(),
    };
    let mut bins: BTreeMap<u64, u64> = BTreeMap::new();
    for lifetime in lifetimes {
        if lifetime.count == 0 {
            continue;
        }
        if merged.count == 0 || lifetime.min_s < merged.min_s {
            merged.min_s = lifetime.min_s;
        }
        if merged.count == 0 || lifetime.max_s > merged.max_s {
            merged.max_s = lifetime.max_s;
        }
        merged.count = merged.count.saturating_add(lifetime.count);
        merged.sum_s += lifetime.sum_s;
        merged.sum_sq_s2 += lifetime.sum_sq_s2;
        for &[bin, count] in &lifetime.bins_1ms {
            let slot = bins.entry(bin).or_insert(0);
            *slot = slot.saturating_add(count);
        }
    }
    merged.bins_1ms = bins.into_iter().map(|(bin, count)| [bin, count]).collect();
    merged
}

fn merge_sessions<'a>(sessions: impl Iterator<Item = &'a SessionTotals>) -> Option<SessionTotals> {
    sessions.cloned().reduce(|mut a, b| {
        add_elementwise_f64(&mut a.rate_samples, &b.rate_samples);
        a.completed = a.completed.saturating_add(b.completed);
        a.failed = a.failed.saturating_add(b.failed);
        a.connections = a.connections.saturating_add(b.connections);
        a.lifetime_sum_s += b.lifetime_sum_s;
        a.failtime_sum_s += b.failtime_sum_s;
        if a.length_histogram.len() < b.length_histogram.len() {
            a.length_histogram.resize(b.length_histogram.len(), 0);
        }
        for (slot, count) in a.length_histogram.iter_mut().zip(&b.length_histogram) {
            *slot = slot.saturating_add(*count);
        }
        a
    })
}

fn add_elementwise_f64(into: &mut Vec<f64>, other: &[f64]) {
    if into.len() < other.len() {
        into.resize(other.len(), 0.0);
    }
    for (slot, value) in into.iter_mut().zip(other) {
        *slot += value;
    }
}

/// Replies per second of each full 5-second window since the common start
/// (`seconds` holds every second from 0, in order).
fn rate_samples(seconds: &[Second], duration_s: f64) -> Vec<f64> {
    let windows = if duration_s.is_finite() && duration_s > 0.0 {
        (duration_s / RATE_WINDOW_S as f64).floor() as u64
    } else {
        0
    };
    // Windows past the series would be empty; a document cannot make the
    // list longer than its own series.
    let windows = windows.min(seconds.len() as u64 / RATE_WINDOW_S + 1) as usize;
    seconds
        .chunks(RATE_WINDOW_S as usize)
        .map(|chunk| {
            let replies = chunk
                .iter()
                .fold(0u64, |sum, s| sum.saturating_add(s.replies));
            replies as f64 / RATE_WINDOW_S as f64
        })
        .chain(std::iter::repeat(0.0))
        .take(windows)
        .collect()
}

fn merge_status_codes(documents: &[&Document]) -> BTreeMap<String, u64> {
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for document in documents {
        for (code, count) in &document.status_codes {
            let slot = codes.entry(code.clone()).or_insert(0);
            *slot = slot.saturating_add(*count);
        }
    }
    codes
}

fn merge_errnos(documents: &[&Document]) -> Vec<ErrnoCount> {
    let mut counts: BTreeMap<i32, ErrnoCount> = BTreeMap::new();
    for document in documents {
        for entry in &document.errors_by_errno {
            let slot = counts.entry(entry.errno).or_insert_with(|| ErrnoCount {
                errno: entry.errno,
                name: entry.name.clone(),
                count: 0,
            });
            slot.count = slot.count.saturating_add(entry.count);
        }
    }
    counts.into_values().collect()
}

/// The self-check of the whole test: the merged schedule lag against the
/// strictest threshold any shard used (each shard's schedule is its own),
/// and the merged client-resource errors.
fn merged_verdict(
    documents: &[&Document],
    measures: &Measures,
    summary: &crate::stats::summary::Summary,
) -> Verdict {
    let threshold_ms = documents
        .iter()
        .filter_map(|d| d.self_check.lag_threshold_ms)
        .filter(|t| t.is_finite())
        .reduce(f64::min);
    // evaluate() takes the mean inter-arrival time whose tenth is the
    // threshold (never below its 1 ms floor, so this gives it back).
    let mean_iat_s = threshold_ms.map(|ms| ms / check::LAG_SHARE_OF_IAT / 1000.0);
    check::evaluate(measures, &summary.errors, mean_iat_s)
}

/// Adds the shards' per-second entries second by second since the common
/// start. Every count adds up (whatever fields a newer series has); a
/// reply-time histogram (base64) adds up too, and the `reply_pN_ms` and
/// `reply_max_ms` figures are read again from it (without one, the larger
/// of the shards' values stands).
fn merge_series(documents: &[&Document], offsets: &[u64]) -> Result<Vec<Second>, MergeError> {
    let mut merged: BTreeMap<u64, Value> = BTreeMap::new();
    for (document, &offset) in documents.iter().zip(offsets) {
        for second in &document.time_series.seconds {
            let t = second.t.saturating_add(offset);
            let mut value = serde_json::to_value(second).unwrap_or(Value::Null);
            if let Some(object) = value.as_object_mut() {
                object.insert("t".to_string(), Value::from(t));
            }
            match merged.get_mut(&t) {
                Some(existing) => add_values(existing, &value),
                None => {
                    merged.insert(t, value);
                }
            }
        }
    }
    let last = merged.keys().next_back().copied();
    if last.is_some_and(|last| last > MAX_SERIES_S) {
        return Err(MergeError::Invalid(format!(
            "the shards' per-second series span more than {MAX_SERIES_S} s (their start \
             times are too far apart or a series is damaged)"
        )));
    }
    let mut seconds = Vec::with_capacity(merged.len());
    if let Some(last) = last {
        for t in 0..=last {
            let Some(mut value) = merged.remove(&t) else {
                seconds.push(Second {
                    t,
                    ..Second::default()
                });
                continue;
            };
            refresh_reply_figures(&mut value);
            let second: Second = serde_json::from_value(value).map_err(|why| {
                MergeError::Invalid(format!("second {t} of the series cannot be merged: {why}"))
            })?;
            seconds.push(second);
        }
    }
    Ok(seconds)
}

fn add_values(into: &mut Value, other: &Value) {
    match (into, other) {
        (Value::Object(into), Value::Object(other)) => {
            for (key, value) in other {
                match into.get_mut(key) {
                    Some(existing) if key == "t" => {
                        let _ = existing;
                    }
                    Some(existing) if key.ends_with("_ms") => {
                        // Replaced from the merged histogram when there is one.
                        let larger = match (existing.as_f64(), value.as_f64()) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            (a, b) => a.or(b),
                        };
                        *existing = larger.map_or(Value::Null, Value::from);
                    }
                    Some(existing) => add_values(existing, value),
                    None => {
                        into.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (into @ Value::Number(_), Value::Number(other)) => {
            *into = match (into.as_u64(), other.as_u64()) {
                (Some(a), Some(b)) => Value::from(a.saturating_add(b)),
                _ => Value::from(into.as_f64().unwrap_or(0.0) + other.as_f64().unwrap_or(0.0)),
            };
        }
        (Value::Array(into), Value::Array(other)) => {
            // Per-class counts: element by element.
            for (slot, value) in into.iter_mut().zip(other) {
                add_values(slot, value);
            }
            if other.len() > into.len() {
                into.extend_from_slice(&other[into.len()..]);
            }
        }
        (into @ Value::Null, other) => *into = other.clone(),
        (Value::String(into), Value::String(other)) => {
            // A histogram: add; anything else keeps the first shard's text.
            if let (Ok(mut a), Ok(b)) = (
                LatencyHistogram::from_base64(into),
                LatencyHistogram::from_base64(other),
            ) {
                a.add(&b);
                *into = a.to_base64();
            }
        }
        _ => {}
    }
}

/// Reads `reply_pN_ms` and `reply_max_ms` from the second's reply-time
/// histogram, when it has one.
fn refresh_reply_figures(value: &mut Value) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    let histogram = object
        .iter()
        .filter(|(key, _)| key.contains("histogram"))
        .find_map(|(_, value)| LatencyHistogram::from_base64(value.as_str()?).ok());
    let Some(histogram) = histogram else {
        return;
    };
    let keys: Vec<String> = object.keys().cloned().collect();
    let empty = histogram.count() == 0;
    for key in keys {
        let figure = if key == "reply_max_ms" {
            Some(histogram.max_ms())
        } else {
            key.strip_prefix("reply_p")
                .and_then(|rest| rest.strip_suffix("_ms"))
                .and_then(|p| p.parse::<f64>().ok())
                .map(|p| histogram.percentile_ms(p))
        };
        if let Some(figure) = figure {
            object.insert(
                key,
                if empty {
                    Value::Null
                } else {
                    Value::from(figure)
                },
            );
        }
    }
}

/// The text a merged document prints: httperf's report (with the lifetime
/// histogram at `-v -v`, as the shards were run) and, when `percentiles`
/// is given, the percentile block.
pub fn report_text(document: &Document, percentiles: Option<&[f64]>) -> Result<String, String> {
    let summary = document.totals.to_summary();
    let mut text = report::burst_line(document.totals.max_connect_burst);
    text.push('\n');
    text += &report::render(
        &summary,
        &report::ReportOptions {
            verbose: document.verbose,
        },
    );
    if let Some(list) = percentiles {
        let scheduled = document.self_check.lag_threshold_ms.is_some();
        let sessions = document.totals.session.is_some();
        let shown = super::text::shown_measures(scheduled, sessions);
        text.push_str(&super::text::render(&measures(document)?, &shown, list));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_item_is_found_and_removed() {
        let line = "httperf --client=3/8 --server=x --port=80";
        let (id, count, range) = client_item(line).unwrap_or((0, 0, 0..0));
        assert_eq!((id, count), (3, 8));
        assert_eq!(&line[range], " --client=3/8");
        assert!(client_item("httperf --server=x").is_none());
    }

    #[test]
    fn lifetimes_merge_min_max_sums_and_bins() {
        let a = Lifetimes {
            count: 2,
            sum_s: 0.003,
            sum_sq_s2: 0.000005,
            min_s: 0.001,
            max_s: 0.002,
            bins_1ms: vec![[1, 1], [2, 1]],
        };
        let b = Lifetimes {
            count: 1,
            sum_s: 0.0005,
            sum_sq_s2: 0.00000025,
            min_s: 0.0005,
            max_s: 0.0005,
            bins_1ms: vec![[0, 1]],
        };
        let empty = Lifetimes {
            count: 0,
            sum_s: 0.0,
            sum_sq_s2: 0.0,
            min_s: 0.0,
            max_s: 0.0,
            bins_1ms: vec![],
        };
        let merged = merge_lifetimes([&a, &empty, &b].into_iter());
        assert_eq!(merged.count, 3);
        assert_eq!((merged.min_s, merged.max_s), (0.0005, 0.002));
        assert_eq!(merged.bins_1ms, vec![[0, 1], [1, 1], [2, 1]]);
    }

    #[test]
    fn rate_samples_are_full_windows_since_the_common_start() {
        let seconds: Vec<Second> = (0..12)
            .map(|t| Second {
                t,
                replies: 10,
                ..Second::default()
            })
            .collect();
        assert_eq!(rate_samples(&seconds, 11.5), vec![10.0, 10.0]);
        assert_eq!(rate_samples(&seconds, 4.9), Vec::<f64>::new());
    }

    #[test]
    fn series_values_add_and_keep_the_larger_figure_without_histograms() {
        let mut a = serde_json::json!({"t": 3, "replies": 2, "reply_p99_ms": 1.5,
            "x": {"y": 1}, "status": [0, 2, 0, 0, 0], "target_rate": 50.0});
        let b = serde_json::json!({"t": 3, "replies": 5, "reply_p99_ms": 2.5,
            "x": {"y": 2}, "status": [0, 4, 1, 0, 0], "target_rate": 50.0});
        add_values(&mut a, &b);
        assert_eq!(
            a,
            serde_json::json!({"t": 3, "replies": 7, "reply_p99_ms": 2.5, "x": {"y": 3},
                "status": [0, 6, 1, 0, 0], "target_rate": 100.0})
        );
    }

    #[test]
    fn per_second_histograms_add_and_give_the_figures_again() {
        let histogram = |values_us: &[u64]| {
            let mut h = LatencyHistogram::with_digits(2);
            for &us in values_us {
                h.record_ns(us * 1000);
            }
            h
        };
        let second = |values_us: &[u64]| {
            let h = histogram(values_us);
            Second {
                replies: values_us.len() as u64,
                reply_p50_ms: Some(h.percentile_ms(50.0)),
                reply_p99_ms: Some(h.percentile_ms(99.0)),
                reply_histogram: Some(h.to_base64()),
                ..Second::default()
            }
        };
        let all = histogram(&[100, 200, 300, 1000, 1100, 5000]);
        let mut a = serde_json::to_value(second(&[100, 200, 300])).unwrap_or_default();
        let b = serde_json::to_value(second(&[1000, 1100, 5000])).unwrap_or_default();
        add_values(&mut a, &b);
        refresh_reply_figures(&mut a);
        let merged: Second = serde_json::from_value(a).unwrap_or_default();
        assert_eq!(merged.replies, 6);
        assert_eq!(merged.reply_p50_ms, Some(all.percentile_ms(50.0)));
        assert_eq!(merged.reply_p99_ms, Some(all.percentile_ms(99.0)));
        assert_eq!(merged.reply_max_ms, Some(all.max_ms()));
    }

    #[test]
    fn websocket_blocks_merge_from_their_histograms_or_not_at_all() {
        let block = |values_us: &[u64]| {
            let mut h = LatencyHistogram::default();
            for &v in values_us {
                h.record_ns(v * 1_000);
            }
            WebSocketSummary {
                handshakes: values_us.len() as u64,
                opening: handshake_times(&h),
                ..WebSocketSummary::default()
            }
        };
        let (a, b) = (block(&[1_000, 3_000]), block(&[2_000]));
        let merged = merge_websocket([Some(&a), Some(&b)].into_iter()).expect("merged");
        let mut all = LatencyHistogram::default();
        for v in [1_000, 3_000, 2_000] {
            all.record_ns(v * 1_000);
        }
        assert_eq!(merged.handshakes, 3);
        assert_eq!(merged.opening, handshake_times(&all));
        assert_eq!(merged.closing, HandshakeTimes::default());
        // A shard written without histograms cannot be merged exactly.
        let mut old = block(&[4_000]);
        old.opening.histogram = None;
        assert_eq!(merge_websocket([Some(&a), Some(&old)].into_iter()), None);
        // Nor can shards of which only some ran WebSocket conversations.
        assert_eq!(merge_websocket([Some(&a), None].into_iter()), None);
    }
}
