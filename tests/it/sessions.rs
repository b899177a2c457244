//! End-to-end session workloads (`--wsess`, later `--wsesslog`) against
//! loopback servers: what the server received and the session report lines.

use crate::support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

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
fn a_session_of_no_calls_still_makes_one_as_in_0_9_0() {
    // 0.9.0 issues a session's first call before comparing the calls done
    // with N2: --wsess=N,0,X sessions are one call long.
    let server = TestServer::start(Behaviour::Reply(ok_reply("hi")));
    let result = run(
        server.port,
        &["--wsess=2,0,0", "--burst-length=3", "--rate=50"],
    );
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 2 requests 2 replies 2")
    );
    assert_eq!(
        result.line("Session length histogram:"),
        "Session length histogram: 0 2"
    );
    assert!(
        result.stdout.contains(" --wsess=2,0,0.000 "),
        "{}",
        result.stdout
    );
    let refused = run(closed_port(), &["--wsess=1,0,0"]);
    assert!(refused.line("Session rate").ends_with("(0/1)"));
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

fn write_temp(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("httperf-rs-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write session file");
    path
}

#[test]
fn session_logs_replay_their_requests_round_robin() {
    let log = write_temp(
        "sessions.log",
        b"# two sessions\n/a think=0.05\n\t/a1\n\t/a2\n/b method=POST contents='x y'\n\n/c method=HEAD\n",
    );
    let server = TestServer::start(Behaviour::Reply(ok_reply("")));
    let arg = format!("--wsesslog=3,0,{}", log.display());
    let result = run(server.port, &[&arg]);
    let _ = std::fs::remove_file(&log);
    assert_eq!(result.count("Total:", "requests"), 9);
    assert!(result.line("Session rate").ends_with("(3/3)"));
    assert_eq!(
        result.line("Session length"),
        "Session length histogram: 0 1 0 0 2"
    );
    let get = |path: &str| {
        format!("GET {path} HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\n\r\n")
    };
    let post = "POST /b HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\nContent-length: 3\r\n\r\nx y";
    let first = format!("{}{}{}{post}", get("/a"), get("/a1"), get("/a2"));
    let second = "HEAD /c HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\n\r\n";
    let received: Vec<String> = server
        .received()
        .iter()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert_eq!(received, [first.clone(), second.to_string(), first]);
}

#[test]
fn malformed_session_logs_are_refused_with_the_line() {
    let log = write_temp("bad.log", b"/ok\n/x method=get\n");
    let arg = format!("--wsesslog=1,0,{}", log.display());
    let port = closed_port().to_string();
    let result = run_binary(&["--server=127.0.0.1", "--port", &port, &arg], LIMIT);
    let _ = std::fs::remove_file(&log);
    assert_eq!(result.status, 1);
    assert_eq!(
        result.stderr,
        format!(
            "httperf-rs: did not recognize method 'get' in {0}\nhttperf-rs: (in {0}, line 2)\n",
            log.display()
        )
    );
    let missing = "--wsesslog=1,0,/nonexistent/session.log";
    let result = run_binary(&["--server=127.0.0.1", "--port", &port, missing], LIMIT);
    assert_eq!(result.status, 1);
    assert_eq!(
        result.stderr,
        "httperf-rs: can't open /nonexistent/session.log\n"
    );
}

fn html(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn pages_fetch_their_embedded_objects() {
    let page = "<html><img src=\"logo.gif\"><!-- <img src=hidden.gif> -->\
                <IMG SRC=/img/b.gif><iframe src=frame.html></iframe>\
                <img src=\"http://elsewhere.test/x.gif\"></html>";
    let routes = vec![
        ("/dir/page.html".to_string(), html(page)),
        ("/dir/logo.gif".to_string(), ok_reply("gif")),
        ("/img/b.gif".to_string(), ok_reply("gif")),
        ("/dir/frame.html".to_string(), html("<img src=inner.gif>")),
        ("/dir/inner.gif".to_string(), ok_reply("gif")),
    ];
    let server = TestServer::start(Behaviour::ByPath(routes));
    let result = run(server.port, &["--wsesspage=1,2,0", "--uri=/dir/page.html"]);
    // Two user requests, each: the page, three objects, and the frame's image.
    assert_eq!(result.count("Total:", "replies"), 10);
    assert_eq!(
        result.line("Reply status"),
        "Reply status: 1xx=0 2xx=10 3xx=0 4xx=0 5xx=0"
    );
    assert!(result.line("Session rate").ends_with("(1/1)"));
}

#[test]
fn a_redirect_is_followed_whatever_the_case_of_its_header_name() {
    let redirect = |name: &str| {
        format!("HTTP/1.1 302 Found\r\n{name}: /dir/target.html\r\nContent-Length: 0\r\n\r\n")
            .into_bytes()
    };
    let routes = vec![
        ("/dir/lower".to_string(), redirect("location")),
        ("/dir/upper".to_string(), redirect("LOCATION")),
        ("/dir/target.html".to_string(), ok_reply("target")),
    ];
    let server = TestServer::start(Behaviour::ByPath(routes));
    for start in ["/dir/lower", "/dir/upper"] {
        let uri = format!("--uri={start}");
        let result = run(server.port, &["--wsesspage=1,1,0", &uri]);
        assert_eq!(result.count("Total:", "replies"), 2, "{start}");
        assert_eq!(
            result.line("Reply status"),
            "Reply status: 1xx=0 2xx=1 3xx=1 4xx=0 5xx=0",
            "{start}"
        );
    }
}

#[test]
fn a_page_that_embeds_itself_forever_is_bounded() {
    let page = html("<img src=page.html><img src=page.html>");
    let server = TestServer::start(Behaviour::ByPath(vec![("/page.html".to_string(), page)]));
    let result = run(server.port, &["--wsesspage=1,1,0", "--uri=/page.html"]);
    assert_eq!(result.count("Total:", "replies"), 1001);
}

#[test]
fn a_retried_call_keeps_adding_to_its_byte_counters() {
    // httperf re-issues the same call object: its written-byte counter and
    // its reply header byte counter keep growing over the attempts.
    let busy = b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::FirstThen(busy, ok_reply("ok")));
    let result = run(
        server.port,
        &[
            "--wsess=1,1,0",
            "--failure-status=503",
            "--retry-on-failure",
        ],
    );
    assert_eq!(result.count("Total:", "requests"), 2);
    // (62 + 124) / 2 bytes per request.
    assert_eq!(result.line("Request size"), "Request size [B]: 93.0");
    // Headers: 40 (the 503), then 40 + 64 (the 200 counted with the 503's),
    // over 2 replies; content starts again with each reply: (0 + 2) / 2.
    assert_eq!(
        result.line("Reply size"),
        "Reply size [B]: header 72.0 content 1.0 footer 0.0 (total 73.0)"
    );
    assert!(result.line("Session rate").ends_with("(1/1)"));
}

#[test]
fn a_replacement_connection_opens_while_the_failed_one_still_exists() {
    let server = TestServer::start(Behaviour::ReplyThenClose(ok_reply("bye")));
    let result = run(server.port, &["--wsess=1,3,0"]);
    assert!(
        result
            .line("Connection rate")
            .ends_with("<=2 concurrent connections)"),
        "{}",
        result.line("Connection rate")
    );
}

#[test]
fn the_next_sequential_session_starts_before_the_last_connection_goes() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    for args in [
        &["--wsess=3,2,0"][..],
        &[
            "--wsess=2,10,0",
            "--burst-length=5",
            "--max-connections=2",
            "--max-piped-calls=2",
        ],
    ] {
        let result = run(server.port, args);
        assert!(
            result
                .line("Connection rate")
                .ends_with("<=2 concurrent connections)"),
            "{args:?}: {}",
            result.line("Connection rate")
        );
    }
}

#[test]
fn the_session_call_that_wraps_a_uri_log_still_opens_its_connection() {
    let log = write_temp("uris", b"/a\0/b\0\0/c\0");
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    let arg = format!("--wlog=n,{}", log.display());
    let result = run(server.port, &["--wsess=2,3,0", &arg]);
    let _ = std::fs::remove_file(&log);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 2 requests 3 replies 3")
    );
}

/// A loopback server for `--wsesspage` memory tests: `/page.html` is an HTML
/// reply without a length that streams `<img src=a.gif>` tags for `total`
/// bytes and then closes; any other path gets a small reply. Stops when
/// dropped (or after a minute, whatever happens).
struct EndlessPageServer {
    port: u16,
    stop: Arc<AtomicBool>,
    accept_thread: Option<thread::JoinHandle<()>>,
}

impl EndlessPageServer {
    fn start(total: usize) -> EndlessPageServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let accept_stop = Arc::clone(&stop);
        let accept_thread = thread::spawn(move || {
            let started = Instant::now();
            while !accept_stop.load(Ordering::SeqCst) && started.elapsed() < LIMIT * 2 {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let stop = Arc::clone(&accept_stop);
                        thread::spawn(move || serve_endless_page(stream, total, &stop));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        EndlessPageServer {
            port,
            stop,
            accept_thread: Some(accept_thread),
        }
    }
}

impl Drop for EndlessPageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
    }
}

fn serve_endless_page(mut stream: TcpStream, total: usize, stop: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let started = Instant::now();
    let mut pending = Vec::new();
    let mut buffer = [0u8; 16384];
    while !stop.load(Ordering::SeqCst) && started.elapsed() < LIMIT {
        match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => pending.extend_from_slice(&buffer[..n]),
            Err(error)
                if error.kind() == std::io::ErrorKind::WouldBlock
                    || error.kind() == std::io::ErrorKind::TimedOut =>
            {
                continue
            }
            Err(_) => return,
        }
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let request: Vec<u8> = pending.drain(..end + 4).collect();
            if !request.starts_with(b"GET /page.html ") {
                if stream.write_all(&ok_reply("gif")).is_err() {
                    return;
                }
                continue;
            }
            let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>";
            let chunk = b"<img src=a.gif>".repeat(4096);
            let mut sent = 0;
            let _ = stream.write_all(head);
            while sent < total && !stop.load(Ordering::SeqCst) {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
                sent += chunk.len();
            }
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

#[test]
fn a_page_that_streams_images_without_end_keeps_memory_flat() {
    const PAGE_BYTES: usize = 64 << 20;
    let server = EndlessPageServer::start(PAGE_BYTES);
    let port = format!("--port={}", server.port);
    let (result, peak_kib) = support::run_measuring_peak_rss(
        LIMIT,
        &[
            "--server=127.0.0.1",
            &port,
            "--wsesspage=1,1,0",
            "--uri=/page.html",
            "--timeout=20",
        ],
    );
    assert_eq!(result.status, 0, "{}\n{}", result.stdout, result.stderr);
    // The page (4 million tags) and the 1,000 objects a page may embed.
    assert_eq!(result.count("Total:", "replies"), 1001, "{}", result.stdout);
    assert!(result.line("Session rate").ends_with("(1/1)"));
    // Keeping every reference found would take hundreds of MiB.
    assert!(peak_kib > 0, "no VmHWM sample of the run");
    assert!(peak_kib < 32 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn sessions_in_flight_share_a_long_burst_of_the_log_instead_of_copying_it() {
    const REQUESTS: usize = 400_000;
    let scratch = support::Scratch::new("long-burst");
    let mut log = b"/first\n".to_vec();
    log.extend(b" /next\n".repeat(REQUESTS - 1));
    let path = scratch.write("burst.log", &log);
    let server = TestServer::start(Behaviour::Silent);
    let port = format!("--port={}", server.port);
    let wsesslog = format!("--wsesslog=4,0,{}", path.to_str().expect("utf-8 path"));
    // Four sessions at once, each waiting (1 s, then a timeout) on its
    // burst's first call with the other 399,999 pending.
    let (result, peak_kib) = support::run_measuring_peak_rss(
        LIMIT,
        &[
            "--server=127.0.0.1",
            &port,
            &wsesslog,
            "--rate=100",
            "--timeout=1",
        ],
    );
    assert_eq!(result.status, 0, "{}\n{}", result.stdout, result.stderr);
    assert_eq!(
        result.count("Errors: total", "client-timo"),
        4,
        "{}",
        result.stdout
    );
    // A copy of the burst per session took about 140 bytes a request:
    // 220 MiB here.
    assert!(peak_kib > 0, "no VmHWM sample of the run");
    assert!(peak_kib < 48 * 1024, "peak RSS {peak_kib} KiB");
}

/// Every CR of `request` starts a CRLF and every LF ends one, and no NUL.
fn only_crlf_line_ends(request: &[u8]) -> bool {
    request.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => request.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && request[i - 1] == b'\r',
        0 => false,
        _ => true,
    })
}

#[test]
fn cookies_with_cr_lf_or_nul_are_never_sent_back() {
    let good = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nContent-Length: 0\r\n\r\n".to_vec();
    for bad_value in [&b"a=b\rX-Inj: 1; Path=/"[..], b"a=b\0X"] {
        let mut bad = b"HTTP/1.1 200 OK\r\nSet-Cookie: ".to_vec();
        bad.extend_from_slice(bad_value);
        bad.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        let server = TestServer::start(Behaviour::FirstThen(good.clone(), bad));
        let result = run(server.port, &["--wsess=1,4,0", "--session-cookies"]);
        assert_eq!(result.count("Total:", "replies"), 4);
        // The refused value leaves the session's earlier cookie in place.
        let with_cookie = b"GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\nCookie: a=1\r\n\r\n";
        let mut expected = REQUEST.to_vec();
        expected.extend_from_slice(&with_cookie.repeat(3));
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let received: Vec<String> = server.received().iter().map(|r| text(r)).collect();
        assert_eq!(received, [text(&expected)], "{bad_value:?}");
        // Three refusals, one warning.
        assert_eq!(
            result.stderr,
            "httperf-rs.sess_cookie: ignoring cookies that contain a CR, LF or NUL byte\n"
        );
    }
}

#[test]
fn a_location_with_a_bare_cr_cannot_inject_a_header() {
    let page = b"HTTP/1.1 302 Found\r\nLocation: /next\rX-Inj: 1\r\nContent-Length: 0\r\n\r\n";
    let routes = vec![
        ("/page.html".to_string(), page.to_vec()),
        ("/nextX-Inj:%201".to_string(), ok_reply("x")),
    ];
    let server = TestServer::start(Behaviour::ByPath(routes));
    let result = run(server.port, &["--wsesspage=1,1,0", "--uri=/page.html"]);
    assert_eq!(
        result.line("Reply status"),
        "Reply status: 1xx=0 2xx=1 3xx=1 4xx=0 5xx=0"
    );
    let received = server.received().concat();
    assert!(only_crlf_line_ends(&received), "{received:?}");
}
