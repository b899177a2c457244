//! End-to-end runs for what httperf prints besides the report: `--print-request`,
//! `--print-reply` (docs/behaviour.md#print-request-and-reply), `-v` levels 1–3 (docs/behaviour.md#verbose-output) and
//! `--debug`. The output of httperf-rs is asserted exactly, including the
//! documented deviations from 0.9.0's buffer-overrun artefacts (chunk framing
//! and pipelined replies never leak into `RB` lines; long lines are printed in
//! bounded pieces). Loopback only, small counts, every run under a time limit.

use crate::support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use support::{ok_reply, run_binary, Behaviour, Run, TestServer};

const LIMIT: Duration = Duration::from_secs(30);

fn run(port: u16, extra: &[&str]) -> Run {
    let mut args = vec!["--server=127.0.0.1".to_string(), format!("--port={port}")];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = run_binary(&refs, LIMIT);
    assert_eq!(
        result.status, 0,
        "{extra:?}\n{}{}",
        result.stdout, result.stderr
    );
    result
}

/// What a run printed between the echo line and `Maximum connect burst length`:
/// the `-v` and `--print-*` lines.
fn during_run(stdout: &str) -> &str {
    let start = stdout.find('\n').expect("echo line") + 1;
    let end = stdout
        .find("Maximum connect burst length:")
        .unwrap_or_else(|| panic!("no burst line in:\n{stdout}"));
    &stdout[start..end]
}

/// The default request against `--server=127.0.0.1` as SH lines, then its SS line.
fn sh(id: u64) -> String {
    format!(
        "SH{id}:GET / HTTP/1.1\r\nSH{id}:User-Agent: httperf/0.9.0\r\nSH{id}:Host: 127.0.0.1\r\nSH{id}:\r\n"
    )
}

fn ss(id: u64, header: usize) -> String {
    format!("SS{id}: header {header} content 0\n")
}

const BODY: &str = "hello\nworld\n";

/// `ok_reply(BODY)`'s header as RH lines (65 bytes).
fn rh(id: u64) -> String {
    format!(
        "RH{id}:HTTP/1.1 200 OK\r\nRH{id}:Content-Length: 12\r\nRH{id}:Content-Type: text/plain\r\nRH{id}:\r\n"
    )
}

fn rb(id: u64) -> String {
    format!("RB{id}:hello\nRB{id}:world\n")
}

fn rs(id: u64) -> String {
    format!("RS{id}: header 65 content 12 footer 0\n")
}

#[test]
fn print_request_in_each_form() {
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    let both = format!("{}{}{}{}", sh(0), ss(0, 62), sh(1), ss(1, 62));
    let cases = [
        ("--print-request", both.clone()),
        ("--print-request=header", both),
        // Requests have no body outside session files: only the summaries.
        (
            "--print-request=body",
            format!("{}{}", ss(0, 62), ss(1, 62)),
        ),
    ];
    for (option, expected) in cases {
        let result = run(server.port, &[option, "--num-calls=2"]);
        assert_eq!(during_run(&result.stdout), expected, "{option}");
    }
}

#[test]
fn print_reply_in_each_form() {
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    let cases = [
        (
            "--print-reply",
            format!("{}{}{}{}{}{}", rh(0), rb(0), rs(0), rh(1), rb(1), rs(1)),
        ),
        (
            "--print-reply=header",
            format!("{}{}{}{}", rh(0), rs(0), rh(1), rs(1)),
        ),
        (
            "--print-reply=body",
            format!("{}{}{}{}", rb(0), rs(0), rb(1), rs(1)),
        ),
    ];
    for (option, expected) in cases {
        let result = run(server.port, &[option, "--num-calls=2"]);
        assert_eq!(during_run(&result.stdout), expected, "{option}");
    }
}

#[test]
fn call_ids_count_every_call_across_keep_alive_connections() {
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    let result = run(
        server.port,
        &[
            "--print-request",
            "--print-reply",
            "--add-header=X-Lf: 1\\aX-Id: 7\\n",
            "--num-conns=2",
            "--num-calls=3",
        ],
    );
    // `\n` gives CR LF, `\a` a bare LF: that SH line has no CR. 62 + 9 + 8 bytes.
    let expected: String = (0..6)
        .map(|id| {
            let head = sh(id).replace(
                &format!("SH{id}:\r\n"),
                &format!("SH{id}:X-Lf: 1\nSH{id}:X-Id: 7\r\nSH{id}:\r\n"),
            );
            format!("{head}{}{}{}{}", ss(id, 79), rh(id), rb(id), rs(id))
        })
        .collect();
    assert_eq!(during_run(&result.stdout), expected);
    assert_eq!(result.count("Total:", "connections"), 2);
}

#[test]
fn http_1_0_head_requests_and_a_body_without_final_lf() {
    let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nline1\nline2".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(server.port, &["--print-reply=body"]);
    // The pending partial line is flushed when the reply completes.
    assert_eq!(
        during_run(&result.stdout),
        "RB0:line1\nRB0:line2\nRS0: header 39 content 11 footer 0\n"
    );
    let head_only = TestServer::start(Behaviour::Reply(
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n".to_vec(),
    ));
    let result = run(
        head_only.port,
        &[
            "--print-request=header",
            "--print-reply",
            "--http-version=1.0",
            "--method=HEAD",
        ],
    );
    assert_eq!(
        during_run(&result.stdout),
        "HEAD / HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive\r\nHost: 127.0.0.1\r\n\r\n"
            .split_inclusive('\n')
            .map(|line| format!("SH0:{line}"))
            .collect::<String>()
            + "SS0: header 87 content 0\n"
            + "RH0:HTTP/1.1 200 OK\r\nRH0:Content-Length: 11\r\nRH0:\r\n"
            + "RS0: header 39 content 0 footer 0\n"
    );
}

#[test]
fn chunked_replies_print_only_the_payload() {
    // Payload "line1\nli" + "ne2\n" + "tail": lines run across chunks; the
    // chunk-size lines, extensions, CRLFs and the trailer never show up in RB
    // lines (0.9.0 prints `RB0:li\r` and `RB0:tail\r` here: a documented
    // deviation). Byte counts as 0.9.0: header 47, content 16, footer 18.
    let reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nline1\nli\r\n4\r\nne2\n\r\n4;x=y\r\ntail\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(server.port, &["--print-reply", "--num-calls=2"]);
    let one = |id: u64| {
        format!(
            "RH{id}:HTTP/1.1 200 OK\r\nRH{id}:Transfer-Encoding: chunked\r\nRH{id}:\r\n\
             RB{id}:line1\nRB{id}:line2\nRB{id}:tail\nRS{id}: header 47 content 16 footer 18\n"
        )
    };
    assert_eq!(during_run(&result.stdout), one(0) + &one(1));
    assert_eq!(
        result.line("Reply size"),
        "Reply size [B]: header 47.0 content 16.0 footer 18.0 (total 81.0)"
    );
}

/// A one-connection server: reads until it has seen `requests` request heads,
/// then hands the stream to `answer`. Returns the port and the thread.
fn one_shot_server<T: Send + 'static>(
    requests: usize,
    answer: impl FnOnce(&mut TcpStream) -> T + Send + 'static,
) -> (u16, thread::JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut seen = Vec::new();
        let mut buffer = [0u8; 4096];
        while seen.windows(4).filter(|w| w == b"\r\n\r\n").count() < requests {
            let n = stream.read(&mut buffer).expect("read request");
            assert!(n > 0, "client closed early");
            seen.extend_from_slice(&buffer[..n]);
        }
        let value = answer(&mut stream);
        // Wait for the client's close so nothing is cut short.
        let _ = stream.read_to_end(&mut Vec::new());
        value
    });
    (port, handle)
}

#[test]
fn pipelined_replies_in_one_segment_stay_apart() {
    // Both replies arrive in one write: 0.9.0's LF search would glue the first
    // body's last line to the next status line (`RB0:line2HTTP/1.1 200 OK\r`).
    let reply = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nline1\nline2";
    let (port, server) = one_shot_server(2, move |stream| {
        stream
            .write_all(format!("{reply}{reply}").as_bytes())
            .expect("write");
    });
    let result = run(
        port,
        &["--print-reply", "--num-calls=2", "--burst-length=2"],
    );
    server.join().expect("server");
    let one = |id: u64| {
        format!(
            "RH{id}:HTTP/1.1 200 OK\r\nRH{id}:Content-Length: 11\r\nRH{id}:\r\n\
             RB{id}:line1\nRB{id}:line2\nRS{id}: header 39 content 11 footer 0\n"
        )
    };
    assert_eq!(during_run(&result.stdout), one(0) + &one(1));
}

#[test]
fn a_header_end_split_across_reads_still_ends_the_header() {
    // The blank line's CR and LF arrive 100 ms apart. 0.9.0 searches each read
    // for CR LF CR LF, misses it, and prints the body as RH lines too
    // (`RH0:abc`, `RH0:def`, then `RB0:abc`, `RB0:def`): an artefact that
    // depends on read timing; httperf-rs prints the header once.
    let (port, server) = one_shot_server(1, |stream| {
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r")
            .expect("head");
        thread::sleep(Duration::from_millis(100));
        stream.write_all(b"\nabc\ndef\n").expect("rest");
    });
    let result = run(port, &["--print-reply"]);
    server.join().expect("server");
    assert_eq!(
        during_run(&result.stdout),
        "RH0:HTTP/1.1 200 OK\r\nRH0:Content-Length: 8\r\nRH0:\r\nRB0:abc\nRB0:def\n\
         RS0: header 38 content 8 footer 0\n"
    );
}

#[test]
fn only_the_first_header_block_of_a_100_continue_is_printed() {
    // 0.9.0's 100 Continue quirk (docs/behaviour.md#100-continue): the 200's lines count as header
    // bytes of a body-less 100 reply, and its body is discarded at the close.
    // Output identical to 0.9.0's.
    let reply =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc".to_vec();
    let server = TestServer::start(Behaviour::Reply(reply));
    let result = run(server.port, &["--print-reply"]);
    assert_eq!(
        during_run(&result.stdout),
        "RH0:HTTP/1.1 100 Continue\r\nRH0:\r\nRS0: header 63 content 0 footer 0\n"
    );
}

/// Peak resident set size (VmHWM, KiB) of a live process.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches(" kB").parse().ok())
        .expect("VmHWM")
}

/// What one `--print-reply=body --num-calls=2` run against a first reply of
/// `body_len` bytes of `x` (no LF) showed.
struct LargeBodyRun {
    /// Lengths of call 0's RB lines (without the `RB0:` prefix).
    pieces: Vec<usize>,
    /// Call 0's RS line.
    summary: String,
    /// Whether an RB line came out before the second half of the body was sent.
    streamed: bool,
    /// httperf-rs's peak RSS (KiB) once the first reply was complete.
    peak_rss: u64,
}

/// The server sends the first reply's header and half its body, then the rest
/// once an `RB0:` line was printed (or after 10 s, unless `wait` is false).
/// The second request comes only once the first reply is complete: the server
/// then reads the client's peak RSS, which covers the whole first reply, and
/// sends the second (small) reply.
fn large_body_run(body_len: usize, wait: bool) -> LargeBodyRun {
    let (printed_tx, printed_rx) = mpsc::channel::<()>();
    let (pid_tx, pid_rx) = mpsc::channel::<u32>();
    let (port, server) = one_shot_server(1, move |stream| {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {body_len}\r\n\r\n");
        stream.write_all(head.as_bytes()).expect("head");
        let half = vec![b'x'; body_len / 2];
        stream.write_all(&half).expect("first half");
        let streamed = wait && printed_rx.recv_timeout(Duration::from_secs(10)).is_ok();
        let rest = vec![b'x'; body_len - half.len()];
        stream.write_all(&rest).expect("second half");
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        while !request.ends_with(b"\r\n\r\n") {
            let n = stream.read(&mut buffer).expect("second request");
            assert!(n > 0, "client closed early");
            request.extend_from_slice(&buffer[..n]);
        }
        let peak_rss = peak_rss_kib(pid_rx.recv().expect("pid"));
        stream.write_all(&ok_reply("done")).expect("second reply");
        (streamed, peak_rss)
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
        .args([
            "--server=127.0.0.1",
            &format!("--port={port}"),
            "--print-reply=body",
            "--num-calls=2",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn httperf-rs");
    pid_tx.send(child.id()).expect("send pid");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = thread::spawn(move || {
        let mut all = Vec::new();
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = match stdout.read(&mut buffer) {
                Ok(0) | Err(_) => return all,
                Ok(n) => n,
            };
            // The first RB0 line comes within the first 64 KiB + 4 bytes.
            let seen = all.len() < 128 * 1024;
            all.extend_from_slice(&buffer[..n]);
            if seen && all.windows(4).any(|w| w == b"RB0:") {
                let _ = printed_tx.send(());
            }
        }
    });
    let result = support::wait_bounded(child, LIMIT);
    assert_eq!(result.status, 0, "{}", result.stderr);
    let (streamed, peak_rss) = server.join().expect("server");
    let stdout = reader.join().expect("reader");
    let text = String::from_utf8(stdout).expect("ascii");
    let mut pieces = Vec::new();
    let mut summary = String::new();
    for line in text.lines() {
        if let Some(piece) = line.strip_prefix("RB0:") {
            assert!(
                piece.bytes().all(|b| b == b'x'),
                "stray bytes in an RB line"
            );
            pieces.push(piece.len());
        } else if line.starts_with("RS0:") {
            summary = line.to_string();
        }
    }
    LargeBodyRun {
        pieces,
        summary,
        streamed,
        peak_rss,
    }
}

#[test]
fn a_large_body_without_lf_streams_in_bounded_pieces() {
    const LARGE: usize = 5 * 1024 * 1024;
    let large = large_body_run(LARGE, true);
    assert!(
        large.streamed,
        "no RB line before the second half of the body was sent: the body is buffered"
    );
    assert_eq!(large.pieces.iter().sum::<usize>(), LARGE);
    assert_eq!(
        large.summary,
        format!("RS0: header 44 content {LARGE} footer 0")
    );
    // A line is printed in pieces of exactly 64 KiB; the last holds the rest.
    let (last, full) = large.pieces.split_last().expect("pieces");
    assert!(
        full.iter().all(|&n| n == 64 * 1024) && (1..=64 * 1024).contains(last),
        "piece lengths {:?}",
        large.pieces
    );
    // Peak memory does not grow with the body: compare with a 64 KiB body.
    let small = large_body_run(64 * 1024, false);
    assert_eq!(small.pieces.iter().sum::<usize>(), 64 * 1024);
    eprintln!(
        "peak RSS: {} KiB (5 MiB body), {} KiB (64 KiB body)",
        large.peak_rss, small.peak_rss
    );
    assert!(
        large.peak_rss < small.peak_rss + 2 * 1024,
        "peak RSS {} KiB for a 5 MiB body vs {} KiB for 64 KiB",
        large.peak_rss,
        small.peak_rss
    );
}

/// The hard RLIMIT_NOFILE this test process (and so its children) has.
// std has no getrlimit.
#[allow(unsafe_code)]
fn hard_open_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    assert_eq!(
        // SAFETY: getrlimit writes into the struct we own.
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    limit.rlim_max
}

#[test]
fn verbose_prints_the_real_descriptor_limit_and_rate_samples() {
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    // --client=0/4: the first sample is due 1.25 s after the start; 30
    // connections at 20/s last 1.45 s, so exactly one sample.
    let result = run(
        server.port,
        &["-v", "--client=0/4", "--rate=20", "--num-conns=30"],
    );
    let lines: Vec<&str> = during_run(&result.stdout).lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let limit = hard_open_file_limit();
    if limit != libc::RLIM_INFINITY {
        assert_eq!(
            lines[0],
            format!("httperf-rs: maximum number of open descriptors = {limit}")
        );
    }
    let sample = lines[1]
        .strip_prefix("reply-rate = ")
        .unwrap_or_else(|| panic!("{:?}", lines[1]));
    // %-8.1f: left-justified in 8 columns.
    assert_eq!(sample.len(), 8, "{sample:?}");
    let value = sample.trim_end();
    assert!(value.len() < 8 && value.split('.').nth(1).map(str::len) == Some(1));
    let rate: f64 = value.parse().expect("rate");
    assert!((15.0..=25.0).contains(&rate), "sample {rate}");
    assert_eq!(
        result.line("Reply rate"),
        format!(
            "Reply rate [replies/s]: min {value} avg {value} max {value} stddev 0.0 (1 samples)"
        )
    );
}

#[test]
fn verbose_prints_every_generated_uri() {
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    let result = run(
        server.port,
        &[
            "-v",
            "--client=2/3",
            "--wset=10,1",
            "--num-conns=3",
            "--print-request=header",
        ],
    );
    // docs/behaviour.md#working-set-sequence: /5.html /8.html /1.html; each before its SH lines.
    let expected: String = ["5", "8", "1"]
        .iter()
        .enumerate()
        .map(|(id, file)| {
            format!("httperf-rs: accessing URI `/{file}.html'\n")
                + &sh(id as u64).replace("GET / ", &format!("GET /{file}.html "))
                + &ss(id as u64, 68)
        })
        .collect();
    let printed = during_run(&result.stdout);
    let printed = printed.split_once('\n').expect("descriptor line").1;
    assert_eq!(printed, expected);
}

#[test]
fn verbose_wlog_prints_the_uri_of_the_call_that_ends_the_test() {
    // 0.9.0 (verified, and compat-tests' verbose-wlog): `/a /b /c`, then the
    // wrap ends the test while a 4th call is created; that call gets `/a`, is
    // never sent, and its line comes after the burst line.
    let dir = std::env::temp_dir().join(format!("httperf-rs-wlog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("uris");
    std::fs::write(&file, b"/a\0/b\0\0/c\0").expect("uri file");
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    let wlog = format!("--wlog=n,{}", file.display());
    let result = run(server.port, &["-v", &wlog, "--num-conns=5"]);
    let _ = std::fs::remove_dir_all(&dir);
    let access: Vec<&str> = result
        .stdout
        .lines()
        .filter(|line| line.contains("accessing URI"))
        .collect();
    assert_eq!(
        access,
        ["/a", "/b", "/c", "/a"].map(|uri| format!("httperf-rs: accessing URI `{uri}'"))
    );
    assert!(result
        .stdout
        .contains("Maximum connect burst length: 1\nhttperf-rs: accessing URI `/a'\n"));
    assert_eq!(result.count("Total:", "connections"), 4);
    assert_eq!(result.count("Total:", "requests"), 3);
}

#[test]
fn verbose_2_prints_the_lifetime_histogram_before_total() {
    // Every connection lives about 30 ms: the first non-empty bin is preceded
    // by a separator line.
    let server = TestServer::start(Behaviour::DelayedReply(
        Duration::from_millis(30),
        ok_reply(BODY),
    ));
    let result = run(server.port, &["-v", "-v", "--num-conns=4"]);
    let stdout = &result.stdout;
    let title = "\nConnection lifetime histogram (time in ms):\n";
    let start = stdout.find(title).expect("histogram title") + title.len();
    let block = &stdout[start..stdout.find("\n\nTotal: ").expect("Total:")];
    assert!(
        stdout[..start].ends_with(&("Maximum connect burst length: 1\n".to_owned() + title)),
        "{stdout}"
    );
    let (mut total, mut previous, mut separator) = (0, None::<u64>, false);
    for line in block.lines() {
        if line == "             :" {
            assert!(!separator, "two separators in a row:\n{block}");
            separator = true;
            continue;
        }
        // %16.1f %u with a bin midpoint (i + 0.5) ms.
        let (time, count) = line.split_at(16);
        assert!(count.starts_with(' '), "{line:?}");
        let bin = time.trim_start().strip_suffix(".5").expect("midpoint");
        let bin: u64 = bin.parse().expect("bin");
        assert_eq!(separator, bin > 0 && previous != Some(bin - 1), "{block}");
        assert!(bin >= 30 && previous.is_none_or(|p| p < bin), "{block}");
        total += count[1..].parse::<u64>().expect("count");
        previous = Some(bin);
        separator = false;
    }
    assert!(block.starts_with("             :\n"), "{block}");
    assert_eq!(total, 4);
}

#[test]
fn verbose_3_prints_each_arrival_draw_on_stderr() {
    // Deterministic rate: every draw is 0.01 s. The draw made at the start is
    // not printed; each of the 4 later connection starts prints one, and the
    // timer firing once more before the last connection is gone may print a
    // 5th (replies take 100 ms here, so it does).
    let server = TestServer::start(Behaviour::DelayedReply(
        Duration::from_millis(100),
        ok_reply(BODY),
    ));
    let result = run(server.port, &["-vvv", "--rate=100", "--num-conns=5"]);
    let delays: Vec<&str> = result.stderr.lines().collect();
    assert!(
        (4..=5).contains(&delays.len())
            && delays.iter().all(|l| *l == "next arrival delay = 0.0100"),
        "stderr:\n{}",
        result.stderr
    );
    assert!(!result.stdout.contains("arrival"));
    assert!(result.stdout.contains("Connection lifetime histogram"));
}

/// Lines with every number replaced by `#` (timing figures vary between runs).
fn shape(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let mut out = String::new();
            let mut in_number = false;
            for c in line.chars() {
                if c.is_ascii_digit() || (in_number && c == '.') {
                    if !in_number {
                        out.push('#');
                    }
                    in_number = true;
                } else {
                    in_number = false;
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

#[test]
fn debug_traces_go_to_stderr_only() {
    let server = TestServer::start(Behaviour::Reply(ok_reply(BODY)));
    let common = [
        "--print-request",
        "--print-reply",
        "--num-conns=2",
        "--num-calls=2",
    ];
    let plain = run(server.port, &common);
    for level in ["-d1", "--debug=5"] {
        let mut args = vec![level];
        args.extend(common);
        let traced = run(server.port, &args);
        // The echo line never shows --debug; print lines are deterministic.
        assert_eq!(
            traced.stdout.lines().next(),
            plain.stdout.lines().next(),
            "{level}"
        );
        assert_eq!(during_run(&traced.stdout), during_run(&plain.stdout));
        assert_eq!(shape(&traced.stdout), shape(&plain.stdout), "{level}");
        for field in [("Total:", "replies"), ("Errors: total", "total")] {
            assert_eq!(
                traced.count(field.0, field.1),
                plain.count(field.0, field.1)
            );
        }
        assert!(!traced.stdout.contains("debug"), "{}", traced.stdout);
        assert!(!traced.stderr.is_empty(), "{level}: no trace at all");
        assert!(
            traced
                .stderr
                .lines()
                .all(|line| line.starts_with("httperf-rs: debug: ")),
            "{level}:\n{}",
            traced.stderr
        );
    }
    assert_eq!(plain.stderr, "");
}
