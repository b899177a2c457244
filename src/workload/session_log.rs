//! The `--wsesslog=N,X,F` session file: turns the file's bytes into session
//! definitions (bursts of requests with their think times). Pure: no I/O
//! besides `load` reading the file, no engine state.
//!
//! The syntax is httperf 0.9.0's, byte for byte, including its quirks
//! (checked against the real binary):
//! * a line is cut at its first NUL byte, as C string handling does;
//! * URI and attribute tokens are separated by any C `isspace` byte (so a CR
//!   of a CRLF file never reaches a URI), and a line of only such bytes ends a
//!   session definition; a line whose first byte is one of them joins the
//!   current burst (bursts cannot be told apart in a run against a closed
//!   port, so this one is inferred from the tokenizer, not observed);
//! * an unquoted `contents=` value ends only at a space, TAB or LF: the CR of
//!   a CRLF line is part of the body (`contents=x` + CRLF sends `x\r`);
//! * a quote left open runs to the end of the physical line, LF included
//!   (`contents="abc` + LF sends `abc\n`), but not beyond it;
//! * a backslash that is the last byte of the file is dropped;
//! * `think=` with no leading number, and `method=`, `think=` or `contents=`
//!   with an empty value, are unrecognised arguments; `think=1.5xyz` is 1.5;
//! * a repeated attribute replaces the earlier one, `contents=''` included;
//! * URIs and bodies are bytes: what is not UTF-8 is sent unchanged.
//!
//! Deliberate deviations from 0.9.0:
//! * no line-length limit (0.9.0 splits lines at 9,999 bytes and parses the
//!   tail as a new line);
//! * no limit on the number of session definitions (0.9.0 stops at 1,000 with
//!   `too many sessions`); the file may hold up to 1 GiB
//!   ([`files::WSESSLOG_MAX_BYTES`]), and only a regular file or a pipe is read;
//! * a file without any request is rejected with `<F> contains no requests`,
//!   and a file that cannot be read (a directory, say) with `can't open <F>`
//!   (0.9.0 dies with SIGSEGV in both cases);
//! * every error carries the line it was found on ([`ParseError::line`]); the
//!   message text itself is 0.9.0's, because scripts may match it;
//! * methods: upstream master's list, which adds `PROPFIND` and `REPORT` to
//!   0.9.0's seven.
//!
//! Memory: the file is kept as read and every URI is a place in it; per
//! request only its URI's offset is stored (plus its method when not GET, its
//! body for `contents=`), per burst its first request (and where its `think=`
//! value is), per session its first burst. A file therefore costs little more
//! than its size: 4 bytes per request and burst beyond it.

use std::fmt;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::c::ctype::{is_space, skip_space};
use crate::c::strto::strtod;
use crate::files;

/// The parsed session file: N session definitions of bursts of requests.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionLog {
    /// The file as read; URIs and `think=` values are read from it.
    text: Vec<u8>,
    index: Index,
    default_think_s: f64,
}

/// Where the parts of each session, burst and request are. Offsets into the
/// text are `u32`: [`parse`] refuses texts of 4 GiB or more.
#[derive(Debug, Clone, Default, PartialEq)]
struct Index {
    /// Per request: where its URI starts in the text. It ends at the first
    /// separator ([`is_token_end`]) or at the end of the text.
    uri_starts: Vec<u32>,
    /// The requests whose method is not GET, ascending, and their methods
    /// (indexes into [`METHODS`]).
    other_method_requests: Vec<u32>,
    other_methods: Vec<u8>,
    /// The requests that have a body, ascending, and each one's range in `bodies`.
    body_requests: Vec<u32>,
    body_ranges: Vec<(u32, u32)>,
    bodies: Vec<u8>,
    /// Per burst: its first request.
    burst_starts: Vec<u32>,
    /// The bursts with a `think=` of their own, ascending, and where its
    /// value starts in the text.
    think_bursts: Vec<u32>,
    think_starts: Vec<u32>,
    /// Per session definition: its first burst.
    session_starts: Vec<u32>,
}

/// One request of a session file, borrowed from the [`SessionLog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRequest<'a> {
    pub uri: &'a [u8],
    pub method: &'static str,
    /// Empty when the request has none.
    pub body: &'a [u8],
}

/// A burst: its requests (the first starts the burst) and the think time after it.
#[derive(Debug, Clone)]
pub struct LogBurst<'a> {
    log: &'a SessionLog,
    requests: Range<usize>,
    pub think_time_s: f64,
}

impl<'a> LogBurst<'a> {
    pub fn requests(&self) -> impl Iterator<Item = LogRequest<'a>> + '_ {
        self.requests.clone().map(|index| self.log.request(index))
    }
}

/// Index ranges: entry `index` of `starts` runs to the next entry or `end`.
fn range_at(starts: &[u32], index: usize, end: usize) -> Option<Range<usize>> {
    let start = *starts.get(index)? as usize;
    let stop = starts.get(index + 1).map_or(end, |&next| next as usize);
    Some(start..stop)
}

/// The token of `text` that starts at `start`.
fn token_at(text: &[u8], start: usize) -> &[u8] {
    let rest = text.get(start..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|&b| is_token_end(b))
        .unwrap_or(rest.len());
    &rest[..len]
}

/// A `think=` value as httperf reads it (C `strtod`, trailing text ignored).
fn think_value(token: &[u8]) -> Option<f64> {
    let number = strtod(token);
    number.converted().then_some(number.value)
}

impl SessionLog {
    /// Number of session definitions (at least 1).
    pub fn session_count(&self) -> usize {
        self.index.session_starts.len()
    }

    fn bursts_of(&self, session: usize) -> Range<usize> {
        let index = &self.index;
        range_at(&index.session_starts, session, index.burst_starts.len()).unwrap_or(0..0)
    }

    fn requests_of(&self, burst: usize) -> Range<usize> {
        let index = &self.index;
        range_at(&index.burst_starts, burst, index.uri_starts.len()).unwrap_or(0..0)
    }

    /// Number of bursts of session definition `session`.
    pub fn burst_count(&self, session: usize) -> usize {
        self.bursts_of(session).len()
    }

    /// Number of requests of session definition `session`.
    pub fn request_count(&self, session: usize) -> usize {
        let bursts = self.bursts_of(session);
        match (bursts.clone().next(), bursts.last()) {
            (Some(first), Some(last)) => self.requests_of(last).end - self.requests_of(first).start,
            _ => 0,
        }
    }

    /// Burst `burst` of session definition `session`.
    pub fn burst(&self, session: usize, burst: usize) -> Option<LogBurst<'_>> {
        let bursts = self.bursts_of(session);
        let index = bursts.start + burst;
        if !bursts.contains(&index) {
            return None;
        }
        let own_think = match self.index.think_bursts.binary_search(&(index as u32)) {
            Ok(at) => think_value(token_at(&self.text, self.index.think_starts[at] as usize)),
            Err(_) => None,
        };
        Some(LogBurst {
            log: self,
            requests: self.requests_of(index),
            think_time_s: own_think.unwrap_or(self.default_think_s),
        })
    }

    fn request(&self, request: usize) -> LogRequest<'_> {
        let index = &self.index;
        let key = request as u32;
        let method = match index.other_method_requests.binary_search(&key) {
            Ok(at) => index.other_methods[at],
            Err(_) => GET,
        };
        let body = match index.body_requests.binary_search(&key) {
            Ok(at) => {
                let (from, to) = index.body_ranges[at];
                &index.bodies[from as usize..to as usize]
            }
            Err(_) => &[],
        };
        LogRequest {
            uri: token_at(&self.text, index.uri_starts[request] as usize),
            method: METHODS[usize::from(method)],
            body,
        }
    }
}

/// A session file that cannot be used. `message` is the text exactly as
/// httperf 0.9.0 words it (the part after `"<program>: "`); the caller prints
/// the location, if any, on a second line: see [`ParseError::location`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: Vec<u8>,
    /// 1-based physical line the error was found on; 0 when the error is not
    /// about one line (unreadable file, no request at all).
    pub line: usize,
}

impl ParseError {
    /// `(in <F>, line <N>)`, the second line the caller prints after
    /// `<program>: <message>`; `None` when the error has no line.
    pub fn location(&self, path: &[u8]) -> Option<Vec<u8>> {
        (self.line > 0)
            .then(|| [b"(in ", path, format!(", line {})", self.line).as_bytes()].concat())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message))
    }
}

impl std::error::Error for ParseError {}

/// Upstream master's method list, in its order: the first entry that is a
/// prefix of the given name wins (`POSTAL` is POST), as in httperf.
const METHODS: [&str; 9] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PROPFIND", "REPORT", "TRACE",
];
const GET: u8 = 1;

/// Reads (at most [`files::WSESSLOG_MAX_BYTES`]) and parses the session file
/// `path`, named as the user typed it.
pub fn load(path: &Path, default_think_s: f64) -> Result<SessionLog, ParseError> {
    let bytes =
        files::read_limited(path, files::WSESSLOG_MAX_BYTES).map_err(|error| ParseError {
            message: error.message(path, "--wsesslog"),
            line: 0,
        })?;
    parse(bytes, path.as_os_str().as_bytes(), default_think_s)
}

/// Parses the whole file. `default_think_s` is X of `--wsesslog=N,X,F`; `path`
/// is F as the user typed it (for messages).
pub fn parse(text: Vec<u8>, path: &[u8], default_think_s: f64) -> Result<SessionLog, ParseError> {
    if u32::try_from(text.len()).is_err() {
        return Err(ParseError {
            message: [path, b" is too large"].concat(),
            line: 0,
        });
    }
    let mut index = Index::default();
    let mut parser = Parser {
        lines: Lines {
            text: &text,
            next: 0,
            start: 0,
            number: 0,
        },
        path,
        index: &mut index,
        session_open: false,
    };
    while let Some(line) = parser.lines.next_line() {
        parser.line(line)?;
    }
    if index.session_starts.is_empty() {
        return Err(ParseError {
            message: [path, b" contains no requests"].concat(),
            line: 0,
        });
    }
    Ok(SessionLog {
        text,
        index,
        default_think_s,
    })
}

/// Where a token stored as an offset ends: a separator, or the NUL that cut its line.
fn is_token_end(b: u8) -> bool {
    is_space(b) || b == 0
}

fn token_end(line: &[u8], mut i: usize) -> usize {
    while line.get(i).is_some_and(|&b| !is_space(b)) {
        i += 1;
    }
    i
}

/// Physical lines as httperf's `fgets` sees them: the trailing LF included
/// (it matters inside an open quote), cut at the first NUL.
struct Lines<'a> {
    text: &'a [u8],
    /// Where the next line starts.
    next: usize,
    /// Where the line returned last starts.
    start: usize,
    /// Number of the line returned last (1-based).
    number: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<&'a [u8]> {
        let rest = self.text.get(self.next..).filter(|rest| !rest.is_empty())?;
        let len = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |lf| lf + 1);
        let line = &rest[..len];
        self.start = self.next;
        self.next += len;
        self.number += 1;
        Some(match line.iter().position(|&b| b == 0) {
            Some(nul) => &line[..nul],
            None => line,
        })
    }
}

/// The attributes of one request line.
struct Attributes {
    method: u8,
    /// Where the last `think=` value starts in the text.
    think_start: Option<u32>,
    body: Vec<u8>,
}

struct Parser<'a, 'i> {
    lines: Lines<'a>,
    path: &'a [u8],
    index: &'i mut Index,
    /// The last session definition has bursts and may get more.
    session_open: bool,
}

impl<'a> Parser<'a, '_> {
    fn error(&self, message: Vec<u8>) -> ParseError {
        ParseError {
            message,
            line: self.lines.number,
        }
    }

    fn line(&mut self, line: &'a [u8]) -> Result<(), ParseError> {
        if line.first() == Some(&b'#') {
            return Ok(());
        }
        let start = skip_space(line, 0);
        if start == line.len() {
            // Only a definition with requests ends: blank runs make no empty sessions.
            self.session_open = false;
            return Ok(());
        }
        // Offsets fit in u32: `parse` refuses larger texts.
        let uri_start = (self.lines.start + start) as u32;
        let uri_end = token_end(line, start);
        let mut attributes = Attributes {
            method: GET,
            think_start: None,
            body: Vec::new(),
        };
        self.attributes(line, uri_end, &mut attributes)?;
        self.push_request(uri_start, start > 0, attributes);
        Ok(())
    }

    /// Adds a request to the current burst (`joins_burst`, when there is
    /// one) or as the first of a new burst.
    fn push_request(&mut self, uri_start: u32, joins_burst: bool, attributes: Attributes) {
        let index = &mut *self.index;
        let request = index.uri_starts.len() as u32;
        if !(joins_burst && self.session_open) {
            if !self.session_open {
                index.session_starts.push(index.burst_starts.len() as u32);
                self.session_open = true;
            }
            index.burst_starts.push(request);
        }
        index.uri_starts.push(uri_start);
        if attributes.method != GET {
            index.other_method_requests.push(request);
            index.other_methods.push(attributes.method);
        }
        if !attributes.body.is_empty() {
            let from = index.bodies.len() as u32;
            index.bodies.extend_from_slice(&attributes.body);
            index.body_requests.push(request);
            index.body_ranges.push((from, index.bodies.len() as u32));
        }
        if let Some(think_start) = attributes.think_start {
            let burst = index.burst_starts.len() as u32 - 1;
            if index.think_bursts.last() == Some(&burst) {
                if let Some(last) = index.think_starts.last_mut() {
                    *last = think_start;
                }
            } else {
                index.think_bursts.push(burst);
                index.think_starts.push(think_start);
            }
        }
    }

    /// Parses the attributes after the URI, from `line[i..]`; a `contents=`
    /// value may pull in further physical lines, whose rest is parsed too.
    fn attributes(
        &mut self,
        mut line: &'a [u8],
        mut i: usize,
        attributes: &mut Attributes,
    ) -> Result<(), ParseError> {
        loop {
            i = skip_space(line, i);
            if i >= line.len() {
                return Ok(());
            }
            let end = token_end(line, i);
            let token = &line[i..end];
            let value =
                |prefix: &[u8]| token.strip_prefix(prefix).filter(|value| !value.is_empty());
            if let Some(name) = value(b"method=") {
                let method = METHODS
                    .iter()
                    .position(|m| name.starts_with(m.as_bytes()))
                    .ok_or_else(|| {
                        self.error(
                            [b"did not recognize method '", name, b"' in ", self.path].concat(),
                        )
                    })?;
                attributes.method = method as u8;
                i = end;
            } else if let Some(number) = value(b"think=") {
                if think_value(number).is_none() {
                    return Err(self.unrecognized(token));
                }
                let start = self.lines.start + i + b"think=".len();
                attributes.think_start = Some(start as u32);
                i = end;
            } else if value(b"contents=").is_some() {
                // The value is re-read from the line: quotes may hide spaces.
                let (body, next_line, next_i) = self.contents(line, i + b"contents=".len())?;
                attributes.body = body;
                line = next_line;
                i = next_i;
            } else {
                return Err(self.unrecognized(token));
            }
        }
    }

    fn unrecognized(&self, token: &[u8]) -> ParseError {
        self.error([b"did not recognize arg '", token, b"' in ", self.path].concat())
    }

    /// Reads a `contents=` value starting at `line[i]`. Returns the body and
    /// where attribute parsing resumes (possibly on a later line).
    fn contents(
        &mut self,
        mut line: &'a [u8],
        mut i: usize,
    ) -> Result<(Vec<u8>, &'a [u8], usize), ParseError> {
        let mut body = Vec::new();
        let mut quote: Option<u8> = None;
        while let Some(&c) = line.get(i) {
            match c {
                b'\\' => {
                    let Some(&escaped) = line.get(i + 1) else {
                        // 0.9.0 drops a backslash with nothing after it.
                        i += 1;
                        break;
                    };
                    i += 2;
                    match escaped {
                        b'\n' => {
                            body.push(b'\n');
                            line = self.lines.next_line().ok_or_else(|| {
                                self.error([b"premature EOF seen in '", self.path, b"'"].concat())
                            })?;
                            i = 0;
                        }
                        b'n' => body.push(b'\n'),
                        b'r' => body.push(b'\r'),
                        b't' => body.push(b'\t'),
                        other => body.push(other),
                    }
                }
                b'"' | b'\'' => {
                    match quote {
                        None => quote = Some(c),
                        Some(open) if open == c => quote = None,
                        Some(_) => body.push(c),
                    }
                    i += 1;
                }
                b' ' | b'\t' | b'\n' if quote.is_none() => break,
                _ => {
                    body.push(c);
                    i += 1;
                }
            }
        }
        Ok((body, line, i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "sess.log";

    // Owned copies of what the parser produced, so that expectations read
    // as plain data. URIs are shown as (lossy) text; tests of non-UTF-8
    // bytes use the `SessionLog` API itself.
    #[derive(Debug, Clone, PartialEq)]
    struct LogRequest {
        uri: String,
        method: &'static str,
        body: Vec<u8>,
    }

    #[derive(Debug, Clone, PartialEq)]
    struct LogBurst {
        requests: Vec<LogRequest>,
        think_time_s: f64,
    }

    #[derive(Debug, Clone, PartialEq)]
    struct LogSession {
        bursts: Vec<LogBurst>,
    }

    impl LogSession {
        fn request_count(&self) -> usize {
            self.bursts.iter().map(|b| b.requests.len()).sum()
        }
    }

    fn owned(log: &SessionLog) -> Vec<LogSession> {
        (0..log.session_count())
            .map(|session| {
                let bursts: Vec<LogBurst> = (0..log.burst_count(session))
                    .filter_map(|burst| log.burst(session, burst))
                    .map(|burst| LogBurst {
                        requests: burst
                            .requests()
                            .map(|r| LogRequest {
                                uri: String::from_utf8_lossy(r.uri).into_owned(),
                                method: r.method,
                                body: r.body.to_vec(),
                            })
                            .collect(),
                        think_time_s: burst.think_time_s,
                    })
                    .collect();
                let owned = LogSession { bursts };
                assert_eq!(owned.request_count(), log.request_count(session));
                owned
            })
            .collect()
    }

    fn parse(text: &[u8], path: &str, default_think_s: f64) -> Result<Vec<LogSession>, ParseError> {
        super::parse(text.to_vec(), path.as_bytes(), default_think_s).map(|log| owned(&log))
    }

    fn ok(text: &[u8]) -> Vec<LogSession> {
        match parse(text, F, 0.5) {
            Ok(sessions) => sessions,
            Err(e) => panic!(
                "unexpected error {e:?} for {:?}",
                String::from_utf8_lossy(text)
            ),
        }
    }

    fn err(text: &[u8]) -> ParseError {
        match parse(text, F, 0.5) {
            Ok(sessions) => panic!("expected an error, got {sessions:?}"),
            Err(e) => e,
        }
    }

    fn req(uri: &str, method: &'static str, body: &[u8]) -> LogRequest {
        LogRequest {
            uri: uri.to_string(),
            method,
            body: body.to_vec(),
        }
    }

    fn get(uri: &str) -> LogRequest {
        req(uri, "GET", b"")
    }

    fn burst(think: f64, requests: Vec<LogRequest>) -> LogBurst {
        LogBurst {
            requests,
            think_time_s: think,
        }
    }

    /// The one request of a one-line file.
    fn only(text: &[u8]) -> LogRequest {
        let sessions = ok(text);
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].request_count(), 1);
        sessions[0].bursts[0].requests[0].clone()
    }

    fn body(text: &[u8]) -> Vec<u8> {
        only(text).body
    }

    #[test]
    fn manual_example() {
        // From httperf.1, roff escapes undone; the line after /pict4.gif is a TAB.
        let text = b"# Comment lines start with a ``#'' as the first\n\
# character.  Lines with only whitespace delimit\n\
# sessions (multiple blank lines do not generate\n\
# ``null'' sessions).  All other lines specify a\n\
# uri-sequence (1 uri per line).  If the first\n\
# character of the line is whitespace (e.g. space\n\
# or tab), the uri is considered to be part of a\n\
# burst that is sent out after the previous\n\
# non-burst uri.\n\
\n\
# session 1 definition (this is a comment)\n\
/foo.html think=2.0\n\
\t/pict1.gif\n\
\t/pict2.gif\n\
/foo2.html method=POST contents='Post data'\n\
\t/pict3.gif\n\
\t/pict4.gif\n\
\t\n\
# session 2 definition\n\
/foo3.html method=POST contents=\"Multiline\\ndata\"\n\
/foo4.html method=HEAD\n";
        let sessions = parse(text, F, 1.5).unwrap();
        assert_eq!(
            sessions,
            vec![
                LogSession {
                    bursts: vec![
                        burst(
                            2.0,
                            vec![get("/foo.html"), get("/pict1.gif"), get("/pict2.gif")]
                        ),
                        burst(
                            1.5,
                            vec![
                                req("/foo2.html", "POST", b"Post data"),
                                get("/pict3.gif"),
                                get("/pict4.gif"),
                            ]
                        ),
                    ]
                },
                LogSession {
                    bursts: vec![
                        burst(1.5, vec![req("/foo3.html", "POST", b"Multiline\ndata")]),
                        burst(1.5, vec![req("/foo4.html", "HEAD", b"")]),
                    ]
                },
            ]
        );
        assert_eq!(sessions[0].request_count(), 6);
        assert_eq!(sessions[1].request_count(), 2);
    }

    #[test]
    fn bursts_by_leading_whitespace() {
        let sessions = ok(b" /a\n/b\n\t/c\n \x0b/d\n/e\n");
        assert_eq!(
            sessions[0].bursts,
            vec![
                burst(0.5, vec![get("/a")]),
                burst(0.5, vec![get("/b"), get("/c"), get("/d")]),
                burst(0.5, vec![get("/e")]),
            ]
        );
    }

    #[test]
    fn first_request_after_blank_line_starts_a_burst() {
        let sessions = ok(b"/a\n\n  /b\n   /c\n");
        assert_eq!(sessions.len(), 2);
        assert_eq!(
            sessions[1].bursts,
            vec![burst(0.5, vec![get("/b"), get("/c")])]
        );
    }

    #[test]
    fn blank_lines_separate_sessions_without_empty_ones() {
        // Checked with 0.9.0: CR, FF and VT alone make a blank line too.
        let sessions = ok(b"\n \n/a\n\n\n \t \n/b\n\r\n/c\n\x0c\n\x0b\n/d\n\n");
        let uris: Vec<_> = sessions
            .iter()
            .map(|s| s.bursts[0].requests[0].uri.as_str())
            .collect();
        assert_eq!(uris, ["/a", "/b", "/c", "/d"]);
    }

    #[test]
    fn comments_only_at_the_first_byte() {
        let sessions = ok(b"#x\n/a\n#/b\n  #c\n");
        assert_eq!(sessions.len(), 1);
        assert_eq!(
            sessions[0].bursts,
            vec![burst(0.5, vec![get("/a"), get("#c")])]
        );
    }

    #[test]
    fn comment_does_not_end_a_session() {
        assert_eq!(ok(b"/a\n#c\n/b\n").len(), 1);
    }

    #[test]
    fn uri_is_any_bytes_up_to_whitespace() {
        assert_eq!(only(b"/a?b=c&d=\"e'f\\g\n").uri, "/a?b=c&d=\"e'f\\g");
        assert_eq!(only(b"method=POST\n").uri, "method=POST");
        assert_eq!(only(b"/\xe2\x82\xac\n").uri, "/\u{20ac}");
        // Last line without LF.
        assert_eq!(only(b"/last method=PUT"), req("/last", "PUT", b""));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_kept() {
        let text = b"/x\xff\xfe method=POST contents='\xfe\xff'\n\t/\xc3 think=2\n\n/z\xff\0y\n";
        let log = super::parse(text.to_vec(), b"f\xff", 0.5).expect("valid");
        let burst = log.burst(0, 0).expect("burst");
        let requests: Vec<super::LogRequest<'_>> = burst.requests().collect();
        assert_eq!(
            requests,
            [
                super::LogRequest {
                    uri: b"/x\xff\xfe",
                    method: "POST",
                    body: b"\xfe\xff"
                },
                super::LogRequest {
                    uri: b"/\xc3",
                    method: "GET",
                    body: b""
                },
            ]
        );
        assert_eq!(burst.think_time_s, 2.0);
        let second: Vec<_> = log.burst(1, 0).expect("burst").requests().collect();
        assert_eq!(second[0].uri, b"/z\xff");
        let error = super::parse(b"/a method=\xff\n".to_vec(), b"f\xff", 0.5).unwrap_err();
        assert_eq!(error.message, b"did not recognize method '\xff' in f\xff");
    }

    #[test]
    fn methods() {
        for m in METHODS {
            assert_eq!(only(format!("/a method={m}\n").as_bytes()).method, m);
        }
        // Prefix match, first in list order (verified DELETEXYZ with 0.9.0).
        assert_eq!(only(b"/a method=DELETEXYZ\n").method, "DELETE");
        assert_eq!(only(b"/a method=POSTAL\n").method, "POST");
        assert_eq!(only(b"/a method=PUTT\n").method, "PUT");
        assert_eq!(only(b"/a method=PROPFINDX\n").method, "PROPFIND");
        // Last wins.
        assert_eq!(only(b"/a method=PUT method=POST\n").method, "POST");
    }

    #[test]
    fn think_times() {
        let sessions = ok(b"/a think=2\n /b think=3.5\n/c\n /d think=1e\n/e think=1.5xyz\n");
        let thinks: Vec<_> = sessions[0].bursts.iter().map(|b| b.think_time_s).collect();
        assert_eq!(thinks, [3.5, 1.0, 1.5]);
        let sessions = ok(b"/a\n/b think=.25\n");
        assert_eq!(sessions[0].bursts[0].think_time_s, 0.5);
        assert_eq!(sessions[0].bursts[1].think_time_s, 0.25);
        // Whatever C strtod takes.
        let thinks: Vec<_> = ok(b"/a think=-1\n/b think=+2\n/c think=0x10\n/d think=inf\n")[0]
            .bursts
            .iter()
            .map(|b| b.think_time_s)
            .collect();
        assert_eq!(thinks, [-1.0, 2.0, 16.0, f64::INFINITY]);
        assert!(ok(b"/a think=nan\n")[0].bursts[0].think_time_s.is_nan());
    }

    #[test]
    fn think_on_a_continuation_line_sets_the_burst() {
        let sessions = ok(b"/a contents=x\\\n think=4\n");
        assert_eq!(
            sessions[0].bursts,
            vec![burst(4.0, vec![req("/a", "GET", b"x\n")])]
        );
    }

    #[test]
    fn contents_quoting() {
        // Examples verified with 0.9.0.
        assert_eq!(body(b"/a contents=\"a b\\tc\"\n"), b"a b\tc");
        assert_eq!(body(b"/a contents='x\"y'\n"), b"x\"y");
        assert_eq!(body(b"/a contents=\"x'y\"\n"), b"x'y");
        assert_eq!(body(b"/a contents=a\"b c\"d\n"), b"ab cd");
        assert_eq!(body(b"/a contents='Post data'\n"), b"Post data");
        assert_eq!(body(b"/a contents=''x\n"), b"x");
        assert_eq!(body(b"/a contents=plain\n"), b"plain");
        assert_eq!(body(b"/a contents=\"a\\\"b\" method=PUT\n"), b"a\"b");
        // A closing quote does not end the value.
        assert_eq!(
            only(b"/a contents='a'method=PUT\n"),
            req("/a", "GET", b"amethod=PUT")
        );
    }

    #[test]
    fn contents_escapes() {
        assert_eq!(body(b"/a contents=1\\n2\\r3\\t4\n"), b"1\n2\r3\t4");
        assert_eq!(body(b"/a contents='x\\ny'\n"), b"x\ny");
        assert_eq!(body(b"/a contents='\\a\\b'\n"), b"ab");
        assert_eq!(body(b"/a contents=a\\ b\n"), b"a b");
        assert_eq!(body(b"/a contents=\\\\\n"), b"\\");
        assert_eq!(body(b"/a contents=x\\\r\n"), b"x\r");
        // A backslash as the file's last byte is dropped.
        assert_eq!(body(b"/a contents=plain\\"), b"plain");
    }

    #[test]
    fn contents_terminators() {
        // Only space, TAB and LF end an unquoted value; CR and VT are data.
        assert_eq!(
            only(b"/a contents=ab\tmethod=PUT\n"),
            req("/a", "PUT", b"ab")
        );
        assert_eq!(body(b"/a contents=ab\rmethod=PUT\n"), b"ab\rmethod=PUT");
        assert_eq!(body(b"/a contents=ab\x0bcd\n"), b"ab\x0bcd");
        assert_eq!(body(b"/a contents=x\r\n"), b"x\r");
        // An open quote runs to the end of the line, LF included, and stops there.
        let sessions = ok(b"/a contents=\"abc\n/b\n");
        assert_eq!(
            sessions[0].bursts,
            vec![
                burst(0.5, vec![req("/a", "GET", b"abc\n")]),
                burst(0.5, vec![get("/b")]),
            ]
        );
        assert_eq!(body(b"/a contents=\"abc"), b"abc");
    }

    #[test]
    fn contents_empty_and_repeated() {
        assert_eq!(body(b"/a contents=''\n"), b"");
        assert_eq!(
            only(b"/a contents=\"\" method=PUT\n"),
            req("/a", "PUT", b"")
        );
        assert_eq!(body(b"/a contents=a contents=bc\n"), b"bc");
        assert_eq!(body(b"/a contents=a contents=''\n"), b"");
    }

    #[test]
    fn continuation_lines() {
        // Verified with 0.9.0: 15 bytes.
        assert_eq!(
            body(b"/a contents=plain\\\nnext-line\n"),
            b"plain\nnext-line"
        );
        // A leading space ends the value; the rest are attributes of the same request.
        assert_eq!(
            only(b"/a contents=x\\\n method=POST think=3\n"),
            req("/a", "POST", b"x\n")
        );
        // A quote stays open across the line break.
        assert_eq!(body(b"/a contents=\"x\\\ny z\"\n"), b"x\ny z");
        // The continuation line is data even if it looks like a comment or is blank.
        assert_eq!(body(b"/a contents=x\\\n#y\n"), b"x\n#y");
        let sessions = ok(b"/a contents=x\\\n\n/b\n");
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].request_count(), 2);
        // Several in a row.
        assert_eq!(body(b"/a contents=1\\\n2\\\n3\n"), b"1\n2\n3");
    }

    #[test]
    fn token_separators_are_c_isspace() {
        assert_eq!(only(b"/a\r\n").uri, "/a");
        assert_eq!(only(b"/a\x0bmethod=POST\n"), req("/a", "POST", b""));
        assert_eq!(only(b"/a\x0cmethod=POST\n"), req("/a", "POST", b""));
        assert_eq!(only(b"/a\rmethod=POST\n"), req("/a", "POST", b""));
        assert_eq!(only(b"/a\t\tmethod=POST  think=1\n").method, "POST");
    }

    #[test]
    fn crlf_file() {
        let sessions = ok(b"/a method=POST\r\n\t/b think=2\r\n\r\n/c contents=x\r\n");
        assert_eq!(
            sessions,
            vec![
                LogSession {
                    bursts: vec![burst(2.0, vec![req("/a", "POST", b""), get("/b")])]
                },
                LogSession {
                    bursts: vec![burst(0.5, vec![req("/c", "GET", b"x\r")])]
                },
            ]
        );
    }

    #[test]
    fn nul_ends_the_line() {
        // Verified with 0.9.0: the rest of the line after a NUL is never seen.
        assert_eq!(only(b"/a\0xyz method=POST\n"), get("/a"));
        assert_eq!(only(b"/a method=POST\0 foo\n").method, "POST");
        assert_eq!(body(b"/a contents=ab\0cd method=PUT\n"), b"ab");
        assert_eq!(ok(b"/a\n \0/c\n/b\n").len(), 2);
        assert_eq!(ok(b"/a\n\0/c\n/b\n").len(), 2);
    }

    #[test]
    fn error_messages() {
        // Texts as 0.9.0 prints them (after "httperf: "), each checked with the binary.
        let cases: &[(&[u8], &str, usize)] = &[
            (
                b"/a method=get\n",
                "did not recognize method 'get' in sess.log",
                1,
            ),
            (
                b"/a method=PATCH\n",
                "did not recognize method 'PATCH' in sess.log",
                1,
            ),
            (
                b"/a\n/b method=\n",
                "did not recognize arg 'method=' in sess.log",
                2,
            ),
            (
                b"/a method= POST\n",
                "did not recognize arg 'method=' in sess.log",
                1,
            ),
            (
                b"/a METHOD=POST\n",
                "did not recognize arg 'METHOD=POST' in sess.log",
                1,
            ),
            (
                b"/a foo=bar\n",
                "did not recognize arg 'foo=bar' in sess.log",
                1,
            ),
            (b"/a foo\r\n", "did not recognize arg 'foo' in sess.log", 1),
            (b"/a\rb\n", "did not recognize arg 'b' in sess.log", 1),
            (
                b"/a contents=\n",
                "did not recognize arg 'contents=' in sess.log",
                1,
            ),
            (
                b"/a contents= x\n",
                "did not recognize arg 'contents=' in sess.log",
                1,
            ),
            (
                b"/a contents=\r\n",
                "did not recognize arg 'contents=' in sess.log",
                1,
            ),
            (
                b"/a think=\n",
                "did not recognize arg 'think=' in sess.log",
                1,
            ),
            (
                b"/a think= 5\n",
                "did not recognize arg 'think=' in sess.log",
                1,
            ),
            (
                b"/a think=abc\n",
                "did not recognize arg 'think=abc' in sess.log",
                1,
            ),
            (
                b"/a think=.\n",
                "did not recognize arg 'think=.' in sess.log",
                1,
            ),
            (
                b"/a think=-\n",
                "did not recognize arg 'think=-' in sess.log",
                1,
            ),
            (
                b"/a think=e5\n",
                "did not recognize arg 'think=e5' in sess.log",
                1,
            ),
            (
                b"/a think=\\\n5\n",
                "did not recognize arg 'think=\\' in sess.log",
                1,
            ),
            (
                b"/a contents='a b\\' c' d\n",
                "did not recognize arg 'd' in sess.log",
                1,
            ),
            (
                b"/a contents=x\\\nmethod=POST more\n",
                "did not recognize arg 'more' in sess.log",
                2,
            ),
            (
                b"/a contents=a\\\n\tb\n",
                "did not recognize arg 'b' in sess.log",
                2,
            ),
            (
                b"/a contents=\"x\\\ny\" z\n",
                "did not recognize arg 'z' in sess.log",
                2,
            ),
            (
                b"/a contents=plain\\\n",
                "premature EOF seen in 'sess.log'",
                1,
            ),
            (
                b"/a\n/b contents=1\\\n2\\\n",
                "premature EOF seen in 'sess.log'",
                3,
            ),
            (b"", "sess.log contains no requests", 0),
            (
                b"# only a comment\n\n  \n",
                "sess.log contains no requests",
                0,
            ),
        ];
        for &(text, message, line) in cases {
            let e = err(text);
            assert_eq!(
                (e.to_string().as_str(), e.line),
                (message, line),
                "{:?}",
                String::from_utf8_lossy(text)
            );
            assert_eq!(e.to_string(), message);
        }
    }

    #[test]
    fn location_line() {
        let e = err(b"/a\n\n/b bad\n");
        assert_eq!(
            e.location(b"f.log").as_deref(),
            Some(&b"(in f.log, line 3)"[..])
        );
        assert_eq!(err(b"").location(b"f.log"), None);
    }

    #[test]
    fn load_reports_unreadable_files() {
        let e = load(Path::new("/nonexistent/httperf-rs/sess.log"), 0.0).unwrap_err();
        assert_eq!(
            e,
            ParseError {
                message: "can't open /nonexistent/httperf-rs/sess.log".into(),
                line: 0
            }
        );
        // A directory opens in C but cannot be read: 0.9.0 crashes, we refuse it.
        let dir = std::env::temp_dir();
        assert_eq!(
            load(&dir, 0.0).unwrap_err().to_string(),
            format!("can't open {}", dir.display())
        );
        // A file that never ends is refused before it fills memory.
        assert_eq!(
            load(Path::new("/dev/zero"), 0.0).unwrap_err().to_string(),
            "/dev/zero: not a regular file or a pipe"
        );
    }

    #[test]
    fn load_reads_a_file() {
        let path = std::env::temp_dir().join(format!("httperf-rs-slog-{}.log", std::process::id()));
        std::fs::write(&path, b"/a think=1\n\n/b method=HEAD\n").unwrap();
        let result = load(&path, 0.0);
        let _ = std::fs::remove_file(&path);
        let sessions = owned(&result.unwrap());
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[1].bursts[0].requests[0], req("/b", "HEAD", b""));
    }

    #[test]
    fn many_sessions_and_long_lines() {
        let mut text = Vec::new();
        for i in 0..1500 {
            text.extend_from_slice(format!("/s{i}\n\n").as_bytes());
        }
        assert_eq!(ok(&text).len(), 1500);
        let long = format!("/{} contents={}\n", "u".repeat(20_000), "b".repeat(30_000));
        let r = only(long.as_bytes());
        assert_eq!((r.uri.len(), r.body.len()), (20_001, 30_000));
    }

    #[test]
    fn garbage_never_panics() {
        const PIECES: &[&[u8]] = &[
            b"\\",
            b"\"",
            b"'",
            b"\n",
            b"\r\n",
            b" ",
            b"\t",
            b"#",
            b"=",
            b"method=",
            b"method=P",
            b"think=",
            b"think=1",
            b"contents=",
            b"contents='",
            b"/x",
            b"\0",
            b"\xff",
            b"\xe2\x82",
            b"\x0b",
            b"a",
            b"GET",
            b"\\\n",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for round in 0..5000 {
            let mut text = Vec::new();
            for _ in 0..next() % 40 {
                if round % 3 == 0 {
                    text.push(next() as u8);
                } else {
                    text.extend_from_slice(PIECES[next() % PIECES.len()]);
                }
            }
            match parse(&text, F, 0.0) {
                Ok(sessions) => {
                    assert!(!sessions.is_empty());
                    for s in &sessions {
                        assert!(s.bursts.iter().all(|b| !b.requests.is_empty()));
                        assert!(s.request_count() > 0);
                    }
                }
                Err(e) => assert!(!e.message.is_empty()),
            }
        }
    }
}
