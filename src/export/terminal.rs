//! The comparison table and verdict printed at the end of a run: mean with 95 % CI, P50 and
//! P95 per strategy, then the paired difference of each candidate against the baseline.

use crate::format::{aligned_table, money, money_short, number, percent};
use crate::projections::Metric;
use crate::report::Report;
use crate::scenario::duration::format_minutes;
use crate::stats::Summary;

/// How a metric row is shown to a person.
#[derive(Debug, Clone, Copy)]
pub struct RowSpec {
    pub label: &'static str,
    pub metric: Metric,
    /// Multiply values by this before showing (e.g. 1/60 for hours).
    pub scale: f64,
    pub kind: Kind,
}

/// Display kind of a row's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Money,
    Percent,
}

/// The rows of the comparison table, in reading order.
pub const ROWS: [RowSpec; 15] = [
    RowSpec {
        label: "Outage hours",
        metric: Metric::OutageMinutes,
        scale: 1.0 / 60.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Degraded hours",
        metric: Metric::DegradedMinutes,
        scale: 1.0 / 60.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Availability",
        metric: Metric::Availability,
        scale: 1.0,
        kind: Kind::Percent,
    },
    RowSpec {
        label: "Incidents",
        metric: Metric::Incidents,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Outages",
        metric: Metric::Outages,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Averted outages",
        metric: Metric::Averted,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Escalations",
        metric: Metric::Escalations,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "False alarms",
        metric: Metric::FalseAlarms,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "MTTD (min)",
        metric: Metric::MttdMinutes,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "MTTR (min)",
        metric: Metric::MttrMinutes,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Labor hours",
        metric: Metric::LaborHours,
        scale: 1.0,
        kind: Kind::Number,
    },
    RowSpec {
        label: "Downtime cost",
        metric: Metric::DowntimeCost,
        scale: 1.0,
        kind: Kind::Money,
    },
    RowSpec {
        label: "Labor cost",
        metric: Metric::LaborCost,
        scale: 1.0,
        kind: Kind::Money,
    },
    RowSpec {
        label: "Investment",
        metric: Metric::InvestmentCost,
        scale: 1.0,
        kind: Kind::Money,
    },
    RowSpec {
        label: "Total cost",
        metric: Metric::TotalCost,
        scale: 1.0,
        kind: Kind::Money,
    },
];

/// Format one value of a row.
pub fn value(spec: &RowSpec, x: f64, currency: &str) -> String {
    let x = x * spec.scale;
    match spec.kind {
        Kind::Number => number(x),
        Kind::Money => money(x, currency),
        Kind::Percent => format!("{:.3} %", x * 100.0),
    }
}

/// "mean ± half-width" of a summary.
pub fn mean_ci(spec: &RowSpec, s: Option<&Summary>, currency: &str) -> String {
    match s {
        None => "–".to_string(),
        // One value: no interval (t has no degrees of freedom).
        Some(s) if s.n < 2 => format!("{} ± n/a", value(spec, s.mean, currency)),
        Some(s) => format!(
            "{} ± {}",
            value(spec, s.mean, currency),
            value(spec, s.half_width(), currency).trim_start_matches('-')
        ),
    }
}

/// "P50 / P95" of a summary.
pub fn quantiles(spec: &RowSpec, s: Option<&Summary>, currency: &str) -> String {
    match s {
        None => "–".to_string(),
        Some(s) => format!(
            "{} / {}",
            value(spec, s.p50, currency),
            value(spec, s.p95, currency)
        ),
    }
}

fn signed(spec: &RowSpec, x: f64, currency: &str) -> String {
    let v = value(spec, x, currency);
    if x > 0.0 && !v.starts_with('-') {
        format!("+{v}")
    } else {
        v
    }
}

/// "Δ [lo, hi]" of a paired difference for the row's metric, and the share better.
pub fn paired_cells(report: &Report, candidate: &str, spec: &RowSpec) -> (String, String) {
    let Some(c) = report
        .comparisons
        .iter()
        .find(|c| c.candidate == candidate && c.metric == spec.metric)
    else {
        return ("–".to_string(), "–".to_string());
    };
    let p = &c.paired;
    if p.n < 2 {
        return (
            format!("{} [n/a]", signed(spec, p.mean_diff, &report.currency)),
            format!("{:.0} %", p.p_candidate_better * 100.0),
        );
    }
    (
        format!(
            "{} [{}, {}]",
            signed(spec, p.mean_diff, &report.currency),
            signed(spec, p.ci95[0], &report.currency),
            signed(spec, p.ci95[1], &report.currency)
        ),
        format!("{:.0} %", p.p_candidate_better * 100.0),
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
    for spec in ROWS.iter() {
        let mut row = vec![spec.label.to_string()];
        for s in &report.strategies {
            row.push(mean_ci(spec, s.metric(spec.metric), &report.currency));
            row.push(quantiles(spec, s.metric(spec.metric), &report.currency));
        }
        for c in &candidates {
            let (d, b) = paired_cells(report, c, spec);
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
    out
}
