//! `--websocket` (docs/behaviour.md#websocket): each connection is one
//! WebSocket conversation — the opening handshake (a GET with a fresh random
//! `Sec-WebSocket-Key`, answered by `101` with the matching
//! `Sec-WebSocket-Accept`), `--ws-messages` masked messages each waiting for
//! its echo, the closing handshake (a masked Close frame answered by the
//! server's Close), then the TCP close. Connections are paced as in request
//! mode (`--num-conns`, `--rate`/`--period`, `--timeout`); `--max-connections`
//! is the high watermark of conversations in flight and
//! `--ws-low-watermark` the level they must fall to before more start.
//!
//! The workload counts what the HTTP report cannot see and times both
//! handshakes, for the block printed after the report.

use std::collections::VecDeque;
use std::rc::Rc;

use ring::rand::{SecureRandom, SystemRandom};

use crate::engine::{Actions, ConnId, ConnMap, Notice, Workload};
use crate::http::request::RequestBytes;
use crate::http::websocket::{self, outcome, WebSocketCall, OPCODE_BINARY};
use crate::results::histograms::{handshake_times, LatencyHistogram};
use crate::stats::summary::WebSocketSummary;
use crate::workload::rate::RateSchedule;
use crate::workload::request::Pacing;
use crate::workload::uri::UriSource;
use crate::workload::{next_call_uri, release_due_units, RequestFactory};

/// The timer id of the rate generator (the workload has no other timers).
const RATE_TIMER: u64 = 0;

/// `--websocket`'s parameters, already validated.
#[derive(Debug, Clone)]
pub struct WebSocketSpec {
    pub num_conns: u64,
    pub pacing: Pacing,
    /// `--max-connections`: conversations in flight at most (0 = no limit).
    pub high_watermark: u64,
    /// `--ws-low-watermark`: once `high_watermark` is reached, no
    /// conversation starts until at most this many are left. Below
    /// `high_watermark` when that is set.
    pub low_watermark: u64,
    /// `--ws-messages`: echo messages per conversation.
    pub messages: u64,
    /// `--ws-message-size`: payload bytes of each message.
    pub message_size: usize,
}

/// Where a conversation is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Connecting,
    /// The handshake was sent at this time (seconds since the start).
    Opening {
        sent_s: f64,
    },
    /// `done` echoes have come back; the next message is out.
    Echoing {
        done: u64,
    },
    Closing {
        sent_s: f64,
    },
    /// Nothing more to send or wait for; the connection is being closed.
    Over,
}

pub struct WebSocketWorkload {
    spec: WebSocketSpec,
    uris: UriSource,
    requests: RequestFactory,
    random: SystemRandom,
    /// The message every conversation sends (before masking).
    payload: Vec<u8>,
    schedule: Option<RateSchedule>,
    created: u64,
    destroyed: u64,
    /// The high watermark was reached: wait for the low one.
    draining: bool,
    /// Due times of arrivals waiting for room, oldest first.
    deferred: VecDeque<f64>,
    conns: ConnMap<Phase>,
    counts: WebSocketSummary,
    opening: LatencyHistogram,
    closing: LatencyHistogram,
}

impl WebSocketWorkload {
    pub fn new(spec: WebSocketSpec, uris: UriSource, requests: RequestFactory) -> Self {
        let payload = vec![b'x'; spec.message_size];
        WebSocketWorkload {
            spec,
            uris,
            requests,
            random: SystemRandom::new(),
            payload,
            schedule: None,
            created: 0,
            destroyed: 0,
            draining: false,
            deferred: VecDeque::new(),
            conns: ConnMap::new(),
            counts: WebSocketSummary::default(),
            opening: LatencyHistogram::default(),
            closing: LatencyHistogram::default(),
        }
    }

    /// Random bytes for keys and masks. The system generator failing is
    /// not expected; zeros then keep the test going (masks need not be
    /// secret here, and the accept check still pairs key and reply).
    fn random_bytes<const N: usize>(&self) -> [u8; N] {
        let mut bytes = [0; N];
        let _ = self.random.fill(&mut bytes);
        bytes
    }

    /// True while a new conversation may start (the watermarks).
    fn has_room(&mut self, engine: &dyn Actions) -> bool {
        let high = self.spec.high_watermark;
        if high == 0 {
            return true;
        }
        let open = engine.open_connections() as u64;
        if self.draining && open <= self.spec.low_watermark {
            self.draining = false;
        }
        if !self.draining && open >= high {
            self.draining = true;
        }
        !self.draining
    }

    /// Starts one more conversation if any are left; false when all are
    /// created. `due_s` is the arrival's scheduled time, for one that may
    /// have to wait for room.
    fn create_connection(&mut self, engine: &mut dyn Actions, due_s: Option<f64>) -> bool {
        if self.created >= self.spec.num_conns {
            return false;
        }
        if !self.has_room(engine) {
            if let Some(due_s) = due_s {
                self.deferred.push_back(due_s);
                engine.defer_arrival();
            }
            return true;
        }
        self.created += 1;
        let conn = engine.open_connection();
        self.conns.insert(conn, Phase::Connecting);
        true
    }

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

    fn send_handshake(&mut self, engine: &mut dyn Actions, conn: ConnId) {
        let Some(uri) = next_call_uri(&mut self.uris, engine) else {
            return;
        };
        if let Some(index) = self.uris.last_index() {
            engine.label_next_call(&|| index.to_string());
        }
        let key = websocket::new_key(&self.random_bytes());
        let expected_accept = websocket::accept_for_key(&key);
        let headers = websocket::handshake_headers(&key);
        let request = self.requests.build_custom(b"GET", &uri, &[headers], b"");
        let sent_s = engine.now_s();
        let call = WebSocketCall::Handshake { expected_accept };
        if engine
            .issue_websocket_call(conn, request, call, 0)
            .is_some()
        {
            self.counts.handshakes += 1;
            self.conns.insert(conn, Phase::Opening { sent_s });
        }
    }

    fn send_frame(&mut self, engine: &mut dyn Actions, conn: ConnId, close: bool) {
        let mask = self.random_bytes();
        let (frame, call) = if close {
            (websocket::close_frame(mask), WebSocketCall::Close)
        } else {
            let frame = websocket::client_frame(OPCODE_BINARY, &self.payload, mask);
            (frame, WebSocketCall::Echo)
        };
        let request = Rc::new(RequestBytes {
            head: frame,
            body: Vec::new(),
        });
        let sent_s = engine.now_s();
        if engine
            .issue_websocket_call(conn, request, call, 0)
            .is_none()
        {
            return;
        }
        if close {
            self.counts.closes_sent += 1;
            self.conns.insert(conn, Phase::Closing { sent_s });
        } else {
            self.counts.messages_sent += 1;
        }
    }

    /// After the handshake or an echo: the next message, or the close.
    fn send_next(&mut self, engine: &mut dyn Actions, conn: ConnId, done: u64) {
        if done < self.spec.messages {
            self.conns.insert(conn, Phase::Echoing { done });
            self.send_frame(engine, conn, false);
        } else {
            self.send_frame(engine, conn, true);
        }
    }

    fn end_conversation(&mut self, engine: &mut dyn Actions, conn: ConnId) {
        self.conns.insert(conn, Phase::Over);
        engine.close_connection(conn);
    }

    fn on_call_done(&mut self, engine: &mut dyn Actions, conn: ConnId, status: u32) {
        let Some(&phase) = self.conns.get(&conn) else {
            return;
        };
        let now_s = engine.now_s();
        match phase {
            Phase::Opening { sent_s } => match status {
                101 => {
                    self.counts.upgraded += 1;
                    self.opening.record_s(now_s - sent_s);
                    self.send_next(engine, conn, 0);
                }
                outcome::BAD_ACCEPT => {
                    self.counts.bad_accept += 1;
                    self.end_conversation(engine, conn);
                }
                _ => {
                    self.counts.handshake_failed += 1;
                    self.end_conversation(engine, conn);
                }
            },
            Phase::Echoing { done } if status == outcome::MESSAGE => {
                self.counts.messages_echoed += 1;
                self.send_next(engine, conn, done + 1);
            }
            Phase::Closing { sent_s } if status == outcome::CLOSE => {
                self.counts.closes_answered += 1;
                self.closing.record_s(now_s - sent_s);
                self.end_conversation(engine, conn);
            }
            // A protocol error, or the server's Close instead of an echo.
            Phase::Echoing { .. } | Phase::Closing { .. } => {
                self.counts.frame_errors += 1;
                self.end_conversation(engine, conn);
            }
            Phase::Connecting | Phase::Over => {}
        }
    }

    fn on_conn_destroyed(&mut self, engine: &mut dyn Actions, conn: ConnId) {
        self.conns.remove(&conn);
        self.destroyed += 1;
        if self.destroyed >= self.spec.num_conns {
            engine.end_test();
            return;
        }
        while self.has_room(engine) {
            if let Some(due_s) = self.deferred.pop_front() {
                engine.arrival(due_s, &mut |engine| {
                    self.create_connection(engine, Some(due_s))
                });
            } else {
                if self.spec.pacing == Pacing::Sequential {
                    self.create_connection(engine, None);
                }
                break;
            }
        }
    }
}

impl Workload for WebSocketWorkload {
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
            Notice::Connected(conn) => self.send_handshake(engine, conn),
            Notice::CallDone { conn, status, .. } => self.on_call_done(engine, conn, status),
            Notice::ConnDestroyed(conn) => self.on_conn_destroyed(engine, conn),
            Notice::ConnClosed { .. } => {}
            Notice::Timer { id: RATE_TIMER } => self.on_rate_timer(engine),
            Notice::Timer { .. } => {}
        }
    }

    fn websocket_summary(&self) -> Option<WebSocketSummary> {
        Some(WebSocketSummary {
            opening: handshake_times(&self.opening),
            closing: handshake_times(&self.closing),
            ..self.counts.clone()
        })
    }
}
