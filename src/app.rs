//! The phase order of a run, as httperf has it: parse, refuse what cannot run,
//! print the echo line, initialise (limits, resolution, generators), run the
//! engine, print the report. Returns the exit status.

use std::ffi::OsString;
use std::io::{self, BufWriter, Write};

use crate::cli::{self, Parsed};
use crate::config;
use crate::config::WorkloadSpec;
use crate::engine::Engine;
use crate::report::{self, ReportOptions};
use crate::results::output::{self as results_output, RunContext};
use crate::sys;
use crate::workload::request::RequestMode;
use crate::workload::session::SessionWorkload;

/// Runs httperf-rs with `args` (argv[0] included) and returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let argv = args.clone();
    let options = match cli::parse(args) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help(text)) => {
            print!("{text}");
            return 0;
        }
        Err(error) => {
            eprint!("{}", error.message);
            return error.exit_code;
        }
    };
    // `--json -` keeps stdout for the JSON: what the run prints goes to stderr.
    let mut out: Box<dyn Write> = if results_output::json_to_stdout(&options) {
        Box::new(BufWriter::new(io::stderr()))
    } else {
        Box::new(BufWriter::new(io::stdout()))
    };
    if options.version {
        // 0.9.0 prints this and keeps going.
        let _ = writeln!(out, "{}", cli::version_line(&options.program));
    }
    let prechecked = match config::check_before_start(&options) {
        Ok(prechecked) => prechecked,
        Err(fatal) => {
            let _ = out.flush();
            eprintln!("{}", fatal.message);
            return fatal.exit_code;
        }
    };
    let echo_line = cli::echo_line(&options);
    let _ = writeln!(out, "{echo_line}");
    let _ = out.flush();
    let run_config = match config::build(&options, prechecked) {
        Ok(run_config) => run_config,
        Err(fatal) => {
            eprintln!("{}", fatal.message);
            return fatal.exit_code;
        }
    };
    if options.verbose > 0 {
        let _ = writeln!(
            out,
            "{}: maximum number of open descriptors = {}",
            options.program, run_config.open_file_limit
        );
    }
    let prepared = match results_output::prepare(&options) {
        Ok(prepared) => prepared,
        Err(message) => {
            let _ = out.flush();
            eprintln!("{message}");
            return 1;
        }
    };
    if let Err(error) = sys::install_sigint_flag() {
        eprintln!("{}: cannot handle SIGINT: {error}", options.program);
        return 1;
    }
    let mut engine = match Engine::new(run_config.engine, out) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("{}: cannot start the event loop: {error}", options.program);
            return 1;
        }
    };
    if let Some(recorder) = prepared.recorder {
        engine.attach_results(recorder);
    }
    let outcome = match run_config.workload {
        WorkloadSpec::Requests(spec) => {
            let mut workload = RequestMode::new(spec, run_config.uris, run_config.requests);
            engine.run(&mut workload)
        }
        WorkloadSpec::Sessions(spec) => {
            let mut workload = SessionWorkload::new(spec, run_config.uris, run_config.requests);
            engine.run(&mut workload).map(|mut outcome| {
                outcome.summary.session = Some(workload.session_summary());
                outcome
            })
        }
    };
    match outcome {
        Ok(outcome) => {
            let report_options = ReportOptions {
                verbose: options.verbose,
            };
            let mut out = outcome.output;
            let finished = match &outcome.results {
                Some(recorder) => {
                    let context = RunContext {
                        options: &options,
                        args: &argv,
                        echo_line: &echo_line,
                    };
                    results_output::finish(recorder, &outcome.summary, &context, prepared.json_file)
                }
                None => results_output::Finished::default(),
            };
            match &finished.json_for_stdout {
                Some(json) => {
                    let _ = out.flush();
                    let mut stdout = io::stdout().lock();
                    let _ = stdout.write_all(json.as_bytes());
                    let _ = stdout.flush();
                }
                None => {
                    let report = report::render(&outcome.summary, &report_options);
                    let _ = out.write_all(report.as_bytes());
                    let _ = out.write_all(finished.report_text.as_bytes());
                    let _ = out.flush();
                }
            }
            eprint!("{}", finished.stderr);
            finished.exit_status
        }
        Err(error) => {
            eprintln!("{}.core_loop: poll failed: {error}", options.program);
            1
        }
    }
}
