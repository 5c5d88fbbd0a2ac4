//! End-to-end tests of the `incsim` binary: outputs, determinism across threads, and bad input
//! (clear message, non-zero exit, nothing written).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn incsim(args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_incsim"));
    cmd.args(args).current_dir(dir);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("incsim runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SMALL_SCENARIO: &str = include_str!("../scenarios/two-services.toml");

fn write_scenario(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn run_with_no_argument_uses_the_built_in_scenario_and_writes_under_output_default() {
    let dir = tempfile::tempdir().unwrap();
    let o = incsim(&["run", "--replications", "30"], dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Mail server outage"), "{out}");
    assert!(
        out.contains("proactive saves") || out.contains("proactive costs"),
        "{out}"
    );
    assert!(out.contains("Total cost"));
    for f in ["summary.json", "summary.md", "replications.csv"] {
        assert!(
            dir.path().join("output/default").join(f).is_file(),
            "{f} missing"
        );
    }
    let summary: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("output/default/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["replications"], 30);
    assert_eq!(summary["horizon_minutes"], 525_600.0);
    for key in [
        "outage_minutes",
        "degraded_minutes",
        "availability",
        "incidents",
        "outages",
        "averted",
        "escalations",
        "false_alarms",
        "mttd_minutes",
        "mttr_minutes",
        "labor_hours",
        "downtime_cost",
        "labor_cost",
        "investment_cost",
        "total_cost",
        "degraded_cost",
    ] {
        let s = &summary["strategies"]["proactive"][key];
        assert!(
            s["mean"].is_number()
                && s["ci95"].is_array()
                && s["p50"].is_number()
                && s["p95"].is_number(),
            "{key}: {s}"
        );
    }
    assert!(
        summary["strategies"]["reactive"]["tiers"]["help-desk"]["utilization"]["mean"].is_number()
    );
    assert!(
        summary["strategies"]["reactive"]["services"]["email"]["outage_minutes"]["mean"]
            .is_number()
    );
    let c = &summary["comparisons"][0];
    assert_eq!(c["baseline"], "reactive");
    assert_eq!(c["candidate"], "proactive");
    assert!(
        summary["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["metric"] == "total_cost")
    );
}

#[test]
fn outputs_are_byte_identical_with_one_thread_or_two() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "two-services.toml", SMALL_SCENARIO);
    let one = incsim(
        &["run", &scenario, "--out", "one"],
        dir.path(),
        &[("RAYON_NUM_THREADS", "1")],
    );
    let two = incsim(
        &["run", &scenario, "--out", "two"],
        dir.path(),
        &[("RAYON_NUM_THREADS", "2")],
    );
    let three = incsim(
        &["run", &scenario, "--out", "three", "--threads", "3"],
        dir.path(),
        &[],
    );
    for o in [&one, &two, &three] {
        assert!(o.status.success(), "{}", stderr(o));
    }
    let mut compared = 0;
    for entry in fs::read_dir(dir.path().join("one")).unwrap() {
        let name = entry.unwrap().file_name();
        let a = fs::read(dir.path().join("one").join(&name)).unwrap();
        assert_eq!(
            a,
            fs::read(dir.path().join("two").join(&name)).unwrap(),
            "{name:?}"
        );
        assert_eq!(
            a,
            fs::read(dir.path().join("three").join(&name)).unwrap(),
            "{name:?}"
        );
        compared += 1;
    }
    assert!(compared >= 3);
    assert_eq!(
        stdout(&one).replace("one", ""),
        stdout(&two).replace("two", "")
    );
}

#[test]
fn the_csv_has_one_row_per_replication_and_strategy_and_empty_cells_for_undefined() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "s.toml", SMALL_SCENARIO);
    let o = incsim(
        &["run", &scenario, "--out", "o", "-n", "25", "--seed", "9"],
        dir.path(),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = fs::read_to_string(dir.path().join("o/replications.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "rep,strategy,outage_minutes,degraded_minutes,availability,incidents,outages,averted,escalations,false_alarms,mttd_minutes,mttr_minutes,labor_hours,downtime_cost,degraded_cost,labor_cost,investment_cost,total_cost,pages,pages_asleep,standby_cost,tickets,tickets_deflected,fixed_labor_cost,sla_breaches,sla_penalty_cost,workarounds,recurrences,problems_fixed,inherited_outage_minutes,maintenance_hours,planned_minutes,planned_cost,changes,change_failures,symptom_incidents,symptom_hours"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 50);
    assert!(rows[0].starts_with("0,reactive,"));
    assert!(rows[1].starts_with("0,proactive,"));
    assert!(rows[49].starts_with("24,proactive,"));
    let columns = csv.lines().next().unwrap().split(',').count();
    for r in rows {
        assert_eq!(r.split(',').count(), columns, "{r}");
    }
    // The default folder is named after the file stem.
    let o = incsim(&["run", &scenario, "-n", "5", "--quiet"], dir.path(), &[]);
    assert!(o.status.success());
    assert!(dir.path().join("output/s/summary.json").is_file());
}

#[test]
fn mttr_is_an_empty_cell_when_no_outage_ended() {
    let dir = tempfile::tempdir().unwrap();
    // Failures every 10 years over a 1-day horizon: nothing happens.
    let text = SMALL_SCENARIO
        .replace("horizon = \"180d\"", "horizon = \"1d\"")
        .replace("mean = \"20d\"", "mean = \"3650d\"")
        .replace("scale = \"30d\"", "scale = \"3650d\"");
    let scenario = write_scenario(dir.path(), "quiet.toml", &text);
    let o = incsim(
        &["run", &scenario, "--out", "o", "-n", "3", "--seed", "1"],
        dir.path(),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = fs::read_to_string(dir.path().join("o/replications.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[11], "", "mttr cell: {row}");
    let summary = fs::read_to_string(dir.path().join("o/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(v["strategies"]["reactive"]["mttr_minutes"]["mean"].is_null());
}

/// A bad scenario: the message names file, line, field and a fix; exit non-zero; nothing
/// written, and an existing output folder is left as it was.
fn assert_rejected(text: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "bad.toml", text);
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/summary.json"), "previous").unwrap();
    let o = incsim(&["run", &scenario, "--out", "out"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "stdout: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("bad.toml"), "{err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    let files: Vec<_> = fs::read_dir(dir.path().join("out")).unwrap().collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
        "previous"
    );
    assert!(!dir.path().join("output").exists());
    // `validate` reports the same and fails too.
    let v = incsim(&["validate", &scenario], dir.path(), &[]);
    assert_eq!(v.status.code(), Some(1));
    assert!(stderr(&v).contains(expected[0]));
}

#[test]
fn bad_scenarios_are_rejected_with_file_line_field_and_fix() {
    assert_rejected(
        &SMALL_SCENARIO.replace("escalate_after = \"1h\"", "escalate_afer = \"1h\""),
        &["escalate_afer", "escalate_after"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("needs = \"engineers\"", "needs = \"enginers\""),
        &["services.email.modes.leak.needs", "help-desk, engineers"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("\"180d\"", "\"-5d\""),
        &["simulation.horizon"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("\"180d\"", "180"),
        &["simulation.horizon", "unit"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("coverage = 0.8", "coverage = 1.8"),
        &["coverage"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("staff = 1", "staff = 0"),
        &["staff"],
    );
    assert_rejected("this is not toml", &["bad.toml:1"]);
    assert_rejected("", &["bad.toml"]);
    assert_rejected(&SMALL_SCENARIO.replace("seed = 3", "seed = -3"), &["seed"]);
    assert_rejected(
        &SMALL_SCENARIO.replace("replications = 40", "replications = 1000000000"),
        &["replications"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("\"180d\"", "\"1000000w\""),
        &["horizon"],
    );
    assert_rejected(
        &SMALL_SCENARIO.replace("hourly_cost = 40", "hourly_cost = nan"),
        &["hourly_cost"],
    );
    // Alarms that could pile up by the million in one replication's queue are refused.
    assert_rejected(
        &SMALL_SCENARIO.replace(
            "false_alarms_per_week = 1,",
            "false_alarms_per_week = 100000,",
        ),
        &["false_alarms_per_week", "at most 1000000"],
    );
}

#[test]
fn an_unwritable_output_path_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("taken"), "a file").unwrap();
    let o = incsim(&["run", "--out", "taken", "-n", "5"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a folder"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(dir.path().join("taken")).unwrap(),
        "a file"
    );
    let o = incsim(&["run", "--out", "taken/sub", "-n", "5"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot create"), "{}", stderr(&o));
}

#[test]
fn out_of_range_options_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = incsim(&["run", "-n", "0", "--out", "o"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--replications"));
    let o = incsim(&["run", "--threads", "0", "--out", "o"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let o = incsim(&["run", "missing.toml"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing.toml"));
}

#[test]
fn validate_summarizes_a_good_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "s.toml", SMALL_SCENARIO);
    let o = incsim(&["validate", &scenario], dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "OK",
        "help-desk",
        "engineers",
        "email",
        "vpn",
        "reactive",
        "proactive",
    ] {
        assert!(out.contains(needle), "{needle} in {out}");
    }
}

#[test]
#[cfg(unix)]
fn ctrl_c_during_a_run_leaves_the_previous_outputs_and_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let bench = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/benchmark.toml");
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/summary.json"), "previous").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["run", bench, "-n", "1000000", "--out", "out", "--quiet"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let names: Vec<String> = fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["summary.json".to_string()]);
    assert_eq!(
        fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
        "previous"
    );
}

#[test]
fn a_run_without_events_removes_the_event_log_of_an_earlier_run() {
    let dir = tempfile::tempdir().unwrap();
    let o = incsim(
        &["run", "-n", "5", "--out", "o", "--events", "0"],
        dir.path(),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("o/events.jsonl").is_file());
    let o = incsim(
        &["run", "-n", "5", "--seed", "8", "--out", "o"],
        dir.path(),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !dir.path().join("o/events.jsonl").exists(),
        "a stale event log was kept"
    );
    assert!(dir.path().join("o/summary.json").is_file());
}

#[test]
fn a_single_replication_claims_no_confidence_interval() {
    let dir = tempfile::tempdir().unwrap();
    let o = incsim(&["run", "-n", "1", "--out", "o"], dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("no confidence interval"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("warning: a single replication"));
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("o/summary.json")).unwrap())
            .unwrap();
    assert!(v["strategies"]["reactive"]["total_cost"]["ci95"].is_null());
    assert!(v["strategies"]["reactive"]["total_cost"]["mean"].is_number());
    assert!(v["comparisons"][0]["ci95"].is_null());
    assert!(v["budget"][0]["savings_per_year_ci95"].is_null());
    // Per year, the incremental investment is the annual cost difference, exactly.
    assert_eq!(v["budget"][0]["incremental_investment_per_year"], 60000.0);
}

#[test]
#[cfg(unix)]
fn an_interrupted_run_into_a_new_folder_leaves_no_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let bench = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/benchmark.toml");
    let child = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["run", bench, "-n", "1000000", "--out", "fresh", "--quiet"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    // The outputs are written into a private folder beside `fresh` (issue 18): `fresh`
    // itself appears only when the whole set is in place.
    let private = |d: &Path| {
        fs::read_dir(d).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".fresh.incsim-")
        })
    };
    assert!(
        private(dir.path()),
        "the private folder is made before the run"
    );
    assert!(!dir.path().join("fresh").exists());
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(
        !dir.path().join("fresh").exists(),
        "an empty folder was left behind"
    );
    assert!(!private(dir.path()), "the private folder was left behind");
}
