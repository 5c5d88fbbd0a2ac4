//! The event log (docs/model.md §4): the event stream of chosen replications as JSON Lines, one
//! event a line, with stable field names (`docs/events.md`), and its replay.
//!
//! - [`write_event_log`] re-simulates the chosen replications (the simulation is
//!   deterministic) and streams their events through a [`JsonlWriter`]: nothing is kept in
//!   memory, and a run without a log never builds a writer, so its fast path stays free of
//!   per-event allocation.
//! - [`replay::replay`] reads a log back through the [`LifecycleCheck`] and the run's own
//!   [`MetricsProjection`], reproducing the run's `replications.csv` rows exactly.
//!
//! The first line is a `run_started` header with the schema version, the incsim version, the
//! seed, the replications logged and the checked scenario (as JSON), so a log needs nothing
//! else to be replayed.
//!
//! [`LifecycleCheck`]: crate::projections::lifecycle::LifecycleCheck
//! [`MetricsProjection`]: crate::projections::MetricsProjection

pub mod clock;
pub mod reader;
pub mod replay;
pub mod writer;

use std::io::Write;

use anyhow::{Result, bail};

pub use clock::SimClock;
pub use reader::{LogError, LogHeader, LogLine, LogReader};
pub use writer::{JsonlWriter, incident_name};

use crate::events::Tee;
use crate::experiment::ExperimentResults;
use crate::export::output::OutputSet;
use crate::model::Simulator;
use crate::projections::{MetricsProjection, RepMetrics};
use crate::scenario::Scenario;

/// Version of the log schema written in `run_started.schema`. It changes whenever a kind or a
/// key is added, renamed or removed, or changes meaning (`docs/events.md`, "Stability").
/// Version 2: `routed_direct` on `incident_opened`, `tier_open` on `queued`, `handoff` on
/// `escalated`; simultaneous events follow rule 15.
pub const SCHEMA_VERSION: u32 = 3;

/// The name of the log file in an output folder.
pub const EVENTS_FILE: &str = "events.jsonl";

/// Parse a selection of replications: `0`, `0,3,7`, `0-9`, or a mix (`0-2,5`). The result is
/// ascending, without duplicates, and every replication is below `replications`.
pub fn parse_reps(text: &str, replications: u64) -> Result<Vec<u64>, String> {
    let help = "write replications as `0`, `0,3,7` or `0-9` (from 0)";
    let number = |s: &str| -> Result<u64, String> {
        s.trim().parse::<u64>().map_err(|_| {
            format!(
                "expected a replication number; found {:?}; {help}",
                s.trim()
            )
        })
    };
    let mut reps = Vec::new();
    for part in text.split(',') {
        if part.trim().is_empty() {
            return Err(format!("empty item in {text:?}; {help}"));
        }
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(part)?;
                (n, n)
            }
        };
        if hi < lo {
            return Err(format!(
                "the range {} goes backwards; write it low-high, e.g. {hi}-{lo}",
                part.trim()
            ));
        }
        if hi >= replications {
            return Err(format!(
                "replication {hi} does not exist: the run has {replications} replications (0 to {})",
                replications - 1
            ));
        }
        if hi - lo >= 1_000_000 {
            return Err(format!(
                "{} selects more than a million replications; log fewer (the log of one replication may hold thousands of lines)",
                part.trim()
            ));
        }
        reps.extend(lo..=hi);
    }
    reps.sort_unstable();
    reps.dedup();
    Ok(reps)
}

/// Write the event log of replications `reps` (ascending) of every strategy to `out`: the
/// header, then the streams ordered by replication, then strategy in scenario order, then the
/// order in which events happened. `on_stream` receives each stream's metrics as the run's
/// projection computes them (the caller may check them against the run). Returns `out` and
/// the number of lines written.
pub fn write_event_log<W: Write>(
    scenario: &Scenario,
    reps: &[u64],
    out: W,
    mut on_stream: impl FnMut(u64, usize, RepMetrics) -> Result<()>,
) -> Result<(W, u64)> {
    if reps.windows(2).any(|w| w[1] <= w[0]) {
        bail!("replications to log must be ascending and distinct");
    }
    let mut writer = JsonlWriter::new(scenario, out);
    writer.write_header(reps)?;
    let mut sim = Simulator::new();
    let mut projection = MetricsProjection::new(scenario, 0);
    for &rep in reps {
        for strategy in 0..scenario.strategies.len() {
            sim.run(
                scenario,
                strategy,
                rep,
                &mut Tee(&mut projection, &mut writer),
            );
            on_stream(rep, strategy, projection.metrics())?;
        }
    }
    let lines = writer.lines();
    Ok((writer.finish()?, lines))
}

/// Stream the event log of replications `reps` into `outputs` as [`EVENTS_FILE`] (through
/// [`OutputSet::add_streamed`]: buffered to a temporary file, renamed into place with the run's
/// other files). Each stream's metrics are checked against the run's `results`: they come from
/// the same deterministic simulation, so a difference is a bug, reported rather than written.
/// Returns the number of lines written.
pub fn write_into(
    outputs: &mut OutputSet,
    scenario: &Scenario,
    reps: &[u64],
    results: &ExperimentResults,
) -> Result<u64> {
    let check = |rep: u64, strategy: usize, metrics: RepMetrics| -> Result<()> {
        if !results.reps.contains(&rep) {
            bail!(
                "replication {rep} was not simulated by this run (replications {:?})",
                results.reps
            );
        }
        let row = results.strategies[strategy]
            .rows
            .row((rep - results.reps.start) as usize);
        if row != metrics {
            bail!(
                "internal error: replication {rep} of strategy {} gives other metrics when simulated again; please report this with the scenario",
                scenario.strategies[strategy].name
            );
        }
        Ok(())
    };
    let mut lines = 0;
    let mut failure: Option<anyhow::Error> = None;
    let streamed = outputs.add_streamed(EVENTS_FILE, |out| {
        match write_event_log(scenario, reps, out, check) {
            Ok((_, n)) => {
                lines = n;
                Ok(())
            }
            Err(e) => {
                let io = std::io::Error::other(e.to_string());
                failure = Some(e);
                Err(io)
            }
        }
    });
    if let Err(e) = streamed {
        let path = outputs.dir().join(EVENTS_FILE);
        return Err(match failure {
            Some(f) => f.context(format!("cannot write {}", path.display())),
            None => e,
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::parse_reps;

    #[test]
    fn replication_selections_are_lists_and_ranges() {
        assert_eq!(parse_reps("0", 10), Ok(vec![0]));
        assert_eq!(parse_reps("7,0,3", 10), Ok(vec![0, 3, 7]));
        assert_eq!(parse_reps("0-3,2,9", 10), Ok(vec![0, 1, 2, 3, 9]));
        assert_eq!(parse_reps(" 4 - 5 ", 10), Ok(vec![4, 5]));
        assert!(parse_reps("10", 10).unwrap_err().contains("0 to 9"));
        assert!(parse_reps("5-2", 10).unwrap_err().contains("backwards"));
        assert!(parse_reps("x", 10).unwrap_err().contains("\"x\""));
        assert!(parse_reps("1,,2", 10).unwrap_err().contains("empty"));
        assert!(parse_reps("my.toml", 10).is_err());
    }
}
