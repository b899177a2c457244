//! Pure parsers for option values: emulations of the C library conversions
//! httperf relies on (`strtoul` with base 10 or 0, `strtod`, `sscanf("%u.%u")`)
//! and one function per compound option value, each returning httperf 0.9.0's
//! exact diagnostic text on failure.
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

/// glibc's `strerror(ERANGE)`, appended to compound-value messages when the
/// failing conversion set `errno`.
const ERANGE_TEXT: &str = "Numerical result out of range";

/// The result of a C numeric conversion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conversion<T> {
    pub value: T,
    /// Byte offset of the first unconverted character; 0 when nothing was
    /// converted (C sets `*endptr = nptr` in that case).
    pub end: usize,
    /// The conversion set `errno = ERANGE`.
    pub erange: bool,
}

impl<T> Conversion<T> {
    /// At least one digit (or `inf`/`nan`) was consumed.
    pub fn converted(&self) -> bool {
        self.end > 0
    }
}

/// C `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    i
}

fn digit_value(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// C `strtoul(s, &end, base)` for base 10 or 0 (0 = `0x` hex, leading-`0`
/// octal, else decimal), with glibc's behaviour: leading whitespace, optional
/// sign (`-` negates modulo 2^64), overflow → `u64::MAX` with ERANGE.
pub fn strtoul(s: &str, base: u32) -> Conversion<u64> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = skip_space(b, 0);
    let negative = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let radix = if base == 0 {
        if at(i) == b'0' {
            // "0x" only counts as a prefix when a hex digit follows; otherwise
            // the "0" is an octal number and the scan stops at the 'x'.
            if matches!(at(i + 1), b'x' | b'X') && at(i + 2).is_ascii_hexdigit() {
                i += 2;
                16
            } else {
                8
            }
        } else {
            10
        }
    } else {
        base
    };
    let first_digit = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while let Some(d) = digit_value(at(i)).filter(|&d| d < radix) {
        match value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == first_digit {
        return Conversion {
            value: 0,
            end: 0,
            erange: false,
        };
    }
    let value = if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    };
    Conversion {
        value,
        end: i,
        erange: overflow,
    }
}

fn starts_with_ignore_case(b: &[u8], from: usize, word: &str) -> bool {
    b.get(from..from + word.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(word.as_bytes()))
}

/// C `strtod(s, &end)` as glibc implements it in the "C" locale: leading
/// whitespace, sign, decimal and hexadecimal (`0x1.8p3`) forms, `inf`,
/// `infinity`, `nan`, `nan(chars)`. ERANGE is set on overflow (result ±inf)
/// and on inexact underflow (result tiny — below the smallest normal number
/// when rounded with unbounded exponent — and not exact), as glibc does.
pub fn strtod(s: &str) -> Conversion<f64> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = skip_space(b, 0);
    let negative = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let sign = |v: f64| if negative { -v } else { v };

    if starts_with_ignore_case(b, i, "inf") {
        i += 3;
        if starts_with_ignore_case(b, i, "inity") {
            i += 5;
        }
        return Conversion {
            value: sign(f64::INFINITY),
            end: i,
            erange: false,
        };
    }
    if starts_with_ignore_case(b, i, "nan") {
        i += 3;
        if at(i) == b'(' {
            let mut j = i + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                i = j + 1;
            }
        }
        return Conversion {
            value: sign(f64::NAN),
            end: i,
            erange: false,
        };
    }
    if at(i) == b'0' && matches!(at(i + 1), b'x' | b'X') {
        if let Some((value, end, erange)) = parse_hex_float(b, i + 2) {
            return Conversion {
                value: sign(value),
                end,
                erange,
            };
        }
        // "0x" without hex digits: only the "0" is a number.
    }
    match parse_decimal_float(b, i) {
        Some((value, end, erange)) => Conversion {
            value: sign(value),
            end,
            erange,
        },
        None => Conversion {
            value: 0.0,
            end: 0,
            erange: false,
        },
    }
}

/// Reads an optional exponent (`e`/`p` already matched by the caller at
/// `i`): sign and at least one decimal digit, else nothing is consumed.
/// The value saturates far beyond anything that matters for a double.
fn parse_exponent(b: &[u8], i: usize) -> Option<(i64, usize)> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut j = i + 1;
    let negative = at(j) == b'-';
    if matches!(at(j), b'+' | b'-') {
        j += 1;
    }
    let first = j;
    let mut exp: i64 = 0;
    while at(j).is_ascii_digit() {
        exp = (exp * 10 + i64::from(at(j) - b'0')).min(1 << 40);
        j += 1;
    }
    if j == first {
        return None;
    }
    Some((if negative { -exp } else { exp }, j))
}

/// Hexadecimal float body after `0x`. Returns (magnitude, end, erange), or
/// `None` when there is no hex digit.
fn parse_hex_float(b: &[u8], start: usize) -> Option<(f64, usize, bool)> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = start;
    let mut mantissa: u64 = 0;
    let mut significant = 0u32;
    let mut sticky = false;
    let mut exp2: i64 = 0;
    let mut any_digit = false;
    let mut in_fraction = false;
    loop {
        let c = at(i);
        if c == b'.' && !in_fraction {
            in_fraction = true;
            i += 1;
            continue;
        }
        let Some(d) = digit_value(c) else { break };
        any_digit = true;
        if significant < 16 {
            mantissa = (mantissa << 4) | u64::from(d);
            if mantissa != 0 {
                significant += 1;
            }
            if in_fraction {
                exp2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !in_fraction {
                exp2 += 4;
            }
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(at(i), b'p' | b'P') {
        if let Some((e, end)) = parse_exponent(b, i) {
            exp2 = exp2.saturating_add(e);
            i = end;
        }
    }
    let (value, erange) = binary_to_f64(mantissa, sticky, exp2);
    Some((value, i, erange))
}

/// Keeps `m >> shift` rounded to nearest, ties to even; `sticky` says that
/// non-zero bits below `m` were already dropped. Returns (kept, inexact).
fn round_shift(m: u64, shift: u32, sticky: bool) -> (u64, bool) {
    if shift == 0 {
        return (m, sticky);
    }
    if shift > 64 {
        return (0, m != 0 || sticky);
    }
    let kept = if shift == 64 { 0 } else { m >> shift };
    let dropped = if shift == 64 {
        m
    } else {
        m & ((1u64 << shift) - 1)
    };
    let half = 1u64 << (shift - 1);
    let round_up = dropped > half || (dropped == half && (sticky || kept & 1 == 1));
    (kept + u64::from(round_up), dropped != 0 || sticky)
}

/// (mantissa + sticky fraction) · 2^exp2 → nearest double, with glibc's
/// ERANGE rules.
fn binary_to_f64(mantissa: u64, sticky: bool, exp2: i64) -> (f64, bool) {
    if mantissa == 0 {
        return (0.0, false);
    }
    let lz = mantissa.leading_zeros();
    let m = mantissa << lz;
    // value ∈ [2^e, 2^(e+1))
    let e = exp2 - i64::from(lz) + 63;
    let (r53, _) = round_shift(m, 11, sticky);
    let e_unbounded = if r53 == 1 << 53 { e + 1 } else { e };
    if e_unbounded > 1023 {
        return (f64::INFINITY, true);
    }
    if e >= -1022 {
        let (mut kept, mut exp) = (r53, e);
        if kept == 1 << 53 {
            kept >>= 1;
            exp += 1;
        }
        let bits = ((exp + 1023) as u64) << 52 | (kept & ((1 << 52) - 1));
        return (f64::from_bits(bits), false);
    }
    let shift = u32::try_from(11 + (-1022 - e)).unwrap_or(u32::MAX);
    let (kept, inexact) = round_shift(m, shift, sticky);
    // A subnormal's bits are its mantissa; a carry into bit 52 is exactly the
    // encoding of the smallest normal number.
    let tiny = e_unbounded < -1022;
    (f64::from_bits(kept), tiny && inexact)
}

/// A decimal number as significant digits (no leading or trailing zeros)
/// and the exponent E of `0.DIGITS × 10^E`.
struct Decimal {
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    fn from_parts(int: &[u8], frac: &[u8], exp: i64) -> Decimal {
        let all: Vec<u8> = int.iter().chain(frac).copied().collect();
        let lead = all.iter().take_while(|&&d| d == b'0').count();
        let mut digits = all[lead..].to_vec();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        let exp = exp - frac.len() as i64 + (all.len() - lead) as i64;
        Decimal { digits, exp }
    }

    /// The exact value of a finite double.
    fn of_f64(v: f64) -> Decimal {
        // 1100 digits cover every double exactly (subnormals have < 770).
        let text = format!("{:.1100e}", v.abs());
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        Decimal::from_parts(int.as_bytes(), frac.as_bytes(), exp)
    }

    fn to_f64(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        let exp = self.exp.clamp(-(1 << 40), 1 << 40);
        let text = format!("0.{}e{}", String::from_utf8_lossy(&self.digits), exp);
        text.parse().unwrap_or(0.0)
    }

    /// This number multiplied by 2^64, exactly.
    fn times_2_pow_64(&self) -> Decimal {
        let mut digits: Vec<u32> = self.digits.iter().map(|&d| u32::from(d - b'0')).collect();
        let int_len_before = digits.len() as i64;
        for _ in 0..4 {
            let mut carry = 0u32;
            for d in digits.iter_mut().rev() {
                let v = *d * 65536 + carry;
                *d = v % 10;
                carry = v / 10;
            }
            while carry > 0 {
                digits.insert(0, carry % 10);
                carry /= 10;
            }
        }
        let grown = digits.len() as i64 - int_len_before;
        let text: Vec<u8> = digits.iter().map(|&d| b'0' + d as u8).collect();
        let mut scaled = Decimal::from_parts(&text, &[], 0);
        scaled.exp = self.exp + grown;
        scaled
    }
}

/// Decimal float at `start`. Returns (magnitude, end, erange), or `None`
/// when there is no digit.
fn parse_decimal_float(b: &[u8], start: usize) -> Option<(f64, usize, bool)> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = start;
    let int_start = i;
    while at(i).is_ascii_digit() {
        i += 1;
    }
    let int = &b[int_start..i];
    let mut frac: &[u8] = &[];
    if at(i) == b'.' {
        let frac_start = i + 1;
        let mut j = frac_start;
        while at(j).is_ascii_digit() {
            j += 1;
        }
        if !int.is_empty() || j > frac_start {
            frac = &b[frac_start..j];
            i = j;
        }
    }
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut exp = 0;
    if matches!(at(i), b'e' | b'E') {
        if let Some((e, end)) = parse_exponent(b, i) {
            exp = e;
            i = end;
        }
    }
    let decimal = Decimal::from_parts(int, frac, exp);
    let value = decimal.to_f64();
    let erange = if value.is_infinite() {
        true
    } else if decimal.digits.is_empty() || value > f64::MIN_POSITIVE {
        false
    } else if value == f64::MIN_POSITIVE {
        // Rounded up to the smallest normal: still "tiny" (hence inexact)
        // when rounding to 53 bits with unbounded exponent stays below it.
        // Scaling by 2^64 moves the question into the normal range, where
        // ordinary round-to-nearest answers it.
        decimal.times_2_pow_64().to_f64() < f64::MIN_POSITIVE * 2f64.powi(64)
    } else {
        let exact = Decimal::of_f64(value);
        exact.digits != decimal.digits || exact.exp != decimal.exp
    };
    Some((value, i, erange))
}

/// "UL10" of docs/behaviour.md#number-grammars: the whole text must be one base-10 `strtoul`
/// number without overflow.
pub fn ul10(s: &str) -> Option<u64> {
    let c = strtoul(s, 10);
    (c.converted() && c.end == s.len() && !c.erange).then_some(c.value)
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

/// The spelling of a protocol in the echo line.
pub fn ssl_protocol_name(protocol: SslProtocol) -> &'static str {
    match protocol {
        SslProtocol::Auto => "auto",
        SslProtocol::SslV2 => "SSLv2",
        SslProtocol::SslV3 => "SSLv3",
        SslProtocol::TlsV1_0 => "TLSv1.0",
        SslProtocol::TlsV1_1 => "TLSv1.1",
        SslProtocol::TlsV1_2 => "TLSv1.2",
        SslProtocol::TlsV1_3 => "TLSv1.3",
    }
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
    fn strtoul_matches_glibc() {
        // (input, base, value, end, erange), checked against glibc 2.36.
        let cases: &[(&str, u32, u64, usize, bool)] = &[
            ("0x", 0, 0, 1, false),
            ("0xg", 0, 0, 1, false),
            ("0x1f", 0, 31, 4, false),
            ("0X1F", 0, 31, 4, false),
            ("017", 0, 15, 3, false),
            ("08", 0, 0, 1, false),
            ("-0x10", 0, 18446744073709551600, 5, false),
            (" +5", 0, 5, 3, false),
            ("- 5", 0, 0, 0, false),
            ("", 0, 0, 0, false),
            ("-18446744073709551616", 0, u64::MAX, 21, true),
            ("-18446744073709551615", 0, 1, 21, false),
            ("18446744073709551616x", 0, u64::MAX, 20, true),
            ("00x1", 0, 0, 2, false),
            ("0x10", 10, 0, 1, false),
            ("\t7", 10, 7, 2, false),
            ("+-1", 10, 0, 0, false),
            ("-", 10, 0, 0, false),
            ("-1", 10, u64::MAX, 2, false),
            ("4294967376", 10, 4294967376, 10, false),
            ("18446744073709551615", 10, u64::MAX, 20, false),
            ("99999999999999999999", 10, u64::MAX, 20, true),
            ("12abc", 10, 12, 2, false),
        ];
        for &(input, base, value, end, erange) in cases {
            assert_eq!(
                strtoul(input, base),
                Conversion { value, end, erange },
                "strtoul({input:?}, {base})"
            );
        }
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits()
            || (a.is_nan() && b.is_nan() && a.is_sign_negative() == b.is_sign_negative())
    }

    #[test]
    fn strtod_matches_glibc() {
        // (input, value, end, erange), checked against glibc 2.36.
        let min_sub = f64::from_bits(1);
        let cases: &[(&str, f64, usize, bool)] = &[
            ("1.5", 1.5, 3, false),
            ("  +.5e-1x", 0.05, 8, false),
            ("1e", 1.0, 1, false),
            ("1e+", 1.0, 1, false),
            (".e1", 0.0, 0, false),
            (".", 0.0, 0, false),
            ("5.", 5.0, 2, false),
            ("-0", -0.0, 2, false),
            ("inf", f64::INFINITY, 3, false),
            ("-Infinity", f64::NEG_INFINITY, 9, false),
            ("infinit", f64::INFINITY, 3, false),
            ("nan", f64::NAN, 3, false),
            ("-nan", -f64::NAN, 4, false),
            ("nan(abc)", f64::NAN, 8, false),
            ("nan(", f64::NAN, 3, false),
            ("nan(a-b)", f64::NAN, 3, false),
            ("0x", 0.0, 1, false),
            ("0x.p1", 0.0, 1, false),
            ("0x.8", 0.5, 4, false),
            ("0x1p", 1.0, 3, false),
            ("0x1p-", 1.0, 3, false),
            ("0x1P+4", 16.0, 6, false),
            ("00x1", 0.0, 2, false),
            ("0x1p-3", 0.125, 6, false),
            ("0x1.00000000000008p0", 1.0, 20, false),
            ("0x1.000000000000080000001p0", 1.0000000000000002, 27, false),
            ("0x1.000000000000180p0", 1.0000000000000004, 21, false),
            ("1.0000000000000000000000000000000000001", 1.0, 39, false),
            // Overflow.
            ("1e999", f64::INFINITY, 5, true),
            ("1.7976931348623158e308", f64::MAX, 22, false),
            ("1.7976931348623159e308", f64::INFINITY, 22, true),
            ("0x1p1024", f64::INFINITY, 8, true),
            ("0x1.fffffffffffff8p1023", f64::INFINITY, 23, true),
            ("1e99999999999999999999", f64::INFINITY, 22, true),
            ("0x1p99999999999999999999", f64::INFINITY, 24, true),
            // Underflow: ERANGE only when tiny and inexact.
            ("0x1p-1074", min_sub, 9, false),
            ("0x1.8p-1074", f64::from_bits(2), 11, true),
            ("4.9406564584124654e-324", min_sub, 23, true),
            ("1e-400", 0.0, 6, true),
            ("0x1p-1075", 0.0, 9, true),
            ("0x1.0000001p-1075", min_sub, 17, true),
            ("0x1p-1022", f64::MIN_POSITIVE, 9, false),
            ("2.2250738585072014e-308", f64::MIN_POSITIVE, 23, false),
            ("2.2250738585072013e-308", f64::MIN_POSITIVE, 23, false),
            ("2.2250738585072012e-308", f64::MIN_POSITIVE, 23, true),
            ("2.2250738585072011e-308", f64::from_bits(0x000f_ffff_ffff_ffff), 23, true),
            ("0x1.fffffffffffffffp-1023", f64::MIN_POSITIVE, 25, false),
            ("0x1.fffffffffffff8p-1023", f64::MIN_POSITIVE, 24, false),
            ("0x1.fffffffffffff7p-1023", f64::MIN_POSITIVE, 24, true),
            ("1e-320", 9.99988671826831e-321, 6, true),
            ("-1e-320", -9.99988671826831e-321, 7, true),
            ("1e-99999999999999999999", 0.0, 23, true),
            ("0x1p-99999999999999999999", 0.0, 25, true),
            ("0x0p99999999999999999999", 0.0, 24, false),
            ("0e99999999999999999999", 0.0, 22, false),
            ("0e-999999", 0.0, 9, false),
            // 2^-1074 written out exactly is not an underflow.
            (
                "4.940656458412465441765687928682213723650598026143247644255856825006755072702087518652998363616359923797965646954457177309266567103559397963987747960107818781263007131903114045278458171678489821036887186360569987307230500063874091535649843873124733972731696151400317153853980741262385655911710266585566867681870395603106249319452715914924553293054565444011274801297099995419319894090804165633245247571478690147267801593552386115501348035264934720193790268107107491703332226844753335720832431936092382893458368060106011506169809753078342277318329247904982524730776375927247874656084778203734469699533647017972677717585125660551199131504891101451037862738167250955837389733598993664809941164205702637090279242767544565229087538682506419718265533447265625e-324",
                min_sub,
                757,
                false,
            ),
        ];
        for &(input, value, end, erange) in cases {
            let got = strtod(input);
            assert!(
                same(got.value, value) && got.end == end && got.erange == erange,
                "strtod({input:?}) = {got:?}, want ({value:e}, {end}, {erange})"
            );
        }
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn strtod_and_strtoul_agree_with_the_c_library() {
        use std::ffi::CString;
        let inputs = [
            "0", "1", "-1", "0.1", "3.14159", "1e10", "1e-10", "1e308", "1e309", "1e-307", "1e-308",
            "1e-309", "1e-310", "1e-323", "1e-324", "2e-324", "3e-324", "2.4703282292062328e-324",
            "2.4703282292062327e-324", "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
            "0x1.23p4", "0x.1p-1070", "0x1p-1074", "0x3p-1076", "0x1.fffffffffffffp1023",
            "0x1.fffffffffffff7ffp1023", "  -0x.0000000000001p-1022", "infinity", "INF", "NaN(0x12)",
            "12e", "12e+x", "1.2.3", "+", "-.", "0x", "0X.", "1e-400", "9e-324", "7e-324",
            "123456789012345678901234567890", "0.000000000000000000000000000000000001",
            "2.225073858507201e-308", "2.2250738585072011e-308", "2.22507385850720138e-308",
            "18446744073709551615", "18446744073709551616", "-18446744073709551616", "0777", "0x",
            "0xffffffffffffffff", "0x10000000000000000", " \t\n+42abc",
        ];
        // Plus pseudo-random strings over the characters the grammars use.
        let alphabet = b"0123456789.eEpPxX+-afinNAtyI() \t";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut generated = Vec::new();
        for _ in 0..20000 {
            let len = random() % 14;
            let text: String = (0..len)
                .map(|_| alphabet[random() % alphabet.len()] as char)
                .collect();
            generated.push(text);
        }
        for _ in 0..2000 {
            let digits: String = (0..1 + random() % 20)
                .map(|_| char::from(b'0' + (random() % 10) as u8))
                .collect();
            let exp = 290 + random() % 50;
            generated.push(format!("0.{digits}e-{exp}"));
            generated.push(format!("{digits}e{}", 280 + random() % 40));
            let hex: String = (0..1 + random() % 18)
                .map(|_| char::from(b"0123456789abcdef"[random() % 16]))
                .collect();
            generated.push(format!("0x{hex}p-{}", 1000 + random() % 140));
            generated.push(format!("0x.{hex}p{}", 1000 + random() % 40));
        }
        for input in inputs
            .iter()
            .copied()
            .chain(generated.iter().map(String::as_str))
        {
            let c = CString::new(input).expect("no NUL in test input");
            // SAFETY: `c` is a valid NUL-terminated string; errno is thread-local.
            let (value, end, erange) = unsafe {
                let mut end: *mut libc::c_char = std::ptr::null_mut();
                *libc::__errno_location() = 0;
                let v = libc::strtod(c.as_ptr(), &mut end);
                let erange = *libc::__errno_location() == libc::ERANGE;
                (v, end.offset_from(c.as_ptr()) as usize, erange)
            };
            let ours = strtod(input);
            assert!(
                same(ours.value, value) && ours.end == end && ours.erange == erange,
                "strtod({input:?}): ours {ours:?}, libc ({value:e}, {end}, {erange})"
            );
            for base in [0, 10] {
                // SAFETY: as above.
                let (value, end, erange) = unsafe {
                    let mut end: *mut libc::c_char = std::ptr::null_mut();
                    *libc::__errno_location() = 0;
                    let v = libc::strtoul(c.as_ptr(), &mut end, base);
                    let erange = *libc::__errno_location() == libc::ERANGE;
                    (v as u64, end.offset_from(c.as_ptr()) as usize, erange)
                };
                assert_eq!(
                    strtoul(input, base as u32),
                    Conversion { value, end, erange },
                    "strtoul({input:?}, {base})"
                );
            }
        }
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
        assert_eq!(ssl_protocol_name(SslProtocol::TlsV1_0), "TLSv1.0");
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
