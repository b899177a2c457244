//! The comparison as text (a table for people), Markdown (for a CI
//! comment) or JSON (for scripts). Pure: rows in, text out.

use serde::Serialize;

use super::echo::Difference;
use super::judge::{Row, Verdict};

/// What the output says besides the rows.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// Files (with the number of runs each held) per side.
    pub baseline: Vec<(String, usize)>,
    pub candidate: Vec<(String, usize)>,
    /// The workload as the baseline echo line shows it (target items left out).
    pub workload: Option<String>,
    /// Workload parameters that differ (compared anyway, on request).
    pub differences: Vec<Difference>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

fn side_text(files: &[(String, usize)]) -> String {
    let runs: usize = files.iter().map(|(_, n)| n).sum();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    format!(
        "{} ({} run{})",
        names.join(", "),
        runs,
        if runs == 1 { "" } else { "s" }
    )
}

fn signed(value: Option<f64>, places: usize) -> String {
    match value {
        Some(0.0) => format!("{:.*}", places, 0.0),
        Some(v) => format!("{v:+.places$}"),
        None => "-".to_string(),
    }
}

/// The places of the wider of the two texts, for the change column.
fn places(row: &Row) -> usize {
    [&row.baseline, &row.candidate]
        .iter()
        .filter_map(|t| t.as_deref())
        .map(|t| t.split_once('.').map_or(0, |(_, f)| f.len()))
        .max()
        .unwrap_or(0)
}

fn percent(row: &Row) -> String {
    match (row.change_percent, row.change) {
        (Some(p), _) => format!("{p:+.1}%"),
        (None, Some(_)) => "new".to_string(),
        (None, None) => "-".to_string(),
    }
}

/// The limit column: the threshold in the direction that is worse.
fn limit(row: &Row) -> String {
    match row.threshold_percent {
        None => String::new(),
        Some(t) => match row.better {
            "higher" => format!("-{t}%"),
            "lower" => format!("+{t}%"),
            _ => format!("±{t}%"),
        },
    }
}

/// Rows shown by default: those judged, plus any not `same`/`info`.
fn shown(rows: &[Row], all: bool) -> Vec<&Row> {
    rows.iter()
        .filter(|row| all || !matches!(row.verdict, Verdict::Info | Verdict::Missing))
        .collect()
}

fn worse(rows: &[Row]) -> Vec<&str> {
    rows.iter()
        .filter(|row| row.verdict == Verdict::Worse)
        .map(|row| row.metric.as_str())
        .collect()
}

fn summary(rows: &[Row]) -> String {
    let worse = worse(rows);
    let better = rows.iter().filter(|r| r.verdict == Verdict::Better).count();
    if worse.is_empty() {
        format!(
            "no regression ({} metric{} better)",
            better,
            if better == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "REGRESSION in {} metric{}: {}",
            worse.len(),
            if worse.len() == 1 { "" } else { "s" },
            worse.join(", ")
        )
    }
}

fn differences_text(differences: &[Difference]) -> Vec<String> {
    differences
        .iter()
        .map(|(name, a, b)| {
            let show = |v: &Option<String>| match v {
                Some(v) => format!("--{name}={v}"),
                None => "(not given)".to_string(),
            };
            format!("  {}  vs  {}", show(a), show(b))
        })
        .collect()
}

/// The person's table.
pub fn text(header: &Header, rows: &[Row], all: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!("baseline:  {}\n", side_text(&header.baseline)));
    out.push_str(&format!("candidate: {}\n", side_text(&header.candidate)));
    if let Some(workload) = &header.workload {
        out.push_str(&format!("workload:  {workload}\n"));
    }
    if !header.differences.is_empty() {
        out.push_str("workloads differ (compared as asked):\n");
        for line in differences_text(&header.differences) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push('\n');
    let cells: Vec<[String; 7]> = shown(rows, all)
        .into_iter()
        .map(|row| {
            [
                format!(
                    "{}{}",
                    row.metric,
                    if row.unit.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", row.unit)
                    }
                ),
                row.baseline.clone().unwrap_or_else(|| "-".to_string()),
                row.candidate.clone().unwrap_or_else(|| "-".to_string()),
                signed(row.change, places(row)),
                percent(row),
                limit(row),
                row.verdict.word().to_string(),
            ]
        })
        .collect();
    let titles = [
        "metric",
        "baseline",
        "candidate",
        "change",
        "change%",
        "limit",
        "verdict",
    ];
    let mut widths: [usize; 7] = titles.map(str::len);
    for cell in &cells {
        for (width, text) in widths.iter_mut().zip(cell) {
            *width = (*width).max(text.chars().count());
        }
    }
    let line = |cells: [&str; 7]| -> String {
        let mut text = format!("{:<w$}", cells[0], w = widths[0]);
        for (i, cell) in cells.iter().enumerate().skip(1).take(5) {
            text.push_str(&format!("  {:>w$}", cell, w = widths[i]));
        }
        text.push_str(&format!("  {}", cells[6]));
        text.push('\n');
        text
    };
    out.push_str(&line(titles));
    for cell in &cells {
        out.push_str(&line([
            &cell[0], &cell[1], &cell[2], &cell[3], &cell[4], &cell[5], &cell[6],
        ]));
    }
    out.push('\n');
    out.push_str(&summary(rows));
    out.push('\n');
    out
}

/// A Markdown comment: a title line with the verdict, then the table.
pub fn markdown(header: &Header, rows: &[Row], all: bool) -> String {
    let mut out = format!("### httperf-rs compare: {}\n\n", summary(rows));
    out.push_str(&format!(
        "Baseline: {}  \nCandidate: {}\n",
        escape(&side_text(&header.baseline)),
        escape(&side_text(&header.candidate))
    ));
    if let Some(workload) = &header.workload {
        out.push_str(&format!("\nWorkload: `{}`\n", workload.replace('`', "'")));
    }
    if !header.differences.is_empty() {
        out.push_str("\nWorkloads differ (compared as asked):\n\n");
        for line in differences_text(&header.differences) {
            out.push_str(&format!("- {}\n", escape(line.trim())));
        }
    }
    out.push_str("\n| metric | baseline | candidate | change | change % | limit | verdict |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---|\n");
    for row in shown(rows, all) {
        let verdict = match row.verdict {
            Verdict::Worse => "**WORSE**".to_string(),
            other => other.word().to_string(),
        };
        out.push_str(&format!(
            "| {}{} | {} | {} | {} | {} | {} | {} |\n",
            escape(&row.metric),
            if row.unit.is_empty() {
                String::new()
            } else {
                format!(" [{}]", escape(row.unit))
            },
            row.baseline.as_deref().unwrap_or("-"),
            row.candidate.as_deref().unwrap_or("-"),
            signed(row.change, places(row)),
            percent(row),
            limit(row),
            verdict
        ));
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    format: &'static str,
    format_version: u32,
    regression: bool,
    worse: Vec<&'a str>,
    #[serde(flatten)]
    header: &'a Header,
    metrics: &'a [Row],
}

/// Every row (information rows included), for scripts.
pub fn json(header: &Header, rows: &[Row]) -> String {
    let output = JsonOutput {
        format: "httperf-rs-compare",
        format_version: 1,
        regression: !worse(rows).is_empty(),
        worse: worse(rows),
        header,
        metrics: rows,
    };
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
