//! `incsim run --shard K/N`: simulate one slice of the replications and write its shard file.
//!
//! The shards of a run usually write into one shared folder at the same time (a Slurm array,
//! an Indexed Job, GNU parallel), so a shard does not use [`OutputSet`]
//! (incsim::export::output::OutputSet), whose preparation clears every temporary file of the
//! folder — another shard's file in progress included. It writes its own temporary file,
//! `.shard-K-of-N.json.<pid>.part`, which no other shard touches, and renames it into place.
//! A stale one left by a killed attempt of the same shard is removed when that shard runs
//! again (a retry); merge never reads them.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::exec::progress_bar;
use incsim::experiment::run_replications;
use incsim::experiment::shard::{ShardFile, ShardSpec};
use incsim::scenario::Scenario;

/// Run shard `spec` of the scenario's replications and write `shard-K-of-N.json` into
/// `out_dir` (and nothing else: `incsim merge` writes the run's outputs). With
/// `uncertainty = Some(n)` (`run --uncertainty N`), the shard also runs the N parameter sets
/// over its slice and keeps what the merge needs of them.
pub fn run_shard(
    scenario: &Scenario,
    slug: &str,
    spec: ShardSpec,
    out_dir: &Path,
    pool: &rayon::ThreadPool,
    quiet: bool,
    uncertainty: Option<u32>,
) -> Result<()> {
    let total = scenario.simulation.replications;
    check_count(spec, total)?;
    let reps = spec.range(total);
    let target = out_dir.join(spec.file_name());
    let part = open_part(out_dir, spec)?;
    let bar = progress_bar(reps.end - reps.start, quiet);
    bar.set_message(format!("shard {spec}"));
    let results = pool.install(|| run_replications(scenario, reps.clone(), &mut |d| bar.inc(d)));
    bar.finish_and_clear();

    let mut shard = ShardFile::new(scenario, spec, slug, &results);
    if let Some(n) = uncertainty {
        let bar = progress_bar(u64::from(n) * (reps.end - reps.start), quiet);
        bar.set_message(format!("shard {spec}: parameter sets"));
        let sets = pool.install(|| {
            incsim::experiment::uncertainty::shard_sets(scenario, &results, n as usize, &mut |d| {
                bar.inc(d)
            })
        })?;
        bar.finish_and_clear();
        shard = shard.with_uncertainty(n, sets);
    }
    let shard = shard.with_digest();
    persist(part, &target, &shard)?;
    println!(
        "Shard {spec}: replications {}..{} of {total} (seed {}) → {}",
        reps.start,
        reps.end,
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

/// Check that a shard `spec` of `total` replications is not empty.
pub(crate) fn check_count(spec: ShardSpec, total: u64) -> Result<()> {
    if spec.count > total {
        bail!(
            "--shard {spec} splits {total} replications into {} shards: some would be empty\n  \
             help: use at most {total} shards, or more replications",
            spec.count
        );
    }
    Ok(())
}

/// Create the output folder and the shard's own temporary file in it, before the work, so a
/// folder we cannot write is found at once: a fresh random name, created with O_EXCL (never
/// through a planted link). Stale ones of killed attempts at this shard are removed.
pub(crate) fn open_part(out_dir: &Path, spec: ShardSpec) -> Result<tempfile::NamedTempFile> {
    let name = spec.file_name();
    fs::create_dir_all(out_dir).with_context(|| {
        format!(
            "cannot create the output folder {}\n  help: pass --out with a folder you can write to",
            out_dir.display()
        )
    })?;
    remove_stale_parts(out_dir, &name);
    tempfile::Builder::new()
        .prefix(&format!(".{name}.{}.", std::process::id()))
        .suffix(".part")
        .tempfile_in(out_dir)
        .with_context(|| {
            format!(
                "cannot write in the output folder {}\n  help: check its permissions or pass another --out",
                out_dir.display()
            )
        })
}

/// Write `value` as JSON into the temporary file `part` and rename it to `target`.
pub(crate) fn persist(
    part: tempfile::NamedTempFile,
    target: &Path,
    value: &impl serde::Serialize,
) -> Result<()> {
    let written = (|| -> std::io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 20, part.as_file());
        serde_json::to_writer(&mut out, value).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
        out.flush()?;
        drop(out);
        part.as_file().sync_all()?;
        #[cfg(unix)]
        {
            // Readable like any other output (the temporary file was 0600).
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(part.path(), fs::Permissions::from_mode(0o644))?;
        }
        part.persist(target).map(|_| ()).map_err(|e| e.error)
    })();
    written.with_context(|| format!("cannot write {}", target.display()))
}

/// Remove temporary files of earlier, killed attempts at this same shard (never another's).
fn remove_stale_parts(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let file_name = e.file_name();
            let n = file_name.to_string_lossy();
            let pid = n
                .strip_prefix(&prefix)
                .and_then(|r| r.split('.').next())
                .and_then(|p| p.parse::<u32>().ok());
            // A retry running at the same time keeps its file.
            if n.ends_with(".part")
                && pid.is_some_and(|p| !incsim::export::output::process_alive(p))
            {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}
