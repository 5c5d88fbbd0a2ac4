//! Experiments: many independent replications of every strategy, in parallel with rayon,
//! collected in replication order so the results do not depend on the thread count.

pub mod budget;
pub mod combine;
pub mod compact;
pub mod estimate;
pub mod grid;
pub mod precision;
pub mod recost;
pub mod reuse;
pub mod rows;
pub mod select;
pub mod select_shard;
pub mod sensitivity;
pub mod shard;
pub mod study;
pub mod sweep;
pub mod uncertainty;
pub mod vary;

use std::ops::Range;

use rayon::prelude::*;

use crate::model::Simulator;
use crate::projections::metrics::{MetricsProjection, RepCurves, RepMetrics};
use crate::projections::{CHECKPOINTS, RESTORE_BINS};
use crate::scenario::Scenario;
use rows::Rows;

/// Parse a share written as a percentage or a fraction (`"20%"`, `"20 %"`, `"0.2"`), strictly
/// between 0 and 1. `what` names it in errors ("relative change"), `such_as` and `e_g` give
/// examples ("20% or 0.2", "20%").
pub fn parse_share(text: &str, what: &str, such_as: &str, e_g: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, percent) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("expected a {what} such as {such_as}; found {text:?}"))?;
    let value = if percent { value / 100.0 } else { value };
    if !(value > 0.0 && value < 1.0) {
        return Err(format!(
            "expected a {what} above 0 % and below 100 % (e.g. {e_g}); found {text:?}"
        ));
    }
    Ok(value)
}

/// Replications are simulated in chunks of this size: in parallel within a chunk, folded in
/// order between chunks, so memory holds one chunk of curves at a time.
const CHUNK: u64 = 512;

/// Everything one strategy produced over the replications of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyResults {
    /// One row per replication, in replication order (packed: see [`rows`]).
    pub rows: Rows,
    /// Restore-time histogram summed over replications (log bins, see `projections`).
    pub restore_hist: Vec<u64>,
    /// Cumulative cost at the checkpoints, one array per replication (f32: chart precision).
    pub cost_checkpoints: Vec<[f32; CHECKPOINTS]>,
    /// Model events its replications processed (so a study can reuse this strategy's runs in
    /// a variant and still count that variant's events exactly: see [`reuse`]).
    pub events: u64,
}

impl StrategyResults {
    /// Empty results with room for exactly `reps` replications (no growth slack: memory
    /// per replication is what the rows need, nothing more).
    fn with_capacity(reps: usize) -> Self {
        StrategyResults {
            rows: Rows::with_capacity(reps),
            restore_hist: vec![0; RESTORE_BINS],
            cost_checkpoints: Vec::with_capacity(reps),
            events: 0,
        }
    }

    fn push(&mut self, metrics: RepMetrics, curves: &RepCurves, events: u64) {
        self.rows.push(&metrics);
        self.events += events;
        for (sum, c) in self.restore_hist.iter_mut().zip(curves.restore_hist.iter()) {
            *sum += *c as u64;
        }
        let mut cps = [0f32; CHECKPOINTS];
        for (dst, src) in cps.iter_mut().zip(curves.cost_checkpoints.iter()) {
            *dst = *src as f32;
        }
        self.cost_checkpoints.push(cps);
    }
}

/// The outcome of simulating a range of replications of every strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentResults {
    /// The replications simulated (a shard's slice, or all).
    pub reps: Range<u64>,
    /// Per strategy, in scenario order.
    pub strategies: Vec<StrategyResults>,
    /// Model events processed in total (the strategies' `events` summed).
    pub events: u64,
}

/// One replication of every strategy.
struct RepOutcome {
    /// Per strategy: its metrics, its curves and the events it processed.
    per_strategy: Vec<(RepMetrics, RepCurves, u64)>,
    events: u64,
}

/// Simulate one replication of every strategy with the given (reused) simulator and
/// projection (each strategy's run begins by resetting it).
fn simulate_rep(
    scenario: &Scenario,
    sim: &mut Simulator,
    projection: &mut MetricsProjection,
    rep: u64,
) -> RepOutcome {
    let mut per_strategy = Vec::with_capacity(scenario.strategies.len());
    let mut events = 0;
    // One call for all strategies: each failure's common draws are computed once.
    sim.run_each_strategy(scenario, rep, projection, |_, projection, stats| {
        events += stats.events;
        per_strategy.push((
            projection.metrics(),
            projection.curves().clone(),
            stats.events,
        ));
    });
    RepOutcome {
        per_strategy,
        events,
    }
}

/// Simulate replications `reps` of every strategy. `progress` is called with the number of
/// replications just finished (from the calling thread, in order).
pub fn run_replications(
    scenario: &Scenario,
    reps: Range<u64>,
    progress: &mut dyn FnMut(u64),
) -> ExperimentResults {
    let mut results = ExperimentResults {
        reps: reps.clone(),
        strategies: (0..scenario.strategies.len())
            // Room grows with the rows: reserving 10 million rows up front would claim
            // gigabytes before the first replication (issue 18).
            .map(|_| StrategyResults::with_capacity((reps.end - reps.start).min(1 << 16) as usize))
            .collect(),
        events: 0,
    };
    let batch = budget::batch_size(scenario.strategies.len()).min(CHUNK);
    let mut start = reps.start;
    while start < reps.end {
        let end = (start + batch).min(reps.end);
        let outcomes: Vec<RepOutcome> = (start..end)
            .into_par_iter()
            // A simulator and a projection per worker, their buffers kept between replications.
            .map_init(
                || (Simulator::new(), MetricsProjection::new(scenario, 0)),
                |(sim, projection), rep| simulate_rep(scenario, sim, projection, rep),
            )
            .collect();
        for outcome in outcomes {
            results.events += outcome.events;
            for (s, (metrics, curves, events)) in outcome.per_strategy.into_iter().enumerate() {
                results.strategies[s].push(metrics, &curves, events);
            }
        }
        progress(end - start);
        start = end;
    }
    results
}

/// Simulate one replication of one strategy, sending its events to `sink` (event logs,
/// timelines, tests).
pub fn simulate_one<S: crate::events::EventSink>(
    scenario: &Scenario,
    strategy: usize,
    rep: u64,
    sink: &mut S,
) -> crate::model::RunStats {
    Simulator::new().run(scenario, strategy, rep, sink)
}
