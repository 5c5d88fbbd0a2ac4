//! One-at-a-time sensitivity analysis: every numeric input (or those named) is moved down and
//! up by the same relative change (±20 % by default) with everything else as in the scenario,
//! and the inputs are ranked by how far that moves the mean annual savings of a candidate over
//! the baseline — the order of a tornado chart.
//!
//! Every run uses the scenario's seed (common random numbers, docs/model.md §6), so a difference
//! between the low and the high run is the input's effect, not noise between runs. The rules of
//! change are those of [`vary`](super::vary): distributions are scaled as a whole,
//! probabilities clamped to [0, 1], staff rounded and kept ≥ 1. An input the change cannot move
//! (a value of 0, or one engineer ±20 %) is listed with a swing of 0 and a note.

use super::vary::{self, Parameter, Setting, VaryError};
use super::{ExperimentResults, run_replications};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// One input's effect on the savings.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// The input.
    pub parameter: Parameter,
    /// Its value in the scenario, for people.
    pub base_text: String,
    /// Its value in the scenario as a number (a distribution's mean, in minutes).
    pub parameter_base: f64,
    /// Its value in the low run (after the rules of change).
    pub low: vary::Applied,
    /// Its value in the high run.
    pub high: vary::Applied,
    /// Mean annual savings with the input low.
    pub savings_low: f64,
    /// Mean annual savings with the input high.
    pub savings_high: f64,
    /// |savings_high − savings_low|: the ranking key.
    pub swing: f64,
    /// Why the input could not move, or what the rules of change did (clamped, rounded).
    pub note: Option<String>,
    /// True when neither change moved the input, so its runs were skipped.
    pub unchanged: bool,
}

const ZERO_NOTE: &str = "0 in the scenario: a relative change cannot move it";
const UNCHANGED_NOTE: &str = "unchanged by rounding: staff stays the same at both ends";

/// A finished analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityResult {
    /// The scenario's name.
    pub scenario: String,
    /// The currency of money figures.
    pub currency: String,
    /// The relative change, e.g. 0.2 for ±20 %.
    pub by: f64,
    /// The candidate whose savings are analysed.
    pub candidate: String,
    /// The baseline it is compared with.
    pub baseline: String,
    /// Mean annual savings in the scenario as it is.
    pub base_savings: f64,
    /// The seed every run used.
    pub seed: u64,
    /// Replications per run.
    pub replications: u64,
    /// Inputs, largest swing first (ties in scenario order); unchanged inputs last.
    pub rows: Vec<SensitivityRow>,
}

/// The inputs and runs an analysis will make, checked before anything runs.
#[derive(Debug, Clone)]
pub struct Plan {
    candidate: usize,
    by: f64,
    entries: Vec<PlanEntry>,
}

/// One input's two changes. Their scenarios are made when they run, one at a time: kept for
/// every input, they held two copies of the scenario per input (the 48-service benchmark's 662
/// inputs: 1324 copies).
#[derive(Debug, Clone)]
struct PlanEntry {
    parameter: Parameter,
    base_text: String,
    low: vary::Tried,
    high: vary::Tried,
    /// Set when both ends equal the scenario: nothing to run.
    skip_note: Option<&'static str>,
}

impl Plan {
    /// Plan an analysis of `candidate` (a strategy index, not the baseline) with a relative
    /// change `by` in (0, 1), over every parameter or those in `only`.
    pub fn new(
        scenario: &Scenario,
        candidate: usize,
        by: f64,
        only: Option<&[String]>,
    ) -> Result<Plan, VaryError> {
        let parameters = match only {
            None => vary::parameters(scenario),
            Some(paths) => vary::find_all(scenario, paths)?,
        };
        let mut trials = vary::Trials::new(scenario);
        let mut entries = Vec::new();
        for parameter in parameters {
            let low = trials.apply(&parameter, Setting::Times(1.0 - by))?;
            let high = trials.apply(&parameter, Setting::Times(1.0 + by))?;
            let skip_note = if low.unchanged && high.unchanged {
                Some(if parameter.value(scenario).as_number() == 0.0 {
                    ZERO_NOTE
                } else {
                    UNCHANGED_NOTE
                })
            } else {
                None
            };
            entries.push(PlanEntry {
                base_text: parameter.describe(scenario),
                parameter,
                low,
                high,
                skip_note,
            });
        }
        Ok(Plan {
            candidate,
            by,
            entries,
        })
    }

    /// How many simulation runs (of all replications) the analysis makes, the base run included.
    pub fn runs(&self) -> u64 {
        1 + 2 * self
            .entries
            .iter()
            .filter(|e| e.skip_note.is_none())
            .count() as u64
    }

    /// Run the analysis over replications `0..replications` of every run; `scenario` is the
    /// one the plan was made for.
    ///
    /// A run spreads its replications over the threads, so with fewer replications per run
    /// than twice the threads (the compact analysis of a large scenario runs one each) most
    /// threads would idle: then the inputs' runs go in parallel instead, a batch at a time.
    /// Each run is the same either way and the savings are gathered in input order, so the
    /// result is the same bits with any number of threads (`tests/reuse.rs`).
    pub fn run(
        &self,
        scenario: &Scenario,
        replications: u64,
        progress: &mut dyn FnMut(u64),
    ) -> SensitivityResult {
        let threads = rayon::current_num_threads() as u64;
        if threads == 1 || replications >= 2 * threads {
            return self.run_with(scenario, replications, progress, &mut simulate_directly);
        }
        let (base, base_results) =
            self.base_run(scenario, replications, progress, &mut simulate_directly);
        let evaluate = |s: Scenario| {
            self.savings(&base, &base_results, s, &mut |_| {}, &mut simulate_directly)
        };
        // Batches bound the runs in flight (their rows are alive together) and report progress.
        let batch = (8 * threads) as usize;
        let mut pairs = Vec::with_capacity(self.entries.len());
        for entries in self.entries.chunks(batch) {
            pairs.par_extend(entries.par_iter().map(|e| {
                e.skip_note.is_none().then(|| {
                    (
                        evaluate(e.parameter.with_value(scenario, &e.low.value)),
                        evaluate(e.parameter.with_value(scenario, &e.high.value)),
                    )
                })
            }));
            let ran = entries.iter().filter(|e| e.skip_note.is_none()).count() as u64;
            progress(2 * ran * replications);
        }
        self.finish(scenario, replications, &base, &base_results, pairs)
    }

    /// [`Plan::run`], with its simulations from `simulate` (directly, as a shard, or a
    /// merge's), one run after another.
    pub fn run_with(
        &self,
        scenario: &Scenario,
        replications: u64,
        progress: &mut dyn FnMut(u64),
        simulate: &mut super::study::Simulate<'_>,
    ) -> SensitivityResult {
        let (base, base_results) = self.base_run(scenario, replications, progress, simulate);
        let pairs: Vec<Option<(f64, f64)>> = self
            .entries
            .iter()
            .map(|e| {
                e.skip_note.is_none().then(|| {
                    let mut savings = |s| self.savings(&base, &base_results, s, progress, simulate);
                    (
                        savings(e.parameter.with_value(scenario, &e.low.value)),
                        savings(e.parameter.with_value(scenario, &e.high.value)),
                    )
                })
            })
            .collect();
        self.finish(scenario, replications, &base, &base_results, pairs)
    }

    /// The scenario as it is, over `replications`, and its run.
    fn base_run(
        &self,
        scenario: &Scenario,
        replications: u64,
        progress: &mut dyn FnMut(u64),
        simulate: &mut super::study::Simulate<'_>,
    ) -> (Scenario, ExperimentResults) {
        assert_ne!(
            self.candidate,
            scenario.baseline_index(),
            "the candidate is not the baseline"
        );
        let mut base = scenario.clone();
        base.simulation.replications = replications;
        let results = simulate(&base, progress);
        (base, results)
    }

    /// The candidate's mean annual savings in the variant `s` of `base` (whose run is
    /// `base_results`), simulating as little as is exact.
    fn savings(
        &self,
        base: &Scenario,
        base_results: &ExperimentResults,
        mut s: Scenario,
        progress: &mut dyn FnMut(u64),
        simulate: &mut super::study::Simulate<'_>,
    ) -> f64 {
        s.simulation.replications = base.simulation.replications;
        // A pure cost rate changes no history: the base run re-costed where that is exact; a
        // strategy input: the other strategies' runs are the base run's.
        let results = super::reuse::derive(base, base_results, &s, progress, simulate)
            .unwrap_or_else(|| simulate(&s, progress));
        crate::report::savings_per_year(&s, &results, self.candidate)
    }

    /// The result from each input's (low, high) savings (`None`: not run), in plan order.
    fn finish(
        &self,
        scenario: &Scenario,
        replications: u64,
        base: &Scenario,
        base_results: &ExperimentResults,
        pairs: Vec<Option<(f64, f64)>>,
    ) -> SensitivityResult {
        let base_savings = crate::report::savings_per_year(base, base_results, self.candidate);
        let mut rows: Vec<SensitivityRow> = self
            .entries
            .iter()
            .zip(pairs)
            .map(|(e, pair)| {
                let (savings_low, savings_high) = pair.unwrap_or((base_savings, base_savings));
                let note = e.skip_note.map(str::to_string).or_else(|| {
                    let notes: Vec<String> = [&e.low.applied.note, &e.high.applied.note]
                        .into_iter()
                        .flatten()
                        .cloned()
                        .collect();
                    (!notes.is_empty()).then(|| notes.join("; "))
                });
                SensitivityRow {
                    parameter: e.parameter.clone(),
                    base_text: e.base_text.clone(),
                    parameter_base: e.parameter.value(scenario).as_number(),
                    low: e.low.applied.clone(),
                    high: e.high.applied.clone(),
                    savings_low,
                    savings_high,
                    swing: (savings_high - savings_low).abs(),
                    note,
                    unchanged: e.skip_note.is_some(),
                }
            })
            .collect();
        // Stable: ties keep scenario order; unchanged inputs sink to the bottom.
        rows.sort_by(|a, b| {
            a.unchanged
                .cmp(&b.unchanged)
                .then(b.swing.total_cmp(&a.swing))
        });
        SensitivityResult {
            scenario: scenario.name.clone(),
            currency: scenario.currency.clone(),
            by: self.by,
            candidate: scenario.strategies[self.candidate].name.clone(),
            baseline: scenario.strategies[scenario.baseline_index()].name.clone(),
            base_savings,
            seed: scenario.simulation.seed,
            replications,
            rows,
        }
    }
}

/// A variant's run over its replications, simulated here.
fn simulate_directly(variant: &Scenario, progress: &mut dyn FnMut(u64)) -> ExperimentResults {
    run_replications(variant, 0..variant.simulation.replications, progress)
}

/// Parse a relative change: `"20%"` or `"0.2"`, in (0, 1).
pub fn parse_by(text: &str) -> Result<f64, String> {
    if let Some(size) = text.trim().strip_prefix('-') {
        return Err(format!(
            "a change is a size, not a direction: every input is moved both down and up by it; \
             found {text:?}, write {size:?}"
        ));
    }
    super::parse_share(text, "relative change", "20% or 0.2", "20%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn changes_parse_as_percent_or_fraction() {
        assert_eq!(parse_by("20%").unwrap(), 0.2);
        assert_eq!(parse_by("0.1").unwrap(), 0.1);
        assert!(parse_by("100%").is_err());
        assert!(parse_by("-5%").is_err());
    }

    #[test]
    fn a_dominant_investment_ranks_first_with_its_exact_swing() {
        let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        // An investment far larger than any other effect: ±20 % of it moves the savings by
        // exactly 0.4 × the annual cost, whatever happens in the simulation.
        s.strategies[1].annual_cost = 50_000_000.0;
        let only: Vec<String> = [
            "strategies.proactive.monitoring.coverage",
            "strategies.proactive.annual_cost",
            "tiers.help-desk.hourly_cost",
            "strategies.reactive.annual_cost",
            "tiers.senior-network-engineer.staff",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let plan = Plan::new(&s, 1, 0.2, Some(&only)).unwrap();
        // Reactive's annual cost is 0 and one engineer ±20 % rounds to one: not run.
        assert_eq!(plan.runs(), 1 + 2 * 3);
        let result = plan.run(&s, 60, &mut |_| {});
        assert_eq!(
            result.rows[0].parameter.path,
            "strategies.proactive.annual_cost"
        );
        assert!((result.rows[0].swing - 0.4 * 50_000_000.0).abs() < 1e-3);
        let last_two: Vec<&str> = result.rows[3..]
            .iter()
            .map(|r| r.parameter.path.as_str())
            .collect();
        assert_eq!(
            last_two,
            [
                "strategies.reactive.annual_cost",
                "tiers.senior-network-engineer.staff"
            ]
        );
        assert!(
            result.rows[3..]
                .iter()
                .all(|r| r.swing == 0.0 && r.unchanged)
        );
    }
}
