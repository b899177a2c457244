//! The option table: every option httperf-rs accepts, each in one entry that
//! holds its clap definition (name, short letter, value name, help text — the
//! source of `--help`, the man page and the getopt table) together with what
//! it does to the parse state. Adding an option is adding one entry here
//! (see the README's "Adding an option" checklist).
//!
//! One responsibility that needs the length: the table is long because
//! httperf has fifty-odd options and each one's help text sits beside its
//! effect; splitting it would separate an option's parts again.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ValueHint};

use super::values::{self, SessionOption};
use super::{check, completions, help_text, require, version_line, Exit, Parsed, State};
use crate::config::scale;
use crate::results::{histograms, JsonTarget};
use crate::workload::ammo::AmmoFormat;
use crate::workload::rate::ThinkJitter;
use crate::workload::schedule::RateProfile;

/// What an option does once the scanner found it: update the parse state,
/// or end parsing early with `Ok(Some(_))` (`--help`).
pub(super) type Apply = fn(&mut State, &Value) -> Result<Option<Parsed>, Exit>;

/// One option: its clap definition and its effect.
pub(super) struct OptionDef {
    pub(super) arg: Arg,
    pub(super) apply: Apply,
}

fn option(arg: Arg, apply: Apply) -> OptionDef {
    OptionDef { arg, apply }
}

/// An option's value as given. Text values and file names are kept as the
/// bytes given. Numbers and keywords are parsed from the value's lossy UTF-8
/// text: a byte that is not UTF-8 ends a number just as any other stray byte
/// does, and only shows as U+FFFD in the diagnostic.
pub(super) struct Value {
    /// The bytes given; empty when the option has no value.
    raw: Vec<u8>,
    /// The value as text, `None` when none was given.
    given: Option<String>,
}

impl Value {
    pub(super) fn new(value: Option<OsString>) -> Value {
        let raw = value.map(OsString::into_vec);
        let given = raw
            .as_deref()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        Value {
            raw: raw.unwrap_or_default(),
            given,
        }
    }

    /// The value as text, empty when none was given.
    fn text(&self) -> &str {
        self.given.as_deref().unwrap_or("")
    }

    fn path(&self) -> PathBuf {
        values::path_from_bytes(&self.raw)
    }
}

fn flag(name: &'static str, help: &'static str, long_help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .action(ArgAction::SetTrue)
        .help(help)
        .long_help(long_help)
}

fn valued(
    name: &'static str,
    value_name: &'static str,
    help: &'static str,
    long_help: &'static str,
) -> Arg {
    Arg::new(name)
        .long(name)
        .action(ArgAction::Set)
        .num_args(1)
        .value_name(value_name)
        .help(help)
        .long_help(long_help)
}

fn optional_valued(
    name: &'static str,
    value_name: &'static str,
    help: &'static str,
    long_help: &'static str,
) -> Arg {
    valued(name, value_name, help, long_help)
        .num_args(0..=1)
        .require_equals(true)
}

/// Every option, in the option-table order of upstream master (the order
/// getopt lists ambiguous candidates in), then httperf-rs's own options. An
/// abbreviation reaches one of those only when it matches no httperf option
/// (`Scanner::own_options_from`), so they change no existing abbreviation or
/// ambiguity message.
pub(super) fn definitions() -> Vec<OptionDef> {
    vec![
        option(
            valued(
                "add-header",
                "S",
                "Add S to the header of every request",
                "Append S to the header of every request. S must carry its own line \
                 terminators, written as escape sequences: \\n (carriage return and line \
                 feed), \\r (carriage return), \\a (line feed), \\\\ (backslash) and \\NNN \
                 (octal character code). Example: --add-header='Referer: foo\\nAuth: \
                 secret\\n' adds two header lines. Only the last occurrence counts.",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.add_header = Some(raw.clone());
                Ok(None)
            },
        ),
        option(
            valued(
                "add-header-file",
                "FILE",
                "Add the contents of FILE to the header of every request",
                "Append the bytes of FILE, unchanged, to the header of every request, \
                 after any --add-header text. The file must contain complete header \
                 lines. If it cannot be opened, a warning is printed and the test runs \
                 without it; a file larger than 1 MiB, or one that is not a regular file \
                 or a pipe (a device such as /dev/zero), ends the run with a message. \
                 (Upstream master option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.add_header_file = Some(v.path());
                Ok(None)
            },
        ),
        option(
            valued(
                "burst-length",
                "N",
                "Issue calls in bursts of N (default 1)",
                "Group calls into bursts of N calls (N >= 1, default 1). In \
                 request-oriented tests the --num-calls calls of each connection are \
                 sent as pipelined bursts of N. With --wsess, each burst sends one call, \
                 waits for its reply, then sends the other N-1 calls together.",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg).filter(|&n| n >= 1);
                st.options.burst_length = require(st, n, format!("illegal burst-length {arg}"))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "client",
                "I/N",
                "Run as client I of N clients (default 0/1)",
                "Declare this process to be client I of N (0 <= I < N, default 0/1) in \
                 a test driven from several machines. I seeds the random inter-arrival \
                 times of --period=u and --period=e; I and N spread the --wset walks and \
                 the reply-rate sampling times over the clients. Both numbers may be \
                 written in decimal, octal (leading 0) or hexadecimal (leading 0x). \
                 httperf-rs: auto or auto/N takes I (and N) from the job's environment, \
                 SLURM_PROCID and SLURM_NTASKS under Slurm, JOB_COMPLETION_INDEX and \
                 HTTPERF_RS_CLIENTS in a Kubernetes Indexed Job; see SCALING OUT.",
            ),
            |st, v| {
                let arg = v.text();
                let from_env = scale::client_from_env(arg, |name| std::env::var(name).ok());
                (st.options.client_id, st.options.num_clients) = match from_env {
                    Some(result) => check(st, result)?,
                    None => check(st, values::parse_client(arg))?,
                };
                Ok(None)
            },
        ),
        option(
            flag(
                "close-with-reset",
                "Close connections with a TCP RST",
                "Close each connection by sending a TCP reset instead of the normal \
                 FIN handshake. This avoids TIME_WAIT sockets on the client but can \
                 confuse the server and distort results; use it only when you know why \
                 you need it.",
            ),
            |st, _| {
                st.options.close_with_reset = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "debug",
                "N",
                "Set the debug level to N (traces on stderr)",
                "Set the debug level to N, a decimal number, as a DEBUG build of \
                 httperf takes it. Above 0, connection events (connecting, bytes \
                 written and read, timeouts, closes) are traced on standard error, \
                 where they cannot disturb the report; the trace format is not \
                 httperf's and may change.",
            )
            .short('d'),
            |st, v| {
                let arg = v.text();
                // httperf-rs has debug traces, so it parses the level as a DEBUG
                // build of httperf does instead of printing 0.9.0's "sorry".
                let n = values::ul10_int(arg).filter(|&n| n >= 0);
                st.options.debug = require(st, n, format!("illegal debug level {arg}"))? as u32;
                Ok(None)
            },
        ),
        option(
            valued(
                "failure-status",
                "N",
                "Treat replies with status N as failures (sessions only)",
                "Treat a reply whose status code is N (N > 0) as a failed call: the \
                 session it belongs to fails, or the call is retried with \
                 --retry-on-failure. The reply is still counted normally in the reply \
                 statistics. Only session workloads (--wsess, --wsesslog, --wsesspage) \
                 use it.",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg).filter(|&n| n > 0);
                st.options.failure_status =
                    require(st, n, format!("illegal failure status {arg}"))?;
                Ok(None)
            },
        ),
        option(
            flag(
                "help",
                "Print this help and exit",
                "Print the usage summary and this description of every option, then \
                 exit with status 0. Options after it are not looked at.",
            )
            .short('h'),
            |st, _| {
                let mut out = String::new();
                for _ in 0..st.options.version_lines {
                    out.push_str(&version_line(&st.options.program));
                    out.push('\n');
                }
                out.push_str(&help_text(&st.options.program));
                Ok(Some(Parsed::Help(out)))
            },
        ),
        option(
            flag(
                "hog",
                "Use any local port, not just the ephemeral range",
                "Bind each connection to a local port that httperf picks itself from \
                 1024-65535, instead of leaving the choice to the kernel's ephemeral \
                 range, so that long or fast tests do not run out of ports. Recommended \
                 for serious testing.",
            ),
            |st, _| {
                st.options.hog = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "http-version",
                "S",
                "Send requests as HTTP/S (1.0 or 1.1, default 1.1)",
                "HTTP version written in every request line: 1.1 (the default) or 1.0. \
                 With 1.0, each request also carries Connection: keep-alive, and \
                 sessions close a connection after every reply. Other versions are \
                 accepted here, but the first request then aborts the test.",
            ),
            |st, v| {
                let arg = v.text();
                st.options.http_version = check(st, values::parse_http_version(arg))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "max-connections",
                "N",
                "Keep at most N connections open (per session: default 4, max 4)",
                "Maximum number of connections open at once. In session workloads it \
                 counts per session (default 4, at most 4); in request mode it counts \
                 for the whole test (default: no limit), and a connection the rate \
                 calls for while N are open is opened when one of them closes.",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg).filter(|&n| n >= 0);
                st.options.max_connections =
                    require(st, n, format!("illegal max. # of connection {arg}"))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "max-piped-calls",
                "N",
                "Pipeline at most N calls per connection (sessions; default 32)",
                "Maximum number of calls that may be outstanding on one connection of \
                 a session (default 32, or 1 with --http-version=1.0; at most 32). Only \
                 session workloads use it.",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg).filter(|&n| n >= 0);
                st.options.max_piped_calls =
                    require(st, n, format!("illegal max. # of piped calls {arg}"))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "method",
                "S",
                "Use request method S (default GET)",
                "Request method written in every request line (default GET). Any text \
                 is accepted, e.g. HEAD, POST or PUT.",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.method = raw.clone();
                st.options.method_given = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "myaddr",
                "S",
                "Use local address S for connections (repeatable)",
                "Local source address for outgoing connections: a host name, a dotted \
                 quad, or a range a.b.c.d-e.f.g.h. May be given several times; \
                 connections take the addresses round robin. (Upstream master option.)",
            )
            .action(ArgAction::Append)
            .value_hint(ValueHint::Hostname),
            |st, v| {
                let raw = &v.raw;
                st.options.myaddr.push(raw.clone());
                Ok(None)
            },
        ),
        option(
            flag(
                "no-host-hdr",
                "Do not send a Host header",
                "Leave the Host header out of every request.",
            ),
            |st, _| {
                st.options.no_host_hdr = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "num-calls",
                "N",
                "Send N calls per connection (default 1)",
                "Number of calls (requests) issued on each connection before it is \
                 closed, in bursts of --burst-length (default 1). More than 1 requires a \
                 server with persistent connections. Request-oriented tests only.",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg);
                st.options.num_calls = require(st, n, format!("illegal number of calls {arg}"))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "num-conns",
                "N",
                "Open N connections in total (default 1)",
                "Total number of connections to create (default 1). The test ends when \
                 all of them have completed or failed. Request-oriented tests only.",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg);
                st.options.num_conns =
                    require(st, n, format!("illegal number of connections {arg}"))?;
                st.options.num_conns_given = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "period",
                "[d|u|e]T1[,T2]|vT1,D1[,T2,D2...]",
                "Set the time between new connections or sessions",
                "Time in seconds between the start of two connections (or sessions, \
                 with a session workload); an alternative to --rate. dT1 or T1: fixed \
                 interval T1 (--period=0.2 is --rate=5). eT1: exponentially distributed \
                 with mean T1. uT1,T2: uniformly distributed over [T1,T2). vT1,D1,T2,D2,...: \
                 interval T1 for D1 seconds, then T2 for D2 seconds, and so on, cycling \
                 (at most 16 pairs; upstream master extension). A mean of 0 (the default) \
                 starts each connection or session when the previous one ends. The \
                 random sequences repeat exactly for the same --period and --client.",
            ),
            |st, v| {
                let arg = v.text();
                st.options.rate = check(st, values::parse_period(arg))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "port",
                "N",
                "Connect to port N (default 80, or 443 with --ssl)",
                "Server port (0 to 65535; default 80, or 443 with --ssl).",
            ),
            |st, v| {
                let arg = v.text();
                // The range check looks at the value as a 32-bit unsigned number,
                // so huge values wrap (4294967376 is port 80).
                let port = values::ul10(arg).map(|v| v as u32).filter(|&v| v <= 65535);
                st.options.port = require(st, port, format!("illegal port number {arg}"))? as i32;
                st.options.port_given = true;
                Ok(None)
            },
        ),
        option(
            optional_valued(
                "print-reply",
                "header|body",
                "Print replies (header, body or both) to stdout",
                "Print every reply on standard output: header lines prefixed with RH, \
                 body lines with RB, and a size summary with RS, each followed by the \
                 call's serial number and a colon. With =header (or any value starting \
                 with h) only headers are printed, with =body (or b...) only bodies. \
                 The value must be attached with an equals sign.",
            ),
            |st, v| {
                let given = v.given.as_deref();
                st.options.print_reply = Some(values::parse_print_parts(given));
                Ok(None)
            },
        ),
        option(
            optional_valued(
                "print-request",
                "header|body",
                "Print requests (header, body or both) to stdout",
                "Print every request on standard output: header lines prefixed with SH, \
                 body lines with SB, and a size summary with SS, each followed by the \
                 call's serial number and a colon. With =header (or h...) only headers \
                 are printed, with =body (or b...) only bodies. The value must be \
                 attached with an equals sign.",
            ),
            |st, v| {
                let given = v.given.as_deref();
                st.options.print_request = Some(values::parse_print_parts(given));
                Ok(None)
            },
        ),
        option(
            valued(
                "rate",
                "X",
                "Start X connections or sessions per second",
                "Start connections (or sessions, with a session workload) at a fixed \
                 rate of X per second. 0 (the default) starts each one when the \
                 previous one ends.",
            ),
            |st, v| {
                let arg = v.text();
                st.options.rate = check(st, values::parse_rate(arg))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "recv-buffer",
                "N",
                "Set the socket receive buffer to N bytes (default 16384)",
                "Size in bytes requested for each socket's receive buffer (default \
                 16384).",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg);
                st.options.recv_buffer =
                    require(st, n, format!("illegal receive buffer size {arg}"))?;
                Ok(None)
            },
        ),
        option(
            flag(
                "retry-on-failure",
                "Retry failed calls (up to 16 times) instead of failing the session",
                "In session workloads, re-issue a call whose reply has the \
                 --failure-status code, and reopen a connection that fails before its \
                 first reply, instead of failing the session. A call is re-issued, and \
                 a connection reopened, at most 16 times in a row; then the session \
                 fails, so the test ends even against a server that keeps failing.",
            ),
            |st, _| {
                st.options.retry_on_failure = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "runtime",
                "X",
                "End the test after X seconds",
                "Stop the test after X seconds (X > 0), even if connections or sessions \
                 remain to be created. (Upstream master option.)",
            ),
            |st, v| {
                let arg = v.text();
                st.options.runtime_s = check(st, values::parse_runtime(arg))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "send-buffer",
                "N",
                "Set the socket send buffer to N bytes (default 4096)",
                "Size in bytes requested for each socket's send buffer (default 4096).",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::ul10_int(arg);
                st.options.send_buffer = require(st, n, format!("illegal send buffer size {arg}"))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "server",
                "S",
                "Connect to host S (default localhost)",
                "Host name, IPv4 address or IPv6 address (such as ::1, brackets \
                 optional) of the server (default localhost); a name with both kinds of \
                 address is reached over IPv4. It is also the Host header value unless \
                 --server-name is given. Cannot be combined with --servers.",
            )
            .value_hint(ValueHint::Hostname),
            |st, v| {
                let raw = &v.raw;
                st.options.server = raw.clone();
                st.server_given = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "server-name",
                "S",
                "Send S as the Host header",
                "Value of the Host header (default: the --server value).",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.server_name = Some(raw.clone());
                Ok(None)
            },
        ),
        option(
            valued(
                "servers",
                "FILE",
                "Connect round robin to the hosts listed in FILE",
                "Read server host names from FILE (separated by NUL bytes) and open \
                 connections to them in turn, all on the same port. FILE must be a \
                 regular file or a pipe of at most 1 MiB. Cannot be combined with \
                 --server. (Upstream master option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.servers = Some(v.path());
                Ok(None)
            },
        ),
        option(
            valued(
                "uri",
                "S",
                "Request URI S (default /)",
                "URI path requested (default /). With --wset it is the prefix of the \
                 generated URIs; with --wsesspage, the page to start from.",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.uri = raw.clone();
                Ok(None)
            },
        ),
        option(
            flag(
                "session-cookies",
                "Keep one cookie per session",
                "Remember the last Set-Cookie value received by each session and send \
                 it back in a Cookie header on that session's later requests. Requires \
                 a session workload.",
            ),
            |st, _| {
                st.options.session_cookies = true;
                Ok(None)
            },
        ),
        option(
            flag(
                "ssl",
                "Talk to the server over SSL/TLS",
                "Use TLS (TLS 1.2 or 1.3, through rustls) on every connection; the default \
                 port becomes 443. The server name is sent (SNI) unless the server is an IP \
                 address, and the server's certificate is not verified unless --ssl-verify \
                 asks for it. A failed handshake is counted as an error of that connection \
                 (`other`, or `connreset` for an end of stream) and the test goes on.",
            ),
            |st, _| {
                st.options.ssl = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "ssl-ciphers",
                "L",
                "Offer only the cipher suites in list L",
                "Cipher suites offered to the server, as an OpenSSL-style list separated by \
                 colons (OpenSSL or IANA names, ALL, DEFAULT, HIGH, !name). Suites rustls does \
                 not have are skipped; a list that selects none is an error naming the \
                 supported ones. TLS 1.3 suites stay on unless the list names some.",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.ssl_ciphers = Some(raw.clone());
                Ok(None)
            },
        ),
        option(
            valued(
                "tls-server-name",
                "S",
                "Send S as the TLS server name (SNI)",
                "Server name sent in the TLS handshake (SNI). (Upstream master option.)",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.tls_server_name = Some(raw.clone());
                Ok(None)
            },
        ),
        option(
            flag(
                "ssl-no-reuse",
                "Do not resume TLS sessions",
                "Perform a full TLS handshake on every connection. By default a connection \
                 resumes an earlier TLS session with the same server (session tickets or \
                 ids), in every workload.",
            ),
            |st, _| {
                st.options.ssl_no_reuse = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "ssl-certificate",
                "FILE",
                "Use the client certificate in FILE (PEM)",
                "Client certificate to present, in PEM format: a regular file or a pipe \
                 of at most 4 MiB. (Upstream master option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.ssl_certificate = Some(v.path());
                Ok(None)
            },
        ),
        option(
            valued(
                "ssl-key",
                "FILE",
                "Use the client private key in FILE (PEM)",
                "Private key of the client certificate, in PEM format: a regular file or \
                 a pipe of at most 4 MiB. (Upstream master option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.ssl_key = Some(v.path());
                Ok(None)
            },
        ),
        option(
            optional_valued(
                "ssl-verify",
                "yes|no",
                "Verify the server's certificate",
                "Verify the server's certificate chain (no value means yes). The value \
                 must be attached with an equals sign. (Upstream master option.)",
            )
            .value_parser(["yes", "no"])
            .ignore_case(true),
            |st, v| {
                let given = v.given.as_deref();
                st.options.ssl_verify = check(st, values::parse_ssl_verify(given))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "ssl-ca-file",
                "FILE",
                "Trust the CA certificates in FILE",
                "File of trusted CA certificates (PEM) for --ssl-verify: a regular file \
                 or a pipe of at most 4 MiB. A server certificate identical to one of \
                 them is trusted as it is, names and dates unchecked, as OpenSSL does (so \
                 a self-signed test certificate works); the server still has to prove it \
                 holds its key. (Upstream master option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.ssl_ca_file = Some(v.path());
                Ok(None)
            },
        ),
        option(
            valued(
                "ssl-ca-path",
                "DIR",
                "Trust the CA certificates in directory DIR",
                "Directory of trusted CA certificates (OpenSSL hashed names) for \
                 --ssl-verify; a server certificate identical to one of them is trusted \
                 as with --ssl-ca-file. (Upstream master option.)",
            )
            .value_hint(ValueHint::DirPath),
            |st, v| {
                st.options.ssl_ca_path = Some(v.path());
                Ok(None)
            },
        ),
        option(
            valued(
                "ssl-protocol",
                "S",
                "Use protocol S (auto, TLSv1.2 or TLSv1.3); implies --ssl",
                "TLS protocol version to use: auto (TLSv1.3 or TLSv1.2), TLSv1.2 or \
                 TLSv1.3; an underscore may replace the dot and case does not matter. \
                 Turns --ssl on. Upstream master's SSLv2, SSLv3, TLSv1.0 (or TLSv1) and \
                 TLSv1.1 are refused with an error (exit status 1): rustls does not \
                 implement these insecure versions. (Upstream master option.)",
            )
            .value_parser(
                ["auto", "TLSv1.2", "TLSv1.3"]
                    .map(clap::builder::PossibleValue::new)
                    .into_iter()
                    .chain(
                        ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"]
                            .map(|refused| clap::builder::PossibleValue::new(refused).hide(true)),
                    )
                    .collect::<Vec<_>>(),
            )
            .ignore_case(true),
            |st, v| {
                let arg = v.text();
                st.options.ssl_protocol = Some(check(st, values::parse_ssl_protocol(arg))?);
                st.options.ssl = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "think-timeout",
                "X",
                "Allow the server X more seconds to start a reply",
                "Extra seconds, added to --timeout, that the server may take before it \
                 starts sending a reply (default 0).",
            ),
            |st, v| {
                let arg = v.text();
                let x = values::dbl(arg);
                st.options.think_timeout_s =
                    require(st, x, format!("illegal think timeout value {arg}"))?;
                Ok(None)
            },
        ),
        option(
            valued(
                "timeout",
                "X",
                "Give up on a call after X seconds without progress",
                "Seconds httperf waits for progress while connecting, sending a \
                 request, or waiting for and receiving a reply (fractions allowed; \
                 default 0, meaning no timeout). A call that times out closes its \
                 connection (failing its session) and counts as client-timo.",
            ),
            |st, v| {
                let arg = v.text();
                let x = values::dbl(arg);
                st.options.timeout_s = require(st, x, format!("illegal connect timeout {arg}"))?;
                Ok(None)
            },
        ),
        option(
            flag(
                "use-timer-cache",
                "Accepted for compatibility; has no effect",
                "Accepted, and shown in the parameter line, for upstream master's \
                 command lines, where it makes timestamps come from a clock read once \
                 per event-loop iteration. It changes nothing in httperf-rs, which reads \
                 its monotonic clock at every use. (Upstream master option.)",
            ),
            |st, _| {
                st.options.use_timer_cache = true;
                Ok(None)
            },
        ),
        option(
            flag(
                "verbose",
                "Print more (repeatable)",
                "Print more information: with one -v the reply-rate samples and the \
                 open-file limit; with two also the connection lifetime histogram; with \
                 three every inter-arrival delay drawn.",
            )
            .short('v')
            .action(ArgAction::Count),
            |st, _| {
                st.options.verbose = st.options.verbose.saturating_add(1);
                Ok(None)
            },
        ),
        option(
            flag(
                "version",
                "Print the version and continue",
                "Print the version line on standard output. As in httperf 0.9.0, the \
                 test then runs as usual.",
            )
            .short('V'),
            |st, _| {
                st.options.version_lines += 1;
                Ok(None)
            },
        ),
        option(
            flag(
                "periodic-stats",
                "Print reply counts every second",
                "Once a second, print the number of 200 and 302 replies received since \
                 the previous line, and add their totals to the final report. \
                 (Upstream master option.)",
            )
            .short('n'),
            |st, _| {
                st.options.periodic_stats = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "wlog",
                "y|n,FILE",
                "Request the URIs listed in FILE in order",
                "Take request URIs from FILE, a list of URIs each terminated by a NUL \
                 byte, sent byte for byte. With y the list restarts from the beginning \
                 when it runs out; with n the test stops at its end. FILE must be a \
                 regular file or a pipe of at most 1 GiB; it is kept in memory as read, \
                 so it costs its own size.",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.wlog = Some(values::parse_wlog(raw));
                st.options.wlog_after_wset = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "wsess",
                "N1,N2,X",
                "Run N1 sessions of N2 calls with X seconds of think time",
                "Session workload: create N1 sessions of N2 calls each. Calls are sent \
                 in bursts of --burst-length (the first call of a burst alone, the rest \
                 together once it is answered), with X seconds of user think time \
                 between bursts. N1 and N2 may be decimal, octal or hexadecimal. \
                 Sessions are started according to --rate or --period.",
            ),
            |st, v| {
                let arg = v.text();
                st.options.wsess =
                    Some(check(st, values::parse_session(arg, SessionOption::Wsess))?);
                Ok(None)
            },
        ),
        option(
            valued(
                "wsesslog",
                "N,X,FILE",
                "Run N sessions described in FILE (default think time X)",
                "Session workload read from FILE: N sessions in total, using the \
                 session definitions of FILE round robin, with X seconds as the default \
                 think time between bursts. Each non-comment line holds a URI with \
                 optional method=, think= and contents= attributes; lines starting with \
                 whitespace join the previous line's burst, and blank lines separate \
                 sessions. URIs and contents are sent byte for byte. FILE must be a \
                 regular file or a pipe of at most 1 GiB; it is kept in memory as read, \
                 plus 4 bytes for each request and burst and the contents= bodies, which \
                 for a typical log is less than 1.5 times its size.",
            ),
            |st, v| {
                let raw = &v.raw;
                st.options.wsesslog = Some(check(st, values::parse_wsesslog(raw))?);
                Ok(None)
            },
        ),
        option(
            valued(
                "wsesspage",
                "N1,N2,X",
                "Run N1 sessions of N2 page fetches with X seconds think time",
                "Session workload of N1 sessions, each fetching N2 pages starting at \
                 --uri, with X seconds of think time between pages. Images and frames \
                 referenced by each HTML page, and redirections, are fetched too.",
            ),
            |st, v| {
                let arg = v.text();
                st.options.wsesspage = Some(check(
                    st,
                    values::parse_session(arg, SessionOption::Wsesspage),
                )?);
                Ok(None)
            },
        ),
        option(
            valued(
                "wset",
                "N,X",
                "Walk a working set of N files with miss rate X",
                "Generate URIs from a working set of N files named after their index, \
                 one directory level per digit (file 103 of 1024 is 0/1/0/3.html after \
                 the --uri prefix; as in httperf 0.9.0, a prefix ending in / loses its \
                 first character), moving on to the next file at rate X (0 <= X <= 1). \
                 As in httperf 0.9.0, the walk starts from the first value of glibc's \
                 unseeded drand48() (11/2^48): X = 0.25 requests the first file three \
                 times, then every file four times in a row.",
            ),
            |st, v| {
                let arg = v.text();
                st.options.wset = Some(check(st, values::parse_wset(arg))?);
                st.options.wlog_after_wset = false;
                Ok(None)
            },
        ),
        option(
            valued(
                "generate-completions",
                "SHELL",
                "Print a completion script for SHELL (bash, zsh or fish) and exit",
                "Print a completion script for SHELL (bash, zsh or fish) on standard \
                 output and exit with status 0 without running a test. The script \
                 completes the options of the name the program was invoked as \
                 (httperf-rs, or httperf through a link of that name); see the README \
                 for where to install it. (httperf-rs option.)",
            )
            .value_parser(completions::SHELLS),
            |st, v| {
                let arg = v.text();
                let script = completions::script(arg, &st.options.program);
                let message = format!("illegal completion shell {arg} (use bash, zsh or fish)");
                Ok(Some(Parsed::Help(require(st, script, message)?)))
            },
        ),
        option(
            optional_valued(
                "percentiles",
                "LIST",
                "Print latency percentiles after the report",
                "After the report, print one line per measure with its percentiles and \
                 maximum in milliseconds, from HDR histograms (microsecond resolution, 3 \
                 significant digits): connect time, response time, transfer time, reply \
                 time, connection lifetime, and with --rate or --period the reply time \
                 from the intended start and the schedule lag, and session lifetime for \
                 session workloads. LIST is a comma-separated list of percentiles \
                 (default 50,90,99,99.9,99.99). See PERCENTILES AND COORDINATED \
                 OMISSION. (httperf-rs option.)",
            ),
            |st, v| {
                st.options.results.percentiles = Some(match v.given.as_deref() {
                    None => histograms::DEFAULT_PERCENTILES.to_vec(),
                    Some(list) => check(st, histograms::parse_percentile_list(list))?,
                });
                Ok(None)
            },
        ),
        option(
            valued(
                "json",
                "FILE",
                "Write the whole result as JSON to FILE (- for stdout)",
                "Write every value of the report, the raw sums behind it, counts per \
                 status code and per errno, percentiles, HDR histograms and a per-second \
                 time series as one JSON document to FILE. With - the JSON goes to \
                 standard output instead of the report, and what the run would print on \
                 standard output goes to standard error. See JSON OUTPUT. (httperf-rs \
                 option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.results.json = Some(if v.raw == b"-" {
                    JsonTarget::Stdout
                } else {
                    JsonTarget::File(v.path())
                });
                Ok(None)
            },
        ),
        option(
            valued(
                "log-requests",
                "FILE",
                "Log one line per call to FILE in Phantom's phout format",
                "Write one tab-separated line per call (completed or not) to FILE in \
                 Yandex Phantom's phout layout, which yandex-tank reads. See REQUEST \
                 LOG. (httperf-rs option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.results.log_requests = Some(v.path());
                Ok(None)
            },
        ),
        option(
            flag(
                "self-check",
                "Fail when the results measure the client, not the server",
                "Check that the client kept up: scheduled arrivals did not start late \
                 (90th percentile schedule lag at most the larger of 1 ms and 10% of the \
                 mean inter-arrival time) and no connection failed for lack of client \
                 descriptors, ports or file-table room (fd-unavail, addrunavail, \
                 ftab-full). When it fails, say why on standard error and exit with \
                 status 3. Without this option the explanation is printed only when \
                 standard error is a terminal. (httperf-rs option.)",
            ),
            |st, _| {
                st.options.results.self_check = true;
                Ok(None)
            },
        ),
        option(
            flag(
                "progress",
                "Show a live status line on standard error",
                "Once a second, rewrite a status line on standard error: elapsed and \
                 expected time, connections and replies per second, errors, and the 99th \
                 percentile reply time of the last second; it is erased before the \
                 report. It is shown anyway when standard error is a terminal. \
                 (httperf-rs option.)",
            ),
            |st, _| {
                st.options.results.progress = true;
                Ok(None)
            },
        ),
        // Scaling out (see config::scale).
        option(
            valued(
                "workers",
                "N",
                "Run the test in N processes (auto: one per core), one report",
                "Divide the test between N worker processes on this machine (auto: one \
                 per core): each runs its share of the connections or sessions at 1/N of \
                 the rate as client I*N+w of the clients times N, and the report, \
                 percentiles and JSON are computed from their merged raw data. CPU time \
                 is summed over the workers, so its percentage can exceed 100%. \
                 --log-requests, --wlog=n and --ammo without --ammo-loop cannot be \
                 used with workers (each worker would send the whole file). Default 1: \
                 a single process, as httperf. See SCALING OUT. (httperf-rs option.)",
            ),
            |st, v| {
                let arg = v.text();
                st.options.scale.workers = Some(check(st, scale::parse_workers(arg))?);
                Ok(None)
            },
        ),
        option(
            valued(
                "start-at",
                "TIME",
                "Start the test at TIME (Unix seconds or RFC 3339 UTC)",
                "Set up as usual, then wait until TIME before the test starts, so that \
                 processes on several machines begin together. TIME is Unix seconds \
                 (1767225600.5) or an RFC 3339 time (2026-01-01T12:00:00Z) up to \
                 9999-12-31T23:59:59Z; a time already past starts at once. A stop \
                 signal ends the wait and the test, before its first connection. See \
                 SCALING OUT. (httperf-rs option.)",
            ),
            |st, v| {
                let arg = v.text();
                st.options.scale.start_at_unix_s = Some(check(st, scale::parse_start_at(arg))?);
                Ok(None)
            },
        ),
        option(
            valued(
                "worker-shards",
                "DIR",
                "With --workers, keep each worker's JSON result in DIR",
                "With --workers, write each worker's own result to DIR/worker-W.json \
                 (DIR must exist), where httperf-rs merge can read them again. \
                 (httperf-rs option.)",
            )
            .value_hint(ValueHint::DirPath),
            |st, v| {
                st.options.scale.worker_shards = Some(v.path());
                Ok(None)
            },
        ),
        // Load shapes and workloads (docs/behaviour.md#load-shapes).
        option(
            valued(
                "schedule",
                "SPEC",
                "Vary the connection or session rate over the test",
                "Start connections (or sessions, in a session workload) at a rate that \
                 follows SPEC, stages in Yandex Phantom's vocabulary separated by spaces: \
                 line(A,B,DUR) goes linearly from A to B per second over DUR, const(R,DUR) \
                 holds R per second (0 pauses), step(A,B,S,DUR) holds A, A+S, ... up to B \
                 for DUR each. DUR is a number with unit ms, s, m, h or d, or several \
                 (1m30s); a bare number is seconds. Example: --schedule='line(10,1000,60s) \
                 const(1000,5m)'. Arrival k is due when the rate's integral reaches k; \
                 --period e or u spreads the arrivals exponentially or uniformly around \
                 the current rate instead (only the shape of its distribution counts). \
                 The test ends when the schedule does, or earlier at --num-conns \
                 connections or the session count. With -v the target and achieved rate \
                 of each stage follow the report. See LOAD SHAPES AND WORKLOADS. \
                 (httperf-rs option.)",
            ),
            |st, v| {
                let profile = check(st, RateProfile::parse(v.text()))?;
                st.options.schedule = Some(profile);
                Ok(None)
            },
        ),
        option(
            valued(
                "seed",
                "N",
                "Seed the random draws of --schedule and --think-jitter",
                "Seed (0 to 2^64-1, default 0) of the random generator used by \
                 --schedule with a random --period and by --think-jitter, combined with \
                 the --client number: the same seed and client give the same draws. \
                 httperf's own random sequences (--period without --schedule, --wset) do \
                 not depend on it. (httperf-rs option.)",
            ),
            |st, v| {
                let arg = v.text();
                let seed = arg.parse::<u64>().ok();
                st.options.seed = Some(require(st, seed, format!("illegal seed {arg}"))?);
                Ok(None)
            },
        ),
        option(
            valued(
                "think-jitter",
                "uniform:F|exp",
                "Vary session think times randomly around their value",
                "Draw each think time of a session workload around its value X instead \
                 of using X: uniform:F uniformly between X*(1-F) and X*(1+F) (0 <= F <= \
                 1), exp exponentially with mean X. Each session has its own generator, \
                 seeded from --seed, --client and the session's number, so runs repeat. \
                 (httperf-rs option.)",
            ),
            |st, v| {
                st.options.think_jitter = Some(check(st, ThinkJitter::parse(v.text()))?);
                Ok(None)
            },
        ),
        option(
            valued(
                "ammo",
                "FILE",
                "Send the requests of a Phantom ammo file",
                "Request mode: take the requests from FILE, a Yandex Phantom / \
                 yandex-tank ammo file, in order, instead of --uri, --wset or --wlog. The \
                 format is detected from the first entry or given by --ammo-format. Each \
                 connection sends --num-calls of them; the test ends when the file is \
                 exhausted (or --num-conns, --schedule or --runtime ends it first), or \
                 cycles through the file with --ammo-loop. Tags go to the --log-requests \
                 tag column. The file is read as a stream and checked whole before the \
                 test; errors name the line. See LOAD SHAPES AND WORKLOADS. (httperf-rs \
                 option.)",
            )
            .value_hint(ValueHint::FilePath),
            |st, v| {
                st.options.ammo = Some(v.path());
                Ok(None)
            },
        ),
        option(
            valued(
                "ammo-format",
                "uri|uripost|phantom",
                "The format of the --ammo file",
                "The format of the --ammo file: uri (lines of URI [TAG], with [Name: \
                 value] header lines), uripost (SIZE URI [TAG] lines each followed by a \
                 body of SIZE bytes) or phantom (SIZE [TAG] lines each followed by a \
                 whole request of SIZE bytes, sent as given). Without it the format is \
                 detected. (httperf-rs option.)",
            )
            .value_parser(["uri", "uripost", "phantom"]),
            |st, v| {
                let arg = v.text();
                let format = AmmoFormat::from_name(arg);
                let message = format!("illegal ammo format {arg} (use uri, uripost or phantom)");
                st.options.ammo_format = Some(require(st, format, message)?);
                Ok(None)
            },
        ),
        option(
            flag(
                "ammo-loop",
                "Cycle through the --ammo file",
                "Start the --ammo file again from its first request when it is \
                 exhausted, so that the test ends only by --num-conns, --schedule or \
                 --runtime. (httperf-rs option.)",
            ),
            |st, _| {
                st.options.ammo_loop = true;
                Ok(None)
            },
        ),
        // --websocket and its options (docs/behaviour.md#websocket).
        option(
            flag(
                "websocket",
                "Make each connection a WebSocket conversation",
                "Each connection makes a WebSocket opening handshake (a GET of the \
                 --uri, --wset or --wlog URI with Upgrade: websocket, Connection: \
                 Upgrade, a fresh random Sec-WebSocket-Key and Sec-WebSocket-Version: \
                 13), checks that the reply is 101 with the matching \
                 Sec-WebSocket-Accept, exchanges --ws-messages echo messages, makes the \
                 closing handshake (a Close frame answered by the server's Close) and \
                 closes the connection. Connections are paced by --num-conns, --rate or \
                 --period and --timeout as in request mode; --max-connections is the \
                 high watermark of conversations in flight. After the report a block \
                 counts the conversations and gives the opening and closing handshake \
                 times with percentiles. See LOAD SHAPES AND WORKLOADS. (httperf-rs option.)",
            ),
            |st, _| {
                st.options.websocket.enabled = true;
                Ok(None)
            },
        ),
        option(
            valued(
                "ws-messages",
                "N",
                "Send N echo messages per WebSocket conversation (default 0)",
                "With --websocket, send N messages of --ws-message-size bytes between \
                 the opening and the closing handshake, each after the echo of the \
                 previous one came back (default 0). (httperf-rs option.)",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::count(arg);
                let message = format!("illegal number of WebSocket messages {arg}");
                st.options.websocket.messages = Some(require(st, n, message)?);
                Ok(None)
            },
        ),
        option(
            valued(
                "ws-message-size",
                "BYTES",
                "Make each WebSocket echo message BYTES long (default 32)",
                "With --websocket, the payload size of each --ws-messages message, \
                 sent as one masked binary frame: 0 to 16777216 bytes (default 32). \
                 (httperf-rs option.)",
            ),
            |st, v| {
                let arg = v.text();
                let limit = crate::http::websocket::MAX_MESSAGE_BYTES;
                let n = values::count(arg).filter(|&n| n <= limit);
                let message = format!("illegal WebSocket message size {arg} (0 to {limit})");
                st.options.websocket.message_size = Some(require(st, n, message)?);
                Ok(None)
            },
        ),
        option(
            valued(
                "ws-low-watermark",
                "N",
                "Once --max-connections are open, wait until N are left",
                "With --websocket and --max-connections M: once M conversations are \
                 in flight, start no new one until at most N (less than M) are left, \
                 as wsperf's low watermark. Without it, a new conversation starts as \
                 soon as one ends. (httperf-rs option.)",
            ),
            |st, v| {
                let arg = v.text();
                let n = values::count(arg);
                let message = format!("illegal WebSocket low watermark {arg}");
                st.options.websocket.low_watermark = Some(require(st, n, message)?);
                Ok(None)
            },
        ),
    ]
}
