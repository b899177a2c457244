//! Scaling out, as options: `--workers N|auto`, `--start-at TIME`,
//! `--worker-shards DIR` and `--client auto[/N]` (the client identity from
//! the environment a scheduler gives the process), and how one worker's
//! share of the test is derived from the whole test's options.
//!
//! Worker w of W of a test run as `--client I/N` is client `I·W + w` of
//! `N·W`: httperf's meaning of `--client` (each client seeds its random
//! inter-arrival times and starts its `--wset` walk from its own id, and
//! staggers its reply-rate sampling) then holds for every worker, and the
//! workers of different machines never share an identity. The worker runs
//! its share of the connections or sessions (the first `units mod W`
//! workers one more) at 1/W of the rate, with W times the inter-arrival
//! times of `--period`. With a fixed inter-arrival time T the workers
//! start T apart, so that their arrivals interleave evenly.

use std::path::PathBuf;

use super::options::Options;
use crate::workload::rate::Interarrival;

/// The scaling-out options of the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScaleOptions {
    /// `--workers`: `None` = 1 (no workers); `Some(0)` = one per core.
    pub workers: Option<u32>,
    /// `--start-at`, Unix seconds.
    pub start_at_unix_s: Option<f64>,
    /// `--worker-shards DIR`: keep each worker's result there.
    pub worker_shards: Option<PathBuf>,
}

impl ScaleOptions {
    /// The number of worker processes asked for (1 = none); `auto` is the
    /// number of cores this process may run on.
    pub fn requested_workers(&self) -> u32 {
        match self.workers {
            None => 1,
            Some(0) => std::thread::available_parallelism()
                .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX)),
            Some(n) => n,
        }
    }
}

/// Largest `--workers`.
pub const MAX_WORKERS: u32 = 1024;

/// `--workers=N|auto`.
pub fn parse_workers(text: &str) -> Result<u32, String> {
    if text == "auto" {
        return Ok(0);
    }
    match text.parse::<u32>() {
        Ok(n) if (1..=MAX_WORKERS).contains(&n) => Ok(n),
        _ => Err(format!(
            "illegal number of workers {text} (use 1 to {MAX_WORKERS} or auto)"
        )),
    }
}

/// `--start-at=TIME`: Unix seconds (`1767225600`, `1767225600.5`) or an RFC
/// 3339 time (`2026-01-01T00:00:00Z`, fractions and `+hh:mm` offsets
/// allowed).
pub fn parse_start_at(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "illegal start time {text} (use Unix seconds or RFC 3339, e.g. \
             2026-01-01T12:00:00Z)"
        )
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s <= LATEST_START_UNIX_S)
            .ok_or_else(bad);
    }
    rfc3339_unix_s(text).ok_or_else(bad)
}

/// 9999-12-31T23:59:59Z, the last time RFC 3339 can write.
const LATEST_START_UNIX_S: f64 = 253_402_300_799.0;

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn rfc3339_unix_s(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = 0.0;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        fraction = format!("0.{}", &after_dot[..digits]).parse().ok()?;
        rest = &after_dot[digits..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let hours: i64 = rest[1..3].parse().ok()?;
            let minutes: i64 = rest[4..6].parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(seconds as f64 + fraction)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The environment variables `--client auto` reads.
pub const SLURM_INDEX: &str = "SLURM_PROCID";
pub const SLURM_COUNT: &str = "SLURM_NTASKS";
pub const KUBERNETES_INDEX: &str = "JOB_COMPLETION_INDEX";
/// Set by the Kubernetes manifest to the Job's completions (Kubernetes
/// itself does not pass the count to the pod).
pub const KUBERNETES_COUNT: &str = "HTTPERF_RS_CLIENTS";

/// `--client auto` or `--client auto/N`: the index from Slurm
/// (`SLURM_PROCID`) or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`),
/// the count N as given, else from `SLURM_NTASKS` or `HTTPERF_RS_CLIENTS`.
/// `None` when `text` does not start with `auto`.
pub fn client_from_env(
    text: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Option<Result<(u32, u32), String>> {
    let rest = text.strip_prefix("auto")?;
    let given_count = match rest {
        "" => None,
        _ => match rest.strip_prefix('/').and_then(|n| n.parse::<u32>().ok()) {
            Some(n) => Some(n),
            None => return Some(Err(format!("bad client id (rest: `{text}')"))),
        },
    };
    let number = |name: &str| -> Option<Result<u32, String>> {
        let value = env(name)?;
        Some(
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("--client auto: {name}={value} is not a number")),
        )
    };
    let (index, count) = if let Some(index) = number(SLURM_INDEX) {
        (index, number(SLURM_COUNT))
    } else if let Some(index) = number(KUBERNETES_INDEX) {
        (index, number(KUBERNETES_COUNT))
    } else {
        return Some(Err(format!(
            "--client auto: neither {SLURM_INDEX} (Slurm) nor {KUBERNETES_INDEX} (Kubernetes \
             Indexed Job) is set"
        )));
    };
    let result = (|| {
        let index = index?;
        let count = match (given_count, count) {
            (Some(n), _) => n,
            (None, Some(count)) => count?,
            (None, None) => {
                return Err(format!(
                    "--client auto: the number of clients is unknown: give it as \
                     --client auto/N or set {SLURM_COUNT} or {KUBERNETES_COUNT}"
                ))
            }
        };
        if index >= count {
            return Err(format!(
                "--client auto: client {index} is not below the number of clients {count}"
            ));
        }
        Ok((index, count))
    })();
    Some(result)
}

/// The number of units (connections or sessions) the test creates, when it
/// is fixed.
fn units(options: &Options) -> Option<u32> {
    let sessions = options
        .wsess
        .map(|s| s.sessions)
        .or(options.wsesspage.map(|s| s.sessions))
        .or(options.wsesslog.as_ref().map(|s| s.sessions));
    match sessions {
        Some(n) => Some(n),
        None => u32::try_from(options.num_conns).ok(),
    }
}

/// The number of workers that get work: never more than the test's units,
/// since a worker with none would wait forever as httperf does.
pub fn effective_workers(options: &Options) -> u32 {
    let requested = options.scale.requested_workers();
    match units(options) {
        Some(units) if units > 0 => requested.min(units),
        _ => requested,
    }
    .max(1)
}

/// Turns the whole test's options into worker `worker`'s of `workers`.
pub fn worker_share(options: &mut Options, worker: u32, workers: u32) -> Result<(), String> {
    if workers == 0 || worker >= workers {
        return Err(format!("bad worker {worker}/{workers}"));
    }
    let share = |n: u32| n / workers + u32::from(worker < n % workers);
    let sessions =
        options.wsess.is_some() || options.wsesspage.is_some() || options.wsesslog.is_some();
    // A session workload ignores --num-conns, whose default 1 must not
    // become 0 for the second worker.
    if options.num_conns > 0 && !sessions {
        options.num_conns = share(options.num_conns as u32) as i32;
    }
    if let Some(spec) = &mut options.wsess {
        spec.sessions = share(spec.sessions);
    }
    if let Some(spec) = &mut options.wsesspage {
        spec.sessions = share(spec.sessions);
    }
    if let Some(spec) = &mut options.wsesslog {
        spec.sessions = share(spec.sessions);
    }
    let num_clients = options
        .num_clients
        .checked_mul(workers)
        .ok_or("too many clients for --workers (N times the workers exceeds 2^32)")?;
    options.client_id = options.client_id * workers + worker;
    options.num_clients = num_clients;
    let rate = options.rate.rate_per_s;
    if rate > 0.0 && rate.is_finite() {
        let factor = f64::from(workers);
        if let (Interarrival::Deterministic { iat_s }, Some(start)) = (
            &options.rate.interarrival,
            options.scale.start_at_unix_s.as_mut(),
        ) {
            *start += f64::from(worker) * iat_s;
        }
        options.rate.rate_per_s = rate / factor;
        match &mut options.rate.interarrival {
            Interarrival::Deterministic { iat_s } => *iat_s *= factor,
            Interarrival::Uniform { min_s, max_s } => {
                *min_s *= factor;
                *max_s *= factor;
            }
            Interarrival::Exponential { mean_s } => *mean_s *= factor,
            Interarrival::Variable { phases } => {
                for (iat_s, _) in phases.iter_mut() {
                    *iat_s *= factor;
                }
            }
        }
    }
    // The parent prints, checks and explains for the whole test.
    options.results.percentiles = None;
    options.results.self_check = false;
    options.results.progress = false;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::options::SessionSpec;

    #[test]
    fn start_times_in_both_forms() {
        assert_eq!(parse_start_at("1767225600"), Ok(1_767_225_600.0));
        assert_eq!(parse_start_at("1767225600.25"), Ok(1_767_225_600.25));
        assert_eq!(parse_start_at("2026-01-01T00:00:00Z"), Ok(1_767_225_600.0));
        assert_eq!(
            parse_start_at("2026-01-01T01:00:00.5+01:00"),
            Ok(1_767_225_600.5)
        );
        assert_eq!(parse_start_at("2024-02-29T23:59:59Z"), Ok(1_709_251_199.0));
        assert_eq!(parse_start_at("2000-02-29T00:00:00Z"), Ok(951_782_400.0));
        assert_eq!(
            parse_start_at("9999-12-31T23:59:59Z"),
            Ok(LATEST_START_UNIX_S)
        );
        for bad in [
            "",
            "soon",
            "2026-13-01T00:00:00Z",
            "2026-01-01T00:00:00",
            "1e9",
            "-5",
            "2030-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "99999999999999999999",
            "253402300800",
        ] {
            assert!(parse_start_at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn workers_count_or_auto() {
        assert_eq!(parse_workers("auto"), Ok(0));
        assert_eq!(parse_workers("4"), Ok(4));
        assert!(parse_workers("0").is_err());
        assert!(parse_workers("x").is_err());
    }

    #[test]
    fn the_client_comes_from_slurm_or_kubernetes() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let slurm = env(&[("SLURM_PROCID", "2"), ("SLURM_NTASKS", "4")]);
        assert_eq!(client_from_env("auto", slurm), Some(Ok((2, 4))));
        assert_eq!(client_from_env("auto/8", slurm), Some(Ok((2, 8))));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "1"), ("HTTPERF_RS_CLIENTS", "3")]);
        assert_eq!(client_from_env("auto", k8s), Some(Ok((1, 3))));
        let index_only = env(&[("JOB_COMPLETION_INDEX", "1")]);
        assert!(matches!(client_from_env("auto", index_only), Some(Err(_))));
        assert_eq!(client_from_env("auto/2", index_only), Some(Ok((1, 2))));
        assert!(matches!(
            client_from_env("auto/1", index_only),
            Some(Err(_))
        ));
        assert!(matches!(client_from_env("auto", env(&[])), Some(Err(_))));
        assert_eq!(client_from_env("1/2", env(&[])), None);
    }

    #[test]
    fn shares_rates_and_identities() {
        let mut options = Options::defaults("httperf-rs");
        options.num_conns = 7;
        options.client_id = 1;
        options.num_clients = 2;
        options.rate.rate_per_s = 100.0;
        options.rate.interarrival = Interarrival::Deterministic { iat_s: 0.01 };
        options.scale.start_at_unix_s = Some(1000.0);
        let mut first = options.clone();
        worker_share(&mut first, 0, 3).unwrap_or_default();
        let mut last = options.clone();
        worker_share(&mut last, 2, 3).unwrap_or_default();
        assert_eq!((first.num_conns, last.num_conns), (3, 2));
        assert_eq!(
            (first.client_id, last.client_id, last.num_clients),
            (3, 5, 6)
        );
        assert!((last.rate.rate_per_s - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            last.rate.interarrival,
            Interarrival::Deterministic { iat_s: 0.03 }
        );
        let start = last.scale.start_at_unix_s.unwrap_or_default();
        assert!((start - 1000.02).abs() < 1e-9, "{start}");
        let mut sessions = Options::defaults("httperf-rs");
        sessions.wsess = Some(SessionSpec {
            sessions: 1,
            calls_per_session: 2,
            think_time_s: 0.0,
        });
        sessions.scale.workers = Some(4);
        assert_eq!(effective_workers(&sessions), 1);
    }

    #[test]
    fn a_session_workload_leaves_num_conns_alone() {
        let mut options = Options::defaults("httperf-rs");
        options.wsess = Some(SessionSpec {
            sessions: 3,
            calls_per_session: 1,
            think_time_s: 0.0,
        });
        for worker in 0..2 {
            let mut share = options.clone();
            worker_share(&mut share, worker, 2).expect("a valid share");
            assert_eq!(share.num_conns, 1, "worker {worker}");
            assert_eq!(
                share.wsess.map(|spec| spec.sessions),
                Some(2 - worker),
                "worker {worker}"
            );
        }
    }
}
