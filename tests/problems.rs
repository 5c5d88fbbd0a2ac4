//! Workarounds, recurrences and problem management (model.md §8.8, §8.9, issue 13 part A):
//! the exact case with fixed delays, the reactive and proactive readings, the lifecycle check
//! over every stream, CRN across strategies, and the new fields' errors.

mod common;

use incsim::events::{EventKind, IncidentId};
use incsim::scenario::{Scenario, parse_str};

/// One service failing every 30 days with a sudden mode only the senior can fix; the help
/// desk's restart always works in 10 minutes and the root cause strikes again 2 days after.
/// User reports come at once (`report_delay = "0m"`: instantaneous detection), both tiers are
/// 24x7 with ample staff, and every delay is fixed: each replication is the same history.
const RECURRING: &str = r#"
[simulation]
horizon = "365d"
replications = 3
seed = 7

[[tiers]]
name = "help-desk"
staff = 5
hourly_cost = 60

[[tiers]]
name = "senior"
staff = 5
hourly_cost = 120

[[services]]
name = "shop"
downtime_cost_per_hour = 600
report_delay = "0m"
failures = { every = "30d" }

[[services.modes]]
name = "leak"
fix = "1h"
needs = "senior"
workaround = { fix = "10m", tier = "help-desk", success = 1.0, recurs = "2d" }

[strategies.reactive]
escalate_after = "30m"
workarounds = true

[strategies.problems-after-2]
escalate_after = "30m"
workarounds = true
problems = { after = 2, fix = "4h", tier = "senior" }

[strategies.problems-at-once]
escalate_after = "30m"
workarounds = true
problems = { after = 0, fix = "4h", tier = "senior" }

[strategies.no-workarounds]
escalate_after = "30m"
"#;

fn scenario() -> Scenario {
    common::fixture(RECURRING, "recurring.toml")
}

/// Replication `rep` of `strategy`: its events (checked by the lifecycle check) and metrics.
fn run(
    s: &Scenario,
    strategy: &str,
    rep: u64,
) -> (Vec<EventKind>, incsim::projections::RepMetrics) {
    let index = s.strategy_index(strategy).expect("strategy");
    let (events, metrics) = common::checked_run(s, index, rep);
    let kinds = events.0.iter().map(|e| e.kind).collect();
    (kinds, metrics)
}

#[test]
fn recurrence_with_fixed_delays_gives_the_hand_counted_year() {
    // problems = { after = 2, fix = "4h" }. Minutes; 1 day = 1440.
    // A cycle starts with a natural failure at T (the first at 30d = 43 200):
    //   T:               failure, reported at once, help desk restarts it: up at T + 10.
    //   T + 10 + 2d:     recurrence 1 (2 880 later), worked around: up at T + 2 900.
    //   T + 2 900 + 2d:  recurrence 2, worked around at T + 5 790; the root cause has 2
    //                    recurrences ≥ after = 2: a problem opens, the senior fixes it in 4h,
    //                    done at T + 6 030, which cancels the recurrence due at T + 8 670;
    //   the next failure comes failures.every = 30d after that: T + 6 030 + 43 200 = T + 49 230.
    // Natural failures at 43 200 + n × 49 230 < 525 600 ⇔ n ≤ 9: 10 cycles, and the 10th
    // (T = 486 270) ends its problem fix at 492 300, inside the year.
    // Per cycle: 3 failures, 3 workarounds, 2 recurrences, 1 problem fixed, 3 outages of 10
    // minutes; labor 3 × 10 help-desk minutes + 240 senior minutes.
    let s = scenario();
    for rep in 0..3 {
        let (kinds, m) = run(&s, "problems-after-2", rep);
        assert_eq!(m.incidents, 30);
        assert_eq!(m.workarounds, 30);
        assert_eq!(m.recurrences, 20);
        assert_eq!(m.problems_fixed, 10);
        assert_eq!(m.outages, 30);
        assert_eq!(m.escalations, 0);
        assert_eq!(m.outage_minutes, 300.0);
        assert_eq!(m.mttr_minutes, Some(10.0));
        assert_eq!(m.labor_hours, (30.0 * 10.0 + 10.0 * 240.0) / 60.0);
        let opened = kinds
            .iter()
            .filter(|k| matches!(k, EventKind::ProblemOpened { .. }))
            .count();
        assert_eq!(opened, 10);
        // The first problem is opened by the third failure (#2), the second recurrence.
        let first = kinds.iter().find_map(|k| match k {
            EventKind::ProblemOpened { problem, .. } => Some(problem.0),
            _ => None,
        });
        assert_eq!(first, Some(IncidentId { service: 0, k: 2 }));
    }
}

#[test]
fn without_problem_management_the_root_cause_recurs_all_year() {
    // Reactive: every failure is restarted (10 minutes) and recurs 2d after: failures at
    // 43 200 + j × 2 890 < 525 600 ⇔ j ≤ 166: 167 failures, 166 of them recurrences, each
    // restarted (the last restart ends at 522 950, inside the year): 167 × 10 outage minutes.
    let (_, m) = run(&scenario(), "reactive", 0);
    assert_eq!(m.incidents, 167);
    assert_eq!(m.workarounds, 167);
    assert_eq!(m.recurrences, 166);
    assert_eq!(m.problems_fixed, 0);
    assert_eq!(m.outage_minutes, 1670.0);
}

#[test]
fn a_problem_at_the_first_workaround_prevents_every_recurrence() {
    // after = 0 (the proactive reading): each failure is restarted (up at T + 10) and opens a
    // problem at once; its 4h fix ends at T + 250, cancelling the recurrence due at T + 2 890;
    // the next failure is 30d later: T + 43 450. Failures at 43 200 + n × 43 450 < 525 600 ⇔
    // n ≤ 11: 12 failures, 12 workarounds, 12 problems fixed, no recurrence.
    let (_, m) = run(&scenario(), "problems-at-once", 0);
    assert_eq!(m.incidents, 12);
    assert_eq!(m.workarounds, 12);
    assert_eq!(m.recurrences, 0);
    assert_eq!(m.problems_fixed, 12);
    assert_eq!(m.outage_minutes, 120.0);
}

#[test]
fn without_workarounds_the_time_box_and_the_senior_fix_come_back() {
    // workarounds off: a 30-minute time box, escalation, the senior's 1h fix: up 90 minutes
    // after each failure; failures at 43 200 + n × 43 290 < 525 600 ⇔ n ≤ 11: 12 failures.
    let (kinds, m) = run(&scenario(), "no-workarounds", 0);
    assert_eq!(m.incidents, 12);
    assert_eq!(m.escalations, 12);
    assert_eq!(m.workarounds, 0);
    assert_eq!(m.recurrences, 0);
    assert!(!kinds.iter().any(|k| matches!(
        k,
        EventKind::WorkaroundApplied { .. } | EventKind::Recurred { .. }
    )));
}

#[test]
fn a_failed_workaround_escalates_with_the_handoff_and_ends_the_root_cause() {
    // success = 0: every attempt fails; the 10 minutes are lost, the incident escalates (an
    // escalation, after the 5-minute handoff) and the senior's fix removes any root cause:
    // up 10 + 5 + 60 = 75 minutes after each failure, no recurrence.
    let text = RECURRING.replace("success = 1.0", "success = 0.0").replace(
        "[strategies.reactive]\nescalate_after = \"30m\"",
        "[strategies.reactive]\nescalate_after = \"30m\"\nhandoff = \"5m\"",
    );
    let s = common::fixture(&text, "failing.toml");
    let (_, m) = run(&s, "reactive", 0);
    // Failures at 43 200 + n × 43 275 < 525 600 ⇔ n ≤ 11.
    assert_eq!(m.incidents, 12);
    assert_eq!(m.workarounds, 12);
    assert_eq!(m.escalations, 12);
    assert_eq!(m.recurrences, 0);
    assert_eq!(m.mttr_minutes, Some(75.0));
}

#[test]
fn random_workarounds_and_problems_pass_the_lifecycle_check_and_meet_the_same_coins() {
    // Random delays, a workaround that works 60 % of the time, business-hours desk, one
    // senior: every stream is one the model could have produced, and the coins are
    // synchronized: where both strategies attempt the workaround of the same failure (same
    // service and k, same mode), it succeeds under both or fails under both.
    let text = RECURRING
        .replace("failures = { every = \"30d\" }", "failures = { every = { dist = \"exponential\", mean = \"5d\" } }")
        .replace("report_delay = \"0m\"", "report_delay = { dist = \"exponential\", mean = \"20m\" }")
        .replace(
            "workaround = { fix = \"10m\", tier = \"help-desk\", success = 1.0, recurs = \"2d\" }",
            "workaround = { fix = { dist = \"exponential\", mean = \"15m\" }, tier = \"help-desk\", success = 0.6, recurs = { dist = \"exponential\", mean = \"2d\" } }",
        )
        .replace("staff = 5\nhourly_cost = 60", "staff = 1\nhours = \"business\"\nhourly_cost = 60")
        .replace("staff = 5\nhourly_cost = 120", "staff = 1\nhourly_cost = 120");
    let s = common::fixture(&text, "random.toml");
    let mut attempted_everywhere = 0;
    for rep in 0..20 {
        let mut outcomes: Vec<Vec<(u32, bool)>> = Vec::new();
        for strategy in ["reactive", "problems-after-2", "problems-at-once"] {
            let (kinds, m) = run(&s, strategy, rep);
            assert!(m.workarounds > 0, "{strategy} rep {rep}");
            outcomes.push(
                kinds
                    .iter()
                    .filter_map(|k| match k {
                        EventKind::WorkaroundApplied {
                            incident, success, ..
                        } => Some((incident.k, *success)),
                        _ => None,
                    })
                    .collect(),
            );
        }
        for (k, success) in &outcomes[0] {
            for other in &outcomes[1..] {
                if let Some((_, s2)) = other.iter().find(|(k2, _)| k2 == k) {
                    assert_eq!(success, s2, "rep {rep} failure #{k}");
                    attempted_everywhere += 1;
                }
            }
        }
        let (_, m) = run(&s, "no-workarounds", rep);
        assert_eq!(m.workarounds, 0);
    }
    assert!(attempted_everywhere > 20);
}

#[test]
fn a_workaround_tier_at_or_above_needs_is_refused_with_its_line() {
    let text = RECURRING.replace(
        "tier = \"help-desk\", success",
        "tier = \"senior\", success",
    );
    let errors = parse_str(&text, "bad.toml").unwrap_err().0;
    let e = &errors[0];
    assert_eq!(e.field, "services.shop.modes.leak.workaround.tier");
    assert_eq!(e.line, Some(27));
    assert!(
        e.message.contains("below the mode's needs (senior)"),
        "{e:?}"
    );
}

#[test]
fn bad_workaround_and_problem_fields_are_refused_with_line_and_fix() {
    let cases = [
        (
            RECURRING.replace("success = 1.0", "success = 60"),
            "services.shop.modes.leak.workaround.success",
            "probability",
        ),
        (
            RECURRING.replace("recurs = \"2d\"", "recurs = \"0m\""),
            "services.shop.modes.leak.workaround.recurs",
            "mean > 0",
        ),
        (
            RECURRING.replace("tier = \"help-desk\", success", "tier = \"desk\", success"),
            "services.shop.modes.leak.workaround.tier",
            "expected the name of a tier",
        ),
        (
            RECURRING.replacen("workarounds = true", "workarounds = \"yes\"", 1),
            "strategies.reactive.workarounds",
            "expected true or false",
        ),
        (
            RECURRING.replace("after = 2,", "after = -1,"),
            "strategies.problems-after-2.problems.after",
            "integer",
        ),
        (
            RECURRING.replace("after = 2, fix = \"4h\",", "after = 2,"),
            "strategies.problems-after-2.problems.fix",
            "required field \"fix\"",
        ),
        (
            RECURRING.replace("recurs = \"2d\" }", "recurs = \"2d\", recur = \"1d\" }"),
            "services.shop.modes.leak.workaround.recur",
            "unknown field",
        ),
    ];
    for (text, field, message) in cases {
        let errors = parse_str(&text, "bad.toml").unwrap_err().0;
        assert!(
            errors
                .iter()
                .any(|e| e.field == field && e.message.contains(message) && e.line.is_some()),
            "{field}: {errors:#?}"
        );
    }
}
