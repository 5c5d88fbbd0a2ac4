//! The set of files a run leaves behind, built in memory from the replications' results.
//! `incsim run` and `incsim merge` both call [`run_outputs_with`], so a merge of shards writes
//! exactly what one machine would have written.

use anyhow::Result;

use crate::charts::set::run_charts;
use crate::charts::tornado::TornadoChart;
use crate::experiment::ExperimentResults;
use crate::experiment::compact::{self, CompactSensitivity};
use crate::experiment::uncertainty::Uncertainty;
use crate::export::output::OutputSet;
use crate::export::{csv, html, markdown, sensitivity, uncertainty, warnings};
use crate::report::Report;
use crate::report::views::TornadoView;
use crate::scenario::Scenario;

/// Output files of a run: (file name, content).
pub type OutputFiles = Vec<(String, Vec<u8>)>;

/// Whether the run's report gets the compact sensitivity ([`compact`]), with a callback told
/// of every replication it simulates.
pub enum Sensitivity<'a> {
    /// `--no-sensitivity`, or a caller that only needs the figures.
    Skip,
    /// Run it for the best-ranked candidate.
    Run(&'a mut dyn FnMut(u64)),
}

/// The report and every in-memory output file of a run, without the sensitivity analysis.
pub fn run_outputs(
    scenario: &Scenario,
    results: &ExperimentResults,
) -> Result<(Report, OutputFiles)> {
    run_outputs_with(scenario, results, Sensitivity::Skip, None)
}

/// The report and every in-memory output file of a run (all but `replications.csv`, which
/// [`write_run_outputs`] streams). With [`Sensitivity::Run`], the compact sensitivity of the
/// best candidate by NPV goes into report.html (tornado, drivers of the warnings),
/// summary.json (`sensitivity`) and `tornado.svg`/`.png`.
///
/// With `uncertainty` (`run --uncertainty N`), its ranges across parameter sets go into
/// summary.json (`uncertainty`), summary.md, report.html and `uncertainty.csv`.
pub fn run_outputs_with(
    scenario: &Scenario,
    results: &ExperimentResults,
    sensitivity: Sensitivity<'_>,
    uncertainty: Option<&Uncertainty>,
) -> Result<(Report, OutputFiles)> {
    let report = Report::build(scenario, results);
    let analysis = match sensitivity {
        Sensitivity::Run(progress) => best_candidate(scenario, &report)
            .map(|c| compact::run(scenario, c, report.replications, progress))
            .transpose()?,
        Sensitivity::Skip => None,
    };
    let warnings = warnings::warnings(scenario, &report, analysis.as_ref());
    let mut files = Vec::new();
    let mut summary = report.to_json();
    summary["warnings"] = warnings::json(&warnings);
    if let Some(a) = &analysis {
        summary["sensitivity"] = sensitivity_json(a);
    }
    let view = uncertainty.map(|u| uncertainty::View::build(scenario, u, &report));
    if let Some(v) = &view {
        summary["uncertainty"] = v.json();
    }
    let mut json = serde_json::to_string_pretty(&summary)?;
    json.push('\n');
    files.push(("summary.json".to_string(), json.into_bytes()));
    let charts = run_charts(&report)?;
    let tornado = match &analysis {
        Some(a) if !a.result.rows.is_empty() => Some(crate::charts::render(&TornadoChart {
            view: &TornadoView::of(&a.result),
        })?),
        _ => None,
    };
    let mut summary_md = markdown::render(&report);
    if let Some(v) = &view {
        summary_md.push_str(&v.markdown());
    }
    summary_md.push_str(&markdown::charts_section(&charts));
    files.push(("summary.md".to_string(), summary_md.into_bytes()));
    let extras = html::Extras {
        sensitivity: analysis.as_ref(),
        tornado_svg: tornado.as_ref().map(|t| t.svg.as_str()),
        warnings: &warnings,
        uncertainty: view.as_ref(),
    };
    files.push((
        "report.html".to_string(),
        html::render(scenario, &report, &charts, &extras).into_bytes(),
    ));
    for chart in charts {
        files.push((
            format!("{}.svg", chart.name),
            chart.rendered.svg.into_bytes(),
        ));
        files.push((format!("{}.png", chart.name), chart.rendered.png));
    }
    if let Some(v) = &view {
        files.push(("uncertainty.csv".to_string(), v.csv()?));
    }
    if let Some(t) = tornado {
        files.push(("tornado.svg".to_string(), t.svg.into_bytes()));
        files.push(("tornado.png".to_string(), t.png));
    }
    Ok((report, files))
}

/// The strategy index of the candidate ranked first by NPV; None with a single strategy.
pub fn best_candidate(scenario: &Scenario, report: &Report) -> Option<usize> {
    let first = *report.ranking().first()?;
    scenario.strategy_index(&report.budgets[first].candidate)
}

/// `summary.json` `sensitivity`: the analysis with its budget.
fn sensitivity_json(a: &CompactSensitivity) -> serde_json::Value {
    let mut value = sensitivity::json(&a.result);
    value["runs"] = a.runs.into();
    value["replications_per_run"] = a.replications_per_run.into();
    value["main_replications"] = a.main_replications.into();
    value
}

/// Write every output of a run into `outputs` (committed by the caller): the in-memory files
/// of [`run_outputs_with`] plus `replications.csv`, streamed to disk row by row.
pub fn write_run_outputs(
    scenario: &Scenario,
    results: &ExperimentResults,
    outputs: &mut OutputSet,
    sensitivity: Sensitivity<'_>,
    uncertainty: Option<&Uncertainty>,
) -> Result<Report> {
    let (report, files) = run_outputs_with(scenario, results, sensitivity, uncertainty)?;
    for (name, content) in files {
        outputs.add(name, content);
    }
    // A run without the analysis leaves no tornado of an earlier one.
    for stale in ["tornado.svg", "tornado.png", "uncertainty.csv"] {
        outputs.remove_if_stale(stale);
    }
    outputs.add_streamed("replications.csv", |w| csv::write(scenario, results, w))?;
    // An event log is written only when asked (`run --events`); an older one in the folder
    // would describe another run.
    outputs.remove_if_stale("events.jsonl");
    Ok(report)
}
