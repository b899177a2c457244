//! A test double of the engine for workload tests: it records every action a
//! workload takes, reads time from a field the test sets, and opens no socket.

use std::rc::Rc;

use crate::engine::{Actions, CallHistory, CloseReason, ConnId, Notice, UnfinishedCall};
use crate::http::request::RequestBytes;

/// One thing a workload asked of the engine. Connections are named by the
/// order they were opened in (0, 1, …).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Open(usize),
    /// A call: its connection, tag, request line, whole request head, and the
    /// counters carried over from earlier attempts.
    Issue {
        conn: usize,
        tag: u64,
        line: String,
        head: String,
        history: CallHistory,
    },
    Close(usize),
    Schedule {
        delay_s: f64,
        id: u64,
    },
    ScheduleAt {
        at_s: f64,
        id: u64,
    },
    Print(String),
    EndTest,
}

pub struct FakeEngine {
    pub now_s: f64,
    pub verbose: u32,
    pub running: bool,
    pub actions: Vec<Action>,
    /// The results hooks, kept apart from `actions`: the due time of each
    /// arrival, the request-log tag given to each call that had one, and
    /// `(age_s, failed)` of each ended session.
    pub arrivals: Vec<f64>,
    /// The schedule lag recorded for each of `arrivals`.
    pub arrival_lags_ns: Vec<u64>,
    pub call_labels: Vec<String>,
    pub sessions_ended: Vec<(f64, bool)>,
    /// The schedule lag of each connection opened (0 outside an arrival).
    pub conn_lags_ns: Vec<u64>,
    arrival_lag_ns: u64,
    arrival_deferred: bool,
    /// Every connection opened, in order.
    opened: Vec<ConnId>,
    /// Connections open now (not closed by the workload or `fail`).
    live: Vec<ConnId>,
    next_call: u64,
}

impl FakeEngine {
    pub fn new() -> FakeEngine {
        FakeEngine {
            now_s: 0.0,
            verbose: 0,
            running: true,
            actions: Vec::new(),
            arrivals: Vec::new(),
            arrival_lags_ns: Vec::new(),
            call_labels: Vec::new(),
            sessions_ended: Vec::new(),
            conn_lags_ns: Vec::new(),
            arrival_lag_ns: 0,
            arrival_deferred: false,
            opened: Vec::new(),
            live: Vec::new(),
            next_call: 0,
        }
    }

    /// The actions taken since the last call, which are forgotten.
    pub fn take(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }

    /// Connection `index` in opening order.
    pub fn conn(&self, index: usize) -> ConnId {
        self.opened[index]
    }

    fn index_of(&self, conn: ConnId) -> usize {
        self.opened
            .iter()
            .position(|&c| c == conn)
            .unwrap_or(usize::MAX)
    }

    /// The notices of connection `index` failing with `reason`, as the
    /// engine delivers them.
    pub fn fail(
        &mut self,
        index: usize,
        reason: CloseReason,
        replies: u64,
        unfinished: Vec<UnfinishedCall>,
    ) -> Vec<Notice> {
        let conn = self.opened[index];
        self.live.retain(|&c| c != conn);
        vec![
            Notice::ConnClosed {
                conn,
                reason,
                replies,
                unfinished,
            },
            Notice::ConnDestroyed(conn),
        ]
    }
}

impl Actions for FakeEngine {
    fn now_s(&self) -> f64 {
        self.now_s
    }
    fn verbose(&self) -> u32 {
        self.verbose
    }
    fn program(&self) -> &str {
        "httperf"
    }
    fn print_line(&mut self, line: &[u8]) {
        self.actions
            .push(Action::Print(String::from_utf8_lossy(line).into_owned()));
    }
    fn end_test(&mut self) {
        if self.running {
            self.running = false;
            self.actions.push(Action::EndTest);
        }
    }
    fn is_running(&self) -> bool {
        self.running
    }
    fn stop_if_requested(&mut self) -> bool {
        !self.running
    }
    fn open_connections(&self) -> usize {
        self.live.len()
    }
    fn schedule(&mut self, delay_s: f64, id: u64) {
        self.actions.push(Action::Schedule { delay_s, id });
    }
    fn schedule_at(&mut self, at_s: f64, id: u64) {
        self.actions.push(Action::ScheduleAt { at_s, id });
    }
    fn open_connection(&mut self) -> ConnId {
        let conn = ConnId::fake(self.opened.len() as u64);
        self.opened.push(conn);
        self.live.push(conn);
        self.actions.push(Action::Open(self.opened.len() - 1));
        self.conn_lags_ns.push(self.arrival_lag_ns);
        conn
    }
    fn issue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
    ) -> Option<u64> {
        self.reissue_call(conn, request, is_head, tag, CallHistory::default())
    }
    fn reissue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        _is_head: bool,
        tag: u64,
        history: CallHistory,
    ) -> Option<u64> {
        if !self.live.contains(&conn) {
            return None;
        }
        let head = String::from_utf8_lossy(&request.head).into_owned();
        let line = head.split("\r\n").next().unwrap_or("").to_string();
        self.actions.push(Action::Issue {
            conn: self.index_of(conn),
            tag,
            line,
            head,
            history,
        });
        self.next_call += 1;
        Some(self.next_call - 1)
    }
    fn close_connection(&mut self, conn: ConnId) {
        if self.live.contains(&conn) {
            self.live.retain(|&c| c != conn);
            self.actions.push(Action::Close(self.index_of(conn)));
        }
    }
    /// The fake's lag is how late `now_s` is past the due time.
    fn arrival(
        &mut self,
        scheduled_s: f64,
        create: &mut dyn FnMut(&mut dyn Actions) -> bool,
    ) -> bool {
        let lag_ns = ((self.now_s - scheduled_s).max(0.0) * 1e9) as u64;
        let outer = std::mem::replace(&mut self.arrival_lag_ns, lag_ns);
        self.arrival_deferred = false;
        let wanted = create(self);
        self.arrival_lag_ns = outer;
        if !std::mem::take(&mut self.arrival_deferred) {
            self.arrivals.push(scheduled_s);
            self.arrival_lags_ns.push(lag_ns);
        }
        wanted
    }
    fn defer_arrival(&mut self) {
        self.arrival_deferred = true;
    }
    fn arrival_lag_ns(&self) -> u64 {
        self.arrival_lag_ns
    }
    fn open_connection_with_lag(&mut self, arrival_lag_ns: u64) -> ConnId {
        let outer = std::mem::replace(&mut self.arrival_lag_ns, arrival_lag_ns);
        let conn = self.open_connection();
        self.arrival_lag_ns = outer;
        conn
    }
    fn label_next_call(&mut self, label: &dyn Fn() -> String) {
        self.call_labels.push(label());
    }
    fn session_ended(&mut self, age_s: f64, failed: bool) {
        self.sessions_ended.push((age_s, failed));
    }
}

/// A completed reply.
pub fn done(conn: ConnId, tag: u64, status: u32) -> Notice {
    Notice::CallDone {
        conn,
        tag,
        status,
        cookie: None,
        embedded: Vec::new(),
        history: CallHistory::default(),
    }
}

/// The tags of the calls among `actions`, in order.
pub fn tags(actions: &[Action]) -> Vec<u64> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Issue { tag, .. } => Some(*tag),
            _ => None,
        })
        .collect()
}

/// `(connection, request line)` of the calls among `actions`.
pub fn calls(actions: &[Action]) -> Vec<(usize, String)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Issue { conn, line, .. } => Some((*conn, line.clone())),
            _ => None,
        })
        .collect()
}
