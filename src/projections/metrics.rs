//! The metrics projection: one replication of one strategy → [`RepMetrics`].

use crate::events::{Event, EventKind, EventSink, WorkItem};
use crate::scenario::{Effect, MINUTES_PER_YEAR, Minutes, Scenario};
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Busy minutes per tier (cut at the horizon).
    pub tier_busy_minutes: Vec<f64>,
    /// Mean wait in each tier's queue over incident work items started there (None if none).
    pub tier_queue_wait_minutes: Vec<Option<f64>>,
    /// Outage minutes per service (own and inherited).
    pub service_outage_minutes: Vec<f64>,
    /// Minutes a service was down only because a dependency was (docs/model.md §8.10), summed
    /// over services; already included in `outage_minutes`.
    #[serde(default)]
    pub inherited_outage_minutes: f64,
    /// Inherited outage minutes per service (included in `service_outage_minutes`).
    #[serde(default)]
    pub service_inherited_outage_minutes: Vec<f64>,
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
    (1 + pos as usize).min(RESTORE_BINS - 1)
}

/// Lower edge (minutes) of log bin `i` ≥ 1.
pub fn restore_bin_lower_edge(i: usize) -> f64 {
    RESTORE_MIN_MINUTES * 10f64.powf((i as f64 - 1.0) / RESTORE_BINS_PER_DECADE as f64)
}

/// A service's condition, worst last (docs/model.md §8.10: UP < DEGRADED < PLANNED < DOWN;
/// planned maintenance is not modelled yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Condition {
    #[default]
    Up,
    Degraded,
    Down,
}

#[derive(Debug, Clone, Copy, Default)]
struct ServiceTrack {
    failure_start: Minutes,
    outage_start: Minutes,
    /// The service's own condition (its own failure).
    own: Condition,
    /// The worse of its own and its inherited condition: what the minutes are counted as.
    state: Condition,
    /// Whether the open segment's DOWN is the service's own (else inherited).
    own_down: bool,
    /// Start of the open accounting segment (same `state` and `own_down` since then).
    since: Minutes,
}

/// Folds one replication's events (of one strategy) into [`RepMetrics`] and [`RepCurves`].
///
/// Reusable: [`EventSink::begin`] resets it, keeping its buffers.
#[derive(Debug, Clone)]
pub struct MetricsProjection<'a> {
    scenario: &'a Scenario,
    strategy: usize,
    services: Vec<ServiceTrack>,
    outage_minutes: Vec<f64>,
    inherited_outage_minutes: Vec<f64>,
    degraded_minutes: Vec<f64>,
    /// Services with dependencies first after theirs (empty when no service has one, so a
    /// scenario without dependencies takes the one-service path).
    dependency_order: Vec<usize>,
    busy_minutes: Vec<f64>,
    wait_sum: Vec<f64>,
    wait_count: Vec<u64>,
    incidents: u64,
    outages: u64,
    averted: u64,
    escalations: u64,
    false_alarms: u64,
    detect_sum: f64,
    detect_count: u64,
    restore_sum: f64,
    restore_count: u64,
    /// Labor cost of work started so far (cut at the horizon).
    labor_cost: f64,
    closed_downtime_cost: f64,
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
            outage_minutes: Vec::new(),
            inherited_outage_minutes: Vec::new(),
            degraded_minutes: Vec::new(),
            dependency_order: if scenario.services.iter().any(|s| !s.depends_on.is_empty()) {
                crate::scenario::dependency_order(scenario)
            } else {
                Vec::new()
            },
            busy_minutes: Vec::new(),
            wait_sum: Vec::new(),
            wait_count: Vec::new(),
            incidents: 0,
            outages: 0,
            averted: 0,
            escalations: 0,
            false_alarms: 0,
            detect_sum: 0.0,
            detect_count: 0,
            restore_sum: 0.0,
            restore_count: 0,
            labor_cost: 0.0,
            closed_downtime_cost: 0.0,
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
        self.strategy = strategy;
        self.services.clear();
        self.services.resize(n_services, ServiceTrack::default());
        for v in [
            &mut self.outage_minutes,
            &mut self.inherited_outage_minutes,
            &mut self.degraded_minutes,
        ] {
            v.clear();
            v.resize(n_services, 0.0);
        }
        for v in [&mut self.busy_minutes, &mut self.wait_sum] {
            v.clear();
            v.resize(n_tiers, 0.0);
        }
        self.wait_count.clear();
        self.wait_count.resize(n_tiers, 0);
        self.incidents = 0;
        self.outages = 0;
        self.averted = 0;
        self.escalations = 0;
        self.false_alarms = 0;
        self.detect_sum = 0.0;
        self.detect_count = 0;
        self.restore_sum = 0.0;
        self.restore_count = 0;
        self.labor_cost = 0.0;
        self.closed_downtime_cost = 0.0;
        self.curves.restore_hist = [0; RESTORE_BINS];
        self.curves.cost_checkpoints = [0.0; CHECKPOINTS];
        self.next_checkpoint = 0;
        self.next_checkpoint_at = self.checkpoint_time(0);
        self.finished = false;
    }

    fn horizon(&self) -> Minutes {
        self.scenario.simulation.horizon_minutes
    }

    fn outage_rate(&self, service: usize) -> f64 {
        self.scenario.services[service].downtime_cost_per_hour / 60.0
    }

    fn degraded_rate(&self, service: usize) -> f64 {
        let s = &self.scenario.services[service];
        s.downtime_cost_per_hour / 60.0 * s.degraded_cost_fraction
    }

    fn investment_until(&self, t: Minutes) -> f64 {
        self.scenario.strategies[self.strategy].annual_cost * t / MINUTES_PER_YEAR
    }

    /// Total cost accrued by time `t` (open outages and degradations counted up to `t`).
    fn cost_at(&self, t: Minutes) -> f64 {
        let mut downtime = self.closed_downtime_cost;
        for (i, s) in self.services.iter().enumerate() {
            match s.state {
                Condition::Down => downtime += (t - s.since) * self.outage_rate(i),
                Condition::Degraded => downtime += (t - s.since) * self.degraded_rate(i),
                Condition::Up => {}
            }
        }
        downtime + self.labor_cost + self.investment_until(t)
    }

    fn checkpoint_time(&self, index: usize) -> Minutes {
        self.horizon() * (index + 1) as f64 / CHECKPOINTS as f64
    }

    /// Record every checkpoint at or before `t` (events at `t` not yet applied). A checkpoint
    /// at exactly `t` is taken before the events at `t`, except the last one (the horizon),
    /// which is taken after everything.
    #[inline]
    fn advance_checkpoints(&mut self, t: Minutes) {
        if t < self.next_checkpoint_at {
            return;
        }
        while self.next_checkpoint < CHECKPOINTS {
            let at = self.next_checkpoint_at;
            if at > t || (at == t && t < self.horizon()) {
                return;
            }
            self.curves.cost_checkpoints[self.next_checkpoint] = self.cost_at(at);
            self.next_checkpoint += 1;
            self.next_checkpoint_at = self.checkpoint_time(self.next_checkpoint);
        }
    }

    /// Close the open accounting segment of `service` at `t`: its minutes go to the category
    /// of its state (each minute counted once, in the worse category, §8.10).
    fn close_segment(&mut self, service: usize, t: Minutes) {
        let s = self.services[service];
        let minutes = t - s.since;
        match s.state {
            Condition::Down => {
                self.outage_minutes[service] += minutes;
                if !s.own_down {
                    self.inherited_outage_minutes[service] += minutes;
                }
                self.closed_downtime_cost += minutes * self.outage_rate(service);
            }
            Condition::Degraded => {
                self.degraded_minutes[service] += minutes;
                self.closed_downtime_cost += minutes * self.degraded_rate(service);
            }
            Condition::Up => {}
        }
    }

    /// Give `service` the condition `state` from `t` (a new segment when anything counted
    /// changes).
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
    fn set_own(&mut self, service: usize, own: Condition, t: Minutes) {
        self.services[service].own = own;
        if self.dependency_order.is_empty() {
            self.set_state(service, own, t);
            return;
        }
        // Dependencies come first in the order, so each service sees its dependencies' new
        // states. Index loop: the order is read while states change.
        for k in 0..self.dependency_order.len() {
            let i = self.dependency_order[k];
            let mut state = self.services[i].own;
            for d in &self.scenario.services[i].depends_on {
                let theirs = self.services[d.service].state;
                let passed = match d.effect {
                    Effect::Down => theirs,
                    Effect::Degraded => theirs.min(Condition::Degraded),
                };
                state = state.max(passed);
            }
            self.set_state(i, state, t);
        }
    }

    /// Apply one event.
    pub fn apply(&mut self, event: &Event) {
        let t = event.t;
        self.advance_checkpoints(t);
        match event.kind {
            EventKind::FailureStarted {
                incident, warning, ..
            } => {
                self.incidents += 1;
                let service = incident.service as usize;
                self.services[service].failure_start = t;
                if warning > 0.0 {
                    self.set_own(service, Condition::Degraded, t);
                }
            }
            EventKind::OutageStarted { incident } => {
                self.outages += 1;
                let service = incident.service as usize;
                self.services[service].outage_start = t;
                self.set_own(service, Condition::Down, t);
            }
            EventKind::IncidentOpened { incident, .. } => {
                let s = &self.services[incident.service as usize];
                self.detect_sum += t - s.failure_start;
                self.detect_count += 1;
            }
            EventKind::WorkStarted {
                item,
                tier,
                duration,
                waited,
                ..
            } => {
                let tier = tier as usize;
                let busy = (t + duration).min(self.horizon()) - t;
                self.busy_minutes[tier] += busy;
                self.labor_cost += busy * self.scenario.tiers[tier].hourly_cost / 60.0;
                if let WorkItem::Incident(_) = item {
                    self.wait_sum[tier] += waited;
                    self.wait_count[tier] += 1;
                }
            }
            EventKind::Escalated { .. } => self.escalations += 1,
            EventKind::FalseAlarm { .. } => self.false_alarms += 1,
            EventKind::Resolved {
                incident, averted, ..
            } => {
                if averted {
                    self.averted += 1;
                    self.set_own(incident.service as usize, Condition::Up, t);
                }
            }
            EventKind::OutageEnded { incident } => {
                let service = incident.service as usize;
                let restore = t - self.services[service].outage_start;
                self.set_own(service, Condition::Up, t);
                self.restore_sum += restore;
                self.restore_count += 1;
                self.curves.restore_hist[restore_bin(restore)] += 1;
            }
            EventKind::HorizonReached => {
                self.advance_checkpoints(t);
                for service in 0..self.services.len() {
                    self.close_segment(service, t);
                }
                self.finished = true;
            }
            EventKind::DegradationDetected { .. }
            | EventKind::AlertFired { .. }
            | EventKind::UserReported { .. }
            | EventKind::Queued { .. }
            | EventKind::HandedOff { .. }
            | EventKind::AlarmCleared { .. } => {}
        }
    }

    /// True once `horizon_reached` has been applied.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The metrics of the replication folded so far (call after `horizon_reached`).
    pub fn metrics(&self) -> RepMetrics {
        let scn = self.scenario;
        let horizon = self.horizon();
        let outage_minutes: f64 = self.outage_minutes.iter().sum();
        let degraded_minutes: f64 = self.degraded_minutes.iter().sum();
        let degraded_cost: f64 = (0..self.services.len())
            .map(|i| self.degraded_minutes[i] * self.degraded_rate(i))
            .sum();
        let outage_cost: f64 = (0..self.services.len())
            .map(|i| self.outage_minutes[i] * self.outage_rate(i))
            .sum();
        let downtime_cost = outage_cost + degraded_cost;
        let busy: f64 = self.busy_minutes.iter().sum();
        let investment_cost = self.investment_until(horizon);
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
            total_cost: downtime_cost + self.labor_cost + investment_cost,
            tier_busy_minutes: self.busy_minutes.clone(),
            tier_queue_wait_minutes: self
                .wait_sum
                .iter()
                .zip(&self.wait_count)
                .map(|(s, n)| mean(*s, *n))
                .collect(),
            service_outage_minutes: self.outage_minutes.clone(),
            inherited_outage_minutes: self.inherited_outage_minutes.iter().sum(),
            service_inherited_outage_minutes: self.inherited_outage_minutes.clone(),
        }
    }

    /// The chart material of the replication folded so far.
    pub fn curves(&self) -> &RepCurves {
        &self.curves
    }
}

fn mean(sum: f64, count: u64) -> Option<f64> {
    (count > 0).then(|| sum / count as f64)
}

impl EventSink for MetricsProjection<'_> {
    fn begin(&mut self, _rep: u64, strategy: usize) {
        self.reset(strategy);
    }
    #[inline]
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
}
