//! `incsim sweep`: one input over a range, savings and break-even.

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::exec::progress_bar;
use super::load_scenario;
use super::study::{self, Exec};
use crate::cli::SweepArgs;
use incsim::charts::{self, sweep::SweepChart};
use incsim::experiment::study::Study;
use incsim::experiment::sweep::{self, SweepSpec};
use incsim::experiment::vary;
use incsim::export::uncertainty;
use incsim::report::views::{HeatMapView, SweepView};
use incsim::scenario::{Scenario, slug};

/// Replications per run are bounded as for `incsim run` (docs/model.md §3).
pub(crate) const MAX_REPLICATIONS: u64 = 10_000_000;

/// Apply `--replications`, `--seed` and `--baseline` to a scenario, as `incsim run` does.
pub(crate) fn override_run_settings(
    scenario: &mut Scenario,
    replications: Option<u64>,
    seed: Option<u64>,
    baseline: Option<&str>,
) -> Result<()> {
    if let Some(name) = baseline {
        scenario
            .set_baseline(name)
            .map_err(|e| anyhow::anyhow!("--baseline: {e}"))?;
    }
    if let Some(n) = replications {
        if !(1..=MAX_REPLICATIONS).contains(&n) {
            bail!(
                "--replications {n} is out of range\n  help: use an integer from 1 to {MAX_REPLICATIONS}"
            );
        }
        scenario.simulation.replications = n;
    }
    if let Some(seed) = seed {
        scenario.simulation.seed = seed;
    }
    Ok(())
}

/// Run `incsim sweep`.
pub fn sweep(args: SweepArgs) -> Result<()> {
    let (mut scenario, file_slug) = load_scenario(args.scenario.as_deref())?;
    override_run_settings(
        &mut scenario,
        args.replications,
        args.seed,
        args.baseline.as_deref(),
    )?;
    if args.list {
        print!("{}", list(&scenario));
        return Ok(());
    }
    let study = Study::Sweep {
        vary: args.vary.iter().map(ToString::to_string).collect(),
        metric: args.metric.clone(),
        strategy: args.strategy.clone(),
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

/// The sweep (one `--vary`) or grid (two) of `study::Study::Sweep`, its simulations from
/// `exec`; writes its files when `exec.write`. Returns the output folder.
pub(crate) fn execute(
    scenario: &Scenario,
    file_slug: &str,
    vary: &[SweepSpec],
    metric: &str,
    strategy: Option<&str>,
    out: Option<PathBuf>,
    exec: &mut Exec<'_, '_>,
) -> Result<PathBuf> {
    if vary.len() == 2 {
        return two_way(scenario, file_slug, vary, metric, strategy, out, exec);
    }
    if vary.len() > 2 {
        bail!(
            "--vary is given {} times; a sweep varies one input, or two for a grid\n  help: keep at most two --vary",
            vary.len()
        );
    }
    let Some(spec) = vary.first() else {
        bail!("--vary PATH=FROM:TO:STEPS is required\n  help: see incsim sweep --help");
    };
    if scenario.strategies.len() < 2 {
        bail!(
            "a sweep compares strategies; {} has only one\n  help: add a strategy to the scenario",
            scenario.name
        );
    }
    let (parameter, settings) = spec.resolve(scenario)?;
    let out_dir = out.unwrap_or_else(|| {
        PathBuf::from("output")
            .join(file_slug)
            .join(format!("sweep-{}", slug(&parameter.path)))
    });
    let mut outputs = exec.prepare(&out_dir)?;

    let reps = scenario.simulation.replications;
    let points = settings.len() as u64;
    let bar = progress_bar(points * exec.slice_of(reps), exec.quiet);
    let mut done = 0u64;
    let per_point = exec.slice_of(reps).max(1);
    let simulate = &mut *exec.simulate;
    let result = exec.pool.install(|| {
        sweep::run_with(
            scenario,
            &parameter,
            &settings,
            reps,
            &mut |d| {
                done += d;
                bar.inc(d);
                bar.set_message(format!(
                    "point {}/{points}",
                    (done.saturating_sub(1) / per_point + 1).min(points)
                ));
            },
            simulate,
        )
    })?;
    bar.finish_and_clear();
    let Some(mut outputs) = outputs.take() else {
        return Ok(out_dir);
    };

    let rendered = charts::render(&SweepChart {
        view: &SweepView::of(&result),
    })?;
    outputs.add("sweep.csv", incsim::export::sweep::csv(&result));
    // The scenario's uncertain inputs stay at their modes, but the varied one.
    let varied = [parameter.path.as_str()];
    let mut json = incsim::export::sweep::json(&result);
    uncertainty::add_fixed_inputs(&mut json, scenario, "sweep", &varied);
    let mut json = serde_json::to_string_pretty(&json)?;
    json.push('\n');
    outputs.add("sweep.json", json);
    outputs.add("sweep.svg", rendered.svg);
    outputs.add("sweep.png", rendered.png);
    exec.check()?;
    let written = outputs.commit()?;

    print!("{}", incsim::export::sweep::terminal(&result));
    if let Some(note) = uncertainty::fixed_inputs_note(scenario, "sweep", &varied) {
        println!("\n{note}");
    }
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    Ok(out_dir)
}

/// `incsim sweep --vary A --vary B`: the grid, its CSV and heat map.
fn two_way(
    scenario: &Scenario,
    file_slug: &str,
    vary: &[SweepSpec],
    metric: &str,
    strategy: Option<&str>,
    out: Option<PathBuf>,
    exec: &mut Exec<'_, '_>,
) -> Result<PathBuf> {
    use incsim::charts::heatmap::HeatMap;
    use incsim::experiment::grid;
    use incsim::metrics::Metric;
    let (a, a_settings) = vary[0].resolve(scenario)?;
    let (b, b_settings) = vary[1].resolve(scenario)?;
    if a.path == b.path {
        bail!(
            "both --vary name {}\n  help: a grid needs two different inputs",
            a.path
        );
    }
    let metric = Metric::from_name(metric).ok_or_else(|| {
        anyhow::anyhow!(
            "--metric {:?} is not a metric\n  help: one of {}",
            metric,
            Metric::all()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let baseline = scenario.baseline_index();
    let strategy = match strategy {
        Some(name) => scenario.strategy_index(name).ok_or_else(|| {
            anyhow::anyhow!(
                "--strategy {name:?} is not a strategy of the scenario\n  help: one of {}",
                scenario
                    .strategies
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?,
        None => (0..scenario.strategies.len())
            .find(|&i| i != baseline)
            .unwrap_or(baseline),
    };
    let out_dir = out.unwrap_or_else(|| {
        PathBuf::from("output").join(file_slug).join(format!(
            "grid-{}-{}",
            slug(&a.path),
            slug(&b.path)
        ))
    });
    let mut outputs = exec.prepare(&out_dir)?;
    let reps = scenario.simulation.replications;
    let cells = (a_settings.len() * b_settings.len()) as u64;
    let bar = progress_bar(cells * exec.slice_of(reps), exec.quiet);
    let simulate = &mut *exec.simulate;
    let result = exec.pool.install(|| {
        grid::run_with(
            scenario,
            &a,
            &a_settings,
            &b,
            &b_settings,
            metric,
            strategy,
            reps,
            &mut |d| bar.inc(d),
            simulate,
        )
    })?;
    bar.finish_and_clear();
    let Some(mut outputs) = outputs.take() else {
        return Ok(out_dir);
    };
    let rendered = charts::render(&HeatMap {
        view: &HeatMapView::of(&result),
    })?;
    outputs.add("grid.csv", incsim::export::grid::csv(&result));
    outputs.add("heatmap.svg", rendered.svg);
    outputs.add("heatmap.png", rendered.png);
    exec.check()?;
    let written = outputs.commit()?;
    print!("{}", grid::terminal(&result));
    if let Some(note) =
        uncertainty::fixed_inputs_note(scenario, "grid", &[a.path.as_str(), b.path.as_str()])
    {
        println!("\n{note}");
    }
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    Ok(out_dir)
}

/// The accepted parameter paths with their values in this scenario.
fn list(scenario: &Scenario) -> String {
    let params = vary::parameters(scenario);
    let width = params.iter().map(|p| p.path.len()).max().unwrap_or(0);
    let values: Vec<String> = params.iter().map(|p| p.describe(scenario)).collect();
    let value_width = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
    let mut out = format!(
        "Parameters of {} (path, value, how a sweep changes it; meanings in docs/scenario-reference.md):\n",
        scenario.name
    );
    for (p, value) in params.iter().zip(&values) {
        out.push_str(&format!(
            "  {:width$}  {:value_width$}  {}\n",
            p.path,
            value,
            incsim::scenario::fields::sweep_text(p.field()),
            width = width
        ));
    }
    out.push_str(
        "\nRanges: numbers 0.5:0.95:10, durations 15m:2h:8 (a distribution: its mean), multipliers x0.5:x2:7\n",
    );
    out
}
