//! Request mode driven by notices through the fake engine: which connections
//! it opens, the calls and bursts it issues, when it closes and ends the test.

use std::path::Path;

use super::*;
use crate::engine::CloseReason;
use crate::workload::fake_engine::{calls, done, Action, FakeEngine};
use crate::workload::uri::UriLog;

fn spec(num_conns: u64, num_calls: u64, burst_length: u64) -> RequestModeSpec {
    RequestModeSpec {
        num_conns,
        num_calls,
        burst_length,
        pacing: Pacing::Sequential,
        max_open_conns: 0,
    }
}

fn at_rate(mut spec: RequestModeSpec, rate: f64) -> RequestModeSpec {
    spec.pacing = Pacing::Rate {
        interarrival: Interarrival::Deterministic { iat_s: 1.0 / rate },
        client_id: 0,
    };
    spec
}

fn factory() -> RequestFactory {
    RequestFactory::new(b"GET", (1, 1), Some(b"h".to_vec()), Vec::new())
}

fn mode(spec: RequestModeSpec) -> RequestMode {
    RequestMode::new(spec, UriSource::Fixed(b"/x".to_vec()), factory())
}

fn with_log(spec: RequestModeSpec, uris: &[u8], wrap: bool) -> RequestMode {
    let log = UriLog::from_bytes(uris.to_vec(), Path::new("log"), wrap).expect("a valid log");
    RequestMode::new(spec, UriSource::Log(log), factory())
}

fn get(conn: usize, uri: &str) -> (usize, String) {
    (conn, format!("GET {uri} HTTP/1.1"))
}

/// Completes every call the fake recorded so far on `conn`, in order.
fn answer(
    workload: &mut RequestMode,
    engine: &mut FakeEngine,
    conn: usize,
    replies: usize,
) -> Vec<Action> {
    for _ in 0..replies {
        let notice = done(engine.conn(conn), 0, 200);
        workload.handle(engine, notice);
    }
    engine.take()
}

#[test]
fn sequential_start_opens_one_connection_and_no_timer() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(spec(3, 1, 1));
    workload.start(&mut engine);
    assert_eq!(engine.take(), vec![Action::Open(0)]);
}

#[test]
fn bursts_are_burst_length_calls_then_the_remainder_then_close() {
    // (num_calls, burst_length) → calls issued per burst.
    let cases: &[(u64, u64, &[usize])] = &[
        (1, 1, &[1]),
        (5, 3, &[3, 2]),
        (4, 2, &[2, 2]),
        (3, 10, &[3]),
        (4, 1, &[1, 1, 1, 1]),
    ];
    for &(num_calls, burst_length, bursts) in cases {
        let mut engine = FakeEngine::new();
        let mut workload = mode(spec(1, num_calls, burst_length));
        workload.start(&mut engine);
        engine.take();
        let notice = Notice::Connected(engine.conn(0));
        workload.handle(&mut engine, notice);
        let mut actions = engine.take();
        for (i, &size) in bursts.iter().enumerate() {
            assert_eq!(
                calls(&actions).len(),
                size,
                "{num_calls} calls in bursts of {burst_length}: burst {i}"
            );
            actions = answer(&mut workload, &mut engine, 0, size);
        }
        assert_eq!(
            actions,
            vec![Action::Close(0)],
            "{num_calls}/{burst_length}"
        );
    }
}

#[test]
fn a_burst_waits_for_all_its_replies() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(spec(1, 6, 3));
    workload.start(&mut engine);
    let notice = Notice::Connected(engine.conn(0));
    workload.handle(&mut engine, notice);
    engine.take();
    assert_eq!(answer(&mut workload, &mut engine, 0, 2), vec![]);
    assert_eq!(calls(&answer(&mut workload, &mut engine, 0, 1)).len(), 3);
}

#[test]
fn sequential_connections_follow_each_destruction_until_the_last_ends_the_test() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(spec(2, 1, 1));
    workload.start(&mut engine);
    engine.take();
    let notice = Notice::ConnDestroyed(engine.conn(0));
    workload.handle(&mut engine, notice);
    assert_eq!(engine.take(), vec![Action::Open(1)]);
    let notice = Notice::ConnDestroyed(engine.conn(1));
    workload.handle(&mut engine, notice);
    assert_eq!(engine.take(), vec![Action::EndTest]);
}

#[test]
fn a_failed_connection_counts_towards_the_end() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(spec(1, 2, 1));
    workload.start(&mut engine);
    engine.take();
    for notice in engine.fail(0, CloseReason::Failed { errno: 111 }, 0, Vec::new()) {
        workload.handle(&mut engine, notice);
    }
    assert_eq!(engine.take(), vec![Action::EndTest]);
}

#[test]
fn rate_pacing_arms_the_rate_timer_and_releases_what_is_due() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(at_rate(spec(5, 1, 1), 10.0));
    workload.start(&mut engine);
    assert_eq!(
        engine.take(),
        vec![
            Action::Open(0),
            Action::ScheduleAt {
                at_s: 0.1,
                id: RATE_TIMER
            }
        ]
    );
    // 0.25 s later: the arrivals at 0.1 and 0.2 are due, the next is at 0.3.
    engine.now_s = 0.25;
    workload.handle(&mut engine, Notice::Timer { id: RATE_TIMER });
    let actions = engine.take();
    assert_eq!(&actions[..2], &[Action::Open(1), Action::Open(2)]);
    match actions[2] {
        Action::ScheduleAt { at_s, id } => {
            assert_eq!(id, RATE_TIMER);
            assert!((at_s - 0.3).abs() < 1e-9, "{at_s}");
        }
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn rate_pacing_stops_the_timer_once_every_connection_exists() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(at_rate(spec(2, 1, 1), 10.0));
    workload.start(&mut engine);
    engine.take();
    engine.now_s = 5.0;
    workload.handle(&mut engine, Notice::Timer { id: RATE_TIMER });
    assert_eq!(engine.take(), vec![Action::Open(1)]);
    workload.handle(&mut engine, Notice::Timer { id: RATE_TIMER });
    assert_eq!(engine.take(), vec![]);
}

#[test]
fn max_connections_defers_arrivals_until_a_connection_is_destroyed() {
    let mut engine = FakeEngine::new();
    let mut spec = at_rate(spec(3, 1, 1), 10.0);
    spec.max_open_conns = 1;
    let mut workload = mode(spec);
    workload.start(&mut engine);
    engine.take();
    engine.now_s = 0.15;
    workload.handle(&mut engine, Notice::Timer { id: RATE_TIMER });
    let actions = engine.take();
    assert!(
        !actions.iter().any(|a| matches!(a, Action::Open(_))),
        "{actions:?}"
    );
    for notice in engine.fail(0, CloseReason::Client, 1, Vec::new()) {
        workload.handle(&mut engine, notice);
    }
    assert_eq!(engine.take(), vec![Action::Open(1)]);
}

#[test]
fn a_reply_on_an_unknown_connection_is_ignored() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(spec(1, 1, 1));
    workload.start(&mut engine);
    engine.take();
    workload.handle(&mut engine, done(ConnId::fake(99), 0, 200));
    workload.handle(&mut engine, Notice::Connected(ConnId::fake(99)));
    assert_eq!(engine.take(), vec![]);
}

#[test]
fn wlog_without_wrap_ends_the_test_when_the_uris_run_out() {
    let mut engine = FakeEngine::new();
    let mut workload = with_log(spec(1, 3, 1), b"/a\0/b\0", false);
    workload.start(&mut engine);
    let notice = Notice::Connected(engine.conn(0));
    workload.handle(&mut engine, notice);
    engine.take();
    let after_a = answer(&mut workload, &mut engine, 0, 1);
    assert_eq!(calls(&after_a), vec![get(0, "/b")]);
    let after_b = answer(&mut workload, &mut engine, 0, 1);
    assert_eq!(after_b, vec![Action::EndTest]);
}

#[test]
fn wlog_with_wrap_starts_again_from_the_first_uri() {
    let mut engine = FakeEngine::new();
    let mut workload = with_log(spec(1, 3, 3), b"/a\0/b\0", true);
    workload.start(&mut engine);
    let notice = Notice::Connected(engine.conn(0));
    workload.handle(&mut engine, notice);
    assert_eq!(
        calls(&engine.take()),
        vec![get(0, "/a"), get(0, "/b"), get(0, "/a")]
    );
}

#[test]
fn verbose_prints_each_generated_uri_but_not_a_fixed_one() {
    for (generated, expected_prints) in [(true, 2), (false, 0)] {
        let mut engine = FakeEngine::new();
        engine.verbose = 1;
        let mut workload = if generated {
            with_log(spec(1, 2, 2), b"/a\0/b\0", true)
        } else {
            mode(spec(1, 2, 2))
        };
        workload.start(&mut engine);
        let notice = Notice::Connected(engine.conn(0));
        workload.handle(&mut engine, notice);
        let prints: Vec<Action> = engine
            .take()
            .into_iter()
            .filter(|a| matches!(a, Action::Print(_)))
            .collect();
        assert_eq!(prints.len(), expected_prints, "generated: {generated}");
        if generated {
            assert_eq!(
                prints[0],
                Action::Print("httperf: accessing URI `/a'".into())
            );
        }
    }
}

#[test]
fn wlog_calls_are_labelled_by_their_place_in_the_file_for_the_request_log() {
    let mut engine = FakeEngine::new();
    let mut workload = with_log(spec(1, 4, 4), b"/a\0\0/b\0/c\0", true);
    workload.start(&mut engine);
    let notice = Notice::Connected(engine.conn(0));
    workload.handle(&mut engine, notice);
    assert_eq!(engine.call_labels, ["0", "1", "2", "0"]);
}

#[test]
fn rate_paced_connections_carry_the_schedule_lag_of_their_arrival() {
    let mut engine = FakeEngine::new();
    let mut workload = mode(at_rate(spec(3, 1, 1), 2.0));
    workload.start(&mut engine);
    engine.now_s = 1.2;
    workload.handle(&mut engine, Notice::Timer { id: RATE_TIMER });
    assert_eq!(engine.arrivals, [0.5, 1.0]);
    let lags_ms: Vec<u64> = engine
        .conn_lags_ns
        .iter()
        .map(|ns| (*ns as f64 / 1e6).round() as u64)
        .collect();
    assert_eq!(lags_ms, [0, 700, 200]);
}

#[test]
fn an_arrival_deferred_by_max_connections_lags_until_it_is_created() {
    let mut engine = FakeEngine::new();
    let mut spec = at_rate(spec(3, 1, 1), 10.0);
    spec.max_open_conns = 1;
    let mut workload = mode(spec);
    workload.start(&mut engine);
    engine.take();
    // The arrival due at 0.1 finds the one connection open and waits.
    engine.now_s = 0.15;
    workload.handle(&mut engine, Notice::Timer { id: RATE_TIMER });
    engine.take();
    assert!(engine.arrivals.is_empty(), "{:?}", engine.arrivals);
    // Room comes at 0.4: the arrival due at 0.1 is created 0.3 s late.
    engine.now_s = 0.4;
    for notice in engine.fail(0, CloseReason::Client, 1, Vec::new()) {
        workload.handle(&mut engine, notice);
    }
    assert_eq!(engine.take(), vec![Action::Open(1)]);
    assert_eq!(engine.arrivals, [0.1]);
    let lag_ms = engine.arrival_lags_ns[0] as f64 / 1e6;
    assert!((lag_ms - 300.0).abs() < 1.0, "{lag_ms}");
    assert_eq!(
        engine.conn_lags_ns.last().copied(),
        Some(engine.arrival_lags_ns[0])
    );
}
