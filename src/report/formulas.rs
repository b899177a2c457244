//! The derived statistics shared by the report blocks: sample standard
//! deviation, rate-sample summaries, the lifetime median and the verbose
//! lifetime histogram. Each is computed in the same floating-point form as
//! httperf 0.9.0 so that edge cases (`-nan`, `inf`, rounding ties) print the same.

use crate::c::printf::fixed;
use crate::stats::summary::{LifetimeStats, LIFETIME_BINS, LIFETIME_BIN_S};

/// Sample standard deviation from running sums, 0 when `n < 2`.
///
/// Kept in httperf's literal form rather than a numerically stable one: for
/// equal values the radicand can cancel to a tiny negative number, and the
/// resulting NaN is printed as `-nan` by httperf, so it must be here too.
pub(crate) fn stddev(n: u64, sum: f64, sum2: f64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let n = n as f64;
    ((sum2 - sum * sum / n) / (n - 1.0)).sqrt()
}

/// Min/avg/max/stddev of a series of rate samples, all 0 when there are none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SampleStats {
    pub min: f64,
    pub avg: f64,
    pub max: f64,
    pub stddev: f64,
    pub count: u64,
}

pub(crate) fn sample_stats(samples: &[f64]) -> SampleStats {
    let Some(&first) = samples.first() else {
        return SampleStats {
            min: 0.0,
            avg: 0.0,
            max: 0.0,
            stddev: 0.0,
            count: 0,
        };
    };
    // Running sums in sample order, as httperf accumulates them, so the
    // stddev's cancellation behaves identically.
    let (mut min, mut max, mut sum, mut sum2) = (first, first, 0.0, 0.0);
    for &x in samples {
        min = min.min(x);
        max = max.max(x);
        sum += x;
        sum2 += x * x;
    }
    let count = samples.len() as u64;
    SampleStats {
        min,
        avg: sum / count as f64,
        max,
        stddev: stddev(count, sum, sum2),
        count,
    }
}

/// Median lifetime in seconds: the midpoint of the first 1 ms bin at which the
/// running count reaches half of all lifetimes. Lifetimes of 100 s and more are
/// counted in `n` but have no bin, so when they are the majority the threshold
/// is never reached and the median stays 0, as in httperf.
pub(crate) fn median_s(lifetimes: &LifetimeStats) -> f64 {
    let half = 0.5 * lifetimes.count as f64;
    let mut running = 0u64;
    for (&bin, &count) in lifetimes.histogram.range(..LIFETIME_BINS) {
        running += count;
        if running as f64 >= half {
            return (f64::from(bin) + 0.5) * LIFETIME_BIN_S;
        }
    }
    0.0
}

/// The verbose (level ≥ 2) connection-lifetime histogram, header to trailing
/// blank line. A run of empty bins before a non-empty one shows as a single
/// `:` line, including the empty bins before a first bin other than 0.
pub(crate) fn lifetime_histogram(lifetimes: &LifetimeStats) -> String {
    let mut out = String::from("Connection lifetime histogram (time in ms):\n");
    let nonempty = |bin: u32| lifetimes.histogram.get(&bin).is_some_and(|&c| c > 0);
    for (&bin, &count) in lifetimes.histogram.range(..LIFETIME_BINS) {
        if count == 0 {
            continue;
        }
        if bin > 0 && !nonempty(bin - 1) {
            out.push_str(&format!("{:>14}\n", ':'));
        }
        let midpoint_ms = f64::from(bin) + 0.5;
        out.push_str(&format!("{:>16} {count}\n", fixed(midpoint_ms, 1)));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetimes(values: &[f64]) -> LifetimeStats {
        let mut stats = LifetimeStats::default();
        for &v in values {
            stats.record(v);
        }
        stats
    }

    #[test]
    fn stddev_is_zero_below_two_values() {
        assert_eq!(stddev(0, 0.0, 0.0), 0.0);
        assert_eq!(stddev(1, 5.0, 25.0), 0.0);
    }

    #[test]
    fn stddev_is_the_sample_stddev() {
        // 1, 2, 3, 4: sample variance 5/3.
        let sd = stddev(4, 10.0, 30.0);
        assert!((sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn stddev_of_equal_values_can_be_nan() {
        let stats = lifetimes(&[0.0015, 0.0015, 0.0015]);
        let sd = stddev(stats.count, stats.sum_s, stats.sum_sq_s2);
        assert!(sd.is_nan());
        assert_eq!(fixed(1000.0 * sd, 1), "-nan");
    }

    #[test]
    fn sample_stats_of_no_samples_are_zero() {
        let s = sample_stats(&[]);
        assert_eq!(
            (s.min, s.avg, s.max, s.stddev, s.count),
            (0.0, 0.0, 0.0, 0.0, 0)
        );
    }

    #[test]
    fn sample_stats_summarise_in_order() {
        let s = sample_stats(&[100.0, 98.0, 102.0]);
        assert_eq!((s.min, s.avg, s.max, s.count), (98.0, 100.0, 102.0, 3));
        assert!((s.stddev - 2.0).abs() < 1e-12);
    }

    #[test]
    fn median_is_a_bin_midpoint() {
        // Bin 4 holds the running half (3 of 5 values ≥ 2.5): 4.5 ms, above the max.
        let stats = lifetimes(&[0.0041, 0.0042, 0.0043, 0.0001, 0.0002]);
        assert_eq!(fixed(1000.0 * median_s(&stats), 1), "4.5");
        assert!(median_s(&stats) > stats.max_s);
    }

    #[test]
    fn median_threshold_is_inclusive() {
        // 2 of 4 values in bin 0: the running count 2 ≥ 0.5·4 stops there.
        let stats = lifetimes(&[0.0002, 0.0003, 0.0071, 0.0072]);
        assert_eq!(fixed(1000.0 * median_s(&stats), 1), "0.5");
    }

    #[test]
    fn median_ignores_lifetimes_beyond_the_histogram() {
        let stats = lifetimes(&[150.0, 120.0, 0.5]);
        assert_eq!(median_s(&stats), 0.0);
        let stats = lifetimes(&[150.0, 0.5, 0.6]);
        assert_eq!(fixed(1000.0 * median_s(&stats), 1), "600.5");
    }

    #[test]
    fn histogram_separates_gaps() {
        let stats = lifetimes(&[0.0235, 0.0236, 0.0265]);
        assert_eq!(
            lifetime_histogram(&stats),
            "Connection lifetime histogram (time in ms):\n\
             \x20            :\n\
             \x20           23.5 2\n\
             \x20            :\n\
             \x20           26.5 1\n\
             \n"
        );
    }

    #[test]
    fn histogram_has_no_separator_before_bin_zero_or_adjacent_bins() {
        let stats = lifetimes(&[0.0001, 0.0011, 0.0012, 99.9999, 100.0]);
        assert_eq!(
            lifetime_histogram(&stats),
            "Connection lifetime histogram (time in ms):\n\
             \x20            0.5 1\n\
             \x20            1.5 2\n\
             \x20            :\n\
             \x20        99999.5 1\n\
             \n"
        );
    }

    #[test]
    fn empty_histogram_is_header_and_blank_line() {
        assert_eq!(
            lifetime_histogram(&LifetimeStats::default()),
            "Connection lifetime histogram (time in ms):\n\n"
        );
    }
}
