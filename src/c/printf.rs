//! C `printf` number formatting, reproduced exactly: glibc's `%.Nf`, `%g` and
//! `%-W.Nf`, including `inf` and `-nan` Every number httperf-rs prints goes
//! through here so that reports compare byte for byte with httperf 0.9.0.

/// glibc `%.<prec>f`. Any NaN prints as `-nan`: the NaNs httperf's arithmetic
/// produces on x86-64 (0/0, sqrt of a negative) carry the sign bit.
pub fn fixed(value: f64, prec: usize) -> String {
    if value.is_nan() {
        return "-nan".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    format!("{value:.prec$}")
}

/// glibc `%-<width>.<prec>f`: fixed notation, left-justified, space padded.
pub(crate) fn fixed_left(value: f64, width: usize, prec: usize) -> String {
    format!("{:<width$}", fixed(value, prec))
}

/// glibc `%g` (precision 6): shortest of fixed and exponent notation with
/// trailing zeros removed, exponent with a sign and at least two digits.
pub(crate) fn g(value: f64) -> String {
    const PRECISION: i32 = 6;
    if value.is_nan() {
        return if value.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        }
        .to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // The exponent is the one %e would print after rounding to PRECISION digits.
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, value);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exp.parse().unwrap_or(0);
    if (-4..PRECISION).contains(&exponent) {
        let decimals = (PRECISION - 1 - exponent) as usize;
        strip_fraction_zeros(&format!("{value:.decimals$}")).to_string()
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{}e{}{:02}",
            strip_fraction_zeros(mantissa),
            sign,
            exponent.abs()
        )
    }
}

fn strip_fraction_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_matches_glibc() {
        assert_eq!(fixed(0.25, 1), "0.2");
        assert_eq!(fixed(0.35, 1), "0.3");
        assert_eq!(fixed(4.35, 1), "4.3");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(201.6129, 1), "201.6");
        assert_eq!(fixed(f64::NAN, 1), "-nan");
        assert_eq!(fixed(-f64::NAN, 1), "-nan");
        assert_eq!(fixed(f64::INFINITY, 1), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 2), "-inf");
    }

    #[test]
    fn fixed_left_pads_on_the_right() {
        assert_eq!(fixed_left(99.9, 8, 1), "99.9    ");
        assert_eq!(fixed_left(100.0, 8, 1), "100.0   ");
        assert_eq!(fixed_left(123456789.0, 8, 1), "123456789.0");
    }

    #[test]
    fn g_matches_glibc() {
        let cases = [
            (1.0 / 0.3, "3.33333"),
            (4.0, "4"),
            (2.5, "2.5"),
            (1.5, "1.5"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (123456789.0, "1.23457e+08"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (999999.5, "1e+06"),
            (0.1, "0.1"),
            (200.0, "200"),
            (-2.0, "-2"),
            (1e100, "1e+100"),
            (f64::INFINITY, "inf"),
            (0.0, "0"),
        ];
        for (value, expected) in cases {
            assert_eq!(g(value), expected, "g({value})");
        }
    }

    /// glibc's own `snprintf(format, ...)` of one double with up to two
    /// integer arguments before it (width, precision).
    // Comparing with the C library takes calling it.
    #[allow(unsafe_code)]
    fn c_printf(format: &str, ints: &[i32], value: f64) -> String {
        let format = std::ffi::CString::new(format).expect("no NUL in format");
        let mut buffer = vec![0u8; 2048];
        // SAFETY: the buffer is writable for its full length, the format is
        // NUL-terminated and its conversions match the arguments passed.
        let written = unsafe {
            let out = buffer.as_mut_ptr().cast::<libc::c_char>();
            match ints {
                [] => libc::snprintf(out, buffer.len(), format.as_ptr(), value),
                [a] => libc::snprintf(out, buffer.len(), format.as_ptr(), *a, value),
                [a, b] => libc::snprintf(out, buffer.len(), format.as_ptr(), *a, *b, value),
                _ => unreachable!("at most two integer arguments"),
            }
        };
        buffer.truncate(usize::try_from(written).expect("snprintf succeeded"));
        String::from_utf8(buffer).expect("printf of a number is ASCII")
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn formatting_agrees_with_the_c_library() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.125,
            0.35,
            1e-5,
            9.9999949e-5,
            999999.5,
            999999.4,
            123456789.0,
            1e100,
            -1e-300,
            5e-324,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -f64::NAN,
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let bits = seed;
            let value = f64::from_bits(bits);
            if value.is_finite() {
                values.push(value);
            }
            // Numbers of the size reports print, with few digits.
            let scale = 10f64.powi((seed >> 60) as i32 - 6);
            values.push(((seed >> 20) % 100_000) as f64 * scale);
        }
        for value in values {
            assert_eq!(g(value), c_printf("%g", &[], value), "%g of {value:e}");
            for prec in [0usize, 1, 2, 3, 6] {
                assert_eq!(
                    fixed(value, prec),
                    c_printf("%.*f", &[prec as i32], value),
                    "%.{prec}f of {value:e}"
                );
                assert_eq!(
                    fixed_left(value, 8, prec),
                    c_printf("%-*.*f", &[8, prec as i32], value),
                    "%-8.{prec}f of {value:e}"
                );
            }
        }
    }
}
