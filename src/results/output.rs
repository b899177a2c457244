//! The results options at the edges of a run: before it, deciding whether a
//! recorder is needed and opening its files (so an unwritable path fails
//! at start-up, like httperf's other init failures); after it, turning the
//! recorder and httperf's summary into the percentile block, the JSON
//! document, the self-check's explanation and the exit status.

use std::fs::File;
use std::io::{IsTerminal, Write};

use super::check::{self, Verdict};
use super::phout::PhoutLog;
use super::series::RateSegment;
use super::{json, text, JsonTarget, Recorder, RecorderSetup, ResultsOptions};
use crate::stats::summary::Summary;

/// What `app` needs to know about the results options before the run.
pub struct Prepared {
    pub recorder: Option<Box<Recorder>>,
    /// `--json FILE`, opened.
    pub json_file: Option<File>,
}

/// What the results options need to know of the run's other options.
#[derive(Debug, Clone, Copy)]
pub struct RunShape<'a> {
    /// Name to prefix stderr messages with.
    pub program: &'a str,
    /// Arrivals per second when they follow a schedule.
    pub rate_per_s: Option<f64>,
    /// A rate schedule that varies over the test, when there is one (it
    /// takes the place of `rate_per_s` for the series' target rate).
    pub schedule: &'a [RateSegment],
    /// A session workload runs.
    pub sessions: bool,
    /// How long the test should take, when that is known (0 otherwise).
    pub expected_s: f64,
    /// `-v` count.
    pub verbose: u32,
    /// httperf-rs's workload options as given (see `Options::workload_options`).
    pub workload_options: &'a [Vec<u8>],
}

/// Whether the run's stdout output goes to stderr (`--json -`).
pub fn json_to_stdout(results: &ResultsOptions) -> bool {
    results.json == Some(JsonTarget::Stdout)
}

/// Opens the files and builds the recorder when any results option was
/// given or stderr is a terminal (for the progress line and the check).
pub fn prepare(results: &ResultsOptions, shape: &RunShape<'_>) -> Result<Prepared, String> {
    let terminal = std::io::stderr().is_terminal();
    if !results.any() && !terminal {
        return Ok(Prepared {
            recorder: None,
            json_file: None,
        });
    }
    let program = shape.program;
    let json_file = match &results.json {
        Some(JsonTarget::File(path)) => Some(
            File::create(path)
                .map_err(|error| format!("{program}: cannot create {}: {error}", path.display()))?,
        ),
        _ => None,
    };
    let phout = match &results.log_requests {
        Some(path) => Some(
            PhoutLog::create(path, program)
                .map_err(|error| format!("{program}: cannot create {}: {error}", path.display()))?,
        ),
        None => None,
    };
    let setup = RecorderSetup {
        options: results.clone(),
        scheduled: shape.rate_per_s.is_some() || !shape.schedule.is_empty(),
        schedule: if shape.schedule.is_empty() {
            shape
                .rate_per_s
                .map(|rate| vec![RateSegment::constant(rate)])
                .unwrap_or_default()
        } else {
            shape.schedule.to_vec()
        },
        sessions: shape.sessions,
        expected_s: shape.expected_s,
        progress: results.progress || terminal,
        program: program.to_string(),
    };
    Ok(Prepared {
        recorder: Some(Box::new(Recorder::new(setup, phout))),
        json_file,
    })
}

/// Everything the results options add to a finished run.
#[derive(Debug, Default)]
pub struct Finished {
    /// Appended to the text report (the percentile block).
    pub report_text: String,
    /// The JSON document, for stdout (`--json -`).
    pub json_for_stdout: Option<String>,
    /// Printed on stderr after the report.
    pub stderr: String,
    /// Non-zero when the self-check failed with `--self-check`, or an
    /// output file could not be written.
    pub exit_status: i32,
}

/// What the run looked like from the command line, for the JSON.
pub struct RunContext<'a> {
    pub shape: RunShape<'a>,
    pub args: &'a [std::ffi::OsString],
    /// The echo line, as text (bytes that are not UTF-8 replaced).
    pub echo_line: &'a str,
}

pub fn finish(
    recorder: &Recorder,
    summary: &Summary,
    context: &RunContext<'_>,
    json_file: Option<File>,
) -> Finished {
    let options: &ResultsOptions = &recorder.setup().options;
    let program = context.shape.program;
    let mut finished = Finished::default();
    let percentiles = options.percentile_list();
    if options.percentiles.is_some() {
        let shown = text::shown_measures(recorder.setup().scheduled, recorder.setup().sessions);
        finished.report_text = text::render(recorder.measures(), &shown, &percentiles);
    }
    let verdict = self_check(recorder, summary, context.shape.rate_per_s);
    if !verdict.passed && (options.self_check || std::io::stderr().is_terminal()) {
        finished.stderr.push_str(&check::render(&verdict, program));
        if options.self_check {
            finished.exit_status = check::FAILED_EXIT_STATUS;
        }
    }
    if let Some(error) = recorder.log_error() {
        // Already said on stderr when it happened.
        let _ = error;
        finished.exit_status = finished.exit_status.max(1);
    }
    if options.json.is_some() {
        let document = json::document(recorder, summary, context, &percentiles, &verdict);
        let text = json::to_string(&document);
        match json_file {
            Some(mut file) => {
                if let Err(error) = file.write_all(text.as_bytes()).and_then(|()| file.flush()) {
                    finished.stderr.push_str(&format!(
                        "{program}: cannot write the JSON results: {error}\n"
                    ));
                    finished.exit_status = finished.exit_status.max(1);
                }
            }
            None => finished.json_for_stdout = Some(text),
        }
    }
    finished
}

fn self_check(recorder: &Recorder, summary: &Summary, rate_per_s: Option<f64>) -> Verdict {
    let mean_iat_s = rate_per_s.map(|rate| 1.0 / rate);
    check::evaluate(recorder.measures(), &summary.errors, mean_iat_s)
}
