//! Scaling out: `--workers` against nginx (one merged report, equal to
//! merging the workers' own shards, with the counts of a single-process
//! run), `merge` and its refusals, `--start-at`, `--client auto` from the
//! Slurm and Kubernetes environment, and the Kubernetes manifest.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::{
    closed_port, interrupted_after, run_binary, wait_bounded, Nginx, Run, Scratch,
};

const LIMIT: Duration = Duration::from_secs(60);

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

fn f(value: &serde_json::Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn u(value: &serde_json::Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a count: {value}"))
}

fn run_with_env(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_httperf-rs"));
    command
        .args(args)
        .env_remove("SLURM_PROCID")
        .env_remove("SLURM_NTASKS")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("HTTPERF_RS_CLIENTS")
        .env_remove("HTTPERF_RS_WORKER")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    wait_bounded(command.spawn().expect("spawn"), limit)
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

#[test]
fn two_workers_give_one_report_equal_to_merging_their_shards() {
    let nginx = Nginx::serving_index();
    let scratch = Scratch::new("scale-workers");
    let dir = scratch.path();
    let merged_json = dir.join("merged.json");
    let port = nginx.port.to_string();
    let workload = [
        "--server",
        "127.0.0.1",
        "--port",
        &port,
        "--uri",
        "/index.html",
        "--num-conns",
        "301",
        "--num-calls",
        "2",
        "--rate",
        "300",
    ];
    let mut args = workload.to_vec();
    args.extend([
        "--workers",
        "2",
        "--worker-shards",
        s(dir),
        "--json",
        s(&merged_json),
        "--percentiles",
    ]);
    let workers = run_binary(&args, LIMIT);
    assert_eq!(workers.status, 0, "{workers:?}");
    // The echo line is the whole test's, as the user gave it.
    assert!(
        workers
            .stdout
            .starts_with("httperf-rs --client=0/1 --server=127.0.0.1"),
        "{}",
        workers.stdout
    );
    assert!(
        workers.stdout.contains(" --rate=300 "),
        "{}",
        workers.stdout
    );
    assert!(workers.stdout.contains(" --num-conns=301 "));
    assert_eq!(workers.count("Total:", "connections"), 301);
    assert_eq!(workers.count("Total:", "replies"), 602);
    assert!(workers.stdout.contains("Reply time percentiles [ms]: p50 "));

    // merge of the workers' own shards prints the same text.
    let shard0 = dir.join("worker-0.json");
    let shard1 = dir.join("worker-1.json");
    let merged = run_binary(&["merge", s(&shard0), s(&shard1), "--percentiles"], LIMIT);
    assert_eq!(merged.status, 0, "{merged:?}");
    assert_eq!(merged.stdout, workers.stdout);
    assert!(!merged.stderr.contains("warning"), "{}", merged.stderr);
    // One worker's shard alone shows that worker's share as it ran.
    let alone = run_binary(&["merge", s(&shard1)], LIMIT);
    assert!(
        alone.stdout.contains(" --client=1/2 ") && alone.stdout.contains(" --num-conns=150 "),
        "{alone:?}"
    );
    assert_eq!(alone.count("Total:", "connections"), 150);

    // Counts add up exactly; timings by their formulas.
    let (a, b, m) = (
        read_json(&shard0),
        read_json(&shard1),
        read_json(&merged_json),
    );
    let (ta, tb, tm) = (&a["totals"], &b["totals"], &m["totals"]);
    assert_eq!(
        u(&ta["connections"]),
        151,
        "the first worker gets the remainder"
    );
    assert_eq!(u(&tb["connections"]), 150);
    for key in [
        "connections",
        "requests",
        "connects",
        "responses",
        "reply_content_bytes",
    ] {
        assert_eq!(u(&tm[key]), u(&ta[key]) + u(&tb[key]), "{key}");
    }
    let start = f(&a["start_unix_s"]).min(f(&b["start_unix_s"]));
    let end = (f(&a["start_unix_s"]) + f(&ta["test_duration_s"]))
        .max(f(&b["start_unix_s"]) + f(&tb["test_duration_s"]));
    assert!((f(&tm["test_duration_s"]) - (end - start)).abs() < 1e-6);
    assert!((f(&m["start_unix_s"]) - start).abs() < 1e-6);
    let sum = f(&ta["connect_sum_s"]) + f(&tb["connect_sum_s"]);
    assert!((f(&tm["connect_sum_s"]) - sum).abs() < 1e-9);
    let (la, lb) = (&ta["connection_lifetimes"], &tb["connection_lifetimes"]);
    let lm = &tm["connection_lifetimes"];
    assert_eq!(f(&lm["min_s"]), f(&la["min_s"]).min(f(&lb["min_s"])));
    assert_eq!(f(&lm["max_s"]), f(&la["max_s"]).max(f(&lb["max_s"])));
    let cpu = f(&ta["cpu_user_s"]) + f(&tb["cpu_user_s"]);
    assert!((f(&tm["cpu_user_s"]) - cpu).abs() < 1e-9);
    let rate = 301.0 / f(&tm["test_duration_s"]);
    assert!((f(&m["report"]["basic"]["connection_rate_per_s"]) - rate).abs() < 1e-6);
    // Each worker is client w of 2 at half the rate; the merged document
    // covers both.
    assert!(a["echo_line"]
        .as_str()
        .unwrap_or("")
        .contains("--client=0/2"));
    assert!(b["echo_line"]
        .as_str()
        .unwrap_or("")
        .contains("--client=1/2"));
    assert!(b["echo_line"]
        .as_str()
        .unwrap_or("")
        .contains("--rate=150 "));
    assert_eq!(m["shard"]["clients"], serde_json::json!([0, 1]));

    // The same options in one process: the same counts.
    let single = run_binary(&workload, LIMIT);
    assert_eq!(single.status, 0, "{single:?}");
    for (prefix, label) in [
        ("Total:", "connections"),
        ("Total:", "requests"),
        ("Total:", "replies"),
        ("Reply status:", "2xx="),
    ] {
        let _ = label;
        let line = |run: &Run| {
            run.line(prefix)
                .split("test-duration")
                .next()
                .map(str::to_string)
        };
        assert_eq!(line(&single), line(&workers), "{prefix}");
    }
}

#[test]
fn one_worker_changes_nothing() {
    let port = closed_port().to_string();
    let args = ["--server", "127.0.0.1", "--port", &port, "--num-conns", "3"];
    let plain = run_binary(&args, LIMIT);
    let mut with = args.to_vec();
    with.extend(["--workers", "1"]);
    let one = run_binary(&with, LIMIT);
    assert_eq!(plain.status, one.status);
    assert_eq!(plain.stderr, one.stderr);
    // Timings vary from run to run; counts and the layout do not.
    let strip_cpu = |text: &str| {
        text.lines()
            .filter(|line| !line.starts_with("CPU time") && !line.starts_with("Net I/O"))
            .map(|line| {
                line.split(' ')
                    .map(|word| {
                        if word.contains('.') && word.contains(|c: char| c.is_ascii_digit()) {
                            "#"
                        } else {
                            word
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip_cpu(&plain.stdout), strip_cpu(&one.stdout));
    assert_eq!(plain.count("Errors:", "connrefused"), 3);
}

/// A single run's `--json` shard against a refusing port: fast, and a
/// real document.
fn shard(dir: &Path, port: u16, name: &str, extra: &[&str]) -> PathBuf {
    let port = port.to_string();
    let path = dir.join(name);
    let mut args = vec!["--server", "127.0.0.1", "--port", &port, "--num-conns", "2"];
    args.extend_from_slice(extra);
    args.extend(["--json", s(&path)]);
    let run = run_binary(&args, LIMIT);
    assert_eq!(run.status, 0, "{run:?}");
    path
}

#[test]
fn merge_refuses_other_workloads_and_shared_client_identities() {
    let scratch = Scratch::new("scale-refusals");
    let dir = scratch.path();
    let port = closed_port();
    let a = shard(dir, port, "a.json", &["--client", "0/2"]);
    let b = shard(dir, port, "b.json", &["--client", "1/2"]);
    let same = shard(dir, port, "same.json", &["--client", "0/2"]);
    let other = shard(
        dir,
        port,
        "other.json",
        &["--client", "1/2", "--num-calls", "3"],
    );
    let three = shard(dir, port, "three.json", &["--client", "1/3"]);
    // Options of httperf-rs's own are not in the echo line, which stays
    // httperf's: the results carry them, and merge compares them too.
    let seeded = shard(
        dir,
        port,
        "seeded.json",
        &["--client", "1/2", "--seed", "7"],
    );
    let seeded_too = shard(dir, port, "seeded2.json", &["--client", "0/2", "--seed=7"]);

    let good = run_binary(&["merge", s(&a), s(&b)], LIMIT);
    assert_eq!(good.status, 0, "{good:?}");
    assert_eq!(good.count("Total:", "connections"), 4);
    assert_eq!(good.count("Errors:", "connrefused"), 4);
    // These shards ran one after the other: merged all the same, with a word.
    assert!(
        good.stderr
            .contains(&format!("warning: {} ended before {} began", s(&a), s(&b)))
            && good.stderr.contains(
                "): the rates are over the whole span; start the shards together with --start-at\n"
            ),
        "{}",
        good.stderr
    );

    let overlap = run_binary(&["merge", s(&a), s(&same)], LIMIT);
    assert_eq!(overlap.status, 2, "{overlap:?}");
    assert!(
        overlap.stderr.contains("both hold client 0/2"),
        "{}",
        overlap.stderr
    );
    assert_eq!(overlap.stdout, "");

    let different = run_binary(&["merge", s(&a), s(&other)], LIMIT);
    assert_eq!(different.status, 2, "{different:?}");
    assert!(
        different.stderr.contains("ran different workloads"),
        "{}",
        different.stderr
    );

    let unseeded = run_binary(&["merge", s(&a), s(&seeded)], LIMIT);
    assert_eq!(unseeded.status, 2, "{unseeded:?}");
    assert!(
        unseeded.stderr.contains(
            "ran different workloads (their httperf-rs workload options differ):\n  (none)\n  --seed=7"
        ),
        "{}",
        unseeded.stderr
    );
    let both_seeded = run_binary(&["merge", s(&seeded_too), s(&seeded)], LIMIT);
    assert_eq!(both_seeded.status, 0, "{both_seeded:?}");
    assert_eq!(both_seeded.count("Total:", "connections"), 4);

    let counts = run_binary(&["merge", s(&a), s(&three)], LIMIT);
    assert_eq!(counts.status, 2, "{counts:?}");
    assert!(
        counts.stderr.contains("one of 2 clients"),
        "{}",
        counts.stderr
    );

    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\"format\": 1").expect("write");
    let unreadable = run_binary(&["merge", s(&a), s(&garbage)], LIMIT);
    assert_eq!(unreadable.status, 1, "{unreadable:?}");
    let none = run_binary(&["merge"], LIMIT);
    assert_eq!(none.status, 1, "{none:?}");
    assert!(none.stderr.contains("usage: merge SHARD"));
}

#[test]
fn merging_one_shard_prints_its_own_report() {
    let scratch = Scratch::new("scale-one");
    let dir = scratch.path();
    let port = closed_port().to_string();
    let path = dir.join("one.json");
    let run = run_binary(
        &[
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--num-conns",
            "2",
            "--json",
            s(&path),
        ],
        LIMIT,
    );
    let merged = run_binary(&["merge", s(&path)], LIMIT);
    assert_eq!(merged.status, 0, "{merged:?}");
    assert_eq!(merged.stdout, run.stdout);
    assert_eq!(merged.stderr, "", "every client is there");
}

#[test]
fn merge_names_the_clients_no_shard_holds() {
    let scratch = Scratch::new("scale-missing");
    let dir = scratch.path();
    let port = closed_port();
    let first = shard(dir, port, "0.json", &["--client", "0/3"]);
    let merged = run_binary(&["merge", s(&first)], LIMIT);
    assert_eq!(merged.status, 0, "{merged:?}");
    assert!(
        merged.stderr.contains(
            "merge: warning: no shard holds 2 of the 3 clients (1, 2): the report covers \
             the others only"
        ),
        "{merged:?}"
    );
    assert!(
        merged.stdout.contains("Total: connections 2 "),
        "{merged:?}"
    );

    // A client number at or above the count (a hand-edited shard) is refused.
    let text = std::fs::read_to_string(&first).expect("read the shard");
    assert!(text.contains("--client=0/3"), "{text}");
    let edited = dir.join("edited.json");
    std::fs::write(&edited, text.replace("--client=0/3", "--client=5/3")).expect("write");
    let refused = run_binary(&["merge", s(&edited)], LIMIT);
    assert_eq!(refused.status, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("holds client 5 of 3"),
        "{refused:?}"
    );

    // --json naming a shard (under another path too) would destroy it.
    let before = std::fs::read(&first).expect("read the shard");
    let other_path = dir.join(".").join("0.json");
    let refused = run_binary(&["merge", s(&first), "--json", s(&other_path)], LIMIT);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("that file is the shard")
            && refused.stderr.contains("would replace it"),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&first).expect("read the shard"), before);
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[test]
fn start_at_waits_for_the_time_and_a_signal_ends_the_wait() {
    let scratch = Scratch::new("scale-start-at");
    let dir = scratch.path();
    let port = closed_port().to_string();
    let path = dir.join("late.json");
    let at = now_s() + 1.5;
    let at_text = format!("{at:.3}");
    let started = Instant::now();
    let run = run_binary(
        &[
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--num-conns",
            "1",
            "--start-at",
            &at_text,
            "--json",
            s(&path),
        ],
        LIMIT,
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(started.elapsed() >= Duration::from_millis(1300));
    let document = read_json(&path);
    assert!(f(&document["start_unix_s"]) >= at - 0.01, "{document}");
    // The echo line does not change.
    assert!(!run.stdout.contains("start-at"));

    // A stop signal during the wait ends it, with the (empty) report.
    let far = format!("{:.0}", now_s() + 600.0);
    let stopped = interrupted_after(
        &[
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--num-conns",
            "1",
            "--start-at",
            &far,
        ],
        Duration::from_millis(500),
        Duration::from_secs(20),
    );
    // The stop came before the start: no connection is made.
    assert_eq!(stopped.count("Total:", "connections"), 0, "{stopped:?}");

    let bad = run_binary(&["--start-at", "tomorrow"], LIMIT);
    assert_eq!(bad.status, 1);
    assert!(
        bad.stderr.contains("illegal start time tomorrow"),
        "{}",
        bad.stderr
    );
}

#[test]
fn client_auto_comes_from_the_environment_and_an_explicit_client_wins() {
    let port = closed_port().to_string();
    let base = ["--server", "127.0.0.1", "--port", &port, "--num-conns", "1"];
    let echo = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run_with_env(&args, env, LIMIT)
    };
    let slurm = [("SLURM_PROCID", "1"), ("SLURM_NTASKS", "3")];
    let run = echo(&["--client", "auto"], &slurm);
    assert!(run.stdout.contains(" --client=1/3 "), "{run:?}");
    let k8s = [("JOB_COMPLETION_INDEX", "2"), ("HTTPERF_RS_CLIENTS", "4")];
    let run = echo(&["--client", "auto"], &k8s);
    assert!(run.stdout.contains(" --client=2/4 "), "{run:?}");
    let run = echo(&["--client", "auto/5"], &[("JOB_COMPLETION_INDEX", "4")]);
    assert!(run.stdout.contains(" --client=4/5 "), "{run:?}");
    // Opt-in: without `auto` the environment changes nothing.
    let run = echo(&[], &slurm);
    assert!(run.stdout.contains(" --client=0/1 "), "{run:?}");
    let run = echo(&["--client", "0/2"], &slurm);
    assert!(run.stdout.contains(" --client=0/2 "), "{run:?}");
    let missing = echo(&["--client", "auto"], &[]);
    assert_eq!(missing.status, 1, "{missing:?}");
    assert!(
        missing.stderr.contains("neither SLURM_PROCID"),
        "{}",
        missing.stderr
    );
}

#[test]
fn an_interrupted_workers_run_still_prints_the_merged_report() {
    let nginx = Nginx::serving_index();
    let port = nginx.port.to_string();
    let run = interrupted_after(
        &[
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--uri",
            "/index.html",
            "--num-conns",
            "2000",
            "--rate",
            "100",
            "--workers",
            "2",
        ],
        Duration::from_millis(1500),
        Duration::from_secs(30),
    );
    assert_eq!(run.status, 0, "{run:?}");
    let connections = run.count("Total:", "connections");
    assert!((1..2000).contains(&connections), "{run:?}");
    assert_eq!(run.stdout.matches("Total:").count(), 1);
}

/// True once process `pid` catches SIGINT (its handler is installed).
fn catches_sigint(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let mask = status.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .is_some_and(|mask| mask & (1 << (libc::SIGINT - 1)) != 0)
}

#[test]
fn a_ctrl_c_while_the_workers_start_still_gives_the_report() {
    use std::os::unix::process::CommandExt;
    let nginx = Nginx::serving_index();
    let port = nginx.port.to_string();
    for attempt in 0..5 {
        // A terminal's Ctrl-C: SIGINT to the whole process group, as soon as
        // the parent handles it, while its workers are being started.
        let child = Command::new(env!("CARGO_BIN_EXE_httperf-rs"))
            .args([
                "--server",
                "127.0.0.1",
                "--port",
                &port,
                "--uri",
                "/index.html",
            ])
            .args(["--num-conns", "2000", "--rate", "100", "--workers", "2"])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        while !catches_sigint(child.id()) && started.elapsed() < Duration::from_secs(10) {
            std::thread::yield_now();
        }
        let group = libc::pid_t::try_from(child.id()).expect("pid");
        // SAFETY: kill(2) of the process group made for this child.
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(-group, libc::SIGINT)
        };
        let run = wait_bounded(child, Duration::from_secs(30));
        assert_eq!(run.status, 0, "attempt {attempt}: {run:?}");
        assert_eq!(run.stdout.matches("Total:").count(), 1, "{run:?}");
    }
}

#[test]
fn the_kubernetes_manifest_runs_an_indexed_job_that_merges() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = root.join("deploy/kubernetes/check-manifest.py");
    let output = Command::new("python3")
        .arg(&check)
        .arg(root.join("deploy/kubernetes/httperf-rs-job.yaml"))
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn session_workloads_split_their_sessions_between_workers() {
    let nginx = Nginx::serving_index();
    let port = nginx.port.to_string();
    let run = run_binary(
        &[
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--uri",
            "/index.html",
            "--wsess",
            "5,2,0",
            "--rate",
            "50",
            "--workers",
            "2",
        ],
        LIMIT,
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("Total: connections 5 requests 10 replies 10 "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Session rate [sess/s]: ") && run.stdout.contains("(5/5)"),
        "{}",
        run.stdout
    );
}

#[test]
fn files_that_end_the_test_are_refused_with_workers_before_any_request() {
    let scratch = Scratch::new("scale-refusals");
    let uris = scratch.path().join("uris");
    std::fs::write(&uris, b"/a\0/b\0").expect("write the URI list");
    let wlog = format!("n,{}", s(&uris));
    // Port 9 (discard) on loopback: nothing may be sent at all.
    let common = ["--server", "127.0.0.1", "--port", "9", "--num-conns", "4"];
    let mut args = common.to_vec();
    args.extend(["--wlog", &wlog, "--workers", "2"]);
    let run = run_binary(&args, LIMIT);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("--wlog=n cannot be combined with --workers"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("Total:"), "{run:?}");
    let ammo = scratch.path().join("ammo");
    std::fs::write(&ammo, b"/a\n/b\n").expect("write the ammo file");
    let mut args = common.to_vec();
    args.extend(["--ammo", s(&ammo), "--workers", "2"]);
    let run = run_binary(&args, LIMIT);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("--ammo without --ammo-loop cannot be combined with --workers"),
        "{run:?}"
    );
    // A --worker-shards directory that is missing or a file: said once,
    // before any worker starts.
    let not_a_dir = scratch.path().join("file");
    std::fs::write(&not_a_dir, b"").expect("write a file");
    for (dir, why) in [
        (
            scratch.path().join("missing"),
            "No such file or directory (the directory must exist)",
        ),
        (not_a_dir, "not a directory"),
    ] {
        let mut args = common.to_vec();
        args.extend(["--workers", "2", "--worker-shards", s(&dir)]);
        let run = run_binary(&args, LIMIT);
        assert_eq!(run.status, 1, "{run:?}");
        assert_eq!(run.stderr.matches(why).count(), 1, "{run:?}");
        assert!(!run.stderr.contains("worker 0"), "{run:?}");
        assert!(!run.stdout.contains("Total:"), "{run:?}");
    }
}

/// The worker processes of `parent` (its children), once both are running.
fn worker_pids(parent: u32) -> Vec<i32> {
    let path = format!("/proc/{parent}/task/{parent}/children");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let pids: Vec<i32> = text
            .split_whitespace()
            .filter_map(|pid| pid.parse().ok())
            .collect();
        if pids.len() == 2 {
            return pids;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the two workers of {parent} did not start");
}

#[test]
fn a_worker_that_dies_loses_only_its_own_share() {
    let nginx = Nginx::serving_index();
    let port = nginx.port.to_string();
    let child = crate::support::spawn_binary(&[
        "--server",
        "127.0.0.1",
        "--port",
        &port,
        "--uri",
        "/index.html",
        "--num-conns",
        "40",
        "--rate",
        "20",
        "--workers",
        "2",
    ]);
    let workers = worker_pids(child.id());
    std::thread::sleep(Duration::from_millis(700));
    let killed = Command::new("kill")
        .args(["-KILL", &workers[1].to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let run = wait_bounded(child, LIMIT);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("gave no result")
            && run
                .stderr
                .contains("the report covers the other workers only"),
        "{run:?}"
    );
    let connections = run.count("Total:", "connections");
    assert_eq!(connections, 20, "the surviving worker's share: {run:?}");
}
