//! Outputs of `incsim sensitivity`: `sensitivity.csv` (one row per input, ranked),
//! `sensitivity.json` and the terminal table.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::experiment::sensitivity::SensitivityResult;
use crate::experiment::vary::short_text;
use crate::export::csv::field;
use crate::format::{change_label, money_short};

/// The columns of `sensitivity.csv`.
pub const CSV_COLUMNS: [&str; 13] = [
    "rank",
    "parameter",
    "scenario_value",
    "low_value",
    "high_value",
    "change",
    "candidate",
    "baseline",
    "savings_per_year_base",
    "savings_per_year_low",
    "savings_per_year_high",
    "swing",
    "note",
];

/// `sensitivity.csv`: the inputs in rank order (largest swing first).
pub fn csv(result: &SensitivityResult) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for (i, row) in result.rows.iter().enumerate() {
        let cells = [
            (i + 1).to_string(),
            field(&row.parameter.path),
            field(&row.base_text),
            field(&row.low.text),
            field(&row.high.text),
            result.by.to_string(),
            field(&result.candidate),
            field(&result.baseline),
            result.base_savings.to_string(),
            row.savings_low.to_string(),
            row.savings_high.to_string(),
            row.swing.to_string(),
            field(row.note.as_deref().unwrap_or("")),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// `sensitivity.json`.
pub fn json(result: &SensitivityResult) -> Value {
    json!({
        "scenario": result.scenario,
        "currency": result.currency,
        "candidate": result.candidate,
        "baseline": result.baseline,
        "change": num(result.by),
        "seed": result.seed,
        "replications_per_run": result.replications,
        "savings_per_year_base": num(result.base_savings),
        "inputs": result.rows.iter().enumerate().map(|(i, r)| json!({
            "rank": i + 1,
            "parameter": r.parameter.path,
            "scenario_value": r.base_text,
            "low_value": r.low.text,
            "high_value": r.high.text,
            "savings_per_year_low": num(r.savings_low),
            "savings_per_year_high": num(r.savings_high),
            "swing": num(r.swing),
            "note": r.note,
        })).collect::<Vec<_>>(),
        "incsim_version": env!("CARGO_PKG_VERSION"),
    })
}

/// The terminal table: inputs by swing, then those a relative change cannot move.
pub fn terminal(result: &SensitivityResult) -> String {
    let cur = &result.currency;
    let by = change_label(result.by);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — sensitivity of {}'s savings over {} to ±{by} changes, one input at a time \
         ({} replications per run, seed {})",
        result.scenario, result.candidate, result.baseline, result.replications, result.seed
    );
    let _ = writeln!(
        out,
        "savings in the scenario as it is: {}/yr\n",
        money_short(result.base_savings, cur)
    );
    let mut rows = vec![vec![
        "#".to_string(),
        "input".to_string(),
        "value".to_string(),
        format!("−{by}"),
        format!("+{by}"),
        format!("saves/yr at −{by}"),
        format!("at +{by}"),
        "swing".to_string(),
    ]];
    let moved: Vec<_> = result.rows.iter().filter(|r| !r.unchanged).collect();
    for (i, r) in moved.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            r.parameter.path.clone(),
            short_text(r.parameter.kind, r.parameter_base),
            short_text(r.parameter.kind, r.low.value),
            short_text(r.parameter.kind, r.high.value),
            money_short(r.savings_low, cur),
            money_short(r.savings_high, cur),
            money_short(r.swing, cur),
        ]);
    }
    // Names and values read best left-aligned.
    out.push_str(&crate::format::aligned_table(&rows, &[1, 2]));
    let clamped: Vec<String> = moved
        .iter()
        .filter_map(|r| {
            r.note
                .as_ref()
                .map(|n| format!("{}: {n}", r.parameter.path))
        })
        .collect();
    if !clamped.is_empty() {
        out.push_str("\nRules of change applied (docs/model.md §6):\n");
        for c in clamped {
            let _ = writeln!(out, "  {c}");
        }
    }
    let unchanged: Vec<String> = result
        .rows
        .iter()
        .filter(|r| r.unchanged)
        .map(|r| format!("{} ({})", r.parameter.path, r.base_text))
        .collect();
    if !unchanged.is_empty() {
        let _ = writeln!(
            out,
            "\nNot moved by ±{by} (0 in the scenario, or one engineer that rounds back to one): {}",
            unchanged.join(", ")
        );
    }
    out
}
