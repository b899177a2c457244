//! `httperf-rs plot` on real results (request mode, sessions, zero replies,
//! a comparison of two files): the charts' SVG (a point per second of the
//! run, axes, legends, a monotone percentile spectrum), standalone SVG
//! files, bad input (exit status 2), and the page in headless Chromium with
//! the network cut off (tests/plot_browser/check.py).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::support::{closed_port, ok_reply, run_binary, Behaviour, Run, TestServer};

const LIMIT: Duration = Duration::from_secs(60);
const CHARTS: [&str; 5] = ["rates", "reply-times", "spectrum", "errors", "status"];

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("httperf-rs-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Result files of a request-mode run, a session run and a refused run,
/// made once for every test here.
struct Results {
    request: PathBuf,
    sessions: PathBuf,
    refused: PathBuf,
}

fn results() -> &'static Results {
    static RESULTS: OnceLock<Results> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let server = TestServer::start(Behaviour::Reply(ok_reply("hello")));
        let port = server.port.to_string();
        let dir = temp_dir();
        let result = |name: &str, port: &str, extra: &[&str]| {
            let path = dir.join(name);
            let json = format!("--json={}", path.display());
            let mut args = vec!["--server=127.0.0.1", "--port", port, "--timeout=5", &json];
            args.extend_from_slice(extra);
            let run = run_binary(&args, LIMIT);
            assert_eq!(run.status, 0, "{name}: {}{}", run.stdout, run.stderr);
            path
        };
        Results {
            request: result(
                "request.json",
                &port,
                &["--num-conns=25", "--num-calls=2", "--rate=10"],
            ),
            sessions: result(
                "sessions.json",
                &port,
                &["--wsess=6,3,0.05", "--burst-length=2", "--rate=4"],
            ),
            refused: result(
                "refused.json",
                &closed_port().to_string(),
                &["--num-conns=5", "--rate=10"],
            ),
        }
    })
}

fn plot(args: &[&str]) -> Run {
    let mut words = vec!["plot"];
    words.extend_from_slice(args);
    run_binary(&words, LIMIT)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// The page for `files` (with `extra` options), checked to have succeeded.
fn page(files: &[&Path], extra: &[&str]) -> String {
    let mut args: Vec<&str> = files.iter().map(|f| path(f)).collect();
    args.extend_from_slice(extra);
    let run = plot(&args);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run.stdout
}

/// The text of the element starting at `start` up to its matching `</tag>`.
fn element<'a>(text: &'a str, start: &str, tag: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"));
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut depth = 0;
    let mut at = from;
    loop {
        let next_open = text[at + 1..].find(&open).map(|i| i + at + 1);
        let next_close = text[at..].find(&close).map(|i| i + at).expect("closed");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o;
            }
            _ if depth == 0 => return &text[from..next_close + close.len()],
            _ => {
                depth -= 1;
                at = next_close + 1;
            }
        }
    }
}

fn chart<'a>(page: &'a str, id: &str) -> &'a str {
    element(
        page,
        &format!("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{id}\""),
        "svg",
    )
}

/// The points of each `<polyline>` of the series named `name`.
fn series_points(chart: &str, name: &str) -> Vec<Vec<(f64, f64)>> {
    let group = element(chart, &format!("data-series=\"{name}\""), "g");
    group
        .split("<polyline points=\"")
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .unwrap_or_default()
                .split(' ')
                .map(|pair| {
                    let (x, y) = pair.split_once(',').expect("x,y");
                    (x.parse().expect("x"), y.parse().expect("y"))
                })
                .collect()
        })
        .collect()
}

fn document(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("result")).expect("JSON")
}

fn seconds(path: &Path) -> Vec<serde_json::Value> {
    document(path)["time_series"]["seconds"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn request_run_has_every_chart_with_a_point_per_second() {
    let r = results();
    let page = page(&[&r.request], &[]);
    assert!(page.starts_with("<!DOCTYPE html>"));
    let seconds = seconds(&r.request);
    assert!(seconds.len() >= 3, "{seconds:?}");
    for id in CHARTS {
        let chart = chart(&page, id);
        assert_eq!(chart.matches("<g class=\"axis ").count(), 2, "{id}");
        assert!(chart.contains("<g class=\"legend\"><line"), "{id}");
        assert!(chart.contains("<text class=\"label\""), "{id}");
        assert!(
            chart.contains("request.json"),
            "{id}: the run is in the legend"
        );
    }
    let rates = chart(&page, "rates");
    for name in ["connections/s", "requests/s", "replies/s"] {
        let lines = series_points(rates, &format!("{name} (request.json)"));
        assert_eq!(lines.len(), 1, "{name}");
        assert_eq!(lines[0].len(), seconds.len(), "{name}: a point per second");
    }
    // The median of each second that had replies, and only those.
    let with_replies = seconds.iter().filter(|s| s["replies"].as_u64() > Some(0));
    let p50: usize = series_points(chart(&page, "reply-times"), "p50 (request.json)")
        .iter()
        .map(Vec::len)
        .sum();
    assert_eq!(p50, with_replies.count());
    assert!(chart(&page, "errors").contains(">no errors<"));
    // Key figures in the header.
    for figure in [
        "command line",
        "start (UTC)",
        "duration",
        "host",
        "--num-conns=25",
        "50 total",
    ] {
        assert!(page.contains(figure), "{figure}");
    }
}

#[test]
fn spectrum_rises_with_the_percentile() {
    let page = page(&[&results().request], &[]);
    let spectrum = chart(&page, "spectrum");
    assert!(spectrum.contains(">99%<") && spectrum.contains(">90%<"));
    for measure in ["reply time", "connect time", "response time"] {
        let lines = series_points(spectrum, &format!("{measure} (request.json)"));
        assert_eq!(lines.len(), 1, "{measure}");
        let points = &lines[0];
        assert!(points.len() > 20, "{measure}: {points:?}");
        for pair in points.windows(2) {
            // Right along x, and up (smaller y on screen) or level.
            assert!(
                pair[0].0 < pair[1].0 && pair[0].1 >= pair[1].1,
                "{measure}: {pair:?}"
            );
        }
    }
}

#[test]
fn session_run_shows_sessions() {
    let r = results();
    let page = page(&[&r.sessions], &[]);
    assert!(
        page.contains("<th>sessions</th><td>6 completed of 6"),
        "{page}"
    );
    assert!(page.contains("<th>session lifetime</th>"));
    let seconds = seconds(&r.sessions);
    let lines = series_points(chart(&page, "rates"), "connections/s (sessions.json)");
    assert_eq!(lines[0].len(), seconds.len());
}

#[test]
fn two_files_overlay_with_their_labels() {
    let r = results();
    let page = page(
        &[&r.request, &r.sessions],
        &["--label", "baseline", "--label", "with sessions"],
    );
    let rates = chart(&page, "rates");
    for (label, file) in [("baseline", &r.request), ("with sessions", &r.sessions)] {
        let lines = series_points(rates, &format!("replies/s ({label})"));
        assert_eq!(lines[0].len(), seconds(file).len(), "{label}");
    }
    // Runs differ by dash, and the legend says which is which.
    let legend = element(rates, "<g class=\"legend\">", "g");
    assert!(legend.contains(">baseline<") && legend.contains(">with sessions<"));
    assert!(legend.contains("stroke-dasharray"));
    assert!(page.contains("<td class=\"run\">baseline</td><td class=\"run\">with sessions</td>"));
}

#[test]
fn zero_replies_still_plot() {
    let r = results();
    let page = page(&[&r.refused], &[]);
    for id in CHARTS {
        chart(&page, id);
    }
    assert!(chart(&page, "reply-times").contains(">no replies<"));
    // Refused connects still have connect times; replies have none.
    assert!(series_points(chart(&page, "spectrum"), "reply time (refused.json)").is_empty());
    let errors = chart(&page, "errors");
    assert!(!errors.contains(">no errors<"));
    // By kind, or the total from a file without kinds.
    let name = if errors.contains("data-series=\"connrefused (refused.json)\"") {
        "connrefused (refused.json)"
    } else {
        "errors (all kinds) (refused.json)"
    };
    let lines = series_points(errors, name);
    assert_eq!(lines[0].len(), seconds(&r.refused).len());
}

#[test]
fn svg_files_are_standalone_copies_of_the_charts() {
    let r = results();
    let dir = temp_dir().join("svg");
    let html = temp_dir().join("with-svg.html");
    let run = plot(&[path(&r.request), "--svg", path(&dir), "-o", path(&html)]);
    assert_eq!((run.status, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let page = std::fs::read_to_string(&html).expect("page written");
    for id in CHARTS {
        let text = std::fs::read_to_string(dir.join(format!("{id}.svg"))).expect("svg written");
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns="));
        assert!(text.contains("<style>"), "{id}: styled without the page");
        assert_eq!(
            text.trim_end().split_once('\n').map(|(_, svg)| svg),
            Some(chart(&page, id))
        );
    }
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let r = results();
    let dir = temp_dir();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let mut empty = document(&r.request);
    empty["time_series"]["seconds"] = serde_json::json!([]);
    let mut newer = document(&r.request);
    newer["format_version"] = serde_json::json!(99);
    let cases = [
        (dir.join("missing.json"), "No such file or directory"),
        (
            write("text.json", "Total: connections 5\n"),
            "not a result file",
        ),
        (
            write("other.json", "{\"format\": \"something\"}"),
            "not a result file",
        ),
        (
            write("newer.json", &newer.to_string()),
            "format_version 99 is not supported",
        ),
        (write("empty.json", &empty.to_string()), "the run is empty"),
        (
            write("cut.json", &document(&r.request).to_string()[..500]),
            "not a result file",
        ),
    ];
    for (file, reason) in &cases {
        let run = plot(&[path(file)]);
        assert_eq!(run.status, 2, "{file:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        let expected = format!("httperf-rs: plot: {}: {reason}", file.display());
        assert!(
            run.stderr.starts_with(&expected),
            "{expected}\n{}",
            run.stderr
        );
    }
    let run = plot(&[path(&r.request), "--label", "a", "--label", "b"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("2 labels for 1 files"),
        "{}",
        run.stderr
    );
    let run = plot(&[]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("Usage: httperf-rs plot"),
        "{}",
        run.stderr
    );
}

/// The browser test: the two-file page in headless Chromium, offline.
#[test]
fn page_renders_in_chromium_offline() {
    let r = results();
    let html = temp_dir().join("browser.html");
    let shot = temp_dir().join("browser.png");
    let run = plot(&[
        path(&r.request),
        path(&r.sessions),
        path(&r.refused),
        "-o",
        path(&html),
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/plot_browser/check.py");
    let child = std::process::Command::new("python3")
        .args([
            script,
            path(&html),
            "--charts",
            "5",
            "--screenshot",
            path(&shot),
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let check = crate::support::wait_bounded(child, Duration::from_secs(120));
    assert_eq!(
        check.status, 0,
        "the page failed in Chromium:\n{}\n{}",
        check.stderr, check.stdout
    );
    let report: serde_json::Value = serde_json::from_str(check.stdout.trim()).expect("JSON line");
    assert_eq!(report["charts"].as_array().map(Vec::len), Some(5));
    assert_eq!(report["problems"], serde_json::json!([]));
    let png = std::fs::read(&shot).expect("screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        png.len()
    );
}
