//! The phase order of a run, as httperf has it: parse, refuse what cannot run,
//! print the echo line, initialise (limits, resolution, generators), run the
//! engine, print the report. Returns the exit status.

use std::ffi::OsString;
use std::io::{self, BufWriter, Write};

use crate::cli::{self, Parsed};
use crate::compare;
use crate::config;
use crate::config::WorkloadSpec;
use crate::engine::Engine;
use crate::merge;
use crate::output::{self, Exit};
use crate::plot;
use crate::report::{self, ReportOptions};
use crate::results::output::{self as results_output, RunContext};
use crate::sys;
use crate::workers;
use crate::workload::request::RequestMode;
use crate::workload::session::SessionWorkload;
use crate::workload::websocket::WebSocketWorkload;

/// Runs httperf-rs with `args` (`argv[0]` included) and returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    // httperf ignores SIGPIPE. Rust's runtime happens to do so too; this does
    // not depend on it.
    let _ = sys::ignore_sigpipe();
    let program = cli::program_name(&args);
    // httperf ignores positional arguments, so a first word naming a
    // subcommand cannot change what an old command line meant.
    if let Some(subcommand) = args.get(1).and_then(|word| word.to_str()) {
        let rest = &args[2..];
        match subcommand {
            "compare" => return compare::run_compare(&program, rest),
            "rerun" => return compare::run_rerun(&program, rest),
            "merge" => return merge::run(&program, rest),
            "plot" => return plot::run(&program, rest),
            _ => {}
        }
    }
    let argv = args.clone();
    let mut options = match cli::parse(args) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help(text)) => {
            return output::print_only_output(&program, text.as_bytes());
        }
        Err(exit) => return exit.finish(),
    };
    // A `--workers` worker runs its share and leaves printing to the parent.
    let worker = match workers::worker_role() {
        Ok(role) => role,
        Err(message) => return Exit::failure_line(format!("{program}: {message}")).finish(),
    };
    if let Some(role) = worker {
        if let Err(message) = workers::become_worker(&mut options, role) {
            return Exit::failure_line(format!("{program}: {message}")).finish();
        }
    }
    // `--json -` keeps stdout for the JSON: what the run prints goes to stderr.
    let mut out: Box<dyn Write> = if worker.is_some() {
        Box::new(io::sink())
    } else if results_output::json_to_stdout(&options.results) {
        Box::new(BufWriter::new(io::stderr()))
    } else {
        Box::new(output::stdout())
    };
    for _ in 0..options.version_lines {
        // 0.9.0 prints this and keeps going.
        let _ = writeln!(out, "{}", cli::version_line(&options.program));
    }
    let prechecked = match config::check_before_start(&options) {
        Ok(prechecked) => prechecked,
        Err(exit) => {
            let _ = out.flush();
            return exit.finish();
        }
    };
    let echo_line = cli::echo_line(&options);
    let _ = out.write_all(&echo_line);
    let _ = out.write_all(b"\n");
    let _ = out.flush();
    let run_config = match config::build(&options, prechecked) {
        Ok(run_config) => run_config,
        Err(exit) => return exit.finish(),
    };
    if options.verbose > 0 {
        let _ = writeln!(
            out,
            "{}: maximum number of open descriptors = {}",
            options.program, run_config.open_file_limit
        );
    }
    let workers = config::scale::effective_workers(&options);
    if worker.is_none() && workers > 1 {
        let echo_text = String::from_utf8_lossy(&echo_line);
        return workers::run_parent(&options, &argv, &echo_text, workers, &mut *out);
    }
    let prepared = match results_output::prepare(&options.results, &options.results_shape()) {
        Ok(prepared) => prepared,
        Err(message) => {
            let _ = out.flush();
            eprintln!("{message}");
            return 1;
        }
    };
    if let Err(error) = sys::install_stop_signals() {
        return Exit::failure_line(format!(
            "{}: cannot handle signals: {error}",
            options.program
        ))
        .finish();
    }
    let mut engine = match Engine::new(run_config.engine, &mut *out) {
        Ok(engine) => engine,
        Err(error) => {
            return Exit::failure_line(format!(
                "{}: cannot start the event loop: {error}",
                options.program
            ))
            .finish();
        }
    };
    if let Some(recorder) = prepared.recorder {
        engine.attach_results(recorder);
    }
    workers::wait_for_start(options.scale.start_at_unix_s);
    // `--schedule`'s per-stage rates, printed at -v after the report.
    let (outcome, schedule_report) = match run_config.workload {
        WorkloadSpec::Requests(spec) => {
            let mut workload = RequestMode::new(spec, run_config.uris, run_config.requests)
                .with_requests(run_config.request_source);
            (engine.run(&mut workload), workload.schedule_report())
        }
        WorkloadSpec::Sessions(spec) => {
            let mut workload = SessionWorkload::new(spec, run_config.uris, run_config.requests);
            (engine.run(&mut workload), workload.schedule_report())
        }
        WorkloadSpec::WebSocket(spec) => {
            let mut workload = WebSocketWorkload::new(spec, run_config.uris, run_config.requests);
            (engine.run(&mut workload), None)
        }
    };
    match outcome {
        Ok(outcome) => {
            let report_options = ReportOptions {
                verbose: options.verbose,
            };
            let finished = match &outcome.results {
                Some(recorder) => {
                    let echo_text = String::from_utf8_lossy(&echo_line);
                    let context = RunContext {
                        shape: options.results_shape(),
                        args: &argv,
                        echo_line: &echo_text,
                    };
                    results_output::finish(recorder, &outcome.summary, &context, prepared.json_file)
                }
                None => results_output::Finished::default(),
            };
            match &finished.json_for_stdout {
                Some(json) => {
                    let _ = out.flush();
                    output::print_bytes(json.as_bytes());
                }
                None => {
                    let report = report::render(&outcome.summary, &report_options);
                    let _ = out.write_all(report.as_bytes());
                    let _ = out.write_all(finished.report_text.as_bytes());
                    if let Some(stages) = schedule_report.filter(|_| options.verbose > 0) {
                        let _ = write!(out, "\n{stages}");
                    }
                    let _ = out.flush();
                }
            }
            drop(outcome.open_connections);
            eprint!("{}", finished.stderr);
            // The report could not be delivered: say so instead of exiting 0.
            match output::stdout_failure_message(&options.program) {
                Some(message) => Exit::failure_line(message)
                    .finish()
                    .max(finished.exit_status),
                None => finished.exit_status,
            }
        }
        Err(error) => Exit::failure_line(format!(
            "{}.core_loop: poll failed: {error}",
            options.program
        ))
        .finish(),
    }
}
