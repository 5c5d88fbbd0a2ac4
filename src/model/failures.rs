//! Services and their failures (docs/model.md §2, rules 1, 2, 10): drawing the k-th failure from its
//! keyed streams, degradation, the outage, and resolution (averted or not), after which the
//! next failure is drawn.

use super::{Ctx, Simulator, Timer};
use crate::events::{EventKind, EventSink, IncidentId, ModeId, ServiceId, TierId};
use crate::rng::{self as streams, Purpose, StreamKey, StreamRng};
use crate::scenario::{Dist, Minutes, Repair, Service};
use rand::RngCore;

/// The drawn properties of one failure (the same under every strategy) and its synchronized
/// strategy-dependent draws.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Failure {
    pub(super) time_to_failure: Minutes,
    pub(super) mode: ModeId,
    pub(super) warning: Minutes,
    pub(super) fix: Minutes,
    pub(super) report_delay: Minutes,
    pub(super) coverage_coin: f64,
    pub(super) detect_delay: Minutes,
    pub(super) routing_coin: f64,
    /// When the failure started (set when it does).
    pub(super) start: Minutes,
}

/// The strategy-independent draws of one failure, from its `Failure` stream (its natural
/// mode, not a recurrence's): the same under every strategy, so one replication's strategies
/// draw them once (see [`Simulator::run_each_strategy`](super::Simulator::run_each_strategy)).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CommonDraws {
    /// The service's age the draws were made at (they depend on it under minimal repair).
    age: Minutes,
    time_to_failure: Minutes,
    mode: ModeId,
    warning: Minutes,
    fix: Minutes,
    report_delay: Minutes,
    /// The failure's detection-stream numbers, once a monitoring strategy has read them: they
    /// are the same under every strategy (only the detection delay's distribution differs).
    detection: Option<DetectionNumbers>,
}

/// What the `Detection` stream of failure `k` gives before any strategy reads it: its first
/// `u64` as the coverage coin, its second as the seed of the detection delay's substream, its
/// third as the routing coin ([`detection_draws`]' order).
#[derive(Debug, Clone, Copy)]
struct DetectionNumbers {
    coverage_coin: f64,
    delay_seed: u64,
    routing_coin: f64,
}

/// What every failure of a service draws with, computed once per run: the keys of its
/// `Failure` and `Detection` streams without `k` (each failure derives its two streams from
/// them) and the total weight of its modes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FailureKeys {
    failure: StreamKey,
    detection: StreamKey,
    /// The sum of the modes' weights, in their order (the very number [`pick_mode`] used to
    /// add up on every draw).
    mode_weights: f64,
}

impl FailureKeys {
    fn of(ctx: &Ctx, service: ServiceId) -> FailureKeys {
        let key = |purpose| StreamKey::new(ctx.seed, ctx.rep, purpose, service as u64);
        FailureKeys {
            failure: key(Purpose::Failure),
            detection: key(Purpose::Detection),
            mode_weights: ctx.scenario.services[service as usize]
                .modes
                .iter()
                .map(|m| m.weight)
                .sum(),
        }
    }
}

/// Where a service stands.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ServiceState {
    /// Index of the current failure (when `open`) or of the next one.
    pub(super) k: u32,
    pub(super) failure: Failure,
    pub(super) open: bool,
    pub(super) down: bool,
    pub(super) detected: bool,
    /// The service's age (model.md §8.5: operating time since its last renewal) when the
    /// pending failure's clock started; while a failure is open, its age at failure.
    pub(super) age: Minutes,
    /// When the incident entered the queue it was paged from (model.md §8.2).
    pub(super) paged_from_queue_at: Minutes,
    /// Generation of the pending `FailureStarts` timer: bumped when a root-cause fix replaces
    /// a pending recurrence, so the old timer is stale.
    pub(super) epoch: u32,
    /// Workarounds and root causes (model.md §8.8, §8.9).
    pub(super) root: super::problems::RootState,
    /// Preventive maintenance (model.md §8.6).
    pub(super) maintenance: super::maintenance::MaintenanceState,
    /// When the pending failure's clock started (the service was last UP since then).
    pub(super) up_at: Minutes,
    /// Changes and the natural failure a change's incident set aside (model.md §8.12).
    pub(super) changes: super::changes::ChangeState,
    /// Its stream keys in this replication, set before its first failure is drawn.
    pub(super) keys: FailureKeys,
}

impl Simulator {
    /// Rule 1: every service is UP at t = 0; its first failure comes after its first draw.
    pub(super) fn schedule_first_failures(&mut self, ctx: &Ctx) {
        for service in 0..ctx.scenario.services.len() {
            self.services[service].keys = FailureKeys::of(ctx, service as ServiceId);
            self.draw_failure(ctx, service as ServiceId, 0, None);
            let at = self.failure_start_at(service as ServiceId, 0, 0.0);
            // A keyed timer: one pending per service, kept out of the heap (see the engine).
            self.scheduler.schedule_keyed(
                service,
                at,
                Timer::FailureStarts {
                    service: service as ServiceId,
                    epoch: 0,
                },
            );
        }
    }

    pub(super) fn incident(&self, service: ServiceId) -> IncidentId {
        IncidentId {
            service,
            k: self.services[service as usize].k,
        }
    }

    /// Draw failure `k` of a service from its two keyed streams (docs/model.md §2 rule 2 and
    /// "Randomness and fair comparison"), in the contract's order. A recurrence (model.md §8.8)
    /// forces `mode`: the mode's uniform is still taken, so the warning, fix and report delay
    /// come from the same positions of the stream.
    pub(super) fn draw_failure(
        &mut self,
        ctx: &Ctx,
        service: ServiceId,
        k: u32,
        forced_mode: Option<ModeId>,
    ) {
        let (age, keys) = {
            let s = &self.services[service as usize];
            (s.age, s.keys)
        };
        let monitoring = ctx.strategy.monitoring.as_ref();
        let (common, numbers) = match forced_mode {
            None => {
                let cached = &mut self.common_draws[service as usize];
                if cached.len() <= k as usize {
                    cached.resize(k as usize + 1, None);
                }
                let slot = &mut cached[k as usize];
                // The draws are a function of the key and the age alone (the age only matters
                // under minimal repair); a different age means they must be drawn again.
                let entry = match slot {
                    Some(c) if c.age.to_bits() == age.to_bits() => c,
                    _ => slot.insert(draw_common(ctx, keys, service, k, age, None)),
                };
                // The detection numbers are read once per failure, by the first strategy
                // that monitors; the others reuse them.
                let numbers = monitoring.map(|_| {
                    *entry
                        .detection
                        .get_or_insert_with(|| detection_numbers(keys.detection, k))
                });
                (*entry, numbers)
            }
            // A recurrence's draws depend on the strategy's history: not shared.
            Some(_) => (
                draw_common(ctx, keys, service, k, age, forced_mode),
                monitoring.map(|_| detection_numbers(keys.detection, k)),
            ),
        };
        let (coverage_coin, detect_delay, routing_coin) = match (monitoring, numbers) {
            (Some(mon), Some(n)) => detection_from(&mon.detect, n),
            _ => (0.0, 0.0, 0.0),
        };

        let state = &mut self.services[service as usize];
        state.k = k;
        state.failure = Failure {
            time_to_failure: common.time_to_failure,
            mode: common.mode,
            warning: common.warning,
            fix: common.fix,
            report_delay: common.report_delay,
            coverage_coin,
            detect_delay,
            routing_coin,
            start: 0.0,
        };
    }

    #[inline(always)]
    pub(super) fn failure_starts<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        let state = &mut self.services[service as usize];
        state.open = true;
        state.down = false;
        state.detected = false;
        state.failure.start = t;
        // The service operated for the whole time to failure: that is the age it failed at.
        state.age += state.failure.time_to_failure;
        let f = state.failure;
        let incident = IncidentId {
            service,
            k: state.k,
        };
        self.emit(
            sink,
            t,
            EventKind::FailureStarted {
                incident,
                mode: f.mode,
                warning: f.warning,
            },
        );
        self.note_recurrence(t, incident, sink);
        self.maintenance_interrupted(ctx, t, service, sink);
        if f.warning <= 0.0 {
            self.outage_starts(ctx, t, service, sink);
            return;
        }
        self.watch_degradation(ctx, t, service);
        // The service's keyed timer (see `schedule_first_failures`): while the failure is open
        // no `FailureStarts` of it is pending (a change's failure made the pending one stale),
        // and whatever next takes the slot is the next failure's start, scheduled only once
        // the incident is resolved. So an outage averted by an early fix leaves no stale timer
        // to pop, and a degrading failure adds nothing to the heap.
        self.scheduler.schedule_keyed(
            service as usize,
            t + f.warning,
            Timer::OutageStarts {
                service,
                k: incident.k,
            },
        );
    }

    #[inline(always)]
    pub(super) fn outage_starts<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        let incident = self.incident(service);
        let state = &mut self.services[service as usize];
        state.down = true;
        let detected = state.detected;
        self.emit(sink, t, EventKind::OutageStarted { incident });
        if !detected {
            self.watch_outage(ctx, t, service);
        }
        self.watch_for_tickets(ctx, t, service);
        self.own_down_changed(ctx, t, service, sink);
    }

    /// The service is UP again at `t` by a fix or a workaround: the next failure is drawn,
    /// after `failures.every`, or after `recurs` with the same mode when `recurs` is given
    /// (a successful workaround, model.md §8.8).
    #[inline(always)]
    pub(super) fn resolve<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        recurs: Option<Minutes>,
        sink: &mut S,
    ) {
        let service = incident.service;
        // The few fields read below, not a copy of the whole state: the state grew with every
        // feature and this runs once per incident (the benchmark's hot path).
        let (outage_at, was_down, mode) = {
            let s = &self.services[service as usize];
            (s.failure.start + s.failure.warning, s.down, s.failure.mode)
        };
        // Rule 10: averted iff the fix completes strictly before the outage would begin.
        let averted = t < outage_at;
        if !averted && !was_down {
            super::rarely();
            // The fix lands at the very instant the outage begins: a zero-minute outage.
            self.services[service as usize].down = true;
            self.emit(sink, t, EventKind::OutageStarted { incident });
        }
        self.emit(
            sink,
            t,
            EventKind::Resolved {
                incident,
                tier,
                averted,
            },
        );
        if !averted {
            self.emit(sink, t, EventKind::OutageEnded { incident });
        }
        let s = &mut self.services[service as usize];
        s.open = false;
        s.down = false;
        s.detected = false;
        // Model.md §8.5: a renewing repair makes the service as good as new; a minimal one
        // leaves it as old as it was when it failed (down and degraded time add no age).
        if ctx.scenario.services[service as usize].repair == Repair::Renew {
            s.age = 0.0;
        }
        // The next failure is counted from the moment the service is UP again. After a
        // change's incident (model.md §8.12) it is the natural failure the change set aside.
        let set_aside = match incident.change() {
            Some(_) => self.services[service as usize].changes.set_aside.take(),
            None => None,
        };
        let next_k = set_aside.map_or(incident.k + 1, |p| p.k);
        match (recurs, set_aside) {
            (None, Some(p)) => self.restore_natural_failure(ctx, service, p),
            (None, None) => self.draw_failure(ctx, service, next_k, None),
            (Some(delay), _) => {
                super::rarely();
                self.draw_failure(ctx, service, next_k, Some(mode));
                self.services[service as usize].failure.time_to_failure = delay;
            }
        }
        self.schedule_next_failure(t, service);
        self.restart_maintenance_clock(ctx, t, service);
        // Model.md §8.11. A zero-minute outage (down and up at this instant) changes no
        // dependant.
        if was_down {
            self.own_down_changed(ctx, t, service, sink);
        }
        self.own_incident_resolved(ctx, t, service);
    }

    /// Schedule the drawn next failure, `time_to_failure` after `t` (unless its start is
    /// pinned: model/decisions.rs).
    #[inline(always)]
    pub(super) fn schedule_next_failure(&mut self, t: Minutes, service: ServiceId) {
        let k = self.services[service as usize].k;
        // The drill's debrief may pin this failure's start (model/decisions.rs).
        let at = self.failure_start_at(service, k, t);
        let s = &mut self.services[service as usize];
        s.up_at = t;
        let epoch = s.epoch;
        self.scheduler.schedule_keyed(
            service as usize,
            at,
            Timer::FailureStarts { service, epoch },
        );
    }
}

/// The strategy-dependent, synchronized draws of failure `k` of a service (a change's
/// incident's `k` too): coverage coin, detection delay, routing coin. A strategy without
/// monitoring reads none of the detection stream's numbers (no coverage, no detection delay,
/// no alert to route): the stream is not derived.
pub(super) fn detection_draws(ctx: &Ctx, service: ServiceId, k: u32) -> (f64, Minutes, f64) {
    match &ctx.strategy.monitoring {
        Some(mon) => {
            let key = StreamKey::new(ctx.seed, ctx.rep, Purpose::Detection, service as u64);
            detection_from(&mon.detect, detection_numbers(key, k))
        }
        None => (0.0, 0.0, 0.0),
    }
}

/// The first three numbers of the `Detection` stream of failure `k` (see [`DetectionNumbers`]).
#[inline]
fn detection_numbers(key: StreamKey, k: u32) -> DetectionNumbers {
    let mut sync = key.stream(k as u64);
    DetectionNumbers {
        coverage_coin: streams::uniform(&mut sync),
        delay_seed: sync.next_u64(),
        routing_coin: streams::uniform(&mut sync),
    }
}

/// Coverage coin, detection delay, routing coin from a failure's detection numbers: what
/// [`draw`] would give, reading the stream in that order (a fixed delay reads no substream).
#[inline]
fn detection_from(detect: &Dist, n: DetectionNumbers) -> (f64, Minutes, f64) {
    let detect_delay = match detect {
        Dist::Fixed { value } => *value,
        _ => detect.sample(&mut streams::child(n.delay_seed)),
    };
    (n.coverage_coin, detect_delay, n.routing_coin)
}

/// The common draws of failure `k` of a service at `age`: its `Failure` stream in the
/// contract's order. A recurrence (model.md §8.8) forces `mode`: the mode's uniform is still
/// taken, so the warning, fix and report delay come from the same positions of the stream.
#[inline(always)]
fn draw_common(
    ctx: &Ctx,
    keys: FailureKeys,
    service: ServiceId,
    k: u32,
    age: Minutes,
    forced_mode: Option<ModeId>,
) -> CommonDraws {
    let svc: &Service = &ctx.scenario.services[service as usize];
    let mut common = keys.failure.stream(k as u64);
    // One substream either way, so the draws that follow stay aligned (model.md §8.5).
    let time_to_failure = match svc.repair {
        Repair::Renew => draw(&svc.failures_every, &mut common),
        Repair::AsBadAsOld => {
            let mut ttf_rng = streams::substream(&mut common);
            // validate() refuses minimal repair for families without a residual life.
            svc.failures_every
                .sample_residual(age, &mut ttf_rng)
                .unwrap_or(0.0)
        }
    };
    let mode = pick_mode(svc, keys.mode_weights, streams::uniform(&mut common));
    let mode = forced_mode.unwrap_or(mode);
    let m = &svc.modes[mode as usize];
    let warning = draw(&m.warning, &mut common);
    let fix = draw(&m.fix, &mut common);
    let report_delay = draw(&svc.report_delay, &mut common);
    CommonDraws {
        age,
        time_to_failure,
        mode,
        warning,
        fix,
        report_delay,
        detection: None,
    }
}

/// One draw from its own substream of `parent` (one `u64` of the parent, whatever the
/// distribution). A fixed duration reads no numbers, so its substream is never built.
/// Inlined with the light families' code: a failure makes four draws, and the call cost a
/// tenth of each.
#[inline(always)]
pub(super) fn draw(dist: &Dist, parent: &mut StreamRng) -> Minutes {
    match dist {
        Dist::Fixed { value } => {
            parent.next_u64();
            *value
        }
        _ => dist.sample(&mut streams::substream(parent)),
    }
}

/// Pick a mode by weight with one uniform draw `u` in [0, 1), `total` being the sum of the
/// modes' weights. Zero-weight modes never win.
fn pick_mode(service: &Service, total: f64, u: f64) -> ModeId {
    let target = u * total;
    let mut cumulative = 0.0;
    let mut last_positive = 0;
    for (i, m) in service.modes.iter().enumerate() {
        if m.weight > 0.0 {
            cumulative += m.weight;
            last_positive = i;
            if target < cumulative {
                return i as ModeId;
            }
        }
    }
    last_positive as ModeId
}
