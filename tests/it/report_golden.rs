//! Golden tests for the report: each case rebuilds a run as a `Summary` and
//! compares the full stdout tail (verbose sample lines, burst line, dump) with
//! `tests/golden/report/<case>.txt`. The expected files were written from the
//! examples of docs/behaviour.md#worked-examples and checked by hand against its formulas;
//! `UPDATE_GOLDEN=1 cargo test` rewrites them, after which they must be
//! re-checked by hand before committing.

use std::path::PathBuf;

use httperf_rs::report::{burst_line, periodic_line, render, sample_lines, ReportOptions};
use httperf_rs::stats::summary::{
    ErrorCounts, LifetimeStats, PeriodicTotals, SessionSummary, Summary,
};

fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/report")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    if expected != actual {
        for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            if e != a {
                eprintln!(
                    "first difference at line {}:\n  expected: {e:?}\n  actual:   {a:?}",
                    i + 1
                );
                break;
            }
        }
        panic!(
            "{name}: output differs from {}\n--- actual ---\n{actual}",
            path.display()
        );
    }
}

/// What httperf prints from the exit routine on: the burst line, then the dump.
fn dump(burst: u64, summary: &Summary, verbose: u32) -> String {
    format!(
        "{}\n{}",
        burst_line(burst),
        render(summary, &ReportOptions { verbose })
    )
}

/// Lifetimes recorded as the collector would, `count` copies of each value.
fn lifetimes(groups: &[(usize, f64)]) -> LifetimeStats {
    let mut stats = LifetimeStats::default();
    for &(count, seconds) in groups {
        for _ in 0..count {
            stats.record(seconds);
        }
    }
    stats
}

fn twoxx(n: u64) -> [u64; 6] {
    [0, 0, n, 0, 0, 0]
}

/// docs/behaviour.md#example-a: 100 connections at 200/s, 72-byte requests, 239 + 1010-byte replies.
#[test]
fn example_a() {
    let summary = Summary {
        test_duration_s: 0.496,
        conns_issued: 100,
        max_concurrent_conns: 1,
        // min 0.1, avg 0.304, max 3.7, ≥ 50 % below 1 ms, stddev 0.54.
        lifetimes: lifetimes(&[(85, 0.0001), (14, 0.0013), (1, 0.0037)]),
        connect_sum_s: 0.0,
        num_connects: 100,
        requests_sent: 100,
        request_bytes: 7_200,
        replies_by_class: twoxx(100),
        response_sum_s: 0.028,
        num_responses: 100,
        transfer_sum_s: 0.0012,
        reply_header_bytes: 23_900,
        reply_content_bytes: 101_000,
        cpu_user_s: 0.0501,
        cpu_system_s: 0.4132,
        ..Summary::default()
    };
    check_golden("example_a", &dump(1, &summary, 0));
}

/// docs/behaviour.md#example-b: `-v -v`, 560 connections at 100/s, one 5 s sample.
#[test]
fn example_b_verbose() {
    let summary = Summary {
        test_duration_s: 5.59,
        conns_issued: 560,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[
            (538, 0.0003),
            (5, 0.0014),
            (4, 0.0025),
            (2, 0.0036),
            (11, 0.0044),
        ]),
        connect_sum_s: 0.0056,
        num_connects: 560,
        requests_sent: 560,
        request_bytes: 560 * 72,
        replies_by_class: twoxx(560),
        reply_rate_samples: vec![100.0],
        response_sum_s: 0.168,
        num_responses: 560,
        transfer_sum_s: 0.0112,
        reply_header_bytes: 560 * 239,
        reply_content_bytes: 560 * 1010,
        cpu_user_s: 0.52,
        cpu_system_s: 4.71,
        ..Summary::default()
    };
    let out = sample_lines(100.0, None) + &dump(1, &summary, 2);
    check_golden("example_b_verbose", &out);
}

/// docs/behaviour.md#example-c: integer-truncated size averages (827/11 requests, 108/11 content).
#[test]
fn example_c_truncation() {
    let mut length_histogram = vec![0; 12];
    length_histogram[11] = 1;
    let summary = Summary {
        test_duration_s: 0.112,
        conns_issued: 1,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[(1, 0.1115)]),
        connect_sum_s: 0.00012,
        num_connects: 1,
        requests_sent: 11,
        request_bytes: 65 + 65 + 66 + 90 + 87 + 100 + 68 + 65 + 65 + 66 + 90,
        replies_by_class: twoxx(11),
        response_sum_s: 0.0044,
        num_responses: 11,
        transfer_sum_s: 0.00011,
        reply_header_bytes: 438,
        reply_content_bytes: 9 * 12,
        cpu_user_s: 0.01,
        cpu_system_s: 0.09,
        session: Some(SessionSummary {
            completed: 1,
            conn_sum: 1,
            lifetime_sum_s: 0.1118,
            length_histogram,
            ..SessionSummary::default()
        }),
        ..Summary::default()
    };
    check_golden("example_c_truncation", &dump(0, &summary, 0));
}

/// docs/behaviour.md#example-d: two chunked replies with a 15-byte trailer each; Net I/O leaves
/// the footer bytes out (with them it would read 66.4 KB/s).
#[test]
fn example_d_chunked() {
    let summary = Summary {
        test_duration_s: 0.004,
        conns_issued: 1,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[(1, 0.0035)]),
        connect_sum_s: 0.0002,
        num_connects: 1,
        requests_sent: 2,
        request_bytes: 124,
        replies_by_class: twoxx(2),
        response_sum_s: 0.0012,
        num_responses: 2,
        transfer_sum_s: 0.0004,
        reply_header_bytes: 94,
        reply_content_bytes: 24,
        reply_footer_bytes: 30,
        ..Summary::default()
    };
    check_golden("example_d_chunked", &dump(0, &summary, 0));
}

/// docs/behaviour.md#example-e: `--wsess=20,2,0 --rate=10 --client=0/4 -v`, one sample at 1.251 s
/// with 26 replies and 13 sessions; session avg is 20/δ, not the sample mean.
#[test]
fn example_e_sessions() {
    let summary = Summary {
        test_duration_s: 1.9031,
        conns_issued: 20,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[(10, 0.0008), (10, 0.0012)]),
        connect_sum_s: 0.0008,
        num_connects: 20,
        requests_sent: 40,
        request_bytes: 40 * 62,
        replies_by_class: twoxx(40),
        reply_rate_samples: vec![26.0 / 1.251],
        response_sum_s: 0.012,
        num_responses: 40,
        transfer_sum_s: 0.0008,
        reply_header_bytes: 40 * 239,
        reply_content_bytes: 40 * 1010,
        cpu_user_s: 0.19,
        cpu_system_s: 1.62,
        session: Some(SessionSummary {
            rate_samples: vec![13.0 / 1.251],
            completed: 20,
            failed: 0,
            conn_sum: 20,
            lifetime_sum_s: 0.022,
            failtime_sum_s: 0.0,
            length_histogram: vec![0, 0, 20],
        }),
        ..Summary::default()
    };
    let out = sample_lines(26.0 / 1.251, Some(13.0 / 1.251)) + &dump(1, &summary, 1);
    check_golden("example_e_sessions", &out);
}

/// docs/behaviour.md#example-e: `--wsess=3,5,0.1 --burst-length=2 --rate=10`, shorter than the first
/// sample: `min 0.00 avg 7.45 max 0.00`.
#[test]
fn example_e_no_samples() {
    let summary = Summary {
        test_duration_s: 0.4027,
        conns_issued: 3,
        max_concurrent_conns: 3,
        lifetimes: lifetimes(&[(1, 0.2021), (1, 0.2024), (1, 0.2027)]),
        connect_sum_s: 0.00009,
        num_connects: 3,
        requests_sent: 15,
        request_bytes: 15 * 62,
        replies_by_class: twoxx(15),
        response_sum_s: 0.0045,
        num_responses: 15,
        transfer_sum_s: 0.00015,
        reply_header_bytes: 15 * 239,
        reply_content_bytes: 15 * 1010,
        cpu_user_s: 0.03,
        cpu_system_s: 0.05,
        session: Some(SessionSummary {
            completed: 3,
            conn_sum: 3,
            lifetime_sum_s: 0.6075,
            length_histogram: vec![0, 0, 0, 0, 0, 3],
            ..SessionSummary::default()
        }),
        ..Summary::default()
    };
    check_golden("example_e_no_samples", &dump(1, &summary, 0));
}

/// docs/behaviour.md#example-f: a silent server with `--timeout=1 --num-conns=2`.
#[test]
fn example_f_timeout() {
    let summary = Summary {
        test_duration_s: 2.002,
        conns_issued: 2,
        max_concurrent_conns: 1,
        connect_sum_s: 0.00006,
        num_connects: 2,
        requests_sent: 2,
        request_bytes: 124,
        cpu_user_s: 0.28,
        cpu_system_s: 1.70,
        errors: ErrorCounts {
            client_timeouts: 2,
            ..ErrorCounts::default()
        },
        ..Summary::default()
    };
    check_golden("example_f_timeout", &dump(1, &summary, 0));
}

/// docs/behaviour.md#example-f: nothing listening; the refused connection still counts as connected.
#[test]
fn example_f_refused() {
    let summary = Summary {
        test_duration_s: 0.000214,
        conns_issued: 1,
        max_concurrent_conns: 1,
        connect_sum_s: 0.000107,
        num_connects: 1,
        errors: ErrorCounts {
            conn_refused: 1,
            ..ErrorCounts::default()
        },
        ..Summary::default()
    };
    check_golden("example_f_refused", &dump(0, &summary, 0));
}

/// docs/behaviour.md#zero-test-duration: the only connection fails in `connect()`, δ = 0 and
/// the rates print `inf` (x/0) or `-nan` (0/0).
fn delta_zero_summary() -> Summary {
    Summary {
        test_duration_s: 0.0,
        conns_issued: 1,
        max_concurrent_conns: 1,
        // Non-zero but below 0.005 s, hence `0.00` and `inf%`.
        cpu_user_s: 0.001,
        cpu_system_s: 0.0,
        errors: ErrorCounts {
            other: 1,
            ..ErrorCounts::default()
        },
        ..Summary::default()
    }
}

#[test]
fn delta_zero() {
    check_golden("delta_zero", &dump(0, &delta_zero_summary(), 0));
}

/// δ = 0 in a session workload: the session rate avg is guarded (0.00), and the
/// failed session ended with 0 completed calls.
#[test]
fn delta_zero_session() {
    let summary = Summary {
        session: Some(SessionSummary {
            failed: 1,
            length_histogram: vec![1],
            ..SessionSummary::default()
        }),
        ..delta_zero_summary()
    };
    check_golden("delta_zero_session", &dump(0, &summary, 0));
}

/// Every error counter and every status class non-zero; `-v -v` histogram
/// with gaps (bins 2, 9–10, 43).
#[test]
fn errors_all() {
    let summary = Summary {
        test_duration_s: 0.5213,
        conns_issued: 50,
        max_concurrent_conns: 7,
        lifetimes: lifetimes(&[
            (1, 0.0021),
            (1, 0.0022),
            (1, 0.0095),
            (1, 0.0096),
            (1, 0.0101),
            (1, 0.0431),
        ]),
        connect_sum_s: 0.0031,
        num_connects: 20,
        requests_sent: 15,
        request_bytes: 15 * 62,
        replies_by_class: [0, 1, 2, 1, 1, 1],
        response_sum_s: 0.0166,
        num_responses: 8,
        transfer_sum_s: 0.0012,
        reply_header_bytes: 1213,
        reply_content_bytes: 2500,
        cpu_user_s: 0.06,
        cpu_system_s: 0.42,
        errors: ErrorCounts {
            client_timeouts: 3,
            socket_timeouts: 2,
            conn_refused: 4,
            conn_reset: 5,
            fd_unavail: 6,
            addr_unavail: 7,
            ftab_full: 8,
            other: 9,
        },
        ..Summary::default()
    };
    check_golden("errors_all", &dump(1, &summary, 2));
}

/// A reply with status `099` completes (successful connection, bytes in Net
/// I/O) but is not a "reply": length, sizes and transfer print 0.
#[test]
fn zero_replies_status_099() {
    let summary = Summary {
        test_duration_s: 0.0012,
        conns_issued: 1,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[(1, 0.0006)]),
        connect_sum_s: 0.0001,
        num_connects: 1,
        requests_sent: 1,
        request_bytes: 62,
        response_sum_s: 0.0003,
        num_responses: 1,
        transfer_sum_s: 0.0001,
        reply_header_bytes: 40,
        reply_content_bytes: 5,
        ..Summary::default()
    };
    check_golden("zero_replies_status_099", &dump(0, &summary, 0));
}

/// Three equal lifetimes: the running-sum stddev's radicand cancels to a tiny
/// negative number and prints `-nan`.
#[test]
fn equal_lifetimes_nan() {
    let summary = Summary {
        test_duration_s: 0.0216,
        conns_issued: 3,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[(3, 0.0015)]),
        num_connects: 3,
        requests_sent: 3,
        request_bytes: 3 * 62,
        replies_by_class: twoxx(3),
        response_sum_s: 0.0012,
        num_responses: 3,
        transfer_sum_s: 0.0003,
        reply_header_bytes: 3 * 239,
        reply_content_bytes: 3 * 1010,
        cpu_user_s: 0.0,
        cpu_system_s: 0.02,
        ..Summary::default()
    };
    check_golden("equal_lifetimes_nan", &dump(1, &summary, 0));
}

/// Lifetimes of 121 s and 150 s count in min/avg/max/stddev but have no
/// histogram bin, so the median threshold (1.5 of 3) is never reached: 0.0.
#[test]
fn long_lifetimes() {
    let mut samples = vec![0.0; 29];
    samples[0] = 0.2;
    samples[24] = 0.2;
    let summary = Summary {
        test_duration_s: 150.0012,
        conns_issued: 3,
        max_concurrent_conns: 3,
        lifetimes: lifetimes(&[(1, 0.5), (1, 121.0), (1, 150.0)]),
        connect_sum_s: 0.0003,
        num_connects: 3,
        requests_sent: 3,
        request_bytes: 3 * 62,
        replies_by_class: twoxx(3),
        reply_rate_samples: samples,
        response_sum_s: 271.4996,
        num_responses: 3,
        transfer_sum_s: 0.0003,
        reply_header_bytes: 3 * 150,
        reply_content_bytes: 3 * 1010,
        cpu_user_s: 15.0,
        cpu_system_s: 130.0,
        ..Summary::default()
    };
    check_golden("long_lifetimes", &dump(0, &summary, 2));
}

/// [master] `--periodic-stats`: one per-second line during the run, and the
/// totals block between the reply block and the CPU line.
#[test]
fn periodic_stats() {
    let summary = Summary {
        test_duration_s: 1.4562,
        conns_issued: 30,
        max_concurrent_conns: 1,
        lifetimes: lifetimes(&[(20, 0.0004), (10, 0.0007)]),
        num_connects: 30,
        requests_sent: 30,
        request_bytes: 30 * 62,
        replies_by_class: [0, 0, 20, 10, 0, 0],
        response_sum_s: 0.0069,
        num_responses: 30,
        transfer_sum_s: 0.0003,
        reply_header_bytes: 20 * 239 + 10 * 180,
        reply_content_bytes: 20 * 1010 + 10 * 154,
        cpu_user_s: 0.14,
        cpu_system_s: 1.29,
        periodic: Some(PeriodicTotals {
            status_200: 20,
            status_302: 10,
        }),
        ..Summary::default()
    };
    let out = periodic_line(0.999911, 14, 6) + "\n" + &dump(1, &summary, 0);
    check_golden("periodic_stats", &out);
}
