//! `incsim run`: simulate every strategy, write the outputs, print the comparison.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, anyhow, bail};

use super::exec::{progress_bar, thread_pool};
use super::{load_scenario, precision, shard};
use crate::cli::RunArgs;
use incsim::eventlog;
use incsim::experiment::{run_replications, uncertainty};
use incsim::export::{bundle, output::OutputSet, terminal};
use incsim::format::thousands;

/// Largest replication count accepted (docs/model.md §3).
pub const MAX_REPLICATIONS: u64 = 10_000_000;

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
    if let Some(name) = &args.baseline {
        scenario
            .set_baseline(name)
            .map_err(|e| anyhow!("--baseline: {e}"))?;
    }
    // Check the replications to log before the (possibly long) run. With --precision the run
    // has at least its first batch, so the log's replications must lie within it.
    let precision_goal = match args.precision {
        Some(target) => Some(precision::goal(
            target,
            args.replications,
            args.max_replications,
        )?),
        None => None,
    };
    let logged_reps = match &args.events {
        None => None,
        Some(text) => {
            let known = precision_goal.map_or(scenario.simulation.replications, |g| g.pilot);
            Some(eventlog::parse_reps(text, known).map_err(|e| {
                // `incsim run --events my.toml` took the file for the replications.
                let help = if text.ends_with(".toml") {
                    "put the scenario file before --events, e.g. `incsim run my.toml --events 0-9`"
                        .to_string()
                } else {
                    format!("log replications from 0 to {}", known.saturating_sub(1))
                };
                anyhow!("--events {text:?}: {e}\n  help: {help}")
            })?)
        }
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&slug));

    // Refused now, not after an allocation fails halfway (a shard holds only its slice).
    let held = match (args.shard, precision_goal) {
        (Some(spec), _) => {
            let r = spec.range(scenario.simulation.replications);
            r.end - r.start
        }
        (None, Some(goal)) => goal.max_replications,
        (None, None) => scenario.simulation.replications,
    };
    // Each worker thread holds its own simulator: the pool first, to know how many.
    let pool = thread_pool(args.threads)?;
    // A shard's run writes no report, so no compact sensitivity (`merge` adds it).
    let sensitivity =
        !args.no_sensitivity && scenario.strategies.len() >= 2 && args.shard.is_none();
    incsim::experiment::budget::check_fits(
        &scenario,
        held,
        pool.current_num_threads(),
        sensitivity,
    )
    .map_err(|e| anyhow!(e))?;

    if args.uncertainty.is_some() && scenario.uncertain.is_empty() {
        bail!(
            "{}",
            incsim::experiment::uncertainty::UncertaintyError::NoInputs
        );
    }
    if let (Some(_), Some(n)) = (args.shard, args.uncertainty) {
        uncertainty::check_shardable(&scenario, n as usize)?;
    }
    if let Some(spec) = args.shard {
        // Shards share their folder with other shards running at the same time.
        return shard::run_shard(
            &scenario,
            &slug,
            spec,
            &out_dir,
            &pool,
            args.quiet,
            args.uncertainty,
        );
    }
    let mut outputs = OutputSet::prepare(&out_dir)?;

    let started = Instant::now();
    let (results, precision_line) = match precision_goal {
        Some(goal) => {
            let (results, line) = precision::run(&scenario, goal, &pool, args.quiet)?;
            // The run is now exactly a run of that many replications.
            scenario.simulation.replications = results.reps.end;
            (results, Some(line))
        }
        None => {
            let reps = scenario.simulation.replications;
            let bar = progress_bar(reps, args.quiet);
            let results =
                pool.install(|| run_replications(&scenario, 0..reps, &mut |done| bar.inc(done)));
            bar.finish_and_clear();
            (results, None)
        }
    };
    let reps = scenario.simulation.replications;
    let elapsed = started.elapsed().as_secs_f64();
    if reps < 2 {
        eprintln!(
            "warning: a single replication has no confidence interval (ci95 is null in summary.json); run at least 2, and hundreds for a comparison"
        );
    }

    let uncertainty = match args.uncertainty {
        None => None,
        Some(n) => {
            let sets_started = Instant::now();
            let planned = u64::from(n) * reps;
            let bar = progress_bar(planned, args.quiet);
            bar.set_message("parameter sets");
            let u = pool.install(|| {
                uncertainty::run(&scenario, &results, n as usize, &mut |done| bar.inc(done))
            })?;
            bar.finish_and_clear();
            if args.stats {
                eprintln!(
                    "{n} parameter sets in {:.3} s ({})",
                    sets_started.elapsed().as_secs_f64(),
                    if u.recosted {
                        "re-costed from the main run: only cost rates are uncertain"
                    } else {
                        "each simulated"
                    }
                );
            }
            Some(u)
        }
    };

    let analysis_started = Instant::now();
    let report = if args.no_sensitivity || scenario.strategies.len() < 2 {
        bundle::write_run_outputs(
            &scenario,
            &results,
            &mut outputs,
            bundle::Sensitivity::Skip,
            uncertainty.as_ref(),
        )?
    } else {
        let planned = incsim::experiment::compact::planned_replications(&scenario, reps);
        let bar = progress_bar(planned, args.quiet);
        bar.set_message("sensitivity");
        let mut tick = |done| bar.inc(done);
        let report = pool.install(|| {
            bundle::write_run_outputs(
                &scenario,
                &results,
                &mut outputs,
                bundle::Sensitivity::Run(&mut tick),
                uncertainty.as_ref(),
            )
        })?;
        bar.finish_and_clear();
        report
    };
    let outputs_seconds = analysis_started.elapsed().as_secs_f64();
    match &precision_line {
        Some(p) => {
            let mut text = serde_json::to_string_pretty(&p.json)?;
            text.push('\n');
            outputs.add("precision.json", text);
        }
        // A plain run's folder holds no outcome of an earlier precision run.
        None => outputs.remove_if_stale("precision.json"),
    }
    if let Some(reps) = &logged_reps {
        eventlog::write_into(&mut outputs, &scenario, reps, &results)?;
    }
    // Written after the commit (Chromium reads the committed report.html); an older one
    // would describe another run.
    outputs.remove_if_stale("report.pdf");
    let written = outputs.commit()?;
    if args.pdf {
        match super::pdf::write_pdf(&out_dir) {
            Ok(path) => eprintln!("Wrote {}", path.display()),
            Err(e) => eprintln!("warning: no report.pdf: {e}"),
        }
    }

    print!("{}", terminal::render(&report));
    match &uncertainty {
        Some(u) => print!(
            "{}",
            incsim::export::uncertainty::View::build(&scenario, u, &report).terminal()
        ),
        None => {
            if let Some(note) = incsim::export::uncertainty::plain_run_note(&scenario) {
                println!("\n{note}");
            }
        }
    }
    if let Some(p) = &precision_line {
        println!("\n{}", p.line);
        if !p.reached {
            eprintln!("warning: the precision target was not reached (see precision.json)");
        }
    }
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    if args.stats {
        let threads = pool.current_num_threads();
        eprintln!(
            "{} replications × {} strategies in {:.3} s: {} events, {:.1} M events/s, {:.0} replications/s ({} thread{})",
            thousands(reps as f64),
            scenario.strategies.len(),
            elapsed,
            thousands(results.events as f64),
            results.events as f64 / elapsed / 1e6,
            reps as f64 / elapsed,
            threads,
            if threads == 1 { "" } else { "s" }
        );
        eprintln!(
            "report and outputs{} in {outputs_seconds:.3} s",
            if args.no_sensitivity {
                ""
            } else {
                " (with the compact sensitivity)"
            }
        );
    }
    Ok(())
}
