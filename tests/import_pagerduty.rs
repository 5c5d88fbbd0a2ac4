//! `incsim import pagerduty` (issue 11 item 3): the samples in tests/data/pagerduty/ mapped
//! field by field, the fragment appended to a base scenario and validated, and bad input
//! refused with the file, line, column, field and a fix.

use std::path::{Path, PathBuf};
use std::process::Command;

use incsim::import::pagerduty::{Input, import};
use incsim::scenario::{Hours, Scenario, parse_str};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pagerduty")
        .join(name)
}

fn input(name: &str) -> Input {
    Input {
        file: name.to_string(),
        text: std::fs::read_to_string(data(name)).expect("sample exists"),
    }
}

fn inline(file: &str, text: &str) -> Input {
    Input {
        file: file.into(),
        text: text.into(),
    }
}

/// The samples imported and appended to base.toml.
fn combined() -> (Scenario, incsim::import::pagerduty::Imported) {
    let imported = import(
        &input("policy.json"),
        &[input("sre-primary.json"), input("senior-engineers.json")],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let base = std::fs::read_to_string(data("base.toml")).expect("base exists");
    let text = format!("{base}\n{}", imported.toml);
    let scenario = parse_str(&text, "combined.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    (scenario, imported)
}

fn open(hours: &Hours) -> Vec<(u32, u32)> {
    match hours {
        Hours::Weekly(w) => w.open.clone(),
        other => panic!("expected weekly hours, found {other:?}"),
    }
}

#[test]
fn rules_map_to_tiers_in_order_with_their_delays_and_loops() {
    let (s, imported) = combined();
    assert_eq!(imported.policy, "web-platform-escalation");
    assert_eq!(imported.tiers, ["sre-primary", "senior-engineers"]);
    let policy = &s.escalation_policies[0];
    assert_eq!(policy.name, "web-platform-escalation");
    assert_eq!(policy.num_loops, 2);
    // Rule 0 pages SRE Primary and waits 15m; rule 1 pages a user (not modelled), so its 10m
    // join rule 0's wait: PagerDuty reaches rule 2 at 15 + 10 = 25m, and so does the model.
    // Rule 2 pages Senior Engineers and waits 30m before the next pass (a pass is 55m both ways).
    let rules: Vec<(f64, &str)> = policy
        .rules
        .iter()
        .map(|r| (r.delay, s.tiers[r.tier].name.as_str()))
        .collect();
    assert_eq!(rules, [(25.0, "sre-primary"), (30.0, "senior-engineers")]);
    let paged = s.strategy_index("policy").expect("base strategy");
    assert_eq!(s.strategies[paged].paging, Some(0));
}

#[test]
fn schedules_give_hours_from_their_restrictions_offsets_and_one_engineer_on_call() {
    let (s, imported) = combined();
    let sre = &s.tiers[0];
    // SRE Primary (Europe/Berlin) is on call daily 18:00 + 14h = 18:00-08:00 and from Sat 08:00
    // for 48h = to Mon 08:00: the uncovered hours are Mon-Fri 08:00-18:00, local time.
    let day = 1440;
    let business: Vec<(u32, u32)> = (0..5).map(|d| (d * day + 480, d * day + 1080)).collect();
    assert_eq!(open(&sre.hours), business);
    assert_eq!(sre.utc_offset_minutes, Some(60), "CET, standard time");
    assert_eq!(sre.staff, 3, "three users in its one layer");
    let on_call = sre.on_call.as_ref().expect("a rota");
    assert_eq!(on_call.staff, 1);
    // Senior Engineers (America/New_York): layer "Weekends" Sat 00:00 + 48h, layer "Nights"
    // daily 20:00 + 12h = 20:00-08:00: uncovered Mon-Fri 08:00-20:00. Users: Sam (both
    // layers), Priya, Lee = 3.
    let senior = &s.tiers[1];
    let days: Vec<(u32, u32)> = (0..5).map(|d| (d * day + 480, d * day + 1200)).collect();
    assert_eq!(open(&senior.hours), days);
    assert_eq!(senior.utc_offset_minutes, Some(-300));
    assert_eq!(senior.staff, 3);
    // Every mapped value names its source.
    for needle in [
        "# escalation_rules[0].escalation_delay_in_minutes = 15 + escalation_rules[1].escalation_delay_in_minutes = 10",
        "# escalation_rules[2].escalation_delay_in_minutes = 30",
        "# num_loops = 2",
        "# time_zone = \"Europe/Berlin\" (standard time; summer time +02:00 is not modelled)",
        "# escalation_rules[2].targets[0] = P3N2KDG \"Senior Engineers\"",
    ] {
        assert!(
            imported.toml.contains(needle),
            "{needle}\n{}",
            imported.toml
        );
    }
}

#[test]
fn what_the_model_lacks_is_named_not_dropped() {
    let (_, imported) = combined();
    let notes = imported.notes.join("\n");
    for needle in [
        "on_call_handoff_notifications: not mapped",
        "teams: not mapped",
        "escalation_rules[1].targets[0]: user_reference PXPGF42 \"Earline Greenholt\" not mapped",
        "senior-engineers.json: schedule_layers[0].end = \"2027-06-30T00:00:00-04:00\": not mapped",
        "senior-engineers.json: teams: not mapped",
    ] {
        assert!(notes.contains(needle), "{needle}\n{notes}");
        // … and in the fragment's comments.
        assert!(imported.toml.contains(needle), "{needle}");
    }
}

#[test]
fn a_rule_with_two_schedules_pages_both_at_once() {
    let policy = r#"{"name": "Both", "num_loops": 0, "escalation_rules": [
        {"escalation_delay_in_minutes": 20, "targets": [
            {"id": "PA", "type": "schedule_reference", "summary": "Ops A"},
            {"id": "PB", "type": "schedule_reference", "summary": "Ops B"}]}]}"#;
    let imported = import(&inline("both.json", policy), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.tiers, ["ops-a", "ops-b"]);
    // Ops A at 0 with delay 0, Ops B at 0 + 0 = 0 with the rule's 20m: both paged at once.
    assert!(
        imported.toml.contains("delay = \"0m\""),
        "{}",
        imported.toml
    );
    assert!(imported.toml.contains("delay = \"20m\""));
    // Schedules not given: placeholders, named.
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.contains("PA \"Ops A\": its file was not given"))
    );
}

#[test]
fn bad_json_names_the_file_line_column_field_and_fix() {
    let err = import(
        &inline("broken.json", "{\n  \"name\": \"x\",\n  oops\n}"),
        &[],
    )
    .expect_err("not JSON");
    assert_eq!(err.at, Some((3, 3)));
    assert!(
        err.to_string()
            .starts_with("broken.json:3:3: not valid JSON"),
        "{err}"
    );
    let text = r#"{"escalation_policy": {"name": "p", "escalation_rules": [
  {"escalation_delay_in_minutes": "thirty", "targets": []}]}}"#;
    let err = import(&inline("typed.json", text), &[]).expect_err("a string delay");
    assert_eq!(
        err.field,
        "escalation_policy.escalation_rules[0].escalation_delay_in_minutes"
    );
    assert_eq!(err.at.map(|a| a.0), Some(2));
    assert!(err.help.contains("whole number of minutes"), "{err}");
    let schedule = r#"{"id": "PS", "time_zone": "UTC", "schedule_layers": [{"users": [],
  "restrictions": [{"type": "daily_restriction", "start_time_of_day": "25:00", "duration_seconds": 60}]}]}"#;
    let policy = r#"{"name": "p", "escalation_rules": [{"escalation_delay_in_minutes": 5,
        "targets": [{"id": "PS", "type": "schedule_reference"}]}]}"#;
    let err =
        import(&inline("p.json", policy), &[inline("s.json", schedule)]).expect_err("hour 25");
    assert_eq!(err.file, "s.json");
    assert_eq!(
        err.field,
        "schedule_layers[0].restrictions[0].start_time_of_day"
    );
    assert!(err.message.contains("\"25:00\""), "{err}");
    // A schedule given as the policy.
    let err = import(&input("sre-primary.json"), &[]).expect_err("a schedule first");
    assert!(
        err.message.contains("schedule, not an escalation policy"),
        "{err}"
    );
}

#[test]
fn the_command_prints_a_fragment_that_validates_and_fails_cleanly_on_bad_input() {
    let bin = env!("CARGO_BIN_EXE_incsim");
    let out = Command::new(bin)
        .args(["import", "pagerduty"])
        .arg(data("policy.json"))
        .arg(data("sre-primary.json"))
        .arg(data("senior-engineers.json"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not mapped or approximated"), "{stderr}");
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("paged.toml");
    let base = std::fs::read_to_string(data("base.toml")).expect("base");
    std::fs::write(
        &scenario,
        format!("{base}\n{}", String::from_utf8_lossy(&out.stdout)),
    )
    .expect("write");
    let validate = Command::new(bin)
        .arg("validate")
        .arg(&scenario)
        .output()
        .expect("runs");
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
    // `validate` describes the imported policy with each rule's page time (delays add up).
    let described = String::from_utf8_lossy(&validate.stdout);
    assert!(
        described.contains(
            "on-call paged by escalation policy web-platform-escalation (sre-primary at +0m, \
             senior-engineers at +25m; 3 pass(es))"
        ),
        "{described}"
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"name\": }").expect("write");
    let out = Command::new(bin)
        .args(["import", "pagerduty"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.json:1:10"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_readme_shows_the_real_output() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let start = readme
        .find("$ incsim import pagerduty tests/data/pagerduty/policy.json")
        .expect("README example");
    let block = &readme[start..];
    let block = &block[block.find('\n').expect("line") + 1..block.find("```").expect("end")];
    let imported = import(
        &Input {
            file: "tests/data/pagerduty/policy.json".into(),
            ..input("policy.json")
        },
        &[
            Input {
                file: "tests/data/pagerduty/sre-primary.json".into(),
                ..input("sre-primary.json")
            },
            Input {
                file: "tests/data/pagerduty/senior-engineers.json".into(),
                ..input("senior-engineers.json")
            },
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(block, imported.toml);
}
