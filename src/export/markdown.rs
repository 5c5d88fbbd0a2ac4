//! `summary.md`: the comparison a person reads, for a wiki page or a pull request.

use crate::charts::set::RunChart;
use crate::export::terminal::{self, mean_ci, paired_cells, quantiles};
use crate::format::{money, payback, percent, roi};
use crate::report::Report;
use crate::scenario::duration::format_minutes;

fn cell(text: &str) -> String {
    super::escape::markdown_text(text)
}

/// Render `summary.md`.
pub fn render(report: &Report) -> String {
    let cur = &report.currency;
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", cell(&report.scenario)));
    out.push_str(&format!(
        "{} replications over a horizon of {} (seed {}). Money in {cur} per horizon unless \
         marked per year. Intervals are 95 % confidence intervals of the mean; differences \
         are paired over the same replications (common random numbers).\n\n",
        report.replications,
        format_minutes(report.horizon_minutes),
        report.seed
    ));
    for v in terminal::verdicts(report) {
        out.push_str(&format!("**{}**\n\n", cell(&v)));
    }
    if !report.budgets.is_empty() {
        out.push_str("## Budget\n\n| candidate | savings / yr | 95 % CI | incremental investment / yr | ROI | payback | P(cheaper) |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for b in &report.budgets {
            let ci = if report.replications < 2 {
                "n/a".to_string()
            } else {
                format!(
                    "{} to {}",
                    money(b.savings_ci95[0], cur),
                    money(b.savings_ci95[1], cur)
                )
            };
            out.push_str(&format!(
                "| {} vs {} | {} | {} | {} | {} | {} | {} |\n",
                cell(&b.candidate),
                cell(&b.baseline),
                money(b.savings_per_year, cur),
                ci,
                money(b.incremental_investment_per_year, cur),
                roi(b.roi),
                payback(b.payback_months, b.incremental_investment_per_year),
                percent(b.p_cheaper),
            ));
        }
        out.push('\n');
    }

    out.push_str("## Comparison\n\n| metric |");
    let baseline = &report.strategies[report.baseline].name;
    let candidates = report.candidate_names();
    let mut align = String::from("|---|");
    for s in &report.strategies {
        out.push_str(&format!(" {} (mean ± CI) | P50 / P95 |", cell(&s.name)));
        align.push_str("---:|---:|");
    }
    for c in &candidates {
        out.push_str(&format!(" {} − {} | better |", cell(c), cell(baseline)));
        align.push_str("---:|---:|");
    }
    out.push('\n');
    out.push_str(&align);
    out.push('\n');
    for metric in report.table_rows() {
        out.push_str(&format!("| {} |", metric.def().label));
        for s in &report.strategies {
            out.push_str(&format!(
                " {} | {} |",
                mean_ci(metric, s.metric(metric), cur),
                quantiles(metric, s.metric(metric), cur)
            ));
        }
        for c in &candidates {
            let (d, b) = paired_cells(report, c, metric);
            out.push_str(&format!(" {d} | {b} |"));
        }
        out.push('\n');
    }
    out.push('\n');

    out.push_str("## Where the time goes\n\n| strategy | tier | utilization | mean queue wait (min) |\n|---|---|---:|---:|\n");
    for s in &report.strategies {
        for t in &s.tiers {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&s.name),
                cell(&t.name),
                t.utilization.map_or("–".into(), |u| percent(u.mean)),
                t.queue_wait_minutes
                    .map_or("–".into(), |w| format!("{:.1}", w.mean)),
            ));
        }
    }
    if report.has_dependencies {
        out.push_str(
            "\n| strategy | service | outage hours (mean) | of which inherited |\n|---|---|---:|---:|\n",
        );
        for s in &report.strategies {
            for svc in &s.services {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    cell(&s.name),
                    cell(&svc.name),
                    svc.outage_minutes
                        .map_or("–".into(), |o| format!("{:.2}", o.mean / 60.0)),
                    svc.inherited_outage_minutes
                        .map_or("–".into(), |o| format!("{:.2}", o.mean / 60.0)),
                ));
            }
        }
        // Cost by root cause (docs/model.md §8.10): each service's own downtime and what its
        // dependants inherited from it, costliest first.
        out.push_str(
            "\n| strategy | root cause | downtime cost it caused, own and dependants' (mean) |\n|---|---|---:|\n",
        );
        for s in &report.strategies {
            for (name, cost) in s.root_causes() {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    cell(&s.name),
                    cell(name),
                    money(cost.mean, cur),
                ));
            }
        }
        return out;
    }
    out.push_str("\n| strategy | service | outage hours (mean) |\n|---|---|---:|\n");
    for s in &report.strategies {
        for svc in &s.services {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&s.name),
                cell(&svc.name),
                svc.outage_minutes
                    .map_or("–".into(), |o| format!("{:.2}", o.mean / 60.0)),
            ));
        }
    }
    out
}

/// The charts section of `summary.md`: each chart's PNG embedded by a relative link (the files
/// sit next to `summary.md`), with its caption.
pub fn charts_section(charts: &[RunChart]) -> String {
    let mut out = String::from("\n## Charts\n\n");
    for chart in charts {
        out.push_str(&format!(
            "### {}\n\n![{}]({}.png)\n\n{} ([SVG]({}.svg))\n\n",
            cell(&chart.title),
            alt_text(&chart.title),
            chart.name,
            cell(&chart.caption),
            chart.name
        ));
    }
    out
}

/// Image alt text: no brackets that would end the Markdown link text, no raw HTML.
fn alt_text(text: &str) -> String {
    cell(&text.replace(['[', ']'], ""))
}
