//! Serialising a request into httperf 0.9.0's exact bytes (docs/behaviour.md#request-layout),
//! validating the `--http-version`, and `--add-header` escape processing (docs/behaviour.md#add-header-escapes).

use std::fmt;

use crate::http::response::is_head_method;

/// What one request is made of. Every part is bytes, sent as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec<'a> {
    pub method: &'a [u8],
    pub uri: &'a [u8],
    /// (major, minor); only 1.0 and 1.1 are valid: check with [`HttpVersion::from_pair`]
    /// before the run.
    pub version: (u32, u32),
    /// Host header value; `None` for `--no-host-hdr`.
    pub host: Option<&'a [u8]>,
    /// Extra header blocks in order, each already ending in CRLF (or not, as the user gave it).
    pub extra_headers: &'a [&'a [u8]],
    pub body: &'a [u8],
}

/// The bytes of one request: `head` is everything up to and including the final
/// empty line, `body` follows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestBytes {
    pub head: Vec<u8>,
    pub body: Vec<u8>,
}

/// The protocol versions httperf can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpVersion {
    Http10,
    Http11,
}

/// An `--http-version` httperf rejects; `Display` gives 0.9.0's fatal message without the
/// `httperf: ` prefix, e.g. `unexpected version code 20000` (exit status 1, docs/behaviour.md#fatal-errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionError {
    pub code: u32,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected version code {:x}", self.code)
    }
}

impl std::error::Error for VersionError {}

impl HttpVersion {
    /// 0.9.0's 32-bit version code, `(major << 16) | minor`. Bits shifted out and
    /// overlapping bits are lost as in C, so `1.65536` and `65537.0` are codes of 1.0
    /// (verified: 0.9.0 accepts both and sends `HTTP/1.0`).
    pub fn code(major: u32, minor: u32) -> u32 {
        (major << 16) | minor
    }

    pub fn from_pair(major: u32, minor: u32) -> Result<Self, VersionError> {
        match Self::code(major, minor) {
            0x1_0000 => Ok(HttpVersion::Http10),
            0x1_0001 => Ok(HttpVersion::Http11),
            code => Err(VersionError { code }),
        }
    }

    /// Piece 5 of docs/behaviour.md#request-layout: the request line's tail and the fixed headers, ending in `Host: `
    /// when a Host header follows, else right after the last fixed header's value.
    fn protocol_block(self, with_host: bool) -> &'static [u8] {
        match (self, with_host) {
            (HttpVersion::Http11, true) => b" HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: ",
            (HttpVersion::Http11, false) => b" HTTP/1.1\r\nUser-Agent: httperf/0.9.0",
            (HttpVersion::Http10, true) => {
                b" HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive\r\nHost: "
            }
            (HttpVersion::Http10, false) => {
                b" HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive"
            }
        }
    }
}

/// The request as httperf's pieces (docs/behaviour.md#request-layout), in wire order: method, blank, location
/// (always empty), URI, protocol block, host, CRLF, the extra header blocks, the final
/// CRLF, and last the body. `--print-request` needs them separately because 0.9.0 prints
/// piece by piece (a partially written request is printed again from its unsent part).
///
/// With `host: None` (`--no-host-hdr`) this is upstream master's well-formed request with
/// no Host line. 0.9.0 kept the CRLF after the (empty) host, which ended the header early
/// and pushed the extra headers and the final CRLF behind it; that is a documented
/// deviation (malformed wire bytes are not copied).
///
/// A version other than 1.0 is serialised as 1.1: validate with
/// [`HttpVersion::from_pair`] first, as 0.9.0 refuses to run with any other.
pub fn pieces<'a>(spec: &RequestSpec<'a>) -> Vec<&'a [u8]> {
    let (major, minor) = spec.version;
    let version = HttpVersion::from_pair(major, minor).unwrap_or(HttpVersion::Http11);
    let mut pieces: Vec<&'a [u8]> = Vec::with_capacity(10 + spec.extra_headers.len());
    pieces.push(spec.method);
    pieces.push(b" ");
    pieces.push(b"");
    pieces.push(spec.uri);
    pieces.push(version.protocol_block(spec.host.is_some()));
    pieces.push(spec.host.unwrap_or_default());
    pieces.push(b"\r\n");
    pieces.extend(spec.extra_headers.iter().copied());
    pieces.push(b"\r\n");
    pieces.push(spec.body);
    pieces
}

/// The request's bytes: the concatenation of [`pieces`], split into head and body.
/// `head.len()` is the `header` figure of `--print-request`'s `SS` line and of
/// `Request size`.
pub fn build(spec: &RequestSpec<'_>) -> RequestBytes {
    let pieces = pieces(spec);
    let (body, head_pieces) = match pieces.split_last() {
        Some((body, head)) => (*body, head),
        None => (&[][..], &pieces[..]),
    };
    RequestBytes {
        head: head_pieces.concat(),
        body: body.to_vec(),
    }
}

/// True for a request method (bytes, as given) whose replies have no body:
/// [`is_head_method`] for methods that are text.
pub fn is_head_request(method: &[u8]) -> bool {
    std::str::from_utf8(method).is_ok_and(is_head_method)
}

/// Result of `--add-header` escape processing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unescaped {
    pub bytes: Vec<u8>,
    /// Bytes that followed a backslash but are not a known escape, in order.
    pub unknown_escapes: Vec<u8>,
}

/// Processes `--add-header` escapes once at start-up (docs/behaviour.md#add-header-escapes):
/// `\\` backslash, `\a` LF (not BEL), `\r` CR, `\n` CR LF; a backslash before a digit
/// starts an octal number taking every following octal digit, truncated to one byte
/// (like C `strtol`, a value beyond `LONG_MAX` saturates, giving 0xff); `\8` and `\9`
/// give a NUL byte and the digit is then read as an ordinary character; any other
/// byte is kept without its backslash and recorded in `unknown_escapes` (print
/// [`unknown_escape_warning`] for each). A trailing lone backslash adds nothing (0.9.0
/// read past the end of the string there).
pub fn unescape_add_header(bytes: &[u8]) -> Unescaped {
    let mut out = Unescaped::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b != b'\\' {
            out.bytes.push(b);
            continue;
        }
        let Some(&next) = bytes.get(i) else {
            break;
        };
        match next {
            b'\\' => out.bytes.push(b'\\'),
            b'a' => out.bytes.push(b'\n'),
            b'r' => out.bytes.push(b'\r'),
            b'n' => out.bytes.extend_from_slice(b"\r\n"),
            b'0'..=b'9' => {
                let digits = bytes[i..]
                    .iter()
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count();
                out.bytes.push(octal_byte(&bytes[i..i + digits]));
                // `\8` / `\9`: no digit consumed, so the digit is read again as plain text.
                i += digits;
                continue;
            }
            other => {
                out.bytes.push(other);
                out.unknown_escapes.push(other);
            }
        }
        i += 1;
    }
    out
}

/// Low byte of the octal number `digits` as C `strtol` returns it (saturating at
/// `LONG_MAX`).
fn octal_byte(digits: &[u8]) -> u8 {
    let mut value: u64 = 0;
    for &d in digits {
        match value
            .checked_mul(8)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .filter(|&v| v <= i64::MAX as u64)
        {
            Some(v) => value = v,
            None => return 0xff,
        }
    }
    value as u8
}

/// The stderr line (without newline) 0.9.0 prints for an unknown escape `\c` in
/// `--add-header`, e.g. `` httperf: ignoring unknown escape sequence `\q' in --add-header ``.
/// `c` is the one byte after the backslash, as 0.9.0 prints it.
pub fn unknown_escape_warning(program: &str, c: u8) -> Vec<u8> {
    let mut line = format!("{program}: ignoring unknown escape sequence `\\").into_bytes();
    line.push(c);
    line.extend_from_slice(b"' in --add-header");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(
        version: (u32, u32),
        host: Option<&'a str>,
        extra: &'a [&'a [u8]],
    ) -> RequestSpec<'a> {
        RequestSpec {
            method: b"GET",
            uri: b"/index.html",
            version,
            host: host.map(str::as_bytes),
            extra_headers: extra,
            body: b"",
        }
    }

    #[test]
    fn default_request_is_72_bytes() {
        let r = build(&spec((1, 1), Some("127.0.0.1"), &[]));
        assert_eq!(
            r.head,
            b"GET /index.html HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: 127.0.0.1\r\n\r\n"
        );
        assert_eq!(r.head.len(), 72);
        assert!(r.body.is_empty());
    }

    #[test]
    fn http_1_0_adds_keep_alive() {
        let extra: &[&[u8]] = &[b"X-A: 1\r\n"];
        let mut s = spec((1, 0), Some("127.0.0.1"), extra);
        s.uri = b"/x";
        // Bytes captured from 0.9.0 with `--http-version=1.0 --uri=/x --add-header='X-A: 1\n'`.
        assert_eq!(
            build(&s).head,
            b"GET /x HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive\r\n\
              Host: 127.0.0.1\r\nX-A: 1\r\n\r\n"
        );
    }

    #[test]
    fn extra_blocks_in_order_then_body() {
        let extra: &[&[u8]] = &[b"X-A: 1\r\n", b"Content-length: 3\r\n", b"Cookie: b=2\r\n"];
        let mut s = spec((1, 1), Some("h:8080"), extra);
        s.method = b"POST";
        s.body = b"abc";
        let r = build(&s);
        assert_eq!(
            r.head,
            b"POST /index.html HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: h:8080\r\n\
              X-A: 1\r\nContent-length: 3\r\nCookie: b=2\r\n\r\n"
        );
        assert_eq!(r.body, b"abc");
        let p = pieces(&s);
        assert_eq!(p.len(), 12);
        assert_eq!(p[..4], [&b"POST"[..], b" ", b"", b"/index.html"]);
        assert_eq!(p[5], b"h:8080");
        assert_eq!(p[10], b"\r\n");
        assert_eq!(p[11], b"abc");
        assert_eq!(p.concat(), [r.head, r.body].concat());
    }

    #[test]
    fn unterminated_add_header_runs_into_final_crlf() {
        let extra: &[&[u8]] = &[b"X: 1"];
        assert!(build(&spec((1, 1), Some("h"), extra))
            .head
            .ends_with(b"Host: h\r\nX: 1\r\n"));
    }

    #[test]
    fn no_host_header_is_well_formed() {
        assert_eq!(
            build(&spec((1, 1), None, &[])).head,
            b"GET /index.html HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\n\r\n"
        );
        let extra: &[&[u8]] = &[b"X-A: 1\r\n"];
        assert_eq!(
            build(&spec((1, 0), None, extra)).head,
            b"GET /index.html HTTP/1.0\r\nUser-Agent: httperf/0.9.0\r\nConnection: keep-alive\r\n\
              X-A: 1\r\n\r\n"
        );
    }

    #[test]
    fn versions() {
        assert_eq!(HttpVersion::from_pair(1, 0), Ok(HttpVersion::Http10));
        assert_eq!(HttpVersion::from_pair(1, 1), Ok(HttpVersion::Http11));
        // 0.9.0 accepts these (the code computation loses bits) and sends HTTP/1.0.
        assert_eq!(HttpVersion::from_pair(1, 65536), Ok(HttpVersion::Http10));
        assert_eq!(HttpVersion::from_pair(65537, 0), Ok(HttpVersion::Http10));
        let msg = |major, minor| {
            HttpVersion::from_pair(major, minor)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(msg(2, 0), "unexpected version code 20000");
        assert_eq!(msg(0, 9), "unexpected version code 9");
        assert_eq!(msg(1, 2), "unexpected version code 10002");
        // An invalid version never panics the builder.
        assert!(build(&spec((2, 0), Some("h"), &[]))
            .head
            .starts_with(b"GET /index.html HTTP/1.1\r\n"));
    }

    fn unescape(raw: &str) -> Vec<u8> {
        let u = unescape_add_header(raw.as_bytes());
        assert!(
            u.unknown_escapes.is_empty(),
            "{raw}: {:?}",
            u.unknown_escapes
        );
        u.bytes
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"A: 1\nB: 2\n"), b"A: 1\r\nB: 2\r\n");
        assert_eq!(unescape(r"\a\r\\"), b"\n\r\\");
        assert_eq!(unescape(r"\101\0x"), b"A\0x");
        assert_eq!(unescape(r"\08"), b"\x008");
        assert_eq!(unescape(r"\1234"), b"\x9c"); // 0o1234 truncated to a byte
        assert_eq!(unescape(r"\8\9"), b"\08\09");
        assert_eq!(unescape(r"x\"), b"x");
        assert_eq!(unescape("plain é"), "plain é".as_bytes());
        // Bytes captured from 0.9.0's request for the same --add-header.
        assert_eq!(
            unescape(
                r"X: \0000000000000000000000000000101\7777777777777777777777777\1234\8\9\a\n\r\\E\n"
            ),
            b"X: A\xff\x9c\x008\x009\n\r\n\r\\E\r\n"
        );
        // 2^63 + 1 is beyond LONG_MAX; 2^63 - 1 is not (both end in 0xff).
        assert_eq!(unescape(r"\1000000000000000000001"), b"\xff");
        assert_eq!(unescape(r"\777777777777777777777"), b"\xff");
        assert_eq!(unescape(r"\777777777777777777776"), b"\xfe");
    }

    #[test]
    fn unknown_escapes_are_kept_and_reported() {
        let u = unescape_add_header(r"a\qb\tc\éd".as_bytes());
        assert_eq!(u.bytes, "aqbtcéd".as_bytes());
        assert_eq!(u.unknown_escapes, b"qt\xc3");
        assert_eq!(
            unknown_escape_warning("httperf", b'q'),
            b"httperf: ignoring unknown escape sequence `\\q' in --add-header"
        );
        // Bytes that are not UTF-8 pass through, escaped or not, as in 0.9.0.
        let u = unescape_add_header(b"X-\xff: \\\xfe\\n");
        assert_eq!(u.bytes, b"X-\xff: \xfe\r\n");
        assert_eq!(u.unknown_escapes, b"\xfe");
        assert_eq!(
            unknown_escape_warning("httperf", 0xfe),
            b"httperf: ignoring unknown escape sequence `\\\xfe' in --add-header"
        );
    }
}
