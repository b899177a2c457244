//! C character classes and byte-string comparisons in the "C" locale, the
//! ones httperf's parsers use: `isspace`, skipping white space, and a
//! case-insensitive prefix test (`strncasecmp(s, word, strlen(word)) == 0`)
//! and strip.
//! The tests compare them with the C library.

/// C `isspace` in the "C" locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The index of the first non-`isspace` byte at or after `from`.
pub(crate) fn skip_space(b: &[u8], mut from: usize) -> usize {
    while b.get(from).is_some_and(|&c| is_space(c)) {
        from += 1;
    }
    from
}

/// `b` without its leading `isspace` bytes.
pub(crate) fn trim_leading_space(b: &[u8]) -> &[u8] {
    &b[skip_space(b, 0).min(b.len())..]
}

/// `strncasecmp(b + from, word, strlen(word)) == 0` for an ASCII `word`:
/// the bytes at `from` spell `word` in any letter case.
pub(crate) fn starts_with_ignore_case(b: &[u8], from: usize, word: &[u8]) -> bool {
    b.get(from..)
        .and_then(|rest| rest.get(..word.len()))
        .is_some_and(|start| start.eq_ignore_ascii_case(word))
}

/// What follows `prefix` when `b` starts with it in any letter case.
pub(crate) fn strip_prefix_ignore_case<'a>(b: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    starts_with_ignore_case(b, 0, prefix).then(|| &b[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Comparing with the C library takes calling it.
    #[allow(unsafe_code)]
    #[test]
    fn is_space_agrees_with_the_c_library() {
        for b in 0..=255u8 {
            // SAFETY: isspace is defined for every unsigned char value; the
            // test process never calls setlocale, so this is the "C" locale.
            let c = unsafe { libc::isspace(libc::c_int::from(b)) } != 0;
            assert_eq!(is_space(b), c, "isspace({b:#04x})");
        }
    }

    #[test]
    fn skipping_space() {
        assert_eq!(skip_space(b" \t\r\n\x0b\x0cx ", 0), 6);
        assert_eq!(skip_space(b"x  ", 1), 3);
        assert_eq!(skip_space(b"", 0), 0);
        assert_eq!(skip_space(b"ab", 5), 5);
        assert_eq!(trim_leading_space(b"  chunked "), b"chunked ");
        assert_eq!(trim_leading_space(b" \x00 "), b"\x00 ");
    }

    #[test]
    fn stripping_a_prefix_in_any_case() {
        assert_eq!(
            strip_prefix_ignore_case(b"LOCATION: /x", b"location: "),
            Some(b"/x".as_slice())
        );
        assert_eq!(
            strip_prefix_ignore_case(b"location: ", b"location: "),
            Some(b"".as_slice())
        );
        assert_eq!(
            strip_prefix_ignore_case(b"location:/x", b"location: "),
            None
        );
        assert_eq!(strip_prefix_ignore_case(b"loc", b"location: "), None);
    }

    // Comparing with the C library takes calling it.
    #[allow(unsafe_code)]
    #[test]
    fn starts_with_ignore_case_agrees_with_strncasecmp() {
        use std::ffi::CString;
        let words: [&[u8]; 5] = [b"inf", b"inity", b"nan", b"http://", b""];
        let texts: [&[u8]; 10] = [
            b"INF",
            b"in",
            b"Infinity",
            b"xnan",
            b"NaN(1)",
            b"HTTP://x",
            b"http:/",
            b"",
            b"\xc9nf",
            b"iNfInItY",
        ];
        for text in texts {
            for from in 0..=text.len() + 1 {
                for word in words {
                    let expected = from <= text.len() && {
                        let rest = CString::new(&text[from..]).expect("no NUL in test text");
                        let word_c = CString::new(word).expect("no NUL in test word");
                        // SAFETY: both are valid NUL-terminated strings.
                        let order = unsafe {
                            libc::strncasecmp(rest.as_ptr(), word_c.as_ptr(), word.len())
                        };
                        order == 0
                    };
                    assert_eq!(
                        starts_with_ignore_case(text, from, word),
                        expected,
                        "{text:?}[{from}..] starts with {word:?}"
                    );
                }
            }
        }
    }
}
