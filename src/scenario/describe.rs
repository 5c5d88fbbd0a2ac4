//! A short plain-text summary of a checked scenario, for `incsim validate`.
//!
//! The summary reads as sentences where fields only make sense together ("fails every …
//! (MTBF …, ~8 failures per horizon)"); the fields those sentences tell are listed in [`TOLD`].
//! Every other numeric field of the registry ([`fields::FIELDS`]) that the scenario sets away
//! from its default is listed after them from its registry row (path, value in its kind's
//! unit, doc line), so a field added to the registry shows here without an edit to this file.

use std::fmt::Write;

use super::Repair;
use super::Scenario;
use super::duration::{format_minutes, parse_duration};
use super::fields::{self, Field, Kind, Presence, Value};

/// The registry paths whose values the sentences of [`describe`] tell (a unit test checks
/// each is a numeric row of the registry).
pub const TOLD: &[&str] = &[
    "tiers[].staff",
    "tiers[].shifts[].staff",
    "tiers[].hourly_cost",
    "tiers[].on_call.staff",
    "tiers[].on_call.ack",
    "tiers[].on_call.ack_asleep",
    "tiers[].on_call.standby_cost_per_hour",
    "tiers[].on_call.callout_cost",
    "tiers[].annual_cost_per_engineer",
    "tiers[].cost_per_incident",
    "services[].downtime_cost_per_hour",
    "services[].degraded_cost_fraction",
    "services[].report_delay",
    "services[].failures.every",
    "services[].tickets.per_hour",
    "services[].tickets.triage",
    "services[].changes.per_week",
    "services[].changes.failure_rate",
    "services[].modes[].weight",
    "services[].modes[].warning",
    "services[].modes[].fix",
    "services[].modes[].workaround.fix",
    "services[].modes[].workaround.success",
    "services[].modes[].workaround.recurs",
    "slas[].respond",
    "slas[].resolve",
    "slas[].penalty",
    "strategies.*.escalate_after",
    "strategies.*.handoff",
    "strategies.*.fix_multiplier",
    "strategies.*.annual_cost",
    "strategies.*.route_direct",
    "strategies.*.ticket_deflection",
    "strategies.*.change_failure_rate",
    "strategies.*.monitoring.coverage",
    "strategies.*.monitoring.detect",
    "strategies.*.monitoring.outage_detect",
    "strategies.*.monitoring.false_alarms_per_week",
    "strategies.*.monitoring.triage",
    "strategies.*.problems.fix",
    "escalation_policies[].rules[].delay",
];

/// Summarize a checked scenario in a few lines: run settings, tiers, services with their
/// failure modes, and strategies with their settings.
pub fn describe(s: &Scenario) -> String {
    let mut out = String::new();
    let cur = &s.currency;
    // Writing to a String cannot fail: the results are ignored on purpose.
    let _ = writeln!(out, "{}", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(out, "  {}", s.description);
    }
    let _ = writeln!(
        out,
        "horizon {}, {} replications, seed {}, money in {cur}",
        format_minutes(s.simulation.horizon_minutes),
        s.simulation.replications,
        s.simulation.seed
    );

    let _ = writeln!(out, "\ntiers (escalation order):");
    for (i, t) in s.tiers.iter().enumerate() {
        let hours = t.hours_in_words(s.simulation.utc_offset_minutes);
        let _ = writeln!(
            out,
            "  {}. {}: {} staff, {hours}, {} {cur}/h",
            i + 1,
            t.name,
            t.staff,
            num(t.hourly_cost)
        );
        if let Some(oc) = &t.on_call {
            let _ = writeln!(
                out,
                "     on call outside its hours: {} engineer(s) paged for priority ≤ {}, acknowledge after {} ({} when asleep), standby {} {cur}/h, {} {cur} per callout",
                oc.staff,
                oc.page_priority,
                oc.ack.describe(),
                oc.ack_asleep.describe(),
                num(oc.standby_cost_per_hour),
                num(oc.callout_cost)
            );
        }
        if t.annual_cost_per_engineer > 0.0 || t.cost_per_incident > 0.0 {
            let _ = writeln!(
                out,
                "     salaried {} {cur}/year per engineer; vendor fee {} {cur} per incident",
                num(t.annual_cost_per_engineer),
                num(t.cost_per_incident)
            );
        }
    }

    let _ = writeln!(out, "\nservices:");
    for svc in &s.services {
        let every = svc.failures_every.mean();
        let expected = s.simulation.horizon_minutes / every;
        let _ = writeln!(
            out,
            "  {} (priority {}): fails every {} (MTBF {}, ~{} failures per horizon); users report after {}",
            svc.name,
            svc.priority,
            svc.failures_every.describe(),
            format_minutes(every),
            num(expected),
            svc.report_delay.describe()
        );
        if svc.repair == Repair::AsBadAsOld {
            let _ = writeln!(
                out,
                "    repairs are minimal (as bad as old): the age survives each repair, so the MTBF is that of a new service"
            );
        }
        let _ = writeln!(
            out,
            "    downtime {} {cur}/h, degraded at {} % of that",
            num(svc.downtime_cost_per_hour),
            num(svc.degraded_cost_fraction * 100.0)
        );
        if let Some(tk) = &svc.tickets {
            let _ = writeln!(
                out,
                "    after the first report, {} more users report it per hour until it is up ({} triage each)",
                num(tk.per_hour),
                format_minutes(tk.triage_minutes)
            );
        }
        if let Some(c) = &svc.changes {
            let mode = svc.modes.get(c.mode).map_or("?", |m| m.name.as_str());
            let _ = writeln!(
                out,
                "    changes: ~{} a week within {} (site time); {} % fail, failing it at once as {mode}",
                num(c.per_week),
                c.hours,
                num(c.failure_rate * 100.0)
            );
        }
        for dep in &svc.depends_on {
            let on = s.services.get(dep.service).map_or("?", |d| d.name.as_str());
            let effect = match dep.effect {
                super::Effect::Down => {
                    "down (its users then report the symptom: a symptom incident at the first tier)"
                }
                super::Effect::Degraded => "degraded (never down)",
            };
            let _ = writeln!(
                out,
                "    depends on {on}: its trouble makes this one {effect}"
            );
        }
        let total_weight: f64 = svc.modes.iter().map(|m| m.weight).sum();
        for m in &svc.modes {
            let share = if total_weight > 0.0 {
                100.0 * m.weight / total_weight
            } else {
                0.0
            };
            let warning = if m.warning.is_fixed() && m.warning.mean() == 0.0 {
                "none (sudden)".to_string()
            } else {
                m.warning.describe()
            };
            let needs = s.tiers.get(m.needs).map_or("?", |t| t.name.as_str());
            let _ = writeln!(
                out,
                "    - {} ({} %): warning {warning}; fix {}; needs {needs}",
                m.name,
                num(share),
                m.fix.describe()
            );
            if let Some(w) = &m.workaround {
                let tier = s.tiers.get(w.tier).map_or("?", |t| t.name.as_str());
                let _ = writeln!(
                    out,
                    "      workaround from {tier}: {}, works {} % of the time, the root cause returns after {}",
                    w.fix.describe(),
                    num(w.success * 100.0),
                    w.recurs.describe()
                );
            }
        }
    }

    if !s.slas.is_empty() {
        let _ = writeln!(
            out,
            "
SLAs (clocks from detection):"
        );
        for sla in &s.slas {
            let clock = |m: Option<f64>| m.map_or("none".to_string(), format_minutes);
            let _ = writeln!(
                out,
                "  priority {}: respond {}, resolve {}, {} {cur} per breach",
                sla.priority,
                clock(sla.respond_minutes),
                clock(sla.resolve_minutes),
                num(sla.penalty)
            );
        }
    }

    let _ = writeln!(out, "\nstrategies:");
    for st in &s.strategies {
        let detection = match &st.monitoring {
            None => "user reports only".to_string(),
            Some(m) => {
                let mut d = format!(
                    "monitoring: coverage {} %, detects degradation after {}, outages after {}",
                    num(m.coverage * 100.0),
                    m.detect.describe(),
                    format_minutes(m.outage_detect)
                );
                if m.false_alarms_per_week > 0.0 {
                    let _ = write!(
                        d,
                        ", {} false alarms/week ({} triage each)",
                        num(m.false_alarms_per_week),
                        format_minutes(m.triage)
                    );
                }
                let alert = s.tiers.get(st.alert_tier).map_or("?", |t| t.name.as_str());
                let _ = write!(d, "; alerts to {alert}");
                if st.route_direct > 0.0 {
                    let _ = write!(d, ", {} % routed direct", num(st.route_direct * 100.0));
                }
                d
            }
        };
        let _ = writeln!(out, "  {}: {detection}", st.name);
        let _ = writeln!(
            out,
            "    escalate after {}, handoff {}, fix ×{}, {} {cur}/year",
            format_minutes(st.escalate_after),
            format_minutes(st.handoff),
            num(st.fix_multiplier),
            num(st.annual_cost)
        );
        let mut practice: Vec<String> = Vec::new();
        if st.ticket_deflection > 0.0 {
            practice.push(format!(
                "{} % of further tickets deflected",
                num(st.ticket_deflection * 100.0)
            ));
        }
        if let Some(r) = st.change_failure_rate {
            practice.push(format!("{} % of changes fail", num(r * 100.0)));
        }
        if let Some(policy) = st.paging.and_then(|i| s.escalation_policies.get(i)) {
            // Rule k fires after the delays of the rules before it (model.md §8.7).
            let mut at = 0.0;
            let rules: Vec<String> = policy
                .rules
                .iter()
                .map(|r| {
                    let tier = s.tiers.get(r.tier).map_or("?", |t| t.name.as_str());
                    let text = format!("{tier} at +{}", format_minutes(at));
                    at += r.delay;
                    text
                })
                .collect();
            practice.push(format!(
                "on-call paged by escalation policy {} ({}; {} pass(es))",
                policy.name,
                rules.join(", "),
                policy.num_loops + 1
            ));
        }
        if st.workarounds {
            practice.push("lower tiers try workarounds".to_string());
        }
        if st.correlate {
            practice.push(
                "a service map links symptom incidents to the detected root incident".to_string(),
            );
        }
        if let Some(p) = &st.problems {
            let tier = s.tiers.get(p.tier).map_or("?", |t| t.name.as_str());
            practice.push(format!(
                "problem management after {} recurrence(s): root-cause fix {} at {tier}",
                p.after,
                p.fix.describe()
            ));
        }
        if !practice.is_empty() {
            let _ = writeln!(out, "    {}", practice.join("; "));
        }
    }

    let others: Vec<String> = fields::readable(s)
        .into_iter()
        .filter(|(_, at)| !TOLD.contains(&at.field.path))
        .filter_map(|(path, at)| {
            let value = (at.field.get?)(s, at.idx)?;
            (!at_default(at.field, &value)).then(|| {
                format!(
                    "  {path}: {} — {}",
                    value_for_people(at.field.kind, &value, cur),
                    at.field.doc
                )
            })
        })
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\nother settings (docs/scenario-reference.md):");
        for line in others {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// A field's value in its kind's unit, as the sentences above write it: money with the
/// currency code, shares as percentages, durations and distributions described.
fn value_for_people(kind: Kind, value: &Value, currency: &str) -> String {
    match (kind, value) {
        (_, Value::Dist(d)) => d.describe(),
        (Kind::Duration, Value::Number(x)) => format_minutes(*x),
        (Kind::Money, Value::Number(x)) => format!("{} {currency}", num(*x)),
        (Kind::Probability, Value::Number(x)) => format!("{} %", num(x * 100.0)),
        (_, Value::Number(x)) => num(*x),
    }
}

/// True when `value` is the field's documented default (a number, or a duration written as
/// text); a field without a default value is never at it.
fn at_default(field: &Field, value: &Value) -> bool {
    let Presence::Default(text) = field.presence else {
        return false;
    };
    let default = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(duration) => parse_duration(duration).ok(),
        None => text.parse::<f64>().ok(),
    };
    match (default, value) {
        (Some(d), Value::Number(x)) => *x == d,
        (Some(d), Value::Dist(dist)) => dist.is_fixed() && dist.mean() == d,
        (None, _) => false,
    }
}

/// A number for display: at most 2 decimals, no trailing zeros (`85`, `0.8`, `8.11`).
fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r == 0.0 {
        // Avoid "-0".
        return "0".to_string();
    }
    format!("{r}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn describes_the_default_scenario() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("default scenario is valid");
        let text = describe(&s);
        for needle in [
            "Mail server outage at a 500-person firm",
            "horizon 365d, 1000 replications, seed 42, money in USD",
            "1. help-desk: 3 staff, business hours",
            "2. senior-network-engineer: 1 staff, business hours (Mon–Fri 08:00–18:00), 120 USD/h",
            "on call outside its hours: 1 engineer(s) paged for priority ≤ 1, acknowledge after 10m (25m when asleep)",
            "after the first report, 8 more users report it per hour until it is up (5m triage each)",
            "priority 1: respond 30m, resolve 4h, 0 USD per breach",
            "50 % of further tickets deflected",
            "email (priority 1): fails every exponential (mean 45d) (MTBF 45d, ~8.11 failures per horizon)",
            "- memory-leak (60 %): warning lognormal (median 6h, p90 1d); fix lognormal (median 45m, p90 3h); needs senior-network-engineer",
            "- mailbox-quota (40 %): warning none (sudden)",
            "reactive: user reports only",
            "escalate after 2h, handoff 30m, fix ×1.5, 0 USD/year",
            "proactive: monitoring: coverage 85 %",
            "2 false alarms/week (10m triage each); alerts to help-desk, 70 % routed direct",
            "fix ×0.8, 60000 USD/year",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }

    #[test]
    fn every_told_path_is_a_numeric_registry_row() {
        for path in TOLD {
            let row = fields::find(path).unwrap_or_else(|| panic!("{path} is not in the registry"));
            assert!(row.get.is_some(), "{path} has no accessor: nothing to tell");
        }
    }

    #[test]
    fn a_field_the_sentences_do_not_tell_is_listed_from_its_registry_row() {
        let default = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("valid");
        // At its default the field is not news: the summary has no "other settings".
        assert!(!describe(&default).contains("other settings"));
        let toml = DEFAULT_SCENARIO_TOML.replace(
            "downtime_cost_per_hour = 12000",
            "downtime_cost_per_hour = 12000\nplanned_downtime_cost_fraction = 0.25",
        );
        let text = describe(&parse_str(&toml, "set").expect("valid"));
        let row = fields::field("services[].planned_downtime_cost_fraction");
        assert!(
            text.contains(&format!(
                "other settings (docs/scenario-reference.md):\n  services.email.planned_downtime_cost_fraction: 25 % — {}\n",
                row.doc
            )),
            "{text}"
        );
    }

    #[test]
    fn defaults_are_read_from_the_registry_text() {
        let handoff = fields::field("strategies.*.handoff");
        assert!(at_default(handoff, &Value::Number(0.0)));
        assert!(!at_default(handoff, &Value::Number(30.0)));
        let fraction = fields::field("services[].planned_downtime_cost_fraction");
        assert!(at_default(fraction, &Value::Number(1.0)));
        let every = fields::field("services[].failures.every");
        assert!(
            !at_default(every, &Value::Number(1.0)),
            "required: no default"
        );
    }

    #[test]
    fn num_is_compact() {
        assert_eq!(num(85.000_000_000_01), "85");
        assert_eq!(num(0.8), "0.8");
        assert_eq!(num(-0.0001), "0");
    }
}
