//! `incsim validate`: check a scenario and summarize it, or list every error found.

use anyhow::Result;

use super::load_scenario;
use crate::cli::ValidateArgs;
use incsim::experiment::budget;

/// Run `incsim validate`.
pub fn validate(args: ValidateArgs) -> Result<()> {
    let (scenario, _) = load_scenario(Some(&args.scenario))?;
    println!("{}: OK\n", args.scenario.display());
    print!("{}", incsim::scenario::describe::describe(&scenario));
    let reps = scenario.simulation.replications;
    println!(
        "\nmemory: about {} for {reps} replications ({} per replication, {} for the program and the {} strategies' report)",
        budget::human_bytes(budget::run_bytes(&scenario, reps)),
        budget::human_bytes(budget::bytes_per_replication(&scenario)),
        budget::human_bytes(budget::run_bytes(&scenario, 0)),
        scenario.strategies.len()
    );
    // Said now, not after the scenario is run: `incsim run` refuses the same.
    if let Err(e) = budget::check_fits(&scenario, reps) {
        println!("warning: {e}");
    }
    Ok(())
}
