//! The event engine: one mio `Poll`, a slab of connections (token = slab key),
//! a deadline queue driven by a timerfd for microsecond timers, and dispatch of
//! readiness to the connection state machine. It records statistics as events
//! happen and tells the workload what happened through `Notice`s; it never
//! decides what to request or when.

pub mod conn;
mod sink;
pub mod socket;
pub mod timers;
pub mod transport;
mod wire;

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::rc::Rc;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

use crate::http::request::RequestBytes;
use crate::http::response::ReplyParser;
use crate::report;
use crate::results::{CallTiming, ConnTiming, Recorder};
use crate::stats::basic::BasicStats;
use crate::stats::print::PrintSelection;
use crate::stats::summary::Summary;
use crate::sys::{self, TimerFd};
use conn::{Call, Conn, ConnState};
pub use sink::PageCapture;
use socket::{PortMap, SetupError, SocketOptions};
use timers::{Timer, TimerQueue};
use transport::Transport;
use wire::{start_sending_front, Readiness};

const TIMER_TOKEN: Token = Token(usize::MAX);
const READ_BUFFER_BYTES: usize = 64 * 1024;
const NS_PER_S: f64 = 1e9;
/// Compact the timer heap when stale entries outnumber live ones by this factor.
const TIMER_COMPACTION_FACTOR: usize = 4;

/// Everything the engine needs to know about the run.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Program basename for httperf's stderr messages.
    pub program: String,
    /// Servers to connect to, used round robin (one unless `--servers`).
    pub servers: Vec<SocketAddr>,
    pub socket: SocketOptions,
    pub hog: bool,
    pub timeout_s: f64,
    pub think_timeout_s: f64,
    pub client_id: u32,
    pub num_clients: u32,
    /// [master] `--runtime`: end the test after this many seconds (0 = off).
    pub runtime_s: f64,
    pub verbose: u32,
    /// `--debug` level: traces on stderr, never on stdout.
    pub debug: u32,
    /// `--print-request` / `--print-reply`.
    pub print: PrintSelection,
    /// `--session-cookies`: report each reply's `Set-Cookie: ` value.
    pub capture_cookies: bool,
    /// `--wsesspage`: report the objects each HTML reply embeds.
    pub capture_pages: bool,
    /// [master] `--periodic-stats`: a 200/302 count line every second.
    pub periodic_stats: bool,
    /// [master] `--myaddr`: local addresses to connect from, round robin.
    pub local_addrs: Vec<std::net::IpAddr>,
    /// `--ssl`: every connection speaks TLS with this client.
    pub tls: Option<crate::tls::TlsClient>,
}

impl EngineConfig {
    /// `--debug` traces: stderr only, so report parsers never see them.
    fn trace(&self, level: u32, message: std::fmt::Arguments<'_>) {
        if self.debug >= level {
            eprintln!("{}: debug: {message}", self.program);
        }
    }
}

/// A connection as the workload knows it. Stays unique after the connection
/// is gone, so late references are recognised and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId {
    key: usize,
    serial: u64,
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

/// What a finished run produced.
pub struct RunOutcome {
    pub summary: Summary,
    /// The results recorder, when one was attached.
    pub results: Option<Box<Recorder>>,
    /// The run's stdout, handed back so the report follows what the run printed.
    pub output: Box<dyn Write>,
}

pub struct Engine {
    config: EngineConfig,
    poll: Poll,
    timerfd: TimerFd,
    armed_ns: Option<u64>,
    conns: Slab<Conn>,
    timers: TimerQueue,
    notices: VecDeque<Notice>,
    stats: BasicStats,
    out: Box<dyn Write>,
    running: bool,
    iteration: u64,
    start_ns: u64,
    stop_ns: Option<u64>,
    cpu_at_start: (f64, f64),
    next_call_id: u64,
    next_conn_serial: u64,
    next_server: usize,
    next_local: usize,
    ports: PortMap,
    /// Connections the engine did I/O on in the current dispatch (one
    /// readiness event or one timer): httperf keeps them alive until the
    /// dispatch's handlers have run.
    handling: Vec<usize>,
    /// Their destruction, when they were closed meanwhile.
    pending_destroys: Vec<(ConnId, bool, f64)>,
    read_buffer: Vec<u8>,
    /// The first TLS failure has been described on stderr.
    tls_error_reported: bool,
    /// The results options' recorder (none without them).
    results: Option<Box<Recorder>>,
    /// Schedule lag of the arrival being created (given to its connections).
    arrival_lag_ns: u64,
    /// The request log's tag for the next call issued.
    next_call_label: Option<Rc<str>>,
}

impl Engine {
    /// Creates the poller and timer. `out` receives everything the run prints
    /// on stdout (the burst line, verbose samples).
    pub fn new(config: EngineConfig, out: Box<dyn Write>) -> io::Result<Engine> {
        let poll = Poll::new()?;
        let timerfd = TimerFd::new()?;
        poll.registry().register(
            &mut SourceFd(&timerfd.as_raw_fd()),
            TIMER_TOKEN,
            Interest::READABLE,
        )?;
        let now = sys::monotonic_ns();
        Ok(Engine {
            config,
            poll,
            timerfd,
            armed_ns: None,
            conns: Slab::new(),
            timers: TimerQueue::default(),
            notices: VecDeque::new(),
            stats: BasicStats::new(0.0),
            out,
            running: true,
            iteration: 0,
            start_ns: now,
            stop_ns: None,
            cpu_at_start: (0.0, 0.0),
            next_call_id: 0,
            next_conn_serial: 0,
            next_server: 0,
            next_local: 0,
            ports: PortMap::default(),
            handling: Vec::new(),
            pending_destroys: Vec::new(),
            read_buffer: vec![0; READ_BUFFER_BYTES],
            tls_error_reported: false,
            results: None,
            arrival_lag_ns: 0,
            next_call_label: None,
        })
    }

    /// Feeds the run's events to `recorder` as well.
    pub fn attach_results(&mut self, recorder: Box<Recorder>) {
        self.results = Some(recorder);
    }

    /// Runs the test to its end and returns the collected data.
    pub fn run(mut self, workload: &mut dyn Workload) -> io::Result<RunOutcome> {
        self.start_ns = sys::monotonic_ns();
        self.cpu_at_start = sys::cpu_times_s();
        let first_sample_s =
            f64::from(self.config.client_id + 1) * 5.0 / f64::from(self.config.num_clients.max(1));
        self.timers
            .push(self.start_ns + seconds_to_ns(first_sample_s), Timer::Sample);
        if self.config.periodic_stats {
            self.timers
                .push(self.start_ns + seconds_to_ns(1.0), Timer::Periodic);
            self.stats.take_periodic();
        }
        if self.config.runtime_s > 0.0 {
            let at = self.start_ns + seconds_to_ns(self.config.runtime_s);
            self.timers.push(at, Timer::Runtime);
        }
        if let Some(results) = self.results.as_deref_mut() {
            results.begin(self.start_ns);
            if results.wants_ticks() {
                let at = self.start_ns + seconds_to_ns(1.0);
                self.timers.push(at, Timer::Results);
            }
        }
        workload.start(&mut self);
        self.settle(workload);
        let mut events = Events::with_capacity(1024);
        while self.running {
            if self.conns.is_empty() && self.timers.is_empty() {
                // Nothing can ever happen again; httperf would wait forever.
                self.end_test();
                break;
            }
            self.arm_timerfd()?;
            match self.poll.poll(&mut events, None) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
            self.iteration += 1;
            if sys::take_sigint() {
                self.end_test();
                break;
            }
            for event in events.iter() {
                if event.token() == TIMER_TOKEN {
                    self.timerfd.clear();
                    continue;
                }
                let key = event.token().0;
                self.handling.push(key);
                self.on_ready(key, Readiness::of(event));
                self.settle(workload);
                if !self.running {
                    break;
                }
            }
            if self.running {
                self.fire_due_timers(workload);
            }
        }
        self.out.flush()?;
        let stop_ns = self.stop_ns.unwrap_or_else(sys::monotonic_ns);
        let (user_end, system_end) = sys::cpu_times_s();
        let duration_s = stop_ns.saturating_sub(self.start_ns) as f64 / NS_PER_S;
        if let Some(results) = self.results.as_deref_mut() {
            results.end(stop_ns);
        }
        let summary = self.stats.finish(
            duration_s,
            user_end - self.cpu_at_start.0,
            system_end - self.cpu_at_start.1,
        );
        Ok(RunOutcome {
            summary,
            results: self.results,
            output: self.out,
        })
    }

    // ----- what workloads call -----

    /// Seconds since the start of the test.
    pub fn now_s(&self) -> f64 {
        sys::monotonic_ns().saturating_sub(self.start_ns) as f64 / NS_PER_S
    }

    pub fn verbose(&self) -> u32 {
        self.config.verbose
    }

    pub fn program(&self) -> &str {
        &self.config.program
    }

    /// Writes a line to the run's stdout.
    pub fn print_line(&mut self, line: &str) {
        // stdout going away (closed pipe) must not stop the test.
        let _ = writeln!(self.out, "{line}");
    }

    /// httperf's exit routine: prints the burst line and stops the loop.
    pub fn end_test(&mut self) {
        if self.running {
            self.running = false;
            self.stop_ns = Some(sys::monotonic_ns());
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

    /// Number of connections currently open.
    pub fn open_connections(&self) -> usize {
        self.conns.len()
    }

    /// Arms a workload timer `delay_s` from now; a delay ≤ 0 fires at the next
    /// loop iteration.
    pub fn schedule(&mut self, delay_s: f64, id: u64) {
        let at = sys::monotonic_ns() + seconds_to_ns(delay_s);
        self.timers.push(at, Timer::Workload { id });
    }

    /// Arms a workload timer at `at_s` seconds since the start of the test.
    pub fn schedule_at(&mut self, at_s: f64, id: u64) {
        let at = self.start_ns + seconds_to_ns(at_s);
        self.timers.push(at, Timer::Workload { id });
    }

    /// Creates a scheduled arrival (connection or session) that was due at
    /// `scheduled_s` seconds since the start: its schedule lag is recorded,
    /// and the connections `create` opens carry it.
    pub fn arrival<R>(&mut self, scheduled_s: f64, create: impl FnOnce(&mut Engine) -> R) -> R {
        let due_ns = self.start_ns + seconds_to_ns(scheduled_s);
        let lag_ns = sys::monotonic_ns().saturating_sub(due_ns);
        if let Some(results) = self.results.as_deref_mut() {
            results.arrival(lag_ns);
        }
        self.with_arrival_lag(lag_ns, create)
    }

    /// Runs `f` with connections opened by it carrying `lag_ns` as the
    /// schedule lag of their arrival (a session's later connections).
    pub fn with_arrival_lag<R>(&mut self, lag_ns: u64, f: impl FnOnce(&mut Engine) -> R) -> R {
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
            key: usize::MAX,
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
        let connect_start_ns = sys::monotonic_ns();
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_issued(connect_start_ns);
        }
        let local_ip = self.next_local_addr();
        let connect = if self.config.hog {
            socket::connect_from_hog_port(&socket, server, local_ip, &mut self.ports)
        } else {
            let local = local_ip.map(|ip| SocketAddr::new(ip, 0));
            socket::connect(&socket, server, local).map(|connected| (connected, None))
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
            Some(client) => match client.connect(server_index) {
                Ok(session) => Transport::tls(stream, session),
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
            send_queue: VecDeque::new(),
            recv_queue: VecDeque::new(),
            replies: 0,
            peer_closed: false,
            watchdog_ns: None,
            hog_port,
            timing: ConnTiming {
                arrival_lag_ns: self.arrival_lag_ns,
                ..ConnTiming::default()
            },
        });
        self.config.trace(
            1,
            format_args!("connection {serial} connecting to {server}"),
        );
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
            deadline_ns: None,
            parser: ReplyParser::new(is_head),
            is_head,
            request_printed: false,
            reply_print: self.config.print.prints_replies().then(Box::default),
            cookie: None,
            page: self.config.capture_pages.then(Box::default),
            timing: CallTiming {
                sent_ns: 0,
                label: self.next_call_label.take(),
            },
        };
        self.config.trace(
            1,
            format_args!("call {id} issued on connection {}", conn.serial),
        );
        let now = sys::monotonic_ns();
        let send_timeout = self.send_deadline(now);
        let connection = &mut self.conns[conn.key];
        connection.send_queue.push_back(call);
        if connection.send_queue.len() == 1 {
            start_sending_front(connection, now, send_timeout);
        }
        if connection.state == ConnState::Connected {
            // A failure found while writing surfaces in httperf in the
            // connection's own event: it outlives this dispatch's handlers.
            self.handling.push(conn.key);
            self.flush_sends(conn.key);
        }
        if self.is_alive(conn) {
            self.rearm_watchdog(conn.key);
        }
        Some(id)
    }

    /// Closes a connection on the client's initiative (FIN, or RST with
    /// `--close-with-reset`). Unknown or already closed connections are ignored.
    pub fn close_connection(&mut self, conn: ConnId) {
        if self.is_alive(conn) {
            self.destroy(conn.key, CloseReason::Client);
        }
    }

    // ----- the loop's internals -----

    /// The next `--myaddr` address, round robin; `None` lets the system choose.
    fn next_local_addr(&mut self) -> Option<std::net::IpAddr> {
        let addrs = &self.config.local_addrs;
        let ip = addrs.get(self.next_local % addrs.len().max(1)).copied();
        self.next_local = self.next_local.wrapping_add(1);
        ip
    }

    fn is_alive(&self, conn: ConnId) -> bool {
        self.conns
            .get(conn.key)
            .is_some_and(|c| c.serial == conn.serial)
    }

    fn id_of(&self, key: usize) -> ConnId {
        ConnId {
            key,
            serial: self.conns[key].serial,
        }
    }

    fn deliver(&mut self, workload: &mut dyn Workload) {
        while let Some(notice) = self.notices.pop_front() {
            if !self.running {
                self.notices.clear();
                break;
            }
            workload.handle(self, notice);
        }
    }

    fn arm_timerfd(&mut self) -> io::Result<()> {
        if self.timers.len() > TIMER_COMPACTION_FACTOR * (self.conns.len() + 64) {
            let conns = &self.conns;
            self.timers.retain(|at, timer| match timer {
                Timer::Watchdog { key, conn_serial } => conns
                    .get(*key)
                    .is_some_and(|c| c.serial == *conn_serial && c.watchdog_ns == Some(at)),
                _ => true,
            });
        }
        let next = self.timers.next_deadline();
        if next != self.armed_ns {
            self.timerfd.arm_at(next)?;
            self.armed_ns = next;
        }
        Ok(())
    }

    fn fire_due_timers(&mut self, workload: &mut dyn Workload) {
        let now = sys::monotonic_ns();
        // Timers armed while these run wait for the next iteration, so a
        // zero-delay timer costs one loop pass, like httperf's one tick.
        let mut due = Vec::new();
        while let Some(entry) = self.timers.pop_due(now) {
            due.push(entry);
        }
        for (at, timer) in due {
            if !self.running {
                break;
            }
            match timer {
                Timer::Watchdog { key, conn_serial } => {
                    let armed = self
                        .conns
                        .get(key)
                        .is_some_and(|c| c.serial == conn_serial && c.watchdog_ns == Some(at));
                    if armed {
                        self.config
                            .trace(1, format_args!("connection {conn_serial} timed out"));
                        self.stats.conn_timeout();
                        if let Some(results) = self.results.as_deref_mut() {
                            results.conn_timed_out(now);
                        }
                        self.destroy(key, CloseReason::TimedOut);
                    }
                }
                Timer::Workload { id } => self.notices.push_back(Notice::Timer { id }),
                Timer::Sample => self.take_sample(workload),
                Timer::Runtime => self.end_test(),
                Timer::Periodic => self.print_periodic(),
                Timer::Results => self.tick_results(),
            }
            self.settle(workload);
        }
    }

    fn take_sample(&mut self, workload: &mut dyn Workload) {
        let now = sys::monotonic_ns();
        let now_s = self.secs_since_start(now);
        let rate = self.stats.take_sample(now_s);
        let session_rate = workload.sample(now_s);
        if self.config.verbose > 0 {
            let lines = report::sample_lines(rate, session_rate);
            let _ = self.out.write_all(lines.as_bytes());
        }
        self.timers.push(now + seconds_to_ns(5.0), Timer::Sample);
    }

    /// [master] `--periodic-stats`: one line a second with the 200 and 302
    /// statuses seen since the previous line.
    fn print_periodic(&mut self) {
        let now = sys::monotonic_ns();
        let counts = self.stats.take_periodic();
        let line = report::periodic_line(
            self.secs_since_start(now),
            counts.status_200,
            counts.status_302,
        );
        self.print_line(&line);
        self.timers.push(now + seconds_to_ns(1.0), Timer::Periodic);
    }

    fn tick_results(&mut self) {
        let now = sys::monotonic_ns();
        if let Some(results) = self.results.as_deref_mut() {
            results.tick(now);
            self.timers.push(now + seconds_to_ns(1.0), Timer::Results);
        }
    }

    fn secs_since_start(&self, ns: u64) -> f64 {
        ns.saturating_sub(self.start_ns) as f64 / NS_PER_S
    }

    fn send_deadline(&self, now: u64) -> Option<u64> {
        deadline_after(now, self.config.timeout_s, self.config.timeout_s != 0.0)
    }

    fn reply_deadline(&self, now: u64) -> Option<u64> {
        let wait_s = self.config.timeout_s + self.config.think_timeout_s;
        deadline_after(now, wait_s, wait_s > 0.0)
    }

    /// A transport error: a TLS failure is described once on stderr, then
    /// counted under its errno (`transport::failure_errno`).
    fn fail_io(&mut self, key: usize, error: &io::Error) {
        if let Some(tls) = transport::tls_failure(error) {
            self.report_tls_error(tls);
        }
        self.fail(key, transport::failure_errno(error));
    }

    /// httperf 0.9.0 dies on a TLS error; httperf-rs counts it (as `other`)
    /// and tells what the first one was.
    fn report_tls_error(&mut self, error: &rustls::Error) {
        self.config.trace(1, format_args!("TLS error: {error}"));
        if !self.tls_error_reported {
            self.tls_error_reported = true;
            eprintln!("{}: SSL/TLS error: {error}", self.config.program);
        }
    }

    fn fail(&mut self, key: usize, errno: i32) {
        self.count_failure(errno);
        self.destroy(key, CloseReason::Failed { errno });
    }

    /// CONN_FAILED's counter; httperf names the first unknown errno on stderr.
    fn count_failure(&mut self, errno: i32) {
        if self.stats.conn_failed(errno) {
            eprintln!(
                "{}: connection failed with unexpected error {errno}",
                self.config.program
            );
        }
    }

    /// A connection that failed before it had a slot: socket(), setsockopt,
    /// bind or connect() refused it.
    fn fail_unplaced(&mut self, id: ConnId, error: SetupError) {
        self.config.trace(
            1,
            format_args!(
                "connection {} failed before connecting: {}",
                id.serial,
                errno_name(error.errno)
            ),
        );
        if let Some(message) = &error.message {
            eprintln!("{}.{message}", self.config.program);
        }
        self.count_failure(error.errno);
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_failed_unplaced(sys::monotonic_ns(), error.errno);
        }
        self.notices.push_back(Notice::ConnClosed {
            conn: id,
            reason: CloseReason::Failed { errno: error.errno },
            replies: 0,
            unfinished: Vec::new(),
        });
        self.record_destroyed((id, false, 0.0));
    }

    fn destroy(&mut self, key: usize, reason: CloseReason) {
        let id = self.id_of(key);
        self.config.trace(
            1,
            format_args!(
                "connection {} closed: {}",
                id.serial,
                describe_close(reason)
            ),
        );
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
        let now = sys::monotonic_ns();
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_closed(now, &mut conn, reason);
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
    fn record_destroyed(&mut self, (id, delivered_reply, lifetime_s): (ConnId, bool, f64)) {
        self.stats.conn_destroyed(delivered_reply, lifetime_s);
        if let Some(results) = self.results.as_deref_mut() {
            results.conn_destroyed(delivered_reply, lifetime_s);
        }
        self.notices.push_back(Notice::ConnDestroyed(id));
    }

    /// Ends a dispatch: delivers its notices, then destroys the connections
    /// that were closed while being handled, and delivers what that causes.
    fn settle(&mut self, workload: &mut dyn Workload) {
        self.deliver(workload);
        self.handling.clear();
        for destroyed in std::mem::take(&mut self.pending_destroys) {
            self.record_destroyed(destroyed);
        }
        self.deliver(workload);
    }
}

fn seconds_to_ns(seconds: f64) -> u64 {
    if seconds.is_nan() || seconds <= 0.0 {
        0
    } else {
        (seconds * NS_PER_S).min(u64::MAX as f64 / 2.0) as u64
    }
}

/// `now + seconds` when `active`; a negative time gives a deadline already due.
fn deadline_after(now: u64, seconds: f64, active: bool) -> Option<u64> {
    active.then(|| now + seconds_to_ns(seconds))
}

fn describe_close(reason: CloseReason) -> String {
    match reason {
        CloseReason::Client => "closed by the client".to_string(),
        CloseReason::Failed { errno } => format!("failed with {}", errno_name(errno)),
        CloseReason::TimedOut => "timed out".to_string(),
    }
}

/// The symbolic name of the errnos a load test meets, for `--debug` traces.
pub fn errno_name(errno: i32) -> String {
    let name = match errno {
        libc::EPERM => "EPERM",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::EPIPE => "EPIPE",
        libc::ENOBUFS => "ENOBUFS",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::ENETDOWN => "ENETDOWN",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ENOTCONN => "ENOTCONN",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EINPROGRESS => "EINPROGRESS",
        _ => return format!("errno {errno}"),
    };
    format!("{name} ({errno})")
}
