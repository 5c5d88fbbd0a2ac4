//! The set of files a run leaves behind, built in memory from the replications' results.
//! `incsim run` and `incsim merge` both call [`run_outputs`], so a merge of shards writes
//! exactly what one machine would have written.

use anyhow::Result;

use crate::charts::set::run_charts;
use crate::experiment::ExperimentResults;
use crate::export::output::OutputSet;
use crate::export::{csv, html, markdown};
use crate::report::Report;
use crate::scenario::Scenario;

/// Output files of a run: (file name, content).
pub type OutputFiles = Vec<(String, Vec<u8>)>;

/// The report and every in-memory output file of a run (all but `replications.csv`, which
/// [`write_run_outputs`] streams).
pub fn run_outputs(
    scenario: &Scenario,
    results: &ExperimentResults,
) -> Result<(Report, OutputFiles)> {
    let report = Report::build(scenario, results);
    let mut files = Vec::new();
    let mut json = serde_json::to_string_pretty(&report.to_json())?;
    json.push('\n');
    files.push(("summary.json".to_string(), json.into_bytes()));
    let charts = run_charts(&report)?;
    let mut summary_md = markdown::render(&report);
    summary_md.push_str(&markdown::charts_section(&charts));
    files.push(("summary.md".to_string(), summary_md.into_bytes()));
    files.push((
        "report.html".to_string(),
        html::render(scenario, &report, &charts).into_bytes(),
    ));
    for chart in charts {
        files.push((
            format!("{}.svg", chart.name),
            chart.rendered.svg.into_bytes(),
        ));
        files.push((format!("{}.png", chart.name), chart.rendered.png));
    }
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
    // An event log is written only when asked (`run --events`); an older one in the folder
    // would describe another run.
    outputs.remove_if_stale("events.jsonl");
    Ok(report)
}
