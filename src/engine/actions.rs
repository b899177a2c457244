//! The actions workloads call on the engine: time, printing, the end of the
//! test, timers, and opening, using and closing connections.

use super::*;
use crate::http::websocket::WebSocketCall;

impl Engine<'_> {
    /// Seconds since the start of the test.
    pub fn now_s(&self) -> f64 {
        self.clock.now_ns().saturating_sub(self.start_ns) as f64 / NS_PER_S
    }

    pub fn verbose(&self) -> u32 {
        self.config.verbose
    }

    pub fn program(&self) -> &str {
        &self.config.program
    }

    /// Writes a line (text or bytes) to the run's stdout.
    pub fn print_line(&mut self, line: impl AsRef<[u8]>) {
        // stdout going away (closed pipe) must not stop the test.
        let _ = self.out.write_all(line.as_ref());
        let _ = self.out.write_all(b"\n");
    }

    /// httperf's exit routine: prints the burst line and stops the loop.
    pub fn end_test(&mut self) {
        if self.running {
            self.running = false;
            self.stop_ns = Some(self.clock.now_ns());
            let line = report::burst_line(self.stats.max_connect_burst());
            self.print_line(&line);
            if let Some(results) = self.results.as_deref_mut() {
                results.test_ended(self.stats.max_connect_burst());
            }
        }
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Ends the test if a stop signal (SIGINT, SIGTERM, SIGHUP) has arrived
    /// or `--runtime` is over, and tells whether the test has ended. The loop
    /// asks between events, timers and notices, and workloads between units
    /// of a long batch, so that no stretch of work delays the end.
    pub fn stop_if_requested(&mut self) -> bool {
        if self.running {
            let runtime_over = self
                .runtime_end_ns
                .is_some_and(|end| self.clock.now_ns() >= end);
            if sys::take_stop_signal() || runtime_over {
                self.end_test();
            }
        }
        !self.running
    }

    /// Number of connections currently open.
    pub fn open_connections(&self) -> usize {
        self.conns.len()
    }

    /// Arms a workload timer `delay_s` from now; a delay ≤ 0 fires at the next
    /// loop iteration.
    pub fn schedule(&mut self, delay_s: f64, id: u64) {
        let at = self.clock.now_ns() + seconds_to_ns(delay_s);
        self.timers.push(at, Timer::Workload { id });
    }

    /// Arms a workload timer at `at_s` seconds since the start of the test.
    pub fn schedule_at(&mut self, at_s: f64, id: u64) {
        let at = self.start_ns + seconds_to_ns(at_s);
        self.timers.push(at, Timer::Workload { id });
    }

    /// Opens a connection to the next server. Failures are counted and
    /// reported as a `ConnClosed` notice, never returned.
    pub fn open_connection(&mut self) -> ConnId {
        let serial = self.next_conn_serial;
        self.next_conn_serial += 1;
        self.stats.conn_new(self.iteration);
        let server_index = self.next_server % self.config.servers.len();
        let server = self.config.servers[server_index];
        self.next_server = self.next_server.wrapping_add(1);
        let unplaced = ConnId {
            key: ConnId::UNPLACED_KEY,
            serial,
        };
        let socket = match socket::create_socket(server, &self.config.socket) {
            Ok(socket) => socket,
            Err(error) => {
                self.fail_unplaced(unplaced, error);
                return unplaced;
            }
        };
        self.stats.conn_connecting();
        let connect_start_ns = self.clock.now_ns();
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_issued(connect_start_ns);
        }
        let local_ip = self.next_local_addr();
        let connect = if self.config.hog {
            socket::connect_from_hog_port(&socket, server, local_ip, &mut self.ports)
        } else {
            let local = local_ip.map(|ip| SocketAddr::new(ip, 0));
            let address = &self.server_sockaddrs[server_index];
            socket::connect(&socket, address, local).map(|connected| (connected, None))
        };
        let (connected, hog_port) = match connect {
            Ok(result) => result,
            Err(error) => {
                self.fail_unplaced(unplaced, error);
                return unplaced;
            }
        };
        let mut stream = mio::net::TcpStream::from_std(std::net::TcpStream::from(socket));
        let entry = self.conns.vacant_entry();
        let id = ConnId {
            key: entry.key(),
            serial,
        };
        if let Err(error) = self.poll.registry().register(
            &mut stream,
            Token(id.key),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            if let Some(port) = hog_port {
                self.ports.release(port);
            }
            let errno = error.raw_os_error().unwrap_or(libc::EIO);
            self.fail_unplaced(
                unplaced,
                SetupError {
                    errno,
                    message: None,
                },
            );
            return unplaced;
        }
        let transport = match &self.config.tls {
            None => Transport::Plain(stream),
            Some(client) => match tls_transport(client, stream, server_index) {
                Ok(transport) => transport,
                Err(error) => {
                    if let Some(port) = hog_port {
                        self.ports.release(port);
                    }
                    self.report_tls_error(&error);
                    let setup = SetupError {
                        errno: libc::EPROTO,
                        message: None,
                    };
                    self.fail_unplaced(unplaced, setup);
                    return unplaced;
                }
            },
        };
        entry.insert(Conn {
            serial,
            transport,
            state: ConnState::Connecting,
            connect_start_ns,
            calls: CallQueue::default(),
            replies: 0,
            peer_closed: false,
            watchdog_ns: None,
            watchdog_armed_ns: None,
            hog_port,
            unclaimed: Vec::new(),
            deferred_read: None,
            timing: ConnTiming {
                arrival_lag_ns: self.arrival_lag_ns,
                ..ConnTiming::default()
            },
        });
        trace!(self.config, 1, "connection {serial} connecting to {server}");
        if connected {
            self.tcp_connected(id.key);
        }
        if self.is_alive(id) {
            self.rearm_watchdog(id.key);
        }
        id
    }

    /// Queues a call on `conn` and starts sending it if the connection is up.
    /// Returns the call's global id, or `None` if the connection is gone.
    pub fn issue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
    ) -> Option<u64> {
        self.reissue_call(conn, request, is_head, tag, CallHistory::default())
    }

    /// `issue_call` for a call sent again after its connection failed:
    /// httperf never resets a call's written-byte counter, so the request
    /// bytes of every attempt add up in "requests" statistics.
    pub fn reissue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
        history: CallHistory,
    ) -> Option<u64> {
        self.queue_call(conn, request, ReplyParser::new(is_head), tag, history)
    }

    /// `issue_call` for a `--websocket` call: its reply is parsed as `call`
    /// says (a handshake's `101` checked, or server frames).
    pub fn issue_websocket_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        call: WebSocketCall,
        tag: u64,
    ) -> Option<u64> {
        let parser = ReplyParser::for_websocket(call);
        self.queue_call(conn, request, parser, tag, CallHistory::default())
    }

    fn queue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        parser: ReplyParser,
        tag: u64,
        history: CallHistory,
    ) -> Option<u64> {
        if !self.is_alive(conn) {
            return None;
        }
        let id = self.next_call_id;
        self.next_call_id += 1;
        let call = Call {
            id,
            tag,
            request,
            written: 0,
            bytes_written_total: history.bytes_written,
            prior_header_bytes: history.reply_header_bytes,
            send_start_ns: 0,
            recv_start_ns: 0,
            reply_done_ns: None,
            deadline_ns: None,
            parser,
            request_printed: false,
            reply_print: self.config.print.prints_replies().then(Box::default),
            cookie: None,
            page: self.config.capture_pages.then(Box::default),
            timing: CallTiming {
                sent_ns: 0,
                label: self.next_call_label.take(),
            },
        };
        trace!(
            self.config,
            1,
            "call {id} issued on connection {}",
            conn.serial
        );
        let now = self.clock.now_ns();
        let send_timeout = self.send_deadline(now);
        let connection = &mut self.conns[conn.key];
        connection.calls.push(call);
        if connection.calls.sending_len() == 1 {
            start_sending_front(connection, now, send_timeout);
        }
        if connection.state == ConnState::Connected {
            // A failure found while writing surfaces in httperf in the
            // connection's own event: it outlives this dispatch's handlers.
            self.handling.push(conn.key);
            self.flush_sends(conn.key);
            if self.is_alive(conn) {
                self.resume_input(conn.key);
            }
        }
        if self.is_alive(conn) {
            self.rearm_watchdog(conn.key);
        }
        Some(id)
    }

    /// Creates a scheduled arrival (connection or session) that was due at
    /// `scheduled_s` seconds since the start: its schedule lag is recorded,
    /// and the connections `create` opens carry it.
    pub fn arrival<R>(&mut self, scheduled_s: f64, create: impl FnOnce(&mut Self) -> R) -> R {
        let due_ns = self.start_ns + seconds_to_ns(scheduled_s);
        let lag_ns = self.clock.now_ns().saturating_sub(due_ns);
        self.arrival_deferred = false;
        let created = self.with_arrival_lag(lag_ns, create);
        if !std::mem::take(&mut self.arrival_deferred) {
            if let Some(results) = self.results.as_deref_mut() {
                results.arrival(lag_ns);
            }
        }
        created
    }

    /// The arrival being created waits for room; see `Actions::defer_arrival`.
    pub fn defer_arrival(&mut self) {
        self.arrival_deferred = true;
    }

    /// Runs `f` with connections opened by it carrying `lag_ns` as the
    /// schedule lag of their arrival (a session's later connections).
    pub fn with_arrival_lag<R>(&mut self, lag_ns: u64, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = std::mem::replace(&mut self.arrival_lag_ns, lag_ns);
        let result = f(self);
        self.arrival_lag_ns = outer;
        result
    }

    /// The schedule lag of the arrival being created.
    pub fn arrival_lag_ns(&self) -> u64 {
        self.arrival_lag_ns
    }

    /// Tags the next call issued in the request log (`--log-requests`);
    /// `label` is only called when the log is on.
    pub fn label_next_call(&mut self, label: impl FnOnce() -> String) {
        if self.results.as_deref().is_some_and(Recorder::logs_calls) {
            self.next_call_label = Some(Rc::from(label()));
        }
    }

    /// A session ended after `age_s` seconds (for the results recorder).
    pub fn session_ended(&mut self, age_s: f64, failed: bool) {
        if let Some(results) = self.results.as_deref_mut() {
            results.session_ended(age_s, failed);
        }
    }

    /// Closes a connection on the client's initiative (FIN, or RST with
    /// `--close-with-reset`). Unknown or already closed connections are ignored.
    pub fn close_connection(&mut self, conn: ConnId) {
        if self.is_alive(conn) {
            self.destroy(conn.key, CloseReason::Client);
        }
    }
}

impl Actions for Engine<'_> {
    fn now_s(&self) -> f64 {
        Engine::now_s(self)
    }
    fn verbose(&self) -> u32 {
        Engine::verbose(self)
    }
    fn program(&self) -> &str {
        Engine::program(self)
    }
    fn print_line(&mut self, line: &[u8]) {
        Engine::print_line(self, line)
    }
    fn end_test(&mut self) {
        Engine::end_test(self)
    }
    fn is_running(&self) -> bool {
        Engine::is_running(self)
    }
    fn stop_if_requested(&mut self) -> bool {
        Engine::stop_if_requested(self)
    }
    fn open_connections(&self) -> usize {
        Engine::open_connections(self)
    }
    fn schedule(&mut self, delay_s: f64, id: u64) {
        Engine::schedule(self, delay_s, id)
    }
    fn schedule_at(&mut self, at_s: f64, id: u64) {
        Engine::schedule_at(self, at_s, id)
    }
    fn open_connection(&mut self) -> ConnId {
        Engine::open_connection(self)
    }
    fn issue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
    ) -> Option<u64> {
        Engine::issue_call(self, conn, request, is_head, tag)
    }
    fn reissue_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        is_head: bool,
        tag: u64,
        history: CallHistory,
    ) -> Option<u64> {
        Engine::reissue_call(self, conn, request, is_head, tag, history)
    }
    fn close_connection(&mut self, conn: ConnId) {
        Engine::close_connection(self, conn)
    }
    fn issue_websocket_call(
        &mut self,
        conn: ConnId,
        request: Rc<RequestBytes>,
        call: WebSocketCall,
        tag: u64,
    ) -> Option<u64> {
        Engine::issue_websocket_call(self, conn, request, call, tag)
    }
    fn arrival(
        &mut self,
        scheduled_s: f64,
        create: &mut dyn FnMut(&mut dyn Actions) -> bool,
    ) -> bool {
        Engine::arrival(self, scheduled_s, |engine| create(engine))
    }
    fn defer_arrival(&mut self) {
        Engine::defer_arrival(self)
    }
    fn arrival_lag_ns(&self) -> u64 {
        Engine::arrival_lag_ns(self)
    }
    fn open_connection_with_lag(&mut self, arrival_lag_ns: u64) -> ConnId {
        self.with_arrival_lag(arrival_lag_ns, Engine::open_connection)
    }
    fn label_next_call(&mut self, label: &dyn Fn() -> String) {
        Engine::label_next_call(self, label)
    }
    fn session_ended(&mut self, age_s: f64, failed: bool) {
        Engine::session_ended(self, age_s, failed)
    }
}

/// The TLS transport of a new connection. Out of line: the client session is
/// a kilobyte built on the stack, which would otherwise widen
/// `open_connection`'s frame, and so the stack lines it touches, for plain
/// connections too.
#[inline(never)]
fn tls_transport(
    client: &crate::tls::TlsClient,
    stream: mio::net::TcpStream,
    server_index: usize,
) -> Result<Transport, rustls::Error> {
    Ok(Transport::tls(stream, client.connect(server_index)?))
}
