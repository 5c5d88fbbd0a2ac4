//! Metamorphic relations that must hold exactly, and determinism across thread counts.

mod common;

use std::collections::BTreeSet;

use common::*;
use incsim::events::{EventKind, EventVec};
use incsim::experiment::{ExperimentResults, run_replications, simulate_one};
use incsim::metrics::Metric;
use incsim::scenario::Scenario;

fn run(s: &Scenario) -> ExperimentResults {
    run_replications(s, 0..s.simulation.replications, &mut |_| {})
}

fn scenario_under_test() -> Scenario {
    let mut s = mail_server();
    s.simulation.replications = 60;
    s
}

#[test]
fn a_strategy_copied_under_another_name_gives_identical_rows() {
    let mut s = scenario_under_test();
    let mut copy = s.strategies[1].clone();
    copy.name = "proactive-copy".into();
    s.strategies.push(copy);
    let r = run(&s);
    assert_eq!(r.strategies[1].rows, r.strategies[2].rows);
    assert_eq!(
        r.strategies[1].cost_checkpoints,
        r.strategies[2].cost_checkpoints
    );
}

#[test]
fn adding_a_strategy_does_not_change_the_others() {
    let s = scenario_under_test();
    let mut more = s.clone();
    let mut extra = s.strategies[0].clone();
    extra.name = "slow".into();
    extra.escalate_after *= 2.0;
    more.strategies.insert(1, extra);
    let (a, b) = (run(&s), run(&more));
    assert_eq!(a.strategies[0].rows, b.strategies[0].rows);
    assert_eq!(a.strategies[1].rows, b.strategies[2].rows);
}

fn assert_only_changed(
    a: &ExperimentResults,
    b: &ExperimentResults,
    scaled: &[Metric],
    factor: f64,
) {
    for (sa, sb) in a.strategies.iter().zip(&b.strategies) {
        for (ra, rb) in sa.rows.iter().zip(&sb.rows) {
            for m in Metric::all() {
                let (x, y) = (m.value(&ra), m.value(&rb));
                if scaled.contains(&m) {
                    let (x, y) = (x.unwrap(), y.unwrap());
                    assert!(
                        (y - factor * x).abs() <= 1e-9 * y.abs().max(1.0),
                        "{}: {y} vs {factor}×{x}",
                        m.name()
                    );
                } else if m != Metric::TOTAL_COST {
                    assert_eq!(x, y, "{} changed", m.name());
                }
            }
        }
    }
}

#[test]
fn doubling_the_hourly_cost_doubles_labor_cost_and_nothing_else() {
    let s = scenario_under_test();
    let mut doubled = s.clone();
    for t in &mut doubled.tiers {
        t.hourly_cost *= 2.0;
    }
    assert_only_changed(&run(&s), &run(&doubled), &[Metric::LABOR_COST], 2.0);
}

#[test]
fn doubling_the_downtime_cost_doubles_downtime_cost_and_nothing_else() {
    let s = scenario_under_test();
    let mut doubled = s.clone();
    for svc in &mut doubled.services {
        svc.downtime_cost_per_hour *= 2.0;
    }
    assert_only_changed(
        &run(&s),
        &run(&doubled),
        &[Metric::DOWNTIME_COST, Metric::DEGRADED_COST],
        2.0,
    );
}

#[test]
fn doubling_the_annual_cost_doubles_investment_and_nothing_else() {
    let s = scenario_under_test();
    let mut doubled = s.clone();
    for st in &mut doubled.strategies {
        st.annual_cost *= 2.0;
    }
    assert_only_changed(&run(&s), &run(&doubled), &[Metric::INVESTMENT_COST], 2.0);
}

/// The failures (service, k) that degradation monitoring caught in replication `rep`.
fn caught(s: &Scenario, rep: u64) -> BTreeSet<(u32, u32)> {
    let mut events = EventVec::default();
    simulate_one(s, 1, rep, &mut events);
    events
        .0
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::DegradationDetected { incident } => Some((incident.service, incident.k)),
            _ => None,
        })
        .collect()
}

/// The failures (service, k) that started in replication `rep`.
fn started(s: &Scenario, rep: u64) -> BTreeSet<(u32, u32)> {
    let mut events = EventVec::default();
    simulate_one(s, 1, rep, &mut events);
    events
        .0
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::FailureStarted { incident, .. } => Some((incident.service, incident.k)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_higher_coverage_catches_every_failure_a_lower_one_catches() {
    let base = scenario_under_test();
    let with_coverage = |c: f64| {
        let mut s = base.clone();
        s.strategies[1].monitoring.as_mut().unwrap().coverage = c;
        s
    };
    let (low, high) = (with_coverage(0.4), with_coverage(0.8));
    let mut compared = 0;
    for rep in 0..40 {
        let in_both: BTreeSet<_> = started(&low, rep)
            .intersection(&started(&high, rep))
            .copied()
            .collect();
        let caught_high = caught(&high, rep);
        for failure in caught(&low, rep).intersection(&in_both) {
            compared += 1;
            assert!(
                caught_high.contains(failure),
                "rep {rep}: {failure:?} lost at higher coverage"
            );
        }
    }
    assert!(compared > 20, "too few failures compared: {compared}");
}

#[test]
fn results_are_identical_with_one_thread_or_several() {
    let s = scenario_under_test();
    let with_threads = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| run(&s))
    };
    let one = with_threads(1);
    assert_eq!(one, with_threads(2));
    assert_eq!(one, with_threads(5));
}

#[test]
fn a_slice_of_replications_equals_the_same_rows_of_a_full_run() {
    let s = scenario_under_test();
    let full = run(&s);
    let slice = run_replications(&s, 20..35, &mut |_| {});
    for (f, p) in full.strategies.iter().zip(&slice.strategies) {
        assert_eq!(
            f.rows.iter().skip(20).take(15).collect::<Vec<_>>(),
            p.rows.iter().collect::<Vec<_>>()
        );
    }
}

#[test]
fn minimal_repair_of_exponential_failures_changes_nothing() {
    // Model.md §8.5: the exponential is memoryless, so the failure conditioned on survival to
    // any age is an ordinary draw — the same draw from the same keyed stream. Availability (and
    // every other number) is therefore not just within the CI of "renew" but identical.
    let renew = scenario_under_test();
    let mut minimal = renew.clone();
    for svc in &mut minimal.services {
        svc.repair = incsim::scenario::Repair::AsBadAsOld;
    }
    let (a, b) = (run(&renew), run(&minimal));
    for (x, y) in a.strategies.iter().zip(&b.strategies) {
        assert_eq!(x.rows, y.rows);
    }
}

#[test]
fn minimal_repair_of_shape_one_weibull_failures_gives_the_same_availability() {
    // A Weibull of shape 1 is the exponential, but minimal repair draws it through the
    // conditional-survival inverse λ((a/λ) − ln(1 − u)) − a, which equals the ordinary draw
    // −λ ln(1 − u) only up to rounding. So each replication's availability must agree with
    // "renew" to rounding error, far inside any confidence interval.
    let mut renew = scenario_under_test();
    for svc in &mut renew.services {
        let mean = svc.failures_every.mean();
        svc.failures_every = incsim::scenario::Dist::Weibull {
            shape: 1.0,
            scale: mean,
        };
    }
    let mut minimal = renew.clone();
    for svc in &mut minimal.services {
        svc.repair = incsim::scenario::Repair::AsBadAsOld;
    }
    let (a, b) = (run(&renew), run(&minimal));
    for (x, y) in a.strategies.iter().zip(&b.strategies) {
        for (rx, ry) in x.rows.iter().zip(&y.rows) {
            let (ax, ay) = (
                Metric::AVAILABILITY.value(&rx).unwrap(),
                Metric::AVAILABILITY.value(&ry).unwrap(),
            );
            assert!((ax - ay).abs() < 1e-9, "{ax} vs {ay}");
        }
    }
}
