//! The `--session-cookies` parser, on a raw header line and on every header
//! line of a reply stream as the engine hands them over: never a panic; a
//! value from every `Set-Cookie: ` line with something after the space (and
//! from no other line), never containing `;` or the line's end; the kept value at most `MAX_COOKIE_BYTES`; and the `Cookie:` header
//! one line carrying exactly that value.
//!
//! Input: a header line, or a reply stream (the same bytes serve both).
#![no_main]

use httperf_rs::http::cookie::{
    cookie_header, set_cookie_value, truncate_cookie, MAX_COOKIE_BYTES,
};
use httperf_rs::http::response::{ReplyEvents, ReplyParser};
use libfuzzer_sys::fuzz_target;

fn check_line(raw_line: &[u8]) {
    let trimmed = raw_line.strip_suffix(b"\n").unwrap_or(raw_line);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    let Some(value) = set_cookie_value(raw_line) else {
        // A line that ends right after "Set-Cookie: " sets nothing (0.9.0).
        assert!(
            trimmed.len() <= 12 || !trimmed[..12].eq_ignore_ascii_case(b"set-cookie: "),
            "a Set-Cookie line was missed"
        );
        return;
    };
    assert!(trimmed[..12].eq_ignore_ascii_case(b"set-cookie: "));
    assert!(!value.contains(&b';'));
    assert!(trimmed[12..].starts_with(&value));
    let (kept, cut) = truncate_cookie(value.clone());
    assert!(kept.len() <= MAX_COOKIE_BYTES);
    assert_eq!(cut, value.len() > MAX_COOKIE_BYTES);
    assert!(value.starts_with(&kept));
    let header = cookie_header(&kept);
    assert!(header.starts_with(b"Cookie: "));
    assert!(header.ends_with(b"\r\n"));
    assert_eq!(header.len(), kept.len() + b"Cookie: \r\n".len());
}

/// Hands every status and header line to the cookie parser, as the engine's
/// reply sink does.
struct CookieSink;

impl ReplyEvents for CookieSink {
    fn status_line(&mut self, _status: u32, raw_line: &[u8]) {
        check_line(raw_line);
    }
    fn header_line(&mut self, raw_line: &[u8]) {
        check_line(raw_line);
    }
}

fuzz_target!(|data: &[u8]| {
    check_line(data);
    let mut rest = data;
    while !rest.is_empty() {
        let mut parser = ReplyParser::new(false);
        let used = parser.feed(rest, &mut CookieSink);
        if used == 0 {
            break;
        }
        rest = &rest[used..];
    }
});
