//! The parameter echo line httperf prints first: a fixed order of items, each
//! shown only under its own condition, with C `%g`/`%.3f`/`%d`/`%u` formatting
//! of the values as stored. Items of master-only options appear only when
//! those options were given, so 0.9.0 command lines echo exactly as before.
//! Text values and file names are echoed as the bytes given.

use std::io::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::options::{Interarrival, Options, PrintParts};
use crate::c::printf::g;

/// glibc `%.3f`, keeping the sign of a NaN the way glibc prints it (`nan` for
/// what `strtod("nan")` returns, `-nan` for `-nan`).
fn fixed3(value: f64) -> String {
    if value.is_nan() {
        if value.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        }
        .to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{value:.3}")
    }
}

fn print_parts(line: &mut Vec<u8>, option: &str, parts: Option<PrintParts>) {
    match parts {
        None => {}
        Some(PrintParts::HeaderAndBody) => {
            let _ = write!(line, " --{option}");
        }
        Some(PrintParts::Header) => {
            let _ = write!(line, " --{option}=header");
        }
        Some(PrintParts::Body) => {
            let _ = write!(line, " --{option}=body");
        }
    }
}

fn path_item(line: &mut Vec<u8>, option: &str, path: Option<&Path>) {
    if let Some(path) = path {
        bytes_item(line, option, path.as_os_str().as_bytes());
    }
}

/// ` --option=VALUE`, VALUE as given.
fn bytes_item(line: &mut Vec<u8>, option: &str, value: &[u8]) {
    let _ = write!(line, " --{option}=");
    line.extend_from_slice(value);
}

/// The parameter echo line (without the trailing newline).
pub fn echo_line(o: &Options) -> Vec<u8> {
    let mut line = o.program.clone().into_bytes();
    let l = &mut line;
    if o.verbose > 0 {
        l.extend_from_slice(b" --verbose");
    }
    print_parts(l, "print-reply", o.print_reply);
    print_parts(l, "print-request", o.print_request);
    if o.hog {
        l.extend_from_slice(b" --hog");
    }
    if o.close_with_reset {
        l.extend_from_slice(b" --close-with-reset");
    }
    if o.think_timeout_s > 0.0 {
        let _ = write!(l, " --think-timeout={}", g(o.think_timeout_s));
    }
    if o.timeout_s > 0.0 {
        let _ = write!(l, " --timeout={}", g(o.timeout_s));
    }
    if o.runtime_s > 0.0 {
        let _ = write!(l, " --runtime={}", g(o.runtime_s));
    }
    let _ = write!(l, " --client={}/{}", o.client_id, o.num_clients);
    if o.servers.is_none() {
        bytes_item(l, "server", &o.server);
    }
    if let Some(name) = &o.server_name {
        bytes_item(l, "server_name", name);
    }
    path_item(l, "servers", o.servers.as_deref());
    let port = o.effective_port();
    if port != 0 {
        let _ = write!(l, " --port={port}");
    }
    bytes_item(l, "uri", &o.uri);
    if o.failure_status != 0 {
        let _ = write!(l, " --failure-status={}", o.failure_status as u32);
    }
    if o.http_version != (1, 1) {
        let _ = write!(
            l,
            " --http-version={}.{}",
            o.http_version.0, o.http_version.1
        );
    }
    if o.max_connections != 0 {
        let _ = write!(l, " --max-connections={}", o.max_connections as u32);
    }
    if o.max_piped_calls != 0 {
        let _ = write!(l, " --max-piped-calls={}", o.max_piped_calls as u32);
    }
    if o.rate.rate_per_s > 0.0 {
        match &o.rate.interarrival {
            Interarrival::Deterministic { .. } => {
                let _ = write!(l, " --rate={}", g(o.rate.rate_per_s));
            }
            Interarrival::Uniform { min_s, max_s } => {
                let _ = write!(l, " --period=u{},{}", g(*min_s), g(*max_s));
            }
            Interarrival::Exponential { mean_s } => {
                let _ = write!(l, " --period=e{}", g(*mean_s));
            }
            Interarrival::Variable { phases } => {
                let pairs: Vec<String> = phases
                    .iter()
                    .map(|(iat, duration)| format!("{},{}", g(*iat), g(*duration)))
                    .collect();
                let _ = write!(l, " --period=v{}", pairs.join(","));
            }
        }
    }
    let _ = write!(l, " --send-buffer={}", o.send_buffer);
    if o.retry_on_failure {
        l.extend_from_slice(b" --retry-on-failure");
    }
    let _ = write!(l, " --recv-buffer={}", o.recv_buffer);
    if o.session_cookies {
        l.extend_from_slice(b" --session-cookies");
    }
    if o.ssl {
        l.extend_from_slice(b" --ssl");
    }
    if let Some(ciphers) = &o.ssl_ciphers {
        bytes_item(l, "ssl-ciphers", ciphers);
    }
    if let Some(name) = &o.tls_server_name {
        bytes_item(l, "tls-server-name", name);
    }
    if o.ssl_no_reuse {
        l.extend_from_slice(b" --ssl-no-reuse");
    }
    // Master spells this item --ssl-cert although the option is
    // --ssl-certificate.
    path_item(l, "ssl-cert", o.ssl_certificate.as_deref());
    path_item(l, "ssl-key", o.ssl_key.as_deref());
    path_item(l, "ssl-ca-file", o.ssl_ca_file.as_deref());
    path_item(l, "ssl-ca-path", o.ssl_ca_path.as_deref());
    if o.ssl_verify {
        l.extend_from_slice(b" --ssl-verify");
    }
    if let Some(protocol) = o.ssl_protocol {
        let _ = write!(l, " --ssl-protocol={}", protocol.name());
    }
    if let Some(header) = &o.add_header {
        // The raw option text, quotes inside it left alone.
        quoted_item(l, "add-header", header);
    }
    if let Some(file) = &o.add_header_file {
        quoted_item(l, "add-header-file", file.as_os_str().as_bytes());
    }
    if o.method_given {
        bytes_item(l, "method", &o.method);
    }
    if o.use_timer_cache {
        l.extend_from_slice(b" --use-timer-cache");
    }
    workload(l, o);
    if o.periodic_stats {
        l.extend_from_slice(b" --periodic-stats");
    }
    line
}

/// ` --option='VALUE'`, VALUE as given.
fn quoted_item(line: &mut Vec<u8>, option: &str, value: &[u8]) {
    let _ = write!(line, " --{option}='");
    line.extend_from_slice(value);
    line.push(b'\'');
}

/// Item 29 of docs/behaviour.md#echo-line: exactly one workload description.
fn workload(l: &mut Vec<u8>, o: &Options) {
    if let Some(log) = o.wsesslog.as_ref().filter(|s| s.sessions != 0) {
        let _ = write!(
            l,
            " --wsesslog={},{},",
            log.sessions,
            fixed3(log.think_time_s),
        );
        l.extend_from_slice(log.file.as_os_str().as_bytes());
        return;
    }
    if let Some(page) = o.wsesspage.as_ref().filter(|s| s.sessions != 0) {
        let _ = write!(
            l,
            " --wsesspage={},{},{}",
            page.sessions,
            page.calls_per_session,
            fixed3(page.think_time_s)
        );
        return;
    }
    if let Some(sess) = o.wsess.as_ref().filter(|s| s.sessions != 0) {
        let _ = write!(
            l,
            " --wsess={},{},{}",
            sess.sessions,
            sess.calls_per_session,
            fixed3(sess.think_time_s)
        );
    } else {
        if o.num_conns != 0 {
            let _ = write!(l, " --num-conns={}", o.num_conns);
        }
        if o.num_calls != 0 {
            let _ = write!(l, " --num-calls={}", o.num_calls);
        }
    }
    if o.burst_length != 1 {
        let _ = write!(l, " --burst-length={}", o.burst_length);
    }
    if let Some(wset) = o.wset.as_ref().filter(|w| w.files != 0) {
        let _ = write!(l, " --wset={},{}", wset.files, fixed3(wset.miss_rate));
    }
    // httperf-rs's --websocket options, only when given.
    let ws = &o.websocket;
    if ws.enabled {
        let _ = write!(l, " --websocket");
    }
    if let Some(n) = ws.messages {
        let _ = write!(l, " --ws-messages={n}");
    }
    if let Some(n) = ws.message_size {
        let _ = write!(l, " --ws-message-size={n}");
    }
    if let Some(n) = ws.low_watermark {
        let _ = write!(l, " --ws-low-watermark={n}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed3_keeps_the_c_spelling_of_special_values() {
        assert_eq!(fixed3(0.25), "0.250");
        assert_eq!(fixed3(-0.0), "-0.000");
        assert_eq!(fixed3(f64::NAN), "nan");
        assert_eq!(fixed3(-f64::NAN), "-nan");
        assert_eq!(fixed3(f64::INFINITY), "inf");
        assert_eq!(fixed3(0.0005), "0.001");
        assert_eq!(fixed3(0.0015), "0.002");
    }
}
