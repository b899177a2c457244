//! Fault injection: httperf-rs against loopback servers that misbehave on
//! purpose, one scripted server per behaviour (silence, slow drip, endless
//! status line / header / body / chunk, resets at every phase, early
//! replies, garbage, 1xx storms, TLS stalls). Every run must end by itself
//! within its budget (`--timeout` + 5 s, else the child is killed and the
//! test fails), print the whole report, and give exact counts.
//!
//! The expected counts are httperf 0.9.0's, measured against the same
//! scripted servers (`judge_expectations_with_httperf_0_9_0`, ignored by
//! default, reruns that comparison); where 0.9.0 does not behave (hangs,
//! crashes, or depends on chance), the case says so and the expectation is
//! what httperf-rs must do instead.

use crate::support;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use support::{ok_reply, wait_bounded, Run};

/// No server connection outlives this, whatever the client does.
const SERVER_CAP: Duration = Duration::from_secs(20);
/// Granularity at which serving threads notice the test has ended.
const POLL: Duration = Duration::from_millis(50);
/// The run's `--timeout` plus this is the most a case may take.
const BUDGET_SLACK: Duration = Duration::from_secs(5);

/// One thing a scripted server does on each connection, in order. After the
/// last step the connection is closed normally (FIN).
#[derive(Clone)]
enum Step {
    /// Read until a request head (up to its blank line) has arrived.
    ReadRequest,
    /// Write these bytes.
    Write(Vec<u8>),
    /// Wait (the client reads what was written before the next step).
    Sleep(Duration),
    /// Write these bytes one at a time, this long apart.
    Drip(Vec<u8>, Duration),
    /// Write this piece again and again, this long apart, until the client
    /// goes away.
    Endless(Vec<u8>, Duration),
    /// Close with a reset (SO_LINGER 0) instead of a FIN.
    Reset,
    /// Read and discard until the client closes.
    Hold,
    /// Read the TLS ClientHello and answer with only the first half of the
    /// server's handshake flight.
    HalfServerFlight,
}

/// A loopback server running one script per connection.
struct ScriptServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<thread::JoinHandle<()>>,
}

impl ScriptServer {
    fn start(script: Vec<Step>) -> ScriptServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let connections = Arc::clone(&connections);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let script = script.clone();
                    let stop = Arc::clone(&stop);
                    let _ = thread::Builder::new()
                        .stack_size(256 * 1024)
                        .spawn(move || run_script(stream, &script, &stop));
                }
            })
        };
        ScriptServer {
            port,
            connections,
            stop,
            accept_thread: Some(accept_thread),
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
    }
}

/// True while a serving thread should keep going.
fn serving(started: Instant, stop: &AtomicBool) -> bool {
    started.elapsed() < SERVER_CAP && !stop.load(Ordering::SeqCst)
}

/// Reads once; `None` when the client closed or failed, `Some(0)` on a poll
/// timeout.
fn read_some(stream: &mut TcpStream, buffer: &mut [u8]) -> Option<usize> {
    match stream.read(buffer) {
        Ok(0) => None,
        Ok(n) => Some(n),
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Some(0)
        }
        Err(error) if error.kind() == ErrorKind::Interrupted => Some(0),
        Err(_) => None,
    }
}

fn run_script(mut stream: TcpStream, script: &[Step], stop: &AtomicBool) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_nodelay(true);
    let mut buffer = vec![0u8; 64 * 1024];
    for step in script {
        match step {
            Step::ReadRequest => {
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    if !serving(started, stop) {
                        return;
                    }
                    let Some(n) = read_some(&mut stream, &mut buffer) else {
                        return;
                    };
                    head.extend_from_slice(&buffer[..n]);
                }
            }
            Step::Write(bytes) => {
                if stream.write_all(bytes).is_err() {
                    return;
                }
            }
            Step::Sleep(duration) => thread::sleep(*duration),
            Step::Drip(bytes, gap) => {
                for byte in bytes {
                    thread::sleep(*gap);
                    if !serving(started, stop) || stream.write_all(&[*byte]).is_err() {
                        return;
                    }
                }
            }
            Step::Endless(piece, gap) => loop {
                if !serving(started, stop) || stream.write_all(piece).is_err() {
                    return;
                }
                thread::sleep(*gap);
            },
            Step::Reset => {
                let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                return;
            }
            Step::Hold => {
                while serving(started, stop) {
                    if read_some(&mut stream, &mut buffer).is_none() {
                        return;
                    }
                }
                return;
            }
            Step::HalfServerFlight => {
                if half_server_flight(&mut stream, started, stop).is_none() {
                    return;
                }
            }
        }
    }
}

/// A rustls server configuration with a certificate made at test time.
fn tls_config() -> Arc<rustls::ServerConfig> {
    static CONFIG: OnceLock<Arc<rustls::ServerConfig>> = OnceLock::new();
    Arc::clone(CONFIG.get_or_init(|| {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        let cert = params.self_signed(&key).expect("certificate");
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()),
        );
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)
            .expect("server config");
        Arc::new(config)
    }))
}

/// Reads the ClientHello into a rustls server and sends the first half of
/// what it answers (its ServerHello flight). `None` if the client went away.
fn half_server_flight(stream: &mut TcpStream, started: Instant, stop: &AtomicBool) -> Option<()> {
    let mut server = rustls::ServerConnection::new(tls_config()).ok()?;
    let mut buffer = vec![0u8; 16 * 1024];
    while !server.wants_write() {
        if !serving(started, stop) {
            return None;
        }
        let n = read_some(stream, &mut buffer)?;
        if n > 0 {
            let mut input = &buffer[..n];
            while !input.is_empty() {
                server.read_tls(&mut input).ok()?;
            }
            server.process_new_packets().ok()?;
        }
    }
    let mut flight = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut flight).ok()?;
    }
    stream.write_all(&flight[..flight.len() / 2]).ok()
}

/// The report lines a case must produce.
#[derive(Clone, Copy)]
struct Expect {
    connections: u64,
    requests: u64,
    replies: u64,
    /// 1xx..5xx.
    status: [u64; 5],
    client_timo: u64,
    connreset: u64,
    other: u64,
}

impl Expect {
    /// `connections` connections, each sending one request and failing with
    /// a client timeout.
    fn timeouts(connections: u64) -> Expect {
        Expect {
            connections,
            requests: connections,
            replies: 0,
            status: [0; 5],
            client_timo: connections,
            connreset: 0,
            other: 0,
        }
    }

    /// As [`timeouts`](Self::timeouts), with resets instead.
    fn resets(connections: u64) -> Expect {
        Expect {
            client_timo: 0,
            connreset: connections,
            ..Expect::timeouts(connections)
        }
    }

    /// `connections` connections, each answered by one reply of `class`.
    fn replies(connections: u64, class: usize) -> Expect {
        let mut status = [0; 5];
        status[class - 1] = connections;
        Expect {
            replies: connections,
            status,
            client_timo: 0,
            ..Expect::timeouts(connections)
        }
    }

    fn lines(&self) -> [String; 4] {
        let [s1, s2, s3, s4, s5] = self.status;
        let total = self.client_timo + self.connreset + self.other;
        [
            format!(
                "Total: connections {} requests {} replies {}",
                self.connections, self.requests, self.replies
            ),
            format!("Reply status: 1xx={s1} 2xx={s2} 3xx={s3} 4xx={s4} 5xx={s5}"),
            format!(
                "Errors: total {total} client-timo {} socket-timo 0 connrefused 0 connreset {}",
                self.client_timo, self.connreset
            ),
            format!(
                "Errors: fd-unavail 0 addrunavail 0 ftab-full 0 other {}",
                self.other
            ),
        ]
    }
}

/// What httperf 0.9.0 does with a case.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Judge {
    /// 0.9.0 gives exactly the expected lines.
    Agrees,
    /// 0.9.0 does not end by itself (the reason says why).
    Hangs(&'static str),
    /// 0.9.0 aborts with this message.
    Crashes(&'static str),
}

struct Case {
    script: Vec<Step>,
    /// Options besides `--server`, `--port` and `--timeout`.
    args: Vec<String>,
    timeout_s: f64,
    expect: Expect,
    /// Expected on stderr (each must appear); nothing else may.
    stderr: &'static [&'static str],
    judge: Judge,
}

impl Case {
    fn new(script: Vec<Step>, expect: Expect) -> Case {
        Case {
            script,
            args: Vec::new(),
            timeout_s: 1.0,
            expect,
            stderr: &[],
            judge: Judge::Agrees,
        }
    }

    fn args(mut self, args: &[&str]) -> Case {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    fn stderr(mut self, lines: &'static [&'static str]) -> Case {
        self.stderr = lines;
        self
    }

    fn judge(mut self, judge: Judge) -> Case {
        self.judge = judge;
        self
    }

    fn budget(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_s) + BUDGET_SLACK
    }

    fn command_line(&self, port: u16) -> Vec<String> {
        let mut args = vec![
            "--server=127.0.0.1".to_string(),
            format!("--port={port}"),
            format!("--timeout={}", self.timeout_s),
        ];
        args.extend(self.args.iter().cloned());
        args
    }

    /// Runs `program` against a fresh server for this case: its output
    /// (`None` if it had to be killed at the budget), how long it took and
    /// how many connections the server accepted.
    fn run_program(&self, program: &str, budget: Duration) -> (Option<Run>, Duration, usize) {
        let server = ScriptServer::start(self.script.clone());
        let child = Command::new(program)
            .args(self.command_line(server.port))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        let run =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wait_bounded(child, budget)))
                .ok();
        (run, started.elapsed(), server.connections())
    }

    /// Differences between `run` and the expectation, one per line; stderr
    /// is only compared with `check_stderr` (0.9.0 adds its FD_SETSIZE
    /// warning and warns differently about cut lines).
    fn mismatches(&self, run: &Run, check_stderr: bool) -> Vec<String> {
        let mut problems = Vec::new();
        let report: Vec<&str> = run.stdout.lines().collect();
        for want in self.expect.lines() {
            let found = report
                .iter()
                .find(|line| line.split(" test-duration").next() == Some(want.as_str()));
            if found.is_none() {
                problems.push(format!("missing {want:?}"));
            }
        }
        if !report
            .last()
            .is_some_and(|line| line.starts_with("Errors: fd-unavail"))
        {
            problems.push("the report does not end with its Errors: lines".to_string());
        }
        if run.status != 0 {
            problems.push(format!("exit status {}", run.status));
        }
        if !check_stderr {
            return problems;
        }
        for line in self.stderr {
            if !run.stderr.contains(line) {
                problems.push(format!("stderr lacks {line:?}"));
            }
        }
        let unexpected: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| !self.stderr.iter().any(|want| line.contains(want)))
            .collect();
        if !unexpected.is_empty() {
            problems.push(format!("unexpected stderr {unexpected:?}"));
        }
        problems
    }

    fn check(&self) {
        let (run, elapsed, accepted) =
            self.run_program(env!("CARGO_BIN_EXE_httperf-rs"), self.budget());
        let Some(run) = run else {
            panic!(
                "httperf-rs {:?} did not end within {:?}",
                self.args,
                self.budget()
            );
        };
        let mut problems = self.mismatches(&run, true);
        if accepted as u64 != self.expect.connections {
            problems.push(format!("the server accepted {accepted} connections"));
        }
        assert!(
            problems.is_empty(),
            "httperf-rs {:?} after {elapsed:?}:\n{}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            problems.join("\n"),
            run.stdout,
            run.stderr
        );
    }
}

fn reply_head(extra: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\n{extra}\r\n").into_bytes()
}

fn filler(byte: u8, len: usize) -> Vec<u8> {
    vec![byte; len]
}

const ENDLESS_GAP: Duration = Duration::from_millis(5);
const SETTLE: Duration = Duration::from_millis(200);

fn silence() -> Case {
    Case::new(vec![Step::ReadRequest, Step::Hold], Expect::timeouts(2))
        .args(&["--num-conns=2", "--rate=100"])
}

fn slow_drip_past_the_timeout() -> Case {
    let mut reply = reply_head("Content-Length: 100\r\n");
    reply.extend_from_slice(&filler(b'x', 100));
    Case::new(
        vec![
            Step::ReadRequest,
            Step::Drip(reply, Duration::from_millis(20)),
        ],
        Expect::timeouts(1),
    )
}

fn slow_drip_within_the_timeout() -> Case {
    Case::new(
        vec![
            Step::ReadRequest,
            Step::Drip(ok_reply("ok"), Duration::from_millis(5)),
            Step::Hold,
        ],
        Expect::replies(1, 2),
    )
}

fn endless(prefix: &[u8], piece: Vec<u8>) -> Vec<Step> {
    vec![
        Step::ReadRequest,
        Step::Write(prefix.to_vec()),
        Step::Endless(piece, ENDLESS_GAP),
    ]
}

fn endless_status_line() -> Case {
    Case::new(
        endless(b"HTTP/1.1 200 ", filler(b'a', 256)),
        Expect::timeouts(1),
    )
}

fn endless_garbage() -> Case {
    Case::new(endless(b"", filler(0x7f, 256)), Expect::timeouts(1))
}

fn endless_header_line() -> Case {
    Case::new(
        endless(b"HTTP/1.1 200 OK\r\nX-Endless: ", filler(b'a', 256)),
        Expect::timeouts(1),
    )
}

fn endless_header_lines() -> Case {
    Case::new(
        endless(b"HTTP/1.1 200 OK\r\n", b"X-Header: value\r\n".repeat(16)),
        Expect::timeouts(1),
    )
}

fn endless_content_length_body() -> Case {
    Case::new(
        endless(
            &reply_head("Content-Length: 1000000000000\r\n"),
            filler(b'x', 1024),
        ),
        Expect::timeouts(1),
    )
}

fn endless_close_delimited_body() -> Case {
    Case::new(
        endless(&reply_head(""), filler(b'x', 1024)),
        Expect::timeouts(1),
    )
}

fn endless_chunk() -> Case {
    let mut head = reply_head("Transfer-Encoding: chunked\r\n");
    head.extend_from_slice(b"ffffffffff\r\n");
    Case::new(endless(&head, filler(b'x', 1024)), Expect::timeouts(1))
}

fn endless_chunk_size_line() -> Case {
    Case::new(
        endless(
            &reply_head("Transfer-Encoding: chunked\r\n"),
            filler(b'0', 256),
        ),
        Expect::timeouts(1),
    )
}

fn endless_chunks() -> Case {
    Case::new(
        endless(
            &reply_head("Transfer-Encoding: chunked\r\n"),
            b"4\r\nxxxx\r\n".repeat(32),
        ),
        Expect::timeouts(1),
    )
}

fn reset_after(written: &[u8]) -> Vec<Step> {
    let mut script = vec![Step::ReadRequest];
    if !written.is_empty() {
        script.push(Step::Write(written.to_vec()));
        script.push(Step::Sleep(SETTLE));
    }
    script.push(Step::Reset);
    script
}

fn reset_before_the_reply() -> Case {
    Case::new(reset_after(b""), Expect::resets(2)).args(&["--num-conns=2"])
}

fn reset_mid_status_line() -> Case {
    Case::new(reset_after(b"HTTP/1.1 20"), Expect::resets(1))
}

fn reset_mid_header() -> Case {
    Case::new(
        reset_after(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Half: "),
        Expect::resets(1),
    )
}

fn reset_mid_body() -> Case {
    let mut written = reply_head("Content-Length: 100\r\n");
    written.extend_from_slice(&filler(b'x', 10));
    Case::new(reset_after(&written), Expect::resets(1))
}

fn reset_mid_close_delimited_body() -> Case {
    let mut written = reply_head("");
    written.extend_from_slice(&filler(b'x', 10));
    Case::new(reset_after(&written), Expect::resets(1))
}

fn reset_mid_chunk() -> Case {
    let mut written = reply_head("Transfer-Encoding: chunked\r\n");
    written.extend_from_slice(b"a\r\nhello");
    Case::new(reset_after(&written), Expect::resets(1))
}

fn early_reply() -> Case {
    Case::new(
        vec![Step::Write(ok_reply("early")), Step::Hold],
        Expect::replies(2, 2),
    )
    .args(&["--num-conns=2"])
}

/// A `--wlog` file holding one URI of `len` bytes, removed when dropped.
struct UriFile(PathBuf);

impl UriFile {
    fn new(len: usize) -> UriFile {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("httperf-rs-fault-{}-{n}.wlog", std::process::id()));
        let mut uri = b"/".to_vec();
        uri.extend(std::iter::repeat_n(b'u', len - 1));
        uri.push(0);
        std::fs::write(&path, uri).expect("write --wlog file");
        UriFile(path)
    }
}

impl Drop for UriFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn early_reply_to_a_huge_request(uris: &UriFile) -> Case {
    Case::new(
        vec![Step::Write(ok_reply("early")), Step::Hold],
        Expect::replies(1, 2),
    )
    .args(&[&format!("--wlog=y,{}", uris.0.display())])
}

fn garbage_then_close() -> Case {
    Case::new(
        vec![
            Step::ReadRequest,
            Step::Write(b"\x00\xff\x01garbage".to_vec()),
        ],
        Expect::resets(1),
    )
}

fn garbage_lines_then_close() -> Case {
    Case::new(
        vec![
            Step::ReadRequest,
            Step::Write(b"SSH-2.0-OpenSSH_9.2\r\n\r\nmore garbage".to_vec()),
        ],
        Expect::replies(1, 5),
    )
    .stderr(&["parse_status_line: invalid status line `SSH-2.0-OpenSSH_9.2'!!"])
}

fn storm_of_100_continue() -> Case {
    let mut storm = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(1000);
    storm.extend_from_slice(&ok_reply("ok"));
    Case::new(
        vec![Step::ReadRequest, Step::Write(storm), Step::Hold],
        Expect::replies(1, 1),
    )
}

fn storm_of_103_early_hints() -> Case {
    let mut storm = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n".repeat(1000);
    storm.extend_from_slice(&ok_reply("ok"));
    Case::new(
        vec![Step::ReadRequest, Step::Write(storm), Step::Hold],
        Expect::replies(1, 1),
    )
}

/// Three calls on one connection; the first request is answered at once by
/// a storm of 103s and a 200. The connection is one ordered byte stream, so
/// each call takes the next 1xx from it. 0.9.0 aborts (`do_recv: Assertion
/// `c' failed`) on bytes that arrive while no call waits.
fn storm_of_103_on_a_kept_alive_connection() -> Case {
    let mut storm = b"HTTP/1.1 103 Early Hints\r\n\r\n".repeat(1000);
    storm.extend_from_slice(&ok_reply("ok"));
    Case::new(
        vec![Step::ReadRequest, Step::Write(storm), Step::Hold],
        Expect {
            connections: 1,
            ..Expect::replies(3, 1)
        },
    )
    .args(&["--num-calls=3"])
    .judge(Judge::Crashes("do_recv: Assertion `c' failed"))
}

fn tls_silence() -> Case {
    Case::new(
        vec![Step::Hold],
        Expect {
            requests: 0,
            ..Expect::timeouts(1)
        },
    )
    .args(&["--ssl"])
    .judge(Judge::Hangs("its blocking SSL_connect has no timeout"))
}

fn tls_stall_mid_handshake() -> Case {
    Case::new(
        vec![Step::HalfServerFlight, Step::Hold],
        Expect {
            requests: 0,
            ..Expect::timeouts(1)
        },
    )
    .args(&["--ssl"])
    .judge(Judge::Hangs("its blocking SSL_connect has no timeout"))
}

#[test]
fn a_silent_server_times_out() {
    silence().check();
}

#[test]
fn a_slow_drip_past_the_timeout_times_out() {
    slow_drip_past_the_timeout().check();
}

#[test]
fn a_slow_drip_within_the_timeout_is_a_reply() {
    slow_drip_within_the_timeout().check();
}

#[test]
fn an_endless_status_line_times_out() {
    endless_status_line().check();
}

// The same cause as the endless status line: a status line that never ends.
#[test]
fn endless_garbage_times_out() {
    endless_garbage().check();
}

#[test]
fn an_endless_header_line_times_out() {
    endless_header_line().check();
}

#[test]
fn endless_header_lines_time_out() {
    endless_header_lines().check();
}

#[test]
fn an_endless_content_length_body_times_out() {
    endless_content_length_body().check();
}

#[test]
fn an_endless_close_delimited_body_times_out() {
    endless_close_delimited_body().check();
}

#[test]
fn an_endless_chunk_times_out() {
    endless_chunk().check();
}

#[test]
fn an_endless_chunk_size_line_times_out() {
    endless_chunk_size_line().check();
}

#[test]
fn endless_chunks_time_out() {
    endless_chunks().check();
}

#[test]
fn a_reset_before_the_reply_is_a_connreset() {
    reset_before_the_reply().check();
}

#[test]
fn a_reset_mid_status_line_is_a_connreset() {
    reset_mid_status_line().check();
}

#[test]
fn a_reset_mid_header_is_a_connreset() {
    reset_mid_header().check();
}

#[test]
fn a_reset_mid_body_is_a_connreset() {
    reset_mid_body().check();
}

#[test]
fn a_reset_mid_close_delimited_body_is_a_connreset() {
    reset_mid_close_delimited_body().check();
}

#[test]
fn a_reset_mid_chunk_is_a_connreset() {
    reset_mid_chunk().check();
}

// The same cause as the early reply to a huge request: a reply that arrives
// before its request has been written is dropped. Here the window is short
// (the request is one small write), so today this fails only now and then
// (about one run in six on a busy machine): run it repeatedly after the fix.
#[test]
fn an_early_reply_is_counted() {
    early_reply().check();
}

#[test]
fn an_early_reply_to_a_huge_request_is_counted() {
    let uris = UriFile::new(4 << 20);
    early_reply_to_a_huge_request(&uris).check();
}

#[test]
fn garbage_then_close_is_a_connreset() {
    garbage_then_close().check();
}

#[test]
fn garbage_lines_then_close_are_a_599_reply() {
    garbage_lines_then_close().check();
}

#[test]
fn a_storm_of_100_continue_is_one_1xx_reply() {
    storm_of_100_continue().check();
}

#[test]
fn a_storm_of_103_early_hints_is_one_1xx_reply() {
    storm_of_103_early_hints().check();
}

// httperf-rs drops the rest of a read that completes the only pending call
// (src/engine/wire.rs, on_data) but parses later reads for the next call, so
// the outcome depends on how the kernel splits the storm: typically call 2
// gets a 599 for a line starting mid-storm (`invalid status line `ints'`)
// and times out.
#[test]
fn a_storm_of_103_on_a_kept_alive_connection_answers_each_call() {
    storm_of_103_on_a_kept_alive_connection().check();
}

#[test]
fn a_tls_server_that_never_answers_the_client_hello_times_out() {
    tls_silence().check();
}

#[test]
fn a_tls_server_stalling_mid_handshake_times_out() {
    tls_stall_mid_handshake().check();
}

/// Every case, by name, for the judge.
fn all_cases(uris: &UriFile) -> Vec<(&'static str, Case)> {
    vec![
        ("silence", silence()),
        ("slow_drip_past_the_timeout", slow_drip_past_the_timeout()),
        (
            "slow_drip_within_the_timeout",
            slow_drip_within_the_timeout(),
        ),
        ("endless_status_line", endless_status_line()),
        ("endless_garbage", endless_garbage()),
        ("endless_header_line", endless_header_line()),
        ("endless_header_lines", endless_header_lines()),
        ("endless_content_length_body", endless_content_length_body()),
        (
            "endless_close_delimited_body",
            endless_close_delimited_body(),
        ),
        ("endless_chunk", endless_chunk()),
        ("endless_chunk_size_line", endless_chunk_size_line()),
        ("endless_chunks", endless_chunks()),
        ("reset_before_the_reply", reset_before_the_reply()),
        ("reset_mid_status_line", reset_mid_status_line()),
        ("reset_mid_header", reset_mid_header()),
        ("reset_mid_body", reset_mid_body()),
        (
            "reset_mid_close_delimited_body",
            reset_mid_close_delimited_body(),
        ),
        ("reset_mid_chunk", reset_mid_chunk()),
        ("early_reply", early_reply()),
        (
            "early_reply_to_a_huge_request",
            early_reply_to_a_huge_request(uris),
        ),
        ("garbage_then_close", garbage_then_close()),
        ("garbage_lines_then_close", garbage_lines_then_close()),
        ("storm_of_100_continue", storm_of_100_continue()),
        ("storm_of_103_early_hints", storm_of_103_early_hints()),
        (
            "storm_of_103_on_a_kept_alive_connection",
            storm_of_103_on_a_kept_alive_connection(),
        ),
        ("tls_silence", tls_silence()),
        ("tls_stall_mid_handshake", tls_stall_mid_handshake()),
    ]
}

/// Runs every case with httperf 0.9.0 (`/usr/bin/httperf`) and prints what
/// it did; fails if a case marked `Judge::Agrees` disagrees or one marked
/// otherwise turns out to agree.
#[test]
#[ignore = "needs /usr/bin/httperf 0.9.0; run to re-derive the expectations"]
fn judge_expectations_with_httperf_0_9_0() {
    let uris = UriFile::new(4 << 20);
    let mut wrong = Vec::new();
    for (name, case) in all_cases(&uris) {
        let (run, elapsed, _) = case.run_program("/usr/bin/httperf", case.budget());
        let verdict = match &run {
            None => format!("did not end within {:?}", case.budget()),
            Some(run) => {
                let problems = case.mismatches(run, false);
                if problems.is_empty() {
                    "agrees".to_string()
                } else {
                    problems.join("; ")
                }
            }
        };
        eprintln!("{name} ({elapsed:.1?}): {verdict}");
        if let Some(run) = &run {
            for line in run.stdout.lines().filter(|l| {
                l.starts_with("Total:") || l.starts_with("Reply status") || l.starts_with("Errors")
            }) {
                eprintln!("    {line}");
            }
            let mut shown: Vec<String> = Vec::new();
            for line in run.stderr.lines() {
                let line: String = line.chars().take(100).collect();
                if !shown
                    .iter()
                    .any(|seen| seen[..seen.len().min(40)] == line[..line.len().min(40)])
                {
                    shown.push(line);
                }
            }
            for line in shown {
                eprintln!("    stderr: {line}");
            }
        }
        let agrees = verdict == "agrees";
        if agrees != (case.judge == Judge::Agrees) {
            wrong.push(format!("{name}: marked {:?}, 0.9.0: {verdict}", case.judge));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
