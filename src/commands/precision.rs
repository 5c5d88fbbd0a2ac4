//! `incsim run --precision`: replications in batches until the savings are known precisely.

use anyhow::{Result, bail};

use super::exec::progress_bar;
use incsim::experiment::ExperimentResults;
use incsim::experiment::precision::{
    DEFAULT_MAX_REPLICATIONS, DEFAULT_PILOT, PrecisionGoal, run_to_precision,
};
use incsim::format::thousands;
use incsim::scenario::Scenario;

/// The goal from the command line: `--precision`, `--replications` (the first batch) and
/// `--max-replications` (the cap).
pub fn goal(relative: f64, pilot: Option<u64>, max: Option<u64>) -> Result<PrecisionGoal> {
    let max_replications = max.unwrap_or(DEFAULT_MAX_REPLICATIONS);
    if !(2..=10_000_000).contains(&max_replications) {
        bail!(
            "--max-replications {max_replications} is out of range\n  help: use an integer from 2 to 10000000"
        );
    }
    let pilot = pilot.unwrap_or(DEFAULT_PILOT.min(max_replications));
    if pilot < 2 || pilot > max_replications {
        bail!(
            "with --precision, --replications sets the first batch; {pilot} is not between 2 and \
             --max-replications ({max_replications})\n  help: leave it out to start with {DEFAULT_PILOT}"
        );
    }
    Ok(PrecisionGoal {
        relative,
        pilot,
        max_replications,
    })
}

/// What a precision-driven run reached: the line printed, and `precision.json` (the same facts
/// for scripts: the other files equal those of a run of that many replications, so the
/// outcome is recorded beside them).
pub struct PrecisionReport {
    pub line: String,
    pub json: serde_json::Value,
    pub reached: bool,
}

/// Run to the goal on `pool`; returns the results and what was reached.
pub fn run(
    scenario: &Scenario,
    goal: PrecisionGoal,
    pool: &rayon::ThreadPool,
    quiet: bool,
) -> Result<(ExperimentResults, PrecisionReport)> {
    if scenario.strategies.len() < 2 {
        bail!(
            "--precision needs two strategies to compare; {} has one\n  help: add a strategy, or run a fixed number of replications with --replications",
            scenario.name
        );
    }
    let bar = progress_bar(goal.pilot, quiet);
    let mut batch = 0;
    let outcome = pool.install(|| {
        run_to_precision(scenario, goal, &mut |done| bar.inc(done), &mut |total| {
            batch += 1;
            bar.set_length(total);
            bar.set_message(format!("batch {batch}"));
        })
    });
    bar.finish_and_clear();

    let n = outcome.results.reps.end;
    let per_candidate: Vec<String> = outcome
        .precision
        .iter()
        .map(|c| match c.relative {
            Some(r) => format!("{} ±{} %", c.candidate, pct(r)),
            None => format!("{} (no difference from the baseline)", c.candidate),
        })
        .collect();
    let batches = outcome.batches.len();
    let line = if outcome.reached {
        format!(
            "Precision: ±{} % reached with {} replications in {batches} batch{} \
             (95 % CI half-width of the total-cost difference: {})",
            pct(goal.relative),
            thousands(n as f64),
            if batches == 1 { "" } else { "es" },
            per_candidate.join(", ")
        )
    } else {
        format!(
            "Precision: ±{} % NOT reached: stopped at the cap of {} replications with {}\n  \
             help: raise --max-replications or accept a wider target",
            pct(goal.relative),
            thousands(n as f64),
            per_candidate.join(", ")
        )
    };
    let json = serde_json::json!({
        "target_relative_half_width": goal.relative,
        "reached": outcome.reached,
        "replications": n,
        "first_batch": goal.pilot,
        "max_replications": goal.max_replications,
        "replications_after_each_batch": outcome.batches,
        "candidates": outcome.precision.iter().map(|c| serde_json::json!({
            "candidate": c.candidate,
            "metric": "total_cost",
            "mean_diff": c.mean_diff,
            "ci95_half_width": c.half_width,
            "relative_half_width": c.relative,
        })).collect::<Vec<_>>(),
    });
    let reached = outcome.reached;
    Ok((
        outcome.results,
        PrecisionReport {
            line,
            json,
            reached,
        },
    ))
}

/// A share as a percentage with up to 2 decimals: 0.02 → "2", 0.0137 → "1.37".
fn pct(x: f64) -> String {
    let s = format!("{:.2}", x * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
