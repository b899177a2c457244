//! The deadline queue: a min-heap of absolute monotonic deadlines with lazy
//! cancellation. It knows nothing of what a timer means; the engine stores a
//! `Timer` payload and checks on expiry whether it is still wanted. And the
//! wake timer's bookkeeping: what the timerfd is set to and when the next
//! deadline needs it set again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What an expired deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A connection's watchdog; stale unless the connection (by serial) still
    /// has exactly this deadline armed.
    Watchdog { key: usize, conn_serial: u64 },
    /// A timer the workload asked for, identified by its id.
    Workload { id: u64 },
    /// The next reply-rate sample.
    Sample,
    /// \[master\] `--runtime` expiry.
    Runtime,
    /// \[master\] `--periodic-stats` one-second line.
    Periodic,
    /// The results recorder's one-second tick (the progress line).
    Results,
}

/// Min-heap of `(deadline_ns, sequence, timer)`; the sequence keeps equal
/// deadlines in insertion order.
#[derive(Debug, Default)]
pub struct TimerQueue {
    heap: BinaryHeap<Reverse<(u64, u64, Timer)>>,
    next_sequence: u64,
}

impl TimerQueue {
    pub fn push(&mut self, at_ns: u64, timer: Timer) {
        self.next_sequence += 1;
        self.heap.push(Reverse((at_ns, self.next_sequence, timer)));
    }

    /// The earliest deadline, stale entries included.
    pub fn next_deadline(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Removes and returns the earliest timer whose deadline is at or before `now_ns`.
    pub fn pop_due(&mut self, now_ns: u64) -> Option<(u64, Timer)> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now_ns => {
                self.heap.pop().map(|Reverse((at, _, timer))| (at, timer))
            }
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Entries held, stale ones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Keeps only the entries for which `keep(deadline_ns, timer)` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(u64, &Timer) -> bool) {
        let entries = std::mem::take(&mut self.heap).into_vec();
        self.heap = entries
            .into_iter()
            .filter(|Reverse((at, _, timer))| keep(*at, timer))
            .collect();
    }
}

/// How far the wake timer's next expiry may be from the next deadline and
/// still stand for it. Arrival times come from the schedule's seconds, so a
/// steady rate's spacing in nanoseconds varies by one or so between
/// arrivals; a wake-up this close to its deadline finds it due (waking takes
/// longer than this).
pub const WAKE_TOLERANCE_NS: u64 = 1_000;

/// A timerfd setting as the kernel keeps it: the first expiry, then one
/// every `period_ns` (once when 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakeSetting {
    pub first_ns: u64,
    pub period_ns: u64,
}

impl WakeSetting {
    /// The first expiry after `now_ns`; `None` for a single expiry already
    /// past.
    pub fn next_expiry_after(self, now_ns: u64) -> Option<u64> {
        if self.first_ns > now_ns {
            return Some(self.first_ns);
        }
        if self.period_ns == 0 {
            return None;
        }
        let periods = (now_ns - self.first_ns) / self.period_ns + 1;
        self.first_ns
            .checked_add(periods.checked_mul(self.period_ns)?)
    }
}

/// What to do to the timerfd before the loop sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakeChange {
    /// Its next expiry already stands for the next deadline.
    Keep,
    Disarm,
    Set(WakeSetting),
}

/// Keeps the timerfd at the deadline queue's next deadline with as few
/// timerfd_settime calls as it can: setting a timer costs more than the
/// rest of an arrival's wake-up on a virtual machine, where it reprograms
/// the host's timer (8% more CPU on this project's benchmark machine when a
/// minimal client sets it once per arrival). When a deadline follows one
/// that has passed, the timer is given their spacing as its period, so a
/// steady rate's next arrivals find it already set.
#[derive(Debug, Default)]
pub struct WakeTimer {
    setting: Option<WakeSetting>,
    previous_deadline: Option<u64>,
}

impl WakeTimer {
    /// The change that makes the timer fire at `next_deadline` (never when
    /// `None`) for a loop about to sleep at `now_ns`; the change is taken
    /// as done.
    pub fn change_for(&mut self, next_deadline: Option<u64>, now_ns: u64) -> WakeChange {
        let previous = std::mem::replace(&mut self.previous_deadline, next_deadline);
        let Some(deadline) = next_deadline else {
            return match self.setting.take() {
                Some(_) => WakeChange::Disarm,
                None => WakeChange::Keep,
            };
        };
        let expiry = self.setting.and_then(|s| s.next_expiry_after(now_ns));
        if expiry.is_some_and(|expiry| expiry.abs_diff(deadline) <= WAKE_TOLERANCE_NS) {
            return WakeChange::Keep;
        }
        let period_ns = match previous {
            Some(previous) if previous <= now_ns && previous < deadline => deadline - previous,
            _ => 0,
        };
        let setting = WakeSetting {
            first_ns: deadline,
            period_ns,
        };
        self.setting = Some(setting);
        WakeChange::Set(setting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_deadline_then_insertion_order() {
        let mut queue = TimerQueue::default();
        queue.push(30, Timer::Sample);
        queue.push(10, Timer::Workload { id: 1 });
        queue.push(10, Timer::Workload { id: 2 });
        assert_eq!(queue.next_deadline(), Some(10));
        assert_eq!(queue.pop_due(5), None);
        assert_eq!(queue.pop_due(10), Some((10, Timer::Workload { id: 1 })));
        assert_eq!(queue.pop_due(10), Some((10, Timer::Workload { id: 2 })));
        assert_eq!(queue.pop_due(29), None);
        assert_eq!(queue.pop_due(100), Some((30, Timer::Sample)));
        assert!(queue.is_empty());
    }

    #[test]
    fn the_next_expiry_follows_the_period() {
        let once = WakeSetting {
            first_ns: 100,
            period_ns: 0,
        };
        assert_eq!(once.next_expiry_after(99), Some(100));
        assert_eq!(once.next_expiry_after(100), None);
        let every_10 = WakeSetting {
            first_ns: 100,
            period_ns: 10,
        };
        assert_eq!(every_10.next_expiry_after(50), Some(100));
        assert_eq!(every_10.next_expiry_after(100), Some(110));
        assert_eq!(every_10.next_expiry_after(125), Some(130));
        let overflowing = WakeSetting {
            first_ns: 1,
            period_ns: u64::MAX,
        };
        assert_eq!(overflowing.next_expiry_after(5), None);
    }

    /// Replays a loop that wakes at each of `deadlines` (one deadline
    /// pending at a time, as with a steady arrival rate) `late_ns` after it;
    /// the timerfd_settime calls it made, checking that the timer stood for
    /// every deadline.
    fn settings_for(deadlines: &[u64], late_ns: u64) -> usize {
        let mut timer = WakeTimer::default();
        let mut kernel: Option<WakeSetting> = None;
        let mut calls = 0;
        let mut now = 0;
        for &deadline in deadlines {
            let wake = match timer.change_for(Some(deadline), now) {
                WakeChange::Keep => kernel.and_then(|k| k.next_expiry_after(now)),
                WakeChange::Disarm => panic!("disarmed with a deadline pending"),
                WakeChange::Set(setting) => {
                    kernel = Some(setting);
                    calls += 1;
                    // A first expiry already past fires at once.
                    Some(setting.first_ns.max(now))
                }
            }
            .expect("the timer is set");
            assert!(
                wake <= deadline.max(now) + WAKE_TOLERANCE_NS
                    && wake + WAKE_TOLERANCE_NS >= deadline,
                "wakes at {wake} for {deadline} at {now}"
            );
            now = deadline.max(wake) + late_ns;
        }
        assert_eq!(timer.change_for(None, now), WakeChange::Disarm);
        calls
    }

    #[test]
    fn a_steady_rate_sets_the_timer_once_and_a_changing_one_every_time() {
        // 4,000/s from the schedule's seconds: spacing 250,000 ns ± 1.
        let steady: Vec<u64> = (1..=4000u64)
            .map(|k| 1_000_000 + (k as f64 * 0.00025 * 1e9) as u64)
            .collect();
        let settings = settings_for(&steady, 30_000);
        assert!(settings <= 3, "{settings}");
        // A ramp: every spacing differs by more than the tolerance.
        let mut at = 0;
        let ramp: Vec<u64> = (1..=100u64)
            .map(|k| {
                at += 1_000_000 - k * 5_000;
                at
            })
            .collect();
        assert_eq!(settings_for(&ramp, 30_000), 100);
        // A loop that falls behind (each wake-up later than the next
        // deadline) is still woken for each one (checked inside).
        settings_for(&steady, 300_000);
    }

    #[test]
    fn an_earlier_deadline_or_none_changes_the_timer() {
        let mut timer = WakeTimer::default();
        assert_eq!(timer.change_for(None, 0), WakeChange::Keep);
        let set = |first_ns, period_ns| {
            WakeChange::Set(WakeSetting {
                first_ns,
                period_ns,
            })
        };
        assert_eq!(timer.change_for(Some(1_000_000), 0), set(1_000_000, 0));
        assert_eq!(timer.change_for(Some(1_000_000), 10), WakeChange::Keep);
        // Pushed before the pending one: a single expiry, no period guessed.
        assert_eq!(timer.change_for(Some(500_000), 20), set(500_000, 0));
        // The next after a passed one takes their spacing as its period.
        assert_eq!(
            timer.change_for(Some(800_000), 600_000),
            set(800_000, 300_000)
        );
        assert_eq!(timer.change_for(Some(1_100_000), 900_000), WakeChange::Keep);
        assert_eq!(timer.change_for(None, 1_200_000), WakeChange::Disarm);
        assert_eq!(timer.change_for(None, 1_300_000), WakeChange::Keep);
    }
}
