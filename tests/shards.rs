//! Every long command scales out: `sweep` (one input or a grid), `sensitivity` and `select`
//! run as `--shard K/N` and `incsim merge` writes exactly the files one machine writes; shards
//! that are missing, given twice, of another study or edited are refused, naming the file.

mod common;
use common::incsim;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

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

/// Every output file of a folder, by name (not the manifest).
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
    assert!(!fa.is_empty(), "{a:?} holds no files");
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

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("s.toml"),
        include_str!("../scenarios/two-services.toml"),
    )
    .unwrap();
    dir
}

/// Run `command` directly into `direct/`, as `n` shards into `shards/` (in reverse order, as
/// a cluster may finish them), merge into `merged/`, and check the two folders are identical.
fn direct_equals_merged_shards(d: &Path, command: &[&str], n: u64) {
    let with = |extra: &[&str]| {
        let mut args = command.to_vec();
        args.extend_from_slice(extra);
        args.push("-q");
        ok(&args, d)
    };
    with(&["--out", "direct"]);
    for k in (0..n).rev() {
        let spec = format!("{k}/{n}");
        let stdout = with(&["--shard", &spec, "--out", "shards"]);
        assert!(
            stdout.contains(&format!("shard-{k}-of-{n}.json")),
            "{stdout}"
        );
    }
    let names: Vec<String> = files(&d.join("shards")).into_keys().collect();
    assert_eq!(
        names.len() as u64,
        n,
        "a shard writes its file only: {names:?}"
    );
    let stdout = ok(&["merge", "shards", "--out", "merged"], d);
    assert!(stdout.contains(&format!("Merged {n} shards")), "{stdout}");
    assert_same_files(&d.join("direct"), &d.join("merged"));
}

#[test]
fn a_sweep_merged_from_shards_is_byte_identical_to_one_machine() {
    let dir = setup();
    direct_equals_merged_shards(
        dir.path(),
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.monitoring.coverage=0.5:0.9:3",
            "-n",
            "13",
        ],
        3,
    );
}

#[test]
fn a_cost_rate_sweep_that_re_costs_merges_byte_identically() {
    // A pure cost rate: the sweep simulates its first point only and re-costs the others,
    // at the merge from the merged first point, as directly.
    let dir = setup();
    direct_equals_merged_shards(
        dir.path(),
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.annual_cost=0:100000:4",
            "-n",
            "9",
        ],
        4,
    );
}

#[test]
fn a_grid_merged_from_shards_is_byte_identical_to_one_machine() {
    let dir = setup();
    direct_equals_merged_shards(
        dir.path(),
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.monitoring.coverage=0.5:0.9:2",
            "--vary",
            "strategies.proactive.annual_cost=x0.5:x1.5:2",
            "-n",
            "7",
        ],
        2,
    );
}

#[test]
fn a_sensitivity_analysis_merged_from_shards_is_byte_identical_to_one_machine() {
    let dir = setup();
    // One re-costed input (annual cost), two re-simulated ones.
    direct_equals_merged_shards(
        dir.path(),
        &[
            "sensitivity",
            "s.toml",
            "--only",
            "strategies.proactive.annual_cost,strategies.proactive.monitoring.coverage,tiers.help-desk.hourly_cost",
            "-n",
            "8",
        ],
        3,
    );
}

#[test]
fn study_shards_that_do_not_belong_together_are_refused() {
    let dir = setup();
    let d = dir.path();
    let sweep = |extra: &[&str], out: &str| {
        let mut args = vec![
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.monitoring.coverage=0.5:0.9:3",
            "-n",
            "6",
            "-q",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        ok(&args, d);
    };
    for k in ["0/3", "1/3", "2/3"] {
        sweep(&["--shard", k], "shards");
    }
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

    let e = merge_err(&["shards/shard-0-of-3.json", "shards/shard-2-of-3.json"]);
    assert!(
        e.contains("missing 1 of 3 shards: shard-1-of-3.json"),
        "{e}"
    );

    let e = merge_err(&["shards", "shards/shard-1-of-3.json"]);
    assert!(e.contains("shard 1 of 3 is given twice"), "{e}");

    // A shard of the same sweep with other points.
    ok(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.monitoring.coverage=0.5:0.8:3",
            "-n",
            "6",
            "-q",
            "--shard",
            "1/3",
            "--out",
            "other",
        ],
        d,
    );
    let e = merge_err(&[
        "shards/shard-0-of-3.json",
        "other/shard-1-of-3.json",
        "shards/shard-2-of-3.json",
    ]);
    assert!(e.contains("shards of different studies"), "{e}");

    // A shard of another seed.
    sweep(&["--shard", "1/3", "--seed", "9"], "seed9");
    let e = merge_err(&[
        "shards/shard-0-of-3.json",
        "seed9/shard-1-of-3.json",
        "shards/shard-2-of-3.json",
    ]);
    assert!(e.contains("has seed 9 but"), "{e}");

    // A run's shard among a sweep's.
    ok(
        &[
            "run", "s.toml", "-n", "6", "-q", "--shard", "1/3", "--out", "run",
        ],
        d,
    );
    let e = merge_err(&[
        "shards/shard-0-of-3.json",
        "run/shard-1-of-3.json",
        "shards/shard-2-of-3.json",
    ]);
    assert!(e.contains("is a shard of `incsim run`"), "{e}");

    // An edited value deep inside a shard (one replication's total cost).
    fs::create_dir(d.join("edited")).unwrap();
    for k in 0..3 {
        let name = format!("shard-{k}-of-3.json");
        fs::copy(d.join("shards").join(&name), d.join("edited").join(&name)).unwrap();
    }
    let path = d.join("edited/shard-1-of-3.json");
    let text = fs::read_to_string(&path).unwrap();
    let at = text.find("\"total_cost\":").expect("rows hold total costs") + "\"total_cost\":".len();
    let edited = format!("{}1{}", &text[..at], &text[at..]);
    fs::write(&path, edited).unwrap();
    let e = merge_err(&["edited"]);
    assert!(
        e.contains("shard-1-of-3.json was changed after incsim wrote it"),
        "{e}"
    );

    // A shard cut short while being written.
    fs::write(&path, &text[..text.len() / 2]).unwrap();
    let e = merge_err(&["edited"]);
    assert!(e.contains("shard-1-of-3.json"), "{e}");

    // More shards than replications.
    let e = fails(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "strategies.proactive.monitoring.coverage=0.5:0.9:3",
            "-n",
            "2",
            "--shard",
            "2/3",
            "--out",
            "x",
        ],
        d,
    );
    assert!(e.contains("some would be empty"), "{e}");
}

/// Run a selection as `n` shards per stage in `shards/`, merging after each stage into
/// `merged/`, until selection.json appears (the loop a Slurm script runs). Returns the stages.
fn select_in_stages(d: &Path, options: &[&str], n: u64) -> u64 {
    for stage in 0..200 {
        for k in 0..n {
            let spec = format!("{k}/{n}");
            let mut args = vec!["select", "s.toml"];
            args.extend_from_slice(options);
            args.extend_from_slice(&["--shard", &spec, "--out", "shards", "-q"]);
            ok(&args, d);
        }
        ok(&["merge", "shards", "--out", "merged"], d);
        if d.join("merged/selection.json").exists() {
            return stage + 1;
        }
    }
    panic!("the selection did not finish in 200 stages");
}

#[test]
fn a_selection_merged_stage_by_stage_is_byte_identical_to_one_machine() {
    let dir = setup();
    let d = dir.path();
    let options = ["--delta", "2000", "--first-stage", "6"];
    let mut args = vec!["select", "s.toml", "--out", "direct", "-q"];
    args.extend_from_slice(&options);
    ok(&args, d);
    let stages = select_in_stages(d, &options, 3);
    assert!(
        stages >= 2,
        "KN needed more than its first stage here ({stages})"
    );
    assert_same_files(&d.join("direct"), &d.join("merged"));
    // Once finished, a shard says so and writes nothing.
    let mut args = vec!["select", "s.toml", "--shard", "0/3", "--out", "shards"];
    args.extend_from_slice(&options);
    let stdout = ok(&args, d);
    assert!(stdout.contains("is finished"), "{stdout}");
}

#[test]
fn selection_shards_of_another_stage_or_selection_are_refused() {
    let dir = setup();
    let d = dir.path();
    fn shard<'a>(k: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "select", "s.toml", "--delta", "2000", "--shard", k, "--out", "shards", "-q",
        ];
        args.extend_from_slice(extra);
        args
    }
    for k in ["0/2", "1/2"] {
        ok(&shard(k, &[]), d);
    }
    fs::copy(
        d.join("shards/shard-1-of-2.json"),
        d.join("stage0-shard-1.json"),
    )
    .unwrap();
    ok(&["merge", "shards", "--out", "merged"], d);
    assert!(
        !d.join("merged/selection.json").exists(),
        "stage 0 does not finish KN here"
    );

    // Stage 1: shard 0 rerun, shard 1 still the stage-0 file.
    ok(&shard("0/2", &[]), d);
    let e = fails(&["merge", "shards", "--out", "merged"], d);
    assert!(
        e.contains("shard-1-of-2.json is a shard of stage 0") && e.contains("at stage 1"),
        "{e}"
    );
    ok(&shard("1/2", &[]), d);

    // Missing, and edited.
    let e = fails(&["merge", "shards/shard-0-of-2.json", "--out", "merged"], d);
    assert!(
        e.contains("missing 1 of 2 shards of stage 1: shard-1-of-2.json"),
        "{e}"
    );
    let path = d.join("shards/shard-1-of-2.json");
    let text = fs::read_to_string(&path).unwrap();
    let at = text.find("\"observations\":[[").unwrap() + "\"observations\":[[".len();
    fs::write(&path, format!("{}9{}", &text[..at], &text[at..])).unwrap();
    let e = fails(&["merge", "shards", "--out", "merged"], d);
    assert!(
        e.contains("shard-1-of-2.json was changed after incsim wrote it"),
        "{e}"
    );
    fs::write(&path, text).unwrap();

    // A shard with other options in this selection's folder.
    let e = fails(&shard("0/2", &["--confidence", "0.9"]), d);
    assert!(e.contains("belongs to another selection"), "{e}");
    ok(&["merge", "shards", "--out", "merged"], d);
}
