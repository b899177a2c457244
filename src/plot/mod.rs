//! `httperf-rs plot`: a self-contained HTML page (and SVG files) drawn from
//! `--json` results. `model` reads and checks the files, `charts` turns them
//! into the five charts, `svg` draws a chart, `page` lays out the page.
//! Bad input (not a result file, another format version, an empty run)
//! exits with status 2 and a message naming the file; a failed write exits 1.

mod charts;
pub mod model;
mod page;
pub mod svg;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};

use crate::output::{self, Exit};

/// Exit status for bad arguments and unusable input files.
const BAD_INPUT: i32 = 2;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
struct PlotOptions {
    files: Vec<PathBuf>,
    labels: Vec<String>,
    /// The page: a file, or stdout (`-`, or neither `-o` nor `--svg`).
    page: Option<PathBuf>,
    svg_dir: Option<PathBuf>,
}

fn command(program: &str) -> Command {
    Command::new("plot")
        .bin_name(format!("{program} plot"))
        .about(
            "Draws --json result files as one self-contained HTML page (rates, reply \
             times per second, latency by percentile, errors and status classes per \
             second, and each run's key figures); several files are overlaid.",
        )
        .arg(
            Arg::new("files")
                .value_name("RESULT.json")
                .required(true)
                .num_args(1..)
                .value_parser(clap::value_parser!(PathBuf))
                .help("Result files written by --json"),
        )
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Write the page to FILE (`-': standard output, the default without --svg)"),
        )
        .arg(
            Arg::new("label")
                .long("label")
                .value_name("TEXT")
                .action(ArgAction::Append)
                .help(
                    "Name of the next file on the page (default: its file name); repeat per file",
                ),
        )
        .arg(
            Arg::new("svg")
                .long("svg")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Also write each chart as a standalone SVG file into DIR"),
        )
}

/// Runs `plot RESULT.json…` (`args` are the words after `plot`).
pub fn run(program: &str, args: &[OsString]) -> i32 {
    let options = match parse(program, args) {
        Ok(options) => options,
        Err(status) => return status,
    };
    match plot(&options) {
        Ok(()) => 0,
        Err(exit) => Exit {
            message: format!("{program}: plot: {}\n", exit.text()).into_bytes(),
            status: exit.status,
        }
        .finish(),
    }
}

/// The options, or the exit status after help or a usage error.
fn parse(program: &str, args: &[OsString]) -> Result<PlotOptions, i32> {
    let words = std::iter::once(OsString::from("plot")).chain(args.iter().cloned());
    let matches = match command(program).try_get_matches_from(words) {
        Ok(matches) => matches,
        Err(error) => {
            let text = error.render().to_string();
            return Err(if error.use_stderr() {
                Exit {
                    message: text.into_bytes(),
                    status: BAD_INPUT,
                }
                .finish()
            } else {
                output::print_only_output(program, text.as_bytes())
            });
        }
    };
    let files: Vec<PathBuf> = matches
        .get_many::<PathBuf>("files")
        .map(|files| files.cloned().collect())
        .unwrap_or_default();
    let labels: Vec<String> = matches
        .get_many::<String>("label")
        .map(|labels| labels.cloned().collect())
        .unwrap_or_default();
    if labels.len() > files.len() {
        return Err(Exit {
            message: format!(
                "{program}: plot: {} labels for {} files (one --label per file at most)\n",
                labels.len(),
                files.len()
            )
            .into_bytes(),
            status: BAD_INPUT,
        }
        .finish());
    }
    let svg_dir = matches.get_one::<PathBuf>("svg").cloned();
    let page = match matches.get_one::<PathBuf>("output") {
        Some(path) if path.as_os_str() == "-" => None,
        Some(path) => Some(path.clone()),
        None if svg_dir.is_some() => Some(PathBuf::new()),
        None => None,
    };
    Ok(PlotOptions {
        files,
        labels,
        page,
        svg_dir,
    })
}

/// Default labels: file names, or the paths as given when names repeat.
fn labels(options: &PlotOptions) -> Vec<String> {
    let names: Vec<String> = options
        .files
        .iter()
        .map(|path| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    options
        .files
        .iter()
        .enumerate()
        .map(|(index, path)| match options.labels.get(index) {
            Some(label) => label.clone(),
            None if names.iter().filter(|n| **n == names[index]).count() > 1 => {
                path.display().to_string()
            }
            None => names[index].clone(),
        })
        .collect()
}

/// Builds the page and the SVG files from the loaded runs.
pub fn render(runs: &[model::Run]) -> (String, Vec<svg::Chart>) {
    let charts = charts::all(runs);
    (page::render(runs, &charts), charts)
}

fn plot(options: &PlotOptions) -> Result<(), Exit> {
    let mut runs = Vec::with_capacity(options.files.len());
    for (path, label) in options.files.iter().zip(labels(options)) {
        let run = model::load(path, label).map_err(|message| Exit {
            message: message.into_bytes(),
            status: BAD_INPUT,
        })?;
        runs.push(run);
    }
    let (html, charts) = render(&runs);
    if let Some(dir) = &options.svg_dir {
        std::fs::create_dir_all(dir).map_err(|error| write_failure(dir, &error))?;
        for chart in &charts {
            let path = dir.join(format!("{}.svg", chart.id));
            let text = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
                chart.render()
            );
            std::fs::write(&path, text).map_err(|error| write_failure(&path, &error))?;
        }
    }
    match &options.page {
        // `--svg` alone writes no page.
        Some(path) if path.as_os_str().is_empty() => Ok(()),
        Some(path) => std::fs::write(path, html).map_err(|error| write_failure(path, &error)),
        None => {
            output::print_bytes(html.as_bytes());
            match output::stdout_failure_message("plot") {
                Some(message) => Err(Exit::failure(message)),
                None => Ok(()),
            }
        }
    }
}

fn write_failure(path: &Path, error: &std::io::Error) -> Exit {
    let text = error.to_string();
    let reason = text.split(" (os error").next().unwrap_or(&text);
    Exit::failure(format!("cannot write {}: {reason}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(words: &[&str]) -> PlotOptions {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        parse("httperf-rs", &args).unwrap_or_else(|status| panic!("status {status}"))
    }

    #[test]
    fn arguments_parse() {
        let o = options(&["a/r.json", "b/r.json", "c.json", "--label", "base"]);
        assert_eq!(o.page, None);
        assert_eq!(labels(&o), ["base", "b/r.json", "c.json"]);
        let o = options(&["-o", "p.html", "--svg", "d", "x.json"]);
        assert_eq!(o.page, Some(PathBuf::from("p.html")));
        assert_eq!(o.svg_dir, Some(PathBuf::from("d")));
        let o = options(&["--svg", "d", "x.json"]);
        assert_eq!(o.page, Some(PathBuf::new()));
        let o = options(&["-o", "-", "--svg", "d", "x.json"]);
        assert_eq!(o.page, None);
    }
}
