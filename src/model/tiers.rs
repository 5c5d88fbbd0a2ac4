//! Support tiers (docs/model.md §2, rules 5–8 and 15): one priority queue per tier, engineers who
//! take the best waiting item when free and open, time-boxed attempts by unable tiers,
//! escalation to the next tier after a handoff.
//!
//! Rule 15 (simultaneous events): arrivals and freed engineers only *mark* a tier; the run
//! loop calls [`Simulator::dispatch_all`] once no more timers are due at the current instant,
//! so an item arriving at the very moment an engineer frees up competes on priority with the
//! items that waited.

use std::cmp::Ordering;

use super::{Ctx, Simulator, Timer, hours};
use crate::events::{EventKind, EventSink, IncidentId, TierId, WorkItem};
use crate::scenario::Minutes;

/// An item waiting in a tier's queue. Served by (class, priority, time entered, entry order):
/// by class first (model.md §8.3: incident 0 < ticket 1 < problem 2 < false alarm 3 <
/// maintenance 4), then by service priority, then FIFO.
#[derive(Debug, Clone, Copy)]
pub(super) struct QueueEntry {
    class: u8,
    pub(super) priority: u32,
    pub(super) entered: Minutes,
    seq: u64,
    pub(super) item: WorkItem,
}

impl QueueEntry {
    /// Whether `self` is served before `other`: by (class, priority, entered, seq) with
    /// `entered` in `f64::total_cmp` order. `seq` is unique, so no two entries tie.
    #[inline]
    fn serves_before(&self, other: &Self) -> bool {
        // Class and priority in one comparison: the class above the priority's 32 bits.
        let rank = |e: &Self| (u64::from(e.class) << 32) | u64::from(e.priority);
        let (mine, theirs) = (rank(self), rank(other));
        if mine != theirs {
            return mine < theirs;
        }
        match self.entered.total_cmp(&other.entered) {
            Ordering::Equal => self.seq < other.seq,
            order => order == Ordering::Less,
        }
    }
}

/// A tier's waiting items, kept sorted in serving order.
///
/// Queues are short and items mostly arrive behind everything waiting of their class and
/// priority (they entered last), so the common push is an append after one comparison and a
/// pop only steps `head` forward: cheaper than a binary heap's sifting. An item that ranks
/// earlier is placed by binary search. Served entries before `head` are dropped when the queue
/// empties, or moved out when the vector is full (so it grows only with the waiting count).
#[derive(Debug, Default)]
pub(super) struct TierQueue {
    /// `entries[head..]` wait, in serving order; `entries[..head]` were served.
    entries: Vec<QueueEntry>,
    /// Invariant: `head < entries.len()`, or both are 0.
    head: usize,
}

impl TierQueue {
    /// The next item to serve.
    #[inline]
    pub(super) fn peek(&self) -> Option<&QueueEntry> {
        self.entries.get(self.head)
    }

    /// Takes the next item to serve.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<QueueEntry> {
        let entry = *self.entries.get(self.head)?;
        self.head += 1;
        if self.head == self.entries.len() {
            self.entries.clear();
            self.head = 0;
        }
        Some(entry)
    }

    // Always inlined: its one caller is `enqueue`, and a call costs as much as the fast path.
    #[inline(always)]
    fn push(&mut self, entry: QueueEntry) {
        match self.entries.last() {
            Some(last) if entry.serves_before(last) => self.insert(entry),
            _ => {
                self.make_room();
                self.entries.push(entry);
            }
        }
    }

    /// The slow path of [`Self::push`]: `entry` goes before the last waiting item.
    #[inline(never)]
    fn insert(&mut self, entry: QueueEntry) {
        self.make_room();
        let at = self.head + self.entries[self.head..].partition_point(|e| e.serves_before(&entry));
        self.entries.insert(at, entry);
    }

    /// Before a push into a full vector: reuse the served slots rather than grow.
    #[inline]
    fn make_room(&mut self) {
        if self.entries.len() == self.entries.capacity() && self.head > 0 {
            self.drop_served();
        }
    }

    fn drop_served(&mut self) {
        self.entries.drain(..self.head);
        self.head = 0;
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.head = 0;
    }

    /// The waiting items, in serving order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &QueueEntry> {
        self.entries[self.head..].iter()
    }

    /// Keeps only the items `keep` accepts (their order stays the serving order).
    pub(super) fn retain(&mut self, keep: impl FnMut(&QueueEntry) -> bool) {
        self.drop_served();
        self.entries.retain(keep);
    }
}

/// Whether one shift is on duty, remembered over a span of time in which the calendar's
/// answer cannot change, so most checks skip the calendar arithmetic.
///
/// Exactness: for the computed span `[from, next_change − 1)` the cached answer equals
/// `hours::is_open` at every instant. Hours change on whole local minutes and the shift's
/// offset is whole minutes, so `next_change` is exact; `is_open` computes its answer from
/// `t + ahead` rounded, which is monotone in `t` and can flip only within rounding error of
/// a true change. The minute kept clear of `next_change` absorbs that error (debug builds
/// check the cache against the calendar on every hit).
#[derive(Debug, Clone, Copy)]
struct ShiftClock {
    open: bool,
    from: Minutes,
    until: Minutes,
    /// `hours::next_change` at `from`: while closed, the next opening (the same instant for
    /// every `t` of the span, since openings are whole minutes computed without rounding).
    change: Minutes,
}

impl ShiftClock {
    /// Open at every instant (`"24x7"`): never read from the calendar.
    const ALWAYS: ShiftClock = ShiftClock {
        open: true,
        from: Minutes::NEG_INFINITY,
        until: Minutes::INFINITY,
        change: Minutes::INFINITY,
    };
    /// Nothing known yet: the first check reads the calendar.
    const UNKNOWN: ShiftClock = ShiftClock {
        open: false,
        from: Minutes::INFINITY,
        until: Minutes::NEG_INFINITY,
        change: Minutes::INFINITY,
    };

    /// `hours::is_open` for shift `i` of `tier` at `t`.
    #[inline]
    fn is_open(&mut self, tier: &crate::scenario::Tier, i: usize, site: i32, t: Minutes) -> bool {
        if self.from <= t && t < self.until {
            debug_assert_eq!(self.open, {
                let shift = tier.shift(i, site);
                hours::is_open(shift.hours, t, shift.ahead_minutes)
            });
            return self.open;
        }
        self.read(tier, i, site, t)
    }

    #[inline(never)]
    fn read(&mut self, tier: &crate::scenario::Tier, i: usize, site: i32, t: Minutes) -> bool {
        let shift = tier.shift(i, site);
        let (open, change) = hours::open_and_next_change(shift.hours, t, shift.ahead_minutes);
        *self = ShiftClock {
            open,
            from: t,
            until: change - 1.0,
            change,
        };
        open
    }

    /// `hours::next_opening` for shift `i` of `tier` at `t`, which [`Self::is_open`] just
    /// found closed.
    #[inline]
    fn next_opening(
        &self,
        tier: &crate::scenario::Tier,
        i: usize,
        site: i32,
        t: Minutes,
    ) -> Minutes {
        let shift = tier.shift(i, site);
        if self.from <= t && t < self.until {
            debug_assert_eq!(
                self.change,
                hours::next_opening(shift.hours, t, shift.ahead_minutes)
            );
            return self.change;
        }
        hours::next_opening(shift.hours, t, shift.ahead_minutes)
    }
}

/// A tier's engineers and queue.
#[derive(Debug, Default)]
pub(super) struct TierState {
    /// Free engineers per shift (one shift for a tier with `staff`/`hours`).
    pub(super) free: Vec<u32>,
    pub(super) queue: TierQueue,
    /// When the pending `TierOpens` timer fires, if one is pending (model.md §8.1: with
    /// several shifts a nearer opening may supersede it).
    opening_at: Option<Minutes>,
    /// Free on-call engineers (model.md §8.2).
    pub(super) on_call_free: u32,
    /// When the pending re-check at a shift's close fires, if one is pending: waiting items
    /// are paged once nobody is on duty.
    pub(super) closing_at: Option<Minutes>,
    /// Its queue or staff changed at the current instant: dispatch before time moves on.
    dirty: bool,
    /// Every shift of the tier is `"24x7"`: open at every instant, so the calendar is never
    /// consulted for it (three of the benchmark's four tiers).
    always_open: bool,
    /// Per shift: whether it is on duty, while that is known.
    clocks: Vec<ShiftClock>,
}

impl TierState {
    /// The engineer of `shift` (or the on-call one) who just finished a job takes another.
    pub(super) fn take_back(&mut self, shift: u16) {
        if shift == super::on_call::ON_CALL_SHIFT {
            self.on_call_free -= 1;
        } else {
            self.free[shift as usize] -= 1;
        }
    }
}

impl Simulator {
    pub(super) fn reset_tiers(&mut self, ctx: &Ctx) {
        let tiers = ctx.tiers;
        self.tiers.resize_with(tiers.len(), TierState::default);
        self.tiers.truncate(tiers.len());
        let site = ctx.scenario.simulation.utc_offset_minutes;
        for (state, tier) in self.tiers.iter_mut().zip(tiers) {
            state.free.clear();
            state
                .free
                .extend((0..tier.shift_count()).map(|i| tier.shift(i, site).staff));
            state.queue.clear();
            state.opening_at = None;
            state.on_call_free = tier.on_call.as_ref().map_or(0, |o| o.staff);
            state.closing_at = None;
            state.dirty = false;
            state.clocks.clear();
            state.clocks.extend(
                (0..tier.shift_count()).map(|i| match tier.shift(i, site).hours {
                    crate::scenario::Hours::AlwaysOpen => ShiftClock::ALWAYS,
                    _ => ShiftClock::UNKNOWN,
                }),
            );
            state.always_open = (0..tier.shift_count()).all(|i| {
                matches!(
                    tier.shift(i, site).hours,
                    crate::scenario::Hours::AlwaysOpen
                )
            });
        }
    }

    /// The tier's queue or staff changed at the current instant: dispatch it before time
    /// moves on (rule 15).
    ///
    /// A tier with nothing waiting is not marked: its dispatch would start nothing (it
    /// returns at the empty queue), and an item entering it later marks it in `enqueue`,
    /// after the push. About half the marks of the benchmark are such (an engineer freed
    /// with nothing waiting). Skipping them changes no history: every set bit already
    /// implies `dispatch_pending` (bits left after a pass were set during it), so every
    /// pass that starts anything runs at the same instant as before.
    pub(super) fn mark(&mut self, tier: TierId) {
        if !self.tiers[tier as usize].queue.is_empty() {
            self.mark_waiting(tier);
        }
    }

    /// [`Self::mark`] for a tier known to have items waiting.
    #[inline]
    fn mark_waiting(&mut self, tier: TierId) {
        self.tiers[tier as usize].dirty = true;
        // Tiers past 63 share the last bit; `dispatch_all` then reads `dirty` instead.
        self.dirty_tiers |= 1 << tier.min(63);
        self.dispatch_pending = true;
    }

    /// The item enters the tier's queue at `t` (rule 7); work starts once the instant is over.
    #[inline(always)]
    pub(super) fn enqueue<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        item: WorkItem,
        tier: TierId,
        sink: &mut S,
    ) {
        let site = ctx.scenario.simulation.utc_offset_minutes;
        let tier_def = &ctx.tiers[tier as usize];
        let state = &mut self.tiers[tier as usize];
        // `Tier::any_shift_open`, read from the shifts' clocks.
        let tier_open = state.always_open
            || (state.clocks.iter_mut().enumerate()).any(|(i, c)| c.is_open(tier_def, i, site, t));
        self.emit(
            sink,
            t,
            EventKind::Queued {
                item,
                tier,
                tier_open,
            },
        );
        let (class, priority) = match item {
            WorkItem::Incident(id) => (0, ctx.scenario.services[id.service as usize].priority),
            WorkItem::Ticket(ticket) => (
                1,
                ctx.scenario.services[ticket.incident.service as usize].priority,
            ),
            WorkItem::Problem(p) => (2, ctx.scenario.services[p.0.service as usize].priority),
            WorkItem::FalseAlarm(_) => (3, 0),
            WorkItem::Maintenance(m) => (4, ctx.scenario.services[m.service as usize].priority),
        };
        let seq = self.queue_seq;
        self.queue_seq += 1;
        self.tiers[tier as usize].queue.push(QueueEntry {
            class,
            priority,
            entered: t,
            seq,
            item,
        });
        self.mark_waiting(tier);
        // Symptom incidents page plainly (§8.2), never by a policy: the policy run of a
        // service belongs to its own incident (model.md §8.11 readings).
        if let (WorkItem::Incident(incident), Some(_)) = (item, ctx.strategy.paging)
            && !incident.is_symptom()
        {
            super::rarely();
            self.policy_entry(ctx, t, incident, tier, sink);
        }
        // `sink.decider()` is `None` at compile time for every sink but the drill's.
        if !tier_open
            && let WorkItem::Incident(incident) = item
            && !incident.is_symptom()
            && sink.decider().is_some()
        {
            super::rarely();
            self.decide_waiting(ctx, t, incident, tier, sink);
        }
    }

    /// A closed tier opens (rule 8): its waiting queue is served.
    pub(super) fn tier_opens(&mut self, t: Minutes, tier: TierId) {
        let state = &mut self.tiers[tier as usize];
        if state.opening_at.is_some_and(|at| at <= t) {
            state.opening_at = None;
        }
        if state.closing_at.is_some_and(|at| at <= t) {
            state.closing_at = None;
        }
        self.mark(tier);
    }

    /// Rule 15: every timer due at `t` has fired; each marked tier, in escalation order, starts
    /// the best waiting items on its free engineers.
    pub(super) fn dispatch_all<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, sink: &mut S) {
        self.dispatch_pending = false;
        if self.tiers.len() > 64 {
            return self.dispatch_all_by_flags(ctx, t, sink);
        }
        // Marked tiers in index order, each once: one marked during the pass is served in it
        // if it comes later, else at the next pass (its bit stays set).
        let mut next = 0;
        while next < 64 {
            let waiting = self.dirty_tiers & (u64::MAX << next);
            if waiting == 0 {
                break;
            }
            let tier = waiting.trailing_zeros();
            self.dirty_tiers &= !(1 << tier);
            self.tiers[tier as usize].dirty = false;
            self.dispatch(ctx, t, tier, sink);
            next = tier + 1;
        }
    }

    /// [`Self::dispatch_all`] for more tiers than the bit mask holds: the same pass, by flags.
    fn dispatch_all_by_flags<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, sink: &mut S) {
        for tier in 0..self.tiers.len() {
            if std::mem::take(&mut self.tiers[tier].dirty) {
                self.dispatch(ctx, t, tier as TierId, sink);
            }
        }
    }

    /// Start as much queued work at `tier` as free engineers and opening hours allow.
    fn dispatch<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, tier: TierId, sink: &mut S) {
        let tier_def = &ctx.tiers[tier as usize];
        let site = ctx.scenario.simulation.utc_offset_minutes;
        loop {
            let state = &mut self.tiers[tier as usize];
            if state.queue.is_empty() {
                return;
            }
            // §8.1: the first shift in file order that is open and has a free engineer; if none,
            // the earliest opening of a closed shift that has one.
            let (chosen, opens) = if state.always_open {
                // Every shift is on duty at every instant: no clock to read, none to open.
                (
                    state.free.iter().position(|&free| free > 0),
                    Minutes::INFINITY,
                )
            } else {
                let mut opens = Minutes::INFINITY;
                let mut chosen = None;
                let shifts = state.free.len().min(state.clocks.len());
                for i in 0..shifts {
                    if state.free[i] == 0 {
                        continue;
                    }
                    let clock = &mut state.clocks[i];
                    if clock.is_open(tier_def, i, site, t) {
                        chosen = Some(i);
                        break;
                    }
                    opens = opens.min(clock.next_opening(tier_def, i, site, t));
                }
                (chosen, opens)
            };
            let Some(shift) = chosen else {
                // Free engineers only in closed shifts: come back when the first one opens.
                if opens.is_finite() && state.opening_at.is_none_or(|at| opens < at) {
                    state.opening_at = Some(opens);
                    self.scheduler.schedule(opens, Timer::TierOpens { tier });
                }
                if tier_def.on_call.is_some() && self.page(ctx, t, tier, sink) {
                    continue;
                }
                return;
            };
            // §8.6: a maintenance item starts only inside its window. It ranks last, so only
            // maintenance waits behind it; the tier looks again when the window opens.
            if let Some(WorkItem::Maintenance(m)) = state.queue.peek().map(|e| e.item)
                && let Some(opens) = self.maintenance_window_closed(ctx, t, m)
            {
                super::rarely();
                let state = &mut self.tiers[tier as usize];
                if state.opening_at.is_none_or(|at| opens < at || at <= t) {
                    state.opening_at = Some(opens);
                    self.scheduler.schedule(opens, Timer::TierOpens { tier });
                }
                return;
            }
            let state = &mut self.tiers[tier as usize];
            let Some(entry) = state.queue.pop() else {
                return;
            };
            if let WorkItem::Incident(incident) = entry.item {
                // The drill's people may escalate rather than work it (model/decisions.rs);
                // asked before work_of, which starts a workaround attempt (§8.8).
                if !incident.is_symptom()
                    && sink.decider().is_some()
                    && self.decide_pickup(ctx, t, incident, tier, sink)
                {
                    super::rarely();
                    continue;
                }
                // A shift engineer took it: the policy's outstanding pages stand down (§8.7).
                self.policy_taken(incident);
            }
            // Withdrawn problem records are dropped before an engineer is taken (§8.9).
            let Some((duration, able, workaround)) = self.work_of(ctx, tier, entry.item) else {
                continue;
            };
            self.tiers[tier as usize].free[shift] -= 1;
            self.emit(
                sink,
                t,
                EventKind::WorkStarted {
                    item: entry.item,
                    tier,
                    duration,
                    able,
                    waited: t - entry.entered,
                    workaround,
                },
            );
            self.scheduler.schedule(
                t + duration,
                Timer::WorkDone {
                    tier,
                    shift: shift as u16,
                    item: entry.item,
                    able,
                    workaround,
                },
            );
            match entry.item {
                WorkItem::Maintenance(m) => {
                    super::rarely();
                    self.maintenance_started(t, m, tier, duration, sink)
                }
                WorkItem::Incident(incident) if incident.is_symptom() => {
                    super::rarely();
                    self.symptom_work_started(incident, tier, shift as u16)
                }
                _ => {}
            }
        }
    }

    /// Minutes of work, whether the tier can fix the item (rule 5) and whether the work is a
    /// workaround attempt (§8.8): the fix, the workaround or the strategy's time box; a
    /// ticket's or false alarm's triage; a problem's root-cause fix. None: a problem record
    /// withdrawn while it waited (its queue entry is stale).
    #[inline(always)]
    pub(super) fn work_of(
        &mut self,
        ctx: &Ctx,
        tier: TierId,
        item: WorkItem,
    ) -> Option<(Minutes, bool, bool)> {
        Some(match item {
            // §8.11: nobody can fix a symptom; each tier gives it a time box.
            WorkItem::Incident(id) if id.is_symptom() => {
                (ctx.strategy.escalate_after, false, false)
            }
            WorkItem::Incident(id) => {
                let f = &self.services[id.service as usize].failure;
                let fix = f.fix;
                let needs = ctx.scenario.services[id.service as usize].modes[f.mode as usize].needs;
                // Rule 5: able iff at or above `needs`; else the workaround (§8.8) or the
                // strategy's time box.
                if tier as usize >= needs {
                    (fix * ctx.strategy.fix_multiplier, true, false)
                } else if let Some(minutes) = self.try_workaround(ctx, id, tier) {
                    (minutes, false, true)
                } else {
                    (ctx.strategy.escalate_after, false, false)
                }
            }
            WorkItem::Problem(problem) => (self.start_problem(ctx, problem)?, true, false),
            WorkItem::Maintenance(m) => (self.start_maintenance(ctx, m)?, true, false),
            WorkItem::FalseAlarm(_) => (
                ctx.strategy.monitoring.as_ref().map_or(0.0, |m| m.triage),
                true,
                false,
            ),
            WorkItem::Ticket(ticket) => (
                ctx.scenario.services[ticket.incident.service as usize]
                    .tickets
                    .as_ref()
                    .map_or(0.0, |tk| tk.triage_minutes),
                true,
                false,
            ),
        })
    }

    // The shift that did the work and whether it was able to fix travel with the timer that
    // fired; bundling them into a struct for this one call would only rename the arguments.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn work_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        tier: TierId,
        shift: u16,
        item: WorkItem,
        able: bool,
        workaround: bool,
        sink: &mut S,
    ) {
        // A symptom's work stopped at a link or close freed its engineer then (§8.11).
        if let WorkItem::Incident(incident) = item
            && incident.is_symptom()
            && !self.symptom_time_box_current(incident)
        {
            super::rarely();
            return;
        }
        let state = &mut self.tiers[tier as usize];
        if shift == super::on_call::ON_CALL_SHIFT {
            super::rarely();
            state.on_call_free += 1;
        } else {
            state.free[shift as usize] += 1;
        }
        self.mark(tier);
        match item {
            WorkItem::FalseAlarm(alarm) => {
                self.emit(sink, t, EventKind::AlarmCleared { alarm, tier });
            }
            WorkItem::Ticket(ticket) => {
                super::rarely();
                self.emit(sink, t, EventKind::TicketTriaged { ticket, tier });
            }
            WorkItem::Problem(problem) => {
                super::rarely();
                self.problem_done(ctx, t, problem, tier, sink)
            }
            WorkItem::Maintenance(m) => {
                super::rarely();
                self.maintenance_done(ctx, t, m, tier, sink)
            }
            WorkItem::Incident(incident) if incident.is_symptom() => {
                super::rarely();
                self.symptom_time_box_done(ctx, t, incident, tier, sink)
            }
            WorkItem::Incident(incident) if workaround => {
                super::rarely();
                self.workaround_done(ctx, t, incident, tier, sink)
            }
            WorkItem::Incident(incident) if able => {
                // Fixing a change's failure (a rollback) leaves a natural root cause alone.
                if incident.change().is_none() {
                    self.root_cause_fixed(ctx, t, incident.service, sink);
                }
                self.resolve(ctx, t, incident, tier, None, sink)
            }
            WorkItem::Incident(incident) => {
                if sink.decider().is_some() && self.decide_time_box(ctx, t, incident, tier, sink) {
                    super::rarely();
                    self.keep_troubleshooting(ctx, t, incident, tier, shift, sink);
                } else {
                    self.escalate(ctx, t, incident, tier, sink);
                }
            }
        }
    }

    /// The time box ran out (rule 5), or a workaround failed (§8.8): on to the next tier,
    /// after the handoff (not labor).
    #[inline(always)]
    pub(super) fn escalate<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        from: TierId,
        sink: &mut S,
    ) {
        let to = from + 1;
        let handoff = ctx.strategy.handoff;
        self.emit(
            sink,
            t,
            EventKind::Escalated {
                incident,
                from,
                to,
                handoff,
            },
        );
        if handoff > 0.0 {
            self.scheduler
                .schedule(t + handoff, Timer::HandoffDone { incident, tier: to });
        } else {
            self.handoff_done(ctx, t, incident, to, sink);
        }
    }

    #[inline(always)]
    pub(super) fn handoff_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) {
        // A symptom linked or closed during the handoff goes nowhere (§8.11).
        if incident.is_symptom() && !self.symptom_workable(incident) {
            super::rarely();
            return;
        }
        self.emit(sink, t, EventKind::HandedOff { incident, tier });
        self.enqueue(ctx, t, WorkItem::Incident(incident), tier, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order the binary heap served in before: (class, priority, entered by
    /// `total_cmp`, seq).
    fn heap_order(a: &QueueEntry, b: &QueueEntry) -> Ordering {
        a.class
            .cmp(&b.class)
            .then(a.priority.cmp(&b.priority))
            .then(a.entered.total_cmp(&b.entered))
            .then(a.seq.cmp(&b.seq))
    }

    /// Pushes, pops and removals in a pseudo-random mix, against a plain list searched for
    /// its best entry; times out of order and ±0.0 test every part of the key.
    #[test]
    fn queue_serves_in_heap_order() {
        let mut queue = TierQueue::default();
        let mut reference: Vec<QueueEntry> = Vec::new();
        let mut x: u64 = 2026;
        for seq in 0..5000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = x >> 33;
            match r % 7 {
                0 | 1 => {
                    let best = (0..reference.len())
                        .min_by(|&i, &j| heap_order(&reference[i], &reference[j]));
                    let expected = best.map(|i| reference.remove(i).seq);
                    assert_eq!(queue.peek().map(|e| e.seq), expected);
                    assert_eq!(queue.pop().map(|e| e.seq), expected);
                }
                2 if seq % 5 == 0 => {
                    let drop = |e: &QueueEntry| e.seq % 3 != r % 3;
                    queue.retain(drop);
                    reference.retain(drop);
                }
                _ => {
                    let entry = QueueEntry {
                        class: (r >> 8) as u8 % 5,
                        priority: (r >> 12) as u32 % 3,
                        entered: [0.0, -0.0, 1.0, 2.5, seq as f64][(r >> 16) as usize % 5],
                        seq,
                        item: WorkItem::FalseAlarm(seq as u32),
                    };
                    queue.push(entry);
                    reference.push(entry);
                }
            }
            let mut sorted = reference.clone();
            sorted.sort_by(heap_order);
            assert!(queue.iter().map(|e| e.seq).eq(sorted.iter().map(|e| e.seq)));
        }
    }

    /// The clocks answer as the calendar does at every instant a run may ask: on, just
    /// before and just after each change, and in between, for business and weekly hours
    /// (one open past midnight and one at the week's end) at offsets of either sign.
    #[test]
    fn shift_clocks_answer_as_the_calendar() {
        use crate::scenario::{Hours, Tier, calendar};
        let hours = [
            Hours::Business,
            calendar::parse_hours("Mon-Fri 07:00-19:00; Sat 09:00-13:00").unwrap(),
            calendar::parse_hours("daily 22:00-06:00").unwrap(),
            calendar::parse_hours("Sun 20:00-24:00; Mon 00:00-02:00").unwrap(),
        ];
        for hours in hours {
            for offset in [0, -300, 330, 600, -720] {
                let tier = Tier {
                    name: "t".into(),
                    staff: 1,
                    hours: hours.clone(),
                    utc_offset_minutes: Some(offset),
                    shifts: Vec::new(),
                    hourly_cost: 0.0,
                    annual_cost_per_engineer: 0.0,
                    cost_per_incident: 0.0,
                    on_call: None,
                };
                let shift = tier.shift(0, 0);
                let mut clock = ShiftClock::UNKNOWN;
                let mut t = 0.0;
                let mut x: u64 = 7;
                while t < 60.0 * 24.0 * 30.0 {
                    let change = calendar::next_change(shift.hours, t, shift.ahead_minutes);
                    // Instants around the next change, then a random step past it.
                    let mut instants = vec![t, t + 0.37, change - 1.0, change - 1e-9];
                    instants.extend([change.next_down(), change, change.next_up()]);
                    let from = t;
                    for at in instants.into_iter().filter(|&at| at >= from) {
                        let open = calendar::is_open(shift.hours, at, shift.ahead_minutes);
                        assert_eq!(
                            clock.is_open(&tier, 0, 0, at),
                            open,
                            "{hours:?} {offset} {at}"
                        );
                        if !open {
                            assert_eq!(
                                clock.next_opening(&tier, 0, 0, at),
                                calendar::next_opening(shift.hours, at, shift.ahead_minutes)
                            );
                        }
                        t = at;
                    }
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    t += (x >> 40) as f64 / (1u64 << 24) as f64 * 300.0;
                }
            }
        }
    }
}
