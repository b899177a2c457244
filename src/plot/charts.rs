//! The five charts of a plot, each with every run overlaid: colour tells
//! the quantity, the line's dash tells the run (the legend lists both).

use super::model::{Point, Run, SPECTRUM_MEASURES};
use super::svg::{Axis, Chart, LegendEntry, Scale, Series, Stroke};

/// Dash patterns telling runs apart, in file order (then again).
const RUN_DASHES: [Option<&str>; 4] = [None, Some("7 4"), Some("2 3"), Some("10 3 2 3")];
const RUN_KEY_COLOR: &str = "#444";
/// A latency axis turns logarithmic when its values span more than this factor.
const LOG_SPAN: f64 = 50.0;

/// The error names of the report, in its order, with their colours.
const ERROR_KINDS: [(&str, &str); 8] = [
    ("client-timo", "#d62728"),
    ("socket-timo", "#9467bd"),
    ("connrefused", "#ff7f0e"),
    ("connreset", "#8c564b"),
    ("fd-unavail", "#e377c2"),
    ("addrunavail", "#7f7f7f"),
    ("ftab-full", "#bcbd22"),
    ("other", "#17becf"),
];
const STATUS_CLASSES: [(&str, &str); 5] = [
    ("1xx", "#7f7f7f"),
    ("2xx", "#2ca02c"),
    ("3xx", "#1f77b4"),
    ("4xx", "#ff7f0e"),
    ("5xx", "#d62728"),
];

/// A quantity drawn for every run: its name, colour and value at a point.
type Quantity<T> = (&'static str, &'static str, fn(&Point) -> T);

/// Every chart of the page, in page order.
pub fn all(runs: &[Run]) -> Vec<Chart> {
    vec![
        rates(runs),
        reply_times(runs),
        spectrum(runs),
        errors(runs),
        status_classes(runs),
    ]
}

fn run_stroke(index: usize, color: &'static str) -> Stroke {
    Stroke {
        dash: RUN_DASHES[index % RUN_DASHES.len()],
        ..Stroke::solid(color)
    }
}

/// One legend entry per run (its dash), after the quantities' colours.
fn run_keys(runs: &[Run]) -> Vec<LegendEntry> {
    runs.iter()
        .enumerate()
        .map(|(index, run)| LegendEntry {
            text: run.label.clone(),
            stroke: run_stroke(index, RUN_KEY_COLOR),
        })
        .collect()
}

fn key(text: &str, color: &'static str) -> LegendEntry {
    LegendEntry {
        text: text.to_string(),
        stroke: Stroke::solid(color),
    }
}

fn time_axis(runs: &[Run]) -> Axis {
    Axis {
        label: "time since start [s]".to_string(),
        scale: Scale::Linear,
    }
    .with_bucket_note(runs)
}

trait BucketNote {
    fn with_bucket_note(self, runs: &[Run]) -> Self;
}

impl BucketNote for Axis {
    /// Says when points stand for several seconds.
    fn with_bucket_note(mut self, runs: &[Run]) -> Axis {
        let buckets: Vec<u64> = runs.iter().map(|r| r.bucket_s).filter(|&b| b > 1).collect();
        if let Some(most) = buckets.iter().max() {
            self.label = format!("{} (one point per {most} s, means per second)", self.label);
        }
        self
    }
}

/// A series of one run: `value` of each point at its time.
fn series_over_time(
    run: &Run,
    index: usize,
    name: &str,
    color: &'static str,
    value: impl Fn(&Point) -> Option<f64>,
) -> Series {
    Series {
        name: format!("{name} ({})", run.label),
        stroke: run_stroke(index, color),
        points: run
            .points
            .iter()
            .map(|p| value(p).filter(|v| v.is_finite()).map(|v| (p.t, v)))
            .collect(),
    }
}

/// 1: achieved rates with the scheduled rate underneath.
pub fn rates(runs: &[Run]) -> Chart {
    let mut series = Vec::new();
    let any_target = runs
        .iter()
        .any(|r| r.points.iter().any(|p| p.target_rate.is_some()));
    let sessions = runs.iter().any(|r| r.sessions);
    let target_name = match (sessions, runs.iter().all(|r| r.sessions)) {
        (false, _) => "target connections/s",
        (true, true) => "target sessions/s",
        (true, false) => "target connections or sessions/s",
    };
    let target_color = "#9ecae1";
    for (index, run) in runs.iter().enumerate() {
        if any_target {
            let mut target =
                series_over_time(run, index, target_name, target_color, |p| p.target_rate);
            target.stroke.width = 7.0;
            target.stroke.opacity = 0.7;
            series.push(target);
        }
    }
    let quantities: [Quantity<f64>; 3] = [
        ("connections/s", "#1f77b4", |p| p.connections),
        ("requests/s", "#2ca02c", |p| p.requests),
        ("replies/s", "#ff7f0e", |p| p.replies),
    ];
    for (index, run) in runs.iter().enumerate() {
        for (name, color, value) in quantities {
            series.push(series_over_time(run, index, name, color, |p| {
                Some(value(p))
            }));
        }
    }
    let mut legend = Vec::new();
    if any_target {
        legend.push(LegendEntry {
            text: target_name.to_string(),
            stroke: Stroke {
                width: 7.0,
                opacity: 0.7,
                ..Stroke::solid(target_color)
            },
        });
    }
    legend.extend(quantities.iter().map(|(name, color, _)| key(name, color)));
    legend.extend(run_keys(runs));
    Chart {
        id: "rates",
        title: "Achieved rates per second".to_string(),
        x: time_axis(runs),
        y: Axis {
            label: "per second".to_string(),
            scale: Scale::Linear,
        },
        series,
        legend,
        note: None,
    }
}

/// Linear, or logarithmic when `values` span more than [`LOG_SPAN`].
fn latency_axis(label: &str, values: impl Iterator<Item = f64>) -> Axis {
    let positive: Vec<f64> = values.filter(|v| *v > 0.0 && v.is_finite()).collect();
    let low = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let high = positive.iter().copied().fold(0.0, f64::max);
    if low.is_finite() && high / low > LOG_SPAN {
        Axis {
            label: format!("{label} [ms, log scale]"),
            scale: Scale::Log10,
        }
    } else {
        Axis {
            label: format!("{label} [ms]"),
            scale: Scale::Linear,
        }
    }
}

/// 2: reply-time percentiles of each second.
pub fn reply_times(runs: &[Run]) -> Chart {
    let quantities: [Quantity<Option<f64>>; 4] = [
        ("p50", "#1f77b4", |p| p.reply_p50_ms),
        ("p90", "#2ca02c", |p| p.reply_p90_ms),
        ("p99", "#ff7f0e", |p| p.reply_p99_ms),
        ("max", "#d62728", |p| p.reply_max_ms),
    ];
    let mut series = Vec::new();
    let mut legend = Vec::new();
    for (name, color, value) in quantities {
        let present = runs
            .iter()
            .any(|r| r.points.iter().any(|p| value(p).is_some()));
        if !present {
            continue;
        }
        legend.push(key(name, color));
        for (index, run) in runs.iter().enumerate() {
            series.push(series_over_time(run, index, name, color, value));
        }
    }
    let no_replies = series.iter().all(|s| s.points.iter().all(Option::is_none));
    legend.extend(run_keys(runs));
    let values = series
        .iter()
        .flat_map(|s| s.points.iter().flatten().map(|p| p.1));
    Chart {
        id: "reply-times",
        title: "Reply time per second".to_string(),
        x: time_axis(runs),
        y: latency_axis("reply time", values),
        series,
        legend,
        note: no_replies.then(|| "no replies".to_string()),
    }
}

/// 3: the percentile spectra of reply, connect and response times.
pub fn spectrum(runs: &[Run]) -> Chart {
    let colors = ["#1f77b4", "#2ca02c", "#9467bd"];
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let measures: Vec<_> = SPECTRUM_MEASURES.iter().zip(colors).enumerate().collect();
    legend.extend(
        measures
            .iter()
            .map(|(_, ((_, name), color))| key(name, color)),
    );
    // Reply time last, on top: it hides response time when transfers take
    // no time, rather than the other way round.
    for &(measure, ((_, name), color)) in measures.iter().rev() {
        for (index, run) in runs.iter().enumerate() {
            series.push(Series {
                name: format!("{name} ({})", run.label),
                stroke: run_stroke(index, color),
                points: run.spectra[measure].iter().copied().map(Some).collect(),
            });
        }
    }
    let empty = series.iter().all(|s| s.points.is_empty());
    legend.extend(run_keys(runs));
    let values = series
        .iter()
        .flat_map(|s| s.points.iter().flatten().map(|p| p.1));
    Chart {
        id: "spectrum",
        title: "Latency by percentile".to_string(),
        x: Axis {
            label: "percentile (log scale of 1/(1−p))".to_string(),
            scale: Scale::Nines,
        },
        y: latency_axis("time", values),
        series,
        legend,
        note: empty.then(|| "no values".to_string()),
    }
}

/// 4: failures per second by kind (the total where a file lacks kinds).
pub fn errors(runs: &[Run]) -> Chart {
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let has_kinds = |run: &Run| run.points.iter().any(|p| p.errors_by_kind.is_some());
    for (kind, color) in ERROR_KINDS {
        let count = |p: &Point| p.errors_by_kind.as_ref().and_then(|k| k.get(kind)).copied();
        let seen = runs
            .iter()
            .any(|r| r.points.iter().any(|p| count(p).is_some_and(|c| c > 0.0)));
        if !seen {
            continue;
        }
        legend.push(key(kind, color));
        for (index, run) in runs.iter().enumerate().filter(|(_, r)| has_kinds(r)) {
            series.push(series_over_time(run, index, kind, color, |p| {
                Some(count(p).unwrap_or(0.0))
            }));
        }
    }
    // Runs without kinds, and the all-zero case: the total.
    let total_runs: Vec<(usize, &Run)> = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| !has_kinds(r) || series.is_empty())
        .collect();
    if !total_runs.is_empty() {
        let name = "errors (all kinds)";
        legend.push(key(name, "#d62728"));
        for (index, run) in total_runs {
            series.push(series_over_time(run, index, name, "#d62728", |p| {
                Some(p.errors)
            }));
        }
    }
    let none = runs
        .iter()
        .all(|r| r.points.iter().all(|p| p.errors == 0.0));
    legend.extend(run_keys(runs));
    Chart {
        id: "errors",
        title: "Errors per second by kind".to_string(),
        x: time_axis(runs),
        y: Axis {
            label: "errors/s".to_string(),
            scale: Scale::Linear,
        },
        series,
        legend,
        note: none.then(|| "no errors".to_string()),
    }
}

/// 5: replies per second by status class (all replies where a file lacks classes).
pub fn status_classes(runs: &[Run]) -> Chart {
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let has_classes = |run: &Run| run.points.iter().any(|p| p.status.is_some());
    for (class, (name, color)) in STATUS_CLASSES.iter().enumerate() {
        let count = |p: &Point| p.status.map(|s| s[class]);
        let seen = runs
            .iter()
            .any(|r| r.points.iter().any(|p| count(p).is_some_and(|c| c > 0.0)));
        if !seen {
            continue;
        }
        legend.push(key(name, color));
        for (index, run) in runs.iter().enumerate().filter(|(_, r)| has_classes(r)) {
            series.push(series_over_time(run, index, name, color, |p| {
                Some(count(p).unwrap_or(0.0))
            }));
        }
    }
    let total_runs: Vec<(usize, &Run)> = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| !has_classes(r) || series.is_empty())
        .collect();
    if !total_runs.is_empty() {
        let name = "replies (any status)";
        legend.push(key(name, "#444"));
        for (index, run) in total_runs {
            series.push(series_over_time(run, index, name, "#444", |p| {
                Some(p.replies)
            }));
        }
    }
    let none = runs
        .iter()
        .all(|r| r.points.iter().all(|p| p.replies == 0.0));
    legend.extend(run_keys(runs));
    Chart {
        id: "status",
        title: "Replies per second by status class".to_string(),
        x: time_axis(runs),
        y: Axis {
            label: "replies/s".to_string(),
            scale: Scale::Linear,
        },
        series,
        legend,
        note: none.then(|| "no replies".to_string()),
    }
}
