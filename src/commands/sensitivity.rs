//! `incsim sensitivity`: every input ± a relative change, ranked by effect (tornado).

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::exec::progress_bar;
use super::load_scenario;
use super::study::{self, Exec};
use super::sweep::override_run_settings;
use crate::cli::SensitivityArgs;
use incsim::charts::{self, tornado::TornadoChart};
use incsim::experiment::sensitivity::Plan;
use incsim::experiment::study::Study;
use incsim::export::uncertainty;
use incsim::report::views::TornadoView;
use incsim::scenario::Scenario;

/// Run `incsim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<()> {
    let (mut scenario, file_slug) = load_scenario(args.scenario.as_deref())?;
    override_run_settings(
        &mut scenario,
        args.replications,
        args.seed,
        args.baseline.as_deref(),
    )?;
    let study = Study::Sensitivity {
        candidate: args.candidate.clone(),
        by: args.by,
        only: args.only.clone(),
    };
    study::dispatch(
        &scenario,
        &file_slug,
        study,
        args.shard,
        args.out,
        args.threads,
        args.quiet,
    )
}

/// The analysis of `study::Study::Sensitivity`, its simulations from `exec`; writes its
/// files when `exec` writes. Returns the output folder.
pub(crate) fn execute(
    scenario: &Scenario,
    file_slug: &str,
    candidate: Option<&str>,
    by: f64,
    only: Option<&[String]>,
    out: Option<PathBuf>,
    exec: &mut Exec<'_, '_>,
) -> Result<PathBuf> {
    if scenario.strategies.len() < 2 {
        bail!(
            "a sensitivity analysis compares strategies; {} has only one\n  help: add a strategy to the scenario",
            scenario.name
        );
    }
    let baseline = scenario.baseline_index();
    let candidate = match candidate {
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
    let plan = Plan::new(scenario, candidate, by, only)?;
    let out_dir =
        out.unwrap_or_else(|| PathBuf::from("output").join(file_slug).join("sensitivity"));
    let mut outputs = exec.prepare(&out_dir)?;

    let reps = scenario.simulation.replications;
    let runs = plan.runs();
    let per_run = exec.slice_of(reps).max(1);
    let bar = progress_bar(runs * per_run, exec.quiet);
    let mut done = 0u64;
    let simulate = &mut *exec.simulate;
    let result = exec.pool.install(|| {
        plan.run_with(
            scenario,
            reps,
            &mut |d| {
                done += d;
                bar.inc(d);
                bar.set_message(format!(
                    "run {}/{runs}",
                    (done.saturating_sub(1) / per_run + 1).min(runs)
                ));
            },
            simulate,
        )
    });
    bar.finish_and_clear();
    let Some(mut outputs) = outputs.take() else {
        return Ok(out_dir);
    };

    let rendered = charts::render(&TornadoChart {
        view: &TornadoView::of(&result),
    })?;
    outputs.add("sensitivity.csv", incsim::export::sensitivity::csv(&result));
    let mut json = incsim::export::sensitivity::json(&result);
    uncertainty::add_fixed_inputs(&mut json, scenario, "sensitivity analysis", &[]);
    let mut json = serde_json::to_string_pretty(&json)?;
    json.push('\n');
    outputs.add("sensitivity.json", json);
    outputs.add("tornado.svg", rendered.svg);
    outputs.add("tornado.png", rendered.png);
    exec.check()?;
    let written = outputs.commit()?;

    print!("{}", incsim::export::sensitivity::terminal(&result));
    if let Some(note) = uncertainty::fixed_inputs_note(scenario, "sensitivity analysis", &[]) {
        println!("\n{note}");
    }
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    Ok(out_dir)
}
