//! `httperf-rs compare` and `rerun`: the report parser against real httperf
//! 0.9.0 reports (tests/fixtures, made by tests/fixtures/make.sh), bad
//! input, exit statuses, and end to end against nginx on 127.0.0.1, with a
//! delaying relay in front of it for a real regression.

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use httperf_rs::compare::{parse_bytes, rebuild_lines};

use crate::support::{closed_port, run_binary, Nginx, Run, Scratch};

const LIMIT: Duration = Duration::from_secs(120);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

const FIXTURES: &[(&str, usize)] = &[
    ("rate.txt", 1),
    ("keepalive-vv.txt", 1),
    ("print.txt", 1),
    ("wsess.txt", 1),
    ("refused.txt", 1),
    ("not-found.txt", 1),
    ("odd-values.txt", 1),
    ("three-runs.txt", 3),
];

/// A path as the text the command line takes.
fn text_path(path: &Path) -> String {
    path.to_str().expect("utf-8 path").to_string()
}

fn compare(args: &[&str]) -> Run {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    run_binary(&all, LIMIT)
}

fn path(name: &str) -> String {
    fixture(name).to_str().expect("utf-8 path").to_string()
}

/// The report lines of `text` (those `rebuild_lines` can produce).
fn report_lines(text: &str) -> Vec<String> {
    const PREFIXES: &[&str] = &[
        "Maximum connect burst length:",
        "Total:",
        "Connection ",
        "Request ",
        "Reply ",
        "Periodic stats:",
        "CPU time",
        "Net I/O",
        "Errors:",
        "Session",
    ];
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| PREFIXES.iter().any(|p| line.starts_with(p)))
        .filter(|line| !line.starts_with("Connection lifetime histogram"))
        .filter(|line| !line.contains(" percentiles [ms]:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn real_httperf_reports_give_back_every_number_printed() {
    for (name, runs) in FIXTURES {
        let bytes = fs::read(fixture(name)).expect("fixture");
        let reports = parse_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(reports.len(), *runs, "{name}");
        let rebuilt: Vec<String> = reports.iter().flat_map(rebuild_lines).collect();
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(rebuilt, report_lines(&text), "{name}");
        for report in &reports {
            let echo = report.echo.as_ref().expect("an echo line");
            assert!(echo.raw.starts_with(b"httperf --"), "{name}");
            assert!(report.values.len() >= 50, "{name}");
        }
    }
}

#[test]
fn crlf_and_concatenated_files_read_the_same() {
    let bytes = fs::read(fixture("wsess.txt")).expect("fixture");
    let plain = parse_bytes(&bytes).expect("plain");
    let crlf: Vec<u8> = bytes
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    assert_eq!(parse_bytes(&crlf).expect("crlf")[0].values, plain[0].values);
    let twice = [bytes.clone(), bytes].concat();
    assert_eq!(parse_bytes(&twice).expect("twice").len(), 2);
    assert_eq!(plain[0].values["sessions.completed"].text, "4");
    assert_eq!(plain[0].session_lengths.as_deref(), Some(&[0, 0, 0, 4][..]));
}

#[test]
fn a_report_compared_with_itself_is_no_regression() {
    let run = compare(&[&path("rate.txt"), &path("rate.txt")]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stdout.contains("no regression"), "{}", run.stdout);
    assert!(
        run.stdout.contains("reply-time.response [ms]"),
        "{}",
        run.stdout
    );
    // Several runs on one side, medians on the other.
    let run = compare(&[&path("three-runs.txt"), &path("three-runs.txt")]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stdout.contains("(3 runs)"), "{}", run.stdout);
}

#[test]
fn new_errors_are_a_regression_and_nothing_else_is() {
    let scratch = Scratch::new("errors");
    let text = fs::read_to_string(fixture("rate.txt")).expect("fixture");
    let worse = text
        .replace("Errors: total 0 ", "Errors: total 2 ")
        .replace("connreset 0", "connreset 2");
    let candidate = text_path(&scratch.write("worse.txt", worse.as_bytes()));
    let run = compare(&["--format", "json", &path("rate.txt"), &candidate]);
    assert_eq!(run.status, 1, "{run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        json["worse"],
        serde_json::json!(["errors.total", "errors.connreset"])
    );
    assert_eq!(json["regression"], true);
    // The same the other way round is an improvement, exit 0.
    let run = compare(&[&candidate, &path("rate.txt")]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stdout.contains("better"), "{}", run.stdout);
    // A threshold switched off.
    let run = compare(&["--threshold", "errors=off", &path("rate.txt"), &candidate]);
    assert_eq!(run.status, 0, "{run:?}");
    // Markdown for a CI comment.
    let run = compare(&["--format", "markdown", &path("rate.txt"), &candidate]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("### httperf-rs compare: REGRESSION in 2 metrics"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("| errors.total | 0 | 2 |"),
        "{}",
        run.stdout
    );
}

#[test]
fn differing_workloads_are_listed_and_refused_unless_forced() {
    let run = compare(&[&path("rate.txt"), &path("three-runs.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("--rate: 100 vs 60"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--num-conns: 20 vs 30"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let run = compare(&["--force", &path("rate.txt"), &path("three-runs.txt")]);
    assert!(run.status == 0 || run.status == 1, "{run:?}");
    assert!(run.stdout.contains("workloads differ"), "{}", run.stdout);
    // A bare report without its echo line cannot be checked.
    let scratch = Scratch::new("bare");
    let text = fs::read_to_string(fixture("rate.txt")).expect("fixture");
    let bare: String = text
        .lines()
        .filter(|l| !l.starts_with("httperf"))
        .map(|l| format!("{l}\n"))
        .collect();
    let bare = text_path(&scratch.write("bare.txt", bare.as_bytes()));
    let run = compare(&[&path("rate.txt"), &bare]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("no echo line"), "{}", run.stderr);
    assert_eq!(compare(&["--force", &path("rate.txt"), &bare]).status, 0);
}

#[test]
fn bad_input_names_the_file_and_line_and_exits_2() {
    let scratch = Scratch::new("bad");
    let text = fs::read_to_string(fixture("rate.txt")).expect("fixture");
    let cut = &text[..text.find("CPU time").expect("CPU line")];
    let cut_file = text_path(&scratch.write("cut.txt", cut.as_bytes()));
    let run = compare(&[&path("rate.txt"), &cut_file]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!("{cut_file}:18: ")),
        "{}",
        run.stderr
    );
    let mid_line = &text[..text.find("2xx=20").expect("status") + 4];
    let mid_file = text_path(&scratch.write("mid.txt", mid_line.as_bytes()));
    let run = compare(&[&path("rate.txt"), &mid_file]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run
        .stderr
        .contains(&format!("{mid_file}:18: a `Reply status:` line")));
    let binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let binary_file = text_path(&scratch.write("binary.bin", &binary));
    let run = compare(&[&binary_file, &path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("no httperf report"), "{}", run.stderr);
    let json_file = text_path(&scratch.write("bad.json", b"{\"format\": 1}"));
    let run = compare(&[&json_file, &path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("bad.json: not an httperf-rs --json"));
    let run = compare(&["/dev/zero", &path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    let run = compare(&["/nonexistent/old.txt", &path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("/nonexistent/old.txt: cannot read it"));
    let run = compare(&[&path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    let run = compare(&[
        "--threshold",
        "reply-rat=5",
        &path("rate.txt"),
        &path("rate.txt"),
    ]);
    assert_eq!(run.status, 2, "{run:?}");
    let run = compare(&["--format", "xml", &path("rate.txt"), &path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    // The echo line of a run that died early, with no report after it.
    let echo_only = text_path(
        &scratch.write(
            "echo.txt",
            text.lines()
                .take(2)
                .collect::<Vec<_>>()
                .join("\n")
                .as_bytes(),
        ),
    );
    let run = compare(&[&echo_only, &path("rate.txt")]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("echo.txt:2: "), "{}", run.stderr);
}

#[test]
fn rerun_recovers_the_command_line_or_says_why_not() {
    let run = run_binary(&["rerun", "--dry-run", &path("rate.txt")], LIMIT);
    assert_eq!(run.status, 0, "{run:?}");
    let port = fs::read_to_string(fixture("rate.txt"))
        .expect("fixture")
        .split("--port=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next().map(str::to_string))
        .expect("a port");
    assert_eq!(
        run.stdout,
        format!(
            "httperf-rs --timeout=5 --client=0/1 --server=127.0.0.1 --port={port} \
             --uri=/index.html --rate=100 --send-buffer=4096 --recv-buffer=16384 \
             --num-conns=20 --num-calls=1\n"
        )
    );
    let run = run_binary(
        &[
            "rerun",
            "--dry-run",
            "--server",
            "::1",
            "--port",
            "8080",
            &path("rate.txt"),
        ],
        LIMIT,
    );
    assert!(
        run.stdout.contains(" --server=::1 --port=8080 "),
        "{}",
        run.stdout
    );
    // A URI with " --" in it cannot be split back exactly.
    let run = run_binary(&["rerun", "--dry-run", &path("odd-values.txt")], LIMIT);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run
        .stderr
        .contains("odd-values.txt:2: the command line cannot be recovered exactly"));
    assert!(
        run.stderr.contains("--uri contains \" --\""),
        "{}",
        run.stderr
    );
    let run = run_binary(
        &["rerun", "--dry-run", "--force", &path("odd-values.txt")],
        LIMIT,
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("'--uri=/index.html?q= --x' --send-buffer=4096 --recv-buffer=16384 '--add-header=X-Test: a b\\n'"),
        "{}",
        run.stdout
    );
}

// ---- end to end against nginx ----

/// A relay on a free 127.0.0.1 port in front of `upstream` that holds every
/// request chunk for `delay` before passing it on: a server that got slower.
struct DelayRelay {
    port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<thread::JoinHandle<()>>,
}

fn pipe(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let mut buffer = [0u8; 16384];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if !delay.is_zero() {
                    thread::sleep(delay);
                }
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl DelayRelay {
    fn start(upstream: u16, delay: Duration) -> DelayRelay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let accept = thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            continue;
                        };
                        for stream in [&client, &server] {
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                            let _ = stream.set_nodelay(true);
                        }
                        let (c2, s2) = (
                            client.try_clone().expect("clone"),
                            server.try_clone().expect("clone"),
                        );
                        thread::spawn(move || pipe(client, server, delay));
                        thread::spawn(move || pipe(s2, c2, Duration::ZERO));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        DelayRelay {
            port,
            stop,
            accept: Some(accept),
        }
    }
}

impl Drop for DelayRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A fixed-schedule workload: its rates do not depend on the server's
/// speed, so a slower server shows in the times only (the 50 ms delay of
/// the last reply lengthens the 4-second test by 1.3 %, well inside the
/// 5 % threshold of the rates, leaving room for a busy machine's stalls).
fn workload(port: u16) -> Vec<String> {
    [
        "--server=127.0.0.1".to_string(),
        format!("--port={port}"),
        "--uri=/index.html".to_string(),
        "--num-conns=200".to_string(),
        "--rate=50".to_string(),
        "--timeout=5".to_string(),
    ]
    .to_vec()
}

fn run_workload(port: u16, extra: &[&str]) -> Run {
    let args = workload(port);
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    let run = run_binary(&all, LIMIT);
    assert_eq!(run.status, 0, "{run:?}");
    run
}

fn worse_metrics(run: &Run) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    json["worse"]
        .as_array()
        .expect("worse")
        .iter()
        .map(|v| v.as_str().expect("name").to_string())
        .collect()
}

#[test]
fn a_slower_server_is_flagged_on_its_times_only() {
    let nginx = Nginx::serving_index();
    let fast = DelayRelay::start(nginx.port, Duration::ZERO);
    let slow = DelayRelay::start(nginx.port, Duration::from_millis(50));
    let scratch = Scratch::new("slow");
    let baseline = text_path(&scratch.write(
        "baseline.txt",
        run_workload(fast.port, &[]).stdout.as_bytes(),
    ));
    let candidate = text_path(&scratch.write(
        "candidate.txt",
        run_workload(slow.port, &[]).stdout.as_bytes(),
    ));
    let text = compare(&[&baseline, &candidate]);
    eprintln!("compare of a 50 ms slower server:\n{}", text.stdout);
    assert_eq!(text.status, 1, "{text:?}");
    let run = compare(&["--format", "json", &baseline, &candidate]);
    assert_eq!(run.status, 1, "{run:?}");
    assert_eq!(
        worse_metrics(&run),
        ["conn-time.avg", "conn-time.median", "reply-time.response"],
        "{}",
        text.stdout
    );

    // rerun --repeat: the old (fast) run's command line against the slow
    // relay, three fresh processes, medians compared.
    let saved = scratch.join("new.txt");
    let saved = saved.to_str().expect("path");
    let run = run_binary(
        &[
            "rerun",
            "--format",
            "json",
            "--port",
            &slow.port.to_string(),
            "--repeat",
            "3",
            "--save",
            saved,
            &baseline,
        ],
        LIMIT,
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert!(worse_metrics(&run).contains(&"reply-time.response".to_string()));
    assert_eq!(run.stderr.matches("rerun ").count(), 3, "{}", run.stderr);
    let saved_runs = parse_bytes(&fs::read(saved).expect("saved")).expect("saved runs");
    assert_eq!(saved_runs.len(), 3);
    // The saved runs are a file compare reads: slow vs slow is no regression
    // (the noise rule keeps run-to-run spread out).
    let run = compare(&["--format", "json", &candidate, saved]);
    assert!(
        !worse_metrics(&run).contains(&"reply-time.response".to_string()),
        "{run:?}"
    );

    // And back against the fast relay: the recorded port replaced, no
    // regression in times (generous thresholds: the machine is shared).
    let run = run_binary(
        &[
            "rerun",
            "--port",
            &fast.port.to_string(),
            "--repeat",
            "2",
            "--threshold",
            "conn-time=300",
            "--threshold",
            "reply-time=300",
            "--threshold",
            "conn-rate=20",
            "--threshold",
            "req-rate=20",
            &baseline,
        ],
        LIMIT,
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stdout.contains("(2 runs)"), "{}", run.stdout);
}

/// Sends SIGINT to `child` once its standard error (a file) holds `text`.
#[allow(unsafe_code)] // signalling the child takes libc::kill
fn interrupt_when_stderr_shows(child: &std::process::Child, stderr: &Path, text: &str) {
    let started = std::time::Instant::now();
    while !fs::read_to_string(stderr)
        .unwrap_or_default()
        .contains(text)
    {
        assert!(started.elapsed() < LIMIT, "no {text:?} on stderr");
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(Duration::from_millis(500));
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
}

#[test]
fn an_interrupted_rerun_keeps_its_runs_and_judges_the_complete_ones() {
    let nginx = Nginx::serving_index();
    let scratch = Scratch::new("rerun-signal");
    let baseline = text_path(&scratch.write(
        "baseline.txt",
        run_workload(nginx.port, &[]).stdout.as_bytes(),
    ));
    let rerun = |repeat: &str, name: &str, signal_at: &str| {
        let saved = text_path(&scratch.join(format!("{name}.txt")));
        let stderr_path = scratch.join(format!("{name}.err"));
        let stderr = fs::File::create(&stderr_path).expect("stderr file");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
            .args(["rerun", "--repeat", repeat, "--save", &saved, &baseline])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn httperf-rs");
        // Only rerun itself is signalled (as `kill PID` would): it passes
        // the signal on to the run in progress.
        interrupt_when_stderr_shows(&child, &stderr_path, signal_at);
        let run = crate::support::wait_bounded(child, LIMIT);
        let stderr = fs::read_to_string(&stderr_path).expect("stderr");
        let saved = parse_bytes(&fs::read(&saved).expect("saved")).expect("saved runs");
        (run, stderr, saved)
    };

    // Stopped in run 2 of 3: run 1 is judged, both are saved.
    let (run, stderr, saved) = rerun("3", "second", "rerun 2/3");
    assert!(run.status == 0 || run.status == 1, "{run:?}\n{stderr}");
    assert!(
        stderr.contains("rerun: stopped by a signal during run 2/3; its report is not compared"),
        "{stderr}"
    );
    assert!(!stderr.contains("rerun 3/3"), "{stderr}");
    assert!(
        run.stdout.contains("candidate: new run (1 run)"),
        "{}",
        run.stdout
    );
    assert_eq!(saved.len(), 2, "the complete run and the shortened one");
    let requests = |i: usize| -> u64 {
        saved[i].values["total.requests"]
            .text
            .parse()
            .expect("a count")
    };
    assert_eq!(requests(0), 200);
    assert!(
        requests(1) < 200,
        "run 2 was not cut short: {}",
        requests(1)
    );

    // Stopped in run 1: nothing to compare (exit 2), the shortened run saved.
    let (run, stderr, saved) = rerun("2", "first", "rerun 1/2");
    assert_eq!(run.status, 2, "{run:?}\n{stderr}");
    assert!(
        stderr.contains("stopped by a signal during run 1/2"),
        "{stderr}"
    );
    assert!(stderr.contains("no run completed"), "{stderr}");
    assert_eq!(saved.len(), 1);
}

#[test]
fn an_unwritable_save_file_is_refused_before_the_load() {
    let scratch = Scratch::new("rerun-save");
    let unwritable = text_path(&scratch.join("no-such-directory/new.txt"));
    let port = closed_port().to_string();
    let run = run_binary(
        &[
            "rerun",
            "--port",
            &port,
            "--save",
            &unwritable,
            &path("rate.txt"),
        ],
        LIMIT,
    );
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr.contains("new.txt: cannot write it"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("rerun 1/1"), "{}", run.stderr);
}

#[test]
fn json_and_text_of_one_run_agree() {
    let nginx = Nginx::serving_index();
    let scratch = Scratch::new("json");
    let json_path = scratch.join("run.json");
    let json_path = json_path.to_str().expect("path");
    let run = run_workload(nginx.port, &["--json", json_path, "--percentiles"]);
    let text = text_path(&scratch.write("run.txt", run.stdout.as_bytes()));
    let result = compare(&["--format", "json", "--all", json_path, &text]);
    assert_eq!(result.status, 0, "{result:?}");
    let json: serde_json::Value = serde_json::from_str(&result.stdout).expect("json");
    let rows = json["metrics"].as_array().expect("metrics");
    assert!(rows.len() > 60, "{}", rows.len());
    for row in rows {
        if !row["baseline"].is_null() && !row["candidate"].is_null() {
            assert_eq!(row["baseline"], row["candidate"], "{row}");
        }
    }
    assert!(result.stdout.contains("\"pct.response.p99\""));
}

#[test]
fn documents_with_other_httperf_rs_workload_options_are_refused() {
    let scratch = Scratch::new("options");
    let port = closed_port().to_string();
    let document = |name: &str, extra: &[&str]| {
        let path = scratch.join(name).to_str().expect("path").to_string();
        let mut args = vec!["--server", "127.0.0.1", "--port", &port, "--num-conns", "2"];
        args.extend_from_slice(extra);
        args.extend(["--json", &path]);
        let run = run_binary(&args, LIMIT);
        assert_eq!(run.status, 0, "{run:?}");
        (path, run.stdout)
    };
    let (plain, _) = document("plain.json", &[]);
    let (seeded, seeded_text) = document("seeded.json", &["--seed", "7"]);
    // The echo lines are the same: only the documents tell the runs apart.
    let refused = compare(&[&plain, &seeded]);
    assert_eq!(refused.status, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("runs another workload than")
            && refused.stderr.contains("--seed: (not given) vs 7"),
        "{}",
        refused.stderr
    );
    // Compared anyway, the difference is shown. (The verdict on rates of
    // refused connections is noise: 0 or 1, never 2.)
    let forced = compare(&["--force", &plain, &seeded]);
    assert_ne!(forced.status, 2, "{forced:?}");
    assert!(
        forced
            .stdout
            .contains("workloads differ (compared as asked):\n  (not given)  vs  --seed=7"),
        "{}",
        forced.stdout
    );
    let (again, _) = document("again.json", &["--seed=7"]);
    let same = compare(&[&seeded, &again]);
    assert_ne!(same.status, 2, "{same:?}");
    // A text report does not show them: nothing to check against.
    let text = text_path(&scratch.write("seeded.txt", seeded_text.as_bytes()));
    let with_text = compare(&[&plain, &text]);
    assert_ne!(with_text.status, 2, "{with_text:?}");
}

#[test]
fn masters_and_httperf_rs_extras_are_read() {
    let nginx = Nginx::serving_index();
    let port = format!("--port={}", nginx.port);
    let run = run_binary(
        &[
            "-v",
            "--server=127.0.0.1",
            &port,
            "--uri=/index.html",
            "--wsess=12,2,0",
            "--rate=10",
            "--timeout=5",
            "--periodic-stats",
            "--percentiles",
            "--print-reply=header",
        ],
        LIMIT,
    );
    assert_eq!(run.status, 0, "{run:?}");
    let reports = parse_bytes(run.stdout.as_bytes()).expect("a report");
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(rebuild_lines(report), report_lines(&run.stdout));
    assert_eq!(report.values["periodic.200"].text, "24");
    assert_eq!(report.values["sessions.completed"].text, "12");
    assert!(report.values.contains_key("pct.session_lifetime.p50"));
    assert!(report.values.contains_key("pct.response.max"));
    // Concatenated with a real httperf 0.9.0 report of another workload.
    let mixed = [
        run.stdout.as_bytes(),
        &fs::read(fixture("rate.txt")).expect("fixture"),
    ]
    .concat();
    assert_eq!(parse_bytes(&mixed).expect("two reports").len(), 2);
}
