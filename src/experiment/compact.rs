//! The compact sensitivity `incsim run` puts in report.html (issue 16 item 3): every input of
//! the scenario moved ±20 % one at a time, as `incsim sensitivity` does, on the net savings of
//! the best-ranked candidate — but within a budget: all its runs together simulate no more
//! replications than the main run (at least one per run), so the analysis never costs more
//! than the run it explains. Inputs the change cannot move, or that move the savings by
//! nothing, are left out; the rest are ranked by swing.
//!
//! The replications are the first `replications_per_run` of the main run's seed in every run
//! (common random numbers), so the result is the same with any thread count, and the full
//! analysis (`incsim sensitivity`, all replications) refines it.

use super::sensitivity::{Plan, SensitivityResult};
use super::vary::VaryError;
use crate::scenario::Scenario;

/// The relative change of every input (±20 %, as `incsim sensitivity` by default).
pub const CHANGE: f64 = 0.2;

/// A sensitivity analysis sized to the main run.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactSensitivity {
    /// The analysis: only inputs with a non-zero swing, largest first.
    pub result: SensitivityResult,
    /// Simulation runs (of every strategy): the base run and two per movable input.
    pub runs: u64,
    /// Replications of each run.
    pub replications_per_run: u64,
    /// Replications of the main run (the budget).
    pub main_replications: u64,
}

impl CompactSensitivity {
    /// Replications simulated by the whole analysis (≤ the main run's, unless that is smaller
    /// than the number of runs).
    pub fn replications(&self) -> u64 {
        self.runs * self.replications_per_run
    }
}

/// Replications per run so that `runs` runs simulate at most `main` replications: ⌊main ÷
/// runs⌋, at least 1.
pub fn replications_per_run(main: u64, runs: u64) -> u64 {
    (main / runs.max(1)).max(1)
}

/// Replications the analysis of `scenario` will simulate with a main run of `main`
/// replications (for a progress bar); the candidate does not change the count.
pub fn planned_replications(scenario: &Scenario, main: u64) -> u64 {
    match Plan::new(scenario, 0, CHANGE, None) {
        Ok(plan) => plan.runs() * replications_per_run(main, plan.runs()),
        Err(_) => 0,
    }
}

/// Run the compact analysis of `candidate` (a strategy index, not the baseline).
pub fn run(
    scenario: &Scenario,
    candidate: usize,
    main_replications: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<CompactSensitivity, VaryError> {
    let plan = Plan::new(scenario, candidate, CHANGE, None)?;
    let runs = plan.runs();
    let replications_per_run = replications_per_run(main_replications, runs);
    let mut result = plan.run(scenario, replications_per_run, progress);
    result.rows.retain(|r| !r.unchanged && r.swing > 0.0);
    Ok(CompactSensitivity {
        result,
        runs,
        replications_per_run,
        main_replications,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runs_together_never_simulate_more_than_the_main_run() {
        for (main, runs) in [(1000, 51), (1000, 1), (51, 51), (10_000, 7)] {
            let per = replications_per_run(main, runs);
            assert!(per * runs <= main, "{main} {runs}");
            assert!((per + 1) * runs > main, "the budget is used: {main} {runs}");
        }
        // Fewer replications than runs: one each (the smallest analysis there is).
        assert_eq!(replications_per_run(10, 51), 1);
    }
}
