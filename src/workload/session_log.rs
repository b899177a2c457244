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
//! * a repeated attribute replaces the earlier one, `contents=''` included.
//!
//! Deliberate deviations from 0.9.0:
//! * no line-length limit (0.9.0 splits lines at 9,999 bytes and parses the
//!   tail as a new line);
//! * no limit on the number of session definitions (0.9.0 stops at 1,000 with
//!   `too many sessions`); memory is the only limit;
//! * a file without any request is rejected with `<F> contains no requests`,
//!   and a file that cannot be read (a directory, say) with `can't open <F>`
//!   (0.9.0 dies with SIGSEGV in both cases);
//! * every error carries the line it was found on ([`ParseError::line`]); the
//!   message text itself is 0.9.0's, because scripts may match it;
//! * methods: upstream master's list, which adds `PROPFIND` and `REPORT` to
//!   0.9.0's seven;
//! * URIs are stored as UTF-8: a byte sequence that is not valid UTF-8 is
//!   replaced by U+FFFD (0.9.0 sends the bytes as they are). Bodies are kept
//!   byte for byte.

use std::fmt;

use crate::cli::values::strtod;

/// One request of a session file.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRequest {
    pub uri: String,
    pub method: &'static str,
    pub body: Vec<u8>,
}

/// A burst: its requests (the first starts the burst) and the think time after it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBurst {
    pub requests: Vec<LogRequest>,
    pub think_time_s: f64,
}

/// One session definition.
#[derive(Debug, Clone, PartialEq)]
pub struct LogSession {
    pub bursts: Vec<LogBurst>,
}

impl LogSession {
    pub fn request_count(&self) -> usize {
        self.bursts.iter().map(|b| b.requests.len()).sum()
    }
}

/// A session file that cannot be used. `Display` is the message exactly as
/// httperf 0.9.0 words it (the part after `"<program>: "`); the caller prints
/// the location, if any, on a second line: see [`ParseError::location`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// 1-based physical line the error was found on; 0 when the error is not
    /// about one line (unreadable file, no request at all).
    pub line: usize,
}

impl ParseError {
    /// `(in <F>, line <N>)`, the second line the caller prints after
    /// `<program>: <message>`; `None` when the error has no line.
    pub fn location(&self, path: &str) -> Option<String> {
        (self.line > 0).then(|| format!("(in {path}, line {})", self.line))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Upstream master's method list, in its order: the first entry that is a
/// prefix of the given name wins (`POSTAL` is POST), as in httperf.
const METHODS: [&str; 9] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PROPFIND", "REPORT", "TRACE",
];

/// Reads and parses the session file `path` (as the user typed it).
pub fn load(path: &str, default_think_s: f64) -> Result<Vec<LogSession>, ParseError> {
    let bytes = std::fs::read(path).map_err(|_| ParseError {
        message: format!("can't open {path}"),
        line: 0,
    })?;
    parse(&bytes, path, default_think_s)
}

/// Parses the whole file. `default_think_s` is X of `--wsesslog=N,X,F`; `path`
/// is F as the user typed it (for messages).
pub fn parse(
    bytes: &[u8],
    path: &str,
    default_think_s: f64,
) -> Result<Vec<LogSession>, ParseError> {
    let mut parser = Parser {
        lines: Lines {
            rest: bytes,
            number: 0,
        },
        path,
        default_think_s,
        sessions: Vec::new(),
        current: Vec::new(),
    };
    while let Some(line) = parser.lines.next_line() {
        parser.line(line)?;
    }
    parser.end_session();
    if parser.sessions.is_empty() {
        return Err(ParseError {
            message: format!("{path} contains no requests"),
            line: 0,
        });
    }
    Ok(parser.sessions)
}

/// C `isspace` in the "C" locale: httperf's token separator.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn skip_space(line: &[u8], mut i: usize) -> usize {
    while line.get(i).is_some_and(|&b| is_space(b)) {
        i += 1;
    }
    i
}

fn token_end(line: &[u8], mut i: usize) -> usize {
    while line.get(i).is_some_and(|&b| !is_space(b)) {
        i += 1;
    }
    i
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Physical lines as httperf's `fgets` sees them: the trailing LF included
/// (it matters inside an open quote), cut at the first NUL.
struct Lines<'a> {
    rest: &'a [u8],
    /// Number of the line returned last (1-based).
    number: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let end = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.rest.len(), |lf| lf + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.number += 1;
        Some(match line.iter().position(|&b| b == 0) {
            Some(nul) => &line[..nul],
            None => line,
        })
    }
}

struct Parser<'a> {
    lines: Lines<'a>,
    path: &'a str,
    default_think_s: f64,
    sessions: Vec<LogSession>,
    /// Bursts of the definition being read; never holds an empty burst.
    current: Vec<LogBurst>,
}

impl<'a> Parser<'a> {
    fn error(&self, message: String) -> ParseError {
        ParseError {
            message,
            line: self.lines.number,
        }
    }

    fn end_session(&mut self) {
        if !self.current.is_empty() {
            self.sessions.push(LogSession {
                bursts: std::mem::take(&mut self.current),
            });
        }
    }

    fn line(&mut self, line: &'a [u8]) -> Result<(), ParseError> {
        if line.first() == Some(&b'#') {
            return Ok(());
        }
        let start = skip_space(line, 0);
        if start == line.len() {
            // Only a definition with requests ends: blank runs make no empty sessions.
            self.end_session();
            return Ok(());
        }
        let uri_end = token_end(line, start);
        let mut request = LogRequest {
            uri: lossy(&line[start..uri_end]),
            method: "GET",
            body: Vec::new(),
        };
        let mut think = None;
        self.attributes(line, uri_end, &mut request, &mut think)?;

        let joins_burst = start > 0;
        let burst = match self.current.last_mut() {
            Some(burst) if joins_burst => burst,
            _ => {
                self.current.push(LogBurst {
                    requests: Vec::new(),
                    think_time_s: self.default_think_s,
                });
                let last = self.current.len() - 1;
                &mut self.current[last]
            }
        };
        if let Some(think) = think {
            burst.think_time_s = think;
        }
        burst.requests.push(request);
        Ok(())
    }

    /// Parses the attributes after the URI, from `line[i..]`; a `contents=`
    /// value may pull in further physical lines, whose rest is parsed too.
    fn attributes(
        &mut self,
        mut line: &'a [u8],
        mut i: usize,
        request: &mut LogRequest,
        think: &mut Option<f64>,
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
                request.method = METHODS
                    .iter()
                    .find(|m| name.starts_with(m.as_bytes()))
                    .ok_or_else(|| {
                        self.error(format!(
                            "did not recognize method '{}' in {}",
                            lossy(name),
                            self.path
                        ))
                    })?;
                i = end;
            } else if let Some(number) = value(b"think=").map(|v| strtod(&lossy(v))) {
                if !number.converted() {
                    return Err(self.unrecognized(token));
                }
                *think = Some(number.value);
                i = end;
            } else if value(b"contents=").is_some() {
                // The value is re-read from the line: quotes may hide spaces.
                let (body, next_line, next_i) = self.contents(line, i + b"contents=".len())?;
                request.body = body;
                line = next_line;
                i = next_i;
            } else {
                return Err(self.unrecognized(token));
            }
        }
    }

    fn unrecognized(&self, token: &[u8]) -> ParseError {
        self.error(format!(
            "did not recognize arg '{}' in {}",
            lossy(token),
            self.path
        ))
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
                                self.error(format!("premature EOF seen in '{}'", self.path))
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
        assert_eq!(only(b"/x\xff\n").uri, "/x\u{fffd}");
        // Last line without LF.
        assert_eq!(only(b"/last method=PUT"), req("/last", "PUT", b""));
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
                (e.message.as_str(), e.line),
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
        assert_eq!(e.location("f.log").as_deref(), Some("(in f.log, line 3)"));
        assert_eq!(err(b"").location("f.log"), None);
    }

    #[test]
    fn load_reports_unreadable_files() {
        let e = load("/nonexistent/httperf-rs/sess.log", 0.0).unwrap_err();
        assert_eq!(
            e,
            ParseError {
                message: "can't open /nonexistent/httperf-rs/sess.log".into(),
                line: 0
            }
        );
        // A directory opens in C but cannot be read: 0.9.0 crashes, we refuse it.
        let dir = std::env::temp_dir();
        let dir = dir.to_string_lossy();
        assert_eq!(
            load(&dir, 0.0).unwrap_err().message,
            format!("can't open {dir}")
        );
    }

    #[test]
    fn load_reads_a_file() {
        let path = std::env::temp_dir().join(format!("httperf-rs-slog-{}.log", std::process::id()));
        std::fs::write(&path, b"/a think=1\n\n/b method=HEAD\n").unwrap();
        let result = load(&path.to_string_lossy(), 0.0);
        let _ = std::fs::remove_file(&path);
        let sessions = result.unwrap();
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
