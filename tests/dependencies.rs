//! docs/model.md §8.10: service dependencies and cascading (inherited) outages, against exact
//! answers and metamorphic relations.

mod common;

use common::*;
use incsim::experiment::run_replications;
use incsim::metrics::Metric;
use incsim::report::Report;
use incsim::scenario::{Dependency, Dist, Effect, Hours, Scenario};
use incsim::stats::Summary;

fn run(s: &Scenario) -> Report {
    let results = run_replications(s, 0..s.simulation.replications, &mut |_| {});
    Report::build(s, &results)
}

fn metric(report: &Report, metric: Metric) -> Summary {
    *report.strategies[0].metric(metric).expect("metric defined")
}

fn service_outage(report: &Report, service: usize) -> Summary {
    report.strategies[0].services[service]
        .outage_minutes
        .expect("outage minutes")
}

fn service_inherited(report: &Report, service: usize) -> Summary {
    report.strategies[0].services[service]
        .inherited_outage_minutes
        .expect("inherited outage minutes")
}

/// `shop` (index 0) depends on `db` (index 1) with `effect`; both sudden failures fixed by the
/// one 24x7 tier (two engineers: nobody waits), reported at once.
fn shop_on_db(
    shop_every: Dist,
    shop_fix: f64,
    db_every: Dist,
    db_fix: f64,
    effect: Option<Effect>,
) -> Vec<incsim::scenario::Service> {
    let mut shop = service(
        "shop",
        shop_every,
        Dist::fixed(0.0),
        vec![mode("crash", Dist::fixed(0.0), Dist::fixed(shop_fix), 0)],
    );
    if let Some(effect) = effect {
        shop.depends_on = vec![Dependency { service: 1, effect }];
    }
    let db = service(
        "db",
        db_every,
        Dist::fixed(0.0),
        vec![mode("disk", Dist::fixed(0.0), Dist::fixed(db_fix), 0)],
    );
    vec![shop, db]
}

#[test]
fn a_down_dependency_takes_its_dependant_down_minute_for_minute() {
    // db fails 1000 min after each repair and takes 100 min to fix (reported at once, a free
    // engineer): down [1000, 1100), [2100, 2200), … — period 1100, so 10 outages in
    // [0, 11 000), 1000 minutes. shop's own failures come every 10^6 min: none in the horizon.
    // With effect = "down" every db minute down is an inherited shop minute down:
    // shop outage = inherited = 1000; outages (own only) = 10, all db's.
    let s = scenario(
        vec![tier("ops", 2, Hours::AlwaysOpen, 0.0)],
        shop_on_db(
            Dist::fixed(1e6),
            10.0,
            Dist::fixed(1000.0),
            100.0,
            Some(Effect::Down),
        ),
        vec![reactive(60.0, 0.0, 1.0)],
        11_000.0,
        2,
        1,
    );
    let report = run(&s);
    assert_eq!(service_outage(&report, 1).mean, 1000.0);
    assert_eq!(service_outage(&report, 0).mean, 1000.0);
    assert_eq!(service_inherited(&report, 0).mean, 1000.0);
    assert_eq!(service_inherited(&report, 1).mean, 0.0);
    assert_eq!(metric(&report, Metric::OUTAGES).mean, 10.0);
    assert_eq!(metric(&report, Metric::OUTAGE_MINUTES).mean, 2000.0);
    assert_eq!(
        metric(&report, Metric::INHERITED_OUTAGE_MINUTES).mean,
        1000.0
    );
    // Availability counts inherited minutes: 1 − 2000 / (2 × 11 000).
    assert_eq!(
        metric(&report, Metric::AVAILABILITY).mean,
        1.0 - 2000.0 / 22_000.0
    );
    // MTTR is over own outages only: db's 100-minute fixes.
    assert_eq!(metric(&report, Metric::MTTR_MINUTES).mean, 100.0);
}

#[test]
fn a_degraded_effect_slows_the_dependant_at_its_own_degraded_rate() {
    // Same story with effect = "degraded": shop's 1000 inherited minutes are degraded minutes,
    // priced at shop's rate (1000/h × 0.25); db's 1000 outage minutes at 1000/h.
    // downtime cost = 1000/60 × 1000 + 1000/60 × 0.25 × 1000 = 16 666.67 + 4 166.67.
    let s = scenario(
        vec![tier("ops", 2, Hours::AlwaysOpen, 0.0)],
        shop_on_db(
            Dist::fixed(1e6),
            10.0,
            Dist::fixed(1000.0),
            100.0,
            Some(Effect::Degraded),
        ),
        vec![reactive(60.0, 0.0, 1.0)],
        11_000.0,
        2,
        1,
    );
    let report = run(&s);
    assert_eq!(service_outage(&report, 0).mean, 0.0);
    assert_eq!(metric(&report, Metric::DEGRADED_MINUTES).mean, 1000.0);
    assert_eq!(metric(&report, Metric::INHERITED_OUTAGE_MINUTES).mean, 0.0);
    let expected = 1000.0 / 60.0 * 1000.0 + 1000.0 / 60.0 * 0.25 * 1000.0;
    assert!((metric(&report, Metric::DOWNTIME_COST).mean - expected).abs() < 1e-6);
}

#[test]
fn an_own_outage_during_an_inherited_one_counts_each_minute_once() {
    // shop fails at 1000 too (both every 1000 fixed), its own fix takes 50: own down
    // [1000, 1050), then inherited [1050, 1100) while db is still down. Next cycles: db period
    // 1100, shop period 1050 — they drift apart, so compute the whole horizon [0, 2200):
    // db down [1000, 1100) and [2100, 2200): 200. shop own [1000, 1050) and [2050, 2100): 100;
    // inherited [1050, 1100) and [2100, 2200): 150. shop outage = 250, never 300.
    let s = scenario(
        vec![tier("ops", 2, Hours::AlwaysOpen, 0.0)],
        shop_on_db(
            Dist::fixed(1000.0),
            50.0,
            Dist::fixed(1000.0),
            100.0,
            Some(Effect::Down),
        ),
        vec![reactive(60.0, 0.0, 1.0)],
        2200.0,
        2,
        1,
    );
    let report = run(&s);
    assert_eq!(service_outage(&report, 1).mean, 200.0);
    assert_eq!(service_outage(&report, 0).mean, 250.0);
    assert_eq!(service_inherited(&report, 0).mean, 150.0);
    assert_eq!(metric(&report, Metric::OUTAGES).mean, 4.0);
}

#[test]
fn availability_of_a_dependant_is_the_product_of_the_two_availabilities() {
    // Exact (docs/model.md §8.10): shop's own failure clock runs whatever db does, so with
    // exponential failures, fixed repairs, instant detection and an engineer always free, the
    // two own-down processes are independent alternating renewal processes, and shop is up
    // iff both are: availability(shop) = a_shop × a_db, each MTBF / (MTBF + MTTR):
    // a_shop = 2000/2200, a_db = 3000/3300, product = 0.826446…
    let (mtbf_shop, mttr_shop, mtbf_db, mttr_db) = (2000.0, 200.0, 3000.0, 300.0);
    let exact = mtbf_shop / (mtbf_shop + mttr_shop) * (mtbf_db / (mtbf_db + mttr_db));
    let horizon = 2_000_000.0;
    let s = scenario(
        vec![tier("ops", 2, Hours::AlwaysOpen, 0.0)],
        shop_on_db(
            Dist::Exponential { mean: mtbf_shop },
            mttr_shop,
            Dist::Exponential { mean: mtbf_db },
            mttr_db,
            Some(Effect::Down),
        ),
        vec![reactive(60.0, 0.0, 1.0)],
        horizon,
        200,
        17,
    );
    let results = run_replications(&s, 0..s.simulation.replications, &mut |_| {});
    let availability = Summary::of(
        results.strategies[0]
            .rows
            .iter()
            .map(|r| Some(1.0 - r.service_outage_minutes[0] / horizon)),
    )
    .expect("replications");
    let tolerance = 1.7 * availability.half_width();
    assert!(
        (availability.mean - exact).abs() <= tolerance,
        "availability(shop): simulated {} ± {}, exact {exact}",
        availability.mean,
        availability.half_width()
    );
}

#[test]
fn a_dependency_adds_inherited_minutes_and_changes_nothing_else() {
    // Metamorphic: with an engineer always free (4 of them; at most shop's incident, db's and
    // shop's symptom incident need one at once), declaring the dependency changes no own
    // event (own clocks run regardless), so every own count is the same, outage minutes grow
    // by exactly the inherited minutes, and labor by exactly the symptom hours (§8.11).
    let build = |effect| {
        scenario(
            vec![tier("ops", 4, Hours::AlwaysOpen, 10.0)],
            shop_on_db(
                Dist::Exponential { mean: 5000.0 },
                120.0,
                Dist::Exponential { mean: 7000.0 },
                240.0,
                effect,
            ),
            vec![reactive(60.0, 0.0, 1.0)],
            200_000.0,
            30,
            5,
        )
    };
    let alone = run_replications(&build(None), 0..30, &mut |_| {});
    let linked = run_replications(&build(Some(Effect::Down)), 0..30, &mut |_| {});
    let mut some_inherited = false;
    for (a, l) in alone.strategies[0]
        .rows
        .iter()
        .zip(&linked.strategies[0].rows)
    {
        assert_eq!(a.outages, l.outages);
        assert_eq!(a.incidents, l.incidents);
        assert_eq!(a.mttr_minutes, l.mttr_minutes);
        assert!((a.labor_hours - (l.labor_hours - l.symptom_hours)).abs() < 1e-9);
        assert_eq!(a.service_outage_minutes[1], l.service_outage_minutes[1]);
        assert_eq!(a.inherited_outage_minutes, 0.0);
        let grown = l.service_outage_minutes[0] - a.service_outage_minutes[0];
        assert!((grown - l.inherited_outage_minutes).abs() < 1e-6);
        // Inherited minutes are at most the dependency's own outage minutes.
        assert!(l.inherited_outage_minutes <= l.service_outage_minutes[1] + 1e-9);
        some_inherited |= l.inherited_outage_minutes > 0.0;
    }
    assert!(some_inherited, "the scenario should produce cascades");
}
