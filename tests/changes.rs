//! Change-induced failures (docs/model.md §8.12, issue 12 item 3): an exact case with fixed
//! delays (a Poisson process with dead time), changes only inside their hours, common random
//! numbers across strategies (a lower change failure rate fails a subset of the changes), the
//! metamorphic `failure_rate = 0` case, the natural failures' numbering, the lifecycle check
//! over random streams and on broken logs, and `incsim replay` of a change log.

mod common;

use std::process::Command;

use incsim::events::{ChangeId, Event, EventKind, EventVec, IncidentId};
use incsim::projections::RepMetrics;
use incsim::projections::lifecycle::LifecycleCheck;
use incsim::scenario::{Scenario, calendar, parse_str};

const WEEK: f64 = 10_080.0;

fn parse(text: &str) -> Scenario {
    parse_str(text, "changes.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Replication `rep` of strategy `index`: its events (checked by the lifecycle check) and metrics.
fn run(s: &Scenario, index: usize, rep: u64) -> (EventVec, RepMetrics) {
    common::checked_run(s, index, rep)
}

/// Mean and the half-width of its 95 % confidence interval.
fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, 1.96 * (var / n).sqrt())
}

/// One service that never fails by itself (its failures are 1000 years apart), changes around
/// the clock that always fail, fixed 1-hour repairs by an ample 24x7 tier, instantaneous
/// detection (the users report at once).
fn dead_time(per_week: f64, hours: &str, rate: &str, fix: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "365d"
replications = 40
seed = 5

[[tiers]]
name = "ops"
staff = 5
hourly_cost = 60

[[services]]
name = "db"
downtime_cost_per_hour = 600
report_delay = "0m"
failures = {{ every = "365000d" }}
changes = {{ per_week = {per_week}, failure_rate = {rate}, mode = "bad-deploy", hours = "{hours}" }}

[[services.modes]]
name = "bad-deploy"
needs = "ops"
fix = "{fix}"

[strategies.reactive]
escalate_after = "1h"

[strategies.reviewed]
escalate_after = "1h"
change_failure_rate = 0.3
"#
    )
}

#[test]
fn changes_that_always_fail_follow_the_poisson_process_with_a_one_hour_dead_time() {
    // Exact rule: every change fails (failure_rate 1) unless the service is down (§8.12);
    // detection and the repair take exactly 0 and 60 minutes, so after each failing change
    // the service is down for τ = 60 min and the changes in that time cannot fail. The
    // failing changes are a Poisson process (rate λ) with a non-extending dead time τ:
    //   λ = 50 / 10 080 = 0.004 960 3 per minute, λτ = 0.297 62,
    //   failures per year = 525 600 λ / (1 + λτ) = 2 607.14 / 1.297 62 = 2 009.2
    //   (± 1 for the start UP and the horizon), changes per year = 2 607.1;
    // and each failure's outage is exactly 60 minutes (the last one may be cut).
    let s = parse(&dead_time(50.0, "24x7", "1", "1h"));
    let lambda = 50.0 / WEEK;
    let changes_expected = 525_600.0 * lambda;
    let failures_expected = changes_expected / (1.0 + lambda * 60.0);
    let mut changes = Vec::new();
    let mut failures = Vec::new();
    for rep in 0..40 {
        let (_, m) = run(&s, 0, rep);
        assert_eq!(
            m.incidents, m.change_failures,
            "rep {rep}: only changes fail"
        );
        let full = 60.0 * m.change_failures as f64;
        assert!(
            m.outage_minutes <= full + 1e-6 && m.outage_minutes > full - 60.0 - 1e-6,
            "rep {rep}: {} outage minutes for {} failures of 60 minutes",
            m.outage_minutes,
            m.change_failures
        );
        changes.push(m.changes as f64);
        failures.push(m.change_failures as f64);
    }
    let (c, c_ci) = mean_ci(&changes);
    let (f, f_ci) = mean_ci(&failures);
    assert!(
        (c - changes_expected).abs() <= c_ci,
        "changes {c} ± {c_ci}, expected {changes_expected}"
    );
    assert!(
        (f - failures_expected).abs() <= f_ci + 1.0,
        "change failures {f} ± {f_ci}, expected {failures_expected}"
    );
}

#[test]
fn changes_fall_only_inside_their_hours_at_the_weekly_rate() {
    // 20 changes a week, all inside Mon-Fri 09:00-17:00 (site time): the time warp puts the
    // whole week's rate into its 40 open hours, so the expected count is still 20 per week:
    // 20 × 365 / 7 = 1 042.9 a year.
    let s = parse(&dead_time(20.0, "Mon-Fri 09:00-17:00", "0.5", "1h"));
    let hours = calendar::parse_hours("Mon-Fri 09:00-17:00").unwrap();
    let mut counts = Vec::new();
    for rep in 0..40 {
        let (events, m) = run(&s, 0, rep);
        for e in &events.0 {
            if let EventKind::ChangeDeployed { .. } = e.kind {
                assert!(
                    calendar::is_open(&hours, e.t, 0.0),
                    "a change at t = {} outside its hours",
                    e.t
                );
            }
        }
        counts.push(m.changes as f64);
    }
    let (c, ci) = mean_ci(&counts);
    let expected = 20.0 * 365.0 / 7.0;
    assert!(
        (c - expected).abs() <= ci,
        "{c} ± {ci}, expected {expected}"
    );
}

/// The changes of a stream: (time, n, failed).
fn changes_of(events: &EventVec) -> Vec<(f64, u32, bool)> {
    events
        .0
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ChangeDeployed { change, failed } => Some((e.t, change.n, failed)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_lower_change_failure_rate_fails_a_subset_of_the_same_changes() {
    // CRN (§8.12): both strategies meet the same changes at the same times with the same
    // coins; a change fails iff its coin < the rate. An instantaneous fix ("0m") keeps the
    // service UP at every other change, so the failing set under 0.3 is exactly the subset
    // of the failing set under 0.6 — in every replication.
    let s = parse(&dead_time(30.0, "Mon-Fri 09:00-17:00", "0.6", "0m"));
    let mut fewer_somewhere = false;
    for rep in 0..20 {
        let (high, mh) = run(&s, 0, rep);
        let (low, ml) = run(&s, 1, rep);
        let (high, low) = (changes_of(&high), changes_of(&low));
        assert_eq!(high.len(), low.len(), "rep {rep}: the same changes");
        for (h, l) in high.iter().zip(&low) {
            assert_eq!((h.0, h.1), (l.0, l.1), "rep {rep}: at the same times");
            assert!(!l.2 || h.2, "rep {rep}: change {} fails only at 0.3", l.1);
        }
        assert!(ml.change_failures <= mh.change_failures);
        fewer_somewhere |= ml.change_failures < mh.change_failures;
    }
    assert!(
        fewer_somewhere,
        "the lower rate must fail fewer changes somewhere"
    );
}

#[test]
fn a_lower_change_failure_rate_never_fails_a_change_whose_coin_the_higher_one_passed() {
    // With repairs that take time the failing sets need not nest (a change may meet the
    // service down under one strategy only), but a change failing under the lower rate has
    // a coin below the higher rate too: under the higher rate it failed, or the service was
    // not UP then. Checked on the built-in change scenario's random streams.
    let s = incsim::scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/changes.toml"
    )))
    .expect("scenarios/changes.toml");
    for rep in 0..10 {
        let (high, _) = run(&s, 0, rep);
        let (low, _) = run(&s, 1, rep);
        let mut open_at = Vec::new();
        let mut open = false;
        for e in &high.0 {
            match e.kind {
                EventKind::FailureStarted { .. } => open = true,
                EventKind::Resolved { .. } => open = false,
                EventKind::ChangeDeployed { failed, .. } => open_at.push((failed, open)),
                _ => {}
            }
        }
        for ((_, n, failed_low), (failed_high, was_open)) in changes_of(&low).iter().zip(&open_at) {
            assert!(
                !failed_low || *failed_high || *was_open,
                "rep {rep}: change {n} failed under the lower rate only"
            );
        }
    }
}

#[test]
fn a_zero_failure_rate_changes_no_number_but_the_count_of_changes() {
    // Metamorphic: changes that never fail draw from their own stream only, so every metric
    // of the scenario without changes comes out the same, bit for bit.
    let base = incsim::scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/changes.toml"
    )))
    .expect("scenarios/changes.toml");
    let mut zero = base.clone();
    for st in &mut zero.strategies {
        st.change_failure_rate = None;
    }
    zero.services[0].changes.as_mut().unwrap().failure_rate = 0.0;
    let mut none = zero.clone();
    none.services[0].changes = None;
    for strategy in 0..2 {
        for rep in 0..10 {
            let (_, mut with) = run(&zero, strategy, rep);
            let (_, without) = run(&none, strategy, rep);
            assert!(with.changes > 0);
            assert_eq!(with.change_failures, 0);
            with.changes = 0;
            assert_eq!(with, without, "strategy {strategy} rep {rep}");
        }
    }
}

#[test]
fn natural_failures_keep_their_numbers_and_draws_under_every_change_failure_rate() {
    // §8.12: a failing change opens `db#cN`; the natural failures stay 0, 1, 2, … and failure
    // k keeps its mode, warning and fix whether changes fail before it or not.
    let s = incsim::scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/changes.toml"
    )))
    .expect("scenarios/changes.toml");
    let naturals = |events: &EventVec| -> Vec<(u32, u32)> {
        events
            .0
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::FailureStarted { incident, mode, .. } if incident.change().is_none() => {
                    Some((incident.k, mode))
                }
                _ => None,
            })
            .collect()
    };
    for rep in 0..5 {
        let (high, mh) = run(&s, 0, rep);
        let (low, _) = run(&s, 1, rep);
        let (nh, nl) = (naturals(&high), naturals(&low));
        for (i, (k, _)) in nh.iter().enumerate() {
            assert_eq!(
                *k, i as u32,
                "rep {rep}: natural failures numbered in order"
            );
        }
        let common = nh.len().min(nl.len());
        assert_eq!(nh[..common], nl[..common], "rep {rep}: same modes");
        let change_incidents = high
            .0
            .iter()
            .filter(|e| {
                matches!(e.kind, EventKind::FailureStarted { incident, .. }
                    if incident.change().is_some())
            })
            .count();
        assert_eq!(change_incidents as u64, mh.change_failures);
    }
}

fn deployed(t: f64, n: u32, failed: bool) -> Event {
    Event {
        t,
        kind: EventKind::ChangeDeployed {
            change: ChangeId { service: 0, n },
            failed,
        },
    }
}

fn started(t: f64, k: u32) -> Event {
    Event {
        t,
        kind: EventKind::FailureStarted {
            incident: IncidentId { service: 0, k },
            mode: 0,
            warning: 0.0,
        },
    }
}

/// The lifecycle check's verdict on a stream.
fn verdict(s: &Scenario, events: &[Event]) -> Result<(), String> {
    let mut check = LifecycleCheck::new(s);
    check.begin();
    for e in events {
        check.apply(e)?;
    }
    Ok(())
}

#[test]
fn the_lifecycle_check_refuses_broken_change_logs() {
    let s = parse(&dead_time(50.0, "24x7", "1", "1h"));
    let change0 = IncidentId::of_change(ChangeId { service: 0, n: 0 }).k;
    // Valid: change 0 fails and opens db#c0 at once.
    assert!(verdict(&s, &[deployed(10.0, 0, true), started(10.0, change0)]).is_ok());
    // The failed change's incident does not follow.
    let e = verdict(&s, &[deployed(10.0, 0, true), deployed(11.0, 1, false)]).unwrap_err();
    assert!(e.contains("must follow at once"), "{e}");
    // Changes out of order.
    let e = verdict(&s, &[deployed(10.0, 1, false)]).unwrap_err();
    assert!(e.contains("next change of db is #c0"), "{e}");
    // A change that fails a service already down.
    let e = verdict(
        &s,
        &[
            deployed(10.0, 0, true),
            started(10.0, change0),
            deployed(20.0, 1, true),
        ],
    )
    .unwrap_err();
    assert!(e.contains("cannot fail"), "{e}");
    // A change's incident with no failed change before it.
    let e = verdict(&s, &[started(10.0, change0)]).unwrap_err();
    assert!(e.contains("without its change_deployed"), "{e}");
}

#[test]
fn replay_reproduces_a_run_with_changes() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args([
            "run",
            "scenarios/changes.toml",
            "-n",
            "4",
            "--events",
            "0-3",
        ])
        .args(["--threads", "2", "--quiet", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run incsim");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let log = std::fs::read_to_string(out.join("events.jsonl")).expect("events.jsonl");
    assert!(log.contains("\"kind\":\"change_deployed\""));
    assert!(log.contains("\"incident\":\"shop#c"));
    let replay = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .arg("replay")
        .arg(out.join("events.jsonl"))
        .output()
        .expect("replay");
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let csv = std::fs::read_to_string(out.join("replications.csv")).expect("replications.csv");
    let replayed = String::from_utf8_lossy(&replay.stdout);
    for line in csv.lines().skip(1) {
        assert!(replayed.contains(line), "replay lacks the row {line}");
    }
}

/// The only error of a broken variant of the dead-time scenario, with its line (1-based).
fn error_of(text: &str) -> (incsim::scenario::ScenarioError, usize) {
    let errs = match parse_str(text, "changes.toml") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    };
    assert_eq!(errs.len(), 1, "expected one error, got:\n{errs}");
    let line = text[..text.find("changes = {").unwrap()]
        .matches('\n')
        .count()
        + 1;
    (errs.0[0].clone(), line)
}

#[test]
fn change_fields_are_checked_with_their_line_field_and_fix() {
    let (e, line) = error_of(&dead_time(5.0, "24x7", "1", "1h").replace(
        "mode = \"bad-deploy\", hours",
        "mode = \"bad-deploi\", hours",
    ));
    assert_eq!(
        (e.line, e.field.as_str()),
        (Some(line), "services.db.changes.mode")
    );
    assert!(
        e.message.contains("unknown failure mode \"bad-deploi\""),
        "{e}"
    );
    assert!(
        e.help.as_deref().unwrap_or("").contains("\"bad-deploy\""),
        "{e}"
    );

    let (e, line) = error_of(&dead_time(5.0, "24x7", "1.5", "1h"));
    assert_eq!(
        (e.line, e.field.as_str()),
        (Some(line), "services.db.changes.failure_rate")
    );

    let (e, line) = error_of(&dead_time(-1.0, "24x7", "1", "1h"));
    assert_eq!(
        (e.line, e.field.as_str()),
        (Some(line), "services.db.changes.per_week")
    );

    let (e, line) = error_of(&dead_time(5.0, "Mon-Fry 10:00-16:00", "1", "1h"));
    assert_eq!(
        (e.line, e.field.as_str()),
        (Some(line), "services.db.changes.hours")
    );

    let (e, line) = error_of(&dead_time(5.0, "24x7", "1", "1h").replace(", hours = \"24x7\"", ""));
    assert_eq!(
        (e.line, e.field.as_str()),
        (Some(line), "services.db.changes.hours")
    );
    assert!(e.to_string().contains("hours = "), "{e}");

    let text = dead_time(5.0, "24x7", "1", "1h");
    let text = text.replace("change_failure_rate = 0.3", "change_failure_rate = 2");
    let errs = parse_str(&text, "changes.toml").unwrap_err();
    assert_eq!(errs.len(), 1, "{errs}");
    assert_eq!(errs.0[0].field, "strategies.reviewed.change_failure_rate");
    assert!(errs.0[0].line.is_some());
}

#[test]
fn rule_14_counts_the_change_arrivals() {
    // 2 000 000 changes a week over a year is about 104 million events: refused.
    let errs = parse_str(&dead_time(2.0e6, "24x7", "0", "1h"), "changes.toml").unwrap_err();
    assert!(errs.to_string().contains("10000000"), "{errs}");
}

#[test]
fn sweeps_list_the_numeric_change_fields() {
    let s = parse(&dead_time(5.0, "24x7", "1", "1h"));
    let paths: Vec<String> = incsim::scenario::fields::readable(&s)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for p in [
        "services.db.changes.per_week",
        "services.db.changes.failure_rate",
        "strategies.reviewed.change_failure_rate",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} not in {paths:?}");
    }
}
