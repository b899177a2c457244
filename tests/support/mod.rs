//! Test support: a loopback origin server that records every byte it receives
//! and answers with scripted replies, and a runner for the httperf-rs binary
//! with a hard time limit. Everything binds 127.0.0.1 port 0 and stops itself.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How the server answers each request it reads (a request ends at the blank
/// line after its headers, plus a `Content-length` body if announced).
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Send these bytes for every request; keep the connection open.
    Reply(Vec<u8>),
    /// Send these bytes for the first request, then close the connection.
    ReplyThenClose(Vec<u8>),
    /// Wait this long, then send the bytes, for every request.
    DelayedReply(Duration, Vec<u8>),
    /// Read forever, never answer.
    Silent,
    /// Close (with RST) as soon as a request arrives.
    Reset,
    /// The first reply for the first request of each connection, the second
    /// for every later one.
    FirstThen(Vec<u8>, Vec<u8>),
    /// Send the reply one byte at a time, this long apart.
    Drip(Duration, Vec<u8>),
    /// Answer by request path (exact match); anything else gets a 404.
    ByPath(Vec<(String, Vec<u8>)>),
}

/// A reply with a fixed body and Content-Length.
pub fn ok_reply(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The bytes one connection delivered, shared with its serving thread.
type ConnectionRecord = Arc<Mutex<Vec<u8>>>;

pub struct TestServer {
    pub port: u16,
    received: Arc<Mutex<Vec<ConnectionRecord>>>,
    peers: Arc<Mutex<Vec<std::net::SocketAddr>>>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(behaviour: Behaviour) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let received: Arc<Mutex<Vec<ConnectionRecord>>> = Arc::default();
        let peers: Arc<Mutex<Vec<std::net::SocketAddr>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let received = Arc::clone(&received);
            let peers = Arc::clone(&peers);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Ok(peer) = stream.peer_addr() {
                        peers.lock().expect("lock").push(peer);
                    }
                    let record: ConnectionRecord = Arc::default();
                    received.lock().expect("lock").push(Arc::clone(&record));
                    let behaviour = behaviour.clone();
                    let stop = Arc::clone(&stop);
                    let _ = thread::Builder::new()
                        .stack_size(64 * 1024)
                        .spawn(move || serve(stream, behaviour, record, stop));
                }
            })
        };
        TestServer {
            port,
            received,
            peers,
            stop,
            accept_thread: Some(accept_thread),
        }
    }

    /// The client address of each connection, in accept order.
    pub fn peers(&self) -> Vec<std::net::SocketAddr> {
        self.peers.lock().expect("lock").clone()
    }

    /// The bytes received on each connection, in accept order.
    pub fn received(&self) -> Vec<Vec<u8>> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .map(|record| record.lock().expect("lock").clone())
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
    }
}

/// Length of the first complete request in `data`, if there is one.
fn request_length(data: &[u8]) -> Option<usize> {
    let head_end = data.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let body = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    (data.len() >= head_end + body).then_some(head_end + body)
}

/// The path of a request's request line.
fn request_path(request: &[u8]) -> String {
    let line = request.split(|&b| b == b'\r').next().unwrap_or_default();
    String::from_utf8_lossy(line)
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn serve(
    mut stream: TcpStream,
    behaviour: Behaviour,
    record: ConnectionRecord,
    stop: Arc<AtomicBool>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut pending = Vec::new();
    let mut answered = 0usize;
    let mut buffer = [0u8; 16384];
    while !stop.load(Ordering::SeqCst) {
        let read = match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => n,
            Err(error)
                if error.kind() == std::io::ErrorKind::WouldBlock
                    || error.kind() == std::io::ErrorKind::TimedOut =>
            {
                continue
            }
            Err(_) => return,
        };
        record
            .lock()
            .expect("lock")
            .extend_from_slice(&buffer[..read]);
        pending.extend_from_slice(&buffer[..read]);
        while let Some(length) = request_length(&pending) {
            let request: Vec<u8> = pending.drain(..length).collect();
            let first_request = answered == 0;
            answered += 1;
            match &behaviour {
                Behaviour::Reply(reply) => {
                    if stream.write_all(reply).is_err() {
                        return;
                    }
                }
                Behaviour::ReplyThenClose(reply) => {
                    let _ = stream.write_all(reply);
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                Behaviour::DelayedReply(delay, reply) => {
                    thread::sleep(*delay);
                    if stream.write_all(reply).is_err() {
                        return;
                    }
                }
                Behaviour::Silent => {}
                Behaviour::FirstThen(first, later) => {
                    let reply = if first_request { first } else { later };
                    if stream.write_all(reply).is_err() {
                        return;
                    }
                }
                Behaviour::Drip(gap, reply) => {
                    for byte in reply {
                        thread::sleep(*gap);
                        if stream.write_all(&[*byte]).is_err() {
                            return;
                        }
                    }
                }
                Behaviour::ByPath(routes) => {
                    let path = request_path(&request);
                    let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec();
                    let reply = routes
                        .iter()
                        .find(|(route, _)| *route == path)
                        .map_or(&not_found, |(_, reply)| reply);
                    if stream.write_all(reply).is_err() {
                        return;
                    }
                }
                Behaviour::Reset => {
                    let socket = socket2::SockRef::from(&stream);
                    let _ = socket.set_linger(Some(Duration::ZERO));
                    return;
                }
            }
        }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The report line starting with `prefix`, or a panic showing the output.
    pub fn line(&self, prefix: &str) -> &str {
        self.stdout
            .lines()
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{}", self.stdout))
    }

    /// The integer following `label ` on the report line starting with `prefix`.
    pub fn count(&self, prefix: &str, label: &str) -> u64 {
        let line = self.line(prefix);
        let mut words = line.split_whitespace();
        while let Some(word) = words.next() {
            if word == label {
                if let Some(value) = words.next() {
                    let digits = value.trim_end_matches(|c: char| !c.is_ascii_digit());
                    return digits.parse().unwrap_or_else(|_| panic!("{line}"));
                }
            }
        }
        panic!("no {label:?} in {line:?}")
    }
}

/// Starts httperf-rs with `args`, its output captured.
pub fn spawn_binary(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn httperf-rs")
}

/// Runs httperf-rs with `args`, killing it after `limit`.
pub fn run_binary(args: &[&str], limit: Duration) -> Run {
    wait_bounded(spawn_binary(args), limit)
}

/// Threads that read the child's stdout and stderr to their ends, so a chatty
/// child never blocks on a full pipe; each yields the text it read.
pub fn drain_output(
    child: &mut std::process::Child,
) -> (thread::JoinHandle<String>, thread::JoinHandle<String>) {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    (stdout, stderr)
}

/// A directory of the test's own under the system's temporary directory,
/// removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "httperf-rs-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }

    /// Writes file `name` (its bytes as given, UTF-8 or not) and returns its path.
    pub fn write(&self, name: impl AsRef<[u8]>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(std::ffi::OsStr::from_bytes(name.as_ref()));
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs httperf-rs with `args`, sends it SIGINT after `delay`, and waits
/// for it to end (at most `limit`).
#[allow(unsafe_code)] // signalling the child takes libc::kill
pub fn interrupted_after(args: &[&str], delay: Duration, limit: Duration) -> Run {
    let child = spawn_binary(args);
    std::thread::sleep(delay);
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    wait_bounded(child, limit)
}

/// Waits for `child` at most `limit` (then kills it and fails the test).
/// Output is drained by threads so a chatty child never blocks on a full pipe.
pub fn wait_bounded(mut child: std::process::Child, limit: Duration) -> Run {
    let (stdout, stderr) = drain_output(&mut child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "httperf-rs did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
                stdout.join().unwrap_or_default(),
                stderr.join().unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    Run {
        status: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// The nginx binary, if one is installed.
pub fn find_nginx() -> Option<std::path::PathBuf> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|path| path.exists())
}

/// What a test's nginx serves.
enum Site<'a> {
    /// `200 ok` for every request, each logged in this `log_format` if any.
    AnyPathOk { log_format: Option<&'a str> },
    /// A 1010-byte `/index.html` (nginx's own reply headers and 404s).
    StaticIndex,
}

/// nginx on a free 127.0.0.1 port (one worker in the foreground, everything
/// in its own temporary directory). Killed and its directory removed when
/// dropped.
pub struct Nginx {
    pub port: u16,
    dir: std::path::PathBuf,
    child: std::process::Child,
}

impl Nginx {
    /// Answering every request with `200 ok`, optionally logging each
    /// request in `log_format` (nginx's `log_format` syntax, e.g.
    /// `$msec $request_uri`). `None` when nginx is not installed.
    pub fn start(log_format: Option<&str>) -> Option<Nginx> {
        Nginx::launch(Site::AnyPathOk { log_format })
    }

    /// Serving a 1010-byte `/index.html`; panics when nginx is not
    /// installed (`.ci/run` installs nginx-light).
    pub fn serving_index() -> Nginx {
        Nginx::launch(Site::StaticIndex).expect("nginx is installed (apt-get install nginx-light)")
    }

    fn launch(site: Site<'_>) -> Option<Nginx> {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let binary = find_nginx()?;
        let serial = STARTED.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("httperf-rs-nginx-{}-{serial}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("nginx directory");
        let d = dir.display();
        let port = closed_port();
        let (access_log, content) = match site {
            Site::AnyPathOk { log_format } => (
                log_format.map_or_else(
                    || "access_log off;".to_string(),
                    |format| {
                        format!(
                            "log_format shapes '{format}';\n    access_log {d}/access.log shapes;"
                        )
                    },
                ),
                "location / { return 200 \"ok\\n\"; }".to_string(),
            ),
            Site::StaticIndex => {
                std::fs::create_dir_all(dir.join("html")).expect("html directory");
                std::fs::write(dir.join("html/index.html"), vec![b'x'; 1010]).expect("index.html");
                ("access_log off;".to_string(), format!("root {d}/html;"))
            }
        };
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\nworker_rlimit_nofile 16384;\n\
             pid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 8192; }}\nhttp {{\n    {access_log}\n\
             \x20   client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
             \x20   fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n\
             \x20   scgi_temp_path {d}/scgi;\n    keepalive_requests 100000;\n\
             \x20   server {{\n        listen 127.0.0.1:{port};\n\
             \x20       {content}\n    }}\n}}\n"
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("nginx.conf");
        let child = Command::new(binary)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(format!("{d}/"))
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn nginx");
        let mut nginx = Nginx { port, dir, child };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10)
                || nginx.child.try_wait().ok().flatten().is_some()
            {
                let errors = std::fs::read_to_string(nginx.dir.join("error.log"));
                panic!("nginx did not start: {errors:?}");
            }
            thread::sleep(Duration::from_millis(20));
        }
        Some(nginx)
    }

    /// The access log written so far (nginx writes each line as the request
    /// completes).
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs httperf-rs to its end and returns its output and its peak resident
/// set size in KiB: the child's `VmHWM`, sampled every 10 ms until it exits.
/// Not the reaped child's `ru_maxrss`: the kernel carries the spawning
/// process's high-water mark into it across exec, and this test process,
/// running many tests at once, is larger than what is measured.
pub fn run_measuring_peak_rss<S: AsRef<std::ffi::OsStr>>(
    limit: Duration,
    args: &[S],
) -> (Run, i64) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn httperf-rs");
    let (stdout, stderr) = drain_output(&mut child);
    let status_path = format!("/proc/{}/status", child.id());
    let started = std::time::Instant::now();
    let mut peak_kib = 0;
    let status = loop {
        if let Some(high_water) = std::fs::read_to_string(&status_path)
            .ok()
            .as_deref()
            .and_then(|text| text.lines().find_map(|l| l.strip_prefix("VmHWM:")))
            .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak_kib = peak_kib.max(high_water);
        }
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("httperf-rs did not finish within {limit:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    (run, peak_kib)
}
