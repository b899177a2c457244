//! One connection's state: its socket, its queues of calls waiting to be sent
//! and waiting for replies, and the watchdog deadline httperf derives from
//! them. The I/O itself is driven by the engine.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::http::request::RequestBytes;
use crate::http::response::ReplyParser;
use crate::stats::print::ReplyPrintState;

use super::transport::Transport;

/// One request/reply exchange.
#[derive(Debug)]
pub struct Call {
    /// Global call serial number (httperf's call id, used by `--print-*`).
    pub id: u64,
    /// The workload's own label for this call.
    pub tag: u64,
    pub request: Rc<RequestBytes>,
    /// Bytes of `request` written so far in the current attempt.
    pub written: usize,
    /// Bytes written over every attempt (httperf never resets this counter).
    pub bytes_written_total: u64,
    /// Reply header bytes of earlier attempts, which httperf keeps adding to.
    pub prior_header_bytes: u64,
    pub send_start_ns: u64,
    pub recv_start_ns: u64,
    /// When the reply completed while the request was still being sent: the
    /// call completes once the request is out (or its connection ends).
    pub reply_done_ns: Option<u64>,
    /// Watchdog deadline for this call, absolute ns; `None` = wait forever.
    pub deadline_ns: Option<u64>,
    pub parser: ReplyParser,
    /// `--print-request`: this attempt's request has been printed.
    pub request_printed: bool,
    /// `--print-reply` state, present only when replies are printed.
    pub reply_print: Option<Box<ReplyPrintState>>,
    /// The reply's last `Set-Cookie: ` value (`--session-cookies`).
    pub cookie: Option<Vec<u8>>,
    /// What the reply links to (`--wsesspage`).
    pub page: Option<Box<crate::engine::PageCapture>>,
    /// What `--percentiles`, `--json` and `--log-requests` need to know.
    pub timing: crate::results::CallTiming,
}

impl Call {
    /// What the results recorder reads of the call.
    pub fn results_facts(&self) -> crate::results::CallFacts<'_> {
        crate::results::CallFacts {
            send_start_ns: self.send_start_ns,
            recv_start_ns: self.recv_start_ns,
            bytes_out: self.bytes_written_total,
            timing: &self.timing,
        }
    }

    pub fn request_len(&self) -> usize {
        self.request.head.len() + self.request.body.len()
    }
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    /// TCP is up and the TLS handshake is under way: not yet "connected" for
    /// httperf (CONN_CONNECTED comes when the handshake is done).
    Handshaking,
    Connected,
}

/// A connection owned by the engine's slab.
#[derive(Debug)]
pub struct Conn {
    /// Unique over the run (slab keys are reused).
    pub serial: u64,
    pub transport: Transport,
    pub state: ConnState,
    pub connect_start_ns: u64,
    pub send_queue: VecDeque<Call>,
    pub recv_queue: VecDeque<Call>,
    /// Replies completed on this connection (any status).
    pub replies: u64,
    /// The peer closed while no reply was expected; noticed at the next read.
    pub peer_closed: bool,
    /// The watchdog deadline currently armed in the timer queue.
    pub watchdog_ns: Option<u64>,
    pub hog_port: Option<u16>,
    /// What the last read brought beyond the calls that wanted it: the start
    /// of the next call's reply. At most one read's worth, because reading
    /// stops while no call is waiting.
    pub unclaimed: Vec<u8>,
    /// Reading stopped with input waiting (and whether the peer had closed):
    /// the socket's edge has fired, so the next call resumes it.
    pub deferred_read: Option<bool>,
    /// What `--percentiles`, `--json` and `--log-requests` need to know.
    pub timing: crate::results::ConnTiming,
}

impl Conn {
    /// httperf's watchdog rule: while connecting (TLS handshake included), the
    /// connect deadline; then the earliest deadline of the first call to send
    /// and the first call to answer.
    pub fn deadline_ns(&self, connect_deadline_ns: Option<u64>) -> Option<u64> {
        if self.state != ConnState::Connected {
            return connect_deadline_ns;
        }
        let send = self.send_queue.front().and_then(|call| call.deadline_ns);
        let recv = self.recv_queue.front().and_then(|call| call.deadline_ns);
        match (send, recv) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// True while some call is there to take received bytes.
    pub fn wants_input(&self) -> bool {
        !self.recv_queue.is_empty() || !self.send_queue.is_empty()
    }

    /// Every call that was issued but did not complete, in issue order.
    pub fn unfinished_calls(&self) -> Vec<crate::engine::UnfinishedCall> {
        self.recv_queue
            .iter()
            .chain(self.send_queue.iter())
            .map(|call| crate::engine::UnfinishedCall {
                tag: call.tag,
                bytes_written: call.bytes_written_total,
            })
            .collect()
    }
}
