//! The incident lifecycle (DESIGN §2) on top of the [`engine`](crate::engine): services that
//! fail and degrade, the three detection paths, false alarms, tiers with staff, hours and
//! priority queues, time-boxed troubleshooting, escalation with handoff, and fixes that avert
//! outages.
//!
//! The model decides *what happens* and reports it as [`Event`]s to an [`EventSink`]; it keeps
//! no metrics of its own. One [`Simulator`] is reused for many replications so its buffers are
//! allocated once: when no event log is written, a replication allocates nothing per event.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::engine::Scheduler;
use crate::events::{
    Detection, Event, EventKind, EventSink, IncidentId, ModeId, ServiceId, TierId, WorkItem,
};
use crate::rng::{self, Purpose, StreamRng};
use crate::scenario::calendar as hours;
use crate::scenario::{MINUTES_PER_WEEK, Minutes, Scenario, Service, Strategy};

/// A pending timer of the model (the engine's payload).
#[derive(Debug, Clone, Copy)]
enum Timer {
    /// The service's pending failure starts.
    FailureStarts { service: ServiceId },
    /// Degradation monitoring catches the open incident.
    DegradationCaught { service: ServiceId },
    /// The degraded service goes down (stale if failure `k` was already fixed).
    OutageStarts { service: ServiceId, k: u32 },
    /// An uptime check or a user report detects the outage.
    OutageDetected {
        service: ServiceId,
        detection: Detection,
    },
    /// A handoff is over: the incident enters the tier's queue.
    HandoffDone { service: ServiceId, tier: TierId },
    /// An engineer of the tier finishes a work item.
    WorkDone {
        tier: TierId,
        item: WorkItem,
        able: bool,
    },
    /// The next false alarm.
    FalseAlarm,
    /// A closed tier opens (business hours).
    TierOpens { tier: TierId },
}

/// The drawn properties of one failure (the same under every strategy) and its synchronized
/// strategy-dependent draws.
#[derive(Debug, Clone, Copy, Default)]
struct Failure {
    time_to_failure: Minutes,
    mode: ModeId,
    warning: Minutes,
    fix: Minutes,
    report_delay: Minutes,
    coverage_coin: f64,
    detect_delay: Minutes,
    routing_coin: f64,
    /// When the failure started (set when it does).
    start: Minutes,
}

#[derive(Debug, Clone, Copy, Default)]
struct ServiceState {
    /// Index of the current failure (when `open`) or of the next one.
    k: u32,
    failure: Failure,
    open: bool,
    down: bool,
    detected: bool,
}

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

#[derive(Debug, Default)]
struct TierState {
    free: u32,
    queue: BinaryHeap<QueueEntry>,
    opening_scheduled: bool,
}

/// What one simulated history cost to compute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Model events emitted.
    pub events: u64,
    /// Engine timers fired.
    pub timers: u64,
}

/// Runs one strategy over one replication. Reuse it: its buffers survive between runs.
#[derive(Debug, Default)]
pub struct Simulator {
    scheduler: Scheduler<Timer>,
    services: Vec<ServiceState>,
    tiers: Vec<TierState>,
    queue_seq: u64,
    next_alarm: u32,
    alarm_rng: Option<StreamRng>,
    events: u64,
}

/// Everything a handler needs to read: the scenario, the strategy and the run's key.
struct Ctx<'a> {
    scenario: &'a Scenario,
    strategy: &'a Strategy,
    seed: u64,
    rep: u64,
}

impl Simulator {
    /// A simulator with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Simulate replication `rep` of strategy index `strategy` over the scenario's horizon,
    /// sending every event to `sink`, ending with `horizon_reached`.
    pub fn run<S: EventSink>(
        &mut self,
        scenario: &Scenario,
        strategy: usize,
        rep: u64,
        sink: &mut S,
    ) -> RunStats {
        let ctx = Ctx {
            scenario,
            strategy: &scenario.strategies[strategy],
            seed: scenario.simulation.seed,
            rep,
        };
        let horizon = scenario.simulation.horizon_minutes;
        sink.begin(rep, strategy);
        self.reset(&ctx);

        for service in 0..scenario.services.len() {
            self.draw_failure(&ctx, service as ServiceId, 0);
            let ttf = self.services[service].failure.time_to_failure;
            self.scheduler.schedule(
                ttf,
                Timer::FailureStarts {
                    service: service as ServiceId,
                },
            );
        }
        if let Some(rate) = self.alarm_rate_per_minute(&ctx) {
            self.alarm_rng = Some(rng::stream(ctx.seed, rep, Purpose::FalseAlarms, 0, 0));
            let gap = self.next_alarm_gap(rate);
            self.scheduler.schedule(gap, Timer::FalseAlarm);
        }

        while let Some((t, timer)) = self.scheduler.pop_before(horizon) {
            self.handle(&ctx, t, timer, sink);
        }
        self.emit(sink, horizon, EventKind::HorizonReached);
        RunStats {
            events: self.events,
            timers: self.scheduler.fired(),
        }
    }

    fn reset(&mut self, ctx: &Ctx) {
        self.scheduler.reset();
        self.services.clear();
        self.services
            .resize(ctx.scenario.services.len(), ServiceState::default());
        self.tiers
            .resize_with(ctx.scenario.tiers.len(), TierState::default);
        self.tiers.truncate(ctx.scenario.tiers.len());
        for (state, tier) in self.tiers.iter_mut().zip(&ctx.scenario.tiers) {
            state.free = tier.staff;
            state.queue.clear();
            state.opening_scheduled = false;
        }
        self.queue_seq = 0;
        self.next_alarm = 0;
        self.alarm_rng = None;
        self.events = 0;
    }

    #[inline]
    fn emit<S: EventSink>(&mut self, sink: &mut S, t: Minutes, kind: EventKind) {
        self.events += 1;
        sink.emit(&Event { t, kind });
    }

    fn alarm_rate_per_minute(&self, ctx: &Ctx) -> Option<f64> {
        let m = ctx.strategy.monitoring.as_ref()?;
        (m.false_alarms_per_week > 0.0).then(|| m.false_alarms_per_week / MINUTES_PER_WEEK)
    }

    /// The next gap of the unit-rate alarm stream, divided by this strategy's rate.
    fn next_alarm_gap(&mut self, rate: f64) -> Minutes {
        let rng = self
            .alarm_rng
            .as_mut()
            .expect("alarm stream set when rate > 0");
        let u = rng::uniform(rng);
        -(1.0 - u).ln() / rate
    }

    /// Draw failure `k` of a service from its two keyed streams (DESIGN §2 rule 2 and
    /// "Randomness and fair comparison"), in the contract's order.
    fn draw_failure(&mut self, ctx: &Ctx, service: ServiceId, k: u32) {
        let svc: &Service = &ctx.scenario.services[service as usize];
        let mut common = rng::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Failure,
            service as u64,
            k as u64,
        );
        let time_to_failure = svc.failures_every.sample(&mut rng::substream(&mut common));
        let mode = pick_mode(svc, rng::uniform(&mut common));
        let m = &svc.modes[mode as usize];
        let warning = m.warning.sample(&mut rng::substream(&mut common));
        let fix = m.fix.sample(&mut rng::substream(&mut common));
        let report_delay = svc.report_delay.sample(&mut rng::substream(&mut common));

        let mut sync = rng::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Detection,
            service as u64,
            k as u64,
        );
        let coverage_coin = rng::uniform(&mut sync);
        let mut detect_rng = rng::substream(&mut sync);
        let detect_delay = match &ctx.strategy.monitoring {
            Some(mon) => mon.detect.sample(&mut detect_rng),
            None => 0.0,
        };
        let routing_coin = rng::uniform(&mut sync);

        let state = &mut self.services[service as usize];
        state.k = k;
        state.failure = Failure {
            time_to_failure,
            mode,
            warning,
            fix,
            report_delay,
            coverage_coin,
            detect_delay,
            routing_coin,
            start: 0.0,
        };
    }

    fn handle<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, timer: Timer, sink: &mut S) {
        match timer {
            Timer::FailureStarts { service } => self.failure_starts(ctx, t, service, sink),
            Timer::DegradationCaught { service } => {
                let incident = self.incident(service);
                self.emit(sink, t, EventKind::DegradationDetected { incident });
                self.detect(ctx, t, service, Detection::Degradation, sink);
            }
            Timer::OutageStarts { service, k } => {
                let s = &self.services[service as usize];
                if s.open && s.k == k && !s.down {
                    self.outage_starts(ctx, t, service, sink);
                }
            }
            Timer::OutageDetected { service, detection } => {
                self.detect(ctx, t, service, detection, sink)
            }
            Timer::HandoffDone { service, tier } => {
                let incident = self.incident(service);
                self.emit(sink, t, EventKind::HandedOff { incident, tier });
                self.enqueue(ctx, t, WorkItem::Incident(incident), tier, sink);
            }
            Timer::WorkDone { tier, item, able } => self.work_done(ctx, t, tier, item, able, sink),
            Timer::FalseAlarm => {
                let alarm = self.next_alarm;
                self.next_alarm += 1;
                self.emit(sink, t, EventKind::FalseAlarm { alarm });
                let tier = ctx.strategy.alert_tier as TierId;
                self.enqueue(ctx, t, WorkItem::FalseAlarm(alarm), tier, sink);
                if let Some(rate) = self.alarm_rate_per_minute(ctx) {
                    let gap = self.next_alarm_gap(rate);
                    self.scheduler.schedule(t + gap, Timer::FalseAlarm);
                }
            }
            Timer::TierOpens { tier } => {
                self.tiers[tier as usize].opening_scheduled = false;
                self.dispatch(ctx, t, tier, sink);
            }
        }
    }

    fn incident(&self, service: ServiceId) -> IncidentId {
        IncidentId {
            service,
            k: self.services[service as usize].k,
        }
    }

    fn failure_starts<S: EventSink>(
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
        if f.warning <= 0.0 {
            self.outage_starts(ctx, t, service, sink);
            return;
        }
        // Rule 3: caught iff the coin says so and detection comes strictly before the outage.
        if let Some(mon) = &ctx.strategy.monitoring
            && f.coverage_coin < mon.coverage
            && f.detect_delay < f.warning
        {
            self.scheduler
                .schedule(t + f.detect_delay, Timer::DegradationCaught { service });
        }
        self.scheduler.schedule(
            t + f.warning,
            Timer::OutageStarts {
                service,
                k: incident.k,
            },
        );
    }

    fn outage_starts<S: EventSink>(
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
        let report_delay = state.failure.report_delay;
        self.emit(sink, t, EventKind::OutageStarted { incident });
        if detected {
            return;
        }
        // Rule 3: otherwise at outage start + min(outage_detect, report_delay); ties go to
        // monitoring.
        let (delay, detection) = match &ctx.strategy.monitoring {
            Some(mon) if mon.outage_detect <= report_delay => {
                (mon.outage_detect, Detection::OutageCheck)
            }
            _ => (report_delay, Detection::UserReport),
        };
        self.scheduler
            .schedule(t + delay, Timer::OutageDetected { service, detection });
    }

    fn detect<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        detection: Detection,
        sink: &mut S,
    ) {
        let state = &mut self.services[service as usize];
        if !state.open || state.detected {
            return;
        }
        state.detected = true;
        let routing_coin = state.failure.routing_coin;
        let mode = state.failure.mode;
        let incident = self.incident(service);
        let tier = match detection {
            Detection::UserReport => {
                self.emit(sink, t, EventKind::UserReported { incident });
                0
            }
            Detection::Degradation | Detection::OutageCheck => {
                self.emit(
                    sink,
                    t,
                    EventKind::AlertFired {
                        incident,
                        detection,
                    },
                );
                // Rule 4: a known signature goes straight to whoever owns it.
                if routing_coin < ctx.strategy.route_direct {
                    ctx.scenario.services[service as usize].modes[mode as usize].needs
                } else {
                    ctx.strategy.alert_tier
                }
            }
        } as TierId;
        self.emit(
            sink,
            t,
            EventKind::IncidentOpened {
                incident,
                detection,
                tier,
            },
        );
        self.enqueue(ctx, t, WorkItem::Incident(incident), tier, sink);
    }

    fn enqueue<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        item: WorkItem,
        tier: TierId,
        sink: &mut S,
    ) {
        self.emit(sink, t, EventKind::Queued { item, tier });
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
        self.dispatch(ctx, t, tier, sink);
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

    fn work_done<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        tier: TierId,
        item: WorkItem,
        able: bool,
        sink: &mut S,
    ) {
        self.tiers[tier as usize].free += 1;
        match item {
            WorkItem::FalseAlarm(alarm) => {
                self.emit(sink, t, EventKind::AlarmCleared { alarm, tier });
            }
            WorkItem::Incident(incident) if able => self.resolve(ctx, t, incident, tier, sink),
            WorkItem::Incident(incident) => {
                let to = tier + 1;
                self.emit(
                    sink,
                    t,
                    EventKind::Escalated {
                        incident,
                        from: tier,
                        to,
                    },
                );
                let handoff = ctx.strategy.handoff;
                if handoff > 0.0 {
                    self.scheduler.schedule(
                        t + handoff,
                        Timer::HandoffDone {
                            service: incident.service,
                            tier: to,
                        },
                    );
                } else {
                    self.emit(sink, t, EventKind::HandedOff { incident, tier: to });
                    self.enqueue(ctx, t, item, to, sink);
                }
            }
        }
        self.dispatch(ctx, t, tier, sink);
    }

    fn resolve<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        incident: IncidentId,
        tier: TierId,
        sink: &mut S,
    ) {
        let service = incident.service;
        let state = self.services[service as usize];
        // Rule 10: averted iff the fix completes strictly before the outage would begin.
        let averted = t < state.failure.start + state.failure.warning;
        if !averted && !state.down {
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
        // The next failure is counted from the moment the service is UP again.
        self.draw_failure(ctx, service, incident.k + 1);
        let ttf = self.services[service as usize].failure.time_to_failure;
        self.scheduler
            .schedule(t + ttf, Timer::FailureStarts { service });
    }
}

/// Pick a mode by weight with one uniform draw `u` in [0, 1). Zero-weight modes never win.
fn pick_mode(service: &Service, u: f64) -> ModeId {
    let total: f64 = service.modes.iter().map(|m| m.weight).sum();
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
