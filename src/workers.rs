//! `--workers N`: one test in N processes on this machine, one report.
//!
//! Processes, not threads: each worker is this same program run again
//! (`current_exe`) with the user's command line, its share of the test
//! derived from it (`config::scale::worker_share`), a common `--start-at`
//! and a `--json` shard of its own. A worker is then exactly a single
//! httperf-rs run (its own event loop, descriptor table, rlimits, signal
//! handling and exit), so nothing of the single-process engine changes, a
//! worker that fails cannot corrupt the others, and the parent's merge is
//! the very code `httperf-rs merge` runs over shards from many machines.
//! The parent waits, passes SIGINT, SIGTERM and SIGHUP on to the workers
//! (who end their tests and write their results, as a single run does),
//! merges the shards and prints the one report.
//!
//! The worker learns its index from the environment variable
//! `HTTPERF_RS_WORKER=w/W`, which only the parent sets.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::options::Options;
use crate::config::scale;
use crate::output::Exit;
use crate::results::check;
use crate::results::json::{self, Shard};
use crate::results::merge::{self, MergeContext, NamedDocument};
use crate::results::JsonTarget;
use crate::sys;

/// The variable that makes a process worker w of W.
pub const WORKER_ENV: &str = "HTTPERF_RS_WORKER";

/// Time the workers get to start and set up before the common start, when
/// `--start-at` does not give one.
const SETUP_ALLOWANCE: Duration = Duration::from_millis(300);

/// This process's place among the workers: `Some((w, W))` for a worker.
pub fn worker_role() -> Result<Option<(u32, u32)>, String> {
    let Some(value) = std::env::var_os(WORKER_ENV) else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    let parsed = text
        .split_once('/')
        .and_then(|(w, n)| Some((w.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
        .filter(|(w, n)| w < n);
    match parsed {
        Some(role) => Ok(Some(role)),
        None => Err(format!("{WORKER_ENV}={text} is not w/W")),
    }
}

/// Makes `options` worker `role`'s.
pub fn become_worker(options: &mut Options, role: (u32, u32)) -> Result<(), String> {
    scale::worker_share(options, role.0, role.1)
}

/// `--start-at`: sleeps until the start time, waking early when a stop
/// signal arrives (which the event loop then takes, ending the test at once).
pub fn wait_for_start(start_at_unix_s: Option<f64>) {
    let Some(start) = start_at_unix_s else {
        return;
    };
    loop {
        if sys::stop_signal_pending() {
            return;
        }
        let now = now_unix_s();
        let left = start - now;
        if left.is_nan() || left <= 0.0 {
            return;
        }
        std::thread::sleep(Duration::from_secs_f64(left.min(0.05)));
    }
}

fn now_unix_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Where the workers' shards go: the user's `--worker-shards` directory, or
/// a private one removed afterwards.
struct ShardDir {
    path: PathBuf,
    temporary: bool,
}

impl ShardDir {
    /// The directory, or why the workers could not write their shards there
    /// (said before any worker starts).
    fn create(options: &Options) -> Result<ShardDir, String> {
        if let Some(path) = &options.scale.worker_shards {
            let shown = path.to_string_lossy();
            return match std::fs::metadata(path) {
                Ok(metadata) if metadata.is_dir() => Ok(ShardDir {
                    path: path.clone(),
                    temporary: false,
                }),
                Ok(_) => Err(format!("--worker-shards {shown}: not a directory")),
                Err(error) => Err(format!(
                    "--worker-shards {shown}: {} (the directory must exist)",
                    sys::strerror(&error)
                )),
            };
        }
        let path = std::env::temp_dir().join(format!(
            "httperf-rs-workers-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        std::fs::create_dir(&path)
            .map_err(|error| format!("cannot create a directory for the workers: {error}"))?;
        Ok(ShardDir {
            path,
            temporary: true,
        })
    }

    fn shard(&self, worker: u32) -> PathBuf {
        self.path.join(format!("worker-{worker}.json"))
    }
}

impl Drop for ShardDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Runs the test in `workers` processes and prints the merged report on
/// `out` (the echo line is already there). `argv` is the command line.
pub fn run_parent(
    options: &Options,
    argv: &[OsString],
    echo_line: &str,
    workers: u32,
    out: &mut dyn Write,
) -> i32 {
    let program = &options.program;
    let fail = |message: String| {
        let _ = out_flush();
        Exit::failure_line(format!("{program}: {message}")).finish()
    };
    if options.results.log_requests.is_some() {
        return fail("--log-requests cannot be combined with --workers".to_string());
    }
    // Each worker would read the whole file and send every entry of it.
    if options.chosen_uri_log().is_some_and(|log| !log.wrap) {
        return fail(
            "--wlog=n cannot be combined with --workers (each worker would request the \
             whole list; use --wlog=y or one process)"
                .to_string(),
        );
    }
    if options.ammo.is_some() && !options.ammo_loop {
        return fail(
            "--ammo without --ammo-loop cannot be combined with --workers (each worker \
             would send the whole file; use --ammo-loop or one process)"
                .to_string(),
        );
    }
    // Every worker's share must pass the checks a worker makes, before any
    // of them sends a request.
    for worker in 0..workers {
        let mut share = options.clone();
        if let Err(message) = scale::worker_share(&mut share, worker, workers) {
            return fail(message);
        }
        if let Err(exit) = crate::config::check_before_start(&share) {
            let _ = out_flush();
            return exit.finish();
        }
    }
    // As a single run does, find out now that the results cannot be written.
    if let Some(JsonTarget::File(path)) = &options.results.json {
        if let Err(error) = std::fs::File::create(path) {
            return fail(format!("cannot create {}: {error}", path.display()));
        }
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return fail(format!("cannot find this program to run workers: {error}")),
    };
    let dir = match ShardDir::create(options) {
        Ok(dir) => dir,
        Err(message) => return fail(message),
    };
    let start_at = options
        .scale
        .start_at_unix_s
        .unwrap_or_else(|| now_unix_s() + SETUP_ALLOWANCE.as_secs_f64());
    if let Err(error) = sys::install_stop_signals() {
        return fail(format!("cannot handle signals: {error}"));
    }
    let mut children = Vec::new();
    for worker in 0..workers {
        let shard = dir.shard(worker);
        let _ = std::fs::remove_file(&shard);
        let mut command = Command::new(&exe);
        if let Some(arg0) = argv.first() {
            command.arg0(arg0);
        }
        let mut json_arg = OsString::from("--json=");
        json_arg.push(&shard);
        command
            .args(argv.iter().skip(1))
            .arg(format!("--start-at={start_at:.6}"))
            .arg(json_arg)
            .env(WORKER_ENV, format!("{worker}/{workers}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // A Ctrl-C reaches the whole process group, workers still starting
        // included; they ignore it until their handlers are in place, and
        // the parent passes it on until they end.
        sys::start_ignoring_stop_signals(&mut command);
        match command.spawn() {
            Ok(child) => children.push(forward_stderr(child)),
            Err(error) => {
                stop_children(&mut children);
                wait_children(&mut children);
                return fail(format!("cannot start worker {worker}: {error}"));
            }
        }
    }
    let statuses = wait_children(&mut children);
    let mut shards = Vec::with_capacity(children.len());
    let mut lost = Vec::new();
    for (worker, status) in statuses.iter().enumerate() {
        let path = dir.shard(worker as u32);
        let read = std::fs::read_to_string(&path)
            .map_err(|error| error.to_string())
            .and_then(|text| json::from_str(&text));
        match read {
            Ok(mut document) => {
                let (client, num_clients) = shard_identity(options, worker as u32, workers);
                document.shard = Some(Shard {
                    workload_echo_line: echo_line.to_string(),
                    clients: vec![client],
                    num_clients,
                });
                if !dir.temporary {
                    let _ = std::fs::write(&path, json::to_string(&document));
                }
                shards.push(NamedDocument {
                    name: format!("worker {worker}"),
                    document,
                });
            }
            Err(why) => lost.push(format!(
                "worker {worker} gave no result ({}): {why}",
                describe_status(status)
            )),
        }
    }
    // The workers that finished keep their results: the report covers
    // them, says which are missing, and the run fails.
    if shards.is_empty() {
        return fail(lost.join("; "));
    }
    for message in &lost {
        eprintln!("{program}: {message}; the report covers the other workers only");
    }
    let percentiles = options.results.percentile_list();
    let context = MergeContext {
        args: argv,
        percentiles: &percentiles,
    };
    let document = match merge::merge(&shards, &context) {
        Ok(document) => document,
        Err(error) => return fail(error.message().to_string()),
    };
    let text = match merge::report_text(&document, options.results.percentiles.as_deref()) {
        Ok(text) => text,
        Err(why) => return fail(why),
    };
    let mut exit_status = if lost.is_empty() { 0 } else { 1 };
    let json_text = json::to_string(&document);
    match &options.results.json {
        Some(JsonTarget::Stdout) => {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            crate::output::print_bytes(json_text.as_bytes());
        }
        Some(JsonTarget::File(path)) => {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            if let Err(error) = std::fs::write(path, json_text.as_bytes()) {
                eprintln!("{program}: cannot write the JSON results: {error}");
                exit_status = 1;
            }
        }
        None => {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
    let verdict = &document.self_check;
    if !verdict.passed && (options.results.self_check || io::stderr().is_terminal()) {
        eprint!("{}", check::render(verdict, program));
        if options.results.self_check {
            exit_status = check::FAILED_EXIT_STATUS;
        }
    }
    match crate::output::stdout_failure_message(program) {
        Some(message) => Exit::failure_line(message).finish().max(exit_status),
        None => exit_status,
    }
}

fn out_flush() -> io::Result<()> {
    io::stdout().flush()
}

/// Worker `worker`'s client identity (as `config::scale::worker_share`).
fn shard_identity(options: &Options, worker: u32, workers: u32) -> (u32, u32) {
    (
        options.client_id.wrapping_mul(workers).wrapping_add(worker),
        options.num_clients.wrapping_mul(workers),
    )
}

/// A worker and the thread that copies its stderr to ours.
struct Worker {
    child: Child,
    forwarder: Option<std::thread::JoinHandle<()>>,
    status: Option<std::process::ExitStatus>,
    signalled: bool,
}

fn forward_stderr(mut child: Child) -> Worker {
    let forwarder = child.stderr.take().map(|mut from| {
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            loop {
                match from.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => crate::output::eprint_bytes(&buffer[..n]),
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        })
    });
    Worker {
        child,
        forwarder,
        status: None,
        signalled: false,
    }
}

/// Passes SIGINT to every worker still running (each ends its test).
fn stop_children(children: &mut [Worker]) {
    for worker in children.iter_mut().filter(|w| w.status.is_none()) {
        worker.signalled = true;
        sys::interrupt(worker.child.id());
    }
}

/// Waits for every worker, passing stop signals on; their exit statuses.
/// Once stopped, a worker still running is signalled again at every look:
/// one that was starting up ignored the first signal.
fn wait_children(children: &mut [Worker]) -> Vec<Option<std::process::ExitStatus>> {
    loop {
        let stop = sys::take_stop_signal();
        if stop || children.iter().any(|w| w.signalled) {
            stop_children(children);
        }
        let mut running = false;
        for worker in children.iter_mut().filter(|w| w.status.is_none()) {
            match worker.child.try_wait() {
                Ok(Some(status)) => worker.status = Some(status),
                Ok(None) => running = true,
                Err(_) => {
                    worker.status = worker.child.wait().ok();
                }
            }
        }
        if !running {
            break;
        }
        std::thread::sleep(sys::CHILD_POLL_INTERVAL);
    }
    for worker in children.iter_mut() {
        if let Some(forwarder) = worker.forwarder.take() {
            let _ = forwarder.join();
        }
    }
    children.iter().map(|w| w.status).collect()
}

fn describe_status(status: &Option<std::process::ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            _ => status.to_string(),
        },
        None => "status unknown".to_string(),
    }
}
