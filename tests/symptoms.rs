//! docs/model.md §8.11: symptom incidents on services that are down because a dependency is,
//! against hand-computed timelines, and the cost by root cause (§8.10).

mod common;

use common::*;
use incsim::events::{Event, EventKind, EventVec, IncidentId};
use incsim::experiment::run_replications;
use incsim::metrics::Metric;
use incsim::model::Simulator;
use incsim::projections::MetricsProjection;
use incsim::projections::lifecycle::LifecycleCheck;
use incsim::report::Report;
use incsim::scenario::{Dependency, Dist, Effect, Hours, Scenario};

/// `shop` (0) depends on `db` (1). Two 24x7 tiers, help desk (0) and DBA (1), two engineers
/// each: nobody ever waits. db fails 1000 min after each repair, a sudden failure only the DBA
/// can fix in 300 min; users report it after `db_report` min. shop never fails itself (its
/// own failures come every 10^6 min) and its users report a symptom after 10 min. Reactive:
/// 60-minute time boxes, no handoff wait.
fn shop_on_db(db_report: f64, correlate: bool) -> Scenario {
    let mut shop = service(
        "shop",
        Dist::fixed(1e6),
        Dist::fixed(10.0),
        vec![mode("crash", Dist::fixed(0.0), Dist::fixed(10.0), 0)],
    );
    shop.downtime_cost_per_hour = 6000.0;
    shop.depends_on = vec![Dependency {
        service: 1,
        effect: Effect::Down,
    }];
    let mut db = service(
        "db",
        Dist::fixed(1000.0),
        Dist::fixed(db_report),
        vec![mode("disk", Dist::fixed(0.0), Dist::fixed(300.0), 1)],
    );
    db.downtime_cost_per_hour = 1200.0;
    let mut strategy = reactive(60.0, 0.0, 1.0);
    strategy.correlate = correlate;
    scenario(
        vec![
            tier("help-desk", 2, Hours::AlwaysOpen, 60.0),
            tier("dba", 2, Hours::AlwaysOpen, 120.0),
        ],
        vec![shop, db],
        vec![strategy],
        3000.0,
        1,
        1,
    )
}

/// The events of replication 0 of strategy 0, each checked by the lifecycle check.
fn events(s: &Scenario) -> Vec<Event> {
    let mut sink = EventVec::default();
    Simulator::new().run(s, 0, 0, &mut sink);
    let mut check = LifecycleCheck::new(s);
    check.begin();
    for (i, e) in sink.0.iter().enumerate() {
        if let Err(msg) = check.apply(e) {
            panic!("event {i} {e:?}: {msg}");
        }
    }
    assert!(check.is_finished());
    sink.0
}

fn metrics(s: &Scenario) -> incsim::projections::RepMetrics {
    let mut p = MetricsProjection::new(s, 0);
    Simulator::new().run(s, 0, 0, &mut p);
    p.metrics()
}

#[test]
fn a_symptom_opens_after_the_report_delay_is_worked_at_each_tier_and_closes_when_the_root_is_up() {
    // db's outages: down at 1000; its users report at 1020; the help desk's 60-min time box
    // [1020, 1080), escalation, the DBA's fix [1080, 1380): up at 1380. Next failure
    // 1000 min later: down [2380, 2760). Horizon 3000.
    // shop inherits DOWN at 1000 and has no own incident: its users report the symptom at
    // 1000 + 10 = 1010; the help desk time-boxes it [1010, 1070), escalates, the DBA time-boxes
    // it [1070, 1130): the last tier, so it waits from 1130; it closes when db is up, 1380.
    // Per outage 2 × 60 min of symptom work: symptom_hours = 2 × 2 h = 4 h.
    let s = shop_on_db(20.0, false);
    let ev = events(&s);
    let symptom = |n| IncidentId::symptom(0, n);
    assert_eq!(
        times(&ev, |k| matches!(k, EventKind::SymptomOpened { .. })),
        vec![1010.0, 2390.0]
    );
    assert_eq!(
        times(&ev, |k| matches!(k, EventKind::SymptomWaiting { .. })),
        vec![1130.0, 2510.0]
    );
    assert_eq!(
        times(&ev, |k| matches!(k, EventKind::SymptomClosed { .. })),
        vec![1380.0, 2760.0]
    );
    assert_eq!(
        times(
            &ev,
            |k| matches!(k, EventKind::Escalated { incident, .. } if *incident == symptom(0))
        ),
        vec![1070.0]
    );
    assert!(ev.iter().any(|e| matches!(
        e.kind,
        EventKind::SymptomOpened { incident, root: 1 } if incident == symptom(1)
    )));
    let m = metrics(&s);
    assert_eq!(m.symptom_incidents, 2);
    assert_eq!(m.symptom_hours, 4.0);
    // Symptoms are not incidents: db's two failures only, and only db's escalations.
    assert_eq!(m.incidents, 2);
    assert_eq!(m.escalations, 2);
    // Labor: per outage db 60 (help desk) + 300 (DBA) and the symptom 60 + 60 = 480 min.
    assert_eq!(m.labor_hours, 2.0 * 480.0 / 60.0);
    // MTTD counts db's incidents only (20 min each).
    assert_eq!(m.mttd_minutes, Some(20.0));
}

#[test]
fn correlation_links_a_symptom_as_soon_as_the_root_incident_is_detected() {
    // As above with correlate = true: the symptom is reported at 1010, before db's users
    // report db at 1020; the help desk works it from 1010 until db's detection at 1020, when
    // it is linked and the work stops: 10 min per outage, symptom_hours = 2 × 10 / 60.
    let s = shop_on_db(20.0, true);
    let ev = events(&s);
    assert_eq!(
        times(&ev, |k| matches!(
            k,
            EventKind::SymptomLinked { root: 1, .. }
        )),
        vec![1020.0, 2400.0]
    );
    assert!(times(&ev, |k| matches!(k, EventKind::SymptomWaiting { .. })).is_empty());
    assert_eq!(
        times(&ev, |k| matches!(k, EventKind::SymptomClosed { .. })),
        vec![1380.0, 2760.0]
    );
    let m = metrics(&s);
    assert_eq!(m.symptom_incidents, 2);
    assert!((m.symptom_hours - 20.0 / 60.0).abs() < 1e-12);
    // Labor: db's 360 min per outage plus the 10 min the help desk spent on the symptom.
    assert!((m.labor_hours - 2.0 * 370.0 / 60.0).abs() < 1e-12);
    // The stopped time box costs only what was worked: 10 min at 60/h per outage, plus db's
    // 60 min at 60/h and 300 min at 120/h.
    assert!((m.labor_cost - 2.0 * (10.0 + 60.0 + 600.0)).abs() < 1e-9);
}

#[test]
fn with_the_root_detected_first_a_correlated_symptom_costs_no_work() {
    // db's users report at 5 < 10: db is detected at 1005, the symptom is reported at 1010
    // and linked at once: nobody works it. db: time box [1005, 1065), fix [1065, 1365); next
    // down at 2365, detected 2370, the symptom reported and linked at 2375.
    let s = shop_on_db(5.0, true);
    let ev = events(&s);
    assert_eq!(
        times(&ev, |k| matches!(k, EventKind::SymptomLinked { .. })),
        vec![1010.0, 2375.0]
    );
    let m = metrics(&s);
    assert_eq!(m.symptom_incidents, 2);
    assert_eq!(m.symptom_hours, 0.0);
}

#[test]
fn an_inherited_outage_shorter_than_the_report_delay_opens_no_symptom() {
    // db: detected at once by its users (report 0) and fixed by the help desk in 5 min; shop's
    // users would report after 10 min, but db is up again at 1005: no symptom incident.
    let mut s = shop_on_db(0.0, false);
    s.services[1].modes[0].needs = 0;
    s.services[1].modes[0].fix = Dist::fixed(5.0);
    let ev = events(&s);
    assert!(
        !ev.iter()
            .any(|e| matches!(e.kind, EventKind::SymptomOpened { .. }))
    );
    assert_eq!(metrics(&s).symptom_incidents, 0);
}

#[test]
fn the_cost_by_root_cause_charges_the_dependants_minutes_to_the_root() {
    // db is down [1000, 1380) and [2380, 2760): 760 min at db's 1200/h and, inherited, at
    // shop's 6000/h. shop never fails itself. So db caused 760 × (1200 + 6000) / 60 = 91 200,
    // shop caused 0, and the root-cause costs add up to the downtime cost.
    let s = shop_on_db(20.0, false);
    let m = metrics(&s);
    assert_eq!(m.service_root_cause_cost, vec![0.0, 91_200.0]);
    assert!((m.downtime_cost - 91_200.0).abs() < 1e-9);
    let results = run_replications(&s, 0..1, &mut |_| {});
    let report = Report::build(&s, &results);
    let db = &report.strategies[0].services[1];
    assert_eq!(db.root_cause_cost.expect("defined").mean, 91_200.0);
}

#[test]
fn root_cause_costs_add_up_to_the_downtime_cost_in_the_cascade_story() {
    // Property: each minute of each service is charged once, to one cause.
    let s = incsim::scenario::parse_str(
        include_str!("../scenarios/shared-database.toml"),
        "shared-database.toml",
    )
    .expect("valid scenario");
    for strategy in 0..s.strategies.len() {
        for rep in 0..20 {
            let mut p = MetricsProjection::new(&s, strategy);
            Simulator::new().run(&s, strategy, rep, &mut p);
            let m = p.metrics();
            let sum: f64 = m.service_root_cause_cost.iter().sum();
            assert!(
                (sum - m.downtime_cost).abs() <= 1e-6 * m.downtime_cost.max(1.0),
                "rep {rep}: {sum} vs {}",
                m.downtime_cost
            );
        }
    }
}

#[test]
fn every_stream_of_the_cascade_story_passes_the_lifecycle_check_and_has_symptoms() {
    let s = incsim::scenario::parse_str(
        include_str!("../scenarios/shared-database.toml"),
        "shared-database.toml",
    )
    .expect("valid scenario");
    let mut sim = Simulator::new();
    let mut check = LifecycleCheck::new(&s);
    let mut symptoms = 0;
    let mut symptom_tickets = 0;
    for rep in 0..30 {
        for strategy in 0..s.strategies.len() {
            let mut sink = EventVec::default();
            sim.run(&s, strategy, rep, &mut sink);
            check.begin();
            for (i, e) in sink.0.iter().enumerate() {
                if let Err(msg) = check.apply(e) {
                    panic!("rep {rep} strategy {strategy} event {i} {e:?}: {msg}");
                }
                match e.kind {
                    EventKind::SymptomOpened { .. } => symptoms += 1,
                    EventKind::TicketFiled { ticket } if ticket.incident.is_symptom() => {
                        symptom_tickets += 1
                    }
                    _ => {}
                }
            }
            assert!(check.is_finished());
        }
    }
    assert!(
        symptoms > 0,
        "the cascade story should open symptom incidents"
    );
    assert!(
        symptom_tickets > 0,
        "symptoms should bring their own tickets"
    );
}

#[test]
fn symptom_draws_do_not_change_a_strategys_own_failures() {
    // CRN: the report delays come from their own stream, so db's failures and their draws
    // are the same with and without correlation.
    let a = metrics(&shop_on_db(20.0, false));
    let b = metrics(&shop_on_db(20.0, true));
    assert_eq!(a.incidents, b.incidents);
    assert_eq!(a.service_outage_minutes, b.service_outage_minutes);
    assert_eq!(a.symptom_incidents, b.symptom_incidents);
    // And the symptom metrics are rows of the registry.
    assert_eq!(Metric::SYMPTOM_INCIDENTS.name(), "symptom_incidents");
    assert_eq!(Metric::SYMPTOM_HOURS.name(), "symptom_hours");
}
