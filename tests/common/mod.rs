//! Scenario builders shared by the integration tests: small, explicit scenarios written in
//! Rust so each test shows exactly what it simulates.
#![allow(dead_code)]

use incsim::events::{Event, EventKind, EventVec, IncidentId};
use incsim::experiment::simulate_one;
use incsim::projections::incident::{IncidentStory, StoryProjection};
use incsim::projections::lifecycle::LifecycleCheck;
use incsim::projections::{MetricsProjection, RepMetrics};
use incsim::scenario::{
    Dist, Hours, Mode, Monitoring, Repair, Scenario, Service, Simulation, Strategy, Tier, parse_str,
};

/// A scenario fixture written as TOML; a fixture is meant to be valid, so an error panics with
/// every message of the parser.
pub fn fixture(text: &str, file: &str) -> Scenario {
    parse_str(text, file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Run the `incsim` binary built for these tests with `args`, in `dir`, and wait for it.
pub fn incsim(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("incsim runs")
}

/// Replication `rep` of strategy `index`: its events, each checked by the lifecycle check as
/// the replication's metrics fold it, and those metrics.
pub fn checked_run(s: &Scenario, index: usize, rep: u64) -> (EventVec, RepMetrics) {
    let mut events = EventVec::default();
    simulate_one(s, index, rep, &mut events);
    let mut check = LifecycleCheck::new(s);
    check.begin();
    let mut metrics = MetricsProjection::new(s, index);
    for (i, e) in events.0.iter().enumerate() {
        if let Err(msg) = check.apply(e) {
            let strategy = &s.strategies[index].name;
            panic!("{strategy} rep {rep} event {i} {e:?}: {msg}");
        }
        metrics.apply(e);
    }
    assert!(check.is_finished());
    (events, metrics.metrics())
}

/// The times of the events whose kind `pick` accepts, in order.
pub fn times(events: &[Event], pick: impl Fn(&EventKind) -> bool) -> Vec<f64> {
    events
        .iter()
        .filter(|e| pick(&e.kind))
        .map(|e| e.t)
        .collect()
}

/// The story of incident `id` in replication `rep` of strategy `index`, if it happened.
pub fn incident_story(
    s: &Scenario,
    index: usize,
    rep: u64,
    id: IncidentId,
) -> Option<IncidentStory> {
    let mut story = StoryProjection::new(s, index, id);
    simulate_one(s, index, rep, &mut story);
    story.into_story()
}

pub fn tier(name: &str, staff: u32, hours: Hours, hourly_cost: f64) -> Tier {
    Tier {
        name: name.into(),
        staff,
        hours,
        utc_offset_minutes: None,
        shifts: Vec::new(),
        hourly_cost,
        on_call: None,
        annual_cost_per_engineer: 0.0,
        cost_per_incident: 0.0,
    }
}

pub fn mode(name: &str, warning: Dist, fix: Dist, needs: usize) -> Mode {
    Mode {
        name: name.into(),
        weight: 1.0,
        warning,
        fix,
        needs,
        workaround: None,
    }
}

pub fn service(name: &str, every: Dist, report_delay: Dist, modes: Vec<Mode>) -> Service {
    Service {
        name: name.into(),
        priority: 1,
        downtime_cost_per_hour: 1000.0,
        degraded_cost_fraction: 0.25,
        report_delay,
        failures_every: every,
        depends_on: Vec::new(),
        modes,
        repair: Repair::Renew,
        tickets: None,
        planned_downtime_cost_fraction: 1.0,
        changes: None,
    }
}

pub fn reactive(escalate_after: f64, handoff: f64, fix_multiplier: f64) -> Strategy {
    Strategy {
        name: "reactive".into(),
        escalate_after,
        handoff,
        fix_multiplier,
        annual_cost: 0.0,
        alert_tier: 0,
        route_direct: 0.0,
        monitoring: None,
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
    }
}

pub fn monitoring(coverage: f64, detect: Dist, outage_detect: f64) -> Monitoring {
    Monitoring {
        coverage,
        detect,
        outage_detect,
        false_alarms_per_week: 0.0,
        triage: 0.0,
    }
}

pub fn scenario(
    tiers: Vec<Tier>,
    services: Vec<Service>,
    strategies: Vec<Strategy>,
    horizon: f64,
    replications: u64,
    seed: u64,
) -> Scenario {
    Scenario {
        name: "test".into(),
        description: String::new(),
        currency: "USD".into(),
        simulation: Simulation {
            horizon_minutes: horizon,
            replications,
            seed,
            utc_offset_minutes: 0,
        },
        tiers,
        services,
        strategies,
        finance: Default::default(),
        sources: Default::default(),
        uncertain: Vec::new(),
        baseline: None,
        slas: Vec::new(),
        escalation_policies: Vec::new(),
    }
}

/// The mail-server story of docs/model.md §3, built in Rust (the parser has its own tests).
pub fn mail_server() -> Scenario {
    let tiers = vec![
        tier("help-desk", 3, Hours::Business, 45.0),
        tier("senior-network-engineer", 1, Hours::AlwaysOpen, 120.0),
    ];
    let mut email = service(
        "email",
        Dist::Exponential {
            mean: 45.0 * 1440.0,
        },
        Dist::Exponential { mean: 20.0 },
        vec![
            Mode {
                name: "memory-leak".into(),
                weight: 0.6,
                warning: Dist::lognormal_median_p90(360.0, 1440.0),
                fix: Dist::lognormal_median_p90(45.0, 180.0),
                needs: 1,
                workaround: None,
            },
            Mode {
                name: "mailbox-quota".into(),
                weight: 0.4,
                warning: Dist::fixed(0.0),
                fix: Dist::Triangular {
                    min: 10.0,
                    mode: 20.0,
                    max: 60.0,
                },
                needs: 0,
                workaround: None,
            },
        ],
    );
    email.downtime_cost_per_hour = 12_000.0;
    email.degraded_cost_fraction = 0.3;
    let reactive = reactive(120.0, 30.0, 1.5);
    let proactive = Strategy {
        name: "proactive".into(),
        escalate_after: 30.0,
        handoff: 5.0,
        fix_multiplier: 0.8,
        annual_cost: 60_000.0,
        alert_tier: 0,
        route_direct: 0.7,
        monitoring: Some(Monitoring {
            coverage: 0.85,
            detect: Dist::Exponential { mean: 15.0 },
            outage_detect: 2.0,
            false_alarms_per_week: 2.0,
            triage: 10.0,
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
    };
    scenario(
        tiers,
        vec![email],
        vec![reactive, proactive],
        525_600.0,
        200,
        42,
    )
}
