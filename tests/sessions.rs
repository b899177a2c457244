//! End-to-end session workloads (`--wsess`, later `--wsesslog`) against
//! loopback servers: what the server received and the session report lines.

mod support;

use std::time::Duration;

use support::{closed_port, ok_reply, run_binary, Behaviour, TestServer};

const LIMIT: Duration = Duration::from_secs(30);
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\n\r\n";

fn run(port: u16, extra: &[&str]) -> support::Run {
    let port = format!("--port={port}");
    let mut args = vec!["--server=127.0.0.1", port.as_str()];
    args.extend_from_slice(extra);
    let result = run_binary(&args, LIMIT);
    assert_eq!(result.status, 0, "{}\n{}", result.stdout, result.stderr);
    result
}

#[test]
fn sessions_pipeline_their_calls_on_one_connection() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hi")));
    let result = run(server.port, &["--wsess=2,3,0"]);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 2 requests 6 replies 6")
    );
    assert_eq!(
        server.received(),
        vec![REQUEST.repeat(3), REQUEST.repeat(3)]
    );
    assert!(result.line("Session rate").ends_with("(2/2)"));
    assert_eq!(
        result.line("Session: avg"),
        "Session: avg 1.00 connections/session"
    );
    assert_eq!(
        result.line("Session length"),
        "Session length histogram: 0 0 0 2"
    );
    assert_eq!(result.line("Session failtime"), "Session failtime [s]: 0.0");
}

#[test]
fn bursts_and_think_times_shape_a_session() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hi")));
    let result = run(server.port, &["--wsess=1,5,0.1", "--burst-length=2"]);
    assert_eq!(result.count("Total:", "requests"), 5);
    // Three bursts (2, 2, 1 calls) separated by two 0.1 s think times.
    let lifetime = result.line("Connection time [ms]: min");
    let min_ms: f64 = lifetime
        .split_whitespace()
        .nth(4)
        .and_then(|v| v.parse().ok())
        .expect("min");
    assert!((195.0..1000.0).contains(&min_ms), "{lifetime}");
    assert_eq!(
        result.line("Session length"),
        "Session length histogram: 0 0 0 0 0 1"
    );
}

#[test]
fn session_cookies_are_sent_back() {
    let reply = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    run(
        server.port,
        &[
            "--wsess=1,3,0",
            "--session-cookies",
            "--add-header=X-A: 1\\n",
        ],
    );
    let with_header =
        b"GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\nX-A: 1\r\n\r\n";
    let with_cookie =
        b"GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\nX-A: 1\r\nCookie: b=2\r\n\r\n";
    let mut expected = with_header.to_vec();
    expected.extend_from_slice(with_cookie);
    expected.extend_from_slice(with_cookie);
    assert_eq!(server.received(), vec![expected]);
}

#[test]
fn http_1_0_sessions_use_a_connection_per_call() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    let result = run(server.port, &["--wsess=1,3,0", "--http-version=1.0"]);
    assert_eq!(result.count("Total:", "connections"), 3);
    assert_eq!(
        result.line("Session: avg"),
        "Session: avg 3.00 connections/session"
    );
    let request =
        b"GET / HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive\r\nHost: 127.0.0.1\r\n\r\n";
    assert_eq!(server.received(), vec![request.to_vec(); 3]);
}

#[test]
fn failure_status_fails_the_session() {
    let reply = b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(server.port, &["--wsess=2,3,0", "--failure-status=503"]);
    assert_eq!(result.count("Total:", "replies"), 2);
    assert!(
        result.line("Session rate").ends_with("(0/2)"),
        "{}",
        result.stdout
    );
    assert_eq!(
        result.line("Session length"),
        "Session length histogram: 0 2"
    );
    assert_eq!(
        result.line("Reply status"),
        "Reply status: 1xx=0 2xx=0 3xx=0 4xx=0 5xx=2"
    );
}

#[test]
fn retry_on_failure_status_is_bounded() {
    let reply = b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(
        server.port,
        &[
            "--wsess=1,2,0",
            "--failure-status=503",
            "--retry-on-failure",
        ],
    );
    // The first attempt plus 16 retries, then the session fails.
    assert_eq!(result.count("Total:", "requests"), 17);
    assert!(result.line("Session rate").ends_with("(0/1)"));
}

#[test]
fn a_connection_closed_by_the_server_is_replaced_and_calls_resent() {
    let server = TestServer::start(Behaviour::ReplyThenClose(ok_reply("bye")));
    let result = run(server.port, &["--wsess=1,3,0"]);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 3 requests 5 replies 3")
    );
    assert_eq!(result.count("Errors: total", "connreset"), 2);
    assert!(result.line("Session rate").ends_with("(1/1)"));
    assert_eq!(
        result.line("Session: avg"),
        "Session: avg 3.00 connections/session"
    );
}

#[test]
fn a_timeout_fails_the_session() {
    let server = TestServer::start(Behaviour::Silent);
    let result = run(server.port, &["--wsess=1,2,0", "--timeout=0.3"]);
    assert_eq!(result.count("Errors: total", "client-timo"), 1);
    assert!(result.line("Session rate").ends_with("(0/1)"));
    assert_eq!(result.line("Session length"), "Session length histogram: 1");
    assert_ne!(result.line("Session failtime"), "Session failtime [s]: 0.0");
}

#[test]
fn refused_connections_fail_or_retry_a_bounded_number_of_times() {
    let port = closed_port();
    let result = run(port, &["--wsess=2,1,0"]);
    assert_eq!(result.count("Errors: total", "connrefused"), 2);
    assert!(result.line("Session rate").ends_with("(0/2)"));
    let result = run(port, &["--wsess=1,1,0", "--retry-on-failure"]);
    assert_eq!(result.count("Errors: total", "connrefused"), 17);
    assert!(result.line("Session rate").ends_with("(0/1)"));
}

#[test]
fn session_limits_are_httperfs() {
    let port = closed_port().to_string();
    let args = [
        "--server=127.0.0.1",
        "--port",
        &port,
        "--wsess=1,1,0",
        "--max-connections=5",
    ];
    let result = run_binary(&args, LIMIT);
    assert_eq!(result.status, 1);
    assert_eq!(
        result.stderr,
        "httperf-rs.session_init: --max-conns must be <= 4\n"
    );
    let args = ["--server=127.0.0.1", "--port", &port, "--wsess=0,1,0"];
    assert_eq!(run_binary(&args, LIMIT).status, 1);
}
