//! The verdicts: for every metric, the medians of each side's runs, the
//! change, and whether it is better, the same or worse beyond its
//! threshold. A change is judged only when it is larger than the threshold
//! and the metric's floor, and the candidate median lies outside the
//! baseline runs' min..max range widened by the threshold, so run-to-run
//! noise the baseline itself shows is never called a regression.

use std::collections::BTreeSet;

use serde::Serialize;

use super::metrics::{self, Better};
use super::report::Report;

/// The verdict on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Better,
    Same,
    Worse,
    /// No threshold: shown, never judged.
    Info,
    /// In the reports of one side only.
    Missing,
    /// `nan` or `inf` on a side.
    NotComparable,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Same => "same",
            Verdict::Worse => "WORSE",
            Verdict::Info => "info",
            Verdict::Missing => "missing",
            Verdict::NotComparable => "n/a",
        }
    }
}

/// `--threshold` settings, later ones winning: (metric or group, percent,
/// `None` = not judged).
pub type Thresholds = Vec<(String, Option<f64>)>;

/// One metric compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub metric: String,
    pub unit: &'static str,
    /// One value per run (runs lacking the metric left out).
    pub baseline_runs: Vec<f64>,
    pub candidate_runs: Vec<f64>,
    /// The medians as text, with the decimals the report prints.
    pub baseline: Option<String>,
    pub candidate: Option<String>,
    pub change: Option<f64>,
    pub change_percent: Option<f64>,
    /// The threshold applied, percent.
    pub threshold_percent: Option<f64>,
    pub better: &'static str,
    pub counted: bool,
    pub verdict: Verdict,
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if !n.is_multiple_of(2) => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn decimals(text: &str) -> usize {
    text.split_once('.').map_or(0, |(_, f)| f.len())
}

/// The side's median as text: the run's own text for one run, else with
/// the most decimals any of the runs printed.
fn median_text(texts: &[&str], value: f64) -> String {
    if let [only] = texts {
        return (*only).to_string();
    }
    let places = texts.iter().map(|t| decimals(t)).max().unwrap_or(0);
    crate::c::printf::fixed(value, places)
}

fn threshold_for(key: &str, thresholds: &Thresholds) -> Option<f64> {
    thresholds
        .iter()
        .rev()
        .find(|(pattern, _)| metrics::pattern_matches(pattern, key))
        .map_or(metrics::info_for(key).threshold_pct, |(_, pct)| *pct)
}

/// The verdict for baseline runs `base`, candidate runs `cand` (neither
/// empty, all finite) of a metric that is better `better`, with threshold
/// `pct` percent and floor `floor`.
pub fn verdict(base: &[f64], cand: &[f64], better: Better, pct: f64, floor: f64) -> Verdict {
    let (Some(b), Some(c)) = (median(base), median(cand)) else {
        return Verdict::Missing;
    };
    let t = pct / 100.0;
    let low = base.iter().copied().fold(f64::INFINITY, f64::min);
    let high = base.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let margin = (t * b.abs()).max(floor);
    let up = c - b > margin && c > high + t * high.abs();
    let down = b - c > margin && c < low - t * low.abs();
    match better {
        Better::Lower if up => Verdict::Worse,
        Better::Lower if down => Verdict::Better,
        Better::Higher if down => Verdict::Worse,
        Better::Higher if up => Verdict::Better,
        Better::Neither if up || down => Verdict::Worse,
        _ => Verdict::Same,
    }
}

/// Every metric either side has, in report order, compared.
pub fn compare(baseline: &[&Report], candidate: &[&Report], thresholds: &Thresholds) -> Vec<Row> {
    let keys: BTreeSet<&String> = baseline
        .iter()
        .chain(candidate)
        .flat_map(|report| report.values.keys())
        .collect();
    let mut keys: Vec<&String> = keys.into_iter().collect();
    keys.sort_by_key(|key| (metrics::order(key), pct_order(key)));
    keys.into_iter()
        .map(|key| row(key, baseline, candidate, thresholds))
        .collect()
}

/// Percentile keys: by measure, then numerically by percentile, max last.
fn pct_order(key: &str) -> (String, u64) {
    let Some(rest) = key.strip_prefix("pct.") else {
        return (String::new(), 0);
    };
    let (measure, label) = rest.rsplit_once('.').unwrap_or((rest, ""));
    let (measure, label) = match rest.find(".p") {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (measure, label),
    };
    let rank = label
        .strip_prefix('p')
        .and_then(|p| p.parse::<f64>().ok())
        .map_or(u64::MAX, |p| (p * 1000.0) as u64);
    (measure.to_string(), rank)
}

fn row(key: &str, baseline: &[&Report], candidate: &[&Report], thresholds: &Thresholds) -> Row {
    let info = metrics::info_for(key);
    let side = |reports: &[&Report]| -> (Vec<f64>, Option<String>) {
        let values: Vec<(f64, &str)> = reports
            .iter()
            .filter_map(|r| r.values.get(key))
            .map(|v| (v.number, v.text.as_str()))
            .collect();
        let numbers: Vec<f64> = values.iter().map(|(n, _)| *n).collect();
        let texts: Vec<&str> = values.iter().map(|(_, t)| *t).collect();
        let text = median(&numbers).map(|m| median_text(&texts, m));
        (numbers, text)
    };
    let (base, base_text) = side(baseline);
    let (cand, cand_text) = side(candidate);
    let threshold = threshold_for(key, thresholds);
    let (b, c) = (median(&base), median(&cand));
    let finite = base.iter().chain(&cand).all(|v| v.is_finite());
    let change = b.zip(c).map(|(b, c)| c - b).filter(|d| d.is_finite());
    let change_percent = b.zip(c).and_then(|(b, c)| {
        if b == c {
            Some(0.0)
        } else if b != 0.0 {
            Some(100.0 * (c - b) / b.abs()).filter(|p| p.is_finite())
        } else {
            None
        }
    });
    let verdict = if base.is_empty() || cand.is_empty() {
        Verdict::Missing
    } else if !finite {
        Verdict::NotComparable
    } else {
        match threshold {
            None => Verdict::Info,
            Some(pct) => verdict(&base, &cand, info.better, pct, info.floor),
        }
    };
    Row {
        metric: key.to_string(),
        unit: info.unit,
        baseline_runs: base,
        candidate_runs: cand,
        baseline: base_text,
        candidate: cand_text,
        change,
        change_percent,
        threshold_percent: threshold,
        better: match info.better {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::Neither => "neither",
        },
        counted: info.counted,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn thresholds_and_floors() {
        // Response time, 10 % and 1 ms.
        let v = |b: &[f64], c: &[f64]| verdict(b, c, Better::Lower, 10.0, 1.0);
        assert_eq!(v(&[10.0], &[11.5]), Verdict::Worse);
        assert_eq!(v(&[10.0], &[10.9]), Verdict::Same);
        assert_eq!(v(&[0.2], &[0.9]), Verdict::Same, "below the 1 ms floor");
        assert_eq!(v(&[10.0], &[8.0]), Verdict::Better);
        // Errors: any increase.
        let e = |b: &[f64], c: &[f64]| verdict(b, c, Better::Lower, 0.0, 0.0);
        assert_eq!(e(&[0.0], &[1.0]), Verdict::Worse);
        assert_eq!(e(&[0.0], &[0.0]), Verdict::Same);
        assert_eq!(e(&[3.0], &[2.0]), Verdict::Better);
        // Rates, 5 % down.
        let r = |b: &[f64], c: &[f64]| verdict(b, c, Better::Higher, 5.0, 0.0);
        assert_eq!(r(&[100.0], &[94.0]), Verdict::Worse);
        assert_eq!(r(&[100.0], &[96.0]), Verdict::Same);
    }

    #[test]
    fn the_baseline_spread_is_not_a_regression() {
        // Baseline runs 80..120 (median 100); a candidate median of 125 is
        // 25 % up but inside 120 widened by 10 % (132).
        let base = [80.0, 100.0, 120.0];
        assert_eq!(
            verdict(&base, &[125.0], Better::Lower, 10.0, 0.0),
            Verdict::Same
        );
        assert_eq!(
            verdict(&base, &[140.0, 133.0, 90.0], Better::Lower, 10.0, 0.0),
            Verdict::Worse
        );
    }
}
