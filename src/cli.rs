//! Command-line definitions (clap derive). Behaviour lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const ABOUT: &str = "Event-sourced simulator of IT incidents: compare proactive and reactive \
escalation strategies in downtime and money, with confidence intervals.";

const EXAMPLES: &str = "\
Examples:
  incsim run                                   # built-in mail-server scenario
  incsim run scenarios/default.toml --replications 5000 --seed 7
  incsim run my.toml --out results/my --threads 8
  incsim validate my.toml                      # check a scenario, summarize it";

/// incsim: IT incident simulator.
#[derive(Debug, Parser)]
#[command(name = "incsim", version, about = ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate every strategy of a scenario and compare them.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Check a scenario file and summarize what it describes.
    #[command(after_help = "Example:\n  incsim validate scenarios/default.toml")]
    Validate(ValidateArgs),
}

const RUN_EXAMPLES: &str = "\
Examples:
  incsim run                                   # built-in scenario → output/default/
  incsim run scenarios/default.toml -n 5000    # 5000 replications
  incsim run my.toml --seed 7 --out results/   # another seed, another folder
  RAYON_NUM_THREADS=1 incsim run               # same bytes, one thread";

/// Options of `incsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// Number of replications (overrides `simulation.replications`).
    #[arg(short = 'n', long)]
    pub replications: Option<u64>,
    /// Random seed (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder [default: output/<scenario file stem>].
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores, or RAYON_NUM_THREADS].
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print events processed, events/s and replications/s (on stderr).
    #[arg(long)]
    pub stats: bool,
}

/// Options of `incsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
}
