//! The phase order of a run, as httperf has it: parse, refuse what cannot run,
//! print the echo line, initialise (limits, resolution, generators), run the
//! engine, print the report. Returns the exit status.

use std::ffi::OsString;
use std::io::Write;

use crate::cli::{self, Parsed};
use crate::config;
use crate::config::WorkloadSpec;
use crate::engine::Engine;
use crate::output::{self, Exit};
use crate::report::{self, ReportOptions};
use crate::sys;
use crate::workload::request::RequestMode;
use crate::workload::session::SessionWorkload;

/// Runs httperf-rs with `args` (`argv[0]` included) and returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    // httperf ignores SIGPIPE. Rust's runtime happens to do so too; this does
    // not depend on it.
    let _ = sys::ignore_sigpipe();
    let program = cli::program_name(&args);
    let options = match cli::parse(args) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help(text)) => {
            return output::print_only_output(&program, text.as_bytes());
        }
        Err(exit) => return exit.finish(),
    };
    let mut out = output::stdout();
    if options.version {
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
    let _ = out.write_all(&cli::echo_line(&options));
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
    if let Err(error) = sys::install_stop_signals() {
        return Exit::failure_line(format!(
            "{}: cannot handle signals: {error}",
            options.program
        ))
        .finish();
    }
    let engine = match Engine::new(run_config.engine, &mut out) {
        Ok(engine) => engine,
        Err(error) => {
            return Exit::failure_line(format!(
                "{}: cannot start the event loop: {error}",
                options.program
            ))
            .finish();
        }
    };
    let outcome = match run_config.workload {
        WorkloadSpec::Requests(spec) => {
            let mut workload = RequestMode::new(spec, run_config.uris, run_config.requests);
            engine.run(&mut workload)
        }
        WorkloadSpec::Sessions(spec) => {
            let mut workload = SessionWorkload::new(spec, run_config.uris, run_config.requests);
            engine.run(&mut workload)
        }
    };
    match outcome {
        Ok(outcome) => {
            let report_options = ReportOptions {
                verbose: options.verbose,
            };
            let _ = out.write_all(report::render(&outcome.summary, &report_options).as_bytes());
            let _ = out.flush();
            drop(outcome.open_connections);
            // The report could not be delivered: say so instead of exiting 0.
            match output::stdout_failure_message(&options.program) {
                Some(message) => Exit::failure_line(message).finish(),
                None => 0,
            }
        }
        Err(error) => Exit::failure_line(format!(
            "{}.core_loop: poll failed: {error}",
            options.program
        ))
        .finish(),
    }
}
