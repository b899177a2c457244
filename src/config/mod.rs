//! The validated run description built once from the parsed options: checks
//! that need more than one option, httperf's init-time failures (server
//! resolution, `--wlog`/`--wset` set-up, header escapes, the TLS client).
//! Never opens a socket. Option values reach the request as the bytes given.

pub mod options;
pub mod scale;

pub use options::Options;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::unix::ffi::OsStrExt;

use crate::c::ctype::is_space;
use crate::c::strto::strtoul;
use crate::engine::socket::SocketOptions;
use crate::engine::EngineConfig;
use crate::files::{self, ReadError};
use crate::http::request::{unescape_add_header, unknown_escape_warning, HttpVersion};
use crate::output::{self, Exit};
use crate::stats::print::PrintSelection;
use crate::tls::{self, TlsClient, TlsSettings};
use crate::workload::ammo::AmmoFile;
use crate::workload::rate::{Interarrival, ScheduledRate};
use crate::workload::request::{Pacing, RequestModeSpec, Requests};
use crate::workload::session::{SessionScript, SessionSpec};
use crate::workload::session_log;
use crate::workload::uri::{UriLog, UriSource, WorkingSet};
use crate::workload::websocket::WebSocketSpec;
use crate::workload::RequestFactory;

/// `<program><separator><message>` and a newline, exit status 1.
fn fatal_about(program: &str, separator: &str, message: &[u8]) -> Exit {
    Exit::failure_line([program.as_bytes(), separator.as_bytes(), message].concat())
}

/// Bytes as text for the places that need text (name resolution, TLS
/// names): a value that is not UTF-8 becomes one that matches nothing.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What the checks before the echo line found valid, kept for `build`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prechecked {
    /// [master] `--myaddr`, resolved and expanded.
    local_addrs: Vec<IpAddr>,
}

/// Checks made before the echo line: `--myaddr` (master rejects it while
/// parsing) and values for which httperf 0.9.0 would wait forever.
pub fn check_before_start(options: &Options) -> Result<Prechecked, Exit> {
    let program = &options.program;
    let local_addrs = local_addresses(options)?;
    let sessions = options
        .wsess
        .or(options.wsesspage)
        .map(|w| w.sessions)
        .or(options.wsesslog.as_ref().map(|w| w.sessions));
    if sessions == Some(0) {
        return Err(Exit::failure_line(format!(
            "{program}: the number of sessions must be at least 1 (httperf would wait forever)"
        )));
    }
    if options.num_conns < 1 {
        return Err(Exit::failure_line(format!(
            "{program}: --num-conns must be at least 1 (httperf would wait forever)"
        )));
    }
    if options.num_calls < 1 {
        return Err(Exit::failure_line(format!(
            "{program}: --num-calls must be at least 1 (httperf would wait forever)"
        )));
    }
    check_load_shapes(options)?;
    check_websocket(options)?;
    Ok(Prechecked { local_addrs })
}

/// The combinations of `--schedule`, `--think-jitter` and `--ammo` that
/// cannot work.
fn check_load_shapes(options: &Options) -> Result<(), Exit> {
    let program = &options.program;
    let refuse = |message: &str| Err(Exit::failure_line(format!("{program}: {message}")));
    let variable = matches!(options.rate.interarrival, Interarrival::Variable { .. });
    if options.schedule.is_some() && variable && options.rate.rate_per_s > 0.0 {
        return refuse("--schedule cannot be combined with --period=v");
    }
    if options.think_jitter.is_some() && !options.has_session_workload() {
        return refuse(
            "--think-jitter requires a session workload (--wsess, --wsesslog or --wsesspage)",
        );
    }
    if options.ammo.is_none() && (options.ammo_format.is_some() || options.ammo_loop) {
        return refuse("--ammo-format and --ammo-loop require --ammo");
    }
    if options.ammo.is_some() {
        if options.has_session_workload() {
            return refuse(
                "--ammo works in request mode only (not with --wsess, --wsesslog or --wsesspage)",
            );
        }
        if options.wlog.is_some() || options.wset.is_some() {
            return refuse("--ammo cannot be combined with --wlog or --wset");
        }
    }
    Ok(())
}

/// `--websocket` and its options: what cannot be combined with them.
fn check_websocket(options: &Options) -> Result<(), Exit> {
    let program = &options.program;
    let ws = &options.websocket;
    let refuse = |message: &str| Err(Exit::failure_line(format!("{program}: {message}")));
    if !ws.enabled {
        if ws.any_detail_given() {
            return refuse(
                "--ws-messages, --ws-message-size and --ws-low-watermark need --websocket",
            );
        }
        return Ok(());
    }
    if options.has_session_workload() {
        return refuse("--websocket cannot be combined with --wsess, --wsesslog or --wsesspage");
    }
    if options.http_version != (1, 1) {
        return refuse("--websocket needs --http-version 1.1");
    }
    if let Some(low) = ws.low_watermark {
        let high = u64::try_from(options.max_connections).unwrap_or(0);
        if high == 0 || low >= high {
            return refuse("--ws-low-watermark N needs --max-connections M with N < M");
        }
    }
    Ok(())
}

/// `--ws-message-size` when not given.
const DEFAULT_WS_MESSAGE_SIZE: u64 = 32;

/// Which workload generator runs.
pub enum WorkloadSpec {
    Requests(RequestModeSpec),
    Sessions(SessionSpec),
    /// `--websocket`.
    WebSocket(WebSocketSpec),
}

/// Everything the run needs, resolved and validated.
pub struct RunConfig {
    pub(crate) engine: EngineConfig,
    pub workload: WorkloadSpec,
    pub uris: UriSource,
    /// Request mode's requests (`--ammo`), besides `uris`.
    pub request_source: Requests,
    pub requests: RequestFactory,
    /// The open-file limit in force (printed at `-v`).
    pub open_file_limit: u64,
}

/// httperf's init phase, after the echo line. Warnings (unknown header
/// escapes) go to stderr here; failures come back as an `Exit`.
pub fn build(options: &Options, prechecked: Prechecked) -> Result<RunConfig, Exit> {
    let program = &options.program;
    let open_file_limit = crate::sys::raise_open_file_limit().map_err(|error| {
        Exit::failure_line(format!(
            "{program}: failed to increase number of open file limit: {}",
            crate::sys::strerror(&error)
        ))
    })?;
    check_http_version(options)?;
    // The parser keeps --port within 0..=65535.
    let port = u16::try_from(options.effective_port()).unwrap_or(0);
    let servers = resolve_servers(options, port)?;
    let tls = tls_client(options, &servers)?;
    let extra_headers = extra_headers(options)?;
    let host = (!options.no_host_hdr).then(|| {
        options
            .server_name
            .clone()
            .unwrap_or_else(|| options.server.clone())
    });
    let requests = RequestFactory::new(&options.method, options.http_version, host, extra_headers);
    let uris = uri_source(options)?;
    let request_source = match &options.ammo {
        None => Requests::FromUris,
        Some(path) => {
            let file = AmmoFile::open(path, options.ammo_format, options.ammo_loop)
                .map_err(|message| fatal_about(program, ": --ammo ", message.as_bytes()))?;
            Requests::Ammo(Box::new(file))
        }
    };
    Ok(RunConfig {
        engine: EngineConfig {
            program: program.clone(),
            servers,
            socket: SocketOptions {
                send_buffer: options.send_buffer,
                recv_buffer: options.recv_buffer,
                close_with_reset: options.close_with_reset,
            },
            hog: options.hog,
            timeout_s: options.timeout_s,
            think_timeout_s: options.think_timeout_s,
            client_id: options.client_id,
            num_clients: options.num_clients,
            runtime_s: options.runtime_s,
            verbose: options.verbose,
            debug: options.debug,
            print: PrintSelection {
                request: options.print_request,
                reply: options.print_reply,
            },
            capture_cookies: options.session_cookies,
            capture_pages: options.wsesspage.is_some(),
            periodic_stats: options.periodic_stats,
            local_addrs: prechecked.local_addrs,
            tls,
        },
        workload: workload_spec(options)?,
        uris,
        request_source,
        requests,
        open_file_limit,
    })
}

/// Most addresses one `--myaddr` range may name (keeps memory bounded).
const MAX_LOCAL_RANGE: u128 = 65_536;

/// [master] `--myaddr`: every address of every `--myaddr` value, in order.
/// A value is a name, an address, or a range `first-last` of addresses.
fn local_addresses(options: &Options) -> Result<Vec<IpAddr>, Exit> {
    let program = &options.program;
    let invalid = |what: &str, value: &[u8]| fatal_about(program, what, value);
    let mut addresses = Vec::new();
    for spec in &options.myaddr {
        let Some(dash) = spec.iter().position(|&b| b == b'-') else {
            let ip = resolve(spec, 0)
                .map(|a| a.ip())
                .ok_or_else(|| invalid(": invalid starting address ", spec))?;
            addresses.push(ip);
            continue;
        };
        let (first, last) = (&spec[..dash], &spec[dash + 1..]);
        let start = resolve(first, 0)
            .map(|a| a.ip())
            .ok_or_else(|| invalid(": invalid starting address ", first))?;
        let end = resolve(last, 0)
            .map(|a| a.ip())
            .ok_or_else(|| invalid(": invalid ending address ", last))?;
        let range =
            address_range(start, end).ok_or_else(|| invalid(": invalid address list ", spec))?;
        addresses.extend(range);
    }
    Ok(addresses)
}

/// The addresses from `start` to `end` inclusive, both of one family.
fn address_range(start: IpAddr, end: IpAddr) -> Option<Vec<IpAddr>> {
    let (low, high, v4) = match (start, end) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(b)), true)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), false),
        _ => return None,
    };
    if high < low || high - low >= MAX_LOCAL_RANGE {
        return None;
    }
    Some(
        (low..=high)
            .map(|n| {
                if v4 {
                    IpAddr::V4(Ipv4Addr::from(n as u32))
                } else {
                    IpAddr::V6(Ipv6Addr::from(n))
                }
            })
            .collect(),
    )
}

fn check_http_version(options: &Options) -> Result<(), Exit> {
    let (major, minor) = options.http_version;
    HttpVersion::from_pair(major, minor)
        .map(|_| ())
        .map_err(|error| Exit::failure_line(format!("{}: {error}", options.program)))
}

fn workload_spec(options: &Options) -> Result<WorkloadSpec, Exit> {
    if let Some(log) = &options.wsesslog {
        let program = &options.program;
        let sessions = session_log::load(&log.file, log.think_time_s).map_err(|error| {
            let mut fatal = fatal_about(program, ": ", &error.message);
            if let Some(location) = error.location(log.file.as_os_str().as_bytes()) {
                let second = fatal_about(program, ": ", &location);
                fatal.message.extend_from_slice(&second.message);
            }
            fatal
        })?;
        let script = SessionScript::Log(std::rc::Rc::new(sessions));
        let count = u64::from(log.sessions);
        return Ok(WorkloadSpec::Sessions(session_spec(
            options, count, script,
        )?));
    }
    if let Some(page) = options.wsesspage {
        if !options.uri.contains(&b'/') {
            // 0.9.0's message ends without a newline.
            return Err(Exit::failure(format!(
                "{}: URI specified with --uri must be absolute",
                options.program
            )));
        }
        let script = SessionScript::Pages {
            // As with --wsess, 0 user requests still make one.
            user_requests: u64::from(page.calls_per_session).max(1),
            think_time_s: page.think_time_s,
            server: text(&options.server),
        };
        let sessions = u64::from(page.sessions);
        return Ok(WorkloadSpec::Sessions(session_spec(
            options, sessions, script,
        )?));
    }
    if options.websocket.enabled {
        let ws = &options.websocket;
        let high_watermark = options.max_connections.max(0) as u64;
        return Ok(WorkloadSpec::WebSocket(WebSocketSpec {
            num_conns: options.num_conns.max(1) as u64,
            pacing: pacing(options),
            high_watermark,
            low_watermark: ws.low_watermark.unwrap_or(high_watermark.saturating_sub(1)),
            messages: ws.messages.unwrap_or(0),
            // The parser keeps it within MAX_MESSAGE_BYTES.
            message_size: usize::try_from(ws.message_size.unwrap_or(DEFAULT_WS_MESSAGE_SIZE))
                .unwrap_or(0),
        }));
    }
    let Some(wsess) = options.wsess else {
        // A schedule or an ammo file ends the test by itself.
        let open_ended = options.schedule.is_some() || options.ammo.is_some();
        let num_conns = if open_ended && !options.num_conns_given {
            u64::MAX
        } else {
            options.num_conns.max(1) as u64
        };
        return Ok(WorkloadSpec::Requests(RequestModeSpec {
            num_conns,
            num_calls: options.num_calls.max(1) as u64,
            burst_length: options.burst_length.max(1) as u64,
            pacing: pacing(options),
            max_open_conns: options.max_connections.max(0) as u64,
        }));
    };
    let script = SessionScript::Calls {
        // 0.9.0 issues a session's first call before it compares the calls
        // done with N2, so N2 = 0 makes one call, as N2 = 1 does.
        calls: u64::from(wsess.calls_per_session).max(1),
        burst_length: options.burst_length.max(1) as u64,
        think_time_s: wsess.think_time_s,
    };
    Ok(WorkloadSpec::Sessions(session_spec(
        options,
        u64::from(wsess.sessions),
        script,
    )?))
}

/// httperf's session_init: slot and pipelining limits and their defaults.
fn session_spec(
    options: &Options,
    sessions: u64,
    script: SessionScript,
) -> Result<SessionSpec, Exit> {
    let program = &options.program;
    if options.max_connections > 4 {
        return Err(Exit::failure_line(format!(
            "{program}.session_init: --max-conns must be <= 4"
        )));
    }
    if options.max_piped_calls > 32 {
        return Err(Exit::failure_line(format!(
            "{program}.session_init: --max-piped-calls must be <= 32"
        )));
    }
    let http_1_0 = options.http_version == (1, 0);
    let max_conns = match options.max_connections {
        n if n > 0 => n as usize,
        _ => 4,
    };
    let max_piped = match options.max_piped_calls {
        n if n > 0 => n as usize,
        _ if http_1_0 => 1,
        _ => 32,
    };
    Ok(SessionSpec {
        sessions,
        script,
        pacing: pacing(options),
        think_jitter: options.think_jitter,
        seed: options.seed.unwrap_or(0),
        client_id: options.client_id,
        max_conns,
        max_piped,
        close_after_reply: http_1_0,
        failure_status: u32::try_from(options.failure_status)
            .ok()
            .filter(|&s| s > 0),
        retry_on_failure: options.retry_on_failure,
    })
}

fn pacing(options: &Options) -> Pacing {
    let (rate, client_id) = (&options.rate, options.client_id);
    if let Some(profile) = &options.schedule {
        // Only the shape of the --period distribution counts; its mean
        // follows the schedule.
        let shape = if rate.rate_per_s > 0.0 {
            rate.interarrival.clone()
        } else {
            Interarrival::Deterministic { iat_s: 0.0 }
        };
        return Pacing::Scheduled(ScheduledRate {
            profile: std::rc::Rc::new(profile.clone()),
            shape,
            seed: options.seed.unwrap_or(0),
            client_id,
        });
    }
    if rate.rate_per_s > 0.0 {
        Pacing::Rate {
            interarrival: rate.interarrival.clone(),
            client_id,
        }
    } else {
        Pacing::Sequential
    }
}

/// `--ssl`: the rustls client, built once (bad cipher lists, protocols and
/// files end the run here, after the echo line, with exit status 1).
fn tls_client(options: &Options, servers: &[SocketAddr]) -> Result<Option<TlsClient>, Exit> {
    if !options.ssl {
        return Ok(None);
    }
    let settings = TlsSettings {
        ciphers: options.ssl_ciphers.as_deref().map(text),
        protocol: options.ssl_protocol,
        verify: options.ssl_verify,
        ca_file: options.ssl_ca_file.clone(),
        ca_path: options.ssl_ca_path.clone(),
        certificate: options.ssl_certificate.clone(),
        key: options.ssl_key.clone(),
        reuse_sessions: !options.ssl_no_reuse,
        tls_server_name: options.tls_server_name.as_deref().map(text),
        server_name: options.server_name.as_deref().map(text),
    };
    let named: Vec<(String, IpAddr)> = server_names(options)?
        .iter()
        .map(|name| text(name))
        .zip(servers.iter().map(SocketAddr::ip))
        .collect();
    tls::build(&settings, &named)
        .map(Some)
        .map_err(|message| Exit::failure_line(format!("{}: {message}", options.program)))
}

/// The names given by `--server`, or each name of `--servers` (a file of
/// at most [`files::SERVERS_MAX_BYTES`]).
fn server_names(options: &Options) -> Result<Vec<Vec<u8>>, Exit> {
    Ok(match &options.servers {
        None => vec![options.server.clone()],
        Some(path) => {
            let program = &options.program;
            let bytes = files::read_limited(path, files::SERVERS_MAX_BYTES)
                .map_err(|error| fatal_about(program, ": ", &error.message(path, "--servers")))?;
            let names: Vec<Vec<u8>> = bytes
                .split(|&byte| byte == 0 || byte == b'\n')
                .filter(|name| !name.is_empty())
                .map(<[u8]>::to_vec)
                .collect();
            if names.is_empty() {
                let name = path.as_os_str().as_bytes();
                let message = [name, b" does not contain any server names"].concat();
                return Err(fatal_about(program, ": ", &message));
            }
            names
        }
    })
}

/// Resolves `--server` (or each name of `--servers`) once. IPv4 answers are
/// preferred, as httperf only knew IPv4; IPv6 is used when it is all there is.
fn resolve_servers(options: &Options, port: u16) -> Result<Vec<SocketAddr>, Exit> {
    server_names(options)?
        .iter()
        .map(|name| {
            resolve(name, port).ok_or_else(|| {
                let message = [b"invalid server address ".as_slice(), name].concat();
                fatal_about(&options.program, ".core_addr_intern: ", &message)
            })
        })
        .collect()
}

/// The address of a host name or literal; a name that is not UTF-8 names no host.
fn resolve(name: &[u8], port: u16) -> Option<SocketAddr> {
    if let Some(ip) = numeric_ipv4_before_space(name) {
        return Some(SocketAddr::new(IpAddr::V4(ip), port));
    }
    let name = std::str::from_utf8(name).ok()?;
    let host = match name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        // Brackets hold an IPv6 literal only: `[127.0.0.1]` is refused, as
        // 0.9.0's resolver refuses it.
        Some(inner) if inner.contains(':') => inner,
        Some(_) => return None,
        None => name,
    };
    let addresses: Vec<SocketAddr> = (host, port).to_socket_addrs().ok()?.collect();
    addresses
        .iter()
        .find(|address| address.is_ipv4())
        .or_else(|| addresses.first())
        .copied()
}

/// An IPv4 literal followed by white space (and anything after it), which
/// httperf's resolver (the C library's inet_aton) accepts and getaddrinfo
/// does not: `--server='127.0.0.1 '` as a script may build it. The literal
/// has inet_aton's forms: one to four dot-separated numbers, each decimal,
/// octal (leading 0) or hexadecimal (0x), the last filling the bytes left.
fn numeric_ipv4_before_space(name: &[u8]) -> Option<Ipv4Addr> {
    let space = name.iter().position(|&b| is_space(b))?;
    let literal = &name[..space];
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    for part in literal.split(|&b| b == b'.') {
        // Each number is strtoul's base-0 form, starting with a digit and
        // filling its part.
        let number = strtoul(part, 0);
        if !part.first().is_some_and(u8::is_ascii_digit)
            || number.end != part.len()
            || number.value > u64::from(u32::MAX)
            || parts.len() == 4
        {
            return None;
        }
        parts.push(number.value);
    }
    let (last, leading) = parts.split_last()?;
    if leading.iter().any(|&part| part > 0xff) || *last >= 1u64 << (8 * (4 - leading.len())) {
        return None;
    }
    let address = leading
        .iter()
        .enumerate()
        .fold(*last, |address, (i, &part)| address | part << (24 - 8 * i));
    u32::try_from(address).ok().map(Ipv4Addr::from)
}

fn extra_headers(options: &Options) -> Result<Vec<Vec<u8>>, Exit> {
    let mut blocks = Vec::new();
    if let Some(raw) = &options.add_header {
        let unescaped = unescape_add_header(raw);
        for &escape in &unescaped.unknown_escapes {
            output::eprint_line(&unknown_escape_warning(&options.program, escape));
        }
        blocks.push(unescaped.bytes);
    }
    if let Some(path) = &options.add_header_file {
        match files::read_limited(path, files::ADD_HEADER_FILE_MAX_BYTES) {
            Ok(bytes) => blocks.push(bytes),
            // master only warns and carries on without the file's headers.
            Err(ReadError::Unreadable(_)) => {
                eprintln!("{}: failed to open header file", options.program);
            }
            // A device or a file too large to be a header is a mistake, not
            // a missing file: refuse it.
            Err(error) => {
                let message = error.message(path, "--add-header-file");
                return Err(fatal_about(&options.program, ": ", &message));
            }
        }
    }
    Ok(blocks)
}

fn uri_source(options: &Options) -> Result<UriSource, Exit> {
    let program = &options.program;
    if let Some(log) = options.chosen_uri_log() {
        let log = UriLog::load(&log.file, log.wrap)
            .map_err(|message| fatal_about(program, ": ", &message))?;
        return Ok(UriSource::Log(log));
    }
    if let Some(set) = &options.wset {
        let set = WorkingSet::new(
            &options.uri,
            set.files,
            set.miss_rate,
            options.client_id,
            options.num_clients,
        )
        .map_err(|message| Exit::failure_line(format!("{program}.{message}")))?;
        return Ok(UriSource::WorkingSet(set));
    }
    Ok(UriSource::Fixed(options.uri.clone()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ipv4_literal_may_be_followed_by_white_space_as_inet_aton_allows() {
        let ip = |name: &[u8]| numeric_ipv4_before_space(name).map(|ip| ip.to_string());
        assert_eq!(ip(b"127.0.0.1 ").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"127.0.0.1\t").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"127.0.0.1\n").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"127.0.0.1\x0b").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"127.0.0.1 foo").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"127.1 ").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"0x7f.1 ").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"0177.0.0.01 ").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"2130706433 ").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(b"10.0.65535 ").as_deref(), Some("10.0.255.255"));
        assert_eq!(ip(b"0xFFFFFFFF ").as_deref(), Some("255.255.255.255"));
        assert_eq!(ip(b"00 ").as_deref(), Some("0.0.0.0"));
        // Without white space, getaddrinfo decides as before.
        assert_eq!(ip(b"127.0.0.1"), None);
        // Not literals inet_aton takes.
        for bad in [
            &b" 127.0.0.1"[..],
            b"localhost ",
            b"127.0.0.256 ",
            b"1.2.3.4.5 ",
            b"10.0.65536 ",
            b"4294967296 ",
            b"08.0.0.1 ",
            b"1..2 ",
            b"1.2.3. ",
            b"x1 ",
            b"0x ",
            b"0x.1 ",
            b"0x1g ",
            b"0x100000000 ",
        ] {
            assert_eq!(ip(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    use super::*;

    #[test]
    fn local_address_ranges_expand_in_order() {
        let mut options = Options::defaults("httperf");
        options.myaddr = vec!["127.0.0.2-127.0.0.4".into(), "127.0.0.9".into()];
        let expected: Vec<IpAddr> = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9"]
            .iter()
            .map(|a| a.parse().expect("ip"))
            .collect();
        assert_eq!(local_addresses(&options), Ok(expected));
        options.myaddr = vec!["127.0.0.4-127.0.0.2".into()];
        assert_eq!(
            local_addresses(&options).expect_err("reversed").message,
            b"httperf: invalid address list 127.0.0.4-127.0.0.2\n"
        );
        options.myaddr = vec!["127.0.0.1-nonsense.invalid".into()];
        assert_eq!(
            local_addresses(&options).expect_err("bad end").message,
            b"httperf: invalid ending address nonsense.invalid\n"
        );
        options.myaddr = vec!["10.0.0.0-10.255.255.255".into()];
        assert!(local_addresses(&options).is_err(), "too large a range");
    }

    #[test]
    fn counts_that_would_hang_httperf_are_refused() {
        let mut options = Options::defaults("httperf");
        options.num_conns = 0;
        assert!(check_before_start(&options).is_err());
        options.num_conns = 1;
        options.num_calls = -1;
        assert!(check_before_start(&options).is_err());
    }

    #[test]
    fn other_http_versions_fail_like_httperf() {
        let mut options = Options::defaults("httperf");
        options.http_version = (2, 0);
        assert_eq!(
            check_http_version(&options).expect_err("refused").message,
            b"httperf: unexpected version code 20000\n"
        );
    }

    #[test]
    fn a_page_uri_without_a_slash_is_refused_without_a_newline_as_in_0_9_0() {
        let mut options = Options::defaults("httperf");
        options.uri = b"page.html".to_vec();
        options.wsesspage = Some(crate::config::options::SessionSpec {
            sessions: 1,
            calls_per_session: 1,
            think_time_s: 0.0,
        });
        let Err(refused) = workload_spec(&options) else {
            panic!("a relative --uri was accepted");
        };
        assert_eq!(
            refused.message,
            b"httperf: URI specified with --uri must be absolute"
        );
        assert_eq!(refused.status, 1);
    }

    #[test]
    fn resolution_prefers_ipv4_and_accepts_ipv6_literals() {
        assert_eq!(
            resolve(b"127.0.0.1", 80),
            Some("127.0.0.1:80".parse().expect("addr"))
        );
        assert_eq!(resolve(b"::1", 81), Some("[::1]:81".parse().expect("addr")));
        assert_eq!(
            resolve(b"[::1]", 81),
            Some("[::1]:81".parse().expect("addr"))
        );
        assert_eq!(resolve(b"no.such.host.invalid", 80), None);
        assert_eq!(resolve(b"[127.0.0.1]", 80), None);
    }
}
