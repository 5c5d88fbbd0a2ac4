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
use crate::export::terminal::{mean_ci, paired_cells, quantiles, verdicts};
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
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; } h3, h4 { break-after: avoid; }
  .cards { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .card .value { font-size: 16pt; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; } th, td { padding: 3px 6px; }
  figure, table, .cards, .verdict { break-inside: avoid; }
  figure svg { border: none; max-width: 100%; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Render `report.html` for a run: its scenario, report and rendered charts.
pub fn render(scenario: &Scenario, report: &Report, charts: &[RunChart]) -> String {
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
    executive_summary(&mut out, report);
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

fn executive_summary(out: &mut String, report: &Report) {
    out.push_str("<section id=\"summary\">\n<h2>Executive summary</h2>\n");
    if report.budgets.is_empty() {
        out.push_str(
            "<p>This scenario has a single strategy: there is no alternative to compare it \
             with. Its figures are in the table below.</p>\n</section>\n",
        );
        return;
    }
    let cur = &report.currency;
    let per_year = MINUTES_PER_YEAR / report.horizon_minutes;
    for (b, verdict) in report.budgets.iter().zip(verdicts(report)) {
        let _ = writeln!(
            out,
            "<div class=\"budget\" data-budget-candidate=\"{}\" data-budget-baseline=\"{}\">",
            escape(&b.candidate),
            escape(&b.baseline)
        );
        let _ = writeln!(out, "<p class=\"verdict\">{}</p>", escape(&verdict));
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

/// Every numeric input with its value and meaning, straight from the field registry, so that
/// a new field appears in the report without an edit here.
fn inputs(out: &mut String, s: &Scenario) {
    out.push_str(
        "<details><summary>Every numeric input</summary>\n<div class=\"table-wrap\"><table>\n\
         <thead><tr><th>field</th><th>value</th><th>meaning</th></tr></thead>\n<tbody>\n",
    );
    for (path, at) in fields::readable(s) {
        let Some(value) = at.field.get.and_then(|get| get(s, at.idx)) else {
            continue;
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&path),
            escape(&fields::value_text(at.field.kind, &value)),
            escape(at.field.doc),
        );
    }
    out.push_str("</tbody></table></div></details>\n");
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
