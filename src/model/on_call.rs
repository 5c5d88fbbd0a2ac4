//! On-call paging (model.md §8.2): while no shift of a tier is open, each free on-call
//! engineer takes the best waiting incident whose service priority ≤ `page_priority`; they
//! are reserved from the page, acknowledge after `ack` (`ack_asleep` when the page falls in
//! their local sleeping hours) and then work the item exactly as a shift engineer of the tier
//! would, busy and paid from the acknowledgement on.
//!
//! Paging happens at dispatch, so an item still waiting when the last open shift closes is
//! paged then: a tier with pageable items and busy shift engineers re-checks at the close.

use super::{Ctx, Simulator, Timer, hours};
use crate::events::{EventKind, EventSink, IncidentId, PolicyPage, ServiceId, TierId, WorkItem};
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
        let tier_def = &ctx.tiers[tier as usize];
        let Some(on_call) = &tier_def.on_call else {
            return false;
        };
        let site = ctx.scenario.simulation.utc_offset_minutes;
        let runs = &self.policy_runs;
        let state = &self.tiers[tier as usize];
        // The queue is ordered by class, then priority: if its best item may not page, no
        // item may (§8.2: only incidents page; tickets, false alarms and the rest wait for a shift).
        // An item an escalation policy governs is paged by the policy only (§8.7), and holds
        // the items behind it as any unpageable best item does.
        let pageable = match state.queue.peek() {
            Some(top) => match top.item {
                WorkItem::Incident(incident) => {
                    let by_rule = top.priority <= on_call.page_priority
                        && !runs
                            .get(incident.service as usize)
                            .is_some_and(|r| r.governs(incident.k, tier));
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
                policy: None,
            },
        );
        self.scheduler
            .schedule(t + ack, Timer::Acknowledged { tier, incident });
        true
    }

    /// One keyed draw per page: (tier, service, k) names it, since an incident is paged at
    /// most once per tier; no existing stream is touched (old scenarios keep their numbers).
    fn draw_ack(&self, ctx: &Ctx, tier: TierId, incident: IncidentId, asleep: bool) -> Minutes {
        let on_call = ctx.tiers[tier as usize]
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

/// The escalation policy of one service's incident (model.md §8.7). Reused between
/// incidents and replications: `outstanding` keeps its capacity.
#[derive(Debug, Clone, Default)]
pub(super) struct PolicyRun {
    /// The k of the incident whose first tier entry after detection was seen: a policy
    /// governs that entry only; later entries page plainly.
    entered_k: Option<u32>,
    /// The k of the incident the policy governs while it waits in `tier`'s queue.
    governed_k: Option<u32>,
    /// The tier whose queue holds the governed item.
    tier: TierId,
    /// Pages sent so far for the incident: their numbers key the acknowledgement draws.
    pages_sent: u32,
    /// When the previous rule fired.
    last_rule_at: Minutes,
    /// Pages neither acknowledged nor stood down: (tier, page number). Each holds one on-call
    /// engineer of its tier.
    outstanding: Vec<(TierId, u32)>,
}

impl PolicyRun {
    /// True while the policy governs incident `k` waiting in `tier`'s queue: plain paging
    /// leaves it alone there (the policy pages it, or it waits for a shift).
    pub(super) fn governs(&self, k: u32, tier: TierId) -> bool {
        self.governed_k == Some(k) && self.tier == tier
    }
}

impl Simulator {
    pub(super) fn reset_policy_runs(&mut self, ctx: &Ctx) {
        let n = if ctx.strategy.paging.is_some() {
            ctx.scenario.services.len()
        } else {
            0
        };
        self.policy_runs.truncate(n);
        for run in &mut self.policy_runs {
            run.entered_k = None;
            run.governed_k = None;
            run.pages_sent = 0;
            run.outstanding.clear();
        }
        self.policy_runs.resize_with(n, PolicyRun::default);
    }

    /// An incident entered `tier`'s queue under a strategy with `paging`: its first entry
    /// after detection starts the policy when nobody of the tier is on duty and the tier
    /// would page the service (§8.7). Rule 1 fires at once.
    pub(super) fn policy_entry<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) {
        let run = &mut self.policy_runs[incident.service as usize];
        if run.entered_k == Some(incident.k) {
            return; // a later entry (an escalation) pages plainly
        }
        run.entered_k = Some(incident.k);
        let tier_def = &ctx.tiers[tier as usize];
        let Some(on_call) = &tier_def.on_call else {
            return;
        };
        let priority = ctx.scenario.services[incident.service as usize].priority;
        if priority > on_call.page_priority
            || tier_def.any_shift_open(t, ctx.scenario.simulation.utc_offset_minutes)
        {
            return;
        }
        run.governed_k = Some(incident.k);
        run.tier = tier;
        run.pages_sent = 0;
        run.last_rule_at = t;
        run.outstanding.clear();
        self.policy_rule(ctx, t, incident.service, incident.k, 0, sink);
    }

    /// Rule `index` (counted through the loops) fires: it pages one free on-call engineer of
    /// its tier, if any is free, and schedules the next rule while passes remain.
    pub(super) fn policy_rule<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        k: u32,
        index: u32,
        sink: &mut S,
    ) {
        let run = &self.policy_runs[service as usize];
        if run.governed_k != Some(k) {
            return; // acknowledged, or taken by a shift engineer
        }
        let policy_index = ctx.strategy.paging.expect("policy runs need paging");
        let policy = &ctx.scenario.escalation_policies[policy_index];
        let n = policy.rules.len() as u32;
        let rule = &policy.rules[(index % n) as usize];
        let tier = rule.tier as TierId;
        let after = t - run.last_rule_at;
        let incident = IncidentId { service, k };
        if self.tiers[tier as usize].on_call_free > 0 {
            self.tiers[tier as usize].on_call_free -= 1;
            let run = &mut self.policy_runs[service as usize];
            let page = run.pages_sent;
            run.pages_sent += 1;
            run.outstanding.push((tier, page));
            let tier_def = &ctx.tiers[tier as usize];
            let on_call = tier_def.on_call.as_ref().expect("rules page on-call tiers");
            let site = ctx.scenario.simulation.utc_offset_minutes;
            let tier_offset = tier_def.utc_offset_minutes.unwrap_or(site);
            let asleep = hours::is_open(&on_call.asleep, t, (tier_offset - site) as Minutes);
            let ack = self.draw_policy_ack(ctx, tier, incident, page, asleep);
            self.emit(
                sink,
                t,
                EventKind::Paged {
                    incident,
                    tier,
                    asleep,
                    policy: Some(PolicyPage {
                        policy: u16::try_from(policy_index).unwrap_or(u16::MAX),
                        rule: u16::try_from(index % n + 1).unwrap_or(u16::MAX),
                        pass: u16::try_from(index / n + 1).unwrap_or(u16::MAX),
                        after,
                    }),
                },
            );
            self.scheduler.schedule(
                t + ack,
                Timer::PolicyAck {
                    tier,
                    service,
                    page,
                },
            );
        }
        self.policy_runs[service as usize].last_rule_at = t;
        let passes = u64::from(policy.num_loops) + 1;
        if u64::from(index) + 1 < u64::from(n) * passes {
            self.scheduler.schedule(
                t + rule.delay,
                Timer::PolicyRule {
                    service,
                    k,
                    index: index + 1,
                },
            );
        }
    }

    /// One keyed draw per policy page, from its own stream (`PolicyAck`): no existing stream
    /// is touched, so scenarios without policies keep their numbers.
    fn draw_policy_ack(
        &self,
        ctx: &Ctx,
        tier: TierId,
        incident: IncidentId,
        page: u32,
        asleep: bool,
    ) -> Minutes {
        let on_call = ctx.tiers[tier as usize]
            .on_call
            .as_ref()
            .expect("paged tiers have on_call");
        let mut key = streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::PolicyAck,
            u64::from(incident.service),
            (u64::from(incident.k) << 32) | u64::from(page),
        );
        let mut rng = streams::substream(&mut key);
        let dist = if asleep {
            &on_call.ack_asleep
        } else {
            &on_call.ack
        };
        dist.sample(&mut rng)
    }

    /// Every outstanding page of the service's policy stands down (their engineers are free
    /// again; callouts stay paid) and the policy stops governing.
    fn policy_stand_down(&mut self, service: ServiceId) {
        let run = &mut self.policy_runs[service as usize];
        run.governed_k = None;
        let mut outstanding = std::mem::take(&mut run.outstanding);
        for &(tier, _) in &outstanding {
            self.tiers[tier as usize].on_call_free += 1;
            self.mark(tier);
        }
        outstanding.clear();
        self.policy_runs[service as usize].outstanding = outstanding;
    }

    /// A shift engineer took the incident from the queue (dispatch): the policy is over.
    pub(super) fn policy_taken(&mut self, incident: IncidentId) {
        if let Some(run) = self.policy_runs.get(incident.service as usize)
            && run.governed_k == Some(incident.k)
        {
            super::rarely();
            self.policy_stand_down(incident.service);
        }
    }

    /// A policy page is acknowledged: the first acknowledgement wins (§8.7). The item leaves
    /// the queue it waited in, the acknowledger works it as an engineer of *their* tier, and
    /// the other outstanding pages stand down.
    pub(super) fn policy_ack<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        tier: TierId,
        service: ServiceId,
        page: u32,
        sink: &mut S,
    ) {
        let run = &mut self.policy_runs[service as usize];
        let Some(at) = run.outstanding.iter().position(|&p| p == (tier, page)) else {
            return; // stood down: the engineer was freed then
        };
        run.outstanding.swap_remove(at);
        let Some(k) = run.governed_k else {
            unreachable!("outstanding pages belong to a governed incident")
        };
        let queue_tier = run.tier;
        let item = WorkItem::Incident(IncidentId { service, k });
        self.policy_stand_down(service);
        let queue = &mut self.tiers[queue_tier as usize].queue;
        let entered = queue.iter().find(|e| e.item == item).map(|e| e.entered);
        let Some(entered) = entered else {
            // The incident left the queue some other way: nothing to acknowledge.
            self.tiers[tier as usize].on_call_free += 1;
            self.mark(tier);
            return;
        };
        queue.retain(|e| e.item != item);
        self.services[service as usize].paged_from_queue_at = entered;
        self.acknowledged(ctx, t, tier, IncidentId { service, k }, sink);
    }
}
