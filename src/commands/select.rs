//! `incsim select`: name the best strategy with a stated confidence.

use std::path::PathBuf;

use anyhow::{Result, anyhow};

use super::exec::{progress_bar, thread_pool};
use super::load_scenario;
use crate::cli::SelectArgs;
use incsim::experiment::select::{self, SelectSettings};
use incsim::export::output::OutputSet;
use incsim::metrics::Metric;

/// Run `incsim select`.
pub fn select(args: SelectArgs) -> Result<()> {
    let (mut scenario, slug) = load_scenario(args.scenario.as_deref())?;
    if let Some(seed) = args.seed {
        scenario.simulation.seed = seed;
    }
    let metric = Metric::from_name(&args.metric).ok_or_else(|| {
        anyhow!(
            "--metric {:?} is not a metric\n  help: one of {}",
            args.metric,
            Metric::all()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let settings = SelectSettings {
        metric,
        delta: args.delta,
        confidence: args.confidence,
        first_stage: args.first_stage,
        max_replications: args.max_replications,
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&slug).join("select"));
    let mut outputs = OutputSet::prepare(&out_dir)?;
    let pool = thread_pool(args.threads)?;
    // The total is unknown in advance: the bar counts strategy-replications.
    let bar = progress_bar(0, args.quiet);
    let sel = pool.install(|| {
        select::select(&scenario, &settings, &mut |d| {
            bar.inc_length(d);
            bar.inc(d);
        })
    })?;
    bar.finish_and_clear();

    let seed = scenario.simulation.seed;
    let mut json = serde_json::to_string_pretty(&incsim::export::select::json(
        &sel,
        &scenario.name,
        seed,
        &scenario.currency,
    ))?;
    json.push('\n');
    outputs.add("selection.json", json);
    let written = outputs.commit()?;
    print!(
        "{}",
        incsim::export::select::terminal(&sel, &scenario.name, seed, &scenario.currency)
    );
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    Ok(())
}
