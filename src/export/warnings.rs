//! Warnings for a business case that looks too good (issue 16 item 4): an ROI above 1,000 %, a
//! payback under a month, a candidate never worse than the baseline in any replication. Each
//! names the inputs that drive it, so the reader knows which assumptions to check: the
//! candidate's own costs (the denominator of ROI and payback) and the inputs with the largest
//! effect on its savings — from the compact sensitivity where it covers the candidate, else the
//! money and failure rate of the costliest service.

use serde_json::{Value, json};

use crate::experiment::compact::CompactSensitivity;
use crate::format::{money_short, roi};
use crate::report::{Budget, Report};
use crate::scenario::Scenario;
use crate::scenario::fields::join;

/// ROI above this (10 = 1,000 %) is flagged.
pub const ROI_LIMIT: f64 = 10.0;
/// Payback below this many months is flagged.
pub const PAYBACK_LIMIT_MONTHS: f64 = 1.0;
/// How many savings drivers a warning names.
const DRIVERS: usize = 3;

/// One implausible result.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The candidate it is about.
    pub candidate: String,
    /// `roi`, `payback` or `never_worse`.
    pub kind: &'static str,
    /// The sentence for people.
    pub text: String,
    /// Field paths of the inputs that drive it, most important first.
    pub inputs: Vec<String>,
}

/// Every warning of a run, candidates in the report's order.
pub fn warnings(
    scenario: &Scenario,
    report: &Report,
    sensitivity: Option<&CompactSensitivity>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    for (b, series) in report.budgets.iter().zip(&report.charts.savings) {
        let inputs = drivers(scenario, b, sensitivity);
        let named = inputs
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let cur = &report.currency;
        let roi_high =
            b.roi.is_some_and(|r| r > ROI_LIMIT) || b.case.roi_pv.is_some_and(|r| r > ROI_LIMIT);
        if roi_high {
            let shown = b.roi.filter(|r| *r > ROI_LIMIT).or(b.case.roi_pv);
            out.push(Warning {
                candidate: b.candidate.clone(),
                kind: "roi",
                text: format!(
                    "ROI of {} for {} is above 1,000 %: savings of {}/yr against {}/yr of \
                     investment. Check the inputs that drive it: {named}.",
                    roi(shown),
                    b.candidate,
                    money_short(b.savings_per_year, cur),
                    money_short(b.incremental_investment_per_year, cur),
                ),
                inputs: inputs.clone(),
            });
        }
        if let Some(m) = b.payback_months.filter(|m| *m < PAYBACK_LIMIT_MONTHS) {
            out.push(Warning {
                candidate: b.candidate.clone(),
                kind: "payback",
                text: format!(
                    "Payback of {m:.1} months for {} is under a month. Check the inputs that \
                     drive it: {named}.",
                    b.candidate
                ),
                inputs: inputs.clone(),
            });
        }
        let n = series.savings_per_year.len();
        if n >= 2 && series.savings_per_year.iter().all(|&s| s >= 0.0) {
            out.push(Warning {
                candidate: b.candidate.clone(),
                kind: "never_worse",
                text: format!(
                    "{} costs no more than {} in every one of the {n} replications: a \
                     candidate that is never worse in any simulated year is rare in practice. \
                     Check the inputs that drive it: {named}.",
                    b.candidate, b.baseline
                ),
                inputs: inputs.clone(),
            });
        }
    }
    out
}

/// The inputs behind a candidate's figures: its own annual (and one-time) cost, then the
/// largest savings drivers.
fn drivers(
    scenario: &Scenario,
    b: &Budget,
    sensitivity: Option<&CompactSensitivity>,
) -> Vec<String> {
    let mut inputs = Vec::new();
    let base = join("strategies", &b.candidate);
    inputs.push(format!("{base}.annual_cost"));
    if let Some(st) = scenario.strategies.iter().find(|s| s.name == b.candidate)
        && st.one_time_cost > 0.0
    {
        inputs.push(format!("{base}.one_time_cost"));
    }
    match sensitivity.filter(|c| c.result.candidate == b.candidate) {
        Some(c) => {
            for row in &c.result.rows {
                if inputs.len() > DRIVERS {
                    break;
                }
                if !inputs.contains(&row.parameter.path) {
                    inputs.push(row.parameter.path.clone());
                }
            }
        }
        None => {
            // Without an analysis: the service that costs most when down, and how often it
            // fails (the two inputs every saving is proportional to).
            if let Some(svc) = scenario.services.iter().max_by(|x, y| {
                x.downtime_cost_per_hour
                    .total_cmp(&y.downtime_cost_per_hour)
            }) {
                let s = join("services", &svc.name);
                inputs.push(format!("{s}.downtime_cost_per_hour"));
                inputs.push(format!("{s}.failures.every"));
            }
        }
    }
    inputs
}

/// The warnings for `summary.json`.
pub fn json(warnings: &[Warning]) -> Value {
    Value::Array(
        warnings
            .iter()
            .map(|w| {
                json!({
                    "candidate": w.candidate,
                    "kind": w.kind,
                    "text": w.text,
                    "inputs": w.inputs,
                })
            })
            .collect(),
    )
}
