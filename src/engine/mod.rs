//! The discrete-event core: a clock and a time-ordered queue of pending timers.
//!
//! It knows nothing about incidents: the payload type is the model's. Timers due at the same
//! instant fire in the order they were scheduled (an insertion counter breaks ties), so a run
//! is deterministic and reads the way the model scheduled it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A pending timer: fires `payload` at simulated minute `t`.
///
/// The heap orders entries by one `u128` key: the bits of `t` (non-negative floats order like
/// their bit patterns) above the insertion counter. One integer comparison per heap step
/// instead of a float comparison and a tie-break: the queue is the hottest code in a run.
#[derive(Debug, Clone, Copy)]
struct Entry<P> {
    key: u128,
    payload: P,
}

impl<P> Entry<P> {
    #[inline]
    fn new(t: f64, seq: u64, payload: P) -> Self {
        debug_assert!(t >= 0.0 && t.is_finite() || t == f64::INFINITY);
        // `+ 0.0` turns a negative zero into +0.0 so its bits sort first.
        let bits = (t + 0.0).to_bits();
        Entry {
            key: ((bits as u128) << 64) | seq as u128,
            payload,
        }
    }

    #[inline]
    fn time(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

impl<P> PartialEq for Entry<P> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<P> Eq for Entry<P> {}
impl<P> PartialOrd for Entry<P> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<P> Ord for Entry<P> {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest, then first-scheduled.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Event scheduler: a priority queue of timers keyed by (time, insertion order).
///
/// The heap's buffer is kept between runs ([`Scheduler::reset`]), so after warm-up scheduling
/// allocates nothing.
#[derive(Debug)]
pub struct Scheduler<P> {
    heap: BinaryHeap<Entry<P>>,
    next_seq: u64,
    now: f64,
    fired: u64,
}

impl<P> Default for Scheduler<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> Scheduler<P> {
    /// An empty scheduler at t = 0.
    pub fn new() -> Self {
        Scheduler {
            heap: BinaryHeap::with_capacity(64),
            next_seq: 0,
            now: 0.0,
            fired: 0,
        }
    }

    /// Empty the queue and rewind the clock to 0, keeping the allocated buffer.
    pub fn reset(&mut self) {
        self.heap.clear();
        self.next_seq = 0;
        self.now = 0.0;
        self.fired = 0;
    }

    /// The time of the timer fired last (0 before any).
    pub fn now(&self) -> f64 {
        self.now
    }

    /// How many timers have fired since the last reset.
    pub fn fired(&self) -> u64 {
        self.fired
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedule `payload` at time `t`. A time in the past is clamped to now: the clock never
    /// runs backwards.
    #[inline]
    pub fn schedule(&mut self, t: f64, payload: P) {
        let t = if t < self.now { self.now } else { t };
        self.heap.push(Entry::new(t, self.next_seq, payload));
        self.next_seq += 1;
    }

    /// Time of the next timer, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        self.heap.peek().map(|e| e.time())
    }

    /// Fire the next timer strictly before `until`: advance the clock and return it.
    #[inline]
    pub fn pop_before(&mut self, until: f64) -> Option<(f64, P)> {
        match self.heap.peek() {
            Some(e) if e.time() < until => {}
            _ => return None,
        }
        let e = self.heap.pop()?;
        let t = e.time();
        self.now = t;
        self.fired += 1;
        Some((t, e.payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_time_order_and_ties_in_insertion_order() {
        let mut s = Scheduler::new();
        s.schedule(5.0, 'c');
        s.schedule(1.0, 'a');
        s.schedule(5.0, 'd');
        s.schedule(3.0, 'b');
        s.schedule(5.0, 'e');
        let mut order = String::new();
        while let Some((_, p)) = s.pop_before(f64::INFINITY) {
            order.push(p);
        }
        assert_eq!(order, "abcde");
    }

    #[test]
    fn nothing_fires_at_or_after_the_horizon() {
        let mut s = Scheduler::new();
        s.schedule(10.0, 1);
        s.schedule(9.0, 0);
        assert_eq!(s.pop_before(10.0), Some((9.0, 0)));
        assert_eq!(s.pop_before(10.0), None);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn a_time_in_the_past_is_clamped_to_now() {
        let mut s = Scheduler::new();
        s.schedule(4.0, 'x');
        s.pop_before(100.0);
        s.schedule(1.0, 'y');
        assert_eq!(s.pop_before(100.0), Some((4.0, 'y')));
    }
}
