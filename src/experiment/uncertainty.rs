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
//! ([`super::recost`], bit-identical to a simulation) instead of simulated again. Of each set
//! only the means over replications are kept (memory does not grow with N beyond them).
//!
//! What is reported, across parameter sets: the P10/P50/P90 of each strategy's *expected*
//! cost (its mean over replications), of each candidate's expected net savings and NPV, the
//! share of sets in which the candidate's expected total cost is below the baseline's, and the
//! Spearman rank correlation of each input with the expected net savings (which inputs drive
//! the spread).

use crate::finance::CaseInputs;
use crate::metrics::{Metric, Unit};
use crate::report::savings_per_year;
use crate::rng::{self, Purpose};
use crate::scenario::uncertain::apply;
use crate::scenario::{Scenario, validate};
use crate::stats::quantile;

use super::{ExperimentResults, recost, run_replications};

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
    if scenario.uncertain.is_empty() {
        return Err(UncertaintyError::NoInputs);
    }
    let probabilities = latin_hypercube(scenario.simulation.seed, n_sets, scenario.uncertain.len());
    let baseline = scenario.baseline_index();
    let candidates: Vec<usize> = (0..scenario.strategies.len())
        .filter(|&s| s != baseline)
        .collect();
    let metrics = cost_metrics();
    let mut sets = Vec::with_capacity(n_sets);
    let mut recosted = true;
    for (set, ps) in probabilities.iter().enumerate() {
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
        let results = match recost::recost(main, scenario, &drawn) {
            Some(r) => r,
            None => {
                recosted = false;
                run_replications(&drawn, main.reps.clone(), progress)
            }
        };
        sets.push(outcome(
            &drawn,
            &results,
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

/// The expected values of one set's results.
fn outcome(
    drawn: &Scenario,
    results: &ExperimentResults,
    inputs: Vec<f64>,
    metrics: &[Metric],
    baseline: usize,
    candidates: &[usize],
) -> SetOutcome {
    let means = results
        .strategies
        .iter()
        .map(|res| {
            metrics
                .iter()
                .map(|m| {
                    let values = res.rows.iter().filter_map(|r| m.value(r));
                    let (sum, n) = values.fold((0.0, 0u64), |(s, n), x| (s + x, n + 1));
                    sum / n.max(1) as f64
                })
                .collect()
        })
        .collect();
    let savings: Vec<f64> = candidates
        .iter()
        .map(|&c| savings_per_year(drawn, results, c))
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
