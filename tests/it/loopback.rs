//! End-to-end runs of the httperf-rs binary against loopback servers started
//! by each test: exact counts in the report and the exact bytes the server saw.

use crate::support;

use std::time::Duration;

use support::{closed_port, ok_reply, run_binary, Behaviour, TestServer};

const LIMIT: Duration = Duration::from_secs(30);

fn base_args(port: u16) -> Vec<String> {
    vec!["--server=127.0.0.1".to_string(), format!("--port={port}")]
}

fn run(port: u16, extra: &[&str]) -> support::Run {
    let mut args = base_args(port);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_binary(&refs, LIMIT)
}

const DEFAULT_REQUEST: &[u8] =
    b"GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\n\r\n";

#[test]
fn connections_at_a_rate_send_httperfs_exact_request() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let result = run(server.port, &["--num-conns=20", "--rate=200"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 20 requests 20 replies 20")
    );
    assert_eq!(result.line("Request size"), "Request size [B]: 62.0");
    assert_eq!(
        result.line("Reply status"),
        "Reply status: 1xx=0 2xx=20 3xx=0 4xx=0 5xx=0"
    );
    assert_eq!(result.count("Errors: total", "total"), 0);
    let received = server.received();
    assert_eq!(received.len(), 20);
    assert!(received.iter().all(|bytes| bytes == DEFAULT_REQUEST));
    // 20 connections 5 ms apart: the last starts 95 ms after the first.
    let duration: f64 = result
        .line("Total:")
        .rsplit("test-duration ")
        .next()
        .and_then(|rest| rest.trim_end_matches(" s").parse().ok())
        .expect("duration");
    assert!((0.09..2.0).contains(&duration), "duration {duration}");
    assert_eq!(
        result.stdout.lines().next(),
        Some(format!(
            "httperf-rs --client=0/1 --server=127.0.0.1 --port={} --uri=/ --rate=200 --send-buffer=4096 --recv-buffer=16384 --num-conns=20 --num-calls=1",
            server.port
        ).as_str())
    );
}

#[test]
fn keep_alive_calls_share_one_connection() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("abc")));
    let result = run(server.port, &["--num-conns=2", "--num-calls=3", "--uri=/x"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.count("Total:", "requests"), 6);
    assert_eq!(result.count("Total:", "replies"), 6);
    assert_eq!(
        result.line("Connection length"),
        "Connection length [replies/conn]: 3.000"
    );
    assert!(result
        .line("Connection rate")
        .ends_with("<=1 concurrent connections)"));
    let request = b"GET /x HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\n\r\n";
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|bytes| *bytes == request.repeat(3)));
}

#[test]
fn pipelined_bursts_and_a_short_final_burst() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    // 5 calls in bursts of 2: httperf 0.9.0 hangs on the final short burst.
    let result = run(server.port, &["--num-calls=5", "--burst-length=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.count("Total:", "requests"), 5);
    assert_eq!(result.count("Total:", "replies"), 5);
    assert_eq!(server.received()[0], DEFAULT_REQUEST.repeat(5));
}

#[test]
fn http_1_0_requests_and_extra_headers() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("")));
    let result = run(
        server.port,
        &[
            "--http-version=1.0",
            "--add-header=X-A: 1\\nX-B: \\101\\n",
            "--server-name=example.test:8080",
            "--method=HEAD",
        ],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(
        server.received()[0],
        b"HEAD / HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive\r\nHost: example.test:8080\r\nX-A: 1\r\nX-B: A\r\n\r\n"
    );
    assert_eq!(result.count("Total:", "replies"), 1);
}

#[test]
fn server_closing_a_keep_alive_connection_counts_a_reset() {
    let server = TestServer::start(Behaviour::ReplyThenClose(ok_reply("bye")));
    let result = run(server.port, &["--num-calls=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.count("Total:", "requests"), 2);
    assert_eq!(result.count("Total:", "replies"), 1);
    assert_eq!(result.count("Errors: total", "connreset"), 1);
    assert_eq!(
        result.line("Connection length"),
        "Connection length [replies/conn]: 1.000"
    );
}

#[test]
fn refused_connections_are_counted() {
    let port = closed_port();
    let result = run(port, &["--num-conns=3"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 3 requests 0 replies 0")
    );
    assert_eq!(result.count("Errors: total", "connrefused"), 3);
    assert_eq!(result.count("Errors: total", "total"), 3);
}

#[test]
fn silent_server_times_out_per_connection() {
    let server = TestServer::start(Behaviour::Silent);
    let result = run(server.port, &["--num-conns=2", "--timeout=0.3"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 2 requests 2 replies 0")
    );
    assert_eq!(result.count("Errors: total", "client-timo"), 2);
    assert_eq!(
        result.line("Connection time [ms]: min"),
        "Connection time [ms]: min 0.0 avg 0.0 max 0.0 median 0.0 stddev 0.0"
    );
}

#[test]
fn think_timeout_alone_bounds_the_reply_wait() {
    let server = TestServer::start(Behaviour::Silent);
    let result = run(server.port, &["--think-timeout=0.2"]);
    assert_eq!(result.count("Errors: total", "client-timo"), 1);
}

#[test]
fn reset_by_server_is_a_connreset() {
    let server = TestServer::start(Behaviour::Reset);
    let result = run(server.port, &["--num-conns=2"]);
    assert_eq!(result.count("Errors: total", "connreset"), 2);
    assert_eq!(result.count("Total:", "replies"), 0);
}

#[test]
fn chunked_replies_count_header_content_and_footer_bytes() {
    let reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n world!\r\n0\r\nX-Foot: bar\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(server.port, &["--num-calls=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(
        result.line("Reply size"),
        "Reply size [B]: header 47.0 content 12.0 footer 15.0 (total 74.0)"
    );
    assert_eq!(result.count("Total:", "replies"), 2);
}

#[test]
fn error_statuses_are_replies_in_their_class() {
    let reply = b"HTTP/1.1 503 Busy\r\nContent-Length: 2\r\n\r\nno".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(server.port, &["--num-calls=3"]);
    assert_eq!(
        result.line("Reply status"),
        "Reply status: 1xx=0 2xx=0 3xx=0 4xx=0 5xx=3"
    );
}

#[test]
fn more_than_a_thousand_connections_are_held_open_at_once() {
    let reply = ok_reply("late");
    let server = TestServer::start(Behaviour::DelayedReply(Duration::from_millis(1500), reply));
    let result = run(
        server.port,
        &["--num-conns=1500", "--rate=20000", "--timeout=20"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.count("Total:", "replies"), 1500);
    assert_eq!(result.count("Errors: total", "total"), 0);
    let concurrency = result.line("Connection rate");
    let peak: u64 = concurrency
        .rsplit("<=")
        .next()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("peak");
    assert!(peak > 1024, "peak concurrency {peak}");
}

#[test]
fn sigint_ends_the_test_with_a_report() {
    let server = TestServer::start(Behaviour::Silent);
    let port = format!("--port={}", server.port);
    let result = support::interrupted_after(
        &["--server=127.0.0.1", &port],
        Duration::from_millis(300),
        LIMIT,
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert!(result.stdout.contains("Maximum connect burst length: 0\n"));
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 1 requests 1 replies 0")
    );
}

#[test]
fn periodic_stats_print_a_line_a_second_and_a_total_block() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("p")));
    let result = run(
        server.port,
        &["--num-conns=13", "--rate=10", "--periodic-stats"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    let lines: Vec<&str> = result
        .stdout
        .lines()
        .filter(|line| line.starts_with('['))
        .collect();
    assert_eq!(lines.len(), 1, "{}", result.stdout);
    assert!(lines[0].starts_with("[1.0"), "{}", lines[0]);
    assert!(lines[0].ends_with(" s] 200=10, 302=0"), "{}", lines[0]);
    assert_eq!(
        result.line("Periodic stats"),
        "Periodic stats: 200=13 302=0"
    );
    assert!(result
        .stdout
        .contains("\n\nPeriodic stats: 200=13 302=0\n\nCPU time"));
}

#[test]
fn myaddr_connects_from_each_local_address_in_turn() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("m")));
    let result = run(
        server.port,
        &[
            "--num-conns=4",
            "--myaddr=127.0.0.2-127.0.0.3",
            "--myaddr=127.0.0.5",
        ],
    );
    assert_eq!(result.count("Total:", "replies"), 4);
    let peers: Vec<String> = server.peers().iter().map(|p| p.ip().to_string()).collect();
    assert_eq!(peers, ["127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.2"]);
    let result = run(
        server.port,
        &["--num-conns=2", "--hog", "--myaddr=127.0.0.7"],
    );
    assert_eq!(result.count("Total:", "replies"), 2);
    assert!(server.peers()[4..]
        .iter()
        .all(|p| p.ip().to_string() == "127.0.0.7"));
}

#[test]
fn hostile_replies_are_counted_never_fatal() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let server = TestServer::start(Behaviour::ReplyThenClose(garbage));
    let result = run(server.port, &["--num-conns=3"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.count("Total:", "connections"), 3);

    let mut huge = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 2 << 20));
    huge.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\nok");
    let server = TestServer::start(Behaviour::Reply(huge));
    let result = run(server.port, &["--num-calls=2"]);
    assert_eq!(result.count("Total:", "replies"), 2);
    assert!(
        result.stderr.contains("truncating header"),
        "{}",
        result.stderr
    );

    let server = TestServer::start(Behaviour::Reply(
        b"HTTP/1.1 600 Odd\r\nContent-Length: 1\r\n\r\nx".to_vec(),
    ));
    let result = run(server.port, &["--num-calls=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    // Status 600 completes the call but is not a reply (0.9.0 aborts here).
    assert_eq!(result.count("Total:", "replies"), 0);
    assert_eq!(result.count("Total:", "requests"), 2);
    assert_eq!(result.count("Errors: total", "total"), 0);
}

#[test]
fn a_body_after_head_and_a_truncated_body_do_not_break_the_run() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("unexpected body")));
    let result = run(server.port, &["--method=HEAD", "--num-calls=3"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    // The unasked-for body is dropped (0.9.0 aborts); should it arrive late,
    // it starts the next reply's (invalid, 599) status line: three replies
    // either way.
    assert_eq!(result.count("Total:", "requests"), 3);
    assert_eq!(result.count("Total:", "replies"), 3);

    let server = TestServer::start(Behaviour::ReplyThenClose(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
    ));
    let result = run(server.port, &["--num-conns=2"]);
    // A truncated body still completes its reply, as in 0.9.0.
    assert_eq!(result.count("Total:", "replies"), 2);
    assert_eq!(result.count("Errors: total", "total"), 0);
    assert_eq!(
        result.line("Reply size"),
        "Reply size [B]: header 40.0 content 5.0 footer 0.0 (total 45.0)"
    );
}

#[test]
fn a_slow_drip_times_out_once_the_status_line_is_in() {
    // 17 status-line bytes then 23 more, 20 ms apart: each read extends the
    // reply deadline only while the status line is awaited (httperf's rule).
    let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody".to_vec();
    let gap = Duration::from_millis(20);
    let server = TestServer::start(Behaviour::Drip(gap, reply.clone()));
    let result = run(server.port, &["--timeout=0.3"]);
    assert_eq!(result.count("Errors: total", "client-timo"), 1);
    assert_eq!(result.count("Total:", "replies"), 0);
    let server = TestServer::start(Behaviour::Drip(gap, reply));
    let result = run(server.port, &["--timeout=0.3", "--think-timeout=1"]);
    assert_eq!(result.count("Errors: total", "total"), 0);
    assert_eq!(result.count("Total:", "replies"), 1);
}
