//! Preventive maintenance (docs/model.md §8.6): a strategy's plan puts a maintenance item in a
//! tier's queue when a service's age since its last repair or maintenance reaches `every`
//! (policy "age") or at k × `every` (policy "calendar"). The item ranks below every other work
//! (§8.3, class 4), is started only by a free *shift* engineer inside the plan's `window`, and
//! keeps the service planned-down for `takes`, with its failure clock stopped. At the end the
//! service is renewed: age 0, a fresh time to failure.
//!
//! Randomness: the n-th maintenance of a service draws, from its own keyed stream
//! (`Purpose::Maintenance`, keyed by service and n), its duration and then the time to failure
//! after it, always both — so scenarios without maintenance keep every number, and the pending
//! failure k keeps its mode, warning, fix and report delay (only its clock restarts).

use super::{Ctx, Simulator, Timer, hours};
use crate::events::{EventKind, EventSink, MaintenanceId, ServiceId, TierId, WorkItem};
use crate::rng::{self as streams, Purpose};
use crate::scenario::{Maintenance, MaintenancePolicy, Minutes};

/// A service's maintenance: where its clock and its item stand.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct MaintenanceState {
    /// Generation of the pending age-policy `MaintenanceDue` timer (bumped when a failure
    /// makes it stale).
    pub(super) epoch: u32,
    /// Maintenances that fell due so far (the next one's `n`).
    pub(super) due_count: u32,
    /// The item waiting in its tier's queue, if any.
    pub(super) waiting: Option<u32>,
    /// The service is planned-down under maintenance.
    pub(super) under_way: bool,
    /// The drawn time to failure after the maintenance under way.
    next_time_to_failure: Minutes,
}

/// The plan of the strategy that maintains `service`, if any.
fn plan<'a>(ctx: &Ctx<'a>, service: ServiceId) -> Option<&'a Maintenance> {
    ctx.strategy
        .maintenance
        .iter()
        .find(|m| m.services.contains(&(service as usize)))
}

impl Simulator {
    /// At t = 0: every maintained service's first due time.
    pub(super) fn schedule_first_maintenance(&mut self, ctx: &Ctx) {
        if ctx.strategy.maintenance.is_empty() {
            return;
        }
        for service in 0..ctx.scenario.services.len() as ServiceId {
            if let Some(p) = plan(ctx, service) {
                self.scheduler
                    .schedule(p.every_minutes, Timer::MaintenanceDue { service, epoch: 0 });
            }
        }
    }

    /// The service is UP again after a repair (of either kind) or a maintenance: the
    /// age-policy clock restarts (§8.6).
    #[inline(always)]
    pub(super) fn restart_maintenance_clock(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        if !ctx.strategy.maintenance.is_empty() {
            self.restart_maintenance_clock_of(ctx, t, service);
        }
    }

    /// [`Self::restart_maintenance_clock`] for a strategy with maintenance plans: out of line,
    /// so the check above is all the run loop carries when there are none.
    #[inline(never)]
    fn restart_maintenance_clock_of(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        let Some(p) = plan(ctx, service) else {
            return;
        };
        if p.policy != MaintenancePolicy::Age {
            return;
        }
        let epoch = self.services[service as usize].maintenance.epoch;
        self.scheduler.schedule(
            t + p.every_minutes,
            Timer::MaintenanceDue { service, epoch },
        );
    }

    /// The service fails (§8.6 "while waiting"): a waiting item is withdrawn and the age
    /// clock stops until the repair restarts it.
    pub(super) fn maintenance_interrupted<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        let Some(p) = plan(ctx, service) else {
            return;
        };
        let m = &mut self.services[service as usize].maintenance;
        m.epoch = m.epoch.wrapping_add(1);
        if let Some(n) = m.waiting.take() {
            let maintenance = MaintenanceId { service, n };
            let tier = p.tier as TierId;
            self.emit(
                sink,
                t,
                EventKind::MaintenanceWithdrawn { maintenance, tier },
            );
        }
    }

    /// A `MaintenanceDue` timer fired.
    pub(super) fn maintenance_due<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        epoch: u32,
        sink: &mut S,
    ) {
        let Some(p) = plan(ctx, service) else {
            return;
        };
        let s = &self.services[service as usize];
        match p.policy {
            MaintenancePolicy::Age => {
                if s.maintenance.epoch != epoch || s.open || s.maintenance.under_way {
                    return;
                }
            }
            MaintenancePolicy::Calendar => {
                // The next date comes whatever happens to this one.
                self.scheduler.schedule(
                    t + p.every_minutes,
                    Timer::MaintenanceDue { service, epoch: 0 },
                );
                // Skipped when the service is not UP or already has an item waiting.
                if s.open || s.maintenance.under_way || s.maintenance.waiting.is_some() {
                    return;
                }
            }
        }
        let m = &mut self.services[service as usize].maintenance;
        let n = m.due_count;
        m.due_count += 1;
        m.waiting = Some(n);
        let maintenance = MaintenanceId { service, n };
        let tier = p.tier as TierId;
        self.emit(sink, t, EventKind::MaintenanceDue { maintenance, tier });
        self.enqueue(ctx, t, WorkItem::Maintenance(maintenance), tier, sink);
    }

    /// Whether the maintenance item may start now: its plan's window (site time) is open.
    /// `Some(next opening)` when it must wait.
    pub(super) fn maintenance_window_closed(
        &self,
        ctx: &Ctx,
        t: Minutes,
        item: MaintenanceId,
    ) -> Option<Minutes> {
        let window = plan(ctx, item.service)?.window.as_ref()?;
        if hours::is_open(window, t, 0.0) {
            None
        } else {
            Some(hours::next_opening(window, t, 0.0))
        }
    }

    /// An engineer takes a maintenance item: its minutes, or `None` when the item was
    /// withdrawn while it waited (the entry is stale and dropped). Draws the n-th
    /// maintenance's duration and the time to failure after it.
    pub(super) fn start_maintenance(&mut self, ctx: &Ctx, item: MaintenanceId) -> Option<Minutes> {
        let m = &mut self.services[item.service as usize].maintenance;
        if m.waiting != Some(item.n) {
            return None;
        }
        let p = plan(ctx, item.service)?;
        let mut rng = streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Maintenance,
            item.service as u64,
            item.n as u64,
        );
        let takes = p.takes.sample(&mut streams::substream(&mut rng));
        let every = &ctx.scenario.services[item.service as usize].failures_every;
        let next = every.sample(&mut streams::substream(&mut rng));
        let m = &mut self.services[item.service as usize].maintenance;
        m.waiting = None;
        m.under_way = true;
        m.next_time_to_failure = next;
        Some(takes)
    }

    /// Right after its `work_started`: the service is planned-down and its failure clock stops
    /// (the pending failure's timer is made stale).
    pub(super) fn maintenance_started<S: EventSink>(
        &mut self,
        t: Minutes,
        maintenance: MaintenanceId,
        tier: TierId,
        duration: Minutes,
        sink: &mut S,
    ) {
        let s = &mut self.services[maintenance.service as usize];
        s.epoch = s.epoch.wrapping_add(1);
        self.emit(
            sink,
            t,
            EventKind::MaintenanceStarted {
                maintenance,
                tier,
                duration,
            },
        );
    }

    /// The maintenance is done: the service is UP and renewed (age 0); a root cause left by a
    /// workaround ends (§8.9); the pending failure keeps its mode, warning and fix but counts
    /// a fresh time to failure from now.
    pub(super) fn maintenance_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        maintenance: MaintenanceId,
        tier: TierId,
        sink: &mut S,
    ) {
        let service = maintenance.service;
        self.emit(sink, t, EventKind::MaintenanceDone { maintenance, tier });
        self.root_cause_fixed(ctx, t, service, sink);
        let s = &mut self.services[service as usize];
        s.maintenance.under_way = false;
        s.age = 0.0;
        let (k, next) = (s.k, s.maintenance.next_time_to_failure);
        // Redrawn unforced: a recurrence's root cause ended with the maintenance.
        self.draw_failure(ctx, service, k, None);
        self.services[service as usize].failure.time_to_failure = next;
        self.schedule_next_failure(t, service);
        self.restart_maintenance_clock(ctx, t, service);
    }
}
