//! Report-level views of the studies (`incsim sweep`, `incsim sensitivity`, the two-way grid):
//! what their charts draw, built once from the experiment's result.
//!
//! The charts sit at the end of the one-way flow (see `src/lib.rs`) and must not reach back
//! into `experiment` or across into `export`; like the run's charts, which draw from
//! [`Report`](super::Report), a study's chart draws from one of these views. Each view holds
//! the figures and the texts for people (values, labels) already formatted, so a chart only
//! lays them out.

use crate::experiment::grid::GridResult;
use crate::experiment::sensitivity::SensitivityResult;
use crate::experiment::sweep::{Axis, SweepResult};
use crate::experiment::vary::{Kind, short_text};
use crate::format::{change_label, money, money_short};
use crate::metrics::Metric;

/// How the horizontal axis of a sweep is ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepScale {
    /// Multipliers of the scenario's value (`x1.5`).
    Factor,
    /// Durations in minutes (`2h`).
    Minutes,
    /// Money in the sweep's currency.
    Money,
    /// A plain number.
    Number,
}

impl SweepScale {
    fn of(axis: Axis) -> SweepScale {
        match axis {
            Axis::Factor => SweepScale::Factor,
            Axis::Minutes => SweepScale::Minutes,
            Axis::Money => SweepScale::Money,
            Axis::Number => SweepScale::Number,
        }
    }
}

/// One point of a candidate's savings curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SavingsPoint {
    /// Where the point lies on the axis.
    pub x: f64,
    /// Mean savings per year over the baseline.
    pub savings_per_year: f64,
    /// The 95 % CI of the savings per year, low and high.
    pub savings_ci95: [f64; 2],
}

/// Where a candidate's total cost is lowest along the sweep, and the points not significantly
/// worse (as decided by the sweep's paired test).
#[derive(Debug, Clone, PartialEq)]
pub struct CurveOptimum {
    /// Index of the best point.
    pub best: usize,
    /// Per point: the best one, or not significantly worse.
    pub not_worse: Vec<bool>,
}

/// One candidate's savings over the baseline along the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsCurve {
    /// The candidate's name.
    pub candidate: String,
    /// Its place among the scenario's strategies (the chart palette's index).
    pub strategy_index: usize,
    /// Its points, in sweep order.
    pub points: Vec<SavingsPoint>,
    /// Its optimum, when the sweep found one for it.
    pub optimum: Option<CurveOptimum>,
}

/// A break-even value, labelled for people.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEvenMark {
    /// The candidate's place among the scenario's strategies.
    pub strategy_index: usize,
    /// The value on the axis.
    pub x: f64,
    /// "break-even $436,516", "break-even x1.5 (= mean 1h)".
    pub label: String,
}

/// What the chart of a one-way sweep draws.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepView {
    /// The currency of money figures.
    pub currency: String,
    /// The parameter's path.
    pub parameter: String,
    /// The baseline strategy's name.
    pub baseline: String,
    /// Replications per point.
    pub replications: u64,
    /// How the axis is ticked.
    pub scale: SweepScale,
    /// What the axis measures, with the scenario's own value.
    pub axis_description: String,
    /// Where the scenario itself lies on the axis.
    pub scenario_x: f64,
    /// Where the sweep's points lie on the axis, in sweep order.
    pub xs: Vec<f64>,
    /// One curve per candidate, in the order of the sweep's budgets.
    pub curves: Vec<SavingsCurve>,
    /// Every zero crossing of every candidate's mean savings.
    pub break_even: Vec<BreakEvenMark>,
}

/// The palette index of a strategy named by the sweep (the candidate colour if unknown).
fn strategy_index(strategies: &[String], name: &str) -> usize {
    strategies.iter().position(|s| s == name).unwrap_or(1)
}

/// A point of a sweep's axis for people; multipliers also show the value they give
/// (`x1.5 (= mean 1h)`). Shared by the chart's labels and the terminal's sentences.
pub fn axis_value(result: &SweepResult, x: f64) -> String {
    let text = result.axis.format(x, &result.currency);
    if result.axis == Axis::Factor {
        let unit_axis = if result.parameter.kind.is_duration() {
            Axis::Minutes
        } else if result.parameter.kind == Kind::Money {
            Axis::Money
        } else {
            Axis::Number
        };
        let mean = if result.parameter.kind == Kind::DurationDist {
            " mean"
        } else {
            ""
        };
        format!(
            "{text} (={mean} {})",
            unit_axis.format(x * result.base_value, &result.currency)
        )
    } else {
        text
    }
}

impl SweepView {
    /// The view of a finished sweep.
    pub fn of(r: &SweepResult) -> SweepView {
        let path = &r.parameter.path;
        let axis_description = match r.axis {
            Axis::Factor => format!(
                "{path} as a multiple of the scenario's value ({})",
                r.base_text
            ),
            Axis::Minutes if r.parameter.kind == Kind::DurationDist => {
                format!("{path} (mean; scenario: {})", r.base_text)
            }
            Axis::Money => format!("{path} (scenario: {})", money(r.base_value, &r.currency)),
            _ => format!("{path} (scenario: {})", r.base_text),
        };
        let candidates: Vec<&str> = r
            .points
            .first()
            .map(|p| p.budgets.iter().map(|b| b.candidate.as_str()).collect())
            .unwrap_or_default();
        let curves = candidates
            .iter()
            .enumerate()
            .map(|(c, name)| SavingsCurve {
                candidate: name.to_string(),
                strategy_index: strategy_index(&r.strategies, name),
                points: r
                    .points
                    .iter()
                    .map(|p| SavingsPoint {
                        x: p.x,
                        savings_per_year: p.budgets[c].savings_per_year,
                        savings_ci95: p.budgets[c].savings_ci95,
                    })
                    .collect(),
                optimum: r
                    .optima
                    .iter()
                    .find(|o| o.strategy == *name)
                    .map(|o| CurveOptimum {
                        best: o.best,
                        not_worse: o.not_worse.clone(),
                    }),
            })
            .collect();
        SweepView {
            currency: r.currency.clone(),
            parameter: path.clone(),
            baseline: r.baseline.clone(),
            replications: r.replications,
            scale: SweepScale::of(r.axis),
            axis_description,
            scenario_x: if r.axis == Axis::Factor {
                1.0
            } else {
                r.base_value
            },
            xs: r.points.iter().map(|p| p.x).collect(),
            curves,
            break_even: r
                .break_even
                .iter()
                .map(|b| BreakEvenMark {
                    strategy_index: strategy_index(&r.strategies, &b.candidate),
                    x: b.x,
                    label: format!("break-even {}", axis_value(r, b.x)),
                })
                .collect(),
        }
    }
}

/// One input's bar on a tornado chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// The input's path.
    pub parameter: String,
    /// Mean annual savings with the input lowered.
    pub savings_low: f64,
    /// Mean annual savings with the input raised.
    pub savings_high: f64,
    /// The input's lowered value, for people (`mean 36d`, `0.68`).
    pub low_text: String,
    /// The input's raised value, for people.
    pub high_text: String,
}

/// What the tornado chart of a sensitivity analysis draws.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoView {
    /// The currency of money figures.
    pub currency: String,
    /// The candidate whose savings are analysed.
    pub candidate: String,
    /// The baseline it is compared with.
    pub baseline: String,
    /// Replications per run.
    pub replications: u64,
    /// The seed every run used.
    pub seed: u64,
    /// The relative change, for people ("20 %").
    pub change: String,
    /// Mean annual savings in the scenario as it is.
    pub base_savings: f64,
    /// The inputs the change moved, largest swing first.
    pub bars: Vec<TornadoBar>,
}

impl TornadoView {
    /// The view of a finished analysis (inputs the change could not move are left out).
    pub fn of(r: &SensitivityResult) -> TornadoView {
        TornadoView {
            currency: r.currency.clone(),
            candidate: r.candidate.clone(),
            baseline: r.baseline.clone(),
            replications: r.replications,
            seed: r.seed,
            change: change_label(r.by),
            base_savings: r.base_savings,
            bars: r
                .rows
                .iter()
                .filter(|row| !row.unchanged)
                .map(|row| TornadoBar {
                    parameter: row.parameter.path.clone(),
                    savings_low: row.savings_low,
                    savings_high: row.savings_high,
                    low_text: short_text(row.parameter.kind, row.low.value),
                    high_text: short_text(row.parameter.kind, row.high.value),
                })
                .collect(),
        }
    }
}

/// One cell of a heat map.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    /// Row (first input) and column (second input).
    pub i: usize,
    pub j: usize,
    /// The metric's mean (money per year for money metrics).
    pub mean: f64,
    /// The mean for people (`$412k`, `0.998`, `n/a`).
    pub label: String,
}

/// What the heat map of a two-way sweep draws.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMapView {
    /// The metric filling the cells (its name and which direction is better).
    pub metric: Metric,
    /// True when the cells are money per year.
    pub per_year: bool,
    /// The strategy whose metric fills the cells.
    pub strategy: String,
    /// The first input's path (rows) and the second's (columns).
    pub a_path: String,
    pub b_path: String,
    /// The first input's values for people, one per row.
    pub a_labels: Vec<String>,
    /// The second input's values for people, one per column.
    pub b_labels: Vec<String>,
    /// Cells, row outer, column inner.
    pub cells: Vec<HeatCell>,
    /// Index into `cells` of the best mean.
    pub best: usize,
}

impl HeatMapView {
    /// The view of a finished grid.
    pub fn of(g: &GridResult) -> HeatMapView {
        let per_year = g.per_year();
        let label = |x: f64| {
            if !x.is_finite() {
                "n/a".to_string()
            } else if per_year {
                money_short(x, &g.currency)
            } else {
                format!("{x:.3}")
            }
        };
        HeatMapView {
            metric: g.metric,
            per_year,
            strategy: g.strategy.clone(),
            a_path: g.a.path.clone(),
            b_path: g.b.path.clone(),
            a_labels: (0..g.a_steps)
                .map(|i| g.cells[i * g.b_steps].a_text.clone())
                .collect(),
            b_labels: g
                .cells
                .iter()
                .take(g.b_steps)
                .map(|c| c.b_text.clone())
                .collect(),
            cells: g
                .cells
                .iter()
                .map(|c| HeatCell {
                    i: c.i,
                    j: c.j,
                    mean: c.mean,
                    label: label(c.mean),
                })
                .collect(),
            best: g.best,
        }
    }
}
