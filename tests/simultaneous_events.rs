//! docs/model.md §2 rule 15: everything that happens at one instant is applied before anyone picks
//! up work. Items that arrive at `t` are queued first, then every engineer free at `t` takes
//! the best waiting item by rule 7 — so an item of higher priority arriving at the very moment
//! an engineer frees up is served before a lower-priority item that waited.

mod common;

use common::*;
use incsim::events::{EventKind, EventVec, WorkItem};
use incsim::experiment::simulate_one;
use incsim::scenario::{Dist, Hours, Scenario};

/// One engineer, three sudden failures, every delay fixed (report 30 min). `busy` keeps the
/// engineer until t = 160, the very instant `high` is reported; `low` has waited since 130.
fn three_items(low_priority: u32, high_priority: u32) -> Scenario {
    let sudden = |name: &str, every: f64, fix: f64, priority: u32| {
        let mut s = service(
            name,
            Dist::fixed(every),
            Dist::fixed(30.0),
            vec![mode("crash", Dist::fixed(0.0), Dist::fixed(fix), 0)],
        );
        s.priority = priority;
        s
    };
    scenario(
        vec![tier("ops", 1, Hours::AlwaysOpen, 60.0)],
        vec![
            sudden("busy", 70.0, 60.0, 1),
            sudden("low", 100.0, 30.0, low_priority),
            sudden("high", 130.0, 30.0, high_priority),
        ],
        vec![reactive(60.0, 0.0, 1.0)],
        // `busy` fails again at 160 + 70 = 230: the horizon, so it does not.
        230.0,
        1,
        1,
    )
}

/// A work start: (t, service, minutes waited).
type Start = (f64, String, f64);

/// Every work start, and each service's outage minutes.
fn story(s: &Scenario) -> (Vec<Start>, Vec<(String, f64)>) {
    let mut events = EventVec::default();
    simulate_one(s, 0, 0, &mut events);
    let name = |service: u32| s.services[service as usize].name.clone();
    let mut starts = Vec::new();
    let mut down_since = vec![None; s.services.len()];
    let mut outage = vec![0.0; s.services.len()];
    for e in &events.0 {
        match e.kind {
            EventKind::WorkStarted {
                item: WorkItem::Incident(id),
                waited,
                ..
            } => starts.push((e.t, name(id.service), waited)),
            EventKind::OutageStarted { incident } => {
                down_since[incident.service as usize] = Some(e.t)
            }
            EventKind::OutageEnded { incident } => {
                let since = down_since[incident.service as usize].take().unwrap();
                outage[incident.service as usize] += e.t - since;
            }
            _ => {}
        }
    }
    let outage = (0..s.services.len() as u32)
        .map(|i| (name(i), outage[i as usize]))
        .collect();
    (starts, outage)
}

fn owned(rows: &[(f64, &str, f64)]) -> Vec<Start> {
    rows.iter()
        .map(|&(t, s, w)| (t, s.to_string(), w))
        .collect()
}

#[test]
fn an_urgent_arrival_at_the_instant_an_engineer_frees_up_is_served_before_a_waiting_lower_priority_item()
 {
    // busy:  fails 70, reported 100, worked 100–160 (the engineer is free again at 160).
    // low  (priority 2): fails 100, reported 130, waits.
    // high (priority 1): fails 130, reported 160 — the same instant `busy`'s fix ends (whose
    //   timer was scheduled first, at t = 100).
    // Rule 15: at 160 both happen before anyone picks up work, so the engineer takes `high`
    //   (160–190, waited 0), then `low` (190–220, waited 60).
    // Outages: busy 70→160 = 90, high 130→190 = 60, low 100→220 = 120 (270 in all).
    // (Taking the waiting `low` first would give high 130→220 = 90 and low 100→190 = 90.)
    let (starts, outage) = story(&three_items(2, 1));
    assert_eq!(
        starts,
        owned(&[
            (100.0, "busy", 0.0),
            (160.0, "high", 0.0),
            (190.0, "low", 60.0)
        ])
    );
    assert_eq!(
        outage,
        vec![
            ("busy".to_string(), 90.0),
            ("low".to_string(), 120.0),
            ("high".to_string(), 60.0)
        ]
    );
}

#[test]
fn a_simultaneous_arrival_of_lower_priority_does_not_jump_the_queue() {
    // The same instants with the priorities swapped: at 160 `high` (now priority 2) arrives as
    // the engineer frees up, and `low` (priority 1, waiting since 130) ranks first: low
    // 160–190 (waited 30), high 190–220 (waited 30).
    // Outages: busy 90, low 100→190 = 90, high 130→220 = 90.
    let (starts, outage) = story(&three_items(1, 2));
    assert_eq!(
        starts,
        owned(&[
            (100.0, "busy", 0.0),
            (160.0, "low", 30.0),
            (190.0, "high", 30.0)
        ])
    );
    assert_eq!(
        outage,
        vec![
            ("busy".to_string(), 90.0),
            ("low".to_string(), 90.0),
            ("high".to_string(), 90.0)
        ]
    );
}

#[test]
fn all_events_of_an_instant_come_before_its_work_starts() {
    // At 160: outage_ended/resolved of `busy` and the report, ticket and queueing of `high`
    // all precede the one work_started of that instant.
    let s = three_items(2, 1);
    let mut events = EventVec::default();
    simulate_one(&s, 0, 0, &mut events);
    let at_160: Vec<&str> = events
        .0
        .iter()
        .filter(|e| e.t == 160.0)
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(at_160.last(), Some(&"work_started"), "{at_160:?}");
    assert_eq!(
        at_160.iter().filter(|k| **k == "work_started").count(),
        1,
        "{at_160:?}"
    );
    assert!(at_160.contains(&"queued") && at_160.contains(&"resolved"));
}

// ---- any scenario with ties: every work start takes the best item waiting at its instant ----

mod ties {
    use super::common::*;
    use incsim::events::{EventKind, EventVec, WorkItem};
    use incsim::experiment::simulate_one;
    use incsim::scenario::{Dist, Hours, Scenario};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Every delay a whole number of 10-minute steps (never 0, so each instant has one round
    /// of work starts): exact ties everywhere.
    fn steps(max: u32) -> impl Strategy<Value = Dist> {
        (1..=max).prop_map(|n| Dist::fixed(n as f64 * 10.0))
    }

    fn tied_scenario() -> impl Strategy<Value = Scenario> {
        let tiers = prop::collection::vec((1u32..3, any::<bool>()), 1..4);
        let services = prop::collection::vec((steps(30), steps(6), steps(12), 1u32..4), 2..6);
        (tiers, services, 1u32..12, 0u32..4, any::<u64>()).prop_map(
            |(tiers, services, time_box, handoff, seed)| {
                let n_tiers = tiers.len();
                let tiers = tiers
                    .into_iter()
                    .enumerate()
                    .map(|(i, (staff, business))| {
                        let hours = if business {
                            Hours::Business
                        } else {
                            Hours::AlwaysOpen
                        };
                        tier(&format!("tier-{i}"), staff, hours, 10.0)
                    })
                    .collect();
                let services = services
                    .into_iter()
                    .enumerate()
                    .map(|(i, (every, report, fix, priority))| {
                        let needs = i % n_tiers;
                        let mut s = service(
                            &format!("svc-{i}"),
                            every,
                            report,
                            vec![mode("m", Dist::fixed(0.0), fix, needs)],
                        );
                        s.priority = priority;
                        s
                    })
                    .collect();
                let strategy = reactive(time_box as f64 * 10.0, handoff as f64 * 10.0, 1.0);
                scenario(tiers, services, vec![strategy], 3.0 * 1440.0, 1, seed)
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn each_work_start_takes_the_best_item_waiting_at_that_instant(s in tied_scenario()) {
            let mut events = EventVec::default();
            simulate_one(&s, 0, 0, &mut events);
            // Per tier: waiting incidents keyed by (priority, entered, arrival order).
            let mut waiting: Vec<BTreeMap<(u32, u64, u64), u32>> = vec![BTreeMap::new(); s.tiers.len()];
            let mut arrivals = 0u64;
            let all = &events.0;
            let mut i = 0;
            while i < all.len() {
                let t = all[i].t;
                let end = all[i..].iter().position(|e| e.t != t).map_or(all.len(), |n| i + n);
                // Rule 15: all arrivals of the instant are in the queues before any start.
                for e in &all[i..end] {
                    if let EventKind::Queued { item: WorkItem::Incident(id), tier, .. } = e.kind {
                        let priority = s.services[id.service as usize].priority;
                        waiting[tier as usize].insert((priority, t.to_bits(), arrivals), id.service);
                        arrivals += 1;
                    }
                }
                for e in &all[i..end] {
                    if let EventKind::WorkStarted { item: WorkItem::Incident(id), tier, .. } = e.kind {
                        let best = waiting[tier as usize].pop_first();
                        prop_assert_eq!(
                            best.map(|(_, service)| service),
                            Some(id.service),
                            "at t = {}, tier {} started svc-{} but a better item waited",
                            t, tier, id.service
                        );
                    }
                }
                i = end;
            }
        }
    }
}
