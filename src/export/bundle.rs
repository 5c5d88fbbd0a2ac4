//! The set of files a run leaves behind, built in memory from the replications' results.
//! `incsim run` and `incsim merge` both call [`run_outputs`], so a merge of shards writes
//! exactly what one machine would have written.

use anyhow::Result;

use crate::experiment::ExperimentResults;
use crate::export::output::OutputSet;
use crate::export::{csv, markdown};
use crate::report::Report;
use crate::scenario::Scenario;

/// One output file: its name in the output folder and its content.
pub type OutputFile = (String, Vec<u8>);

/// The report and every in-memory output file of a run (all but `replications.csv`, which
/// [`write_run_outputs`] streams).
pub fn run_outputs(
    scenario: &Scenario,
    results: &ExperimentResults,
) -> Result<(Report, Vec<OutputFile>)> {
    let report = Report::build(scenario, results);
    let mut files = Vec::new();
    let mut json = serde_json::to_string_pretty(&report.to_json())?;
    json.push('\n');
    files.push(("summary.json".to_string(), json.into_bytes()));
    files.push((
        "summary.md".to_string(),
        markdown::render(&report).into_bytes(),
    ));
    Ok((report, files))
}

/// Write every output of a run into `outputs` (committed by the caller): the in-memory files
/// of [`run_outputs`] plus `replications.csv`, streamed to disk row by row.
pub fn write_run_outputs(
    scenario: &Scenario,
    results: &ExperimentResults,
    outputs: &mut OutputSet,
) -> Result<Report> {
    let (report, files) = run_outputs(scenario, results)?;
    for (name, content) in files {
        outputs.add(name, content);
    }
    outputs.add_streamed("replications.csv", |w| csv::write(scenario, results, w))?;
    Ok(report)
}
