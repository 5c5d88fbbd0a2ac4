//! `incsim merge`: combine shard files into exactly the outputs one machine would have written.

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use incsim::experiment::shard::{MergeError, ShardHeader};

use crate::cli::MergeArgs;
use incsim::experiment::shard::{self, ShardFile, ShardSpec};
use incsim::experiment::study;
use incsim::export::{bundle, output::OutputSet, terminal};
use incsim::format::thousands;

/// Run `incsim merge`.
pub fn merge(args: MergeArgs) -> Result<()> {
    let files = shard_files(&args.inputs)?;
    // Shards of a sweep, grid or sensitivity analysis carry their study.
    let format = files
        .first()
        .and_then(|p| fs::File::open(p).ok())
        .and_then(|f| study::format_of(BufReader::new(f)));
    if format.as_deref() == Some(study::FORMAT) {
        return super::study::merge(&files, args.out);
    }
    if format.as_deref() == Some(incsim::experiment::select_shard::SHARD_FORMAT) {
        return super::select::merge_stage(&files, args.out);
    }
    // Two passes keep memory to the merged results plus one shard: first every header (the
    // checks need them all), then each file in full, in shard order, appended as it is read.
    let open = |path: &Path| -> Result<BufReader<fs::File>, MergeError> {
        fs::File::open(path)
            .map(|f| BufReader::with_capacity(1 << 20, f))
            .map_err(|e| MergeError(format!("cannot read {}: {e}", path.display())))
    };
    let mut headers = Vec::with_capacity(files.len());
    for path in &files {
        let name = path.display().to_string();
        headers.push((name.clone(), ShardHeader::read(open(path)?, &name)?));
    }
    let count = headers.len();
    let mut merged = shard::merge_with(&headers, &mut |i| {
        ShardFile::read(open(&files[i])?, &headers[i].0)
    })?;
    let uncertainty = merged.take_uncertainty()?;

    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&merged.output_slug));
    let mut outputs = OutputSet::prepare(&out_dir)?;
    let mut ignore = |_| {};
    let sensitivity = if args.no_sensitivity {
        bundle::Sensitivity::Skip
    } else {
        bundle::Sensitivity::Run(&mut ignore)
    };
    let report = bundle::write_run_outputs(
        &merged.scenario,
        &merged.results,
        &mut outputs,
        sensitivity,
        uncertainty.as_ref(),
    )?;
    let written = outputs.commit()?;

    print!("{}", terminal::render(&report));
    match &uncertainty {
        Some(u) => print!(
            "{}",
            incsim::export::uncertainty::View::build(&merged.scenario, u, &report).terminal()
        ),
        None => {
            if let Some(note) = incsim::export::uncertainty::plain_run_note(&merged.scenario) {
                println!("\n{note}");
            }
        }
    }
    println!(
        "\nMerged {count} shards ({} replications, seed {}): wrote {} files to {}",
        thousands(merged.results.reps.end as f64),
        merged.scenario.simulation.seed,
        written.len(),
        out_dir.display()
    );
    Ok(())
}

/// The shard files named on the command line: files as given, folders scanned for
/// `shard-K-of-N.json` (sorted by name, for stable messages).
fn shard_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(input)
                .with_context(|| format!("cannot list {}", input.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| is_shard_name(p))
                .collect();
            if found.is_empty() {
                bail!(
                    "{} holds no shard files (shard-K-of-N.json)\n  help: write them with incsim run … --shard K/N --out {}",
                    input.display(),
                    input.display()
                );
            }
            found.sort();
            warn_misnamed(input);
            files.extend(found);
        } else if input.is_file() {
            files.push(input.clone());
        } else if input.exists() {
            bail!(
                "{} is not a shard file (not a regular file)\n  help: pass the folders (or shard-K-of-N.json files) the shards were written to",
                input.display()
            );
        } else {
            bail!(
                "{} does not exist\n  help: pass the folders (or files) the shards were written to",
                input.display()
            );
        }
    }
    Ok(files)
}

fn is_shard_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| ShardSpec::from_file_name(n).is_some())
}

/// A file that looks meant as a shard but is not named `shard-K-of-N.json` (a browser's
/// `shard-1-of-4 (1).json`, a renamed copy) is not merged: say so rather than skip it silently.
fn warn_misnamed(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut odd: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let lower = n.to_ascii_lowercase();
            lower.starts_with("shard") && ShardSpec::from_file_name(n).is_none()
        })
        .collect();
    odd.sort();
    for name in odd {
        eprintln!(
            "warning: {} is not named shard-K-of-N.json, so it is not merged; rename it if it is a shard",
            dir.join(name).display()
        );
    }
}
