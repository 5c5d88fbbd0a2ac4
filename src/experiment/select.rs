//! Choosing the best strategy: ranking and selection with common random numbers.
//!
//! The procedure is Kim and Nelson's fully sequential procedure **KN** (S.-H. Kim and
//! B. L. Nelson, "A fully sequential procedure for indifference-zone selection in
//! simulation", ACM TOMACS 11(3):251–273, 2001), with c = 1. It is valid with common random
//! numbers because it works on the *paired* differences of every two strategies, and every
//! strategy's replication `r` meets the same failures (DESIGN §2).
//!
//! 1. Setup: confidence 1 − α, indifference zone δ, first stage n₀ ≥ 2, k strategies;
//!    η = ½[(2α/(k−1))^(−2/(n₀−1)) − 1], h² = 2η(n₀−1).
//! 2. First stage: n₀ replications of each; S²ᵢₗ = the sample variance of the differences
//!    Xᵢⱼ − Xₗⱼ over them; Nᵢₗ = ⌊h²S²ᵢₗ/δ²⌋, Nᵢ = maxₗ Nᵢₗ.
//! 3. Screening after every replication r ≥ n₀: strategy i (still in) is eliminated when
//!    X̄ᵢ(r) < X̄ₗ(r) − Wᵢₗ(r) for some l still in, with Wᵢₗ(r) = max{0, δ/(2r)·(h²S²ᵢₗ/δ² − r)}
//!    (X oriented so that larger is better: costs are negated).
//! 4. Stop when one strategy is left, or at r = maxᵢ Nᵢ + 1 over those left (where every W is 0).
//!
//! Guarantee (KN): when the best is at least δ better than every other, it is the one left
//! with probability ≥ 1 − α. Where KN's last stage would pick the larger sample mean among
//! strategies it could not tell apart, this implementation reports **the subset** of those
//! left whose paired difference from every other one left is not significant (one-sided paired
//! t at 1 − α/(k−1)); a single name when that subset has one member. Exact ties (two strategies
//! with identical results under CRN) are never eliminated, so both are reported.

use std::ops::Range;

use rayon::prelude::*;

use crate::metrics::Metric;
use crate::model::Simulator;
use crate::projections::metrics::MetricsProjection;
use crate::scenario::Scenario;
use crate::stats::{mean_sd, t_quantile};

/// Settings of a selection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectSettings {
    /// The metric to optimise (lower is better, or higher for availability).
    pub metric: Metric,
    /// Indifference zone: differences smaller than this do not matter, in the metric's unit.
    pub delta: f64,
    /// Probability of correct selection wanted (e.g. 0.95).
    pub confidence: f64,
    /// First-stage replications n₀ (≥ 2).
    pub first_stage: u64,
    /// Never run more replications of a strategy than this.
    pub max_replications: u64,
}

impl Default for SelectSettings {
    fn default() -> Self {
        SelectSettings {
            metric: Metric::TOTAL_COST,
            delta: 0.0,
            confidence: 0.95,
            first_stage: 10,
            max_replications: 100_000,
        }
    }
}

/// Why the procedure stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Screening left one strategy (or only exact ties).
    Screened,
    /// KN's last stage (r = max Nᵢ + 1) was reached.
    LastStage,
    /// `max_replications` was reached first.
    Cap,
}

/// One elimination, in the order they happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Elimination {
    /// The strategy eliminated.
    pub strategy: String,
    /// After this many replications.
    pub after_replications: u64,
    /// The strategy that eliminated it (the first, in file order, that did).
    pub by: String,
    /// Mean difference strategy − by (in the metric's unit) at that point.
    pub mean_diff: f64,
}

/// One row of the multiple-comparisons-with-the-best table (Hsu's constrained MCB intervals,
/// computed from paired differences with a Bonferroni critical value t(1 − α/(k−1))).
#[derive(Debug, Clone, PartialEq)]
pub struct McbRow {
    /// The strategy.
    pub strategy: String,
    /// Its mean over the MCB's replications, in the metric's unit.
    pub mean: f64,
    /// Simultaneous interval for how much worse this strategy is than the best of the others
    /// (in the metric's unit, > 0 = worse), constrained to contain 0 as Hsu's are.
    pub worse_than_best_other: [f64; 2],
    /// The lower bound is above 0: another strategy is better.
    pub not_the_best: bool,
    /// The upper bound is 0: every other strategy is worse.
    pub the_best: bool,
}

/// The outcome of `incsim select`.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub metric: Metric,
    pub delta: f64,
    pub confidence: f64,
    pub first_stage: u64,
    /// h² of KN.
    pub h2: f64,
    /// Strategy names in scenario order.
    pub strategies: Vec<String>,
    /// The best, or the subset that contains it (sample best first).
    pub best: Vec<String>,
    /// Replications each strategy needed, in scenario order.
    pub replications: Vec<u64>,
    /// Sample mean of each strategy over its replications, in scenario order.
    pub means: Vec<f64>,
    pub eliminations: Vec<Elimination>,
    pub stop: Stop,
    /// MCB over the replications every strategy ran (the first `mcb_replications`).
    pub mcb: Vec<McbRow>,
    pub mcb_replications: u64,
}

/// An error a selection can meet.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}\n  help: {help}")]
pub struct SelectError {
    pub message: String,
    pub help: String,
}

/// Observations of the chosen strategies over a range of replications: `[strategy][rep]`.
pub type Sampler<'a> = dyn FnMut(&[usize], Range<u64>) -> Result<Vec<Vec<f64>>, SelectError> + 'a;

/// Run KN over `k` systems whose observations come from `sample`, larger is better.
/// Returns (survivors, per-system observations kept, eliminations as (i, r, by, diff), stop).
#[allow(clippy::type_complexity)]
fn kn(
    k: usize,
    settings: &SelectSettings,
    sample: &mut Sampler<'_>,
) -> Result<
    (
        Vec<usize>,
        Vec<Vec<f64>>,
        Vec<(usize, u64, usize, f64)>,
        Stop,
        f64,
    ),
    SelectError,
> {
    let n0 = settings.first_stage;
    let alpha = 1.0 - settings.confidence;
    let delta = settings.delta;
    let eta = 0.5 * ((2.0 * alpha / (k as f64 - 1.0)).powf(-2.0 / (n0 as f64 - 1.0)) - 1.0);
    let h2 = 2.0 * eta * (n0 as f64 - 1.0);
    let all: Vec<usize> = (0..k).collect();
    let mut obs = sample(&all, 0..n0)?;
    // S²ᵢₗ from the first stage.
    let mut s2 = vec![vec![0.0; k]; k];
    for i in 0..k {
        for l in 0..k {
            if i != l {
                let d: Vec<f64> = obs[i].iter().zip(&obs[l]).map(|(a, b)| a - b).collect();
                let sd = mean_sd(&d).1;
                s2[i][l] = sd * sd;
            }
        }
    }
    let n_il = |i: usize, l: usize| (h2 * s2[i][l] / (delta * delta)).floor();
    let mut alive: Vec<usize> = all.clone();
    let mut sums: Vec<f64> = obs.iter().map(|o| o.iter().sum()).collect();
    let mut eliminations = Vec::new();
    let mut r = n0;
    let mut stop;
    loop {
        // Screening at r (against the set as it was before this screening).
        let old = alive.clone();
        let rf = r as f64;
        let mut out = Vec::new();
        for &i in &old {
            for &l in &old {
                if i == l {
                    continue;
                }
                let w = (delta / (2.0 * rf) * (h2 * s2[i][l] / (delta * delta) - rf)).max(0.0);
                let (mi, ml) = (sums[i] / rf, sums[l] / rf);
                if mi < ml - w {
                    out.push((i, r, l, mi - ml));
                    break;
                }
            }
        }
        alive.retain(|i| !out.iter().any(|(j, ..)| j == i));
        eliminations.extend(out);
        let last_stage = alive
            .iter()
            .map(|&i| {
                alive
                    .iter()
                    .filter(|&&l| l != i)
                    .map(|&l| n_il(i, l))
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max)
            + 1.0;
        let all_tied = alive
            .iter()
            .all(|&i| alive.iter().all(|&l| sums[i] == sums[l] && s2[i][l] == 0.0));
        if alive.len() <= 1 || all_tied {
            stop = Stop::Screened;
            break;
        }
        if rf >= last_stage {
            stop = Stop::LastStage;
            break;
        }
        if r >= settings.max_replications {
            stop = Stop::Cap;
            break;
        }
        // Simulate ahead in batches (a quarter of what has run, at least 16), screening after
        // each replication as KN does: extra replications of a strategy eliminated inside the
        // batch are dropped, so the outcome does not depend on the batch size.
        let batch = (r / 4)
            .max(16)
            .min(settings.max_replications - r)
            .min((last_stage - rf).max(1.0) as u64);
        let more = sample(&alive, r..r + batch)?;
        let mut batch_obs: Vec<Option<&Vec<f64>>> = vec![None; k];
        for (pos, &i) in alive.iter().enumerate() {
            batch_obs[i] = Some(&more[pos]);
        }
        let batch_obs: Vec<Option<Vec<f64>>> = batch_obs.into_iter().map(|o| o.cloned()).collect();
        stop = Stop::Cap;
        let mut finished = false;
        for j in 0..batch as usize {
            for &i in &alive {
                let x = batch_obs[i]
                    .as_ref()
                    .expect("alive strategies were sampled")[j];
                obs[i].push(x);
                sums[i] += x;
            }
            r += 1;
            if j + 1 < batch as usize {
                // Screen at this r; continue the batch with the survivors.
                let rf = r as f64;
                let old = alive.clone();
                let mut out = Vec::new();
                for &i in &old {
                    for &l in &old {
                        if i == l {
                            continue;
                        }
                        let w =
                            (delta / (2.0 * rf) * (h2 * s2[i][l] / (delta * delta) - rf)).max(0.0);
                        let (mi, ml) = (sums[i] / rf, sums[l] / rf);
                        if mi < ml - w {
                            out.push((i, r, l, mi - ml));
                            break;
                        }
                    }
                }
                alive.retain(|i| !out.iter().any(|(j, ..)| j == i));
                eliminations.extend(out);
                if alive.len() <= 1 {
                    stop = Stop::Screened;
                    finished = true;
                    break;
                }
            }
        }
        if finished {
            break;
        }
    }
    Ok((alive, obs, eliminations, stop, h2))
}

/// Select the best of `names.len()` systems observed through `sample` (values in the
/// metric's unit, `higher_is_better` as the metric says). The library entry point that
/// [`select`] uses with the simulator; tests use it with synthetic data.
pub fn select_with(
    names: &[String],
    settings: &SelectSettings,
    higher_is_better: bool,
    sample: &mut Sampler<'_>,
) -> Result<Selection, SelectError> {
    let k = names.len();
    check(settings, k)?;
    let sign = if higher_is_better { 1.0 } else { -1.0 };
    let mut oriented = |which: &[usize], reps: Range<u64>| -> Result<Vec<Vec<f64>>, SelectError> {
        let mut v = sample(which, reps)?;
        for row in &mut v {
            for x in row.iter_mut() {
                *x *= sign;
            }
        }
        Ok(v)
    };
    let (alive, obs, elim, stop, h2) = kn(k, settings, &mut oriented)?;
    let alpha = 1.0 - settings.confidence;
    let t_crit = |n: usize| t_quantile(1.0 - alpha / (k as f64 - 1.0), n as f64 - 1.0);

    // Each strategy's observations end where it was eliminated (or where the run stopped).
    let mut used: Vec<usize> = obs.iter().map(Vec::len).collect();
    for &(i, r, ..) in &elim {
        used[i] = r as usize;
    }
    let r_end = alive.iter().map(|&i| obs[i].len()).max().unwrap_or(0);
    for &i in &alive {
        used[i] = r_end;
    }
    let mean_of = |i: usize, n: usize| obs[i][..n].iter().sum::<f64>() / n.max(1) as f64;

    // The answer: one survivor, or the survivors not significantly worse than any other.
    let mut best: Vec<usize> = if alive.len() <= 1 || stop == Stop::Screened {
        alive.clone()
    } else {
        alive
            .iter()
            .copied()
            .filter(|&i| {
                alive.iter().all(|&l| {
                    if l == i {
                        return true;
                    }
                    let d: Vec<f64> = obs[i][..r_end]
                        .iter()
                        .zip(&obs[l][..r_end])
                        .map(|(a, b)| a - b)
                        .collect();
                    let (m, sd) = mean_sd(&d);
                    m >= -t_crit(r_end) * sd / (r_end as f64).sqrt()
                })
            })
            .collect()
    };
    best.sort_by(|&a, &b| {
        mean_of(b, r_end)
            .total_cmp(&mean_of(a, r_end))
            .then(a.cmp(&b))
    });

    // MCB over the replications every strategy ran (Hsu's constrained intervals for how
    // much worse i is than the best of the others, from paired differences).
    let n = *used.iter().min().unwrap_or(&0);
    let mcb = (0..k)
        .map(|i| {
            let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
            for l in (0..k).filter(|&l| l != i) {
                // Oriented larger-is-better: l better than i by X_l − X_i.
                let d: Vec<f64> = obs[l][..n]
                    .iter()
                    .zip(&obs[i][..n])
                    .map(|(a, b)| a - b)
                    .collect();
                let (m, sd) = mean_sd(&d);
                let w = if n >= 2 {
                    t_crit(n) * sd / (n as f64).sqrt()
                } else {
                    f64::INFINITY
                };
                lo = lo.max(m - w);
                hi = hi.max(m + w);
            }
            McbRow {
                strategy: names[i].clone(),
                mean: sign * mean_of(i, n),
                worse_than_best_other: [lo.min(0.0), hi.max(0.0)],
                not_the_best: lo > 0.0,
                the_best: hi <= 0.0,
            }
        })
        .collect();

    Ok(Selection {
        metric: Metric::TOTAL_COST,
        delta: settings.delta,
        confidence: settings.confidence,
        first_stage: settings.first_stage,
        h2,
        strategies: names.to_vec(),
        best: best.iter().map(|&i| names[i].clone()).collect(),
        replications: used.iter().map(|&u| u as u64).collect(),
        means: (0..k).map(|i| sign * mean_of(i, used[i])).collect(),
        eliminations: elim
            .iter()
            .map(|&(i, r, by, diff)| Elimination {
                strategy: names[i].clone(),
                after_replications: r,
                by: names[by].clone(),
                mean_diff: sign * diff,
            })
            .collect(),
        stop,
        mcb,
        mcb_replications: n as u64,
    })
}

fn check(settings: &SelectSettings, k: usize) -> Result<(), SelectError> {
    let err = |message: String, help: &str| {
        Err(SelectError {
            message,
            help: help.into(),
        })
    };
    if k < 2 {
        return err(
            format!("selection needs at least two strategies; found {k}"),
            "add strategies to the scenario",
        );
    }
    if !(settings.delta > 0.0 && settings.delta.is_finite()) {
        return err(
            format!("--delta must be above 0; found {}", settings.delta),
            "the smallest difference that matters, in the metric's unit (e.g. --delta 10000 for total_cost)",
        );
    }
    if !(settings.confidence > 0.0 && settings.confidence < 1.0) {
        return err(
            format!(
                "--confidence must lie strictly between 0 and 1; found {}",
                settings.confidence
            ),
            "e.g. --confidence 0.95",
        );
    }
    if settings.first_stage < 2 {
        return err(
            format!(
                "--first-stage must be at least 2; found {}",
                settings.first_stage
            ),
            "KN estimates variances from the first stage: 10 to 20 is usual",
        );
    }
    if settings.max_replications < settings.first_stage {
        return err(
            format!(
                "--max-replications {} is below the first stage ({})",
                settings.max_replications, settings.first_stage
            ),
            "raise --max-replications",
        );
    }
    Ok(())
}

/// Select the best strategy of a scenario by simulation (replications from 0 upward, the
/// scenario's seed, CRN across strategies).
pub fn select(
    scenario: &Scenario,
    settings: &SelectSettings,
    progress: &mut dyn FnMut(u64),
) -> Result<Selection, SelectError> {
    let names: Vec<String> = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    let metric = settings.metric;
    if metric.direction() == crate::stats::Direction::Neutral {
        return Err(SelectError {
            message: format!("{} has no better direction to select on", metric.name()),
            help: "select on a cost, a time or availability, e.g. --metric total_cost".into(),
        });
    }
    let mut sample = |which: &[usize], reps: Range<u64>| {
        let n = reps.end - reps.start;
        let rows = simulate(scenario, which, reps, metric)?;
        progress(n * which.len() as u64);
        Ok(rows)
    };
    let mut sel = select_with(
        &names,
        settings,
        metric.direction().higher_is_better(),
        &mut sample,
    )?;
    sel.metric = metric;
    Ok(sel)
}

/// `metric` of strategies `which` over replications `reps`: `[which][rep]`, in order whatever
/// the thread count.
fn simulate(
    scenario: &Scenario,
    which: &[usize],
    reps: Range<u64>,
    metric: Metric,
) -> Result<Vec<Vec<f64>>, SelectError> {
    let per_rep: Vec<Vec<Option<f64>>> = reps
        .clone()
        .into_par_iter()
        .map_init(Simulator::new, |sim, rep| {
            let mut projection = MetricsProjection::new(scenario, 0);
            which
                .iter()
                .map(|&s| {
                    sim.run(scenario, s, rep, &mut projection);
                    metric.value(&projection.metrics())
                })
                .collect()
        })
        .collect();
    let mut out = vec![Vec::with_capacity(per_rep.len()); which.len()];
    for (j, row) in per_rep.into_iter().enumerate() {
        for (pos, v) in row.into_iter().enumerate() {
            match v {
                Some(x) => out[pos].push(x),
                None => {
                    return Err(SelectError {
                        message: format!(
                            "{} is undefined in replication {} of {}",
                            metric.name(),
                            reps.start + j as u64,
                            scenario.strategies[which[pos]].name
                        ),
                        help: "select on a metric defined in every replication, such as total_cost or outage_minutes".into(),
                    });
                }
            }
        }
    }
    Ok(out)
}
