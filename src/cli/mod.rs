//! The command line: one clap `Command` that is the single source of the option
//! table, `--help`, the man page and completions; a getopt_long-compatible
//! scanner over that table; the parameter echo line.
//!
//! clap only *describes* the options here. Parsing is done by [`getopt`],
//! because httperf scripts depend on glibc's exact rules and messages
//! (abbreviations, argument placement, diagnostics), which clap does not
//! reproduce.

pub mod completions;
mod echo;
pub mod getopt;
mod help;
pub mod man;
pub mod options;
pub mod values;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::{Arg, ArgAction, ValueHint};

pub use echo::echo_line;
pub use help::{help_text, synopsis};
pub use options::Options;

use getopt::{ArgKind, Event, OptSpec, Scanner};
use values::SessionOption;

/// What a successful parse asks the program to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Run a test with these options.
    Run(Box<Options>),
    /// Print this text to stdout and exit 0 (`-h`/`--help`, or the script of
    /// `--generate-completions`).
    Help(String),
}

/// A command-line error: `message` is printed to stderr as is (it ends with a
/// newline unless httperf's own message does not), then the process exits
/// with `exit_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub message: String,
    pub exit_code: i32,
}

/// The line `-V`/`--version` prints to stdout (without the newline). In
/// 0.9.0 the run then goes on.
pub fn version_line(program: &str) -> String {
    format!("{program}: httperf-0.9.0 compiled without DEBUG without TIME_SYSCALLS.")
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

/// The clap definition of every option, in the option-table order of
/// upstream master (the order getopt lists ambiguous candidates in), then
/// httperf-rs's own options. Their names start with letters no httperf option
/// starts with, so they change no existing abbreviation or ambiguity message.
pub fn command() -> clap::Command {
    clap::Command::new("httperf-rs")
        .version(env!("CARGO_PKG_VERSION"))
        .about("HTTP performance measurement tool, compatible with httperf 0.9.0")
        .long_about(
            "httperf-rs generates HTTP load against one server and reports connection, \
             request, reply and error statistics when the test ends. It accepts httperf \
             0.9.0's command line and prints the same output, plus the options added by \
             later upstream versions.\n\n\
             Long options may be abbreviated to any unique prefix (--ra for --rate). \
             Values follow an equals sign or come as the next argument (--rate=10, \
             --rate 10); optional values are only taken after an equals sign. Arguments \
             that are not options are ignored; -- ends the options.",
        )
        .disable_help_flag(true)
        .disable_version_flag(true)
        .term_width(100)
        .max_term_width(100)
        .args(option_args())
}

fn option_args() -> Vec<Arg> {
    vec![
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
        valued(
            "add-header-file",
            "FILE",
            "Add the contents of FILE to the header of every request",
            "Append the bytes of FILE, unchanged, to the header of every request, \
             after any --add-header text. The file must contain complete header \
             lines. If it cannot be read, a warning is printed and the test runs \
             without it. (Upstream master option.)",
        )
        .value_hint(ValueHint::FilePath),
        valued(
            "burst-length",
            "N",
            "Issue calls in bursts of N (default 1)",
            "Group calls into bursts of N calls (N >= 1, default 1). In \
             request-oriented tests the --num-calls calls of each connection are \
             sent as pipelined bursts of N. With --wsess, each burst sends one call, \
             waits for its reply, then sends the other N-1 calls together.",
        ),
        valued(
            "client",
            "I/N",
            "Run as client I of N clients (default 0/1)",
            "Declare this process to be client I of N (0 <= I < N, default 0/1) in \
             a test driven from several machines. I seeds the random inter-arrival \
             times of --period=u and --period=e; I and N spread the --wset walks and \
             the reply-rate sampling times over the clients. Both numbers may be \
             written in decimal, octal (leading 0) or hexadecimal (leading 0x).",
        ),
        flag(
            "close-with-reset",
            "Close connections with a TCP RST",
            "Close each connection by sending a TCP reset instead of the normal \
             FIN handshake. This avoids TIME_WAIT sockets on the client but can \
             confuse the server and distort results; use it only when you know why \
             you need it.",
        ),
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
        flag(
            "help",
            "Print this help and exit",
            "Print the usage summary and this description of every option, then \
             exit with status 0. Options after it are not looked at.",
        )
        .short('h'),
        flag(
            "hog",
            "Use any local port, not just the ephemeral range",
            "Bind each connection to a local port that httperf picks itself from \
             1024-65535, instead of leaving the choice to the kernel's ephemeral \
             range, so that long or fast tests do not run out of ports. Recommended \
             for serious testing.",
        ),
        valued(
            "http-version",
            "S",
            "Send requests as HTTP/S (1.0 or 1.1, default 1.1)",
            "HTTP version written in every request line: 1.1 (the default) or 1.0. \
             With 1.0, each request also carries Connection: keep-alive, and \
             sessions close a connection after every reply. Other versions are \
             accepted here, but the first request then aborts the test.",
        ),
        valued(
            "max-connections",
            "N",
            "Keep at most N connections open (per session: default 4, max 4)",
            "Maximum number of connections open at once. In session workloads it \
             counts per session (default 4, at most 4); in request mode it counts \
             for the whole test (default: no limit), and a connection the rate \
             calls for while N are open is opened when one of them closes.",
        ),
        valued(
            "max-piped-calls",
            "N",
            "Pipeline at most N calls per connection (sessions; default 32)",
            "Maximum number of calls that may be outstanding on one connection of \
             a session (default 32, or 1 with --http-version=1.0; at most 32). Only \
             session workloads use it.",
        ),
        valued(
            "method",
            "S",
            "Use request method S (default GET)",
            "Request method written in every request line (default GET). Any text \
             is accepted, e.g. HEAD, POST or PUT.",
        ),
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
        flag(
            "no-host-hdr",
            "Do not send a Host header",
            "Leave the Host header out of every request.",
        ),
        valued(
            "num-calls",
            "N",
            "Send N calls per connection (default 1)",
            "Number of calls (requests) issued on each connection before it is \
             closed, in bursts of --burst-length (default 1). More than 1 requires a \
             server with persistent connections. Request-oriented tests only.",
        ),
        valued(
            "num-conns",
            "N",
            "Open N connections in total (default 1)",
            "Total number of connections to create (default 1). The test ends when \
             all of them have completed or failed. Request-oriented tests only.",
        ),
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
        valued(
            "port",
            "N",
            "Connect to port N (default 80, or 443 with --ssl)",
            "Server port (0 to 65535; default 80, or 443 with --ssl).",
        ),
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
        valued(
            "rate",
            "X",
            "Start X connections or sessions per second",
            "Start connections (or sessions, with a session workload) at a fixed \
             rate of X per second. 0 (the default) starts each one when the \
             previous one ends.",
        ),
        valued(
            "recv-buffer",
            "N",
            "Set the socket receive buffer to N bytes (default 16384)",
            "Size in bytes requested for each socket's receive buffer (default \
             16384).",
        ),
        flag(
            "retry-on-failure",
            "Retry failed calls (up to 16 times) instead of failing the session",
            "In session workloads, re-issue a call whose reply has the \
             --failure-status code, and reopen a connection that fails before its \
             first reply, instead of failing the session. A call is re-issued, and \
             a connection reopened, at most 16 times in a row; then the session \
             fails, so the test ends even against a server that keeps failing.",
        ),
        valued(
            "runtime",
            "X",
            "End the test after X seconds",
            "Stop the test after X seconds (X > 0), even if connections or sessions \
             remain to be created. (Upstream master option.)",
        ),
        valued(
            "send-buffer",
            "N",
            "Set the socket send buffer to N bytes (default 4096)",
            "Size in bytes requested for each socket's send buffer (default 4096).",
        ),
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
        valued(
            "server-name",
            "S",
            "Send S as the Host header",
            "Value of the Host header (default: the --server value).",
        ),
        valued(
            "servers",
            "FILE",
            "Connect round robin to the hosts listed in FILE",
            "Read server host names from FILE (separated by NUL bytes) and open \
             connections to them in turn, all on the same port. Cannot be combined \
             with --server. (Upstream master option.)",
        )
        .value_hint(ValueHint::FilePath),
        valued(
            "uri",
            "S",
            "Request URI S (default /)",
            "URI path requested (default /). With --wset it is the prefix of the \
             generated URIs; with --wsesspage, the page to start from.",
        ),
        flag(
            "session-cookies",
            "Keep one cookie per session",
            "Remember the last Set-Cookie value received by each session and send \
             it back in a Cookie header on that session's later requests. Requires \
             a session workload.",
        ),
        flag(
            "ssl",
            "Talk to the server over SSL/TLS",
            "Use TLS (TLS 1.2 or 1.3, through rustls) on every connection; the default \
             port becomes 443. The server name is sent (SNI) unless the server is an IP \
             address, and the server's certificate is not verified unless --ssl-verify \
             asks for it. A failed handshake is counted as an error of that connection \
             (`other`, or `connreset` for an end of stream) and the test goes on.",
        ),
        valued(
            "ssl-ciphers",
            "L",
            "Offer only the cipher suites in list L",
            "Cipher suites offered to the server, as an OpenSSL-style list separated by \
             colons (OpenSSL or IANA names, ALL, DEFAULT, HIGH, !name). Suites rustls does \
             not have are skipped; a list that selects none is an error naming the \
             supported ones. TLS 1.3 suites stay on unless the list names some.",
        ),
        valued(
            "tls-server-name",
            "S",
            "Send S as the TLS server name (SNI)",
            "Server name sent in the TLS handshake (SNI). (Upstream master option.)",
        ),
        flag(
            "ssl-no-reuse",
            "Do not resume TLS sessions",
            "Perform a full TLS handshake on every connection. By default a connection \
             resumes an earlier TLS session with the same server (session tickets or \
             ids), in every workload.",
        ),
        valued(
            "ssl-certificate",
            "FILE",
            "Use the client certificate in FILE (PEM)",
            "Client certificate to present, in PEM format. (Upstream master option.)",
        )
        .value_hint(ValueHint::FilePath),
        valued(
            "ssl-key",
            "FILE",
            "Use the client private key in FILE (PEM)",
            "Private key of the client certificate, in PEM format. (Upstream master \
             option.)",
        )
        .value_hint(ValueHint::FilePath),
        optional_valued(
            "ssl-verify",
            "yes|no",
            "Verify the server's certificate",
            "Verify the server's certificate chain (no value means yes). The value \
             must be attached with an equals sign. (Upstream master option.)",
        )
        .value_parser(["yes", "no"])
        .ignore_case(true),
        valued(
            "ssl-ca-file",
            "FILE",
            "Trust the CA certificates in FILE",
            "File of trusted CA certificates (PEM) for --ssl-verify. A server \
             certificate identical to one of them is trusted as it is, names and \
             dates unchecked, as OpenSSL does (so a self-signed test certificate \
             works); the server still has to prove it holds its key. (Upstream \
             master option.)",
        )
        .value_hint(ValueHint::FilePath),
        valued(
            "ssl-ca-path",
            "DIR",
            "Trust the CA certificates in directory DIR",
            "Directory of trusted CA certificates (OpenSSL hashed names) for \
             --ssl-verify; a server certificate identical to one of them is trusted \
             as with --ssl-ca-file. (Upstream master option.)",
        )
        .value_hint(ValueHint::DirPath),
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
        valued(
            "think-timeout",
            "X",
            "Allow the server X more seconds to start a reply",
            "Extra seconds, added to --timeout, that the server may take before it \
             starts sending a reply (default 0).",
        ),
        valued(
            "timeout",
            "X",
            "Give up on a call after X seconds without progress",
            "Seconds httperf waits for progress while connecting, sending a \
             request, or waiting for and receiving a reply (fractions allowed; \
             default 0, meaning no timeout). A call that times out closes its \
             connection (failing its session) and counts as client-timo.",
        ),
        flag(
            "use-timer-cache",
            "Accepted for compatibility; has no effect",
            "Accepted, and shown in the parameter line, for upstream master's \
             command lines, where it makes timestamps come from a clock read once \
             per event-loop iteration. It changes nothing in httperf-rs, which reads \
             its monotonic clock at every use. (Upstream master option.)",
        ),
        flag(
            "verbose",
            "Print more (repeatable)",
            "Print more information: with one -v the reply-rate samples and the \
             open-file limit; with two also the connection lifetime histogram; with \
             three every inter-arrival delay drawn.",
        )
        .short('v')
        .action(ArgAction::Count),
        flag(
            "version",
            "Print the version and continue",
            "Print the version line on standard output. As in httperf 0.9.0, the \
             test then runs as usual.",
        )
        .short('V'),
        flag(
            "periodic-stats",
            "Print reply counts every second",
            "Once a second, print the number of 200 and 302 replies received since \
             the previous line, and add their totals to the final report. \
             (Upstream master option.)",
        )
        .short('n'),
        valued(
            "wlog",
            "y|n,FILE",
            "Request the URIs listed in FILE in order",
            "Take request URIs from FILE, a list of URIs each terminated by a NUL \
             byte. With y the list restarts from the beginning when it runs out; \
             with n the test stops at its end.",
        ),
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
        valued(
            "wsesslog",
            "N,X,FILE",
            "Run N sessions described in FILE (default think time X)",
            "Session workload read from FILE: N sessions in total, using the \
             session definitions of FILE round robin, with X seconds as the default \
             think time between bursts. Each non-comment line holds a URI with \
             optional method=, think= and contents= attributes; lines starting with \
             whitespace join the previous line's burst, and blank lines separate \
             sessions.",
        ),
        valued(
            "wsesspage",
            "N1,N2,X",
            "Run N1 sessions of N2 page fetches with X seconds think time",
            "Session workload of N1 sessions, each fetching N2 pages starting at \
             --uri, with X seconds of think time between pages. Images and frames \
             referenced by each HTML page, and redirections, are fetched too.",
        ),
        valued(
            "wset",
            "N,X",
            "Walk a working set of N files with miss rate X",
            "Generate URIs from a working set of N files named after their index, \
             one directory level per digit (file 103 of 1024 is 0/1/0/3.html after \
             the --uri prefix; as in httperf 0.9.0, a prefix ending in / loses its \
             first character), moving on to the next file at rate X (0 <= X <= 1): \
             X = 0.25 requests each file four times in a row.",
        ),
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
        valued(
            "log-requests",
            "FILE",
            "Log one line per call to FILE in Phantom's phout format",
            "Write one tab-separated line per call (completed or not) to FILE in \
             Yandex Phantom's phout layout, which yandex-tank reads. See REQUEST \
             LOG. (httperf-rs option.)",
        )
        .value_hint(ValueHint::FilePath),
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
        flag(
            "progress",
            "Show a live status line on standard error",
            "Once a second, rewrite a status line on standard error: elapsed and \
             expected time, connections and replies per second, errors, and the 99th \
             percentile reply time of the last second; it is erased before the \
             report. It is shown anyway when standard error is a terminal. \
             (httperf-rs option.)",
        ),
    ]
}

/// The getopt table, derived once from [`command`].
fn option_table() -> &'static [OptSpec] {
    static TABLE: OnceLock<Vec<OptSpec>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut cmd = command();
        cmd.build();
        cmd.get_arguments()
            .filter_map(|arg| {
                let long = arg.get_long()?;
                let kind = if !arg.get_action().takes_values() {
                    ArgKind::None
                } else if arg.get_num_args().is_some_and(|n| n.min_values() == 0) {
                    ArgKind::Optional
                } else {
                    ArgKind::Required
                };
                Some(OptSpec {
                    long: long.to_string(),
                    short: arg.get_short(),
                    arg: kind,
                })
            })
            .collect()
    })
}

/// The number of httperf's options at the start of the table; the rest
/// are httperf-rs's own.
fn httperf_option_count() -> usize {
    option_table()
        .iter()
        .position(|o| o.long == "wset")
        .map_or(0, |wset| wset + 1)
}

/// Parse state besides the options themselves.
struct State {
    options: Options,
    /// stderr lines 0.9.0 would already have printed (the `-d` warning);
    /// they precede any error message.
    stderr_before: String,
    /// Number of `-V` seen: 0.9.0 prints one version line for each.
    versions: usize,
    server_given: bool,
}

impl State {
    fn error(&self, body: &str, exit_code: i32) -> CliError {
        CliError {
            message: format!("{}{}: {body}\n", self.stderr_before, self.options.program),
            exit_code,
        }
    }
}

fn check<T>(state: &State, value: Result<T, String>) -> Result<T, CliError> {
    value.map_err(|body| state.error(&body, 1))
}

fn require<T>(state: &State, value: Option<T>, message: String) -> Result<T, CliError> {
    value.ok_or_else(|| state.error(&message, 1))
}

/// Applies one option; `Ok(Some(_))` ends parsing early (`--help`).
fn apply(name: &str, value: Option<OsString>, st: &mut State) -> Result<Option<Parsed>, CliError> {
    let optional_text = value.as_deref().map(|v| v.to_string_lossy().into_owned());
    let given = optional_text.as_deref();
    let text = optional_text.clone().unwrap_or_default();
    let arg = text.as_str();
    let path = || PathBuf::from(value.clone().unwrap_or_default());
    match name {
        "add-header" => st.options.add_header = Some(text.clone()),
        "add-header-file" => st.options.add_header_file = Some(path()),
        "burst-length" => {
            let n = values::ul10_int(arg).filter(|&n| n >= 1);
            st.options.burst_length = require(st, n, format!("illegal burst-length {arg}"))?;
        }
        "client" => {
            (st.options.client_id, st.options.num_clients) = check(st, values::parse_client(arg))?;
        }
        "close-with-reset" => st.options.close_with_reset = true,
        "debug" => {
            // httperf-rs has debug traces, so it parses the level as a DEBUG
            // build of httperf does instead of printing 0.9.0's "sorry".
            let n = values::ul10_int(arg).filter(|&n| n >= 0);
            st.options.debug = require(st, n, format!("illegal debug level {arg}"))? as u32;
        }
        "failure-status" => {
            let n = values::ul10_int(arg).filter(|&n| n > 0);
            st.options.failure_status = require(st, n, format!("illegal failure status {arg}"))?;
        }
        "help" => {
            let mut out = String::new();
            for _ in 0..st.versions {
                out.push_str(&version_line(&st.options.program));
                out.push('\n');
            }
            out.push_str(&help_text(&st.options.program));
            return Ok(Some(Parsed::Help(out)));
        }
        "hog" => st.options.hog = true,
        "http-version" => st.options.http_version = check(st, values::parse_http_version(arg))?,
        "max-connections" => {
            let n = values::ul10_int(arg).filter(|&n| n >= 0);
            st.options.max_connections =
                require(st, n, format!("illegal max. # of connection {arg}"))?;
        }
        "max-piped-calls" => {
            let n = values::ul10_int(arg).filter(|&n| n >= 0);
            st.options.max_piped_calls =
                require(st, n, format!("illegal max. # of piped calls {arg}"))?;
        }
        "method" => {
            st.options.method = text.clone();
            st.options.method_given = true;
        }
        "myaddr" => st.options.myaddr.push(text.clone()),
        "no-host-hdr" => st.options.no_host_hdr = true,
        "num-calls" => {
            let n = values::ul10_int(arg);
            st.options.num_calls = require(st, n, format!("illegal number of calls {arg}"))?;
        }
        "num-conns" => {
            let n = values::ul10_int(arg);
            st.options.num_conns = require(st, n, format!("illegal number of connections {arg}"))?;
        }
        "period" => st.options.rate = check(st, values::parse_period(arg))?,
        "port" => {
            // The range check looks at the value as a 32-bit unsigned number,
            // so huge values wrap (4294967376 is port 80).
            let port = values::ul10(arg).map(|v| v as u32).filter(|&v| v <= 65535);
            st.options.port = require(st, port, format!("illegal port number {arg}"))? as i32;
            st.options.port_given = true;
        }
        "print-reply" => st.options.print_reply = Some(values::parse_print_parts(given)),
        "print-request" => {
            st.options.print_request = Some(values::parse_print_parts(given));
        }
        "rate" => st.options.rate = check(st, values::parse_rate(arg))?,
        "recv-buffer" => {
            let n = values::ul10_int(arg);
            st.options.recv_buffer = require(st, n, format!("illegal receive buffer size {arg}"))?;
        }
        "retry-on-failure" => st.options.retry_on_failure = true,
        "runtime" => st.options.runtime_s = check(st, values::parse_runtime(arg))?,
        "send-buffer" => {
            let n = values::ul10_int(arg);
            st.options.send_buffer = require(st, n, format!("illegal send buffer size {arg}"))?;
        }
        "server" => {
            st.options.server = text.clone();
            st.server_given = true;
        }
        "server-name" => st.options.server_name = Some(text.clone()),
        "servers" => st.options.servers = Some(path()),
        "uri" => st.options.uri = text.clone(),
        "session-cookies" => st.options.session_cookies = true,
        "ssl" => st.options.ssl = true,
        "ssl-ciphers" => st.options.ssl_ciphers = Some(text.clone()),
        "tls-server-name" => st.options.tls_server_name = Some(text.clone()),
        "ssl-no-reuse" => st.options.ssl_no_reuse = true,
        "ssl-certificate" => st.options.ssl_certificate = Some(path()),
        "ssl-key" => st.options.ssl_key = Some(path()),
        "ssl-verify" => st.options.ssl_verify = check(st, values::parse_ssl_verify(given))?,
        "ssl-ca-file" => st.options.ssl_ca_file = Some(path()),
        "ssl-ca-path" => st.options.ssl_ca_path = Some(path()),
        "ssl-protocol" => {
            st.options.ssl_protocol = Some(check(st, values::parse_ssl_protocol(arg))?);
            st.options.ssl = true;
        }
        "think-timeout" => {
            let x = values::dbl(arg);
            st.options.think_timeout_s =
                require(st, x, format!("illegal think timeout value {arg}"))?;
        }
        "timeout" => {
            let x = values::dbl(arg);
            st.options.timeout_s = require(st, x, format!("illegal connect timeout {arg}"))?;
        }
        "use-timer-cache" => st.options.use_timer_cache = true,
        "verbose" => st.options.verbose = st.options.verbose.saturating_add(1),
        "version" => {
            st.options.version = true;
            st.versions += 1;
        }
        "periodic-stats" => st.options.periodic_stats = true,
        "wlog" => st.options.wlog = Some(values::parse_wlog(arg)),
        "wsess" => {
            st.options.wsess = Some(check(st, values::parse_session(arg, SessionOption::Wsess))?);
        }
        "wsesslog" => st.options.wsesslog = Some(check(st, values::parse_wsesslog(arg))?),
        "wsesspage" => {
            st.options.wsesspage = Some(check(
                st,
                values::parse_session(arg, SessionOption::Wsesspage),
            )?);
        }
        "wset" => st.options.wset = Some(check(st, values::parse_wset(arg))?),
        "percentiles" => {
            st.options.results.percentiles = Some(match given {
                None => crate::results::histograms::DEFAULT_PERCENTILES.to_vec(),
                Some(list) => check(st, crate::results::histograms::parse_percentile_list(list))?,
            });
        }
        "json" => {
            st.options.results.json = Some(if arg == "-" {
                crate::results::JsonTarget::Stdout
            } else {
                crate::results::JsonTarget::File(path())
            });
        }
        "log-requests" => st.options.results.log_requests = Some(path()),
        "self-check" => st.options.results.self_check = true,
        "progress" => st.options.results.progress = true,
        "generate-completions" => {
            let script = completions::script(arg, &st.options.program);
            let message = format!("illegal completion shell {arg} (use bash, zsh or fish)");
            return Ok(Some(Parsed::Help(require(st, script, message)?)));
        }
        other => {
            // Only reachable if command() gains an option this match lacks;
            // the unit tests make sure it does not.
            return Err(st.error(&format!("internal error: unhandled option --{other}"), 1));
        }
    }
    Ok(None)
}

/// Checks made once every option has been read, as httperf does after its
/// option loop.
fn check_combinations(st: &State) -> Result<(), CliError> {
    let o = &st.options;
    if o.session_cookies && !o.has_session_workload() {
        return Err(st.error(
            "--session-cookie requires session-oriented workload (e.g., --wsess)",
            255,
        ));
    }
    if st.server_given && o.servers.is_some() {
        return Err(st.error("--server S or --servers file", 255));
    }
    let workloads = [
        o.wsess.is_some(),
        o.wsesslog.is_some(),
        o.wsesspage.is_some(),
    ];
    if workloads.iter().filter(|&&given| given).count() > 1 {
        // 0.9.0 accepts this and then dies on an internal limit or mixes the
        // two generators; reject it up front instead.
        return Err(st.error(
            "only one of --wsess, --wsesslog and --wsesspage may be given",
            1,
        ));
    }
    Ok(())
}

/// The basename of argv[0], which prefixes httperf's own messages.
fn program_name(args: &[OsString]) -> String {
    let Some(argv0) = args.first() else {
        return "httperf".to_string();
    };
    let full = argv0.to_string_lossy();
    full.rsplit('/').next().unwrap_or_default().to_string()
}

/// Parses argv (argv[0] included) with getopt_long semantics.
pub fn parse(args: Vec<OsString>) -> Result<Parsed, CliError> {
    let program = program_name(&args);
    let mut st = State {
        options: Options::defaults(&program),
        stderr_before: String::new(),
        versions: 0,
        server_given: false,
    };
    let posix = std::env::var_os("POSIXLY_CORRECT").is_some();
    let table = option_table();
    let scanner = Scanner::new(table, &args, posix).own_options_from(httperf_option_count());
    for event in scanner {
        match event {
            Event::Opt { index, value } => {
                if let Some(done) = apply(&table[index].long, value, &mut st)? {
                    return Ok(done);
                }
            }
            Event::Error(message) => {
                return Err(CliError {
                    message: format!("{}{message}", st.stderr_before),
                    exit_code: 1,
                });
            }
        }
    }
    check_combinations(&st)?;
    Ok(Parsed::Run(Box::new(st.options)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn the_table_is_masters_order_with_its_short_options() {
        let names: Vec<&str> = option_table().iter().map(|o| o.long.as_str()).collect();
        let master = "add-header add-header-file burst-length client close-with-reset debug \
            failure-status help hog http-version max-connections max-piped-calls method myaddr \
            no-host-hdr num-calls num-conns period port print-reply print-request rate \
            recv-buffer retry-on-failure runtime send-buffer server server-name servers uri \
            session-cookies ssl ssl-ciphers tls-server-name ssl-no-reuse ssl-certificate ssl-key \
            ssl-verify ssl-ca-file ssl-ca-path ssl-protocol think-timeout timeout use-timer-cache \
            verbose version periodic-stats wlog wsess wsesslog wsesspage wset \
            generate-completions percentiles json log-requests self-check progress";
        assert_eq!(names, master.split_whitespace().collect::<Vec<_>>());
        let shorts: Vec<(char, &str)> = option_table()
            .iter()
            .filter_map(|o| Some((o.short?, o.long.as_str())))
            .collect();
        assert_eq!(
            shorts,
            [
                ('d', "debug"),
                ('h', "help"),
                ('v', "verbose"),
                ('V', "version"),
                ('n', "periodic-stats")
            ]
        );
        let optional: Vec<&str> = option_table()
            .iter()
            .filter(|o| o.arg == ArgKind::Optional)
            .map(|o| o.long.as_str())
            .collect();
        assert_eq!(
            optional,
            ["print-reply", "print-request", "ssl-verify", "percentiles"]
        );
    }

    #[test]
    fn own_options_change_no_abbreviation_of_httperfs() {
        // Every prefix of every option name, scanned with httperf's options
        // alone and with the whole table, must mean the same httperf option
        // or give the same message: own options only take prefixes that
        // match no httperf option.
        let table = option_table();
        let split = httperf_option_count();
        assert_eq!(table[split - 1].long, "wset");
        let httperf = &table[..split];
        let scan = |table: &[OptSpec], own_from: usize, arg: &str| -> String {
            let args = vec![OsString::from("p"), OsString::from(arg)];
            let mut scanner = Scanner::new(table, &args, false).own_options_from(own_from);
            match scanner.next() {
                Some(Event::Opt { index, .. }) => table[index].long.clone(),
                Some(Event::Error(message)) => message,
                None => String::new(),
            }
        };
        for option in table {
            for end in 1..=option.long.len() {
                let arg = format!("--{}=1", &option.long[..end]);
                let alone = scan(httperf, usize::MAX, &arg);
                let whole = scan(table, split, &arg);
                if alone.starts_with("p: unrecognized option") {
                    // Only a prefix no httperf option has may reach an own one.
                    let reaches_own = table[split..]
                        .iter()
                        .any(|o| whole == o.long || whole.contains(&format!("'--{}'", o.long)));
                    assert!(
                        reaches_own || whole == alone,
                        "{arg}: {alone} became {whole}"
                    );
                } else {
                    assert_eq!(alone, whole, "{arg} changed meaning");
                }
            }
        }
        assert_eq!(scan(table, split, "--perc"), "percentiles");
        assert_eq!(scan(table, split, "--self"), "self-check");
        assert_eq!(scan(table, split, "--pro"), "progress");
    }

    #[test]
    fn completions_print_a_script_and_reject_other_shells() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        for shell in completions::SHELLS {
            let parsed = parse(args(&["/usr/bin/httperf", "--gen", shell, "--bogus"]));
            let Ok(Parsed::Help(script)) = parsed else {
                panic!("{shell}: {parsed:?}");
            };
            assert_eq!(Some(script), completions::script(shell, "httperf"));
        }
        let parsed = parse(args(&["httperf-rs", "--generate-completions=tcsh"]));
        assert_eq!(
            parsed,
            Err(CliError {
                message: "httperf-rs: illegal completion shell tcsh (use bash, zsh or fish)\n"
                    .to_string(),
                exit_code: 1
            })
        );
    }

    #[test]
    fn every_option_in_the_table_is_handled() {
        for spec in option_table() {
            let mut st = State {
                options: Options::defaults("httperf"),
                stderr_before: String::new(),
                versions: 0,
                server_given: false,
            };
            let value = match spec.long.as_str() {
                "client" => "0/1",
                "period" => "1",
                "ssl-protocol" => "auto",
                "ssl-verify" => "yes",
                "wsess" | "wsesspage" => "1,1,0",
                "wsesslog" => "1,0,f",
                "wset" => "1,0",
                "http-version" => "1.0",
                "generate-completions" => "bash",
                "percentiles" => "50,99",
                _ => "1",
            };
            let value = (spec.arg != ArgKind::None).then(|| OsString::from(value));
            assert!(
                apply(&spec.long, value, &mut st).is_ok(),
                "--{} is not handled",
                spec.long
            );
        }
    }

    #[test]
    fn every_option_has_help_and_a_value_name() {
        let mut cmd = command();
        cmd.build();
        for arg in cmd.get_arguments() {
            let id = arg.get_id();
            assert!(arg.get_help().is_some(), "{id} has no help");
            assert!(arg.get_long_help().is_some(), "{id} has no long help");
            if arg.get_action().takes_values() {
                assert!(arg.get_value_names().is_some(), "{id} has no value name");
                if arg.get_num_args().is_some_and(|n| n.min_values() == 0) {
                    assert!(arg.is_require_equals_set(), "{id} must require '='");
                }
            }
        }
    }
}
