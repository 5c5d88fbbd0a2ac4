//! Decision points (issue 17, the drill): where the model asks the sink's
//! [`Decider`](crate::events::Decider) for a call instead of applying the strategy's rule.
//!
//! Three points, each at the moment the people working the incident would make the call:
//! - the incident enters the queue of a tier with nobody on duty: wait, page on-call, or
//!   escalate to the next tier now;
//! - an engineer picks it up: work on it, or escalate straight away;
//! - a time box runs out without a fix: escalate (the rule), or keep troubleshooting for
//!   another time box.
//!
//! At each of them, where a root cause can be left behind (§8.8, §8.9), the people may also
//! open a problem; the point then asks again for what to do with the incident itself.
//!
//! Without a decider (every run but the drill) [`ask`] returns `None` at once and the
//! strategy's rules apply exactly as before: the default [`EventSink::decider`] is inlined as
//! `None`, so none of this costs anything on the fast path. With a decider whose calls are the
//! playbook's, the run is the same run, event for event.
//!
//! Also here: pinning the start of one failure (the pinned clock of the drill's debrief and of
//! `incsim timeline --compare`), so that the same failure starts at the same moment under
//! every strategy.

use super::{Ctx, Simulator};
use crate::events::{
    Choices, Decision, DecisionPoint, EventKind, EventSink, IncidentId, ServiceId, Situation,
    TierId, WorkItem,
};
use crate::scenario::Minutes;

/// The decider's call at `point`, or `None` when it offers a single choice (one choice is no
/// decision) or there is no decider; a call outside the choices is the playbook's.
fn decide<S: EventSink>(sink: &mut S, point: &DecisionPoint) -> Option<Decision> {
    point.choices.iter().nth(1)?;
    let call = sink.decider()?.decide(point);
    Some(if point.choices.contains(call) {
        call
    } else {
        point.playbook
    })
}

/// Where a failure's start is pinned: `(incident, minute)`.
pub(super) type Pin = Option<(IncidentId, Minutes)>;

impl Simulator {
    /// The sink's call at the point `point()` describes, or `None` when no decider is present
    /// or when the point offers a single choice (then the caller applies the strategy's rule).
    /// A call outside the choices is the playbook's. Where a problem can be opened for the
    /// incident, "problem" joins the choices; taking it opens (or requests) the problem and
    /// asks the same point again without it.
    #[inline]
    fn ask<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        sink: &mut S,
        point: impl FnOnce() -> DecisionPoint,
    ) -> Option<Decision> {
        // No decider (every run but the drill): nothing below runs; `decider()` is the
        // default `None`, inlined, so this is a constant branch.
        sink.decider()?;
        let mut point = point();
        if self.problem_offered(ctx, point.incident) {
            point.choices = point.choices.with(Decision::Problem);
        }
        let call = decide(sink, &point)?;
        if call != Decision::Problem {
            return Some(call);
        }
        self.request_problem(ctx, point.t, point.incident, sink);
        point.choices = point.choices.without(Decision::Problem);
        decide(sink, &point)
    }

    /// Make failure `incident` start at minute `at` (or as soon as the service is up again, if
    /// its previous failure is still open then), whatever its drawn time to failure; every
    /// other draw stays as it was. Kept across runs until [`Simulator::unpin`].
    pub fn pin_failure_start(&mut self, incident: IncidentId, at: Minutes) {
        self.pin = Some((incident, at));
    }

    /// Let every failure start when its draws say (the default).
    pub fn unpin(&mut self) {
        self.pin = None;
    }

    /// When failure `k` of `service` starts, its service being up since `up_at`: after its
    /// drawn time to failure, unless pinned. A pinned failure's time to failure becomes the
    /// gap, so the service's age stays consistent (model.md §8.5).
    pub(super) fn failure_start_at(
        &mut self,
        service: ServiceId,
        k: u32,
        up_at: Minutes,
    ) -> Minutes {
        let state = &mut self.services[service as usize];
        match self.pin {
            Some((pinned, at)) if pinned == (IncidentId { service, k }) => {
                let start = at.max(up_at);
                state.failure.time_to_failure = start - up_at;
                start
            }
            _ => up_at + state.failure.time_to_failure,
        }
    }

    /// The incident entered `tier`'s queue at `t` while nobody of the tier is on duty: wait,
    /// page on-call, or escalate now. The playbook pages where model.md §8.2 would.
    pub(super) fn decide_waiting<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) {
        let tier_def = &ctx.scenario.tiers[tier as usize];
        let pageable = tier_def.on_call.as_ref().is_some_and(|o| {
            ctx.scenario.services[incident.service as usize].priority <= o.page_priority
        });
        let Some(call) = self.ask(ctx, sink, || {
            let mut choices = Choices::default().with(Decision::Wait);
            if tier_def.on_call.is_some() {
                choices = choices.with(Decision::Page);
            }
            if (tier as usize) + 1 < ctx.scenario.tiers.len() {
                choices = choices.with(Decision::Escalate);
            }
            DecisionPoint {
                t,
                incident,
                tier,
                situation: Situation::WaitingClosed,
                choices,
                playbook: if pageable {
                    Decision::Page
                } else {
                    Decision::Wait
                },
            }
        }) else {
            return;
        };
        // An earlier override of this incident ends with its new wait; another's stands.
        if self.paging_override.is_some_and(|(i, _, _)| i == incident) {
            self.paging_override = None;
        }
        match call {
            Decision::Page if !pageable => self.paging_override = Some((incident, tier, true)),
            Decision::Wait if pageable => self.paging_override = Some((incident, tier, false)),
            Decision::Escalate => {
                let item = WorkItem::Incident(incident);
                self.tiers[tier as usize].queue.retain(|e| e.item != item);
                self.escalate(ctx, t, incident, tier, sink);
            }
            _ => {}
        }
    }

    /// Whether the waiting incident at the top of `tier`'s queue may be paged: the rule's
    /// answer `by_rule`, unless the drill's people decided otherwise for it.
    pub(super) fn may_page(&self, incident: IncidentId, tier: TierId, by_rule: bool) -> bool {
        match self.paging_override {
            Some((i, at, page)) if i == incident && at == tier => page,
            _ => by_rule,
        }
    }

    /// An engineer of `tier` takes the incident at `t`: work on it (the rule), or escalate
    /// straight away. Returns true when escalated (the engineer stays free).
    pub(super) fn decide_pickup<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) -> bool {
        let last = (tier as usize) + 1 >= ctx.scenario.tiers.len();
        let workaround = self.workaround_due(ctx, incident, tier);
        let call = self.ask(ctx, sink, || {
            let mut choices = Choices::default().with(Decision::Troubleshoot);
            if !last {
                choices = choices.with(Decision::Escalate);
            }
            if workaround {
                choices = choices.with(Decision::Workaround);
            }
            DecisionPoint {
                t,
                incident,
                tier,
                situation: Situation::PickedUp,
                choices,
                // §8.8: the first engineer who can tries the workaround in place of the box.
                playbook: if workaround {
                    Decision::Workaround
                } else {
                    Decision::Troubleshoot
                },
            }
        });
        match call {
            Some(Decision::Escalate) => {
                self.escalate(ctx, t, incident, tier, sink);
                true
            }
            // Troubleshooting where the rule would restart: no attempt for this incident.
            Some(Decision::Troubleshoot) if workaround => {
                self.decline_workaround(incident);
                false
            }
            _ => false,
        }
    }

    /// The time box at `tier` ran out at `t`: escalate (the rule), or keep troubleshooting for
    /// another time box on the same engineer. Returns true when the engineer keeps at it.
    pub(super) fn decide_time_box<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) -> bool {
        let time_box = ctx.strategy.escalate_after;
        let call = self.ask(ctx, sink, || {
            let mut choices = Choices::default().with(Decision::Escalate);
            // A zero time box would ask again at the same instant, for ever.
            if time_box > 0.0 {
                choices = choices.with(Decision::Troubleshoot);
            }
            DecisionPoint {
                t,
                incident,
                tier,
                situation: Situation::TimeBoxOver,
                choices,
                playbook: Decision::Escalate,
            }
        });
        call == Some(Decision::Troubleshoot)
    }

    /// Another time box at `tier` for the engineer who just finished one (`shift` as in
    /// [`super::Timer::WorkDone`]).
    pub(super) fn keep_troubleshooting<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        shift: u16,
        sink: &mut S,
    ) {
        let state = &mut self.tiers[tier as usize];
        state.take_back(shift);
        let item = WorkItem::Incident(incident);
        let duration = ctx.strategy.escalate_after;
        self.emit(
            sink,
            t,
            EventKind::WorkStarted {
                item,
                tier,
                duration,
                able: false,
                waited: 0.0,
                workaround: false,
            },
        );
        self.scheduler.schedule(
            t + duration,
            super::Timer::WorkDone {
                tier,
                shift,
                item,
                able: false,
                workaround: false,
            },
        );
    }
}
