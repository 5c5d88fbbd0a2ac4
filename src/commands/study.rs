//! Studies (`sweep`, a grid, `sensitivity`) run directly, as shards, or merged from shards:
//! the same code in each case, only the source of the simulations differs
//! (incsim::experiment::study).

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Result, anyhow};

use super::exec::thread_pool;
use incsim::experiment::ExperimentResults;
use incsim::experiment::run_replications;
use incsim::experiment::shard::{MergeError, ShardSpec};
use incsim::experiment::study::{Recorder, Replay, Simulate, Study, StudyShardFile};
use incsim::export::output::OutputSet;
use incsim::scenario::Scenario;

/// How a study runs: its threads, its simulations, and whether it writes its outputs.
pub(crate) struct Exec<'a, 'b> {
    /// The worker threads.
    pub pool: &'a rayon::ThreadPool,
    /// No progress bar.
    pub quiet: bool,
    /// A shard computes its slice only and writes no outputs.
    pub shard: Option<ShardSpec>,
    /// Where the simulations come from.
    pub simulate: &'a mut Simulate<'b>,
    /// Called before the outputs are committed: a merge refuses shards that did not fit.
    pub check: &'a mut dyn FnMut() -> Result<(), MergeError>,
}

impl Exec<'_, '_> {
    /// The output set of the study, or None for a shard (a shard shares its folder with
    /// others running at the same time, so it does not prepare an output set there).
    pub fn prepare(&self, out_dir: &Path) -> Result<Option<OutputSet>> {
        match self.shard {
            Some(_) => Ok(None),
            None => Ok(Some(OutputSet::prepare(out_dir)?)),
        }
    }

    /// Replications per run that this process simulates (for progress bars).
    pub fn slice_of(&self, reps: u64) -> u64 {
        self.shard.map_or(reps, |s| {
            let r = s.range(reps);
            r.end - r.start
        })
    }

    /// The merge's last check before writing.
    pub fn check(&mut self) -> Result<()> {
        (self.check)().map_err(|e| anyhow!(e))
    }
}

/// Run a study directly, or as shard `shard` (writing `shard-K-of-N.json` into the folder
/// the study would write to, or `out`).
pub(crate) fn dispatch(
    scenario: &Scenario,
    slug: &str,
    study: Study,
    shard: Option<ShardSpec>,
    out: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
) -> Result<()> {
    let pool = thread_pool(threads)?;
    let Some(spec) = shard else {
        let mut direct = |v: &Scenario, p: &mut dyn FnMut(u64)| {
            run_replications(v, 0..v.simulation.replications, p)
        };
        let mut exec = Exec {
            pool: &pool,
            quiet,
            shard: None,
            simulate: &mut direct,
            check: &mut || Ok(()),
        };
        execute(scenario, slug, &study, out, &mut exec)?;
        return Ok(());
    };
    let total = scenario.simulation.replications;
    super::shard::check_count(spec, total)?;
    let recorder = Mutex::new(Recorder::new(spec, slug));
    let mut record = |v: &Scenario, p: &mut dyn FnMut(u64)| -> ExperimentResults {
        recorder
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .simulate(v, p)
    };
    let mut exec = Exec {
        pool: &pool,
        quiet,
        shard: Some(spec),
        simulate: &mut record,
        check: &mut || Ok(()),
    };
    // The study checks its options and computes on the slice (nothing is written), so a
    // shard with bad options fails at once, as the direct command would.
    let out_dir = execute(scenario, slug, &study, out, &mut exec)?;
    let recorder = recorder.into_inner().unwrap_or_else(|e| e.into_inner());
    let file = recorder.finish(scenario, study.clone());
    let part = super::shard::open_part(&out_dir, spec)?;
    let target = out_dir.join(spec.file_name());
    super::shard::persist(part, &target, &file)?;
    let reps = spec.range(total);
    println!(
        "Shard {spec} of the {}: replications {}..{} of {total} of each of its {} runs (seed {}) → {}",
        study.command(),
        reps.start,
        reps.end,
        file.runs.len(),
        scenario.simulation.seed,
        target.display()
    );
    println!(
        "When all {} shards are done: incsim merge {}",
        spec.count,
        out_dir.display()
    );
    Ok(())
}

/// Run `study` with `exec`'s simulations. Returns its output folder.
fn execute(
    scenario: &Scenario,
    slug: &str,
    study: &Study,
    out: Option<PathBuf>,
    exec: &mut Exec<'_, '_>,
) -> Result<PathBuf> {
    match study {
        Study::Sweep {
            vary,
            metric,
            strategy,
        } => {
            let specs = vary
                .iter()
                .map(|v| incsim::experiment::sweep::SweepSpec::parse(v))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow!("--vary: {e}"))?;
            super::sweep::execute(
                scenario,
                slug,
                &specs,
                metric,
                strategy.as_deref(),
                out,
                exec,
            )
        }
        Study::Sensitivity {
            candidate,
            by,
            only,
        } => {
            if !(*by > 0.0 && *by < 1.0) {
                return Err(anyhow!(
                    "--by {by} is not a relative change in (0, 1); the shard was edited"
                ));
            }
            super::sensitivity::execute(
                scenario,
                slug,
                candidate.as_deref(),
                *by,
                only.as_deref(),
                out,
                exec,
            )
        }
    }
}

/// `incsim merge` of study shards: the study's outputs, byte for byte those of a direct run.
pub(crate) fn merge(files: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    let mut shards = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        let open = || fs::File::open(path).map_err(|e| anyhow!("cannot read {name}: {e}"));
        let format = incsim::experiment::study::format_of(BufReader::new(open()?));
        if format.as_deref() == Some(incsim::experiment::shard::FORMAT) {
            return Err(anyhow!(
                "{name} is a shard of `incsim run`, and {} one of a sweep or sensitivity analysis: \
                 merge the shards of each command separately",
                files[0].display()
            ));
        }
        let file = open()?;
        let shard = StudyShardFile::read(BufReader::with_capacity(1 << 20, file), &name)
            .map_err(|e| anyhow!(e))?;
        shards.push((name, shard));
    }
    let count = shards.len();
    let replay = Replay::new(shards).map_err(|e| anyhow!(e))?;
    let scenario = replay.scenario.clone();
    let study = replay.study.clone();
    let slug = replay.output_slug.clone();
    let replay = Mutex::new(replay);
    let lock = || replay.lock().unwrap_or_else(|e| e.into_inner());
    let mut simulate = |v: &Scenario, p: &mut dyn FnMut(u64)| lock().simulate(v, p);
    let mut check = || lock().finish();
    let pool = thread_pool(None)?;
    let mut exec = Exec {
        pool: &pool,
        quiet: true,
        shard: None,
        simulate: &mut simulate,
        check: &mut check,
    };
    let out_dir = execute(&scenario, &slug, &study, out, &mut exec)?;
    println!(
        "Merged {count} shards of the {} ({} replications per run, seed {}) into {}",
        study.command(),
        scenario.simulation.replications,
        scenario.simulation.seed,
        out_dir.display()
    );
    Ok(())
}
