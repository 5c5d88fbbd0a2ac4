//! The one validator of a typed [`Scenario`]: every bound of the field registry and every
//! cross-field rule, written once.
//!
//! The parser runs it on the scenario it built (and maps each violation's path back to the
//! line and column of the file); sweeps and sensitivity analyses run it on every varied
//! scenario; the event-log reader and the shard merge run it on the scenario their files carry.

use std::collections::HashSet;

use super::duration::format_minutes;
use super::fields::{self, Bounds, Kind, MAX_EXPECTED_EVENTS, MAX_EXPECTED_FALSE_ALARMS, Value};
use super::{Repair, Scenario};

/// One broken rule: which field, what was expected and found, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path by names, e.g. `tiers.help-desk.staff`; the parser maps it to a position.
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}\n  help: {}", self.path, self.message, self.help)
    }
}

fn violation(
    path: impl Into<String>,
    message: impl Into<String>,
    help: impl Into<String>,
) -> Violation {
    Violation {
        path: path.into(),
        message: message.into(),
        help: help.into(),
    }
}

/// Every violation of the registry's bounds and the cross-field rules, in scenario order
/// (bounds first, then names and references, then the scenario-wide limits).
pub fn validate(s: &Scenario) -> Vec<Violation> {
    let mut out = Vec::new();
    if s.tiers.is_empty() {
        out.push(violation(
            "tiers",
            "expected at least one [[tiers]] table; found none",
            "add a [[tiers]] table",
        ));
    }
    if s.services.is_empty() {
        out.push(violation(
            "services",
            "expected at least one [[services]] table; found none",
            "add a [[services]] table",
        ));
    }
    if s.strategies.is_empty() {
        out.push(violation(
            "strategies",
            "expected at least one strategy ([strategies.NAME]); found none",
            "add a [strategies.NAME] table",
        ));
    }
    if !out.is_empty() {
        return out;
    }
    bounds(s, &mut out);
    names(s, &mut out);
    references(s, &mut out);
    repairs(s, &mut out);
    slas(s, &mut out);
    limits(s, &mut out);
    out
}

/// SLAs (model.md §8.13): one per priority, each with at least one clock.
fn slas(s: &Scenario, out: &mut Vec<Violation>) {
    for (i, sla) in s.slas.iter().enumerate() {
        if let Some(first) = s.slas[..i].iter().position(|o| o.priority == sla.priority) {
            out.push(violation(
                format!("slas[{i}].priority"),
                format!(
                    "expected one SLA per priority; found priority {} again (first in slas[{first}])",
                    sla.priority
                ),
                "merge the two [[slas]] tables of this priority into one",
            ));
        }
        if sla.respond_minutes.is_none() && sla.resolve_minutes.is_none() {
            out.push(violation(
                format!("slas[{i}]"),
                "expected respond or resolve (or both); found neither",
                "add respond = \"15m\" (detection to first work) and/or resolve = \"4h\" \
                 (detection to resolution)",
            ));
        }
    }
}

/// The run settings and every numeric field, against the registry's bounds.
fn bounds(s: &Scenario, out: &mut Vec<Violation>) {
    let sim = &s.simulation;
    for (path, x) in [
        ("simulation.horizon", sim.horizon_minutes),
        ("simulation.replications", sim.replications as f64),
    ] {
        // The seed is not checked: every u64 is a seed (a file can write only up to i64::MAX).
        if let Err(e) = fields::field(path).bounds.check(x) {
            let found = if path == "simulation.horizon" {
                format_minutes(x)
            } else {
                format!("{x}")
            };
            out.push(violation(
                path,
                format!("expected {}; found {found}", e.expected),
                e.help,
            ));
        }
    }
    // Paths by names are built only for a field that breaks a rule: a sweep or sensitivity
    // analysis validates every varied scenario, nearly always without a violation.
    for at in fields::readable_located(s) {
        let get = at.field.get.expect("readable fields have a getter");
        let Some(value) = get(s, at.idx) else {
            continue;
        };
        let x = value.as_number();
        let bounds = at.field.bounds;
        if let Err(e) = bounds.check(x) {
            let found = match (&value, at.field.kind) {
                (Value::Dist(d), _) => d.describe(),
                (Value::Number(x), Kind::Duration) if x.is_finite() && *x >= 0.0 => {
                    format_minutes(*x)
                }
                (Value::Number(x), _) => format!("{x}"),
            };
            out.push(violation(
                fields::path_of(s, at),
                format!("expected {}; found {found}", e.expected),
                e.help,
            ));
        } else if let Value::Dist(d) = &value
            && bounds != Bounds::Unbounded
            && !d.is_valid()
        {
            out.push(violation(
                fields::path_of(s, at),
                format!("expected a valid distribution; found {}", d.describe()),
                "check the parameters: durations ≥ 0, shapes > 0, min ≤ mode ≤ max",
            ));
        }
    }
}

/// Names: non-empty, printable, unique among their siblings; the currency code.
fn names(s: &Scenario, out: &mut Vec<Violation>) {
    let c = &s.currency;
    if !(c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase())) {
        out.push(violation(
            "currency",
            format!(
                "expected a three-letter ISO 4217 code such as \"USD\" or \"EUR\"; found {}",
                shown(c)
            ),
            "use the three-letter ISO 4217 code of the currency every money field is in",
        ));
    }
    // Paths are built only for a broken name; one set, cleared between groups, serves them all.
    fn group<'a>(
        seen: &mut HashSet<&'a str>,
        what: &str,
        base: &dyn Fn() -> String,
        names: impl Iterator<Item = &'a str>,
        out: &mut Vec<Violation>,
    ) {
        seen.clear();
        for name in names {
            let path = || format!("{}.name", fields::join(&base(), name));
            if let Some(problem) = name_problem(name) {
                out.push(violation(
                    path(),
                    problem,
                    "use letters, digits, spaces and punctuation only",
                ));
            } else if !seen.insert(name) {
                out.push(violation(
                    path(),
                    format!("expected unique {what}; found {} twice", shown(name)),
                    "rename one of the two",
                ));
            }
        }
    }
    let mut seen = HashSet::new();
    group(
        &mut seen,
        "tier names",
        &|| "tiers".to_string(),
        s.tiers.iter().map(|t| t.name.as_str()),
        out,
    );
    group(
        &mut seen,
        "service names",
        &|| "services".to_string(),
        s.services.iter().map(|t| t.name.as_str()),
        out,
    );
    for svc in &s.services {
        let base = || format!("{}.modes", fields::join("services", &svc.name));
        if svc.modes.is_empty() {
            out.push(violation(
                base(),
                "expected at least one failure mode ([[services.modes]]); found none",
                "add a [[services.modes]] table",
            ));
        }
        group(
            &mut seen,
            "mode names within the service",
            &base,
            svc.modes.iter().map(|m| m.name.as_str()),
            out,
        );
    }
    seen.clear();
    for st in &s.strategies {
        let path = || fields::join("strategies", &st.name);
        if let Some(problem) = name_problem(&st.name) {
            out.push(violation(
                path(),
                problem,
                "name the strategy with printable text, e.g. [strategies.proactive]",
            ));
        } else if !seen.insert(st.name.as_str()) {
            out.push(violation(
                path(),
                format!(
                    "expected unique strategy names; found {} twice",
                    shown(&st.name)
                ),
                "rename one of the two",
            ));
        }
    }
}

/// What is wrong with a name, if anything: empty, or holding control characters (which would
/// garble terminals, CSV cells and file names).
pub fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some(format!("expected a non-empty name; found {}", shown(name)));
    }
    if name.chars().any(char::is_control) {
        return Some(format!(
            "expected a name of printable characters; found {} with a control character",
            shown(name)
        ));
    }
    None
}

/// A found text for a message: quoted and escaped, cut after 60 characters so that an error
/// never echoes a huge value in full.
pub fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let count = text.chars().count();
    if count <= MAX_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(MAX_CHARS).collect();
    format!("{head:?}… ({count} characters)")
}

/// Minimal repair (model.md §8.5) draws the next failure conditioned on the age reached, which
/// the model can do only for the families whose conditional survival it inverts.
fn repairs(s: &Scenario, out: &mut Vec<Violation>) {
    for svc in &s.services {
        if svc.repair == Repair::AsBadAsOld && !svc.failures_every.has_residual_life() {
            out.push(violation(
                format!("{}.repair", fields::join("services", &svc.name)),
                format!(
                    "repair = \"as_bad_as_old\" needs failures.every to be exponential, weibull \
                     or lognormal; found {}",
                    svc.failures_every.describe()
                ),
                "give failures.every one of those families, or use repair = \"renew\"",
            ));
        }
    }
}

/// `needs` and `alert_tier` point at existing tiers.
fn references(s: &Scenario, out: &mut Vec<Violation>) {
    if let Some(name) = &s.baseline
        && s.strategy_index(name).is_none()
    {
        let names: Vec<&str> = s.strategies.iter().map(|st| st.name.as_str()).collect();
        out.push(violation(
            "baseline",
            format!("expected the name of a strategy; found {name:?}"),
            format!("the strategies are {}", names.join(", ")),
        ));
    }
    let tiers = s.tiers.len();
    let known = || {
        s.tiers
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for svc in &s.services {
        for m in &svc.modes {
            let mode_path = || {
                fields::join(
                    &format!("{}.modes", fields::join("services", &svc.name)),
                    &m.name,
                )
            };
            if let Some(w) = &m.workaround {
                if w.tier >= tiers {
                    out.push(violation(
                        format!("{}.workaround.tier", mode_path()),
                        format!(
                            "expected the name of a tier ({}); found tier number {}",
                            known(),
                            w.tier + 1
                        ),
                        "use one of the tier names defined under [[tiers]]",
                    ));
                } else if w.tier >= m.needs && m.needs < tiers {
                    // model.md §8.8: only an engineer who cannot fix the mode tries the
                    // workaround, so one at or above `needs` would never be tried.
                    out.push(violation(
                        format!("{}.workaround.tier", mode_path()),
                        format!(
                            "expected a tier below the mode's needs ({}); found {}",
                            s.tiers[m.needs].name, s.tiers[w.tier].name
                        ),
                        "only a tier that cannot fix the mode tries a workaround: name a lower \
                         tier (such as the help desk), or remove the workaround",
                    ));
                }
            }
            if m.needs >= tiers {
                out.push(violation(
                    format!(
                        "{}.needs",
                        fields::join(
                            &format!("{}.modes", fields::join("services", &svc.name)),
                            &m.name
                        )
                    ),
                    format!(
                        "expected the name of a tier ({}); found tier number {}",
                        known(),
                        m.needs + 1
                    ),
                    "use one of the tier names defined under [[tiers]]",
                ));
            }
        }
    }
    dependencies(s, out);
    for st in &s.strategies {
        if let Some(p) = &st.problems
            && p.tier >= tiers
        {
            out.push(violation(
                format!("{}.problems.tier", fields::join("strategies", &st.name)),
                format!(
                    "expected the name of a tier ({}); found tier number {}",
                    known(),
                    p.tier + 1
                ),
                "use one of the tier names defined under [[tiers]]",
            ));
        }
        if st.alert_tier >= tiers {
            out.push(violation(
                format!("{}.alert_tier", fields::join("strategies", &st.name)),
                format!(
                    "expected the name of a tier ({}); found tier number {}",
                    known(),
                    st.alert_tier + 1
                ),
                "use one of the tier names defined under [[tiers]]",
            ));
        }
    }
}

/// `depends_on` (docs/model.md §8.10): every reference names a service, and the graph has no
/// cycle (a service that needs itself, directly or through others, would never be up).
fn dependencies(s: &Scenario, out: &mut Vec<Violation>) {
    let n = s.services.len();
    let path = |i: usize| {
        format!(
            "{}.depends_on",
            fields::join("services", &s.services[i].name)
        )
    };
    let mut broken = false;
    for (i, svc) in s.services.iter().enumerate() {
        for d in &svc.depends_on {
            if d.service >= n {
                broken = true;
                out.push(violation(
                    path(i),
                    format!(
                        "expected the name of a service; found service number {}",
                        d.service + 1
                    ),
                    "use one of the service names defined under [[services]]",
                ));
            }
        }
    }
    if broken {
        return;
    }
    if let Some(cycle) = super::dependency_cycle(s) {
        let names: Vec<&str> = cycle.iter().map(|&i| s.services[i].name.as_str()).collect();
        out.push(violation(
            path(cycle[0]),
            format!(
                "expected dependencies without a cycle; found {} → {}",
                names.join(" → "),
                names[0]
            ),
            "remove one of these depends_on entries: a service cannot need itself, even through others",
        ));
    }
}

/// Rules across fields: weights, triage, and the limits that keep a replication bounded.
/// Expected failures of one service over the horizon (DESIGN §2 rule 14). Renewing: the
/// renewal rate, horizon / mean. Minimal repair (model.md §8.5): the failures are a Poisson
/// process in the age with mean Λ(age) = −ln S(age), and the age never exceeds the horizon.
fn expected_failures(svc: &super::Service, horizon: f64) -> f64 {
    match svc.repair {
        Repair::Renew => horizon / svc.failures_every.mean(),
        Repair::AsBadAsOld => svc
            .failures_every
            .cumulative_hazard(horizon)
            .unwrap_or(horizon / svc.failures_every.mean()),
    }
}

fn limits(s: &Scenario, out: &mut Vec<Violation>) {
    let horizon = s.simulation.horizon_minutes;
    for svc in &s.services {
        if !svc.modes.is_empty() && svc.modes.iter().all(|m| m.weight == 0.0) {
            out.push(violation(
                format!("{}.modes", fields::join("services", &svc.name)),
                "expected at least one mode with weight > 0; found all weights 0",
                "weights are relative frequencies: give the modes that occur a positive weight",
            ));
        }
    }
    // docs/model.md §2 rule 14: no replication may hang on an enormous number of events.
    // With workarounds, a root cause strikes again after `recurs` instead of `failures.every`:
    // the shorter of the two means bounds how often the service can fail.
    let workarounds = s.strategies.iter().any(|st| st.workarounds);
    // Per service: (failures, change deployments) expected over the horizon.
    let per_service: Vec<(f64, f64)> = s
        .services
        .iter()
        .map(|svc| {
            let recurs = svc
                .modes
                .iter()
                .filter_map(|m| m.workaround.as_ref())
                .filter(|_| workarounds)
                .map(|w| w.recurs.mean())
                .fold(f64::INFINITY, f64::min);
            // Model.md §8.12: every change arrival is an event (and may start a failure).
            let changes = svc
                .changes
                .as_ref()
                .map_or(0.0, |c| c.per_week * horizon / super::MINUTES_PER_WEEK);
            (
                expected_failures(svc, horizon).max(horizon / recurs),
                changes,
            )
        })
        .collect();
    let total: f64 = per_service.iter().map(|(f, c)| f + c).sum();
    if total > MAX_EXPECTED_EVENTS {
        // Point at the service, and the field of it, that contributes most: the likeliest typo.
        let worst = per_service
            .iter()
            .enumerate()
            .max_by(|a, b| (a.1.0 + a.1.1).total_cmp(&(b.1.0 + b.1.1)))
            .map_or(0, |(i, _)| i);
        let svc = &s.services[worst];
        let (failures, changes) = per_service[worst];
        let n = s.services.len();
        let over = format!(
            "{total:.0} (horizon {} over {n} service{}",
            format_minutes(horizon),
            if n == 1 { "" } else { "s" },
        );
        let at = fields::join("services", &svc.name);
        if changes > failures {
            let per_week = svc.changes.as_ref().map_or(0.0, |c| c.per_week);
            out.push(violation(
                format!("{at}.changes.per_week"),
                format!(
                    "expected at most 10000000 failures and change deployments per \
                     replication; found about {over}; here about {changes:.0} deployments, \
                     {per_week} a week)"
                ),
                "changes.per_week is deployments per week, not per minute: check its value or \
                 shorten simulation.horizon",
            ));
        } else {
            out.push(violation(
                format!("{at}.failures.every"),
                format!(
                    "expected at most 10000000 failures per replication; found about {over}; \
                     here one failure every {} on average)",
                    format_minutes(match svc.repair {
                        Repair::Renew => svc.failures_every.mean(),
                        Repair::AsBadAsOld => horizon / failures,
                    }),
                ),
                if svc.repair == Repair::AsBadAsOld {
                    "with repair = \"as_bad_as_old\" a wearing-out service fails ever faster as it \
                     ages: check failures.every, use repair = \"renew\" or shorten simulation.horizon"
                } else {
                    "check the unit of failures.every (\"45d\", not \"45s\") or shorten simulation.horizon"
                },
            ));
        }
    }
    for st in &s.strategies {
        let Some(m) = &st.monitoring else { continue };
        let expected = fields::expected_false_alarms(m.false_alarms_per_week, horizon);
        if expected > MAX_EXPECTED_FALSE_ALARMS {
            out.push(violation(
                format!(
                    "{}.monitoring.false_alarms_per_week",
                    fields::join("strategies", &st.name)
                ),
                format!(
                    "expected at most 1000000 false alarms per replication; found about {expected:.0} \
                     over the horizon of {}",
                    format_minutes(horizon)
                ),
                "false_alarms_per_week is a rate per week across all services: check its value",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    fn default() -> Scenario {
        parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap()
    }

    #[test]
    fn the_default_scenario_breaks_no_rule() {
        assert_eq!(validate(&default()), vec![]);
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut s = default();
        s.tiers[1].staff = 0;
        s.strategies[1].route_direct = 1.8;
        s.services[0].modes[0].weight = 0.0;
        s.services[0].modes[1].weight = 0.0;
        s.strategies[0].alert_tier = 7;
        s.tiers[0].name = "help\u{7}desk".into();
        let paths: Vec<String> = validate(&s).into_iter().map(|v| v.path).collect();
        for p in [
            "tiers.senior-network-engineer.staff",
            "strategies.proactive.route_direct",
            "services.email.modes",
            "strategies.reactive.alert_tier",
            "tiers.\"help\\u{7}desk\".name",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
        }
    }

    #[test]
    fn rule_14_bounds_the_expected_failures() {
        let mut s = default();
        s.services[0].failures_every = crate::scenario::Dist::fixed(2.0 / 60.0);
        let v = validate(&s);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].message.contains("at most 10000000 failures"));
    }

    #[test]
    fn long_values_are_cut_when_shown() {
        let long = "x".repeat(10_000);
        let text = shown(&long);
        assert!(text.len() < 100, "{text}");
        assert!(text.ends_with("(10000 characters)"));
    }
}
