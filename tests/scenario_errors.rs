//! Every class of scenario-file error names the file, the line (where known), the field,
//! what was expected and found, and the fix (docs/model.md §3).

use incsim::scenario::{
    DEFAULT_SCENARIO_TOML, Dist, Hours, ScenarioError, ScenarioErrors, load, parse_str,
};

const FILE: &str = "scenarios/broken.toml";

/// The built-in scenario with `from` replaced by `to` (which must occur exactly once).
fn edit(from: &str, to: &str) -> String {
    assert_eq!(
        DEFAULT_SCENARIO_TOML.matches(from).count(),
        1,
        "{from:?} should occur once in the default scenario"
    );
    DEFAULT_SCENARIO_TOML.replace(from, to)
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() + 1
}

fn errors(text: &str) -> ScenarioErrors {
    match parse_str(text, FILE) {
        Ok(s) => panic!("expected errors, got a valid scenario {:?}", s.name),
        Err(e) => e,
    }
}

/// The only error of `text`.
fn single(text: &str) -> ScenarioError {
    let errs = errors(text);
    assert_eq!(errs.len(), 1, "expected one error, got:\n{errs}");
    errs.0[0].clone()
}

/// Checks the parts every error must show, and that its display carries them.
fn check(e: &ScenarioError, line: Option<usize>, field: &str, message_has: &str, help_has: &str) {
    let shown = e.to_string();
    assert_eq!(e.file, FILE, "{shown}");
    assert_eq!(e.line, line, "{shown}");
    assert_eq!(e.field, field, "{shown}");
    assert!(
        e.message.contains(message_has),
        "message should contain {message_has:?}:\n{shown}"
    );
    let help = e.help.as_deref().unwrap_or("");
    assert!(
        help.contains(help_has),
        "help should contain {help_has:?}:\n{shown}"
    );
    let location = match (line, e.column) {
        (Some(l), Some(c)) => format!("error: {FILE}:{l}:{c}: {field}: "),
        _ => format!("error: {FILE}: {field}: "),
    };
    assert!(shown.starts_with(&location), "{shown}");
    assert!(shown.contains(&format!("\n  help: {help}")), "{shown}");
}

#[test]
fn unknown_field_is_named_with_the_accepted_fields() {
    let text = edit("escalate_after = \"2h\"", "escalate_afer = \"2h\"");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "escalate_afer")),
        "strategies.reactive.escalate_afer",
        "unknown field \"escalate_afer\"",
        "did you mean \"escalate_after\"?",
    );
    assert_eq!(e.column, Some(1));
    let help = e.help.unwrap_or_default();
    assert!(help.contains("accepted fields here: escalate_after, handoff, fix_multiplier, annual_cost, one_time_cost, ramp_up, alert_tier, route_direct, ticket_deflection, change_failure_rate, monitoring"), "{help}");
}

#[test]
fn unknown_field_in_a_nested_inline_table() {
    let text = edit("coverage = 0.85", "coverge = 0.85");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "monitoring =")),
        "strategies.proactive.monitoring.coverge",
        "unknown field \"coverge\"",
        "did you mean \"coverage\"?",
    );
}

#[test]
fn wrong_type_says_what_was_expected_and_found() {
    let text = edit("staff = 3", "staff = \"three\"");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "staff = \"three\"")),
        "tiers.help-desk.staff",
        "expected an integer from 1 to 1000000; found \"three\"",
        "whole number",
    );
    assert_eq!(e.column, Some(9));
}

#[test]
fn bare_number_duration_asks_for_the_unit() {
    let text = edit("horizon = \"365d\"", "horizon = 365");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "horizon = 365")),
        "simulation.horizon",
        "a duration needs a unit",
        "is 365 minutes or days? write \"365d\" or \"365m\"",
    );
    // The same for a quoted number.
    let e = single(&edit("handoff = \"30m\"", "handoff = \"30\""));
    assert_eq!(e.field, "strategies.reactive.handoff");
    assert!(
        e.help
            .unwrap_or_default()
            .contains("is 30 minutes or days?")
    );
}

#[test]
fn negative_duration_is_refused() {
    let text = edit("handoff = \"30m\"", "handoff = \"-5m\"");
    check(
        &single(&text),
        Some(line_of(&text, "handoff = \"-5m\"")),
        "strategies.reactive.handoff",
        "cannot be negative; found \"-5m\"",
        "≥ 0",
    );
}

#[test]
fn unknown_tier_in_needs_lists_the_tiers() {
    let text = edit(
        "needs = \"senior-network-engineer\"",
        "needs = \"senior-engineer\"",
    );
    check(
        &single(&text),
        Some(line_of(&text, "senior-engineer\"")),
        "services.email.modes.memory-leak.needs",
        "expected the name of a tier (help-desk, senior-network-engineer); found \"senior-engineer\"",
        "did you mean \"senior-network-engineer\"?",
    );
}

#[test]
fn unknown_alert_tier_lists_the_tiers() {
    let text = edit("alert_tier = \"help-desk\"", "alert_tier = \"noc\"");
    check(
        &single(&text),
        Some(line_of(&text, "alert_tier")),
        "strategies.proactive.alert_tier",
        "expected the name of a tier (help-desk, senior-network-engineer); found \"noc\"",
        "[[tiers]]",
    );
}

#[test]
fn probability_out_of_range() {
    let text = edit("route_direct = 0.7", "route_direct = 70");
    check(
        &single(&text),
        Some(line_of(&text, "route_direct")),
        "strategies.proactive.route_direct",
        "expected a probability between 0 and 1; found the number 70",
        "0.7 for 70 %",
    );
    let text = edit(
        "degraded_cost_fraction = 0.3",
        "degraded_cost_fraction = -0.3",
    );
    check(
        &single(&text),
        Some(line_of(&text, "degraded_cost_fraction")),
        "services.email.degraded_cost_fraction",
        "between 0 and 1",
        "fraction",
    );
}

#[test]
fn lognormal_p90_must_exceed_the_median() {
    let text = edit("p90 = \"24h\"", "p90 = \"6h\"");
    check(
        &single(&text),
        Some(line_of(&text, "warning =")),
        "services.email.modes.memory-leak.warning.p90",
        "expected p90 > median (6h); found 6h",
        "larger than the median",
    );
}

#[test]
fn triangular_min_must_not_exceed_the_mode() {
    let text = edit("min = \"10m\"", "min = \"30m\"");
    check(
        &single(&text),
        Some(line_of(&text, "triangular")),
        "services.email.modes.mailbox-quota.fix.min",
        "expected min ≤ mode ≤ max; found min 30m > mode 20m",
        "between min and max",
    );
}

#[test]
fn zero_staff_is_refused() {
    let text = edit("staff = 1\nhours", "staff = 0\nhours");
    check(
        &single(&text),
        Some(line_of(&text, "staff = 0")),
        "tiers.senior-network-engineer.staff",
        "expected an integer from 1 to 1000000; found the number 0",
        "whole number between 1 and",
    );
}

#[test]
fn duplicate_tier_name_is_refused() {
    let text = edit("name = \"senior-network-engineer\"", "name = \"help-desk\"");
    let errs = errors(&text);
    let dup = errs
        .iter()
        .find(|e| e.message.contains("unique tier names"))
        .unwrap_or_else(|| panic!("no duplicate error in\n{errs}"));
    let second = text
        .match_indices("name = \"help-desk\"")
        .nth(1)
        .map(|(at, _)| text[..at].matches('\n').count() + 1);
    check(
        dup,
        second,
        "tiers.help-desk.name",
        "expected unique tier names; found \"help-desk\" twice",
        "rename",
    );
    // The mode that needed the renamed tier now names an unknown one: reported as well.
    assert!(
        errs.iter().any(|e| e.field.ends_with("memory-leak.needs")),
        "{errs}"
    );
}

#[test]
fn missing_required_field_points_at_its_table() {
    let text = edit(
        "fix = { dist = \"lognormal\", median = \"45m\", p90 = \"3h\" }\n",
        "",
    );
    let mode_header = text
        .match_indices("[[services.modes]]")
        .next()
        .map(|(at, _)| text[..at].matches('\n').count() + 1);
    check(
        &single(&text),
        mode_header,
        "services.email.modes.memory-leak.fix",
        "expected the required field \"fix\"; found none",
        "add `fix = ",
    );
}

#[test]
fn missing_simulation_table_has_no_line() {
    let text = edit("[simulation]\nhorizon = \"365d\"\n", "[simulation]\n");
    check(
        &single(&text),
        Some(line_of(&text, "[simulation]")),
        "simulation.horizon",
        "required field \"horizon\"",
        "horizon = \"365d\"",
    );
}

#[test]
fn no_strategies_is_refused() {
    let at = DEFAULT_SCENARIO_TOML
        .find("[strategies.reactive]")
        .unwrap_or(DEFAULT_SCENARIO_TOML.len());
    let text = &DEFAULT_SCENARIO_TOML[..at];
    check(
        &single(text),
        None,
        "strategies",
        "expected at least one strategy",
        "[strategies.reactive]",
    );
}

#[test]
fn table_for_a_fixed_duration_field_names_the_field() {
    let text = edit(
        "escalate_after = \"30m\"",
        "escalate_after = { dist = \"exponential\", mean = \"30m\" }",
    );
    check(
        &single(&text),
        Some(line_of(&text, "escalate_after = {")),
        "strategies.proactive.escalate_after",
        "strategies.proactive.escalate_after does not take a distribution",
        "distributions are accepted only by",
    );
}

#[test]
fn nan_is_refused() {
    let text = edit("hourly_cost = 45", "hourly_cost = nan");
    check(
        &single(&text),
        Some(line_of(&text, "hourly_cost = nan")),
        "tiers.help-desk.hourly_cost",
        "expected an amount ≥ 0 and at most 1e12 (finite); found nan",
        "nan and inf are not accepted",
    );
}

#[test]
fn horizon_longer_than_a_century_is_refused() {
    let text = edit("horizon = \"365d\"", "horizon = \"36501d\"");
    check(
        &single(&text),
        Some(line_of(&text, "horizon")),
        "simulation.horizon",
        "at most 100 years (\"36500d\"); found 36501d",
        "shorten the horizon",
    );
}

#[test]
fn too_many_expected_failures_is_refused() {
    let text = edit(
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }",
        "failures = { every = { dist = \"exponential\", mean = \"2s\" } }",
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "failures =")),
        "services.email.failures.every",
        "expected at most 10000000 failures per replication; found about 15768000",
        "\"45d\", not \"45s\"",
    );
}

#[test]
fn a_flood_of_change_deployments_names_changes_per_week_not_failures() {
    // Rule 14 counts change arrivals too (model.md §8.12): 300 000 a week over the default
    // year is about 1.56·10⁷ events, almost all deployments, so the error points at
    // changes.per_week (its line), not at failures.every.
    let text = edit(
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }",
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }\nchanges = { per_week = 300000, failure_rate = 0.1, mode = \"memory-leak\", hours = \"24x7\" }",
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "changes =")),
        "services.email.changes.per_week",
        "expected at most 10000000 failures and change deployments per replication; found about 15642",
        "deployments per week",
    );
}

#[test]
fn several_errors_are_collected_in_file_order() {
    let text = DEFAULT_SCENARIO_TOML
        .replace("staff = 3", "staff = 0")
        .replace("weight = 0.6", "weight = -1")
        .replace("needs = \"help-desk\"", "needs = \"desk\"")
        .replace("route_direct = 0.7", "route_direct = 2")
        .replace("triage = \"10m\"", "triage = \"ten minutes\"");
    let errs = errors(&text);
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "tiers.help-desk.staff",
            "services.email.modes.memory-leak.weight",
            "services.email.modes.mailbox-quota.needs",
            "strategies.proactive.monitoring.triage",
            "strategies.proactive.route_direct",
        ],
        "{errs}"
    );
    let shown = errs.to_string();
    assert_eq!(
        shown.matches(&format!("error: {FILE}:")).count(),
        5,
        "{shown}"
    );
    assert!(
        shown.ends_with(&format!("error: 5 problems in {FILE}")),
        "{shown}"
    );
}

#[test]
fn syntax_error_has_a_position() {
    let text = edit("seed = 42", "seed = ");
    let e = &errors(&text).0[0];
    assert_eq!(e.line, Some(line_of(&text, "seed =")));
    assert!(e.message.starts_with("invalid TOML"), "{e}");
}

#[test]
fn a_missing_file_is_an_error_without_a_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("nope.toml");
    let errs = match load(&path) {
        Ok(_) => panic!("a missing file must not load"),
        Err(e) => e,
    };
    let e = &errs.0[0];
    assert_eq!(e.line, None);
    assert!(
        e.message.starts_with("cannot read the scenario file"),
        "{e}"
    );
    assert!(e.help.is_some());
    assert!(
        e.to_string()
            .starts_with(&format!("error: {}: cannot read", path.display()))
    );
}

#[test]
fn a_file_on_disk_loads_and_takes_its_stem_as_default_name() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("my-scenario.toml");
    let text =
        DEFAULT_SCENARIO_TOML.replace("name = \"Mail server outage at a 500-person firm\"\n", "");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write: {e}"));
    let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "my-scenario");
}

#[test]
fn the_default_scenario_has_the_documented_values() {
    let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "Mail server outage at a 500-person firm");
    assert_eq!(s.currency, "USD");
    assert_eq!(s.simulation.horizon_minutes, 525_600.0);
    assert_eq!(s.simulation.replications, 1000);
    assert_eq!(s.simulation.seed, 42);

    assert_eq!(s.tiers.len(), 2);
    assert_eq!(s.tiers[0].name, "help-desk");
    assert_eq!(s.tiers[0].staff, 3);
    assert_eq!(s.tiers[0].hours, Hours::Business);
    assert_eq!(s.tiers[0].hourly_cost, 45.0);
    assert_eq!(s.tiers[1].name, "senior-network-engineer");
    assert_eq!(s.tiers[1].hours, Hours::Business);
    // Both tiers page an on-call engineer for priority 1 outside business hours.
    assert!(s.tiers.iter().all(|t| t.on_call.is_some()));
    assert_eq!(s.slas.len(), 1);

    assert_eq!(s.services.len(), 1);
    let email = &s.services[0];
    assert_eq!(email.name, "email");
    assert_eq!(email.downtime_cost_per_hour, 12_000.0);
    assert_eq!(email.degraded_cost_fraction, 0.3);
    assert_eq!(email.report_delay, Dist::Exponential { mean: 20.0 });
    assert_eq!(email.failures_every, Dist::Exponential { mean: 64_800.0 });
    assert_eq!(email.modes.len(), 2);
    assert_eq!(email.modes[0].name, "memory-leak");
    assert_eq!(email.modes[0].weight, 0.6);
    assert_eq!(email.modes[0].needs, 1);
    assert_eq!(
        email.modes[0].warning,
        Dist::lognormal_median_p90(360.0, 1440.0)
    );
    assert_eq!(email.modes[1].name, "mailbox-quota");
    assert_eq!(email.modes[1].needs, 0);
    assert_eq!(email.modes[1].warning, Dist::fixed(0.0));
    assert_eq!(
        email.modes[1].fix,
        Dist::Triangular {
            min: 10.0,
            mode: 20.0,
            max: 60.0
        }
    );

    let names: Vec<&str> = s.strategies.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["reactive", "proactive"]);
    let reactive = &s.strategies[0];
    assert_eq!(reactive.escalate_after, 120.0);
    assert_eq!(reactive.handoff, 30.0);
    assert_eq!(reactive.fix_multiplier, 1.5);
    assert!(reactive.monitoring.is_none());
    let proactive = &s.strategies[1];
    assert_eq!(proactive.alert_tier, 0);
    assert_eq!(proactive.route_direct, 0.7);
    assert_eq!(proactive.escalate_after, 30.0);
    assert_eq!(proactive.annual_cost, 60_000.0);
    let m = proactive
        .monitoring
        .as_ref()
        .unwrap_or_else(|| panic!("proactive has monitoring"));
    assert_eq!(m.coverage, 0.85);
    assert_eq!(m.detect, Dist::Exponential { mean: 15.0 });
    assert_eq!(m.outage_detect, 2.0);
    assert_eq!(m.false_alarms_per_week, 2.0);
    assert_eq!(m.triage, 10.0);
}

#[test]
fn strategies_keep_file_order() {
    let text = r#"
[simulation]
horizon = "7d"
[[tiers]]
name = "desk"
staff = 1
[[services]]
name = "web"
report_delay = "5m"
failures = { every = "1d" }
[[services.modes]]
name = "crash"
fix = "1h"
needs = "desk"
[strategies.b]
escalate_after = "1h"
[strategies.a]
escalate_after = "2h"
"#;
    let s = parse_str(text, "order.toml").unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = s.strategies.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["b", "a"]);
    assert_eq!(s.name, "order");
}

#[test]
fn an_absent_simulation_table_is_reported_without_a_line() {
    let text = edit(
        "[simulation]\nhorizon = \"365d\"\nreplications = 1000\nseed = 42\n",
        "",
    );
    check(
        &single(&text),
        None,
        "simulation.horizon",
        "expected a [simulation] table",
        "horizon = \"365d\"",
    );
}

#[test]
fn an_empty_file_reports_every_missing_part() {
    let errs = errors("");
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["simulation.horizon", "tiers", "services", "strategies"],
        "{errs}"
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Arbitrary text: an error or a scenario, never a panic.
        #[test]
        fn on_arbitrary_text(text in "\\PC{0,200}") {
            let _ = parse_str(&text, "fuzz.toml");
        }

        /// The default scenario with one span of it replaced by arbitrary TOML-ish text.
        #[test]
        fn on_a_mutated_default(
            at in 0usize..DEFAULT_SCENARIO_TOML.len(),
            len in 0usize..12,
            insert in "[a-z0-9 =\"{}\\[\\].,#\\n-]{0,12}",
        ) {
            let text = DEFAULT_SCENARIO_TOML;
            let mut start = at;
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            let mutated = format!("{}{}{}", &text[..start], insert, &text[end..]);
            if let Err(errs) = parse_str(&mutated, "fuzz.toml") {
                prop_assert!(!errs.is_empty());
                for e in &errs {
                    prop_assert!(!e.message.is_empty());
                    prop_assert!(e.line.is_none_or(|l| l >= 1));
                }
            }
        }
    }
}

#[test]
fn every_unknown_field_is_reported_at_once_with_the_value_errors() {
    let text = DEFAULT_SCENARIO_TOML
        .replacen("hourly_cost = 120", "hourly_cst = 120", 1)
        .replacen("escalate_after = \"2h\"", "escalate_afer = \"2h\"", 1)
        .replacen("needs = \"help-desk\"", "needs = \"helpdesk\"", 1);
    let errors = parse_str(&text, "typos.toml").expect_err("three mistakes");
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    for expected in [
        "tiers.senior-network-engineer.hourly_cst",
        "strategies.reactive.escalate_afer",
        "services.email.modes.mailbox-quota.needs",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    // Positions are those of the original file.
    let typo = errors
        .0
        .iter()
        .find(|e| e.field.ends_with("hourly_cst"))
        .unwrap();
    assert_eq!(typo.line, Some(line_of(&text, "hourly_cst = 120")));
}

#[test]
fn a_scenario_without_tiers_reports_that_once_not_every_tier_reference() {
    let mut text = String::new();
    let mut skipping = false;
    for line in DEFAULT_SCENARIO_TOML.lines() {
        if line.starts_with("[[tiers]]") {
            skipping = true;
        } else if line.starts_with('[') {
            skipping = false;
        }
        if !skipping {
            text.push_str(line);
            text.push('\n');
        }
    }
    let errors = parse_str(&text, "no-tiers.toml").expect_err("no tiers");
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!(errors.0[0].field, "tiers");
}

#[test]
fn validate_lists_an_unknown_key_in_an_inline_table_a_zero_staff_and_a_probability_of_1_8() {
    let text = DEFAULT_SCENARIO_TOML
        .replacen(
            "failures = { every = {",
            "failures = { evry = \"1d\", every = {",
            1,
        )
        .replacen("staff = 3", "staff = 0", 1)
        .replacen("route_direct = 0.7", "route_direct = 1.8", 1);
    let errs = errors(&text);
    let found: Vec<(&str, Option<usize>)> =
        errs.iter().map(|e| (e.field.as_str(), e.line)).collect();
    assert_eq!(
        found,
        [
            ("tiers.help-desk.staff", Some(line_of(&text, "staff = 0"))),
            (
                "services.email.failures.evry",
                Some(line_of(&text, "failures = { evry"))
            ),
            (
                "strategies.proactive.route_direct",
                Some(line_of(&text, "route_direct = 1.8"))
            ),
        ],
        "{errs}"
    );
    assert!(
        errs.0[1]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean \"every\"?")
    );
}

#[test]
fn two_unknown_keys_in_one_inline_table_are_both_reported() {
    let text = edit("coverage = 0.85", "coverge = 0.85").replacen(
        "triage = \"10m\"",
        "triag = \"10m\"",
        1,
    );
    let errs = errors(&text);
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "strategies.proactive.monitoring.coverge",
            "strategies.proactive.monitoring.triag",
        ],
        "{errs}"
    );
    // Both on the `monitoring = { … }` line, each at its own column.
    assert_eq!(errs.0[0].line, errs.0[1].line);
    assert!(errs.0[0].column < errs.0[1].column);
}

#[test]
fn an_unknown_table_anywhere_is_reported_with_a_suggestion() {
    let text = format!("{DEFAULT_SCENARIO_TOML}\n[simulaton]\nhorizon = \"1d\"\n");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "[simulaton]")),
        "simulaton",
        "unknown field \"simulaton\"",
        "did you mean \"simulation\"?",
    );
}

#[test]
fn a_name_with_a_control_character_is_refused_with_its_line() {
    let text = edit("name = \"help-desk\"", "name = \"help\\u0007desk\"");
    let errs = errors(&text);
    let e = errs
        .iter()
        .find(|e| e.field.ends_with(".name") && e.message.contains("control character"))
        .unwrap_or_else(|| panic!("{errs}"));
    assert_eq!(e.line, Some(line_of(&text, "help\\u0007desk")));
    assert!(e.help.as_deref().unwrap_or("").contains("printable"));
}

#[test]
fn a_huge_bad_value_is_not_echoed_in_full() {
    let huge = "x".repeat(1_000_000);
    let text = edit(
        "staff = 3\nhours = \"business\"",
        &format!("staff = 3\nhours = \"{huge}\""),
    );
    let shown = errors(&text).to_string();
    assert!(shown.len() < 2_000, "{} characters", shown.len());
    assert!(shown.contains("(1000000 characters)"), "{shown}");
}

#[test]
fn unknown_repair_kind_lists_the_two_kinds() {
    let text = edit(
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }",
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }\nrepair = \"as_good_as_new\"",
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "repair =")),
        "services.email.repair",
        "expected \"renew\" or \"as_bad_as_old\"; found \"as_good_as_new\"",
        "minimal repair",
    );
}

#[test]
fn minimal_repair_of_a_family_without_a_survival_inverse_is_refused_at_its_line() {
    // Model.md §8.5: as_bad_as_old needs the conditional survival inverted, done for the
    // exponential, Weibull and lognormal only; a gamma time to failure is refused.
    let text = edit(
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }",
        "failures = { every = { dist = \"gamma\", shape = 2, mean = \"45d\" } }\nrepair = \"as_bad_as_old\"",
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "repair =")),
        "services.email.repair",
        "needs failures.every to be exponential, weibull or lognormal; found gamma",
        "use repair = \"renew\"",
    );
}

#[test]
fn minimal_repair_of_weibull_failures_is_accepted() {
    let text = edit(
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }",
        "failures = { every = { dist = \"weibull\", shape = 3, scale = \"150d\" } }\nrepair = \"as_bad_as_old\"",
    );
    let s = parse_str(&text, FILE).expect("valid");
    assert_eq!(s.services[0].repair, incsim::scenario::Repair::AsBadAsOld);
}

#[test]
fn minimal_repair_that_wears_out_into_billions_of_failures_is_refused() {
    // Rule 14 under minimal repair counts the cumulative hazard at the horizon, not horizon /
    // mean: Weibull(shape 3, scale 1d) over the default year gives (365)³ ≈ 4.9·10⁷ failures.
    let text = edit(
        "failures = { every = { dist = \"exponential\", mean = \"45d\" } }",
        "failures = { every = { dist = \"weibull\", shape = 3, scale = \"1d\" } }\nrepair = \"as_bad_as_old\"",
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "failures =")),
        "services.email.failures.every",
        "expected at most 10000000 failures per replication",
        "fails ever faster",
    );
}

/// Two services, `shop` then `db`, each with the given extra lines (docs/model.md §8.10).
fn two_services(shop_extra: &str, db_extra: &str) -> String {
    format!(
        r#"[simulation]
horizon = "30d"

[[tiers]]
name = "ops"
staff = 1

[[services]]
name = "shop"
{shop_extra}
report_delay = "10m"
failures = {{ every = "10d" }}
[[services.modes]]
name = "crash"
fix = "1h"
needs = "ops"

[[services]]
name = "db"
{db_extra}
report_delay = "10m"
failures = {{ every = "20d" }}
[[services.modes]]
name = "disk"
fix = "2h"
needs = "ops"

[strategies.reactive]
escalate_after = "1h"
"#
    )
}

#[test]
fn a_dependency_on_an_unknown_service_is_refused_at_its_line() {
    let text = two_services(r#"depends_on = [{ service = "dbb", effect = "down" }]"#, "");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "depends_on")),
        "services.shop.depends_on[0].service",
        "expected the name of a service (shop, db); found \"dbb\"",
        "did you mean \"db\"?",
    );
}

#[test]
fn a_cycle_in_depends_on_is_refused_at_its_line() {
    let text = two_services(
        r#"depends_on = [{ service = "db" }]"#,
        r#"depends_on = [{ service = "shop", effect = "degraded" }]"#,
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "depends_on")),
        "services.shop.depends_on",
        "found shop → db → shop",
        "cannot need itself",
    );
}

#[test]
fn a_service_depending_on_itself_is_a_cycle() {
    let text = two_services(r#"depends_on = [{ service = "shop" }]"#, "");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "depends_on")),
        "services.shop.depends_on",
        "found shop → shop",
        "cannot need itself",
    );
}

#[test]
fn an_unknown_dependency_effect_lists_the_two_accepted() {
    let text = two_services(r#"depends_on = [{ service = "db", effect = "slow" }]"#, "");
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "depends_on")),
        "services.shop.depends_on[0].effect",
        "expected \"down\" or \"degraded\"; found \"slow\"",
        "\"degraded\" only slows",
    );
}

#[test]
fn a_quoted_correlate_flag_is_refused_with_its_line_and_the_fix() {
    // model.md §8.11: `correlate` is a strategy's true/false choice.
    let text = edit(
        "route_direct = 0.7",
        "route_direct = 0.7\ncorrelate = \"true\"",
    );
    let e = single(&text);
    check(
        &e,
        Some(line_of(&text, "correlate = \"true\"")),
        "strategies.proactive.correlate",
        "expected true or false",
        "remove the quotes: true",
    );
}
