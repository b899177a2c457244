//! Session file parser tests: each case is the byte-level syntax as httperf
//! 0.9.0 reads it, with the deliberate deviations listed in the parent module.

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
