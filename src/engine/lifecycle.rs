//! How connections fail and go away: errno counting, TLS error reports,
//! closing (CONN_CLOSE/CONN_FAILED/CONN_TIMEOUT) and destruction (CONN_DESTROYED).

use super::*;

impl Engine<'_> {
    /// A transport error: a TLS failure is described once on stderr, then
    /// counted under its errno (`TransportError::errno`).
    #[cold]
    pub(super) fn fail_io(&mut self, key: usize, error: &TransportError) {
        if let Some(tls) = error.tls() {
            self.report_tls_error(tls);
        }
        self.fail(key, error.errno());
    }

    /// httperf 0.9.0 dies on a TLS error; httperf-rs counts it (as `other`)
    /// and tells what the first one was.
    #[cold]
    pub(super) fn report_tls_error(&mut self, error: &rustls::Error) {
        trace!(self.config, 1, "TLS error: {error}");
        if !self.tls_error_reported {
            self.tls_error_reported = true;
            eprintln!("{}: SSL/TLS error: {error}", self.config.program);
        }
    }

    #[cold]
    pub(super) fn fail(&mut self, key: usize, errno: i32) {
        self.count_failure(errno);
        self.destroy(key, CloseReason::Failed { errno });
    }

    /// CONN_FAILED's counter; httperf names the first unknown errno on stderr.
    pub(super) fn count_failure(&mut self, errno: i32) {
        if self.stats.conn_failed(errno) {
            eprintln!(
                "{}: connection failed with unexpected error {errno}",
                self.config.program
            );
        }
    }

    /// A connection that failed before it had a slot: socket(), setsockopt,
    /// bind or connect() refused it.
    #[cold]
    pub(super) fn fail_unplaced(&mut self, id: ConnId, error: SetupError) {
        trace!(
            self.config,
            1,
            "connection {} failed before connecting: {}",
            id.serial,
            errno_name(error.errno)
        );
        if let Some(message) = &error.message {
            eprintln!("{}.{message}", self.config.program);
        }
        self.count_failure(error.errno);
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_failed_unplaced(self.clock.now_ns(), error.errno);
        }
        self.notices.push_back(Notice::ConnClosed {
            conn: id,
            reason: CloseReason::Failed { errno: error.errno },
            replies: 0,
            unfinished: Vec::new(),
        });
        self.record_destroyed((id, false, 0.0));
    }

    pub(super) fn destroy(&mut self, key: usize, reason: CloseReason) {
        let id = self.id_of(key);
        trace!(
            self.config,
            1,
            "connection {} closed: {}",
            id.serial,
            describe_close(reason)
        );
        if reason != CloseReason::Client {
            self.complete_answered_send(key);
        }
        // Closing the socket (when `conn` drops) removes it from the epoll
        // set, as no other descriptor refers to it: no deregister call needed.
        let mut conn = self.conns.remove(key);
        if reason == CloseReason::Client {
            // httperf shuts TLS down with a close_notify before close().
            conn.transport.close_notify();
        }
        if let Some(port) = conn.hog_port {
            self.ports.release(port);
        }
        let now = self.clock.now_ns();
        if let Some(results) = self.results.as_deref_mut() {
            conn.record_closed(results, now, close_cause(reason));
        }
        let lifetime_s = now.saturating_sub(conn.connect_start_ns) as f64 / NS_PER_S;
        self.notices.push_back(Notice::ConnClosed {
            conn: id,
            reason,
            replies: conn.replies,
            unfinished: conn.unfinished_calls(),
        });
        let destroyed = (id, conn.replies > 0, lifetime_s);
        if self.handling.contains(&key) {
            self.pending_destroys.push(destroyed);
        } else {
            self.record_destroyed(destroyed);
        }
    }

    /// CONN_DESTROYED: the statistics, then the notice.
    pub(super) fn record_destroyed(
        &mut self,
        (id, delivered_reply, lifetime_s): (ConnId, bool, f64),
    ) {
        self.stats.conn_destroyed(delivered_reply, lifetime_s);
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_destroyed(delivered_reply, lifetime_s);
        }
        self.notices.push_back(Notice::ConnDestroyed(id));
    }
}

/// The recorder's view of why a connection went away.
fn close_cause(reason: CloseReason) -> CloseCause {
    match reason {
        CloseReason::Client => CloseCause::Client,
        CloseReason::Failed { errno } => CloseCause::Failed { errno },
        CloseReason::TimedOut => CloseCause::TimedOut,
    }
}
