//! `httperf-rs compare` and `httperf-rs rerun`: regression verdicts between
//! saved httperf reports (text or `--json`) and new runs. `report` reads
//! reports, `echo` the echo line, `metrics` names every number, `judge`
//! decides, `render` prints, `rerun` runs an old command line again.
//! Exit status: 0 no regression, 1 a regression, 2 the inputs cannot be
//! compared (a message names the file and line) or the result could not be
//! written.

mod echo;
mod judge;
mod metrics;
mod render;
mod report;
mod rerun;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};

pub use echo::{is_echo_line, option_differences, parse as parse_echo, Echo, Item};
pub use judge::{Row, Verdict};
pub use report::{
    looks_like_json, parse_json, parse_text, rebuild_lines, ParseError, Report, Value,
};

use crate::files;
use render::{FileRuns, Format, Header};

/// Exit statuses.
const NO_REGRESSION: i32 = 0;
const REGRESSION: i32 = 1;
const CANNOT_COMPARE: i32 = 2;

/// The most bytes read from one report file (`--print-reply` output can be
/// long; anything larger is not a saved report).
pub const REPORT_MAX_BYTES: u64 = 256 << 20;

/// A failure that ends the subcommand with status 2.
struct Failure(String);

/// Runs `compare BASELINE CANDIDATE…` (`args` are the words after `compare`).
pub fn run_compare(program: &str, args: &[OsString]) -> i32 {
    let command = compare_command(program);
    let matches = match parse_args(command, program, "compare", args) {
        Ok(matches) => matches,
        Err(status) => return status,
    };
    match compare_main(&matches) {
        Ok(status) => delivered(program, "compare", status),
        Err(Failure(message)) => fail(program, "compare", &message),
    }
}

/// Runs `rerun OLD_REPORT…` (`args` are the words after `rerun`).
pub fn run_rerun(program: &str, args: &[OsString]) -> i32 {
    let command = rerun_command(program);
    let matches = match parse_args(command, program, "rerun", args) {
        Ok(matches) => matches,
        Err(status) => return status,
    };
    match rerun::main(&matches) {
        Ok(status) => delivered(program, "rerun", status),
        Err(Failure(message)) => fail(program, "rerun", &message),
    }
}

/// The verdict's status once it is printed, or status 2 when it could not
/// be (a full disk must not let a CI job read an empty comparison as a
/// pass). A reader that closed the pipe early (`| head`) keeps the verdict.
fn delivered(program: &str, subcommand: &str, status: i32) -> i32 {
    match crate::output::stdout_failure() {
        Some(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            let name = format!("{program} {subcommand}");
            if let Some(message) = crate::output::stdout_failure_message(&name) {
                eprintln!("{message}");
            }
            CANNOT_COMPARE
        }
        _ => status,
    }
}

fn fail(program: &str, subcommand: &str, message: &str) -> i32 {
    eprintln!("{program} {subcommand}: {message}");
    CANNOT_COMPARE
}

fn parse_args(
    command: Command,
    program: &str,
    subcommand: &str,
    args: &[OsString],
) -> Result<ArgMatches, i32> {
    let argv = std::iter::once(OsString::from(format!("{program} {subcommand}")))
        .chain(args.iter().cloned());
    command.try_get_matches_from(argv).map_err(|error| {
        let text = error.render().to_string();
        if error.use_stderr() {
            eprint!("{text}");
            CANNOT_COMPARE
        } else {
            print!("{text}");
            0
        }
    })
}

/// The options `compare` and `rerun` share: how to judge and print.
fn judging_args(command: Command) -> Command {
    command
        .arg(
            Arg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(["text", "markdown", "json"])
                .default_value("text")
                .help("Output: a table (text), a Markdown table for a CI comment, or JSON"),
        )
        .arg(
            Arg::new("threshold")
                .long("threshold")
                .value_name("METRIC=PCT")
                .action(ArgAction::Append)
                .help(
                    "Flag METRIC (or a group such as `errors`) when it gets worse by more \
                     than PCT percent; PCT `off` stops judging it (repeatable)",
                ),
        )
        .arg(
            Arg::new("force")
                .long("force")
                .visible_alias("ignore-workload")
                .action(ArgAction::SetTrue)
                .help(
                    "Compare even when the workloads differ or cannot be checked (rerun: also \
                     run a command line the echo line does not give back exactly)",
                ),
        )
        .arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Show the metrics that are not judged too (JSON always has them)"),
        )
}

fn compare_command(program: &str) -> Command {
    judging_args(
        Command::new(format!("{program} compare"))
            .about(
                "Compares saved httperf reports (text, any httperf version, or httperf-rs \
                 --json files): exit 0 when nothing regressed, 1 when something did, 2 when \
                 the inputs cannot be compared",
            )
            .arg(
                Arg::new("baseline")
                    .long("baseline")
                    .short('b')
                    .value_name("FILE")
                    .action(ArgAction::Append)
                    .value_parser(value_parser!(PathBuf))
                    .help(
                        "A baseline file (repeatable); without it the first FILE is the \
                         baseline",
                    ),
            )
            .arg(
                Arg::new("files")
                    .value_name("FILE")
                    .num_args(1..)
                    .required(true)
                    .value_parser(value_parser!(PathBuf))
                    .help("BASELINE then CANDIDATE files; each may hold several runs"),
            ),
    )
}

fn rerun_command(program: &str) -> Command {
    judging_args(
        Command::new(format!("{program} rerun"))
            .about(
                "Runs the command line recorded in an old report's echo line again with \
                 httperf-rs and compares the new result with the old one",
            )
            .arg(
                Arg::new("old")
                    .value_name("OLD_REPORT")
                    .required(true)
                    .value_parser(value_parser!(PathBuf))
                    .help("The old report (all its runs are the baseline)"),
            )
            .arg(
                Arg::new("server")
                    .long("server")
                    .value_name("HOST")
                    .value_parser(value_parser!(OsString))
                    .help("Run against HOST instead of the recorded server"),
            )
            .arg(
                Arg::new("port")
                    .long("port")
                    .value_name("PORT")
                    .value_parser(value_parser!(u16))
                    .help("Run against PORT instead of the recorded port"),
            )
            .arg(
                Arg::new("repeat")
                    .long("repeat")
                    .value_name("N")
                    .value_parser(value_parser!(u32).range(1..=1000))
                    .default_value("1")
                    .help("Run N times, each a fresh process, and compare the median"),
            )
            .arg(
                Arg::new("save")
                    .long("save")
                    .value_name("FILE")
                    .value_parser(value_parser!(PathBuf))
                    .help("Write the new runs' output to FILE (a file compare reads)"),
            )
            .arg(
                Arg::new("dry-run")
                    .long("dry-run")
                    .action(ArgAction::SetTrue)
                    .help("Print the recovered command line and stop"),
            ),
    )
}

/// The file name as given, for messages.
fn display(path: &Path) -> String {
    String::from_utf8_lossy(path.as_os_str().as_bytes()).into_owned()
}

/// `FILE:LINE: message` (`FILE: message` for line 0).
fn located(path: &Path, error: &ParseError) -> String {
    if error.line == 0 {
        format!("{}: {}", display(path), error.message)
    } else {
        format!("{}:{}: {}", display(path), error.line, error.message)
    }
}

/// Every run in the file `path`.
fn load(path: &Path) -> Result<Vec<Report>, Failure> {
    let bytes = files::read_limited(path, REPORT_MAX_BYTES).map_err(|error| {
        Failure(format!(
            "{}: cannot read it: {}",
            display(path),
            error.reason()
        ))
    })?;
    parse_bytes(&bytes).map_err(|error| Failure(located(path, &error)))
}

/// Every run in a file's content: a `--json` document or text reports.
pub fn parse_bytes(bytes: &[u8]) -> Result<Vec<Report>, ParseError> {
    if looks_like_json(bytes) {
        let text = std::str::from_utf8(bytes).map_err(|error| ParseError {
            line: 0,
            message: format!("looks like JSON but is not UTF-8: {error}"),
        })?;
        return parse_json(text).map(|report| vec![report]);
    }
    parse_text(bytes)
}

fn format_of(matches: &ArgMatches) -> Format {
    match matches.get_one::<String>("format").map(String::as_str) {
        Some("markdown") => Format::Markdown,
        Some("json") => Format::Json,
        _ => Format::Text,
    }
}

fn thresholds_of(matches: &ArgMatches) -> Result<judge::Thresholds, Failure> {
    let mut thresholds = Vec::new();
    for spec in matches
        .get_many::<String>("threshold")
        .into_iter()
        .flatten()
    {
        let bad = |why: &str| Failure(format!("--threshold {spec}: {why}"));
        let (name, pct) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected METRIC=PCT"))?;
        if !metrics::pattern_is_known(name) {
            return Err(bad(&format!(
                "no metric or group `{name}` (see the man page's list)"
            )));
        }
        let pct = pct.strip_suffix('%').unwrap_or(pct);
        let value = if pct == "off" {
            None
        } else {
            let value: f64 = pct
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| bad("PCT must be a number >= 0 or `off`"))?;
            Some(value)
        };
        thresholds.push((name.to_string(), value));
    }
    Ok(thresholds)
}

/// One side: the files and their runs, each labelled `FILE` or `FILE#N`.
pub(crate) struct Side {
    pub files: Vec<FileRuns>,
    pub runs: Vec<(String, Report)>,
}

impl Side {
    fn new() -> Side {
        Side {
            files: Vec::new(),
            runs: Vec::new(),
        }
    }

    fn add(&mut self, name: String, reports: Vec<Report>) {
        self.files.push(FileRuns {
            file: name.clone(),
            runs: reports.len(),
        });
        let several = reports.len() > 1;
        for (index, report) in reports.into_iter().enumerate() {
            let label = if several {
                format!("{name} (run {} at line {})", index + 1, report.line)
            } else {
                name.clone()
            };
            self.runs.push((label, report));
        }
    }
}

/// The workload check: every run against the first baseline run. Returns
/// the differences found; refuses (unless `force`) when there are any or
/// when a run has no echo line to check.
fn check_workloads(
    baseline: &Side,
    candidate: &Side,
    force: bool,
) -> Result<(Option<String>, Vec<echo::Difference>), Failure> {
    let mut problems = Vec::new();
    let mut differences: Vec<echo::Difference> = Vec::new();
    let reference = baseline.runs.first();
    let reference_echo = reference.and_then(|(_, r)| r.echo.as_ref());
    let reference_options = reference.and_then(|(_, r)| r.workload_options.as_ref());
    for (label, report) in baseline.runs.iter().chain(&candidate.runs) {
        match (&report.echo, reference_echo) {
            (Some(echo), Some(first)) => {
                let mut found = echo::differences(first, echo);
                // Only documents record httperf-rs's workload options.
                if let (Some(first), Some(options)) = (reference_options, &report.workload_options)
                {
                    found.extend(echo::option_differences(first, options));
                }
                if !found.is_empty() {
                    let names: Vec<String> = found
                        .iter()
                        .map(|(name, a, b)| {
                            format!(
                                "--{name}: {} vs {}",
                                a.as_deref().unwrap_or("(not given)"),
                                b.as_deref().unwrap_or("(not given)")
                            )
                        })
                        .collect();
                    problems.push(format!(
                        "{label} runs another workload than {}: {}",
                        reference.map_or("", |(l, _)| l.as_str()),
                        names.join("; ")
                    ));
                }
                for difference in found {
                    if !differences.contains(&difference) {
                        differences.push(difference);
                    }
                }
            }
            (None, _) => problems.push(format!(
                "{label} has no echo line (the first line httperf prints): its workload \
                 cannot be checked"
            )),
            (Some(_), None) => {}
        }
    }
    if !problems.is_empty() && !force {
        return Err(Failure(format!(
            "{}\n(use --force to compare anyway)",
            problems.join("\n")
        )));
    }
    let workload = reference_echo.map(|echo| {
        echo.workload()
            .iter()
            .map(|item| item.text())
            .collect::<Vec<_>>()
            .join(" ")
    });
    Ok((workload, differences))
}

/// Compares the sides and prints the result; the exit status.
fn judge_and_print(
    baseline: &Side,
    candidate: &Side,
    matches: &ArgMatches,
) -> Result<i32, Failure> {
    let thresholds = thresholds_of(matches)?;
    let force = matches.get_flag("force");
    let (workload, differences) = check_workloads(baseline, candidate, force)?;
    let base: Vec<&Report> = baseline.runs.iter().map(|(_, r)| r).collect();
    let cand: Vec<&Report> = candidate.runs.iter().map(|(_, r)| r).collect();
    let rows = judge::compare(&base, &cand, &thresholds);
    let header = Header {
        baseline: baseline.files.clone(),
        candidate: candidate.files.clone(),
        workload,
        differences,
    };
    let all = matches.get_flag("all");
    let text = match format_of(matches) {
        Format::Text => render::text(&header, &rows, all),
        Format::Markdown => render::markdown(&header, &rows, all),
        Format::Json => render::json(&header, &rows),
    };
    print!("{text}");
    let regressed = rows.iter().any(|row| row.verdict == Verdict::Worse);
    Ok(if regressed { REGRESSION } else { NO_REGRESSION })
}

fn compare_main(matches: &ArgMatches) -> Result<i32, Failure> {
    let mut files: Vec<&PathBuf> = matches
        .get_many::<PathBuf>("files")
        .into_iter()
        .flatten()
        .collect();
    let mut baseline_files: Vec<&PathBuf> = matches
        .get_many::<PathBuf>("baseline")
        .into_iter()
        .flatten()
        .collect();
    if baseline_files.is_empty() {
        if files.len() < 2 {
            return Err(Failure(
                "needs a BASELINE and at least one CANDIDATE file".to_string(),
            ));
        }
        baseline_files.push(files.remove(0));
    }
    let mut baseline = Side::new();
    for path in baseline_files {
        baseline.add(display(path), load(path)?);
    }
    let mut candidate = Side::new();
    for path in files {
        candidate.add(display(path), load(path)?);
    }
    judge_and_print(&baseline, &candidate, matches)
}
