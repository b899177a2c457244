//! End-to-end runs of the results options (`--percentiles`, `--json`,
//! `--log-requests`, `--self-check`, `--progress`) against loopback servers
//! started by each test.

use crate::support;

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

// ----- --json -----

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/results.schema.json"
    ))
    .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).unwrap_or_else(|error| panic!("bad schema: {error}"))
}

/// Checks `json` against the schema and returns it parsed both ways.
fn checked_document(json: &str) -> (serde_json::Value, httperf_rs::results::json::Document) {
    let value: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|error| panic!("{error}: {json}"));
    let validator = schema_validator();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let document = httperf_rs::results::json::from_str(json).expect("typed document");
    (value, document)
}

/// The numbers of the report's basic block, in order, as printed.
fn report_numbers(stdout: &str) -> Vec<String> {
    let start = stdout.find("\nTotal:").expect("report") + 1;
    let end = stdout.find("Errors: fd-unavail").expect("errors line");
    let end = end + stdout[end..].find('\n').unwrap_or(0);
    let mut numbers = Vec::new();
    for token in stdout[start..end].split_whitespace() {
        let mut token = token.trim_start_matches('(').trim_start_matches("<=");
        if let Some((_, value)) = token.split_once('=') {
            token = value;
        }
        if let Some((value, _)) = token.split_once('*') {
            token = value;
        }
        let token = token.trim_end_matches([')', '%', ',']);
        let numeric = token.parse::<f64>().is_ok() || token == "-nan" || token == "inf";
        if numeric && !token.is_empty() {
            numbers.push(token.to_string());
        }
    }
    numbers
}

/// The same numbers from the JSON's `report.basic`, formatted as the text does.
fn json_report_numbers(basic: &serde_json::Value) -> Vec<String> {
    use httperf_rs::c::printf::fixed;
    let real = |key: &str, decimals: usize| -> String {
        match basic.get(key).and_then(serde_json::Value::as_f64) {
            Some(value) => fixed(value, decimals),
            None => format!("null:{key}"),
        }
    };
    let int = |key: &str| -> String {
        basic
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .map_or(format!("missing:{key}"), |v| v.to_string())
    };
    let size = |key: &str| -> String { format!("{}.0", int(key)) };
    let mut out = vec![
        int("total_connections"),
        int("total_requests"),
        int("total_replies"),
        real("test_duration_s", 3),
        real("connection_rate_per_s", 1),
        real("connection_period_ms", 1),
        int("max_concurrent_connections"),
    ];
    for key in ["min", "avg", "max", "median", "stddev", "connect"] {
        out.push(real(&format!("connection_time_{key}_ms"), 1));
    }
    out.push(real("connection_length_replies_per_conn", 3));
    out.push(real("request_rate_per_s", 1));
    out.push(real("request_period_ms", 1));
    out.push(size("request_size_b"));
    for key in ["min", "avg", "max", "stddev"] {
        out.push(real(&format!("reply_rate_{key}_per_s"), 1));
    }
    out.push(int("reply_rate_samples"));
    out.push(real("reply_time_response_ms", 1));
    out.push(real("reply_time_transfer_ms", 1));
    for key in ["header", "content", "footer", "total"] {
        out.push(size(&format!("reply_size_{key}_b")));
    }
    let status = basic
        .get("reply_status")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    out.extend(status.iter().map(|v| v.to_string()));
    for key in ["periodic_200", "periodic_302"] {
        if let Some(count) = basic.get(key).and_then(serde_json::Value::as_u64) {
            out.push(count.to_string());
        }
    }
    out.push(real("cpu_user_s", 2));
    out.push(real("cpu_system_s", 2));
    for key in ["user", "system", "total"] {
        out.push(real(&format!("cpu_{key}_percent"), 1));
    }
    out.push(real("net_io_kb_per_s", 1));
    out.push(real("net_io_mbps", 1));
    for key in [
        "total",
        "client_timo",
        "socket_timo",
        "connrefused",
        "connreset",
        "fd_unavail",
        "addrunavail",
        "ftab_full",
        "other",
    ] {
        out.push(int(&format!("errors_{key}")));
    }
    out
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("httperf-rs-results-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Runs with `--json FILE` and checks the document against the schema, the
/// report recomputed from its totals, and every value of the report.
fn check_json_run(port: u16, name: &str, extra: &[&str]) -> serde_json::Value {
    let path = temp_path(&format!("{name}.json"));
    let json_option = format!("--json={}", path.display());
    let mut args = extra.to_vec();
    args.push(&json_option);
    let result = run(port, &args);
    assert!(
        result.stdout.contains("\nTotal:"),
        "{name}: {}",
        result.stdout
    );
    let json = std::fs::read_to_string(&path).expect("JSON written");
    let _ = std::fs::remove_file(&path);
    let (value, document) = checked_document(&json);
    // The report again, from the totals alone.
    let summary = document.totals.to_summary();
    let options = httperf_rs::report::ReportOptions {
        verbose: document.verbose,
    };
    let again = format!(
        "{}\n{}",
        httperf_rs::report::burst_line(document.totals.max_connect_burst),
        httperf_rs::report::render(&summary, &options)
    );
    assert!(
        result.stdout.ends_with(&again),
        "{name}: report from JSON totals differs:\n{again}\nstdout:\n{}",
        result.stdout
    );
    // Every printed value is the JSON's value.
    assert_eq!(
        report_numbers(&result.stdout),
        json_report_numbers(&value["report"]["basic"]),
        "{name}"
    );
    assert_eq!(
        document.echo_line,
        result.stdout.lines().next().unwrap_or("")
    );
    value
}

#[test]
fn json_validates_and_holds_the_whole_report() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let doc = check_json_run(
        server.port,
        "request",
        &["--num-conns=20", "--num-calls=3", "--rate=400", "-v", "-v"],
    );
    assert_eq!(doc["status_codes"]["200"], 60);
    assert_eq!(doc["totals"]["requests"], 60);
    let seconds = doc["time_series"]["seconds"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let replies: u64 = seconds.iter().filter_map(|s| s["replies"].as_u64()).sum();
    let connections: u64 = seconds
        .iter()
        .filter_map(|s| s["connections"].as_u64())
        .sum();
    assert_eq!((replies, connections), (60, 20));
    // Each second's histogram holds that second's replies; together they
    // hold every reply, and the status classes count them too.
    let mut merged = httperf_rs::results::series::second_histogram();
    for second in &seconds {
        let count = second["replies"].as_u64().unwrap_or(u64::MAX);
        assert_eq!(second["status"][1].as_u64(), Some(count), "{second}");
        assert_eq!(second["target_rate"].as_f64(), Some(400.0), "{second}");
        match second["reply_histogram"].as_str() {
            Some(text) => {
                let histogram =
                    httperf_rs::results::histograms::LatencyHistogram::from_base64(text)
                        .expect("a per-second HDR histogram");
                assert_eq!(histogram.count(), count);
                assert!(second["reply_p90_ms"].as_f64() <= second["reply_max_ms"].as_f64());
                merged.add(&histogram);
            }
            None => assert_eq!(count, 0, "{second}"),
        }
    }
    assert_eq!(merged.count(), 60);
    // The reply histogram decodes and counts every reply.
    let reply = doc["histograms"]["measures"]["reply"]
        .as_str()
        .unwrap_or_default();
    let histogram =
        httperf_rs::results::histograms::LatencyHistogram::from_base64(reply).expect("HDR");
    assert_eq!(histogram.count(), 60);
    assert_eq!(doc["percentiles"]["measures"]["reply"]["count"], 60);
    assert!(doc["percentiles"]["measures"]["reply"]["values_ms"]["p99.99"].is_number());

    let sessions = check_json_run(
        server.port,
        "sessions",
        &[
            "--wsess=4,3,0.01",
            "--burst-length=2",
            "--rate=100",
            "--periodic-stats",
        ],
    );
    assert_eq!(sessions["totals"]["session"]["completed"], 4);
    assert_eq!(
        sessions["percentiles"]["measures"]["session_lifetime"]["count"],
        4
    );
    assert_eq!(sessions["report"]["session"]["total"], 4);

    let refused = check_json_run(closed_port(), "refused", &["--num-conns=3", "--seed", "3"]);
    assert_eq!(refused["totals"]["errors"]["connrefused"], 3);
    // httperf-rs's own workload options, which the echo line leaves out.
    assert_eq!(refused["workload_options"], serde_json::json!(["--seed=3"]));
    assert!(doc.get("workload_options").is_none(), "absent without them");
    let refused_by_kind: u64 = refused["time_series"]["seconds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|second| second["errors_by_kind"]["connrefused"].as_u64())
        .sum();
    assert_eq!(refused_by_kind, 3);
    assert!(refused["time_series"]["seconds"][0]["target_rate"].is_null());
    assert_eq!(
        refused["errors_by_errno"],
        serde_json::json!([{"errno": 111, "name": "ECONNREFUSED", "count": 3}])
    );
}

#[test]
fn json_to_stdout_replaces_the_report() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let result = run(
        server.port,
        &["--num-conns=4", "--json", "-", "--percentiles"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    let (value, _) = checked_document(&result.stdout);
    assert_eq!(value["totals"]["connections"], 4);
    assert!(
        result.stderr.starts_with("httperf-rs --client=0/1"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains("Maximum connect burst length"));
    assert!(!result.stderr.contains("Total:"));
    assert!(!result.stderr.contains("percentiles [ms]"));
    // The schema does reject what it does not describe.
    let mut broken = value.clone();
    broken["totals"]["requests"] = serde_json::json!(-1);
    assert!(!schema_validator().is_valid(&broken));
    let mut broken = value;
    broken.as_object_mut().map(|o| o.remove("histograms"));
    assert!(!schema_validator().is_valid(&broken));
}

// ----- schedule lag and the self-check -----

#[test]
fn a_client_that_cannot_keep_the_rate_shows_its_lag_and_fails_the_check() {
    // Far more arrivals per second than one client can create: each one
    // starts later than the last, whatever the server does.
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let result = run(
        server.port,
        &[
            "--num-conns=1000",
            "--rate=1000000",
            "--percentiles",
            "--self-check",
        ],
    );
    assert_eq!(result.status, 3, "{}\n{}", result.stdout, result.stderr);
    let lag = result.line("Schedule lag percentiles [ms]:");
    assert!(value_of(lag, "p90") > 1.0, "{lag}");
    assert!(
        result
            .stderr
            .contains("self-check failed: these results measure the client")
            && result.stderr.contains("arrivals started late"),
        "{}",
        result.stderr
    );
    // Measured from the intended start, replies took longer by the lag.
    let reply = value_of(result.line("Reply time percentiles [ms]:"), "p90");
    let intended = value_of(
        result.line("Reply time from intended start percentiles [ms]:"),
        "p90",
    );
    assert!(intended > reply + 1.0, "{reply} vs {intended}");
}

/// Runs the binary under `prlimit --nofile=N`, if prlimit exists.
fn run_with_fd_limit(limit: u32, port: u16, extra: &[&str]) -> Option<support::Run> {
    let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let nofile = format!("--nofile={limit}");
    let server = format!("--port={port}");
    let child = std::process::Command::new(prlimit)
        .args([
            nofile.as_str(),
            env!("CARGO_BIN_EXE_httperf-rs"),
            "--server=127.0.0.1",
        ])
        .arg(server)
        .args(extra)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    Some(support::wait_bounded(child, LIMIT))
}

#[test]
fn a_client_out_of_descriptors_fails_the_check_only_when_asked() {
    let server = TestServer::start(Behaviour::DelayedReply(
        Duration::from_millis(200),
        ok_reply("slow"),
    ));
    let args = ["--num-conns=40", "--rate=400", "--timeout=5"];
    let Some(plain) = run_with_fd_limit(16, server.port, &args) else {
        eprintln!("prlimit not found: skipped");
        return;
    };
    assert_eq!(plain.status, 0, "{}", plain.stderr);
    assert!(
        plain.count("Errors: fd-unavail", "fd-unavail") > 0,
        "{}",
        plain.stdout
    );
    // stderr is no terminal here: without --self-check nothing new is said.
    assert!(!plain.stderr.contains("self-check"), "{}", plain.stderr);

    let mut checked_args = args.to_vec();
    checked_args.push("--self-check");
    let checked = run_with_fd_limit(16, server.port, &checked_args).expect("prlimit ran before");
    assert_eq!(checked.status, 3, "{}", checked.stderr);
    assert!(
        checked
            .stderr
            .contains("found no free file descriptor (fd-unavail)"),
        "{}",
        checked.stderr
    );
    // The report itself is the same as without the check.
    assert!(checked.stdout.contains("\nErrors: fd-unavail"));
    assert!(!checked.stdout.contains("percentiles"));
}

#[test]
fn a_client_that_keeps_up_passes_the_check() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    // A shared, busy machine can delay a timer now and then: three tries.
    let mut last = String::new();
    for _ in 0..3 {
        let result = run(
            server.port,
            &["--num-conns=20", "--rate=20", "--self-check"],
        );
        if result.status == 0 && result.stderr.is_empty() {
            return;
        }
        last = format!("status {}: {}", result.status, result.stderr);
    }
    panic!("the check failed three times: {last}");
}

// ----- --log-requests -----

/// One phout line, split into its 12 columns.
#[derive(Debug)]
struct PhoutLine {
    timestamp_s: f64,
    tag: String,
    /// Total, connect, send, latency, receive, event (µs), bytes out, in.
    numbers: [u64; 8],
    errno: i64,
    status: u64,
}

impl PhoutLine {
    fn total_us(&self) -> u64 {
        self.numbers[0]
    }
    fn bytes_out(&self) -> u64 {
        self.numbers[6]
    }
    fn bytes_in(&self) -> u64 {
        self.numbers[7]
    }
}

/// Parses a phout file as yandex-tank's reader does: tab-separated, twelve
/// columns, a float timestamp and integers after the tag.
fn read_phout(path: &std::path::Path) -> Vec<PhoutLine> {
    let text = std::fs::read_to_string(path).expect("log written");
    text.lines()
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            assert_eq!(columns.len(), 12, "{line:?}");
            let int = |i: usize| -> u64 {
                columns[i]
                    .parse()
                    .unwrap_or_else(|_| panic!("column {i} of {line:?}"))
            };
            let (whole, millis) = columns[0].split_once('.').expect("timestamp has decimals");
            assert_eq!(millis.len(), 3, "{line:?}");
            assert!(whole.parse::<u64>().is_ok(), "{line:?}");
            PhoutLine {
                timestamp_s: columns[0].parse().expect("timestamp"),
                tag: columns[1].to_string(),
                numbers: std::array::from_fn(|i| int(i + 2)),
                errno: columns[10].parse().expect("errno"),
                status: int(11),
            }
        })
        .collect()
}

fn run_logged(
    port: u16,
    name: &str,
    extra: &[&str],
) -> (support::Run, Vec<PhoutLine>, serde_json::Value) {
    let log = temp_path(&format!("{name}.phout"));
    let json = temp_path(&format!("{name}.json"));
    let log_option = format!("--log-requests={}", log.display());
    let json_option = format!("--json={}", json.display());
    let mut args = extra.to_vec();
    args.push(&log_option);
    args.push(&json_option);
    let result = run(port, &args);
    let lines = read_phout(&log);
    let document =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("JSON");
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&json);
    (result, lines, document)
}

#[test]
fn the_request_log_adds_up_to_the_report() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let (result, lines, doc) = run_logged(
        server.port,
        "sum",
        &["--num-conns=10", "--num-calls=5", "--rate=100"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    let totals = &doc["totals"];
    assert_eq!(lines.len() as u64, totals["requests"].as_u64().unwrap_or(0));
    assert_eq!(lines.len(), 50);
    let out: u64 = lines.iter().map(PhoutLine::bytes_out).sum();
    let received: u64 = lines.iter().map(PhoutLine::bytes_in).sum();
    assert_eq!(out, totals["request_bytes"].as_u64().unwrap_or(0));
    let reply_bytes = [
        "reply_header_bytes",
        "reply_content_bytes",
        "reply_footer_bytes",
    ]
    .iter()
    .filter_map(|key| totals[key].as_u64())
    .sum::<u64>();
    assert_eq!(received, reply_bytes);
    assert!(lines
        .iter()
        .all(|l| l.status == 200 && l.errno == 0 && l.tag.is_empty()));
    // One connect time per connection, on its first call.
    assert_eq!(lines.iter().filter(|l| l.numbers[1] > 0).count(), 10);
    for line in &lines {
        assert!(
            (before - 1.0..before + 60.0).contains(&line.timestamp_s),
            "{line:?}"
        );
        let parts: u64 = line.numbers[1..5].iter().sum();
        assert!(parts <= line.total_us() + 4, "{line:?}");
    }
}

#[test]
fn the_request_log_tags_generated_uris_and_session_log_entries() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let (result, lines, _) = run_logged(
        server.port,
        "wset",
        &["--num-conns=1", "--num-calls=6", "--wset=10,0.5"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    let tags: Vec<&str> = lines.iter().map(|l| l.tag.as_str()).collect();
    assert_eq!(tags, ["0", "1", "1", "2", "2", "3"]);

    let sessions = temp_path("sessions.log");
    std::fs::write(&sessions, "/a\n  /b\n/c\n\n/d\n").expect("write session log");
    let option = format!("--wsesslog=2,0,{}", sessions.display());
    let (result, lines, _) = run_logged(server.port, "wsesslog", &[option.as_str(), "--rate=20"]);
    let _ = std::fs::remove_file(&sessions);
    assert_eq!(result.status, 0, "{}", result.stderr);
    let mut tags: Vec<&str> = lines.iter().map(|l| l.tag.as_str()).collect();
    tags.sort_unstable();
    assert_eq!(tags, ["0.0.0", "0.0.1", "0.1.0", "1.0.0"]);
}

#[test]
fn the_request_log_records_failures_with_their_errno() {
    let (result, lines, doc) = run_logged(closed_port(), "refused", &["--num-conns=3"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(doc["totals"]["errors"]["connrefused"], 3);
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.errno == 111 && l.status == 0));

    let server = TestServer::start(Behaviour::Silent);
    let (_, lines, doc) = run_logged(server.port, "timeout", &["--num-conns=2", "--timeout=0.2"]);
    assert_eq!(doc["totals"]["errors"]["client_timo"], 2);
    assert_eq!(lines.len(), 2);
    assert!(lines
        .iter()
        .all(|l| l.errno == 110 && l.status == 0 && l.bytes_out() > 0));
}

#[test]
fn calls_in_flight_when_the_test_ends_early_are_logged_as_cancelled() {
    // --runtime (like a signal) ends the test with calls still waiting for
    // their replies: each still gets its line, with ECANCELED and no status.
    let server = TestServer::start(Behaviour::Silent);
    let (result, lines, doc) = run_logged(
        server.port,
        "runtime",
        &[
            "--num-conns=3",
            "--rate=20",
            "--timeout=30",
            "--runtime=0.5",
        ],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(doc["totals"]["requests"], 3, "{}", result.stdout);
    assert!(result.stdout.contains("replies 0"), "{}", result.stdout);
    assert_eq!(lines.len(), 3, "{}", result.stdout);
    assert!(lines
        .iter()
        .all(|l| l.errno == 125 && l.status == 0 && l.bytes_out() > 0));
    // The report is the one without the log.
    let plain = run(
        server.port,
        &[
            "--num-conns=3",
            "--rate=20",
            "--timeout=30",
            "--runtime=0.5",
        ],
    );
    assert_eq!(
        plain.line("Errors: total"),
        result.line("Errors: total"),
        "{}",
        plain.stdout
    );
}

#[test]
fn a_full_disk_stops_the_log_but_not_the_report() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let result = run(
        server.port,
        &[
            "--num-conns=400",
            "--num-calls=10",
            "--rate=2000",
            "--log-requests=/dev/full",
        ],
    );
    assert_eq!(result.status, 1, "{}", result.stderr);
    assert!(
        result
            .stdout
            .contains("Total: connections 400 requests 4000 replies 4000"),
        "{}",
        result.stdout
    );
    assert_eq!(
        result
            .stderr
            .matches("cannot write the request log /dev/full")
            .count(),
        1,
        "{}",
        result.stderr
    );
}

// ----- progress -----

#[test]
fn a_terminal_gets_a_progress_line_that_is_erased_before_the_report() {
    let Some(script) = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!("script(1) not found: skipped");
        return;
    };
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    // script(1) runs the command on a pseudo-terminal: stderr is a terminal.
    let command = format!(
        "{} --server=127.0.0.1 --port={} --num-conns=25 --rate=10",
        env!("CARGO_BIN_EXE_httperf-rs"),
        server.port
    );
    let child = std::process::Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn script");
    let result = support::wait_bounded(child, LIMIT);
    assert_eq!(result.status, 0, "{}", result.stderr);
    let terminal = result.stdout;
    let first = terminal.find("\r\x1b[K[").expect("a progress line");
    assert!(terminal[first..].contains("/2 s] "), "{terminal:?}");
    assert!(terminal.contains(" conn/s, "), "{terminal:?}");
    // The last erase comes before the report.
    let last_erase = terminal.rfind("\r\x1b[K").unwrap_or(0);
    let report = terminal.find("Total: connections 25").expect("report");
    assert!(last_erase < report, "{terminal:?}");

    // Without a terminal, and without --progress, nothing of it.
    let plain = run(server.port, &["--num-conns=25", "--rate=10"]);
    assert_eq!(plain.stderr, "");
    let forced = run(server.port, &["--num-conns=25", "--rate=10", "--progress"]);
    assert!(forced.stderr.contains(" conn/s, "), "{}", forced.stderr);
    assert!(forced.stderr.ends_with("\r\x1b[K"), "{:?}", forced.stderr);
}

// ----- memory -----

/// Peak RSS in KiB of one run with every results option on, through
/// /usr/bin/time; `None` without it.
fn peak_rss_kib(port: u16, conns: u64, calls: u64) -> Option<u64> {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let log = temp_path(&format!("rss-{conns}.phout"));
    let json = temp_path(&format!("rss-{conns}.json"));
    let child = std::process::Command::new(time)
        .args(["-f", "peak-rss-kib %M", env!("CARGO_BIN_EXE_httperf-rs")])
        .arg("--server=127.0.0.1")
        .arg(format!("--port={port}"))
        .arg(format!("--num-conns={conns}"))
        .arg(format!("--num-calls={calls}"))
        .args(["--percentiles", "--progress", "--self-check"])
        .arg(format!("--json={}", json.display()))
        .arg(format!("--log-requests={}", log.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let result = support::wait_bounded(child, Duration::from_secs(600));
    let lines =
        std::fs::read(&log).map_or(0, |bytes| bytes.iter().filter(|&&b| b == b'\n').count());
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&json);
    assert_eq!(lines as u64, conns * calls, "{}", result.stderr);
    // The progress line is erased without a newline: time's line follows it.
    let (_, kib) = result.stderr.rsplit_once("peak-rss-kib ")?;
    kib.trim().parse().ok()
}

/// Memory stays flat with every results option on: the peak RSS of
/// 1,000,000 calls is within 10% of that of 100,000. Takes about two minutes:
/// `cargo test --release --test results -- --ignored memory_is_flat`.
#[test]
#[ignore]
fn memory_is_flat_over_a_million_calls() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    if !std::path::Path::new("/usr/bin/time").exists() {
        eprintln!("/usr/bin/time not found: skipped");
        return;
    }
    let small = peak_rss_kib(server.port, 100, 1000).expect("peak RSS of 100,000 calls");
    let large = peak_rss_kib(server.port, 1000, 1000).expect("measured before");
    eprintln!("peak RSS: 100,000 calls {small} KiB, 1,000,000 calls {large} KiB");
    assert!(
        (large as f64) <= small as f64 * 1.10,
        "{small} KiB for 100,000 calls, {large} KiB for 1,000,000"
    );
}
