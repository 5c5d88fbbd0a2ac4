//! Support tiers (docs/model.md §2, rules 5–8 and 15): one priority queue per tier, engineers who
//! take the best waiting item when free and open, time-boxed attempts by unable tiers,
//! escalation to the next tier after a handoff.
//!
//! Rule 15 (simultaneous events): arrivals and freed engineers only *mark* a tier; the run
//! loop calls [`Simulator::dispatch_all`] once no more timers are due at the current instant,
//! so an item arriving at the very moment an engineer frees up competes on priority with the
//! items that waited.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::{Ctx, Simulator, Timer, hours};
use crate::events::{EventKind, EventSink, IncidentId, ServiceId, TierId, WorkItem};
use crate::scenario::Minutes;

/// An item waiting in a tier's queue. Served by (class, priority, time entered, entry order):
/// incidents (class 0) before false alarms (class 1), then by service priority, then FIFO.
#[derive(Debug, Clone, Copy)]
struct QueueEntry {
    class: u8,
    priority: u32,
    entered: Minutes,
    seq: u64,
    item: WorkItem,
}

impl QueueEntry {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.class
            .cmp(&other.class)
            .then(self.priority.cmp(&other.priority))
            .then(self.entered.total_cmp(&other.entered))
            .then(self.seq.cmp(&other.seq))
    }
}
impl PartialEq for QueueEntry {
    fn eq(&self, other: &Self) -> bool {
        self.key_cmp(other) == Ordering::Equal
    }
}
impl Eq for QueueEntry {}
impl PartialOrd for QueueEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for QueueEntry {
    /// Reversed: `BinaryHeap` pops the greatest, we want the first to serve.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key_cmp(self)
    }
}

/// A tier's engineers and queue.
#[derive(Debug, Default)]
pub(super) struct TierState {
    free: u32,
    queue: BinaryHeap<QueueEntry>,
    opening_scheduled: bool,
    /// Its queue or staff changed at the current instant: dispatch before time moves on.
    dirty: bool,
}

impl Simulator {
    pub(super) fn reset_tiers(&mut self, ctx: &Ctx) {
        let tiers = &ctx.scenario.tiers;
        self.tiers.resize_with(tiers.len(), TierState::default);
        self.tiers.truncate(tiers.len());
        for (state, tier) in self.tiers.iter_mut().zip(tiers) {
            state.free = tier.staff;
            state.queue.clear();
            state.opening_scheduled = false;
            state.dirty = false;
        }
    }

    fn mark(&mut self, tier: TierId) {
        self.tiers[tier as usize].dirty = true;
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
        let tier_open = hours::is_open(ctx.scenario.tiers[tier as usize].hours, t);
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
            WorkItem::FalseAlarm(_) => (1, 0),
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
    }

    /// A closed tier opens (rule 8): its waiting queue is served.
    pub(super) fn tier_opens(&mut self, tier: TierId) {
        self.tiers[tier as usize].opening_scheduled = false;
        self.mark(tier);
    }

    /// Rule 15: every timer due at `t` has fired; each marked tier, in escalation order, starts
    /// the best waiting items on its free engineers.
    pub(super) fn dispatch_all<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, sink: &mut S) {
        self.dispatch_pending = false;
        for tier in 0..self.tiers.len() {
            if std::mem::take(&mut self.tiers[tier].dirty) {
                self.dispatch(ctx, t, tier as TierId, sink);
            }
        }
    }

    /// Start as much queued work at `tier` as free engineers and opening hours allow.
    fn dispatch<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, tier: TierId, sink: &mut S) {
        let hours = ctx.scenario.tiers[tier as usize].hours;
        loop {
            let state = &mut self.tiers[tier as usize];
            if state.free == 0 || state.queue.is_empty() {
                return;
            }
            if !hours::is_open(hours, t) {
                if !state.opening_scheduled {
                    state.opening_scheduled = true;
                    let opens = hours::next_opening(hours, t);
                    self.scheduler.schedule(opens, Timer::TierOpens { tier });
                }
                return;
            }
            let Some(entry) = state.queue.pop() else {
                return;
            };
            state.free -= 1;
            let (duration, able) = match entry.item {
                WorkItem::Incident(id) => {
                    let f = &self.services[id.service as usize].failure;
                    let needs =
                        ctx.scenario.services[id.service as usize].modes[f.mode as usize].needs;
                    // Rule 5: able iff at or above `needs`; else the strategy's time box.
                    if tier as usize >= needs {
                        (f.fix * ctx.strategy.fix_multiplier, true)
                    } else {
                        (ctx.strategy.escalate_after, false)
                    }
                }
                WorkItem::FalseAlarm(_) => (
                    ctx.strategy.monitoring.as_ref().map_or(0.0, |m| m.triage),
                    true,
                ),
            };
            self.emit(
                sink,
                t,
                EventKind::WorkStarted {
                    item: entry.item,
                    tier,
                    duration,
                    able,
                    waited: t - entry.entered,
                },
            );
            self.scheduler.schedule(
                t + duration,
                Timer::WorkDone {
                    tier,
                    item: entry.item,
                    able,
                },
            );
        }
    }

    pub(super) fn work_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        tier: TierId,
        item: WorkItem,
        able: bool,
        sink: &mut S,
    ) {
        self.tiers[tier as usize].free += 1;
        self.mark(tier);
        match item {
            WorkItem::FalseAlarm(alarm) => {
                self.emit(sink, t, EventKind::AlarmCleared { alarm, tier });
            }
            WorkItem::Incident(incident) if able => self.resolve(ctx, t, incident, tier, sink),
            WorkItem::Incident(incident) => self.escalate(ctx, t, incident, tier, sink),
        }
    }

    /// The time box ran out (rule 5): on to the next tier, after the handoff (not labor).
    fn escalate<S: EventSink>(
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
            self.scheduler.schedule(
                t + handoff,
                Timer::HandoffDone {
                    service: incident.service,
                    tier: to,
                },
            );
        } else {
            self.handoff_done(ctx, t, incident.service, to, sink);
        }
    }

    pub(super) fn handoff_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        tier: TierId,
        sink: &mut S,
    ) {
        let incident = self.incident(service);
        self.emit(sink, t, EventKind::HandedOff { incident, tier });
        self.enqueue(ctx, t, WorkItem::Incident(incident), tier, sink);
    }
}
