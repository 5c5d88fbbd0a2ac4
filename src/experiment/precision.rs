//! Precision-driven runs: add replications in batches until the paired total-cost difference
//! of every candidate against the baseline is known to a target relative precision (the
//! sequential procedure of Law & Kelton, *Simulation Modeling and Analysis*, ch. 9).
//!
//! After each batch, for every candidate, the 95 % CI half-width `h` of the paired difference
//! (candidate − baseline total cost) is compared with its mean `d`: the run stops when
//! `h ≤ target × |d|` for all candidates, or at the cap. The next batch is sized from the
//! current estimates (`h` shrinks as 1/√n) and is a deterministic function of the rows so far,
//! so the whole procedure is deterministic: it uses the rows of replications `0..n`, exactly
//! those of a run of `n` replications, and its outputs are byte-identical to that run's.

use super::{ExperimentResults, run_replications};
use crate::metrics::Metric;
use crate::scenario::Scenario;
use crate::stats::{Direction, Paired};

/// The first batch when none is given.
pub const DEFAULT_PILOT: u64 = 100;
/// The cap when none is given.
pub const DEFAULT_MAX_REPLICATIONS: u64 = 100_000;
/// The fewest replications a batch adds (below this, batches cost more in overhead than they
/// save in overshoot).
const MIN_BATCH: u64 = 50;

/// What precision to reach, and within what budget of replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionGoal {
    /// Target half-width as a share of |mean difference|, e.g. 0.02 for 2 %.
    pub relative: f64,
    /// Replications in the first batch (the pilot).
    pub pilot: u64,
    /// Never run more than this many replications.
    pub max_replications: u64,
}

/// How precisely one candidate's difference from the baseline is known.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidatePrecision {
    /// The candidate strategy's name.
    pub candidate: String,
    /// Mean paired difference of total cost per horizon (candidate − baseline).
    pub mean_diff: f64,
    /// 95 % CI half-width of that difference.
    pub half_width: f64,
    /// half_width / |mean_diff|; None when the mean difference is 0.
    pub relative: Option<f64>,
}

impl CandidatePrecision {
    /// True when the target is met.
    pub fn meets(&self, target: f64) -> bool {
        self.relative.is_some_and(|r| r <= target)
    }
}

/// The outcome of a precision-driven run.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionOutcome {
    /// The results over replications `0..n`, exactly as a run of `n` replications.
    pub results: ExperimentResults,
    /// The number of replications after each batch (the last is `n`).
    pub batches: Vec<u64>,
    /// The precision reached, per candidate, after the last batch.
    pub precision: Vec<CandidatePrecision>,
    /// True when every candidate met the target.
    pub reached: bool,
}

/// Parse a precision target: `"2%"`, `"2 %"` or `"0.02"`; it must be in (0, 1).
pub fn parse_target(text: &str) -> Result<f64, String> {
    super::parse_share(text, "relative precision", "2% or 0.02", "2% or 0.02")
}

/// The precision of every candidate's paired total-cost difference in `results`.
pub fn precision_of(scenario: &Scenario, results: &ExperimentResults) -> Vec<CandidatePrecision> {
    let baseline = scenario.baseline_index();
    let base_rows = &results.strategies[baseline].rows;
    scenario
        .strategies
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != baseline)
        .map(|(i, strategy)| {
            let pairs = base_rows
                .metric_values(Metric::TOTAL_COST)
                .zip(results.strategies[i].rows.metric_values(Metric::TOTAL_COST));
            let (mean_diff, half_width) = match Paired::of(pairs, Direction::LowerIsBetter) {
                Some(p) => (p.mean_diff, (p.ci95[1] - p.ci95[0]) / 2.0),
                None => (0.0, f64::INFINITY),
            };
            let relative = (mean_diff != 0.0 && results.reps.end - results.reps.start >= 2)
                .then(|| half_width / mean_diff.abs());
            CandidatePrecision {
                candidate: strategy.name.clone(),
                mean_diff,
                half_width,
                relative,
            }
        })
        .collect()
}

/// How many replications to have after the next batch, given `n` so far and the worst relative
/// half-width among candidates (None when a mean difference is 0 and no estimate exists).
///
/// The half-width shrinks as 1/√n, so `n × (worst / target)²` replications are expected to be
/// enough; the batch adds at least 10 % (and [`MIN_BATCH`]), at most triples `n` (a noisy pilot
/// must not send the run to the cap at once), is rounded up to a multiple of 10 and capped.
pub fn next_total(n: u64, worst: Option<f64>, target: f64, max: u64) -> u64 {
    let at_least = n + (n / 10).max(MIN_BATCH);
    let at_most = n.saturating_mul(3).max(at_least);
    let wanted = match worst {
        Some(w) if w.is_finite() => {
            let estimate = (n as f64 * (w / target).powi(2)).ceil();
            if estimate >= at_most as f64 {
                at_most
            } else {
                (estimate as u64).clamp(at_least, at_most)
            }
        }
        _ => at_most,
    };
    wanted.div_ceil(10).saturating_mul(10).min(max)
}

/// Run replications in batches until every candidate's paired total-cost difference has a
/// 95 % CI half-width within `goal.relative` of its mean, or `goal.max_replications` is reached.
/// `progress` is called with the replications just finished; `on_batch` with the new target
/// total before each batch (for a progress bar's length).
///
/// # Panics
/// If the scenario has fewer than two strategies (there is nothing to compare).
pub fn run_to_precision(
    scenario: &Scenario,
    goal: PrecisionGoal,
    progress: &mut dyn FnMut(u64),
    on_batch: &mut dyn FnMut(u64),
) -> PrecisionOutcome {
    assert!(
        scenario.strategies.len() >= 2,
        "a precision target needs a baseline and a candidate"
    );
    let max = goal.max_replications.max(1);
    let mut target_total = goal.pilot.clamp(2.min(max), max);
    let mut results = ExperimentResults::empty(0, scenario.strategies.len());
    let mut batches = Vec::new();
    loop {
        on_batch(target_total);
        let batch = run_replications(scenario, results.reps.end..target_total, progress);
        results
            .append(batch)
            .expect("batches are consecutive by construction");
        batches.push(target_total);
        let precision = precision_of(scenario, &results);
        let reached = precision.iter().all(|c| c.meets(goal.relative));
        let n = results.reps.end;
        if reached || n >= max {
            return PrecisionOutcome {
                results,
                batches,
                precision,
                reached,
            };
        }
        let worst = precision
            .iter()
            .map(|c| c.relative)
            .try_fold(0.0f64, |acc, r| r.map(|r| acc.max(r)));
        target_total = next_total(n, worst, goal.relative, max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn targets_parse_as_percent_or_fraction() {
        assert_eq!(parse_target("2%").unwrap(), 0.02);
        assert_eq!(parse_target(" 5 % ").unwrap(), 0.05);
        assert_eq!(parse_target("0.02").unwrap(), 0.02);
        assert!(parse_target("0%").is_err());
        assert!(parse_target("150%").is_err());
        assert!(parse_target("two").is_err());
    }

    #[test]
    fn batches_grow_by_the_estimate_within_bounds() {
        // Twice the target: about 4× the replications, but at most 3×.
        assert_eq!(next_total(100, Some(0.04), 0.02, 100_000), 300);
        // Slightly over: at least 10 % more (and at least MIN_BATCH).
        assert_eq!(next_total(1000, Some(0.0201), 0.02, 100_000), 1100);
        assert_eq!(next_total(100, Some(0.0201), 0.02, 100_000), 150);
        // 1.5× the target: 2.25 n.
        assert_eq!(next_total(1000, Some(0.03), 0.02, 100_000), 2250);
        // No estimate: triple. The cap wins.
        assert_eq!(next_total(100, None, 0.02, 100_000), 300);
        assert_eq!(next_total(1000, Some(0.05), 0.02, 2500), 2500);
    }

    #[test]
    fn a_precision_run_equals_a_direct_run_of_the_same_length() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let goal = PrecisionGoal {
            relative: 0.05,
            pilot: 40,
            max_replications: 5000,
        };
        let outcome = run_to_precision(&s, goal, &mut |_| {}, &mut |_| {});
        assert!(outcome.reached);
        assert!(outcome.batches.len() >= 2, "{:?}", outcome.batches);
        let n = outcome.results.reps.end;
        assert_eq!(*outcome.batches.last().unwrap(), n);
        assert_eq!(outcome.results, run_replications(&s, 0..n, &mut |_| {}));
        assert!(outcome.precision[0].relative.unwrap() <= 0.05);
    }

    #[test]
    fn the_cap_stops_a_run_that_cannot_reach_its_target() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let goal = PrecisionGoal {
            relative: 0.001,
            pilot: 20,
            max_replications: 130,
        };
        let outcome = run_to_precision(&s, goal, &mut |_| {}, &mut |_| {});
        assert!(!outcome.reached);
        assert_eq!(outcome.results.reps, 0..130);
    }
}
