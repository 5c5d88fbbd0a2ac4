//! Symptom incidents (docs/model.md §8.11): users of a service that is down only because a
//! dependency is report the *symptom*. The symptom incident opens at the first tier after the
//! dependant's `report_delay` (a fresh draw), is troubleshot like an incident nobody can fix
//! (a time box per tier, escalation with handoff, paging), waits unworked after the last tier,
//! and closes when the inherited DOWN ends. A strategy with `correlate = true` links it to the
//! open, detected root incident at once, so nobody works it.
//!
//! The model tracks inherited DOWN only for symptoms: DEGRADED and PLANNED are never
//! inherited as DOWN, and only chains of `effect = "down"` dependencies pass DOWN on
//! (§8.10). The outage accounting stays a projection over the own events.
//!
//! Randomness: the n-th symptom of a dependant draws its report delay from its own stream
//! (`Purpose::Symptom`, keyed by service and n), strategy-independent, so scenarios without
//! `depends_on` keep every number.
//!
//! A symptom's id is an [`IncidentId`] with the symptom bit (`shop#s3` in the log), so the
//! work events (`queued`, `work_started`, `escalated`, `handed_off`, `paged`, `acknowledged`,
//! tickets) carry it unchanged.

use super::on_call::ON_CALL_SHIFT;
use super::{Ctx, Simulator, Timer};
use crate::events::{EventKind, EventSink, IncidentId, ServiceId, TierId, WorkItem};
use crate::rng::{self as streams, Purpose};
use crate::scenario::{Effect, Minutes};

/// Where a service's symptom incident stands.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SymptomState {
    /// Some chain of `effect = "down"` dependencies ends at a service that is down itself.
    inherited_down: bool,
    /// The number of the next symptom of this service in the replication.
    next: u32,
    /// The pending (not yet reported) or open symptom, by number.
    current: Option<u32>,
    /// Users reported it: it is open (else its report is pending).
    reported: bool,
    /// Linked to its root incident (`correlate`): never worked again.
    linked: bool,
    /// The engineer working on it: tier and shift ([`ON_CALL_SHIFT`] for on-call).
    working: Option<(TierId, u16)>,
    /// When it entered the queue it was paged from (model.md §8.2).
    pub(super) paged_from_queue_at: Minutes,
}

/// The dependency graph as the model needs it for symptoms (empty without `depends_on`).
#[derive(Debug, Default)]
pub(super) struct Dependencies {
    /// Whether any service has `depends_on`: else every hook returns at once.
    any: bool,
    /// Per service: the services it inherits DOWN from (transitively through
    /// `effect = "down"`).
    ancestors: Vec<Vec<ServiceId>>,
    /// Per service: the services that inherit DOWN from it.
    dependants: Vec<Vec<ServiceId>>,
}

impl Simulator {
    /// Fill the dependency tables for the scenario, reusing their buffers (no allocation once
    /// warm), and put every service's symptom state at rest.
    pub(super) fn reset_symptoms(&mut self, ctx: &Ctx) {
        let services = &ctx.scenario.services;
        self.symptoms.clear();
        self.symptoms
            .resize(services.len(), SymptomState::default());
        let deps = &mut self.deps;
        deps.any = services.iter().any(|s| !s.depends_on.is_empty());
        if !deps.any {
            return;
        }
        deps.ancestors.resize_with(services.len(), Vec::new);
        deps.dependants.resize_with(services.len(), Vec::new);
        deps.ancestors.truncate(services.len());
        deps.dependants.truncate(services.len());
        deps.dependants.iter_mut().for_each(Vec::clear);
        for i in 0..services.len() {
            let list = &mut deps.ancestors[i];
            list.clear();
            // Breadth-first over the list itself: each entry's down-effect dependencies.
            let mut at = usize::MAX;
            loop {
                let from = if at == usize::MAX {
                    i
                } else {
                    list[at] as usize
                };
                for d in &services[from].depends_on {
                    if d.effect == Effect::Down && !list.contains(&(d.service as ServiceId)) {
                        list.push(d.service as ServiceId);
                    }
                }
                at = at.wrapping_add(1);
                if at >= list.len() {
                    break;
                }
            }
        }
        for i in 0..services.len() {
            for k in 0..deps.ancestors[i].len() {
                let a = deps.ancestors[i][k] as usize;
                deps.dependants[a].push(i as ServiceId);
            }
        }
    }

    /// The root of the service's inherited DOWN: a service of its chain that is down itself
    /// while nothing it depends on is (`None` when the service inherits no DOWN).
    fn down_root(&self, service: ServiceId) -> Option<ServiceId> {
        let down = |a: ServiceId| self.services[a as usize].down;
        self.deps.ancestors[service as usize]
            .iter()
            .copied()
            .find(|&a| down(a) && !self.deps.ancestors[a as usize].iter().any(|&b| down(b)))
    }

    /// A root incident in the service's chain that is open, down and detected: what a
    /// symptom is linked to under `correlate` (§8.11).
    fn detected_root(&self, service: ServiceId) -> Option<ServiceId> {
        self.deps.ancestors[service as usize]
            .iter()
            .copied()
            .find(|&a| {
                let s = &self.services[a as usize];
                s.down && s.detected
            })
    }

    /// The own DOWN of `service` began or ended at `t`: its dependants' inherited DOWN may
    /// change (a symptom starts or closes), and under `correlate` their open symptoms may be
    /// linked to it.
    ///
    /// Inlined down to the one test of `deps.any`: every outage calls this twice, and without
    /// dependencies (the common case) the out-of-line call cost more than the test.
    #[inline(always)]
    pub(super) fn own_down_changed<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        if self.deps.any {
            super::rarely();
            self.propagate_own_down(ctx, t, service, sink);
        }
    }

    /// [`Simulator::own_down_changed`] for a scenario with dependencies.
    #[inline(never)]
    fn propagate_own_down<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        // Index loop: the tables are read while states change.
        for j in 0..self.deps.dependants[service as usize].len() {
            let d = self.deps.dependants[service as usize][j];
            let inherited = self.deps.ancestors[d as usize]
                .iter()
                .any(|&a| self.services[a as usize].down);
            let state = &mut self.symptoms[d as usize];
            if inherited != state.inherited_down {
                state.inherited_down = inherited;
                if inherited {
                    // §8.11: a symptom opens when the inherited state becomes DOWN while the
                    // service has no own open incident.
                    if !self.services[d as usize].open && state.current.is_none() {
                        self.start_symptom(ctx, t, d);
                    }
                } else {
                    self.end_symptom(t, d, sink);
                }
            } else if inherited {
                self.try_link(ctx, t, d, sink);
            }
        }
    }

    /// The service's own incident resolved at `t`: if its inherited DOWN persists, users now
    /// meet the symptom (§8.11).
    pub(super) fn own_incident_resolved(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        if !self.deps.any {
            return;
        }
        super::rarely();
        let state = &self.symptoms[service as usize];
        if state.inherited_down && state.current.is_none() {
            self.start_symptom(ctx, t, service);
        }
    }

    /// The incident of `service` was detected at `t`: under `correlate`, the open symptoms of
    /// its dependants are linked to it if it is down.
    #[inline(always)]
    pub(super) fn root_detected<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        if !self.deps.any || !ctx.strategy.correlate || !self.services[service as usize].down {
            return;
        }
        self.link_dependants(ctx, t, service, sink);
    }

    /// [`Self::root_detected`] once there is something to link: out of line, so the checks
    /// above are all the run loop carries in a scenario without dependencies.
    #[inline(never)]
    fn link_dependants<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        for j in 0..self.deps.dependants[service as usize].len() {
            let d = self.deps.dependants[service as usize][j];
            self.try_link(ctx, t, d, sink);
        }
    }

    /// A symptom starts: its user report is drawn (a fresh draw of its own stream).
    fn start_symptom(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        let state = &mut self.symptoms[service as usize];
        let n = state.next;
        state.next += 1;
        state.current = Some(n);
        state.reported = false;
        state.linked = false;
        state.working = None;
        let mut stream = streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Symptom,
            u64::from(service),
            u64::from(n),
        );
        let delay = super::failures::draw(
            &ctx.scenario.services[service as usize].report_delay,
            &mut stream,
        );
        self.scheduler
            .schedule(t + delay, Timer::SymptomReported { service, n });
    }

    /// Users report symptom `n` (if it is still pending): it opens at the first tier, or is
    /// linked at once under `correlate` when its root incident is open and detected.
    pub(super) fn symptom_reported<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        n: u32,
        sink: &mut S,
    ) {
        let state = &mut self.symptoms[service as usize];
        if state.current != Some(n) || state.reported {
            return;
        }
        state.reported = true;
        let incident = IncidentId::symptom(service, n);
        let root = self
            .down_root(service)
            .expect("a pending symptom's service inherits DOWN");
        self.emit(sink, t, EventKind::SymptomOpened { incident, root });
        self.watch_symptom_tickets(ctx, t, incident);
        if ctx.strategy.correlate
            && let Some(root) = self.detected_root(service)
        {
            self.symptoms[service as usize].linked = true;
            self.emit(sink, t, EventKind::SymptomLinked { incident, root });
            return;
        }
        self.enqueue(ctx, t, WorkItem::Incident(incident), 0, sink);
    }

    /// Under `correlate`, link the service's open symptom to a detected root incident.
    fn try_link<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId, sink: &mut S) {
        if !ctx.strategy.correlate {
            return;
        }
        let state = self.symptoms[service as usize];
        let Some(n) = state.current else { return };
        if !state.reported || state.linked {
            return;
        }
        let Some(root) = self.detected_root(service) else {
            return;
        };
        self.symptoms[service as usize].linked = true;
        let incident = IncidentId::symptom(service, n);
        self.stop_symptom_work(incident);
        self.emit(sink, t, EventKind::SymptomLinked { incident, root });
    }

    /// The inherited DOWN ended: the symptom closes (a pending report is dropped).
    fn end_symptom<S: EventSink>(&mut self, t: Minutes, service: ServiceId, sink: &mut S) {
        let state = &mut self.symptoms[service as usize];
        let Some(n) = state.current.take() else {
            return;
        };
        if !state.reported {
            return;
        }
        let incident = IncidentId::symptom(service, n);
        self.stop_symptom_work(incident);
        self.emit(sink, t, EventKind::SymptomClosed { incident });
    }

    /// Nobody works the symptom any more: the engineer on it is free now, and it leaves every
    /// queue (a pending handoff or acknowledgement finds it gone).
    fn stop_symptom_work(&mut self, incident: IncidentId) {
        if let Some((tier, shift)) = self.symptoms[incident.service as usize].working.take() {
            let state = &mut self.tiers[tier as usize];
            if shift == ON_CALL_SHIFT {
                state.on_call_free += 1;
            } else {
                state.free[shift as usize] += 1;
            }
            self.mark(tier);
        }
        let item = WorkItem::Incident(incident);
        for tier in &mut self.tiers {
            if tier.queue.iter().any(|e| e.item == item) {
                tier.queue.retain(|e| e.item != item);
            }
        }
    }

    /// Whether the symptom is open (reported, not closed), linked or not.
    pub(super) fn symptom_open(&self, incident: IncidentId) -> bool {
        let state = &self.symptoms[incident.service as usize];
        state.current == Some(incident.number()) && state.reported
    }

    /// Whether the symptom is open and unlinked: work on it may go on.
    pub(super) fn symptom_workable(&self, incident: IncidentId) -> bool {
        let state = &self.symptoms[incident.service as usize];
        state.current == Some(incident.number()) && state.reported && !state.linked
    }

    /// An engineer of `tier` (`shift`) starts a time box on the symptom.
    pub(super) fn symptom_work_started(&mut self, incident: IncidentId, tier: TierId, shift: u16) {
        self.symptoms[incident.service as usize].working = Some((tier, shift));
    }

    /// A symptom's time box ended: true when it is the work under way (else the work was
    /// stopped at a link or close, and its engineer is already free).
    pub(super) fn symptom_time_box_current(&mut self, incident: IncidentId) -> bool {
        if !self.symptom_workable(incident) {
            return false;
        }
        self.symptoms[incident.service as usize]
            .working
            .take()
            .is_some()
    }

    /// The time box on the symptom at `tier` is over (the engineer is free again): on to the
    /// next tier, or after the last one it waits unworked (§8.11).
    pub(super) fn symptom_time_box_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) {
        if (tier as usize) + 1 < ctx.scenario.tiers.len() {
            self.escalate(ctx, t, incident, tier, sink);
        } else {
            self.emit(sink, t, EventKind::SymptomWaiting { incident, tier });
        }
    }
}
