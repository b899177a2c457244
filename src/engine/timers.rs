//! The deadline queue: a min-heap of absolute monotonic deadlines with lazy
//! cancellation. It knows nothing of what a timer means; the engine stores a
//! `Timer` payload and checks on expiry whether it is still wanted.

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
}
