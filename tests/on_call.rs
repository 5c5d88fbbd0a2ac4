//! On-call paging (model.md §8.2). Every delay is fixed, so each page, acknowledgement and
//! outage is computed by hand in the test's comment.

use incsim::events::{Event, EventKind, EventVec};
use incsim::experiment::simulate_one;
use incsim::projections::lifecycle::LifecycleCheck;
use incsim::projections::{MetricsProjection, RepMetrics};
use incsim::scenario::{Scenario, parse_str};

/// A business-hours tier `ops` (one engineer, 60/h) with an on-call rota; one service of
/// `priority`, sudden failures every `every`, user report after 20m, fix 1h.
fn night_shop(on_call: &str, priority: u32, every: &str, horizon: &str) -> Scenario {
    let text = format!(
        r#"
name = "on-call"
[simulation]
horizon = "{horizon}"
replications = 1

[[tiers]]
name = "ops"
staff = 1
hours = "business"
hourly_cost = 60
on_call = {on_call}

[[services]]
name = "web"
priority = {priority}
report_delay = "20m"
failures = {{ every = "{every}" }}
[[services.modes]]
name = "crash"
fix = "1h"
needs = "ops"

[strategies.reactive]
escalate_after = "1h"
"#
    );
    parse_str(&text, "on-call.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario) -> (Vec<Event>, RepMetrics) {
    let mut events = EventVec::default();
    simulate_one(s, 0, 0, &mut events);
    let mut metrics = MetricsProjection::new(s, 0);
    for e in &events.0 {
        metrics.apply(e);
    }
    (events.0, metrics.metrics())
}

/// The lifecycle check accepts the log (pages and acknowledgements included).
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
    let mut down = [0.0; 8];
    let mut out = Vec::new();
    for e in events {
        match e.kind {
            EventKind::OutageStarted { incident } => down[incident.service as usize] = e.t,
            EventKind::OutageEnded { incident } => out.push(e.t - down[incident.service as usize]),
            _ => {}
        }
    }
    out
}

#[test]
fn night_page_waits_for_the_asleep_acknowledgement() {
    // Failures every 24h counted from restore: Tue 00:00 (t = 1440), then 105 min later each
    // day: Wed 01:45, Thu 03:30, Fri 05:15 — all in the 23:00-07:00 sleeping hours and before
    // the help desk opens at 08:00. Each: report 20m → page (asleep) → ack_asleep 25m → fix 1h
    // ⇒ every outage is exactly 20 + 25 + 60 = 105 minutes. The 5th failure (Sat 07:00,
    // t = 7620) is past the horizon.
    let s = night_shop(
        r#"{ staff = 1, ack = "5m", ack_asleep = "25m", callout_cost = 100 }"#,
        1,
        "1d",
        "7600m",
    );
    let (events, m) = run(&s);
    assert_eq!(outages(&events), vec![105.0; 4]);
    assert_eq!((m.pages, m.pages_asleep), (4, 4));
    // Labor: 4 fixes of 1h at 60/h from the acknowledgement, plus 4 callouts of 100.
    assert_eq!(m.labor_cost, 4.0 * 60.0 + 4.0 * 100.0);
    assert_eq!(m.labor_hours, 4.0);
    lifecycle_ok(&s, &events);
}

#[test]
fn an_evening_page_is_acknowledged_awake() {
    // First failure Mon 19:00 (every 19h, t = 1140): report 19:20, the desk closed since
    // 18:00, awake → ack 5m → fix 1h: outage 20 + 5 + 60 = 85 min.
    let s = night_shop(r#"{ ack = "5m", ack_asleep = "25m" }"#, 1, "19h", "1300m");
    let (events, m) = run(&s);
    assert_eq!(outages(&events), vec![85.0]);
    assert_eq!((m.pages, m.pages_asleep), (1, 0));
}

#[test]
fn lower_priority_items_wait_for_the_shift() {
    // Priority 2 > page_priority 1: the Tuesday 00:00 failure (reported 00:20) waits for the
    // desk at Tuesday 08:00 (t = 1920), fixed at 1980: outage 540 min, no page.
    let s = night_shop(r#"{ ack = "5m" }"#, 2, "1d", "2000m");
    let (events, m) = run(&s);
    assert_eq!(outages(&events), vec![540.0]);
    assert_eq!(m.pages, 0);
}

#[test]
fn an_item_still_waiting_when_the_shift_closes_is_paged_then() {
    // Two services; the desk's one engineer is busy when the desk closes at 18:00 while an
    // item waits: that item is paged at the close (§8.2 "paging happens at dispatch").
    let text = r#"
name = "close"
[simulation]
horizon = "1300m"
replications = 1
[[tiers]]
name = "ops"
staff = 1
hours = "business"
on_call = { ack = "5m" }
[[services]]
name = "a"
report_delay = "20m"
failures = { every = "1030m" }
[[services.modes]]
name = "crash"
fix = "1h"
needs = "ops"
[[services]]
name = "b"
report_delay = "20m"
failures = { every = "1040m" }
[[services.modes]]
name = "crash"
fix = "1h"
needs = "ops"
[strategies.reactive]
escalate_after = "1h"
"#;
    // a fails 17:10, reported 17:30, fixed by the desk 17:30-18:30: outage 80.
    // b fails 17:20, reported 17:40; the desk is busy, then closed at 18:00: b is paged at
    // 18:00 (t = 1080) when the shift closes, ack 18:05, fixed 19:05: outage 105.
    let s = parse_str(text, "close.toml").unwrap();
    let (events, m) = run(&s);
    let pages: Vec<f64> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Paged { .. }))
        .map(|e| e.t)
        .collect();
    assert_eq!(pages, vec![1080.0]);
    assert_eq!(outages(&events), vec![80.0, 105.0]);
    assert_eq!(m.pages, 1);
    lifecycle_ok(&s, &events);
}

#[test]
fn standby_of_a_business_hours_tier_over_thirty_days_is_off_shift_hours_times_rate() {
    // 30 days from Monday: 22 weekdays × 10 h open, so 720 − 220 = 500 off-shift hours;
    // 2 on-call engineers × 500 h × 10/h = 10,000. No failure within the horizon.
    let s = night_shop(
        r#"{ staff = 2, ack = "5m", standby_cost_per_hour = 10 }"#,
        1,
        "100d",
        "30d",
    );
    let (_, m) = run(&s);
    assert_eq!(m.standby_cost, 10_000.0);
    assert_eq!(m.total_cost, 10_000.0);
    assert_eq!(m.incidents, 0);
}
