//! The narrated timeline of one incident, for trainers: what happened minute by minute, in
//! words, with the incident's running cost; and, for `--compare`, the same failure told under
//! each strategy with the difference in downtime and money.

use crate::eventlog::SimClock;
use crate::events::{Detection, IncidentId, PolicyPage, TierId};
use crate::format::money;
use crate::projections::incident::{Beat, IncidentStory, Place};
use crate::projections::maintenance::{MaintenanceBeat, MaintenanceStory, plan_for};
use crate::scenario::calendar::is_open;
use crate::scenario::duration::format_minutes;
use crate::scenario::{MaintenancePolicy, Scenario};

/// The readable id of an incident: `email#3`.
pub fn incident_label(scenario: &Scenario, id: IncidentId) -> String {
    crate::eventlog::incident_name(scenario, id)
}

/// A duration as a person says it in a story: whole minutes (`1d18h34m`, `45m`), `<1m` for a
/// few seconds, `0m` for none. Seconds would be false precision in a narration.
pub fn story_minutes(minutes: f64) -> String {
    if minutes > 0.0 && minutes < 0.5 {
        return "<1m".to_string();
    }
    format_minutes(minutes.round())
}

fn tier(scenario: &Scenario, t: u32) -> &str {
    &scenario.tiers[t as usize].name
}

/// One beat in words.
fn beat_text(scenario: &Scenario, story: &IncidentStory, beat: &Beat) -> String {
    let service = &scenario.services[story.id.service as usize];
    let svc = &service.name;
    let mode = |m: u32| service.modes[m as usize].name.as_str();
    match *beat {
        // Model.md §8.12: a failing change's incident starts with the change.
        Beat::Started { mode: m, warning } if story.id.change().is_some() => {
            let what = if warning > 0.0 {
                "starts degrading"
            } else {
                "is down"
            };
            format!("a change to {svc} failed: {svc} {what} ({})", mode(m))
        }
        Beat::Started { mode: m, warning } if warning > 0.0 => {
            format!("{svc} starts degrading ({})", mode(m))
        }
        Beat::Started { mode: m, .. } => format!("{svc} goes down suddenly ({})", mode(m)),
        Beat::Detected {
            detection,
            tier: t,
            routed_direct,
        } => {
            let to = if routed_direct {
                format!("known signature, straight to {}", tier(scenario, t))
            } else if detection == Detection::UserReport {
                format!("ticket to {}", tier(scenario, t))
            } else {
                format!("alert to {}", tier(scenario, t))
            };
            match detection {
                Detection::Degradation => format!("monitoring catches the degradation → {to}"),
                Detection::OutageCheck => format!("uptime check sees the outage → {to}"),
                Detection::UserReport => format!("a user reports the outage → {to}"),
            }
        }
        Beat::PickedUp {
            tier: t,
            waited,
            queued_while_closed,
            able,
            duration,
            workaround,
        } => {
            let wait = if waited <= 0.0 {
                "no wait".to_string()
            } else if queued_while_closed {
                format!(
                    "waited {} for {} to open",
                    story_minutes(waited),
                    tier(scenario, t)
                )
            } else {
                format!("waited {}", story_minutes(waited))
            };
            if able {
                format!(
                    "fix starts at {}, {} of work ({wait})",
                    tier(scenario, t),
                    story_minutes(duration)
                )
            } else if workaround {
                format!(
                    "picked up at {}: tries the workaround (a restart), {} ({wait})",
                    tier(scenario, t),
                    story_minutes(duration)
                )
            } else {
                format!("picked up at {} ({wait})", tier(scenario, t))
            }
        }
        Beat::Escalated {
            from,
            to,
            after_workaround: true,
            ..
        } => format!(
            "escalated from {} to {} after the failed restart",
            tier(scenario, from),
            tier(scenario, to)
        ),
        Beat::Escalated {
            from, to, time_box, ..
        } if time_box <= 0.0 => format!(
            "escalated from {} to {} without a time box",
            tier(scenario, from),
            tier(scenario, to)
        ),
        Beat::Escalated {
            from, to, time_box, ..
        } => format!(
            "escalated from {} to {} after a {} time box",
            tier(scenario, from),
            tier(scenario, to),
            story_minutes(time_box)
        ),
        Beat::HandedOff { tier: t, handoff } => format!(
            "handoff to {} done ({})",
            tier(scenario, t),
            story_minutes(handoff)
        ),
        Beat::Paged {
            tier: t,
            asleep,
            policy: None,
        } => format!(
            "nobody of {} on duty: the on-call engineer is paged{}",
            tier(scenario, t),
            if asleep { " and woken up" } else { "" }
        ),
        Beat::Paged {
            tier: t,
            asleep,
            policy: Some(page),
        } => policy_page(scenario, t, asleep, page),
        Beat::Acknowledged { tier: t, after } => format!(
            "the on-call engineer of {} acknowledges after {}",
            tier(scenario, t),
            story_minutes(after)
        ),
        Beat::OutageStarted { degraded, detected } => {
            let base = format!("{svc} goes down after {} degraded", story_minutes(degraded));
            if detected {
                base
            } else {
                format!("{base}; nobody has noticed yet")
            }
        }
        Beat::Resolved {
            workaround: true,
            averted: true,
            ..
        } => "back up before users noticed — outage averted, for now".to_string(),
        Beat::Resolved {
            workaround: true,
            down,
            ..
        } => format!("{svc} is back up after {} down", story_minutes(down)),
        Beat::Resolved {
            tier: t,
            averted: true,
            ..
        } => format!(
            "fixed at {} before users noticed — outage averted",
            tier(scenario, t)
        ),
        Beat::Resolved { tier: t, down, .. } => format!(
            "fixed at {}: {svc} is back up after {} down",
            tier(scenario, t),
            story_minutes(down)
        ),
        Beat::Recurred { recurrence } => format!(
            "the same failure again: the root cause left by a workaround strikes back \
             (recurrence {recurrence})"
        ),
        Beat::WorkedAround {
            tier: t,
            success: true,
        } => format!(
            "the restart at {} works, but the root cause is still there",
            tier(scenario, t)
        ),
        Beat::WorkedAround { tier: t, .. } => format!(
            "the restart at {} does not help: the time is lost",
            tier(scenario, t)
        ),
        Beat::ProblemOpened { tier: t } => format!(
            "problem record opened: the root-cause fix goes to {}",
            tier(scenario, t)
        ),
        Beat::ProblemWorkStarted {
            tier: t,
            waited,
            duration,
        } => format!(
            "root-cause fix starts at {}, {} of work ({})",
            tier(scenario, t),
            story_minutes(duration),
            if waited > 0.0 {
                format!("waited {}", story_minutes(waited))
            } else {
                "no wait".to_string()
            }
        ),
        Beat::ProblemFixed { tier: t } => format!(
            "root cause fixed at {}: no more recurrences, {svc} fails only as usual again",
            tier(scenario, t)
        ),
        Beat::MaintenanceWithdrawn { tier: t } => format!(
            "the maintenance of {svc} waiting at {} is withdrawn: the failure came first",
            tier(scenario, t)
        ),
        Beat::ChangeDeployed => {
            format!("a change is deployed to {svc}; it cannot fail a service already failing")
        }
        Beat::ProblemWithdrawn => {
            "problem record closed: a later fix by an able tier removed the root cause".to_string()
        }
        Beat::CutOff { down, place } => {
            let state = if down { "down" } else { "degraded" };
            let where_ = match place {
                Place::Undetected => "nobody has noticed yet".to_string(),
                Place::Waiting(t) => format!("waiting in {}'s queue", tier(scenario, t)),
                Place::Working(t) => format!("being worked at {}", tier(scenario, t)),
                Place::HandingOff(t) => format!("being handed off to {}", tier(scenario, t)),
            };
            format!("the simulated horizon ends the run: {svc} still {state}, {where_}")
        }
        Beat::UsersReported {
            reported,
            deflected,
        } => {
            let users = if reported == 1 {
                "1 user has reported it".to_string()
            } else {
                format!("{reported} users have reported it")
            };
            match deflected {
                0 => users,
                1 => format!("{users}; 1 more saw the status page and filed nothing"),
                n => format!("{users}; {n} more saw the status page and filed nothing"),
            }
        }
        Beat::DependantDown { service: d } => format!(
            "{} is down because {svc} is down; its users report the symptom → {}",
            scenario.services[d as usize].name,
            tier(scenario, 0)
        ),
        Beat::DependantLinked { service: d } => format!(
            "{}'s symptom incident is linked to {svc}'s alert: nobody chases it",
            scenario.services[d as usize].name
        ),
        Beat::DependantUp {
            service: d,
            tickets,
        } => {
            let dependant = &scenario.services[d as usize];
            let d = &dependant.name;
            // A dependant without ticket floods files none: no count to tell.
            match (dependant.tickets.is_some(), tickets) {
                (false, _) => format!("{d} is back up with {svc}"),
                (true, 1) => format!("{d} is back up with {svc}; 1 ticket about {d}"),
                (true, n) => format!("{d} is back up with {svc}; {n} tickets about {d}"),
            }
        }
    }
}

/// The first line of a story: which incident, under which strategy, where.
fn title(scenario: &Scenario, story: &IncidentStory, rep: u64) -> String {
    format!(
        "{} under {}: replication {rep}, seed {}",
        incident_label(scenario, story.id),
        scenario.strategies[story.strategy].name,
        scenario.simulation.seed
    )
}

/// What kind of failure it is, in one line.
fn failure_line(scenario: &Scenario, story: &IncidentStory) -> String {
    let service = &scenario.services[story.id.service as usize];
    let mode = &service.modes[story.mode as usize];
    let needs = &scenario.tiers[mode.needs].name;
    if story.warning > 0.0 {
        format!(
            "{}: {} runs degraded for {}, then goes down unless fixed first; {needs} or above can fix it",
            mode.name,
            service.name,
            story_minutes(story.warning)
        )
    } else {
        format!(
            "{}: a sudden failure, {} is down from the first minute; {needs} or above can fix it",
            mode.name, service.name
        )
    }
}

/// The incident's totals in one line.
fn total_line(scenario: &Scenario, story: &IncidentStory) -> String {
    let c = &story.cost;
    let cur = &scenario.currency;
    let mut line = format!(
        "Total: down {} ({}), degraded {} ({}), engineer time {} ({}): {} for this incident",
        story_minutes(c.outage_minutes),
        money(c.outage_cost, cur),
        story_minutes(c.degraded_minutes),
        money(c.degraded_cost, cur),
        story_minutes(c.labor_minutes),
        money(c.labor_cost, cur),
        money(c.total(), cur)
    );
    if !story.resolved {
        line.push_str(" (cut off at the horizon)");
    }
    line
}

/// The narrated timeline of one incident: title, failure, one line per moment with the
/// simulated clock, the time since the failure started and the cost so far, then the totals.
pub fn render_story(scenario: &Scenario, story: &IncidentStory, rep: u64) -> String {
    render_story_wrapped(scenario, story, rep, usize::MAX)
}

/// The *when* column of a story: the clock, the day only when it changes (a time of day
/// alone is right-aligned under the last full clock).
fn when_cells(times: impl Iterator<Item = f64>) -> Vec<String> {
    let clocks: Vec<SimClock> = times.map(SimClock::at).collect();
    let full_width = clocks
        .iter()
        .map(|c| c.to_string().chars().count())
        .max()
        .unwrap_or(0)
        .max("when".len());
    let mut last_day = None;
    clocks
        .iter()
        .map(|clock| {
            let when = if last_day == Some(clock.day()) {
                format!("{:>full_width$}", clock.time_of_day().to_string())
            } else {
                clock.to_string()
            };
            last_day = Some(clock.day());
            when
        })
        .collect()
}

/// The rows of a story's table: when (the clock; the day only when it changes), since the
/// failure started, what happened, cost so far.
pub fn story_rows(scenario: &Scenario, story: &IncidentStory) -> Vec<[String; 4]> {
    let cur = &scenario.currency;
    let whens = when_cells(story.lines.iter().map(|l| l.t));
    let mut rows: Vec<[String; 4]> = Vec::with_capacity(story.lines.len());
    for (line, when) in story.lines.iter().zip(whens) {
        rows.push([
            when,
            story_minutes(line.t - story.start),
            beat_text(scenario, story, &line.beat),
            money(line.cost.total(), cur),
        ]);
    }
    rows
}

/// Words of `text` in lines of at most `width` characters (a longer word gets its own line).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let extra = if line.is_empty() { 0 } else { 1 };
        if !line.is_empty() && line.chars().count() + extra + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// A story's table in lines of at most `width` characters where the words allow: the head
/// row, then one row per moment; the *what happened* column wraps under itself, the cost
/// staying on the row's first line.
fn story_table(rows: &[[String; 4]], width: usize) -> String {
    let width_of = |i: usize, head: &str| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(head.chars().count())
    };
    let heads = ["when", "since", "what happened", "cost so far"];
    let mut w: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| width_of(i, h))
        .collect();
    // The text column gets what the others leave (at least 24 characters).
    let fixed = 2 + w[0] + 2 + w[1] + 2 + 2 + w[3];
    if fixed + w[2] > width {
        w[2] = width.saturating_sub(fixed).max(24);
    }
    let pad = |s: &str, n: usize| " ".repeat(n.saturating_sub(s.chars().count()));
    let fmt_row = |r: &[String; 4]| {
        let mut parts = wrap_words(&r[2], w[2]).into_iter();
        let first = parts.next().unwrap_or_default();
        let mut text = format!(
            "  {}{}  {}{}  {}{}  {}{}",
            r[0],
            pad(&r[0], w[0]),
            pad(&r[1], w[1]),
            r[1],
            first,
            pad(&first, w[2]),
            pad(&r[3], w[3]),
            r[3]
        )
        .trim_end()
        .to_string();
        let indent = " ".repeat(2 + w[0] + 2 + w[1] + 2);
        for more in parts {
            text.push('\n');
            text.push_str(&indent);
            text.push_str(&more);
        }
        text
    };
    let mut out = fmt_row(&heads.map(String::from));
    out.push('\n');
    for r in rows {
        out.push_str(&fmt_row(r));
        out.push('\n');
    }
    out
}

/// [`render_story`] with lines of at most `width` characters where the words allow: the
/// *what happened* column wraps under itself, the cost staying on the row's first line.
pub fn render_story_wrapped(
    scenario: &Scenario,
    story: &IncidentStory,
    rep: u64,
    width: usize,
) -> String {
    let rows = story_rows(scenario, story);
    let para = |text: String| wrap_words(&text, width).join("\n");
    let mut out = String::new();
    out.push_str(&para(title(scenario, story, rep)));
    out.push('\n');
    out.push_str(&para(failure_line(scenario, story)));
    out.push_str("\n\n");
    out.push_str(&story_table(&rows, width));
    out.push('\n');
    out.push_str(&para(total_line(scenario, story)));
    out.push('\n');
    out
}

/// Why an incident has no story under a strategy: it does not start before the horizon
/// there. `failures` is how many failures the service had under that strategy.
pub fn render_missing(
    scenario: &Scenario,
    strategy: usize,
    id: IncidentId,
    failures: u32,
) -> String {
    let svc = &scenario.services[id.service as usize].name;
    let happened = match failures {
        0 => format!("{svc} never fails there"),
        1 => format!("{svc} fails once there, {svc}#0"),
        n => format!("{svc} fails {n} times there, {svc}#0 to {svc}#{}", n - 1),
    };
    format!(
        "{} under {}: this failure does not start before the horizon ({happened}).\n",
        incident_label(scenario, id),
        scenario.strategies[strategy].name
    )
}

fn signed_minutes(d: f64, less: &str, more: &str, same: &str) -> String {
    let text = story_minutes(d.abs());
    if text == "0m" {
        same.to_string()
    } else if d < 0.0 {
        format!("{text} {less}")
    } else {
        format!("{text} {more}")
    }
}

/// The comparison of the same failure under each strategy: a table of the key figures, then
/// each candidate against the baseline in downtime and money. `stories[i]` is strategy `i`'s
/// story, `None` when the failure did not start before the horizon there.
pub fn render_comparison(
    scenario: &Scenario,
    id: IncidentId,
    stories: &[Option<IncidentStory>],
    baseline: usize,
    pinned: Option<(f64, &str)>,
    width: usize,
) -> String {
    let cur = &scenario.currency;
    let label = incident_label(scenario, id);
    let clock = match pinned {
        Some((at, told)) => format!(
            "Pinned clock: it starts at {} under every strategy (its start under {told}), so the \
             difference is the rules, not the moment of the week.",
            SimClock::at(at)
        ),
        None => "Its time to failure counts from the end of the previous incident of the \
                 service, so it starts later (or after the horizon) where earlier incidents took \
                 longer."
            .to_string(),
    };
    let intro = format!(
        "Common random numbers give it the same mode, warning and fix time under every \
         strategy. {clock}"
    );
    let mut out = format!(
        "The same failure under each strategy: {label}\n{}\n\n",
        wrap_words(&intro, width).join("\n")
    );
    let columns: Vec<(String, Option<&IncidentStory>)> = stories
        .iter()
        .enumerate()
        .map(|(i, story)| (scenario.strategies[i].name.clone(), story.as_ref()))
        .collect();
    out.push_str(&figures_table(scenario, &columns));
    out.push('\n');
    let base_name = &scenario.strategies[baseline].name;
    for (i, story) in stories.iter().enumerate() {
        if i == baseline {
            continue;
        }
        let name = &scenario.strategies[i].name;
        match (story, &stories[baseline]) {
            (Some(c), Some(b)) => {
                let down = signed_minutes(
                    c.cost.outage_minutes - b.cost.outage_minutes,
                    "less downtime",
                    "more downtime",
                    "the same downtime",
                );
                let d = c.cost.total() - b.cost.total();
                let money_text = money(d.abs(), cur);
                let cost = if money_text == money(0.0, cur) {
                    "the same cost".to_string()
                } else if d < 0.0 {
                    format!("{money_text} cheaper")
                } else {
                    format!("{money_text} costlier")
                };
                out.push_str(&format!(
                    "{name} vs {base_name}: {down}, {cost} for this incident\n"
                ));
            }
            (None, _) => out.push_str(&format!(
                "{name} vs {base_name}: cannot compare, {label} does not start before the horizon under {name}\n"
            )),
            (_, None) => out.push_str(&format!(
                "{name} vs {base_name}: cannot compare, {label} does not start before the horizon under {base_name}\n"
            )),
        }
    }
    out
}

/// A page sent by an escalation policy's rule (model.md §8.7): "no answer from sre after
/// 15m: paging senior (policy p1, rule 2)".
fn policy_page(scenario: &Scenario, paged: TierId, asleep: bool, page: PolicyPage) -> String {
    let Some(policy) = scenario.escalation_policies.get(usize::from(page.policy)) else {
        return format!("{} is paged by an escalation policy", tier(scenario, paged));
    };
    let n = policy.rules.len();
    let index =
        usize::from(page.pass.saturating_sub(1)) * n + usize::from(page.rule.saturating_sub(1));
    let pass = if page.pass > 1 {
        format!(", pass {}", page.pass)
    } else {
        String::new()
    };
    let woken = if asleep { ", woken up" } else { "" };
    if index == 0 || n == 0 {
        return format!(
            "nobody on duty: paging {} (policy {}, rule {}{pass}{woken})",
            tier(scenario, paged),
            policy.name,
            page.rule
        );
    }
    let previous = policy.rules[(index - 1) % n].tier as TierId;
    format!(
        "no answer from {} after {}: paging {} (policy {}, rule {}{pass}{woken})",
        tier(scenario, previous),
        story_minutes(page.after),
        tier(scenario, paged),
        policy.name,
        page.rule
    )
}

/// The key figures of several stories of one failure side by side (`columns`: a heading and
/// the story, `None` when the failure does not start there): starts, detected after, down,
/// degraded, engineer time, cost.
pub fn figures_table(scenario: &Scenario, columns: &[(String, Option<&IncidentStory>)]) -> String {
    let cur = &scenario.currency;
    let heads = [
        "",
        "starts",
        "detected after",
        "down",
        "degraded",
        "engineer time",
        "cost",
    ];
    let mut rows: Vec<(String, Vec<String>)> =
        heads.iter().map(|h| (h.to_string(), Vec::new())).collect();
    for (name, story) in columns {
        rows[0].1.push(name.clone());
        let cells = match story {
            None => {
                let mut v = vec!["never (after the horizon)".to_string()];
                v.extend(std::iter::repeat_n("–".to_string(), 5));
                v
            }
            Some(s) => {
                let mut down = story_minutes(s.cost.outage_minutes);
                if s.averted {
                    down.push_str(" (averted)");
                } else if !s.resolved {
                    down.push_str(" (cut off)");
                }
                vec![
                    SimClock::at(s.start).to_string(),
                    s.detected_after.map_or("never".to_string(), story_minutes),
                    down,
                    story_minutes(s.cost.degraded_minutes),
                    story_minutes(s.cost.labor_minutes),
                    money(s.cost.total(), cur),
                ]
            }
        };
        for (row, cell) in rows[1..].iter_mut().zip(cells) {
            row.1.push(cell);
        }
    }
    let head_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let col_w: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.1[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (head, cells) in &rows {
        let mut line = format!("  {head}{}", " ".repeat(head_w - head.chars().count()));
        for (cell, w) in cells.iter().zip(&col_w) {
            line.push_str("   ");
            line.push_str(cell);
            line.push_str(&" ".repeat(w - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The readable id of a maintenance, as the event log's `maintenance` key writes it: `db#0`
/// (the service's maintenance 0).
pub fn maintenance_label(scenario: &Scenario, service: u32, n: u32) -> String {
    format!("{}#{n}", scenario.services[service as usize].name)
}

/// One maintenance beat in words.
fn maintenance_beat_text(
    scenario: &Scenario,
    story: &MaintenanceStory,
    beat: &MaintenanceBeat,
    t: f64,
) -> String {
    let service = &scenario.services[story.id.service as usize];
    let svc = &service.name;
    let plan = plan_for(scenario, story.strategy, story.id.service as usize);
    let cur = &scenario.currency;
    match *beat {
        MaintenanceBeat::Due { tier: k } => {
            let why = match plan.map(|p| (p.policy, p.every_minutes)) {
                Some((MaintenancePolicy::Age, every)) => {
                    format!("{} since its last renewal", story_minutes(every))
                }
                Some((MaintenancePolicy::Calendar, every)) => {
                    format!("every {} on the calendar", story_minutes(every))
                }
                None => "its plan".to_string(),
            };
            let window = match plan.and_then(|p| p.window.as_ref()) {
                Some(w) if !is_open(w, t, 0.0) => {
                    format!("; it may start only inside its window, {w}")
                }
                _ => String::new(),
            };
            format!(
                "{svc} is due for maintenance ({why}): the item joins {}'s queue, behind any incident{window}",
                tier(scenario, k)
            )
        }
        MaintenanceBeat::Started {
            tier: k,
            waited,
            duration,
        } => {
            let wait = if waited > 0.0 {
                // The window is why only where it was shut when the item was queued.
                let shut = plan
                    .and_then(|p| p.window.as_ref())
                    .is_some_and(|w| !is_open(w, t - waited, 0.0));
                format!(
                    " after {} waiting for {}",
                    story_minutes(waited),
                    if shut {
                        "its window".to_string()
                    } else {
                        format!("a free {} engineer", tier(scenario, k))
                    }
                )
            } else {
                String::new()
            };
            let rate = service.downtime_cost_per_hour * service.planned_downtime_cost_fraction;
            let who = tier(scenario, k);
            let article = if who.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            format!(
                "{article} {who} engineer starts it{wait}: {svc} is down as planned for {} ({}/h, {:.0} % of its downtime rate)",
                story_minutes(duration),
                money(rate, cur),
                service.planned_downtime_cost_fraction * 100.0
            )
        }
        MaintenanceBeat::Done { tier: k, worked } => format!(
            "{svc} renewed after {} of maintenance at {}, {} {}",
            story_minutes(worked),
            tier(scenario, k),
            SimClock::at(t).weekday(),
            SimClock::at(t).time_of_day()
        ),
        MaintenanceBeat::Withdrawn { tier: k, by } => {
            let failure = match by {
                Some(id) => format!("{svc} failed first ({})", incident_label(scenario, id)),
                None => format!("{svc} failed first"),
            };
            format!(
                "{failure}: the item leaves {}'s queue, and the repair restarts the maintenance clock",
                tier(scenario, k)
            )
        }
        MaintenanceBeat::CutOff => "the horizon: the story is cut off here".to_string(),
    }
}

/// The narrated timeline of one preventive maintenance (`incsim timeline --maintenance`):
/// title, plan, one line per moment with its running cost, then the totals and which
/// dependants went down as planned with it.
pub fn render_maintenance(
    scenario: &Scenario,
    story: &MaintenanceStory,
    rep: u64,
    width: usize,
) -> String {
    let cur = &scenario.currency;
    let service = story.id.service as usize;
    let svc = &scenario.services[service].name;
    let label = maintenance_label(scenario, story.id.service, story.id.n);
    let strategy = &scenario.strategies[story.strategy].name;
    let para = |text: String| wrap_words(&text, width).join("\n");
    let mut out = String::new();
    out.push_str(&para(format!(
        "Maintenance {label} under {strategy}, replication {rep} (seed {})",
        scenario.simulation.seed
    )));
    out.push('\n');
    if let Some(p) = plan_for(scenario, story.strategy, service) {
        let due = match p.policy {
            MaintenancePolicy::Age => format!(
                "due when {svc} has run {} since its last repair or maintenance",
                story_minutes(p.every_minutes)
            ),
            MaintenancePolicy::Calendar => {
                format!(
                    "due every {} from the start",
                    story_minutes(p.every_minutes)
                )
            }
        };
        let window = match &p.window {
            Some(w) => format!(", inside {w}"),
            None => String::new(),
        };
        out.push_str(&para(format!(
            "Plan: {due}; takes {}; done by {}{window}.",
            p.takes.describe(),
            scenario.tiers[p.tier].name
        )));
        out.push('\n');
    }
    out.push('\n');
    let whens = when_cells(story.lines.iter().map(|l| l.t));
    let rows: Vec<[String; 4]> = story
        .lines
        .iter()
        .zip(whens)
        .map(|(line, when)| {
            [
                when,
                story_minutes(line.t - story.due),
                maintenance_beat_text(scenario, story, &line.beat, line.t),
                money(line.cost.total(), cur),
            ]
        })
        .collect();
    out.push_str(&story_table(&rows, width));
    out.push('\n');
    let c = story.cost;
    let mut total = format!(
        "Total: {} of planned downtime of {svc} ({}) and {} of engineer time ({}): {}.",
        story_minutes(c.planned_minutes),
        money(c.planned_cost, cur),
        story_minutes(c.labor_minutes),
        money(c.labor_cost, cur),
        money(c.total(), cur)
    );
    let dependants = dependants_of(scenario, service);
    if c.planned_minutes > 0.0 && !dependants.is_empty() {
        total.push_str(&format!(
            " Down or degraded with it, and counted in the run's totals at their own rates: {}.",
            dependants.join(", ")
        ));
    }
    out.push_str(&para(total));
    out.push('\n');
    out
}

/// Services that depend on `service`, directly or through others (model.md §8.10: a
/// dependency passes planned maintenance on like any state), in scenario order.
fn dependants_of(scenario: &Scenario, service: usize) -> Vec<String> {
    let mut reached = vec![false; scenario.services.len()];
    reached[service] = true;
    // Each pass adds the services that depend on one already reached; a chain of n services
    // needs at most n passes (dependencies have no cycles).
    for _ in 0..scenario.services.len() {
        let mut grew = false;
        for (i, s) in scenario.services.iter().enumerate() {
            if !reached[i] && s.depends_on.iter().any(|d| reached[d.service]) {
                reached[i] = true;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    scenario
        .services
        .iter()
        .enumerate()
        .filter(|&(i, _)| reached[i] && i != service)
        .map(|(_, s)| s.name.clone())
        .collect()
}
