//! The rate generator: when the next connection or session is due, in absolute
//! time, for `--rate` and the `--period` distributions, with httperf's
//! repeatable erand48 sequence seeded from the client id. Pure arithmetic.

/// Inter-arrival distribution chosen by `--rate` or `--period`.
#[derive(Debug, Clone, PartialEq)]
pub enum Interarrival {
    /// Fixed inter-arrival time in seconds (`--rate=X` → 1/X, `--period=[d]T`).
    Deterministic { iat_s: f64 },
    /// `--period=uT1,T2`: uniform over [T1, T2).
    Uniform { min_s: f64, max_s: f64 },
    /// `--period=eT`: exponential with mean T.
    Exponential { mean_s: f64 },
    /// \[master\] `--period=vT1,D1,...`: Ti used until Di seconds of IAT accumulate.
    Variable { phases: Vec<(f64, f64)> },
}

/// The rate parameters httperf keeps: the distribution plus the derived
/// "rate" (1/mean IAT, or 0 meaning sequential).
#[derive(Debug, Clone, PartialEq)]
pub struct RateSpec {
    pub interarrival: Interarrival,
    /// Units per second; `<= 0` or NaN means "rate 0" (sequential).
    pub rate_per_s: f64,
}

impl Default for RateSpec {
    fn default() -> Self {
        RateSpec {
            interarrival: Interarrival::Deterministic { iat_s: 0.0 },
            rate_per_s: 0.0,
        }
    }
}

/// The 48-bit linear congruential generator of POSIX `erand48`.
#[derive(Debug, Clone)]
pub struct Erand48 {
    state: u64,
}

const ERAND48_MASK: u64 = (1 << 48) - 1;

impl Erand48 {
    /// httperf's per-generator seed: the three 16-bit words `0x1234 ^ I`,
    /// `0x5678 ^ (I << 8)` and `0x9abc ^ !I`, low word first.
    pub fn seeded_for_client(client_id: u32) -> Erand48 {
        let word = |value: u32| u64::from(value & 0xffff);
        let x0 = word(0x1234 ^ client_id);
        let x1 = word(0x5678 ^ (client_id << 8));
        let x2 = word(0x9abc ^ !client_id);
        Erand48 {
            state: x0 | (x1 << 16) | (x2 << 32),
        }
    }

    /// Next value in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.state = (0x5_DEEC_E66D_u64.wrapping_mul(self.state).wrapping_add(0xB)) & ERAND48_MASK;
        self.state as f64 / (1u64 << 48) as f64
    }
}

/// Draws inter-arrival times for one distribution.
#[derive(Debug, Clone)]
pub struct Interarrivals {
    distribution: Interarrival,
    rng: Erand48,
    /// [master] variable: current phase and IAT accumulated within it.
    phase: usize,
    phase_elapsed_s: f64,
}

impl Interarrivals {
    pub fn new(distribution: Interarrival, client_id: u32) -> Interarrivals {
        Interarrivals {
            distribution,
            rng: Erand48::seeded_for_client(client_id),
            phase: 0,
            phase_elapsed_s: 0.0,
        }
    }

    /// The next inter-arrival time in seconds.
    pub fn draw(&mut self) -> f64 {
        match &self.distribution {
            Interarrival::Deterministic { iat_s } => *iat_s,
            Interarrival::Uniform { min_s, max_s } => min_s + (max_s - min_s) * self.rng.next_f64(),
            Interarrival::Exponential { mean_s } => -mean_s * (1.0 - self.rng.next_f64()).ln(),
            Interarrival::Variable { phases } => {
                let Some(&(iat_s, duration_s)) = phases.get(self.phase) else {
                    return 0.0;
                };
                self.phase_elapsed_s += iat_s;
                if self.phase_elapsed_s >= duration_s {
                    self.phase = (self.phase + 1) % phases.len();
                    self.phase_elapsed_s = 0.0;
                }
                iat_s
            }
        }
    }
}

/// The engine's clock counts nanoseconds: due times closer together than
/// this cannot be told apart.
const CLOCK_RESOLUTION_S: f64 = 1e-9;

/// The smallest `f64` above `x` (finite `x`); for due times so far in the
/// future that adding a nanosecond rounds back to them.
fn next_float_above(x: f64) -> f64 {
    if !x.is_finite() {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// Absolute-time schedule: unit k is due at `t0 + d1 + … + d(k−1)`; a late
/// tick catches up by releasing every unit whose time has passed.
#[derive(Debug, Clone)]
pub struct RateSchedule {
    interarrivals: Interarrivals,
    next_due_s: f64,
}

impl RateSchedule {
    /// Starts at `t0_s` (the first unit is created at t0 by the caller) and
    /// makes the first draw, as httperf does, without reporting it.
    pub fn start(distribution: Interarrival, client_id: u32, t0_s: f64) -> RateSchedule {
        let mut interarrivals = Interarrivals::new(distribution, client_id);
        let first = interarrivals.draw();
        RateSchedule {
            interarrivals,
            next_due_s: t0_s + first,
        }
    }

    /// True while a unit is due strictly before `now_s`.
    pub fn is_due(&self, now_s: f64) -> bool {
        now_s > self.next_due_s
    }

    /// Releases the due unit: draws the next inter-arrival time, moves the
    /// schedule on by it and returns it (for `-vvv`'s trace).
    ///
    /// The schedule always moves forward, by at least the clock's resolution
    /// (a shorter delay counts as that much): a period below it (`--rate
    /// 1e30`) would otherwise leave the due time where it is, and every unit
    /// due at once, forever.
    pub fn advance(&mut self) -> f64 {
        let delay = self.interarrivals.draw();
        let due = self.next_due_s;
        let next = due + delay.max(CLOCK_RESOLUTION_S);
        self.next_due_s = if next > due {
            next
        } else {
            next_float_above(due)
        };
        delay
    }

    /// When the next unit is due, in seconds on the caller's clock.
    pub fn next_due_s(&self) -> f64 {
        self.next_due_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rounded(values: &[f64]) -> Vec<String> {
        values.iter().map(|v| format!("{v:.4}")).collect()
    }

    #[test]
    fn exponential_sequence_matches_httperf_for_client_0() {
        let mut draws = Interarrivals::new(Interarrival::Exponential { mean_s: 0.01 }, 0);
        let values: Vec<f64> = (0..8).map(|_| draws.draw()).collect();
        assert_eq!(
            rounded(&values),
            ["0.0165", "0.0032", "0.0009", "0.0057", "0.0102", "0.0031", "0.0017", "0.0039"]
        );
    }

    #[test]
    fn uniform_sequence_matches_httperf_for_client_3() {
        let uniform = Interarrival::Uniform {
            min_s: 0.01,
            max_s: 0.03,
        };
        let mut draws = Interarrivals::new(uniform, 3);
        let values: Vec<f64> = (0..6).map(|_| draws.draw()).collect();
        assert_eq!(
            rounded(&values),
            ["0.0137", "0.0294", "0.0146", "0.0248", "0.0240", "0.0266"]
        );
    }

    #[test]
    fn deterministic_schedule_catches_up_in_absolute_time() {
        let det = Interarrival::Deterministic { iat_s: 0.005 };
        let mut schedule = RateSchedule::start(det, 0, 1.0);
        assert!(!schedule.is_due(1.005));
        let mut released = 0;
        while schedule.is_due(1.0121) {
            schedule.advance();
            released += 1;
        }
        // Units due at 1.005 and 1.010 are released; 1.015 is not yet due.
        assert_eq!(released, 2);
        assert!((schedule.next_due_s() - 1.015).abs() < 1e-12);
    }

    #[test]
    fn schedule_advances_when_the_period_is_below_the_clock_resolution() {
        let tiny = Interarrival::Deterministic { iat_s: 1e-30 };
        let mut schedule = RateSchedule::start(tiny, 0, 1.0);
        let mut released = 0u64;
        while schedule.is_due(1.000_001) && released < 10_000 {
            schedule.advance();
            released += 1;
        }
        // One unit per nanosecond: the microsecond holds a thousand of them.
        assert!((999..=1001).contains(&released), "released {released}");

        let far = Interarrival::Deterministic { iat_s: 1e-12 };
        let mut schedule = RateSchedule::start(far, 0, 1e12);
        let before = schedule.next_due_s();
        schedule.advance();
        assert!(schedule.next_due_s() > before);
    }

    #[test]
    fn variable_phases_cycle_by_accumulated_time() {
        let phases = vec![(0.1, 0.2), (0.5, 0.5)];
        let mut draws = Interarrivals::new(Interarrival::Variable { phases }, 0);
        let values: Vec<f64> = (0..5).map(|_| draws.draw()).collect();
        assert_eq!(values, [0.1, 0.1, 0.5, 0.1, 0.1]);
    }
}
