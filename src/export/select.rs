//! Outputs of `incsim select`: `selection.json`, the terminal lines, and the
//! multiple-comparisons-with-the-best table as HTML for the report.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::experiment::select::{Selection, Stop};
use crate::format::{aligned_table, money_short, thousands};

/// How the selection was made, for selection.json and the terminal.
pub const METHOD: &str = "Kim & Nelson (2001) fully sequential procedure KN (c = 1) on paired differences with common random numbers; at KN's last stage the subset of strategies left that no other beats significantly (one-sided paired t at 1 − α/(k−1)); MCB: Hsu's constrained intervals from paired differences with a Bonferroni critical value";

fn value(sel: &Selection, x: f64, currency: &str) -> String {
    if sel.metric.def().kind == crate::metrics::Kind::Money {
        money_short(x, currency)
    } else {
        format!("{x:.4}")
    }
}

/// A finite number, or null.
fn num(x: f64) -> Value {
    let x = if x == 0.0 { 0.0 } else { x };
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// `selection.json`.
pub fn json(sel: &Selection, scenario: &str, seed: u64, currency: &str) -> Value {
    json!({
        "scenario": scenario,
        "currency": currency,
        "seed": seed,
        "metric": sel.metric.name(),
        "delta": num(sel.delta),
        "confidence": num(sel.confidence),
        "first_stage": sel.first_stage,
        "h2": num(sel.h2),
        "method": METHOD,
        "best": sel.best,
        "answer": answer(sel),
        "stopped": match sel.stop {
            Stop::Screened => "screened",
            Stop::LastStage => "last_stage",
            Stop::Cap => "max_replications",
        },
        "strategies": sel.strategies.iter().enumerate().map(|(i, s)| json!({
            "strategy": s,
            "replications": sel.replications[i],
            "mean": num(sel.means[i]),
        })).collect::<Vec<_>>(),
        "eliminations": sel.eliminations.iter().map(|e| json!({
            "strategy": e.strategy,
            "after_replications": e.after_replications,
            "by": e.by,
            "mean_diff": num(e.mean_diff),
        })).collect::<Vec<_>>(),
        "mcb_replications": sel.mcb_replications,
        "mcb": sel.mcb.iter().map(|m| json!({
            "strategy": m.strategy,
            "mean": num(m.mean),
            "worse_than_best_other": [num(m.worse_than_best_other[0]), num(m.worse_than_best_other[1])],
            "the_best": m.the_best,
            "not_the_best": m.not_the_best,
        })).collect::<Vec<_>>(),
        "incsim_version": env!("CARGO_PKG_VERSION"),
    })
}

/// `best: NAME` or `best is one of: A, B`.
pub fn answer(sel: &Selection) -> String {
    if sel.best.len() == 1 {
        format!("best: {}", sel.best[0])
    } else {
        format!("best is one of: {}", sel.best.join(", "))
    }
}

/// The terminal text: the answer first, then replications, eliminations and the MCB table.
pub fn terminal(sel: &Selection, scenario: &str, seed: u64, currency: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{scenario} — selection on {} (KN, Kim & Nelson 2001, with common random numbers): δ = {}, confidence {:.0} %, first stage {}, seed {seed}\n",
        sel.metric.name(),
        value(sel, sel.delta, currency),
        sel.confidence * 100.0,
        sel.first_stage
    );
    let _ = writeln!(out, "{}", answer(sel));
    if sel.stop == Stop::Cap {
        let _ = writeln!(
            out,
            "(stopped at --max-replications before KN could finish: the answer holds with less than the stated confidence)"
        );
    }
    let _ = writeln!(out, "\nReplications per strategy:");
    let mut rows = vec![vec![
        "strategy".to_string(),
        "replications".into(),
        format!("mean {}", sel.metric.name()),
    ]];
    for (i, s) in sel.strategies.iter().enumerate() {
        rows.push(vec![
            s.clone(),
            thousands(sel.replications[i] as f64),
            value(sel, sel.means[i], currency),
        ]);
    }
    out.push_str(&aligned_table(&rows, &[0]));
    if sel.eliminations.is_empty() {
        let _ = writeln!(out, "\nNo strategy was eliminated.");
    } else {
        let _ = writeln!(out, "\nEliminations, in order:");
        for (n, e) in sel.eliminations.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {} after {} replications (by {}: {} {})",
                n + 1,
                e.strategy,
                e.after_replications,
                e.by,
                value(sel, e.mean_diff.abs(), currency),
                if sel.metric.direction().higher_is_better() {
                    "lower"
                } else {
                    "higher"
                }
            );
        }
    }
    let _ = writeln!(
        out,
        "\nMultiple comparisons with the best ({} replications of each): how much worse than the best of the others",
        sel.mcb_replications
    );
    let mut rows = vec![vec![
        "strategy".to_string(),
        "mean".into(),
        "worse by [simultaneous CI]".into(),
        "verdict".into(),
    ]];
    for m in &sel.mcb {
        rows.push(vec![
            m.strategy.clone(),
            value(sel, m.mean, currency),
            format!(
                "[{}, {}]",
                value(sel, m.worse_than_best_other[0], currency),
                value(sel, m.worse_than_best_other[1], currency)
            ),
            verdict(m).into(),
        ]);
    }
    out.push_str(&aligned_table(&rows, &[0, 3]));
    out
}

fn verdict(m: &crate::experiment::select::McbRow) -> &'static str {
    if m.the_best {
        "the best"
    } else if m.not_the_best {
        "not the best"
    } else {
        "may be the best"
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The MCB table as an HTML `<table>` for report.html (the lead places it).
pub fn mcb_html(sel: &Selection, currency: &str) -> String {
    let mut out = String::from(
        "<table class=\"mcb\">\n<thead><tr><th>strategy</th><th>mean</th><th>worse than the best of the others (simultaneous CI)</th><th>verdict</th></tr></thead>\n<tbody>\n",
    );
    for m in &sel.mcb {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
            escape(&m.strategy),
            escape(&value(sel, m.mean, currency)),
            escape(&value(sel, m.worse_than_best_other[0], currency)),
            escape(&value(sel, m.worse_than_best_other[1], currency)),
            verdict(m)
        );
    }
    let _ = write!(
        out,
        "</tbody>\n</table>\n<p class=\"method\">{} — {} replications of each strategy. {}</p>\n",
        escape(&answer(sel)),
        sel.mcb_replications,
        escape(METHOD)
    );
    out
}
