//! The metrics projection: one replication of one strategy → [`RepMetrics`].

use crate::events::{Event, EventKind, EventSink, WorkItem};
use crate::scenario::{Effect, MINUTES_PER_YEAR, Minutes, Scenario, Service, calendar};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Number of cumulative-cost checkpoints over the horizon (at H·j/52, j = 1…52).
pub const CHECKPOINTS: usize = 52;
/// Restore times are binned on a log scale: [`RESTORE_BINS_PER_DECADE`] bins per decade from
/// [`RESTORE_MIN_MINUTES`], plus an underflow (first) and an overflow (last) bin.
pub const RESTORE_BINS: usize = 2 + 7 * RESTORE_BINS_PER_DECADE;
/// Bins per factor of 10 in the restore-time histogram.
pub const RESTORE_BINS_PER_DECADE: usize = 10;
/// Lower edge of the first regular restore-time bin (minutes).
pub const RESTORE_MIN_MINUTES: f64 = 0.1;

/// Metrics of one replication under one strategy (docs/model.md §2 rule 12, costs, §5). The
/// registry in [`crate::metrics`] names, documents and reads each field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepMetrics {
    pub outage_minutes: f64,
    pub degraded_minutes: f64,
    pub availability: f64,
    pub incidents: u64,
    pub outages: u64,
    pub averted: u64,
    pub escalations: u64,
    pub false_alarms: u64,
    /// Undefined (None) when nothing was detected.
    pub mttd_minutes: Option<f64>,
    /// Undefined (None) when no outage ended before the horizon.
    pub mttr_minutes: Option<f64>,
    pub labor_hours: f64,
    pub downtime_cost: f64,
    pub degraded_cost: f64,
    pub labor_cost: f64,
    pub investment_cost: f64,
    pub total_cost: f64,
    /// On-call pages (model.md §8.2).
    #[serde(default)]
    pub pages: u64,
    /// Pages that fell in the paged engineer's sleeping hours.
    #[serde(default)]
    pub pages_asleep: u64,
    /// On-call staff × minutes with no shift of their tier open × standby rate.
    #[serde(default)]
    pub standby_cost: f64,
    /// Pages per tier. Empty (all zero) when no tier has on-call engineers.
    #[serde(default)]
    pub tier_pages: Vec<u64>,
    /// Pages per tier that woke someone. Empty (all zero) when no tier has on-call engineers.
    #[serde(default)]
    pub tier_pages_asleep: Vec<u64>,
    /// Busy minutes per tier (cut at the horizon).
    pub tier_busy_minutes: Vec<f64>,
    /// Mean wait in each tier's queue over incident work items started there (None if none).
    pub tier_queue_wait_minutes: Vec<Option<f64>>,
    /// Outage minutes per service (own and inherited).
    pub service_outage_minutes: Vec<f64>,
    /// Tickets filed (model.md §8.4).
    #[serde(default)]
    pub tickets: u64,
    /// Tickets deflected by the status page (not filed).
    #[serde(default)]
    pub tickets_deflected: u64,
    /// Salaried cost of the staffed engineers over the horizon (model.md §8.13).
    #[serde(default)]
    pub fixed_labor_cost: f64,
    /// SLA breaches: a response and a resolution breach of one incident are two.
    #[serde(default)]
    pub sla_breaches: u64,
    /// Penalties of those breaches.
    #[serde(default)]
    pub sla_penalty_cost: f64,
    /// Workaround attempts (model.md §8.8).
    #[serde(default)]
    pub workarounds: u64,
    /// Failures that recurred from a worked-around root cause (§8.9).
    #[serde(default)]
    pub recurrences: u64,
    /// Root-cause fixes done (§8.9).
    #[serde(default)]
    pub problems_fixed: u64,
    /// Minutes a service was down only because a dependency was (docs/model.md §8.10), summed
    /// over services; already included in `outage_minutes`.
    #[serde(default)]
    pub inherited_outage_minutes: f64,
    /// Inherited outage minutes per service (included in `service_outage_minutes`). Empty
    /// (all zero) for scenarios without `depends_on`.
    #[serde(default)]
    pub service_inherited_outage_minutes: Vec<f64>,
    /// Engineer hours of preventive maintenance (model.md §8.6; also in `labor_hours`).
    #[serde(default)]
    pub maintenance_hours: f64,
    /// Minutes services were planned-down for maintenance (not outage minutes).
    #[serde(default)]
    pub planned_minutes: f64,
    /// Cost of those minutes (already in `downtime_cost`).
    #[serde(default)]
    pub planned_cost: f64,
    /// Changes deployed (model.md §8.12).
    #[serde(default)]
    pub changes: u64,
    /// Changes that failed a service (their incidents are in `incidents`).
    #[serde(default)]
    pub change_failures: u64,
    /// Symptom incidents reported (model.md §8.11; not in `incidents`).
    #[serde(default)]
    pub symptom_incidents: u64,
    /// Engineer hours spent troubleshooting symptom incidents (also in `labor_hours`).
    #[serde(default)]
    pub symptom_hours: f64,
    /// Per service: the downtime cost it caused as a root cause, its own minutes and those
    /// its dependants inherited from it, at the dependants' rates (model.md §8.10). Empty for
    /// scenarios without `depends_on`.
    #[serde(default)]
    pub service_root_cause_cost: Vec<f64>,
}

/// The chart material of one replication: bounded in size whatever the number of events.
#[derive(Debug, Clone, PartialEq)]
pub struct RepCurves {
    /// Counts of restore times (outage start → up) per log bin.
    pub restore_hist: [u32; RESTORE_BINS],
    /// Cumulative total cost at H·j/52, j = 1…52 (labor counted when work starts).
    pub cost_checkpoints: [f64; CHECKPOINTS],
}

/// Which log bin a restore time falls in.
pub fn restore_bin(minutes: f64) -> usize {
    if minutes < RESTORE_MIN_MINUTES {
        return 0;
    }
    let pos = ((minutes / RESTORE_MIN_MINUTES).log10() * RESTORE_BINS_PER_DECADE as f64).floor();
    // Saturating: a huge time (up to f64::MAX) belongs in the last bin, not a wrapped bin 0.
    (pos as usize).saturating_add(1).min(RESTORE_BINS - 1)
}

/// [`restore_bin`] without a logarithm (it runs at every outage's end): a binary search of
/// the bins' lower edges. The edges are rounded, and so is `restore_bin`'s logarithm, so a
/// time within a billionth of an edge (where rounding could decide) and a time that is not
/// finite or beyond 1e300 take `restore_bin` itself: elsewhere the two cannot differ, since both errors are
/// about 1e-15 relative.
#[inline]
fn restore_bin_searched(minutes: f64) -> usize {
    if minutes < RESTORE_MIN_MINUTES {
        return 0;
    }
    // Not finite, or so large that `minutes / 0.1` overflows (restore_bin then wraps to 0).
    if minutes.is_nan() || minutes >= 1e300 {
        return restore_bin(minutes);
    }
    let edges = &*EDGES;
    // Bins below `bin` start at or before `minutes`: edges[0] = 0.1 ≤ minutes, so bin ≥ 1.
    let bin = match FirstEdges::cell(minutes) {
        // At most one edge lies inside a cell: one comparison finishes the count.
        Some(cell) => {
            let below = FIRST_EDGES.counts[cell] as usize;
            below + usize::from(edges.get(below).is_some_and(|&edge| edge <= minutes))
        }
        None => edges.partition_point(|&edge| edge <= minutes),
    };
    let near = |edge: f64| (minutes - edge).abs() <= edge * 1e-9;
    if near(edges[bin - 1]) || edges.get(bin).is_some_and(|&edge| near(edge)) {
        return restore_bin(minutes);
    }
    bin
}

/// How many bin edges lie at or below the lower end of each *cell*: a range of times with one
/// binary exponent and the same top [`FirstEdges::MANTISSA_BITS`] bits of mantissa, from
/// 2⁻⁴ (below the first edge, 0.1) to 2²⁰ (above the last, 10⁶). A cell spans a ratio of at
/// most 1 + 1/16, below the 10^(1/10) between two edges, so at most one edge lies inside it.
///
/// Why: a restore time's bin was a binary search of the 71 edges at every outage's end, seven
/// dependent, unpredictable comparisons that took 4 % of a benchmark run's time (`perf`) for
/// 1 % of its instructions; a table read and one comparison give the same count.
struct FirstEdges {
    counts: [u8; Self::CELLS],
}

impl FirstEdges {
    const MANTISSA_BITS: u32 = 4;
    /// The lowest binary exponent covered (2⁻⁴ = 0.0625 < 0.1).
    const MIN_EXPONENT: i32 = -4;
    /// Binary exponents −4 … 19 (2²⁰ > 10⁶, the last edge).
    const EXPONENTS: usize = 24;
    const CELLS: usize = Self::EXPONENTS << Self::MANTISSA_BITS;

    /// The top bits (biased exponent and leading mantissa bits) of cell 0's lower end.
    const FIRST: u64 = ((1023 + Self::MIN_EXPONENT) as u64) << Self::MANTISSA_BITS;

    /// The cell of a positive finite time, if the table covers it.
    #[inline]
    fn cell(minutes: f64) -> Option<usize> {
        let index = (minutes.to_bits() >> (52 - Self::MANTISSA_BITS)).checked_sub(Self::FIRST)?;
        (index < Self::CELLS as u64).then_some(index as usize)
    }

    /// The lower end of `cell` (of the first time past the table for `CELLS`).
    fn low(cell: usize) -> f64 {
        f64::from_bits((Self::FIRST + cell as u64) << (52 - Self::MANTISSA_BITS))
    }

    /// The table for `edges`, each count taken at its cell's lower end.
    fn new(edges: &[f64]) -> FirstEdges {
        FirstEdges {
            counts: std::array::from_fn(|cell| {
                let low = Self::low(cell);
                edges.partition_point(|&edge| edge <= low) as u8
            }),
        }
    }
}

/// Lower edges of bins 1 … RESTORE_BINS − 1.
static EDGES: LazyLock<[f64; RESTORE_BINS - 1]> =
    LazyLock::new(|| std::array::from_fn(|i| restore_bin_lower_edge(i + 1)));

static FIRST_EDGES: LazyLock<FirstEdges> = LazyLock::new(|| FirstEdges::new(&*EDGES));

/// Lower edge (minutes) of log bin `i` ≥ 1.
pub fn restore_bin_lower_edge(i: usize) -> f64 {
    RESTORE_MIN_MINUTES * 10f64.powf((i as f64 - 1.0) / RESTORE_BINS_PER_DECADE as f64)
}

/// A service's condition, worst last (docs/model.md §8.10: UP < DEGRADED < PLANNED < DOWN;
/// a dependency passes planned maintenance on like any state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Condition {
    #[default]
    Up,
    Degraded,
    Planned,
    Down,
}

#[derive(Debug, Clone, Copy, Default)]
struct ServiceTrack {
    failure_start: Minutes,
    outage_start: Minutes,
    /// Detection time of the open incident (its SLA clocks start here), if detected.
    detected_at: Option<Minutes>,
    /// Some work on the open incident has started (its response is measured).
    worked: bool,
    /// The service's own condition (its own failure).
    own: Condition,
    /// The worse of its own and its inherited condition: what the minutes are counted as.
    state: Condition,
    /// Whether the open segment's DOWN is the service's own (else inherited).
    own_down: bool,
    /// Start of the open accounting segment (same `state` and `own_down` since then).
    since: Minutes,
    /// The service whose own trouble the state comes from (itself when its own condition is
    /// at least as bad as what it inherits; §8.10 cost by root cause).
    cause: usize,
    /// Since when `state` has come from `cause`.
    cause_since: Minutes,
    /// Minutes counted so far in each category (closed segments).
    outage_minutes: f64,
    /// Of `outage_minutes`, those inherited from a dependency.
    inherited_outage_minutes: f64,
    degraded_minutes: f64,
    planned_minutes: f64,
    /// The tier and end of the time box under way on the service's symptom.
    symptom_work: Option<(usize, Minutes)>,
    /// The cost per minute in each [`Condition`] (indexed by it; 0 when up), set at reset
    /// next to the counters so the per-event path reads one record per service.
    rates: [f64; 4],
    /// The terms of the SLA of the service's priority (model.md §8.13), if any.
    sla: Option<SlaTerms>,
}

/// What one tier counts in a replication, next to the strategy's costs of that tier (one
/// record per tier: a work start reads and writes one).
#[derive(Debug, Clone, Copy, Default)]
struct TierTrack {
    /// Busy minutes (cut at the horizon).
    busy_minutes: f64,
    /// Waits in the queue of incident work items started here, and how many.
    wait_sum: f64,
    wait_count: u64,
    pages: u64,
    /// Pages that woke someone.
    pages_asleep: u64,
    /// The strategy's hourly cost, vendor fee per incident and on-call callout cost.
    hourly_cost: f64,
    fee: f64,
    callout: Option<f64>,
}

/// A service's cost per minute in each [`Condition`] (indexed by it): 0 up, the downtime rate
/// down, its degraded and planned fractions of it otherwise.
fn condition_rates(service: &Service) -> [f64; 4] {
    let outage = service.downtime_cost_per_hour / 60.0;
    let mut rates = [0.0; 4];
    rates[Condition::Degraded as usize] = outage * service.degraded_cost_fraction;
    rates[Condition::Planned as usize] = outage * service.planned_downtime_cost_fraction;
    rates[Condition::Down as usize] = outage;
    rates
}

/// The terms of one SLA as the per-event path reads them (model.md §8.13).
#[derive(Debug, Clone, Copy)]
struct SlaTerms {
    /// Detection → first work start allowed; ∞ without a response clock.
    respond_minutes: Minutes,
    /// Detection → resolution allowed; ∞ without a resolution clock.
    resolve_minutes: Minutes,
    /// Money per breach.
    penalty: f64,
}

/// Folds one replication's events (of one strategy) into [`RepMetrics`] and [`RepCurves`].
///
/// Reusable: [`EventSink::begin`] resets it, keeping its buffers.
#[derive(Debug, Clone)]
pub struct MetricsProjection<'a> {
    scenario: &'a Scenario,
    strategy: usize,
    services: Vec<ServiceTrack>,
    tiers: Vec<TierTrack>,
    /// Busy minutes of maintenance work (cut at the horizon).
    maintenance_minutes: f64,
    /// Busy minutes on symptom incidents (cut at the horizon; work stopped early is taken
    /// back).
    symptom_minutes: f64,
    symptom_incidents: u64,
    /// Per service: downtime cost caused as a root cause so far (only with dependencies).
    root_cause_cost: Vec<f64>,
    /// Services with dependencies first after theirs (empty when no service has one, so a
    /// scenario without dependencies takes the one-service path).
    dependency_order: Vec<usize>,
    incidents: u64,
    outages: u64,
    averted: u64,
    escalations: u64,
    false_alarms: u64,
    workarounds: u64,
    recurrences: u64,
    problems_fixed: u64,
    changes: u64,
    change_failures: u64,
    detect_sum: f64,
    detect_count: u64,
    restore_sum: f64,
    restore_count: u64,
    tickets: u64,
    tickets_deflected: u64,
    sla_breaches: u64,
    sla_penalty_cost: f64,
    /// Per service × tier: the tier's vendor fee is charged for the open incident already.
    fee_charged: Vec<bool>,
    /// Some tier of the strategy charges a fee per incident (else `fee_charged` is never
    /// read: adding a zero fee to the labor cost changes no bit, so it is skipped).
    any_fee: bool,
    /// The scenario's horizon (cached: read on every work start).
    horizon: Minutes,
    /// Salaried cost of the whole horizon (accrues evenly, like the investment).
    fixed_labor_cost: f64,
    /// Labor cost of work started so far (cut at the horizon), vendor fees included.
    labor_cost: f64,
    closed_downtime_cost: f64,
    /// Standby cost accrued by each checkpoint (the same in every replication).
    standby_at_checkpoint: [f64; CHECKPOINTS],
    curves: RepCurves,
    next_checkpoint: usize,
    /// Time of `next_checkpoint` (cached: compared on every event).
    next_checkpoint_at: Minutes,
    finished: bool,
}

impl<'a> MetricsProjection<'a> {
    /// A projection for strategy index `strategy` of the scenario.
    pub fn new(scenario: &'a Scenario, strategy: usize) -> Self {
        let mut p = MetricsProjection {
            scenario,
            strategy,
            services: Vec::new(),
            tiers: Vec::new(),
            maintenance_minutes: 0.0,
            symptom_minutes: 0.0,
            symptom_incidents: 0,
            root_cause_cost: Vec::new(),
            dependency_order: if scenario.services.iter().any(|s| !s.depends_on.is_empty()) {
                crate::scenario::dependency_order(scenario)
            } else {
                Vec::new()
            },
            incidents: 0,
            outages: 0,
            averted: 0,
            escalations: 0,
            false_alarms: 0,
            workarounds: 0,
            recurrences: 0,
            problems_fixed: 0,
            changes: 0,
            change_failures: 0,
            detect_sum: 0.0,
            detect_count: 0,
            restore_sum: 0.0,
            restore_count: 0,
            tickets: 0,
            tickets_deflected: 0,
            sla_breaches: 0,
            sla_penalty_cost: 0.0,
            fee_charged: Vec::new(),
            any_fee: false,
            horizon: scenario.simulation.horizon_minutes,
            fixed_labor_cost: 0.0,
            labor_cost: 0.0,
            closed_downtime_cost: 0.0,
            standby_at_checkpoint: standby_checkpoints(scenario, strategy),
            curves: RepCurves {
                restore_hist: [0; RESTORE_BINS],
                cost_checkpoints: [0.0; CHECKPOINTS],
            },
            next_checkpoint: 0,
            next_checkpoint_at: 0.0,
            finished: false,
        };
        p.reset(strategy);
        p
    }

    fn reset(&mut self, strategy: usize) {
        let n_services = self.scenario.services.len();
        let n_tiers = self.scenario.tiers.len();
        // A strategy's tier overrides may change the on-call rota (model.md §8.13).
        if strategy != self.strategy && !self.scenario.strategies.iter().all(|s| s.tiers.is_empty())
        {
            self.standby_at_checkpoint = standby_checkpoints(self.scenario, strategy);
        }
        self.strategy = strategy;
        let scn = self.scenario;
        self.services.clear();
        self.services
            .extend(scn.services.iter().enumerate().map(|(i, s)| {
                ServiceTrack {
                    cause: i,
                    rates: condition_rates(s),
                    sla: scn
                        .slas
                        .iter()
                        .find(|sla| sla.priority == s.priority)
                        .map(|sla| SlaTerms {
                            // No clock: a deadline never passed (`x > ∞` is false for every x).
                            respond_minutes: sla.respond_minutes.unwrap_or(f64::INFINITY),
                            resolve_minutes: sla.resolve_minutes.unwrap_or(f64::INFINITY),
                            penalty: sla.penalty,
                        }),
                    ..ServiceTrack::default()
                }
            }));
        self.tiers.clear();
        self.tiers.resize(n_tiers, TierTrack::default());
        for (track, tier) in self.tiers.iter_mut().zip(scn.tiers_of(strategy)) {
            track.hourly_cost = tier.hourly_cost;
            track.fee = tier.cost_per_incident;
            track.callout = tier.on_call.as_ref().map(|o| o.callout_cost);
        }
        self.symptom_minutes = 0.0;
        self.symptom_incidents = 0;
        self.root_cause_cost.clear();
        if !self.dependency_order.is_empty() {
            self.root_cause_cost.resize(n_services, 0.0);
        }
        self.maintenance_minutes = 0.0;
        self.changes = 0;
        self.change_failures = 0;
        self.incidents = 0;
        self.outages = 0;
        self.averted = 0;
        self.escalations = 0;
        self.false_alarms = 0;
        self.workarounds = 0;
        self.recurrences = 0;
        self.problems_fixed = 0;
        self.detect_sum = 0.0;
        self.detect_count = 0;
        self.restore_sum = 0.0;
        self.restore_count = 0;
        self.tickets = 0;
        self.tickets_deflected = 0;
        self.sla_breaches = 0;
        self.sla_penalty_cost = 0.0;
        self.fee_charged.clear();
        self.fee_charged.resize(n_services * n_tiers, false);
        self.any_fee = scn
            .tiers_of(strategy)
            .iter()
            .any(|t| t.cost_per_incident != 0.0);
        self.fixed_labor_cost = fixed_labor_cost(scn, strategy);
        self.labor_cost = 0.0;
        self.closed_downtime_cost = 0.0;
        self.curves.restore_hist = [0; RESTORE_BINS];
        self.curves.cost_checkpoints = [0.0; CHECKPOINTS];
        self.next_checkpoint = 0;
        self.next_checkpoint_at = self.checkpoint_time(0);
        self.finished = false;
    }

    fn horizon(&self) -> Minutes {
        self.horizon
    }

    fn investment_until(&self, t: Minutes) -> f64 {
        investment_cost(self.scenario.strategies[self.strategy].annual_cost, t)
    }

    /// Total cost accrued by time `t` (open outages and degradations counted up to `t`).
    fn cost_at(&self, t: Minutes) -> f64 {
        let mut downtime = self.closed_downtime_cost;
        for s in &self.services {
            if s.state != Condition::Up {
                downtime += (t - s.since) * s.rates[s.state as usize];
            }
        }
        downtime
            + self.labor_cost
            + self.fixed_labor_cost * t / self.horizon()
            + self.sla_penalty_cost
            + self.investment_until(t)
    }

    /// One SLA breach of the incident open on a service (model.md §8.13).
    fn breach(&mut self, penalty: f64) {
        self.sla_breaches += 1;
        self.sla_penalty_cost += penalty;
    }

    /// At the horizon: an open, detected incident whose deadline has passed is a breach.
    fn open_breaches_at_horizon(&mut self, horizon: Minutes) {
        for service in 0..self.services.len() {
            let track = self.services[service];
            let (Some(terms), Some(detected)) = (track.sla, track.detected_at) else {
                continue;
            };
            if !track.worked && horizon - detected > terms.respond_minutes {
                self.breach(terms.penalty);
            }
            if horizon - detected > terms.resolve_minutes {
                self.breach(terms.penalty);
            }
        }
    }

    fn checkpoint_time(&self, index: usize) -> Minutes {
        self.horizon() * (index + 1) as f64 / CHECKPOINTS as f64
    }

    /// Record every checkpoint at or before `t` (events at `t` not yet applied). A checkpoint
    /// at exactly `t` is taken before the events at `t`, except the last one (the horizon),
    /// which is taken after everything.
    #[inline(always)]
    fn advance_checkpoints(&mut self, t: Minutes) {
        // Compared on every event, passed about once per 400: the loop stays out of line.
        if t >= self.next_checkpoint_at {
            self.record_checkpoints(t);
        }
    }

    /// The projection, its checkpoints advanced to `t`: every event that counts reaches its
    /// state through this, so checkpoints at or before `t` read the state before the event.
    #[inline(always)]
    fn at(&mut self, t: Minutes) -> &mut Self {
        self.advance_checkpoints(t);
        self
    }

    /// The loop of [`MetricsProjection::advance_checkpoints`], once a checkpoint is due.
    #[cold]
    #[inline(never)]
    fn record_checkpoints(&mut self, t: Minutes) {
        while self.next_checkpoint < CHECKPOINTS {
            let at = self.next_checkpoint_at;
            if at > t || (at == t && t < self.horizon()) {
                return;
            }
            self.curves.cost_checkpoints[self.next_checkpoint] =
                self.cost_at(at) + self.standby_at_checkpoint[self.next_checkpoint];
            self.next_checkpoint += 1;
            self.next_checkpoint_at = self.checkpoint_time(self.next_checkpoint);
        }
    }

    /// Close the open accounting segment of `service` at `t`: its minutes go to the category
    /// of its state (each minute counted once, in the worse category, §8.10).
    #[inline]
    fn close_segment(&mut self, service: usize, t: Minutes) {
        let s = &mut self.services[service];
        let minutes = t - s.since;
        match s.state {
            Condition::Down => {
                s.outage_minutes += minutes;
                if !s.own_down {
                    s.inherited_outage_minutes += minutes;
                }
            }
            Condition::Degraded => s.degraded_minutes += minutes,
            Condition::Planned => s.planned_minutes += minutes,
            Condition::Up => return,
        }
        self.closed_downtime_cost += minutes * s.rates[s.state as usize];
    }

    /// Charge `service`'s minutes since its cause last changed to that cause (§8.10 cost by
    /// root cause; kept apart from the segments so their sums keep their bits).
    fn close_cause(&mut self, service: usize, t: Minutes) {
        let s = self.services[service];
        if s.state != Condition::Up {
            self.root_cause_cost[s.cause] += (t - s.cause_since) * s.rates[s.state as usize];
        }
        self.services[service].cause_since = t;
    }

    /// Give `service` the condition `state`, coming from `cause`'s own trouble, from `t`.
    fn set_state_from(&mut self, service: usize, state: Condition, cause: usize, t: Minutes) {
        let s = self.services[service];
        if s.state != state || s.cause != cause {
            self.close_cause(service, t);
            self.services[service].cause = cause;
        }
        self.set_state(service, state, t);
    }

    /// Give `service` the condition `state` from `t` (a new segment when anything counted
    /// changes).
    #[inline]
    fn set_state(&mut self, service: usize, state: Condition, t: Minutes) {
        let s = self.services[service];
        let own_down = s.own == Condition::Down;
        if s.state == state && s.own_down == own_down {
            return;
        }
        self.close_segment(service, t);
        let s = &mut self.services[service];
        s.state = state;
        s.own_down = own_down;
        s.since = t;
    }

    /// The service's own condition changes at `t`; its dependants' follow (§8.10).
    #[inline]
    fn set_own(&mut self, service: usize, own: Condition, t: Minutes) {
        self.services[service].own = own;
        if self.dependency_order.is_empty() {
            self.set_state(service, own, t);
        } else {
            self.propagate(t);
        }
    }

    /// Every service's state from its own and its dependencies' at `t` (§8.10).
    #[inline(never)]
    fn propagate(&mut self, t: Minutes) {
        // Dependencies come first in the order, so each service sees its dependencies' new
        // states. Index loop: the order is read while states change.
        for k in 0..self.dependency_order.len() {
            let i = self.dependency_order[k];
            let mut state = self.services[i].own;
            let mut cause = i;
            for d in &self.scenario.services[i].depends_on {
                let theirs = self.services[d.service].state;
                let passed = match d.effect {
                    Effect::Down => theirs,
                    Effect::Degraded => theirs.min(Condition::Degraded),
                };
                // Ties go to the service's own trouble, then to the first dependency.
                if passed > state {
                    state = passed;
                    cause = self.services[d.service].cause;
                }
            }
            self.set_state_from(i, state, cause, t);
        }
    }

    /// Apply one event.
    ///
    /// One match decides for every kind of event: the model emits each kind with a known
    /// kind, so once this is inlined into the model only that kind's arm is left.
    #[inline(always)]
    pub fn apply(&mut self, event: &Event) {
        let t = event.t;
        match event.kind {
            // Events that change no counter, no accounting segment and no cost: not even the
            // checkpoint check, since a checkpoint taken at the next event that counts reads
            // the same state (nothing it reads changed in between), so every checkpoint keeps
            // its bits. About 4 events in 10 of the benchmark are such.
            EventKind::DegradationDetected { .. }
            | EventKind::AlertFired { .. }
            | EventKind::UserReported { .. }
            | EventKind::Queued { .. }
            | EventKind::HandedOff { .. }
            | EventKind::AlarmCleared { .. }
            | EventKind::TicketTriaged { .. }
            | EventKind::ProblemOpened { .. }
            | EventKind::ProblemWithdrawn { .. }
            | EventKind::Acknowledged { .. }
            | EventKind::MaintenanceDue { .. }
            | EventKind::MaintenanceWithdrawn { .. } => {}
            EventKind::FailureStarted {
                incident, warning, ..
            } => self
                .at(t)
                .failure_started(incident.service as usize, warning, t),
            EventKind::OutageStarted { incident } => {
                self.at(t).outage_started(incident.service as usize, t)
            }
            EventKind::IncidentOpened { incident, .. } => {
                self.at(t).incident_opened(incident.service as usize, t)
            }
            EventKind::WorkStarted {
                item,
                tier,
                duration,
                waited,
                ..
            } => self
                .at(t)
                .work_started(item, tier as usize, duration, waited, t),
            EventKind::Escalated { incident, .. } if incident.is_symptom() => {
                self.at(t).services[incident.service as usize].symptom_work = None;
            }
            EventKind::Escalated { .. } => self.at(t).escalations += 1,
            EventKind::SymptomOpened { .. } => self.at(t).symptom_incidents += 1,
            EventKind::SymptomWaiting { incident, .. } => {
                self.at(t).services[incident.service as usize].symptom_work = None;
            }
            EventKind::SymptomLinked { incident, .. } | EventKind::SymptomClosed { incident } => {
                self.at(t).symptom_stopped(incident.service as usize, t)
            }
            EventKind::FalseAlarm { .. } => self.at(t).false_alarms += 1,
            EventKind::Resolved {
                incident, averted, ..
            } => self.at(t).resolved(incident.service as usize, averted, t),
            EventKind::OutageEnded { incident } => {
                self.at(t).outage_ended(incident.service as usize, t)
            }
            EventKind::Paged { tier, asleep, .. } => self.at(t).paged(tier as usize, asleep),
            EventKind::HorizonReached => self.horizon_reached(t),
            EventKind::WorkaroundApplied { .. } => self.at(t).workarounds += 1,
            EventKind::Recurred { .. } => self.at(t).recurrences += 1,
            EventKind::ProblemFixed { .. } => self.at(t).problems_fixed += 1,
            EventKind::TicketFiled { .. } => self.at(t).tickets += 1,
            EventKind::MaintenanceStarted { maintenance, .. } => {
                self.at(t)
                    .set_own(maintenance.service as usize, Condition::Planned, t)
            }
            EventKind::MaintenanceDone { maintenance, .. } => {
                self.at(t)
                    .set_own(maintenance.service as usize, Condition::Up, t)
            }
            EventKind::TicketDeflected { .. } => self.at(t).tickets_deflected += 1,
            EventKind::ChangeDeployed { failed, .. } => {
                let p = self.at(t);
                p.changes += 1;
                p.change_failures += u64::from(failed);
            }
        }
    }

    #[inline(always)]
    fn failure_started(&mut self, service: usize, warning: f64, t: Minutes) {
        self.incidents += 1;
        let s = &mut self.services[service];
        s.failure_start = t;
        s.detected_at = None;
        s.worked = false;
        if self.any_fee {
            let n_tiers = self.scenario.tiers.len();
            self.fee_charged[service * n_tiers..(service + 1) * n_tiers].fill(false);
        }
        if warning > 0.0 {
            self.set_own(service, Condition::Degraded, t);
        }
    }

    #[inline]
    fn outage_started(&mut self, service: usize, t: Minutes) {
        self.outages += 1;
        self.services[service].outage_start = t;
        self.set_own(service, Condition::Down, t);
    }

    #[inline]
    fn incident_opened(&mut self, service: usize, t: Minutes) {
        let s = &mut self.services[service];
        s.detected_at = Some(t);
        self.detect_sum += t - s.failure_start;
        self.detect_count += 1;
    }

    #[inline(always)]
    fn work_started(
        &mut self,
        item: WorkItem,
        tier: usize,
        duration: Minutes,
        waited: Minutes,
        t: Minutes,
    ) {
        let busy = (t + duration).min(self.horizon()) - t;
        let tier_track = &mut self.tiers[tier];
        tier_track.busy_minutes += busy;
        self.labor_cost += busy * tier_track.hourly_cost / 60.0;
        match item {
            WorkItem::Maintenance(_) => self.maintenance_minutes += busy,
            WorkItem::Incident(incident) if incident.is_symptom() => {
                // §8.11: labor, but no incident's wait, vendor fee or SLA.
                self.symptom_minutes += busy;
                self.services[incident.service as usize].symptom_work = Some((tier, t + duration));
            }
            WorkItem::Incident(incident) => {
                tier_track.wait_sum += waited;
                tier_track.wait_count += 1;
                let service = incident.service as usize;
                // A vendor's fee: once per incident per tier that works it.
                let slot = service * self.scenario.tiers.len() + tier;
                if self.any_fee && !std::mem::replace(&mut self.fee_charged[slot], true) {
                    self.labor_cost += tier_track.fee;
                }
                let track = &mut self.services[service];
                if !std::mem::replace(&mut track.worked, true)
                    && let (Some(terms), Some(detected)) = (track.sla, track.detected_at)
                    && t - detected > terms.respond_minutes
                {
                    self.breach(terms.penalty);
                }
            }
            WorkItem::FalseAlarm(_) | WorkItem::Ticket(_) | WorkItem::Problem(_) => {}
        }
    }

    /// A symptom's work under way stops now: its remaining minutes were never worked.
    fn symptom_stopped(&mut self, service: usize, t: Minutes) {
        if let Some((tier, end)) = self.services[service].symptom_work.take() {
            let unworked = end.min(self.horizon()) - t;
            if unworked > 0.0 {
                self.tiers[tier].busy_minutes -= unworked;
                self.symptom_minutes -= unworked;
                self.labor_cost -= unworked * self.scenario.tiers[tier].hourly_cost / 60.0;
            }
        }
    }

    #[inline]
    fn resolved(&mut self, service: usize, averted: bool, t: Minutes) {
        let track = &mut self.services[service];
        if let (Some(terms), Some(detected)) = (track.sla, track.detected_at.take())
            && t - detected > terms.resolve_minutes
        {
            self.breach(terms.penalty);
        }
        if averted {
            self.averted += 1;
            self.set_own(service, Condition::Up, t);
        }
    }

    #[inline(always)]
    fn outage_ended(&mut self, service: usize, t: Minutes) {
        let restore = t - self.services[service].outage_start;
        self.set_own(service, Condition::Up, t);
        self.restore_sum += restore;
        self.restore_count += 1;
        self.curves.restore_hist[restore_bin_searched(restore)] += 1;
    }

    #[inline]
    fn paged(&mut self, tier: usize, asleep: bool) {
        let track = &mut self.tiers[tier];
        track.pages += 1;
        track.pages_asleep += u64::from(asleep);
        // §8.2: the callout is labor, paid at the page.
        if let Some(callout) = track.callout {
            self.labor_cost += callout;
        }
    }

    #[cold]
    #[inline(never)]
    fn horizon_reached(&mut self, t: Minutes) {
        // Before the last checkpoint, which must equal the total.
        self.open_breaches_at_horizon(t);
        self.advance_checkpoints(t);
        for service in 0..self.services.len() {
            self.close_segment(service, t);
            if !self.root_cause_cost.is_empty() {
                self.close_cause(service, t);
            }
        }
        self.finished = true;
    }

    /// True once `horizon_reached` has been applied.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The metrics of the replication folded so far (call after `horizon_reached`).
    pub fn metrics(&self) -> RepMetrics {
        let scn = self.scenario;
        let horizon = self.horizon();
        let services = &self.services;
        let tiers = &self.tiers;
        let service_outage_minutes: Vec<f64> = services.iter().map(|s| s.outage_minutes).collect();
        let outage_minutes: f64 = service_outage_minutes.iter().sum();
        let degraded_minutes: f64 = services.iter().map(|s| s.degraded_minutes).sum();
        let degraded_cost: f64 = services
            .iter()
            .map(|s| s.degraded_minutes * s.rates[Condition::Degraded as usize])
            .sum();
        let outage_cost = outage_cost(scn, &service_outage_minutes);
        let planned_cost: f64 = services
            .iter()
            .map(|s| s.planned_minutes * s.rates[Condition::Planned as usize])
            .sum();
        // Without dependencies nobody inherits an outage: an empty column (read as zeros, like
        // `service_root_cause_cost`) instead of a zero per service, which was a fifth of the
        // memory a replication keeps (issue 19).
        let service_inherited_outage_minutes: Vec<f64> = if self.dependency_order.is_empty() {
            Vec::new()
        } else {
            services
                .iter()
                .map(|s| s.inherited_outage_minutes)
                .collect()
        };
        // model.md §8.6: planned minutes cost inside the downtime cost. Adding 0.0 where no
        // service is maintained keeps old scenarios' sums bit for bit.
        let downtime_cost = outage_cost + degraded_cost + planned_cost;
        let tier_busy_minutes: Vec<f64> = tiers.iter().map(|t| t.busy_minutes).collect();
        let busy: f64 = tier_busy_minutes.iter().sum();
        let investment_cost = self.investment_until(horizon);
        let standby_cost = self.standby_at_checkpoint[CHECKPOINTS - 1];
        RepMetrics {
            outage_minutes,
            degraded_minutes,
            availability: 1.0 - outage_minutes / (scn.services.len() as f64 * horizon),
            incidents: self.incidents,
            outages: self.outages,
            averted: self.averted,
            escalations: self.escalations,
            false_alarms: self.false_alarms,
            mttd_minutes: mean(self.detect_sum, self.detect_count),
            mttr_minutes: mean(self.restore_sum, self.restore_count),
            labor_hours: busy / 60.0,
            downtime_cost,
            degraded_cost,
            labor_cost: self.labor_cost,
            investment_cost,
            total_cost: total_cost(&CostParts {
                downtime: downtime_cost,
                labor: self.labor_cost,
                fixed_labor: self.fixed_labor_cost,
                standby: standby_cost,
                sla_penalty: self.sla_penalty_cost,
                investment: investment_cost,
            }),
            pages: tiers.iter().map(|t| t.pages).sum(),
            pages_asleep: tiers.iter().map(|t| t.pages_asleep).sum(),
            standby_cost,
            // Only a tier with on-call engineers is paged (model.md §8.2): without one, empty
            // columns (read as zeros) instead of a zero per tier.
            tier_pages: paged_tiers(tiers, |t| t.pages),
            tier_pages_asleep: paged_tiers(tiers, |t| t.pages_asleep),
            tier_busy_minutes,
            tier_queue_wait_minutes: tiers
                .iter()
                .map(|t| mean(t.wait_sum, t.wait_count))
                .collect(),
            service_outage_minutes,
            tickets: self.tickets,
            tickets_deflected: self.tickets_deflected,
            fixed_labor_cost: self.fixed_labor_cost,
            sla_breaches: self.sla_breaches,
            sla_penalty_cost: self.sla_penalty_cost,
            workarounds: self.workarounds,
            recurrences: self.recurrences,
            problems_fixed: self.problems_fixed,
            // `Sum` of no floats is −0.0: an empty column is a plain 0.
            inherited_outage_minutes: match service_inherited_outage_minutes.as_slice() {
                [] => 0.0,
                column => column.iter().sum(),
            },
            service_inherited_outage_minutes,
            maintenance_hours: self.maintenance_minutes / 60.0,
            planned_minutes: services.iter().map(|s| s.planned_minutes).sum(),
            planned_cost,
            changes: self.changes,
            change_failures: self.change_failures,
            symptom_incidents: self.symptom_incidents,
            symptom_hours: self.symptom_minutes / 60.0,
            service_root_cause_cost: self.root_cause_cost.clone(),
        }
    }

    /// The chart material of the replication folded so far.
    pub fn curves(&self) -> &RepCurves {
        &self.curves
    }
}

/// Per tier `value`, or nothing when no tier has on-call engineers (then every value is 0).
fn paged_tiers(tiers: &[TierTrack], value: impl Fn(&TierTrack) -> u64) -> Vec<u64> {
    if tiers.iter().any(|t| t.callout.is_some()) {
        tiers.iter().map(value).collect()
    } else {
        Vec::new()
    }
}

// The cost formulas below are shared with re-costing (`experiment::recost`), which must
// compute exactly the same bits as a simulation: one function each, used by both.

/// The investment accrued over `minutes` at `annual_cost` per year.
#[inline]
pub fn investment_cost(annual_cost: f64, minutes: Minutes) -> f64 {
    annual_cost * minutes / MINUTES_PER_YEAR
}

/// Salaried cost of every tier's staffed engineers over the horizon (model.md §8.13), the
/// tiers as `strategy` runs them (its overrides applied).
pub fn fixed_labor_cost(scenario: &Scenario, strategy: usize) -> f64 {
    scenario
        .tiers_of(strategy)
        .iter()
        .map(|t| t.annual_cost_per_engineer * t.staffed_engineers() as f64)
        .sum::<f64>()
        * scenario.simulation.horizon_minutes
        / MINUTES_PER_YEAR
}

/// Cost of the outage minutes of each service (in scenario order) at its downtime rate.
pub fn outage_cost(scenario: &Scenario, outage_minutes: &[f64]) -> f64 {
    outage_minutes
        .iter()
        .zip(&scenario.services)
        .map(|(minutes, s)| minutes * (s.downtime_cost_per_hour / 60.0))
        .sum()
}

/// Standby cost of the whole horizon (model.md §8.2) under `strategy`'s tiers; no history
/// changes it.
pub fn standby_cost(scenario: &Scenario, strategy: usize) -> f64 {
    standby_checkpoints(scenario, strategy)[CHECKPOINTS - 1]
}

/// The parts of a replication's total cost.
#[derive(Debug, Clone, Copy)]
pub struct CostParts {
    /// Outage and degraded cost.
    pub downtime: f64,
    /// Hourly labor, vendor fees and callouts.
    pub labor: f64,
    /// Salaried staff.
    pub fixed_labor: f64,
    /// On-call standby.
    pub standby: f64,
    /// SLA penalties.
    pub sla_penalty: f64,
    /// The strategy's investment.
    pub investment: f64,
}

/// Model.md §8.13: every cost the organisation pays, added in this order (the order fixes
/// the rounding).
#[inline]
pub fn total_cost(parts: &CostParts) -> f64 {
    parts.downtime
        + parts.labor
        + parts.fixed_labor
        + parts.standby
        + parts.sla_penalty
        + parts.investment
}

/// Standby cost accrued by each cost checkpoint H·j/52 (model.md §8.2): per tier with on-call,
/// on-call staff × minutes of [0, t) with no shift of the tier open × rate / 60. It depends on
/// the scenario alone, so it is computed once per projection, not per replication.
fn standby_checkpoints(scenario: &Scenario, strategy: usize) -> [f64; CHECKPOINTS] {
    let mut out = [0.0; CHECKPOINTS];
    let horizon = scenario.simulation.horizon_minutes;
    let site = scenario.simulation.utc_offset_minutes;
    for tier in scenario.tiers_of(strategy) {
        let Some(on_call) = &tier.on_call else {
            continue;
        };
        if on_call.standby_cost_per_hour == 0.0 {
            continue;
        }
        let rate = on_call.staff as f64 * on_call.standby_cost_per_hour / 60.0;
        let shifts: Vec<(&crate::scenario::Hours, Minutes)> = (0..tier.shift_count())
            .map(|i| {
                let s = tier.shift(i, site);
                (s.hours, s.ahead_minutes)
            })
            .collect();
        for (j, slot) in out.iter_mut().enumerate() {
            let until = horizon * (j + 1) as f64 / CHECKPOINTS as f64;
            *slot += rate * calendar::minutes_all_closed(&shifts, until);
        }
    }
    out
}

/// Minutes per tier with no shift of the tier open over the horizon: the on-call hours × 60 of
/// a tier with on-call (model.md §8.2), 0 for a tier without.
pub fn on_call_minutes(scenario: &Scenario, strategy: usize) -> Vec<f64> {
    let horizon = scenario.simulation.horizon_minutes;
    let site = scenario.simulation.utc_offset_minutes;
    scenario
        .tiers_of(strategy)
        .iter()
        .map(|tier| {
            if tier.on_call.is_none() {
                return 0.0;
            }
            let shifts: Vec<(&crate::scenario::Hours, Minutes)> = (0..tier.shift_count())
                .map(|i| {
                    let s = tier.shift(i, site);
                    (s.hours, s.ahead_minutes)
                })
                .collect();
            calendar::minutes_all_closed(&shifts, horizon)
        })
        .collect()
}

fn mean(sum: f64, count: u64) -> Option<f64> {
    (count > 0).then(|| sum / count as f64)
}

impl EventSink for MetricsProjection<'_> {
    fn begin(&mut self, _rep: u64, strategy: usize) {
        self.reset(strategy);
    }
    // Always inlined: the model's call sites then keep only their event kind's arm of `apply`.
    #[inline(always)]
    fn emit(&mut self, event: &Event) {
        self.apply(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_bins_are_monotone_and_bounded() {
        assert_eq!(restore_bin(0.01), 0);
        assert_eq!(restore_bin(0.1), 1);
        assert_eq!(restore_bin(1e9), RESTORE_BINS - 1);
        let mut last = 0;
        for i in 0..1000 {
            let b = restore_bin(0.05 * 1.02f64.powi(i));
            assert!(b >= last);
            last = b;
        }
        assert!((restore_bin_lower_edge(11) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn no_cell_of_the_edge_table_holds_two_edges() {
        let edges = &*EDGES;
        let low = FirstEdges::low;
        assert!(low(0) < edges[0] && low(FirstEdges::CELLS) > edges[RESTORE_BINS - 2]);
        for cell in 0..FirstEdges::CELLS {
            let (from, to) = (low(cell), low(cell + 1));
            assert_eq!(FirstEdges::cell(from), Some(cell));
            assert_eq!(FirstEdges::cell(to.next_down()), Some(cell));
            let inside = edges.iter().filter(|&&e| from < e && e < to).count();
            assert!(inside <= 1, "cell {cell}: {inside} edges");
        }
    }

    #[test]
    fn searched_restore_bin_is_restore_bin() {
        let mut times = vec![0.0, -1.0, f64::NAN, f64::MAX, 1e300];
        // Around every edge, ulp by ulp and a little further.
        for i in 1..RESTORE_BINS + 2 {
            let edge = restore_bin_lower_edge(i);
            let mut below = edge;
            let mut above = edge;
            for _ in 0..2000 {
                times.extend([below, above]);
                below = below.next_down();
                above = above.next_up();
            }
            for k in 1..200 {
                let f = k as f64 * 1e-11;
                times.extend([edge * (1.0 - f), edge * (1.0 + f)]);
            }
        }
        // Everywhere else, on a fine log grid.
        let mut t = 1e-3;
        while t < 1e8 {
            times.push(t);
            t *= 1.000_37;
        }
        for t in times {
            let exact = restore_bin(t);
            assert_eq!(restore_bin_searched(t), exact, "time {t:e}");
        }
    }
}
