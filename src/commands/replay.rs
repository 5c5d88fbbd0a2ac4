//! `incsim replay`: fold a saved event log into the run's per-replication metrics.

use std::fs::File;
use std::io::{BufReader, Write};

use anyhow::{Context, Result};

use crate::cli::ReplayArgs;
use incsim::eventlog::replay::replay as replay_log;
use incsim::export::csv;
use incsim::export::output::OutputSet;

/// Run `incsim replay`.
pub fn replay(args: ReplayArgs) -> Result<()> {
    let name = args.log.display().to_string();
    let file = File::open(&args.log).with_context(|| {
        format!("cannot open the event log {name}\n  help: write one with `incsim run --events`")
    })?;
    // Fold everything before printing anything: a log refused halfway prints no rows.
    let mut out = csv::header();
    out.push('\n');
    let mut streams = 0u64;
    let header = replay_log(BufReader::with_capacity(1 << 16, file), &name, |h, row| {
        out.push_str(&csv::row(
            row.rep,
            &h.scenario.strategies[row.strategy].name,
            &row.metrics,
        ));
        out.push('\n');
        streams += 1;
    })?;
    if !header.sealed {
        eprintln!(
            "warning: {name} has no digest line (incsim wrote logs without one before this version): it is replayed, but an edit to it cannot be detected; write it again with `incsim run --events` to seal it"
        );
    }
    if header.incsim != env!("CARGO_PKG_VERSION") {
        eprintln!(
            "note: {name} was written by incsim {}; this is incsim {} (same schema {}): numbers match only if the model did not change",
            header.incsim,
            env!("CARGO_PKG_VERSION"),
            header.schema
        );
    }
    let summary = format!(
        "Replayed {streams} streams ({} replications × {} strategies) of {:?}, seed {}",
        header.reps.len(),
        header.scenario.strategies.len(),
        header.scenario.name,
        header.seed
    );
    match args.out {
        Some(dir) => {
            let mut outputs = OutputSet::prepare(&dir)?;
            outputs.add("replications.csv", out.into_bytes());
            outputs.commit()?;
            println!(
                "{summary}\nWrote {}",
                dir.join("replications.csv").display()
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(out.as_bytes())?;
            stdout.flush()?;
            eprintln!("{summary}");
        }
    }
    Ok(())
}
