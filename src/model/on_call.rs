//! On-call paging (model.md §8.2): while no shift of a tier is open, each free on-call
//! engineer takes the best waiting incident whose service priority ≤ `page_priority`; they
//! are reserved from the page, acknowledge after `ack` (`ack_asleep` when the page falls in
//! their local sleeping hours) and then work the item exactly as a shift engineer of the tier
//! would, busy and paid from the acknowledgement on.
//!
//! Paging happens at dispatch, so an item still waiting when the last open shift closes is
//! paged then: a tier with pageable items and busy shift engineers re-checks at the close.

use super::{Ctx, Simulator, Timer, hours};
use crate::events::{EventKind, EventSink, IncidentId, TierId, WorkItem};
use crate::rng::{self as streams, Purpose};
use crate::scenario::Minutes;

/// The `shift` of a [`Timer::WorkDone`] for work done by an on-call engineer.
pub(super) const ON_CALL_SHIFT: u16 = u16::MAX;

impl Simulator {
    /// Called by dispatch when no open shift has a free engineer: pages the best waiting item
    /// if it may be paged now. Returns true when a page went out (dispatch then looks again).
    pub(super) fn page<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        tier: TierId,
        sink: &mut S,
    ) -> bool {
        let tier_def = &ctx.scenario.tiers[tier as usize];
        let Some(on_call) = &tier_def.on_call else {
            return false;
        };
        let site = ctx.scenario.simulation.utc_offset_minutes;
        let state = &self.tiers[tier as usize];
        // The queue is ordered by class, then priority: if its best item may not page, no
        // item may (§8.2: only incidents page; tickets, false alarms and the rest wait for a shift).
        let pageable = match state.queue.peek() {
            Some(top) => match top.item {
                WorkItem::Incident(incident) => {
                    let by_rule = top.priority <= on_call.page_priority;
                    // A drill's people may decide otherwise (model/decisions.rs).
                    match self.paging_override {
                        None => by_rule,
                        Some(_) => self.may_page(incident, tier, by_rule),
                    }
                }
                WorkItem::FalseAlarm(_)
                | WorkItem::Ticket(_)
                | WorkItem::Problem(_)
                | WorkItem::Maintenance(_) => false,
            },
            None => false,
        };
        let state = &mut self.tiers[tier as usize];
        if !pageable || state.on_call_free == 0 {
            return false;
        }
        // Someone is on duty (busy, since dispatch found no free engineer in an open shift):
        // no page now; look again when the open shifts close.
        let mut closes = Minutes::INFINITY;
        for i in 0..tier_def.shift_count() {
            let shift = tier_def.shift(i, site);
            if hours::is_open(shift.hours, t, shift.ahead_minutes) {
                closes = closes.min(hours::next_change(shift.hours, t, shift.ahead_minutes));
            }
        }
        if closes < Minutes::INFINITY {
            if state.closing_at.is_none_or(|at| closes < at) {
                state.closing_at = Some(closes);
                self.scheduler.schedule(closes, Timer::TierOpens { tier });
            }
            return false;
        }
        if closes.is_infinite() && tier_def.any_shift_open(t, site) {
            return false; // a 24x7 shift is always on duty
        }
        let entry = state.queue.pop().expect("peeked above");
        state.on_call_free -= 1;
        let WorkItem::Incident(incident) = entry.item else {
            unreachable!("only incidents page")
        };
        let tier_offset = tier_def.utc_offset_minutes.unwrap_or(site);
        let asleep = hours::is_open(&on_call.asleep, t, (tier_offset - site) as Minutes);
        let ack = self.draw_ack(ctx, tier, incident, asleep);
        if incident.is_symptom() {
            self.symptoms[incident.service as usize].paged_from_queue_at = entry.entered;
        } else {
            self.services[incident.service as usize].paged_from_queue_at = entry.entered;
        }
        self.emit(
            sink,
            t,
            EventKind::Paged {
                incident,
                tier,
                asleep,
            },
        );
        self.scheduler
            .schedule(t + ack, Timer::Acknowledged { tier, incident });
        true
    }

    /// One keyed draw per page: (tier, service, k) names it, since an incident is paged at
    /// most once per tier; no existing stream is touched (old scenarios keep their numbers).
    fn draw_ack(&self, ctx: &Ctx, tier: TierId, incident: IncidentId, asleep: bool) -> Minutes {
        let on_call = ctx.scenario.tiers[tier as usize]
            .on_call
            .as_ref()
            .expect("paged tiers have on_call");
        let mut key = streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::OnCallAck,
            (u64::from(tier) << 32) | u64::from(incident.service),
            u64::from(incident.k),
        );
        let mut rng = streams::substream(&mut key);
        let dist = if asleep {
            &on_call.ack_asleep
        } else {
            &on_call.ack
        };
        dist.sample(&mut rng)
    }

    /// The paged engineer acknowledges and starts work on the item as an engineer of `tier`.
    pub(super) fn acknowledged<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        tier: TierId,
        incident: IncidentId,
        sink: &mut S,
    ) {
        let service = incident.service;
        // A symptom linked or closed while the page was out needs nobody: the engineer
        // stands down unseen (the callout stays paid).
        if incident.is_symptom() && !self.symptom_workable(incident) {
            self.tiers[tier as usize].on_call_free += 1;
            self.mark(tier);
            return;
        }
        self.emit(sink, t, EventKind::Acknowledged { incident, tier });
        if !incident.is_symptom()
            && sink.decider().is_some()
            && self.decide_pickup(ctx, t, incident, tier, sink)
        {
            self.tiers[tier as usize].on_call_free += 1;
            self.mark(tier);
            return;
        }
        let item = WorkItem::Incident(incident);
        // Only incidents page, so there is always work to start.
        let (duration, able, workaround) = self
            .work_of(ctx, tier, item)
            .expect("an incident always has work");
        let entered = if incident.is_symptom() {
            self.symptoms[service as usize].paged_from_queue_at
        } else {
            self.services[service as usize].paged_from_queue_at
        };
        self.emit(
            sink,
            t,
            EventKind::WorkStarted {
                item,
                tier,
                duration,
                able,
                waited: t - entered,
                workaround,
            },
        );
        self.scheduler.schedule(
            t + duration,
            Timer::WorkDone {
                tier,
                shift: ON_CALL_SHIFT,
                item,
                able,
                workaround,
            },
        );
        if incident.is_symptom() {
            self.symptom_work_started(incident, tier, ON_CALL_SHIFT);
        }
    }
}
