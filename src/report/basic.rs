//! The basic collector's dump: from the optional lifetime histogram through the
//! two `Errors:` lines, including master's `Periodic stats:` block, which sits
//! inside it. Every formula follows docs/behaviour.md#basic-report literally,
//! division by a zero test duration included.

use super::formulas::{lifetime_histogram, median_s, sample_stats, stddev};
use super::ReportOptions;
use crate::c::printf::fixed;
use crate::stats::summary::Summary;
use serde::Serialize;

/// Appends one line (with its newline) to `out`.
macro_rules! line {
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// `part / whole` in integer arithmetic, 0 when `whole` is 0: httperf's size
/// averages are truncated, which is why they always print `.0`.
fn int_avg(part: u64, whole: u64) -> u64 {
    part.checked_div(whole).unwrap_or(0)
}

/// `scale · sum / count` in that evaluation order, 0 when `count` is 0.
fn per_item(scale: f64, sum: f64, count: u64) -> f64 {
    if count == 0 {
        0.0
    } else {
        scale * sum / count as f64
    }
}

/// Every number of the basic report, computed with httperf's formulas (a
/// zero test duration gives `inf`/NaN rates, as in httperf). `render`
/// formats exactly these; `--json` carries them as they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasicValues {
    pub total_connections: u64,
    pub total_requests: u64,
    pub total_replies: u64,
    pub test_duration_s: f64,
    pub connection_rate_per_s: f64,
    pub connection_period_ms: f64,
    pub max_concurrent_connections: u64,
    pub connection_time_min_ms: f64,
    pub connection_time_avg_ms: f64,
    pub connection_time_max_ms: f64,
    pub connection_time_median_ms: f64,
    pub connection_time_stddev_ms: f64,
    pub connection_time_connect_ms: f64,
    pub connection_length_replies_per_conn: f64,
    pub request_rate_per_s: f64,
    pub request_period_ms: f64,
    pub request_size_b: u64,
    pub reply_rate_min_per_s: f64,
    pub reply_rate_avg_per_s: f64,
    pub reply_rate_max_per_s: f64,
    pub reply_rate_stddev_per_s: f64,
    pub reply_rate_samples: u64,
    pub reply_time_response_ms: f64,
    pub reply_time_transfer_ms: f64,
    pub reply_size_header_b: u64,
    pub reply_size_content_b: u64,
    pub reply_size_footer_b: u64,
    pub reply_size_total_b: u64,
    /// `Reply status:` 1xx to 5xx.
    pub reply_status: [u64; 5],
    /// \[master\] `Periodic stats:` 200 and 302 totals, with `--periodic-stats`.
    pub periodic_200: Option<u64>,
    pub periodic_302: Option<u64>,
    pub cpu_user_s: f64,
    pub cpu_system_s: f64,
    pub cpu_user_percent: f64,
    pub cpu_system_percent: f64,
    pub cpu_total_percent: f64,
    pub net_io_kb_per_s: f64,
    pub net_io_mbps: f64,
    pub errors_total: u64,
    pub errors_client_timo: u64,
    pub errors_socket_timo: u64,
    pub errors_connrefused: u64,
    pub errors_connreset: u64,
    pub errors_fd_unavail: u64,
    pub errors_addrunavail: u64,
    pub errors_ftab_full: u64,
    pub errors_other: u64,
}

pub fn values(s: &Summary) -> BasicValues {
    // No guard against δ = 0 in the rates below: httperf divides anyway and
    // prints the resulting `inf` / `-nan`, which scripts may depend on.
    let delta = s.test_duration_s;
    let replies = s.total_replies();
    let lt = &s.lifetimes;
    let (min, avg, max, median, sd) = if lt.count > 0 {
        (
            1000.0 * lt.min_s,
            per_item(1000.0, lt.sum_s, lt.count),
            1000.0 * lt.max_s,
            1000.0 * median_s(lt),
            1000.0 * stddev(lt.count, lt.sum_s, lt.sum_sq_s2),
        )
    } else {
        (0.0, 0.0, 0.0, 0.0, 0.0)
    };
    let rate = sample_stats(&s.reply_rate_samples);
    let header = int_avg(s.reply_header_bytes, replies);
    let content = int_avg(s.reply_content_bytes, replies);
    let footer = int_avg(s.reply_footer_bytes, replies);
    let (user, system) = (s.cpu_user_s, s.cpu_system_s);
    // Footer bytes are deliberately left out of the throughput, as in httperf.
    let net_bytes = (s.request_bytes + s.reply_header_bytes + s.reply_content_bytes) as f64;
    let e = &s.errors;
    let class = &s.replies_by_class;
    BasicValues {
        total_connections: s.conns_issued,
        total_requests: s.requests_sent,
        total_replies: replies,
        test_duration_s: delta,
        connection_rate_per_s: s.conns_issued as f64 / delta,
        connection_period_ms: per_item(1000.0, delta, s.conns_issued),
        max_concurrent_connections: s.max_concurrent_conns,
        connection_time_min_ms: min,
        connection_time_avg_ms: avg,
        connection_time_max_ms: max,
        connection_time_median_ms: median,
        connection_time_stddev_ms: sd,
        connection_time_connect_ms: per_item(1000.0, s.connect_sum_s, s.num_connects),
        connection_length_replies_per_conn: per_item(1.0, replies as f64, lt.count),
        request_rate_per_s: s.requests_sent as f64 / delta,
        request_period_ms: per_item(1000.0, delta, s.requests_sent),
        request_size_b: int_avg(s.request_bytes, s.requests_sent),
        reply_rate_min_per_s: rate.min,
        reply_rate_avg_per_s: rate.avg,
        reply_rate_max_per_s: rate.max,
        reply_rate_stddev_per_s: rate.stddev,
        reply_rate_samples: rate.count,
        reply_time_response_ms: per_item(1000.0, s.response_sum_s, s.num_responses),
        // The transfer sum includes replies with a status below 100, but the
        // divisor (like the size averages') counts only "replies".
        reply_time_transfer_ms: per_item(1000.0, s.transfer_sum_s, replies),
        reply_size_header_b: header,
        reply_size_content_b: content,
        reply_size_footer_b: footer,
        reply_size_total_b: header + content + footer,
        reply_status: [class[1], class[2], class[3], class[4], class[5]],
        periodic_200: s.periodic.map(|p| p.status_200),
        periodic_302: s.periodic.map(|p| p.status_302),
        cpu_user_s: user,
        cpu_system_s: system,
        cpu_user_percent: 100.0 * user / delta,
        cpu_system_percent: 100.0 * system / delta,
        cpu_total_percent: 100.0 * (user + system) / delta,
        net_io_kb_per_s: net_bytes / delta / 1024.0,
        net_io_mbps: 8e-6 * net_bytes / delta,
        errors_total: e.total(),
        errors_client_timo: e.client_timeouts,
        errors_socket_timo: e.socket_timeouts,
        errors_connrefused: e.conn_refused,
        errors_connreset: e.conn_reset,
        errors_fd_unavail: e.fd_unavail,
        errors_addrunavail: e.addr_unavail,
        errors_ftab_full: e.ftab_full,
        errors_other: e.other,
    }
}

pub(super) fn render(s: &Summary, options: &ReportOptions) -> String {
    let v = values(s);
    let mut out = String::from("\n");
    if options.verbose >= 2 {
        out.push_str(&lifetime_histogram(&s.lifetimes));
    }

    line!(
        out,
        "Total: connections {} requests {} replies {} test-duration {} s",
        v.total_connections,
        v.total_requests,
        v.total_replies,
        fixed(v.test_duration_s, 3)
    );
    out.push('\n');

    line!(
        out,
        "Connection rate: {} conn/s ({} ms/conn, <={} concurrent connections)",
        fixed(v.connection_rate_per_s, 1),
        fixed(v.connection_period_ms, 1),
        v.max_concurrent_connections
    );
    line!(
        out,
        "Connection time [ms]: min {} avg {} max {} median {} stddev {}",
        fixed(v.connection_time_min_ms, 1),
        fixed(v.connection_time_avg_ms, 1),
        fixed(v.connection_time_max_ms, 1),
        fixed(v.connection_time_median_ms, 1),
        fixed(v.connection_time_stddev_ms, 1)
    );
    line!(
        out,
        "Connection time [ms]: connect {}",
        fixed(v.connection_time_connect_ms, 1)
    );
    line!(
        out,
        "Connection length [replies/conn]: {}",
        fixed(v.connection_length_replies_per_conn, 3)
    );
    out.push('\n');

    line!(
        out,
        "Request rate: {} req/s ({} ms/req)",
        fixed(v.request_rate_per_s, 1),
        fixed(v.request_period_ms, 1)
    );
    line!(
        out,
        "Request size [B]: {}",
        fixed(v.request_size_b as f64, 1)
    );
    out.push('\n');

    line!(
        out,
        "Reply rate [replies/s]: min {} avg {} max {} stddev {} ({} samples)",
        fixed(v.reply_rate_min_per_s, 1),
        fixed(v.reply_rate_avg_per_s, 1),
        fixed(v.reply_rate_max_per_s, 1),
        fixed(v.reply_rate_stddev_per_s, 1),
        v.reply_rate_samples
    );
    line!(
        out,
        "Reply time [ms]: response {} transfer {}",
        fixed(v.reply_time_response_ms, 1),
        fixed(v.reply_time_transfer_ms, 1)
    );
    line!(
        out,
        "Reply size [B]: header {} content {} footer {} (total {})",
        fixed(v.reply_size_header_b as f64, 1),
        fixed(v.reply_size_content_b as f64, 1),
        fixed(v.reply_size_footer_b as f64, 1),
        fixed(v.reply_size_total_b as f64, 1)
    );
    let class = &v.reply_status;
    line!(
        out,
        "Reply status: 1xx={} 2xx={} 3xx={} 4xx={} 5xx={}",
        class[0],
        class[1],
        class[2],
        class[3],
        class[4]
    );
    out.push('\n');

    if let (Some(status_200), Some(status_302)) = (v.periodic_200, v.periodic_302) {
        line!(out, "Periodic stats: 200={status_200} 302={status_302}");
        out.push('\n');
    }

    line!(
        out,
        "CPU time [s]: user {} system {} (user {}% system {}% total {}%)",
        fixed(v.cpu_user_s, 2),
        fixed(v.cpu_system_s, 2),
        fixed(v.cpu_user_percent, 1),
        fixed(v.cpu_system_percent, 1),
        fixed(v.cpu_total_percent, 1)
    );
    line!(
        out,
        "Net I/O: {} KB/s ({}*10^6 bps)",
        fixed(v.net_io_kb_per_s, 1),
        fixed(v.net_io_mbps, 1)
    );
    out.push('\n');

    line!(
        out,
        "Errors: total {} client-timo {} socket-timo {} connrefused {} connreset {}",
        v.errors_total,
        v.errors_client_timo,
        v.errors_socket_timo,
        v.errors_connrefused,
        v.errors_connreset
    );
    line!(
        out,
        "Errors: fd-unavail {} addrunavail {} ftab-full {} other {}",
        v.errors_fd_unavail,
        v.errors_addrunavail,
        v.errors_ftab_full,
        v.errors_other
    );
    out
}
