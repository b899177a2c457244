//! httperf's session engine, shared by `--wsess` and `--wsesslog`: sessions
//! created at `--rate`/`--period` (or one after another), each owning up to
//! `--max-connections` connection slots with up to `--max-piped-calls`
//! pipelined calls per slot, running bursts separated by think times, with
//! session cookies, `--failure-status`, `--retry-on-failure`, reconnects and
//! session failure as httperf has them. Session statistics are kept here.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use crate::engine::{
    Actions, CallHistory, CloseReason, ConnId, ConnMap, Notice, UnfinishedCall, Workload,
};
use crate::http::cookie;
use crate::http::page::MAX_EMBEDDED_PER_PAGE;
use crate::http::request::{is_head_request, RequestBytes};
use crate::stats::session::{EndedSession, SessionStats};
use crate::stats::summary::SessionSummary;
use crate::workload::rate::{seeded_pcg, RandomPurpose, RateSchedule, ThinkJitter};
use crate::workload::request::Pacing;
use crate::workload::schedule::StageTally;
use crate::workload::session_log::SessionLog;
use crate::workload::uri::UriSource;
use crate::workload::{next_call_uri, release_due_units, RequestFactory};

mod script;
mod slots;

pub use script::SessionScript;
use script::{PendingCalls, SessionCall};
use slots::Slot;

const RATE_TIMER: u64 = 0;
/// httperf retries a call answered with `--failure-status`, or reconnects a
/// slot whose connection failed, without end; httperf-rs gives up (the
/// session fails) after this many attempts in a row.
pub const MAX_RETRIES: u32 = 16;

/// The session engine's parameters, validated.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    pub sessions: u64,
    pub script: SessionScript,
    /// How sessions are started (`--rate`/`--period`, `--schedule`, or one
    /// after another).
    pub pacing: Pacing,
    /// `--think-jitter`, drawn from a PCG per session seeded from `seed`
    /// (`--seed`), `client_id` and the session's serial number.
    pub think_jitter: Option<ThinkJitter>,
    pub seed: u64,
    pub client_id: u32,
    pub max_conns: usize,
    pub max_piped: usize,
    /// HTTP/1.0: httperf closes a slot's connection after each reply.
    pub close_after_reply: bool,
    pub failure_status: Option<u32>,
    pub retry_on_failure: bool,
}

#[derive(Debug)]
struct Session {
    birth_s: f64,
    /// Schedule lag of the session's arrival, carried by all its connections.
    arrival_lag_ns: u64,
    definition: usize,
    cookie: Option<Vec<u8>>,
    slots: Vec<Slot>,
    connections: u64,
    /// Replies completed (any status, retried calls included).
    completed_calls: u64,
    burst: usize,
    /// Calls of the current burst not issued yet (waiting for the first
    /// call of the burst, or for slot capacity).
    pending: PendingCalls,
    /// Calls of the current burst issued and not done.
    in_flight: usize,
    /// The burst's first call is issued alone; the rest wait for it.
    awaiting_first: bool,
    think_time_s: f64,
    think_timer: Option<u64>,
    /// `--think-jitter`'s generator for this session.
    jitter_rng: Option<rand_pcg::Pcg32>,
    /// `--wsesspage`: embedded fetches queued in the current burst.
    embedded_in_burst: usize,
}

#[derive(Debug)]
struct IssuedCall {
    session: u64,
    slot: usize,
    uri: Vec<u8>,
    request: Rc<RequestBytes>,
    is_head: bool,
    retries: u32,
    /// `--wsesslog`: the request log's tag, `session.burst.request` of the file.
    log_entry: Option<String>,
}

pub struct SessionWorkload {
    spec: SessionSpec,
    uris: UriSource,
    requests: RequestFactory,
    schedule: Option<RateSchedule>,
    sessions: HashMap<u64, Session>,
    calls: HashMap<u64, IssuedCall>,
    conns: ConnMap<(u64, usize)>,
    created: u64,
    destroyed: u64,
    next_tag: u64,
    stats: SessionStats,
    /// A cookie was refused for a CR, LF or NUL byte (warned about once).
    refused_cookie_warned: bool,
    stage_tally: Option<StageTally>,
}

impl SessionWorkload {
    pub fn new(spec: SessionSpec, uris: UriSource, requests: RequestFactory) -> SessionWorkload {
        SessionWorkload {
            spec,
            uris,
            requests,
            schedule: None,
            sessions: HashMap::new(),
            calls: HashMap::new(),
            conns: ConnMap::new(),
            created: 0,
            destroyed: 0,
            next_tag: 0,
            stats: SessionStats::new(0.0),
            refused_cookie_warned: false,
            stage_tally: None,
        }
    }

    /// With `--schedule`: one line per stage with its target and achieved
    /// session rate, for `-v`.
    pub fn schedule_report(&self) -> Option<String> {
        self.stage_tally
            .as_ref()
            .map(|tally| tally.report("sess/s"))
    }

    /// The `--schedule` is over: no session will be created any more, and
    /// the test ends once the running ones are done.
    fn stop_creating(&mut self, engine: &mut dyn Actions) {
        self.spec.sessions = self.created;
        if self.destroyed >= self.created {
            engine.end_test();
        }
    }

    // ----- sessions -----

    fn create_session(&mut self, engine: &mut dyn Actions) -> bool {
        if self.created >= self.spec.sessions {
            return false;
        }
        let serial = self.created;
        self.created += 1;
        if let Some(tally) = &mut self.stage_tally {
            tally.record(engine.now_s());
        }
        let jitter_rng = self.spec.think_jitter.map(|_| {
            seeded_pcg(
                self.spec.seed,
                self.spec.client_id,
                RandomPurpose::ThinkJitter,
                serial,
            )
        });
        let (definition, total_calls) = match &self.spec.script {
            SessionScript::Calls { calls, .. } => (0, *calls),
            SessionScript::Log(definitions) => {
                let index = (serial % definitions.session_count().max(1) as u64) as usize;
                (index, definitions.request_count(index) as u64)
            }
            SessionScript::Pages { user_requests, .. } => (0, *user_requests),
        };
        let session = Session {
            birth_s: engine.now_s(),
            arrival_lag_ns: engine.arrival_lag_ns(),
            definition,
            cookie: None,
            slots: (0..self.spec.max_conns).map(|_| Slot::default()).collect(),
            connections: 0,
            completed_calls: 0,
            burst: 0,
            pending: PendingCalls::default(),
            in_flight: 0,
            awaiting_first: false,
            think_time_s: 0.0,
            think_timer: None,
            jitter_rng,
            embedded_in_burst: 0,
        };
        self.sessions.insert(serial, session);
        if total_calls == 0 {
            self.end_session(engine, serial, false);
        } else {
            self.start_burst(engine, serial);
        }
        true
    }

    fn start_burst(&mut self, engine: &mut dyn Actions, serial: u64) {
        let Some((calls, think_time_s)) = self.burst_calls(engine, serial) else {
            return;
        };
        if let Some(session) = self.sessions.get_mut(&serial) {
            session.pending = calls;
            session.think_time_s = think_time_s;
            session.embedded_in_burst = 0;
            session.awaiting_first = true;
        }
        self.issue_pending(engine, serial);
    }

    fn on_call_done(
        &mut self,
        engine: &mut dyn Actions,
        tag: u64,
        status: u32,
        set_cookie: Option<Vec<u8>>,
        embedded: Vec<String>,
        history: CallHistory,
    ) {
        let Some(issued) = self.calls.remove(&tag) else {
            return;
        };
        let serial = issued.session;
        let Some(session) = self.sessions.get_mut(&serial) else {
            return;
        };
        session.completed_calls += 1;
        if let Some(value) = set_cookie {
            let (value, cut) = cookie::truncate_cookie(value);
            if cut {
                eprintln!(
                    "{}.sess_cookie: truncating cookie to {} bytes",
                    engine.program(),
                    cookie::MAX_COOKIE_BYTES
                );
            }
            if cookie::fits_in_a_header(&value) {
                session.cookie = Some(value);
            } else if !self.refused_cookie_warned {
                self.refused_cookie_warned = true;
                eprintln!("{}{}", engine.program(), cookie::REFUSED_COOKIE_WARNING);
            }
        }
        let slot = &mut session.slots[issued.slot];
        slot.outstanding.retain(|&t| t != tag);
        slot.failures_in_row = 0;
        // HTTP/1.0: httperf closes the slot's connection after each reply.
        if self.spec.close_after_reply && slot.outstanding.is_empty() {
            if let Some(conn) = slot.conn.take() {
                self.conns.remove(&conn);
                engine.close_connection(conn);
            }
        }
        if self.spec.failure_status == Some(status) {
            if self.spec.retry_on_failure && issued.retries < MAX_RETRIES {
                self.retry(engine, issued, history);
            } else {
                self.end_session(engine, serial, true);
            }
        } else {
            if !embedded.is_empty() {
                let page_uri = issued.uri.clone();
                self.queue_embedded(engine, serial, &page_uri, embedded);
            }
            self.call_finished(engine, serial);
        }
    }

    fn call_finished(&mut self, engine: &mut dyn Actions, serial: u64) {
        let Some(session) = self.sessions.get_mut(&serial) else {
            return;
        };
        session.in_flight = session.in_flight.saturating_sub(1);
        session.awaiting_first = false;
        if session.pending.is_empty() && session.in_flight == 0 {
            let last_burst = self
                .sessions
                .get(&serial)
                .is_some_and(|session| self.is_last_burst(session));
            if last_burst {
                self.end_session(engine, serial, false);
                return;
            }
            let Some(session) = self.sessions.get_mut(&serial) else {
                return;
            };
            // Burst over: think, then the next burst. A zero think time still
            // waits one loop pass, like httperf's one timer tick.
            let timer = serial + 1;
            session.think_timer = Some(timer);
            let think_s = match (self.spec.think_jitter, &mut session.jitter_rng) {
                (Some(jitter), Some(rng)) => jitter.apply(session.think_time_s, rng),
                _ => session.think_time_s,
            };
            engine.schedule(think_s, timer);
        } else {
            self.issue_pending(engine, serial);
        }
    }

    fn on_think_timer(&mut self, engine: &mut dyn Actions, timer: u64) {
        let serial = timer - 1;
        let Some(session) = self.sessions.get_mut(&serial) else {
            return;
        };
        if session.think_timer != Some(timer) {
            return;
        }
        session.think_timer = None;
        session.burst += 1;
        self.start_burst(engine, serial);
    }

    fn on_connected(&mut self, conn: ConnId) {
        if let Some((serial, _)) = self.conns.get(&conn) {
            if let Some(session) = self.sessions.get_mut(serial) {
                session.connections += 1;
            }
        }
    }

    fn on_conn_closed(
        &mut self,
        engine: &mut dyn Actions,
        conn: ConnId,
        reason: CloseReason,
        replies: u64,
        unfinished: &[UnfinishedCall],
    ) {
        let Some((serial, slot)) = self.conns.remove(&conn) else {
            return;
        };
        let Some(session) = self.sessions.get_mut(&serial) else {
            return;
        };
        session.slots[slot].conn = None;
        let failed = matches!(reason, CloseReason::Failed { .. });
        let may_reconnect = failed
            && (replies > 0 || self.spec.retry_on_failure)
            && session.slots[slot].failures_in_row < MAX_RETRIES;
        match reason {
            CloseReason::Client => {}
            _ if may_reconnect => {
                session.slots[slot].failures_in_row += 1;
                let tags: Vec<u64> = session.slots[slot].outstanding.drain(..).collect();
                for tag in tags {
                    let Some(issued) = self.calls.remove(&tag) else {
                        continue;
                    };
                    let written = unfinished
                        .iter()
                        .find(|call| call.tag == tag)
                        .map_or(0, |call| call.bytes_written);
                    let history = CallHistory {
                        bytes_written: written,
                        reply_header_bytes: 0,
                    };
                    self.send_on_slot(engine, issued, history);
                }
            }
            _ => self.end_session(engine, serial, true),
        }
    }

    /// SESS_DESTROYED: closes the session's connections (not counted as
    /// errors), drops its calls, records it and starts the next one if due.
    fn end_session(&mut self, engine: &mut dyn Actions, serial: u64, failed: bool) {
        let Some(session) = self.sessions.remove(&serial) else {
            return;
        };
        for slot in &session.slots {
            for tag in &slot.outstanding {
                self.calls.remove(tag);
            }
            if let Some(conn) = slot.conn {
                self.conns.remove(&conn);
                engine.close_connection(conn);
            }
        }
        engine.session_ended(engine.now_s() - session.birth_s, failed);
        self.stats.session_destroyed(&EndedSession {
            failed,
            age_s: engine.now_s() - session.birth_s,
            connections: session.connections,
            completed_calls: session.completed_calls,
        });
        self.destroyed += 1;
        if self.destroyed >= self.spec.sessions {
            engine.end_test();
        } else if self.spec.pacing == Pacing::Sequential {
            self.create_session(engine);
        }
    }
}

impl Workload for SessionWorkload {
    fn start(&mut self, engine: &mut dyn Actions) {
        self.stats = SessionStats::new(engine.now_s());
        self.stage_tally = self.spec.pacing.stage_tally(engine.now_s());
        if self.spec.pacing.creates_first_at_start() {
            self.create_session(engine);
        }
        if let Some(schedule) = self.spec.pacing.start(engine.now_s()) {
            if self.created < self.spec.sessions && engine.is_running() {
                engine.schedule_at(schedule.next_due_s(), RATE_TIMER);
                self.schedule = Some(schedule);
            }
        }
    }

    fn handle(&mut self, engine: &mut dyn Actions, notice: Notice) {
        match notice {
            Notice::Connected(conn) => self.on_connected(conn),
            Notice::CallDone {
                tag,
                status,
                cookie,
                embedded,
                history,
                ..
            } => self.on_call_done(engine, tag, status, cookie, embedded, history),
            Notice::ConnClosed {
                conn,
                reason,
                replies,
                unfinished,
            } => self.on_conn_closed(engine, conn, reason, replies, &unfinished),
            Notice::Timer { id: RATE_TIMER } => {
                if let Some(schedule) = self.schedule.take() {
                    self.schedule =
                        release_due_units(schedule, engine, RATE_TIMER, |engine, _due_s| {
                            self.create_session(engine) && self.created < self.spec.sessions
                        });
                    let schedule_over =
                        self.schedule.is_none() && self.created < self.spec.sessions;
                    if schedule_over && matches!(self.spec.pacing, Pacing::Scheduled(_)) {
                        self.stop_creating(engine);
                    }
                }
            }
            Notice::Timer { id } => self.on_think_timer(engine, id),
            Notice::ConnDestroyed(_) => {}
        }
    }

    fn session_summary(&self) -> Option<SessionSummary> {
        Some(self.stats.summary())
    }

    fn sample(&mut self, now_s: f64) -> Option<f64> {
        Some(self.stats.take_sample(now_s))
    }
}

#[cfg(test)]
mod tests;
