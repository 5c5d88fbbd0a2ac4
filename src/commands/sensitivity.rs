//! `incsim sensitivity`: every input ± a relative change, ranked by effect (tornado).

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::exec::{progress_bar, thread_pool};
use super::load_scenario;
use super::sweep::override_run_settings;
use crate::cli::SensitivityArgs;
use incsim::charts::{self, tornado::TornadoChart};
use incsim::experiment::sensitivity::Plan;
use incsim::export::output::OutputSet;

/// Run `incsim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<()> {
    let (mut scenario, file_slug) = load_scenario(args.scenario.as_deref())?;
    override_run_settings(
        &mut scenario,
        args.replications,
        args.seed,
        args.baseline.as_deref(),
    )?;
    if scenario.strategies.len() < 2 {
        bail!(
            "a sensitivity analysis compares strategies; {} has only one\n  help: add a strategy to the scenario",
            scenario.name
        );
    }
    let baseline = scenario.baseline_index();
    let candidate = match &args.candidate {
        None => usize::from(baseline == 0),
        Some(name) => {
            let names: Vec<&str> = scenario
                .strategies
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != baseline)
                .map(|(_, s)| s.name.as_str())
                .collect();
            match scenario.strategy_index(name) {
                Some(i) if i != baseline => i,
                Some(_) => bail!(
                    "--candidate {name} is the baseline; its savings over itself are 0\n  help: pick one of {}",
                    names.join(", ")
                ),
                None => bail!(
                    "--candidate {name}: no such strategy\n  help: pick one of {}",
                    names.join(", ")
                ),
            }
        }
    };
    let plan = Plan::new(&scenario, candidate, args.by, args.only.as_deref())?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&file_slug).join("sensitivity"));
    let mut outputs = OutputSet::prepare(&out_dir)?;
    let pool = thread_pool(args.threads)?;

    let reps = scenario.simulation.replications;
    let runs = plan.runs();
    let bar = progress_bar(runs * reps, args.quiet);
    let mut done = 0u64;
    let result = pool.install(|| {
        plan.run(&scenario, reps, &mut |d| {
            done += d;
            bar.inc(d);
            bar.set_message(format!(
                "run {}/{runs}",
                (done.saturating_sub(1) / reps + 1).min(runs)
            ));
        })
    });
    bar.finish_and_clear();

    let rendered = charts::render(&TornadoChart { result: &result })?;
    outputs.add("sensitivity.csv", incsim::export::sensitivity::csv(&result));
    let mut json = serde_json::to_string_pretty(&incsim::export::sensitivity::json(&result))?;
    json.push('\n');
    outputs.add("sensitivity.json", json);
    outputs.add("tornado.svg", rendered.svg);
    outputs.add("tornado.png", rendered.png);
    let written = outputs.commit()?;

    print!("{}", incsim::export::sensitivity::terminal(&result));
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    Ok(())
}
