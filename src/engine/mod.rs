//! The event engine: one mio `Poll`, a slab of connections (token = slab key),
//! a deadline queue whose next deadline arms a timerfd the epoll wait also
//! watches (nanoseconds; set again only when its next expiry, repeating the
//! spacing of the last deadlines, does not stand for that deadline), and
//! dispatch of readiness to the connection state machine. It records statistics as events
//! happen and tells the workload what happened through `Notice`s; it never
//! decides what to request or when.

/// A `--debug` trace at `level`: the message is formatted only when traces
/// of that level are on, so that a run without `--debug` spends nothing on
/// them.
macro_rules! trace {
    ($config:expr, $level:expr, $($message:tt)*) => {
        if $config.debug >= $level {
            $config.print_trace(format_args!($($message)*));
        }
    };
}

mod actions;
mod api;
pub mod conn;
mod errno;
mod lifecycle;
mod sink;
pub mod socket;
pub mod timers;
pub mod transport;
mod wire;

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::rc::Rc;

use mio::unix::SourceFd;
use mio::{Interest, Poll, Token};
use slab::Slab;

use crate::http::request::RequestBytes;
use crate::http::response::ReplyParser;
use crate::report;
use crate::results::{CallTiming, CloseCause, ConnFacts, ConnTiming, Recorder};
use crate::stats::basic::BasicStats;
use crate::stats::print::PrintSelection;
use crate::stats::summary::Summary;
use crate::sys::{self, TimerFd};
pub use api::{
    Actions, CallHistory, Clock, CloseReason, ConnId, ConnMap, MonotonicClock, Notice,
    UnfinishedCall, Workload,
};
use conn::{Call, CallQueue, Conn, ConnState};
use errno::describe_close;
pub use errno::errno_name;
pub use sink::PageCapture;
use socket::{PortMap, SetupError, SocketOptions};
use timers::{Timer, TimerQueue, WakeChange, WakeTimer};
use transport::{Transport, TransportError};
use wire::{start_sending_front, Readiness};

const TIMER_TOKEN: Token = Token(usize::MAX);
/// The descriptor a stop signal (SIGINT, SIGTERM, SIGHUP) makes readable.
const STOP_SIGNAL_TOKEN: Token = Token(usize::MAX - 1);
const READ_BUFFER_BYTES: usize = 64 * 1024;
/// Readiness events taken from the kernel per wait.
const EVENTS_PER_WAIT: usize = 1024;
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
    /// \[master\] `--runtime`: end the test after this many seconds (0 = off).
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
    /// \[master\] `--periodic-stats`: a 200/302 count line every second.
    pub periodic_stats: bool,
    /// \[master\] `--myaddr`: local addresses to connect from, round robin.
    pub local_addrs: Vec<std::net::IpAddr>,
    /// `--ssl`: every connection speaks TLS with this client.
    pub tls: Option<crate::tls::TlsClient>,
}

impl EngineConfig {
    /// `--debug` traces (see `trace!`): stderr only, so report parsers
    /// never see them.
    #[cold]
    #[inline(never)]
    fn print_trace(&self, message: std::fmt::Arguments<'_>) {
        eprintln!("{}: debug: {message}", self.program);
    }
}

/// What a finished run produced.
pub struct RunOutcome {
    pub summary: Summary,
    /// The connections still open when the test ended.
    pub open_connections: OpenConnections,
    /// The results recorder, when one was attached.
    pub results: Option<Box<Recorder>>,
}

/// Connections the test abandoned when it ended, as httperf does: dropping
/// this closes them. Closing thousands of sockets takes tens of milliseconds,
/// so it is left until the report is out.
pub struct OpenConnections {
    _conns: Slab<Conn>,
}

pub struct Engine<'out> {
    config: EngineConfig,
    clock: Box<dyn Clock>,
    poll: Poll,
    timerfd: TimerFd,
    wake_timer: WakeTimer,
    conns: Slab<Conn>,
    timers: TimerQueue,
    notices: VecDeque<Notice>,
    stats: BasicStats,
    out: &'out mut dyn Write,
    running: bool,
    iteration: u64,
    start_ns: u64,
    stop_ns: Option<u64>,
    /// [master] `--runtime`: when the test ends, also checked between units
    /// of work so that a loop turn that runs long cannot overshoot it.
    runtime_end_ns: Option<u64>,
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
    /// The timers being fired (kept between loop turns for its allocation).
    due_timers: Vec<(u64, Timer)>,
    read_buffer: Vec<u8>,
    /// The first TLS failure has been described on stderr.
    tls_error_reported: bool,
    /// The results options' recorder (none without them).
    results: Option<Box<Recorder>>,
    /// Schedule lag of the arrival being created (given to its connections).
    arrival_lag_ns: u64,
    /// The arrival being created was deferred (`Actions::defer_arrival`).
    arrival_deferred: bool,
    /// The request log's tag for the next call issued.
    next_call_label: Option<Rc<str>>,
    /// httperf's three watchdog spans, converted once from the
    /// configuration's seconds (`None` = no deadline).
    deadlines: DeadlineSpans,
    /// `config.servers` in the form connect() takes, converted once.
    server_sockaddrs: Vec<socket2::SockAddr>,
}

/// How long after its start each watchdog stage may last, in nanoseconds.
#[derive(Debug, Clone, Copy)]
struct DeadlineSpans {
    /// Connecting (TLS handshake included): `--timeout` when positive.
    connect_ns: Option<u64>,
    /// Sending a request: `--timeout` when not 0 (a negative one is due at once).
    send_ns: Option<u64>,
    /// Waiting for a reply: `--timeout` plus `--think-timeout`, when positive.
    reply_ns: Option<u64>,
}

impl DeadlineSpans {
    fn of(config: &EngineConfig) -> DeadlineSpans {
        let timeout_s = config.timeout_s;
        let wait_s = timeout_s + config.think_timeout_s;
        DeadlineSpans {
            connect_ns: (timeout_s > 0.0).then(|| seconds_to_ns(timeout_s)),
            send_ns: (timeout_s != 0.0).then(|| seconds_to_ns(timeout_s)),
            reply_ns: (wait_s > 0.0).then(|| seconds_to_ns(wait_s)),
        }
    }
}

impl<'out> Engine<'out> {
    /// Creates the poller and timer, reading the monotonic clock. `out`
    /// receives everything the run prints on stdout (the burst line, verbose
    /// samples).
    pub fn new(config: EngineConfig, out: &'out mut dyn Write) -> io::Result<Engine<'out>> {
        Engine::with_clock(config, out, Box::new(MonotonicClock))
    }

    /// `new` with the time read from `clock`. The timerfd that wakes the
    /// loop counts on the system's monotonic clock, so `run` needs a clock
    /// that reads it; another clock serves tests that drive the engine's
    /// actions and timers without the loop.
    pub fn with_clock(
        config: EngineConfig,
        out: &'out mut dyn Write,
        clock: Box<dyn Clock>,
    ) -> io::Result<Engine<'out>> {
        let poll = Poll::new()?;
        let timerfd = TimerFd::new()?;
        poll.registry().register(
            &mut SourceFd(&timerfd.as_raw_fd()),
            TIMER_TOKEN,
            Interest::READABLE,
        )?;
        if let Some(fd) = sys::stop_wake_fd() {
            poll.registry()
                .register(&mut SourceFd(&fd), STOP_SIGNAL_TOKEN, Interest::READABLE)?;
        }
        let now = clock.now_ns();
        Ok(Engine {
            deadlines: DeadlineSpans::of(&config),
            server_sockaddrs: (config.servers.iter())
                .map(|&server| socket2::SockAddr::from(server))
                .collect(),
            config,
            clock,
            poll,
            timerfd,
            wake_timer: WakeTimer::default(),
            conns: Slab::new(),
            timers: TimerQueue::default(),
            notices: VecDeque::new(),
            stats: BasicStats::new(0.0),
            out,
            running: true,
            iteration: 0,
            start_ns: now,
            stop_ns: None,
            runtime_end_ns: None,
            cpu_at_start: (0.0, 0.0),
            next_call_id: 0,
            next_conn_serial: 0,
            next_server: 0,
            next_local: 0,
            ports: PortMap::default(),
            handling: Vec::new(),
            pending_destroys: Vec::new(),
            due_timers: Vec::new(),
            read_buffer: vec![0; READ_BUFFER_BYTES],
            tls_error_reported: false,
            results: None,
            arrival_lag_ns: 0,
            arrival_deferred: false,
            next_call_label: None,
        })
    }

    /// Feeds the run's events to `recorder` as well.
    pub fn attach_results(&mut self, recorder: Box<Recorder>) {
        self.results = Some(recorder);
    }

    /// Runs the test to its end and returns the collected data.
    pub fn run(mut self, workload: &mut dyn Workload) -> io::Result<RunOutcome> {
        self.start_ns = self.clock.now_ns();
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
            self.runtime_end_ns = Some(at);
        }
        if let Some(results) = self.results.as_deref_mut() {
            results.begin(self.start_ns);
            if results.wants_ticks() {
                let at = self.start_ns + seconds_to_ns(1.0);
                self.timers.push(at, Timer::Results);
            }
        }
        // A stop signal that came before the start (during --start-at's
        // wait) ends the test before its first connection.
        if !self.stop_if_requested() {
            workload.start(&mut self);
            self.settle(workload);
        }
        let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; EVENTS_PER_WAIT];
        while self.running {
            if self.conns.is_empty() && self.timers.is_empty() {
                // Nothing can ever happen again; httperf would wait forever.
                self.end_test();
                break;
            }
            let ready = match self.wait(&mut events) {
                Ok(ready) => ready,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => 0,
                Err(error) => return Err(error),
            };
            self.iteration += 1;
            if self.stop_if_requested() {
                break;
            }
            for event in &events[..ready] {
                // Copied out: the kernel's structure is packed.
                let (token, bits) = (event.u64, event.events);
                match Token(token as usize) {
                    TIMER_TOKEN => self.timerfd.clear(),
                    // The flag is read by `stop_if_requested`.
                    STOP_SIGNAL_TOKEN => {}
                    Token(key) => {
                        self.handling.push(key);
                        self.on_ready(key, Readiness::of(bits));
                        self.settle(workload);
                    }
                }
                if self.stop_if_requested() {
                    break;
                }
            }
            if self.running {
                self.fire_due_timers(workload);
            }
        }
        self.out.flush()?;
        let stop_ns = self.stop_ns.unwrap_or_else(|| self.clock.now_ns());
        let (user_end, system_end) = sys::cpu_times_s();
        let duration_s = stop_ns.saturating_sub(self.start_ns) as f64 / NS_PER_S;
        if let Some(results) = self.results.as_deref_mut() {
            // Connections still open when the test ends (--runtime, a
            // signal, the last session done while others' calls wait) are
            // left as they are, as httperf leaves them; their calls still
            // get their request-log lines, cancelled by the client.
            for (_, conn) in self.conns.iter_mut() {
                if !conn.calls.is_empty() {
                    conn.record_closed(results, stop_ns, CloseCause::Client);
                }
            }
            results.end(stop_ns);
        }
        let mut summary = self.stats.finish(
            duration_s,
            user_end - self.cpu_at_start.0,
            system_end - self.cpu_at_start.1,
        );
        summary.session = workload.session_summary();
        summary.websocket = workload.websocket_summary();
        Ok(RunOutcome {
            summary,
            open_connections: OpenConnections {
                _conns: std::mem::take(&mut self.conns),
            },
            results: self.results.take(),
        })
    }

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
            if self.stop_if_requested() {
                self.notices.clear();
                break;
            }
            workload.handle(self, notice);
        }
    }

    /// Waits for readiness events until the next deadline; returns how many
    /// entries of `events` were filled.
    fn wait(&mut self, events: &mut [libc::epoll_event]) -> io::Result<usize> {
        self.compact_timers();
        let epoll: RawFd = self.poll.as_raw_fd();
        // A timerfd armed at the next deadline rather than a timeout of the
        // wait itself (epoll_pwait2): a wait with a timeout arms and cancels
        // a kernel timer every time it sleeps, twice or more per connection,
        // while the timerfd changes only when the next deadline does. On
        // this project's benchmark machine that is 6-9% less CPU (README,
        // Benchmarks).
        self.arm_timerfd()?;
        sys::epoll_wait(epoll, events)
    }

    /// Drops the stale watchdog entries once they outnumber the live ones.
    fn compact_timers(&mut self) {
        if self.timers.len() > TIMER_COMPACTION_FACTOR * (self.conns.len() + 64) {
            let conns = &self.conns;
            self.timers.retain(|at, timer| match timer {
                Timer::Watchdog { key, conn_serial } => conns
                    .get(*key)
                    .is_some_and(|c| c.serial == *conn_serial && c.watchdog_armed_ns == Some(at)),
                _ => true,
            });
        }
    }

    fn arm_timerfd(&mut self) -> io::Result<()> {
        let next = self.timers.next_deadline();
        let now = match next {
            Some(_) => self.clock.now_ns(),
            None => 0,
        };
        match self.wake_timer.change_for(next, now) {
            WakeChange::Keep => Ok(()),
            WakeChange::Disarm => self.timerfd.set(None),
            WakeChange::Set(setting) => self
                .timerfd
                .set(Some((setting.first_ns, setting.period_ns))),
        }
    }

    fn fire_due_timers(&mut self, workload: &mut dyn Workload) {
        let now = self.clock.now_ns();
        // Timers armed while these run wait for the next iteration, so a
        // zero-delay timer costs one loop pass, like httperf's one tick.
        let mut due = std::mem::take(&mut self.due_timers);
        while let Some(entry) = self.timers.pop_due(now) {
            due.push(entry);
        }
        for (at, timer) in due.drain(..) {
            if self.stop_if_requested() {
                break;
            }
            match timer {
                Timer::Watchdog { key, conn_serial } => {
                    if self.watchdog_expired(key, conn_serial, at) {
                        trace!(self.config, 1, "connection {conn_serial} timed out");
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
        due.clear();
        self.due_timers = due;
    }

    /// The watchdog entry `at` of connection `key` came due: true when its
    /// deadline is reached. A deadline that moved later since the entry was
    /// queued gets an entry of its own now (see `rearm_watchdog`).
    fn watchdog_expired(&mut self, key: usize, conn_serial: u64, at: u64) -> bool {
        let Some(conn) = self.conns.get_mut(key) else {
            return false;
        };
        if conn.serial != conn_serial || conn.watchdog_armed_ns != Some(at) {
            return false;
        }
        conn.watchdog_armed_ns = None;
        match conn.watchdog_ns {
            Some(deadline) if deadline <= at => true,
            Some(deadline) => {
                conn.watchdog_armed_ns = Some(deadline);
                self.timers
                    .push(deadline, Timer::Watchdog { key, conn_serial });
                false
            }
            None => false,
        }
    }

    fn take_sample(&mut self, workload: &mut dyn Workload) {
        let now = self.clock.now_ns();
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
        let now = self.clock.now_ns();
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
        let now = self.clock.now_ns();
        if let Some(results) = self.results.as_deref_mut() {
            results.tick(now);
            self.timers.push(now + seconds_to_ns(1.0), Timer::Results);
        }
    }

    fn secs_since_start(&self, ns: u64) -> f64 {
        ns.saturating_sub(self.start_ns) as f64 / NS_PER_S
    }

    fn send_deadline(&self, now: u64) -> Option<u64> {
        self.deadlines.send_ns.map(|span| now + span)
    }

    fn reply_deadline(&self, now: u64) -> Option<u64> {
        self.deadlines.reply_ns.map(|span| now + span)
    }

    /// Ends a dispatch: delivers its notices, then destroys the connections
    /// that were closed while being handled, and delivers what that causes.
    fn settle(&mut self, workload: &mut dyn Workload) {
        self.deliver(workload);
        self.handling.clear();
        // Taken out and put back so that its allocation serves every dispatch.
        let mut pending = std::mem::take(&mut self.pending_destroys);
        for destroyed in pending.drain(..) {
            self.record_destroyed(destroyed);
        }
        self.pending_destroys = pending;
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

#[cfg(test)]
mod tests;
