//! `incsim run --shard K/N`: simulate one slice of the replications and write its shard file.

use anyhow::{Result, bail};

use super::exec::progress_bar;
use incsim::experiment::run_replications;
use incsim::experiment::shard::{ShardFile, ShardSpec};
use incsim::export::output::OutputSet;
use incsim::scenario::Scenario;

/// Run shard `spec` of the scenario's replications and write `shard-K-of-N.json` into
/// `outputs` (and nothing else: `incsim merge` writes the run's outputs).
pub fn run_shard(
    scenario: &Scenario,
    slug: &str,
    spec: ShardSpec,
    mut outputs: OutputSet,
    pool: &rayon::ThreadPool,
    quiet: bool,
) -> Result<()> {
    let total = scenario.simulation.replications;
    if spec.count > total {
        bail!(
            "--shard {spec} splits {total} replications into {} shards: some would be empty\n  \
             help: use at most {total} shards, or more replications",
            spec.count
        );
    }
    let reps = spec.range(total);
    let bar = progress_bar(reps.end - reps.start, quiet);
    bar.set_message(format!("shard {spec}"));
    let results = pool.install(|| run_replications(scenario, reps.clone(), &mut |d| bar.inc(d)));
    bar.finish_and_clear();

    let file = ShardFile::new(scenario, spec, slug, &results);
    let name = spec.file_name();
    outputs.add_streamed(name.clone(), |w| {
        serde_json::to_writer(&mut *w, &file).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    let dir = outputs.dir().to_path_buf();
    outputs.commit()?;
    println!(
        "Shard {spec}: replications {}..{} of {total} (seed {}) → {}",
        reps.start,
        reps.end,
        scenario.simulation.seed,
        dir.join(&name).display()
    );
    println!(
        "When all {} shards are done: incsim merge {}",
        spec.count,
        dir.display()
    );
    Ok(())
}
