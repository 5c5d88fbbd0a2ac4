//! End-to-end tests of the scale features of the `incsim` binary: precision-driven runs,
//! sweeps with break-even, sensitivity (tornado) ranking, and shards merged back into exactly
//! the outputs of one machine, with clear errors for shards that do not belong together.

mod common;
use common::incsim;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn ok(args: &[&str], dir: &Path) -> String {
    let out = incsim(args, dir);
    assert!(
        out.status.success(),
        "incsim {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Run and expect failure; returns stderr.
fn fails(args: &[&str], dir: &Path) -> String {
    let out = incsim(args, dir);
    assert!(
        !out.status.success(),
        "incsim {args:?} should fail; stdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every output file of a folder, by name (not the manifest, which lists what a run wrote,
/// `precision.json` included).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != ".incsim-manifest")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn assert_same_files(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "different file sets"
    );
    for (name, content) in &fa {
        assert!(
            content == &fb[name],
            "{name} differs between {a:?} and {b:?}"
        );
    }
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The two-service example with 30 replications.
fn scenario_text() -> String {
    include_str!("../scenarios/two-services.toml").replace("replications = 40", "replications = 30")
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), scenario_text()).unwrap();
    dir
}

#[test]
fn a_precision_run_writes_exactly_what_a_run_of_that_many_replications_writes() {
    let dir = setup();
    let d = dir.path();
    let stdout = ok(
        &[
            "run",
            "s.toml",
            "--precision",
            "5%",
            "-n",
            "20",
            "--max-replications",
            "5000",
            "--out",
            "precise",
            "-q",
        ],
        d,
    );
    assert!(stdout.contains("Precision: ±5 % reached with"), "{stdout}");
    let n = json(&d.join("precise/summary.json"))["replications"]
        .as_u64()
        .unwrap();
    assert!(n > 20, "the pilot alone should not be enough: {n}");
    let n_text = n.to_string();
    ok(
        &["run", "s.toml", "-n", &n_text, "--out", "direct", "-q"],
        d,
    );
    // The precision outcome is recorded beside the outputs; everything else is identical.
    let outcome = json(&d.join("precise/precision.json"));
    assert_eq!(outcome["reached"], true);
    assert_eq!(outcome["replications"].as_u64(), Some(n));
    assert!(
        outcome["candidates"][0]["relative_half_width"]
            .as_f64()
            .unwrap()
            <= 0.05
    );
    std::fs::remove_file(d.join("precise/precision.json")).unwrap();
    assert_same_files(&d.join("precise"), &d.join("direct"));
}

#[test]
fn a_precision_run_stops_at_the_cap_and_says_so() {
    let dir = setup();
    let stdout = ok(
        &[
            "run",
            "s.toml",
            "--precision",
            "0.1%",
            "--max-replications",
            "60",
            "--out",
            "capped",
        ],
        dir.path(),
    );
    assert!(stdout.contains("NOT reached"), "{stdout}");
    assert!(stdout.contains("cap of 60 replications"), "{stdout}");
    let outcome = json(&dir.path().join("capped/precision.json"));
    assert_eq!(outcome["reached"], false);
    assert_eq!(outcome["replications"], 60);
}

#[test]
fn sweep_break_even_of_the_investment_equals_the_gross_savings() {
    let dir = setup();
    let d = dir.path();
    // Savings are linear in the candidate's annual cost: S(c) = G − c, so the break-even is
    // G, the savings at c = 0, whatever the simulation does.
    let stdout = ok(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.annual_cost=0:4000000:5",
            "--out",
            "sweep",
            "-q",
        ],
        d,
    );
    let sweep = json(&d.join("sweep/sweep.json"));
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 5);
    let gross = points[0]["candidates"][0]["savings_per_year"]
        .as_f64()
        .unwrap();
    assert!(gross > 0.0 && gross < 4_000_000.0, "gross savings {gross}");
    let be = sweep["break_even"].as_array().unwrap();
    assert_eq!(be.len(), 1, "{be:?}");
    let x = be[0]["value"].as_f64().unwrap();
    assert!(
        (x - gross).abs() <= 1e-6 * gross,
        "break-even {x} vs gross savings {gross}"
    );
    assert!(
        stdout.contains("Break-even: proactive saves money"),
        "{stdout}"
    );

    let csv = fs::read_to_string(d.join("sweep/sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 5);
    assert!(lines[0].starts_with("parameter,point,value,unit,applied,candidate"));
    for chart in ["sweep.svg", "sweep.png"] {
        assert!(fs::metadata(d.join("sweep").join(chart)).unwrap().len() > 1000);
    }
    assert!(
        fs::read(d.join("sweep/sweep.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
}

#[test]
fn sweep_points_share_one_seed_so_the_scenario_point_equals_a_run() {
    let dir = setup();
    let d = dir.path();
    // The middle multiplier (x1) is the scenario itself: its savings equal those of a run.
    ok(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "services.email.modes.leak.fix=x0.5:x1.5:3",
            "--out",
            "sweep",
            "-q",
        ],
        d,
    );
    ok(&["run", "s.toml", "--out", "run", "-q"], d);
    let sweep = json(&d.join("sweep/sweep.json"));
    let summary = json(&d.join("run/summary.json"));
    assert_eq!(
        sweep["points"][1]["candidates"][0]["savings_per_year"],
        summary["budget"][0]["savings_per_year"]
    );
}

#[test]
fn sweep_paths_and_ranges_are_checked_before_anything_runs() {
    let dir = setup();
    let d = dir.path();
    let e = fails(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.coverage=0:1:3",
            "--out",
            "x",
        ],
        d,
    );
    assert!(
        e.contains("under strategies.proactive there is no \"coverage\""),
        "{e}"
    );
    assert!(
        e.contains("strategies.proactive.monitoring.coverage"),
        "{e}"
    );
    let e = fails(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "tiers.help-desk.hours=0:1:3",
            "--out",
            "x",
        ],
        d,
    );
    assert!(e.contains("cannot be varied"), "{e}");
    let e = fails(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.reactive.escalate_after=10:60:3",
            "--out",
            "x",
        ],
        d,
    );
    assert!(e.contains("bare number"), "{e}");
    assert!(!d.join("x").exists(), "nothing is written on bad input");

    let list = ok(&["sweep", "s.toml", "--list"], d);
    assert!(list.contains("services.vpn.failures.every"), "{list}");
    assert!(list.contains("tiers.engineers.staff"), "{list}");
}

#[test]
fn sensitivity_ranks_a_dominant_input_first() {
    let dir = setup();
    let d = dir.path();
    // An investment of 100M a year dwarfs every other effect: ±20 % of it moves the savings
    // by exactly 40M.
    let text = scenario_text().replace("annual_cost = 20000", "annual_cost = 100000000");
    fs::write(d.join("big.toml"), text).unwrap();
    let stdout = ok(
        &[
            "sensitivity",
            "big.toml",
            "--only",
            "services.email.downtime_cost_per_hour,strategies.proactive.annual_cost,strategies.proactive.monitoring.coverage,tiers.engineers.staff",
            "--out",
            "sens",
            "-q",
        ],
        d,
    );
    let csv = fs::read_to_string(d.join("sens/sensitivity.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0][1], "strategies.proactive.annual_cost");
    let swing: f64 = rows[0][11].parse().unwrap();
    assert!((swing - 40_000_000.0).abs() < 1e-2, "swing {swing}");
    // One engineer ±20 % rounds back to one: listed last, swing 0.
    assert_eq!(rows[3][1], "tiers.engineers.staff");
    assert_eq!(rows[3][11], "0");
    assert!(
        stdout.contains("1  strategies.proactive.annual_cost"),
        "{stdout}"
    );
    assert!(
        fs::read(d.join("sens/tornado.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    assert!(d.join("sens/tornado.svg").exists());
}

#[test]
fn sensitivity_refuses_unknown_inputs_and_candidates() {
    let dir = setup();
    let d = dir.path();
    let e = fails(
        &[
            "sensitivity",
            "s.toml",
            "--only",
            "services.mail.downtime_cost_per_hour",
        ],
        d,
    );
    assert!(e.contains("did you mean \"email\""), "{e}");
    let e = fails(&["sensitivity", "s.toml", "--candidate", "reactive"], d);
    assert!(e.contains("is the baseline"), "{e}");
    let e = fails(&["sensitivity", "s.toml", "--by", "150%"], d);
    assert!(e.contains("below 100 %"), "{e}");
}

/// Run the three shards of a 30-replication run into `shards/`.
fn three_shards(d: &Path) {
    for k in ["0/3", "1/3", "2/3"] {
        let stdout = ok(&["run", "s.toml", "--shard", k, "--out", "shards", "-q"], d);
        assert!(stdout.contains("incsim merge"), "{stdout}");
    }
}

#[test]
fn three_merged_shards_are_byte_identical_to_one_run() {
    let dir = setup();
    let d = dir.path();
    three_shards(d);
    let shard_files: Vec<String> = files(&d.join("shards")).into_keys().collect();
    assert_eq!(
        shard_files,
        [
            "shard-0-of-3.json",
            "shard-1-of-3.json",
            "shard-2-of-3.json"
        ],
        "a shard writes its shard file and nothing else"
    );
    let stdout = ok(&["merge", "shards", "--out", "merged"], d);
    assert!(
        stdout.contains("Merged 3 shards (30 replications"),
        "{stdout}"
    );
    ok(&["run", "s.toml", "--out", "direct", "-q"], d);
    assert_same_files(&d.join("merged"), &d.join("direct"));
    for f in ["summary.json", "replications.csv"] {
        assert!(d.join("merged").join(f).exists());
    }

    // Files given one by one, in any order, merge the same.
    ok(
        &[
            "merge",
            "shards/shard-2-of-3.json",
            "shards/shard-0-of-3.json",
            "shards/shard-1-of-3.json",
            "--out",
            "merged-files",
        ],
        d,
    );
    assert_same_files(&d.join("merged-files"), &d.join("direct"));
}

#[test]
fn shards_running_at_the_same_time_in_one_folder_do_not_disturb_each_other() {
    let dir = setup();
    let d = dir.path();
    // As a Slurm array or an Indexed Job does: every shard at once, into one shared folder.
    let spawned: Vec<std::process::Child> = (0..8)
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_incsim"))
                .args([
                    "run",
                    "s.toml",
                    "--shard",
                    &format!("{k}/8"),
                    "--out",
                    "concurrent",
                    "-q",
                ])
                .current_dir(d)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("incsim starts")
        })
        .collect();
    for mut child in spawned {
        assert!(child.wait().unwrap().success());
    }
    let names: Vec<String> = files(&d.join("concurrent")).into_keys().collect();
    assert_eq!(names.len(), 8, "{names:?}");
    ok(&["merge", "concurrent", "--out", "merged"], d);
    ok(&["run", "s.toml", "--out", "direct", "-q"], d);
    assert_same_files(&d.join("merged"), &d.join("direct"));
}

#[test]
fn mismatched_shards_are_refused_with_clear_messages() {
    let dir = setup();
    let d = dir.path();
    three_shards(d);
    let shard = |k: &str, extra: &[&str], out: &str| {
        let mut args = vec!["run", "s.toml", "--shard", k, "--out", out, "-q"];
        args.extend_from_slice(extra);
        ok(&args, d);
    };
    let merge_err = |inputs: &[&str]| {
        let mut args = vec!["merge"];
        args.extend_from_slice(inputs);
        args.extend_from_slice(&["--out", "merged"]);
        let e = fails(&args, d);
        assert!(
            !d.join("merged").exists(),
            "nothing written on a refused merge"
        );
        e
    };

    // Missing shard.
    let e = merge_err(&["shards/shard-0-of-3.json", "shards/shard-2-of-3.json"]);
    assert!(
        e.contains("missing 1 of 3 shards: shard-1-of-3.json"),
        "{e}"
    );

    // Duplicated shard.
    let e = merge_err(&["shards", "shards/shard-1-of-3.json"]);
    assert!(e.contains("shard 1 of 3 is given twice"), "{e}");

    // Different seed.
    shard("1/3", &["--seed", "9"], "seed9");
    let e = merge_err(&[
        "shards/shard-0-of-3.json",
        "seed9/shard-1-of-3.json",
        "shards/shard-2-of-3.json",
    ]);
    assert!(e.contains("has seed 9 but"), "{e}");
    assert!(e.contains("has seed 3"), "{e}");

    // Different number of replications.
    shard("1/3", &["-n", "60"], "n60");
    let e = merge_err(&[
        "shards/shard-0-of-3.json",
        "n60/shard-1-of-3.json",
        "shards/shard-2-of-3.json",
    ]);
    assert!(e.contains("belongs to a run of 60 replications"), "{e}");

    // Different number of shards.
    shard("1/4", &[], "four");
    let e = merge_err(&["shards/shard-0-of-3.json", "four/shard-1-of-4.json"]);
    assert!(e.contains("is shard 1 of 4 but"), "{e}");

    // Different scenario.
    fs::write(
        d.join("other.toml"),
        scenario_text().replace("annual_cost = 20000", "annual_cost = 25000"),
    )
    .unwrap();
    ok(
        &[
            "run",
            "other.toml",
            "--shard",
            "1/3",
            "--out",
            "other",
            "-q",
        ],
        d,
    );
    let e = merge_err(&[
        "shards/shard-0-of-3.json",
        "other/shard-1-of-3.json",
        "shards/shard-2-of-3.json",
    ]);
    assert!(e.contains("simulate different scenarios"), "{e}");
    assert!(e.contains("strategies.proactive.annual_cost"), "{e}");

    // Not a shard folder at all.
    fs::create_dir(d.join("empty")).unwrap();
    let e = merge_err(&["empty"]);
    assert!(e.contains("holds no shard files"), "{e}");
}

#[test]
fn shard_specs_are_checked() {
    let dir = setup();
    let d = dir.path();
    let e = fails(&["run", "s.toml", "--shard", "3/3"], d);
    assert!(e.contains("0/3 … 2/3"), "{e}");
    let e = fails(&["run", "s.toml", "-n", "2", "--shard", "0/3"], d);
    assert!(e.contains("some would be empty"), "{e}");
    let e = fails(&["run", "s.toml", "--shard", "0/3", "--precision", "2%"], d);
    assert!(e.contains("cannot be used with"), "{e}");
}

#[test]
fn sweep_and_sensitivity_files_do_not_depend_on_the_thread_count() {
    let dir = setup();
    let d = dir.path();
    for threads in ["1", "3"] {
        ok(
            &[
                "sweep",
                "s.toml",
                "--vary",
                "strategies.proactive.monitoring.coverage=x0.5:x1.2:4",
                "-j",
                threads,
                "--out",
                &format!("sweep-{threads}"),
                "-q",
            ],
            d,
        );
        ok(
            &[
                "sensitivity",
                "s.toml",
                "--only",
                "strategies.proactive.monitoring.coverage,services.vpn.failures.every",
                "-j",
                threads,
                "--out",
                &format!("sens-{threads}"),
                "-q",
            ],
            d,
        );
    }
    assert_same_files(&d.join("sweep-1"), &d.join("sweep-3"));
    assert_same_files(&d.join("sens-1"), &d.join("sens-3"));
}
