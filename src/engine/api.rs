//! The engine's side of the workload API: the notices it delivers, the
//! connection ids they carry, and the `Workload` trait a generator implements.

use super::Engine;

/// A connection as the workload knows it. Stays unique after the connection
/// is gone, so late references are recognised and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId {
    pub(super) key: usize,
    pub(super) serial: u64,
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
/// issue, reacting to notices. It never touches a socket.
pub trait Workload {
    fn start(&mut self, engine: &mut Engine);
    fn handle(&mut self, engine: &mut Engine, notice: Notice);
    /// A reply-rate sample is being taken at `now_s`: the workload's own
    /// sample (httperf's session rate), if it keeps one.
    fn sample(&mut self, _now_s: f64) -> Option<f64> {
        None
    }
}
