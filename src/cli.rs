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
  incsim validate my.toml                      # check a scenario, summarize it
  incsim run --events 0-2                      # also write events.jsonl (replications 0..2)
  incsim replay output/default/events.jsonl    # the run's metrics, from its event log
  incsim timeline --rep 0 --worst --compare    # one incident, told minute by minute";

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
    /// Fold a saved event log (events.jsonl) into the run's per-replication metrics.
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
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
    /// Also write events.jsonl: every event of these replications (e.g. 0, 0,3,7 or 0-9;
    /// 0 when given without a value). Put the scenario before the flag.
    #[arg(long, value_name = "REPS", num_args = 0..=1, default_missing_value = "0")]
    pub events: Option<String>,
}

/// Options of `incsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
}

const REPLAY_EXAMPLES: &str = "\
Examples:
  incsim run --events 0-9 --out out/            # writes out/events.jsonl
  incsim replay out/events.jsonl                # replications.csv rows on stdout
  incsim replay out/events.jsonl --out check/   # writes check/replications.csv";

/// Options of `incsim replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The event log (JSON Lines) written by `incsim run --events`.
    pub log: PathBuf,
    /// Write replications.csv into this folder instead of printing the rows.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}
