//! C's string-to-number conversions as glibc implements them in the "C"
//! locale: `strtoul` (bases 0, 10 and 16) and `strtod`, with their end
//! offsets and `ERANGE` flag. httperf reads every number it is given with
//! these, so option values, session logs and reply headers accept exactly
//! what 0.9.0 accepts. The tests compare them with the C library itself.
//!
//! All indices are byte offsets into the input, which may be any bytes.
//!
//! Longer than most files for one reason: glibc-exact `strtod` needs correct
//! decimal and hexadecimal rounding and glibc's ERANGE rules for underflow,
//! and the tests that hold it to the C library sit beside it.

use super::ctype::{skip_space, starts_with_ignore_case};

/// The result of a C numeric conversion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Conversion<T> {
    pub value: T,
    /// Byte offset of the first unconverted character; 0 when nothing was
    /// converted (C sets `*endptr = nptr` in that case).
    pub end: usize,
    /// The conversion set `errno = ERANGE`.
    pub erange: bool,
}

impl<T> Conversion<T> {
    /// At least one digit (or `inf`/`nan`) was consumed.
    pub(crate) fn converted(&self) -> bool {
        self.end > 0
    }

    /// The value when something was converted, as C callers that only
    /// check `end != nptr` see it.
    pub(crate) fn if_converted(self) -> Option<T> {
        self.converted().then_some(self.value)
    }
}

/// The value of a digit in any base up to 16.
fn digit_value(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// C `strtoul(s, &end, base)` for base 10, 16 (optional `0x` prefix) or 0
/// (`0x` hex, leading-`0` octal, else decimal), with glibc's behaviour:
/// leading whitespace, optional sign (`-` negates modulo 2^64), overflow →
/// `u64::MAX` with ERANGE.
pub(crate) fn strtoul(s: impl AsRef<[u8]>, base: u32) -> Conversion<u64> {
    let b = s.as_ref();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = skip_space(b, 0);
    let negative = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    // "0x" only counts as a prefix when a hex digit follows; otherwise the
    // "0" is a number and the scan stops at the 'x'.
    let hex_prefix =
        at(i) == b'0' && matches!(at(i + 1), b'x' | b'X') && at(i + 2).is_ascii_hexdigit();
    let radix = match base {
        0 if hex_prefix => 16,
        0 if at(i) == b'0' => 8,
        0 => 10,
        base => base,
    };
    if radix == 16 && hex_prefix {
        i += 2;
    }
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

/// C `strtod(s, &end)` as glibc implements it in the "C" locale: leading
/// whitespace, sign, decimal and hexadecimal (`0x1.8p3`) forms, `inf`,
/// `infinity`, `nan`, `nan(chars)`. ERANGE is set on overflow (result ±inf)
/// and on inexact underflow (result tiny — below the smallest normal number
/// when rounded with unbounded exponent — and not exact), as glibc does.
pub(crate) fn strtod(s: impl AsRef<[u8]>) -> Conversion<f64> {
    let b = s.as_ref();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = skip_space(b, 0);
    let negative = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let sign = |v: f64| if negative { -v } else { v };

    if starts_with_ignore_case(b, i, b"inf") {
        i += 3;
        if starts_with_ignore_case(b, i, b"inity") {
            i += 5;
        }
        return Conversion {
            value: sign(f64::INFINITY),
            end: i,
            erange: false,
        };
    }
    if starts_with_ignore_case(b, i, b"nan") {
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
            ("0x1f", 16, 31, 4, false),
            ("0xg", 16, 0, 1, false),
            (" 1F ", 16, 31, 3, false),
            ("-ff", 16, 18446744073709551361, 3, false),
            ("10000000000000000", 16, u64::MAX, 17, true),
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

    // Comparing with the C library takes calling it.
    #[allow(unsafe_code)]
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
            for base in [0, 10, 16] {
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
}
