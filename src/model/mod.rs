//! The incident lifecycle (docs/model.md §2) on top of the [`engine`](crate::engine): services that
//! fail and degrade, the three detection paths, false alarms, tiers with staff, hours and
//! priority queues, time-boxed troubleshooting, escalation with handoff, and fixes that avert
//! outages.
//!
//! The model decides *what happens* and reports it as [`Event`]s to an [`EventSink`]; it keeps
//! no metrics of its own. One [`Simulator`] is reused for many replications so its buffers are
//! allocated once: when no event log is written, a replication allocates nothing per event.
//!
//! One file per concern, all `impl Simulator` blocks over one [`Timer`] enum:
//! - [`failures`]: drawing failures, degradation, outages, resolution (rules 1, 2, 10);
//! - [`detection`]: the detection paths and false alarms (rules 3, 4, 9);
//! - [`tiers`]: queues, dispatch, work, escalation and handoff (rules 5–8, 15);
//! - [`problems`]: workarounds, recurrences and problem management (model.md §8.8, §8.9);
//! - [`changes`]: change arrivals and change-induced failures (model.md §8.12);
//! - [`symptoms`]: symptom incidents of services down because a dependency is (§8.11);
//! - [`decisions`]: where a drill's people make the calls instead of the strategy's rules,
//!   and pinning one failure's start (issue 17; nothing when absent);
//! - weekly opening hours come from [`crate::scenario::calendar`].
//!
//! A new concern (on-call paging, maintenance windows, problems, dependencies) gets its own
//! file, its own variants of [`Timer`] and its own arm in [`Simulator::handle`].

mod changes;
mod decisions;
mod detection;
mod failures;
mod maintenance;
mod problems;
mod symptoms;
use crate::scenario::calendar as hours;
pub use problems::problem_plan;
mod on_call;
mod tickets;
mod tiers;

use crate::engine::Scheduler;
use crate::events::{
    Detection, Event, EventKind, EventSink, IncidentId, ServiceId, TierId, WorkItem,
};
use crate::rng::StreamRng;
use crate::scenario::{Minutes, Scenario, Strategy, Tier};

use failures::ServiceState;
use tiers::TierState;

use crate::engine::rarely;

/// A pending timer of the model (the engine's payload): every kind of future happening, one
/// variant each.
// Aligned to 8 bytes (its size stays 24): the queue then copies a timer in whole words, not
// field by field. 403.9 M -> 402.0 M instructions on the benchmark (README, Performance).
#[derive(Debug, Clone, Copy)]
#[repr(align(8))]
enum Timer {
    /// The service's pending failure starts (stale unless `epoch` is the service's current
    /// one: a root-cause fix replaces a pending recurrence).
    FailureStarts { service: ServiceId, epoch: u32 },
    /// Degradation monitoring catches the open incident.
    DegradationCaught { service: ServiceId },
    /// The degraded service goes down. A keyed timer of the service, so a fix before the
    /// outage replaces it with the next failure's start; the handler still checks `k`.
    OutageStarts { service: ServiceId, k: u32 },
    /// An uptime check or a user report detects the outage.
    OutageDetected {
        service: ServiceId,
        detection: Detection,
    },
    /// A handoff is over: the incident (or symptom incident) enters the tier's queue.
    HandoffDone { incident: IncidentId, tier: TierId },
    /// An engineer of the tier finishes a work item (`workaround`: a workaround attempt).
    WorkDone {
        tier: TierId,
        /// The shift the engineer belongs to (model.md §8.1).
        shift: u16,
        item: WorkItem,
        able: bool,
        workaround: bool,
    },
    /// The next false alarm.
    FalseAlarm,
    /// The paged on-call engineer of `tier` acknowledges the incident (or symptom incident).
    Acknowledged { tier: TierId, incident: IncidentId },
    /// A closed tier (or one of its shifts) opens.
    TierOpens { tier: TierId },
    /// The first user report of failure `k` (model.md §8.4): its ticket flood may start.
    FirstReport { service: ServiceId, k: u32 },
    /// The next ticket about failure `k` arrives (stale once the service is up).
    TicketArrives { service: ServiceId, k: u32 },
    /// Rule `index` (counted through the loops) of the strategy's escalation policy fires
    /// for failure `k` (model.md §8.7; stale once the policy stopped governing it).
    PolicyRule {
        service: ServiceId,
        k: u32,
        index: u32,
    },
    /// The on-call engineer of `tier` sent the policy's page number `page` acknowledges
    /// (stale if the page stood down).
    PolicyAck {
        tier: TierId,
        service: ServiceId,
        page: u32,
    },
    /// A service's maintenance falls due (model.md §8.6); an age-policy timer is stale unless
    /// `epoch` is the service's current maintenance epoch.
    MaintenanceDue { service: ServiceId, epoch: u32 },
    /// The service's `n`-th change is deployed (model.md §8.12).
    ChangeDeployed { service: ServiceId, n: u32 },
    /// Users report the service's symptom `n` (model.md §8.11); stale unless it is still
    /// pending.
    SymptomReported { service: ServiceId, n: u32 },
}

// The alignment must not grow the timer that every queue slot holds.
const _: () = assert!(std::mem::size_of::<Timer>() == 24);

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
    /// Per service its own failure's ticket flood, then per service its symptom's.
    tickets: Vec<tickets::TicketFlood>,
    /// Per service: its symptom incident (model.md §8.11).
    symptoms: Vec<symptoms::SymptomState>,
    /// The dependency graph as symptoms need it.
    deps: symptoms::Dependencies,
    /// Per service: the escalation policy governing its open incident (model.md §8.7).
    policy_runs: Vec<on_call::PolicyRun>,
    /// Some tier's queue or staff changed at the current instant: dispatch once every timer
    /// due at this instant has fired (rule 15).
    dispatch_pending: bool,
    /// The marked tiers (their `dirty` set) as bits, tier `i` at bit `i`: a dispatch pass
    /// visits only these. With more than 64 tiers the pass reads the flags instead.
    dirty_tiers: u64,
    queue_seq: u64,
    next_alarm: u32,
    alarm_rng: Option<StreamRng>,
    events: u64,
    /// Per service, the common draws of failures 0, 1, … of the current replication, filled
    /// by the first strategy and read by the others. Cleared whenever a run may be of another
    /// replication or scenario.
    common_draws: Vec<Vec<Option<failures::CommonDraws>>>,
    /// A failure whose start is pinned (the drill's debrief, `timeline --compare`).
    pin: decisions::Pin,
    /// The drill's people decided to page (true) or not to page (false) the incident waiting
    /// at the tier, against the rule (model.md §8.2).
    paging_override: Option<(crate::events::IncidentId, TierId, bool)>,
}

/// Everything a handler needs to read: the scenario, the strategy and the run's key.
struct Ctx<'a> {
    scenario: &'a Scenario,
    strategy: &'a Strategy,
    /// The tiers as this strategy runs them (its overrides applied, model.md §8.13).
    tiers: &'a [Tier],
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
        self.forget_common_draws(scenario);
        self.run_strategy(scenario, strategy, rep, sink)
    }

    /// Simulate replication `rep` of every strategy in scenario order, each into `sink`;
    /// `after(strategy, sink, stats)` reads the sink before the next strategy begins. The same
    /// histories as [`Simulator::run`] per strategy, but each failure's common draws are
    /// computed once for all strategies.
    pub fn run_each_strategy<S: EventSink>(
        &mut self,
        scenario: &Scenario,
        rep: u64,
        sink: &mut S,
        after: impl FnMut(usize, &mut S, RunStats),
    ) {
        // Every strategy in order: its position is its index.
        self.run_strategies(scenario, 0..scenario.strategies.len(), rep, sink, after);
    }

    /// [`Simulator::run_each_strategy`] for the strategies `which` only (indices into the
    /// scenario's, in the order given): `after(position, sink, stats)` follows each. Each
    /// strategy's history is the one [`Simulator::run`] gives it; the common draws are made
    /// once for all of them (selection simulates only the strategies still in the race).
    pub fn run_strategies<S: EventSink>(
        &mut self,
        scenario: &Scenario,
        which: impl IntoIterator<Item = usize>,
        rep: u64,
        sink: &mut S,
        mut after: impl FnMut(usize, &mut S, RunStats),
    ) {
        // The cache is valid only within this call: one scenario, one replication.
        self.forget_common_draws(scenario);
        for (position, strategy) in which.into_iter().enumerate() {
            let stats = self.run_strategy(scenario, strategy, rep, sink);
            after(position, sink, stats);
        }
    }

    /// Empty the common-draws cache, keeping its buffers.
    fn forget_common_draws(&mut self, scenario: &Scenario) {
        self.common_draws
            .resize_with(scenario.services.len(), Vec::new);
        self.common_draws.truncate(scenario.services.len());
        for draws in &mut self.common_draws {
            draws.clear();
        }
    }

    fn run_strategy<S: EventSink>(
        &mut self,
        scenario: &Scenario,
        strategy: usize,
        rep: u64,
        sink: &mut S,
    ) -> RunStats {
        let ctx = Ctx {
            scenario,
            strategy: &scenario.strategies[strategy],
            tiers: scenario.tiers_of(strategy),
            seed: scenario.simulation.seed,
            rep,
        };
        let horizon = scenario.simulation.horizon_minutes;
        sink.begin(rep, strategy);
        self.reset(&ctx);
        self.schedule_first_failures(&ctx);
        self.start_false_alarms(&ctx);
        self.schedule_first_maintenance(&ctx);
        self.schedule_first_changes(&ctx);

        while let Some((t, timer)) = self.scheduler.pop_before(horizon) {
            self.handle(&ctx, t, timer, sink);
            // Rule 15: everything due at `t` is applied before anyone picks up work.
            if self.dispatch_pending && !self.scheduler.next_is_due_now() {
                self.dispatch_all(&ctx, t, sink);
            }
        }
        self.emit(sink, horizon, EventKind::HorizonReached);
        RunStats {
            events: self.events,
            timers: self.scheduler.fired(),
        }
    }

    fn reset(&mut self, ctx: &Ctx) {
        // One keyed timer per service: its next failure start, or while a failure degrades its
        // outage start (see `failure_starts`).
        self.scheduler.reset_with_keyed(ctx.scenario.services.len());
        self.services.clear();
        self.services
            .resize(ctx.scenario.services.len(), ServiceState::default());
        self.reset_tiers(ctx);
        self.reset_tickets(ctx);
        self.reset_symptoms(ctx);
        self.reset_policy_runs(ctx);
        self.dispatch_pending = false;
        self.dirty_tiers = 0;
        self.queue_seq = 0;
        self.next_alarm = 0;
        self.alarm_rng = None;
        self.events = 0;
        self.paging_override = None;
    }

    #[inline]
    fn emit<S: EventSink>(&mut self, sink: &mut S, t: Minutes, kind: EventKind) {
        self.events += 1;
        sink.emit(&Event { t, kind });
    }

    /// Apply one timer: the only place that knows every kind of timer.
    ///
    /// Inlined into the run loop together with the handlers most events reach (each marked
    /// `#[inline(always)]`), so a run's hot path is one function without call boundaries;
    /// their rare branches call [`rarely`], which keeps the merged function's spills off that
    /// path. Inlined without those hints the loop ran slower than with the calls (README,
    /// Performance, batch 11).
    #[inline(always)]
    fn handle<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, timer: Timer, sink: &mut S) {
        match timer {
            Timer::FailureStarts { service, epoch } => {
                if self.services[service as usize].epoch == epoch {
                    self.failure_starts(ctx, t, service, sink)
                }
            }
            Timer::DegradationCaught { service } => self.degradation_caught(ctx, t, service, sink),
            Timer::OutageStarts { service, k } => {
                let s = &self.services[service as usize];
                if s.open && s.k == k && !s.down {
                    self.outage_starts(ctx, t, service, sink);
                }
            }
            Timer::OutageDetected { service, detection } => {
                self.detect(ctx, t, service, detection, sink)
            }
            Timer::HandoffDone { incident, tier } => {
                self.handoff_done(ctx, t, incident, tier, sink)
            }
            Timer::WorkDone {
                tier,
                shift,
                item,
                able,
                workaround,
            } => self.work_done(ctx, t, tier, shift, item, able, workaround, sink),
            Timer::FalseAlarm => self.false_alarm(ctx, t, sink),
            Timer::Acknowledged { tier, incident } => {
                rarely();
                self.acknowledged(ctx, t, tier, incident, sink)
            }
            Timer::TierOpens { tier } => {
                rarely();
                self.tier_opens(t, tier)
            }
            Timer::FirstReport { service, k } => {
                rarely();
                self.first_report(ctx, t, service, k)
            }
            Timer::TicketArrives { service, k } => {
                rarely();
                self.ticket_arrives(ctx, t, service, k, sink)
            }
            Timer::PolicyRule { service, k, index } => {
                rarely();
                self.policy_rule(ctx, t, service, k, index, sink)
            }
            Timer::PolicyAck {
                tier,
                service,
                page,
            } => {
                rarely();
                self.policy_ack(ctx, t, tier, service, page, sink)
            }
            Timer::MaintenanceDue { service, epoch } => {
                rarely();
                self.maintenance_due(ctx, t, service, epoch, sink)
            }
            Timer::ChangeDeployed { service, n } => self.change_deployed(ctx, t, service, n, sink),
            Timer::SymptomReported { service, n } => {
                rarely();
                self.symptom_reported(ctx, t, service, n, sink)
            }
        }
    }
}
