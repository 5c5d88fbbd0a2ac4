//! Two-way sweeps: two inputs over a grid, every cell run with the same seed (common random
//! numbers), the chosen metric's mean for one strategy per cell and the best cell.

use super::vary::{Parameter, Setting, VaryError};
use super::{ExperimentResults, run_replications};
use crate::metrics::Metric;
use crate::report::Report;
use crate::scenario::{MINUTES_PER_YEAR, Scenario};

/// One cell of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Index along the first and second input.
    pub i: usize,
    pub j: usize,
    /// The values the inputs took, for people.
    pub a_text: String,
    pub b_text: String,
    /// The values on the axes (the value set, or the multiplier).
    pub a: f64,
    pub b: f64,
    /// Mean of the metric for the chosen strategy (money per year for money metrics).
    pub mean: f64,
    /// Half-width of its 95 % CI (same unit).
    pub half_width: f64,
}

/// A finished two-way sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct GridResult {
    pub scenario: String,
    pub currency: String,
    pub a: Parameter,
    pub b: Parameter,
    pub metric: Metric,
    /// The strategy whose metric fills the cells.
    pub strategy: String,
    pub seed: u64,
    pub replications: u64,
    /// Points along each input.
    pub a_steps: usize,
    pub b_steps: usize,
    /// Cells, `i` outer, `j` inner.
    pub cells: Vec<Cell>,
    /// Index into `cells` of the best mean (lowest; highest when the metric is).
    pub best: usize,
}

impl GridResult {
    /// True when the metric's figures are money per year.
    pub fn per_year(&self) -> bool {
        self.metric.def().kind == crate::metrics::Kind::Money
    }
}

/// The value a setting puts on the axis.
fn axis_x(setting: Setting, applied: f64) -> f64 {
    match setting {
        Setting::Times(f) => f,
        Setting::To(_) => applied,
    }
}

/// Run every cell of `a × b` over replications `0..replications` with the scenario's seed.
#[allow(clippy::too_many_arguments)]
pub fn run(
    scenario: &Scenario,
    a: &Parameter,
    a_settings: &[Setting],
    b: &Parameter,
    b_settings: &[Setting],
    metric: Metric,
    strategy: usize,
    replications: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<GridResult, VaryError> {
    let mut direct =
        |v: &Scenario, p: &mut dyn FnMut(u64)| run_replications(v, 0..v.simulation.replications, p);
    run_with(
        scenario,
        a,
        a_settings,
        b,
        b_settings,
        metric,
        strategy,
        replications,
        progress,
        &mut direct,
    )
}

/// [`run`], with its simulations from `simulate` (directly, as a shard, or a merge's).
#[allow(clippy::too_many_arguments)]
pub fn run_with(
    scenario: &Scenario,
    a: &Parameter,
    a_settings: &[Setting],
    b: &Parameter,
    b_settings: &[Setting],
    metric: Metric,
    strategy: usize,
    replications: u64,
    progress: &mut dyn FnMut(u64),
    simulate: &mut super::study::Simulate<'_>,
) -> Result<GridResult, VaryError> {
    let scale = if metric.def().kind == crate::metrics::Kind::Money {
        MINUTES_PER_YEAR / scenario.simulation.horizon_minutes
    } else {
        1.0
    };
    let mut cells = Vec::with_capacity(a_settings.len() * b_settings.len());
    let mut first: Option<(Scenario, ExperimentResults)> = None;
    for (i, &sa) in a_settings.iter().enumerate() {
        let (with_a, applied_a) = a.apply(scenario, sa)?;
        for (j, &sb) in b_settings.iter().enumerate() {
            let (mut varied, applied_b) = b.apply(&with_a, sb)?;
            varied.simulation.replications = replications;
            // A cell that differs from the first only in cost rates re-costs its run; one that
            // changes only some strategies reuses the first's other runs (`reuse::derive`).
            let derived = first.as_ref().and_then(|(from, results)| {
                super::reuse::derive(from, results, &varied, progress, simulate)
            });
            let results = match derived {
                Some(results) => results,
                None => simulate(&varied, progress),
            };
            if first.is_none() {
                first = Some((varied.clone(), results.clone()));
            }
            let report = Report::build(&varied, &results);
            let summary = report.strategies[strategy].metric(metric);
            cells.push(Cell {
                i,
                j,
                a_text: applied_a.text.clone(),
                b_text: applied_b.text.clone(),
                a: axis_x(sa, applied_a.value),
                b: axis_x(sb, applied_b.value),
                mean: summary.map_or(f64::NAN, |s| s.mean * scale),
                half_width: summary.map_or(f64::NAN, |s| s.half_width() * scale),
            });
        }
    }
    let better = |x: f64, y: f64| {
        if metric.direction().higher_is_better() {
            x > y
        } else {
            x < y
        }
    };
    let mut best = 0;
    for (k, c) in cells.iter().enumerate() {
        if c.mean.is_finite() && (!cells[best].mean.is_finite() || better(c.mean, cells[best].mean))
        {
            best = k;
        }
    }
    Ok(GridResult {
        scenario: scenario.name.clone(),
        currency: scenario.currency.clone(),
        a: a.clone(),
        b: b.clone(),
        metric,
        strategy: scenario.strategies[strategy].name.clone(),
        seed: scenario.simulation.seed,
        replications,
        a_steps: a_settings.len(),
        b_steps: b_settings.len(),
        cells,
        best,
    })
}

/// The terminal table: rows along the first input, columns along the second; the best cell
/// starred.
pub fn terminal(g: &GridResult) -> String {
    let fmt = |x: f64| {
        if g.per_year() {
            crate::format::money_short(x, &g.currency)
        } else {
            format!("{x:.4}")
        }
    };
    let mut header = vec![format!("{} \\ {}", g.a.path, g.b.path)];
    header.extend(g.cells.iter().take(g.b_steps).map(|c| c.b_text.clone()));
    let mut rows = vec![header];
    for i in 0..g.a_steps {
        let row_cells = &g.cells[i * g.b_steps..(i + 1) * g.b_steps];
        let mut row = vec![row_cells[0].a_text.clone()];
        for (j, c) in row_cells.iter().enumerate() {
            let star = if i * g.b_steps + j == g.best {
                " *"
            } else {
                ""
            };
            row.push(format!("{}{star}", fmt(c.mean)));
        }
        rows.push(row);
    }
    let best = &g.cells[g.best];
    format!(
        "{} — {} of {}{} over a {}×{} grid, {} replications per cell, seed {}\n\n{}\nBest cell (*): {} = {}, {} = {}: {} ± {}\n",
        g.scenario,
        g.metric.name(),
        g.strategy,
        if g.per_year() { " per year" } else { "" },
        g.a_steps,
        g.b_steps,
        g.replications,
        g.seed,
        crate::format::aligned_table(&rows, &[0]),
        g.a.path,
        best.a_text,
        g.b.path,
        best.b_text,
        fmt(best.mean),
        fmt(best.half_width),
    )
}
