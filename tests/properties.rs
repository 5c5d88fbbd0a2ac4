//! Property tests over random valid scenarios: invariants that must hold for every history.

mod common;

use std::collections::HashMap;

use common::*;
use incsim::events::{EventKind, EventSink, EventVec, WorkItem};
use incsim::experiment::simulate_one;
use incsim::projections::MetricsProjection;
use incsim::scenario::calendar::is_open;
use incsim::scenario::{
    Dist, Hours, Mode, Monitoring, Scenario, Service, Strategy as EscalationStrategy, Tier,
};
use proptest::prelude::*;

fn duration_dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0.0..120.0f64).prop_map(Dist::fixed),
        (1.0..240.0f64).prop_map(|mean| Dist::Exponential { mean }),
        (5.0..120.0f64, 1.2..6.0f64).prop_map(|(m, r)| Dist::lognormal_median_p90(m, m * r)),
        (0.0..60.0f64, 0.0..60.0f64).prop_map(|(a, w)| Dist::Triangular {
            min: a,
            mode: a + w / 2.0,
            max: a + w
        }),
    ]
}

fn every_dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (300.0..6000.0f64).prop_map(|mean| Dist::Exponential { mean }),
        (0.5..3.0f64, 300.0..6000.0f64).prop_map(|(shape, scale)| Dist::Weibull { shape, scale }),
        (300.0..6000.0f64).prop_map(Dist::fixed),
    ]
}

prop_compose! {
    fn arb_tier()(staff in 1u32..4, business in any::<bool>(), cost in 0.0..200.0f64) -> Tier {
        tier("t", staff, if business { Hours::Business } else { Hours::AlwaysOpen }, cost)
    }
}

fn arb_mode(n_tiers: usize) -> impl Strategy<Value = Mode> {
    (
        0.0..3.0f64,
        prop_oneof![Just(Dist::fixed(0.0)), duration_dist()],
        duration_dist(),
        0..n_tiers,
    )
        .prop_map(|(weight, warning, fix, needs)| Mode {
            name: "m".into(),
            weight: weight + 0.01,
            warning,
            fix,
            needs,
            workaround: None,
        })
}

fn arb_service(n_tiers: usize) -> impl Strategy<Value = Service> {
    (
        every_dist(),
        duration_dist(),
        1u32..4,
        prop::collection::vec(arb_mode(n_tiers), 1..3),
        0.0..1.0f64,
    )
        .prop_map(|(every, report_delay, priority, modes, frac)| {
            let mut s = service("s", every, report_delay, modes);
            s.priority = priority;
            s.degraded_cost_fraction = frac;
            s
        })
}

fn arb_strategy(n_tiers: usize) -> impl Strategy<Value = EscalationStrategy> {
    (
        1.0..120.0f64,
        0.0..30.0f64,
        0.3..2.0f64,
        0..n_tiers,
        0.0..1.0f64,
        prop::option::of((
            0.0..1.0f64,
            duration_dist(),
            0.0..30.0f64,
            0.0..30.0f64,
            0.0..30.0f64,
        )),
    )
        .prop_map(
            |(esc, handoff, mult, alert_tier, route, mon)| EscalationStrategy {
                name: "x".into(),
                escalate_after: esc,
                handoff,
                fix_multiplier: mult,
                annual_cost: 1000.0,
                alert_tier,
                route_direct: route,
                monitoring: mon.map(|(coverage, detect, outage_detect, fa, triage)| Monitoring {
                    coverage,
                    detect,
                    outage_detect,
                    false_alarms_per_week: fa,
                    triage,
                }),
                one_time_cost: 0.0,
                ramp_up: Vec::new(),
                ticket_deflection: 0.0,
                workarounds: false,
                correlate: false,
                problems: None,
                paging: None,
                tiers: Vec::new(),
                maintenance: Vec::new(),
                change_failure_rate: None,
            },
        )
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    (1usize..4).prop_flat_map(|n_tiers| {
        (
            prop::collection::vec(arb_tier(), n_tiers),
            prop::collection::vec(arb_service(n_tiers), 1..4),
            prop::collection::vec(arb_strategy(n_tiers), 1..4),
            (1.0..30.0f64),
            any::<u64>(),
        )
            .prop_map(|(mut tiers, mut services, mut strategies, days, seed)| {
                for (i, t) in tiers.iter_mut().enumerate() {
                    t.name = format!("tier{i}");
                }
                for (i, s) in services.iter_mut().enumerate() {
                    s.name = format!("svc{i}");
                }
                for (i, s) in strategies.iter_mut().enumerate() {
                    s.name = format!("strategy{i}");
                }
                scenario(tiers, services, strategies, days * 1440.0, 2, seed)
            })
    })
}

/// Collect the events of one replication of one strategy, and its metrics.
fn history(
    s: &Scenario,
    strategy: usize,
    rep: u64,
) -> (Vec<incsim::events::Event>, incsim::projections::RepMetrics) {
    let mut events = EventVec::default();
    simulate_one(s, strategy, rep, &mut events);
    let mut projection = MetricsProjection::new(s, strategy);
    projection.begin(rep, strategy);
    for e in &events.0 {
        projection.emit(e);
    }
    (events.0, projection.metrics())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_history_respects_the_invariants(s in arb_scenario()) {
        let horizon = s.simulation.horizon_minutes;
        for strategy in 0..s.strategies.len() {
            for rep in 0..s.simulation.replications {
                let (events, m) = history(&s, strategy, rep);
                // Time never runs backwards and stays within [0, horizon].
                let mut last = 0.0;
                for e in &events {
                    prop_assert!(e.t >= last && e.t <= horizon, "time {} after {}", e.t, last);
                    last = e.t;
                }
                prop_assert!(matches!(events.last().map(|e| e.kind), Some(EventKind::HorizonReached)));

                // Every incident opened is resolved or still open (cut off) at the horizon;
                // at most one open incident per service.
                let mut open: HashMap<u32, u32> = HashMap::new();
                let mut busy_until: Vec<Vec<f64>> = vec![Vec::new(); s.tiers.len()];
                for e in &events {
                    match e.kind {
                        EventKind::FailureStarted { incident, .. } => {
                            prop_assert!(!open.contains_key(&incident.service));
                            open.insert(incident.service, incident.k);
                        }
                        EventKind::Resolved { incident, .. } => {
                            prop_assert_eq!(open.remove(&incident.service), Some(incident.k));
                        }
                        EventKind::WorkStarted { tier, duration, item, .. } => {
                            prop_assert!(duration >= 0.0);
                            let t = &s.tiers[tier as usize];
                            // No work starts while a tier is closed.
                            prop_assert!(is_open(&t.hours, e.t, 0.0), "work started at {} at a closed tier", e.t);
                            // Never more jobs at once than engineers.
                            let running = &mut busy_until[tier as usize];
                            running.retain(|end| *end > e.t);
                            running.push(e.t + duration);
                            prop_assert!(running.len() <= t.staff as usize);
                            if let WorkItem::Incident(id) = item {
                                prop_assert_eq!(open.get(&id.service), Some(&id.k));
                            }
                        }
                        _ => {}
                    }
                }
                prop_assert!(open.len() <= s.services.len());

                // Non-negative metrics, bounded by the horizon.
                for (i, t) in s.tiers.iter().enumerate() {
                    prop_assert!(m.tier_busy_minutes[i] >= 0.0);
                    prop_assert!(m.tier_busy_minutes[i] <= t.staff as f64 * horizon + 1e-6);
                }
                for o in &m.service_outage_minutes {
                    prop_assert!(*o >= 0.0 && *o <= horizon + 1e-6);
                }
                prop_assert!(m.degraded_minutes >= 0.0);
                prop_assert!(m.degraded_minutes + m.outage_minutes <= s.services.len() as f64 * horizon + 1e-6);
                prop_assert!((0.0..=1.0).contains(&m.availability));
                prop_assert!(m.averted + m.outages <= m.incidents);
                prop_assert!(m.mttd_minutes.is_none_or(|x| x >= 0.0));
                prop_assert!(m.mttr_minutes.is_none_or(|x| x >= 0.0));
                for cost in [m.downtime_cost, m.degraded_cost, m.labor_cost, m.investment_cost] {
                    prop_assert!(cost >= 0.0);
                }
                prop_assert!((m.total_cost - (m.downtime_cost + m.labor_cost + m.investment_cost)).abs() <= 1e-6 * m.total_cost.max(1.0));
            }
        }
    }

    #[test]
    fn the_kth_failure_of_a_service_is_the_same_under_every_strategy(s in arb_scenario()) {
        let mut seen: HashMap<(u32, u32), (u32, u64)> = HashMap::new();
        for strategy in 0..s.strategies.len() {
            let (events, _) = history(&s, strategy, 0);
            for e in &events {
                if let EventKind::FailureStarted { incident, mode, warning } = e.kind {
                    let key = (incident.service, incident.k);
                    let value = (mode, warning.to_bits());
                    if let Some(previous) = seen.get(&key) {
                        prop_assert_eq!(previous, &value, "failure {:?} differs", key);
                    } else {
                        seen.insert(key, value);
                    }
                }
            }
        }
    }
}
