//! What `--help` (and so the manual page) claims about `--retry-on-failure`,
//! `--use-timer-cache`, `--max-connections`, `--server` and `--ssl-protocol`,
//! each checked against what a run against a loopback server does.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use support::{closed_port, ok_reply, run_binary, Behaviour, TestServer};

const LIMIT: Duration = Duration::from_secs(30);

/// The `--help` description of `--option`, its lines joined by single spaces.
fn help_for(option: &str) -> String {
    let help = run_binary(&["--help"], LIMIT);
    assert_eq!(help.status, 0);
    let heading = format!("--{option}");
    let mut lines = help.stdout.lines().skip_while(|line| {
        let line = line.trim_start();
        !(line.starts_with(&heading)
            && line[heading.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == ' '))
    });
    assert!(lines.next().is_some(), "no --{option} in --help");
    lines
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `[possible values: …]` line of `--option`'s `--help` description.
fn possible_values(option: &str) -> String {
    let help = run_binary(&["--help"], LIMIT);
    let heading = format!("--{option} <");
    help.stdout
        .lines()
        .skip_while(|line| !line.trim_start().starts_with(&heading))
        .find(|line| line.trim_start().starts_with("[possible values:"))
        .map(|line| line.trim().to_string())
        .unwrap_or_default()
}

fn run(port: u16, extra: &[&str]) -> support::Run {
    let port = format!("--port={port}");
    let mut args = vec!["--server=127.0.0.1", port.as_str()];
    args.extend_from_slice(extra);
    let result = run_binary(&args, LIMIT);
    assert_eq!(result.status, 0, "{}\n{}", result.stdout, result.stderr);
    result
}

fn totals(result: &support::Run) -> &str {
    result
        .line("Total:")
        .split(" test-duration")
        .next()
        .unwrap_or_default()
}

#[test]
fn retry_on_failure_gives_up_after_16_retries() {
    let help = help_for("retry-on-failure");
    assert!(help.contains("at most 16 times in a row"), "{help}");
    assert!(!help.contains("never ends"), "{help}");
    // A connection refused 1 + 16 times, then the session fails.
    let result = run(closed_port(), &["--wsess=1,1,0", "--retry-on-failure"]);
    assert_eq!(result.count("Errors: total", "connrefused"), 17);
    assert!(result.line("Session rate").ends_with("(0/1)"));
    // A call answered with --failure-status: sent 1 + 16 times.
    let busy = b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::Reply(busy));
    let result = run(
        server.port,
        &[
            "--wsess=1,1,0",
            "--failure-status=503",
            "--retry-on-failure",
        ],
    );
    assert_eq!(result.count("Total:", "requests"), 17);
    assert!(result.line("Session rate").ends_with("(0/1)"));
}

#[test]
fn use_timer_cache_is_accepted_and_changes_nothing() {
    let help = help_for("use-timer-cache");
    assert!(help.starts_with("Accepted"), "{help}");
    assert!(help.contains("changes nothing"), "{help}");
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    let args = ["--num-conns=3", "--num-calls=2"];
    let plain = run(server.port, &args);
    let cached = run(server.port, &[&args[..], &["--use-timer-cache"]].concat());
    let echo = cached.stdout.lines().next().unwrap_or_default();
    assert!(echo.contains(" --use-timer-cache "), "{echo}");
    assert_eq!(totals(&plain), totals(&cached));
    assert_eq!(cached.stderr, "");
    let received = server.received();
    assert_eq!(received.len(), 6);
    assert!(received.iter().all(|bytes| *bytes == received[0]));
}

#[test]
fn max_connections_caps_request_mode_too() {
    let help = help_for("max-connections");
    assert!(!help.contains("Only session workloads"), "{help}");
    assert!(
        help.contains("in request mode it counts for the whole test"),
        "{help}"
    );
    let slow = Behaviour::DelayedReply(Duration::from_millis(150), ok_reply("x"));
    let server = TestServer::start(slow);
    let concurrency = |extra: &[&str]| {
        let result = run(
            server.port,
            &[&["--num-conns=6", "--rate=1000"], extra].concat(),
        );
        assert_eq!(
            totals(&result),
            "Total: connections 6 requests 6 replies 6",
            "{extra:?}"
        );
        let line = result.line("Connection rate").to_string();
        line.rsplit("<=")
            .next()
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or_else(|| panic!("{line}"))
    };
    assert_eq!(concurrency(&["--max-connections=2"]), 2);
    assert!(concurrency(&[]) > 2);
    // An arrival that waits for room counts the wait as schedule lag: with
    // one connection at a time, the sixth (due at 5 ms) opens after five
    // replies of 150 ms.
    let waited = run(
        server.port,
        &[
            "--num-conns=6",
            "--rate=1000",
            "--max-connections=1",
            "--percentiles",
        ],
    );
    let lag = waited.line("Schedule lag percentiles [ms]:").to_string();
    let max_ms: f64 = lag
        .rsplit("max ")
        .next()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{lag}"));
    assert!(max_ms > 500.0, "{lag}");
}

/// Answers every request on [::1] with a small reply until `stop` is set
/// (or `LIMIT` has passed).
fn serve_ipv6(listener: TcpListener, stop: &AtomicBool) {
    let _ = listener.set_nonblocking(true);
    let started = Instant::now();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < LIMIT {
        let Ok((mut stream, _)) = listener.accept() else {
            thread::sleep(Duration::from_millis(5));
            continue;
        };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                pending.extend_from_slice(&buffer[..n]);
                while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                    pending.drain(..end + 4);
                    if stream.write_all(&ok_reply("v6")).is_err() {
                        return;
                    }
                }
            }
        });
    }
}

#[test]
fn server_takes_ipv6_addresses() {
    let help = help_for("server");
    assert!(help.contains("IPv6 address"), "{help}");
    let listener = TcpListener::bind("[::1]:0").expect("bind [::1] (IPv6 loopback)");
    let port = listener.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || serve_ipv6(listener, &stop))
    };
    let port_arg = format!("--port={port}");
    for server_arg in ["--server=::1", "--server=[::1]"] {
        let result = run_binary(&[server_arg, &port_arg, "--num-conns=2"], LIMIT);
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(
            totals(&result),
            "Total: connections 2 requests 2 replies 2",
            "{server_arg}"
        );
    }
    stop.store(true, Ordering::SeqCst);
    let _ = server.join();
}

#[test]
fn ssl_protocol_offers_only_what_it_accepts() {
    assert_eq!(
        possible_values("ssl-protocol"),
        "[possible values: auto, TLSv1.2, TLSv1.3]"
    );
    let help = help_for("ssl-protocol");
    assert!(
        help.contains("SSLv2, SSLv3, TLSv1.0 (or TLSv1) and TLSv1.1 are refused"),
        "{help}"
    );
    let port = closed_port().to_string();
    for offered in ["auto", "TLSv1.2", "TLSv1.3"] {
        let protocol = format!("--ssl-protocol={offered}");
        let result = run_binary(&["--server=127.0.0.1", "--port", &port, &protocol], LIMIT);
        assert_eq!(result.status, 0, "{offered}: {}", result.stderr);
        assert_eq!(result.count("Errors: total", "connrefused"), 1);
    }
    for refused in ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1", "TLSv1.1"] {
        let protocol = format!("--ssl-protocol={refused}");
        let result = run_binary(&["--server=127.0.0.1", "--port", &port, &protocol], LIMIT);
        assert_eq!(result.status, 1, "{refused}");
        assert!(
            result.stderr.contains("is not supported"),
            "{}",
            result.stderr
        );
    }
}
