//! Workarounds, recurring root causes and problem management (model.md §8.8, §8.9).
//!
//! Under a strategy with `workarounds = true`, the first engineer at or above a mode's
//! `workaround.tier` who cannot fix the mode tries the workaround (a restart) instead of the
//! time box, once per incident. A success brings the service back but leaves the *root cause*:
//! the next failure comes `recurs` after UP, with the same mode (a *recurrence*). Under a
//! strategy with `problems`, a worked-around incident whose root cause already recurred
//! `after` times opens a problem record; its root-cause fix is a work item that, when done,
//! ends the root cause and puts the service back on `failures.every`.
//!
//! Every draw comes from its own strategy-independent keyed stream ([`Purpose::Workaround`],
//! [`Purpose::Problem`]), so a scenario that uses none of this draws exactly what it drew
//! before, and strategies that differ only in these choices meet the same coins.

use super::{Ctx, Simulator};
use crate::events::{
    EventKind, EventSink, IncidentId, ModeId, ProblemId, ServiceId, TierId, WorkItem,
};
use crate::rng::{self as streams, Purpose};
use crate::scenario::{Dist, Minutes};

/// A service's workaround and root-cause state.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RootState {
    /// The open incident's workaround was tried (at most one attempt per incident).
    tried: bool,
    /// The attempt under way brings the service back (its coin < `success`).
    success: bool,
    /// The attempt's draw of the time to the recurrence.
    recurs: Minutes,
    /// A root cause is active: a workaround succeeded, and no fix has removed it since.
    pub(super) active: bool,
    /// Failures that recurred from the active root cause.
    recurrences: u32,
    /// The pending next failure is a recurrence of the active root cause.
    pub(super) next_recurs: bool,
    /// The problem opened for the active root cause (the `k` of its opening incident).
    problem: Option<u32>,
    /// That problem's item still waits in a queue (withdrawn if the root cause ends).
    waiting: Option<u32>,
    /// The drill's people opened a problem for the open incident before it had a root cause
    /// (issue 17): a successful workaround of it opens the problem whatever `after` says.
    requested: bool,
    /// The mode of the root cause whose problem is open (its [`problem_plan`]).
    problem_mode: ModeId,
}

/// The problem settings for a root cause of `mode` under `strategy`: the strategy's own
/// `problems`; else (a drill's team opening a problem the strategy would never open) the
/// first strategy of the scenario that has `problems`; else the mode's able tier (`needs`)
/// doing the mode's own `fix`, the same job as the repair that ends a root cause. Only the
/// first case can arise outside a drill.
pub fn problem_plan<'a>(
    scenario: &'a crate::scenario::Scenario,
    strategy: &'a crate::scenario::Strategy,
    mode: &'a crate::scenario::Mode,
) -> (usize, &'a Dist) {
    match strategy
        .problems
        .as_ref()
        .or_else(|| scenario.strategies.iter().find_map(|s| s.problems.as_ref()))
    {
        Some(p) => (p.tier, &p.fix),
        None => (mode.needs, &mode.fix),
    }
}

impl Simulator {
    /// A failure of the service began (its `failure_started` was emitted): a new incident has
    /// its own workaround attempt; a pending recurrence is counted and told.
    pub(super) fn note_recurrence<S: EventSink>(
        &mut self,
        t: Minutes,
        incident: IncidentId,
        sink: &mut S,
    ) {
        let root = &mut self.services[incident.service as usize].root;
        root.tried = false;
        root.requested = false;
        if root.next_recurs {
            super::rarely();
            root.next_recurs = false;
            root.recurrences += 1;
            let recurrence = root.recurrences;
            self.emit(
                sink,
                t,
                EventKind::Recurred {
                    incident,
                    recurrence,
                },
            );
        }
    }

    /// §8.8: whether an engineer of `tier`, who cannot fix the incident's mode, tries its
    /// workaround now; if so, the attempt's minutes. Draws the attempt from its keyed stream.
    /// Whether the engineer of `tier` taking the incident now would attempt its workaround
    /// (§8.8): the drill offers the call there.
    pub(super) fn workaround_due(&self, ctx: &Ctx, incident: IncidentId, tier: TierId) -> bool {
        let state = &self.services[incident.service as usize];
        let mode =
            &ctx.scenario.services[incident.service as usize].modes[state.failure.mode as usize];
        ctx.strategy.workarounds
            && !state.root.tried
            && (tier as usize) < mode.needs
            && mode
                .workaround
                .as_ref()
                .is_some_and(|w| (tier as usize) >= w.tier)
    }

    /// The drill's people decline the workaround: this incident gets no attempt (§8.8 allows
    /// one, by the first engineer who could make it).
    pub(super) fn decline_workaround(&mut self, incident: IncidentId) {
        self.services[incident.service as usize].root.tried = true;
    }

    #[inline(always)]
    pub(super) fn try_workaround(
        &mut self,
        ctx: &Ctx,
        incident: IncidentId,
        tier: TierId,
    ) -> Option<Minutes> {
        if !ctx.strategy.workarounds {
            return None;
        }
        self.try_workaround_with(ctx, incident, tier)
    }

    /// [`Self::try_workaround`] for a strategy that uses workarounds: out of line, so the
    /// check above is all the run loop carries when it does not.
    #[inline(never)]
    fn try_workaround_with(
        &mut self,
        ctx: &Ctx,
        incident: IncidentId,
        tier: TierId,
    ) -> Option<Minutes> {
        let state = &self.services[incident.service as usize];
        let mode =
            &ctx.scenario.services[incident.service as usize].modes[state.failure.mode as usize];
        let w = mode.workaround.as_ref()?;
        if state.root.tried || (tier as usize) < w.tier {
            return None;
        }
        // Always all three draws, in this order, whether used or not (CRN).
        let mut rng = streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Workaround,
            incident.service as u64,
            incident.k as u64,
        );
        let coin = streams::uniform(&mut rng);
        let minutes = w.fix.sample(&mut streams::substream(&mut rng));
        let recurs = w.recurs.sample(&mut streams::substream(&mut rng));
        let root = &mut self.services[incident.service as usize].root;
        root.tried = true;
        root.success = coin < w.success;
        root.recurs = recurs;
        Some(minutes)
    }

    /// The workaround attempt at `tier` ended at `t`: success resolves the incident (a root
    /// cause starts or goes on, a problem may open); failure escalates like a time box.
    pub(super) fn workaround_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) {
        let root = self.services[incident.service as usize].root;
        let success = root.success;
        self.emit(
            sink,
            t,
            EventKind::WorkaroundApplied {
                incident,
                tier,
                success,
            },
        );
        if !success {
            self.escalate(ctx, t, incident, tier, sink);
            return;
        }
        let root = &mut self.services[incident.service as usize].root;
        if !root.active {
            root.active = true;
            root.recurrences = 0;
            root.problem = None;
        }
        root.next_recurs = true;
        let recurs = root.recurs;
        self.open_problem_if_due(ctx, t, incident, sink);
        self.resolve(ctx, t, incident, tier, Some(recurs), sink);
    }

    /// §8.9: a worked-around incident opens a problem when its root cause has recurred at
    /// least `after` times and has no problem yet (one problem per root cause).
    fn open_problem_if_due<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        sink: &mut S,
    ) {
        let root = &self.services[incident.service as usize].root;
        let due = root.requested
            || ctx
                .strategy
                .problems
                .as_ref()
                .is_some_and(|p| root.recurrences >= p.after);
        if root.problem.is_some() || !due {
            return;
        }
        self.open_problem(ctx, t, incident, sink);
    }

    /// Open the problem of the incident's active root cause: its root-cause fix enters the
    /// queue of the problem tier ([`problem_plan`]).
    fn open_problem<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        sink: &mut S,
    ) {
        let mode = self.services[incident.service as usize].failure.mode;
        let tier = self.problem_plan(ctx, incident.service, mode).0 as TierId;
        let root = &mut self.services[incident.service as usize].root;
        root.problem_mode = mode;
        root.problem = Some(incident.k);
        root.waiting = Some(incident.k);
        let problem = ProblemId(incident);
        self.emit(sink, t, EventKind::ProblemOpened { problem, tier });
        self.enqueue(ctx, t, WorkItem::Problem(problem), tier, sink);
    }

    /// [`problem_plan`] for a root cause of the service's `mode`.
    fn problem_plan<'c>(
        &self,
        ctx: &Ctx<'c>,
        service: ServiceId,
        mode: ModeId,
    ) -> (usize, &'c Dist) {
        let mode = &ctx.scenario.services[service as usize].modes[mode as usize];
        problem_plan(ctx.scenario, ctx.strategy, mode)
    }

    /// Whether the drill offers "open a problem" for the open incident (issue 17): its root
    /// cause is active and has no problem yet, or a workaround the strategy may apply could
    /// start one. Without either, every way the incident can end also ends the root cause (an
    /// able fix, §8.9), so a problem would have nothing to fix.
    pub(super) fn problem_offered(&self, ctx: &Ctx, incident: IncidentId) -> bool {
        let state = &self.services[incident.service as usize];
        let root = &state.root;
        if root.requested || (root.active && root.problem.is_some()) {
            return false;
        }
        let mode =
            &ctx.scenario.services[incident.service as usize].modes[state.failure.mode as usize];
        root.active || (ctx.strategy.workarounds && mode.workaround.is_some() && !root.tried)
    }

    /// The drill's people open a problem for the incident: at once if its root cause is
    /// active, else when a workaround of this incident succeeds (then the root cause starts).
    pub(super) fn request_problem<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        sink: &mut S,
    ) {
        let root = &mut self.services[incident.service as usize].root;
        if root.active {
            if root.problem.is_none() {
                self.open_problem(ctx, t, incident, sink);
            }
        } else {
            root.requested = true;
        }
    }

    /// An able tier fixed an incident of the service (§8.9): its root cause, if any, ends, and
    /// a problem item still waiting is withdrawn.
    pub(super) fn root_cause_fixed<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        let root = &mut self.services[service as usize].root;
        if !root.active {
            return;
        }
        super::rarely();
        root.active = false;
        root.recurrences = 0;
        root.problem = None;
        if let Some(k) = root.waiting.take() {
            let mode = root.problem_mode;
            let tier = self.problem_plan(ctx, service, mode).0 as TierId;
            let problem = ProblemId(IncidentId { service, k });
            self.emit(sink, t, EventKind::ProblemWithdrawn { problem, tier });
        }
    }

    /// An engineer takes a problem item from a queue: its fix minutes, or `None` when the
    /// item was withdrawn while it waited (the entry is stale and dropped).
    pub(super) fn start_problem(&mut self, ctx: &Ctx, problem: ProblemId) -> Option<Minutes> {
        let id = problem.0;
        let root = &mut self.services[id.service as usize].root;
        if root.waiting != Some(id.k) {
            return None;
        }
        root.waiting = None;
        let mode = root.problem_mode;
        let fix = self.problem_plan(ctx, id.service, mode).1;
        let mut rng = streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Problem,
            id.service as u64,
            id.k as u64,
        );
        Some(fix.sample(&mut streams::substream(&mut rng)))
    }

    /// The root-cause fix is done at `t` (§8.9): the root cause ends, and a pending recurrence
    /// is replaced by a failure drawn from `failures.every`, counted from now.
    pub(super) fn problem_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        problem: ProblemId,
        tier: TierId,
        sink: &mut S,
    ) {
        self.emit(sink, t, EventKind::ProblemFixed { problem, tier });
        let service = problem.0.service;
        let state = &mut self.services[service as usize];
        // A problem whose root cause already ended (an able fix while it was being worked)
        // changes nothing: its work was done, and is counted, but the clock is already natural.
        if !state.root.active || state.root.problem != Some(problem.0.k) {
            return;
        }
        let pending_recurrence = state.root.next_recurs;
        state.root = RootState {
            tried: state.root.tried,
            success: state.root.success,
            recurs: state.root.recurs,
            ..RootState::default()
        };
        if pending_recurrence {
            state.epoch = state.epoch.wrapping_add(1);
            let k = state.k;
            self.draw_failure(ctx, service, k, None);
            self.schedule_next_failure(t, service);
        }
    }
}
