//! The comparison table and verdict printed at the end of a run: mean with 95 % CI, P50 and
//! P95 per strategy, then the paired difference of each candidate against the baseline.

use crate::format::{aligned_table, money_short, percent};
use crate::metrics::Metric;
use crate::report::Report;
use crate::scenario::duration::format_minutes;
use crate::stats::Summary;

/// "mean ± half-width" of a summary.
pub fn mean_ci(metric: Metric, s: Option<&Summary>, currency: &str) -> String {
    match s {
        None => "–".to_string(),
        // One value: no interval (t has no degrees of freedom).
        Some(s) if s.n < 2 => format!("{} ± n/a", metric.show(s.mean, currency)),
        Some(s) => format!(
            "{} ± {}",
            metric.show(s.mean, currency),
            metric
                .show(s.half_width(), currency)
                .trim_start_matches('-')
        ),
    }
}

/// "P50 / P95" of a summary.
pub fn quantiles(metric: Metric, s: Option<&Summary>, currency: &str) -> String {
    match s {
        None => "–".to_string(),
        Some(s) => format!(
            "{} / {}",
            metric.show(s.p50, currency),
            metric.show(s.p95, currency)
        ),
    }
}

fn signed(metric: Metric, x: f64, currency: &str) -> String {
    let v = metric.show(x, currency);
    if x > 0.0 && !v.starts_with('-') {
        format!("+{v}")
    } else {
        v
    }
}

/// The share-better cell: a whole percentage, or [`NO_DIRECTION`] for a neutral metric.
pub fn better_cell(p_candidate_better: Option<f64>) -> String {
    p_candidate_better.map_or_else(
        || NO_DIRECTION.to_string(),
        |p| format!("{:.0} %", p * 100.0),
    )
}

/// What the share-better cell shows for a metric with no better direction.
pub const NO_DIRECTION: &str = "—";

/// "Δ [lo, hi]" of a paired difference for the row's metric, and the share better.
pub fn paired_cells(report: &Report, candidate: &str, metric: Metric) -> (String, String) {
    let Some(c) = report
        .comparisons
        .iter()
        .find(|c| c.candidate == candidate && c.metric == metric)
    else {
        return ("–".to_string(), "–".to_string());
    };
    let p = &c.paired;
    let better = better_cell(p.p_candidate_better);
    if p.n < 2 {
        return (
            format!("{} [n/a]", signed(metric, p.mean_diff, &report.currency)),
            better,
        );
    }
    (
        format!(
            "{} [{}, {}]",
            signed(metric, p.mean_diff, &report.currency),
            signed(metric, p.ci95[0], &report.currency),
            signed(metric, p.ci95[1], &report.currency)
        ),
        better,
    )
}

/// One-line verdicts: "proactive saves $412k/yr (95 % CI $380k–$445k) over reactive; cheaper
/// in 97 % of replications".
pub fn verdicts(report: &Report) -> Vec<String> {
    report
        .budgets
        .iter()
        .map(|b| {
            let cur = &report.currency;
            let (verb, amount, lo, hi) = if b.savings_per_year >= 0.0 {
                (
                    "saves",
                    b.savings_per_year,
                    b.savings_ci95[0],
                    b.savings_ci95[1],
                )
            } else {
                (
                    "costs",
                    -b.savings_per_year,
                    -b.savings_ci95[1],
                    -b.savings_ci95[0],
                )
            };
            let mut line = format!(
                "{} {verb} {}/yr (95 % CI {} to {}) over {}; cheaper in {} of replications",
                b.candidate,
                money_short(amount, cur),
                money_short(lo, cur),
                money_short(hi, cur),
                b.baseline,
                percent(b.p_cheaper).replace(".0 %", " %"),
            );
            if report.replications < 2 {
                // One replication: a single draw, no interval at all.
                line = format!(
                    "{} {verb} {}/yr over {} in a single replication (no confidence interval: run at least 2)",
                    b.candidate,
                    money_short(amount, cur),
                    b.baseline,
                );
            } else if lo <= 0.0 && hi >= 0.0 {
                line.push_str(" (the difference is not significant at 95 %)");
            }
            line
        })
        .collect()
}

/// Render the full terminal summary as plain text.
pub fn render(report: &Report) -> String {
    let baseline = &report.strategies[report.baseline].name;
    let candidates = report.candidate_names();

    let mut header = vec![format!("per {}", format_minutes(report.horizon_minutes))];
    for s in &report.strategies {
        header.push(format!("{} mean ± 95% CI", s.name));
        header.push("P50 / P95".to_string());
    }
    for c in &candidates {
        header.push(format!("{c} − {baseline} [95% CI]"));
        header.push("better".to_string());
    }
    let mut rows = vec![header];
    for metric in report.table_rows() {
        let mut row = vec![metric.def().label.to_string()];
        for s in &report.strategies {
            row.push(mean_ci(metric, s.metric(metric), &report.currency));
            row.push(quantiles(metric, s.metric(metric), &report.currency));
        }
        for c in &candidates {
            let (d, b) = paired_cells(report, c, metric);
            row.push(d);
            row.push(b);
        }
        rows.push(row);
    }
    let mut out = String::new();
    out.push_str(&format!(
        "{} — {} replications, horizon {}, seed {}\n\n",
        report.scenario,
        report.replications,
        format_minutes(report.horizon_minutes),
        report.seed
    ));
    out.push_str(&aligned_table(&rows, &[0]));
    out.push('\n');
    for v in verdicts(report) {
        out.push_str(&v);
        out.push('\n');
    }
    super::escape::terminal_text(&out)
}
