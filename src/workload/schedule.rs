//! `--schedule`: a rate that changes over the test, written in Yandex
//! Phantom's vocabulary (`line(a,b,dur)`, `const(r,dur)`,
//! `step(a,b,step,dur)`, chained by spaces). Parses the spec into linear
//! segments and answers, in exact arithmetic on those segments, the target
//! rate at a time, how many arrivals are due by a time (the integral of the
//! rate) and at what time the integral reaches a given count. Pure.

use std::fmt;

use crate::results::series::RateSegment;

/// Most linear segments a spec may expand to (a `step` stage makes one per
/// level): keeps the profile's memory bounded.
pub const MAX_SEGMENTS: usize = 100_000;

/// Highest rate a stage may name, per second.
pub const MAX_RATE: f64 = 1e9;

/// Longest schedule, in seconds (a year).
pub const MAX_DURATION_S: f64 = 365.0 * 86_400.0;

/// One stage as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `line(a,b,dur)`: the rate goes linearly from a to b over dur.
    Line { from: f64, to: f64, duration_s: f64 },
    /// `const(r,dur)`: r per second for dur (r = 0 is a pause).
    Const { rate: f64, duration_s: f64 },
    /// `step(a,b,s,dur)`: a, a±s, … up to b, each level held for dur.
    Step {
        from: f64,
        to: f64,
        step: f64,
        duration_s: f64,
    },
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Line {
                from,
                to,
                duration_s,
            } => write!(f, "line({from},{to},{}s)", duration_s),
            Stage::Const { rate, duration_s } => write!(f, "const({rate},{duration_s}s)"),
            Stage::Step {
                from,
                to,
                step,
                duration_s,
            } => write!(f, "step({from},{to},{step},{duration_s}s)"),
        }
    }
}

/// A stage placed on the test's time line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedStage {
    pub stage: Stage,
    pub start_s: f64,
    pub end_s: f64,
    /// Arrivals the stage asks for (the integral of its rate).
    pub target_count: f64,
}

/// A piece of the profile on which the rate is linear.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    start_s: f64,
    duration_s: f64,
    from_rate: f64,
    to_rate: f64,
    /// Arrivals due before the segment starts.
    count_before: f64,
}

impl Segment {
    fn slope(&self) -> f64 {
        (self.to_rate - self.from_rate) / self.duration_s
    }

    fn count(&self) -> f64 {
        (self.from_rate + self.to_rate) / 2.0 * self.duration_s
    }

    /// Arrivals due in the first `t` seconds of the segment.
    fn count_within(&self, t: f64) -> f64 {
        let t = t.clamp(0.0, self.duration_s);
        self.from_rate * t + self.slope() * t * t / 2.0
    }

    /// The time into the segment at which `k` arrivals are due, solving
    /// `a t + s t² / 2 = k` in the form that stays exact when s is 0 or tiny.
    fn time_of(&self, k: f64) -> f64 {
        let a = self.from_rate;
        let root = (a * a + 2.0 * self.slope() * k).max(0.0).sqrt();
        let denominator = a + root;
        if denominator > 0.0 {
            (2.0 * k / denominator).min(self.duration_s)
        } else {
            0.0
        }
    }
}

/// A parsed `--schedule`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile {
    /// The spec as given, for the JSON document.
    pub spec: String,
    stages: Vec<PlacedStage>,
    segments: Vec<Segment>,
    /// The segments as the results recorder takes them (the JSON series'
    /// per-second target rate).
    rate_segments: Vec<RateSegment>,
    total_count: f64,
    end_s: f64,
}

impl RateProfile {
    /// Parses a spec such as `line(10,1000,60s) const(1000,5m)`.
    pub fn parse(spec: &str) -> Result<RateProfile, String> {
        let stages = parse_stages(spec)?;
        if stages.is_empty() {
            return Err(format!(
                "invalid --schedule '{spec}': no stage (use line(a,b,dur), const(r,dur) or \
                 step(a,b,step,dur))"
            ));
        }
        let mut profile = RateProfile {
            spec: spec.to_string(),
            stages: Vec::new(),
            segments: Vec::new(),
            rate_segments: Vec::new(),
            total_count: 0.0,
            end_s: 0.0,
        };
        for stage in stages {
            profile.place(stage)?;
        }
        if profile.end_s > MAX_DURATION_S {
            return Err(format!(
                "invalid --schedule '{spec}': longer than a year ({} s)",
                profile.end_s
            ));
        }
        Ok(profile)
    }

    fn place(&mut self, stage: Stage) -> Result<(), String> {
        let start_s = self.end_s;
        let count_start = self.total_count;
        match stage {
            Stage::Line {
                from,
                to,
                duration_s,
            } => self.push_segment(from, to, duration_s)?,
            Stage::Const { rate, duration_s } => self.push_segment(rate, rate, duration_s)?,
            Stage::Step {
                from,
                to,
                step,
                duration_s,
            } => {
                let levels = ((to - from).abs() / step + 1e-9).floor();
                if levels >= MAX_SEGMENTS as f64 {
                    return Err(format!(
                        "invalid --schedule stage {stage}: more than {MAX_SEGMENTS} steps"
                    ));
                }
                let direction = if to >= from { 1.0 } else { -1.0 };
                for level in 0..=(levels as usize) {
                    let rate = from + direction * step * level as f64;
                    self.push_segment(rate, rate, duration_s)?;
                }
            }
        }
        if self.segments.len() > MAX_SEGMENTS {
            return Err(format!(
                "invalid --schedule '{}': more than {MAX_SEGMENTS} stages and steps",
                self.spec
            ));
        }
        self.stages.push(PlacedStage {
            stage,
            start_s,
            end_s: self.end_s,
            target_count: self.total_count - count_start,
        });
        Ok(())
    }

    fn push_segment(
        &mut self,
        from_rate: f64,
        to_rate: f64,
        duration_s: f64,
    ) -> Result<(), String> {
        if duration_s <= 0.0 {
            return Ok(());
        }
        let segment = Segment {
            start_s: self.end_s,
            duration_s,
            from_rate,
            to_rate,
            count_before: self.total_count,
        };
        self.end_s += duration_s;
        self.total_count += segment.count();
        if !self.end_s.is_finite() || self.end_s > MAX_DURATION_S {
            return Err(format!(
                "invalid --schedule '{}': longer than a year",
                self.spec
            ));
        }
        self.rate_segments.push(RateSegment {
            start_s: segment.start_s,
            end_s: self.end_s,
            from_per_s: from_rate,
            to_per_s: to_rate,
        });
        self.segments.push(segment);
        Ok(())
    }

    /// The profile as linear pieces for the results recorder, in seconds
    /// since the start of the test.
    pub fn rate_segments(&self) -> &[RateSegment] {
        &self.rate_segments
    }

    /// The stages in order with their place on the time line.
    pub fn stages(&self) -> &[PlacedStage] {
        &self.stages
    }

    /// Seconds from the start of the schedule to its end.
    pub fn end_s(&self) -> f64 {
        self.end_s
    }

    /// Arrivals the whole schedule asks for.
    pub fn total_count(&self) -> f64 {
        self.total_count
    }

    /// Mean rate over the whole schedule (0 for an empty one).
    pub fn mean_rate(&self) -> f64 {
        if self.end_s > 0.0 {
            self.total_count / self.end_s
        } else {
            0.0
        }
    }

    fn segment_at(&self, t_s: f64) -> Option<&Segment> {
        let index = self.segments.partition_point(|s| s.start_s <= t_s);
        self.segments.get(index.checked_sub(1)?)
    }

    /// The target rate at `t_s` seconds into the schedule (0 outside it).
    pub fn rate_at(&self, t_s: f64) -> f64 {
        match self.segment_at(t_s) {
            Some(segment) if t_s < self.end_s => {
                let t = t_s - segment.start_s;
                segment.from_rate + segment.slope() * t
            }
            _ => 0.0,
        }
    }

    /// Arrivals due in the first `t_s` seconds (the integral of the rate).
    pub fn count_until(&self, t_s: f64) -> f64 {
        if t_s >= self.end_s {
            return self.total_count;
        }
        match self.segment_at(t_s) {
            Some(segment) => segment.count_before + segment.count_within(t_s - segment.start_s),
            None => 0.0,
        }
    }

    /// The index of the stage `t_s` falls in (the last one after the end).
    pub fn stage_at(&self, t_s: f64) -> usize {
        self.stages
            .partition_point(|s| s.end_s <= t_s)
            .min(self.stages.len().saturating_sub(1))
    }

    /// The earliest time at which more than `u` arrivals are due, i.e. when
    /// arrival number `u` (counting from 0) is; `None` when the schedule
    /// asks for no more than `u`.
    pub fn time_of(&self, u: f64) -> Option<f64> {
        if u.is_nan() || u < 0.0 || u >= self.total_count {
            return None;
        }
        // The first segment that ends with more than `u` arrivals due.
        let index = self
            .segments
            .partition_point(|s| s.count_before + s.count() <= u);
        let segment = self.segments.get(index)?;
        Some(segment.start_s + segment.time_of(u - segment.count_before))
    }
}

/// Arrivals counted per stage, for `-v`'s per-stage block.
#[derive(Debug, Clone)]
pub struct StageTally {
    profile: std::rc::Rc<RateProfile>,
    t0_s: f64,
    arrivals: Vec<u64>,
}

impl StageTally {
    pub fn new(profile: std::rc::Rc<RateProfile>, t0_s: f64) -> StageTally {
        let stages = profile.stages().len();
        StageTally {
            profile,
            t0_s,
            arrivals: vec![0; stages],
        }
    }

    /// An arrival was created at `now_s` (test time).
    pub fn record(&mut self, now_s: f64) {
        let stage = self.profile.stage_at(now_s - self.t0_s);
        if let Some(count) = self.arrivals.get_mut(stage) {
            *count += 1;
        }
    }

    /// One line per stage: its target and achieved mean rate in `unit`.
    pub fn report(&self, unit: &str) -> String {
        let mut text = String::new();
        for (number, (stage, &arrivals)) in
            self.profile.stages().iter().zip(&self.arrivals).enumerate()
        {
            let duration = stage.end_s - stage.start_s;
            let rate = |count: f64| {
                if duration > 0.0 {
                    count / duration
                } else {
                    0.0
                }
            };
            text.push_str(&format!(
                "Schedule stage {} {} [{:.3}-{:.3} s]: target {:.1} achieved {:.1} {unit} ({} of {:.0})\n",
                number + 1,
                stage.stage,
                stage.start_s,
                stage.end_s,
                rate(stage.target_count),
                rate(arrivals as f64),
                arrivals,
                stage.target_count.ceil(),
            ));
        }
        text
    }
}

/// Splits a spec into stages: `name(args)` items separated by optional
/// whitespace.
fn parse_stages(spec: &str) -> Result<Vec<Stage>, String> {
    let mut stages = Vec::new();
    let mut rest = spec.trim_start();
    while !rest.is_empty() {
        let Some(open) = rest.find('(') else {
            return Err(format!(
                "invalid --schedule stage '{}': expected name(arguments)",
                rest.split_whitespace().next().unwrap_or(rest)
            ));
        };
        let Some(close) = rest.find(')') else {
            return Err(format!("invalid --schedule stage '{rest}': missing ')'"));
        };
        if close < open {
            return Err(format!(
                "invalid --schedule stage '{}': expected name(arguments)",
                &rest[..=close]
            ));
        }
        let item = &rest[..=close];
        let name = rest[..open].trim();
        let arguments: Vec<&str> = rest[open + 1..close].split(',').map(str::trim).collect();
        stages.push(parse_stage(item, name, &arguments)?);
        rest = rest[close + 1..].trim_start();
    }
    Ok(stages)
}

fn parse_stage(item: &str, name: &str, arguments: &[&str]) -> Result<Stage, String> {
    let invalid = |why: String| format!("invalid --schedule stage '{item}': {why}");
    let expect = |count: usize, names: &str| {
        if arguments.len() == count && arguments.iter().all(|a| !a.is_empty()) {
            Ok(())
        } else {
            Err(invalid(format!(
                "{name}() takes {count} arguments ({names})"
            )))
        }
    };
    let rate = |text: &str| parse_rate(text).map_err(&invalid);
    let duration = |text: &str| parse_duration(text).map_err(&invalid);
    match name {
        "line" => {
            expect(3, "from, to, duration")?;
            Ok(Stage::Line {
                from: rate(arguments[0])?,
                to: rate(arguments[1])?,
                duration_s: duration(arguments[2])?,
            })
        }
        "const" => {
            expect(2, "rate, duration")?;
            Ok(Stage::Const {
                rate: rate(arguments[0])?,
                duration_s: duration(arguments[1])?,
            })
        }
        "step" => {
            expect(4, "from, to, step, duration")?;
            let step = rate(arguments[2])?;
            if step <= 0.0 {
                return Err(invalid("the step must be greater than 0".to_string()));
            }
            Ok(Stage::Step {
                from: rate(arguments[0])?,
                to: rate(arguments[1])?,
                step,
                duration_s: duration(arguments[3])?,
            })
        }
        _ => Err(invalid(format!(
            "unknown stage '{name}' (use line, const or step)"
        ))),
    }
}

/// A rate: a decimal number from 0 to [`MAX_RATE`].
fn parse_rate(text: &str) -> Result<f64, String> {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+');
    let value: f64 = text
        .parse()
        .ok()
        .filter(|_| plain)
        .ok_or_else(|| format!("'{text}' is not a rate"))?;
    if value < 0.0 {
        return Err(format!("negative rate {text}"));
    }
    if value > MAX_RATE {
        return Err(format!("rate {text} is above {MAX_RATE:e} per second"));
    }
    Ok(value)
}

/// A duration: one or more `NUMBER[UNIT]` parts (`90s`, `1m30s`, `500ms`),
/// with units ms, s, m, h and d; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let bad = || format!("'{text}' is not a duration (e.g. 500ms, 10s, 5m, 1h)");
    let mut total = 0.0;
    let mut rest = text;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_end == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..number_end].parse().map_err(|_| bad())?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit_s = match &rest[..unit_end] {
            "ms" => 0.001,
            "" | "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_end..];
        total += number * unit_s;
    }
    if total.is_nan() || total > MAX_DURATION_S {
        return Err(format!("duration {text} is longer than a year"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + b.abs())
    }

    #[test]
    fn stages_chain_on_one_time_line() {
        let profile =
            RateProfile::parse("line(10,1000,60s) const(1000,5m) step(1000,2000,250,30s)")
                .expect("valid");
        let ends: Vec<f64> = profile.stages().iter().map(|s| s.end_s).collect();
        assert_eq!(ends, [60.0, 360.0, 510.0]);
        assert!(close(profile.rate_at(30.0), 505.0));
        assert!(close(profile.rate_at(100.0), 1000.0));
        assert!(close(profile.rate_at(360.0 + 31.0), 1250.0));
        assert!(close(profile.rate_at(509.0), 2000.0));
        assert_eq!(profile.rate_at(510.0), 0.0);
        let counts: Vec<f64> = profile.stages().iter().map(|s| s.target_count).collect();
        assert!(close(counts[0], 505.0 * 60.0));
        assert!(close(counts[1], 300_000.0));
        assert!(close(
            counts[2],
            (1000.0 + 1250.0 + 1500.0 + 1750.0 + 2000.0) * 30.0
        ));
    }

    #[test]
    fn arrival_times_invert_the_integral_exactly() {
        let profile = RateProfile::parse("line(100,2000,10s)").expect("valid");
        assert!(close(profile.total_count(), 10_500.0));
        for k in [0.0, 1.0, 99.0, 195.0, 5000.0, 10_499.0] {
            let t = profile.time_of(k).expect("within");
            assert!(close(profile.count_until(t), k), "k {k} t {t}");
        }
        assert_eq!(profile.time_of(10_500.0), None);
        // A falling ramp too.
        let down = RateProfile::parse("line(2000,100,10s)").expect("valid");
        let t = down.time_of(10_000.0).expect("within");
        assert!(close(down.count_until(t), 10_000.0));
    }

    #[test]
    fn pauses_and_ramps_from_zero_place_the_first_arrival() {
        let profile = RateProfile::parse("const(0,5s) const(10,1s)").expect("valid");
        assert!(close(profile.time_of(0.0).expect("one"), 5.0));
        assert!(close(profile.time_of(9.0).expect("ten"), 5.9));
        assert_eq!(profile.time_of(10.0), None);
        let ramp = RateProfile::parse("line(0,10,10s)").expect("valid");
        assert_eq!(ramp.time_of(0.0), Some(0.0));
        assert!(close(ramp.time_of(2.0).expect("two"), 2.0));
    }

    #[test]
    fn steps_go_both_ways_and_include_the_last_level() {
        let profile = RateProfile::parse("step(30,10,10,1s)").expect("valid");
        assert_eq!(profile.end_s(), 3.0);
        assert!(close(profile.total_count(), 60.0));
        let uneven = RateProfile::parse("step(0,25,10,1m)").expect("valid");
        assert_eq!(uneven.end_s(), 180.0);
    }

    #[test]
    fn durations_take_units_and_combinations() {
        assert_eq!(parse_duration("500ms"), Ok(0.5));
        assert_eq!(parse_duration("10s"), Ok(10.0));
        assert_eq!(parse_duration("5m"), Ok(300.0));
        assert_eq!(parse_duration("1h"), Ok(3600.0));
        assert_eq!(parse_duration("1m30s"), Ok(90.0));
        assert_eq!(parse_duration("7"), Ok(7.0));
        for bad in ["", "s", "10x", "-5s", "1e3s", "1.2.3s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let error = |spec: &str| RateProfile::parse(spec).expect_err(spec);
        assert!(error("ramp(1,2,3s)").contains("unknown stage 'ramp'"));
        assert!(error("line(-1,10,10s)").contains("negative rate -1"));
        assert!(error("line(1,10)").contains("line() takes 3 arguments"));
        assert!(error("const(10,)").contains("const() takes 2 arguments"));
        assert!(error("const(1e400,1s)").contains("not a rate"));
        assert!(error("const(3000000000,1s)").contains("above"));
        assert!(error("const(10,99999999999h)").contains("longer than a year"));
        assert!(error("const(1,200d) const(1,200d)").contains("longer than a year"));
        assert!(error("step(0,1000000000,1,1s)").contains("steps"));
        assert!(error("step(0,10,0,1s)").contains("step must be"));
        assert!(error("line(1,2,3s").contains("missing ')'"));
        assert!(error("").contains("no stage"));
        assert!(error("const(nan,1s)").contains("not a rate"));
        assert!(error("garbage").contains("expected name(arguments)"));
    }
}
