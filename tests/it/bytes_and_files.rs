//! Option values, file names and file contents are bytes: what is not UTF-8
//! reaches the wire and the echo line unchanged, as with httperf 0.9.0. Files
//! that options name are read only when they are regular files or pipes, up
//! to a limit per option, and large input files cost little more than their
//! size in memory.

use crate::support;

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use support::{closed_port, ok_reply, Behaviour, Scratch, TestServer};

const LIMIT: Duration = Duration::from_secs(30);
/// Address space allowed to every run: a file read without a limit makes
/// the run fail here instead of taking the machine's memory.
const ADDRESS_SPACE_BYTES: u64 = 4 << 30;

/// What a run printed, as bytes, and its peak resident memory as last seen
/// while it ran (0 if it ended before the first look).
struct Outcome {
    status: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    peak_rss_bytes: u64,
}

/// VmHWM of a running process: the peak resident set of the program it runs
/// now (unlike getrusage's maxrss, which also counts the memory of the test
/// process the child was forked from).
fn vm_hwm_bytes(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn os(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

// pre_exec is unsafe: the closure runs between fork and exec.
#[allow(unsafe_code)]
fn command(args: &[&OsStr]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_httperf-rs"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches no state of the parent.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE_BYTES,
                rlim_max: ADDRESS_SPACE_BYTES,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    command
}

/// Waits for `child` at most [`LIMIT`], collecting its output and watching
/// its peak resident set size.
fn finish(mut child: Child) -> Outcome {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let mut peak_rss_bytes = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        // VmHWM only grows; a zombie has none, so keep the last one seen.
        if let Some(peak) = vm_hwm_bytes(child.id()) {
            peak_rss_bytes = peak_rss_bytes.max(peak);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("httperf-rs did not finish within {LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        status: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        peak_rss_bytes,
    }
}

fn run(args: &[&OsStr]) -> Outcome {
    finish(command(args).spawn().expect("spawn httperf-rs"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `--PREFIX=PATH` with the path's bytes.
fn path_arg(prefix: &str, path: &Path) -> Vec<u8> {
    [prefix.as_bytes(), path.as_os_str().as_bytes()].concat()
}

#[test]
fn request_parts_that_are_not_utf8_are_sent_and_echoed_as_given() {
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    let port = server.port.to_string();
    let args: [&[u8]; 9] = [
        b"--server=127.0.0.1",
        b"--port",
        port.as_bytes(),
        b"--server-name=h\xff",
        b"--uri=/\xff\xfe",
        b"--method=G\xe9T",
        b"--add-header=X-\xff: \\\xfe\\n",
        b"--num-conns=1",
        b"--timeout=5",
    ];
    let args: Vec<&OsStr> = args.iter().map(|a| os(a)).collect();
    let outcome = run(&args);
    assert_eq!(outcome.status, 0, "{}", text(&outcome.stderr));
    // httperf 0.9.0 sends and echoes these bytes for the same options.
    let sent = server.received().concat();
    let expected: &[u8] = b"G\xe9T /\xff\xfe HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\n\
        Host: h\xff\r\nX-\xff: \xfe\r\n\r\n";
    assert_eq!(sent, expected, "{}", text(&sent));
    let echo = [
        b"httperf-rs --timeout=5 --client=0/1 --server=127.0.0.1 --server_name=h\xff --port="
            .as_slice(),
        port.as_bytes(),
        b" --uri=/\xff\xfe --send-buffer=4096 --recv-buffer=16384 \
          --add-header='X-\xff: \\\xfe\\n' --method=G\xe9T --num-conns=1 --num-calls=1\n",
    ]
    .concat();
    assert!(
        outcome.stdout.starts_with(&echo),
        "{}",
        text(&outcome.stdout)
    );
    // The unknown escape's warning names the byte, as 0.9.0's does.
    assert_eq!(
        outcome.stderr,
        b"httperf-rs: ignoring unknown escape sequence `\\\xfe' in --add-header\n"
    );
}

#[test]
fn files_whose_names_are_not_utf8_are_read() {
    let dir = Scratch::new("bytes");
    let wlog = dir.write(b"w\xff.log", b"/a\xfe\0/b\0");
    let sesslog = dir.write(b"s\xfe.log", b"/s\xff method=POST contents='\xfe'\n");
    let headers = dir.write(b"h\xff.txt", b"X-File: \xfe\r\n");
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    let port = server.port.to_string();
    let common: Vec<Vec<u8>> = vec![
        b"--server=127.0.0.1".to_vec(),
        format!("--port={port}").into_bytes(),
        b"--timeout=5".to_vec(),
        path_arg("--add-header-file=", &headers),
    ];
    let with = |more: Vec<Vec<u8>>| {
        let all: Vec<Vec<u8>> = common.iter().cloned().chain(more).collect();
        let args: Vec<&OsStr> = all.iter().map(|a| os(a)).collect();
        run(&args)
    };
    let outcome = with(vec![
        path_arg("--wlog=n,", &wlog),
        b"--num-conns=2".to_vec(),
    ]);
    assert_eq!(outcome.status, 0, "{}", text(&outcome.stderr));
    let outcome = with(vec![path_arg("--wsesslog=1,0,", &sesslog)]);
    assert_eq!(outcome.status, 0, "{}", text(&outcome.stderr));
    let echo_item = [
        b" --wsesslog=1,0.000,".as_slice(),
        sesslog.as_os_str().as_bytes(),
    ]
    .concat();
    assert!(
        outcome
            .stdout
            .windows(echo_item.len())
            .any(|w| w == echo_item),
        "{}",
        text(&outcome.stdout)
    );
    let head = |method_uri: &[u8]| {
        [
            method_uri,
            b" HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\nX-File: \xfe\r\n",
        ]
        .concat()
    };
    let expected: Vec<Vec<u8>> = vec![
        [head(b"GET /a\xfe"), b"\r\n".to_vec()].concat(),
        [head(b"GET /b"), b"\r\n".to_vec()].concat(),
        [
            head(b"POST /s\xff"),
            b"Content-length: 1\r\n\r\n\xfe".to_vec(),
        ]
        .concat(),
    ];
    assert_eq!(
        server
            .received()
            .iter()
            .map(|r| text(r))
            .collect::<Vec<_>>(),
        expected.iter().map(|r| text(r)).collect::<Vec<_>>()
    );
    assert_eq!(server.received(), expected);
}

#[test]
fn files_that_never_end_are_refused() {
    let dir = Scratch::new("endless");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("certificate");
    let cert_file = dir.write(b"cert.pem", cert.pem().as_bytes());
    let cert_arg = path_arg("--ssl-certificate=", &cert_file);
    let port = closed_port().to_string();
    let zero = "/dev/zero: not a regular file or a pipe";
    let cases: Vec<(Vec<&[u8]>, String)> =
        vec![
        (vec![b"--wlog=y,/dev/zero"], format!("httperf-rs: {zero}")),
        (vec![b"--wsesslog=1,0,/dev/zero"], format!("httperf-rs: {zero}")),
        (vec![b"--add-header-file=/dev/zero"], format!("httperf-rs: {zero}")),
        (vec![b"--servers=/dev/zero"], format!("httperf-rs: {zero}")),
        (
            vec![b"--ssl", b"--ssl-verify", b"--ssl-ca-file=/dev/zero"],
            "httperf-rs: cannot read CA certificates from /dev/zero: not a regular file or a pipe"
                .to_string(),
        ),
        (
            vec![b"--ssl", b"--ssl-certificate=/dev/zero"],
            "httperf-rs: cannot read SSL certificate from /dev/zero: not a regular file or a pipe"
                .to_string(),
        ),
        (
            vec![b"--ssl", &cert_arg, b"--ssl-key=/dev/zero"],
            "httperf-rs: cannot read SSL key from /dev/zero: not a regular file or a pipe"
                .to_string(),
        ),
    ];
    for (options, message) in cases {
        let mut args: Vec<&OsStr> = vec![os(b"--port"), os(port.as_bytes())];
        if !options.iter().any(|o| o.starts_with(b"--servers")) {
            args.push(os(b"--server=127.0.0.1"));
        }
        args.extend(options.iter().map(|o| os(o)));
        let outcome = run(&args);
        let stderr = text(&outcome.stderr);
        assert_eq!(
            (outcome.status, stderr.lines().last()),
            (1, Some(message.as_str())),
            "{options:?}: {stderr}"
        );
    }
}

#[test]
fn files_over_their_limit_are_refused_and_pipes_are_read() {
    let dir = Scratch::new("limits");
    // Sparse files: their size is over the limit, their blocks take no disk.
    let sized = |name: &[u8], len: u64| {
        let path = dir.write(name, b"");
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_len(len))
            .expect("sparse file");
        path
    };
    let huge_log = sized(b"huge.log", (1 << 30) + 1);
    let huge_header = sized(b"huge.hdr", (1 << 20) + 1);
    let port = closed_port().to_string();
    let cases = [
        (
            path_arg("--wlog=y,", &huge_log),
            format!(
                "httperf-rs: {}: larger than 1 GiB, the most --wlog reads",
                huge_log.display()
            ),
        ),
        (
            path_arg("--wsesslog=1,0,", &huge_log),
            format!(
                "httperf-rs: {}: larger than 1 GiB, the most --wsesslog reads",
                huge_log.display()
            ),
        ),
        (
            path_arg("--add-header-file=", &huge_header),
            format!(
                "httperf-rs: {}: larger than 1 MiB, the most --add-header-file reads",
                huge_header.display()
            ),
        ),
    ];
    for (option, message) in cases {
        let args = [
            os(b"--server=127.0.0.1"),
            os(b"--port"),
            os(port.as_bytes()),
            os(&option),
        ];
        let outcome = run(&args);
        assert_eq!(
            (outcome.status, text(&outcome.stderr).lines().last()),
            (1, Some(message.as_str()))
        );
    }
    // A pipe that ends is read like a file.
    let server = TestServer::start(Behaviour::Reply(ok_reply("x")));
    let port = server.port.to_string();
    let mut child = command(&[
        os(b"--server=127.0.0.1"),
        os(b"--port"),
        os(port.as_bytes()),
        os(b"--wlog=n,/dev/stdin"),
        os(b"--timeout=5"),
    ])
    .stdin(Stdio::piped())
    .spawn()
    .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"/piped\0").expect("write");
    drop(stdin);
    let outcome = finish(child);
    assert_eq!(outcome.status, 0, "{}", text(&outcome.stderr));
    assert!(server.received()[0].starts_with(b"GET /piped HTTP/1.1\r\n"));
}

/// Writes a file of at least `target` bytes made of `piece(n)` for n = 0, 1, ...
/// without holding it in memory; returns its size.
fn generate(path: &Path, target: u64, piece: impl Fn(u64) -> String) -> u64 {
    let mut out = std::io::BufWriter::new(fs::File::create(path).expect("create"));
    let mut written = 0;
    let mut n = 0;
    while written < target {
        let piece = piece(n);
        out.write_all(piece.as_bytes()).expect("write");
        written += piece.len() as u64;
        n += 1;
    }
    out.flush().expect("flush");
    written
}

/// A `--wsesslog` session: a page with a think time and three embedded
/// objects, as a site's log would give.
fn session(page: u64) -> String {
    format!(
        "/section{}/article{page}.html think=1.5\n\t/img/photo{page}a.jpg\n\
         \t/img/photo{page}b.jpg\n\t/css/site{}.css\n\n",
        page % 50,
        page % 7
    )
}

fn uri(n: u64) -> String {
    format!("/section{}/article{n}.html?page=2\0", n % 50)
}

/// Peak RSS of a run that reads `file` with `option` and then waits a second
/// for a silent server (so that the peak is seen while it runs).
fn peak_rss(option: &str, file: &Path) -> u64 {
    let server = TestServer::start(Behaviour::Silent);
    let port = server.port.to_string();
    let arg = path_arg(option, file);
    let outcome = run(&[
        os(b"--server=127.0.0.1"),
        os(b"--port"),
        os(port.as_bytes()),
        os(b"--timeout=1"),
        os(&arg),
    ]);
    assert_eq!(outcome.status, 0, "{}", text(&outcome.stderr));
    assert!(
        outcome.peak_rss_bytes > 0,
        "the run ended before its RSS was seen"
    );
    outcome.peak_rss_bytes
}

#[test]
fn large_input_files_cost_at_most_one_and_a_half_times_their_size() {
    const SIZE: u64 = 40 << 20;
    let dir = Scratch::new("rss");
    type Piece = fn(u64) -> String;
    let cases: [(&str, Piece); 2] = [("--wsesslog=1,0,", session), ("--wlog=y,", uri)];
    for (option, piece) in cases {
        let small = dir.join("small");
        generate(&small, 100, piece);
        let baseline = peak_rss(option, &small);
        let large = dir.join("large");
        let size = generate(&large, SIZE, piece);
        let peak = peak_rss(option, &large);
        let allowed = baseline + size * 3 / 2;
        assert!(
            peak <= allowed,
            "{option}: peak RSS {} MiB for a {} MiB file (baseline {} MiB, allowed {} MiB)",
            peak >> 20,
            size >> 20,
            baseline >> 20,
            allowed >> 20
        );
    }
}
