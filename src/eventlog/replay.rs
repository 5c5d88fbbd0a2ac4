//! Replay: fold a saved event log through the same projection a run uses
//! ([`MetricsProjection`]) and get back the run's per-replication metrics exactly.
//!
//! Every event first goes through the [`LifecycleCheck`], and the order of streams is checked
//! against the header, so a truncated, reordered or hand-edited log is refused with the line
//! and the reason rather than folded into wrong numbers.

use std::io::BufRead;

use super::reader::{LogError, LogHeader, LogReader};
use crate::events::EventSink;
use crate::projections::MetricsProjection;
use crate::projections::lifecycle::LifecycleCheck;
use crate::projections::metrics::RepMetrics;

/// The metrics of one replication of one strategy, folded from the log.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayedRow {
    /// Replication.
    pub rep: u64,
    /// Strategy index in the log's scenario.
    pub strategy: usize,
    /// What the run's projection computed for it.
    pub metrics: RepMetrics,
}

/// Replay a log: check it and fold each (replication, strategy) stream into its metrics.
/// `on_row` is called once per stream, in log order, as soon as the stream ends (memory stays
/// flat in the size of the log). `file` is the name used in error messages.
pub fn replay<R: BufRead>(
    input: R,
    file: &str,
    mut on_row: impl FnMut(&LogHeader, ReplayedRow),
) -> Result<LogHeader, LogError> {
    let (header, mut reader) = LogReader::open(input, file)?;
    let scenario = &header.scenario;
    let strategies = scenario.strategies.len();
    let name = |s: usize| scenario.strategies[s].name.as_str();
    let err = |line: Option<u64>, message: String, help: &str| LogError {
        file: file.to_string(),
        line,
        message,
        help: (!help.is_empty()).then(|| help.to_string()),
    };
    const REGENERATE: &str = "write the log again with `incsim run --events`";

    let mut expected = header
        .reps
        .iter()
        .flat_map(|&rep| (0..strategies).map(move |s| (rep, s)));
    let mut projection = MetricsProjection::new(scenario, 0);
    let mut check = LifecycleCheck::new(scenario);
    // The stream under way: (rep, strategy, first line).
    let mut current: Option<(u64, usize, u64)> = None;
    let mut last_line = 1;

    while let Some(item) = reader.next_event()? {
        last_line = item.line;
        let key = (item.rep, item.strategy);
        match current {
            None => {
                let Some(want) = expected.next() else {
                    return Err(err(
                        Some(item.line),
                        format!(
                            "an event of replication {}, strategy {}, after the last stream the header lists (replications {:?})",
                            item.rep,
                            name(item.strategy),
                            header.reps
                        ),
                        "were lines added or two logs concatenated? replay one log as written",
                    ));
                };
                if key != want {
                    return Err(err(
                        Some(item.line),
                        format!(
                            "expected the stream of replication {}, strategy {} to start here; found replication {}, strategy {} (streams are ordered by replication, then strategy in file order)",
                            want.0,
                            name(want.1),
                            item.rep,
                            name(item.strategy)
                        ),
                        "the lines are out of order or a stream is missing; write the log again with `incsim run --events`",
                    ));
                }
                check.begin();
                projection.begin(item.rep, item.strategy);
                current = Some((item.rep, item.strategy, item.line));
            }
            Some((rep, strategy, first)) if key != (rep, strategy) => {
                return Err(err(
                    Some(item.line),
                    format!(
                        "the stream of replication {rep}, strategy {} (from line {first}) ends without horizon_reached, and this line belongs to replication {}, strategy {}",
                        name(strategy),
                        item.rep,
                        name(item.strategy)
                    ),
                    "lines are missing or out of order; write the log again with `incsim run --events`",
                ));
            }
            Some(_) => {}
        }
        check.apply(&item.event).map_err(|msg| {
            err(
                Some(item.line),
                if msg.starts_with(item.event.kind.name()) {
                    msg
                } else {
                    format!("{}: {msg}", item.event.kind.name())
                },
                "the log contradicts itself here: was it edited by hand, or are lines missing or out of order?",
            )
        })?;
        projection.apply(&item.event);
        if check.is_finished() {
            on_row(
                &header,
                ReplayedRow {
                    rep: item.rep,
                    strategy: item.strategy,
                    metrics: projection.metrics(),
                },
            );
            current = None;
        }
    }
    if let Some((rep, strategy, first)) = current {
        return Err(err(
            Some(last_line),
            format!(
                "the log ends in the stream of replication {rep}, strategy {} (from line {first}) before its horizon_reached: the log is truncated",
                name(strategy)
            ),
            REGENERATE,
        ));
    }
    if let Some((rep, strategy)) = expected.next() {
        return Err(err(
            None,
            format!(
                "the log ends before the stream of replication {rep}, strategy {}, which its header lists: the log is truncated",
                name(strategy)
            ),
            REGENERATE,
        ));
    }
    let sealed = reader.sealed();
    Ok(LogHeader { sealed, ..header })
}
