//! Weekly hours, UTC offsets and follow-the-sun shifts (model.md §8.1), as the model runs them.
//! Every case uses fixed delays, so each work start and outage is computed by hand.

mod common;

use incsim::events::{EventKind, EventVec, WorkItem};
use incsim::experiment::simulate_one;
use incsim::scenario::{Scenario, parse_str};

/// One sudden failure mode fixed by `ops` in 1h, failures every `every`, a user report after
/// `report`; `tier` is the body of the `[[tiers]]` table.
fn one_service(site_offset: &str, tier: &str, every: &str, report: &str, horizon: &str) -> String {
    format!(
        r#"
name = "shifts"
[simulation]
horizon = "{horizon}"
replications = 1
utc_offset = "{site_offset}"

[[tiers]]
name = "ops"
{tier}

[[services]]
name = "web"
report_delay = "{report}"
failures = {{ every = "{every}" }}
[[services.modes]]
name = "crash"
fix = "1h"
needs = "ops"

[strategies.reactive]
escalate_after = "1h"
"#
    )
}

fn parse(text: &str) -> Scenario {
    parse_str(text, "shifts.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// (work starts, outage minutes) of replication 0.
fn starts_and_outages(s: &Scenario) -> (Vec<f64>, Vec<f64>) {
    let mut events = EventVec::default();
    simulate_one(s, 0, 0, &mut events);
    let mut starts = Vec::new();
    let mut outages = Vec::new();
    let mut down = None;
    for e in &events.0 {
        match e.kind {
            EventKind::WorkStarted {
                item: WorkItem::Incident(_),
                ..
            } => starts.push(e.t),
            EventKind::OutageStarted { .. } => down = Some(e.t),
            EventKind::OutageEnded { .. } => outages.push(e.t - down.take().unwrap()),
            _ => {}
        }
    }
    (starts, outages)
}

#[test]
fn follow_the_sun_shifts_cover_the_night_that_one_shift_leaves_open() {
    // Two shifts of 09:00-17:00 on weekdays, one in London (+00:00, the site) and one in
    // Singapore (+08:00, whose 09:00 is the site's 01:00). Together they are open 01:00-17:00.
    // Failures every 23h (fixed), user report 30m, fix 1h:
    //   1st failure Mon 23:00 (t = 1380), reported 1410; nobody open until Singapore opens
    //     Tue 01:00 (t = 1500); up at 1560: outage 180 min.
    //   2nd failure 1560 + 1380 = 2940 (Wed 01:00), reported 2970, Singapore open: starts at
    //     once, up at 3030: outage 90 min. The 3rd would fail at 4410, past the horizon.
    let follow = parse(&one_service(
        "+00:00",
        r#"shifts = [
  { hours = "Mon-Fri 09:00-17:00", staff = 1 },
  { hours = "Mon-Fri 09:00-17:00", utc_offset = "+08:00", staff = 1 },
]"#,
        "23h",
        "30m",
        "3100m",
    ));
    assert_eq!(follow.tiers[0].staff, 2);
    let (starts, outages) = starts_and_outages(&follow);
    assert_eq!(starts, vec![1500.0, 2970.0]);
    assert_eq!(outages, vec![180.0, 90.0]);

    // London alone: the 1st waits for Tue 09:00 (t = 1980), up at 2040: outage 660 min.
    let london = parse(&one_service(
        "+00:00",
        r#"staff = 1
hours = "Mon-Fri 09:00-17:00""#,
        "23h",
        "30m",
        "3100m",
    ));
    let (starts, outages) = starts_and_outages(&london);
    assert_eq!(starts[0], 1980.0);
    assert_eq!(outages[0], 660.0);
}

#[test]
fn a_plus_eight_monday_morning_opens_on_the_sites_sunday_evening() {
    // Site at +01:00, the tier's people at +09:00: their clock runs 8h ahead of the site's.
    // Their hours "Mon 07:00-12:00" are the site's Sunday 23:00 to Monday 04:00. So at t = 0
    // (site Monday 00:00, local 08:00) the tier is open; it closes at site 04:00.
    // Failure at 5h (t = 300), reported at once: closed until site Sunday 23:00 of week 0
    // (t = 6 × 1440 + 1380 = 10,020); fixed 1h later at 10,080: outage 9,780 min.
    let s = parse(&one_service(
        "+01:00",
        r#"staff = 1
hours = "Mon 07:00-12:00"
utc_offset = "+09:00""#,
        "5h",
        "0m",
        "10100m",
    ));
    let (starts, outages) = starts_and_outages(&s);
    assert_eq!(starts, vec![10_020.0]);
    assert_eq!(outages, vec![9_780.0]);

    // Without the tier's own offset the same hours are site Monday 07:00-12:00: the failure at
    // 05:00 is worked at 07:00 (t = 420), up at 480.
    let s = parse(&one_service(
        "+01:00",
        r#"staff = 1
hours = "Mon 07:00-12:00""#,
        "5h",
        "0m",
        "600m",
    ));
    assert_eq!(starts_and_outages(&s), (vec![420.0], vec![180.0]));
}

#[test]
fn business_written_as_a_weekly_range_gives_the_same_history() {
    // "business" is exactly "Mon-Fri 08:00-18:00" (§8.1): any history is identical.
    let text = |hours: &str| {
        one_service(
            "+00:00",
            &format!("staff = 1\nhours = \"{hours}\""),
            "17h",
            "45m",
            "30d",
        )
    };
    let a = starts_and_outages(&parse(&text("business")));
    let b = starts_and_outages(&parse(&text("Mon-Fri 08:00-18:00")));
    assert!(a.0.len() > 20);
    assert_eq!(a, b);
}

#[test]
fn work_in_progress_runs_past_the_shifts_end_and_nothing_new_starts_after_it() {
    // A shift open Mon 00:00-00:30 and one open Sun 00:00-01:00, one engineer each. Failure at 10 (report 0) starts at once and its 1h fix runs to 70, past the
    // close (§8.1). The next failure at 80 waits for the next opening: the Sunday shift at
    // 6 × 1440 = 8640, whose engineer takes it.
    let s = parse(&one_service(
        "+00:00",
        r#"shifts = [{ hours = "Mon 00:00-00:30", staff = 1 }, { hours = "Sun 00:00-01:00", staff = 1 }]"#,
        "10m",
        "0m",
        "8700m",
    ));
    assert_eq!(starts_and_outages(&s), (vec![10.0, 8640.0], vec![60.0]));
}

fn first_error(text: &str) -> incsim::scenario::ScenarioError {
    match parse_str(text, "shifts.toml") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.0[0].clone(),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn staff_and_shifts_together_are_refused_at_the_staff_line() {
    let text = one_service(
        "+00:00",
        "staff = 2\nshifts = [{ hours = \"24x7\", staff = 1 }]",
        "1d",
        "0m",
        "7d",
    );
    let e = first_error(&text);
    assert_eq!(e.field, "tiers.ops.staff");
    assert_eq!(e.line, Some(line_of(&text, "staff = 2")));
    assert!(e.message.contains("both given"), "{e}");
    assert!(e.help.unwrap().contains("remove `staff`"));
}

#[test]
fn bad_hours_and_offsets_name_the_field_line_and_fix() {
    let text = one_service(
        "+00:00",
        "staff = 1\nhours = \"Mon-Fry 08:00-18:00\"",
        "1d",
        "0m",
        "7d",
    );
    let e = first_error(&text);
    assert_eq!(e.field, "tiers.ops.hours");
    assert_eq!(e.line, Some(line_of(&text, "Mon-Fry")));
    assert!(e.message.contains("\"Fry\" is not a day"), "{e}");
    assert!(e.help.unwrap().contains("Mon-Fri 07:00-19:00"));

    let text = one_service("+1", "staff = 1", "1d", "0m", "7d");
    let e = first_error(&text);
    assert_eq!(e.field, "simulation.utc_offset");
    assert_eq!(e.line, Some(line_of(&text, "utc_offset")));
    assert!(e.help.unwrap().contains("\"+HH:MM\""));

    let text = one_service(
        "+00:00",
        "shifts = [{ hours = \"24x7\", staff = 1, utc_offset = \"+25:00\" }]",
        "1d",
        "0m",
        "7d",
    );
    let e = first_error(&text);
    assert_eq!(e.field, "tiers.ops.shifts.1.utc_offset");

    let text = one_service("+00:00", "shifts = [{ staff = 1 }]", "1d", "0m", "7d");
    let e = first_error(&text);
    assert_eq!(e.field, "tiers.ops.shifts.1.hours");
    assert!(e.message.contains("required"), "{e}");
}

#[test]
fn a_round_the_clock_tier_with_two_shifts_works_both_at_once() {
    // Two services fail at 10 (fixed 10m to failure), are reported at once and need `ops`,
    // whose two 24x7 shifts have one engineer each: the first shift in file order with a
    // free engineer takes each, so both fixes start at 10 and end at 70, and the next
    // failures at 80 start at once too (§8.1). A tier whose every shift is 24x7 takes the
    // dispatch's shortcut that reads no clock; with only the first shift it would start the
    // second fix at 70.
    let one = one_service(
        "+00:00",
        r#"shifts = [{ hours = "24x7", staff = 1 }, { hours = "24x7", staff = 1 }]"#,
        "10m",
        "0m",
        "100m",
    );
    // The same scenario with its service twice: "web", then an identical "db".
    let web = &one[one.find("[[services]]").unwrap()..one.find("[strategies").unwrap()];
    let text = one.replace(web, &format!("{web}{}", web.replace("\"web\"", "\"db\"")));
    let mut events = EventVec::default();
    simulate_one(&parse(&text), 0, 0, &mut events);
    let starts = common::times(&events.0, |k| matches!(k, EventKind::WorkStarted { .. }));
    let resolved = common::times(&events.0, |k| matches!(k, EventKind::Resolved { .. }));
    assert_eq!(starts, vec![10.0, 10.0, 80.0, 80.0]);
    assert_eq!(resolved, vec![70.0, 70.0]);
}
