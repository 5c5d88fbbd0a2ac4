//! The set-up of sweeps and sensitivity analyses (issue 19): listing a scenario's fields and
//! checking its varied copies cost work in proportion to the scenario, not to its square.
//!
//! - The paths by names are the ones the original walk of the registry gave, in its order: that
//!   walk is kept here as the reference (it built every instance's path of a nested pattern and
//!   kept the current element's, quadratic in services × modes).
//! - [`Trials`] (the sensitivity's set-up) gives what [`Parameter::apply`] gives, errors
//!   included.
//! - Heap allocations (a count, not a timing) grow linearly from 50 to 100 services.

mod alloc_count;
use alloc_count::allocations;
use std::fmt::Write;

use incsim::experiment::sensitivity::Plan;
use incsim::experiment::vary::{self, Setting, Trials};
use incsim::scenario::fields::{self, Idx, Located};
use incsim::scenario::{Scenario, parse_str, validate};

/// A scenario with `services` services of four modes each (two with a workaround), and every
/// kind of nested table the registry walks: tickets and changes on some services,
/// dependencies, an on-call rota and shifts, SLAs, an escalation policy, monitoring, problem
/// management, maintenance and a tier override.
fn scaled(services: usize) -> Scenario {
    let mut t = String::from(
        r#"name = "scaled"
[simulation]
horizon = "365d"
replications = 10
seed = 7

[[tiers]]
name = "desk"
staff = 3
hours = "business"
hourly_cost = 45
on_call = { staff = 1, ack = "10m", ack_asleep = "30m", asleep = "23:00-07:00", page_priority = 1, standby_cost_per_hour = 3, callout_cost = 50 }

[[tiers]]
name = "ops"
shifts = [{ hours = "Mon-Fri 08:00-18:00", staff = 2 }, { hours = "Sat-Sun 08:00-18:00", staff = 1 }]
hourly_cost = 90
on_call = { staff = 1, ack = "10m" }

[[tiers]]
name = "vendor"
staff = 2
hourly_cost = 250

[[slas]]
priority = 1
respond = "30m"
resolve = "4h"

[[slas]]
priority = 2
resolve = "1d"

[[escalation_policies]]
name = "p1"
rules = [{ delay = "15m", tier = "desk" }, { delay = "30m", tier = "ops" }]
"#,
    );
    for i in 0..services {
        let _ = write!(
            t,
            r#"
[[services]]
name = "svc-{i}"
priority = {priority}
downtime_cost_per_hour = {cost}
degraded_cost_fraction = 0.2
report_delay = {{ dist = "exponential", mean = "20m" }}
failures = {{ every = {{ dist = "weibull", shape = 1.3, scale = "{days}d" }} }}
"#,
            priority = 1 + i % 3,
            cost = 1000 + 37 * i,
            days = 20 + i % 17,
        );
        if i % 2 == 0 {
            t.push_str("tickets = { per_hour = 3, triage = \"5m\" }\n");
        }
        if i % 3 == 0 {
            t.push_str(
                "changes = { per_week = 2, failure_rate = 0.1, mode = \"bad-deploy\", \
                 hours = \"Mon-Thu 10:00-16:00\" }\n",
            );
        }
        if i > 0 && i % 4 == 0 {
            let _ = writeln!(
                t,
                "depends_on = [{{ service = \"svc-{}\", effect = \"down\" }}]",
                i - 1
            );
        }
        t.push_str(
            r#"
[[services.modes]]
name = "slow-degradation"
weight = 0.4
warning = { dist = "lognormal", median = "2h", p90 = "1d" }
fix = { dist = "lognormal", median = "45m", p90 = "4h" }
needs = "ops"
workaround = { fix = "15m", tier = "desk", success = 0.7, recurs = { dist = "exponential", mean = "3d" } }

[[services.modes]]
name = "crash"
weight = 0.3
fix = { dist = "pert", min = "10m", mode = "30m", max = "2h" }
needs = "desk"

[[services.modes]]
name = "bad-deploy"
weight = 0.2
fix = { dist = "gamma", shape = 2, mean = "40m" }
needs = "vendor"
workaround = { fix = "30m", tier = "ops", success = 0.5, recurs = "2d" }

[[services.modes]]
name = "disk full"
weight = 0.1
fix = "20m"
needs = "ops"
"#,
        );
    }
    t.push_str(
        r#"
[strategies.reactive]
escalate_after = "2h"
handoff = "30m"
fix_multiplier = 1.5
workarounds = true

[strategies.proactive]
monitoring = { coverage = 0.85, detect = { dist = "exponential", mean = "15m" }, outage_detect = "2m", false_alarms_per_week = 2, triage = "10m" }
alert_tier = "desk"
route_direct = 0.5
escalate_after = "30m"
handoff = "5m"
fix_multiplier = 0.8
annual_cost = 60000
paging = "p1"
workarounds = true
problems = { after = 0, fix = { dist = "lognormal", median = "4h", p90 = "8h" }, tier = "ops" }

[[strategies.proactive.maintenance]]
services = ["svc-0"]
every = "20d"
takes = "1h"
tier = "ops"

[strategies.proactive.tiers.desk]
staff = 4
"#,
    );
    parse_str(&t, "scaled.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The original walk of the registry (before issue 19), kept as the reference for the paths
/// and their order.
mod reference {
    use super::*;

    pub fn instances(s: &Scenario, pattern: &str) -> Option<Vec<(String, Idx)>> {
        use fields::join;
        let mut out = Vec::new();
        match pattern {
            "" => out.push((String::new(), [0, 0])),
            "simulation" => out.push(("simulation".into(), [0, 0])),
            "finance" => out.push(("finance".into(), [0, 0])),
            "tiers[]" => {
                for (t, tier) in s.tiers.iter().enumerate() {
                    out.push((join("tiers", &tier.name), [t, 0]));
                }
            }
            "services[].tickets" => {
                for (i, svc) in s.services.iter().enumerate() {
                    if svc.tickets.is_some() {
                        out.push((format!("{}.tickets", join("services", &svc.name)), [i, 0]));
                    }
                }
            }
            "services[].changes" => {
                for (i, svc) in s.services.iter().enumerate() {
                    if svc.changes.is_some() {
                        out.push((format!("{}.changes", join("services", &svc.name)), [i, 0]));
                    }
                }
            }
            "strategies.*.maintenance[]" => {
                for (i, st) in s.strategies.iter().enumerate() {
                    let base = format!("{}.maintenance", join("strategies", &st.name));
                    for j in 0..st.maintenance.len() {
                        out.push((format!("{base}.{}", j + 1), [i, j]));
                    }
                }
            }
            "slas[]" => {
                for i in 0..s.slas.len() {
                    out.push((format!("slas[{i}]"), [i, 0]));
                }
            }
            "escalation_policies[]" => {
                for (p, policy) in s.escalation_policies.iter().enumerate() {
                    out.push((join("escalation_policies", &policy.name), [p, 0]));
                }
            }
            "escalation_policies[].rules[]" => {
                for (p, policy) in s.escalation_policies.iter().enumerate() {
                    for r in 0..policy.rules.len() {
                        out.push((
                            format!("{}.rules[{r}]", join("escalation_policies", &policy.name)),
                            [p, r],
                        ));
                    }
                }
            }
            "services[]" | "services[].failures" => {
                for (i, svc) in s.services.iter().enumerate() {
                    let base = join("services", &svc.name);
                    let path = if pattern.ends_with("failures") {
                        format!("{base}.failures")
                    } else {
                        base
                    };
                    out.push((path, [i, 0]));
                }
            }
            "services[].modes[]" | "services[].modes[].workaround" => {
                let workaround = pattern.ends_with("workaround");
                for (i, svc) in s.services.iter().enumerate() {
                    let base = format!("{}.modes", join("services", &svc.name));
                    for (m, mode) in svc.modes.iter().enumerate() {
                        let path = join(&base, &mode.name);
                        if !workaround {
                            out.push((path, [i, m]));
                        } else if mode.workaround.is_some() {
                            out.push((format!("{path}.workaround"), [i, m]));
                        }
                    }
                }
            }
            "tiers[].on_call" => {
                for (t, tier) in s.tiers.iter().enumerate() {
                    if tier.on_call.is_some() {
                        out.push((format!("{}.on_call", join("tiers", &tier.name)), [t, 0]));
                    }
                }
            }
            "tiers[].shifts[]" => {
                for (t, tier) in s.tiers.iter().enumerate() {
                    let base = format!("{}.shifts", join("tiers", &tier.name));
                    for i in 0..tier.shifts.len() {
                        out.push((format!("{base}.{}", i + 1), [t, i]));
                    }
                }
            }
            "strategies.*" | "strategies.*.monitoring" | "strategies.*.problems" => {
                for (i, st) in s.strategies.iter().enumerate() {
                    let base = join("strategies", &st.name);
                    if pattern.ends_with("monitoring") {
                        if st.monitoring.is_some() {
                            out.push((format!("{base}.monitoring"), [i, 0]));
                        }
                    } else if pattern.ends_with("problems") {
                        if st.problems.is_some() {
                            out.push((format!("{base}.problems"), [i, 0]));
                        }
                    } else {
                        out.push((base, [i, 0]));
                    }
                }
            }
            _ => return None,
        }
        Some(out)
    }

    pub fn readable(s: &Scenario) -> Vec<(String, Located)> {
        let mut out = Vec::new();
        walk(s, "", [0, 0], "", &mut out);
        out
    }

    fn walk(s: &Scenario, pattern: &str, idx: Idx, path: &str, out: &mut Vec<(String, Located)>) {
        for field in fields::children(pattern) {
            if field.kind.is_container() {
                let inner = field.children_pattern();
                let Some(list) = instances(s, &inner) else {
                    continue;
                };
                let nested = !pattern.is_empty() && pattern != "simulation";
                let same_mode = pattern == "services[].modes[]";
                for (child_path, child_idx) in list {
                    let mine = if same_mode {
                        child_idx == idx
                    } else {
                        child_idx[0] == idx[0]
                    };
                    if !nested || mine {
                        walk(s, &inner, child_idx, &child_path, out);
                    }
                }
            } else if let Some(get) = field.get
                && get(s, idx).is_some()
            {
                out.push((fields::join(path, field.key()), Located { field, idx }));
            }
        }
    }

    pub fn field_paths(s: &Scenario) -> Vec<String> {
        let mut out = Vec::new();
        walk_paths(s, "", [0, 0], "", &mut out);
        out
    }

    fn walk_paths(s: &Scenario, pattern: &str, idx: Idx, path: &str, out: &mut Vec<String>) {
        for field in fields::children(pattern) {
            if field.kind.is_container() {
                let inner = field.children_pattern();
                let Some(list) = instances(s, &inner) else {
                    continue;
                };
                let nested = !pattern.is_empty() && pattern != "simulation";
                for (child_path, child_idx) in list {
                    if !nested || child_idx[0] == idx[0] {
                        walk_paths(s, &inner, child_idx, &child_path, out);
                    }
                }
            } else {
                out.push(fields::join(path, field.key()));
            }
        }
    }
}

/// Every shipped scenario, and generated ones of 1 and 7 services.
fn scenarios() -> Vec<Scenario> {
    let mut out: Vec<Scenario> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                parse_str(&text, &p.file_name().unwrap().to_string_lossy()).unwrap()
            })
            .collect();
    out.push(scaled(1));
    out.push(scaled(7));
    out
}

#[test]
fn paths_are_the_reference_walks_in_its_order() {
    for s in scenarios() {
        let readable = fields::readable(&s);
        assert_eq!(readable, reference::readable(&s), "{}", s.name);
        assert_eq!(
            fields::field_paths(&s),
            reference::field_paths(&s),
            "{}",
            s.name
        );
        let located = fields::readable_located(&s);
        assert_eq!(located.len(), readable.len());
        for (at, (path, r)) in located.into_iter().zip(&readable) {
            assert_eq!(at, *r);
            assert_eq!(fields::path_of(&s, at), *path);
        }
        for pattern in [
            "",
            "tiers[]",
            "tiers[].shifts[]",
            "services[].modes[]",
            "services[].modes[].workaround",
            "strategies.*.maintenance[]",
            "escalation_policies[].rules[]",
            "strategies.*.tiers.*",
        ] {
            assert_eq!(
                fields::instances(&s, pattern),
                reference::instances(&s, pattern),
                "{pattern}"
            );
        }
    }
    // The generated scenario has every kind of nested table.
    let paths = fields::field_paths(&scaled(2));
    for p in [
        "tiers.ops.shifts.2.staff",
        "tiers.desk.on_call.ack",
        "services.svc-1.modes.bad-deploy.workaround.recurs",
        "services.svc-0.changes.per_week",
        "services.svc-0.tickets.triage",
        "services.svc-1.modes.\"disk full\".fix",
        "strategies.proactive.maintenance.1.takes",
        "strategies.proactive.problems.fix",
        "escalation_policies.p1.rules[1].delay",
        "slas[1].resolve",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} missing");
    }
}

#[test]
fn trials_give_what_apply_gives_errors_included() {
    let s = scaled(3);
    let mut trials = Trials::new(&s);
    let settings = [
        Setting::Times(0.8),
        Setting::Times(1.2),
        Setting::Times(0.0),
        Setting::To(0.0),
        Setting::Times(1e9),
        Setting::Times(1.0),
        Setting::To(1.5),
    ];
    let (mut ok, mut refused) = (0, 0);
    for p in vary::parameters(&s) {
        for setting in settings {
            match (p.apply(&s, setting), trials.apply(&p, setting)) {
                (Ok((changed, applied)), Ok(tried)) => {
                    assert_eq!(tried.applied, applied, "{} {setting}", p.path);
                    assert_eq!(tried.unchanged, changed == s, "{} {setting}", p.path);
                    assert!(
                        p.with_value(&s, &tried.value) == changed,
                        "{} {setting}",
                        p.path
                    );
                    ok += 1;
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a, b, "{} {setting}", p.path);
                    refused += 1;
                }
                (a, b) => panic!("{} {setting}: apply {a:?}, trials {b:?}", p.path),
            }
        }
    }
    // Both kinds of outcome were compared, a rule of the validator broken among the refusals.
    assert!(ok > 500 && refused > 20, "{ok} {refused}");
    let every = vary::find(&s, "services.svc-0.failures.every").unwrap();
    let e = trials.apply(&every, Setting::Times(1e-9)).unwrap_err();
    assert!(e.message.contains("breaks a rule"), "{e}");
}

#[test]
fn find_all_resolves_like_find() {
    let s = scaled(3);
    let paths: Vec<String> = vary::parameters(&s)
        .into_iter()
        .rev()
        .map(|p| p.path)
        .collect();
    let found = vary::find_all(&s, &paths).unwrap();
    let one_by_one: Vec<_> = paths.iter().map(|p| vary::find(&s, p).unwrap()).collect();
    assert_eq!(found, one_by_one);
    let bad = vec![paths[0].clone(), "services.svc-9.priority".to_string()];
    assert_eq!(
        vary::find_all(&s, &bad).unwrap_err(),
        vary::find(&s, &bad[1]).unwrap_err()
    );
}

/// Asserts that `count(services)` grows linearly: doubling the services about doubles it,
/// where a quadratic cost would quadruple it. The margin (2.5 times) is for buffers that grow by
/// doubling: each check of a varied scenario reallocates its buffers a logarithmic number of
/// times (measured for `Plan::new`: 71 217 allocations for 50 services, 149 238 for 100, 2.1
/// times; a quadratic cost, such as a copy of the scenario per change, about 4 times).
fn assert_linear(what: &str, count: impl Fn(&Scenario) -> u64) {
    let (small, large) = (scaled(50), scaled(100));
    let (a, b) = (count(&small), count(&large));
    assert!(a > 0, "{what}: nothing counted");
    assert!(
        2 * b <= 5 * a + 128,
        "{what}: {a} allocations for 50 services, {b} for 100: more than linear"
    );
}

#[test]
fn listing_and_checking_fields_allocate_linearly_in_the_services() {
    assert_linear("readable", |s| allocations(|| fields::readable(s)));
    assert_linear("field_paths", |s| allocations(|| fields::field_paths(s)));
    assert_linear("parameters", |s| allocations(|| vary::parameters(s)));
    let paths = |s: &Scenario| -> Vec<String> {
        vary::parameters(s)
            .into_iter()
            .step_by(7)
            .map(|p| p.path)
            .collect()
    };
    assert_linear("find_all", |s| {
        let paths = paths(s);
        allocations(|| vary::find_all(s, &paths).unwrap())
    });
    // A valid scenario is checked without building a path: a few buffers, whatever its size.
    assert_linear("validate", |s| allocations(|| validate(s)));
    let s = scaled(100);
    let checked = allocations(|| validate(&s));
    assert!(
        checked <= 64,
        "{checked} allocations to validate 100 services"
    );
}

#[test]
fn the_sensitivity_set_up_allocates_linearly_in_the_services() {
    // Two changes of each of ~30 inputs per service, each checked by the validator: a copy of
    // the scenario per change (or a path per field per check) would be quadratic.
    assert_linear("Plan::new", |s| {
        allocations(|| Plan::new(s, 1, 0.2, None).unwrap())
    });
}
