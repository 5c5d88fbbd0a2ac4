//! The outputs of `run --uncertainty N` ([`crate::experiment::uncertainty`]): the
//! `uncertainty` block of summary.json, sections of the terminal, summary.md and report.html,
//! and `uncertainty.csv` (one row per parameter set). Every figure is computed once, in
//! [`View::build`], and each format only lays it out.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::experiment::uncertainty::{Uncertainty, p10_p50_p90};
use crate::export::html::escape;
use crate::format::{money, money_short, percent};
use crate::metrics::Metric;
use crate::report::Report;
use crate::scenario::Scenario;
use crate::scenario::fields::Kind;

/// How the ranges were computed, in one sentence (summary.json `method`, the report).
pub const METHOD: &str = "Latin hypercube sampling (McKay, Beckman & Conover, 1979) of the \
uncertain inputs, deterministic from the seed; every parameter set runs the same replications \
with the same random numbers (common random numbers across sets and strategies); P10/P50/P90 \
are type-7 quantiles, across parameter sets, of each expected value (the mean over \
replications); drivers: Spearman rank correlation of each input with the candidate's expected \
net savings per year across parameter sets";

/// "2 uncertain inputs at their mode; --uncertainty N to admit them", for a plain run of a
/// scenario that declares any (None otherwise).
pub fn plain_run_note(scenario: &Scenario) -> Option<String> {
    let n = scenario.uncertain.len();
    (n > 0).then(|| {
        format!(
            "{n} uncertain input{} at {} mode; --uncertainty N to admit {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "its" } else { "their" },
            if n == 1 { "it" } else { "them" },
        )
    })
}

/// The note of a command that runs the scenario at fixed inputs (`sweep`, a grid,
/// `sensitivity`, `select`) when the scenario declares uncertain inputs: they are at their
/// modes, as in a plain run, except those the command sets itself (`overridden`: a sweep's
/// varied fields, by path), which are named. None without uncertain inputs.
///
/// "2 uncertain inputs at their mode (a, b); the sweep does not admit their ranges (incsim
/// run --uncertainty N does); c is uncertain (PERT …), but the sweep sets it itself".
pub fn fixed_inputs_note(
    scenario: &Scenario,
    command: &str,
    overridden: &[&str],
) -> Option<String> {
    if scenario.uncertain.is_empty() {
        return None;
    }
    let (varied, at_mode): (Vec<_>, Vec<_>) = scenario
        .uncertain
        .iter()
        .partition(|u| overridden.contains(&u.path.as_str()));
    let mut parts = Vec::new();
    if !at_mode.is_empty() {
        let n = at_mode.len();
        let paths: Vec<&str> = at_mode.iter().map(|u| u.path.as_str()).collect();
        parts.push(format!(
            "{n} uncertain input{} at {} mode ({}); the {command} does not admit {} range{} \
             (incsim run --uncertainty N does)",
            if n == 1 { "" } else { "s" },
            if n == 1 { "its" } else { "their" },
            paths.join(", "),
            if n == 1 { "its" } else { "their" },
            if n == 1 { "" } else { "s" },
        ));
    }
    for u in varied {
        parts.push(format!(
            "{} is uncertain ({}), but the {command} sets it itself, overriding its range",
            u.path,
            u.describe()
        ));
    }
    Some(parts.join("; "))
}

/// The `uncertain_inputs` block of a fixed-input command's JSON (sweep.json,
/// sensitivity.json, selection.json): [`fixed_inputs_note`] and, per uncertain input, its
/// spread and the value used (`mode`, or `varied` for a field the command sets itself). None
/// without uncertain inputs, so the files of other scenarios are unchanged.
pub fn fixed_inputs_json(scenario: &Scenario, command: &str, overridden: &[&str]) -> Option<Value> {
    let note = fixed_inputs_note(scenario, command, overridden)?;
    let inputs: Vec<Value> = scenario
        .uncertain
        .iter()
        .map(|u| {
            let varied = overridden.contains(&u.path.as_str());
            json!({
                "input": u.path,
                "spread": u.spread,
                "used": if varied { "varied" } else { "mode" },
                "mode": num(u.mode()),
                "unit": unit(u.field().kind),
            })
        })
        .collect();
    Some(json!({ "note": note, "inputs": inputs }))
}

/// Add [`fixed_inputs_json`] to a command's JSON object as `uncertain_inputs` (nothing when
/// the scenario declares no uncertain input).
pub fn add_fixed_inputs(json: &mut Value, scenario: &Scenario, command: &str, overridden: &[&str]) {
    if let (Some(block), Some(object)) = (
        fixed_inputs_json(scenario, command, overridden),
        json.as_object_mut(),
    ) {
        object.insert("uncertain_inputs".to_string(), block);
    }
}

/// One strategy's expected cost across parameter sets, next to the plain run's.
pub struct StrategyRange {
    pub name: String,
    pub metric: Metric,
    /// P10, P50, P90 across parameter sets of the expected value (per horizon).
    pub across_sets: [f64; 3],
    /// The plain run (inputs at their modes): mean and 95 % CI across replications.
    pub plain_mean: Option<f64>,
    pub plain_ci95: Option<[f64; 2]>,
}

impl StrategyRange {
    /// P10, P50, P90 across sets and the plain run's 95 % CI, as money: the cells that
    /// summary.md and report.html both show.
    fn money_cells(&self, cur: &str) -> [String; 4] {
        [
            money(self.across_sets[0], cur),
            money(self.across_sets[1], cur),
            money(self.across_sets[2], cur),
            match self.plain_ci95 {
                Some(ci) => format!("{} to {}", money(ci[0], cur), money(ci[1], cur)),
                None => "n/a".into(),
            },
        ]
    }
}

/// One comparison across parameter sets.
pub struct ComparisonRange {
    pub baseline: String,
    pub candidate: String,
    /// P10, P50, P90 across parameter sets of the expected net savings per year.
    pub savings: [f64; 3],
    /// The plain run's savings per year and its 95 % CI (across replications).
    pub plain_savings: f64,
    pub plain_savings_ci95: [f64; 2],
    /// Share of parameter sets in which the candidate's expected total cost is lower.
    pub p_cheaper: f64,
    /// P10, P50, P90 across parameter sets of the NPV.
    pub npv: [f64; 3],
    /// The plain run's NPV and its P10/P90 across replications.
    pub plain_npv: f64,
    pub plain_npv_p10_p90: [f64; 2],
    /// Each input's path and Spearman correlation with the savings, strongest first.
    pub drivers: Vec<(String, Option<f64>)>,
}

/// Every figure the outputs show.
pub struct View<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a Uncertainty,
    pub strategies: Vec<StrategyRange>,
    pub comparisons: Vec<ComparisonRange>,
    /// Whether the scenario has a `[finance]` table (NPV shown in words only then).
    pub has_finance: bool,
}

impl<'a> View<'a> {
    /// Compute the figures of `result`, with the plain run's `report` beside them.
    pub fn build(scenario: &'a Scenario, result: &'a Uncertainty, report: &Report) -> View<'a> {
        let mut strategies = Vec::new();
        for (s, strategy) in report.strategies.iter().enumerate() {
            for &metric in &result.metrics {
                let plain = strategy.metric(metric);
                strategies.push(StrategyRange {
                    name: strategy.name.clone(),
                    metric,
                    across_sets: p10_p50_p90(&result.expected(s, metric)),
                    plain_mean: plain.map(|p| p.mean),
                    plain_ci95: plain.filter(|p| p.n >= 2).map(|p| p.ci95),
                });
            }
        }
        let comparisons = result
            .candidates
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let name = &scenario.strategies[c].name;
                let budget = report
                    .budgets
                    .iter()
                    .find(|b| &b.candidate == name)
                    .expect("a budget per candidate");
                ComparisonRange {
                    baseline: budget.baseline.clone(),
                    candidate: name.clone(),
                    savings: p10_p50_p90(&result.savings(k)),
                    plain_savings: budget.savings_per_year,
                    plain_savings_ci95: budget.savings_ci95,
                    p_cheaper: result.p_cheaper(k),
                    npv: p10_p50_p90(&result.npv(k)),
                    plain_npv: budget.case.npv,
                    plain_npv_p10_p90: [budget.case.npv_p10, budget.case.npv_p90],
                    drivers: result
                        .drivers(k)
                        .into_iter()
                        .map(|(i, rho)| (scenario.uncertain[i].path.clone(), rho))
                        .collect(),
                }
            })
            .collect();
        View {
            scenario,
            result,
            strategies,
            comparisons,
            has_finance: !scenario.finance.is_default(),
        }
    }

    fn cur(&self) -> &str {
        &self.scenario.currency
    }

    /// The summary.json `uncertainty` block.
    pub fn json(&self) -> Value {
        let inputs: Vec<Value> = self
            .scenario
            .uncertain
            .iter()
            .map(|u| {
                json!({
                    "input": u.path,
                    "spread": u.spread,
                    "plain_run_value": num(u.mode()),
                    "unit": unit(u.field().kind),
                })
            })
            .collect();
        let mut strategies = serde_json::Map::new();
        for r in &self.strategies {
            let entry = strategies
                .entry(r.name.clone())
                .or_insert_with(|| Value::Object(Default::default()));
            entry[r.metric.name()] = json!({
                "p10": num(r.across_sets[0]),
                "p50": num(r.across_sets[1]),
                "p90": num(r.across_sets[2]),
                "plain_run_mean": r.plain_mean.map_or(Value::Null, num),
                "plain_run_ci95": r.plain_ci95.map_or(Value::Null, |c| json!([num(c[0]), num(c[1])])),
            });
        }
        let comparisons: Vec<Value> = self
            .comparisons
            .iter()
            .map(|c| {
                json!({
                    "baseline": c.baseline,
                    "candidate": c.candidate,
                    "savings_per_year": {
                        "p10": num(c.savings[0]),
                        "p50": num(c.savings[1]),
                        "p90": num(c.savings[2]),
                        "plain_run_mean": num(c.plain_savings),
                        "plain_run_ci95": [num(c.plain_savings_ci95[0]), num(c.plain_savings_ci95[1])],
                    },
                    "p_cheaper": num(c.p_cheaper),
                    "npv": {
                        "p10": num(c.npv[0]),
                        "p50": num(c.npv[1]),
                        "p90": num(c.npv[2]),
                        "plain_run": num(c.plain_npv),
                        "plain_run_p10_across_replications": num(c.plain_npv_p10_p90[0]),
                        "plain_run_p90_across_replications": num(c.plain_npv_p10_p90[1]),
                    },
                    "drivers": c.drivers.iter().map(|(input, rho)| json!({
                        "input": input,
                        "spearman": rho.map_or(Value::Null, num),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "method": METHOD,
            "n_sets": self.result.sets.len(),
            "replications_per_set": self.result.replications,
            "recosted": self.result.recosted,
            "inputs": inputs,
            "strategies": strategies,
            "comparisons": comparisons,
        })
    }

    /// The terminal's section: one line per strategy's total cost, one per comparison.
    pub fn terminal(&self) -> String {
        let cur = self.cur();
        let mut out = format!(
            "\nAcross {} parameter sets ({} uncertain input{}, Latin hypercube; P10 / P50 / P90 of the expected value):\n",
            self.result.sets.len(),
            self.scenario.uncertain.len(),
            if self.scenario.uncertain.len() == 1 {
                ""
            } else {
                "s"
            },
        );
        let mut rows = vec![vec![
            String::new(),
            "P10".to_string(),
            "P50".to_string(),
            "P90".to_string(),
            "plain run ± 95% CI (across replications)".to_string(),
        ]];
        for r in self
            .strategies
            .iter()
            .filter(|r| r.metric == Metric::TOTAL_COST)
        {
            rows.push(vec![
                format!("{} total cost", r.name),
                money_short(r.across_sets[0], cur),
                money_short(r.across_sets[1], cur),
                money_short(r.across_sets[2], cur),
                match (r.plain_mean, r.plain_ci95) {
                    (Some(m), Some(ci)) => format!(
                        "{} ± {}",
                        money_short(m, cur),
                        money_short((ci[1] - ci[0]) / 2.0, cur)
                    ),
                    (Some(m), None) => money_short(m, cur),
                    _ => "—".into(),
                },
            ]);
        }
        for c in &self.comparisons {
            rows.push(vec![
                format!("{} savings / yr", c.candidate),
                money_short(c.savings[0], cur),
                money_short(c.savings[1], cur),
                money_short(c.savings[2], cur),
                format!(
                    "{} [{}, {}]",
                    money_short(c.plain_savings, cur),
                    money_short(c.plain_savings_ci95[0], cur),
                    money_short(c.plain_savings_ci95[1], cur)
                ),
            ]);
        }
        out.push_str(&crate::format::aligned_table(&rows, &[0]));
        for c in &self.comparisons {
            let _ = write!(
                out,
                "{} is cheaper than {} in {} of parameter sets",
                c.candidate,
                c.baseline,
                percent(c.p_cheaper)
            );
            if let Some((input, Some(rho))) = c.drivers.first() {
                let _ = write!(
                    out,
                    "; the spread is driven most by {input} (Spearman ρ = {rho:+.2})"
                );
            }
            out.push('\n');
        }
        out
    }

    /// The summary.md section.
    pub fn markdown(&self) -> String {
        let cur = self.cur();
        let cell = crate::export::escape::markdown_text;
        let mut out = format!(
            "## Input uncertainty\n\n{} parameter sets of {} uncertain input{} (Latin hypercube), {} replications each. \
             The ranges are **across parameter sets** (how the expected value moves with the inputs); \
             the confidence intervals are **across replications** of the plain run, inputs at their modes.\n\n",
            self.result.sets.len(),
            self.scenario.uncertain.len(),
            if self.scenario.uncertain.len() == 1 {
                ""
            } else {
                "s"
            },
            self.result.replications,
        );
        out.push_str("| input | spread | plain run uses |\n|---|---|---:|\n");
        for u in &self.scenario.uncertain {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                u.path,
                cell(&u.describe()),
                cell(&u.show(u.mode()))
            );
        }
        out.push_str("\n| expected value | P10 | P50 | P90 | plain run, 95 % CI |\n|---|---:|---:|---:|---:|\n");
        for r in self
            .strategies
            .iter()
            .filter(|r| matches!(r.metric, Metric::TOTAL_COST | Metric::DOWNTIME_COST))
        {
            let c = r.money_cells(cur);
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} |",
                cell(&r.name),
                r.metric.def().label.to_lowercase(),
                c[0],
                c[1],
                c[2],
                c[3]
            );
        }
        for c in &self.comparisons {
            let _ = writeln!(
                out,
                "| {} savings / yr vs {} | {} | {} | {} | {} to {} |",
                cell(&c.candidate),
                cell(&c.baseline),
                money(c.savings[0], cur),
                money(c.savings[1], cur),
                money(c.savings[2], cur),
                money(c.plain_savings_ci95[0], cur),
                money(c.plain_savings_ci95[1], cur),
            );
        }
        out.push('\n');
        for c in &self.comparisons {
            let _ = write!(
                out,
                "{} is cheaper than {} in {} of parameter sets.",
                cell(&c.candidate),
                cell(&c.baseline),
                percent(c.p_cheaper)
            );
            if self.has_finance {
                let _ = write!(
                    out,
                    " NPV across parameter sets: P10 {}, P90 {} (across replications: P10 {}, P90 {}).",
                    money(c.npv[0], cur),
                    money(c.npv[2], cur),
                    money(c.plain_npv_p10_p90[0], cur),
                    money(c.plain_npv_p10_p90[1], cur),
                );
            }
            let drivers: Vec<String> = c
                .drivers
                .iter()
                .map(|(input, rho)| match rho {
                    Some(r) => format!("`{input}` {r:+.2}"),
                    None => format!("`{input}` (no variation)"),
                })
                .collect();
            let _ = writeln!(
                out,
                " Drivers (Spearman ρ with the savings): {}.\n",
                drivers.join(", ")
            );
        }
        out
    }

    /// The report.html section.
    pub fn html(&self, out: &mut String) {
        let cur = self.cur();
        out.push_str("<section id=\"uncertainty\">\n<h2>Input uncertainty</h2>\n");
        let _ = writeln!(
            out,
            "<p>The scenario gives {n} input{s} as a range rather than one value. {sets} parameter \
             sets were drawn from those ranges (Latin hypercube) and each ran the same {reps} \
             replications. The P10–P90 ranges below are <strong>across parameter sets</strong>: \
             how the expected outcome moves with what is not known about the inputs. The 95 % \
             confidence intervals are <strong>across replications</strong> of the plain run \
             (every input at its mode): the simulation’s own noise.</p>",
            n = self.scenario.uncertain.len(),
            s = if self.scenario.uncertain.len() == 1 {
                ""
            } else {
                "s"
            },
            sets = self.result.sets.len(),
            reps = self.result.replications,
        );
        out.push_str(
            "<div class=\"table-wrap\"><table>\n<thead><tr><th>input</th><th>spread</th>\
             <th class=\"num\">plain run uses</th></tr></thead>\n<tbody>\n",
        );
        for u in &self.scenario.uncertain {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(&u.path),
                escape(&u.describe()),
                escape(&u.show(u.mode()))
            );
        }
        out.push_str("</tbody></table></div>\n");
        out.push_str(
            "<div class=\"table-wrap\"><table>\n<thead><tr><th>expected value</th>\
             <th class=\"num\">P10 across sets</th><th class=\"num\">P50</th>\
             <th class=\"num\">P90 across sets</th>\
             <th class=\"num\">plain run, 95 % CI across replications</th></tr></thead>\n<tbody>\n",
        );
        for r in self
            .strategies
            .iter()
            .filter(|r| matches!(r.metric, Metric::TOTAL_COST | Metric::DOWNTIME_COST))
        {
            let c = r.money_cells(cur);
            let _ = writeln!(
                out,
                "<tr><td>{} — {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&r.name),
                escape(&r.metric.def().label.to_lowercase()),
                c[0],
                c[1],
                c[2],
                c[3]
            );
        }
        for c in &self.comparisons {
            let _ = writeln!(
                out,
                "<tr><td>{} — net savings per year vs {}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} to {}</td></tr>",
                escape(&c.candidate),
                escape(&c.baseline),
                money(c.savings[0], cur),
                money(c.savings[1], cur),
                money(c.savings[2], cur),
                money(c.plain_savings_ci95[0], cur),
                money(c.plain_savings_ci95[1], cur),
            );
            if self.has_finance {
                let _ = writeln!(
                    out,
                    "<tr><td>{} — NPV vs {}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">P10 {} to P90 {} across replications</td></tr>",
                    escape(&c.candidate),
                    escape(&c.baseline),
                    money(c.npv[0], cur),
                    money(c.npv[1], cur),
                    money(c.npv[2], cur),
                    money(c.plain_npv_p10_p90[0], cur),
                    money(c.plain_npv_p10_p90[1], cur),
                );
            }
        }
        out.push_str("</tbody></table></div>\n");
        for c in &self.comparisons {
            let drivers: Vec<String> = c
                .drivers
                .iter()
                .map(|(input, rho)| match rho {
                    Some(r) => format!("<code>{}</code> (ρ = {r:+.2})", escape(input)),
                    None => format!("<code>{}</code> (no variation)", escape(input)),
                })
                .collect();
            let _ = writeln!(
                out,
                "<p><strong>{}</strong> is cheaper than {} in {} of parameter sets. What drives \
                 the spread of its savings, by Spearman rank correlation across parameter sets: \
                 {}.</p>",
                escape(&c.candidate),
                escape(&c.baseline),
                percent(c.p_cheaper),
                drivers.join(", ")
            );
        }
        let _ = writeln!(out, "<p class=\"note\">Method: {}.</p>", escape(METHOD));
        out.push_str("</section>\n");
    }

    /// `uncertainty.csv`: one row per parameter set, its inputs (durations in minutes) and
    /// each strategy's expected costs, each candidate's expected savings per year and NPV.
    pub fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["set".to_string()];
        header.extend(self.scenario.uncertain.iter().map(|u| u.path.clone()));
        for s in &self.scenario.strategies {
            for m in &self.result.metrics {
                header.push(format!("{}.{}", s.name, m.name()));
            }
        }
        for &c in &self.result.candidates {
            let name = &self.scenario.strategies[c].name;
            header.push(format!("{name}.savings_per_year"));
            header.push(format!("{name}.npv"));
        }
        w.write_record(&header)?;
        for (i, set) in self.result.sets.iter().enumerate() {
            let mut row = vec![(i + 1).to_string()];
            row.extend(set.inputs.iter().map(|x| float(*x)));
            for means in &set.means {
                row.extend(means.iter().map(|x| float(*x)));
            }
            for (s, n) in set.savings_per_year.iter().zip(&set.npv) {
                row.push(float(*s));
                row.push(float(*n));
            }
            w.write_record(&row)?;
        }
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// The unit of an input's values in summary.json and uncertainty.csv: durations in minutes,
/// other fields as the scenario writes them (`money`, `probability`, `number`, `integer`).
fn unit(kind: Kind) -> &'static str {
    match kind {
        Kind::Duration | Kind::Dist => "minutes",
        other => other.written(),
    }
}

/// A float for CSV: shortest round-trip text (Rust's `Display`), empty for non-finite.
fn float(x: f64) -> String {
    if x.is_finite() {
        let x = if x == 0.0 { 0.0 } else { x };
        format!("{x}")
    } else {
        String::new()
    }
}

/// A finite number, or null (JSON has no NaN). Negative zero is written as 0.
fn num(x: f64) -> Value {
    let x = if x == 0.0 { 0.0 } else { x };
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}
