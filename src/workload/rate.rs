//! The rate generator: when the next connection or session is due, in absolute
//! time, for `--rate` and the `--period` distributions, with httperf's
//! repeatable erand48 sequence seeded from the client id, and for a
//! `--schedule` profile, whose random draws come from a seeded PCG instead
//! (httperf's sequences stay untouched). Pure arithmetic.

use std::rc::Rc;

use rand::Rng;
use rand_pcg::Pcg32;

use crate::workload::schedule::RateProfile;

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

/// What a random stream of httperf-rs's own features is for: each purpose
/// draws from its own PCG stream, so adding draws to one never shifts another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandomPurpose {
    ScheduleArrivals = 1,
    ThinkJitter = 2,
}

/// The PCG generator of one purpose, for client `client_id` and `--seed`
/// (0 when not given), and `instance` (a session's serial number, or 0).
pub fn seeded_pcg(seed: u64, client_id: u32, purpose: RandomPurpose, instance: u64) -> Pcg32 {
    let state = seed ^ 0x853c_49e6_748f_ea9b ^ instance.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let stream = (purpose as u64) << 32 | u64::from(client_id);
    Pcg32::new(state, stream)
}

/// `--think-jitter`: how think times vary around their value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThinkJitter {
    /// `uniform:F`: uniformly within ±F of the value (0 ≤ F ≤ 1).
    Uniform { spread: f64 },
    /// `exp`: exponentially distributed with the value as mean.
    Exponential,
}

impl ThinkJitter {
    pub fn parse(text: &str) -> Result<ThinkJitter, String> {
        let bad = || {
            format!(
                "invalid --think-jitter '{text}' (use uniform:F for ±F of the think time,                  0 <= F <= 1, or exp)"
            )
        };
        match text {
            "exp" | "exponential" => Ok(ThinkJitter::Exponential),
            _ => {
                let spread: f64 = text
                    .strip_prefix("uniform:")
                    .filter(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                    .and_then(|f| f.parse().ok())
                    .ok_or_else(bad)?;
                if (0.0..=1.0).contains(&spread) {
                    Ok(ThinkJitter::Uniform { spread })
                } else {
                    Err(bad())
                }
            }
        }
    }

    /// A think time drawn around `think_s`; never negative.
    pub fn apply(self, think_s: f64, rng: &mut Pcg32) -> f64 {
        let drawn = match self {
            ThinkJitter::Uniform { spread } => {
                think_s * (1.0 + spread * (2.0 * rng.random::<f64>() - 1.0))
            }
            ThinkJitter::Exponential => -think_s * (1.0 - rng.random::<f64>()).ln(),
        };
        drawn.max(0.0)
    }
}

/// `--schedule`: arrivals follow a rate profile, their spacing drawn from the
/// shape of the `--period` distribution (deterministic by default).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledRate {
    pub profile: Rc<RateProfile>,
    /// The distribution whose shape (not its mean) spaces the arrivals.
    pub shape: Interarrival,
    pub seed: u64,
    pub client_id: u32,
}

/// Spacing of scheduled arrivals in units of the profile's integral (one
/// unit = one arrival on average): the `--period` distribution scaled to a
/// mean of 1.
#[derive(Debug, Clone)]
enum UnitSpacing {
    Fixed,
    Uniform { min: f64, max: f64 },
    Exponential,
}

impl UnitSpacing {
    fn of(shape: &Interarrival) -> UnitSpacing {
        match shape {
            Interarrival::Uniform { min_s, max_s } => {
                let mean = (min_s + max_s) / 2.0;
                if mean > 0.0 && mean.is_finite() {
                    UnitSpacing::Uniform {
                        min: min_s / mean,
                        max: max_s / mean,
                    }
                } else {
                    UnitSpacing::Fixed
                }
            }
            Interarrival::Exponential { .. } => UnitSpacing::Exponential,
            Interarrival::Deterministic { .. } | Interarrival::Variable { .. } => {
                UnitSpacing::Fixed
            }
        }
    }

    fn draw(&self, rng: &mut Pcg32) -> f64 {
        match self {
            UnitSpacing::Fixed => 1.0,
            UnitSpacing::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            UnitSpacing::Exponential => -(1.0 - rng.random::<f64>()).ln(),
        }
    }
}

/// Where a profile-driven schedule stands: arrival `position` of the
/// profile's integral is the next one due.
#[derive(Debug, Clone)]
struct ProfileArrivals {
    profile: Rc<RateProfile>,
    spacing: UnitSpacing,
    rng: Pcg32,
    position: f64,
    t0_s: f64,
    /// No arrival is left; `next_due_s` is the end of the profile.
    finished: bool,
}

impl ProfileArrivals {
    /// The due time of arrival `position`, or the end of the profile.
    fn due_s(&mut self) -> f64 {
        match self.profile.time_of(self.position) {
            Some(t) => self.t0_s + t,
            None => {
                self.finished = true;
                self.t0_s + self.profile.end_s()
            }
        }
    }
}

#[derive(Debug, Clone)]
enum DueTimes {
    Interarrivals(Interarrivals),
    Profile(ProfileArrivals),
}

/// Absolute-time schedule: unit k is due at `t0 + d1 + … + d(k−1)`, or, for
/// a profile, at the time its rate's integral reaches k; a late tick catches
/// up by releasing every unit whose time has passed.
#[derive(Debug, Clone)]
pub struct RateSchedule {
    due_times: DueTimes,
    next_due_s: f64,
}

impl RateSchedule {
    /// Starts at `t0_s` (the first unit is created at t0 by the caller) and
    /// makes the first draw, as httperf does, without reporting it.
    pub fn start(distribution: Interarrival, client_id: u32, t0_s: f64) -> RateSchedule {
        let mut interarrivals = Interarrivals::new(distribution, client_id);
        let first = interarrivals.draw();
        RateSchedule {
            due_times: DueTimes::Interarrivals(interarrivals),
            next_due_s: t0_s + first,
        }
    }

    /// Starts a profile at `t0_s`. Unlike [`RateSchedule::start`], the first
    /// unit is the schedule's too: it is due when the profile's integral
    /// first exceeds 0 (at t0 unless the profile starts with a pause).
    pub fn follow(rate: &ScheduledRate, t0_s: f64) -> RateSchedule {
        let mut arrivals = ProfileArrivals {
            profile: Rc::clone(&rate.profile),
            spacing: UnitSpacing::of(&rate.shape),
            rng: seeded_pcg(
                rate.seed,
                rate.client_id,
                RandomPurpose::ScheduleArrivals,
                0,
            ),
            position: 0.0,
            t0_s,
            finished: false,
        };
        let next_due_s = arrivals.due_s();
        RateSchedule {
            due_times: DueTimes::Profile(arrivals),
            next_due_s,
        }
    }

    /// True while a unit is due strictly before `now_s`.
    pub fn is_due(&self, now_s: f64) -> bool {
        now_s > self.next_due_s && !self.is_finished()
    }

    /// True once a profile has no arrival left (its end time is then
    /// [`RateSchedule::next_due_s`]).
    pub fn is_finished(&self) -> bool {
        matches!(&self.due_times, DueTimes::Profile(p) if p.finished)
    }

    /// True once a profile is finished and its end time has come.
    pub fn has_ended(&self, now_s: f64) -> bool {
        self.is_finished() && now_s >= self.next_due_s
    }

    /// Releases the due unit: draws the next inter-arrival time, moves the
    /// schedule on by it and returns it (for `-vvv`'s trace).
    ///
    /// The schedule always moves forward, by at least the clock's resolution
    /// (a shorter delay counts as that much): a period below it (`--rate
    /// 1e30`) would otherwise leave the due time where it is, and every unit
    /// due at once, forever.
    pub fn advance(&mut self) -> f64 {
        let due = self.next_due_s;
        let delay = match &mut self.due_times {
            DueTimes::Interarrivals(interarrivals) => interarrivals.draw(),
            DueTimes::Profile(arrivals) => {
                arrivals.position += arrivals.spacing.draw(&mut arrivals.rng);
                let next = arrivals.due_s();
                if arrivals.finished {
                    // The end of the profile is no unit's time.
                    self.next_due_s = next.max(due);
                    return next - due;
                }
                next - due
            }
        };
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

    fn profile_schedule(spec: &str, shape: Interarrival) -> RateSchedule {
        let rate = ScheduledRate {
            profile: Rc::new(RateProfile::parse(spec).expect("valid")),
            shape,
            seed: 0,
            client_id: 0,
        };
        RateSchedule::follow(&rate, 2.0)
    }

    /// The due times of every unit of a profile, and when it ends.
    fn due_times(mut schedule: RateSchedule) -> (Vec<f64>, f64) {
        let mut times = Vec::new();
        while !schedule.is_finished() {
            times.push(schedule.next_due_s());
            schedule.advance();
        }
        (times, schedule.next_due_s())
    }

    #[test]
    fn a_deterministic_ramp_puts_each_second_its_share() {
        let det = Interarrival::Deterministic { iat_s: 1.0 };
        let (times, end) = due_times(profile_schedule("line(100,2000,10s)", det));
        assert_eq!(times.len(), 10_500);
        assert_eq!(end, 12.0);
        assert_eq!(times[0], 2.0);
        for second in 0..10 {
            let from = 2.0 + second as f64;
            let count = times
                .iter()
                .filter(|&&t| t >= from && t < from + 1.0)
                .count();
            let target = 100.0 + 190.0 * second as f64 + 95.0;
            assert!(
                (count as f64 - target).abs() <= 1.0,
                "second {second}: {count}"
            );
        }
    }

    #[test]
    fn random_shapes_follow_the_profile_and_repeat_with_the_seed() {
        let exp = Interarrival::Exponential { mean_s: 0.5 };
        let (times, _) = due_times(profile_schedule("const(1000,4s) const(0,1s)", exp.clone()));
        assert!((3800..4200).contains(&times.len()), "{}", times.len());
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        assert!(times.iter().all(|&t| t < 6.0));
        let (again, _) = due_times(profile_schedule("const(1000,4s) const(0,1s)", exp));
        assert_eq!(times, again);
        let uniform = Interarrival::Uniform {
            min_s: 0.5,
            max_s: 1.5,
        };
        let (times, _) = due_times(profile_schedule("const(100,10s)", uniform));
        assert!((950..1050).contains(&times.len()), "{}", times.len());
    }

    #[test]
    fn a_profile_is_due_only_before_its_end_and_then_ends() {
        let det = Interarrival::Deterministic { iat_s: 1.0 };
        let mut schedule = profile_schedule("const(0,1s) const(1,2s) const(0,1s)", det);
        assert_eq!(schedule.next_due_s(), 3.0);
        assert!(schedule.is_due(3.1));
        schedule.advance();
        assert_eq!(schedule.next_due_s(), 4.0);
        schedule.advance();
        assert!(schedule.is_finished());
        assert_eq!(schedule.next_due_s(), 6.0);
        assert!(!schedule.is_due(7.0));
        assert!(!schedule.has_ended(5.9));
        assert!(schedule.has_ended(6.0));
    }

    #[test]
    fn think_jitter_parses_and_stays_in_its_bounds() {
        assert_eq!(
            ThinkJitter::parse("uniform:0.5"),
            Ok(ThinkJitter::Uniform { spread: 0.5 })
        );
        assert_eq!(ThinkJitter::parse("exp"), Ok(ThinkJitter::Exponential));
        for bad in [
            "uniform",
            "uniform:1.5",
            "uniform:-1",
            "uniform:nan",
            "normal",
            "",
        ] {
            assert!(ThinkJitter::parse(bad).is_err(), "{bad}");
        }
        let mut rng = seeded_pcg(7, 0, RandomPurpose::ThinkJitter, 3);
        let jitter = ThinkJitter::Uniform { spread: 0.5 };
        let draws: Vec<f64> = (0..1000).map(|_| jitter.apply(2.0, &mut rng)).collect();
        assert!(draws.iter().all(|&d| (1.0..=3.0).contains(&d)));
        let mean = draws.iter().sum::<f64>() / 1000.0;
        assert!((mean - 2.0).abs() < 0.1, "{mean}");
        let mut same = seeded_pcg(7, 0, RandomPurpose::ThinkJitter, 3);
        assert_eq!(jitter.apply(2.0, &mut same), draws[0]);
        let mut other = seeded_pcg(8, 0, RandomPurpose::ThinkJitter, 3);
        assert_ne!(jitter.apply(2.0, &mut other), draws[0]);
    }

    #[test]
    fn variable_phases_cycle_by_accumulated_time() {
        let phases = vec![(0.1, 0.2), (0.5, 0.5)];
        let mut draws = Interarrivals::new(Interarrival::Variable { phases }, 0);
        let values: Vec<f64> = (0..5).map(|_| draws.draw()).collect();
        assert_eq!(values, [0.1, 0.1, 0.5, 0.1, 0.1]);
    }
}
