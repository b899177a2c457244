//! Pure parsers for option values: one function per compound option value,
//! built on the C conversions in `crate::c::strto` (plus `sscanf("%u.%u")`),
//! each returning httperf 0.9.0's exact diagnostic text on failure.
//!
//! Error strings returned here are the part of the message after
//! `"<program>: "`, without the trailing newline; `cli::parse` adds both.
//!
//! All indices are byte offsets. The conversions only ever stop right after an
//! ASCII byte (or at the start), so slicing a `&str` at `end` is always valid.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::options::{
    Interarrival, PrintParts, RateSpec, SessionLogSpec, SessionSpec, SslProtocol, UriLogSpec,
    WorkingSetSpec,
};
use crate::c::strto::{strtod, strtoul};

/// glibc's `strerror(ERANGE)`, appended to compound-value messages when the
/// failing conversion set `errno`.
const ERANGE_TEXT: &str = "Numerical result out of range";

/// "UL10" of the contract: the whole text must be one base-10 `strtoul`
/// number without overflow.
pub fn ul10(s: &str) -> Option<u64> {
    let c = strtoul(s, 10);
    (c.converted() && c.end == s.len() && !c.erange).then_some(c.value)
}

/// "UL10" stored into a C `int`, as 0.9.0 does (wraps modulo 2^32).
pub fn ul10_int(s: &str) -> Option<i32> {
    ul10(s).map(|v| v as i32)
}

/// "DBL" of the contract: the whole text must be one `strtod` number
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

/// `--rate=X`: deterministic arrivals at X per second; X ≤ 0 (or NaN) means
/// sequential.
pub fn parse_rate(arg: &str) -> Result<RateSpec, String> {
    let rate = dbl(arg).ok_or_else(|| format!("illegal request rate {arg}"))?;
    let iat_s = if rate > 0.0 { 1.0 / rate } else { 0.0 };
    Ok(RateSpec {
        interarrival: Interarrival::Deterministic { iat_s },
        rate_per_s: rate,
    })
}

/// The rate parameter httperf derives from a mean inter-arrival time.
fn rate_of_mean(mean: f64) -> f64 {
    if mean > 0.0 {
        1.0 / mean
    } else {
        0.0
    }
}

/// Most `--period=v` pairs master accepts.
const MAX_VARIABLE_PHASES: usize = 16;

/// `--period=[d|u|e]T1[,T2]` and master's `--period=vT1,D1[,T2,D2...]`.
pub fn parse_period(arg: &str) -> Result<RateSpec, String> {
    let first = arg.chars().next().unwrap_or('\0');
    let (kind, rest) = if first.is_ascii_digit() {
        ('d', arg)
    } else {
        let kind = first.to_ascii_lowercase();
        if !matches!(kind, 'd' | 'u' | 'e' | 'v') {
            return Err(format!(
                "illegal interarrival distribution '{first}' in {arg}"
            ));
        }
        (kind, &arg[1..])
    };
    match kind {
        'd' | 'e' => {
            let mean = match dbl(rest) {
                Some(t) if t >= 0.0 || t.is_nan() => t,
                _ => return Err(format!("illegal mean interarrival time {rest}")),
            };
            let interarrival = if kind == 'd' {
                Interarrival::Deterministic { iat_s: mean }
            } else {
                Interarrival::Exponential { mean_s: mean }
            };
            Ok(RateSpec {
                interarrival,
                rate_per_s: rate_of_mean(mean),
            })
        }
        'u' => {
            let min = strtod(rest);
            if !min.converted() || min.erange || min.value < 0.0 {
                return Err(format!("illegal minimum interarrival time {rest}"));
            }
            let after_min = &rest[min.end..];
            let Some(max_text) = after_min.strip_prefix(',') else {
                return Err(format!(
                    "minimum interarrival time not followed by `,MAX_IAT' (rest: `{after_min}')"
                ));
            };
            let max = match dbl(max_text) {
                Some(t) if t >= 0.0 || t.is_nan() => t,
                _ => return Err(format!("illegal request period {max_text}")),
            };
            Ok(RateSpec {
                interarrival: Interarrival::Uniform {
                    min_s: min.value,
                    max_s: max,
                },
                rate_per_s: rate_of_mean((min.value + max) / 2.0),
            })
        }
        _ => parse_variable_period(rest),
    }
}

/// Master's `vT1,D1,T2,D2,...`: every Ti ≥ 0, every Di > 0, at most 16 pairs.
fn parse_variable_period(mut rest: &str) -> Result<RateSpec, String> {
    let mut phases = Vec::new();
    loop {
        if phases.len() == MAX_VARIABLE_PHASES {
            return Err("too many rates".to_string());
        }
        let iat = strtod(rest);
        if !iat.converted() || iat.erange || iat.value < 0.0 {
            return Err(format!("illegal minimum interarrival time {rest}"));
        }
        let after_iat = &rest[iat.end..];
        let Some(duration_text) = after_iat.strip_prefix(',') else {
            return Err(format!(
                "interarrival time not followed by `,duration' (rest: `{after_iat}')"
            ));
        };
        let duration = strtod(duration_text);
        let after = &duration_text[duration.end..];
        // A zero, negative or NaN duration would never let the phase end.
        if !duration.converted()
            || duration.erange
            || duration.value.is_nan()
            || duration.value <= 0.0
            || !(after.is_empty() || after.starts_with(','))
        {
            return Err(format!("illegal duration {duration_text}"));
        }
        phases.push((iat.value, duration.value));
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => break,
        }
    }
    let mean = phases.iter().map(|p| p.0).sum::<f64>() / phases.len() as f64;
    Ok(RateSpec {
        interarrival: Interarrival::Variable { phases },
        rate_per_s: rate_of_mean(mean),
    })
}

/// Which of the two `N1,N2,X` session options is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOption {
    Wsess,
    Wsesspage,
}

impl SessionOption {
    fn name(self) -> &'static str {
        match self {
            SessionOption::Wsess => "wsess",
            SessionOption::Wsesspage => "wsesspage",
        }
    }

    fn second_param(self) -> &'static str {
        match self {
            SessionOption::Wsess => "bad number of calls per session (2nd param)",
            SessionOption::Wsesspage => "bad number of user requests per session (2nd param)",
        }
    }
}

/// A UL0 count at the start of `text` and the text after it; on failure the
/// compound-option error for `reason`, showing where parsing stopped.
fn count_param<'a>(text: &'a str, reason: &str, opt: &str) -> Result<(u64, &'a str), String> {
    let count = strtoul(text, 0);
    if !count.converted() || count.erange {
        return Err(compound_error(
            reason,
            opt,
            &text[count.end..],
            count.erange,
        ));
    }
    Ok((count.value, &text[count.end..]))
}

/// `,X` with X a think time ≥ 0, and the text after it.
fn think_param<'a>(rest: &'a str, reason: &str, opt: &str) -> Result<(f64, &'a str), String> {
    let Some(text) = rest.strip_prefix(',') else {
        return Err(compound_error(reason, opt, rest, false));
    };
    let think = strtod(text);
    if !think.converted() || think.erange || think.value < 0.0 {
        return Err(compound_error(
            reason,
            opt,
            &text[think.end..],
            think.erange,
        ));
    }
    Ok((think.value, &text[think.end..]))
}

const BAD_SESSIONS: &str = "bad number of sessions (1st param)";

/// `--wsess=N1,N2,X` / `--wsesspage=N1,N2,X`.
pub fn parse_session(arg: &str, which: SessionOption) -> Result<SessionSpec, String> {
    let opt = which.name();
    let (sessions, rest) = count_param(arg, BAD_SESSIONS, opt)?;
    let Some(calls_text) = rest.strip_prefix(',') else {
        return Err(compound_error(which.second_param(), opt, rest, false));
    };
    let (calls, rest) = count_param(calls_text, which.second_param(), opt)?;
    let (think_time_s, rest) = think_param(rest, "bad user think time (3rd param)", opt)?;
    if !rest.is_empty() {
        return Err(compound_error("extraneous parameter", opt, rest, false));
    }
    Ok(SessionSpec {
        sessions: sessions as u32,
        calls_per_session: calls as u32,
        think_time_s,
    })
}

/// `--wsesslog=N,X,F`. F is taken from `arg` byte for byte.
pub fn parse_wsesslog(arg: &[u8]) -> Result<SessionLogSpec, String> {
    let opt = "wsesslog";
    let text = String::from_utf8_lossy(arg);
    let (sessions, rest) = count_param(&text, BAD_SESSIONS, opt)?;
    let (think_time_s, rest) = think_param(rest, "bad user think time (2nd param)", opt)?;
    let Some(file_text) = rest.strip_prefix(',') else {
        return Err(compound_error(
            "bad session filename (3rd param)",
            opt,
            rest,
            false,
        ));
    };
    // The numbers and commas before F are ASCII, so F starts at the same
    // offset in `arg` as in its lossy text.
    let file_raw = &arg[text.len() - file_text.len()..];
    let (file, extra) = match file_raw.iter().position(|&b| b == b',') {
        Some(comma) => (&file_raw[..comma], &file_raw[comma + 1..]),
        None => (file_raw, &b""[..]),
    };
    // A lone trailing comma is tolerated; anything after it is not.
    if !extra.is_empty() {
        let extra = String::from_utf8_lossy(extra);
        return Err(compound_error("extraneous parameter", opt, &extra, false));
    }
    Ok(SessionLogSpec {
        sessions: sessions as u32,
        think_time_s,
        file: path_from_bytes(file),
    })
}

/// A file name made of exactly these bytes.
pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(bytes))
}

/// `--wset=N,X` with X in [0, 1].
pub fn parse_wset(arg: &str) -> Result<WorkingSetSpec, String> {
    let opt = "wset";
    let files = strtoul(arg, 0);
    if !files.converted() || files.erange {
        return Err(compound_error(
            "bad working set size (1st parameter)",
            opt,
            arg,
            files.erange,
        ));
    }
    let miss_reason = "bad target miss rate (2nd parameter)";
    let Some(rate_text) = arg[files.end..].strip_prefix(',') else {
        return Err(compound_error(miss_reason, opt, arg, false));
    };
    let rate = strtod(rate_text);
    if !rate.converted() || rate.erange || rate.value < 0.0 || rate.value > 1.0 {
        return Err(compound_error(miss_reason, opt, rate_text, rate.erange));
    }
    if rate.end != rate_text.len() {
        return Err(compound_error(
            "extraneous parameter",
            opt,
            rate_text,
            false,
        ));
    }
    Ok(WorkingSetSpec {
        files: files.value as u32,
        miss_rate: rate.value,
    })
}

/// `--wlog=B,F`: B is the first character, F starts at the third; nothing is
/// checked (a value shorter than two characters gives an empty file name).
pub fn parse_wlog(arg: &[u8]) -> UriLogSpec {
    let wrap = matches!(arg.first(), Some(b'y' | b'Y'));
    let file = path_from_bytes(arg.get(2..).unwrap_or_default());
    UriLogSpec { wrap, file }
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
    let code = ((major.value as u32) << 16) | minor.value as u32;
    Ok((code >> 16, code & 0xffff))
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

    fn deterministic(iat_s: f64, rate_per_s: f64) -> RateSpec {
        RateSpec {
            interarrival: Interarrival::Deterministic { iat_s },
            rate_per_s,
        }
    }

    #[test]
    fn rate() {
        assert_eq!(parse_rate("10"), Ok(deterministic(0.1, 10.0)));
        assert_eq!(parse_rate("0"), Ok(deterministic(0.0, 0.0)));
        assert_eq!(parse_rate("-1"), Ok(deterministic(0.0, -1.0)));
        assert_eq!(parse_rate("inf"), Ok(deterministic(0.0, f64::INFINITY)));
        let nan = parse_rate("nan").expect("nan is a number to strtod");
        assert!(nan.rate_per_s.is_nan());
        for bad in ["x", "", "1e999", "1e-400", "2.5 ", "1,2"] {
            assert_eq!(
                parse_rate(bad),
                Err(format!("illegal request rate {bad}")),
                "{bad}"
            );
        }
    }

    #[test]
    fn period() {
        let ok: &[(&str, RateSpec)] = &[
            ("0.25", deterministic(0.25, 4.0)),
            ("d0.25", deterministic(0.25, 4.0)),
            ("D0.5", deterministic(0.5, 2.0)),
            ("d 0.5", deterministic(0.5, 2.0)),
            ("0", deterministic(0.0, 0.0)),
            ("dinf", deterministic(f64::INFINITY, 0.0)),
            (
                "e2",
                RateSpec {
                    interarrival: Interarrival::Exponential { mean_s: 2.0 },
                    rate_per_s: 0.5,
                },
            ),
            (
                "u1,3",
                RateSpec {
                    interarrival: Interarrival::Uniform {
                        min_s: 1.0,
                        max_s: 3.0,
                    },
                    rate_per_s: 0.5,
                },
            ),
            (
                "U 1, 2",
                RateSpec {
                    interarrival: Interarrival::Uniform {
                        min_s: 1.0,
                        max_s: 2.0,
                    },
                    rate_per_s: 1.0 / 1.5,
                },
            ),
            (
                "u0,0",
                RateSpec {
                    interarrival: Interarrival::Uniform {
                        min_s: 0.0,
                        max_s: 0.0,
                    },
                    rate_per_s: 0.0,
                },
            ),
            (
                "v0.1,2,0.5,3",
                RateSpec {
                    interarrival: Interarrival::Variable {
                        phases: vec![(0.1, 2.0), (0.5, 3.0)],
                    },
                    rate_per_s: 1.0 / 0.3,
                },
            ),
            (
                "V1,1",
                RateSpec {
                    interarrival: Interarrival::Variable {
                        phases: vec![(1.0, 1.0)],
                    },
                    rate_per_s: 1.0,
                },
            ),
        ];
        for (arg, want) in ok {
            assert_eq!(parse_period(arg).as_ref(), Ok(want), "{arg}");
        }
        assert_eq!(parse_period("dnan").map(|r| r.rate_per_s), Ok(0.0));
        let sixteen = vec!["1,1"; 16].join(",");
        assert!(parse_period(&format!("v{sixteen}")).is_ok());

        let bad: &[(&str, &str)] = &[
            ("x5", "illegal interarrival distribution 'x' in x5"),
            ("+1", "illegal interarrival distribution '+' in +1"),
            (".5", "illegal interarrival distribution '.' in .5"),
            (" 1", "illegal interarrival distribution ' ' in  1"),
            ("", "illegal interarrival distribution '\0' in "),
            ("dx", "illegal mean interarrival time x"),
            ("e-1", "illegal mean interarrival time -1"),
            ("1e999", "illegal mean interarrival time 1e999"),
            ("d1e-400", "illegal mean interarrival time 1e-400"),
            ("1,2", "illegal mean interarrival time 1,2"),
            ("d", "illegal mean interarrival time "),
            ("ux", "illegal minimum interarrival time x"),
            ("u-1,2", "illegal minimum interarrival time -1,2"),
            (
                "u1",
                "minimum interarrival time not followed by `,MAX_IAT' (rest: `')",
            ),
            (
                "u1x",
                "minimum interarrival time not followed by `,MAX_IAT' (rest: `x')",
            ),
            (
                "u1 ,2",
                "minimum interarrival time not followed by `,MAX_IAT' (rest: ` ,2')",
            ),
            ("u1,x", "illegal request period x"),
            ("u1,-1", "illegal request period -1"),
            ("u1,2x", "illegal request period 2x"),
            ("vx", "illegal minimum interarrival time x"),
            ("v-1,1", "illegal minimum interarrival time -1,1"),
            (
                "v1",
                "interarrival time not followed by `,duration' (rest: `')",
            ),
            (
                "v1,2,3",
                "interarrival time not followed by `,duration' (rest: `')",
            ),
            ("v1,x", "illegal duration x"),
            ("v1,0", "illegal duration 0"),
            ("v1,-2", "illegal duration -2"),
            ("v1,2x", "illegal duration 2x"),
            ("v1,2,", "illegal minimum interarrival time "),
        ];
        for &(arg, want) in bad {
            assert_eq!(parse_period(arg), Err(want.to_string()), "{arg:?}");
        }
        let seventeen = vec!["1,1"; 17].join(",");
        assert_eq!(
            parse_period(&format!("v{seventeen}")),
            Err("too many rates".to_string())
        );
    }

    #[test]
    fn sessions() {
        let spec = |sessions, calls_per_session, think_time_s| SessionSpec {
            sessions,
            calls_per_session,
            think_time_s,
        };
        let ok: &[(&str, SessionSpec)] = &[
            ("1,2,3", spec(1, 2, 3.0)),
            (" 1, 2, 3", spec(1, 2, 3.0)),
            ("0x10,010,0.5", spec(16, 8, 0.5)),
            ("4294967297,1,0", spec(1, 1, 0.0)),
            ("1,1,-0", spec(1, 1, -0.0)),
        ];
        for &(arg, want) in ok {
            assert_eq!(parse_session(arg, SessionOption::Wsess), Ok(want), "{arg}");
        }
        let range = ": Numerical result out of range";
        let bad: &[(SessionOption, &str, String)] = &[
            (
                SessionOption::Wsess,
                "x",
                "bad number of sessions (1st param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "99999999999999999999,2,3",
                format!("bad number of sessions (1st param) in --wsess arg (rest: `,2,3'){range}"),
            ),
            (
                SessionOption::Wsess,
                "1",
                "bad number of calls per session (2nd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1x",
                "bad number of calls per session (2nd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,x",
                "bad number of calls per session (2nd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,99999999999999999999,3",
                format!(
                    "bad number of calls per session (2nd param) in --wsess arg (rest: `,3'){range}"
                ),
            ),
            (
                SessionOption::Wsess,
                "1,2",
                "bad user think time (3rd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2x",
                "bad user think time (3rd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,",
                "bad user think time (3rd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,x",
                "bad user think time (3rd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,-1",
                "bad user think time (3rd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,1e999",
                format!("bad user think time (3rd param) in --wsess arg (rest: `'){range}"),
            ),
            (
                SessionOption::Wsess,
                "1,2,3x",
                "extraneous parameter in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsesspage,
                "1,x",
                "bad number of user requests per session (2nd param) in --wsesspage arg (rest: `x')"
                    .into(),
            ),
            (
                SessionOption::Wsesspage,
                "1,2,-1",
                "bad user think time (3rd param) in --wsesspage arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsesspage,
                "1,2,3x",
                "extraneous parameter in --wsesspage arg (rest: `x')".into(),
            ),
        ];
        for (which, arg, want) in bad {
            assert_eq!(parse_session(arg, *which), Err(want.clone()), "{arg}");
        }
    }

    #[test]
    fn wsesslog() {
        let spec = |sessions, think_time_s, file: &str| SessionLogSpec {
            sessions,
            think_time_s,
            file: PathBuf::from(file),
        };
        let ok: &[(&str, SessionLogSpec)] = &[
            ("1,2,f", spec(1, 2.0, "f")),
            ("1,2,f,", spec(1, 2.0, "f")),
            ("1,2,", spec(1, 2.0, "")),
            ("1,2,,", spec(1, 2.0, "")),
            (" 0x10, 2.5,f g", spec(16, 2.5, "f g")),
        ];
        for (arg, want) in ok {
            assert_eq!(parse_wsesslog(arg.as_bytes()).as_ref(), Ok(want), "{arg}");
        }
        let file = parse_wsesslog(b"1,2,/tmp/\xff\xfe,").map(|spec| spec.file);
        assert_eq!(
            file.as_ref().map(|f| f.as_os_str().as_bytes()),
            Ok(&b"/tmp/\xff\xfe"[..])
        );
        let range = ": Numerical result out of range";
        let bad: &[(&str, String)] = &[
            (
                "x",
                "bad number of sessions (1st param) in --wsesslog arg (rest: `x')".into(),
            ),
            (
                "1x,2,f",
                "bad user think time (2nd param) in --wsesslog arg (rest: `x,2,f')".into(),
            ),
            (
                "1,x",
                "bad user think time (2nd param) in --wsesslog arg (rest: `x')".into(),
            ),
            (
                "1,-2,f",
                "bad user think time (2nd param) in --wsesslog arg (rest: `,f')".into(),
            ),
            (
                "1,1e999,f",
                format!("bad user think time (2nd param) in --wsesslog arg (rest: `,f'){range}"),
            ),
            (
                "1,2",
                "bad session filename (3rd param) in --wsesslog arg (rest: `')".into(),
            ),
            (
                "1,2x,f",
                "bad session filename (3rd param) in --wsesslog arg (rest: `x,f')".into(),
            ),
            (
                "1,2,f,g",
                "extraneous parameter in --wsesslog arg (rest: `g')".into(),
            ),
            (
                "1,2,f,g,h",
                "extraneous parameter in --wsesslog arg (rest: `g,h')".into(),
            ),
            (
                "1,2,f,,",
                "extraneous parameter in --wsesslog arg (rest: `,')".into(),
            ),
            (
                "1,2,,x",
                "extraneous parameter in --wsesslog arg (rest: `x')".into(),
            ),
        ];
        for (arg, want) in bad {
            assert_eq!(parse_wsesslog(arg.as_bytes()), Err(want.clone()), "{arg}");
        }
    }

    #[test]
    fn wset() {
        let spec = |files, miss_rate| WorkingSetSpec { files, miss_rate };
        for (arg, want) in [
            ("10,0.25", spec(10, 0.25)),
            ("1, 0.5", spec(1, 0.5)),
            (" 5,1", spec(5, 1.0)),
            ("0,0.5", spec(0, 0.5)),
            ("0x10,0", spec(16, 0.0)),
        ] {
            assert_eq!(parse_wset(arg), Ok(want), "{arg}");
        }
        let range = ": Numerical result out of range";
        let bad: &[(&str, String)] = &[
            (
                "x",
                "bad working set size (1st parameter) in --wset arg (rest: `x')".into(),
            ),
            (
                "99999999999999999999,0.5",
                format!(
                    "bad working set size (1st parameter) in --wset arg (rest: `99999999999999999999,0.5'){range}"
                ),
            ),
            (
                "1",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `1')".into(),
            ),
            (
                "1x",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `1x')".into(),
            ),
            (
                "1x,0.5",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `1x,0.5')".into(),
            ),
            (
                "1,",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `')".into(),
            ),
            (
                "1,2",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `2')".into(),
            ),
            (
                "1,-0.1",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `-0.1')".into(),
            ),
            (
                "1,1e-400",
                format!("bad target miss rate (2nd parameter) in --wset arg (rest: `1e-400'){range}"),
            ),
            (
                "1,0.5x",
                "extraneous parameter in --wset arg (rest: `0.5x')".into(),
            ),
        ];
        for (arg, want) in bad {
            assert_eq!(parse_wset(arg), Err(want.clone()), "{arg}");
        }
    }

    #[test]
    fn wlog() {
        let spec = |wrap, file: &str| UriLogSpec {
            wrap,
            file: PathBuf::from(file),
        };
        for (arg, want) in [
            ("y,log", spec(true, "log")),
            ("Y,log", spec(true, "log")),
            ("n,log", spec(false, "log")),
            ("yes", spec(true, "s")),
            ("y", spec(true, "")),
            ("", spec(false, "")),
        ] {
            assert_eq!(parse_wlog(arg.as_bytes()), want, "{arg}");
        }
        let file = parse_wlog(b"y,/tmp/\xff\xfe").file;
        assert_eq!(file.as_os_str().as_bytes(), b"/tmp/\xff\xfe");
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
            ("-1.2", (0xffff, 2)),
            ("99999999999.1", (0xe7ff, 1)),
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
