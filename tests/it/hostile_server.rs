//! End-to-end runs against servers that misbehave on purpose (a status line
//! that never ends, a reply sent before the request has been read) and runs
//! that must end on time however far behind their schedule they are: on
//! Ctrl-C, SIGTERM, SIGHUP and `--runtime`, always with the full report.

use crate::support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use support::{closed_port, wait_bounded, Behaviour, Run, TestServer};

/// Wall-clock bound of every run: a run that is still going is killed and
/// the test fails.
const LIMIT: Duration = Duration::from_secs(30);
/// How long a signalled run may take to exit with its report. The goal is
/// 100 ms; the slack is for a loaded machine.
const SIGNAL_SLACK: Duration = Duration::from_secs(2);

fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn httperf-rs")
}

fn args(port: u16, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--server=127.0.0.1".to_string(), format!("--port={port}")];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run(port: u16, extra: &[&str]) -> Run {
    wait_bounded(spawn(&args(port, extra)), LIMIT)
}

/// The report is all there: from the burst line to the last `Errors:` line.
fn assert_full_report(result: &Run) {
    assert!(
        result.stdout.contains("\nMaximum connect burst length: "),
        "no burst line:\n{}\n{}",
        result.stdout,
        result.stderr
    );
    let last = result.stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Errors: fd-unavail "),
        "report incomplete:\n{}\nstderr:\n{}",
        result.stdout,
        result.stderr
    );
}

fn test_duration_s(result: &Run) -> f64 {
    result
        .line("Total:")
        .rsplit("test-duration ")
        .next()
        .and_then(|rest| rest.trim_end_matches(" s").parse().ok())
        .expect("test-duration")
}

/// A run under way, its output drained as it comes so that it never blocks
/// on a full pipe.
struct Running {
    child: Child,
    stdout: thread::JoinHandle<String>,
    stderr: thread::JoinHandle<String>,
}

fn start(args: &[String]) -> Running {
    let mut child = spawn(args);
    let (stdout, stderr) = support::drain_output(&mut child);
    Running {
        child,
        stdout,
        stderr,
    }
}

/// Sends `signal` to the run and waits for it to exit; returns what it
/// printed and how long it took to exit after the signal.
// Signalling the child takes libc::kill.
#[allow(unsafe_code)]
fn signal_and_wait(mut running: Running, signal: libc::c_int) -> (Run, Duration) {
    let sent = Instant::now();
    // SAFETY: signalling our own child process, which has not been reaped.
    unsafe { libc::kill(running.child.id() as libc::pid_t, signal) };
    let status = loop {
        if let Some(status) = running.child.try_wait().expect("try_wait") {
            break status;
        }
        if sent.elapsed() > LIMIT {
            let _ = running.child.kill();
            let _ = running.child.wait();
            panic!("still running {LIMIT:?} after signal {signal}");
        }
        thread::sleep(Duration::from_millis(1));
    };
    let latency = sent.elapsed();
    let result = Run {
        status: status.code().unwrap_or(-1),
        stdout: running.stdout.join().unwrap_or_default(),
        stderr: running.stderr.join().unwrap_or_default(),
    };
    (result, latency)
}

/// Waits until `ready` holds (the run is under way), at most 10 s.
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        thread::sleep(Duration::from_millis(5));
    }
}

/// The signal mask on the `field` line (`SigIgn`, `SigCgt`) of a process.
fn signal_mask(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|mask| u64::from_str_radix(mask.trim_start_matches(':').trim(), 16).ok())
        .unwrap_or(0)
}

fn signal_bit(signal: libc::c_int) -> u64 {
    1 << (signal - 1)
}

/// Waits until the run catches `signal`: the run is under way and a signal
/// sent now is the program's to handle.
fn wait_for_handler(running: &Running, signal: libc::c_int) {
    let pid = running.child.id();
    wait_until("the signal handler was installed", || {
        signal_mask(pid, "SigCgt") & signal_bit(signal) != 0
    });
}

/// A server that accepts connections and closes them at once, as fast as it
/// can: a client asking for more connections than that falls behind.
struct ClosingServer {
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ClosingServer {
    fn start() -> ClosingServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let accepted = Arc::clone(&accepted);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    accepted.fetch_add(1, Ordering::SeqCst);
                    drop(stream);
                }
            })
        };
        ClosingServer {
            port,
            accepted,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ClosingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A server that runs `serve` on a thread for every connection; it stops
/// accepting when dropped (the serving threads end with their connection
/// or when `stop` is raised).
struct ScriptedServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ScriptedServer {
    fn start(serve: fn(TcpStream, &AtomicBool)) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let stop = Arc::clone(&stop);
                    thread::spawn(move || serve(stream, &stop));
                }
            })
        };
        ScriptedServer {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads until the end of the request head (a blank line), or EOF.
fn read_request_head(stream: &mut TcpStream) {
    let mut tail = Vec::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                tail.extend_from_slice(&buffer[..n]);
                if tail.windows(4).any(|w| w == b"\r\n\r\n") {
                    return;
                }
                let keep = tail.len().saturating_sub(3);
                tail.drain(..keep);
            }
        }
    }
}

// ----- item: falling behind the schedule -----

#[test]
fn runtime_ends_a_run_whose_period_is_below_the_clock_resolution() {
    // Before: the due time never moved (t + 1e-30 == t) and the rate loop
    // never returned: no report, ever.
    let port = closed_port();
    let result = run(
        port,
        &["--rate=1e30", "--num-conns=100000000", "--runtime=1"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_full_report(&result);
    let duration = test_duration_s(&result);
    assert!((1.0..3.0).contains(&duration), "test-duration {duration}");
}

#[test]
fn runtime_ends_a_run_that_fell_behind_its_rate() {
    // Before: every loop turn created all overdue connections, each turn
    // longer than the last; --runtime 1 ran until killed.
    let server = ClosingServer::start();
    let result = run(
        server.port,
        &["--rate=200000", "--num-conns=100000000", "--runtime=1"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_full_report(&result);
    let duration = test_duration_s(&result);
    assert!((1.0..3.0).contains(&duration), "test-duration {duration}");
    assert!(result.count("Total:", "connections") > 100);
}

#[test]
fn ctrl_c_ends_a_run_that_fell_behind_its_rate() {
    let server = ClosingServer::start();
    let child = start(&args(
        server.port,
        &["--rate=200000", "--num-conns=100000000"],
    ));
    wait_for_handler(&child, libc::SIGINT);
    wait_until("the run started", || {
        server.accepted.load(Ordering::SeqCst) > 100
    });
    thread::sleep(Duration::from_millis(1000));
    let (result, latency) = signal_and_wait(child, libc::SIGINT);
    eprintln!("SIGINT while behind the schedule: exited {latency:?} after the signal");
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_full_report(&result);
    assert!(latency < SIGNAL_SLACK, "exit took {latency:?}");
}

#[test]
fn ctrl_c_ends_a_run_at_an_unreachable_rate() {
    let child = start(&args(
        closed_port(),
        &["--rate=1e30", "--num-conns=100000000"],
    ));
    wait_for_handler(&child, libc::SIGINT);
    thread::sleep(Duration::from_millis(1000));
    let (result, latency) = signal_and_wait(child, libc::SIGINT);
    eprintln!("SIGINT at --rate 1e30: exited {latency:?} after the signal");
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_full_report(&result);
    assert!(latency < SIGNAL_SLACK, "exit took {latency:?}");
}

// ----- item: SIGTERM and SIGHUP end the test like Ctrl-C -----

/// A run that would never end by itself (a silent server, no timeout), ended
/// by `signal` once its connection is up.
fn silent_run_ended_by(signal: libc::c_int) -> (Run, Duration) {
    let server = TestServer::start(Behaviour::Silent);
    let child = start(&args(server.port, &["--num-conns=1"]));
    wait_until("the request arrived", || {
        server
            .received()
            .first()
            .is_some_and(|bytes| !bytes.is_empty())
    });
    wait_for_handler(&child, signal);
    signal_and_wait(child, signal)
}

fn assert_ended_with_report(signal: libc::c_int, name: &str) {
    let (result, latency) = silent_run_ended_by(signal);
    eprintln!("{name} with a silent server: exited {latency:?} after the signal");
    assert_eq!(result.status, 0, "{name}: {}", result.stderr);
    assert_full_report(&result);
    assert_eq!(
        result.line("Total:").split(" test-duration").next(),
        Some("Total: connections 1 requests 1 replies 0")
    );
    assert!(latency < SIGNAL_SLACK, "{name}: exit took {latency:?}");
}

#[test]
fn sigint_prints_the_report_quickly() {
    assert_ended_with_report(libc::SIGINT, "SIGINT");
}

#[test]
fn sigterm_prints_the_report_like_ctrl_c() {
    assert_ended_with_report(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sighup_prints_the_report_like_ctrl_c() {
    assert_ended_with_report(libc::SIGHUP, "SIGHUP");
}

#[test]
fn sigpipe_is_ignored() {
    let server = TestServer::start(Behaviour::Silent);
    let child = start(&args(server.port, &["--num-conns=1"]));
    wait_until("the request arrived", || {
        server
            .received()
            .first()
            .is_some_and(|bytes| !bytes.is_empty())
    });
    wait_for_handler(&child, libc::SIGINT);
    let ignored = signal_mask(child.child.id(), "SigIgn");
    let (result, _) = signal_and_wait(child, libc::SIGINT);
    assert_full_report(&result);
    assert_ne!(ignored & signal_bit(libc::SIGPIPE), 0, "SigIgn {ignored:x}");
}

// ----- item: a status line that never ends -----

/// `HTTP/1.1 200 ` and then `a` forever, 64 bytes every 10 ms.
fn endless_status_line(mut stream: TcpStream, stop: &AtomicBool) {
    read_request_head(&mut stream);
    if stream.write_all(b"HTTP/1.1 200 ").is_err() {
        return;
    }
    while !stop.load(Ordering::SeqCst) {
        if stream.write_all(&[b'a'; 64]).is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_endless_status_line_times_out() {
    // 0.9.0 (verified): the line is cut at 1024 bytes, the reply has started
    // and --timeout ends it: client-timo 1, replies 0, and a response time.
    let server = ScriptedServer::start(endless_status_line);
    let result = run(server.port, &["--num-conns=1", "--timeout=1"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_full_report(&result);
    assert_eq!(result.count("Errors: total", "client-timo"), 1);
    assert_eq!(result.count("Total:", "replies"), 0);
    let duration = test_duration_s(&result);
    assert!((1.0..10.0).contains(&duration), "test-duration {duration}");
    // The reply started when its 1024th byte came (about 160 ms in).
    assert_ne!(
        result.line("Reply time"),
        "Reply time [ms]: response 0.0 transfer 0.0"
    );
}

// ----- item: a reply that comes while the request is being sent -----

const EARLY_REPLY: &[u8] = b"HTTP/1.1 414 Request-URI Too Large\r\nContent-Length: 5\r\n\r\nlarge";

/// Answers after the first bytes, then reads the rest of the request after a
/// pause and keeps the connection open.
fn early_answer_then_read(mut stream: TcpStream, stop: &AtomicBool) {
    let mut first = [0u8; 1024];
    if stream.read(&mut first).is_err() || stream.write_all(EARLY_REPLY).is_err() {
        return;
    }
    thread::sleep(Duration::from_millis(300));
    read_request_head(&mut stream);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut first) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return,
        }
    }
}

/// The same, closing the connection once the request has been read.
fn early_answer_then_read_and_close(mut stream: TcpStream, _stop: &AtomicBool) {
    let mut first = [0u8; 1024];
    if stream.read(&mut first).is_err() || stream.write_all(EARLY_REPLY).is_err() {
        return;
    }
    thread::sleep(Duration::from_millis(300));
    read_request_head(&mut stream);
}

/// Answers after the first bytes and never reads again.
fn early_answer_never_read(mut stream: TcpStream, stop: &AtomicBool) {
    let mut first = [0u8; 1024];
    if stream.read(&mut first).is_err() || stream.write_all(EARLY_REPLY).is_err() {
        return;
    }
    while !stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(50));
    }
}

/// A `--wlog` file with one URI of 4 MiB.
struct HugeUriLog {
    path: std::path::PathBuf,
}

impl HugeUriLog {
    fn create(name: &str) -> HugeUriLog {
        let path = std::env::temp_dir().join(format!(
            "httperf-rs-hostile-{}-{name}.wlog",
            std::process::id()
        ));
        let mut uri = vec![b'a'; 4 << 20];
        uri[0] = b'/';
        uri.push(0);
        std::fs::write(&path, uri).expect("write the wlog file");
        HugeUriLog { path }
    }

    fn option(&self) -> String {
        format!("--wlog=y,{}", self.path.display())
    }
}

impl Drop for HugeUriLog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn assert_early_reply_counted(result: &Run) {
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_full_report(result);
    assert_eq!(result.count("Total:", "replies"), 1, "{}", result.stdout);
    assert_eq!(
        result.line("Reply status"),
        "Reply status: 1xx=0 2xx=0 3xx=0 4xx=1 5xx=0"
    );
    assert_eq!(
        result.line("Reply size"),
        "Reply size [B]: header 57.0 content 5.0 footer 0.0 (total 62.0)"
    );
}

#[test]
fn a_reply_sent_before_the_request_was_read_is_counted() {
    // 0.9.0 (verified, server keeping the connection): requests 1 replies 1,
    // 4xx=1, header 57 content 5, no errors.
    let log = HugeUriLog::create("keep");
    let server = ScriptedServer::start(early_answer_then_read);
    let result = run(
        server.port,
        &[&log.option(), "--num-conns=1", "--timeout=5"],
    );
    assert_early_reply_counted(&result);
    assert_eq!(result.count("Total:", "requests"), 1);
    assert_eq!(
        result.count("Errors: total", "total"),
        0,
        "{}",
        result.stdout
    );
    assert_eq!(
        result.line("Connection length"),
        "Connection length [replies/conn]: 1.000"
    );
}

#[test]
fn a_reply_sent_before_the_request_was_read_survives_the_close() {
    // 0.9.0 (verified, server closing after reading the request): the same
    // counts; the close after the reply is no error.
    let log = HugeUriLog::create("close");
    let server = ScriptedServer::start(early_answer_then_read_and_close);
    let result = run(
        server.port,
        &[&log.option(), "--num-conns=1", "--timeout=5"],
    );
    assert_early_reply_counted(&result);
    assert_eq!(result.count("Total:", "requests"), 1);
    assert_eq!(
        result.count("Errors: total", "total"),
        0,
        "{}",
        result.stdout
    );
}

#[test]
fn a_reply_sent_to_a_request_that_never_gets_through_is_counted() {
    // The server answers and stops reading: the request can never be sent
    // and --timeout ends the connection. 0.9.0 never reads the reply
    // (replies 0); httperf-rs keeps it.
    let log = HugeUriLog::create("stall");
    let server = ScriptedServer::start(early_answer_never_read);
    let result = run(
        server.port,
        &[&log.option(), "--num-conns=1", "--timeout=1"],
    );
    assert_early_reply_counted(&result);
    assert_eq!(result.count("Total:", "requests"), 0);
    assert_eq!(result.count("Errors: total", "client-timo"), 1);
}

#[test]
fn warnings_quote_the_servers_bytes_as_they_came() {
    // A status line that is not UTF-8 is quoted byte for byte, as 0.9.0
    // writes it, not with replacement characters.
    let server = TestServer::start(Behaviour::ReplyThenClose(b"SSH-\xff\xfe\r\n\r\n".to_vec()));
    let mut child = spawn(&args(server.port, &["--num-conns=1", "--timeout=5"]));
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let deadline = Instant::now() + LIMIT;
    while child.try_wait().ok().flatten().is_none() {
        assert!(Instant::now() < deadline, "still running after {LIMIT:?}");
        thread::sleep(Duration::from_millis(20));
    }
    let stderr = reader.join().expect("stderr reader");
    let expected: &[u8] = b"httperf-rs.parse_status_line: invalid status line `SSH-\xff\xfe'!!\n";
    assert!(
        stderr.windows(expected.len()).any(|w| w == expected),
        "{:?}",
        String::from_utf8_lossy(&stderr)
    );
}
