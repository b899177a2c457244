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
//!   (`files::WSESSLOG_MAX_BYTES`), and only a regular file or a pipe is read;
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
    /// Number of requests in the burst.
    pub fn request_count(&self) -> usize {
        self.requests.len()
    }

    pub fn requests(&self) -> impl Iterator<Item = LogRequest<'a>> + '_ {
        self.requests.clone().map(|index| self.log.request(index))
    }

    /// The burst's requests as indexes for [`SessionLog::request`].
    pub fn request_range(&self) -> Range<usize> {
        self.requests.clone()
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

    /// Request `request` of the whole file (from 0, in file order).
    pub fn request(&self, request: usize) -> LogRequest<'_> {
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

/// Reads (at most `files::WSESSLOG_MAX_BYTES`) and parses the session file
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
mod tests;
