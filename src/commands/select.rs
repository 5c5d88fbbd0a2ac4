//! `incsim select`: name the best strategy with a stated confidence.

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

use super::exec::{progress_bar, thread_pool};
use super::load_scenario;
use crate::cli::SelectArgs;
use incsim::experiment::select::{self, SelectSettings, Selection};
use incsim::experiment::select_shard::{STATE_FILE, SelectState, StageShard};
use incsim::experiment::shard::ShardSpec;
use incsim::export::output::OutputSet;
use incsim::metrics::Metric;
use incsim::scenario::Scenario;

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
    let pool = thread_pool(args.threads)?;
    if let Some(spec) = args.shard {
        return pool.install(|| stage_shard(&scenario, &slug, &settings, spec, &out_dir));
    }
    let outputs = OutputSet::prepare(&out_dir)?;
    // The total is unknown in advance: the bar counts strategy-replications.
    let bar = progress_bar(0, args.quiet);
    let sel = pool.install(|| {
        select::select(&scenario, &settings, &mut |d| {
            bar.inc_length(d);
            bar.inc(d);
        })
    })?;
    bar.finish_and_clear();

    write_selection(&sel, &scenario, outputs, &out_dir)
}

/// Write selection.json and print the selection.
fn write_selection(
    sel: &Selection,
    scenario: &Scenario,
    mut outputs: OutputSet,
    out_dir: &Path,
) -> Result<()> {
    let seed = scenario.simulation.seed;
    let mut json = incsim::export::select::json(sel, &scenario.name, seed, &scenario.currency);
    incsim::export::uncertainty::add_fixed_inputs(&mut json, scenario, "selection", &[]);
    let mut json = serde_json::to_string_pretty(&json)?;
    json.push('\n');
    outputs.add("selection.json", json);
    let written = outputs.commit()?;
    print!(
        "{}",
        incsim::export::select::terminal(sel, &scenario.name, seed, &scenario.currency)
    );
    if let Some(note) = incsim::export::uncertainty::fixed_inputs_note(scenario, "selection", &[]) {
        println!("\n{note}");
    }
    println!("\nWrote {} files to {}", written.len(), out_dir.display());
    Ok(())
}

/// `incsim select --shard K/N`: one shard of the selection's current stage.
fn stage_shard(
    scenario: &Scenario,
    slug: &str,
    settings: &SelectSettings,
    spec: ShardSpec,
    dir: &Path,
) -> Result<()> {
    let initial = SelectState::initial(scenario, slug, settings)?;
    let state_path = dir.join(STATE_FILE);
    let state = match fs::File::open(&state_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // The first stage: every shard writes the same initial state (atomically), which
            // the merge continues.
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
            let part = tempfile::Builder::new()
                .prefix(".select-state.")
                .suffix(".part")
                .tempfile_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            super::shard::persist(part, &state_path, &initial)?;
            initial
        }
        Err(e) => return Err(anyhow!("cannot read {}: {e}", state_path.display())),
        Ok(f) => {
            let name = state_path.display().to_string();
            let state = SelectState::read(BufReader::new(f), &name).map_err(|e| anyhow!(e))?;
            if state.scenario != initial.scenario || state.options != initial.options {
                return Err(anyhow!(
                    "{name} belongs to another selection (another scenario, seed or options)\n  \
                     help: give each selection its own --out folder, or pass the options of that one"
                ));
            }
            state
        }
    };
    let Some(shard) = StageShard::run(&state, spec)? else {
        println!(
            "The selection in {} is finished (after {} stages): see its selection.json, written by the last incsim merge",
            dir.display(),
            state.stage
        );
        return Ok(());
    };
    let part = super::shard::open_part(dir, spec)?;
    let target = dir.join(spec.file_name());
    super::shard::persist(part, &target, &shard)?;
    println!(
        "Selection stage {}, shard {spec}: replications {}..{} of {} strategies → {}",
        state.stage,
        shard.reps.start,
        shard.reps.end,
        shard.strategies.len(),
        target.display()
    );
    println!(
        "When all {} shards are done: incsim merge {}",
        spec.count,
        dir.display()
    );
    Ok(())
}

/// `incsim merge` of a selection stage's shards: the next state in the shard folder, or, once
/// KN has stopped, selection.json in `out` (default output/<slug>/select).
pub(crate) fn merge_stage(files: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    let dir = files[0].parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut shards = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        let f = fs::File::open(path).map_err(|e| anyhow!("cannot read {name}: {e}"))?;
        let shard = StageShard::read(BufReader::new(f), &name).map_err(|e| anyhow!(e))?;
        if path.parent() != Some(dir.as_path()) {
            return Err(anyhow!(
                "{name} is not in {}: the shards of a selection stage share one folder with its {STATE_FILE}",
                dir.display()
            ));
        }
        shards.push((name, shard));
    }
    let state_path = dir.join(STATE_FILE);
    let state = match fs::File::open(&state_path) {
        Ok(f) => SelectState::read(BufReader::new(f), &state_path.display().to_string())
            .map_err(|e| anyhow!(e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(anyhow!(
                "{} is missing: a selection's shards are merged in the folder they were written to, \
                 which holds its state",
                state_path.display()
            ));
        }
        Err(e) => return Err(anyhow!("cannot read {}: {e}", state_path.display())),
    };
    let next = state.merge(shards).map_err(|e| anyhow!(e))?;
    // The state first: a merge interrupted after it is simply rerun at the next stage's shards.
    let part = tempfile::Builder::new()
        .prefix(".select-state.")
        .suffix(".part")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    super::shard::persist(part, &state_path, &next)?;
    if !next.finished() {
        let (which, reps) = next
            .slice(ShardSpec { index: 0, count: 1 })
            .expect("not finished");
        println!(
            "Merged stage {} of the selection: {} of {} strategies still in; next, stage {}: replications {}..{}\n\
             Run the shards again (the same incsim select … --shard K/N --out {}), then merge again",
            state.stage,
            which.len(),
            next.scenario.strategies.len(),
            next.stage,
            reps.start,
            reps.end,
            dir.display()
        );
        return Ok(());
    }
    let out_dir = out.unwrap_or_else(|| {
        PathBuf::from("output")
            .join(&next.output_slug)
            .join("select")
    });
    let outputs = OutputSet::prepare(&out_dir)?;
    write_selection(&next.selection(), &next.scenario, outputs, &out_dir)
}
