//! The discrete-event core: a clock and a time-ordered queue of pending timers.
//!
//! It knows nothing about incidents: the payload type is the model's. Timers due at the same
//! instant fire in the order they were scheduled (an insertion counter breaks ties), so a run
//! is deterministic and reads the way the model scheduled it.
//!
//! The queue is the hottest code in a run, so it is laid out for the machine: it holds only
//! 16-byte integer keys, and the payloads wait in a slot array beside it.

/// Marks the branch that calls it as rarely taken: in a model's handlers, a feature the
/// scenario may not use, a drill's decision, a stale timer. Without a profile the compiler
/// weighs both sides of a branch alike, and once the per-event handlers are inlined into the
/// run loop it leaves the rare sides' register spills and code on the hot path; a call to a
/// `#[cold]` function moves them out (the classic form of `std::hint::cold_path`, which
/// needs Rust 1.95; this crate builds with 1.88). The call itself stays on the rare path.
#[cold]
#[inline(never)]
pub fn rarely() {}

/// Bits of a key's low word that hold the payload's slot; the insertion counter sits above.
const SLOT_BITS: u32 = 24;
/// Most timers pending at once (16.7 million). A model has at most a few per service and one
/// per busy engineer or queued false alarm, all bounded well below this by the scenario limits.
const MAX_PENDING: usize = 1 << SLOT_BITS;
/// Most timers one run may schedule before [`Scheduler::reset`] (1.1 × 10¹²).
const MAX_SCHEDULED: u64 = 1 << (64 - SLOT_BITS);
/// Most keys the sorted part of the queue holds (see [`Scheduler`]): a few cache lines, so an
/// insertion's shifting stays short; beyond it the larger keys wait in the heap.
const SOON_CAP: usize = 32;
/// Children per heap node. Four 16-byte keys fill one 64-byte cache line, and a 4-ary heap is
/// half as deep as a binary one: fewer dependent loads per pop.
const ARITY: usize = 4;

/// A heap key: the bits of the due time (non-negative floats order like their bit patterns)
/// above the insertion counter, above the payload's slot. One integer comparison orders by
/// (time, insertion order); the slot never decides anything because counters are unique.
#[inline]
fn key(t: f64, seq: u64, slot: u32) -> u128 {
    debug_assert!(t >= 0.0 && t.is_finite() || t == f64::INFINITY);
    // `+ 0.0` turns a negative zero into +0.0 so its bits sort first.
    let bits = (t + 0.0).to_bits();
    ((bits as u128) << 64) | ((seq << SLOT_BITS) | slot as u64) as u128
}

#[inline]
fn key_time(key: u128) -> f64 {
    f64::from_bits((key >> 64) as u64)
}

#[inline]
fn key_slot(key: u128) -> usize {
    (key as u64 & ((1 << SLOT_BITS) - 1)) as usize
}

/// No keyed timer fired and left unsettled (see [`Scheduler::settle`]).
const NO_LEAF: usize = usize::MAX;

/// No timer: above every real key (the largest time, +∞, has bits below the top).
const NONE: u128 = u128::MAX;

/// Replace the key in registers `low`/`high` (and, given, the tag in `tag`) by the key with
/// halves `a_low`/`a_high` (and its tag) when that is the smaller: a 128-bit compare and
/// conditional moves, no branch. The one place [`min_halves`] and [`smaller`] write the trick
/// down; the tag's move comes as a template line because an `asm!` template cannot be
/// assembled from pieces.
#[cfg(target_arch = "x86_64")]
macro_rules! take_if_smaller {
    ($a_low:expr, $a_high:expr => $low:ident, $high:ident
     $(; $tag_move:literal, $a_tag:expr => $tag:ident)?) => {
        std::arch::asm!(
            // Carry set iff a < the kept key: the 128-bit subtraction borrows.
            "cmp {a_low}, {low}",
            "mov {scratch}, {a_high}",
            "sbb {scratch}, {high}",
            "cmovb {low}, {a_low}",
            "cmovb {high}, {a_high}",
            $($tag_move, a_tag = in(reg) $a_tag, tag = inout(reg) $tag,)?
            a_low = in(reg) $a_low,
            a_high = in(reg) $a_high,
            low = inout(reg) $low,
            high = inout(reg) $high,
            scratch = out(reg) _,
            options(pure, nomem, nostack),
        )
    };
}

/// The smaller of two keys given as `(high, low)` halves, the keyed tree's layout: [`smaller`]
/// without the tag (two conditional moves on x86-64; the tag's third move cost the tree walks
/// 1 % of a run's instructions).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn min_halves(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    let (mut high, mut low) = b;
    // SAFETY: register-only arithmetic; it reads and writes no memory and no stack.
    unsafe { take_if_smaller!(a.1, a.0 => low, high) };
    (high, low)
}

/// The smaller of two keys given as `(high, low)` halves (tuples compare like the keys).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn min_halves(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    a.min(b)
}

/// A key as `(high, low)` halves.
#[inline(always)]
fn halves(k: u128) -> (u64, u64) {
    ((k >> 64) as u64, k as u64)
}

/// The pair whose key is smaller (`b` on a tie), without a branch: on x86-64, three
/// conditional moves.
///
/// Why: which of two timers is earlier is a coin toss to the branch predictor, and LLVM's
/// x86 "cmov conversion" turns a select on a loop-carried value back into a jump whatever
/// the source says (`std::hint::select_unpredictable` included). The walks of the keyed
/// tree and of the heap then mispredicted about every other level: in a benchmark run, 8 %
/// of the time (a build for AVX-512 machines, whose tuning keeps the moves, ran that much
/// faster with the same code).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn smaller(a: (u128, usize), b: (u128, usize)) -> (u128, usize) {
    let (mut low, mut high, mut tag) = (b.0 as u64, (b.0 >> 64) as u64, b.1);
    // SAFETY: register-only arithmetic; it reads and writes no memory and no stack.
    unsafe {
        take_if_smaller!(a.0 as u64, (a.0 >> 64) as u64 => low, high;
            "cmovb {tag}, {a_tag}", a.1 => tag)
    };
    (((high as u128) << 64) | low as u128, tag)
}

/// The pair whose key is smaller (`b` on a tie); elsewhere than x86-64 the compiler's
/// select is kept.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn smaller(a: (u128, usize), b: (u128, usize)) -> (u128, usize) {
    if a.0 < b.0 { a } else { b }
}

/// Event scheduler: a priority queue of timers keyed by (time, insertion order).
///
/// The keys of plain timers wait in two parts. `soon`, a vector sorted largest first, holds up
/// to [`SOON_CAP`] of the smallest: the next timer is its last entry, popped in constant time,
/// and a new key moves only the keys due before it (1.04 on average in the benchmark, where
/// at most 19 plain timers are pending). The rest wait in `later`, a 4-ary min-heap, and every
/// key in `soon` is below every key in `later`; so a model with many pending timers costs a
/// heap's logarithm, not a sorted vector's shifting. The heap alone cost the benchmark 4 %
/// more instructions, most of them in sifting a heap of two to four keys. Payloads live in
/// `slots` and freed slots are reused.
///
/// Beside them, *keyed* timers: ids `0..n`, each with at most one pending timer, kept in a
/// winner tree (each node holds the smaller key of its two children). A model that always has
/// one far-off timer per entity (the next failure of every service) keeps those out of the
/// plain timers, so those stay few and a keyed update is a fixed, branch-free walk up the
/// tree. Both share one insertion counter: the firing order is exactly that of one queue.
///
/// Every buffer is kept between runs ([`Scheduler::reset`]), so after warm-up scheduling
/// allocates nothing.
#[derive(Debug)]
pub struct Scheduler<P> {
    /// The smallest plain keys, largest first (at most [`SOON_CAP`]).
    soon: Vec<u128>,
    /// The other plain keys, a 4-ary min-heap; each above every key of `soon`.
    later: Vec<u128>,
    slots: Vec<P>,
    free_slots: Vec<u32>,
    /// Winner tree over `keyed_leaves` leaves: node 1 is the root, leaf `id` is node
    /// `keyed_leaves + id`; [`NONE`] where nothing is pending. Node `i`'s key is
    /// `keyed_high[i] << 64 | keyed_low[i]`: two arrays of 8-byte halves, which a walk indexes
    /// by the node's number as x86 addresses do (a 16-byte key needed a shift per access,
    /// and a walk is mostly accesses).
    keyed_high: Vec<u64>,
    keyed_low: Vec<u64>,
    /// The key at the tree's root (node 1), kept beside it by the walks: the next timer is
    /// read on every pop and after every timer, and this is one field where the arrays'
    /// node 1 costs two bounds checks.
    keyed_root: u128,
    keyed_payloads: Vec<Option<P>>,
    keyed_leaves: usize,
    keyed_pending: usize,
    /// The keyed timer fired last, while its leaf still holds its key ([`NO_LEAF`] if none):
    /// see [`Scheduler::settle`].
    fired_leaf: usize,
    next_seq: u64,
    now: f64,
    fired: u64,
}

impl<P: Copy> Default for Scheduler<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Copy> Scheduler<P> {
    /// An empty scheduler at t = 0.
    pub fn new() -> Self {
        Scheduler {
            soon: Vec::with_capacity(SOON_CAP + 1),
            later: Vec::new(),
            slots: Vec::with_capacity(64),
            free_slots: Vec::with_capacity(64),
            keyed_high: vec![u64::MAX; 2],
            keyed_low: vec![u64::MAX; 2],
            keyed_root: NONE,
            keyed_payloads: Vec::new(),
            keyed_leaves: 1,
            keyed_pending: 0,
            fired_leaf: NO_LEAF,
            next_seq: 0,
            now: 0.0,
            fired: 0,
        }
    }

    /// Empty the queue and rewind the clock to 0, keeping the allocated buffers.
    pub fn reset(&mut self) {
        self.soon.clear();
        self.later.clear();
        self.slots.clear();
        self.free_slots.clear();
        self.keyed_high.fill(u64::MAX);
        self.keyed_low.fill(u64::MAX);
        self.keyed_root = NONE;
        self.keyed_payloads.fill(None);
        self.keyed_pending = 0;
        self.fired_leaf = NO_LEAF;
        self.next_seq = 0;
        self.now = 0.0;
        self.fired = 0;
    }

    /// Empty the queue like [`Scheduler::reset`] and make room for keyed timers `0..ids`
    /// (see [`Scheduler::schedule_keyed`]).
    pub fn reset_with_keyed(&mut self, ids: usize) {
        let leaves = ids.max(1).next_power_of_two();
        self.keyed_leaves = leaves;
        for half in [&mut self.keyed_high, &mut self.keyed_low] {
            half.clear();
            half.resize(2 * leaves, u64::MAX);
        }
        self.keyed_payloads.clear();
        self.keyed_payloads.resize(ids, None);
        self.reset();
    }

    /// Schedule the timer of `id` (below the count given to [`Scheduler::reset_with_keyed`])
    /// at time `t`, replacing the one pending for `id`, if any. Clamped to now like
    /// [`Scheduler::schedule`], and ordered with every other timer by (time, insertion order).
    ///
    /// # Panics
    /// If `id` is not below that count.
    #[inline(always)]
    pub fn schedule_keyed(&mut self, id: usize, t: f64, payload: P) {
        let t = if t < self.now { self.now } else { t };
        let previous = self.keyed_payloads[id].replace(payload);
        if previous.is_none() {
            self.keyed_pending += 1;
        }
        let k = key(t, self.next_seq, id as u32);
        self.next_seq += 1;
        if self.fired_leaf == id {
            // The handler of `id`'s timer re-arms it: the walk below rewrites every node the
            // fired key still holds (they all held it, and the new key is larger), so the
            // clearing walk is saved. A degrading failure does this at its start.
            self.fired_leaf = NO_LEAF;
        } else {
            self.settle();
        }
        self.set_leaf(id, k);
    }

    /// Empty the leaf of the keyed timer fired last, if [`Scheduler::pop_before`] left it: the
    /// tree's root is then the smallest pending keyed timer again. Called before anything
    /// reads the root or walks another path.
    #[inline(always)]
    fn settle(&mut self) {
        if self.fired_leaf != NO_LEAF {
            let id = std::mem::replace(&mut self.fired_leaf, NO_LEAF);
            self.clear_winning_leaf(id);
        }
    }

    /// Set leaf `id` of the winner tree and recompute the minima on its path to the root.
    #[inline]
    fn set_leaf(&mut self, id: usize, k: u128) {
        let mut node = self.keyed_leaves + id;
        let (high, low) = self.tree_path(node);
        let mut smallest = halves(k);
        // SAFETY (every access below): `tree_path` checked `node` against both arrays, and
        // the walk reads only `node`, its sibling and its ancestors, all below `node | 1`.
        unsafe {
            *high.get_unchecked_mut(node) = smallest.0;
            *low.get_unchecked_mut(node) = smallest.1;
        }
        while node > 1 {
            let sibling = unsafe { (*high.get_unchecked(node ^ 1), *low.get_unchecked(node ^ 1)) };
            smallest = min_halves(sibling, smallest);
            node >>= 1;
            // A node whose minimum did not change leaves every ancestor as it was: most
            // updates are to a service far from the next failure, and stop a level or two up.
            let (at_high, at_low) =
                unsafe { (high.get_unchecked_mut(node), low.get_unchecked_mut(node)) };
            if (*at_high, *at_low) == smallest {
                return;
            }
            (*at_high, *at_low) = smallest;
        }
        // The walk reached the root (a one-leaf tree's leaf is its root).
        self.keyed_root = ((smallest.0 as u128) << 64) | smallest.1 as u128;
    }

    /// Empty leaf `id`, the winner of the whole tree, and recompute the minima on its path.
    /// Every node on that path held the removed key (counters make keys unique), so each one
    /// changes: no early stop to test for, unlike [`Scheduler::set_leaf`].
    #[inline]
    fn clear_winning_leaf(&mut self, id: usize) {
        let mut node = self.keyed_leaves + id;
        let (high, low) = self.tree_path(node);
        let mut smallest = halves(NONE);
        // SAFETY: as in `set_leaf`.
        unsafe {
            *high.get_unchecked_mut(node) = smallest.0;
            *low.get_unchecked_mut(node) = smallest.1;
        }
        while node > 1 {
            let sibling = unsafe { (*high.get_unchecked(node ^ 1), *low.get_unchecked(node ^ 1)) };
            smallest = min_halves(sibling, smallest);
            node >>= 1;
            unsafe {
                *high.get_unchecked_mut(node) = smallest.0;
                *low.get_unchecked_mut(node) = smallest.1;
            }
        }
        self.keyed_root = ((smallest.0 as u128) << 64) | smallest.1 as u128;
    }

    /// The winner tree's halves, once `node`'s path to the root is known to lie inside them:
    /// the walks then index them unchecked. Why: a walk is six levels for 48 services, and the
    /// two bounds checks per level were a third of its instructions.
    ///
    /// Each array holds `2 × keyed_leaves` nodes, an even number, so a node below that count
    /// has its sibling (`node ^ 1 ≤ node | 1`) and every ancestor (`node >> 1`) below it too.
    #[inline(always)]
    fn tree_path(&mut self, node: usize) -> (&mut [u64], &mut [u64]) {
        let (high, low) = (&mut self.keyed_high[..], &mut self.keyed_low[..]);
        assert!(
            node < high.len() && high.len() == low.len() && high.len().is_multiple_of(2),
            "keyed timer out of range"
        );
        (high, low)
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
        self.soon.len() + self.later.len() + self.keyed_pending
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedule `payload` at time `t`. A time in the past is clamped to now: the clock never
    /// runs backwards.
    #[inline(always)]
    pub fn schedule(&mut self, t: f64, payload: P) {
        let t = if t < self.now { self.now } else { t };
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                self.slots[slot as usize] = payload;
                slot
            }
            None => {
                assert!(
                    self.slots.len() < MAX_PENDING,
                    "more than {MAX_PENDING} timers pending at once"
                );
                self.slots.push(payload);
                (self.slots.len() - 1) as u32
            }
        };
        assert!(
            self.next_seq < MAX_SCHEDULED,
            "more than {MAX_SCHEDULED} timers in one run"
        );
        let k = key(t, self.next_seq, slot);
        self.next_seq += 1;
        self.insert(k);
    }

    /// The smallest pending key of the plain timers and of the keyed ones ([`NONE`] if none),
    /// once [`Scheduler::settle`]d.
    #[inline]
    fn tops(&self) -> (u128, u128) {
        let plain = match self.soon.last() {
            Some(&k) => k,
            None => self.later.first().copied().unwrap_or(NONE),
        };
        (plain, self.keyed_root)
    }

    /// Time of the next timer, if any.
    #[inline]
    pub fn peek_time(&mut self) -> Option<f64> {
        self.settle();
        let (plain_top, keyed_top) = self.tops();
        let top = plain_top.min(keyed_top);
        (top != NONE).then(|| key_time(top))
    }

    /// True when the next pending timer is due at [`Scheduler::now`], the time of the timer
    /// fired last: what a model asks after each timer to apply every timer of an instant
    /// before acting on them. Cheaper than comparing [`Scheduler::peek_time`] with now: one
    /// comparison of the next key's time bits with now's (a pending time is never before now,
    /// and no timer, [`NONE`], has bits no time has).
    #[inline]
    pub fn next_is_due_now(&mut self) -> bool {
        self.settle();
        let (plain_top, keyed_top) = self.tops();
        (plain_top.min(keyed_top) >> 64) as u64 == self.now.to_bits()
    }

    /// Fire the next timer strictly before `until`: advance the clock and return it.
    // Always inlined: a model calls it from one loop, and as a call it cost a tenth of the
    // benchmark's instructions in register saves and the returned payload's copy.
    #[inline(always)]
    pub fn pop_before(&mut self, until: f64) -> Option<(f64, P)> {
        self.settle();
        let (plain_top, keyed_top) = self.tops();
        // One comparison decides both which timer is next and where it waits.
        let keyed_first = keyed_top < plain_top;
        let top = if keyed_first { keyed_top } else { plain_top };
        let t = key_time(top);
        // Fires nothing when `t` is not before `until`, when `until` is a NaN, and when
        // nothing is pending: [`NONE`]'s time bits are a NaN.
        if t.partial_cmp(&until) != Some(std::cmp::Ordering::Less) {
            return None;
        }
        let slot = key_slot(top);
        let payload = if keyed_first {
            // Its leaf is emptied later, by `settle`, unless its handler re-arms it first.
            self.fired_leaf = slot;
            self.keyed_pending -= 1;
            self.keyed_payloads[slot]
                .take()
                .expect("a pending keyed timer has a payload")
        } else {
            if self.soon.pop().is_none() {
                rarely();
                self.pop_later();
            }
            self.free_slots.push(slot as u32);
            self.slots[slot]
        };
        self.now = t;
        self.fired += 1;
        Some((t, payload))
    }

    /// Add a plain timer's key: into `soon` at its place, unless it is due after the heap's
    /// smallest; `soon`'s largest goes to the heap once `soon` is over its size.
    #[inline]
    fn insert(&mut self, k: u128) {
        if let Some(&later_top) = self.later.first()
            && k > later_top
        {
            rarely();
            return self.push_later(k);
        }
        // Move the keys due before `k` one place up (a hole moves, nothing is swapped).
        let mut hole = self.soon.len();
        self.soon.push(k);
        let soon = &mut self.soon[..];
        // SAFETY (every access below): `hole` starts at the last index and only moves down,
        // reading the index below it while it is above 0.
        while hole > 0 {
            let below = unsafe { *soon.get_unchecked(hole - 1) };
            if below >= k {
                break;
            }
            unsafe { *soon.get_unchecked_mut(hole) = below };
            hole -= 1;
        }
        unsafe { *soon.get_unchecked_mut(hole) = k };
        if self.soon.len() > SOON_CAP {
            rarely();
            // The largest of `soon` is below every key of the heap: it becomes its smallest.
            let largest = self.soon.remove(0);
            self.push_later(largest);
        }
    }

    /// Add `k` to the heap at the bottom and move it up to its place (a hole moves instead of
    /// swaps).
    #[inline(never)]
    fn push_later(&mut self, k: u128) {
        let mut hole = self.later.len();
        self.later.push(k);
        let heap = &mut self.later[..];
        // SAFETY (every access below): `hole` starts at the last index and only moves to a
        // parent, which is below it.
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            let p = unsafe { *heap.get_unchecked(parent) };
            if p <= k {
                break;
            }
            unsafe { *heap.get_unchecked_mut(hole) = p };
            hole = parent;
        }
        unsafe { *heap.get_unchecked_mut(hole) = k };
    }

    /// Remove the heap's smallest key (`soon` is empty, so it is the smallest plain key).
    #[inline(never)]
    fn pop_later(&mut self) {
        let last = self.later.pop().expect("a plain timer is pending");
        self.sift_down_from_root(last);
    }

    /// Put `k` (the former last key) at the root's place and move it down to where it
    /// belongs: at each level the smallest child moves up into the hole. Nothing to do when
    /// `k` was the only key.
    #[inline]
    fn sift_down_from_root(&mut self, k: u128) {
        let heap = &mut self.later[..];
        let len = heap.len();
        if len == 0 {
            return;
        }
        let mut hole = 0;
        // SAFETY (every access below): children are read only below `end ≤ len`, and `hole`
        // is the root of this non-empty heap or a child that was read.
        loop {
            let first = hole * ARITY + 1;
            if first >= len {
                break;
            }
            let end = (first + ARITY).min(len);
            let mut best = (unsafe { *heap.get_unchecked(first) }, first);
            for i in first + 1..end {
                best = smaller((unsafe { *heap.get_unchecked(i) }, i), best);
            }
            let (best_key, best) = best;
            if k <= best_key {
                break;
            }
            unsafe { *heap.get_unchecked_mut(hole) = best_key };
            hole = best;
        }
        unsafe { *heap.get_unchecked_mut(hole) = k };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_branchless_select_picks_the_smaller_key_and_the_second_on_a_tie() {
        let mut values = vec![
            0,
            1,
            u64::MAX as u128,
            1 << 64,
            (1 << 64) + 1,
            NONE,
            NONE - 1,
        ];
        let mut rng = crate::rng::stream(9, 0, crate::rng::Purpose::FalseAlarms, 0, 0);
        use rand::RngCore;
        for _ in 0..200 {
            let high = rng.next_u64() as u128;
            values.push((high << 64) | rng.next_u64() as u128);
            // Equal high halves, so only the low halves decide.
            values.push((high << 64) | rng.next_u64() as u128);
        }
        for (i, &a) in values.iter().enumerate() {
            for (j, &b) in values.iter().enumerate() {
                let expected = if a < b { (a, i) } else { (b, j) };
                assert_eq!(smaller((a, i), (b, j)), expected, "{a:#x} vs {b:#x}");
                assert_eq!(min_halves(halves(a), halves(b)), halves(a.min(b)));
            }
        }
    }

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
        // An empty queue's next time is a NaN, which `pop_before` never fires.
        assert!(key_time(NONE).is_nan());
        let mut empty = Scheduler::<u8>::new();
        assert_eq!(empty.pop_before(f64::INFINITY), None);
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

    #[test]
    fn negative_zero_fires_with_zero_in_insertion_order() {
        let mut s = Scheduler::new();
        s.schedule(0.0, 'a');
        s.schedule(-0.0, 'b');
        assert_eq!(s.pop_before(1.0), Some((0.0, 'a')));
        assert_eq!(s.pop_before(1.0).map(|(_, p)| p), Some('b'));
    }

    #[test]
    fn keyed_timers_interleave_with_the_heap_by_time_then_insertion_order() {
        let mut s = Scheduler::new();
        s.reset_with_keyed(3);
        s.schedule_keyed(2, 5.0, 'c');
        s.schedule(5.0, 'd');
        s.schedule_keyed(0, 1.0, 'a');
        s.schedule(3.0, 'b');
        s.schedule_keyed(1, 5.0, 'e');
        assert_eq!(s.len(), 5);
        assert_eq!(s.peek_time(), Some(1.0));
        let mut order = String::new();
        while let Some((_, p)) = s.pop_before(f64::INFINITY) {
            order.push(p);
        }
        assert_eq!(order, "abcde");
        assert!(s.is_empty());
    }

    #[test]
    fn next_is_due_now_sees_timers_of_the_same_instant_heap_or_keyed() {
        let mut s = Scheduler::new();
        s.reset_with_keyed(2);
        s.schedule(2.0, 'a');
        s.schedule_keyed(1, 2.0, 'b');
        s.schedule(3.0, 'c');
        s.pop_before(10.0);
        assert!(s.next_is_due_now(), "the keyed timer is due at 2 too");
        s.pop_before(10.0);
        assert!(!s.next_is_due_now());
        // A timer scheduled in the past is clamped to now, so it is due now.
        s.schedule(1.0, 'd');
        assert!(s.next_is_due_now());
        s.pop_before(10.0);
        s.pop_before(10.0);
        assert!(!s.next_is_due_now(), "nothing pending is not due now");
    }

    #[test]
    fn a_keyed_timer_replaces_the_one_pending_for_its_id() {
        let mut s = Scheduler::new();
        s.reset_with_keyed(5);
        s.schedule_keyed(4, 2.0, 'x');
        s.schedule_keyed(4, 7.0, 'y');
        assert_eq!(s.len(), 1);
        assert_eq!(s.pop_before(f64::INFINITY), Some((7.0, 'y')));
        assert_eq!(s.pop_before(f64::INFINITY), None);
        // After a reset nothing of the previous run is pending.
        s.schedule_keyed(1, 3.0, 'z');
        s.reset_with_keyed(2);
        assert!(s.is_empty());
        assert_eq!(s.pop_before(f64::INFINITY), None);
    }

    /// A fired keyed timer's leaf is emptied lazily: re-armed at once by its handler (the
    /// clearing walk skipped), or emptied before the root is read or another id is set.
    #[test]
    fn a_fired_keyed_timer_is_settled_or_re_armed() {
        let mut s = Scheduler::new();
        s.reset_with_keyed(8);
        for (id, t) in [(0, 1.0), (3, 4.0), (5, 2.0), (7, 6.0)] {
            s.schedule_keyed(id, t, id);
        }
        // Re-armed by its own handler: fires again in its new place.
        assert_eq!(s.pop_before(f64::INFINITY), Some((1.0, 0)));
        s.schedule_keyed(0, 5.0, 0);
        assert_eq!(s.len(), 4);
        // Another id set while the fired one is unsettled.
        assert_eq!(s.pop_before(f64::INFINITY), Some((2.0, 5)));
        s.schedule_keyed(3, 3.0, 30);
        assert_eq!(s.peek_time(), Some(3.0));
        // Not re-armed: the next read settles it, and it never fires again.
        assert_eq!(s.pop_before(f64::INFINITY), Some((3.0, 30)));
        assert!(!s.next_is_due_now());
        assert_eq!(s.pop_before(f64::INFINITY), Some((5.0, 0)));
        assert_eq!(s.pop_before(f64::INFINITY), Some((6.0, 7)));
        assert_eq!(s.pop_before(f64::INFINITY), None);
        assert!(s.is_empty());
        // A reset forgets an unsettled leaf.
        s.schedule_keyed(2, 9.0, 2);
        assert_eq!(s.pop_before(f64::INFINITY), Some((9.0, 2)));
        s.reset_with_keyed(8);
        s.schedule_keyed(6, 1.0, 6);
        assert_eq!(s.pop_before(f64::INFINITY), Some((1.0, 6)));
        assert_eq!(s.pop_before(f64::INFINITY), None);
    }

    /// Past [`SOON_CAP`] plain timers the larger keys wait in the heap: every phase of the two
    /// parts (the sorted part full and spilling, drained while the heap still holds keys, and
    /// filled again by keys below the heap's smallest or sent to the heap above it) keeps
    /// firing by (time, insertion order).
    #[test]
    fn plain_timers_beyond_the_sorted_part_fire_in_order() {
        let mut s = Scheduler::new();
        let mut reference: Vec<(f64, u64, u32)> = Vec::new();
        let mut seq = 0;
        let mut add = |s: &mut Scheduler<u32>, reference: &mut Vec<(f64, u64, u32)>, t: f64| {
            s.schedule(t, seq as u32);
            reference.push((t.max(s.now()), seq, seq as u32));
            seq += 1;
        };
        let pop_and_check = |s: &mut Scheduler<u32>, reference: &mut Vec<(f64, u64, u32)>| {
            reference.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
            let expected = reference.pop().map(|(t, _, p)| (t, p));
            assert_eq!(s.pop_before(f64::INFINITY), expected);
            assert_eq!(s.len(), reference.len());
        };
        // Descending times, ties every third: each new key is the smallest so far.
        for i in 0..3 * SOON_CAP {
            add(&mut s, &mut reference, (3 * SOON_CAP - i / 3 * 3) as f64);
        }
        assert!(!s.later.is_empty() && s.soon.len() == SOON_CAP);
        // Drain the sorted part: the heap then gives the next timers.
        for _ in 0..SOON_CAP + 3 {
            pop_and_check(&mut s, &mut reference);
        }
        assert!(s.soon.is_empty() && !s.later.is_empty());
        // A key below the heap's smallest goes to the sorted part, one above to the heap, one
        // equal in time after it by insertion order.
        let now = s.now();
        for t in [now, now + 0.5, now + 1000.0, now + 2.0, now - 1.0] {
            add(&mut s, &mut reference, t);
        }
        while !reference.is_empty() {
            pop_and_check(&mut s, &mut reference);
        }
        assert_eq!(s.pop_before(f64::INFINITY), None);
    }

    /// The queue against a sorted reference: a hold model with many equal times (slots are
    /// reused as timers fire) and keyed timers that replace each other, so the heap order,
    /// the payload slots and the winner tree are all exercised.
    #[test]
    fn matches_a_sorted_reference_under_a_hold_model_with_ties() {
        let mut s = Scheduler::new();
        s.reset_with_keyed(7);
        let mut reference: Vec<(f64, u64, u32)> = Vec::new();
        let mut seq = 0u64;
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut now = 0.0;
        for step in 0..20_000u32 {
            let burst = 1 + (next() % 3) as u32;
            for _ in 0..burst {
                // Coarse times (whole minutes) make ties frequent.
                let t = now + (next() % 50) as f64;
                s.schedule(t, step);
                reference.push((t, seq, step));
                seq += 1;
            }
            // Now and then a keyed timer (id = step % 7 + 1000 as payload marker), replacing
            // the pending one of its id.
            if next() % 3 == 0 {
                let id = (next() % 7) as usize;
                let marker = 1_000_000 + id as u32;
                reference.retain(|&(_, _, p)| p != marker);
                let t = now + (next() % 200) as f64;
                s.schedule_keyed(id, t, marker);
                reference.push((t, seq, marker));
                seq += 1;
            }
            for _ in 0..(next() % 4) {
                let Some((t, p)) = s.pop_before(f64::INFINITY) else {
                    assert!(reference.is_empty());
                    break;
                };
                let i = (0..reference.len())
                    .min_by(|&a, &b| {
                        let (ta, sa, _) = reference[a];
                        let (tb, sb, _) = reference[b];
                        ta.total_cmp(&tb).then(sa.cmp(&sb))
                    })
                    .unwrap();
                let (rt, _, rp) = reference.swap_remove(i);
                assert_eq!((t, p), (rt, rp));
                now = t;
            }
            assert_eq!(s.len(), reference.len());
        }
    }
}
