//! The engine's actions and timers with a clock the test moves by hand:
//! nothing waits for the wall clock, and no socket is opened but the loopback
//! pair a connection's timers need.

use std::cell::{Cell, RefCell};

use super::*;

/// A clock that only moves when the test says so.
#[derive(Clone, Default)]
struct HandClock(Rc<Cell<u64>>);

impl HandClock {
    fn advance_s(&self, seconds: f64) {
        self.0.set(self.0.get() + seconds_to_ns(seconds));
    }
}

impl Clock for HandClock {
    fn now_ns(&self) -> u64 {
        self.0.get()
    }
}

fn config() -> EngineConfig {
    EngineConfig {
        program: "httperf".to_string(),
        servers: vec!["127.0.0.1:9".parse().expect("an address")],
        socket: SocketOptions {
            send_buffer: 0,
            recv_buffer: 0,
            close_with_reset: false,
        },
        hog: false,
        timeout_s: 0.0,
        think_timeout_s: 0.0,
        client_id: 0,
        num_clients: 1,
        runtime_s: 0.0,
        verbose: 0,
        debug: 0,
        print: PrintSelection::default(),
        capture_cookies: false,
        capture_pages: false,
        periodic_stats: false,
        local_addrs: Vec::new(),
        tls: None,
    }
}

fn engine<'out>(out: &'out mut Vec<u8>, clock: &HandClock) -> Engine<'out> {
    // Starts one second in, so that "now" is never the clock's zero.
    clock.advance_s(1.0);
    Engine::with_clock(config(), out, Box::new(clock.clone())).expect("a poller and a timerfd")
}

/// Records the notices it is handed.
#[derive(Default)]
struct Recorder {
    notices: Rc<RefCell<Vec<Notice>>>,
}

impl Workload for Recorder {
    fn start(&mut self, _engine: &mut dyn Actions) {}
    fn handle(&mut self, _engine: &mut dyn Actions, notice: Notice) {
        self.notices.borrow_mut().push(notice);
    }
}

#[test]
fn now_is_read_from_the_clock_since_the_start() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let engine = engine(&mut out, &clock);
    assert_eq!(engine.now_s(), 0.0);
    clock.advance_s(2.5);
    assert_eq!(engine.now_s(), 2.5);
}

#[test]
fn end_test_prints_the_burst_line_once_and_stops() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    assert!(engine.is_running());
    clock.advance_s(3.0);
    engine.end_test();
    clock.advance_s(1.0);
    engine.end_test();
    assert!(!engine.is_running());
    assert_eq!(engine.stop_ns, Some(seconds_to_ns(4.0)));
    drop(engine);
    assert_eq!(out, b"Maximum connect burst length: 0\n");
}

#[test]
fn print_line_writes_bytes_as_given_to_the_borrowed_output() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    Actions::print_line(&mut engine, b"\xff line");
    drop(engine);
    assert_eq!(out, b"\xff line\n");
}

#[test]
fn the_runtime_ends_the_test_when_the_clock_reaches_it() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    engine.runtime_end_ns = Some(clock.now_ns() + seconds_to_ns(2.0));
    clock.advance_s(1.999);
    assert!(!engine.stop_if_requested());
    clock.advance_s(0.001);
    assert!(engine.stop_if_requested());
    assert!(!engine.is_running());
}

#[test]
fn workload_timers_are_due_by_the_clock_in_deadline_order() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    let mut workload = Recorder::default();
    let notices = Rc::clone(&workload.notices);
    engine.schedule(0.5, 7);
    // At 0.25 s after the start, whatever the clock says now.
    engine.schedule_at(0.25, 8);
    // Not positive: due at once.
    engine.schedule(-1.0, 9);
    assert_eq!(engine.timers.next_deadline(), Some(clock.now_ns()));
    engine.fire_due_timers(&mut workload);
    assert_eq!(*notices.borrow(), vec![Notice::Timer { id: 9 }]);
    clock.advance_s(0.3);
    engine.fire_due_timers(&mut workload);
    clock.advance_s(0.3);
    engine.fire_due_timers(&mut workload);
    let ids: Vec<Notice> = [9, 8, 7].map(|id| Notice::Timer { id }).into();
    assert_eq!(*notices.borrow(), ids);
}

#[test]
fn the_runtime_timer_ends_the_test_from_the_loop() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    let mut workload = Recorder::default();
    engine
        .timers
        .push(clock.now_ns() + seconds_to_ns(1.0), Timer::Runtime);
    engine.fire_due_timers(&mut workload);
    assert!(engine.is_running());
    clock.advance_s(1.0);
    engine.fire_due_timers(&mut workload);
    assert!(!engine.is_running());
}

#[test]
fn calls_and_closes_on_unknown_connections_are_ignored() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    let stranger = ConnId::fake(3);
    let request = Rc::new(RequestBytes {
        head: b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        body: Vec::new(),
    });
    assert_eq!(engine.issue_call(stranger, request, false, 0), None);
    engine.close_connection(stranger);
    assert_eq!(engine.open_connections(), 0);
    assert!(engine.notices.is_empty());
}

#[test]
fn seconds_convert_to_nanoseconds_without_overflow_or_nan() {
    let cases = [
        (1.5, 1_500_000_000),
        (0.0, 0),
        (-2.0, 0),
        (f64::NAN, 0),
        // Capped at half the range, so that adding it to a time cannot overflow.
        (f64::INFINITY, 1 << 63),
        (1e300, 1 << 63),
    ];
    for (seconds, ns) in cases {
        assert_eq!(seconds_to_ns(seconds), ns, "{seconds}");
    }
}

#[test]
fn watchdog_spans_follow_the_timeouts() {
    let spans = |timeout_s: f64, think_timeout_s: f64| {
        let config = EngineConfig {
            timeout_s,
            think_timeout_s,
            ..config()
        };
        let spans = DeadlineSpans::of(&config);
        (spans.connect_ns, spans.send_ns, spans.reply_ns)
    };
    let s = 1_000_000_000;
    assert_eq!(spans(5.0, 2.0), (Some(5 * s), Some(5 * s), Some(7 * s)));
    assert_eq!(spans(0.0, 0.0), (None, None, None));
    // --think-timeout alone bounds only the wait for a reply.
    assert_eq!(spans(0.0, 3.0), (None, None, Some(3 * s)));
    // A negative --timeout: no connect deadline, a send deadline due at once.
    assert_eq!(spans(-1.0, 0.0), (None, Some(0), None));
    assert_eq!(spans(1e-9, 0.0), (Some(1), Some(1), Some(1)));
}

#[test]
fn errno_names_and_close_reasons_read_as_in_traces() {
    assert_eq!(errno_name(libc::ECONNREFUSED), "ECONNREFUSED (111)");
    assert_eq!(errno_name(4242), "errno 4242");
    assert_eq!(
        describe_close(CloseReason::Failed {
            errno: libc::ECONNRESET
        }),
        "failed with ECONNRESET (104)"
    );
    assert_eq!(describe_close(CloseReason::TimedOut), "timed out");
}

/// A connected connection (on a loopback pair) placed in the engine's slab,
/// with one call whose request is out; the listener keeps the peer alive.
fn place_connection(engine: &mut Engine<'_>) -> (usize, std::net::TcpListener) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let stream = std::net::TcpStream::connect(listener.local_addr().expect("address"))
        .expect("connect loopback");
    stream.set_nonblocking(true).expect("non-blocking");
    let mut calls = CallQueue::default();
    calls.push(Call::empty(0));
    calls.mark_front_sent();
    let key = engine.conns.insert(Conn {
        serial: 0,
        transport: Transport::Plain(mio::net::TcpStream::from_std(stream)),
        state: ConnState::Connected,
        connect_start_ns: engine.clock.now_ns(),
        calls,
        replies: 0,
        peer_closed: false,
        watchdog_ns: None,
        watchdog_armed_ns: None,
        hog_port: None,
        unclaimed: Vec::new(),
        deferred_read: None,
        timing: ConnTiming::default(),
    });
    (key, listener)
}

fn set_reply_deadline(engine: &mut Engine<'_>, key: usize, at: u64) {
    if let Some(call) = engine.conns[key].calls.awaiting_front_mut() {
        call.deadline_ns = Some(at);
    }
    engine.rearm_watchdog(key);
}

#[test]
fn a_deadline_that_moves_later_keeps_one_timer_entry_and_still_expires() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    let mut workload = Recorder::default();
    let notices = Rc::clone(&workload.notices);
    let (key, _listener) = place_connection(&mut engine);
    let start = clock.now_ns();
    for step in 1..=10 {
        set_reply_deadline(&mut engine, key, start + seconds_to_ns(f64::from(step)));
    }
    assert_eq!(engine.timers.len(), 1, "one queued entry for ten deadlines");
    // The first deadline passes: the connection lives on, its entry moves on.
    clock.advance_s(1.0);
    engine.fire_due_timers(&mut workload);
    assert_eq!(engine.open_connections(), 1);
    assert_eq!(
        engine.timers.next_deadline(),
        Some(start + seconds_to_ns(10.0))
    );
    clock.advance_s(8.999);
    engine.fire_due_timers(&mut workload);
    assert_eq!(engine.open_connections(), 1);
    clock.advance_s(0.001);
    engine.fire_due_timers(&mut workload);
    assert_eq!(engine.open_connections(), 0);
    assert!(notices.borrow().iter().any(|notice| matches!(
        notice,
        Notice::ConnClosed {
            reason: CloseReason::TimedOut,
            ..
        }
    )));
}

#[test]
fn a_deadline_that_moves_earlier_expires_at_the_earlier_time() {
    let clock = HandClock::default();
    let mut out = Vec::new();
    let mut engine = engine(&mut out, &clock);
    let mut workload = Recorder::default();
    let (key, _listener) = place_connection(&mut engine);
    let start = clock.now_ns();
    set_reply_deadline(&mut engine, key, start + seconds_to_ns(5.0));
    set_reply_deadline(&mut engine, key, start + seconds_to_ns(2.0));
    clock.advance_s(2.0);
    engine.fire_due_timers(&mut workload);
    assert_eq!(engine.open_connections(), 0);
}
