//! The report model: everything a run concludes, computed from the replications' rows.
//! Every exporter (JSON, Markdown, CSV, terminal) renders this one structure.

pub mod views;

use serde_json::{Map, Value, json};

use crate::experiment::ExperimentResults;
use crate::experiment::rows::Column;
use crate::finance::{self, CaseInputs, YearFlow};
use crate::metrics::Metric;
use crate::projections::CHECKPOINTS;
use crate::scenario::{MINUTES_PER_YEAR, Scenario};
use crate::stats::{Paired, Summary, bonferroni_level, holm_adjust_chosen, quantile_select};

/// Per-tier figures of one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct TierReport {
    pub name: String,
    /// Busy minutes / (staff × horizon).
    pub utilization: Option<Summary>,
    /// Mean wait of incidents in this tier's queue.
    pub queue_wait_minutes: Option<Summary>,
    /// For a tier with `on_call` (model.md §8.2): pages, pages that woke someone, and the
    /// hours with no shift open (the same in every replication).
    pub on_call: Option<OnCallLoad>,
}

/// How often a strategy pages (and wakes) a tier's on-call engineers.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCallLoad {
    pub pages: Option<Summary>,
    pub pages_asleep: Option<Summary>,
    pub on_call_hours: f64,
}

/// Per-service figures of one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceReport {
    pub name: String,
    /// Own and inherited outage minutes together.
    pub outage_minutes: Option<Summary>,
    /// The part of `outage_minutes` the service was down only because a dependency was
    /// (docs/model.md §8.10).
    pub inherited_outage_minutes: Option<Summary>,
    /// The downtime cost this service caused as a root cause: its own minutes and those its
    /// dependants inherited from it, at their rates (docs/model.md §8.10). `None` for
    /// scenarios without dependencies.
    pub root_cause_cost: Option<Summary>,
}

impl StrategyReport {
    /// The services that caused downtime cost, costliest first (by mean; ties in scenario
    /// order): the cost-by-root-cause table. Empty without dependencies.
    pub fn root_causes(&self) -> Vec<(&str, Summary)> {
        let mut out: Vec<(&str, Summary)> = self
            .services
            .iter()
            .filter_map(|s| Some((s.name.as_str(), s.root_cause_cost?)))
            .filter(|(_, c)| c.mean > 0.0)
            .collect();
        out.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
        out
    }
}

/// All figures of one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyReport {
    pub name: String,
    /// In registry order ([`Metric::all`]); None where undefined in every replication.
    pub metrics: Vec<(Metric, Option<Summary>)>,
    pub tiers: Vec<TierReport>,
    pub services: Vec<ServiceReport>,
}

impl StrategyReport {
    /// The summary of one metric.
    pub fn metric(&self, metric: Metric) -> Option<&Summary> {
        self.metrics
            .iter()
            .find(|(m, _)| *m == metric)
            .and_then(|(_, s)| s.as_ref())
    }
}

/// A paired comparison of one metric, candidate − baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub baseline: String,
    pub candidate: String,
    pub metric: Metric,
    pub paired: Paired,
}

/// One pair of strategies compared on one metric, with the family-wise adjustments over
/// every pair (`summary.json` `pairs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The earlier strategy in file order.
    pub a: String,
    /// The later strategy; differences are `b − a`.
    pub b: String,
    pub metric: Metric,
    /// `p_candidate_better` is the share of replications where `b` is strictly better.
    pub paired: Paired,
    /// Two-sided paired-t p-value of "no difference".
    pub p_value: f64,
    /// Holm-adjusted p-value over all pairs of this metric.
    pub p_value_holm: f64,
    /// Simultaneous 95 % interval over all pairs (Bonferroni: each at 1 − 0.05/m).
    pub ci95_bonferroni: [f64; 2],
}

/// Hsu's MCB on total cost from a run's replications (common random numbers: paired).
fn total_cost_mcb(
    scenario: &Scenario,
    results: &ExperimentResults,
) -> Vec<crate::experiment::select::McbRow> {
    let n = (results.reps.end - results.reps.start) as usize;
    if scenario.strategies.len() < 2 || n < 2 {
        return Vec::new();
    }
    let names: Vec<String> = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    // Oriented larger-is-better, as the procedure wants: costs negated.
    let obs: Vec<Vec<f64>> = results
        .strategies
        .iter()
        .map(|s| s.rows.scalars(|r| -r.total_cost).collect())
        .collect();
    crate::experiment::select::mcb_table(&names, &obs, n, 0.95, false)
}

/// Most strategies whose every pair `summary.json` lists: 12 strategies make 66 pairs. The
/// pairs grow with the square of the strategies — 1,001 strategies make 500,500, a summary.json
/// of a quarter of a gigabyte and a run of several (issue 18) — so beyond this the list keeps
/// the pairs among the strategies with the best means (the contenders), as the savings chart
/// keeps its panels; the adjustments still count every pair.
pub const MAX_PAIR_STRATEGIES: usize = 12;

/// The pairs of strategies compared on one metric: those listed, and how many there are.
#[derive(Debug, Clone, PartialEq)]
pub struct PairTable {
    /// The listed pairs, in file order ((0,1), (0,2), …, (1,2), …): every pair, or with more
    /// than the cap those among the best strategies.
    pub listed: Vec<Pair>,
    /// Pairs compared (m, the family the adjustments count): k(k−1)/2 where every pair is
    /// defined.
    pub compared: usize,
}

impl PairTable {
    /// Pairs compared but not listed.
    pub fn omitted(&self) -> usize {
        self.compared - self.listed.len()
    }
}

/// Every pair of strategies on `metric` (see [`pair_table`] with no cap).
pub fn all_pairs(scenario: &Scenario, results: &ExperimentResults, metric: Metric) -> Vec<Pair> {
    pair_table(scenario, results, metric, usize::MAX).listed
}

/// The pairs of strategies on `metric`, paired by replication, with Holm-adjusted p-values and
/// Bonferroni simultaneous intervals over every pair (m of them). With more than
/// `max_strategies` strategies only the pairs among the `max_strategies` with the best mean
/// `metric` are listed (ties: file order; a metric without a better direction: the first
/// ones), with the same numbers, bit for bit, as a list of every pair: each pair's p-value is
/// computed, and only the m p-values are held, not m pairs.
///
/// Why two adjustments: Holm's step-down procedure is the more powerful way to decide which
/// pairs differ, but it has no simultaneous confidence intervals of its own (the intervals
/// compatible with it degenerate to one-sided bounds for the rejected pairs); the Bonferroni
/// intervals are the simultaneous ones that go with it, wider than the unadjusted ones
/// whenever m > 1 and equal for a single pair.
pub fn pair_table(
    scenario: &Scenario,
    results: &ExperimentResults,
    metric: Metric,
    max_strategies: usize,
) -> PairTable {
    let k = scenario.strategies.len();
    let listed = listed_strategies(results, metric, max_strategies);
    let mut pairs = Vec::new();
    let mut family = Vec::new();
    // One buffer of differences for every pair: no allocation per pair.
    let mut diffs = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            let rows = results.strategies[a]
                .rows
                .metric_values(metric)
                .zip(results.strategies[b].rows.metric_values(metric));
            if listed[a] && listed[b] {
                if let Some(paired) = Paired::of(rows, metric.direction()) {
                    family.push(paired.p_value());
                    pairs.push(Pair {
                        a: scenario.strategies[a].name.clone(),
                        b: scenario.strategies[b].name.clone(),
                        metric,
                        p_value: paired.p_value(),
                        p_value_holm: f64::NAN,
                        ci95_bonferroni: paired.ci95,
                        paired,
                    });
                }
            } else {
                // The same arithmetic as `Paired::of` and `Paired::p_value`, so the family's
                // p-values are those of a list of every pair.
                diffs.clear();
                diffs.extend(rows.filter_map(|(x, y)| Some(y? - x?)));
                if !diffs.is_empty() {
                    let (mean, sd) = crate::stats::mean_sd(&diffs);
                    family.push(crate::stats::paired_t_p_value(diffs.len() as u64, mean, sd));
                }
            }
        }
    }
    let m = family.len();
    let chosen: Vec<f64> = pairs.iter().map(|p| p.p_value).collect();
    let holm = holm_adjust_chosen(family, &chosen);
    let level = bonferroni_level(0.95, m);
    for (p, h) in pairs.iter_mut().zip(holm) {
        p.p_value_holm = h;
        if m > 1 {
            p.ci95_bonferroni = p.paired.ci(level);
        }
    }
    PairTable {
        listed: pairs,
        compared: m,
    }
}

/// Which strategies' pairs are listed: all, or the `max` with the best mean `metric` (over the
/// replications where it is defined; ties and a metric without a direction: file order).
fn listed_strategies(results: &ExperimentResults, metric: Metric, max: usize) -> Vec<bool> {
    let k = results.strategies.len();
    if k <= max {
        return vec![true; k];
    }
    let means: Vec<f64> = results
        .strategies
        .iter()
        .map(|s| {
            let (sum, n) = s
                .rows
                .metric_values(metric)
                .flatten()
                .fold((0.0, 0u64), |(sum, n), v| (sum + v, n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        })
        .collect();
    let mut order: Vec<usize> = (0..k).collect();
    // Smaller is better; undefined means last whatever the direction.
    let key = |i: usize| {
        let m = match metric.direction() {
            crate::stats::Direction::LowerIsBetter => means[i],
            crate::stats::Direction::HigherIsBetter => -means[i],
            crate::stats::Direction::Neutral => 0.0,
        };
        if m.is_nan() { f64::INFINITY } else { m }
    };
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    let mut listed = vec![false; k];
    for &i in order.iter().take(max) {
        listed[i] = true;
    }
    listed
}

/// The budget view of one candidate against the baseline, per year.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub baseline: String,
    pub candidate: String,
    /// Net annual savings (baseline − candidate total cost), mean and 95 % CI.
    pub savings_per_year: f64,
    pub savings_ci95: [f64; 2],
    /// Candidate − baseline investment per year.
    pub incremental_investment_per_year: f64,
    /// savings / incremental investment; None without incremental investment.
    pub roi: Option<f64>,
    /// 12 × investment / (savings + investment); None when it never pays back.
    pub payback_months: Option<f64>,
    /// Share of replications where the candidate's total cost is strictly lower.
    pub p_cheaper: f64,
    /// The business case over `[finance] years` (one year, undiscounted, without it).
    pub case: BusinessCase,
}

/// A candidate's multi-year business case (issue 16), from [`crate::finance`].
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCase {
    /// Net present value of the mean year's flows.
    pub npv: f64,
    /// 10th and 90th percentiles of the NPV over replication paths ([`finance::npv_paths`]).
    pub npv_p10: f64,
    pub npv_p90: f64,
    /// Share of replication paths with NPV > 0.
    pub p_npv_positive: f64,
    /// ROI on present values: NPV / PV(costs); None without costs.
    pub roi_pv: Option<f64>,
    /// Discounted payback in years; None when it does not pay back within the years.
    pub discounted_payback_years: Option<f64>,
    /// P10, P50, P90 of one year's net savings over replications (a bad, typical, good year).
    pub savings_p10_p50_p90: [f64; 3],
    /// Hard part of the yearly benefit: labour cost avoided (paid hours), mean per year.
    pub labor_saved_per_year: f64,
    /// Soft part: downtime cost avoided (an estimate of lost business), mean per year.
    pub downtime_avoided_per_year: f64,
    /// The candidate's `annual_cost` at which the NPV is 0 (without `[finance]`: at which the
    /// net savings are 0), everything else as simulated: recurring cost enters the total
    /// linearly, so this needs no re-simulation ([`CaseInputs::break_even_recurring_cost`]).
    pub break_even_annual_cost: f64,
    /// Year 0 … years.
    pub cash_flows: Vec<YearFlow>,
}

/// The chart material of one strategy, in the units the charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyCurves {
    /// Outage hours per (365-day) year, one value per replication, in replication order.
    pub outage_hours_per_year: Vec<f64>,
    /// Restore-time histogram summed over replications (log bins of `projections::metrics`).
    pub restore_hist: Vec<u64>,
    /// Cumulative total cost at the checkpoints: mean over replications (summed in
    /// replication order), and the 5th and 95th percentiles.
    pub cost_mean: Vec<f64>,
    pub cost_p05: Vec<f64>,
    pub cost_p95: Vec<f64>,
    /// Annual loss from incidents (downtime + labour cost, per year), one value per
    /// replication, sorted ascending: the loss-exceedance curve reads it.
    pub incident_loss_per_year_sorted: Vec<f64>,
}

/// The paired savings of one candidate against the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsSeries {
    /// Index of the candidate strategy (scenario order).
    pub candidate: usize,
    /// (baseline − candidate total cost) per year, one value per replication.
    pub savings_per_year: Vec<f64>,
}

/// What the charts draw: the report is their only input, so charts need not know how the
/// experiment stored its replications. Size: fixed per strategy for the histograms and cost
/// curves, one number per replication for the two distribution charts.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Per strategy, in scenario order.
    pub strategies: Vec<StrategyCurves>,
    /// Per candidate (every strategy but the baseline), in scenario order.
    pub savings: Vec<SavingsSeries>,
}

impl ChartData {
    fn build(scenario: &Scenario, results: &ExperimentResults) -> ChartData {
        let per_year = MINUTES_PER_YEAR / scenario.simulation.horizon_minutes;
        let strategies = results
            .strategies
            .iter()
            .map(|r| {
                let n = r.cost_checkpoints.len();
                let mut cost_mean = Vec::with_capacity(CHECKPOINTS);
                let mut cost_p05 = Vec::with_capacity(CHECKPOINTS);
                let mut cost_p95 = Vec::with_capacity(CHECKPOINTS);
                let mut column = Vec::with_capacity(n);
                for j in 0..CHECKPOINTS {
                    column.clear();
                    column.extend(r.cost_checkpoints.iter().map(|c| c[j] as f64));
                    cost_mean.push(column.iter().sum::<f64>() / n.max(1) as f64);
                    cost_p05.push(quantile_select(&mut column, 0.05));
                    cost_p95.push(quantile_select(&mut column, 0.95));
                }
                StrategyCurves {
                    outage_hours_per_year: r
                        .rows
                        .scalars(|row| row.outage_minutes / 60.0 * per_year)
                        .collect(),
                    restore_hist: r.restore_hist.clone(),
                    incident_loss_per_year_sorted: {
                        let mut losses: Vec<f64> = r
                            .rows
                            .scalars(|row| (row.downtime_cost + row.labor_cost) * per_year)
                            .collect();
                        losses.sort_by(f64::total_cmp);
                        losses
                    },
                    cost_mean,
                    cost_p05,
                    cost_p95,
                }
            })
            .collect();
        let baseline = scenario.baseline_index();
        let base_rows = &results.strategies[baseline].rows;
        let savings = (0..results.strategies.len())
            .filter(|&i| i != baseline)
            .map(|candidate| SavingsSeries {
                candidate,
                savings_per_year: base_rows
                    .scalars(|b| b.total_cost)
                    .zip(results.strategies[candidate].rows.scalars(|c| c.total_cost))
                    .map(|(b, c)| (b - c) * per_year)
                    .collect(),
            })
            .collect();
        ChartData {
            strategies,
            savings,
        }
    }
}

/// Points of each loss-exceedance curve written to summary.json (log-spaced).
pub const LOSS_POINTS: usize = 25;

/// Everything a run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub scenario: String,
    pub currency: String,
    pub seed: u64,
    pub replications: u64,
    pub horizon_minutes: f64,
    pub strategies: Vec<StrategyReport>,
    pub baseline: usize,
    pub comparisons: Vec<Comparison>,
    /// The pairs of strategies on total cost: every pair, or with more than
    /// [`MAX_PAIR_STRATEGIES`] strategies those among the cheapest (see [`pair_table`]).
    pub pairs: Vec<Pair>,
    /// Pairs compared on total cost (m, over which `pairs` are adjusted): `pairs.len()` unless
    /// some were left out of the list.
    pub pairs_compared: usize,
    pub budgets: Vec<Budget>,
    /// What the charts draw.
    pub charts: ChartData,
    /// Whether some service has `depends_on`: the per-service figures then split own from
    /// inherited outage (docs/model.md §8.10).
    pub has_dependencies: bool,
    /// Multiple comparisons with the best on total cost over this run's replications (Hsu's
    /// constrained intervals at 95 %, see [`crate::experiment::select::mcb_table`]); empty
    /// with fewer than two strategies or replications. report.html shows it from three
    /// strategies on.
    pub mcb: Vec<crate::experiment::select::McbRow>,
}

impl Report {
    /// The metrics shown as rows of the human-readable tables: the registry's table rows,
    /// less those of features this run did not use (0 in every strategy).
    pub fn table_rows(&self) -> Vec<Metric> {
        Metric::table_rows()
            .filter(|m| {
                !m.def().hide_when_zero
                    || self
                        .strategies
                        .iter()
                        .any(|s| s.metric(*m).is_some_and(|x| x.mean != 0.0))
            })
            .collect()
    }

    /// Compute the report from the rows of a run (in replication order).
    pub fn build(scenario: &Scenario, results: &ExperimentResults) -> Report {
        let horizon = scenario.simulation.horizon_minutes;
        let has_dependencies = scenario.services.iter().any(|s| !s.depends_on.is_empty());
        let strategies: Vec<StrategyReport> = scenario
            .strategies
            .iter()
            .zip(&results.strategies)
            .enumerate()
            .map(|(si, (strategy, res))| {
                let on_call_minutes = crate::projections::metrics::on_call_minutes(scenario, si);
                StrategyReport {
                    name: strategy.name.clone(),
                    metrics: Metric::all()
                        .map(|m| (m, Summary::of(res.rows.metric_values(m))))
                        .collect(),
                    tiers: scenario
                        .tiers_of(si)
                        .iter()
                        .enumerate()
                        .map(|(i, tier)| TierReport {
                            name: tier.name.clone(),
                            utilization: Summary::of(
                                res.rows
                                    .column_values(Column::TierBusyMinutes, i)
                                    .map(|busy| Some(busy? / (tier.staff as f64 * horizon))),
                            ),
                            queue_wait_minutes: Summary::of(
                                res.rows.column_values(Column::TierQueueWaitMinutes, i),
                            ),
                            on_call: tier.on_call.as_ref().map(|_| OnCallLoad {
                                pages: Summary::of(
                                    res.rows
                                        // Empty when no tier can be paged: zero.
                                        .column_values(Column::TierPages, i)
                                        .map(|pages| Some(pages.unwrap_or(0.0))),
                                ),
                                pages_asleep: Summary::of(
                                    res.rows
                                        .column_values(Column::TierPagesAsleep, i)
                                        .map(|pages| Some(pages.unwrap_or(0.0))),
                                ),
                                on_call_hours: on_call_minutes[i] / 60.0,
                            }),
                        })
                        .collect(),
                    services: scenario
                        .services
                        .iter()
                        .enumerate()
                        .map(|(i, svc)| ServiceReport {
                            name: svc.name.clone(),
                            outage_minutes: Summary::of(
                                res.rows.column_values(Column::ServiceOutageMinutes, i),
                            ),
                            // An empty column (no dependencies) reads as zeros.
                            inherited_outage_minutes: Summary::of(
                                res.rows
                                    .column_values(Column::ServiceInheritedOutageMinutes, i)
                                    .map(|v| Some(v.unwrap_or(0.0))),
                            ),
                            root_cause_cost: if has_dependencies {
                                Summary::of(res.rows.column_values(Column::ServiceRootCauseCost, i))
                            } else {
                                None
                            },
                        })
                        .collect(),
                }
            })
            .collect();

        let baseline = scenario.baseline_index();
        let mut comparisons = Vec::new();
        let mut budgets = Vec::new();
        let per_year = MINUTES_PER_YEAR / horizon;
        for candidate in 0..scenario.strategies.len() {
            if candidate == baseline {
                continue;
            }
            let base_rows = &results.strategies[baseline].rows;
            let cand_rows = &results.strategies[candidate].rows;
            for metric in Metric::all() {
                let pairs = base_rows
                    .metric_values(metric)
                    .zip(cand_rows.metric_values(metric));
                if let Some(paired) = Paired::of(pairs, metric.direction()) {
                    comparisons.push(Comparison {
                        baseline: scenario.strategies[baseline].name.clone(),
                        candidate: scenario.strategies[candidate].name.clone(),
                        metric,
                        paired,
                    });
                }
            }
            if let Some(total) = comparisons
                .iter()
                .rev()
                .find(|c| c.metric == Metric::TOTAL_COST)
            {
                let savings = -total.paired.mean_diff * per_year;
                // Per year, the investment is the annual cost itself (no round trip through
                // the horizon, which would leave float noise like 4999.999999999999).
                let invest = scenario.strategies[candidate].annual_cost
                    - scenario.strategies[baseline].annual_cost;
                let roi = (invest > 0.0).then(|| savings / invest);
                let payback = (invest > 0.0 && savings + invest > 0.0)
                    .then(|| 12.0 * invest / (savings + invest));
                let yearly: Vec<f64> = base_rows
                    .scalars(|b| b.total_cost)
                    .zip(cand_rows.scalars(|c| c.total_cost))
                    .map(|(b, c)| (b - c) * per_year)
                    .collect();
                let case = business_case(scenario, baseline, candidate, savings, &yearly, |m| {
                    let diff = base_rows
                        .metric_values(m)
                        .zip(cand_rows.metric_values(m))
                        .map(|(b, c)| b.unwrap_or(0.0) - c.unwrap_or(0.0))
                        .sum::<f64>();
                    diff / base_rows.len().max(1) as f64 * per_year
                });
                budgets.push(Budget {
                    baseline: total.baseline.clone(),
                    candidate: total.candidate.clone(),
                    savings_per_year: savings,
                    savings_ci95: [
                        -total.paired.ci95[1] * per_year,
                        -total.paired.ci95[0] * per_year,
                    ],
                    incremental_investment_per_year: invest,
                    roi,
                    payback_months: payback,
                    // Total cost is lower-is-better (a registry test pins every cost's
                    // direction), so the share is always there.
                    p_cheaper: total.paired.p_candidate_better.unwrap_or(f64::NAN),
                    case,
                });
            }
        }

        let PairTable {
            listed: pairs,
            compared: pairs_compared,
        } = pair_table(scenario, results, Metric::TOTAL_COST, MAX_PAIR_STRATEGIES);
        Report {
            scenario: scenario.name.clone(),
            currency: scenario.currency.clone(),
            seed: scenario.simulation.seed,
            replications: results.reps.end - results.reps.start,
            horizon_minutes: horizon,
            strategies,
            baseline,
            comparisons,
            pairs,
            pairs_compared,
            budgets,
            charts: ChartData::build(scenario, results),
            has_dependencies,
            mcb: total_cost_mcb(scenario, results),
        }
    }

    /// Indices into [`Report::budgets`], best first: by NPV (the net savings per year without
    /// `[finance]`), never by ROI, which favours a cheap candidate that saves little; ties keep
    /// scenario order.
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.budgets.len()).collect();
        order.sort_by(|&a, &b| {
            self.budgets[b]
                .case
                .npv
                .total_cmp(&self.budgets[a].case.npv)
        });
        order
    }

    /// Names of the candidate strategies (every strategy but the baseline), in scenario order.
    pub fn candidate_names(&self) -> Vec<&str> {
        self.strategies
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.baseline)
            .map(|(_, s)| s.name.as_str())
            .collect()
    }

    /// Points of each strategy's loss-exceedance curve: `x` an annual loss from incidents,
    /// `p` the share of replications whose loss is strictly above it.
    fn loss_exceedance_json(&self) -> Value {
        let mut out = Map::new();
        for (s, curves) in self.strategies.iter().zip(&self.charts.strategies) {
            let points: Vec<Value> =
                finance::exceedance_points(&curves.incident_loss_per_year_sorted, LOSS_POINTS)
                    .into_iter()
                    .map(|(x, p)| json!({"x": num(x), "p": num(p)}))
                    .collect();
            out.insert(s.name.clone(), Value::Array(points));
        }
        Value::Object(out)
    }

    /// `summary.json` (docs/model.md §5 names).
    pub fn to_json(&self) -> Value {
        let mut strategies = Map::new();
        for s in &self.strategies {
            let mut m = Map::new();
            for (metric, summary) in &s.metrics {
                m.insert(metric.name().to_string(), summary_json(summary.as_ref()));
            }
            let mut tiers = Map::new();
            for t in &s.tiers {
                let mut tier = json!({
                    "utilization": summary_json(t.utilization.as_ref()),
                    "queue_wait_minutes": summary_json(t.queue_wait_minutes.as_ref()),
                });
                if let (Some(load), Value::Object(fields)) = (&t.on_call, &mut tier) {
                    fields.insert("pages".into(), summary_json(load.pages.as_ref()));
                    fields.insert(
                        "pages_asleep".into(),
                        summary_json(load.pages_asleep.as_ref()),
                    );
                    fields.insert("on_call_hours".into(), json!(load.on_call_hours));
                }
                tiers.insert(t.name.clone(), tier);
            }
            m.insert("tiers".into(), Value::Object(tiers));
            let mut services = Map::new();
            for svc in &s.services {
                let mut entry =
                    json!({ "outage_minutes": summary_json(svc.outage_minutes.as_ref()) });
                // Only scenarios with dependencies split own from inherited outage, so the
                // files of other scenarios keep their bytes.
                if self.has_dependencies {
                    entry["inherited_outage_minutes"] =
                        summary_json(svc.inherited_outage_minutes.as_ref());
                }
                services.insert(svc.name.clone(), entry);
            }
            m.insert("services".into(), Value::Object(services));
            // Cost by root cause (§8.10), costliest first: only with dependencies, so the
            // files of other scenarios keep their bytes.
            if self.has_dependencies {
                let roots: Vec<Value> = s
                    .root_causes()
                    .into_iter()
                    .map(|(name, cost)| {
                        json!({ "service": name, "downtime_cost": summary_json(Some(&cost)) })
                    })
                    .collect();
                m.insert("root_causes".into(), Value::Array(roots));
            }
            strategies.insert(s.name.clone(), Value::Object(m));
        }
        let comparisons: Vec<Value> = self
            .comparisons
            .iter()
            .map(|c| {
                json!({
                    "baseline": c.baseline,
                    "candidate": c.candidate,
                    "metric": c.metric.name(),
                    "mean_diff": num(c.paired.mean_diff),
                    "ci95": ci_json(c.paired.ci95, c.paired.n),
                    "p_candidate_better": c.paired.p_candidate_better.map(num),
                    "n": c.paired.n,
                })
            })
            .collect();
        let pairs: Vec<Value> = self
            .pairs
            .iter()
            .map(|p| {
                json!({
                    "a": p.a,
                    "b": p.b,
                    "metric": p.metric.name(),
                    "mean_diff": num(p.paired.mean_diff),
                    "ci95": ci_json(p.paired.ci95, p.paired.n),
                    "ci95_bonferroni": ci_json(p.ci95_bonferroni, p.paired.n),
                    "p_b_better": p.paired.p_candidate_better.map(num),
                    "p_value": num(p.p_value),
                    "p_value_holm": num(p.p_value_holm),
                    "n": p.paired.n,
                })
            })
            .collect();
        let budgets: Vec<Value> = self
            .budgets
            .iter()
            .map(|b| {
                json!({
                    "baseline": b.baseline,
                    "candidate": b.candidate,
                    "savings_per_year": num(b.savings_per_year),
                    "savings_per_year_ci95": ci_json(b.savings_ci95, self.replications),
                    "incremental_investment_per_year": num(b.incremental_investment_per_year),
                    "roi": b.roi.map(num),
                    "payback_months": b.payback_months.map(num),
                    "p_candidate_cheaper": num(b.p_cheaper),
                    "npv": num(b.case.npv),
                    "npv_p10": num(b.case.npv_p10),
                    "npv_p90": num(b.case.npv_p90),
                    "p_npv_positive": num(b.case.p_npv_positive),
                    "roi_present_value": b.case.roi_pv.map(num),
                    "discounted_payback_years": b.case.discounted_payback_years.map(num),
                    "savings_per_year_p10": num(b.case.savings_p10_p50_p90[0]),
                    "savings_per_year_p50": num(b.case.savings_p10_p50_p90[1]),
                    "savings_per_year_p90": num(b.case.savings_p10_p50_p90[2]),
                    "labor_saved_per_year": num(b.case.labor_saved_per_year),
                    "downtime_avoided_per_year": num(b.case.downtime_avoided_per_year),
                    "break_even_annual_cost": num(b.case.break_even_annual_cost),
                    "cash_flows": b.case.cash_flows.iter().map(|f| json!({
                        "year": f.year,
                        "costs": num(f.costs),
                        "benefits": num(f.benefits),
                        "net": num(f.net),
                        "discount_factor": num(f.discount_factor),
                        "discounted": num(f.discounted),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut out = json!({
            "scenario": self.scenario,
            "currency": self.currency,
            "seed": self.seed,
            "replications": self.replications,
            "horizon_minutes": num(self.horizon_minutes),
            "baseline": self.strategies[self.baseline].name,
            "strategies": Value::Object(strategies),
            "comparisons": comparisons,
            "pairs": pairs,
            "pairs_method": self.pairs_method(),
            "budget": budgets,
            "ranking": self.ranking().into_iter().map(|i| self.budgets[i].candidate.clone()).collect::<Vec<_>>(),
            "ranking_method": "candidates by NPV (net savings per year without [finance]), best first",
            "loss_exceedance": self.loss_exceedance_json(),
            "incsim_version": env!("CARGO_PKG_VERSION"),
        });
        // Only a list with pairs left out says how many, so the files of scenarios with at
        // most MAX_PAIR_STRATEGIES strategies keep their bytes.
        let omitted = self.pairs_compared.saturating_sub(self.pairs.len());
        if let (true, Value::Object(fields)) = (omitted > 0, &mut out) {
            let at = fields
                .keys()
                .position(|k| k == "pairs_method")
                .map_or(fields.len(), |i| i + 1);
            fields.shift_insert(at, "pairs_omitted".into(), json!(omitted));
        }
        out
    }

    /// How `summary.json` `pairs` were computed, and which pairs it lists.
    fn pairs_method(&self) -> String {
        const EVERY: &str = "every pair b − a on total_cost, paired by replication (common random numbers); ci95 unadjusted; ci95_bonferroni simultaneous over all pairs (each at 1 − 0.05/m); p_value two-sided paired t; p_value_holm Holm step-down over all pairs";
        if self.pairs_compared <= self.pairs.len() {
            return EVERY.to_string();
        }
        format!(
            "the pairs b − a on total_cost among the {MAX_PAIR_STRATEGIES} strategies with the lowest mean total cost ({} listed; the other {} of the m = {} pairs are left out, a list that grows with the square of the strategies), paired by replication (common random numbers); ci95 unadjusted; ci95_bonferroni simultaneous over all m pairs (each at 1 − 0.05/m); p_value two-sided paired t; p_value_holm Holm step-down over all m pairs",
            self.pairs.len(),
            self.pairs_compared - self.pairs.len(),
            self.pairs_compared
        )
    }
}

/// The mean net savings per year of `candidate` over the baseline: the same arithmetic, to
/// the bit, as [`Budget::savings_per_year`] of [`Report::build`], without the rest of the
/// report (its intervals invert the t distribution for every metric, which dominates the
/// cost of the many short runs of a sensitivity analysis).
pub fn savings_per_year(scenario: &Scenario, results: &ExperimentResults, candidate: usize) -> f64 {
    let baseline = scenario.baseline_index();
    let per_year = MINUTES_PER_YEAR / scenario.simulation.horizon_minutes;
    let diffs: Vec<f64> = results.strategies[baseline]
        .rows
        .metric_values(Metric::TOTAL_COST)
        .zip(
            results.strategies[candidate]
                .rows
                .metric_values(Metric::TOTAL_COST),
        )
        .filter_map(|(b, c)| Some(c? - b?))
        .collect();
    let (mean_diff, _) = crate::stats::mean_sd(&diffs);
    -mean_diff * per_year
}

/// The business case of one candidate: `savings` is the mean net savings per year, `yearly`
/// the per-replication ones, `avoided(metric)` the mean per-year baseline − candidate value of a
/// cost metric.
fn business_case(
    scenario: &Scenario,
    baseline: usize,
    candidate: usize,
    savings: f64,
    yearly: &[f64],
    avoided: impl Fn(Metric) -> f64,
) -> BusinessCase {
    let (base, cand) = (
        &scenario.strategies[baseline],
        &scenario.strategies[candidate],
    );
    let inputs = CaseInputs {
        savings_per_year: savings,
        recurring_cost_per_year: cand.annual_cost - base.annual_cost,
        one_time_cost: cand.one_time_cost - base.one_time_cost,
        ramp_up: &cand.ramp_up,
        years: scenario.finance.years,
        discount_rate: scenario.finance.discount_rate,
    };
    let mut paths = finance::npv_paths(yearly, &inputs);
    let p_npv_positive =
        paths.iter().filter(|&&v| v > 0.0).count() as f64 / paths.len().max(1) as f64;
    let npv_p10 = quantile_select(&mut paths, 0.10);
    let npv_p90 = quantile_select(&mut paths, 0.90);
    let mut year = yearly.to_vec();
    let savings_p10_p50_p90 = [0.10, 0.50, 0.90].map(|p| quantile_select(&mut year, p));
    BusinessCase {
        npv: inputs.npv(),
        npv_p10,
        npv_p90,
        p_npv_positive,
        roi_pv: inputs.roi_pv(),
        discounted_payback_years: inputs.discounted_payback_years(),
        savings_p10_p50_p90,
        labor_saved_per_year: avoided(Metric::LABOR_COST),
        downtime_avoided_per_year: avoided(Metric::DOWNTIME_COST),
        break_even_annual_cost: base.annual_cost + inputs.break_even_recurring_cost(),
        cash_flows: inputs.cash_flows(),
    }
}

/// A finite number, or null (JSON has no NaN). Negative zero is written as 0.
fn num(x: f64) -> Value {
    let x = if x == 0.0 { 0.0 } else { x };
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A 95 % confidence interval, or null when fewer than two replications leave it undefined
/// (t with n − 1 = 0 degrees of freedom).
fn ci_json(ci: [f64; 2], n: u64) -> Value {
    if n < 2 {
        Value::Null
    } else {
        json!([num(ci[0]), num(ci[1])])
    }
}

fn summary_json(s: Option<&Summary>) -> Value {
    match s {
        None => json!({"mean": null, "ci95": null, "p50": null, "p95": null, "n": 0}),
        Some(s) => json!({
            "mean": num(s.mean),
            "ci95": ci_json(s.ci95, s.n),
            "p50": num(s.p50),
            "p95": num(s.p95),
            "sd": if s.n < 2 { Value::Null } else { num(s.sd) },
            "n": s.n,
        }),
    }
}
