//! Request mode (no session option): `--num-conns` connections, created at
//! `--rate`/`--period`, on a `--schedule`, or one after another, each issuing
//! `--num-calls` calls in pipelined bursts of `--burst-length`, with the URIs
//! of `--uri`/`--wset`/`--wlog` or the requests of an `--ammo` file.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::engine::{Actions, ConnId, ConnMap, Notice, Workload};
use crate::http::request::RequestBytes;
use crate::workload::ammo::AmmoFile;
use crate::workload::rate::Interarrival;
use crate::workload::rate::{RateSchedule, ScheduledRate};
use crate::workload::schedule::StageTally;
use crate::workload::uri::UriSource;
use crate::workload::{next_call_uri, release_due_units, RequestFactory};

/// The timer id of the rate generator (request mode has no other timers).
const RATE_TIMER: u64 = 0;

/// How connections are paced.
#[derive(Debug, Clone, PartialEq)]
pub enum Pacing {
    /// Rate 0: the next connection starts when the previous one is destroyed.
    Sequential,
    /// Connections start on this schedule of inter-arrival times.
    Rate {
        interarrival: Interarrival,
        client_id: u32,
    },
    /// `--schedule`: connections (or sessions) start as its profile says,
    /// the first one too.
    Scheduled(ScheduledRate),
}

impl Pacing {
    /// True when the caller creates the first unit at the start, before
    /// the schedule's first draw (as httperf); a `--schedule` places its
    /// first unit itself.
    pub(crate) fn creates_first_at_start(&self) -> bool {
        !matches!(self, Pacing::Scheduled(_))
    }

    /// The schedule of a paced run started at `t0_s`.
    pub(crate) fn start(&self, t0_s: f64) -> Option<RateSchedule> {
        match self {
            Pacing::Sequential => None,
            Pacing::Rate {
                interarrival,
                client_id,
            } => Some(RateSchedule::start(interarrival.clone(), *client_id, t0_s)),
            Pacing::Scheduled(rate) => Some(RateSchedule::follow(rate, t0_s)),
        }
    }

    /// The per-stage tally of a `--schedule` run started at `t0_s`.
    pub(crate) fn stage_tally(&self, t0_s: f64) -> Option<StageTally> {
        match self {
            Pacing::Scheduled(rate) => Some(StageTally::new(rate.profile.clone(), t0_s)),
            _ => None,
        }
    }
}

/// Request mode's parameters, already validated (all counts ≥ 1).
#[derive(Debug, Clone)]
pub struct RequestModeSpec {
    pub num_conns: u64,
    pub num_calls: u64,
    pub burst_length: u64,
    pub pacing: Pacing,
    /// \[master\] `--max-connections` in request mode: cap on open connections
    /// (0 = none).
    pub max_open_conns: u64,
}

/// Where request mode's requests come from besides the URI source.
#[derive(Debug, Default)]
pub enum Requests {
    /// `--uri`, `--wset` or `--wlog`, built by the request factory.
    #[default]
    FromUris,
    /// `--ammo`: the file's requests, in order.
    Ammo(Box<AmmoFile>),
}

/// Progress of one connection through its calls.
#[derive(Debug, Default)]
struct ConnProgress {
    issued: u64,
    burst_size: u64,
    burst_done: u64,
}

pub struct RequestMode {
    spec: RequestModeSpec,
    uris: UriSource,
    requests: RequestFactory,
    schedule: Option<RateSchedule>,
    created: u64,
    destroyed: u64,
    /// Due times (seconds since the start) of the connections the rate
    /// asked for while `max_open_conns` were open, oldest first: their
    /// schedule lag runs until they are created.
    deferred: VecDeque<f64>,
    conns: ConnMap<ConnProgress>,
    ammo: Option<Box<AmmoFile>>,
    stage_tally: Option<StageTally>,
}

impl RequestMode {
    pub fn new(spec: RequestModeSpec, uris: UriSource, requests: RequestFactory) -> RequestMode {
        RequestMode {
            spec,
            uris,
            requests,
            schedule: None,
            created: 0,
            destroyed: 0,
            deferred: VecDeque::new(),
            conns: ConnMap::new(),
            ammo: None,
            stage_tally: None,
        }
    }

    /// Takes the requests from `requests` instead of the URI source.
    pub fn with_requests(mut self, requests: Requests) -> RequestMode {
        self.ammo = match requests {
            Requests::FromUris => None,
            Requests::Ammo(file) => Some(file),
        };
        self
    }

    /// With `--schedule`: one line per stage with its target and achieved
    /// connection rate, for `-v`.
    pub fn schedule_report(&self) -> Option<String> {
        self.stage_tally
            .as_ref()
            .map(|tally| tally.report("conn/s"))
    }

    /// No connection will be created any more (the `--ammo` file or the
    /// `--schedule` is over): the test ends once the open ones are gone.
    fn stop_creating(&mut self, engine: &mut dyn Actions) {
        self.spec.num_conns = self.created + self.deferred.len() as u64;
        if self.deferred.is_empty() && self.destroyed >= self.created {
            engine.end_test();
        }
    }

    /// True when the `--ammo` file has no request left for another
    /// connection: the ones created already take `--num-calls` each (so
    /// connections slow to connect do not let more start than there are
    /// requests), or it was abandoned after a read error.
    fn ammo_used_up(&self) -> bool {
        self.ammo.as_ref().is_some_and(|ammo| {
            let reserved = u128::from(self.created) * u128::from(self.spec.num_calls);
            ammo.is_exhausted() || (!ammo.is_looping() && reserved >= u128::from(ammo.requests()))
        })
    }

    /// Starts one more connection if any are left; false when all are
    /// created. `due_s` is the arrival's scheduled time, for one that may
    /// have to wait for `--max-connections` room.
    fn create_connection(&mut self, engine: &mut dyn Actions, due_s: Option<f64>) -> bool {
        if self.created >= self.spec.num_conns {
            return false;
        }
        if self.ammo_used_up() {
            self.deferred.clear();
            self.stop_creating(engine);
            return false;
        }
        let cap = self.spec.max_open_conns;
        if cap > 0 && engine.open_connections() as u64 >= cap {
            if let Some(due_s) = due_s {
                self.deferred.push_back(due_s);
                engine.defer_arrival();
            }
            return true;
        }
        self.created += 1;
        if let Some(tally) = &mut self.stage_tally {
            tally.record(engine.now_s());
        }
        let conn = engine.open_connection();
        self.conns.insert(conn, ConnProgress::default());
        true
    }

    /// True while the rate generator still owes connections (created or
    /// waiting for `--max-connections` room).
    fn more_to_create(&self) -> bool {
        self.created + (self.deferred.len() as u64) < self.spec.num_conns
    }

    fn on_rate_timer(&mut self, engine: &mut dyn Actions) {
        if let Some(schedule) = self.schedule.take() {
            self.schedule = release_due_units(schedule, engine, RATE_TIMER, |engine, due_s| {
                self.create_connection(engine, Some(due_s)) && self.more_to_create()
            });
            let schedule_over = self.schedule.is_none() && self.more_to_create();
            if schedule_over && matches!(self.spec.pacing, Pacing::Scheduled(_)) {
                self.stop_creating(engine);
            }
        }
    }

    fn issue_burst(&mut self, engine: &mut dyn Actions, conn: ConnId) {
        let Some(progress) = self.conns.get(&conn) else {
            return;
        };
        let remaining = self.spec.num_calls - progress.issued;
        let burst = self.spec.burst_length.min(remaining);
        let mut issued = 0;
        for _ in 0..burst {
            let Some((request, is_head)) = self.next_request(engine) else {
                if issued == 0 && engine.is_running() {
                    // The ammo ran out: nothing for this connection to do.
                    engine.close_connection(conn);
                }
                if issued == 0 {
                    return;
                }
                break;
            };
            engine.issue_call(conn, request, is_head, 0);
            issued += 1;
        }
        if let Some(progress) = self.conns.get_mut(&conn) {
            progress.issued += issued;
            progress.burst_size = issued;
            progress.burst_done = 0;
        }
    }

    fn next_request(&mut self, engine: &mut dyn Actions) -> Option<(Rc<RequestBytes>, bool)> {
        if let Some(ammo) = &mut self.ammo {
            let entry = match ammo.next_entry() {
                Ok(entry) => entry?,
                Err(error) => {
                    // The file changed since it was checked at start-up.
                    eprintln!("{}: --ammo: {error}", engine.program());
                    ammo.abandon();
                    return None;
                }
            };
            if !entry.tag.is_empty() {
                engine.label_next_call(&|| log_tag(&entry.tag));
            }
            return Some(self.requests.request_for_ammo(&entry));
        }
        if let Some(uri) = self.uris.fixed() {
            return Some(self.requests.request_for(uri));
        }
        let uri = next_call_uri(&mut self.uris, engine)?;
        if let Some(index) = self.uris.last_index() {
            // The request log's tag: the URI generator's index.
            engine.label_next_call(&|| index.to_string());
        }
        Some(self.requests.request_for(&uri))
    }

    fn on_call_done(&mut self, engine: &mut dyn Actions, conn: ConnId) {
        let Some(progress) = self.conns.get_mut(&conn) else {
            return;
        };
        progress.burst_done += 1;
        if progress.burst_done < progress.burst_size {
            return;
        }
        if progress.issued < self.spec.num_calls {
            self.issue_burst(engine, conn);
        } else {
            engine.close_connection(conn);
        }
    }

    fn on_conn_destroyed(&mut self, engine: &mut dyn Actions, conn: ConnId) {
        self.conns.remove(&conn);
        self.destroyed += 1;
        if self.ammo_used_up() {
            self.spec.num_conns = self.created;
            self.deferred.clear();
        }
        if self.destroyed >= self.spec.num_conns {
            engine.end_test();
            return;
        }
        if let Some(due_s) = self.deferred.pop_front() {
            engine.arrival(due_s, &mut |engine| {
                self.create_connection(engine, Some(due_s))
            });
        } else if self.spec.pacing == Pacing::Sequential {
            self.create_connection(engine, None);
        }
    }
}

impl Workload for RequestMode {
    fn start(&mut self, engine: &mut dyn Actions) {
        self.stage_tally = self.spec.pacing.stage_tally(engine.now_s());
        if self.spec.pacing.creates_first_at_start() {
            self.create_connection(engine, None);
        }
        if let Some(schedule) = self.spec.pacing.start(engine.now_s()) {
            if self.more_to_create() {
                engine.schedule_at(schedule.next_due_s(), RATE_TIMER);
                self.schedule = Some(schedule);
            }
        }
    }

    fn handle(&mut self, engine: &mut dyn Actions, notice: Notice) {
        match notice {
            Notice::Connected(conn) => self.issue_burst(engine, conn),
            Notice::CallDone { conn, .. } => self.on_call_done(engine, conn),
            Notice::ConnDestroyed(conn) => self.on_conn_destroyed(engine, conn),
            Notice::ConnClosed { .. } => {}
            Notice::Timer { id: RATE_TIMER } => self.on_rate_timer(engine),
            Notice::Timer { .. } => {}
        }
    }
}

/// An ammo tag as the request log's tag column shows it: text, with the
/// bytes that would break its tab-separated line replaced.
fn log_tag(tag: &[u8]) -> String {
    String::from_utf8_lossy(tag)
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests;
