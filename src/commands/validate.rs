//! `incsim validate`: check a scenario and summarize it, or list every error found.

use anyhow::Result;

use super::load_scenario;
use crate::cli::ValidateArgs;

/// Run `incsim validate`.
pub fn validate(args: ValidateArgs) -> Result<()> {
    let (scenario, _) = load_scenario(Some(&args.scenario))?;
    println!("{}: OK\n", args.scenario.display());
    print!("{}", incsim::scenario::describe::describe(&scenario));
    Ok(())
}
