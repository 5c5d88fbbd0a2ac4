//! Input uncertainty (issue 15 item 4, issue 16 item 2): `run --uncertainty N`.
//!
//! The scenario's uncertain inputs ([`crate::scenario::uncertain`]) are drawn N times by Latin
//! hypercube sampling (McKay, Beckman & Conover, 1979): each input's range of probabilities
//! (0, 1) is cut into N equal strata, each stratum gives exactly one draw (uniform within it),
//! and the strata are paired across inputs by independent random permutations. The draws come
//! from their own keyed stream ([`Purpose::Uncertainty`]), so they depend on the seed alone and
//! consume nothing of the model's streams. Each draw goes through the input's inverse
//! distribution function to give one *parameter set*.
//!
//! Every parameter set runs the same replications as the main run, with the same replication
//! seeds (common random numbers across sets and strategies). Where the sets differ from the
//! main scenario only in pure cost rates, the main run is re-costed
//! ([`super::recost`], bit-identical to a simulation) instead of simulated again; where they
//! differ only in some strategies' inputs, only those strategies are simulated and the others'
//! runs are the main run's ([`super::reuse`], bit-identical too). Of each set
//! only the means over replications are kept (memory does not grow with N beyond them).
//!
//! What is reported, across parameter sets: the P10/P50/P90 of each strategy's *expected*
//! cost (its mean over replications), of each candidate's expected net savings and NPV, the
//! share of sets in which the candidate's expected total cost is below the baseline's, and the
//! Spearman rank correlation of each input with the expected net savings (which inputs drive
//! the spread).
//!
//! Sharded (`run --uncertainty N --shard K/N`), every shard runs all N sets over its slice of
//! the replications and keeps, of each set that cannot be re-costed, only the per-replication
//! values of the cost metrics ([`SetColumns`]); re-costed sets need nothing, as the merge
//! re-costs the merged main run. A direct run and a merge then both go through [`run_with`],
//! which adds the same values in the same order (replication order), so their outputs are
//! byte-identical.

use crate::finance::CaseInputs;
use crate::metrics::{Metric, Unit};
use crate::rng::{self, Purpose};
use crate::scenario::uncertain::apply;
use crate::scenario::{MINUTES_PER_YEAR, Scenario, validate};
use crate::stats::quantile;

use super::{ExperimentResults, recost, reuse, run_replications};

/// The probabilities of `n_sets` Latin hypercube draws of `n_inputs` inputs, `[set][input]`,
/// each in (0, 1): for every input, set i lies in stratum π(i) of N, [π(i)/N, (π(i)+1)/N).
pub fn latin_hypercube(seed: u64, n_sets: usize, n_inputs: usize) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..n_inputs)
        .map(|input| {
            let mut stream = rng::stream(seed, 0, Purpose::Uncertainty, input as u64, 0);
            // Fisher–Yates shuffle of the strata, then one uniform draw within each.
            let mut strata: Vec<usize> = (0..n_sets).collect();
            for k in (1..n_sets).rev() {
                let j = ((rng::uniform(&mut stream) * (k + 1) as f64) as usize).min(k);
                strata.swap(k, j);
            }
            strata
                .iter()
                .map(|&stratum| {
                    let within = rng::uniform(&mut stream);
                    // A draw at exactly 0 would ask a lognormal for its (infinite) lower end.
                    ((stratum as f64 + within) / n_sets as f64).max(f64::MIN_POSITIVE)
                })
                .collect()
        })
        .collect();
    (0..n_sets)
        .map(|set| columns.iter().map(|column| column[set]).collect())
        .collect()
}

/// The cost metrics whose expected values are kept per set and strategy.
pub fn cost_metrics() -> Vec<Metric> {
    Metric::all()
        .filter(|m| m.def().unit == Unit::Money)
        .collect()
}

/// One parameter set's outcome: its input values and the expected values it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct SetOutcome {
    /// The inputs' values, in [`Scenario::uncertain`] order (the field's unit: minutes for
    /// durations).
    pub inputs: Vec<f64>,
    /// Per strategy (scenario order), the mean over replications of each of
    /// [`cost_metrics`].
    pub means: Vec<Vec<f64>>,
    /// Per candidate ([`Uncertainty::candidates`] order): expected net savings per year over
    /// the baseline, the report's arithmetic ([`savings_per_year`]).
    pub savings_per_year: Vec<f64>,
    /// Per candidate: the NPV of those savings under the set's costs and `[finance]`.
    pub npv: Vec<f64>,
}

/// Everything `run --uncertainty N` computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    /// Replications per set (those of the main run).
    pub replications: u64,
    /// Whether every set was re-costed from the main run (pure cost inputs) rather than
    /// simulated.
    pub recosted: bool,
    /// The baseline's strategy index.
    pub baseline: usize,
    /// The candidates' strategy indices, in scenario order.
    pub candidates: Vec<usize>,
    /// The metrics of [`SetOutcome::means`].
    pub metrics: Vec<Metric>,
    /// One per parameter set, in set order.
    pub sets: Vec<SetOutcome>,
}

/// Why an uncertainty run could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UncertaintyError {
    /// The scenario declares no uncertain input.
    #[error(
        "--uncertainty: the scenario declares no uncertain input\n  help: write a field as a range, e.g. downtime_cost_per_hour = {{ uncertain = \"triangular\", min = 8000, mode = 12000, max = 15000 }}"
    )]
    NoInputs,
    /// A drawn set breaks a rule of the model (docs/model.md §2).
    #[error(
        "--uncertainty: parameter set {set} ({inputs}) is not a valid scenario: {path}: {message}\n  help: {help}; narrow the uncertain ranges so that every value they allow is valid"
    )]
    InvalidSet {
        set: usize,
        inputs: String,
        path: String,
        message: String,
        help: String,
    },
    /// Shards of an uncertainty run do not carry what the merge needs.
    #[error("{0}")]
    Shards(String),
    /// Sharded, the parameter sets would carry more values than a merge holds.
    #[error(
        "--uncertainty {n_sets} --shard: the shards would carry {values} per-replication values \
         ({simulated} parameter sets that cannot be re-costed × {strategies} strategies × \
         {metrics} cost metrics × {replications} replications), more than a merge holds \
         ({MAX_SHARD_VALUES})\n  help: use fewer parameter sets or replications, or run \
         --uncertainty on one machine (it keeps one set at a time)"
    )]
    TooLargeToShard {
        n_sets: usize,
        values: u64,
        simulated: usize,
        strategies: usize,
        metrics: usize,
        replications: u64,
    },
}

/// The most per-replication values the shards of one `run --uncertainty N --shard K/N` may
/// carry in all, since the merge holds them all: 2²⁷, about 2 GiB in memory.
pub const MAX_SHARD_VALUES: u64 = 1 << 27;

/// Check, before a shard of `run --uncertainty n_sets` runs, that the parameter sets are
/// valid and that what all the shards carry of them fits a merge ([`MAX_SHARD_VALUES`]).
pub fn check_shardable(scenario: &Scenario, n_sets: usize) -> Result<(), UncertaintyError> {
    let mut simulated = 0;
    for (set, ps) in hypercube(scenario, n_sets)?.iter().enumerate() {
        let (_, drawn) = draw_set(scenario, set, ps)?;
        simulated += usize::from(!recost::recosts_exactly(scenario, &drawn));
    }
    let (strategies, metrics) = (scenario.strategies.len(), cost_metrics().len());
    let replications = scenario.simulation.replications;
    let values = (simulated as u64)
        .saturating_mul((strategies * metrics) as u64)
        .saturating_mul(replications);
    if values > MAX_SHARD_VALUES {
        return Err(UncertaintyError::TooLargeToShard {
            n_sets,
            values,
            simulated,
            strategies,
            metrics,
            replications,
        });
    }
    Ok(())
}

/// Draw `n_sets` parameter sets of `scenario`'s uncertain inputs and compute each set's
/// expected values over the replications of `main` (a run of `scenario` over 0..R, which the
/// sets re-cost where they can). `progress` is told of every replication simulated.
pub fn run(
    scenario: &Scenario,
    main: &ExperimentResults,
    n_sets: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<Uncertainty, UncertaintyError> {
    let metrics = cost_metrics();
    run_with(scenario, main, n_sets, &mut |_, drawn| {
        let results = simulate_set(scenario, main, drawn, &mut *progress);
        Ok(columns(&results, &metrics))
    })
}

/// The run of parameter set `drawn` over the replications of `from_results`, a run of
/// `scenario`, simulating as little as is exact ([`reuse::derive`]: only the strategies the set
/// changes, the others' runs taken from `from_results`, re-costed where the set also changes
/// pure cost rates outside the strategies), else the whole set.
fn simulate_set(
    scenario: &Scenario,
    from_results: &ExperimentResults,
    drawn: &Scenario,
    progress: &mut dyn FnMut(u64),
) -> ExperimentResults {
    let reps = from_results.reps.clone();
    let mut simulate = |s: &Scenario, p: &mut dyn FnMut(u64)| run_replications(s, reps.clone(), p);
    reuse::derive(scenario, from_results, drawn, progress, &mut simulate)
        .unwrap_or_else(|| simulate(drawn, progress))
}

/// Per strategy (scenario order), per metric of [`cost_metrics`], the value of each
/// replication in order: what [`SetOutcome`] is computed from. `None` where a metric is
/// undefined in a replication.
pub type SetColumns = Vec<Vec<Vec<Option<f64>>>>;

/// The [`SetColumns`] of a run's results.
pub fn columns(results: &ExperimentResults, metrics: &[Metric]) -> SetColumns {
    results
        .strategies
        .iter()
        .map(|res| {
            metrics
                .iter()
                .map(|m| res.rows.metric_values(*m).collect())
                .collect()
        })
        .collect()
}

/// The most parameter sets a run draws (`--uncertainty` accepts 1 to this).
pub const MAX_SETS: u32 = 100_000;

/// The probabilities of the Latin hypercube of `scenario`'s uncertain inputs, `[set][input]`.
fn hypercube(scenario: &Scenario, n_sets: usize) -> Result<Vec<Vec<f64>>, UncertaintyError> {
    if scenario.uncertain.is_empty() {
        return Err(UncertaintyError::NoInputs);
    }
    Ok(latin_hypercube(
        scenario.simulation.seed,
        n_sets,
        scenario.uncertain.len(),
    ))
}

/// Parameter set `set` (from 0) at the hypercube's probabilities `ps`: its input values and
/// the scenario they give, checked against the model's rules. Sets are drawn one at a time,
/// so memory does not grow with N.
fn draw_set(
    scenario: &Scenario,
    set: usize,
    ps: &[f64],
) -> Result<(Vec<f64>, Scenario), UncertaintyError> {
    let inputs: Vec<f64> = scenario
        .uncertain
        .iter()
        .zip(ps)
        .map(|(input, &p)| input.quantile(p))
        .collect();
    let drawn = apply(scenario, &inputs);
    if let Some(v) = validate(&drawn).into_iter().next() {
        return Err(UncertaintyError::InvalidSet {
            set: set + 1,
            inputs: scenario
                .uncertain
                .iter()
                .zip(&inputs)
                .map(|(u, &x)| format!("{} = {}", u.path, u.show(x)))
                .collect::<Vec<_>>()
                .join(", "),
            path: v.path,
            message: v.message,
            help: v.help,
        });
    }
    Ok((inputs, drawn))
}

/// What a shard of `run --uncertainty N --shard K/N` keeps of each parameter set, for its
/// slice `slice` of the main run: `None` for a set that re-costs from the main run (the
/// merge re-costs the merged run, as a direct run does), else the set's [`SetColumns`] over
/// the slice's replications. `progress` is told of every replication simulated.
pub fn shard_sets(
    scenario: &Scenario,
    slice: &ExperimentResults,
    n_sets: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<Option<SetColumns>>, UncertaintyError> {
    let metrics = cost_metrics();
    let mut sets = Vec::with_capacity(n_sets);
    for (set, ps) in hypercube(scenario, n_sets)?.iter().enumerate() {
        let (_, drawn) = draw_set(scenario, set, ps)?;
        sets.push((!recost::recosts_exactly(scenario, &drawn)).then(|| {
            let results = simulate_set(scenario, slice, &drawn, &mut *progress);
            columns(&results, &metrics)
        }));
    }
    Ok(sets)
}

/// [`run`] with the simulation of a set that cannot be re-costed left to `simulate(set,
/// drawn scenario)`, which returns that set's [`SetColumns`] over the replications of
/// `main`: a direct run simulates them, a merge reads them from the shards. Both go through
/// this one function, so a merge adds every value in the order a direct run does and writes
/// the same bits.
pub fn run_with(
    scenario: &Scenario,
    main: &ExperimentResults,
    n_sets: usize,
    simulate: &mut dyn FnMut(usize, &Scenario) -> Result<SetColumns, UncertaintyError>,
) -> Result<Uncertainty, UncertaintyError> {
    let baseline = scenario.baseline_index();
    let candidates: Vec<usize> = (0..scenario.strategies.len())
        .filter(|&s| s != baseline)
        .collect();
    let metrics = cost_metrics();
    let mut sets = Vec::with_capacity(n_sets);
    let mut recosted = true;
    for (set, ps) in hypercube(scenario, n_sets)?.iter().enumerate() {
        let (inputs, drawn) = draw_set(scenario, set, ps)?;
        let values = match recost::recost(main, scenario, &drawn) {
            Some(r) => columns(&r, &metrics),
            None => {
                recosted = false;
                simulate(set, &drawn)?
            }
        };
        sets.push(outcome(
            &drawn,
            &values,
            inputs,
            &metrics,
            baseline,
            &candidates,
        ));
    }
    Ok(Uncertainty {
        replications: main.reps.end - main.reps.start,
        recosted,
        baseline,
        candidates,
        metrics,
        sets,
    })
}

/// The expected values of one set's per-replication values.
fn outcome(
    drawn: &Scenario,
    columns: &SetColumns,
    inputs: Vec<f64>,
    metrics: &[Metric],
    baseline: usize,
    candidates: &[usize],
) -> SetOutcome {
    let means = columns
        .iter()
        .map(|strategy| {
            strategy
                .iter()
                .map(|column| {
                    let (sum, n) = column
                        .iter()
                        .flatten()
                        .fold((0.0, 0u64), |(s, n), x| (s + x, n + 1));
                    sum / n.max(1) as f64
                })
                .collect()
        })
        .collect();
    let total = metrics
        .iter()
        .position(|&m| m == Metric::TOTAL_COST)
        .expect("total cost is a cost metric");
    let savings: Vec<f64> = candidates
        .iter()
        .map(|&c| savings_per_year(drawn, &columns[baseline][total], &columns[c][total]))
        .collect();
    let npv = candidates
        .iter()
        .zip(&savings)
        .map(|(&c, &s)| {
            let (base, cand) = (&drawn.strategies[baseline], &drawn.strategies[c]);
            CaseInputs {
                savings_per_year: s,
                recurring_cost_per_year: cand.annual_cost - base.annual_cost,
                one_time_cost: cand.one_time_cost - base.one_time_cost,
                ramp_up: &cand.ramp_up,
                years: drawn.finance.years,
                discount_rate: drawn.finance.discount_rate,
            }
            .npv()
        })
        .collect();
    SetOutcome {
        inputs,
        means,
        savings_per_year: savings,
        npv,
    }
}

/// The expected net savings per year of a candidate over the baseline from their total costs
/// per replication: the arithmetic of [`crate::report::savings_per_year`] (the mean of the
/// paired differences, per year), on the values a set keeps.
fn savings_per_year(
    scenario: &Scenario,
    baseline_total: &[Option<f64>],
    candidate_total: &[Option<f64>],
) -> f64 {
    let per_year = MINUTES_PER_YEAR / scenario.simulation.horizon_minutes;
    let diffs: Vec<f64> = baseline_total
        .iter()
        .zip(candidate_total)
        .filter_map(|(b, c)| Some((*c)? - (*b)?))
        .collect();
    let (mean_diff, _) = crate::stats::mean_sd(&diffs);
    -mean_diff * per_year
}

/// P10, P50 and P90 (type-7 quantiles, as everywhere in the reports).
pub fn p10_p50_p90(values: &[f64]) -> [f64; 3] {
    [0.10, 0.50, 0.90].map(|p| quantile(values, p))
}

impl Uncertainty {
    /// The expected value of `metric` for `strategy` in every set.
    pub fn expected(&self, strategy: usize, metric: Metric) -> Vec<f64> {
        let m = self
            .metrics
            .iter()
            .position(|&x| x == metric)
            .expect("a cost metric");
        self.sets.iter().map(|s| s.means[strategy][m]).collect()
    }

    /// The values of input `input` in every set.
    pub fn input_values(&self, input: usize) -> Vec<f64> {
        self.sets.iter().map(|s| s.inputs[input]).collect()
    }

    /// Candidate `k`'s (index into [`Self::candidates`]) expected savings per year in every set.
    pub fn savings(&self, k: usize) -> Vec<f64> {
        self.sets.iter().map(|s| s.savings_per_year[k]).collect()
    }

    /// Candidate `k`'s NPV in every set.
    pub fn npv(&self, k: usize) -> Vec<f64> {
        self.sets.iter().map(|s| s.npv[k]).collect()
    }

    /// The share of sets in which candidate `k`'s expected total cost is below the baseline's.
    pub fn p_cheaper(&self, k: usize) -> f64 {
        let base = self.expected(self.baseline, Metric::TOTAL_COST);
        let cand = self.expected(self.candidates[k], Metric::TOTAL_COST);
        let cheaper = base.iter().zip(&cand).filter(|(b, c)| c < b).count();
        cheaper as f64 / self.sets.len().max(1) as f64
    }

    /// Spearman's rank correlation of each input with candidate `k`'s expected net savings,
    /// strongest first (by |ρ|; ties in input order); `None` where an input or the savings do
    /// not vary across sets.
    pub fn drivers(&self, k: usize) -> Vec<(usize, Option<f64>)> {
        let savings = self.savings(k);
        let n_inputs = self.sets.first().map_or(0, |s| s.inputs.len());
        let mut out: Vec<(usize, Option<f64>)> = (0..n_inputs)
            .map(|i| (i, spearman(&self.input_values(i), &savings)))
            .collect();
        out.sort_by(|a, b| {
            let key = |x: &Option<f64>| x.map_or(-1.0, f64::abs);
            key(&b.1).total_cmp(&key(&a.1))
        });
        out
    }
}

/// Ranks 1 … n, ties sharing their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (average ranks for ties);
/// `None` when either side is constant or there are fewer than 3 pairs.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 3 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stratum_holds_exactly_one_draw_per_input() {
        for n in [1, 2, 7, 50] {
            let draws = latin_hypercube(42, n, 3);
            for input in 0..3 {
                let mut seen = vec![0; n];
                for set in &draws {
                    let p = set[input];
                    assert!(p > 0.0 && p < 1.0);
                    seen[(p * n as f64) as usize] += 1;
                }
                assert!(seen.iter().all(|&c| c == 1), "n = {n}: {seen:?}");
            }
        }
    }

    #[test]
    fn the_hypercube_depends_on_the_seed_alone() {
        assert_eq!(latin_hypercube(7, 20, 2), latin_hypercube(7, 20, 2));
        assert_ne!(latin_hypercube(7, 20, 2), latin_hypercube(8, 20, 2));
        // Inputs are paired by independent permutations, not in lockstep.
        let d = latin_hypercube(7, 20, 2);
        assert!(
            d.iter()
                .any(|s| (s[0] * 20.0) as usize != (s[1] * 20.0) as usize)
        );
    }

    #[test]
    fn a_sets_savings_are_the_reports_arithmetic_bit_for_bit() {
        let mut s = crate::scenario::parse_str(crate::scenario::DEFAULT_SCENARIO_TOML, "d")
            .expect("the built-in scenario");
        s.simulation.replications = 25;
        let results = crate::experiment::run_replications(&s, 0..25, &mut |_| {});
        let metrics = cost_metrics();
        let cols = columns(&results, &metrics);
        let total = metrics
            .iter()
            .position(|&m| m == Metric::TOTAL_COST)
            .unwrap();
        let (b, c) = (s.baseline_index(), 1 - s.baseline_index());
        assert_eq!(
            savings_per_year(&s, &cols[b][total], &cols[c][total]).to_bits(),
            crate::report::savings_per_year(&s, &results, c).to_bits()
        );
    }

    #[test]
    fn spearman_of_hand_ranked_pairs() {
        // Monotone (not linear) relations rank perfectly.
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(spearman(&x, &[1.0, 8.0, 27.0, 64.0]), Some(1.0));
        assert_eq!(spearman(&x, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        // Ranks (1,2,3,4) and (2,1,4,3): d² = 1+1+1+1 = 4, ρ = 1 − 6·4/(4·15) = 0.6.
        let rho = spearman(&x, &[2.0, 1.0, 4.0, 3.0]).unwrap();
        assert!((rho - 0.6).abs() < 1e-12);
        // A constant side has no correlation.
        assert_eq!(spearman(&x, &[5.0; 4]), None);
        // Ties share their average rank: (1, 2.5, 2.5, 4).
        assert_eq!(ranks(&[1.0, 3.0, 3.0, 9.0]), vec![1.0, 2.5, 2.5, 4.0]);
    }
}
