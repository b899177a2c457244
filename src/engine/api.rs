//! The engine's side of the workload API: the notices it delivers, the
//! connection ids they carry, and the `Workload` trait a generator implements.

use std::rc::Rc;

use crate::http::request::RequestBytes;
use crate::http::websocket::WebSocketCall;
use crate::stats::summary::{SessionSummary, WebSocketSummary};

/// A connection as the workload knows it. Stays unique after the connection
/// is gone, so late references are recognised and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId {
    pub(super) key: usize,
    pub(super) serial: u64,
}

impl ConnId {
    /// The key of a connection that failed before it was given a slot.
    pub(crate) const UNPLACED_KEY: usize = usize::MAX;

    /// An id made up by a test double of the engine.
    #[cfg(test)]
    pub(crate) fn fake(serial: u64) -> ConnId {
        ConnId {
            key: serial as usize,
            serial,
        }
    }
}

/// What a workload keeps per connection, found by its [`ConnId`] without
/// hashing: the engine's slot keys are small and reused, so a vector indexed
/// by them stays as long as the most connections open at once. A slot can be
/// taken by a new connection before the workload has heard that the old one
/// is gone; the old entry then waits aside (as does a connection that failed
/// before it got a slot) until the workload removes it.
#[derive(Debug)]
pub struct ConnMap<V> {
    slots: Vec<Option<(u64, V)>>,
    aside: Vec<(ConnId, V)>,
}

impl<V> Default for ConnMap<V> {
    fn default() -> Self {
        ConnMap {
            slots: Vec::new(),
            aside: Vec::new(),
        }
    }
}

impl<V> ConnMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `value` for `id`, replacing what was stored for `id` before.
    pub fn insert(&mut self, id: ConnId, value: V) {
        if !self.aside.is_empty() {
            self.aside.retain(|(kept, _)| *kept != id);
        }
        if id.key == ConnId::UNPLACED_KEY {
            self.aside.push((id, value));
            return;
        }
        if self.slots.len() <= id.key {
            self.slots.resize_with(id.key + 1, || None);
        }
        let slot = &mut self.slots[id.key];
        if let Some((serial, old)) = slot.take() {
            if serial != id.serial {
                let key = id.key;
                self.aside.push((ConnId { key, serial }, old));
            }
        }
        *slot = Some((id.serial, value));
    }

    pub fn get(&self, id: &ConnId) -> Option<&V> {
        match self.slots.get(id.key) {
            Some(Some((serial, value))) if *serial == id.serial => Some(value),
            _ => self
                .aside
                .iter()
                .find(|(kept, _)| kept == id)
                .map(|(_, value)| value),
        }
    }

    pub fn get_mut(&mut self, id: &ConnId) -> Option<&mut V> {
        match self.slots.get_mut(id.key) {
            Some(Some((serial, value))) if *serial == id.serial => Some(value),
            _ => self
                .aside
                .iter_mut()
                .find(|(kept, _)| kept == id)
                .map(|(_, value)| value),
        }
    }

    pub fn remove(&mut self, id: &ConnId) -> Option<V> {
        if let Some(slot) = self.slots.get_mut(id.key) {
            if slot
                .as_ref()
                .is_some_and(|(serial, _)| *serial == id.serial)
            {
                return slot.take().map(|(_, value)| value);
            }
        }
        let at = self.aside.iter().position(|(kept, _)| kept == id)?;
        Some(self.aside.swap_remove(at).1)
    }
}

/// Why a connection went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The workload closed it.
    Client,
    /// A socket error, or EOF outside a reply body (ECONNRESET).
    Failed { errno: i32 },
    /// httperf's watchdog (`--timeout`/`--think-timeout`) expired.
    TimedOut,
}

/// What the engine tells the workload, in event order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Connected(ConnId),
    /// A reply completed (any status). `cookie` is the value of its last
    /// `Set-Cookie: ` header when cookie capture is on.
    CallDone {
        conn: ConnId,
        tag: u64,
        status: u32,
        cookie: Option<Vec<u8>>,
        /// With page capture on: the `Location:` targets and the objects an
        /// HTML body embeds, as written in the reply.
        embedded: Vec<String>,
        /// The call's counters, earlier attempts included, for a retry.
        history: CallHistory,
    },
    /// The connection was closed or failed (httperf's CONN_CLOSE or
    /// CONN_FAILED/CONN_TIMEOUT); `unfinished` lists the calls that never
    /// completed, in the order they were issued.
    ConnClosed {
        conn: ConnId,
        reason: CloseReason,
        replies: u64,
        unfinished: Vec<UnfinishedCall>,
    },
    /// The connection object is gone (httperf's CONN_DESTROYED): after
    /// `ConnClosed`, and for the connection whose event is being handled only
    /// once that event's notices are delivered, as httperf's reference
    /// counting keeps it alive until then.
    ConnDestroyed(ConnId),
    /// A timer from `Engine::schedule` expired.
    Timer {
        id: u64,
    },
}

/// What a call sent again carries over from its earlier attempts: httperf
/// re-issues the same call object, whose counters are never reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallHistory {
    /// Request bytes written over the earlier attempts.
    pub bytes_written: u64,
    /// Reply header bytes of the earlier attempts (0.9.0 keeps adding to
    /// this counter; its body counters start again with each reply).
    pub reply_header_bytes: u64,
}

/// A call that was issued but did not complete before its connection closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnfinishedCall {
    pub tag: u64,
    /// Request bytes written for it so far, over every attempt.
    pub bytes_written: u64,
}

/// A workload generator: decides which connections to open and which calls to
/// issue, reacting to notices. It never touches a socket: everything it does
/// goes through [`Actions`], so it can be driven without one.
pub trait Workload {
    fn start(&mut self, engine: &mut dyn Actions);
    fn handle(&mut self, engine: &mut dyn Actions, notice: Notice);
    /// A reply-rate sample is being taken at `now_s`: the workload's own
    /// sample (httperf's session rate), if it keeps one.
    fn sample(&mut self, _now_s: f64) -> Option<f64> {
        None
    }
    /// The workload's own part of the report, asked for once the test is over
    /// (the session statistics, in session mode).
    fn session_summary(&self) -> Option<SessionSummary> {
        None
    }
    /// `--websocket`'s block of the report, asked for once the test is over.
    fn websocket_summary(&self) -> Option<WebSocketSummary> {
        None
    }
}

/// What a workload can ask of the engine: the whole surface it sees.
pub trait Actions {
    /// Seconds since the start of the test.
    fn now_s(&self) -> f64;
    /// `--verbose` count.
    fn verbose(&self) -> u32;
    /// Program basename for httperf's stderr messages.
    fn program(&self) -> &str;
    /// Writes a line (text or bytes) to the run's stdout.
    fn print_line(&mut self, line: &[u8]);
    /// httperf's exit routine: prints the burst line and stops the loop.
    fn end_test(&mut self);
    fn is_running(&self) -> bool;
    /// Ends the test if a stop signal has arrived or `--runtime` is over, and
    /// tells whether the test has ended.
    fn stop_if_requested(&mut self) -> bool;
    /// Number of connections currently open.
    fn open_connections(&self) -> usize;
    /// Arms timer `id` `delay_s` from now; a delay ≤ 0 fires at the next
    /// loop iteration.
    fn schedule(&mut self, delay_s: f64, id: u64);
    /// Arms timer `id` at `at_s` seconds since the start of the test.
    fn schedule_at(&mut self, at_s: f64, id: u64);
    /// Opens a connection to the next server. Failures are counted and
    /// reported as a `ConnClosed` notice, never returned.
    fn open_connection(&mut self) -> ConnId;
    /// Queues a call on `conn`; `None` if the connection is gone.
    fn issue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
    ) -> Option<u64>;
    /// `issue_call` for a call sent again, carrying its earlier attempts'
    /// counters.
    fn reissue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
        history: CallHistory,
    ) -> Option<u64>;
    /// Closes a connection on the client's initiative; unknown or already
    /// closed connections are ignored.
    fn close_connection(&mut self, conn: ConnId);
    /// `--websocket`: queues a call whose reply is parsed as `call` says.
    /// Its `CallDone` status is the parser's call outcome (a handshake's
    /// status, or an `http::websocket::outcome` code), and calls that wait
    /// for frames stay out of httperf's request and reply statistics. Test
    /// doubles without WebSocket support keep the default: no call.
    fn issue_websocket_call(
        &mut self,
        _conn: ConnId,
        _request: Rc<RequestBytes>,
        _call: WebSocketCall,
        _tag: u64,
    ) -> Option<u64> {
        None
    }
    /// Creates a scheduled arrival (connection or session) that was due at
    /// `scheduled_s` seconds since the start: its schedule lag is recorded,
    /// and the connections `create` opens carry it. Returns what `create`
    /// returns (false once no more arrivals are wanted).
    fn arrival(
        &mut self,
        scheduled_s: f64,
        create: &mut dyn FnMut(&mut dyn Actions) -> bool,
    ) -> bool;
    /// The arrival being created by `arrival`'s `create` must wait for room
    /// (`--max-connections`): its lag is not recorded now but when the
    /// workload creates it later, through `arrival` with the same due time.
    fn defer_arrival(&mut self);
    /// The schedule lag of the arrival being created, in nanoseconds.
    fn arrival_lag_ns(&self) -> u64;
    /// `open_connection` for a later connection of an arrival (a session's)
    /// that carries the arrival's schedule lag `arrival_lag_ns`.
    fn open_connection_with_lag(&mut self, arrival_lag_ns: u64) -> ConnId;
    /// Tags the next call issued in the request log (`--log-requests`);
    /// `label` is only called when the log is on.
    fn label_next_call(&mut self, label: &dyn Fn() -> String);
    /// A session ended after `age_s` seconds (for the results recorder).
    fn session_ended(&mut self, age_s: f64, failed: bool);
}

/// Where the engine reads the time: the monotonic clock in a run, a clock
/// the test moves by hand in tests.
pub trait Clock {
    /// Nanoseconds since an arbitrary fixed point.
    fn now_ns(&self) -> u64;
}

/// The system's monotonic clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct MonotonicClock;

impl Clock for MonotonicClock {
    fn now_ns(&self) -> u64 {
        crate::sys::monotonic_ns()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conn_map_keeps_an_entry_whose_slot_a_later_connection_took() {
        let mut map = ConnMap::new();
        let first = ConnId { key: 3, serial: 1 };
        let later = ConnId { key: 3, serial: 9 };
        map.insert(first, "first");
        assert_eq!(map.get(&later), None);
        assert_eq!(map.remove(&later), None);
        map.insert(later, "later");
        assert_eq!(map.get(&first), Some(&"first"), "kept aside");
        assert_eq!(map.get(&later), Some(&"later"));
        if let Some(value) = map.get_mut(&later) {
            *value = "changed";
        }
        map.insert(first, "first again");
        assert_eq!(map.remove(&first), Some("first again"));
        assert_eq!(map.remove(&first), None);
        assert_eq!(map.remove(&later), Some("changed"));
        assert_eq!(map.get(&later), None);
        assert!(map.aside.is_empty());
    }

    #[test]
    fn a_conn_map_keeps_connections_that_failed_before_they_had_a_slot() {
        let mut map = ConnMap::new();
        let failed = |serial| ConnId {
            key: ConnId::UNPLACED_KEY,
            serial,
        };
        map.insert(failed(1), 10);
        map.insert(failed(2), 20);
        map.insert(ConnId { key: 0, serial: 3 }, 30);
        assert_eq!(map.slots.len(), 1, "no slot is made for a failed one");
        assert_eq!(map.get(&failed(2)), Some(&20));
        assert_eq!(map.remove(&failed(1)), Some(10));
        assert_eq!(map.get(&failed(1)), None);
        assert_eq!(map.get_mut(&failed(2)).copied(), Some(20));
        assert_eq!(map.get(&ConnId { key: 0, serial: 3 }), Some(&30));
    }
}
