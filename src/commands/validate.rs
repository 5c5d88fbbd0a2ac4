//! `incsim validate`: check a scenario and summarize it, or list every error found; then say
//! how much memory and time a run of it will take on this machine.

use anyhow::{Result, bail};

use super::exec::thread_pool;
use super::load_scenario;
use super::run::MAX_REPLICATIONS;
use crate::cli::ValidateArgs;
use incsim::experiment::{budget, estimate};
use incsim::format::thousands;

/// Run `incsim validate`.
pub fn validate(args: ValidateArgs) -> Result<()> {
    let (mut scenario, _) = load_scenario(Some(&args.scenario))?;
    if let Some(n) = args.replications {
        if !(1..=MAX_REPLICATIONS).contains(&n) {
            bail!(
                "--replications {n} is out of range\n  help: use an integer from 1 to {MAX_REPLICATIONS}"
            );
        }
        scenario.simulation.replications = n;
    }
    // The threads `run` would start with the same flag (and RAYON_NUM_THREADS).
    let threads = thread_pool(args.threads)?.current_num_threads();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{}: OK\n", args.scenario.display());
    print!("{}", incsim::scenario::describe::describe(&scenario));
    let reps = scenario.simulation.replications;
    let threads_text = format!("{threads} thread{}", if threads == 1 { "" } else { "s" });
    let sensitivity = !args.no_sensitivity && scenario.strategies.len() >= 2;
    let analysis = if sensitivity {
        budget::sensitivity_bytes(&scenario)
    } else {
        0
    };
    let analysis_text = if sensitivity {
        format!(
            "{} for the report's compact sensitivity, ",
            budget::human_bytes(analysis)
        )
    } else {
        String::new()
    };
    println!(
        "\nmemory: about {} for {reps} replications with {threads_text} ({} per replication, {} per thread, {analysis_text}{} for the program and the {} strategies' report)",
        budget::human_bytes(budget::run_bytes(&scenario, reps, threads).saturating_add(analysis)),
        budget::human_bytes(budget::bytes_per_replication(&scenario)),
        budget::human_bytes(
            budget::run_bytes(&scenario, 0, 2) - budget::run_bytes(&scenario, 0, 1)
        ),
        budget::human_bytes(budget::run_bytes(&scenario, 0, 1)),
        scenario.strategies.len()
    );
    // Said now, not after the scenario is run: `incsim run` refuses the same.
    if let Err(e) = budget::check_fits(&scenario, reps, threads, sensitivity) {
        println!("warning: {e}");
    }

    let calibration = estimate::calibrate(&scenario, threads, &|s, r| {
        // A scenario the report cannot describe fails the same way in the run; the time it
        // took to fail is still its time.
        let _ = incsim::export::bundle::run_outputs(s, r);
    });
    let e = calibration.estimate(reps, sensitivity);
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    println!(
        "time: about {} for {reps} replications with {threads_text} on this machine (measured on {} replication{} of every strategy: {:.2} s on one thread{})",
        estimate::human_seconds(e.total()),
        calibration.replications,
        plural(calibration.replications),
        calibration.seconds,
        if threads == 1 {
            String::new()
        } else {
            format!(", {:.2} s on {threads}", calibration.parallel_seconds)
        },
    );
    let sensitivity_text = if sensitivity {
        format!(
            "the compact sensitivity {} ({} runs, {} replications in all, and its setup of {} inputs), ",
            estimate::human_seconds(e.sensitivity),
            thousands(e.sensitivity_runs as f64),
            thousands(e.sensitivity_replications as f64),
            calibration.inputs,
        )
    } else {
        String::new()
    };
    println!(
        "  simulation {}, {sensitivity_text}report and files {} (timed once, a fixed cost){}",
        estimate::human_seconds(e.simulation),
        estimate::human_seconds(e.outputs),
        if threads == 1 {
            String::new()
        } else {
            format!(
                "; {threads} threads simulated {:.1} times as fast as one ({cores} core{} here)",
                e.speedup,
                plural(cores as u64)
            )
        },
    );
    Ok(())
}
