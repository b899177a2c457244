//! Request mode (no session option): `--num-conns` connections, created at
//! `--rate`/`--period` or one after another, each issuing `--num-calls` calls
//! in pipelined bursts of `--burst-length`.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use crate::engine::{Actions, ConnId, Notice, Workload};
use crate::http::request::RequestBytes;
use crate::workload::rate::Interarrival;
use crate::workload::rate::RateSchedule;
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
    conns: HashMap<ConnId, ConnProgress>,
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
            conns: HashMap::new(),
        }
    }

    /// Starts one more connection if any are left; false when all are
    /// created. `due_s` is the arrival's scheduled time, for one that may
    /// have to wait for `--max-connections` room.
    fn create_connection(&mut self, engine: &mut dyn Actions, due_s: Option<f64>) -> bool {
        if self.created >= self.spec.num_conns {
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
                return;
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
        self.create_connection(engine, None);
        if let Pacing::Rate {
            interarrival,
            client_id,
        } = &self.spec.pacing
        {
            let schedule = RateSchedule::start(interarrival.clone(), *client_id, engine.now_s());
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

#[cfg(test)]
mod tests;
