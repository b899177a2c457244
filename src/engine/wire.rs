//! The socket side of a connection's life, as methods of `Engine`: turning
//! readiness into connect completion, TLS handshake progress, request writes
//! and reply reads, and feeding received bytes to the calls waiting for them.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};

use super::conn::{Call, CallQueue, Conn, ConnState};
use super::sink::{ParseSink, ReplyPrinter};
use super::timers::Timer;
use super::{CallHistory, ConnFacts, ConnId, Engine, EngineConfig, Notice, NS_PER_S};
use crate::http::response::EofOutcome;
use crate::results::Recorder;
use crate::stats::basic::BasicStats;
use crate::stats::basic::CompletedReply;
use crate::stats::print;

/// What an event said about a socket, copied out of mio's event.
#[derive(Debug, Clone, Copy)]
pub(super) struct Readiness {
    readable: bool,
    writable: bool,
    /// The peer closed its side, or the socket is in error: reading must go
    /// on until EOF or the error shows.
    read_closed: bool,
    /// The socket has an error pending (EPOLLERR).
    error: bool,
}

impl Readiness {
    /// Reads an epoll event's bits as mio does.
    pub(super) fn of(bits: u32) -> Readiness {
        let has = |flag: libc::c_int| bits & flag as u32 != 0;
        let error = has(libc::EPOLLERR);
        Readiness {
            readable: has(libc::EPOLLIN) || has(libc::EPOLLPRI),
            writable: has(libc::EPOLLOUT),
            read_closed: has(libc::EPOLLHUP)
                || (has(libc::EPOLLIN) && has(libc::EPOLLRDHUP))
                || error,
            error,
        }
    }
}

impl Engine<'_> {
    pub(super) fn on_ready(&mut self, key: usize, readiness: Readiness) {
        let Some(conn) = self.conns.get(key) else {
            return;
        };
        let id = self.id_of(key);
        let state_before = conn.state;
        match state_before {
            ConnState::Connecting => self.finish_connect(key, readiness),
            ConnState::Handshaking => {
                self.drive_handshake(key, readiness.readable, readiness.read_closed)
            }
            ConnState::Connected => {}
        }
        if self.is_alive(id) && self.conns[key].state == ConnState::Connected {
            self.flush_sends(key);
        }
        if self.is_alive(id) && self.conns[key].state == ConnState::Connected {
            let transport = &mut self.conns[key].transport;
            let worth_reading = if state_before != ConnState::Connected && transport.is_tls() {
                // The handshake read what this event announced; what came
                // with its last records may be waiting.
                transport.has_pending_input()
            } else {
                readiness.readable || readiness.read_closed
            };
            if worth_reading {
                self.read_replies(key, readiness.read_closed);
            }
        }
        if self.is_alive(id) {
            self.rearm_watchdog(key);
        }
    }

    pub(super) fn finish_connect(&mut self, key: usize, readiness: Readiness) {
        if readiness.writable && !readiness.error {
            // epoll reports a connecting socket writable once the connect
            // finished, and in error (EPOLLERR) whenever SO_ERROR is set: no
            // need to ask for SO_ERROR.
            self.tcp_connected(key);
            return;
        }
        let conn = &self.conns[key];
        let pending_error = match conn.transport.tcp().take_error() {
            Ok(error) => error,
            Err(error) => Some(error),
        };
        if let Some(error) = pending_error {
            self.record_refused_connect(key);
            self.fail(key, error.raw_os_error().unwrap_or(libc::EIO));
            return;
        }
        if readiness.writable {
            // epoll reports a connecting socket writable only once the
            // connect finished, and SO_ERROR said it did not fail.
            self.tcp_connected(key);
            return;
        }
        match conn.transport.tcp().peer_addr() {
            Ok(_) => self.tcp_connected(key),
            Err(error)
                if error.kind() == io::ErrorKind::NotConnected
                    || error.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(error) => {
                self.record_refused_connect(key);
                self.fail(key, error.raw_os_error().unwrap_or(libc::EIO));
            }
        }
    }

    /// httperf records a plain connect before noticing its refusal; with TLS
    /// "connected" means a finished handshake, which a refused one never has.
    #[cold]
    pub(super) fn record_refused_connect(&mut self, key: usize) {
        if !self.conns[key].transport.is_tls() {
            self.record_connected(key);
        }
    }

    /// TCP is up: plain connections are connected; TLS ones start their
    /// handshake.
    pub(super) fn tcp_connected(&mut self, key: usize) {
        if self.conns[key].transport.is_tls() {
            self.conns[key].state = ConnState::Handshaking;
            // A TLS server never speaks first: nothing to read yet.
            self.drive_handshake(key, false, false);
        } else {
            self.mark_connected(key);
        }
    }

    pub(super) fn drive_handshake(&mut self, key: usize, readable: bool, read_closed: bool) {
        match self.conns[key].transport.handshake(readable, read_closed) {
            Ok(true) => {
                if self.config.debug > 0 {
                    let kind = match self.conns[key].transport.resumed() {
                        Some(true) => "resumed",
                        _ => "full",
                    };
                    trace!(
                        self.config,
                        1,
                        "connection {} TLS handshake done ({kind})",
                        self.conns[key].serial
                    );
                }
                self.mark_connected(key);
            }
            Ok(false) => {}
            Err(error) => self.fail_io(key, &error),
        }
    }

    pub(super) fn record_connected(&mut self, key: usize) {
        let now = self.clock.now_ns();
        let connect_s = now.saturating_sub(self.conns[key].connect_start_ns) as f64 / NS_PER_S;
        self.stats.conn_connected(connect_s);
        if let Some(results) = self.results.as_deref_mut() {
            let connect_ns = now.saturating_sub(self.conns[key].connect_start_ns);
            self.conns[key].timing.connect_ns = connect_ns;
            results.connected(connect_ns);
        }
    }

    pub(super) fn mark_connected(&mut self, key: usize) {
        trace!(
            self.config,
            1,
            "connection {} connected",
            self.conns[key].serial
        );
        self.record_connected(key);
        self.conns[key].state = ConnState::Connected;
        let id = self.id_of(key);
        self.notices.push_back(Notice::Connected(id));
        if self.conns[key].calls.has_sending() {
            self.flush_sends(key);
        }
    }

    pub(super) fn rearm_watchdog(&mut self, key: usize) {
        let conn = &mut self.conns[key];
        let connect_deadline = (self.deadlines.connect_ns).map(|span| conn.connect_start_ns + span);
        let deadline = conn.deadline_ns(connect_deadline);
        conn.watchdog_ns = deadline;
        // A deadline that moves later keeps its earlier entry in the timer
        // queue, which queues the new one when it comes due: one entry per
        // connection for most of them, instead of one per call and reply.
        if let Some(at) = deadline {
            if conn.watchdog_armed_ns.is_none_or(|armed| at < armed) {
                conn.watchdog_armed_ns = Some(at);
                let conn_serial = conn.serial;
                self.timers.push(at, Timer::Watchdog { key, conn_serial });
            }
        }
    }

    /// Writes queued requests, one call at a time, until done or WouldBlock.
    pub(super) fn flush_sends(&mut self, key: usize) {
        if let Err(error) = self.conns[key].transport.flush() {
            self.fail_io(key, &error);
            return;
        }
        while self.conns[key].calls.has_sending() {
            let now = self.clock.now_ns();
            let send_timeout = self.send_deadline(now);
            let conn = &mut self.conns[key];
            let Some(call) = conn.calls.sending_front_mut() else {
                break;
            };
            if let (Some(parts), false) = (self.config.print.request, call.request_printed) {
                call.request_printed = true;
                let request = &call.request;
                print::print_request(&mut *self.out, parts, call.id, &request.head, &request.body);
            }
            let (head, body) = unsent_parts(call);
            let result = if body.is_empty() {
                conn.transport.write(head)
            } else {
                (conn.transport).write_vectored(&[IoSlice::new(head), IoSlice::new(body)])
            };
            match result {
                Ok(0) => break,
                Ok(written) => {
                    trace!(
                        self.config,
                        1,
                        "connection {} wrote {written} bytes of call {}",
                        conn.serial,
                        call.id
                    );
                    call.written += written;
                    call.bytes_written_total += written as u64;
                    if call.written < call.request_len() {
                        call.deadline_ns = send_timeout;
                        continue;
                    }
                    self.finish_send(key, now);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    if let Ok(Some(pending)) = conn.transport.tcp().take_error() {
                        self.fail_io(key, &pending.into());
                    } else {
                        self.fail_io(key, &error);
                    }
                    return;
                }
            }
        }
        if self.conns[key].peer_closed && self.conns[key].calls.has_awaiting() {
            self.on_eof(key);
        }
    }

    pub(super) fn finish_send(&mut self, key: usize, now: u64) {
        let reply_deadline = self.reply_deadline(now);
        let send_timeout = self.send_deadline(now);
        let conn = &mut self.conns[key];
        let Some(call) = conn.calls.mark_front_sent() else {
            return;
        };
        // A WebSocket frame is no HTTP request: it stays out of the report.
        let counted = !call.parser.is_websocket_frames();
        if counted {
            self.stats.request_sent(call.bytes_written_total);
        }
        if let Some(results) = self.results.as_deref_mut().filter(|_| counted) {
            call.timing.sent_ns = now;
            results.request_sent(now, call.bytes_written_total);
        }
        call.deadline_ns = reply_deadline;
        let answered = call.parser.is_complete();
        if conn.calls.has_sending() {
            start_sending_front(conn, now, send_timeout);
        }
        if answered {
            // Its reply came while it was being sent; it is the only call
            // waiting, as replies reach a call being sent only then.
            self.complete_front_call(key, now);
        }
    }

    /// Reads until the socket is drained. A short read means the receive
    /// queue was empty at that moment, so a new arrival raises a new edge;
    /// only when the peer also closed must the loop go on to see the EOF.
    ///
    /// With no call to take the bytes, reading stops (as 0.9.0 watches a
    /// socket only while a call waits): what arrives stays in the kernel, and
    /// the next call resumes the read, so a reply sent before its request
    /// was even issued is still its reply.
    pub(super) fn read_replies(&mut self, key: usize, read_closed: bool) {
        let id = self.id_of(key);
        let mut buffer = std::mem::take(&mut self.read_buffer);
        while self.is_alive(id) {
            let conn = &mut self.conns[key];
            if !conn.wants_input() || !conn.unclaimed.is_empty() {
                conn.deferred_read = Some(conn.deferred_read.unwrap_or(false) || read_closed);
                break;
            }
            let transport = &mut conn.transport;
            let result = transport.read(&mut buffer);
            let short_read_drains = transport.short_read_drains();
            match result {
                Ok(0) => {
                    self.on_eof(key);
                    break;
                }
                Ok(len) => {
                    trace!(self.config, 1, "connection {} read {len} bytes", id.serial);
                    self.on_data(key, &buffer[..len]);
                    if len < buffer.len() && !read_closed && short_read_drains {
                        break;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    self.fail_io(key, &error);
                    break;
                }
            }
        }
        self.read_buffer = buffer;
    }

    /// Hands received bytes to the pending calls in order; bytes past every
    /// pending call's reply wait in `unclaimed` for the next call (0.9.0
    /// aborts on them while the connection stays open).
    ///
    /// With no call waiting for a reply, the bytes are the reply of the call
    /// still being sent: servers answer 413, 414 or 431 before they read a
    /// large request. It is kept, and the call completes once its request is
    /// out (0.9.0 reads it only then, and loses it if the sending fails).
    pub(super) fn on_data(&mut self, key: usize, data: &[u8]) {
        let now = self.clock.now_ns();
        let reply_deadline = self.reply_deadline(now);
        let mut rest = data;
        while !rest.is_empty() {
            let conn = &mut self.conns[key];
            let still_sending = !conn.calls.has_awaiting();
            let call = match conn.calls.front_mut() {
                Some(call) if !still_sending || !call.parser.is_complete() => call,
                _ => {
                    // Bytes past every call's reply: keep them for the next
                    // call, so each call takes the next reply in the stream
                    // however the reads were split.
                    conn.unclaimed.extend_from_slice(rest);
                    break;
                }
            };
            // A call being sent keeps its send deadline.
            if call.parser.awaiting_status() && !still_sending {
                call.deadline_ns = reply_deadline;
            }
            let mut sink = ParseSink {
                printer: call.reply_print.as_deref_mut().map(|state| ReplyPrinter {
                    out: &mut *self.out,
                    state,
                    selection: self.config.print,
                    call_id: call.id,
                }),
                cookie: self.config.capture_cookies.then_some(&mut call.cookie),
                page: call.page.as_deref_mut(),
                ..ParseSink::default()
            };
            let used = call.parser.feed(rest, &mut sink);
            let ParseSink {
                status_line_seen,
                warnings,
                ..
            } = sink;
            if let Some(status) = status_line_seen {
                call.recv_start_ns = now;
                let response_s = now.saturating_sub(call.send_start_ns) as f64 / NS_PER_S;
                self.stats.reply_started(response_s, status);
                if let Some(results) = self.results.as_deref_mut() {
                    results.reply_started(now.saturating_sub(call.send_start_ns));
                }
            }
            for warning in &warnings {
                // Reply bytes stay bytes: 0.9.0 writes them to stderr as they came.
                crate::output::eprint_line(&warning.render_bytes(&self.config.program));
            }
            rest = &rest[used.min(rest.len())..];
            if !call.parser.is_complete() {
                break;
            }
            if still_sending {
                call.reply_done_ns = Some(now);
            } else {
                self.complete_front_call(key, now);
            }
        }
    }

    /// A call was issued on a connected connection: hand it the bytes that
    /// came before it, then read on where reading stopped for want of a call.
    pub(super) fn resume_input(&mut self, key: usize) {
        let id = self.id_of(key);
        let unclaimed = std::mem::take(&mut self.conns[key].unclaimed);
        if !unclaimed.is_empty() {
            self.on_data(key, &unclaimed);
        }
        if !self.is_alive(id) || !self.conns[key].unclaimed.is_empty() {
            return;
        }
        if let Some(read_closed) = self.conns[key].deferred_read.take() {
            self.read_replies(key, read_closed);
        }
    }

    pub(super) fn complete_front_call(&mut self, key: usize, now: u64) {
        let (calls, sinks, owner) = self.completion_parts(key);
        let Some(call) = calls.awaiting_front_mut() else {
            return;
        };
        complete_call(sinks, owner, call, now);
        calls.drop_awaiting_front();
    }

    /// The connection is going away while the call at the front of its send
    /// queue has its whole reply (or a close-delimited one the peer's close
    /// ended): the reply still counts, though its request never got out.
    #[cold]
    pub(super) fn complete_answered_send(&mut self, key: usize) {
        let now = self.clock.now_ns();
        let peer_closed = self.conns[key].peer_closed;
        let (calls, sinks, owner) = self.completion_parts(key);
        let Some(call) = calls.sending_front_mut() else {
            return;
        };
        let answered = call.parser.is_complete()
            || (peer_closed && call.parser.on_eof() == EofOutcome::Complete);
        if answered {
            if let Some(mut call) = calls.pop_sending_front() {
                complete_call(sinks, owner, &mut call, now);
            }
        }
    }

    /// Connection `key`'s calls, borrowed apart from what completing one of
    /// them records to: the statistics, the recorder, the notice queue and
    /// the connection's own counters.
    fn completion_parts(
        &mut self,
        key: usize,
    ) -> (&mut CallQueue, CompletionSinks<'_>, CallOwner<'_>) {
        let id = self.id_of(key);
        let Engine {
            conns,
            stats,
            results,
            out,
            notices,
            config,
            ..
        } = self;
        let conn = &mut conns[key];
        let sinks = CompletionSinks {
            stats,
            results: results.as_deref_mut(),
            out: &mut **out,
            notices,
            config,
        };
        let owner = CallOwner {
            id,
            replies: &mut conn.replies,
            facts: ConnFacts {
                connect_start_ns: conn.connect_start_ns,
                timing: &mut conn.timing,
            },
        };
        (&mut conn.calls, sinks, owner)
    }

    /// End of stream: completes a close-delimited reply; anywhere else it is
    /// httperf's synthetic ECONNRESET. With nothing expected it is only noted.
    #[cold]
    pub(super) fn on_eof(&mut self, key: usize) {
        let now = self.clock.now_ns();
        let conn = &mut self.conns[key];
        conn.peer_closed = true;
        let Some(call) = conn.calls.awaiting_front_mut() else {
            return;
        };
        match call.parser.on_eof() {
            EofOutcome::Complete => {
                self.complete_front_call(key, now);
                if self.conns[key].calls.has_awaiting() {
                    self.fail(key, libc::ECONNRESET);
                }
            }
            EofOutcome::Reset => self.fail(key, libc::ECONNRESET),
        }
    }
}

/// What completing a call records to, borrowed apart from the connection
/// that holds the call, so that the call is completed where it lies.
struct CompletionSinks<'a> {
    stats: &'a mut BasicStats,
    results: Option<&'a mut Recorder>,
    out: &'a mut dyn Write,
    notices: &'a mut VecDeque<Notice>,
    config: &'a EngineConfig,
}

/// The parts of the call's connection that its completion updates.
struct CallOwner<'a> {
    id: ConnId,
    replies: &'a mut u64,
    /// What the recorder is told of the connection.
    facts: ConnFacts<'a>,
}

/// httperf's CALL_RECV_STOP: the reply's statistics, `--print-reply`'s
/// last lines, and the workload's notice.
fn complete_call(sinks: CompletionSinks<'_>, owner: CallOwner<'_>, call: &mut Call, now: u64) {
    let now = call.reply_done_ns.unwrap_or(now);
    if call.parser.is_websocket_frames() {
        // `--websocket` frames: no HTTP reply to count or print, only
        // the outcome for the workload.
        trace!(sinks.config, 1, "call {} done", call.id);
        sinks.notices.push_back(Notice::CallDone {
            conn: owner.id,
            tag: call.tag,
            status: call.parser.call_outcome(),
            cookie: None,
            embedded: Vec::new(),
            history: CallHistory::default(),
        });
        return;
    }
    *owner.replies += 1;
    let status = call.parser.status();
    let bytes = (
        call.prior_header_bytes + call.parser.header_bytes(),
        call.parser.content_bytes(),
        call.parser.footer_bytes(),
    );
    if let Some(results) = sinks.results {
        let total = bytes.0 + bytes.1 + bytes.2;
        results.reply_done(now, owner.facts, call.results_facts(), status, total);
    }
    if let Some(state) = call.reply_print.as_deref_mut() {
        state.finish(sinks.out, call.id, bytes);
    }
    trace!(
        sinks.config,
        1,
        "call {} done with status {status}",
        call.id
    );
    sinks.stats.reply_completed(&CompletedReply {
        status,
        transfer_s: now.saturating_sub(call.recv_start_ns) as f64 / NS_PER_S,
        header_bytes: bytes.0,
        content_bytes: bytes.1,
        footer_bytes: bytes.2,
    });
    sinks.notices.push_back(Notice::CallDone {
        conn: owner.id,
        tag: call.tag,
        // The status, or for a WebSocket handshake a bad accept's code.
        status: call.parser.call_outcome(),
        cookie: call.cookie.take(),
        embedded: call.page.take().map(|page| page.found).unwrap_or_default(),
        history: CallHistory {
            bytes_written: call.bytes_written_total,
            reply_header_bytes: bytes.0,
        },
    });
}

/// A call became the first of the send queue: httperf's CALL_SEND_START.
pub(super) fn start_sending_front(conn: &mut Conn, now: u64, send_timeout: Option<u64>) {
    if let Some(call) = conn.calls.sending_front_mut() {
        call.send_start_ns = now;
        call.deadline_ns = send_timeout;
    }
}

fn unsent_parts(call: &Call) -> (&[u8], &[u8]) {
    let head = &call.request.head;
    let body = &call.request.body;
    if call.written < head.len() {
        (&head[call.written..], body)
    } else {
        let body_offset = (call.written - head.len()).min(body.len());
        (&[], &body[body_offset..])
    }
}
