//! `report.html`: the budget-justification report an IT leader hands to a finance reviewer.
//!
//! One self-contained file: the charts are inline SVG, the CSS is inline, there is no script,
//! no web font and no link that needs a network. Reading order: executive summary (annual
//! savings with 95 % CI, ROI, payback, probability the candidate is cheaper), the comparison
//! table, the charts, the scenario's assumptions in plain words, and the method, so that a
//! reviewer can audit every figure. Every string that comes from the scenario is escaped.
//!
//! Figures carry `data-*` attributes naming the `summary.json` field they show, so tests (and
//! scripts) can check the page against the JSON.

use std::fmt::Write;

use crate::charts::set::RunChart;
use crate::experiment::compact::CompactSensitivity;
use crate::export::terminal::{mean_ci, paired_cells, quantiles, verdicts};
use crate::export::warnings::Warning;
use crate::format::{money, money_short, number, payback, percent, roi};
use crate::metrics::Metric;
use crate::report::{Budget, Report};
use crate::scenario::duration::format_minutes;
use crate::scenario::fields;
use crate::scenario::{Dist, MINUTES_PER_YEAR, Scenario};

/// Escape text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1d1d1f; --muted: #5b6066; --line: #d9dce0; --soft: #f4f5f7; --accent: #0072b2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1120px; padding: 32px 40px 48px; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
h1 { font-size: 30px; line-height: 1.2; margin: 4px 0 8px; }
h2 { font-size: 22px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 24px 0 8px; }
h4 { font-size: 15px; margin: 16px 0 4px; }
p { margin: 6px 0 10px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); margin: 0; }
.lede { font-size: 17px; color: var(--muted); margin: 0 0 6px; }
.meta { font-size: 13px; color: var(--muted); }
.warnings { border: 1px solid #e0b04c; background: #fff8e6; border-radius: 6px; padding: 8px 14px; margin: 8px 0 14px; }
.warnings ul { margin: 4px 0 0; padding-left: 20px; }
.verdict { font-size: 19px; font-weight: 600; margin: 8px 0 14px; }
.verdict .name { white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; margin: 0 0 12px; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 6px; padding: 12px 14px; background: #fff; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.card .label .name { text-transform: none; letter-spacing: 0; font-weight: 600; }
.card .value { font-size: 26px; font-weight: 700; line-height: 1.25; margin: 4px 0 2px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card .sub { font-size: 12.5px; color: var(--muted); }
.facts { margin: 6px 0 0; padding-left: 20px; }
.facts li { margin: 2px 0; }
.note { font-size: 13px; color: var(--muted); }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 13.5px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td:first-child { white-space: nowrap; }
th { text-align: left; background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.q { font-size: 12px; color: var(--muted); font-weight: 400; }
th .q { text-transform: none; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
figure { margin: 18px 0 30px; }
figure svg { display: block; width: 100%; max-width: 960px; height: auto; border: 1px solid var(--line); }
figcaption { max-width: 960px; font-size: 13.5px; color: var(--muted); margin-top: 6px; }
figcaption strong { color: var(--ink); }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; background: var(--soft); padding: 1px 4px; border-radius: 3px; }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--line); font-size: 12px; color: var(--muted); }
@media (max-width: 820px) { body { padding: 20px; } .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@page { margin: 12mm 10mm; }
@media print {
  /* A4 or Letter, portrait: 186 mm of line at most. Every table takes the page's width and
     its cells wrap (numbers too, between their parts), so five strategies (ten comparison
     columns) fit without clipping; nothing scrolls on paper. */
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 16pt; break-after: avoid; } h3, h4 { break-after: avoid; }
  .cards { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; }
  .card { padding: 6px 8px; }
  .card .value { font-size: 13pt; white-space: normal; }
  .table-wrap { overflow: visible; }
  table { width: 100%; font-size: 7.5pt; }
  th, td { padding: 2px 4px; overflow-wrap: anywhere; }
  td:first-child, td.num, th.num { white-space: normal; }
  th:first-child, td:first-child { overflow-wrap: normal; }
  .verdict { break-after: avoid; }
  code { font-size: 7pt; overflow-wrap: anywhere; }
  tr, figure, .cards, .verdict, .warnings { break-inside: avoid; }
  figure svg { border: none; max-width: 100%; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// What a run adds to its report besides the figures: the compact sensitivity with its tornado
/// (absent with `--no-sensitivity`) and the warnings.
#[derive(Default)]
pub struct Extras<'a> {
    pub sensitivity: Option<&'a CompactSensitivity>,
    /// The tornado chart's SVG (absent when no input moved the savings).
    pub tornado_svg: Option<&'a str>,
    pub warnings: &'a [Warning],
}

/// Render `report.html` for a run: its scenario, report, rendered charts and extras.
pub fn render(
    scenario: &Scenario,
    report: &Report,
    charts: &[RunChart],
    extras: &Extras<'_>,
) -> String {
    let mut out = String::with_capacity(
        64 * 1024 + charts.iter().map(|c| c.rendered.svg.len()).sum::<usize>(),
    );
    let title = escape(&report.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"incsim {version}\">\n\
         <title>{title} — incident simulation report</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    header(&mut out, scenario, report);
    out.push_str("<main>\n");
    executive_summary(&mut out, report, extras.warnings);
    business_case(&mut out, scenario, report, extras);
    comparison(&mut out, report);
    charts_section(&mut out, charts);
    assumptions(&mut out, scenario);
    method(&mut out, report);
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<footer>Generated by incsim {} from the scenario “{title}” with seed {} and {} \
         replications. The same scenario, seed and replication count reproduce this file byte \
         for byte, on any machine and thread count. Machine-readable figures: \
         <code>summary.json</code>; one row per replication: <code>replications.csv</code>.\
         </footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        report.seed,
        report.replications
    );
    out
}

fn header(out: &mut String, scenario: &Scenario, report: &Report) {
    out.push_str("<header>\n<p class=\"kicker\">Incident simulation report · proactive vs reactive escalation</p>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&report.scenario));
    if !scenario.description.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"lede\">{}</p>",
            escape(&scenario.description)
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\"><span data-field=\"replications\">{}</span> replications · horizon {} · \
         seed <span data-field=\"seed\">{}</span> · money in {}</p>\n</header>",
        report.replications,
        format_minutes(report.horizon_minutes),
        report.seed,
        escape(&report.currency)
    );
}

/// A figure with the `summary.json` field it shows.
fn figure(field: &str, text: &str) -> String {
    format!("<span data-field=\"{field}\">{}</span>", escape(text))
}

fn executive_summary(out: &mut String, report: &Report, warnings: &[Warning]) {
    out.push_str("<section id=\"summary\">\n<h2>Executive summary</h2>\n");
    if !warnings.is_empty() {
        out.push_str("<div class=\"warnings\" id=\"warnings\"><strong>Check before you rely on these figures:</strong>\n<ul>\n");
        for w in warnings {
            let _ = writeln!(
                out,
                "<li data-warning=\"{}\" data-candidate=\"{}\">{}</li>",
                w.kind,
                escape(&w.candidate),
                code_spans(&escape(&w.text))
            );
        }
        out.push_str("</ul></div>\n");
    }
    if report.budgets.is_empty() {
        out.push_str(
            "<p>This scenario has a single strategy: there is no alternative to compare it \
             with. Its figures are in the table below.</p>\n</section>\n",
        );
        return;
    }
    let cur = &report.currency;
    let per_year = MINUTES_PER_YEAR / report.horizon_minutes;
    let verdicts = verdicts(report);
    // Best candidate first: by NPV, never by ROI (Report::ranking).
    for (b, verdict) in report
        .ranking()
        .into_iter()
        .map(|i| (&report.budgets[i], &verdicts[i]))
    {
        let _ = writeln!(
            out,
            "<div class=\"budget\" data-budget-candidate=\"{}\" data-budget-baseline=\"{}\">",
            escape(&b.candidate),
            escape(&b.baseline)
        );
        let _ = writeln!(out, "<p class=\"verdict\">{}</p>", escape(verdict));
        out.push_str("<div class=\"cards\">\n");
        card(
            out,
            "Net savings per year",
            &figure("savings_per_year", &money(b.savings_per_year, cur)),
            &if report.replications < 2 {
                "no confidence interval from a single replication".to_string()
            } else {
                format!(
                    "95 % CI {} to {}",
                    figure("savings_per_year_ci95.0", &money(b.savings_ci95[0], cur)),
                    figure("savings_per_year_ci95.1", &money(b.savings_ci95[1], cur))
                )
            },
        );
        card(
            out,
            "Return on investment",
            &figure("roi", &roi(b.roi)),
            &format!(
                "net savings ÷ incremental investment of {}/yr",
                figure(
                    "incremental_investment_per_year",
                    &money(b.incremental_investment_per_year, cur)
                )
            ),
        );
        card(
            out,
            "Payback period",
            &figure(
                "payback_months",
                &payback(b.payback_months, b.incremental_investment_per_year),
            ),
            "12 × investment ÷ (net savings + investment)",
        );
        card(
            out,
            &format!(
                "Probability <span class=\"name\">{}</span> is cheaper",
                escape(&b.candidate)
            ),
            &figure("p_candidate_cheaper", &percent(b.p_cheaper)),
            &format!(
                "of {} paired replications, total cost below {}’s",
                report.replications,
                escape(&b.baseline)
            ),
        );
        out.push_str("</div>\n");
        npv_cards(out, report, b);
        facts(out, report, b, per_year);
        out.push_str("</div>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">Savings are net: each strategy’s total already includes its own \
         investment (monitoring, tools, training). Money per year is scaled from the {} \
         horizon. Intervals are 95 % confidence intervals of the mean over paired \
         replications.</p>\n</section>",
        format_minutes(report.horizon_minutes)
    );
}

fn card(out: &mut String, label: &str, value: &str, sub: &str) {
    let _ = writeln!(
        out,
        "<div class=\"card\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div>\
         <div class=\"sub\">{sub}</div></div>"
    );
}

/// Text already escaped, with `path` spans shown as code.
fn code_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// "over 3 years at 10 %", or "over one year, undiscounted".
fn horizon_words(s: &Scenario) -> String {
    let f = &s.finance;
    let years = if f.years == 1 {
        "one year".to_string()
    } else {
        format!("{} years", f.years)
    };
    if f.discount_rate == 0.0 {
        format!("over {years}, undiscounted")
    } else {
        format!("over {years} at a {} discount rate", share(f.discount_rate))
    }
}

/// Discounted payback for people: "none needed" without a year-0 outlay (short enough for a
/// summary card).
fn payback_years_text(c: &crate::report::BusinessCase) -> String {
    match c.discounted_payback_years {
        _ if c.cash_flows.first().is_some_and(|f| f.net >= 0.0) => "none needed".to_string(),
        Some(y) => format!("{y:.2} years"),
        None => "not within the years".to_string(),
    }
}

/// The business-case cards of one candidate: NPV with its P10–P90, the probability it pays,
/// ROI on present values and discounted payback.
fn npv_cards(out: &mut String, report: &Report, b: &Budget) {
    let cur = &report.currency;
    let c = &b.case;
    out.push_str("<div class=\"cards\">\n");
    card(
        out,
        "Net present value",
        &figure("npv", &money(c.npv, cur)),
        &format!(
            "P10 {} · P90 {} over simulated years",
            figure("npv_p10", &money_short(c.npv_p10, cur)),
            figure("npv_p90", &money_short(c.npv_p90, cur))
        ),
    );
    card(
        out,
        "Probability it pays",
        &figure("p_npv_positive", &percent(c.p_npv_positive)),
        "share of replication paths with NPV above 0",
    );
    card(
        out,
        "ROI on present values",
        &figure("roi_present_value", &roi(c.roi_pv)),
        "NPV ÷ present value of the costs",
    );
    card(
        out,
        "Discounted payback",
        &figure("discounted_payback_years", &payback_years_text(c)),
        "when the cumulative discounted net flow turns positive",
    );
    out.push_str("</div>\n");
}

/// The business case: candidates ranked by NPV, each one's year-by-year flows and break-even,
/// then what the savings are most sensitive to.
fn business_case(out: &mut String, scenario: &Scenario, report: &Report, extras: &Extras<'_>) {
    if report.budgets.is_empty() {
        return;
    }
    let cur = &report.currency;
    out.push_str("<section id=\"business-case\">\n<h2>Business case</h2>\n");
    let _ = writeln!(
        out,
        "<p>Cash flows {} (<code>[finance]</code>): the one-time cost in year 0, then each year \
         the recurring cost and the benefit realised that year (its ramp-up share × the \
         incident cost avoided), discounted by (1 + r)<sup>t</sup>. Candidates are ranked by \
         NPV, not by ROI, which favours a cheap option that saves little. P10/P90 are over \
         simulated years: a bad and a good year, not the error of the mean.</p>",
        horizon_words(scenario)
    );
    out.push_str(
        "<div class=\"table-wrap\"><table id=\"ranking-table\">\n<thead><tr><th>rank</th>\
         <th>candidate</th><th class=\"num\">NPV</th><th class=\"num\">NPV P10 / P90</th>\
         <th class=\"num\">P(NPV &gt; 0)</th><th class=\"num\">one year’s savings<br>\
         <span class=\"q\">P10 / P50 / P90</span></th><th class=\"num\">ROI (PV)</th>\
         <th class=\"num\">discounted payback</th><th class=\"num\">break-even annual cost</th>\
         </tr></thead>\n<tbody>\n",
    );
    let ranking = report.ranking();
    for (rank, &i) in ranking.iter().enumerate() {
        let b = &report.budgets[i];
        let c = &b.case;
        let idx = report
            .strategies
            .iter()
            .position(|s| s.name == b.candidate)
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr data-rank-candidate=\"{}\"><td>{}</td><td>{}{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} / {}</td><td class=\"num\">{}</td><td class=\"num\">{} / {} / {}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&b.candidate),
            rank + 1,
            swatch(idx),
            escape(&b.candidate),
            money_short(c.npv, cur),
            money_short(c.npv_p10, cur),
            money_short(c.npv_p90, cur),
            percent(c.p_npv_positive),
            money_short(c.savings_p10_p50_p90[0], cur),
            money_short(c.savings_p10_p50_p90[1], cur),
            money_short(c.savings_p10_p50_p90[2], cur),
            roi(c.roi_pv),
            payback_years_text(c),
            money_short(c.break_even_annual_cost, cur),
        );
    }
    out.push_str("</tbody></table></div>\n");

    for &i in &ranking {
        let b = &report.budgets[i];
        let c = &b.case;
        let _ = writeln!(
            out,
            "<h3>{} against {}: cash flows</h3>",
            escape(&b.candidate),
            escape(&b.baseline)
        );
        out.push_str(
            "<div class=\"table-wrap\"><table class=\"cash-flows\">\n<thead><tr><th>year</th>\
             <th class=\"num\">costs</th><th class=\"num\">benefits</th><th class=\"num\">net</th>\
             <th class=\"num\">discount factor</th><th class=\"num\">discounted</th></tr></thead>\n<tbody>\n",
        );
        for f in &c.cash_flows {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{}</td></tr>",
                f.year,
                money(f.costs, cur),
                money(f.benefits, cur),
                money(f.net, cur),
                f.discount_factor,
                money(f.discounted, cur),
            );
        }
        let _ = writeln!(
            out,
            "<tr class=\"total\"><td>NPV</td><td></td><td></td><td></td><td></td>\
             <td class=\"num\">{}</td></tr>\n</tbody></table></div>",
            money(c.npv, cur)
        );
        let _ = writeln!(
            out,
            "<p>Of the yearly benefit, {} is <strong>hard</strong> (engineers’ paid labour \
             avoided) and {} is <strong>soft</strong> (downtime avoided: an estimate of lost \
             business, as good as <code>downtime_cost_per_hour</code>).</p>",
            money(c.labor_saved_per_year, cur),
            money(c.downtime_avoided_per_year, cur)
        );
        let now = scenario
            .strategies
            .iter()
            .find(|s| s.name == b.candidate)
            .map_or(0.0, |s| s.annual_cost);
        let measure = if scenario.finance.is_default() {
            "its net savings stay positive"
        } else {
            "its NPV stays positive"
        };
        let sentence = if c.break_even_annual_cost <= 0.0 {
            format!(
                "Break-even: {} does not pay for itself even at no annual cost (it is {} now).",
                escape(&b.candidate),
                money(now, cur)
            )
        } else {
            format!(
                "Break-even: {} pays for itself — {measure} — while its annual cost stays below \
                 {}; it is {} now.",
                escape(&b.candidate),
                figure(
                    "break_even_annual_cost",
                    &money(c.break_even_annual_cost, cur)
                ),
                money(now, cur)
            )
        };
        let _ = writeln!(
            out,
            "<p class=\"break-even\" data-candidate=\"{}\">{sentence}</p>",
            escape(&b.candidate)
        );
    }
    sensitivity_part(out, report, extras);
    out.push_str("</section>\n");
}

/// The compact sensitivity: its tornado and how it was sized.
fn sensitivity_part(out: &mut String, report: &Report, extras: &Extras<'_>) {
    let cur = &report.currency;
    out.push_str("<h3 id=\"sensitivity\">What the savings are most sensitive to</h3>\n");
    let Some(a) = extras.sensitivity else {
        out.push_str(
            "<p class=\"note\">Not computed in this run (<code>--no-sensitivity</code>, or a \
             single strategy). <code>incsim sensitivity</code> computes it.</p>\n",
        );
        return;
    };
    let r = &a.result;
    if let Some(svg) = extras.tornado_svg {
        let svg = svg.trim();
        let svg = match svg.strip_prefix("<svg") {
            Some(rest) => {
                format!("<svg role=\"img\" aria-label=\"Tornado chart of the savings\"{rest}")
            }
            None => svg.to_string(),
        };
        let _ = writeln!(
            out,
            "<figure id=\"chart-tornado\" data-chart=\"tornado\">\n{svg}\n</figure>"
        );
    }
    let top: Vec<String> = r
        .rows
        .iter()
        .take(3)
        .map(|row| {
            format!(
                "<code>{}</code> (swing {})",
                escape(&row.parameter.path),
                money_short(row.swing, cur)
            )
        })
        .collect();
    if top.is_empty() {
        out.push_str("<p>No input moved the savings by ±20 %.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p>Net savings per year of {} over {} as each input moves ±20 % on its own, largest \
             swing first: {}. Inputs that did not move the savings are left out.</p>",
            escape(&r.candidate),
            escape(&r.baseline),
            top.join(", ")
        );
    }
    let budget = if a.replications() <= a.main_replications {
        format!(
            "within the main run’s {} (so it costs no more than the run itself)",
            a.main_replications
        )
    } else {
        format!(
            "more than the main run’s {}, which is too short to share among {} runs (each \
             gets at least one replication)",
            a.main_replications, a.runs
        )
    };
    let _ = writeln!(
        out,
        "<p class=\"note\" id=\"sensitivity-budget\">Computed in this run on {} replication{} \
         per run × {} runs = {} replications, {budget}, with the same seed in every run (common \
         random numbers): a screening, not a precise estimate. <code>incsim sensitivity</code> \
         repeats it on every replication; <code>--no-sensitivity</code> skips it.</p>",
        a.replications_per_run,
        if a.replications_per_run == 1 { "" } else { "s" },
        a.runs,
        a.replications(),
    );
}

/// A few operational figures behind the money, per year.
fn facts(out: &mut String, report: &Report, b: &Budget, per_year: f64) {
    let (Some(base), Some(cand)) = (
        report.strategies.iter().find(|s| s.name == b.baseline),
        report.strategies.iter().find(|s| s.name == b.candidate),
    ) else {
        return;
    };
    let pair = |m: Metric| Some((base.metric(m)?.mean, cand.metric(m)?.mean));
    out.push_str("<ul class=\"facts\">\n");
    if let Some((x, y)) = pair(Metric::OUTAGE_MINUTES) {
        let _ = writeln!(
            out,
            "<li>Outage hours per year: {} with {}, {} with {}.</li>",
            number(x / 60.0 * per_year),
            escape(&b.baseline),
            number(y / 60.0 * per_year),
            escape(&b.candidate)
        );
    }
    if let Some((x, y)) = pair(Metric::AVERTED) {
        let _ = writeln!(
            out,
            "<li>Outages averted by a fix during degradation, per year: {} with {}, {} with {}.</li>",
            number(x * per_year),
            escape(&b.baseline),
            number(y * per_year),
            escape(&b.candidate)
        );
    }
    if let Some((x, y)) = pair(Metric::MTTR_MINUTES) {
        let _ = writeln!(
            out,
            "<li>Mean time to restore: {} with {}, {} with {}.</li>",
            format_minutes(x),
            escape(&b.baseline),
            format_minutes(y),
            escape(&b.candidate)
        );
    }
    if let Some((x, y)) = pair(Metric::TOTAL_COST) {
        let _ = writeln!(
            out,
            "<li>Mean total cost per year: {} with {}, {} with {}.</li>",
            money_short(x * per_year, &report.currency),
            escape(&b.baseline),
            money_short(y * per_year, &report.currency),
            escape(&b.candidate)
        );
    }
    out.push_str("</ul>\n");
}

fn comparison(out: &mut String, report: &Report) {
    let cur = &report.currency;
    let baseline = &report.strategies[report.baseline].name;
    let candidates = report.candidate_names();
    out.push_str("<section id=\"comparison\">\n<h2>Comparison</h2>\n");
    let _ = writeln!(
        out,
        "<p>Per horizon of {} (not per year), money in {}. Each strategy: mean ± half-width of \
         the 95 % confidence interval, then the median (P50) and P95 across replications. Each \
         candidate: the paired difference candidate − {} with its 95 % CI, and the share of \
         replications in which the candidate is better.</p>",
        format_minutes(report.horizon_minutes),
        escape(cur),
        escape(baseline)
    );
    out.push_str(
        "<div class=\"table-wrap\"><table id=\"comparison-table\">\n<thead><tr><th>metric</th>",
    );
    for (i, s) in report.strategies.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"num\">{}{}<br><span class=\"q\">mean ± 95 % CI · P50 / P95</span></th>",
            swatch(i),
            escape(&s.name)
        );
    }
    for c in &candidates {
        let _ = write!(
            out,
            "<th class=\"num\">{} − {}<br><span class=\"q\">paired difference [95 % CI] · \
             share better</span></th>",
            escape(c),
            escape(baseline)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for metric in report.table_rows() {
        let name = metric.name();
        let class = if metric == Metric::TOTAL_COST {
            " class=\"total\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{class}><td>{}</td>", escape(metric.def().label));
        for s in &report.strategies {
            let summary = s.metric(metric);
            let _ = write!(
                out,
                "<td class=\"num\"><span data-strategy=\"{sn}\" data-metric=\"{name}\" \
                 data-stat=\"mean_ci\">{}</span><br><span class=\"q\" data-strategy=\"{sn}\" \
                 data-metric=\"{name}\" data-stat=\"p50_p95\">{}</span></td>",
                escape(&mean_ci(metric, summary, cur)),
                escape(&quantiles(metric, summary, cur)),
                sn = escape(&s.name),
            );
        }
        for c in &candidates {
            let (diff, better) = paired_cells(report, c, metric);
            let _ = write!(
                out,
                "<td class=\"num\"><span data-candidate=\"{cn}\" data-metric=\"{name}\" \
                 data-stat=\"diff\">{}</span><br><span class=\"q\">better in \
                 <span data-candidate=\"{cn}\" data-metric=\"{name}\" data-stat=\"better\">{}\
                 </span></span></td>",
                escape(&diff),
                escape(&better),
                cn = escape(c),
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    if !report.budgets.is_empty() {
        out.push_str(
            "<h3>Budget per year</h3>\n<div class=\"table-wrap\"><table id=\"budget-table\">\n\
             <thead><tr><th>candidate</th><th class=\"num\">net savings / yr</th>\
             <th class=\"num\">95 % CI</th><th class=\"num\">incremental investment / yr</th>\
             <th class=\"num\">ROI</th><th class=\"num\">payback</th><th class=\"num\">P(cheaper)</th>\
             </tr></thead>\n<tbody>\n",
        );
        for b in &report.budgets {
            let _ = writeln!(
                out,
                "<tr><td>{} vs {}</td><td class=\"num\">{}</td><td class=\"num\">{} to {}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                escape(&b.candidate),
                escape(&b.baseline),
                money(b.savings_per_year, cur),
                money(b.savings_ci95[0], cur),
                money(b.savings_ci95[1], cur),
                money(b.incremental_investment_per_year, cur),
                roi(b.roi),
                payback(b.payback_months, b.incremental_investment_per_year),
                percent(b.p_cheaper)
            );
        }
        out.push_str("</tbody></table></div>\n");
    }

    out.push_str(
        "<h3>Where the time goes</h3>\n<div class=\"table-wrap\"><table id=\"tier-table\">\n\
         <thead><tr><th>strategy</th><th>tier</th><th class=\"num\">utilization</th>\
         <th class=\"num\">mean queue wait</th></tr></thead>\n<tbody>\n",
    );
    for s in &report.strategies {
        for t in &s.tiers {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&s.name),
                escape(&t.name),
                t.utilization.map_or("–".into(), |u| percent(u.mean)),
                t.queue_wait_minutes
                    .map_or("–".into(), |w| format_minutes(w.mean)),
            );
        }
    }
    out.push_str("</tbody></table></div>\n");
    // Load on people (model.md §8.2): how often each strategy pages, and wakes, on-call staff.
    for s in &report.strategies {
        for t in &s.tiers {
            if let Some(load) = &t.on_call {
                let _ = writeln!(
                    out,
                    "<p>{}: the on-call engineers of {} are paged {} times per horizon on average, \
                     {} of them asleep; {:.0} on-call hours with no shift open.</p>",
                    escape(&s.name),
                    escape(&t.name),
                    load.pages.map_or("0".into(), |p| format!("{:.1}", p.mean)),
                    load.pages_asleep
                        .map_or("0".into(), |p| format!("{:.1}", p.mean)),
                    load.on_call_hours,
                );
            }
        }
    }
    out.push_str(
        "<div class=\"table-wrap\"><table id=\"service-table\">\n<thead><tr><th>strategy</th>\
         <th>service</th><th class=\"num\">outage hours per horizon (mean)</th>",
    );
    // Scenarios with dependencies split own from inherited outage (docs/model.md §8.10).
    if report.has_dependencies {
        out.push_str("<th class=\"num\">of which inherited</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for s in &report.strategies {
        for svc in &s.services {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                escape(&s.name),
                escape(&svc.name),
                svc.outage_minutes
                    .map_or("–".into(), |o| number(o.mean / 60.0)),
            );
            if report.has_dependencies {
                let _ = write!(
                    out,
                    "<td class=\"num\">{}</td>",
                    svc.inherited_outage_minutes
                        .map_or("–".into(), |o| number(o.mean / 60.0)),
                );
            }
            let _ = writeln!(out, "</tr>");
        }
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// A small colour square in the strategy's chart colour.
fn swatch(index: usize) -> String {
    let c = crate::charts::strategy_color(index);
    format!(
        "<span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>",
        c.0, c.1, c.2
    )
}

fn charts_section(out: &mut String, charts: &[RunChart]) {
    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for chart in charts {
        let title = escape(&chart.title);
        let svg = chart.rendered.svg.trim();
        // Name the drawing for screen readers; the SVG's own text is escaped by plotters.
        let svg = match svg.strip_prefix("<svg") {
            Some(rest) => format!("<svg role=\"img\" aria-label=\"{title}\"{rest}"),
            None => svg.to_string(),
        };
        let _ = writeln!(
            out,
            "<figure id=\"chart-{name}\" data-chart=\"{name}\">\n{svg}\n<figcaption><strong>{title}.\
             </strong> {caption} <span class=\"note\">(Also saved as <code>{name}.svg</code> and \
             <code>{name}.png</code>.)</span></figcaption>\n</figure>",
            name = chart.name,
            caption = escape(&chart.caption),
        );
    }
    out.push_str("</section>\n");
}

/// A scenario input for prose: at most two decimals, no trailing zeros ("2", "0.8", "8.11").
fn compact(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A probability from the scenario as a percentage for prose: 0.85 → "85 %", 0.125 → "12.5 %".
fn share(x: f64) -> String {
    format!("{} %", compact(x * 100.0))
}

/// A distribution in words; "none (sudden)" for a zero warning.
fn dist_words(d: &Dist) -> String {
    if d.is_fixed() && d.mean() == 0.0 {
        "none".to_string()
    } else {
        d.describe()
    }
}

fn assumptions(out: &mut String, s: &Scenario) {
    let cur = &s.currency;
    let horizon = s.simulation.horizon_minutes;
    out.push_str("<section id=\"assumptions\">\n<h2>Assumptions</h2>\n");
    let _ = writeln!(
        out,
        "<p>Everything below comes from the scenario file; the simulation adds nothing else. \
         Each replication simulates {} of operation, starting on a Monday at 00:00 with every \
         service up.</p>",
        format_minutes(horizon)
    );

    out.push_str("<h3>Services and how they fail</h3>\n");
    for svc in &s.services {
        let every = svc.failures_every.mean();
        let _ = writeln!(
            out,
            "<h4>{}</h4>\n<p>Time between failures: {} (on average {}, about {} failures per \
             {}). Priority {} (1 is served first). An outage costs {} an hour; running degraded \
             costs {} of that. Users report an outage after {}.</p>",
            escape(&svc.name),
            escape(&svc.failures_every.describe()),
            format_minutes(every),
            compact(horizon / every),
            format_minutes(horizon),
            svc.priority,
            money(svc.downtime_cost_per_hour, cur),
            share(svc.degraded_cost_fraction),
            escape(&svc.report_delay.describe()),
        );
        if svc.repair == crate::scenario::Repair::AsBadAsOld {
            out.push_str(
                "<p>Repairs are minimal (as bad as old): a repair restores service without \
                 making it new, so the failure clock keeps the age the service had reached and \
                 a wearing-out service fails more often as it ages. The average above is the \
                 time to the first failure of a new service.</p>\n",
            );
        }
        out.push_str(
            "<div class=\"table-wrap\"><table>\n<thead><tr><th>failure mode</th>\
             <th class=\"num\">share</th><th>warning before the outage</th>\
             <th>hands-on fix time</th><th>lowest tier able to fix it</th></tr></thead>\n<tbody>\n",
        );
        let total_weight: f64 = svc.modes.iter().map(|m| m.weight).sum();
        for m in &svc.modes {
            let weight_share = if total_weight > 0.0 {
                m.weight / total_weight
            } else {
                0.0
            };
            let warning = if m.warning.is_fixed() && m.warning.mean() == 0.0 {
                "none (sudden failure)".to_string()
            } else {
                dist_words(&m.warning)
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&m.name),
                self::share(weight_share),
                escape(&warning),
                escape(&m.fix.describe()),
                escape(s.tiers.get(m.needs).map_or("?", |t| t.name.as_str())),
            );
        }
        out.push_str("</tbody></table></div>\n");
    }

    out.push_str(
        "<h3>Support tiers, in escalation order</h3>\n<div class=\"table-wrap\"><table>\n\
         <thead><tr><th>#</th><th>tier</th><th class=\"num\">staff</th><th>hours</th>\
         <th class=\"num\">cost per engineer-hour</th></tr></thead>\n<tbody>\n",
    );
    for (i, t) in s.tiers.iter().enumerate() {
        let hours = escape(&t.hours_in_words(s.simulation.utc_offset_minutes));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{hours}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            escape(&t.name),
            t.staff,
            money(t.hourly_cost, cur)
        );
    }
    out.push_str("</tbody></table></div>\n");

    out.push_str("<h3>Strategies</h3>\n<ul>\n");
    for (i, st) in s.strategies.iter().enumerate() {
        let tier = |idx: usize| escape(s.tiers.get(idx).map_or("?", |t| t.name.as_str()));
        let detection = match &st.monitoring {
            None => "No monitoring: incidents are detected when users report the outage, and \
                     reports go to the first tier."
                .to_string(),
            Some(m) => {
                let mut d = format!(
                    "Monitoring catches {} of degradations, after {}, if that is before the \
                     outage; outages are detected after {}. Alerts go to {}",
                    share(m.coverage),
                    escape(&dist_words(&m.detect)),
                    format_minutes(m.outage_detect),
                    tier(st.alert_tier)
                );
                if st.route_direct > 0.0 {
                    let _ = write!(
                        d,
                        "; {} go straight to the tier able to fix them",
                        share(st.route_direct)
                    );
                }
                d.push('.');
                if m.false_alarms_per_week > 0.0 {
                    let _ = write!(
                        d,
                        " It raises {} false alarms a week, {} of triage each.",
                        compact(m.false_alarms_per_week),
                        format_minutes(m.triage)
                    );
                }
                d
            }
        };
        let _ = writeln!(
            out,
            "<li>{}<strong>{}</strong>: {detection} An engineer who cannot fix an incident \
             escalates after {}; the handoff to the next tier takes {}. Fix times × {}. \
             Costs {} a year.</li>",
            swatch(i),
            escape(&st.name),
            format_minutes(st.escalate_after),
            format_minutes(st.handoff),
            compact(st.fix_multiplier),
            money(st.annual_cost, cur),
        );
    }
    out.push_str("</ul>\n");
    inputs(out, s);
    out.push_str("</section>\n");
}

/// Every numeric input with its value, meaning and source, straight from the field registry
/// (so a new field appears in the report without an edit here) and `[sources]` ("not given"
/// where the scenario names none). Open, so that it prints.
fn inputs(out: &mut String, s: &Scenario) {
    let given = s.sources.len();
    let _ = writeln!(
        out,
        "<h3>Every input and where it comes from</h3>\n<p class=\"note\">{}</p>",
        if given == 0 {
            "The scenario gives no sources: add a <code>[sources]</code> table \
             (<code>\"services.NAME.downtime_cost_per_hour\" = \"Finance, 2025 revenue per hour × 0.4\"</code>) \
             to say where each figure comes from."
                .to_string()
        } else {
            format!("Sources from the scenario’s <code>[sources]</code> table ({given} given).")
        }
    );
    out.push_str(
        "<div class=\"table-wrap\"><table id=\"inputs-table\">\n\
         <thead><tr><th>field</th><th>value</th><th>meaning</th><th>source</th></tr></thead>\n<tbody>\n",
    );
    let source = |path: &str| match s.sources.get(path) {
        Some(note) => escape(note),
        None => "<span class=\"q\">not given</span>".to_string(),
    };
    let mut shown = Vec::new();
    for (path, at) in fields::readable(s) {
        let Some(value) = at.field.get.and_then(|get| get(s, at.idx)) else {
            continue;
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"source\">{}</td></tr>",
            escape(&path),
            escape(&fields::value_text(at.field.kind, &value)),
            escape(at.field.doc),
            source(&path),
        );
        shown.push(path);
    }
    // Sources of fields that are not numbers (hours, names, the horizon): listed after.
    for (path, note) in &s.sources {
        if shown.contains(path) {
            continue;
        }
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td></td><td></td><td class=\"source\">{}</td></tr>",
            escape(path),
            escape(note),
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn method(out: &mut String, report: &Report) {
    let baseline = escape(&report.strategies[report.baseline].name);
    let _ = writeln!(
        out,
        "<section id=\"method\">\n<h2>Method</h2>\n\
         <p><strong>Simulation.</strong> A discrete-event simulation replays {reps} independent \
         histories (replications) of {horizon} under every strategy: failures, degradation, \
         detection, queueing by priority at each tier, working hours, escalation and handoffs. \
         Every figure comes from folding the simulated events through the same projections \
         that <code>incsim replay</code> uses.</p>\n\
         <p><strong>Randomness.</strong> Seed {seed}. Each replication’s random streams are \
         derived from (seed, replication, purpose, id), never from a shared generator, so the \
         results are identical on any machine and with any number of threads.</p>\n\
         <p><strong>Common random numbers.</strong> The k-th failure of a service has the same \
         time to failure (counted from when the service is up again), failure mode, warning and fix time under every strategy, and the monitoring draws \
         are shared too, so strategies are compared on the same histories. Differences are \
         computed per replication (candidate − {baseline}) and reported with a paired-t 95 % \
         confidence interval: mean ± t(0.975, n−1) · sd / √n. The same formula gives each \
         strategy’s own intervals.</p>\n\
         <p><strong>Quantiles and probabilities.</strong> P50 and P95 are type-7 (linear \
         interpolation, numpy’s default) quantiles across replications. “P(cheaper)” is the \
         share of replications in which the candidate’s total cost is strictly lower. MTTR and \
         MTTD are averaged over the replications where they are defined.</p>\n\
         <p><strong>Money.</strong> Tables are per horizon; figures marked per year are scaled by \
         525,600 minutes / horizon. Cost = outage minutes × downtime cost + degraded minutes × \
         that × the degraded fraction + engineers’ busy time × their hourly cost + the \
         strategy’s annual cost over the horizon. Net savings = {baseline}’s total − the \
         candidate’s total; ROI = net savings ÷ incremental investment (the same as (gross \
         savings − investment) ÷ investment); payback = 12 × investment ÷ (net savings + \
         investment) months.</p>\n\
         <p><strong>Charts.</strong> Restore times are kept in a histogram of 10 logarithmic \
         bins per decade (their P50/P95 are interpolated within a bin, so they can differ \
         slightly from exact values); cumulative cost is recorded at 52 checkpoints per \
         replication. Memory therefore stays flat in the number of replications.</p>\n\
         <p><strong>Reproduce.</strong> <code>incsim run SCENARIO.toml --seed {seed} \
         --replications {reps}</code> writes this report, <code>summary.json</code>, \
         <code>summary.md</code>, <code>replications.csv</code> and the charts again, byte for \
         byte.</p>\n</section>",
        reps = report.replications,
        horizon = format_minutes(report.horizon_minutes),
        seed = report.seed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            escape(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
