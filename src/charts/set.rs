//! The charts of a run, in reading order, each with its file name, title and a caption that
//! says how to read it. `export::bundle` writes them; the HTML and Markdown reports embed them.

use crate::charts::Result;

use crate::charts::cost::CostChart;
use crate::charts::cumulative::CumulativeChart;
use crate::charts::loss::LossChart;
use crate::charts::outage::OutageChart;
use crate::charts::restore::RestoreChart;
use crate::charts::savings::SavingsChart;
use crate::charts::{Rendered, render};
use crate::report::Report;

/// One rendered chart of a run.
#[derive(Debug, Clone)]
pub struct RunChart {
    /// File stem: the chart is written as `<name>.svg` and `<name>.png`.
    pub name: &'static str,
    /// What the chart shows (its own title).
    pub title: String,
    /// How to read it, in a sentence or two.
    pub caption: String,
    pub rendered: Rendered,
}

/// File stems of the charts, in reading order (`savings` only when there is a candidate).
pub const CHART_NAMES: [&str; 6] = [
    "annual_cost",
    "savings",
    "loss_exceedance",
    "outage_hours",
    "restore_time",
    "cumulative_cost",
];

/// Render every chart of a run (SVG and PNG, in memory).
pub fn run_charts(report: &Report) -> Result<Vec<RunChart>> {
    let reps = report.replications;
    let mut charts = Vec::new();

    let cost = CostChart::from_report(report);
    charts.push(RunChart {
        name: "annual_cost",
        title: cost.title(),
        caption: format!(
            "Mean cost per year of each strategy, split into outage downtime, degraded service, \
             engineers' labor and the strategy's own investment (monitoring, tools, training). \
             The whisker is the 95 % confidence interval of the mean total over {reps} \
             replications."
        ),
        rendered: render(&cost)?,
    });

    if let Some(savings) = SavingsChart::from_report(report) {
        charts.push(RunChart {
            name: "savings",
            title: savings.title(),
            caption: format!(
                "In each replication both strategies met the same failures (common random \
                 numbers); the bars count replications by how much less the candidate cost than \
                 {}, per year. Right of the black break-even line the candidate is cheaper; the \
                 dashed line is the mean saving.",
                savings.baseline
            ),
            rendered: render(&savings)?,
        });
    }

    let loss = LossChart::from_report(report);
    charts.push(RunChart {
        name: "loss_exceedance",
        title: loss.title(),
        caption: format!(
            "For each amount, the share of the {reps} simulated years whose loss from \
             incidents (downtime and labour, before any investment) is above it (log money \
             axis). A curve further left and lower is a safer year; where a curve meets an \
             amount tells how likely a year that bad is."
        ),
        rendered: render(&loss)?,
    });

    let outage = OutageChart::from_report(report);
    charts.push(RunChart {
        name: "outage_hours",
        title: outage.title(),
        caption: "Hours per year with a service down, one value per replication: the shaded \
                  shape is their histogram, the box spans the middle half (P25–P75) with the \
                  median as a line, whiskers reach P5 and P95, and the diamond is the mean."
            .to_string(),
        rendered: render(&outage)?,
    });

    let restore = RestoreChart::from_report(report);
    charts.push(RunChart {
        name: "restore_time",
        title: restore.title(),
        caption: "Share of outages over all replications restored within a given time, from \
                  outage start to service up (log time axis; ten bins per decade, interpolated \
                  within a bin). Dots and dashed drops mark each strategy's P50 and P95."
            .to_string(),
        rendered: render(&restore)?,
    });

    let cumulative = CumulativeChart::from_report(report);
    charts.push(RunChart {
        name: "cumulative_cost",
        title: cumulative.title(),
        caption: "Total cost accumulated since the start (downtime, labor and investment), \
                  recorded at 52 checkpoints: the line is the mean over replications, the \
                  shaded band holds 90 % of replications (5th to 95th percentile)."
            .to_string(),
        rendered: render(&cumulative)?,
    });
    Ok(charts)
}
