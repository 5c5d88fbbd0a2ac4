//! Sweeps: one parameter over a range of values, every point run with the same seed (common
//! random numbers, docs/model.md §6), and the savings of every candidate over the baseline at each
//! point, with the break-even value where the savings cross zero.
//!
//! A range is written `FROM:TO:STEPS` — `STEPS` evenly spaced points from `FROM` to `TO`, both
//! included:
//! - numbers for numeric parameters: `0.5:0.95:10`, `0:200000:9`;
//! - durations for duration parameters: `15m:2h:8`. A fixed duration is set to each value; a
//!   distribution (`fix`, `warning`, `failures.every`, …) is scaled as a whole so that its
//!   *mean* is each value;
//! - multipliers of the scenario's value for any parameter: `x0.5:x2:7` (a distribution is
//!   scaled as a whole by each factor).

use std::fmt;

use super::reuse;
use super::vary::{self, Kind, Parameter, Setting, VaryError};
use super::{ExperimentResults, run_replications};
use crate::metrics::Metric;
use crate::report::{Budget, Report};
use crate::scenario::duration::parse_duration;
use crate::scenario::{MINUTES_PER_YEAR, Scenario};

/// The most points a sweep may have.
pub const MAX_STEPS: u64 = 1000;

/// A parsed `PATH=FROM:TO:STEPS`, not yet checked against a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The parameter path.
    pub path: String,
    /// `FROM` as written.
    pub from: String,
    /// `TO` as written.
    pub to: String,
    /// Number of points, ≥ 2.
    pub steps: u64,
}

impl SweepSpec {
    /// Parse `PATH=FROM:TO:STEPS`.
    pub fn parse(text: &str) -> Result<SweepSpec, String> {
        let usage = "write PATH=FROM:TO:STEPS, e.g. strategies.proactive.monitoring.coverage=0.5:0.95:10, \
                     strategies.reactive.escalate_after=15m:2h:8 or services.email.modes.memory-leak.fix=x0.5:x2:7";
        let (path, range) = text.split_once('=').ok_or_else(|| {
            format!("expected PATH=FROM:TO:STEPS; found {text:?}\n  help: {usage}")
        })?;
        let parts: Vec<&str> = range.split(':').collect();
        let [from, to, steps] = parts.as_slice() else {
            return Err(format!(
                "expected three parts FROM:TO:STEPS after {path}=; found {range:?}\n  help: {usage}"
            ));
        };
        let steps: u64 = steps.trim().parse().map_err(|_| {
            format!("STEPS must be a whole number of points (2 to {MAX_STEPS}); found {steps:?}\n  help: {usage}")
        })?;
        if !(2..=MAX_STEPS).contains(&steps) {
            return Err(format!(
                "STEPS is the number of points, from 2 to {MAX_STEPS}; found {steps}\n  help: {usage}"
            ));
        }
        Ok(SweepSpec {
            path: path.trim().to_string(),
            from: from.trim().to_string(),
            to: to.trim().to_string(),
            steps,
        })
    }

    /// Check the spec against the scenario: the parameter, and the settings of every point.
    pub fn resolve(&self, scenario: &Scenario) -> Result<(Parameter, Vec<Setting>), VaryError> {
        let param = vary::find(scenario, &self.path)?;
        let from = parse_end(&param, &self.from)?;
        let to = parse_end(&param, &self.to)?;
        let end = |s: Setting| match s {
            Setting::To(v) | Setting::Times(v) => v,
        };
        if !(end(from).is_finite() && end(to).is_finite()) {
            // Points between an infinite end and a finite one are not numbers at all.
            return Err(VaryError {
                message: format!(
                    "{}: FROM and TO must be finite numbers; found {:?} and {:?}",
                    self.path, self.from, self.to
                ),
                help: "write finite ends, e.g. 15m:2h:8 or x0.5:x2:7".into(),
            });
        }
        let settings: Vec<Setting> = match (from, to) {
            (Setting::To(a), Setting::To(b)) => {
                linspace(a, b, self.steps).map(Setting::To).collect()
            }
            (Setting::Times(a), Setting::Times(b)) => {
                linspace(a, b, self.steps).map(Setting::Times).collect()
            }
            _ => {
                return Err(VaryError {
                    message: format!(
                        "{}: FROM and TO must both be values or both be multipliers; found {:?} and {:?}",
                        self.path, self.from, self.to
                    ),
                    help: "write e.g. 15m:2h:8 (values) or x0.5:x2:7 (multipliers)".into(),
                });
            }
        };
        // Every point must be a valid scenario before any point runs.
        for s in &settings {
            param.apply(scenario, *s)?;
        }
        Ok((param, settings))
    }
}

impl fmt::Display for SweepSpec {
    /// As written on the command line: `PATH=FROM:TO:STEPS` (parses back to the same spec).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}:{}:{}", self.path, self.from, self.to, self.steps)
    }
}

/// `STEPS` evenly spaced values from `a` to `b`, both ends exact.
fn linspace(a: f64, b: f64, steps: u64) -> impl Iterator<Item = f64> {
    (0..steps).map(move |i| {
        if i + 1 == steps {
            b
        } else {
            a + (b - a) * (i as f64 / (steps - 1) as f64)
        }
    })
}

/// Read one end of a range: `x1.5` (multiplier), a duration for duration parameters, a number
/// for the others.
fn parse_end(param: &Parameter, text: &str) -> Result<Setting, VaryError> {
    let bad = |message: String| VaryError {
        message,
        help: format!(
            "{} takes {}; multipliers of the scenario's value are written x0.5, x2",
            param.path,
            param.kind.accepted()
        ),
    };
    if let Some(factor) = text.strip_prefix(['x', '×']) {
        let f: f64 = factor.trim().parse().map_err(|_| {
            bad(format!(
                "{}: expected a multiplier such as x0.5; found {text:?}",
                param.path
            ))
        })?;
        return Ok(Setting::Times(f));
    }
    if param.kind.is_duration() {
        let minutes = parse_duration(text).map_err(|e| bad(format!("{}: {e}", param.path)))?;
        return Ok(Setting::To(minutes));
    }
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    cleaned
        .parse::<f64>()
        .map(Setting::To)
        .map_err(|_| bad(format!("{}: expected a number; found {text:?}", param.path)))
}

/// What the horizontal axis of a sweep measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Multipliers of the scenario's value.
    Factor,
    /// Minutes (a fixed duration, or a distribution's mean).
    Minutes,
    /// Money in the scenario's currency.
    Money,
    /// A plain number (probability, staff, rate, multiplier).
    Number,
}

impl Axis {
    /// The unit as written in `sweep.csv`.
    pub fn unit(self, currency: &str) -> String {
        match self {
            Axis::Factor => "factor".into(),
            Axis::Minutes => "minutes".into(),
            Axis::Money => currency.into(),
            Axis::Number => String::new(),
        }
    }

    /// A value on this axis, for people.
    pub fn format(self, x: f64, currency: &str) -> String {
        match self {
            Axis::Factor => format!("x{}", vary::format_number(x)),
            Axis::Minutes => crate::scenario::duration::format_minutes(x),
            Axis::Money => crate::format::money(x, currency),
            Axis::Number => vary::format_number(x),
        }
    }
}

/// The figures of one strategy at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyPoint {
    /// Mean total cost per year.
    pub total_cost_per_year: f64,
    /// Mean outage hours per year.
    pub outage_hours_per_year: f64,
    /// Mean availability.
    pub availability: f64,
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Where the point lies on the axis (the value set, or the multiplier).
    pub x: f64,
    /// The setting as requested.
    pub setting: Setting,
    /// The value the parameter took.
    pub applied: vary::Applied,
    /// One budget per candidate (savings per year, CI, P(cheaper), ROI, payback).
    pub budgets: Vec<Budget>,
    /// Per strategy, in scenario order.
    pub strategies: Vec<StrategyPoint>,
}

/// Where a candidate's mean savings cross zero.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEven {
    /// The candidate strategy.
    pub candidate: String,
    /// The parameter's value (on the sweep's axis) where the savings are 0, by linear
    /// interpolation between the two points around it.
    pub x: f64,
    /// True when savings go from positive to negative as the parameter grows.
    pub falling: bool,
}

/// Where one strategy's mean total cost is lowest along the sweep, and which points are not
/// significantly worse than that one.
///
/// Test: at each other point j, the per-replication differences total_cost(j) − total_cost(best)
/// (paired: every point runs the same seed and replications, so the points meet the same
/// failures — common random numbers) get a one-sided paired t-test of "j is no worse"; j is
/// significantly worse when the lower confidence bound of the mean difference at level
/// 1 − 0.05/(points − 1) is above 0 (Bonferroni over the points compared with the best, so the
/// whole set is right with probability ≥ 95 % given the best point). The best point is picked
/// from the same data, so the set is a screening, in the spirit of Hsu's comparisons with the
/// best, not an exact MCB.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimum {
    /// The strategy.
    pub strategy: String,
    /// Index of the point with the lowest mean total cost (the first on a tie).
    pub best: usize,
    /// Per point, in sweep order: true when it is the best or not significantly worse.
    pub not_worse: Vec<bool>,
}

impl Optimum {
    /// Find the optimum from per-point, per-replication total costs (`costs[point][rep]`).
    pub fn of(strategy: &str, costs: &[Vec<f64>]) -> Optimum {
        let means: Vec<f64> = costs.iter().map(|c| crate::stats::mean_sd(c).0).collect();
        let mut best = 0;
        for (j, m) in means.iter().enumerate() {
            if m.total_cmp(&means[best]).is_lt() {
                best = j;
            }
        }
        let compared = costs.len().saturating_sub(1).max(1);
        let alpha = 0.05 / compared as f64;
        let not_worse = costs
            .iter()
            .enumerate()
            .map(|(j, c)| {
                if j == best {
                    return true;
                }
                let diffs: Vec<f64> = c.iter().zip(&costs[best]).map(|(x, b)| x - b).collect();
                let n = diffs.len();
                let (mean, sd) = crate::stats::mean_sd(&diffs);
                if n < 2 {
                    return true;
                }
                if sd == 0.0 {
                    return mean <= 0.0;
                }
                let lower = mean
                    - crate::stats::t_quantile(1.0 - alpha, n as f64 - 1.0) * sd
                        / (n as f64).sqrt();
                lower <= 0.0
            })
            .collect();
        Optimum {
            strategy: strategy.to_string(),
            best,
            not_worse,
        }
    }

    /// Where point `j` stands: `best`, `not significantly worse` or `worse`.
    pub fn label(&self, j: usize) -> &'static str {
        if j == self.best {
            "best"
        } else if self.not_worse[j] {
            "not significantly worse"
        } else {
            "worse"
        }
    }
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    /// The scenario's name.
    pub scenario: String,
    /// The currency of money figures.
    pub currency: String,
    /// The parameter swept.
    pub parameter: Parameter,
    /// Its value in the scenario, for people.
    pub base_text: String,
    /// Its value in the scenario as a number (a distribution's mean, in minutes).
    pub base_value: f64,
    /// What the axis measures.
    pub axis: Axis,
    /// The seed every point used.
    pub seed: u64,
    /// Replications per point.
    pub replications: u64,
    /// The baseline strategy's name.
    pub baseline: String,
    /// Strategy names in scenario order.
    pub strategies: Vec<String>,
    /// The points, in sweep order.
    pub points: Vec<SweepPoint>,
    /// Every zero crossing of every candidate's mean savings.
    pub break_even: Vec<BreakEven>,
    /// Per strategy, in scenario order: the point of lowest mean total cost and the points
    /// not significantly worse.
    pub optima: Vec<Optimum>,
}

/// Run a sweep: every point over replications `0..replications` with the scenario's seed.
/// `progress` is called with replications finished (from the calling thread).
pub fn run(
    scenario: &Scenario,
    parameter: &Parameter,
    settings: &[Setting],
    replications: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<SweepResult, VaryError> {
    run_with(
        scenario,
        parameter,
        settings,
        replications,
        progress,
        &mut direct,
    )
}

/// Simulate a variant directly over all its replications (see [`super::study`]).
fn direct(variant: &Scenario, progress: &mut dyn FnMut(u64)) -> ExperimentResults {
    run_replications(variant, 0..variant.simulation.replications, progress)
}

/// [`run`], with its simulations from `simulate` (directly, as a shard, or a merge's).
pub fn run_with(
    scenario: &Scenario,
    parameter: &Parameter,
    settings: &[Setting],
    replications: u64,
    progress: &mut dyn FnMut(u64),
    simulate: &mut super::study::Simulate<'_>,
) -> Result<SweepResult, VaryError> {
    let axis = match (settings.first(), parameter.kind) {
        (Some(Setting::Times(_)), _) => Axis::Factor,
        (_, k) if k.is_duration() => Axis::Minutes,
        (_, Kind::Money) => Axis::Money,
        _ => Axis::Number,
    };
    let per_year = MINUTES_PER_YEAR / scenario.simulation.horizon_minutes;
    let mut points = Vec::with_capacity(settings.len());
    let mut simulated: Option<(Scenario, ExperimentResults)> = None;
    // costs[strategy][point][rep]: total cost per replication, for the optimum's paired test.
    let mut costs: Vec<Vec<Vec<f64>>> = vec![Vec::new(); scenario.strategies.len()];
    for &setting in settings {
        let (mut varied, applied) = parameter.apply(scenario, setting)?;
        varied.simulation.replications = replications;
        // A cost-rate sweep simulates its first point only and re-costs the others; a sweep
        // of one strategy's input simulates only that strategy after the first point.
        let derived = simulated
            .as_ref()
            .and_then(|(from, results)| reuse::derive(from, results, &varied, progress, simulate));
        let results = match derived {
            Some(results) => results,
            None => {
                let results = simulate(&varied, progress);
                if points.is_empty() {
                    simulated = Some((varied.clone(), results.clone()));
                }
                results
            }
        };
        let report = Report::build(&varied, &results);
        for (s, res) in results.strategies.iter().enumerate() {
            costs[s].push(res.rows.scalars(|r| r.total_cost).collect());
        }
        let mean =
            |s: usize, m: Metric| report.strategies[s].metric(m).map_or(f64::NAN, |x| x.mean);
        let strategies = (0..varied.strategies.len())
            .map(|s| StrategyPoint {
                total_cost_per_year: mean(s, Metric::TOTAL_COST) * per_year,
                outage_hours_per_year: mean(s, Metric::OUTAGE_MINUTES) / 60.0 * per_year,
                availability: mean(s, Metric::AVAILABILITY),
            })
            .collect();
        let x = match setting {
            Setting::Times(f) => f,
            Setting::To(_) => applied.value,
        };
        points.push(SweepPoint {
            x,
            setting,
            applied,
            budgets: report.budgets,
            strategies,
        });
    }
    let baseline = scenario.baseline_index();
    let candidates: Vec<String> = scenario
        .strategies
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != baseline)
        .map(|(_, s)| s.name.clone())
        .collect();
    let mut break_even = Vec::new();
    for (c, name) in candidates.iter().enumerate() {
        let curve: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.x, p.budgets[c].savings_per_year))
            .collect();
        for (x, falling) in zero_crossings(&curve) {
            break_even.push(BreakEven {
                candidate: name.clone(),
                x,
                falling,
            });
        }
    }
    Ok(SweepResult {
        scenario: scenario.name.clone(),
        currency: scenario.currency.clone(),
        parameter: parameter.clone(),
        base_text: parameter.describe(scenario),
        base_value: parameter.value(scenario).as_number(),
        axis,
        seed: scenario.simulation.seed,
        replications,
        baseline: scenario.strategies[baseline].name.clone(),
        strategies: scenario.strategies.iter().map(|s| s.name.clone()).collect(),
        points,
        break_even,
        optima: scenario
            .strategies
            .iter()
            .zip(&costs)
            .map(|(s, c)| Optimum::of(&s.name, c))
            .collect(),
    })
}

/// Where a piecewise-linear curve through `(x, y)` points crosses zero: `(x, falling)` for each
/// crossing, by linear interpolation between the points around it. A point exactly at 0 counts
/// once, when the curve actually passes through it (not when it only touches zero).
pub fn zero_crossings(curve: &[(f64, f64)]) -> Vec<(f64, bool)> {
    let mut out = Vec::new();
    // The last non-zero value seen, to tell crossing from touching at points exactly 0.
    let mut last_sign: Option<(f64, usize)> = None;
    for (i, &(x, y)) in curve.iter().enumerate() {
        if !y.is_finite() {
            last_sign = None;
            continue;
        }
        if y == 0.0 {
            continue;
        }
        if let Some((prev_y, j)) = last_sign
            && (prev_y > 0.0) != (y > 0.0)
        {
            let falling = prev_y > 0.0;
            if j + 1 == i {
                let (x0, y0) = curve[j];
                out.push((x0 + (x - x0) * y0 / (y0 - y), falling));
            } else {
                // Zeros between j and i: the crossing is at the first of them.
                out.push((curve[j + 1].0, falling));
            }
        }
        last_sign = Some((y, i));
    }
    out
}

impl fmt::Display for BreakEven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: savings {} zero at {}",
            self.candidate,
            if self.falling {
                "fall through"
            } else {
                "rise through"
            },
            self.x
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn specs_parse_and_check_their_parts() {
        let s = SweepSpec::parse("strategies.proactive.annual_cost=0:200000:9").unwrap();
        assert_eq!(s.path, "strategies.proactive.annual_cost");
        assert_eq!(
            (s.from.as_str(), s.to.as_str(), s.steps),
            ("0", "200000", 9)
        );
        assert!(
            SweepSpec::parse("x=1:2")
                .unwrap_err()
                .contains("three parts")
        );
        assert!(SweepSpec::parse("x=1:2:1").unwrap_err().contains("from 2"));
        assert!(
            SweepSpec::parse("x1:2:3")
                .unwrap_err()
                .contains("PATH=FROM:TO:STEPS")
        );
    }

    #[test]
    fn ranges_resolve_to_values_durations_or_multipliers() {
        let sc = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let (_, settings) =
            SweepSpec::parse("strategies.proactive.monitoring.coverage=0.5:0.95:10")
                .unwrap()
                .resolve(&sc)
                .unwrap();
        assert_eq!(settings.len(), 10);
        assert_eq!(settings[0], Setting::To(0.5));
        assert_eq!(settings[9], Setting::To(0.95));
        let (_, settings) = SweepSpec::parse("strategies.reactive.escalate_after=15m:2h:8")
            .unwrap()
            .resolve(&sc)
            .unwrap();
        assert_eq!(settings[0], Setting::To(15.0));
        assert_eq!(settings[7], Setting::To(120.0));
        let (_, settings) = SweepSpec::parse("services.email.modes.memory-leak.fix=x0.5:x2:7")
            .unwrap()
            .resolve(&sc)
            .unwrap();
        assert_eq!(settings[0], Setting::Times(0.5));
        assert_eq!(settings[2], Setting::Times(1.0));

        let e = SweepSpec::parse("strategies.reactive.escalate_after=15:120:8")
            .unwrap()
            .resolve(&sc)
            .unwrap_err();
        assert!(e.message.contains("bare number"), "{e}");
        let e = SweepSpec::parse("strategies.proactive.monitoring.coverage=0.5:1.5:3")
            .unwrap()
            .resolve(&sc)
            .unwrap_err();
        assert!(e.message.contains("probability"), "{e}");
        let e = SweepSpec::parse("strategies.proactive.annual_cost=0:x2:3")
            .unwrap()
            .resolve(&sc)
            .unwrap_err();
        assert!(
            e.message.contains("both be values or both be multipliers"),
            "{e}"
        );
    }

    #[test]
    fn zero_crossings_interpolate_linearly() {
        let c = [(0.0, 10.0), (1.0, 5.0), (2.0, -5.0), (3.0, -10.0)];
        assert_eq!(zero_crossings(&c), vec![(1.5, true)]);
        let c = [(0.0, -3.0), (4.0, 1.0)];
        assert_eq!(zero_crossings(&c), vec![(3.0, false)]);
        // Touching zero is no crossing; passing through a zero point is one.
        assert!(zero_crossings(&[(0.0, 1.0), (1.0, 0.0), (2.0, 1.0)]).is_empty());
        assert_eq!(
            zero_crossings(&[(0.0, 1.0), (1.0, 0.0), (2.0, -1.0)]),
            vec![(1.0, true)]
        );
        assert!(zero_crossings(&[(0.0, 1.0), (1.0, 2.0)]).is_empty());
    }
}
