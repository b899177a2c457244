//! Pure parsers for option values: one function per compound option value,
//! built on the C conversions in `crate::c::strto` (plus `sscanf("%u.%u")`),
//! each returning httperf 0.9.0's exact diagnostic text on failure. The
//! number rules every option shares and the small values live here; the
//! rate options are in `rate`, the workload options in `workload`.
//!
//! Error strings returned here are the part of the message after
//! `"<program>: "`, without the trailing newline; `cli::parse` adds both.
//!
//! All indices are byte offsets. The conversions only ever stop right after an
//! ASCII byte (or at the start), so slicing a `&str` at `end` is always valid.

mod rate;
mod workload;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::options::{PrintParts, SslProtocol};
use crate::c::strto::{strtod, strtoul};

pub use rate::{parse_period, parse_rate};
pub use workload::{parse_session, parse_wlog, parse_wsesslog, parse_wset, SessionOption};

/// glibc's `strerror(ERANGE)`, appended to compound-value messages when the
/// failing conversion set `errno`.
const ERANGE_TEXT: &str = "Numerical result out of range";

/// "UL10" of docs/behaviour.md#number-grammars: the whole text must be one base-10 `strtoul`
/// number without overflow.
pub fn ul10(s: &str) -> Option<u64> {
    let c = strtoul(s, 10);
    (c.converted() && c.end == s.len() && !c.erange).then_some(c.value)
}

/// A count for an httperf-rs option: "UL10" without `strtoul`'s acceptance
/// of a minus sign, which would turn -1 into 2^64-1.
pub fn count(s: &str) -> Option<u64> {
    if s.trim_start().starts_with('-') {
        return None;
    }
    ul10(s)
}

/// "UL10" stored into a C `int`, as 0.9.0 does (wraps modulo 2^32).
pub fn ul10_int(s: &str) -> Option<i32> {
    ul10(s).map(|v| v as i32)
}

/// "DBL" of docs/behaviour.md#number-grammars: the whole text must be one `strtod` number
/// without ERANGE.
pub fn dbl(s: &str) -> Option<f64> {
    let c = strtod(s);
    (c.converted() && c.end == s.len() && !c.erange).then_some(c.value)
}

/// A compound-value message: `<reason> in --<opt> arg (rest: `<rest>')`,
/// plus `: <strerror>` when the failing conversion set errno.
fn compound_error(reason: &str, opt: &str, rest: &str, erange: bool) -> String {
    let mut message = format!("{reason} in --{opt} arg (rest: `{rest}')");
    if erange {
        message.push_str(": ");
        message.push_str(ERANGE_TEXT);
    }
    message
}

/// `--client=I/N`.
pub fn parse_client(arg: &str) -> Result<(u32, u32), String> {
    let id = strtoul(arg, 0);
    if !id.converted() || id.erange {
        return Err(format!("bad client id (rest: `{arg}')"));
    }
    let rest = &arg[id.end..];
    let Some(after_slash) = rest.strip_prefix('/') else {
        return Err(format!("client id not followed by `/' (rest: `{rest}')"));
    };
    let count = strtoul(after_slash, 0);
    let (id, count_value) = (id.value as u32, count.value as u32);
    if !count.converted() || count.erange || id >= count_value {
        return Err(format!("bad number of clients (rest: `{after_slash}')"));
    }
    // Text after N is ignored, as in httperf.
    Ok((id, count_value))
}

/// A file name made of exactly these bytes.
pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(bytes))
}

/// `--http-version=S` as `sscanf(S, "%u.%u")`: two numbers needed, trailing
/// text ignored. httperf keeps `major << 16 | minor` in 32 bits, so the pair
/// returned is what that code decodes to (`1.65537` is 1.1, `65537.0` is 1.0).
pub fn parse_http_version(arg: &str) -> Result<(u32, u32), String> {
    let illegal = || format!("illegal version number {arg}");
    let major = strtoul(arg, 10);
    if !major.converted() {
        return Err(illegal());
    }
    let Some(minor_text) = arg[major.end..].strip_prefix('.') else {
        return Err(illegal());
    };
    let minor = strtoul(minor_text, 10);
    if !minor.converted() {
        return Err(illegal());
    }
    // 0.9.0's version code: a C int of the major number shifted 16 bits,
    // or'ed with the minor number's low 16 bits; the echo line shows the
    // code shifted back (sign extended, printed unsigned) and its low bits.
    let code = (((major.value as u32) << 16) | (minor.value as u32 & 0xffff)) as i32;
    Ok(((code >> 16) as u32, (code & 0xffff) as u32))
}

/// `--print-reply[=WHAT]` / `--print-request[=WHAT]`: only WHAT's first
/// character counts.
pub fn parse_print_parts(value: Option<&str>) -> PrintParts {
    match value.and_then(|v| v.bytes().next()) {
        Some(b'h' | b'H') => PrintParts::Header,
        Some(b'b' | b'B') => PrintParts::Body,
        _ => PrintParts::HeaderAndBody,
    }
}

/// Master's `--ssl-protocol=P` (case-insensitive, several spellings).
pub fn parse_ssl_protocol(arg: &str) -> Result<SslProtocol, String> {
    let protocol = match arg.to_ascii_lowercase().as_str() {
        "auto" => SslProtocol::Auto,
        "sslv2" => SslProtocol::SslV2,
        "sslv3" => SslProtocol::SslV3,
        "tlsv1.0" | "tlsv1_0" | "tlsv1" => SslProtocol::TlsV1_0,
        "tlsv1.1" | "tlsv1_1" => SslProtocol::TlsV1_1,
        "tlsv1.2" | "tlsv1_2" => SslProtocol::TlsV1_2,
        "tlsv1.3" | "tlsv1_3" => SslProtocol::TlsV1_3,
        _ => return Err(format!("illegal SSL protocol {arg}")),
    };
    Ok(protocol)
}

/// Master's `--ssl-verify[=yes|no]`: no value means yes.
pub fn parse_ssl_verify(value: Option<&str>) -> Result<bool, String> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("yes") => Ok(true),
        Some("no") => Ok(false),
        Some(_) => Err(format!(
            "illegal --ssl-verify value {} (expected yes or no)",
            value.unwrap_or_default()
        )),
    }
}

/// Master's `--runtime=X`, X > 0.
pub fn parse_runtime(arg: &str) -> Result<f64, String> {
    match dbl(arg) {
        Some(x) if x > 0.0 => Ok(x),
        _ => Err(format!("illegal runtime value {arg}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_our_own_options_refuse_a_minus_sign() {
        assert_eq!(count("3"), Some(3));
        assert_eq!(count(" +3"), Some(3));
        assert_eq!(count("-1"), None);
        assert_eq!(count(" -0"), None);
        assert_eq!(count("99999999999999999999"), None);
    }

    #[test]
    fn ul10_and_dbl_need_the_whole_text() {
        assert_eq!(ul10_int("5"), Some(5));
        assert_eq!(ul10_int(" +5"), Some(5));
        assert_eq!(ul10_int("-1"), Some(-1));
        assert_eq!(ul10_int("4294967296"), Some(0));
        assert_eq!(ul10_int("4294967376"), Some(80));
        assert_eq!(ul10_int("2147483648"), Some(i32::MIN));
        assert_eq!(ul10_int("99999999999999999999"), None);
        assert_eq!(ul10_int("1x"), None);
        assert_eq!(ul10_int("5 "), None);
        assert_eq!(ul10_int(""), None);
        assert_eq!(ul10_int("0x10"), None);
        assert_eq!(dbl("2.5"), Some(2.5));
        assert_eq!(dbl("  2.5"), Some(2.5));
        assert_eq!(dbl("2.5 "), None);
        assert_eq!(dbl(""), None);
        assert_eq!(dbl("1e999"), None);
        assert_eq!(dbl("1e-400"), None);
        assert_eq!(dbl("0x1p-3"), Some(0.125));
        assert_eq!(dbl("inf"), Some(f64::INFINITY));
        assert!(dbl("nan").is_some_and(f64::is_nan));
    }

    #[test]
    fn client() {
        let ok: &[(&str, (u32, u32))] = &[
            ("0/1", (0, 1)),
            ("1/4", (1, 4)),
            ("0x1/010", (1, 8)),
            ("1/2x", (1, 2)),
            ("4294967296/2", (0, 2)),
            ("0/-1", (0, 4294967295)),
            (" 1/ 3", (1, 3)),
            ("1/ 3 x", (1, 3)),
        ];
        for &(arg, want) in ok {
            assert_eq!(parse_client(arg), Ok(want), "{arg}");
        }
        let bad: &[(&str, &str)] = &[
            ("x", "bad client id (rest: `x')"),
            ("", "bad client id (rest: `')"),
            (
                "99999999999999999999/2",
                "bad client id (rest: `99999999999999999999/2')",
            ),
            ("1", "client id not followed by `/' (rest: `')"),
            ("0x/2", "client id not followed by `/' (rest: `x/2')"),
            ("1-2", "client id not followed by `/' (rest: `-2')"),
            ("1/1", "bad number of clients (rest: `1')"),
            ("1/x", "bad number of clients (rest: `x')"),
            ("1/0x", "bad number of clients (rest: `0x')"),
            ("-1/2", "bad number of clients (rest: `2')"),
            ("0/4294967296", "bad number of clients (rest: `4294967296')"),
            (
                "0/99999999999999999999",
                "bad number of clients (rest: `99999999999999999999')",
            ),
        ];
        for &(arg, want) in bad {
            assert_eq!(parse_client(arg), Err(want.to_string()), "{arg}");
        }
    }

    #[test]
    fn http_version() {
        for (arg, want) in [
            ("1.0", (1, 0)),
            ("1.1", (1, 1)),
            ("1.0xyz", (1, 0)),
            (" 1. 0", (1, 0)),
            ("+1.-0", (1, 0)),
            ("2.0", (2, 0)),
            ("1.65537", (1, 1)),
            ("65537.0", (1, 0)),
            // The major number is that of a sign-extended C int code (verified
            // against 0.9.0's echo line), the minor its low 16 bits.
            ("-1.2", (4294967295, 2)),
            ("99999999999.1", (4294961151, 1)),
            ("32768.0", (4294934528, 0)),
            ("0.65536", (0, 0)),
            ("0.65537", (0, 1)),
            ("1.-1", (1, 65535)),
            ("1.-65535", (1, 1)),
        ] {
            assert_eq!(parse_http_version(arg), Ok(want), "{arg}");
        }
        for bad in ["1", "x", "", "1 .0", "1.", ".1", "1.x", "0x1.1", "+ 1.1"] {
            assert_eq!(
                parse_http_version(bad),
                Err(format!("illegal version number {bad}")),
                "{bad}"
            );
        }
    }

    #[test]
    fn print_parts() {
        for (value, want) in [
            (None, PrintParts::HeaderAndBody),
            (Some(""), PrintParts::HeaderAndBody),
            (Some("x"), PrintParts::HeaderAndBody),
            (Some("header"), PrintParts::Header),
            (Some("Hx"), PrintParts::Header),
            (Some("b"), PrintParts::Body),
            (Some("BODY"), PrintParts::Body),
        ] {
            assert_eq!(parse_print_parts(value), want, "{value:?}");
        }
    }

    #[test]
    fn ssl_values() {
        for (arg, want) in [
            ("auto", SslProtocol::Auto),
            ("SSLv2", SslProtocol::SslV2),
            ("sslv3", SslProtocol::SslV3),
            ("TLSv1", SslProtocol::TlsV1_0),
            ("tlsv1.0", SslProtocol::TlsV1_0),
            ("TLSv1_1", SslProtocol::TlsV1_1),
            ("TLSV1.2", SslProtocol::TlsV1_2),
            ("TLSv1_3", SslProtocol::TlsV1_3),
        ] {
            assert_eq!(parse_ssl_protocol(arg), Ok(want), "{arg}");
        }
        assert_eq!(
            parse_ssl_protocol("TLSv2"),
            Err("illegal SSL protocol TLSv2".to_string())
        );
        assert_eq!(SslProtocol::TlsV1_0.name(), "TLSv1.0");
        assert_eq!(parse_ssl_verify(None), Ok(true));
        assert_eq!(parse_ssl_verify(Some("YES")), Ok(true));
        assert_eq!(parse_ssl_verify(Some("no")), Ok(false));
        assert_eq!(
            parse_ssl_verify(Some("maybe")),
            Err("illegal --ssl-verify value maybe (expected yes or no)".to_string())
        );
    }

    #[test]
    fn runtime() {
        assert_eq!(parse_runtime("1.5"), Ok(1.5));
        for bad in ["0", "-1", "x", "nan", "1e999", ""] {
            assert_eq!(
                parse_runtime(bad),
                Err(format!("illegal runtime value {bad}")),
                "{bad}"
            );
        }
    }
}
