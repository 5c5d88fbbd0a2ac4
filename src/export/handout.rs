//! Printable handouts (issue 17): one self-contained HTML file that prints on A4 — the key
//! figures of the same failure under each playbook (and the team's calls, after a drill), a
//! lane chart, the discussion questions on the first page; every timeline in full after it.
//!
//! The lane chart is inline SVG drawn here: closed hours of the first tier are shaded across
//! every lane (the stories share a pinned clock, so the shading is common), and the time axis
//! is logarithmic in the time since the failure started (x ∝ ln(1 + minutes/10)), so a
//! 15-minute phase stays visible beside a 48-hour one; the ticks say where the hours are.

use std::fmt::Write as _;

use crate::charts::timeline::phase_color;
use crate::drill::debrief::Debrief;
use crate::drill::{CalledBy, narrate::Narrator};
use crate::eventlog::SimClock;
use crate::export::html::escape;
use crate::export::timeline::{incident_label, story_minutes, story_rows};
use crate::format::money;
use crate::projections::incident::{IncidentStory, PhaseKind};
use crate::scenario::{Minutes, Scenario};

const CSS: &str = r#"
@page { size: A4; margin: 12mm; }
body { font: 10pt/1.35 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1d1f; max-width: 186mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 11.5pt; margin: 5mm 0 2mm; }
p.sub { color: #5b6066; margin: 0 0 3mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
th, td { border-bottom: 1px solid #d9dce0; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.score { font-size: 12pt; font-weight: 600; }
.gain { color: #00704a; } .loss { color: #b3261e; }
ol li { margin-bottom: 1.5mm; }
svg { width: 100%; height: auto; }
.appendix { page-break-before: always; }
.story { page-break-inside: avoid; }
"#;

const X0: f64 = 150.0;
const WIDTH: f64 = 700.0;
const LANE: f64 = 16.0;
const GAP: f64 = 10.0;

/// Minutes since the start → x on the log axis spanning `span` minutes.
fn x_of(minutes: Minutes, span: Minutes) -> f64 {
    let f = |m: Minutes| (1.0 + m.max(0.0) / 10.0).ln();
    X0 + (WIDTH - X0 - 10.0) * f(minutes) / f(span).max(1e-9)
}

fn rgb(kind: PhaseKind) -> String {
    let c = phase_color(kind);
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// The lane chart: two lanes (service, support) per story, closed hours of the first tier
/// shaded, a logarithmic axis of time since the (pinned) start.
pub fn lane_chart(scenario: &Scenario, stories: &[(String, &IncidentStory)]) -> String {
    let Some(start) = stories.first().map(|(_, s)| s.start) else {
        return String::new();
    };
    let end = stories.iter().map(|(_, s)| s.end).fold(start, f64::max);
    let span = (end - start).max(10.0);
    let height = 24.0 + stories.len() as f64 * (2.0 * LANE + GAP) + 40.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="lanes of the incident under each playbook">"#
    );
    // Closed hours of the first tier, sampled minute-exactly at its opening changes.
    let tier = &scenario.tiers[0];
    let site = scenario.simulation.utc_offset_minutes;
    let mut t = start;
    let mut guard = 0;
    while t < end && guard < 10_000 {
        guard += 1;
        let open = tier.any_shift_open(t, site);
        let next = (0..tier.shift_count())
            .map(|i| {
                let s = tier.shift(i, site);
                crate::scenario::calendar::next_change(s.hours, t, s.ahead_minutes)
            })
            .fold(Minutes::INFINITY, Minutes::min)
            .min(end);
        if !open {
            let (a, b) = (x_of(t - start, span), x_of(next - start, span));
            let _ = write!(
                svg,
                r##"<rect x="{a:.1}" y="18" width="{:.1}" height="{:.1}" fill="#e9ebf0"/>"##,
                (b - a).max(0.5),
                height - 18.0 - 40.0
            );
        }
        if next <= t {
            break;
        }
        t = next;
    }
    let _ = write!(
        svg,
        r##"<text x="{X0}" y="12" font-size="9" fill="#5b6066">shaded: {} closed · axis: time since the failure started, log scale</text>"##,
        escape(&tier.name)
    );
    for (i, (label, story)) in stories.iter().enumerate() {
        let y = 24.0 + i as f64 * (2.0 * LANE + GAP);
        let _ = write!(
            svg,
            r##"<text x="4" y="{:.1}" font-size="9">{}</text><text x="4" y="{:.1}" font-size="8" fill="#5b6066">service · support</text>"##,
            y + 10.0,
            escape(label),
            y + 2.0 * LANE - 3.0
        );
        for phase in &story.phases {
            let lane_y = if phase.kind.is_service() { y } else { y + LANE };
            let a = x_of(phase.start - story.start, span);
            let b = x_of(phase.end - story.start, span);
            let _ = write!(
                svg,
                r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}</title></rect>"#,
                lane_y + 1.0,
                (b - a).max(1.0),
                LANE - 2.0,
                rgb(phase.kind),
                escape(&phase_name(scenario, phase.kind, phase.end - phase.start))
            );
        }
    }
    // Legend: the phase colours, in one row under the axis.
    let mut legend: Vec<(String, PhaseKind)> = vec![
        ("degraded".into(), PhaseKind::Degraded),
        ("down".into(), PhaseKind::Down),
        ("not detected".into(), PhaseKind::Undetected),
        ("waiting".into(), PhaseKind::Waiting(0)),
        ("handoff".into(), PhaseKind::Handoff(0)),
    ];
    for (i, t) in scenario.tiers.iter().enumerate() {
        legend.push((format!("worked: {}", t.name), PhaseKind::Working(i as u32)));
    }
    let mut x = 4.0;
    for (name, kind) in legend {
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="8" height="8" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="8">{}</text>"#,
            height - 9.0,
            rgb(kind),
            x + 10.0,
            height - 2.0,
            escape(&name)
        );
        x += 16.0 + 4.6 * name.chars().count() as f64;
    }
    let axis_y = height - 36.0;
    let _ = write!(
        svg,
        r##"<line x1="{X0}" y1="{axis_y}" x2="{:.1}" y2="{axis_y}" stroke="#5b6066"/>"##,
        WIDTH - 10.0
    );
    for tick in [
        0.0, 15.0, 60.0, 240.0, 720.0, 1440.0, 2880.0, 10_080.0, 43_200.0,
    ] {
        if tick > span * 1.001 {
            break;
        }
        let x = x_of(tick, span);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="{axis_y}" x2="{x:.1}" y2="{:.1}" stroke="#5b6066"/><text x="{x:.1}" y="{:.1}" font-size="8" text-anchor="middle">{}</text>"##,
            axis_y + 3.0,
            axis_y + 12.0,
            story_minutes(tick)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn phase_name(scenario: &Scenario, kind: PhaseKind, minutes: Minutes) -> String {
    let tier = |t: u32| scenario.tiers[t as usize].name.as_str();
    let what = match kind {
        PhaseKind::Degraded => "degraded".to_string(),
        PhaseKind::Down => "down".to_string(),
        PhaseKind::Undetected => "not yet detected".to_string(),
        PhaseKind::Waiting(t) => format!("waiting for {}", tier(t)),
        PhaseKind::Working(t) => format!("worked at {}", tier(t)),
        PhaseKind::Handoff(t) => format!("handoff to {}", tier(t)),
    };
    format!("{what}: {}", story_minutes(minutes))
}

/// The key figures as an HTML table, one column per story.
fn figures(scenario: &Scenario, columns: &[(String, Option<&IncidentStory>)]) -> String {
    let cur = &scenario.currency;
    let mut html = String::from("<table><tr><th></th>");
    for (name, _) in columns {
        let _ = write!(html, r#"<th class="num">{}</th>"#, escape(name));
    }
    html.push_str("</tr>");
    type Cell = fn(&IncidentStory, &str) -> String;
    let rows: [(&str, Cell); 6] = [
        ("starts", |s, _| SimClock::at(s.start).to_string()),
        ("detected after", |s, _| {
            s.detected_after.map_or("never".into(), story_minutes)
        }),
        ("down", |s, _| {
            let mut d = story_minutes(s.cost.outage_minutes);
            if s.averted {
                d.push_str(" (averted)");
            } else if !s.resolved {
                d.push_str(" (cut off)");
            }
            d
        }),
        ("degraded", |s, _| story_minutes(s.cost.degraded_minutes)),
        ("engineer time", |s, _| story_minutes(s.cost.labor_minutes)),
        ("cost", |s, cur| money(s.cost.total(), cur)),
    ];
    for (head, cell) in rows {
        let _ = write!(html, "<tr><th>{head}</th>");
        for (_, story) in columns {
            let text = story.map_or("–".to_string(), |s| cell(s, cur));
            let _ = write!(html, r#"<td class="num">{}</td>"#, escape(&text));
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    html
}

/// Every story's timeline, as a table each.
fn appendix(scenario: &Scenario, stories: &[(String, &IncidentStory)]) -> String {
    let mut html = String::from(r#"<div class="appendix"><h2>The timelines</h2>"#);
    for (label, story) in stories {
        let _ = write!(
            html,
            r#"<div class="story"><h2>{}</h2><table><tr><th>when</th><th class="num">since</th><th>what happened</th><th class="num">cost so far</th></tr>"#,
            escape(label)
        );
        for row in story_rows(scenario, story) {
            let _ = write!(
                html,
                r#"<tr><td>{}</td><td class="num">{}</td><td>{}</td><td class="num">{}</td></tr>"#,
                escape(&row[0]),
                escape(&row[1]),
                escape(&row[2]),
                escape(&row[3])
            );
        }
        html.push_str("</table></div>");
    }
    html.push_str("</div>");
    html
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// The drill's handout: summary and score, figures, lanes, the team's calls valued, the
/// questions; the timelines after a page break.
pub fn drill_handout(scenario: &Scenario, d: &Debrief) -> String {
    let cur = &scenario.currency;
    let label = incident_label(scenario, d.setup.incident);
    let strategy = &scenario.strategies[d.setup.strategy].name;
    let title = format!("Incident drill debrief: {label}");
    let mut body = format!(
        r#"<h1>{}</h1><p class="sub">{} · replication {}, seed {} · the rest of the organisation followed {} · pinned clock: every timeline starts at {}</p>"#,
        escape(&title),
        escape(&scenario.name),
        d.setup.rep,
        scenario.simulation.seed,
        escape(strategy),
        SimClock::at(d.pinned_at())
    );
    let _ = write!(
        body,
        r#"<p class="score">Score: {}/100 — your team: {}, down {}.</p>"#,
        d.score,
        money(d.team.cost.total(), cur),
        story_minutes(d.team.cost.outage_minutes)
    );
    let mut columns: Vec<(String, Option<&IncidentStory>)> =
        vec![("your team".into(), Some(&d.team))];
    for (s, story) in &d.references {
        columns.push((
            format!("{} playbook", scenario.strategies[*s].name),
            story.as_ref(),
        ));
    }
    body.push_str(&figures(scenario, &columns));
    let present: Vec<(String, &IncidentStory)> = columns
        .iter()
        .filter_map(|(n, s)| s.map(|s| (n.clone(), s)))
        .collect();
    body.push_str(&lane_chart(scenario, &present));
    body.push_str("<h2>Your calls</h2>");
    if d.values.is_empty() {
        body.push_str("<p>No decision point came up.</p>");
    } else {
        body.push_str(r#"<table><tr><th>when</th><th>situation</th><th>your call</th><th>playbook</th><th class="num">against the playbook</th></tr>"#);
        let narrator = Narrator::new(scenario, d.setup.strategy, d.setup.incident);
        for v in &d.values {
            let p = &v.taken.point;
            let (class, verdict) = if v.cost_delta <= -0.5 {
                ("gain", format!("{} gained", money(-v.cost_delta, cur)))
            } else if v.cost_delta >= 0.5 {
                ("loss", format!("{} lost", money(v.cost_delta, cur)))
            } else {
                ("", "–".to_string())
            };
            let by = match v.taken.by {
                CalledBy::Playbook => " (left to the playbook)",
                CalledBy::Team { .. } => "",
            };
            let _ = write!(
                body,
                r#"<tr><td>{}</td><td>{}</td><td>{}{by}</td><td>{}</td><td class="num {class}">{}</td></tr>"#,
                SimClock::at(p.t),
                escape(&narrator.situation(p)),
                v.taken.decision.name(),
                p.playbook.name(),
                escape(&verdict)
            );
        }
        body.push_str("</table>");
    }
    body.push_str("<h2>Questions for the discussion</h2><ol>");
    for q in &d.questions {
        let _ = write!(body, "<li>{}</li>", escape(q));
    }
    body.push_str("</ol>");
    body.push_str(&appendix(scenario, &present));
    page(&title, &body)
}

/// The `timeline --compare --html` handout: the same failure under each strategy on a pinned
/// clock (`header` says which), figures, lanes, the timelines.
pub fn compare_handout(
    scenario: &Scenario,
    title: &str,
    header: &str,
    stories: &[(String, Option<&IncidentStory>)],
) -> String {
    let mut body = format!(
        r#"<h1>{}</h1><p class="sub">{}</p>"#,
        escape(title),
        escape(header)
    );
    body.push_str(&figures(scenario, stories));
    let present: Vec<(String, &IncidentStory)> = stories
        .iter()
        .filter_map(|(n, s)| s.map(|s| (n.clone(), s)))
        .collect();
    body.push_str(&lane_chart(scenario, &present));
    body.push_str(&appendix(scenario, &present));
    page(title, &body)
}
