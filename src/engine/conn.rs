//! One connection's state: its socket, its calls (those waiting for replies,
//! then those waiting to be sent, in one queue), and the watchdog deadline
//! httperf derives from them. The I/O itself is driven by the engine.

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

    /// A call with an empty request and nothing done yet, for tests.
    #[cfg(test)]
    pub(super) fn empty(id: u64) -> Call {
        Call {
            id,
            tag: 0,
            request: Rc::new(RequestBytes::default()),
            written: 0,
            bytes_written_total: 0,
            prior_header_bytes: 0,
            send_start_ns: 0,
            recv_start_ns: 0,
            reply_done_ns: None,
            deadline_ns: None,
            parser: ReplyParser::new(false),
            request_printed: false,
            reply_print: None,
            cookie: None,
            page: None,
            timing: crate::results::CallTiming::default(),
        }
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
    pub calls: CallQueue,
    /// Replies completed on this connection (any status).
    pub replies: u64,
    /// The peer closed while no reply was expected; noticed at the next read.
    pub peer_closed: bool,
    /// The watchdog deadline in force.
    pub watchdog_ns: Option<u64>,
    /// The connection's live entry in the timer queue: at or before
    /// `watchdog_ns` (its due time queues the next one when the deadline
    /// moved later); entries at other times are stale.
    pub watchdog_armed_ns: Option<u64>,
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
        let send = self.calls.sending_front().and_then(|call| call.deadline_ns);
        let recv = self
            .calls
            .awaiting_front()
            .and_then(|call| call.deadline_ns);
        match (send, recv) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Tells the request log and results the connection is gone, with the
    /// calls it leaves unfinished.
    pub fn record_closed(
        &mut self,
        results: &mut crate::results::Recorder,
        now_ns: u64,
        cause: crate::results::CloseCause,
    ) {
        let calls: Vec<_> = self.calls.iter().map(Call::results_facts).collect();
        let facts = crate::results::ConnFacts {
            connect_start_ns: self.connect_start_ns,
            timing: &mut self.timing,
        };
        results.conn_closed(now_ns, facts, &calls, cause);
    }

    /// True while some call is there to take received bytes.
    pub fn wants_input(&self) -> bool {
        !self.calls.is_empty()
    }

    /// Every call that was issued but did not complete, in issue order.
    pub fn unfinished_calls(&self) -> Vec<crate::engine::UnfinishedCall> {
        if self.calls.is_empty() {
            // The usual case: no iterator machinery for an empty list.
            return Vec::new();
        }
        self.calls
            .iter()
            .map(|call| crate::engine::UnfinishedCall {
                tag: call.tag,
                bytes_written: call.bytes_written_total,
            })
            .collect()
    }
}

/// A connection's calls in issue order: first those whose request is out,
/// waiting for their replies (httperf's receive queue), then those still to
/// be sent (its send queue). One queue, so that a call whose request goes out
/// stays where it is; its first call is held in place, so that a connection
/// with one call at a time never allocates for its calls.
#[derive(Debug, Default)]
pub struct CallQueue {
    /// The first call; `None` only when the queue is empty.
    first: Option<Call>,
    /// The calls after the first.
    rest: VecDeque<Call>,
    /// How many calls at the front have their request out.
    sent: usize,
}

impl CallQueue {
    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    fn get(&self, index: usize) -> Option<&Call> {
        match index {
            0 => self.first.as_ref(),
            _ => self.rest.get(index - 1),
        }
    }

    fn get_mut(&mut self, index: usize) -> Option<&mut Call> {
        match index {
            0 => self.first.as_mut(),
            _ => self.rest.get_mut(index - 1),
        }
    }

    fn pop_front(&mut self) -> Option<Call> {
        let call = self.first.take();
        self.first = self.rest.pop_front();
        call
    }

    /// Queues a call to be sent after the others.
    pub fn push(&mut self, call: Call) {
        if self.first.is_none() {
            self.first = Some(call);
        } else {
            self.rest.push_back(call);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// The first call waiting for its reply.
    pub fn awaiting_front(&self) -> Option<&Call> {
        self.first.as_ref().filter(|_| self.sent > 0)
    }

    pub fn awaiting_front_mut(&mut self) -> Option<&mut Call> {
        self.first.as_mut().filter(|_| self.sent > 0)
    }

    pub fn has_awaiting(&self) -> bool {
        self.sent > 0
    }

    /// The call being sent (or next to be).
    pub fn sending_front(&self) -> Option<&Call> {
        self.get(self.sent)
    }

    pub fn sending_front_mut(&mut self) -> Option<&mut Call> {
        self.get_mut(self.sent)
    }

    pub fn has_sending(&self) -> bool {
        self.len() > self.sent
    }

    /// How many calls are still to be sent.
    pub fn sending_len(&self) -> usize {
        self.len() - self.sent
    }

    /// The call that received bytes belong to: the first one waiting for its
    /// reply or, with none waiting, the one being sent.
    pub fn front_mut(&mut self) -> Option<&mut Call> {
        self.first.as_mut()
    }

    /// The call being sent has its request out: it now waits for its reply,
    /// behind the calls that were already waiting.
    pub fn mark_front_sent(&mut self) -> Option<&mut Call> {
        let index = self.sent;
        if index < self.len() {
            self.sent += 1;
        }
        self.get_mut(index)
    }

    /// Drops the first call waiting for its reply where it lies: calls
    /// are completed in place, not moved out first.
    pub fn drop_awaiting_front(&mut self) {
        if self.sent > 0 {
            self.sent -= 1;
            // Dropped where it lies; the next call, if any, moves up.
            self.first = None;
            if !self.rest.is_empty() {
                self.first = self.rest.pop_front();
            }
        }
    }

    /// Removes the call being sent.
    pub fn pop_sending_front(&mut self) -> Option<Call> {
        match self.sent {
            0 => self.pop_front(),
            index => self.rest.remove(index - 1),
        }
    }

    /// Every call, in issue order.
    pub fn iter(&self) -> impl Iterator<Item = &Call> {
        self.first.iter().chain(self.rest.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids<'a>(calls: impl Iterator<Item = &'a Call>) -> Vec<u64> {
        calls.map(|call| call.id).collect()
    }

    /// The id of the first call waiting for its reply, which is dropped.
    fn pop_awaiting(queue: &mut CallQueue) -> Option<u64> {
        let id = queue.awaiting_front()?.id;
        queue.drop_awaiting_front();
        Some(id)
    }

    #[test]
    fn calls_wait_for_replies_in_the_order_their_requests_went_out() {
        let mut queue = CallQueue::default();
        for id in 1..=3 {
            queue.push(Call::empty(id));
        }
        assert!(!queue.has_awaiting());
        assert_eq!(queue.sending_front().map(|c| c.id), Some(1));
        assert_eq!(queue.mark_front_sent().map(|c| c.id), Some(1));
        assert_eq!(queue.mark_front_sent().map(|c| c.id), Some(2));
        assert_eq!(queue.awaiting_front().map(|c| c.id), Some(1));
        assert_eq!(queue.sending_front().map(|c| c.id), Some(3));
        assert_eq!(queue.sending_len(), 1);
        assert_eq!(ids(queue.iter()), [1, 2, 3]);
        assert_eq!(queue.pop_sending_front().map(|c| c.id), Some(3));
        assert!(!queue.has_sending());
        assert_eq!(pop_awaiting(&mut queue), Some(1));
        assert_eq!(pop_awaiting(&mut queue), Some(2));
        assert_eq!(pop_awaiting(&mut queue), None);
        assert!(queue.is_empty());
    }

    #[test]
    fn with_nothing_awaiting_received_bytes_go_to_the_call_being_sent() {
        let mut queue = CallQueue::default();
        assert!(queue.front_mut().is_none());
        queue.push(Call::empty(7));
        assert!(queue.awaiting_front().is_none());
        assert_eq!(queue.front_mut().map(|c| c.id), Some(7));
    }

    #[test]
    fn one_call_at_a_time_allocates_nothing() {
        let mut queue = CallQueue::default();
        for id in 1..=3 {
            queue.push(Call::empty(id));
            assert_eq!(queue.mark_front_sent().map(|c| c.id), Some(id));
            assert_eq!(pop_awaiting(&mut queue), Some(id));
            assert!(queue.is_empty());
        }
        assert_eq!(queue.rest.capacity(), 0);
    }

    #[test]
    fn a_call_being_sent_behind_awaiting_ones_can_be_removed() {
        let mut queue = CallQueue::default();
        for id in 1..=4 {
            queue.push(Call::empty(id));
        }
        queue.mark_front_sent();
        queue.mark_front_sent();
        assert_eq!(queue.pop_sending_front().map(|c| c.id), Some(3));
        assert_eq!(ids(queue.iter()), [1, 2, 4]);
        assert_eq!(queue.sending_front().map(|c| c.id), Some(4));
        queue.mark_front_sent();
        assert_eq!(queue.mark_front_sent().map(|c| c.id), None);
        assert_eq!(queue.sending_len(), 0);
        let answered: Vec<u64> = std::iter::from_fn(|| pop_awaiting(&mut queue)).collect();
        assert_eq!(answered, [1, 2, 4]);
    }
}
