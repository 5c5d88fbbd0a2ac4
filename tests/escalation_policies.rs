//! Escalation policies (model.md §8.7). Every delay is fixed, so each page, acknowledgement
//! and outage is computed by hand in the test's comment.

use incsim::events::{Event, EventKind, EventVec};
use incsim::experiment::simulate_one;
use incsim::projections::lifecycle::LifecycleCheck;
use incsim::projections::{MetricsProjection, RepMetrics};
use incsim::scenario::{Scenario, parse_str};

/// Two business-hours tiers, `sre` and `senior` (one engineer each, 60/h), each with an
/// on-call rota; one priority-1 service failing suddenly every 24h (first at Tue 00:00,
/// t = 1440), reported after 20m, fixed in 1h by `sre` or above. Strategy `paged` uses
/// policy `p1`; strategy `plain` pages plainly (§8.2).
fn shop(sre_on_call: &str, senior_on_call: &str, policy: &str, horizon: &str) -> Scenario {
    let text = format!(
        r#"
name = "policies"
[simulation]
horizon = "{horizon}"
replications = 1

[[tiers]]
name = "sre"
staff = 1
hours = "business"
hourly_cost = 60
on_call = {sre_on_call}

[[tiers]]
name = "senior"
staff = 1
hours = "business"
hourly_cost = 60
on_call = {senior_on_call}

[[escalation_policies]]
{policy}

[[services]]
name = "web"
priority = 1
report_delay = "20m"
failures = {{ every = "1d" }}
[[services.modes]]
name = "crash"
fix = "1h"
needs = "sre"

[strategies.paged]
escalate_after = "2h"
paging = "p1"

[strategies.plain]
escalate_after = "2h"
"#
    );
    parse_str(&text, "policies.toml").unwrap_or_else(|e| panic!("{e}"))
}

const P1: &str = r#"name = "p1"
rules = [{ delay = "15m", tier = "sre" }, { delay = "30m", tier = "senior" }]"#;

fn run(s: &Scenario, strategy: usize) -> (Vec<Event>, RepMetrics) {
    let mut events = EventVec::default();
    simulate_one(s, strategy, 0, &mut events);
    let mut metrics = MetricsProjection::new(s, strategy);
    for e in &events.0 {
        metrics.apply(e);
    }
    lifecycle_ok(s, &events.0);
    (events.0, metrics.metrics())
}

fn lifecycle_ok(s: &Scenario, events: &[Event]) {
    let mut check = LifecycleCheck::new(s);
    check.begin();
    for e in events {
        check
            .apply(e)
            .unwrap_or_else(|err| panic!("{err} at {e:?}"));
    }
    assert!(check.is_finished());
}

fn outages(events: &[Event]) -> Vec<f64> {
    let mut down = 0.0;
    let mut out = Vec::new();
    for e in events {
        match e.kind {
            EventKind::OutageStarted { .. } => down = e.t,
            EventKind::OutageEnded { .. } => out.push(e.t - down),
            _ => {}
        }
    }
    out
}

/// (t, tier, rule) of every page.
fn pages(events: &[Event]) -> Vec<(f64, u32, Option<u16>)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Paged { tier, policy, .. } => Some((e.t, tier, policy.map(|p| p.rule))),
            _ => None,
        })
        .collect()
}

#[test]
fn no_answer_from_sre_pages_senior_and_the_first_acknowledgement_wins() {
    // Tue 00:00 failure, reported 00:20 (t = 1460): nobody on duty, rule 1 pages sre (ack
    // 40m → would answer 01:00). No answer 15m later (00:35): rule 2 pages senior (ack 10m
    // → 00:45). Senior answers first and fixes it in 1h (senior is above `needs`): restored
    // 01:45 ⇒ outage 20 + 15 + 10 + 60 = 105 min; sre's page stands down (its callout paid).
    // Plain paging: sre answers at 01:00, fixed 02:00 ⇒ 120 min.
    let s = shop(
        r#"{ ack = "40m", ack_asleep = "40m", callout_cost = 100 }"#,
        r#"{ ack = "10m", ack_asleep = "10m", callout_cost = 100 }"#,
        P1,
        "1600m",
    );
    let (events, m) = run(&s, 0);
    assert_eq!(outages(&events), vec![105.0]);
    assert_eq!(
        pages(&events),
        vec![(1460.0, 0, Some(1)), (1475.0, 1, Some(2))]
    );
    let acks: Vec<(f64, u32)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Acknowledged { tier, .. } => Some((e.t, tier)),
            _ => None,
        })
        .collect();
    assert_eq!(acks, vec![(1485.0, 1)]);
    assert_eq!((m.pages, m.pages_asleep), (2, 2));
    // One hour of senior work at 60/h plus two callouts of 100.
    assert_eq!(m.labor_cost, 60.0 + 2.0 * 100.0);
    let (events, m) = run(&s, 1);
    assert_eq!(outages(&events), vec![120.0]);
    assert_eq!(m.pages, 1);
}

#[test]
fn loops_page_again_and_the_earliest_page_answers_first() {
    // One rule (10m, sre with three on-call engineers, ack 25m), num_loops = 2: three passes
    // page at 00:20, 00:30, 00:40; the first answers at 00:45 and fixes by 01:45 ⇒ outage
    // 20 + 25 + 60 = 105 min, 3 pages. With num_loops = 0, one page and the same outage.
    let on_call = r#"{ staff = 3, ack = "25m", ack_asleep = "25m" }"#;
    let looped = shop(
        on_call,
        on_call,
        "name = \"p1\"\nnum_loops = 2\nrules = [{ delay = \"10m\", tier = \"sre\" }]",
        "1600m",
    );
    let (events, m) = run(&looped, 0);
    assert_eq!(outages(&events), vec![105.0]);
    assert_eq!(
        pages(&events),
        vec![
            (1460.0, 0, Some(1)),
            (1470.0, 0, Some(1)),
            (1480.0, 0, Some(1))
        ]
    );
    assert_eq!(m.pages, 3);
    let once = shop(
        on_call,
        on_call,
        "name = \"p1\"\nrules = [{ delay = \"10m\", tier = \"sre\" }]",
        "1600m",
    );
    let (events, m) = run(&once, 0);
    assert_eq!(outages(&events), vec![105.0]);
    assert_eq!(m.pages, 1);
}

#[test]
fn after_the_last_rule_the_item_waits_for_a_shift_engineer() {
    // Rule 1 pages sre at 00:20 with ack 10h (would answer 10:20); rule 2 finds senior's
    // only on-call engineer... there is one, ack 10h too (00:35 → 10:35). No loops. The
    // desk opens Tue 08:00 (t = 1920): the shift engineer takes the item, both pages stand
    // down, fix by 09:00 ⇒ outage 480 + 60 = 540 min; no acknowledgement.
    let slow = r#"{ ack = "10h", ack_asleep = "10h" }"#;
    let s = shop(slow, slow, P1, "2000m");
    let (events, m) = run(&s, 0);
    assert_eq!(outages(&events), vec![540.0]);
    assert_eq!(m.pages, 2);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Acknowledged { .. }))
    );
}

#[test]
fn bad_policies_are_refused_with_the_line_and_a_fix() {
    let base = |policy: &str, paging: &str| {
        format!(
            r#"
[simulation]
horizon = "30d"
[[tiers]]
name = "sre"
staff = 1
on_call = {{ ack = "5m" }}
[[tiers]]
name = "desk"
staff = 1
[[escalation_policies]]
{policy}
[[services]]
name = "web"
failures = {{ every = "30d" }}
[[services.modes]]
name = "crash"
fix = "1h"
[strategies.reactive]
escalate_after = "1h"
paging = "{paging}"
"#
        )
    };
    let cases = [
        (
            base(
                "name = \"p1\"\nrules = [{ delay = \"5m\", tier = \"sr\" }]",
                "p1",
            ),
            "expected the name of a tier",
            "did you mean \"sre\"",
        ),
        (
            base("name = \"p1\"\nrules = []", "p1"),
            "expected at least one rule",
            "rules = [{",
        ),
        (
            base(
                "name = \"p1\"\nrules = [{ delay = \"5m\", tier = \"sre\" }]",
                "p2",
            ),
            "expected the name of an escalation policy (p1)",
            "did you mean \"p1\"",
        ),
        (
            base(
                "name = \"p1\"\nrules = [{ delay = \"5m\", tier = \"desk\" }]",
                "p1",
            ),
            "has no `on_call`",
            "on_call = {",
        ),
        (
            base(
                "name = \"p1\"\nnum_loops = -1\nrules = [{ delay = \"5m\", tier = \"sre\" }]",
                "p1",
            ),
            "num_loops",
            "whole number",
        ),
    ];
    for (text, message, help) in cases {
        let err = parse_str(&text, "bad.toml").expect_err(message).to_string();
        assert!(err.contains(message), "{err}");
        assert!(err.contains(help), "{err}");
        assert!(err.contains("bad.toml:"), "names the file and line: {err}");
    }
}

/// Strategy tier overrides (model.md §8.13): `[strategies.X.tiers.T]` changes tier T while
/// strategy X runs.
fn overrides(hire: &str) -> Scenario {
    let text = format!(
        r#"
[simulation]
horizon = "1600m"
replications = 1

[[tiers]]
name = "sre"
staff = 1
hours = "business"
hourly_cost = 60
annual_cost_per_engineer = 52560
on_call = {{ ack = "40m" }}

[[services]]
name = "web"
priority = 1
report_delay = "20m"
failures = {{ every = "1d" }}
[[services.modes]]
name = "crash"
fix = "1h"
needs = "sre"

[strategies.reactive]
escalate_after = "2h"

[strategies.hire]
escalate_after = "2h"
[strategies.hire.tiers.sre]
{hire}
"#
    );
    parse_str(&text, "overrides.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_strategy_that_staffs_nights_fixes_without_a_page_and_pays_the_salaries() {
    // reactive: the Tue 00:00 failure is paged at 00:20, acknowledged at 01:00, fixed 02:00
    // ⇒ 120 min, 1 page. hire (3 engineers, 24x7): picked up at 00:20, fixed 01:20 ⇒ 80 min,
    // no page. fixed_labor_cost = 52,560 × staff × 1600 / 525,600: 160 for 1, 480 for 3.
    let s = overrides("staff = 3\nhours = \"24x7\"");
    let (events, m) = run(&s, 0);
    assert_eq!(outages(&events), vec![120.0]);
    assert_eq!(m.pages, 1);
    assert!(
        (m.fixed_labor_cost - 160.0).abs() < 1e-9,
        "{}",
        m.fixed_labor_cost
    );
    let (events, m) = run(&s, 1);
    assert_eq!(outages(&events), vec![80.0]);
    assert_eq!(m.pages, 0);
    assert!(
        (m.fixed_labor_cost - 480.0).abs() < 1e-9,
        "{}",
        m.fixed_labor_cost
    );
    // The base tier is untouched.
    assert_eq!(s.tiers[0].staff, 1);
    assert_eq!(s.tiers_of(1)[0].staff, 3);
}

#[test]
fn an_override_may_switch_to_shifts_and_a_faster_rota() {
    // Shifts replace staff/hours; on_call is replaced whole: ack 10m ⇒ 20 + 10 + 60 = 90.
    let s = overrides(
        "shifts = [{ hours = \"Mon-Fri 08:00-18:00\", staff = 2 }]\non_call = { ack = \"10m\" }",
    );
    let (events, m) = run(&s, 1);
    assert_eq!(outages(&events), vec![90.0]);
    assert_eq!(m.pages, 1);
    assert_eq!(s.tiers_of(1)[0].staff, 2);
}

#[test]
fn bad_overrides_are_refused_with_the_line_and_a_fix() {
    for (text, message) in [
        ("staff = -1", "tiers.sre.staff"),
        ("name = \"ops\"", "but its name"),
        ("stafff = 2", "did you mean \"staff\""),
    ] {
        let full = std::panic::catch_unwind(|| overrides(text));
        let err = match full {
            Ok(_) => panic!("{text} was accepted"),
            Err(e) => e.downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        assert!(err.contains(message), "{text}: {err}");
        assert!(err.contains("overrides.toml:"), "{err}");
    }
    let text = "[simulation]\nhorizon = \"1d\"\n[[tiers]]\nname = \"sre\"\nstaff = 1\n\
                [[services]]\nname = \"web\"\nfailures = { every = \"30d\" }\n\
                [[services.modes]]\nname = \"crash\"\nfix = \"1h\"\n\
                [strategies.reactive]\nescalate_after = \"1h\"\n\
                [strategies.reactive.tiers.sr]\nstaff = 2\n";
    let err = parse_str(text, "x.toml").unwrap_err().to_string();
    assert!(
        err.contains("did you mean [strategies.reactive.tiers.sre]"),
        "{err}"
    );
}
