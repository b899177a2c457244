//! The typed result of parsing httperf's command line: every option's value
//! exactly as httperf stores it (including 0.9.0's 32-bit integer wrapping),
//! before cross-option validation. `cli` fills it in and `config` builds the
//! run from it; it lives here so that `config` never depends on `cli`. Text
//! values and file names are kept as the bytes given: httperf sends and echoes
//! them unchanged, UTF-8 or not.

use std::path::PathBuf;

pub use crate::stats::print::PrintParts;
pub use crate::tls::SslProtocol;
pub use crate::workload::ammo::AmmoFormat;
pub use crate::workload::rate::{Interarrival, RateSpec, ThinkJitter};
pub use crate::workload::schedule::RateProfile;

/// `--wsess=N1,N2,X` and `--wsesspage=N1,N2,X`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionSpec {
    pub sessions: u32,
    pub calls_per_session: u32,
    pub think_time_s: f64,
}

/// `--wsesslog=N,X,F`.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionLogSpec {
    pub sessions: u32,
    pub think_time_s: f64,
    pub file: PathBuf,
}

/// `--wset=N,X`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkingSetSpec {
    pub files: u32,
    pub miss_rate: f64,
}

/// `--wlog=B,F`.
#[derive(Debug, Clone, PartialEq)]
pub struct UriLogSpec {
    /// `y`/`Y`: wrap around at the end of the file; otherwise end the test.
    pub wrap: bool,
    pub file: PathBuf,
}

/// Every option of httperf 0.9.0 and upstream master, as parsed. Integer fields
/// use the C type httperf 0.9.0 stores them in, so that wrapped values echo the
/// same way (`--num-conns=-1` echoes `-1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Basename of `argv[0]`, used as the prefix of httperf's own messages.
    pub program: String,
    pub add_header: Option<Vec<u8>>,
    pub add_header_file: Option<PathBuf>,
    pub burst_length: i32,
    pub client_id: u32,
    pub num_clients: u32,
    pub close_with_reset: bool,
    /// `-d`/`--debug` level; 0 = no traces.
    pub debug: u32,
    /// 0 = not set.
    pub failure_status: i32,
    pub hog: bool,
    /// (major, minor) from `--http-version`; default (1, 1).
    pub http_version: (u32, u32),
    pub max_connections: i32,
    pub max_piped_calls: i32,
    pub method: Vec<u8>,
    /// True when `--method` was given: only then is it echoed.
    pub method_given: bool,
    /// \[master\] `--myaddr`, in the order given.
    pub myaddr: Vec<Vec<u8>>,
    pub no_host_hdr: bool,
    pub num_calls: i32,
    pub num_conns: i32,
    /// \[master\] `--periodic-stats` / `-n`.
    pub periodic_stats: bool,
    /// Stored as C `int` after a range check on the unsigned value.
    pub port: i32,
    /// True when `--port` was given (otherwise the default depends on `--ssl`).
    pub port_given: bool,
    pub print_reply: Option<PrintParts>,
    pub print_request: Option<PrintParts>,
    pub rate: RateSpec,
    pub recv_buffer: i32,
    pub retry_on_failure: bool,
    /// \[master\] `--runtime`, seconds; 0 = not set.
    pub runtime_s: f64,
    pub send_buffer: i32,
    pub server: Vec<u8>,
    pub server_name: Option<Vec<u8>>,
    /// \[master\] `--servers FILE`.
    pub servers: Option<PathBuf>,
    pub session_cookies: bool,
    pub ssl: bool,
    pub ssl_ciphers: Option<Vec<u8>>,
    pub ssl_no_reuse: bool,
    pub tls_server_name: Option<Vec<u8>>,
    pub ssl_certificate: Option<PathBuf>,
    pub ssl_key: Option<PathBuf>,
    pub ssl_verify: bool,
    pub ssl_ca_file: Option<PathBuf>,
    pub ssl_ca_path: Option<PathBuf>,
    pub ssl_protocol: Option<SslProtocol>,
    pub think_timeout_s: f64,
    pub timeout_s: f64,
    pub uri: Vec<u8>,
    /// \[master\] `--use-timer-cache`.
    pub use_timer_cache: bool,
    /// Number of `-v`/`--verbose` occurrences.
    pub verbose: u32,
    /// How many times `-V`/`--version` was given: 0.9.0 prints its version
    /// line for each, as it reads them, and keeps running.
    pub version_lines: usize,
    pub wlog: Option<UriLogSpec>,
    /// True when `--wlog` came after the last `--wset`: httperf requests
    /// the URIs of whichever of the two was given last.
    pub wlog_after_wset: bool,
    pub wsess: Option<SessionSpec>,
    pub wsesslog: Option<SessionLogSpec>,
    pub wsesspage: Option<SessionSpec>,
    pub wset: Option<WorkingSetSpec>,
    /// httperf-rs's results options (`--percentiles`, `--json`, ...).
    pub results: crate::results::ResultsOptions,
    /// httperf-rs's scaling-out options (`--workers`, `--start-at`, ...).
    pub scale: super::scale::ScaleOptions,
    /// True when `--num-conns` was given (a `--schedule` or `--ammo` run
    /// is limited by it only then).
    pub num_conns_given: bool,
    /// `--schedule SPEC`.
    pub schedule: Option<RateProfile>,
    /// `--seed N` for httperf-rs's own random draws.
    pub seed: Option<u64>,
    /// `--think-jitter`.
    pub think_jitter: Option<ThinkJitter>,
    /// `--ammo FILE`, `--ammo-format`, `--ammo-loop`.
    pub ammo: Option<PathBuf>,
    pub ammo_format: Option<AmmoFormat>,
    pub ammo_loop: bool,
    /// `--websocket` and its `--ws-*` options.
    pub websocket: WebSocketOptions,
    /// httperf-rs's own options that shape the workload (what is sent, and
    /// when), as given (`--NAME=VALUE`, or `--NAME` for a flag), in order.
    /// The echo line leaves them out to stay httperf's, so results carry
    /// them for `merge` to compare.
    pub workload_options: Vec<Vec<u8>>,
}

/// `--websocket`, `--ws-messages`, `--ws-message-size`, `--ws-low-watermark`
/// (`None`: not given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebSocketOptions {
    pub enabled: bool,
    pub messages: Option<u64>,
    pub message_size: Option<u64>,
    pub low_watermark: Option<u64>,
}

impl WebSocketOptions {
    /// True when any `--ws-*` option was given.
    pub fn any_detail_given(&self) -> bool {
        self.messages.is_some() || self.message_size.is_some() || self.low_watermark.is_some()
    }
}

impl Options {
    /// The `--wlog` that chooses the request URIs: httperf uses the later of
    /// `--wlog` and `--wset`.
    pub fn chosen_uri_log(&self) -> Option<&UriLogSpec> {
        (self.wlog.as_ref()).filter(|_| self.wset.is_none() || self.wlog_after_wset)
    }

    /// httperf's defaults, before any option is applied.
    pub fn defaults(program: &str) -> Self {
        Options {
            program: program.to_string(),
            add_header: None,
            add_header_file: None,
            burst_length: 1,
            client_id: 0,
            num_clients: 1,
            close_with_reset: false,
            debug: 0,
            failure_status: 0,
            hog: false,
            http_version: (1, 1),
            max_connections: 0,
            max_piped_calls: 0,
            method: b"GET".to_vec(),
            method_given: false,
            myaddr: Vec::new(),
            no_host_hdr: false,
            num_calls: 1,
            num_conns: 1,
            periodic_stats: false,
            port: 80,
            port_given: false,
            print_reply: None,
            print_request: None,
            rate: RateSpec::default(),
            recv_buffer: 16384,
            retry_on_failure: false,
            runtime_s: 0.0,
            send_buffer: 4096,
            server: b"localhost".to_vec(),
            server_name: None,
            servers: None,
            session_cookies: false,
            ssl: false,
            ssl_ciphers: None,
            ssl_no_reuse: false,
            tls_server_name: None,
            ssl_certificate: None,
            ssl_key: None,
            ssl_verify: false,
            ssl_ca_file: None,
            ssl_ca_path: None,
            ssl_protocol: None,
            think_timeout_s: 0.0,
            timeout_s: 0.0,
            uri: b"/".to_vec(),
            use_timer_cache: false,
            verbose: 0,
            version_lines: 0,
            wlog: None,
            wlog_after_wset: false,
            wsess: None,
            wsesslog: None,
            wsesspage: None,
            wset: None,
            results: crate::results::ResultsOptions::default(),
            scale: super::scale::ScaleOptions::default(),
            num_conns_given: false,
            schedule: None,
            seed: None,
            think_jitter: None,
            ammo: None,
            ammo_format: None,
            ammo_loop: false,
            websocket: WebSocketOptions::default(),
            workload_options: Vec::new(),
        }
    }

    /// The port connections go to: `--port` if given, else 443 with SSL and
    /// 80 without (`--ssl-protocol` turns SSL on too).
    pub fn effective_port(&self) -> i32 {
        match (self.port_given, self.ssl) {
            (true, _) => self.port,
            (false, true) => 443,
            (false, false) => 80,
        }
    }

    /// True when any session workload (`--wsess`, `--wsesslog`, `--wsesspage`) was given.
    pub fn has_session_workload(&self) -> bool {
        self.wsess.is_some() || self.wsesslog.is_some() || self.wsesspage.is_some()
    }

    /// Arrivals per second when they follow a schedule (`--rate`/`--period`;
    /// a `--schedule`'s mean rate).
    pub fn scheduled_rate_per_s(&self) -> Option<f64> {
        if let Some(profile) = &self.schedule {
            let rate = profile.mean_rate();
            return (rate > 0.0).then_some(rate);
        }
        let rate = self.rate.rate_per_s;
        (rate > 0.0 && rate.is_finite()).then_some(rate)
    }

    /// How long the test should take, when that is known (0 otherwise).
    pub fn expected_duration_s(&self) -> f64 {
        if self.runtime_s > 0.0 {
            return self.runtime_s;
        }
        if let Some(profile) = &self.schedule {
            return profile.end_s();
        }
        let units = if let Some(spec) = &self.wsess {
            f64::from(spec.sessions)
        } else if let Some(spec) = &self.wsesspage {
            f64::from(spec.sessions)
        } else if let Some(spec) = &self.wsesslog {
            f64::from(spec.sessions)
        } else {
            f64::from(self.num_conns.max(0))
        };
        self.scheduled_rate_per_s().map_or(0.0, |rate| units / rate)
    }

    /// What the results options need to know of the other options.
    pub fn results_shape(&self) -> crate::results::output::RunShape<'_> {
        crate::results::output::RunShape {
            program: &self.program,
            rate_per_s: self.scheduled_rate_per_s(),
            schedule: self
                .schedule
                .as_ref()
                .map_or(&[], |profile| profile.rate_segments()),
            sessions: self.has_session_workload(),
            expected_s: self.expected_duration_s(),
            verbose: self.verbose,
            workload_options: &self.workload_options,
        }
    }
}
