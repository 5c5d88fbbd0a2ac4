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
    /// Tell one incident minute by minute, with its running cost and a timeline chart.
    #[command(after_help = TIMELINE_EXAMPLES)]
    Timeline(TimelineArgs),
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

const TIMELINE_EXAMPLES: &str = "\
Examples:
  incsim timeline                               # first incident of replication 0, built-in scenario
  incsim timeline --rep 3 --strategy proactive --worst
  incsim timeline scenarios/default.toml --incident email#2 --compare
  incsim timeline --worst --compare --out handout/

Files: timeline.txt, timeline.svg and timeline.png in --out
[default: output/<scenario>/timeline-rep<R>-<strategy or compare>-<service>-<k>/].";

/// Options of `incsim timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// Replication to look into.
    #[arg(short, long, default_value_t = 0)]
    pub rep: u64,
    /// Strategy whose story is told (and whose costs pick --worst) [default: the baseline,
    /// `reactive` if there is one].
    #[arg(short, long)]
    pub strategy: Option<String>,
    /// The incident to tell, as SERVICE#K (K counts a service's failures from 0), or K alone
    /// when the scenario has one service [default: the first incident of the replication].
    #[arg(short, long, value_name = "ID", conflicts_with = "worst")]
    pub incident: Option<String>,
    /// Tell the costliest incident of the replication (downtime + degraded + labor).
    #[arg(short, long)]
    pub worst: bool,
    /// Tell the same failure under every strategy, then the difference.
    #[arg(short, long)]
    pub compare: bool,
    /// Random seed (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder for timeline.txt, timeline.svg and timeline.png.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}
