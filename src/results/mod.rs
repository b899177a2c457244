//! Results beyond httperf's report, all opt-in: HDR percentiles
//! (`--percentiles`), schedule lag and the self-check, the whole result as
//! JSON (`--json`), the per-call phout log (`--log-requests`) and the live
//! progress line. The engine feeds a [`Recorder`] a handful of events it
//! already has (connected, request sent, reply started and done, failure,
//! connection destroyed, arrival lag, session ended); everything else lives
//! here. Without these options no `Recorder` exists and nothing changes.

pub mod check;
pub mod histograms;
pub mod json;
pub mod merge;
pub mod output;
pub mod phout;
pub mod progress;
pub mod series;
pub mod text;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::SystemTime;

use crate::stats::basic::FailureKind;
use histograms::LatencyHistogram;
use phout::PhoutLog;
use progress::Progress;
use series::{RateSegment, TimeSeries};

/// Where `--json` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonTarget {
    /// `--json -`: stdout, instead of the text report.
    Stdout,
    File(PathBuf),
}

/// The results options of the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultsOptions {
    /// `--percentiles[=LIST]`: print the percentile block with these.
    pub percentiles: Option<Vec<f64>>,
    pub json: Option<JsonTarget>,
    /// `--log-requests FILE`.
    pub log_requests: Option<PathBuf>,
    /// `--self-check`: print the check's verdict and fail the exit status.
    pub self_check: bool,
    /// `--progress`: the status line even when stderr is not a terminal.
    pub progress: bool,
}

impl ResultsOptions {
    /// True when any results option was given.
    pub fn any(&self) -> bool {
        self.percentiles.is_some()
            || self.json.is_some()
            || self.log_requests.is_some()
            || self.self_check
            || self.progress
    }

    /// The percentiles to compute: the user's list or the default one.
    pub fn percentile_list(&self) -> Vec<f64> {
        self.percentiles
            .clone()
            .unwrap_or_else(|| histograms::DEFAULT_PERCENTILES.to_vec())
    }
}

/// The measures kept as histograms, in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    /// Connecting → connected (TLS handshake included), every connect.
    Connect,
    /// Request send start → reply status line.
    Response,
    /// Status line → reply complete.
    Transfer,
    /// Request send start → reply complete (response + transfer).
    Reply,
    /// Reply time from the intended send start: reply time plus the
    /// schedule lag of the connection's or session's arrival.
    IntendedReply,
    /// Lifetime of connections that delivered a reply.
    ConnectionLifetime,
    /// How late each scheduled arrival (connection or session) started.
    ScheduleLag,
    /// Lifetime of completed sessions.
    SessionLifetime,
}

impl Measure {
    pub const ALL: [Measure; 8] = [
        Measure::Connect,
        Measure::Response,
        Measure::Transfer,
        Measure::Reply,
        Measure::IntendedReply,
        Measure::ConnectionLifetime,
        Measure::ScheduleLag,
        Measure::SessionLifetime,
    ];

    /// The key in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Connect => "connect",
            Measure::Response => "response",
            Measure::Transfer => "transfer",
            Measure::Reply => "reply",
            Measure::IntendedReply => "reply_from_intended_start",
            Measure::ConnectionLifetime => "connection_lifetime",
            Measure::ScheduleLag => "schedule_lag",
            Measure::SessionLifetime => "session_lifetime",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One histogram per [`Measure`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measures {
    histograms: [LatencyHistogram; 8],
}

impl Measures {
    pub fn get(&self, measure: Measure) -> &LatencyHistogram {
        &self.histograms[measure.index()]
    }

    pub fn get_mut(&mut self, measure: Measure) -> &mut LatencyHistogram {
        &mut self.histograms[measure.index()]
    }
}

/// What the engine keeps per connection for the recorder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnTiming {
    /// Connecting → connected, once connected.
    pub connect_ns: u64,
    /// Schedule lag of the arrival that opened the connection.
    pub arrival_lag_ns: u64,
    /// The connect time has been given to a call's log line.
    pub connect_logged: bool,
}

/// What the engine keeps per call for the recorder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallTiming {
    /// When the request was completely written (0 until then).
    pub sent_ns: u64,
    /// The log line's tag (`--log-requests`).
    pub label: Option<Rc<str>>,
}

/// What the recorder reads of one of the engine's calls.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    /// When sending started (0 if it did not).
    pub send_start_ns: u64,
    /// When the status line arrived (0 if it did not).
    pub recv_start_ns: u64,
    /// Request bytes written, over every attempt.
    pub bytes_out: u64,
    pub timing: &'a CallTiming,
}

/// What the recorder reads (and marks) of one of the engine's connections.
#[derive(Debug)]
pub struct ConnFacts<'a> {
    pub connect_start_ns: u64,
    pub timing: &'a mut ConnTiming,
}

/// Why a connection went away, as the recorder tells it apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCause {
    /// Closed on the client's initiative.
    Client,
    /// Failed with this errno.
    Failed { errno: i32 },
    /// httperf's own timeout.
    TimedOut,
}

/// One call as the log and the histograms see it, absolute monotonic ns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallRecord {
    /// Connect start for the first call of a connection, else send start.
    pub start_ns: u64,
    /// Connect time charged to this call (first call of a connection only).
    pub connect_ns: u64,
    pub send_start_ns: u64,
    /// 0 when the request was not completely written.
    pub sent_ns: u64,
    /// 0 when no status line arrived.
    pub first_byte_ns: u64,
    pub end_ns: u64,
    pub arrival_lag_ns: u64,
    pub bytes_out: u64,
    pub bytes_in: u64,
    /// 0 when no reply completed.
    pub status: u32,
    pub errno: i32,
    pub label: Option<Rc<str>>,
}

/// The report's name for httperf's own timeout (`Errors: client-timo`).
const CLIENT_TIMEOUT_COUNTER: &str = "client-timo";

/// Settings the recorder needs besides the options.
#[derive(Debug, Clone, Default)]
pub struct RecorderSetup {
    pub options: ResultsOptions,
    /// Arrivals follow a schedule (`--rate`/`--period` above 0).
    pub scheduled: bool,
    /// That schedule, for the time series' target rate (empty without one).
    pub schedule: Vec<RateSegment>,
    /// A session workload runs.
    pub sessions: bool,
    /// Expected test length for the progress line (0 = unknown).
    pub expected_s: f64,
    /// Show the progress line.
    pub progress: bool,
    /// Name to prefix stderr messages with.
    pub program: String,
}

/// Collects everything the results options need while the test runs.
pub struct Recorder {
    setup: RecorderSetup,
    measures: Measures,
    status_counts: BTreeMap<u32, u64>,
    errno_counts: BTreeMap<i32, u64>,
    series: TimeSeries,
    phout: Option<PhoutLog>,
    progress: Option<Progress>,
    start_ns: u64,
    stop_ns: u64,
    start_wall: SystemTime,
    log_error: Option<String>,
    max_connect_burst: u64,
}

impl Recorder {
    /// `phout` is the already opened `--log-requests` file.
    pub fn new(setup: RecorderSetup, phout: Option<PhoutLog>) -> Recorder {
        let progress = setup.progress.then(|| Progress::new(setup.expected_s));
        let series = TimeSeries::with_schedule(setup.schedule.clone());
        Recorder {
            setup,
            measures: Measures::default(),
            status_counts: BTreeMap::new(),
            errno_counts: BTreeMap::new(),
            series,
            phout,
            progress,
            start_ns: 0,
            stop_ns: 0,
            start_wall: SystemTime::now(),
            log_error: None,
            max_connect_burst: 0,
        }
    }

    pub fn setup(&self) -> &RecorderSetup {
        &self.setup
    }

    pub fn measures(&self) -> &Measures {
        &self.measures
    }

    pub fn status_counts(&self) -> &BTreeMap<u32, u64> {
        &self.status_counts
    }

    pub fn errno_counts(&self) -> &BTreeMap<i32, u64> {
        &self.errno_counts
    }

    pub fn series(&self) -> &TimeSeries {
        &self.series
    }

    pub fn start_wall(&self) -> SystemTime {
        self.start_wall
    }

    /// `--log-requests` is on (calls get tags).
    pub fn logs_calls(&self) -> bool {
        self.phout.is_some()
    }

    /// Progress updates are wanted (the engine arms a 1-second timer).
    pub fn wants_ticks(&self) -> bool {
        self.progress.is_some()
    }

    // ----- events, monotonic nanoseconds -----

    /// The test starts at `start_ns`.
    pub fn begin(&mut self, start_ns: u64) {
        self.start_ns = start_ns;
        self.start_wall = SystemTime::now();
        if let Some(log) = &mut self.phout {
            log.set_epoch(start_ns, self.start_wall);
        }
    }

    /// A connection reached the connecting stage ("Total: connections").
    pub fn conn_issued(&mut self, now_ns: u64) {
        self.series.at(self.start_ns, now_ns).connections += 1;
    }

    pub fn connected(&mut self, connect_ns: u64) {
        self.measures
            .get_mut(Measure::Connect)
            .record_ns(connect_ns);
    }

    pub fn request_sent(&mut self, now_ns: u64, bytes: u64) {
        let mut second = self.series.at(self.start_ns, now_ns);
        second.requests += 1;
        second.bytes_sent += bytes;
    }

    /// The status line arrived `response_ns` after the send started.
    pub fn reply_started(&mut self, response_ns: u64) {
        self.measures
            .get_mut(Measure::Response)
            .record_ns(response_ns);
    }

    /// A reply completed (any status) with `bytes_in` reply bytes.
    pub fn reply_done(
        &mut self,
        now_ns: u64,
        conn: ConnFacts<'_>,
        call: CallFacts<'_>,
        status: u32,
        bytes_in: u64,
    ) {
        let record = call_record(now_ns, conn, call, status, bytes_in, 0);
        let transfer_ns = now_ns.saturating_sub(call.recv_start_ns);
        let reply_ns = now_ns.saturating_sub(call.send_start_ns);
        self.measures
            .get_mut(Measure::Transfer)
            .record_ns(transfer_ns);
        self.measures.get_mut(Measure::Reply).record_ns(reply_ns);
        self.measures
            .get_mut(Measure::IntendedReply)
            .record_ns(reply_ns.saturating_add(record.arrival_lag_ns));
        *self.status_counts.entry(status).or_insert(0) += 1;
        let mut second = self.series.at(self.start_ns, now_ns);
        second.replies += 1;
        second.count_status(status);
        second.bytes_received += bytes_in;
        second.record_reply_ns(reply_ns);
        self.log(&record);
    }

    /// A connection went away: its unfinished calls get their log lines,
    /// with the errno of a failure (ETIMEDOUT for httperf's own timeout,
    /// ECANCELED when the client closed it); a failure is counted by errno.
    /// `calls` are the connection's unfinished calls, in the order the
    /// engine queued them (waiting for a reply, then waiting to be sent).
    pub fn conn_closed(
        &mut self,
        now_ns: u64,
        conn: ConnFacts<'_>,
        calls: &[CallFacts<'_>],
        reason: CloseCause,
    ) {
        let errno = match reason {
            CloseCause::Failed { errno } => {
                *self.errno_counts.entry(errno).or_insert(0) += 1;
                self.series
                    .at(self.start_ns, now_ns)
                    .count_error(FailureKind::from_errno(errno).counter_name());
                errno
            }
            CloseCause::TimedOut => libc::ETIMEDOUT,
            CloseCause::Client => libc::ECANCELED,
        };
        if self.phout.is_none() {
            return;
        }
        if calls.is_empty() && reason != CloseCause::Client {
            // A failed attempt that carried no call still gets its line.
            let record = CallRecord {
                start_ns: conn.connect_start_ns,
                connect_ns: conn.timing.connect_ns,
                send_start_ns: now_ns,
                end_ns: now_ns,
                arrival_lag_ns: conn.timing.arrival_lag_ns,
                errno,
                ..CallRecord::default()
            };
            self.log(&record);
            return;
        }
        for &call in calls {
            // Bytes of a partial reply are not known to the parser's
            // counters until it completes; an unfinished call logs 0.
            let record = call_record_parts(
                now_ns,
                conn.timing,
                conn.connect_start_ns,
                call,
                0,
                0,
                errno,
            );
            self.log(&record);
        }
    }

    /// A connection failed before it had a slot (socket, bind or connect
    /// refused at once).
    pub fn conn_failed_unplaced(&mut self, now_ns: u64, errno: i32) {
        *self.errno_counts.entry(errno).or_insert(0) += 1;
        self.series
            .at(self.start_ns, now_ns)
            .count_error(FailureKind::from_errno(errno).counter_name());
        let record = CallRecord {
            start_ns: now_ns,
            send_start_ns: now_ns,
            end_ns: now_ns,
            arrival_lag_ns: 0,
            errno,
            ..CallRecord::default()
        };
        self.log(&record);
    }

    /// httperf's own timeout closed a connection (client-timo).
    pub fn conn_timed_out(&mut self, now_ns: u64) {
        self.series
            .at(self.start_ns, now_ns)
            .count_error(CLIENT_TIMEOUT_COUNTER);
    }

    /// CONN_DESTROYED; only connections that delivered a reply have a lifetime.
    pub fn conn_destroyed(&mut self, delivered_reply: bool, lifetime_s: f64) {
        if delivered_reply {
            self.measures
                .get_mut(Measure::ConnectionLifetime)
                .record_s(lifetime_s);
        }
    }

    /// A scheduled arrival started `lag_ns` after its time.
    pub fn arrival(&mut self, lag_ns: u64) {
        self.measures
            .get_mut(Measure::ScheduleLag)
            .record_ns(lag_ns);
    }

    /// A session ended; completed sessions have a lifetime.
    pub fn session_ended(&mut self, age_s: f64, failed: bool) {
        if !failed {
            self.measures
                .get_mut(Measure::SessionLifetime)
                .record_s(age_s);
        }
    }

    /// About once a second while the test runs: the progress line.
    pub fn tick(&mut self, now_ns: u64) {
        if let Some(progress) = &mut self.progress {
            let elapsed_s = now_ns.saturating_sub(self.start_ns) as f64 / 1e9;
            progress.update(elapsed_s, &self.series);
        }
    }

    /// The test is over: erases the progress line and flushes the log.
    pub fn end(&mut self, stop_ns: u64) {
        if let Some(progress) = &mut self.progress {
            progress.erase();
        }
        self.series.close(self.start_ns, stop_ns);
        self.stop_ns = stop_ns;
        if let Some(log) = &mut self.phout {
            self.log_error = log.finish();
        }
    }

    /// The test ended; `max_connect_burst` is the burst line's figure.
    pub fn test_ended(&mut self, max_connect_burst: u64) {
        self.max_connect_burst = max_connect_burst;
    }

    pub fn max_connect_burst(&self) -> u64 {
        self.max_connect_burst
    }

    /// Why the request log could not be written completely, if it could not.
    pub fn log_error(&self) -> Option<&str> {
        self.log_error.as_deref()
    }

    fn log(&mut self, call: &CallRecord) {
        if let Some(log) = &mut self.phout {
            log.write(call);
        }
    }
}

/// The log's view of a call on `conn` that ends at `now_ns`.
fn call_record(
    now_ns: u64,
    conn: ConnFacts<'_>,
    call: CallFacts<'_>,
    status: u32,
    bytes_in: u64,
    errno: i32,
) -> CallRecord {
    call_record_parts(
        now_ns,
        conn.timing,
        conn.connect_start_ns,
        call,
        status,
        bytes_in,
        errno,
    )
}

/// The first call of a connection to end carries its connect time and
/// starts with the connect; later ones start with their send.
fn call_record_parts(
    now_ns: u64,
    timing: &mut ConnTiming,
    connect_start_ns: u64,
    call: CallFacts<'_>,
    status: u32,
    bytes_in: u64,
    errno: i32,
) -> CallRecord {
    let first = !timing.connect_logged;
    timing.connect_logged = true;
    let send_start_ns = if call.send_start_ns > 0 {
        call.send_start_ns
    } else {
        now_ns
    };
    CallRecord {
        start_ns: if first {
            connect_start_ns
        } else {
            send_start_ns
        },
        connect_ns: if first { timing.connect_ns } else { 0 },
        send_start_ns,
        sent_ns: call.timing.sent_ns,
        first_byte_ns: call.recv_start_ns,
        end_ns: now_ns,
        arrival_lag_ns: timing.arrival_lag_ns,
        bytes_out: call.bytes_out,
        bytes_in,
        status,
        errno,
        label: call.timing.label.clone(),
    }
}
