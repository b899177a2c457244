//! `--rate` and `--period`: the rate schedule's parameters, with httperf's
//! diagnostics.

use super::dbl;
use crate::c::strto::strtod;
use crate::workload::rate::{Interarrival, RateSpec};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
