//! `incsim run`: simulate every strategy, write the outputs, print the comparison.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::load_scenario;
use crate::cli::RunArgs;
use incsim::eventlog;
use incsim::experiment::run_replications;
use incsim::export::{bundle, output::OutputSet, terminal};

/// Largest replication count accepted (DESIGN §3).
const MAX_REPLICATIONS: u64 = 10_000_000;

/// Run `incsim run`.
pub fn run(args: RunArgs) -> Result<()> {
    let (mut scenario, slug) = load_scenario(args.scenario.as_deref())?;
    if let Some(n) = args.replications {
        if !(1..=MAX_REPLICATIONS).contains(&n) {
            bail!(
                "--replications {n} is out of range\n  help: use an integer from 1 to {MAX_REPLICATIONS}"
            );
        }
        scenario.simulation.replications = n;
    }
    if let Some(seed) = args.seed {
        scenario.simulation.seed = seed;
    }
    // Check the replications to log before the (possibly long) run.
    let logged_reps = match &args.events {
        None => None,
        Some(text) => Some(
            eventlog::parse_reps(text, scenario.simulation.replications).map_err(|e| {
                anyhow!("--events {text:?}: {e}\n  help: put the scenario file before --events, e.g. `incsim run my.toml --events 0-9`")
            })?,
        ),
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&slug));
    let mut outputs = OutputSet::prepare(&out_dir)?;

    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = args.threads {
            if t == 0 {
                bail!("--threads must be at least 1");
            }
            b = b.num_threads(t);
        }
        b.build().context("cannot start the worker threads")?
    };

    let reps = scenario.simulation.replications;
    let bar = progress_bar(reps, args.quiet);
    let started = Instant::now();
    let results = pool.install(|| run_replications(&scenario, 0..reps, &mut |done| bar.inc(done)));
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();

    let report = bundle::write_run_outputs(&scenario, &results, &mut outputs)?;
    if let Some(reps) = &logged_reps {
        eventlog::write_into(&mut outputs, &scenario, reps, &results)?;
    }
    let written = outputs.commit()?;

    print!("{}", terminal::render(&report));
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    if args.stats {
        eprintln!(
            "{} replications × {} strategies in {:.3} s: {} events, {:.1} M events/s, {:.0} replications/s ({} threads)",
            reps,
            scenario.strategies.len(),
            elapsed,
            results.events,
            results.events as f64 / elapsed / 1e6,
            reps as f64 / elapsed,
            pool.current_num_threads()
        );
    }
    Ok(())
}

/// A progress bar on stderr, shown only when stderr is a terminal and not `--quiet`.
fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} replications ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
