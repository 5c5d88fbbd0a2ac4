//! Support tiers (docs/model.md §2, rules 5–8 and 15): one priority queue per tier, engineers who
//! take the best waiting item when free and open, time-boxed attempts by unable tiers,
//! escalation to the next tier after a handoff.
//!
//! Rule 15 (simultaneous events): arrivals and freed engineers only *mark* a tier; the run
//! loop calls [`Simulator::dispatch_all`] once no more timers are due at the current instant,
//! so an item arriving at the very moment an engineer frees up competes on priority with the
//! items that waited.

use std::cmp::Ordering;
use std::collections::VecDeque;

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
    /// The serving order; `seq` is unique, so no two entries tie.
    #[inline]
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.class
            .cmp(&other.class)
            .then(self.priority.cmp(&other.priority))
            .then(self.entered.total_cmp(&other.entered))
            .then(self.seq.cmp(&other.seq))
    }
}

/// A tier's waiting items, kept sorted in serving order (the next to serve in front).
///
/// Queues are short and items mostly arrive behind everything waiting of their class and
/// priority (they entered last), so the common push is an append after one comparison and
/// every pop takes the front: cheaper than a binary heap's sifting. An item that ranks
/// earlier is placed by binary search; the deque moves the shorter side.
#[derive(Debug, Default)]
pub(super) struct TierQueue {
    entries: VecDeque<QueueEntry>,
}

impl TierQueue {
    /// The next item to serve.
    #[inline]
    pub(super) fn peek(&self) -> Option<&QueueEntry> {
        self.entries.front()
    }

    /// Takes the next item to serve.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<QueueEntry> {
        self.entries.pop_front()
    }

    #[inline]
    fn push(&mut self, entry: QueueEntry) {
        match self.entries.back() {
            Some(last) if entry.key_cmp(last) == Ordering::Less => {
                let at = self
                    .entries
                    .partition_point(|e| e.key_cmp(&entry) == Ordering::Less);
                self.entries.insert(at, entry);
            }
            _ => self.entries.push_back(entry),
        }
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn clear(&mut self) {
        self.entries.clear();
    }

    /// The waiting items, in serving order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &QueueEntry> {
        self.entries.iter()
    }

    /// Keeps only the items `keep` accepts (their order stays the serving order).
    pub(super) fn retain(&mut self, keep: impl FnMut(&QueueEntry) -> bool) {
        self.entries.retain(keep);
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
            state.always_open = (0..tier.shift_count()).all(|i| {
                matches!(
                    tier.shift(i, site).hours,
                    crate::scenario::Hours::AlwaysOpen
                )
            });
        }
    }

    pub(super) fn mark(&mut self, tier: TierId) {
        let state = &mut self.tiers[tier as usize];
        if !state.dirty {
            state.dirty = true;
            self.dirty_tiers += 1;
        }
        self.dispatch_pending = true;
    }

    /// The item enters the tier's queue at `t` (rule 7); work starts once the instant is over.
    pub(super) fn enqueue<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        item: WorkItem,
        tier: TierId,
        sink: &mut S,
    ) {
        let tier_open = self.tiers[tier as usize].always_open
            || ctx.tiers[tier as usize]
                .any_shift_open(t, ctx.scenario.simulation.utc_offset_minutes);
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
        self.mark(tier);
        // Symptom incidents page plainly (§8.2), never by a policy: the policy run of a
        // service belongs to its own incident (model.md §8.11 readings).
        if let (WorkItem::Incident(incident), Some(_)) = (item, ctx.strategy.paging)
            && !incident.is_symptom()
        {
            self.policy_entry(ctx, t, incident, tier, sink);
        }
        // `sink.decider()` is `None` at compile time for every sink but the drill's.
        if !tier_open
            && let WorkItem::Incident(incident) = item
            && !incident.is_symptom()
            && sink.decider().is_some()
        {
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
        for tier in 0..self.tiers.len() {
            // Nothing marked anywhere: the rest of the pass would find nothing to do.
            if self.dirty_tiers == 0 {
                break;
            }
            if std::mem::take(&mut self.tiers[tier].dirty) {
                self.dirty_tiers -= 1;
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
            // §8.1: the first shift in file order that is open and has a free engineer.
            let mut chosen = None;
            let mut opens = Minutes::INFINITY;
            for (i, &free) in state.free.iter().enumerate() {
                if free == 0 {
                    continue;
                }
                let shift = tier_def.shift(i, site);
                if hours::is_open(shift.hours, t, shift.ahead_minutes) {
                    chosen = Some(i);
                    break;
                }
                opens = opens.min(hours::next_opening(shift.hours, t, shift.ahead_minutes));
            }
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
                WorkItem::Maintenance(m) => self.maintenance_started(t, m, tier, duration, sink),
                WorkItem::Incident(incident) if incident.is_symptom() => {
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
            return;
        }
        let state = &mut self.tiers[tier as usize];
        if shift == super::on_call::ON_CALL_SHIFT {
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
                self.emit(sink, t, EventKind::TicketTriaged { ticket, tier });
            }
            WorkItem::Problem(problem) => self.problem_done(ctx, t, problem, tier, sink),
            WorkItem::Maintenance(m) => self.maintenance_done(ctx, t, m, tier, sink),
            WorkItem::Incident(incident) if incident.is_symptom() => {
                self.symptom_time_box_done(ctx, t, incident, tier, sink)
            }
            WorkItem::Incident(incident) if workaround => {
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
                    self.keep_troubleshooting(ctx, t, incident, tier, shift, sink);
                } else {
                    self.escalate(ctx, t, incident, tier, sink);
                }
            }
        }
    }

    /// The time box ran out (rule 5), or a workaround failed (§8.8): on to the next tier,
    /// after the handoff (not labor).
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
            return;
        }
        self.emit(sink, t, EventKind::HandedOff { incident, tier });
        self.enqueue(ctx, t, WorkItem::Incident(incident), tier, sink);
    }
}
