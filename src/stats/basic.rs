//! httperf's basic statistics collector: one method per engine event, each
//! updating the counters and sums of a `Summary` exactly as httperf counts
//! them. No formatting and no I/O.

use crate::stats::summary::{ErrorCounts, PeriodicTotals, Summary};

/// Which error counter a failed connection lands in (httperf's errno mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    SocketTimeout,
    ConnRefused,
    ConnReset,
    FdUnavail,
    AddrUnavail,
    FtabFull,
    Other,
}

impl FailureKind {
    /// Maps an errno as httperf does, except that EADDRNOTAVAIL counts as
    /// `addrunavail` as httperf's manual says (0.9.0 puts it in `other`).
    pub fn from_errno(errno: i32) -> FailureKind {
        match errno {
            libc::ETIMEDOUT => FailureKind::SocketTimeout,
            libc::ECONNREFUSED => FailureKind::ConnRefused,
            libc::ECONNRESET | libc::EPIPE => FailureKind::ConnReset,
            libc::EMFILE | libc::EINVAL => FailureKind::FdUnavail,
            libc::ENFILE => FailureKind::FtabFull,
            libc::EADDRNOTAVAIL => FailureKind::AddrUnavail,
            _ => FailureKind::Other,
        }
    }

    /// The counter's name in the report's Errors lines.
    pub fn counter_name(self) -> &'static str {
        match self {
            FailureKind::SocketTimeout => "socket-timo",
            FailureKind::ConnRefused => "connrefused",
            FailureKind::ConnReset => "connreset",
            FailureKind::FdUnavail => "fd-unavail",
            FailureKind::AddrUnavail => "addrunavail",
            FailureKind::FtabFull => "ftab-full",
            FailureKind::Other => "other",
        }
    }

    fn count_in(self, errors: &mut ErrorCounts) {
        let counter = match self {
            FailureKind::SocketTimeout => &mut errors.socket_timeouts,
            FailureKind::ConnRefused => &mut errors.conn_refused,
            FailureKind::ConnReset => &mut errors.conn_reset,
            FailureKind::FdUnavail => &mut errors.fd_unavail,
            FailureKind::AddrUnavail => &mut errors.addr_unavail,
            FailureKind::FtabFull => &mut errors.ftab_full,
            FailureKind::Other => &mut errors.other,
        };
        *counter += 1;
    }
}

/// Accumulates the basic statistics of a run.
#[derive(Debug, Default)]
pub struct BasicStats {
    summary: Summary,
    active_conns: u64,
    /// Connect-burst tracking: the loop iteration of the current group and its size.
    burst_iteration: Option<u64>,
    burst_size: u64,
    max_burst: u64,
    /// Replies (any status) since the last reply-rate sample, and that sample's time.
    replies_in_interval: u64,
    last_sample_s: f64,
    first_other_errno_seen: bool,
    periodic_interval: PeriodicTotals,
}

impl BasicStats {
    pub fn new(start_s: f64) -> BasicStats {
        BasicStats {
            last_sample_s: start_s,
            ..BasicStats::default()
        }
    }

    /// CONN_NEW: a connection object exists (even if its socket() fails next).
    pub fn conn_new(&mut self, loop_iteration: u64) {
        self.active_conns += 1;
        let summary = &mut self.summary;
        summary.max_concurrent_conns = summary.max_concurrent_conns.max(self.active_conns);
        if self.burst_iteration != Some(loop_iteration) {
            // httperf compares a group only when the next one starts, so the
            // last group of the run is never counted.
            if self.burst_iteration.is_some() {
                self.max_burst = self.max_burst.max(self.burst_size);
            }
            self.burst_iteration = Some(loop_iteration);
            self.burst_size = 0;
        }
        self.burst_size += 1;
    }

    /// CONN_CONNECTING: the socket exists and connect() is about to be called.
    pub fn conn_connecting(&mut self) {
        self.summary.conns_issued += 1;
    }

    /// CONN_CONNECTED, `connect_s` after CONN_CONNECTING.
    pub fn conn_connected(&mut self, connect_s: f64) {
        self.summary.connect_sum_s += connect_s;
        self.summary.num_connects += 1;
    }

    /// CONN_DESTROYED. Only connections that delivered a reply have a lifetime.
    pub fn conn_destroyed(&mut self, delivered_reply: bool, lifetime_s: f64) {
        if delivered_reply {
            self.summary.lifetimes.record(lifetime_s);
        }
        self.active_conns = self.active_conns.saturating_sub(1);
    }

    /// CONN_TIMEOUT: httperf's own watchdog expired.
    pub fn conn_timeout(&mut self) {
        self.summary.errors.client_timeouts += 1;
    }

    /// CONN_FAILED. Returns true for the first failure counted as `other`,
    /// which httperf reports once on stderr.
    pub fn conn_failed(&mut self, errno: i32) -> bool {
        let kind = FailureKind::from_errno(errno);
        kind.count_in(&mut self.summary.errors);
        let first_other = kind == FailureKind::Other && !self.first_other_errno_seen;
        if first_other {
            self.first_other_errno_seen = true;
        }
        first_other
    }

    /// CALL_SEND_STOP: a request is completely written; `bytes_written` is the
    /// call's cumulative written-byte count.
    pub fn request_sent(&mut self, bytes_written: u64) {
        self.summary.requests_sent += 1;
        self.summary.request_bytes += bytes_written;
    }

    /// CALL_RECV_START: the status line arrived `response_s` after send start.
    pub fn reply_started(&mut self, response_s: f64, status: u32) {
        self.summary.response_sum_s += response_s;
        self.summary.num_responses += 1;
        // [master] --periodic-stats counts exact statuses 200 and 302 here.
        match status {
            200 => self.periodic_interval.status_200 += 1,
            302 => self.periodic_interval.status_302 += 1,
            _ => {}
        }
    }

    /// \[master\] `--periodic-stats`: the 200/302 counts since the previous
    /// call, added to the run's totals.
    pub fn take_periodic(&mut self) -> PeriodicTotals {
        let interval = std::mem::take(&mut self.periodic_interval);
        let totals = self
            .summary
            .periodic
            .get_or_insert_with(PeriodicTotals::default);
        totals.status_200 += interval.status_200;
        totals.status_302 += interval.status_302;
        interval
    }

    /// CALL_RECV_STOP with the reply's status, transfer time and byte counts.
    pub fn reply_completed(&mut self, reply: &CompletedReply) {
        let summary = &mut self.summary;
        summary.transfer_sum_s += reply.transfer_s;
        summary.reply_header_bytes += reply.header_bytes;
        summary.reply_content_bytes += reply.content_bytes;
        summary.reply_footer_bytes += reply.footer_bytes;
        if let Some(class) = crate::http::response::status_class(reply.status) {
            summary.replies_by_class[class] += 1;
        }
        self.replies_in_interval += 1;
    }

    /// PERF_SAMPLE at `now_s`: returns the reply rate of the interval just ended.
    pub fn take_sample(&mut self, now_s: f64) -> f64 {
        let rate = self.replies_in_interval as f64 / (now_s - self.last_sample_s);
        self.summary.reply_rate_samples.push(rate);
        self.replies_in_interval = 0;
        self.last_sample_s = now_s;
        rate
    }

    /// The `Maximum connect burst length` figure.
    pub fn max_connect_burst(&self) -> u64 {
        self.max_burst
    }

    /// Finishes the run: fills in duration and CPU time and hands back the data.
    pub fn finish(mut self, test_duration_s: f64, cpu_user_s: f64, cpu_system_s: f64) -> Summary {
        if self.summary.periodic.is_some() {
            self.take_periodic();
        }
        self.summary.test_duration_s = test_duration_s;
        self.summary.cpu_user_s = cpu_user_s;
        self.summary.cpu_system_s = cpu_system_s;
        self.summary
    }
}

/// What CALL_RECV_STOP reports about one reply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompletedReply {
    pub status: u32,
    pub transfer_s: f64,
    pub header_bytes: u64,
    pub content_bytes: u64,
    pub footer_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping_follows_httperf_and_its_manual() {
        assert_eq!(
            FailureKind::from_errno(libc::ETIMEDOUT),
            FailureKind::SocketTimeout
        );
        assert_eq!(
            FailureKind::from_errno(libc::ECONNREFUSED),
            FailureKind::ConnRefused
        );
        assert_eq!(
            FailureKind::from_errno(libc::ECONNRESET),
            FailureKind::ConnReset
        );
        assert_eq!(FailureKind::from_errno(libc::EPIPE), FailureKind::ConnReset);
        assert_eq!(
            FailureKind::from_errno(libc::EMFILE),
            FailureKind::FdUnavail
        );
        assert_eq!(
            FailureKind::from_errno(libc::EINVAL),
            FailureKind::FdUnavail
        );
        assert_eq!(FailureKind::from_errno(libc::ENFILE), FailureKind::FtabFull);
        assert_eq!(
            FailureKind::from_errno(libc::EADDRNOTAVAIL),
            FailureKind::AddrUnavail
        );
        assert_eq!(
            FailureKind::from_errno(libc::EHOSTUNREACH),
            FailureKind::Other
        );
        assert_eq!(FailureKind::from_errno(libc::EPERM), FailureKind::Other);
    }

    #[test]
    fn only_the_first_other_failure_is_reported() {
        let mut stats = BasicStats::new(0.0);
        assert!(stats.conn_failed(libc::EHOSTUNREACH));
        assert!(!stats.conn_failed(libc::EPERM));
        assert!(!stats.conn_failed(libc::ECONNRESET));
        let summary = stats.finish(1.0, 0.0, 0.0);
        assert_eq!(summary.errors.other, 2);
        assert_eq!(summary.errors.conn_reset, 1);
    }

    #[test]
    fn connect_bursts_ignore_the_last_group() {
        let mut single = BasicStats::new(0.0);
        single.conn_new(0);
        assert_eq!(single.max_connect_burst(), 0);

        let mut stats = BasicStats::new(0.0);
        for iteration in [1, 2, 2, 2, 3, 4, 4, 4, 4, 4] {
            stats.conn_new(iteration);
        }
        assert_eq!(stats.max_connect_burst(), 3);
    }

    #[test]
    fn periodic_counts_are_per_interval_and_totalled() {
        let mut stats = BasicStats::new(0.0);
        for status in [200, 200, 302, 404] {
            stats.reply_started(0.001, status);
        }
        assert_eq!(
            stats.take_periodic(),
            PeriodicTotals {
                status_200: 2,
                status_302: 1
            }
        );
        stats.reply_started(0.001, 200);
        let summary = stats.finish(1.0, 0.0, 0.0);
        assert_eq!(
            summary.periodic,
            Some(PeriodicTotals {
                status_200: 3,
                status_302: 1
            })
        );
    }

    #[test]
    fn reply_classes_exclude_statuses_outside_100_to_599() {
        let mut stats = BasicStats::new(0.0);
        for status in [99, 100, 200, 204, 302, 404, 503, 599, 600] {
            stats.reply_completed(&CompletedReply {
                status,
                transfer_s: 0.0,
                header_bytes: 10,
                content_bytes: 1,
                footer_bytes: 0,
            });
        }
        let rate = stats.take_sample(2.0);
        assert_eq!(rate, 4.5);
        let summary = stats.finish(2.0, 0.0, 0.0);
        assert_eq!(summary.replies_by_class, [0, 1, 2, 1, 1, 2]);
        assert_eq!(summary.total_replies(), 7);
        assert_eq!(summary.reply_header_bytes, 90);
    }
}
