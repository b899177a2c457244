//! End-to-end runs of the results options (`--percentiles`, `--json`,
//! `--log-requests`, `--self-check`, `--progress`) against loopback servers
//! started by each test.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use support::{closed_port, ok_reply, run_binary, Behaviour, TestServer};

const LIMIT: Duration = Duration::from_secs(60);

fn run(port: u16, extra: &[&str]) -> support::Run {
    let mut args = vec!["--server=127.0.0.1".to_string(), format!("--port={port}")];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_binary(&refs, LIMIT)
}

/// A keep-alive server that delays every `nth` reply on a connection by
/// `delay`, the others answered at once.
struct SlowEveryNth {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl SlowEveryNth {
    fn start(nth: usize, delay: Duration) -> SlowEveryNth {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    thread::spawn(move || serve_slow_every_nth(stream, nth, delay));
                }
            }
        });
        SlowEveryNth { port, stop }
    }
}

impl Drop for SlowEveryNth {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve_slow_every_nth(mut stream: TcpStream, nth: usize, delay: Duration) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let reply = ok_reply("x");
    let mut pending = Vec::new();
    let mut answered = 0;
    let mut buffer = [0u8; 4096];
    loop {
        let Ok(read) = stream.read(&mut buffer) else {
            return;
        };
        if read == 0 {
            return;
        }
        pending.extend_from_slice(&buffer[..read]);
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            pending.drain(..end + 4);
            answered += 1;
            if answered % nth == 0 {
                thread::sleep(delay);
            }
            if stream.write_all(&reply).is_err() {
                return;
            }
        }
    }
}

/// The values of a `... percentiles [ms]: p50 X p90 Y ... max Z` line.
fn percentile_values(line: &str) -> Vec<(String, f64)> {
    let values = line.split_once("]: ").map_or("", |(_, rest)| rest);
    let words: Vec<&str> = values.split_whitespace().collect();
    words
        .chunks(2)
        .map(|pair| {
            let value = pair.get(1).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
            (pair[0].to_string(), value)
        })
        .collect()
}

fn value_of(line: &str, label: &str) -> f64 {
    percentile_values(line)
        .into_iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {label} in {line}"))
}

#[test]
fn percentiles_show_a_tenth_of_replies_delayed_by_50ms() {
    let server = SlowEveryNth::start(10, Duration::from_millis(50));
    let result = run(server.port, &["--num-calls=100", "--percentiles"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    for measure in ["Reply time", "Response time"] {
        let line = result.line(&format!("{measure} percentiles [ms]:"));
        assert!(value_of(line, "p90") < 50.0, "{line}");
        assert!(value_of(line, "p99") > 50.0, "{line}");
        assert!(value_of(line, "max") < 1000.0, "{line}");
    }
    // The block follows the report, in its documented order.
    let tail: Vec<&str> = result
        .stdout
        .split("Errors: fd-unavail")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .collect();
    let names: Vec<&str> = tail
        .iter()
        .filter_map(|line| line.split(" percentiles").next())
        .collect();
    assert_eq!(
        names,
        [
            "",
            "Connect time",
            "Response time",
            "Transfer time",
            "Reply time",
            "Connection lifetime"
        ]
    );
}

#[test]
fn percentiles_take_a_list() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let result = run(
        server.port,
        &["--num-conns=20", "--rate=500", "--percentiles=50,75,99.999"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    for measure in [
        "Reply time",
        "Schedule lag",
        "Reply time from intended start",
    ] {
        let line = result.line(&format!("{measure} percentiles [ms]:"));
        let labels: Vec<String> = percentile_values(line)
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert_eq!(labels, ["p50", "p75", "p99.999", "max"], "{line}");
    }
    let bad = run(server.port, &["--percentiles=50,200"]);
    assert_eq!(bad.status, 1);
    assert!(
        bad.stderr.contains("illegal percentile `200'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_report_is_unchanged_by_the_percentile_block() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let plain = run(
        server.port,
        &["--num-conns=5", "--wsess=2,3,0", "--rate=50"],
    );
    let with = run(
        server.port,
        &[
            "--num-conns=5",
            "--wsess=2,3,0",
            "--rate=50",
            "--percentiles",
        ],
    );
    assert_eq!(plain.status, 0);
    assert_eq!(with.status, 0, "{}", with.stderr);
    assert_eq!(plain.stderr, with.stderr);
    let shape = |text: &str| -> Vec<String> {
        text.lines()
            .map(|line| {
                line.split(|c: char| c.is_ascii_digit())
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    let plain_lines = shape(&plain.stdout);
    let with_lines = shape(&with.stdout);
    assert_eq!(with_lines[..plain_lines.len()], plain_lines[..]);
    assert!(with
        .stdout
        .contains("\nSession length histogram: 0 0 0 2\n\nConnect time percentiles"));
    assert!(with
        .line("Session lifetime percentiles [ms]:")
        .contains(" p99.99 "));
}

#[test]
fn unknown_results_files_fail_before_the_test() {
    let port = closed_port();
    for option in [
        "--json=/nonexistent/dir/r.json",
        "--log-requests=/nonexistent/dir/r.log",
    ] {
        let result = run(port, &[option]);
        assert_eq!(result.status, 1, "{option}");
        assert!(
            result.stderr.contains("cannot create /nonexistent/dir/"),
            "{}",
            result.stderr
        );
        assert!(!result.stdout.contains("Total:"), "{}", result.stdout);
    }
}
