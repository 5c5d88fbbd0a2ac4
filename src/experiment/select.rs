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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// KN between two stages: everything the procedure knows after the replications so far, and
/// the next stage it asks for. Observations are oriented larger-is-better. Serialisable (with
/// exact floats), so that a stage can run as shards on many machines and the merge continue
/// the procedure exactly where one machine would (`incsim select --shard`).
///
/// A *stage* is what [`Kn::request`] asks for: the first stage (every strategy, replications
/// `0..n₀`), then batches of replications of the strategies still in. The batch schedule is
/// fixed by the state (a quarter of the replications so far, at least 16, capped at KN's last
/// stage and `max_replications`), and screening runs after every replication inside a batch,
/// so the outcome is that of KN screening one replication at a time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kn {
    k: usize,
    n0: u64,
    delta: f64,
    h2: f64,
    max_replications: u64,
    /// `[strategy][rep]`, each up to where it was eliminated.
    obs: Vec<Vec<f64>>,
    sums: Vec<f64>,
    /// S²ᵢₗ from the first stage.
    s2: Vec<Vec<f64>>,
    alive: Vec<usize>,
    /// (strategy, after r, by, oriented mean difference).
    eliminations: Vec<(usize, u64, usize, f64)>,
    /// Replications so far.
    r: u64,
    /// The next stage: which strategies, which replications; None once stopped.
    next: Option<(Vec<usize>, Range<u64>)>,
    stop: Option<Stop>,
}

impl Kn {
    /// KN for `k` systems, before its first stage (settings already checked).
    pub fn new(k: usize, settings: &SelectSettings) -> Kn {
        let n0 = settings.first_stage;
        let alpha = 1.0 - settings.confidence;
        let eta = 0.5 * ((2.0 * alpha / (k as f64 - 1.0)).powf(-2.0 / (n0 as f64 - 1.0)) - 1.0);
        Kn {
            k,
            n0,
            delta: settings.delta,
            h2: 2.0 * eta * (n0 as f64 - 1.0),
            max_replications: settings.max_replications,
            obs: vec![Vec::new(); k],
            sums: vec![0.0; k],
            s2: vec![vec![0.0; k]; k],
            alive: (0..k).collect(),
            eliminations: Vec::new(),
            r: 0,
            next: Some(((0..k).collect(), 0..n0)),
            stop: None,
        }
    }

    /// The next stage: the strategies to observe (indices) and the replications; None when
    /// the procedure has stopped.
    pub fn request(&self) -> Option<(&[usize], Range<u64>)> {
        self.next.as_ref().map(|(w, r)| (w.as_slice(), r.clone()))
    }

    /// Feed the observations of the requested stage (`[position in the request][rep]`,
    /// oriented larger-is-better) and screen.
    ///
    /// Panics when the observations do not have the requested shape (callers check).
    pub fn feed(&mut self, more: &[Vec<f64>]) {
        let (which, reps) = self.next.take().expect("a stage was requested");
        let batch = (reps.end - reps.start) as usize;
        assert!(
            more.len() == which.len() && more.iter().all(|m| m.len() == batch),
            "observations of the requested shape"
        );
        let k = self.k;
        if reps.start == 0 {
            // First stage: S²ᵢₗ, then the screening at n₀.
            self.obs = more.to_vec();
            for i in 0..k {
                for l in 0..k {
                    if i != l {
                        let d: Vec<f64> = self.obs[i]
                            .iter()
                            .zip(&self.obs[l])
                            .map(|(a, b)| a - b)
                            .collect();
                        let sd = mean_sd(&d).1;
                        self.s2[i][l] = sd * sd;
                    }
                }
            }
            self.sums = self.obs.iter().map(|o| o.iter().sum()).collect();
            self.r = self.n0;
            self.decide();
            return;
        }
        let mut batch_obs: Vec<Option<&Vec<f64>>> = vec![None; k];
        for (pos, &i) in which.iter().enumerate() {
            batch_obs[i] = Some(&more[pos]);
        }
        for j in 0..batch {
            for &i in &self.alive {
                let x = batch_obs[i].expect("alive strategies were sampled")[j];
                self.obs[i].push(x);
                self.sums[i] += x;
            }
            self.r += 1;
            if j + 1 < batch {
                // Screen at this r; continue the batch with the survivors.
                self.screen();
                if self.alive.len() <= 1 {
                    self.stop = Some(Stop::Screened);
                    return;
                }
            }
        }
        self.decide();
    }

    /// Eliminate, at r, every strategy some other one (of the set before this screening)
    /// beats by more than Wᵢₗ(r).
    fn screen(&mut self) {
        let rf = self.r as f64;
        let delta = self.delta;
        let mut out = Vec::new();
        for &i in &self.alive {
            for &l in &self.alive {
                if i == l {
                    continue;
                }
                let w = (delta / (2.0 * rf) * (self.h2 * self.s2[i][l] / (delta * delta) - rf))
                    .max(0.0);
                let (mi, ml) = (self.sums[i] / rf, self.sums[l] / rf);
                if mi < ml - w {
                    out.push((i, self.r, l, mi - ml));
                    break;
                }
            }
        }
        self.alive.retain(|i| !out.iter().any(|(j, ..)| j == i));
        self.eliminations.extend(out);
    }

    /// Screen at the end of a stage, then stop or plan the next stage.
    fn decide(&mut self) {
        self.screen();
        let rf = self.r as f64;
        let (h2, delta) = (self.h2, self.delta);
        let n_il = |i: usize, l: usize| (h2 * self.s2[i][l] / (delta * delta)).floor();
        let last_stage = self
            .alive
            .iter()
            .map(|&i| {
                self.alive
                    .iter()
                    .filter(|&&l| l != i)
                    .map(|&l| n_il(i, l))
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max)
            + 1.0;
        let all_tied = self.alive.iter().all(|&i| {
            self.alive
                .iter()
                .all(|&l| self.sums[i] == self.sums[l] && self.s2[i][l] == 0.0)
        });
        self.stop = if self.alive.len() <= 1 || all_tied {
            Some(Stop::Screened)
        } else if rf >= last_stage {
            Some(Stop::LastStage)
        } else if self.r >= self.max_replications {
            Some(Stop::Cap)
        } else {
            None
        };
        if self.stop.is_none() {
            // Simulate ahead in batches (a quarter of what has run, at least 16); extra
            // replications of a strategy eliminated inside the batch are dropped.
            let batch = (self.r / 4)
                .max(16)
                .min(self.max_replications - self.r)
                .min((last_stage - rf).max(1.0) as u64);
            self.next = Some((self.alive.clone(), self.r..self.r + batch));
        }
    }
}

/// Run KN over `k` systems whose observations come from `sample`, larger is better.
fn kn(k: usize, settings: &SelectSettings, sample: &mut Sampler<'_>) -> Result<Kn, SelectError> {
    let mut state = Kn::new(k, settings);
    while let Some((which, reps)) = state.request() {
        let more = sample(which, reps)?;
        state.feed(&more);
    }
    Ok(state)
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
    let state = kn(k, settings, &mut oriented)?;
    Ok(conclude(names, settings, higher_is_better, &state))
}

/// The selection KN's final `state` makes: the best or the subset, replications, means,
/// eliminations, and the MCB table.
pub fn conclude(
    names: &[String],
    settings: &SelectSettings,
    higher_is_better: bool,
    state: &Kn,
) -> Selection {
    let k = names.len();
    let sign = if higher_is_better { 1.0 } else { -1.0 };
    let (alive, obs, elim, h2) = (&state.alive, &state.obs, &state.eliminations, state.h2);
    let stop = state.stop.unwrap_or(Stop::Cap);
    let alpha = 1.0 - settings.confidence;
    let t_crit = |n: usize| t_quantile(1.0 - alpha / (k as f64 - 1.0), n as f64 - 1.0);

    // Each strategy's observations end where it was eliminated (or where the run stopped).
    let mut used: Vec<usize> = obs.iter().map(Vec::len).collect();
    for &(i, r, ..) in elim {
        used[i] = r as usize;
    }
    let r_end = alive.iter().map(|&i| obs[i].len()).max().unwrap_or(0);
    for &i in alive {
        used[i] = r_end;
    }
    let mean_of = |i: usize, n: usize| obs[i][..n].iter().sum::<f64>() / n.max(1) as f64;

    // The answer: one survivor, or the survivors not significantly worse than any other.
    let mut best: Vec<usize> = if alive.len() <= 1 || stop == Stop::Screened {
        alive.to_vec()
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

    // MCB over the replications every strategy ran.
    let n = *used.iter().min().unwrap_or(&0);
    let mcb = mcb_table(names, obs, n, settings.confidence, higher_is_better);

    Selection {
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
    }
}

/// Hsu's constrained multiple comparisons with the best: for each strategy, a simultaneous
/// interval for how much worse it is than the best of the others, from the paired (CRN)
/// differences over the first `n` observations of each (`obs[strategy][rep]`, oriented
/// larger-is-better), with the Bonferroni critical value t(1 − α/(k−1), n − 1), constrained
/// to contain 0 (J. C. Hsu, *Multiple Comparisons*, 1996, ch. 4). Values are reported in
/// the metric's own direction (`higher_is_better`), > 0 = worse.
pub fn mcb_table(
    names: &[String],
    obs: &[Vec<f64>],
    n: usize,
    confidence: f64,
    higher_is_better: bool,
) -> Vec<McbRow> {
    let k = names.len();
    let sign = if higher_is_better { 1.0 } else { -1.0 };
    let alpha = 1.0 - confidence;
    let t_crit = t_quantile(1.0 - alpha / (k as f64 - 1.0), n as f64 - 1.0);
    (0..k)
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
                    t_crit * sd / (n as f64).sqrt()
                } else {
                    f64::INFINITY
                };
                lo = lo.max(m - w);
                hi = hi.max(m + w);
            }
            McbRow {
                strategy: names[i].clone(),
                mean: sign * obs[i][..n].iter().sum::<f64>() / n.max(1) as f64,
                worse_than_best_other: [lo.min(0.0), hi.max(0.0)],
                not_the_best: lo > 0.0,
                the_best: hi <= 0.0,
            }
        })
        .collect()
}

/// Check a selection's settings for `k` strategies on `metric`, as `incsim select` does.
pub fn check_settings(
    settings: &SelectSettings,
    k: usize,
    metric: Metric,
) -> Result<(), SelectError> {
    if metric.direction() == crate::stats::Direction::Neutral {
        return Err(SelectError {
            message: format!("{} has no better direction to select on", metric.name()),
            help: "select on a cost, a time or availability, e.g. --metric total_cost".into(),
        });
    }
    check(settings, k)
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
        let rows = observe(scenario, which, reps, metric)?;
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
pub fn observe(
    scenario: &Scenario,
    which: &[usize],
    reps: Range<u64>,
    metric: Metric,
) -> Result<Vec<Vec<f64>>, SelectError> {
    let per_rep: Vec<Vec<Option<f64>>> = reps
        .clone()
        .into_par_iter()
        // A simulator and a projection per worker; one call per replication shares each
        // failure's common draws among the strategies (the same values `Simulator::run`
        // draws for each).
        .map_init(
            || (Simulator::new(), MetricsProjection::new(scenario, 0)),
            |(sim, projection), rep| {
                let mut values = Vec::with_capacity(which.len());
                sim.run_strategies(
                    scenario,
                    which.iter().copied(),
                    rep,
                    projection,
                    |_, projection, _| {
                        values.push(metric.value(&projection.metrics()));
                    },
                );
                values
            },
        )
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
