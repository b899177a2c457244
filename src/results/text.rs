//! The text block `--percentiles` prints after httperf's report: one line
//! per measure, `<Measure> percentiles [ms]: p50 X p90 X … max X`, values
//! in milliseconds with three decimals (microseconds). Every line starts
//! with words no line of httperf's report starts with, so report parsers
//! that match on line prefixes never see them. Pure: data in, text out.

use super::histograms::{percentile_label, LatencyHistogram};
use super::{Measure, Measures};
use crate::c::printf::fixed;

/// The line's leading words for each measure.
pub fn line_name(measure: Measure) -> &'static str {
    match measure {
        Measure::Connect => "Connect time",
        Measure::Response => "Response time",
        Measure::Transfer => "Transfer time",
        Measure::Reply => "Reply time",
        Measure::IntendedReply => "Reply time from intended start",
        Measure::ConnectionLifetime => "Connection lifetime",
        Measure::ScheduleLag => "Schedule lag",
        Measure::SessionLifetime => "Session lifetime",
    }
}

/// Which measures the block shows: the schedule lines only when arrivals
/// follow a schedule, the session line only for session workloads.
pub fn shown_measures(scheduled: bool, sessions: bool) -> Vec<Measure> {
    Measure::ALL
        .into_iter()
        .filter(|measure| match measure {
            Measure::IntendedReply | Measure::ScheduleLag => scheduled,
            Measure::SessionLifetime => sessions,
            _ => true,
        })
        .collect()
}

/// One measure's line, with its newline.
pub fn percentile_line(name: &str, histogram: &LatencyHistogram, percentiles: &[f64]) -> String {
    let mut line = format!("{name} percentiles [ms]:");
    for &p in percentiles {
        line.push_str(&format!(
            " {} {}",
            percentile_label(p),
            fixed(histogram.percentile_ms(p), 3)
        ));
    }
    line.push_str(&format!(" max {}\n", fixed(histogram.max_ms(), 3)));
    line
}

/// The whole block, starting with an empty line like httperf's blocks.
pub fn render(measures: &Measures, shown: &[Measure], percentiles: &[f64]) -> String {
    let mut out = String::from("\n");
    for &measure in shown {
        out.push_str(&percentile_line(
            line_name(measure),
            measures.get(measure),
            percentiles,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_lists_the_percentiles_then_the_max() {
        let mut histogram = LatencyHistogram::default();
        // Microsecond values below 2048 are exact in the histogram.
        for us in 1..=100u64 {
            histogram.record_ns(us * 1_000);
        }
        assert_eq!(
            percentile_line("Reply time", &histogram, &[50.0, 99.9]),
            "Reply time percentiles [ms]: p50 0.050 p99.9 0.100 max 0.100\n"
        );
        assert_eq!(
            percentile_line("Schedule lag", &LatencyHistogram::default(), &[50.0]),
            "Schedule lag percentiles [ms]: p50 0.000 max 0.000\n"
        );
    }

    #[test]
    fn schedule_and_session_lines_only_when_they_apply() {
        let plain = shown_measures(false, false);
        assert!(!plain.contains(&Measure::ScheduleLag));
        assert!(!plain.contains(&Measure::IntendedReply));
        assert!(!plain.contains(&Measure::SessionLifetime));
        assert_eq!(shown_measures(true, true).len(), Measure::ALL.len());
    }

    #[test]
    fn no_line_starts_like_a_report_line() {
        // httperf's report lines, by their leading words.
        let report = [
            "Total:",
            "Connection rate",
            "Connection time",
            "Connection length",
            "Connection lifetime histogram",
            "Request rate",
            "Request size",
            "Reply rate",
            "Reply time [ms]",
            "Reply size",
            "Reply status",
            "CPU time",
            "Net I/O",
            "Errors:",
            "Session rate",
            "Session:",
            "Session lifetime [s]",
            "Session failtime",
            "Session length",
            "Periodic stats",
            "Maximum connect burst",
        ];
        for measure in Measure::ALL {
            let line = percentile_line(line_name(measure), &LatencyHistogram::default(), &[50.0]);
            for prefix in report {
                assert!(!line.starts_with(prefix), "{line} starts like {prefix}");
            }
        }
    }
}
