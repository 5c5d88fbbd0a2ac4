//! Change-induced failures (docs/model.md §8.12): changes deployed to a service arrive as a
//! Poisson process inside the change `hours` (site time); each fails with the failure rate
//! (the strategy's `change_failure_rate`, else the service's), and a failing change deployed
//! while the service is UP and not under maintenance starts a failure of the change's mode at
//! once — an incident of its own sequence (`db#c2`).
//!
//! The natural failures keep their numbers: the pending natural failure k is withdrawn while
//! the change's incident is open and, when that incident's repair brings the service UP, the
//! same failure k (its mode, warning, fix, report delay and detection draws) comes back
//! (postponed, not consumed), with a time to failure counted from that moment. That time is
//! a fresh draw from the change's stream, as after a maintenance (§8.6): re-using failure k's
//! own draw would condition it on having outlived the time before the change, and a service
//! whose changes often fail would hardly ever fail naturally. A renewing repair draws it from
//! `failures.every`; `repair = "as_bad_as_old"` keeps the age and draws the residual life at
//! that age (model.md §8.5).
//!
//! Randomness: the n-th change of a service draws, from its own keyed stream
//! ([`Purpose::Change`], keyed by service and n, the same under every strategy), the gap since
//! the previous change, the failure coin, the mode's warning, fix and report delay, and the
//! seed of the time to failure after its repair — always all six. So every strategy meets the
//! same changes at the same times with the same coins, and a lower failure rate fails a subset
//! of the changes a higher one fails.

use super::failures::{Failure, detection_draws, draw};
use super::{Ctx, Simulator, Timer, hours};
use crate::events::{ChangeId, EventKind, EventSink, IncidentId, ServiceId};
use crate::rng::{self as streams, Purpose, StreamRng};
use crate::scenario::{Changes, Hours, MINUTES_PER_WEEK, Minutes, Repair};
use rand::RngCore;

/// A service's change process and the natural failure a change's incident set aside.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ChangeState {
    /// Open minutes of the change hours per week (the time warp's scale).
    open_per_week: Minutes,
    /// The pending natural failure withdrawn by the open change incident, restored (postponed)
    /// when that incident is resolved.
    pub(super) set_aside: Option<SetAside>,
}

/// The pending natural failure a failing change withdrew.
#[derive(Debug, Clone, Copy)]
pub(super) struct SetAside {
    /// Its number: it stays the k-th natural failure.
    pub(super) k: u32,
    /// Its draws, as they were.
    pub(super) failure: Failure,
    /// Seed of the fresh time to failure after the change's repair (the change stream's sixth
    /// number).
    ttf_seed: u64,
    /// It was a recurrence of an active root cause (model.md §8.8).
    pub(super) recurrence: bool,
}

/// The stream of change `n` of a service.
fn change_stream(ctx: &Ctx, change: ChangeId) -> StreamRng {
    streams::stream(
        ctx.seed,
        ctx.rep,
        Purpose::Change,
        change.service as u64,
        change.n as u64,
    )
}

/// The unit-rate exponential gap before change `n` (the first number of its stream).
fn unit_gap(rng: &mut StreamRng) -> f64 {
    // 1 − u is in (0, 1]: the logarithm is finite.
    -(1.0 - streams::uniform(rng)).ln()
}

/// The site time at which `need` open minutes of `hours` have passed since `t` (time warp of
/// a unit-rate process onto the open intervals). Whole weeks are skipped at once: the hours
/// repeat weekly on the site's clock.
fn advance_open(hours: &Hours, open_per_week: Minutes, t: Minutes, need: Minutes) -> Minutes {
    let mut t = t;
    let mut need = need;
    let weeks = (need / open_per_week).floor();
    if weeks >= 1.0 {
        t += weeks * MINUTES_PER_WEEK;
        need = (need - weeks * open_per_week).max(0.0);
    }
    loop {
        t = hours::next_opening(hours, t, 0.0);
        let close = hours::next_change(hours, t, 0.0);
        if t + need < close {
            return t + need;
        }
        need -= close - t;
        t = close;
    }
}

impl Simulator {
    /// At t = 0: every service with changes gets its first change's arrival.
    pub(super) fn schedule_first_changes(&mut self, ctx: &Ctx) {
        for (i, svc) in ctx.scenario.services.iter().enumerate() {
            let Some(c) = &svc.changes else {
                continue;
            };
            let open_per_week = hours::open_minutes(&c.hours, MINUTES_PER_WEEK, 0.0);
            self.services[i].changes.open_per_week = open_per_week;
            self.schedule_change(
                ctx,
                c,
                ChangeId {
                    service: i as ServiceId,
                    n: 0,
                },
                0.0,
            );
        }
    }

    /// Schedule change `change` after the previous one (at `after`), if it falls in the run.
    fn schedule_change(&mut self, ctx: &Ctx, c: &Changes, change: ChangeId, after: Minutes) {
        let open_per_week = self.services[change.service as usize].changes.open_per_week;
        if c.per_week <= 0.0 || open_per_week <= 0.0 {
            return;
        }
        let gap = unit_gap(&mut change_stream(ctx, change));
        // Rate per open minute: per_week / open_per_week.
        let need = gap * open_per_week / c.per_week;
        let at = advance_open(&c.hours, open_per_week, after, need);
        if at < ctx.scenario.simulation.horizon_minutes {
            self.scheduler.schedule(
                at,
                Timer::ChangeDeployed {
                    service: change.service,
                    n: change.n,
                },
            );
        }
    }

    /// Change `n` of the service is deployed at `t`: it fails iff its coin is below the
    /// failure rate and the service is UP and not under maintenance (§8.12).
    pub(super) fn change_deployed<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        n: u32,
        sink: &mut S,
    ) {
        let svc = &ctx.scenario.services[service as usize];
        let Some(c) = &svc.changes else {
            return;
        };
        let change = ChangeId { service, n };
        // Always all five draws, in this order, whatever happens (CRN).
        let mut rng = change_stream(ctx, change);
        let _gap = unit_gap(&mut rng);
        let coin = streams::uniform(&mut rng);
        let mode = &svc.modes[c.mode];
        let warning = draw(&mode.warning, &mut rng);
        let fix = draw(&mode.fix, &mut rng);
        let report_delay = draw(&svc.report_delay, &mut rng);
        let ttf_seed = rng.next_u64();

        let rate = ctx.strategy.change_failure_rate.unwrap_or(c.failure_rate);
        let s = &self.services[service as usize];
        let failed = coin < rate && !s.open && !s.maintenance.under_way;
        self.emit(sink, t, EventKind::ChangeDeployed { change, failed });
        if failed {
            let incident = IncidentId::of_change(change);
            let (coverage_coin, detect_delay, routing_coin) =
                detection_draws(ctx, service, incident.k);
            let s = &mut self.services[service as usize];
            s.changes.set_aside = Some(SetAside {
                k: s.k,
                failure: s.failure,
                ttf_seed,
                recurrence: s.root.next_recurs,
            });
            // The change's failure is no recurrence; the set-aside one may be again later.
            s.root.next_recurs = false;
            // Withdraw the pending natural failure: its timer is stale from now on.
            s.epoch = s.epoch.wrapping_add(1);
            s.k = incident.k;
            s.failure = Failure {
                // The service operated since its clock started: that much age at failure.
                time_to_failure: t - s.up_at,
                mode: c.mode as u32,
                warning,
                fix,
                report_delay,
                coverage_coin,
                detect_delay,
                routing_coin,
                start: 0.0,
            };
            self.failure_starts(ctx, t, service, sink);
        }
        self.schedule_change(ctx, c, ChangeId { service, n: n + 1 }, t);
    }

    /// The change's incident is resolved without a workaround (`resolve` has made the
    /// service UP, with the repair's effect on the age): the set-aside natural failure k comes
    /// back with a fresh time to failure from the change's stream. A set-aside recurrence
    /// (§8.8) comes back as it was while its root cause lasts (its `recurs` counts from now).
    pub(super) fn restore_natural_failure(&mut self, ctx: &Ctx, service: ServiceId, p: SetAside) {
        let svc = &ctx.scenario.services[service as usize];
        let s = &mut self.services[service as usize];
        s.k = p.k;
        s.failure = p.failure;
        if p.recurrence {
            if s.root.active {
                s.root.next_recurs = true;
                return;
            }
            // The root cause ended meanwhile: failure k's natural draws.
            self.draw_failure(ctx, service, p.k, None);
        }
        let s = &mut self.services[service as usize];
        let mut rng = streams::child(p.ttf_seed);
        s.failure.time_to_failure = match svc.repair {
            Repair::Renew => svc.failures_every.sample(&mut rng),
            // validate() refuses minimal repair for families without a residual life.
            Repair::AsBadAsOld => svc
                .failures_every
                .sample_residual(s.age, &mut rng)
                .unwrap_or(0.0),
        };
    }
}
