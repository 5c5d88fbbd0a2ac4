//! Outputs of `incsim sweep`: `sweep.csv` (one row per point × candidate), `sweep.json` (the
//! same with the break-even values) and the terminal table.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::experiment::sweep::SweepResult;
use crate::export::csv::field;
use crate::format::{money_short, percent};
use crate::report::views::axis_value;

/// The columns of `sweep.csv`.
pub const CSV_COLUMNS: [&str; 23] = [
    "parameter",
    "point",
    "value",
    "unit",
    "applied",
    "candidate",
    "baseline",
    "replications",
    "savings_per_year",
    "savings_per_year_ci95_low",
    "savings_per_year_ci95_high",
    "p_candidate_cheaper",
    "incremental_investment_per_year",
    "roi",
    "payback_months",
    "baseline_total_cost_per_year",
    "candidate_total_cost_per_year",
    "baseline_outage_hours_per_year",
    "candidate_outage_hours_per_year",
    "baseline_availability",
    "candidate_availability",
    "baseline_at_optimum",
    "candidate_at_optimum",
];

fn strategy_index(result: &SweepResult, name: &str) -> usize {
    result
        .strategies
        .iter()
        .position(|s| s == name)
        .expect("budgets name the sweep's strategies")
}

/// `sweep.csv`: one row per point and candidate, numbers in full precision.
pub fn csv(result: &SweepResult) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    let base = strategy_index(result, &result.baseline);
    for (i, point) in result.points.iter().enumerate() {
        for b in &point.budgets {
            let cand = strategy_index(result, &b.candidate);
            let (sb, sc) = (&point.strategies[base], &point.strategies[cand]);
            let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
            let cells = [
                field(&result.parameter.path),
                i.to_string(),
                point.x.to_string(),
                field(&result.axis.unit(&result.currency)),
                field(&point.applied.text),
                field(&b.candidate),
                field(&b.baseline),
                result.replications.to_string(),
                b.savings_per_year.to_string(),
                b.savings_ci95[0].to_string(),
                b.savings_ci95[1].to_string(),
                b.p_cheaper.to_string(),
                b.incremental_investment_per_year.to_string(),
                opt(b.roi),
                opt(b.payback_months),
                sb.total_cost_per_year.to_string(),
                sc.total_cost_per_year.to_string(),
                sb.outage_hours_per_year.to_string(),
                sc.outage_hours_per_year.to_string(),
                sb.availability.to_string(),
                sc.availability.to_string(),
                field(result.optima[base].label(i)),
                field(result.optima[cand].label(i)),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// A finite number, or null.
fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// `sweep.json`: the sweep's settings, every point and the break-even values.
pub fn json(result: &SweepResult) -> Value {
    let points: Vec<Value> = result
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "value": num(p.x),
                "applied": p.applied.text,
                "applied_value": num(p.applied.value),
                "note": p.applied.note,
                "candidates": p.budgets.iter().map(|b| json!({
                    "candidate": b.candidate,
                    "savings_per_year": num(b.savings_per_year),
                    "savings_per_year_ci95": [num(b.savings_ci95[0]), num(b.savings_ci95[1])],
                    "p_candidate_cheaper": num(b.p_cheaper),
                    "incremental_investment_per_year": num(b.incremental_investment_per_year),
                    "roi": b.roi.map(num),
                    "payback_months": b.payback_months.map(num),
                })).collect::<Vec<_>>(),
                "strategies": result.strategies.iter().zip(&p.strategies).zip(&result.optima).map(|((name, s), o)| json!({
                    "strategy": name,
                    "total_cost_per_year": num(s.total_cost_per_year),
                    "outage_hours_per_year": num(s.outage_hours_per_year),
                    "availability": num(s.availability),
                    "at_optimum": o.label(i),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "scenario": result.scenario,
        "currency": result.currency,
        "parameter": result.parameter.path,
        "scenario_value": result.base_text,
        "unit": result.axis.unit(&result.currency),
        "seed": result.seed,
        "replications_per_point": result.replications,
        "baseline": result.baseline,
        "points": points,
        "break_even": result.break_even.iter().map(|b| json!({
            "candidate": b.candidate,
            "value": num(b.x),
            "savings_fall_as_value_grows": b.falling,
        })).collect::<Vec<_>>(),
        "optima": result.optima.iter().map(|o| json!({
            "strategy": o.strategy,
            "best_value": num(result.points[o.best].x),
            "best_applied": result.points[o.best].applied.text,
            "best_total_cost_per_year": num(result.points[o.best].strategies[strategy_index(result, &o.strategy)].total_cost_per_year),
            "not_significantly_worse": result.points.iter().zip(&o.not_worse).filter(|(_, w)| **w).map(|(p, _)| num(p.x)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "optimum_method": OPTIMUM_METHOD,
        "incsim_version": env!("CARGO_PKG_VERSION"),
    })
}

/// How the optimum and its set are found, for sweep.json and the README.
pub const OPTIMUM_METHOD: &str = "per strategy, the point of lowest mean total cost; a point is not significantly worse unless the one-sided paired t lower bound of its per-replication cost difference from the best point (same seed and replications at every point: common random numbers) is above 0 at level 1 − 0.05/(points − 1) (Bonferroni)";

/// The sentences about each strategy's optimum: where total cost is lowest, and the range of
/// points not significantly worse.
pub fn optimum_lines(result: &SweepResult) -> Vec<String> {
    result
        .optima
        .iter()
        .enumerate()
        .map(|(s, o)| {
            let best = &result.points[o.best];
            let flat = result.points.iter().all(|p| {
                p.strategies[s].total_cost_per_year == best.strategies[s].total_cost_per_year
            });
            if flat {
                return format!(
                    "Total cost of {} does not change along this sweep ({} at every point)",
                    result.strategies[s],
                    money_short(best.strategies[s].total_cost_per_year, &result.currency)
                );
            }
            let others: Vec<String> = result
                .points
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != o.best && o.not_worse[*j])
                .map(|(_, p)| p.applied.text.clone())
                .collect();
            let edge = if o.best == 0 || o.best + 1 == result.points.len() {
                " (at the edge of the range: the optimum may lie beyond it)"
            } else {
                ""
            };
            format!(
                "Lowest total cost for {}: {} at {}{edge}; not significantly worse: {}",
                result.strategies[s],
                money_short(best.strategies[s].total_cost_per_year, &result.currency),
                best.applied.text,
                if others.is_empty() {
                    "no other point".to_string()
                } else {
                    others.join(", ")
                }
            )
        })
        .collect()
}

/// The sentences about break-even, one per crossing; a sentence saying there is none if so.
pub fn break_even_lines(result: &SweepResult) -> Vec<String> {
    let path = &result.parameter.path;
    if result.break_even.is_empty() {
        let candidates: Vec<&str> = result
            .strategies
            .iter()
            .filter(|s| **s != result.baseline)
            .map(String::as_str)
            .collect();
        return vec![format!(
            "No break-even in this range: the mean savings of {} over {} keep their sign from {} to {}",
            candidates.join(", "),
            result.baseline,
            axis_value(result, result.points.first().map_or(0.0, |p| p.x)),
            axis_value(result, result.points.last().map_or(0.0, |p| p.x)),
        )];
    }
    result
        .break_even
        .iter()
        .map(|b| {
            let at = axis_value(result, b.x);
            if b.falling {
                format!(
                    "Break-even: {} saves money over {} while {path} is below {at}, and costs more above it",
                    b.candidate, result.baseline
                )
            } else {
                format!(
                    "Break-even: {} costs more than {} while {path} is below {at}, and saves money above it",
                    b.candidate, result.baseline
                )
            }
        })
        .collect()
}

/// The terminal table: one line per point, savings and P(cheaper) per candidate, then the
/// break-even sentences.
pub fn terminal(result: &SweepResult) -> String {
    let cur = &result.currency;
    let mut header = vec![result.parameter.path.clone()];
    let candidates: Vec<String> = result
        .points
        .first()
        .map(|p| p.budgets.iter().map(|b| b.candidate.clone()).collect())
        .unwrap_or_default();
    for c in &candidates {
        header.push(format!("{c} saves/yr [95% CI]"));
        header.push("cheaper".into());
    }
    let mut rows = vec![header];
    for p in &result.points {
        let mut row = vec![match p.setting {
            crate::experiment::vary::Setting::Times(_) => {
                format!("{} → {}", result.axis.format(p.x, cur), p.applied.text)
            }
            crate::experiment::vary::Setting::To(_) => p.applied.text.clone(),
        }];
        for b in &p.budgets {
            row.push(format!(
                "{} [{}, {}]",
                money_short(b.savings_per_year, cur),
                money_short(b.savings_ci95[0], cur),
                money_short(b.savings_ci95[1], cur)
            ));
            row.push(percent(b.p_cheaper));
        }
        rows.push(row);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — sweep of {} (scenario value {}): {} points × {} replications, seed {}, savings over {}\n",
        result.scenario,
        result.parameter.path,
        if result.parameter.kind == crate::experiment::vary::Kind::Money {
            crate::format::money(result.base_value, &result.currency)
        } else {
            result.base_text.clone()
        },
        result.points.len(),
        result.replications,
        result.seed,
        result.baseline
    );
    out.push_str(&crate::format::aligned_table(&rows, &[0]));
    out.push('\n');
    for line in break_even_lines(result) {
        out.push_str(&line);
        out.push('\n');
    }
    for line in optimum_lines(result) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
