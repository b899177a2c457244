//! Reading saved reports back: httperf's text report as 0.9.0, upstream
//! master (`--periodic-stats`, `%lu` counters) and httperf-rs (percentile
//! block, session block) print it, found among whatever else the file holds
//! (`-v` lines, `--print-*` lines, warnings and other stderr lines, CRLF line
//! ends, several runs one after the other), and httperf-rs `--json`
//! documents. Lines are bytes; a line is only ever matched against the
//! report's fixed templates, so no input can make the parser panic.

use std::collections::BTreeMap;

use super::echo::{self, Echo};
use crate::c::printf::fixed;
use crate::report::{self as text_report, ReportOptions};
use crate::results::{self, Measure};

/// One number as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub number: f64,
    pub text: String,
}

/// One run's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Line of the echo line, or of the first report line without one.
    pub line: usize,
    pub echo: Option<Echo>,
    /// Every number, by metric name (see `metrics`).
    pub values: BTreeMap<String, Value>,
    /// `Session length histogram:` counts, index = completed calls.
    pub session_lengths: Option<Vec<u64>>,
    /// A `--json` document's httperf-rs workload options (which the echo
    /// line leaves out); `None` for a text report, which does not show them.
    pub workload_options: Option<Vec<String>>,
}

/// Why a file could not be read as reports: the line it concerns (1-based;
/// 0 when it is about the whole file) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// A fixed report line: its text with `{}` for each number, and the
/// metric names of the numbers in order.
type Template = (&'static str, &'static [&'static str]);

const TEMPLATES: &[Template] = &[
    ("Maximum connect burst length: {}", &["burst-length"]),
    (
        "Total: connections {} requests {} replies {} test-duration {} s",
        &[
            "total.connections",
            "total.requests",
            "total.replies",
            "test-duration",
        ],
    ),
    (
        "Connection rate: {} conn/s ({} ms/conn, <={} concurrent connections)",
        &["conn-rate", "ms-per-conn", "concurrency"],
    ),
    (
        "Connection time [ms]: min {} avg {} max {} median {} stddev {}",
        &[
            "conn-time.min",
            "conn-time.avg",
            "conn-time.max",
            "conn-time.median",
            "conn-time.stddev",
        ],
    ),
    ("Connection time [ms]: connect {}", &["conn-time.connect"]),
    ("Connection length [replies/conn]: {}", &["conn-length"]),
    (
        "Request rate: {} req/s ({} ms/req)",
        &["req-rate", "ms-per-req"],
    ),
    ("Request size [B]: {}", &["request-size"]),
    (
        "Reply rate [replies/s]: min {} avg {} max {} stddev {} ({} samples)",
        &[
            "reply-rate.min",
            "reply-rate.avg",
            "reply-rate.max",
            "reply-rate.stddev",
            "reply-rate.samples",
        ],
    ),
    (
        "Reply time [ms]: response {} transfer {}",
        &["reply-time.response", "reply-time.transfer"],
    ),
    (
        "Reply size [B]: header {} content {} footer {} (total {})",
        &[
            "reply-size.header",
            "reply-size.content",
            "reply-size.footer",
            "reply-size.total",
        ],
    ),
    (
        "Reply status: 1xx={} 2xx={} 3xx={} 4xx={} 5xx={}",
        &[
            "status.1xx",
            "status.2xx",
            "status.3xx",
            "status.4xx",
            "status.5xx",
        ],
    ),
    (
        "Periodic stats: 200={} 302={}",
        &["periodic.200", "periodic.302"],
    ),
    (
        "CPU time [s]: user {} system {} (user {}% system {}% total {}%)",
        &[
            "cpu.user",
            "cpu.system",
            "cpu.user-pct",
            "cpu.system-pct",
            "cpu.total-pct",
        ],
    ),
    (
        "Net I/O: {} KB/s ({}*10^6 bps)",
        &["netio.kbps", "netio.mbps"],
    ),
    (
        "Errors: total {} client-timo {} socket-timo {} connrefused {} connreset {}",
        &[
            "errors.total",
            "errors.client-timo",
            "errors.socket-timo",
            "errors.connrefused",
            "errors.connreset",
        ],
    ),
    (
        "Errors: fd-unavail {} addrunavail {} ftab-full {} other {}",
        &[
            "errors.fd-unavail",
            "errors.addrunavail",
            "errors.ftab-full",
            "errors.other",
        ],
    ),
    (
        "Session rate [sess/s]: min {} avg {} max {} stddev {} ({}/{})",
        &[
            "session-rate.min",
            "session-rate.avg",
            "session-rate.max",
            "session-rate.stddev",
            "sessions.completed",
            "sessions.total",
        ],
    ),
    ("Session: avg {} connections/session", &["session.conns"]),
    ("Session lifetime [s]: {}", &["session.lifetime"]),
    ("Session failtime [s]: {}", &["session.failtime"]),
];

/// The first metric of each line every complete report has.
const REQUIRED: &[&str] = &[
    "total.connections",
    "conn-rate",
    "conn-time.min",
    "conn-time.connect",
    "conn-length",
    "req-rate",
    "request-size",
    "reply-rate.min",
    "reply-time.response",
    "reply-size.header",
    "status.1xx",
    "cpu.user",
    "netio.kbps",
    "errors.total",
    "errors.fd-unavail",
];

/// The lines a session block must have once it has started.
const REQUIRED_SESSION: &[&str] = &[
    "session-rate.min",
    "session.conns",
    "session.lifetime",
    "session.failtime",
];

const SESSION_HISTOGRAM: &[u8] = b"Session length histogram:";
const PERCENTILES: &[u8] = b" percentiles [ms]:";

/// A number as httperf prints one: decimal digits with an optional sign
/// and point, or C's `inf`/`nan` spellings.
fn number(text: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(text).ok()?;
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let number = match unsigned {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        _ => {
            let mut parts = unsigned.splitn(2, '.');
            let whole = parts.next().unwrap_or_default();
            let fraction = parts.next();
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
                return None;
            }
            unsigned.parse::<f64>().ok()?
        }
    };
    let number = if text.starts_with('-') {
        -number
    } else {
        number
    };
    Some(Value {
        number,
        text: text.to_string(),
    })
}

/// The numbers of `line` if it has the layout of `template`; `None` if it
/// does not.
fn match_template(line: &[u8], template: &str) -> Option<Vec<Value>> {
    let literals: Vec<&[u8]> = template.split("{}").map(str::as_bytes).collect();
    let mut rest = line.strip_prefix(literals[0])?;
    let mut values = Vec::new();
    for literal in &literals[1..] {
        let end = if literal.is_empty() {
            rest.len()
        } else {
            rest.windows(literal.len())
                .position(|window| window == *literal)?
        };
        values.push(number(&rest[..end])?);
        rest = &rest[end + literal.len()..];
    }
    rest.is_empty().then_some(values)
}

/// The text of `template` before its first number.
fn template_prefix(template: &str) -> &str {
    template.split("{}").next().unwrap_or(template)
}

/// What one line of a report file is.
enum Line {
    Echo(Echo),
    Values(Vec<(&'static str, Value)>),
    SessionLengths(Vec<u64>),
    Percentiles(Vec<(String, Value)>),
    /// Starts like a report line but does not have its layout: a report
    /// cut short, or damaged.
    Malformed(&'static str),
    Other,
}

fn classify(line: &[u8]) -> Line {
    if echo::is_echo_line(line) {
        return Line::Echo(echo::parse(line));
    }
    for (template, names) in TEMPLATES {
        let prefix = template_prefix(template);
        if line.starts_with(prefix.as_bytes()) {
            return match match_template(line, template) {
                Some(values) => Line::Values(names.iter().copied().zip(values).collect()),
                None => Line::Malformed(prefix),
            };
        }
    }
    if let Some(rest) = line.strip_prefix(SESSION_HISTOGRAM) {
        // Exactly httperf's " %llu" per count: no other spacing or sign.
        let counts: Option<Vec<u64>> = match rest {
            [] => Some(Vec::new()),
            [b' ', counts @ ..] => counts
                .split(|&b| b == b' ')
                .map(|word| {
                    let leading_zero = word.len() > 1 && word[0] == b'0';
                    if word.is_empty() || leading_zero || !word.iter().all(u8::is_ascii_digit) {
                        return None;
                    }
                    std::str::from_utf8(word).ok()?.parse().ok()
                })
                .collect(),
            _ => None,
        };
        return match counts {
            Some(counts) => Line::SessionLengths(counts),
            None => Line::Malformed("Session length histogram:"),
        };
    }
    if let Some(at) = line
        .windows(PERCENTILES.len())
        .position(|window| window == PERCENTILES)
    {
        if !echo::is_print_line(line) {
            if let Some(values) = percentile_values(&line[..at], &line[at + PERCENTILES.len()..]) {
                return Line::Percentiles(values);
            }
        }
    }
    Line::Other
}

/// The measure key of a percentile line's leading words.
fn measure_key(name: &[u8]) -> Option<&'static str> {
    Measure::ALL
        .into_iter()
        .find(|&measure| results::text::line_name(measure).as_bytes() == name)
        .map(Measure::key)
}

/// `pct.MEASURE.LABEL` values of a percentile line: ` p50 1.000 … max 2.000`.
fn percentile_values(name: &[u8], rest: &[u8]) -> Option<Vec<(String, Value)>> {
    let measure = measure_key(name)?;
    let words: Vec<&[u8]> = rest
        .split(|&b| b == b' ')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return None;
    }
    words
        .chunks(2)
        .map(|pair| {
            let label = std::str::from_utf8(pair[0]).ok()?;
            let is_label = label == "max"
                || label
                    .strip_prefix('p')
                    .is_some_and(|p| number(p.as_bytes()).is_some());
            is_label.then_some(())?;
            Some((format!("pct.{measure}.{label}"), number(pair[1])?))
        })
        .collect()
}

/// Reports being assembled line by line.
struct Assembler {
    done: Vec<Report>,
    current: Option<Report>,
    /// Last line that belonged to the current report.
    last_line: usize,
}

impl Assembler {
    fn finish(&mut self) -> Result<(), ParseError> {
        let Some(report) = self.current.take() else {
            return Ok(());
        };
        if report.values.is_empty() {
            return Err(ParseError {
                line: report.line,
                message: "the run whose echo line is here printed no report \
                          (it failed or was stopped before its end)"
                    .to_string(),
            });
        }
        let missing_basic = REQUIRED
            .iter()
            .find(|key| !report.values.contains_key(**key));
        let session_started = REQUIRED_SESSION
            .iter()
            .any(|key| report.values.contains_key(*key));
        let missing_session = REQUIRED_SESSION
            .iter()
            .find(|key| session_started && !report.values.contains_key(**key));
        if let Some(missing) = missing_basic.or(missing_session) {
            let line = TEMPLATES
                .iter()
                .find(|(_, names)| names[0] == *missing)
                .map_or(*missing, |(template, _)| template_prefix(template));
            return Err(ParseError {
                line: self.last_line,
                message: format!(
                    "the report that starts at line {} ends here without its `{}` line \
                     (truncated?)",
                    report.line,
                    line.trim_end()
                ),
            });
        }
        self.done.push(report);
        Ok(())
    }

    fn start(&mut self, line: usize, echo: Option<Echo>) -> Result<(), ParseError> {
        self.finish()?;
        self.current = Some(Report {
            line,
            echo,
            values: BTreeMap::new(),
            session_lengths: None,
            workload_options: None,
        });
        self.last_line = line;
        Ok(())
    }

    /// The report the values of `line` go to: the current one unless it
    /// already has `first_key` (a new report without an echo line).
    fn report_for(&mut self, line: usize, first_key: &str) -> Result<&mut Report, ParseError> {
        let fresh = match &self.current {
            None => true,
            Some(report) => report.values.contains_key(first_key),
        };
        if fresh {
            self.start(line, None)?;
        }
        self.last_line = line;
        self.current.as_mut().ok_or_else(|| ParseError {
            line,
            message: "internal: no report".to_string(),
        })
    }
}

/// Every report in `bytes`, a text file of httperf output.
pub fn parse_text(bytes: &[u8]) -> Result<Vec<Report>, ParseError> {
    let mut assembler = Assembler {
        done: Vec::new(),
        current: None,
        last_line: 0,
    };
    let mut lines = 0;
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        lines = number;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        match classify(line) {
            Line::Echo(echo) => assembler.start(number, Some(echo))?,
            Line::Values(values) => {
                let first_key = values.first().map_or("", |(key, _)| *key);
                let report = assembler.report_for(number, first_key)?;
                for (key, value) in values {
                    report.values.insert(key.to_string(), value);
                }
            }
            Line::SessionLengths(counts) => {
                let report = assembler.report_for(number, "session.lengths")?;
                report.session_lengths = Some(counts);
            }
            Line::Percentiles(values) => {
                let first_key = values.first().map_or(String::new(), |(k, _)| k.clone());
                let report = assembler.report_for(number, &first_key)?;
                report.values.extend(values);
            }
            Line::Malformed(prefix) => {
                let name = prefix.find(':').map_or(prefix, |at| &prefix[..=at]);
                return Err(ParseError {
                    line: number,
                    message: format!(
                        "a `{name}` line without the layout of httperf's report (cut short?)"
                    ),
                });
            }
            Line::Other => {}
        }
    }
    assembler.finish()?;
    if assembler.done.is_empty() {
        let what = if bytes.contains(&0) {
            "binary data"
        } else {
            "text"
        };
        return Err(ParseError {
            line: lines.min(1),
            message: format!(
                "no httperf report in these {lines} lines of {what} \
                 (no `Total: connections` line)"
            ),
        });
    }
    Ok(assembler.done)
}

/// The report of an httperf-rs `--json` document: its echo line, and the
/// text report recomputed from its totals (so every value is rounded
/// exactly as the text report prints it), plus its percentiles.
pub fn parse_json(text: &str) -> Result<Report, ParseError> {
    let document = results::json::from_str(text).map_err(|message| ParseError {
        line: 0,
        message: format!("not an httperf-rs --json document: {message}"),
    })?;
    let summary = document.totals.to_summary();
    let mut text_form = String::new();
    text_form.push_str(&document.echo_line);
    text_form.push('\n');
    text_form.push_str(&text_report::burst_line(document.totals.max_connect_burst));
    text_form.push('\n');
    text_form.push_str(&text_report::render(&summary, &ReportOptions::default()));
    let mut reports = parse_text(text_form.as_bytes()).map_err(|error| ParseError {
        line: 0,
        message: format!(
            "the document's totals do not make a report: {}",
            error.message
        ),
    })?;
    let mut report = reports.pop().ok_or_else(|| ParseError {
        line: 0,
        message: "the document's totals do not make a report".to_string(),
    })?;
    report.line = 1;
    report.workload_options = Some(
        (document.workload_options.iter())
            .map(results::json::Argument::shown)
            .collect(),
    );
    for (measure, percentiles) in &document.percentiles.measures {
        for (label, value) in &percentiles.values_ms {
            report.values.insert(
                format!("pct.{measure}.{label}"),
                Value {
                    number: *value,
                    text: fixed(*value, 3),
                },
            );
        }
        if percentiles.count > 0 {
            report.values.insert(
                format!("pct.{measure}.max"),
                Value {
                    number: percentiles.max_ms,
                    text: fixed(percentiles.max_ms, 3),
                },
            );
        }
    }
    Ok(report)
}

/// The report's fixed lines rebuilt from the values read, each exactly as
/// its report printed it: the check that reading lost nothing.
pub fn rebuild_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    for (template, names) in TEMPLATES {
        let texts: Option<Vec<&str>> = names
            .iter()
            .map(|name| report.values.get(*name).map(|v| v.text.as_str()))
            .collect();
        if let Some(texts) = texts {
            let mut line = String::new();
            for (i, literal) in template.split("{}").enumerate() {
                if i > 0 {
                    line.push_str(texts[i - 1]);
                }
                line.push_str(literal);
            }
            lines.push(line);
        }
    }
    if let Some(counts) = &report.session_lengths {
        let mut line = String::from("Session length histogram:");
        for count in counts {
            line.push_str(&format!(" {count}"));
        }
        lines.push(line);
    }
    lines
}

/// Whether `bytes` look like a JSON document (first non-blank byte `{`).
pub fn looks_like_json(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "httperf --client=0/1 --server=127.0.0.1 --port=8080 --uri=/ \
--send-buffer=4096 --recv-buffer=16384 --num-conns=5 --num-calls=1
Maximum connect burst length: 1

Total: connections 5 requests 5 replies 5 test-duration 0.004 s

Connection rate: 1229.2 conn/s (0.8 ms/conn, <=1 concurrent connections)
Connection time [ms]: min 0.5 avg 0.8 max 1.5 median 0.5 stddev 0.4
Connection time [ms]: connect 0.1
Connection length [replies/conn]: 1.000

Request rate: 1229.2 req/s (0.8 ms/req)
Request size [B]: 62.0

Reply rate [replies/s]: min 0.0 avg 0.0 max 0.0 stddev 0.0 (0 samples)
Reply time [ms]: response 0.6 transfer 0.0
Reply size [B]: header 238 content 1010.0 footer 0.0 (total 1248.0)
Reply status: 1xx=0 2xx=5 3xx=0 4xx=0 5xx=0

CPU time [s]: user 0.00 system 0.00 (user 0.0% system 0.0% total 0.0%)
Net I/O: 1573.7 KB/s (12.9*10^6 bps)

Errors: total 0 client-timo 0 socket-timo 0 connrefused 0 connreset 0
Errors: fd-unavail 0 addrunavail 0 ftab-full 0 other 0
";

    #[test]
    fn a_session_length_histogram_has_httperfs_layout_or_is_malformed() {
        let lengths = |line: &[u8]| match classify(line) {
            Line::SessionLengths(counts) => Some(counts),
            Line::Malformed(_) => None,
            _ => panic!("not a session length line"),
        };
        assert_eq!(lengths(b"Session length histogram:"), Some(vec![]));
        assert_eq!(
            lengths(b"Session length histogram: 0 3 10"),
            Some(vec![0, 3, 10])
        );
        for bad in [
            &b"Session length histogram: "[..],
            b"Session length histogram:  1",
            b"Session length histogram: 1 ",
            b"Session length histogram: +1",
            b"Session length histogram: 01",
            b"Session length histogram:1",
            b"Session length histogram: 99999999999999999999999",
        ] {
            assert_eq!(lengths(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn every_number_of_a_report() {
        let reports = parse_text(REPORT.as_bytes()).unwrap();
        assert_eq!(reports.len(), 1);
        let report = &reports[0];
        assert_eq!(report.values.len(), 50);
        assert_eq!(report.values["total.replies"].number, 5.0);
        assert_eq!(report.values["reply-size.header"].text, "238");
        assert_eq!(report.values["netio.mbps"].text, "12.9");
        assert!(report.echo.is_some());
    }

    #[test]
    fn crlf_and_concatenated_reports() {
        let twice = format!("{REPORT}{REPORT}").replace('\n', "\r\n");
        assert_eq!(parse_text(twice.as_bytes()).unwrap().len(), 2);
        let without_echo: String = REPORT.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let both = format!("{without_echo}{without_echo}");
        let reports = parse_text(both.as_bytes()).unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[1].line, 23);
        assert!(reports[0].echo.is_none());
    }

    #[test]
    fn truncated_and_foreign_input_name_the_line() {
        let cut = &REPORT[..REPORT.find("CPU time").unwrap()];
        let error = parse_text(cut.as_bytes()).unwrap_err();
        assert_eq!(error.line, 17);
        assert!(error.message.contains("CPU time"), "{}", error.message);
        let mid_line = &REPORT[..REPORT.find("2xx=5").unwrap() + 4];
        assert_eq!(parse_text(mid_line.as_bytes()).unwrap_err().line, 17);
        let error = parse_text(b"\x00\xff\xfe binary").unwrap_err();
        assert!(error.message.contains("binary"), "{}", error.message);
        let echo_only = REPORT.lines().next().unwrap();
        assert_eq!(parse_text(echo_only.as_bytes()).unwrap_err().line, 1);
    }

    #[test]
    fn numbers_in_c_spellings() {
        assert!(number(b"-nan").unwrap().number.is_nan());
        assert_eq!(number(b"inf").unwrap().number, f64::INFINITY);
        assert_eq!(number(b"-0.5").unwrap().number, -0.5);
        assert!(number(b"1e5").is_none());
        assert!(number(b"infinity").is_none());
        assert!(number(b"").is_none());
        assert!(number(b"1.").is_none());
    }

    #[test]
    fn percentile_lines() {
        let text =
            format!("{REPORT}\nResponse time percentiles [ms]: p50 0.500 p99.9 1.250 max 2.000\n");
        let report = &parse_text(text.as_bytes()).unwrap()[0];
        assert_eq!(report.values["pct.response.p99.9"].number, 1.25);
        assert_eq!(report.values["pct.response.max"].text, "2.000");
    }
}
