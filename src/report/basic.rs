//! The basic collector's dump: from the optional lifetime histogram through the
//! two `Errors:` lines, including master's `Periodic stats:` block, which sits
//! inside it. Every formula follows docs/behaviour.md#basic-report literally,
//! division by a zero test duration included.

use super::formulas::{lifetime_histogram, median_s, sample_stats, stddev};
use super::ReportOptions;
use crate::c::printf::fixed;
use crate::stats::summary::Summary;

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

pub(super) fn render(s: &Summary, options: &ReportOptions) -> String {
    let mut out = String::from("\n");
    // No guard against δ = 0 in the rates below: httperf divides anyway and
    // prints the resulting `inf` / `-nan`, which scripts may depend on.
    let delta = s.test_duration_s;
    let replies = s.total_replies();
    let lt = &s.lifetimes;

    if options.verbose >= 2 {
        out.push_str(&lifetime_histogram(lt));
    }

    line!(
        out,
        "Total: connections {} requests {} replies {} test-duration {} s",
        s.conns_issued,
        s.requests_sent,
        replies,
        fixed(delta, 3)
    );
    out.push('\n');

    line!(
        out,
        "Connection rate: {} conn/s ({} ms/conn, <={} concurrent connections)",
        fixed(s.conns_issued as f64 / delta, 1),
        fixed(per_item(1000.0, delta, s.conns_issued), 1),
        s.max_concurrent_conns
    );
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
    line!(
        out,
        "Connection time [ms]: min {} avg {} max {} median {} stddev {}",
        fixed(min, 1),
        fixed(avg, 1),
        fixed(max, 1),
        fixed(median, 1),
        fixed(sd, 1)
    );
    line!(
        out,
        "Connection time [ms]: connect {}",
        fixed(per_item(1000.0, s.connect_sum_s, s.num_connects), 1)
    );
    line!(
        out,
        "Connection length [replies/conn]: {}",
        fixed(per_item(1.0, replies as f64, lt.count), 3)
    );
    out.push('\n');

    line!(
        out,
        "Request rate: {} req/s ({} ms/req)",
        fixed(s.requests_sent as f64 / delta, 1),
        fixed(per_item(1000.0, delta, s.requests_sent), 1)
    );
    line!(
        out,
        "Request size [B]: {}",
        fixed(int_avg(s.request_bytes, s.requests_sent) as f64, 1)
    );
    out.push('\n');

    let rate = sample_stats(&s.reply_rate_samples);
    line!(
        out,
        "Reply rate [replies/s]: min {} avg {} max {} stddev {} ({} samples)",
        fixed(rate.min, 1),
        fixed(rate.avg, 1),
        fixed(rate.max, 1),
        fixed(rate.stddev, 1),
        rate.count
    );
    // The transfer sum includes replies with a status below 100, but the
    // divisor (like the size averages') counts only "replies".
    line!(
        out,
        "Reply time [ms]: response {} transfer {}",
        fixed(per_item(1000.0, s.response_sum_s, s.num_responses), 1),
        fixed(per_item(1000.0, s.transfer_sum_s, replies), 1)
    );
    let header = int_avg(s.reply_header_bytes, replies);
    let content = int_avg(s.reply_content_bytes, replies);
    let footer = int_avg(s.reply_footer_bytes, replies);
    line!(
        out,
        "Reply size [B]: header {} content {} footer {} (total {})",
        fixed(header as f64, 1),
        fixed(content as f64, 1),
        fixed(footer as f64, 1),
        fixed((header + content + footer) as f64, 1)
    );
    let class = &s.replies_by_class;
    line!(
        out,
        "Reply status: 1xx={} 2xx={} 3xx={} 4xx={} 5xx={}",
        class[1],
        class[2],
        class[3],
        class[4],
        class[5]
    );
    out.push('\n');

    if let Some(periodic) = &s.periodic {
        line!(
            out,
            "Periodic stats: 200={} 302={}",
            periodic.status_200,
            periodic.status_302
        );
        out.push('\n');
    }

    let (user, system) = (s.cpu_user_s, s.cpu_system_s);
    line!(
        out,
        "CPU time [s]: user {} system {} (user {}% system {}% total {}%)",
        fixed(user, 2),
        fixed(system, 2),
        fixed(100.0 * user / delta, 1),
        fixed(100.0 * system / delta, 1),
        fixed(100.0 * (user + system) / delta, 1)
    );
    // Footer bytes are deliberately left out of the throughput, as in httperf.
    let net_bytes = (s.request_bytes + s.reply_header_bytes + s.reply_content_bytes) as f64;
    line!(
        out,
        "Net I/O: {} KB/s ({}*10^6 bps)",
        fixed(net_bytes / delta / 1024.0, 1),
        fixed(8e-6 * net_bytes / delta, 1)
    );
    out.push('\n');

    let e = &s.errors;
    line!(
        out,
        "Errors: total {} client-timo {} socket-timo {} connrefused {} connreset {}",
        e.total(),
        e.client_timeouts,
        e.socket_timeouts,
        e.conn_refused,
        e.conn_reset
    );
    line!(
        out,
        "Errors: fd-unavail {} addrunavail {} ftab-full {} other {}",
        e.fd_unavail,
        e.addr_unavail,
        e.ftab_full,
        e.other
    );
    out
}
