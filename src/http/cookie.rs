//! `--session-cookies`: the one cookie a session keeps, taken from
//! `Set-Cookie: ` reply headers as httperf takes it, except that a value with
//! a CR, LF or NUL byte is never sent back.

/// httperf keeps at most this many cookie bytes (longer values are cut).
pub const MAX_COOKIE_BYTES: usize = 245;

/// The cookie value of a raw header line, if it is a `Set-Cookie: ` line
/// (name case-insensitive, exactly one space after the colon) with anything
/// after that space: everything after it up to the first `;` or the end of
/// the line. A line that ends right after the space sets nothing, as in
/// httperf 0.9.0 (the session keeps its cookie).
pub fn set_cookie_value(raw_line: &[u8]) -> Option<Vec<u8>> {
    const NAME: &[u8] = b"set-cookie: ";
    let line = raw_line.strip_suffix(b"\n").unwrap_or(raw_line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let value = crate::c::ctype::strip_prefix_ignore_case(line, NAME)?;
    if value.is_empty() {
        return None;
    }
    let end = value.iter().position(|&b| b == b';').unwrap_or(value.len());
    Some(value[..end].to_vec())
}

/// Applies httperf's length limit; returns the value to keep and whether it
/// was cut (httperf then warns on stderr).
pub fn truncate_cookie(mut value: Vec<u8>) -> (Vec<u8>, bool) {
    if value.len() > MAX_COOKIE_BYTES {
        value.truncate(MAX_COOKIE_BYTES);
        (value, true)
    } else {
        (value, false)
    }
}

/// Whether a cookie value can go back to the server: a CR, LF or NUL byte
/// would end or split the request's `Cookie:` line and let the server inject
/// headers, so such a value is refused (httperf 0.9.0 sends it back as it is).
pub fn fits_in_a_header(value: &[u8]) -> bool {
    !value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

/// The warning printed (once per run, after the program name) the first time
/// a cookie is refused by [`fits_in_a_header`].
pub const REFUSED_COOKIE_WARNING: &str =
    ".sess_cookie: ignoring cookies that contain a CR, LF or NUL byte";

/// The `Cookie:` header block for a request.
pub fn cookie_header(value: &[u8]) -> Vec<u8> {
    let mut header = b"Cookie: ".to_vec();
    header.extend_from_slice(value);
    header.extend_from_slice(b"\r\n");
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_lines_follow_httperfs_rules() {
        assert_eq!(
            set_cookie_value(b"Set-Cookie: a=1; Path=/\r\n"),
            Some(b"a=1".to_vec())
        );
        assert_eq!(
            set_cookie_value(b"set-cookie: b=2\n"),
            Some(b"b=2".to_vec())
        );
        assert_eq!(set_cookie_value(b"SET-COOKIE: c=3"), Some(b"c=3".to_vec()));
        assert_eq!(set_cookie_value(b"Set-Cookie:d=4\r\n"), None, "no space");
        assert_eq!(
            set_cookie_value(b"Set-Cookie:  e=5\r\n"),
            Some(b" e=5".to_vec())
        );
        assert_eq!(set_cookie_value(b"X-Set-Cookie: f=6\r\n"), None);
        assert_eq!(
            set_cookie_value(b"Set-Cookie: \r\n"),
            None,
            "nothing after the space"
        );
        assert_eq!(set_cookie_value(b"Set-Cookie: \n"), None);
        assert_eq!(set_cookie_value(b"Set-Cookie: ;x\r\n"), Some(Vec::new()));
    }

    #[test]
    fn long_cookies_are_cut_to_245_bytes() {
        let (kept, cut) = truncate_cookie(vec![b'x'; 246]);
        assert!(cut);
        assert_eq!(kept.len(), 245);
        let (kept, cut) = truncate_cookie(vec![b'x'; 245]);
        assert!(!cut);
        assert_eq!(kept.len(), 245);
    }

    #[test]
    fn line_breaks_and_nul_do_not_fit_in_a_header() {
        assert!(fits_in_a_header(b"a=b"));
        assert!(fits_in_a_header(b""));
        assert!(fits_in_a_header(b"a=b c\t\x7f\xff"));
        for bad in [&b"a=b\rX-Inj: 1"[..], b"a\nb", b"a\0b", b"\r"] {
            assert!(!fits_in_a_header(bad), "{bad:?}");
        }
        // The parser ends a line at LF only: a bare CR reaches the value.
        let value = set_cookie_value(b"Set-Cookie: a=b\rX-Inj: 1; Path=/\r\n").expect("cookie");
        assert!(!fits_in_a_header(&value));
    }

    #[test]
    fn cookie_header_is_one_crlf_terminated_line() {
        assert_eq!(cookie_header(b"b=2"), b"Cookie: b=2\r\n");
    }
}
