//! docs/model.md §7: the simulator against exact answers. Stochastic checks use a tolerance taken
//! from the run's own 95 % confidence interval (1.7 half-widths ≈ 3.3 standard errors), so a
//! correct model passes and a biased one fails however many replications are used.

mod common;

use common::*;
use incsim::events::{EventKind, EventVec};
use incsim::experiment::{run_replications, simulate_one};
use incsim::metrics::Metric;
use incsim::report::Report;
use incsim::scenario::{Dist, Hours, Scenario};
use incsim::stats::Summary;

fn run(s: &Scenario) -> Report {
    let results = run_replications(s, 0..s.simulation.replications, &mut |_| {});
    Report::build(s, &results)
}

fn summary(report: &Report, strategy: usize, metric: Metric) -> Summary {
    *report.strategies[strategy]
        .metric(metric)
        .expect("metric defined")
}

fn assert_within_ci(label: &str, s: &Summary, exact: f64) {
    let tolerance = 1.7 * s.half_width();
    assert!(
        (s.mean - exact).abs() <= tolerance,
        "{label}: simulated {} ± {} (95 % CI), exact {exact}",
        s.mean,
        s.half_width()
    );
}

#[test]
fn one_service_availability_is_mtbf_over_mtbf_plus_mttr_with_non_exponential_repair() {
    let every = Dist::Weibull {
        shape: 2.0,
        scale: 2000.0,
    };
    let fix = Dist::lognormal_median_p90(60.0, 240.0);
    let report_delay = Dist::Uniform {
        min: 5.0,
        max: 15.0,
    };
    let restore = report_delay.mean() + fix.mean();
    let exact = every.mean() / (every.mean() + restore);
    let s = scenario(
        vec![tier("ops", 1, Hours::AlwaysOpen, 50.0)],
        vec![service(
            "app",
            every.clone(),
            report_delay,
            vec![mode("crash", Dist::fixed(0.0), fix, 0)],
        )],
        vec![reactive(60.0, 0.0, 1.0)],
        1000.0 * (every.mean() + restore),
        200,
        11,
    );
    let report = run(&s);
    assert_within_ci(
        "availability",
        &summary(&report, 0, Metric::AVAILABILITY),
        exact,
    );
    // And the mean time to restore is the mean detection delay plus the mean fix.
    assert_within_ci("MTTR", &summary(&report, 0, Metric::MTTR_MINUTES), restore);
}

/// Expected number down in a finite-source M/M/c//N queue (the machine-repairman model).
fn machine_repairman_expected_down(n: usize, c: usize, lambda: f64, mu: f64) -> f64 {
    let rho = lambda / mu;
    let mut weights = Vec::with_capacity(n + 1);
    for k in 0..=n {
        // C(N, k) · ρ^k · (k ≤ c ? 1 : k! / (c! c^(k−c)))
        let mut binom = 1.0;
        for i in 0..k {
            binom *= (n - i) as f64 / (i + 1) as f64;
        }
        let mut extra = 1.0;
        if k > c {
            for i in (c + 1)..=k {
                extra *= i as f64 / c as f64;
            }
        }
        weights.push(binom * rho.powi(k as i32) * extra);
    }
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .enumerate()
        .map(|(k, w)| k as f64 * w / total)
        .sum()
}

#[test]
fn machine_repairman_queue_gives_the_exact_expected_number_down() {
    let (n, c, mean_up, mean_fix) = (6usize, 2usize, 1000.0, 300.0);
    let exact_down = machine_repairman_expected_down(n, c, 1.0 / mean_up, 1.0 / mean_fix);
    let services = (0..n)
        .map(|i| {
            service(
                &format!("svc{i}"),
                Dist::Exponential { mean: mean_up },
                Dist::fixed(0.0),
                vec![mode(
                    "m",
                    Dist::fixed(0.0),
                    Dist::Exponential { mean: mean_fix },
                    0,
                )],
            )
        })
        .collect();
    let s = scenario(
        vec![tier("ops", c as u32, Hours::AlwaysOpen, 50.0)],
        services,
        vec![reactive(60.0, 0.0, 1.0)],
        2_000.0 * mean_up,
        100,
        5,
    );
    let report = run(&s);
    let availability = summary(&report, 0, Metric::AVAILABILITY);
    // availability = 1 − E[down]/N, so the expected number down is N·(1 − availability).
    assert_within_ci("availability", &availability, 1.0 - exact_down / n as f64);
    // Queueing really happened: with c < N and ρ this high, some restores wait.
    assert!(exact_down > 1.0);
}

fn three_tier_chain(strategies: Vec<incsim::scenario::Strategy>) -> Scenario {
    scenario(
        vec![
            tier("help-desk", 1, Hours::AlwaysOpen, 40.0),
            tier("engineer", 1, Hours::AlwaysOpen, 100.0),
            tier("vendor", 1, Hours::AlwaysOpen, 200.0),
        ],
        vec![service(
            "erp",
            Dist::fixed(10_000.0),
            Dist::fixed(20.0),
            vec![mode("disk", Dist::fixed(360.0), Dist::fixed(60.0), 2)],
        )],
        strategies,
        100_000.0,
        1,
        1,
    )
}

#[test]
fn deterministic_escalation_chain_restores_in_exactly_the_sum_of_its_delays() {
    // Outage at failure + 6h; user report after 20m; help desk 30m time box, 10m handoff;
    // engineer 30m time box, 10m handoff; vendor fixes in 60m × 1.5 = 90m.
    let s = three_tier_chain(vec![reactive(30.0, 10.0, 1.5)]);
    let restore = 20.0 + 30.0 + 10.0 + 30.0 + 10.0 + 90.0;
    let report = run(&s);
    let mttr = summary(&report, 0, Metric::MTTR_MINUTES);
    assert!((mttr.mean - restore).abs() < 1e-9, "MTTR {}", mttr.mean);
    assert_eq!(mttr.sd, 0.0);
    // Cycle = 10 000 up + 360 degraded + 190 down = 10 550: 100 000 minutes hold 9 full
    // cycles; the 10th failure would start at 104 950, after the horizon.
    assert_eq!(summary(&report, 0, Metric::OUTAGES).mean, 9.0);
    assert_eq!(summary(&report, 0, Metric::INCIDENTS).mean, 9.0);
    assert_eq!(summary(&report, 0, Metric::ESCALATIONS).mean, 18.0);
    assert!((summary(&report, 0, Metric::OUTAGE_MINUTES).mean - 9.0 * restore).abs() < 1e-6);
    assert!((summary(&report, 0, Metric::DEGRADED_MINUTES).mean - 9.0 * 360.0).abs() < 1e-6);
    // MTTD: failure start → user report = 360 + 20.
    assert!((summary(&report, 0, Metric::MTTD_MINUTES).mean - 380.0).abs() < 1e-9);
}

#[test]
fn fix_during_degradation_averts_the_outage() {
    let mut proactive = reactive(30.0, 5.0, 0.8);
    proactive.name = "proactive".into();
    proactive.route_direct = 1.0;
    proactive.monitoring = Some(monitoring(1.0, Dist::fixed(15.0), 2.0));
    let s = three_tier_chain(vec![reactive(30.0, 10.0, 1.5), proactive]);
    let mut events = EventVec::default();
    simulate_one(&s, 1, 0, &mut events);
    let first_resolution = events
        .0
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Resolved { averted, .. } => Some((e.t, averted)),
            _ => None,
        })
        .expect("a resolution");
    // Caught 15m into the degradation, routed straight to the vendor, fixed in 48m.
    assert_eq!(first_resolution, (10_000.0 + 15.0 + 48.0, true));
    assert!(
        !events
            .0
            .iter()
            .any(|e| matches!(e.kind, EventKind::OutageStarted { .. }))
    );
    let report = run(&s);
    assert_eq!(summary(&report, 1, Metric::OUTAGE_MINUTES).mean, 0.0);
    assert_eq!(
        summary(&report, 1, Metric::AVERTED).mean,
        summary(&report, 1, Metric::INCIDENTS).mean
    );
    assert!(
        (summary(&report, 1, Metric::DEGRADED_MINUTES).mean
            - 63.0 * summary(&report, 1, Metric::INCIDENTS).mean)
            .abs()
            < 1e-6
    );
}

#[test]
fn a_report_on_saturday_waits_for_monday_business_hours() {
    // First failure Saturday 10:00 (day 5), sudden, reported at once; the business-hours help
    // desk starts Monday 08:00 and fixes in 30m.
    let saturday_10 = 5.0 * 1440.0 + 600.0;
    let s = scenario(
        vec![tier("help-desk", 1, Hours::Business, 40.0)],
        vec![service(
            "web",
            Dist::fixed(saturday_10),
            Dist::fixed(0.0),
            vec![mode("m", Dist::fixed(0.0), Dist::fixed(30.0), 0)],
        )],
        vec![reactive(30.0, 0.0, 1.0)],
        saturday_10 + 3.0 * 1440.0,
        1,
        1,
    );
    let mut events = EventVec::default();
    simulate_one(&s, 0, 0, &mut events);
    let started = events
        .0
        .iter()
        .find(|e| matches!(e.kind, EventKind::WorkStarted { .. }))
        .expect("work started");
    assert_eq!(started.t, 7.0 * 1440.0 + 480.0);
    let report = run(&s);
    let restore = 7.0 * 1440.0 + 480.0 + 30.0 - saturday_10;
    assert!((summary(&report, 0, Metric::MTTR_MINUTES).mean - restore).abs() < 1e-9);
}

#[test]
fn minimal_repair_makes_failures_a_poisson_process_in_the_age_with_the_cumulative_hazard() {
    // Model.md §8.5: with repair = "as_bad_as_old" the age survives every repair and each
    // failure is drawn conditioned on survival to the age reached, so the ages at failure are
    // the points of a non-homogeneous Poisson process with mean Λ(a) = −ln S(a). Repairs here
    // take no time (sudden failure, report after 0m, fix 0m, ample staff), so age = clock time
    // and the expected number of failures over the horizon H is exactly −ln S(H):
    // - Weibull(shape 2, scale 30d), wear-out: (H/λ)² = (365/30)² = 148.03…
    // - Weibull(shape 0.5, scale 1d), infant mortality: (365/1)^0.5 = 19.10…
    // - lognormal(μ = ln 30d, σ = 1): −ln Φ(−ln(365/30)) = −ln Φ(−2.4987…) = 5.08…
    // ("renew" would give about 13.7, 365/2 ≈ 182 and 7.3 failures: a different process.)
    let day: f64 = 1440.0;
    let horizon = 365.0 * day;
    let lognormal_mu = (30.0 * day).ln();
    let cases = [
        (
            Dist::Weibull {
                shape: 2.0,
                scale: 30.0 * day,
            },
            (365.0f64 / 30.0).powi(2),
        ),
        (
            Dist::Weibull {
                shape: 0.5,
                scale: day,
            },
            365.0f64.sqrt(),
        ),
        (
            Dist::Lognormal {
                mu: lognormal_mu,
                sigma: 1.0,
            },
            -incsim::stats::normal_cdf(-(horizon.ln() - lognormal_mu)).ln(),
        ),
    ];
    for (every, exact) in cases {
        let mut svc = service(
            "app",
            every.clone(),
            Dist::fixed(0.0),
            vec![mode("crash", Dist::fixed(0.0), Dist::fixed(0.0), 0)],
        );
        svc.repair = incsim::scenario::Repair::AsBadAsOld;
        let s = scenario(
            vec![tier("ops", 1, Hours::AlwaysOpen, 50.0)],
            vec![svc],
            vec![reactive(60.0, 0.0, 1.0)],
            horizon,
            400,
            17,
        );
        let report = run(&s);
        assert_within_ci(
            &format!("failures of {}", every.describe()),
            &summary(&report, 0, Metric::INCIDENTS),
            exact,
        );
    }
}
