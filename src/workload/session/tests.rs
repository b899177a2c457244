//! The session workload driven by notices through the fake engine: bursts,
//! slots (`--max-connections`, `--max-piped-calls`), think timers, retries and
//! their limit, `--failure-status`, reconnects, cookies, session files, pages.

use std::path::Path;

use super::*;
use crate::workload::fake_engine::{calls, done, tags, Action, FakeEngine};
use crate::workload::rate::Interarrival;
use crate::workload::session_log;
use crate::workload::uri::UriLog;

fn spec(sessions: u64, calls: u64, burst_length: u64, think_time_s: f64) -> SessionSpec {
    SessionSpec {
        sessions,
        script: SessionScript::Calls {
            calls,
            burst_length,
            think_time_s,
        },
        pacing: Pacing::Sequential,
        think_jitter: None,
        seed: 0,
        client_id: 0,
        max_conns: 1,
        max_piped: 1,
        close_after_reply: false,
        failure_status: None,
        retry_on_failure: false,
    }
}

fn factory() -> RequestFactory {
    RequestFactory::new(b"GET", (1, 1), Some(b"h".to_vec()), Vec::new())
}

fn sessions(spec: SessionSpec) -> SessionWorkload {
    SessionWorkload::new(spec, UriSource::Fixed(b"/x".to_vec()), factory())
}

fn from_log(mut spec: SessionSpec, text: &[u8]) -> SessionWorkload {
    let log = session_log::parse(text.to_vec(), b"log", 0.5).expect("a valid session file");
    spec.script = SessionScript::Log(Rc::new(log));
    sessions(spec)
}

fn get(conn: usize, uri: &str) -> (usize, String) {
    (conn, format!("GET {uri} HTTP/1.1"))
}

/// Starts `workload` and returns the engine with the first actions taken.
fn started(workload: &mut SessionWorkload) -> (FakeEngine, Vec<Action>) {
    let mut engine = FakeEngine::new();
    workload.start(&mut engine);
    let actions = engine.take();
    (engine, actions)
}

/// Delivers a reply with `status` to the call tagged `tag` on connection `conn`.
fn reply(
    workload: &mut SessionWorkload,
    engine: &mut FakeEngine,
    conn: usize,
    tag: u64,
    status: u32,
) -> Vec<Action> {
    let notice = done(engine.conn(conn), tag, status);
    workload.handle(engine, notice);
    engine.take()
}

fn deliver(workload: &mut SessionWorkload, engine: &mut FakeEngine, notices: Vec<Notice>) {
    for notice in notices {
        workload.handle(engine, notice);
    }
}

fn summary(workload: &SessionWorkload) -> SessionSummary {
    workload
        .session_summary()
        .expect("sessions report a summary")
}

#[test]
fn the_first_call_of_a_burst_goes_alone_then_the_rest_fill_the_slots() {
    // (max_conns, max_piped) → the calls sent once the first call is done.
    type Case = (usize, usize, &'static [(usize, &'static str)]);
    let cases: &[Case] = &[
        (1, 4, &[(0, "/x"), (0, "/x")]),
        (1, 1, &[(0, "/x")]),
        (2, 1, &[(0, "/x"), (1, "/x")]),
        (3, 1, &[(0, "/x"), (1, "/x")]),
    ];
    for &(max_conns, max_piped, expected) in cases {
        let mut spec = spec(1, 3, 3, 0.0);
        spec.max_conns = max_conns;
        spec.max_piped = max_piped;
        let mut workload = sessions(spec);
        let (mut engine, first) = started(&mut workload);
        assert_eq!(first[0], Action::Open(0));
        assert_eq!(calls(&first), vec![get(0, "/x")], "{max_conns}/{max_piped}");
        let after = reply(&mut workload, &mut engine, 0, 0, 200);
        let expected: Vec<(usize, String)> = expected.iter().map(|&(c, u)| get(c, u)).collect();
        assert_eq!(calls(&after), expected, "{max_conns}/{max_piped}");
    }
}

#[test]
fn a_full_slot_holds_back_the_rest_of_the_burst() {
    let mut workload = sessions(spec(1, 3, 3, 0.0));
    let (mut engine, _) = started(&mut workload);
    assert_eq!(tags(&reply(&mut workload, &mut engine, 0, 0, 200)), vec![1]);
    assert_eq!(tags(&reply(&mut workload, &mut engine, 0, 1, 200)), vec![2]);
}

#[test]
fn a_burst_ends_with_its_think_time_on_a_timer() {
    for think_time_s in [1.5, 0.0] {
        let mut workload = sessions(spec(1, 2, 1, think_time_s));
        let (mut engine, _) = started(&mut workload);
        let after = reply(&mut workload, &mut engine, 0, 0, 200);
        // Session 0's think timer is id 1 (0 is the rate timer).
        assert_eq!(
            after,
            vec![Action::Schedule {
                delay_s: think_time_s,
                id: 1
            }]
        );
        workload.handle(&mut engine, Notice::Timer { id: 1 });
        assert_eq!(calls(&engine.take()), vec![get(0, "/x")]);
    }
}

#[test]
fn a_think_timer_not_armed_is_ignored() {
    let mut workload = sessions(spec(1, 2, 1, 1.0));
    let (mut engine, _) = started(&mut workload);
    workload.handle(&mut engine, Notice::Timer { id: 1 });
    workload.handle(&mut engine, Notice::Timer { id: 7 });
    assert_eq!(engine.take(), vec![]);
}

#[test]
fn the_last_burst_ends_the_session_and_a_sequential_run_starts_the_next() {
    let mut workload = sessions(spec(2, 1, 1, 0.0));
    let (mut engine, _) = started(&mut workload);
    let after = reply(&mut workload, &mut engine, 0, 0, 200);
    assert_eq!(after[..2], [Action::Close(0), Action::Open(1)]);
    assert_eq!(calls(&after), vec![get(1, "/x")]);
    let last = reply(&mut workload, &mut engine, 1, 1, 200);
    assert_eq!(last, vec![Action::Close(1), Action::EndTest]);
    let summary = summary(&workload);
    assert_eq!((summary.completed, summary.failed), (2, 0));
    assert_eq!(summary.length_histogram, vec![0, 2]);
}

#[test]
fn failure_status_without_retry_fails_the_session() {
    let mut spec = spec(1, 3, 1, 0.0);
    spec.failure_status = Some(500);
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    let after = reply(&mut workload, &mut engine, 0, 0, 500);
    assert_eq!(after, vec![Action::Close(0), Action::EndTest]);
    assert_eq!(summary(&workload).failed, 1);
}

#[test]
fn another_status_is_not_a_failure() {
    let mut spec = spec(1, 1, 1, 0.0);
    spec.failure_status = Some(500);
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    reply(&mut workload, &mut engine, 0, 0, 404);
    assert_eq!(
        (summary(&workload).completed, summary(&workload).failed),
        (1, 0)
    );
}

#[test]
fn retry_on_failure_resends_the_call_up_to_the_limit() {
    let mut spec = spec(1, 1, 1, 0.0);
    spec.failure_status = Some(503);
    spec.retry_on_failure = true;
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    let mut tag = 0;
    for attempt in 0..MAX_RETRIES {
        let after = reply(&mut workload, &mut engine, 0, tag, 503);
        assert_eq!(calls(&after), vec![get(0, "/x")], "retry {attempt}");
        tag = tags(&after)[0];
    }
    let after = reply(&mut workload, &mut engine, 0, tag, 503);
    assert_eq!(after, vec![Action::Close(0), Action::EndTest]);
    assert_eq!(summary(&workload).failed, 1);
}

#[test]
fn a_connection_failing_before_any_reply_fails_the_session() {
    let mut workload = sessions(spec(1, 2, 1, 0.0));
    let (mut engine, _) = started(&mut workload);
    let notices = engine.fail(0, CloseReason::Failed { errno: 111 }, 0, Vec::new());
    deliver(&mut workload, &mut engine, notices);
    assert_eq!(engine.take(), vec![Action::EndTest]);
    assert_eq!(summary(&workload).failed, 1);
}

#[test]
fn a_connection_failing_after_a_reply_reconnects_and_resends_what_was_pending() {
    let mut spec = spec(1, 3, 3, 0.0);
    spec.max_piped = 4;
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    assert_eq!(
        tags(&reply(&mut workload, &mut engine, 0, 0, 200)),
        vec![1, 2]
    );
    let unfinished = vec![
        UnfinishedCall {
            tag: 1,
            bytes_written: 10,
        },
        UnfinishedCall {
            tag: 2,
            bytes_written: 0,
        },
    ];
    let notices = engine.fail(0, CloseReason::Failed { errno: 104 }, 1, unfinished);
    deliver(&mut workload, &mut engine, notices);
    let after = engine.take();
    assert_eq!(after[0], Action::Open(1));
    let histories: Vec<(usize, u64)> = after
        .iter()
        .filter_map(|action| match action {
            Action::Issue { conn, history, .. } => Some((*conn, history.bytes_written)),
            _ => None,
        })
        .collect();
    assert_eq!(histories, vec![(1, 10), (1, 0)]);
}

#[test]
fn reconnecting_gives_up_after_the_retry_limit() {
    let mut spec = spec(1, 1, 1, 0.0);
    spec.retry_on_failure = true;
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    for attempt in 0..MAX_RETRIES as usize {
        let unfinished = vec![UnfinishedCall {
            tag: 0,
            bytes_written: 0,
        }];
        let notices = engine.fail(attempt, CloseReason::Failed { errno: 111 }, 0, unfinished);
        deliver(&mut workload, &mut engine, notices);
        let after = engine.take();
        assert_eq!(after[0], Action::Open(attempt + 1), "attempt {attempt}");
        assert_eq!(calls(&after).len(), 1);
    }
    let notices = engine.fail(
        MAX_RETRIES as usize,
        CloseReason::Failed { errno: 111 },
        0,
        Vec::new(),
    );
    deliver(&mut workload, &mut engine, notices);
    assert_eq!(engine.take(), vec![Action::EndTest]);
    assert_eq!(summary(&workload).failed, 1);
}

#[test]
fn a_timed_out_connection_fails_the_session_even_after_replies() {
    let mut workload = sessions(spec(1, 2, 1, 0.0));
    let (mut engine, _) = started(&mut workload);
    let notices = engine.fail(0, CloseReason::TimedOut, 1, Vec::new());
    deliver(&mut workload, &mut engine, notices);
    assert_eq!(engine.take(), vec![Action::EndTest]);
    assert_eq!(summary(&workload).failed, 1);
}

#[test]
fn a_connection_the_client_closed_changes_nothing() {
    let mut workload = sessions(spec(1, 2, 1, 0.0));
    let (mut engine, _) = started(&mut workload);
    let notices = engine.fail(0, CloseReason::Client, 0, Vec::new());
    deliver(&mut workload, &mut engine, notices);
    assert_eq!(engine.take(), vec![]);
    assert_eq!(summary(&workload).failed, 0);
}

#[test]
fn a_session_cookie_goes_back_unless_it_could_split_the_header() {
    let cases: &[(&[u8], Option<&str>)] = &[
        (b"id=1", Some("Cookie: id=1\r\n")),
        (b"id=1\r\nX-Injected: 1", None),
        (b"a\0b", None),
    ];
    for &(value, expected) in cases {
        let mut workload = sessions(spec(1, 2, 1, 0.0));
        let (mut engine, _) = started(&mut workload);
        let notice = Notice::CallDone {
            conn: engine.conn(0),
            tag: 0,
            status: 200,
            cookie: Some(value.to_vec()),
            embedded: Vec::new(),
            history: CallHistory::default(),
        };
        workload.handle(&mut engine, notice);
        workload.handle(&mut engine, Notice::Timer { id: 1 });
        let head = match engine.take().last() {
            Some(Action::Issue { head, .. }) => head.clone(),
            other => panic!("{other:?}"),
        };
        match expected {
            Some(header) => assert!(head.contains(header), "{head:?}"),
            None => assert!(!head.contains("Cookie"), "{head:?}"),
        }
    }
}

#[test]
fn http_1_0_closes_the_slot_after_each_reply_and_reopens_for_the_next_call() {
    let mut spec = spec(1, 2, 1, 0.0);
    spec.close_after_reply = true;
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    let after = reply(&mut workload, &mut engine, 0, 0, 200);
    assert_eq!(after[0], Action::Close(0));
    workload.handle(&mut engine, Notice::Timer { id: 1 });
    let next = engine.take();
    assert_eq!(next[0], Action::Open(1));
    assert_eq!(calls(&next), vec![get(1, "/x")]);
}

#[test]
fn a_session_file_gives_the_bursts_their_methods_bodies_and_think_times() {
    let text = b"/a think=2.0\n /p method=POST contents=abc\n/c\n";
    let mut spec = spec(1, 0, 0, 0.0);
    spec.max_piped = 4;
    let mut workload = from_log(spec, text);
    let (mut engine, first) = started(&mut workload);
    assert_eq!(calls(&first), vec![get(0, "/a")]);
    let second = reply(&mut workload, &mut engine, 0, 0, 200);
    match &second[..] {
        [Action::Issue { line, head, .. }] => {
            assert_eq!(line, "POST /p HTTP/1.1");
            assert!(head.contains("Content-length: 3\r\n"), "{head:?}");
        }
        other => panic!("{other:?}"),
    }
    let after_burst = reply(&mut workload, &mut engine, 0, 1, 200);
    assert_eq!(
        after_burst,
        vec![Action::Schedule {
            delay_s: 2.0,
            id: 1
        }]
    );
    workload.handle(&mut engine, Notice::Timer { id: 1 });
    assert_eq!(calls(&engine.take()), vec![get(0, "/c")]);
    // The last burst uses the default think time, but ends the session.
    let last = reply(&mut workload, &mut engine, 0, 2, 200);
    assert_eq!(last, vec![Action::Close(0), Action::EndTest]);
}

#[test]
fn session_k_replays_definition_k_modulo_the_count() {
    let mut workload = from_log(spec(3, 0, 0, 0.0), b"/one\n\n/two\n");
    let (mut engine, first) = started(&mut workload);
    let mut seen = calls(&first);
    for (conn, tag) in [(0, 0), (1, 1)] {
        seen.extend(calls(&reply(&mut workload, &mut engine, conn, tag, 200)));
    }
    assert_eq!(seen, vec![get(0, "/one"), get(1, "/two"), get(2, "/one")]);
}

#[test]
fn page_sessions_fetch_the_objects_a_page_embeds_from_the_same_server() {
    let mut spec = spec(1, 0, 0, 0.0);
    spec.max_piped = 4;
    spec.script = SessionScript::Pages {
        user_requests: 1,
        think_time_s: 0.0,
        server: "h".to_string(),
    };
    let mut workload = SessionWorkload::new(
        spec,
        UriSource::Fixed(b"/dir/index.html".to_vec()),
        factory(),
    );
    let (mut engine, first) = started(&mut workload);
    assert_eq!(calls(&first), vec![get(0, "/dir/index.html")]);
    let notice = Notice::CallDone {
        conn: engine.conn(0),
        tag: 0,
        status: 200,
        cookie: None,
        embedded: vec![
            "a.gif".to_string(),
            "http://elsewhere/x.gif".to_string(),
            "/b.gif".to_string(),
        ],
        history: CallHistory::default(),
    };
    workload.handle(&mut engine, notice);
    let objects = engine.take();
    assert_eq!(
        calls(&objects),
        vec![get(0, "/dir/a.gif"), get(0, "/b.gif")]
    );
    reply(&mut workload, &mut engine, 0, 1, 200);
    let last = reply(&mut workload, &mut engine, 0, 2, 200);
    assert_eq!(last, vec![Action::Close(0), Action::EndTest]);
    assert_eq!(summary(&workload).length_histogram, vec![0, 0, 0, 1]);
}

#[test]
fn rate_paced_sessions_arrive_on_the_rate_timer() {
    let mut spec = spec(3, 1, 1, 0.0);
    spec.pacing = Pacing::Rate {
        interarrival: Interarrival::Deterministic { iat_s: 0.5 },
        client_id: 0,
    };
    let mut workload = sessions(spec);
    let (mut engine, first) = started(&mut workload);
    assert_eq!(first.last(), Some(&Action::ScheduleAt { at_s: 0.5, id: 0 }));
    engine.now_s = 1.2;
    workload.handle(&mut engine, Notice::Timer { id: 0 });
    let opened: Vec<Action> = engine
        .take()
        .into_iter()
        .filter(|a| matches!(a, Action::Open(_) | Action::ScheduleAt { .. }))
        .collect();
    // Both due sessions, and no timer: every session now exists.
    assert_eq!(opened, vec![Action::Open(1), Action::Open(2)]);
}

#[test]
fn a_rate_paced_session_ending_does_not_start_another() {
    let mut spec = spec(2, 1, 1, 0.0);
    spec.pacing = Pacing::Rate {
        interarrival: Interarrival::Deterministic { iat_s: 0.5 },
        client_id: 0,
    };
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    assert_eq!(
        reply(&mut workload, &mut engine, 0, 0, 200),
        vec![Action::Close(0)]
    );
}

#[test]
fn wlog_running_out_ends_the_test_but_still_opens_the_calls_connection() {
    let log = UriLog::from_bytes(b"/only\0".to_vec(), Path::new("log"), false).expect("valid");
    let mut spec = spec(1, 2, 1, 0.0);
    spec.close_after_reply = true;
    let mut workload = SessionWorkload::new(spec, UriSource::Log(log), factory());
    let (mut engine, first) = started(&mut workload);
    assert_eq!(calls(&first), vec![get(0, "/only")]);
    reply(&mut workload, &mut engine, 0, 0, 200);
    workload.handle(&mut engine, Notice::Timer { id: 1 });
    assert_eq!(engine.take(), vec![Action::EndTest, Action::Open(1)]);
}

#[test]
fn the_session_rate_sample_counts_sessions_ended_since_the_last_one() {
    let mut workload = sessions(spec(2, 1, 1, 0.0));
    let (mut engine, _) = started(&mut workload);
    reply(&mut workload, &mut engine, 0, 0, 200);
    let rate = workload.sample(5.0).expect("sessions sample their rate");
    assert!(rate > 0.0, "{rate}");
    assert_eq!(workload.sample(10.0), Some(0.0));
}

#[test]
fn a_page_fetches_at_most_the_embedded_object_limit() {
    let mut spec = spec(1, 0, 0, 0.0);
    spec.max_piped = 1;
    spec.script = SessionScript::Pages {
        user_requests: 1,
        think_time_s: 0.0,
        server: "h".to_string(),
    };
    let mut workload = SessionWorkload::new(spec, UriSource::Fixed(b"/p.html".to_vec()), factory());
    let (mut engine, _) = started(&mut workload);
    let embedded: Vec<String> = (0..MAX_EMBEDDED_PER_PAGE + 500)
        .map(|i| format!("/o{i}"))
        .collect();
    let notice = Notice::CallDone {
        conn: engine.conn(0),
        tag: 0,
        status: 200,
        cookie: None,
        embedded,
        history: CallHistory::default(),
    };
    workload.handle(&mut engine, notice);
    let mut next = tags(&engine.take());
    let mut objects = 0;
    // One object at a time (one slot, one call each); bounded in case the
    // limit fails.
    while let Some(&tag) = next.first() {
        assert!(
            objects < 2 * MAX_EMBEDDED_PER_PAGE,
            "the limit does not hold"
        );
        objects += 1;
        next = tags(&reply(&mut workload, &mut engine, 0, tag, 200));
    }
    assert_eq!(objects, MAX_EMBEDDED_PER_PAGE);
    assert_eq!(summary(&workload).completed, 1);
}

#[test]
fn a_long_cookie_is_cut_to_httperfs_limit() {
    let mut workload = sessions(spec(1, 2, 1, 0.0));
    let (mut engine, _) = started(&mut workload);
    let notice = Notice::CallDone {
        conn: engine.conn(0),
        tag: 0,
        status: 200,
        cookie: Some(vec![b'c'; 300]),
        embedded: Vec::new(),
        history: CallHistory::default(),
    };
    workload.handle(&mut engine, notice);
    workload.handle(&mut engine, Notice::Timer { id: 1 });
    let Some(Action::Issue { head, .. }) = engine.take().pop() else {
        panic!("the next call");
    };
    let expected = format!("Cookie: {}\r\n", "c".repeat(cookie::MAX_COOKIE_BYTES));
    assert!(head.contains(&expected), "{head:?}");
}

#[test]
fn a_reply_for_a_call_of_an_ended_session_is_ignored() {
    let mut spec = spec(1, 3, 3, 0.0);
    spec.max_piped = 4;
    spec.failure_status = Some(500);
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    assert_eq!(
        tags(&reply(&mut workload, &mut engine, 0, 0, 200)),
        vec![1, 2]
    );
    assert_eq!(
        reply(&mut workload, &mut engine, 0, 1, 500),
        vec![Action::Close(0), Action::EndTest]
    );
    assert_eq!(reply(&mut workload, &mut engine, 0, 2, 200), vec![]);
    let summary = summary(&workload);
    assert_eq!((summary.completed, summary.failed), (0, 1));
}

#[test]
fn session_file_calls_are_labelled_by_their_place_in_the_file_for_the_request_log() {
    let mut spec = spec(1, 0, 0, 0.0);
    spec.max_piped = 4;
    let mut workload = from_log(spec, b"/a\n /b\n/c\n");
    let (mut engine, _) = started(&mut workload);
    reply(&mut workload, &mut engine, 0, 0, 200);
    let after_burst = reply(&mut workload, &mut engine, 0, 1, 200);
    let Some(&Action::Schedule { id, .. }) = after_burst.last() else {
        panic!("no think timer: {after_burst:?}");
    };
    workload.handle(&mut engine, Notice::Timer { id });
    engine.take();
    engine.now_s = 3.0;
    let last = reply(&mut workload, &mut engine, 0, 2, 200);
    assert_eq!(last, vec![Action::Close(0), Action::EndTest]);
    assert_eq!(engine.call_labels, ["0.0.0", "0.0.1", "0.1.0"]);
    assert_eq!(engine.sessions_ended, [(3.0, false)]);
}

#[test]
fn a_late_sessions_connections_carry_its_schedule_lag() {
    let mut spec = spec(3, 1, 1, 0.0);
    spec.pacing = Pacing::Rate {
        interarrival: Interarrival::Deterministic { iat_s: 0.5 },
        client_id: 0,
    };
    let mut workload = sessions(spec);
    let (mut engine, _) = started(&mut workload);
    engine.now_s = 1.2;
    workload.handle(&mut engine, Notice::Timer { id: 0 });
    assert_eq!(engine.arrivals, [0.5, 1.0]);
    let lags_ms: Vec<u64> = engine
        .conn_lags_ns
        .iter()
        .map(|ns| (*ns as f64 / 1e6).round() as u64)
        .collect();
    assert_eq!(lags_ms, [0, 700, 200]);
}
