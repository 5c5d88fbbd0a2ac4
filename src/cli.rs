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
  incsim timeline --rep 0 --worst --compare    # one incident, told minute by minute
  incsim run --precision 2%                    # as many replications as 2 % precision needs
  incsim sweep --vary strategies.proactive.annual_cost=0:2000000:9
  incsim sensitivity --by 20%                  # tornado: what the savings depend on most
  incsim select --delta 10000                  # which strategy is best, with 95 % confidence
  incsim run --shard 0/4 --out shards/         # one of 4 cluster jobs; then: incsim merge shards/
  incsim fit incidents.csv --out fitted.toml --check   # calibrate from your incident export
  incsim init --from saas-oncall               # start from a cited example";

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
    #[command(
        after_help = "Examples:\n  incsim validate scenarios/default.toml\n  incsim validate my.toml -n 100000 --threads 8   # memory and time of that run"
    )]
    Validate(ValidateArgs),
    /// Vary one input over a range and chart the savings, with the break-even value.
    #[command(after_help = SWEEP_EXAMPLES)]
    Sweep(SweepArgs),
    /// Move every input down and up (±20 %) and rank them by effect on the savings (tornado).
    #[command(after_help = SENSITIVITY_EXAMPLES)]
    Sensitivity(SensitivityArgs),
    /// Choose the best strategy with a stated confidence (Kim–Nelson ranking and selection).
    #[command(after_help = SELECT_EXAMPLES)]
    Select(SelectArgs),
    /// Combine the shard files of `incsim run --shard K/N` into the run's outputs.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Fold a saved event log (events.jsonl) into the run's per-replication metrics.
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Tell one incident minute by minute, with its running cost and a timeline chart.
    #[command(after_help = TIMELINE_EXAMPLES)]
    Timeline(TimelineArgs),
    /// Play one incident as a team: make the calls, then a debrief against the playbooks.
    #[command(after_help = DRILL_EXAMPLES)]
    Drill(DrillArgs),
    /// Fit a scenario to an incident export (ServiceNow, PagerDuty, Jira or any CSV).
    #[command(after_help = FIT_EXAMPLES)]
    Fit(FitArgs),
    /// Turn another tool's configuration into a scenario fragment (PagerDuty policies).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a commented starter scenario into the current folder.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    #[command(
        after_help = "Examples:\n  incsim completions bash > ~/.local/share/bash-completion/completions/incsim\n  incsim completions zsh > \"${fpath[1]}/_incsim\"\n  incsim completions fish > ~/.config/fish/completions/incsim.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  incsim man > incsim.1 && man ./incsim.1")]
    Man,
}

const RUN_EXAMPLES: &str = "\
Examples:
  incsim run                                   # built-in scenario → output/default/
  incsim run scenarios/default.toml -n 5000    # 5000 replications
  incsim run my.toml --seed 7 --out results/   # another seed, another folder
  RAYON_NUM_THREADS=1 incsim run               # same bytes, one thread
  incsim run --precision 2%                    # batches until the savings' 95 % CI is ±2 %
  incsim run my.toml -n 100000 --shard 3/8 --out shards/   # slice 3 of 8 (K = 0…7)";

/// Options of `incsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// Number of replications (overrides `simulation.replications`).
    #[arg(short = 'n', long)]
    pub replications: Option<u64>,
    /// The strategy every other one is compared with (overrides `baseline` in the file)
    /// [default: `reactive` if there is one, else the first].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
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
    /// Add replications in batches until the 95 % CI half-width of every candidate's paired
    /// total-cost difference is within this share of its mean (e.g. 2% or 0.02).
    /// --replications then sets the first batch [default: 100].
    #[arg(long, value_name = "PCT", value_parser = incsim::experiment::precision::parse_target, conflicts_with = "shard")]
    pub precision: Option<f64>,
    /// With --precision: never run more replications than this [default: 100000].
    #[arg(long, value_name = "N", requires = "precision")]
    pub max_replications: Option<u64>,
    /// Run only slice K of N of the replications (K = 0…N−1) and write shard-K-of-N.json into
    /// the output folder; `incsim merge` combines the shards. (Write an event log with a
    /// plain run: `--events` does not combine with shards.)
    #[arg(long, value_name = "K/N", value_parser = incsim::experiment::shard::ShardSpec::parse, conflicts_with = "events")]
    pub shard: Option<incsim::experiment::shard::ShardSpec>,
    /// Admit the scenario's uncertain inputs (`{ uncertain = "triangular", … }`): draw N
    /// parameter sets by Latin hypercube (from the seed), run the replications for each with
    /// the same random numbers, and report P10/P50/P90 across parameter sets, the share of
    /// sets in which each candidate is cheaper, and which inputs drive the spread. Without it
    /// a run uses each uncertain input's mode. With --shard K/N every shard runs all N sets
    /// for its slice of the replications, and `incsim merge` writes the same files.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=incsim::experiment::uncertainty::MAX_SETS as i64), conflicts_with = "precision")]
    pub uncertainty: Option<u32>,
    /// Skip the report's compact sensitivity (tornado): ±20 % on every input for the best
    /// candidate, sized to cost no more replications than the run itself.
    #[arg(long)]
    pub no_sensitivity: bool,
    /// Also write report.pdf (the browser's paper size, A4 or Letter) with a headless
    /// Chromium (`chromium` on PATH, or INCSIM_CHROMIUM); without one, print report.html
    /// from a browser instead.
    #[arg(long)]
    pub pdf: bool,
}

const SWEEP_EXAMPLES: &str = "\
Ranges are FROM:TO:STEPS, STEPS points with both ends included:
  numbers     strategies.proactive.monitoring.coverage=0.5:0.95:10
  durations   strategies.reactive.escalate_after=15m:2h:8
              services.email.failures.every=20d:90d:8   (a distribution: sets its mean)
  multipliers services.email.modes.memory-leak.fix=x0.5:x2:7   (any input; scales a
              distribution as a whole)

Examples:
  incsim sweep --vary strategies.proactive.annual_cost=0:2000000:9
  incsim sweep scenarios/default.toml --vary strategies.proactive.monitoring.coverage=0.5:0.95:10 -n 2000
  incsim sweep my.toml --list                  # the paths this scenario accepts
  incsim sweep --vary tiers.help-desk.staff=1:5:5 --vary strategies.proactive.escalate_after=10m:2h:6
                                               # two-way grid: heat map of total cost";

/// Options of `incsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// The input and its range: PATH=FROM:TO:STEPS. Given twice, a two-way grid (grid.csv and
    /// a heat map of --metric for --strategy).
    #[arg(long, value_name = "PATH=FROM:TO:STEPS", required_unless_present = "list", value_parser = incsim::experiment::sweep::SweepSpec::parse)]
    pub vary: Vec<incsim::experiment::sweep::SweepSpec>,
    /// Two-way grid: the metric of the heat map (lower is better; higher for availability).
    #[arg(long, default_value = "total_cost")]
    pub metric: String,
    /// Two-way grid: the strategy whose metric fills the cells [default: the first candidate].
    #[arg(long)]
    pub strategy: Option<String>,
    /// List the parameter paths of the scenario, with their values, and exit.
    #[arg(long)]
    pub list: bool,
    /// Replications per point (overrides `simulation.replications`).
    #[arg(short = 'n', long)]
    pub replications: Option<u64>,
    /// The strategy every other one is compared with (overrides `baseline` in the file)
    /// [default: `reactive` if there is one, else the first].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Random seed, the same for every point (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder [default: output/<scenario file stem>/sweep-<path>].
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Run only slice K of N of the replications of every point (K = 0…N−1) and write
    /// shard-K-of-N.json into the output folder; `incsim merge` combines the shards into
    /// exactly this command's outputs.
    #[arg(long, value_name = "K/N", value_parser = incsim::experiment::shard::ShardSpec::parse)]
    pub shard: Option<incsim::experiment::shard::ShardSpec>,
    /// Worker threads [default: all cores, or RAYON_NUM_THREADS].
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

const SENSITIVITY_EXAMPLES: &str = "\
Examples:
  incsim sensitivity                            # built-in scenario, every input ±20 %
  incsim sensitivity my.toml --by 10% -n 2000
  incsim sensitivity my.toml --only services.email.downtime_cost_per_hour,strategies.proactive.monitoring.coverage";

/// Options of `incsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// The relative change down and up, e.g. 20% or 0.2.
    #[arg(
        long,
        default_value = "20%",
        allow_hyphen_values = true,
        value_parser = incsim::experiment::sensitivity::parse_by
    )]
    pub by: f64,
    /// Only these parameter paths (comma-separated) [default: every numeric input].
    #[arg(long, value_delimiter = ',', value_name = "PATH,…")]
    pub only: Option<Vec<String>>,
    /// The candidate strategy whose savings are analysed [default: the first candidate].
    #[arg(long)]
    pub candidate: Option<String>,
    /// Replications per run (overrides `simulation.replications`).
    #[arg(short = 'n', long)]
    pub replications: Option<u64>,
    /// The strategy every other one is compared with (overrides `baseline` in the file)
    /// [default: `reactive` if there is one, else the first].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Random seed, the same for every run (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder [default: output/<scenario file stem>/sensitivity].
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Run only slice K of N of the replications of every run (K = 0…N−1) and write
    /// shard-K-of-N.json into the output folder; `incsim merge` combines the shards into
    /// exactly this command's outputs.
    #[arg(long, value_name = "K/N", value_parser = incsim::experiment::shard::ShardSpec::parse)]
    pub shard: Option<incsim::experiment::shard::ShardSpec>,
    /// Worker threads [default: all cores, or RAYON_NUM_THREADS].
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

const SELECT_EXAMPLES: &str = "\
Adds replications until it can name the best strategy with probability >= the confidence
whenever the best is at least --delta better than the rest, and otherwise the subset that
contains it (Kim & Nelson 2001, fully sequential procedure KN, with common random numbers).

Examples:
  incsim select --delta 10000                   # built-in scenario, total cost, 95 %
  incsim select my.toml --metric outage_minutes --delta 60 --confidence 0.9
  incsim select my.toml --delta 5000 --first-stage 20 --max-replications 20000";

/// Options of `incsim select`.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// The metric to optimise (lower is better; higher for availability).
    #[arg(long, default_value = "total_cost")]
    pub metric: String,
    /// The smallest difference that matters, in the metric's unit per horizon (money for
    /// costs, minutes for durations).
    #[arg(long)]
    pub delta: f64,
    /// Probability of naming the best when it is at least --delta better.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// First-stage replications of every strategy (variance estimates).
    #[arg(long, default_value_t = 10)]
    pub first_stage: u64,
    /// Never run more replications of a strategy than this.
    #[arg(long, default_value_t = 100_000)]
    pub max_replications: u64,
    /// Random seed (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder for selection.json [default: output/<scenario file stem>/select].
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Run shard K of N of the selection's current stage (K = 0…N−1): read the stage from
    /// select-state.json in the output folder (none: the first stage), write
    /// shard-K-of-N.json there; `incsim merge` of the folder writes the next state, or
    /// selection.json when KN has stopped. Repeat until it has.
    #[arg(long, value_name = "K/N", value_parser = incsim::experiment::shard::ShardSpec::parse)]
    pub shard: Option<incsim::experiment::shard::ShardSpec>,
    /// Worker threads [default: all cores, or RAYON_NUM_THREADS].
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

const MERGE_EXAMPLES: &str = "\
Examples:
  incsim merge shards/                          # every shard-K-of-N.json in shards/
  incsim merge node1/ node2/ --out results/     # shards spread over folders
  incsim merge shards/shard-*-of-4.json";

/// Options of `incsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Folders holding shard-K-of-N.json files, or the files themselves.
    #[arg(required = true, value_name = "DIR|FILE")]
    pub inputs: Vec<PathBuf>,
    /// Output folder [default: output/<scenario file stem>, as the run would have used].
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Skip the report's compact sensitivity, as `run --no-sensitivity` does.
    #[arg(long)]
    pub no_sensitivity: bool,
}

/// Options of `incsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Replications the memory and time estimates are for (overrides
    /// `simulation.replications`, as `run -n` does).
    #[arg(short = 'n', long)]
    pub replications: Option<u64>,
    /// Worker threads the estimates are for [default: all cores, or RAYON_NUM_THREADS].
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Estimate a run with `--no-sensitivity` (without the report's compact sensitivity).
    #[arg(long)]
    pub no_sensitivity: bool,
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
  incsim timeline --incident email#1 --compare --html   # also a printable handout
  incsim timeline scenarios/patching.toml --strategy patched --maintenance db   # a maintenance night

Files: timeline.txt, timeline.svg and timeline.png (and timeline.html with --html) in --out
[default: output/<scenario>/timeline-rep<R>-<strategy or compare>-<service>-<k>/]; a
maintenance writes timeline.txt [default: …/timeline-rep<R>-<strategy>-<service>-m<n>/].";

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
    /// Tell the same failure under every strategy, then the difference. The failure starts
    /// at the same moment under each (pinned to its start under --strategy).
    #[arg(short, long)]
    pub compare: bool,
    /// Also write timeline.html, a self-contained handout that prints on A4.
    #[arg(long)]
    pub html: bool,
    /// Tell a preventive maintenance of --strategy instead of an incident: SERVICE (its first
    /// maintenance an engineer started in the replication) or SERVICE#N (its maintenance N,
    /// counted from 0 as the event log's `maintenance` key numbers them).
    #[arg(short, long, value_name = "SERVICE[#N]", conflicts_with_all = ["incident", "worst", "compare", "html"])]
    pub maintenance: Option<String>,
    /// Random seed (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder for timeline.txt, timeline.svg and timeline.png.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}

const DRILL_EXAMPLES: &str = "\
Examples:
  incsim drill --pick p95                       # a representative bad day, you make the calls
  incsim drill scenarios/default.toml --incident email#1 --strategy reactive
  incsim drill --incident email#1 --policy reactive          # the playbook's calls, no terminal
  incsim drill --incident email#1 --decisions calls.txt --out handout/

Decision points: an incident waits at a tier with nobody on duty (wait, page, escalate), an
engineer takes it (troubleshoot, escalate), a time box runs out (escalate, troubleshoot).
A decisions file has one call per line at the clock the drill shows: `W12 Tue 08:00 escalate`.
Files in --out: handout.html (prints on A4), debrief.txt, decisions.txt.";

/// Options of `incsim drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Scenario file (TOML). Without it, the built-in mail-server scenario.
    pub scenario: Option<PathBuf>,
    /// Replication to play.
    #[arg(short, long, default_value_t = 0)]
    pub rep: u64,
    /// The incident to play, as SERVICE#K (K counts a service's failures from 0).
    #[arg(short, long, value_name = "ID", conflicts_with = "pick")]
    pub incident: Option<String>,
    /// Pick the incident whose cost is at this percentile of the replication's incidents
    /// under the strategy (`p95`: a representative bad day) [default: p95].
    #[arg(long, value_name = "pNN")]
    pub pick: Option<String>,
    /// Strategy whose rules the rest of the organisation follows [default: the baseline].
    #[arg(short, long)]
    pub strategy: Option<String>,
    /// Make the team's calls from a file: one `W12 Tue 08:00 escalate` per line.
    #[arg(long, value_name = "FILE", conflicts_with = "policy")]
    pub decisions: Option<PathBuf>,
    /// Make the team's calls by a strategy's rules (its name; it is also the strategy played).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Random seed (overrides `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder for handout.html, debrief.txt and decisions.txt.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}

const FIT_EXAMPLES: &str = "\
Formats are recognised by their headers: ServiceNow (number, opened_at, resolved_at; event
logs with one row per update keep each incident's last row), PagerDuty (created_at,
resolved_at, service_name, urgency, seconds_to_first_ack), Jira (Created, Resolved, Priority,
Component/s). Any other CSV: --columns.

Examples:
  incsim fit incidents.csv                      # fitted scenario on stdout, report on stderr
  incsim fit incidents.csv --out fitted.toml --check   # also simulate it against the data
  incsim fit export.csv --columns opened=start,resolved=end,service=app,priority=sev
  incsim fit snow.csv --date-format \"%d/%m/%Y %H:%M\"   # when day/month order is ambiguous

Files: the scenario (--out), and beside it <stem>-fit/ with fit-report.txt and, per fitted
quantity, the data's ECDF against the fitted CDFs (SVG and PNG); without --out the charts go
to output/fit-<export>/.";

/// Options of `incsim fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The incident export (CSV).
    pub export: PathBuf,
    /// Write the fitted scenario here [default: stdout].
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Folder for the charts and the text report [default: beside --out, or output/fit-<export>].
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Force the format: servicenow, pagerduty, jira or generic [default: from the header].
    #[arg(long)]
    pub format: Option<String>,
    /// Which columns hold what: opened=…,resolved=…,service=…,priority=…,group=…,
    /// reassignments=…,ack_seconds=…,id=… (header names, case-insensitive).
    #[arg(long, value_name = "KEY=COLUMN,…")]
    pub columns: Option<String>,
    /// How dates are written, in strftime syntax (e.g. "%d-%m-%Y %H:%M") [default: detected
    /// when unambiguous].
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Simulate the fitted scenario and compare its restore times with the data's.
    #[arg(long)]
    pub check: bool,
}

/// The tools `incsim import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A PagerDuty escalation policy and its schedules (REST API JSON) as `[[tiers]]` and
    /// `[[escalation_policies]]` to append to a scenario (printed on stdout).
    #[command(after_help = IMPORT_PAGERDUTY_EXAMPLES)]
    Pagerduty(ImportPagerdutyArgs),
}

const IMPORT_PAGERDUTY_EXAMPLES: &str = "\
Examples:
  incsim import pagerduty policy.json primary.json secondary.json >> my.toml
  curl -H \"Authorization: Token token=$PD_TOKEN\" \\
    https://api.pagerduty.com/escalation_policies/PXXXXXX > policy.json

Each schedule a rule targets becomes a tier named after it (slugged); what PagerDuty has and
the model lacks is named in the fragment's comments and on stderr.";

/// Options of `incsim import pagerduty`.
#[derive(Debug, Args)]
pub struct ImportPagerdutyArgs {
    /// The escalation policy (JSON of GET /escalation_policies/ID, with or without its
    /// `escalation_policy` envelope).
    pub policy: PathBuf,
    /// The schedules its rules target (JSON of GET /schedules/ID).
    pub schedules: Vec<PathBuf>,
}

const INIT_EXAMPLES: &str = "\
Templates: saas-oncall, internal-it, msp, bank-payments (the cited scenario library) and
default (the built-in mail-server story). Without --from: every field with its default and
meaning.

Examples:
  incsim init                                   # writes ./scenario.toml
  incsim init --from bank-payments              # writes ./bank-payments.toml
  incsim init --from msp --name clients.toml";

/// Options of `incsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Start from a library scenario instead of the commented field list.
    #[arg(long, value_name = "TEMPLATE")]
    pub from: Option<String>,
    /// File name to write in the current folder [default: scenario.toml, or TEMPLATE.toml].
    #[arg(long)]
    pub name: Option<PathBuf>,
}

/// Options of `incsim completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
