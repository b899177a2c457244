//! What one connection costs the client: the system calls it makes (counted
//! with strace) and the memory it holds while open (the growth of the peak
//! resident set with the number of connections held). compat-tests/bench.py
//! measures the same against its floor client; these tests keep the budget.

use crate::support;

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use support::{ok_reply, Behaviour, TestServer};

const LIMIT: Duration = Duration::from_secs(60);

/// Calls per connection, from `strace -c`'s summary table.
struct SyscallCounts(Vec<(String, u64)>);

impl SyscallCounts {
    fn parse(table: &str) -> SyscallCounts {
        let mut counts = Vec::new();
        for line in table.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            // "% time seconds usecs/call calls [errors] syscall"
            if words.len() < 5 || words[0].parse::<f64>().is_err() {
                continue;
            }
            let Some(name) = words.last() else { continue };
            if let Ok(calls) = words[3].parse() {
                counts.push((name.to_string(), calls));
            }
        }
        SyscallCounts(counts)
    }

    fn get(&self, name: &str) -> u64 {
        (self.0.iter())
            .find(|(n, _)| n == name)
            .map_or(0, |(_, calls)| *calls)
    }
}

/// Runs httperf-rs under `strace -f -c` and returns its report and the calls it made.
fn run_counting_syscalls(args: &[&str], dir: &std::path::Path) -> (support::Run, SyscallCounts) {
    let table = dir.join("strace.txt");
    let table_arg = table.to_string_lossy().into_owned();
    let child = Command::new("strace")
        .args([
            "-f",
            "-c",
            "-o",
            &table_arg,
            env!("CARGO_BIN_EXE_httperf-rs"),
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(error) => panic!(
            "strace could not be started ({error}): install it (apt-get install strace), \
             the system call budget cannot be checked without it"
        ),
    };
    let run = support::wait_bounded(child, LIMIT);
    let text = std::fs::read_to_string(&table).unwrap_or_else(|error| {
        panic!(
            "no strace table ({error}); strace said:\n{}\n{}",
            run.stderr, run.stdout
        )
    });
    (run, SyscallCounts::parse(&text))
}

#[test]
fn a_connection_makes_only_the_calls_it_needs() {
    const CONNS: u64 = 200;
    let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
    let dir = tempfile_dir("syscalls");
    let port = format!("--port={}", server.port);
    let (run, calls) = run_counting_syscalls(
        &[
            "--server=127.0.0.1",
            &port,
            "--num-conns=200",
            "--rate=400",
            "--timeout=5",
        ],
        &dir,
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.count("Total:", "replies"), CONNS, "{}", run.stdout);
    let report = format!("{:?}", calls.0);
    // The unavoidable ones, once per connection: socket, connect, one
    // registration with epoll, the request, the close; and httperf's three
    // socket options (TCP_NODELAY, SO_SNDBUF, SO_RCVBUF).
    assert_eq!(calls.get("socket"), CONNS, "{report}");
    assert_eq!(calls.get("connect"), CONNS, "{report}");
    assert_eq!(calls.get("setsockopt"), 3 * CONNS, "{report}");
    assert_eq!(calls.get("sendto") + calls.get("writev"), CONNS, "{report}");
    assert!(calls.get("epoll_ctl") <= CONNS + 4, "{report}");
    // No SO_ERROR query: epoll says whether the connect failed.
    assert_eq!(calls.get("getsockopt"), 0, "{report}");
    // One read per reply (it comes in one piece), give or take a few.
    assert!(calls.get("recvfrom") <= CONNS + CONNS / 10, "{report}");
    // The next deadline arms a timerfd whose period repeats the arrivals'
    // spacing, so a steady rate sets it a few times, not once per arrival
    // (the bound leaves room for a loop that strace makes fall behind); the
    // waits themselves have no timeout (no kernel timer armed at every
    // sleep).
    assert!(calls.get("timerfd_settime") <= CONNS / 4, "{report}");
    assert_eq!(calls.get("epoll_pwait2"), 0, "{report}");
    // glibc's epoll_wait is the epoll_pwait system call where the kernel
    // has no epoll_wait (aarch64).
    assert!(
        calls.get("epoll_wait") + calls.get("epoll_pwait") > 0,
        "{report}"
    );
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "httperf-rs-{label}-{}-{:?}",
        std::process::id(),
        thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A server that accepts every connection and keeps it open without reading
/// or answering, until dropped; no thread per connection.
struct HoldingServer {
    port: u16,
    stop: Arc<AtomicBool>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl HoldingServer {
    fn start() -> HoldingServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let thread = {
            let stop = Arc::clone(&stop);
            let held = Arc::clone(&held);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        held.lock().expect("lock").push(stream);
                    }
                }
            })
        };
        HoldingServer {
            port,
            stop,
            held,
            thread: Some(thread),
        }
    }
}

impl Drop for HoldingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.held.lock().expect("lock").clear();
    }
}

/// Runs httperf-rs holding `conns` connections open to a server that never
/// answers, until they time out; returns the peak resident set in KiB
/// (`VmHWM`, sampled every 10 ms) and the report.
fn peak_rss_holding(conns: u64) -> (i64, support::Run) {
    let server = HoldingServer::start();
    let (run, peak_kib) = support::run_measuring_peak_rss(
        LIMIT,
        &[
            "--server=127.0.0.1".to_string(),
            format!("--port={}", server.port),
            format!("--num-conns={conns}"),
            "--rate=4000".to_string(),
            "--timeout=1.5".to_string(),
        ],
    );
    drop(server);
    (peak_kib, run)
}

#[test]
fn a_held_connection_costs_under_a_kilobyte() {
    const FEW: u64 = 100;
    const MANY: u64 = 2000;
    let (few_kib, few_run) = peak_rss_holding(FEW);
    let (many_kib, many_run) = peak_rss_holding(MANY);
    for (run, conns) in [(&few_run, FEW), (&many_run, MANY)] {
        assert_eq!(
            run.count("Errors: total", "client-timo"),
            conns,
            "{}",
            run.stdout
        );
        let held = run.line("Connection rate");
        assert!(held.contains(&format!("<={conns} concurrent")), "{held}");
    }
    let per_conn = (many_kib - few_kib) * 1024 / (MANY - FEW) as i64;
    assert!(
        per_conn <= 1024,
        "{per_conn} bytes per held connection ({few_kib} KiB holding {FEW}, \
         {many_kib} KiB holding {MANY})"
    );
}

#[test]
fn syscall_table_parsing_reads_calls_and_names() {
    let table = "% time     seconds  usecs/call     calls    errors syscall\n\
                 ------ ----------- ----------- --------- --------- ----------------\n \
                 32.79    0.093602          46      2000      2000 connect\n \
                 17.97    0.051290          25      2003           close\n\
                 ------ ----------- ----------- --------- --------- ----------------\n\
                 100.00    0.285461          17     16409      2001 total\n";
    let counts = SyscallCounts::parse(table);
    assert_eq!(counts.get("connect"), 2000);
    assert_eq!(counts.get("close"), 2003);
    assert_eq!(counts.get("getsockopt"), 0);
}
