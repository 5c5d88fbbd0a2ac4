//! Input uncertainty (issue 15 item 4): uncertain values in the scenario file, the plain run at
//! their modes, and `run --uncertainty N` across parameter sets.

use incsim::experiment::run_replications;
use incsim::experiment::uncertainty::{self, Uncertainty};
use incsim::metrics::Metric;
use incsim::scenario::uncertain::Spread;
use incsim::scenario::{DEFAULT_SCENARIO_TOML, Scenario, parse_str};
use incsim::stats::quantile;

const UNCERTAIN_RATE: &str = r#"downtime_cost_per_hour = { uncertain = "triangular", min = 8000, mode = 12000, max = 15000 }"#;

/// The built-in scenario with its one service's downtime rate uncertain, `edit` applied to the
/// text first.
fn uncertain_rate_scenario(edit: impl Fn(String) -> String) -> Scenario {
    let text =
        edit(DEFAULT_SCENARIO_TOML.replace("downtime_cost_per_hour = 12000", UNCERTAIN_RATE));
    let mut s = parse_str(&text, "uncertain-rate.toml").expect("valid scenario");
    s.simulation.replications = 30;
    s
}

fn run(s: &Scenario, sets: usize) -> (incsim::experiment::ExperimentResults, Uncertainty) {
    let main = run_replications(s, 0..s.simulation.replications, &mut |_| {});
    let u = uncertainty::run(s, &main, sets, &mut |_| {}).expect("uncertainty run");
    (main, u)
}

fn mean(res: &incsim::experiment::ExperimentResults, strategy: usize, m: Metric) -> f64 {
    let rows = &res.strategies[strategy].rows;
    rows.iter().filter_map(|r| m.value(&r)).sum::<f64>() / rows.len() as f64
}

/// The costs that price downtime (linear in the rate); every other cost must not move.
fn priced_by_downtime(m: Metric) -> bool {
    [
        Metric::DOWNTIME_COST,
        Metric::DEGRADED_COST,
        Metric::PLANNED_COST,
        Metric::TOTAL_COST,
    ]
    .contains(&m)
}

/// Issue 15's "Must hold": with only `downtime_cost_per_hour` uncertain, each strategy's
/// expected downtime cost is linear in the rate, D(r) = r · D(12000) / 12000 (the events do
/// not depend on the rate), so its P10/P50/P90 across parameter sets are the plain run's
/// scaled by the P10/P50/P90 of the sampled rates (type-7 quantiles commute with a positive
/// scale), exact up to float rounding; every cost but downtime is unchanged.
fn check_downtime_rate_scales(s: &Scenario, expect_recosted: bool) {
    let (main, u) = run(s, 25);
    assert_eq!(u.recosted, expect_recosted);
    assert_eq!(u.sets.len(), 25);
    let rates = u.input_values(0);
    for (strategy, _) in s.strategies.iter().enumerate() {
        let plain = mean(&main, strategy, Metric::DOWNTIME_COST);
        let expected = u.expected(strategy, Metric::DOWNTIME_COST);
        for (set, (&d, &r)) in expected.iter().zip(&rates).enumerate() {
            let linear = plain / 12000.0 * r;
            assert!(
                (d - linear).abs() <= 1e-9 * linear.abs(),
                "set {set}: {d} vs {linear}"
            );
        }
        for p in [0.10, 0.50, 0.90] {
            let scaled = plain / 12000.0 * quantile(&rates, p);
            let got = quantile(&expected, p);
            assert!(
                (got - scaled).abs() <= 1e-9 * scaled.abs(),
                "P{}: {got} vs {scaled}",
                p * 100.0
            );
        }
        for &m in &u.metrics {
            if priced_by_downtime(m) {
                continue;
            }
            let plain = mean(&main, strategy, m);
            for got in u.expected(strategy, m) {
                assert_eq!(got.to_bits(), plain.to_bits(), "{} moved", m.name());
            }
        }
    }
}

#[test]
fn an_uncertain_downtime_rate_scales_expected_downtime_cost_by_its_quantiles() {
    // The built-in service has a degraded cost (fraction 0.3): each set is simulated again.
    check_downtime_rate_scales(&uncertain_rate_scenario(|t| t), false);
}

#[test]
fn an_uncertain_pure_cost_rate_is_recosted_with_the_same_scaling() {
    // Without a degraded cost the rate re-costs exactly (experiment::recost): no simulation.
    let s = uncertain_rate_scenario(|t| {
        t.replace("degraded_cost_fraction = 0.3", "degraded_cost_fraction = 0")
    });
    check_downtime_rate_scales(&s, true);
}

#[test]
fn recosted_sets_equal_simulated_sets_bit_for_bit() {
    // The fast path is the same arithmetic as a simulation of the drawn set.
    let s = uncertain_rate_scenario(|t| {
        t.replace("degraded_cost_fraction = 0.3", "degraded_cost_fraction = 0")
    });
    let (_, u) = run(&s, 5);
    assert!(u.recosted);
    for set in &u.sets {
        let drawn = incsim::scenario::uncertain::apply(&s, &set.inputs);
        let sim = run_replications(&drawn, 0..s.simulation.replications, &mut |_| {});
        for (strategy, means) in set.means.iter().enumerate() {
            for (m, &got) in u.metrics.iter().zip(means) {
                assert_eq!(
                    got.to_bits(),
                    mean(&sim, strategy, *m).to_bits(),
                    "{}",
                    m.name()
                );
            }
        }
    }
}

#[test]
fn a_plain_run_uses_the_mode_midpoint_or_median() {
    let text = DEFAULT_SCENARIO_TOML
        .replace("downtime_cost_per_hour = 12000", UNCERTAIN_RATE)
        .replace(
            "annual_cost = 60000",
            r#"annual_cost = { uncertain = "uniform", min = 50000, max = 80000 }"#,
        )
        .replace(
            r#"escalate_after = "30m""#,
            r#"escalate_after = { uncertain = "lognormal", p10 = "10m", p90 = "90m" }"#,
        )
        .replace(
            "staff = 3",
            r#"staff = { uncertain = "pert", min = 2, mode = 3, max = 6 }"#,
        );
    let s = parse_str(&text, "u.toml").expect("valid");
    assert_eq!(s.services[0].downtime_cost_per_hour, 12000.0);
    assert_eq!(s.strategies[1].annual_cost, 65000.0);
    // √(10 · 90) = 30 minutes.
    assert!((s.strategies[1].escalate_after - 30.0).abs() < 1e-9);
    assert_eq!(s.tiers[0].staff, 3);
    // In the registry's file order: tiers, services, strategies.
    let paths: Vec<&str> = s.uncertain.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "tiers.help-desk.staff",
            "services.email.downtime_cost_per_hour",
            "strategies.proactive.escalate_after",
            "strategies.proactive.annual_cost",
        ]
    );
    assert_eq!(
        s.uncertain[2].spread,
        Spread::Lognormal {
            p10: 10.0,
            p90: 90.0
        }
    );
    // Counts are drawn whole.
    for p in [0.01, 0.3, 0.77, 0.99] {
        let staff = s.uncertain[0].quantile(p);
        assert_eq!(staff, staff.round());
        assert!((2.0..=6.0).contains(&staff));
    }
    // The same file with the modes written plainly is the same scenario, less the ranges.
    let plain = DEFAULT_SCENARIO_TOML.replace("annual_cost = 60000", "annual_cost = 65000");
    let mut plain = parse_str(&plain, "u.toml").unwrap();
    plain.strategies[1].escalate_after = s.strategies[1].escalate_after;
    let mut stripped = s.clone();
    stripped.uncertain.clear();
    assert_eq!(stripped, plain);
}

#[test]
fn a_scenario_without_uncertain_inputs_has_none_and_is_refused_by_uncertainty() {
    let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
    assert!(s.uncertain.is_empty());
    let main = run_replications(&s, 0..2, &mut |_| {});
    assert_eq!(
        uncertainty::run(&s, &main, 4, &mut |_| {}).unwrap_err(),
        uncertainty::UncertaintyError::NoInputs
    );
}

#[test]
fn p_cheaper_is_the_share_of_sets_where_the_candidate_mean_is_lower() {
    // The candidate's annual cost spans its savings: some sets favour it, some do not.
    let text = DEFAULT_SCENARIO_TOML.replace(
        "annual_cost = 60000",
        r#"annual_cost = { uncertain = "uniform", min = 0, max = 2000000 }"#,
    );
    let mut s = parse_str(&text, "u.toml").unwrap();
    s.simulation.replications = 20;
    let (_, u) = run(&s, 40);
    let base = u.expected(0, Metric::TOTAL_COST);
    let cand = u.expected(1, Metric::TOTAL_COST);
    let lower = base.iter().zip(&cand).filter(|(b, c)| c < b).count();
    assert!(lower > 0 && lower < 40, "{lower}");
    assert_eq!(u.p_cheaper(0), lower as f64 / 40.0);
    // The annual cost is the only input: it drives the savings perfectly, downwards.
    assert_eq!(u.drivers(0), vec![(0, Some(-1.0))]);
}

fn incsim(args: &[&str], out: &std::path::Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(args)
        .args(["--quiet", "--no-sensitivity", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run incsim");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn uncertainty_outputs_are_byte_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (one, four) = (dir.path().join("one"), dir.path().join("four"));
    let args = [
        "run",
        "scenarios/uncertain.toml",
        "-n",
        "12",
        "--uncertainty",
        "6",
    ];
    let text = incsim(&[&args[..], &["--threads", "1"]].concat(), &one);
    incsim(&[&args[..], &["--threads", "4"]].concat(), &four);
    for file in [
        "summary.json",
        "summary.md",
        "report.html",
        "uncertainty.csv",
    ] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(four.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 4 threads");
    }
    assert!(text.contains("Across 6 parameter sets"), "{text}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("summary.json")).unwrap()).unwrap();
    let u = &summary["uncertainty"];
    assert_eq!(u["n_sets"], 6);
    assert_eq!(u["inputs"].as_array().unwrap().len(), 3);
    let c = &u["comparisons"][0];
    for key in ["p10", "p50", "p90"] {
        assert!(c["savings_per_year"][key].is_number());
        assert!(u["strategies"]["reactive"]["total_cost"][key].is_number());
    }
    assert!(c["p_cheaper"].is_number());
    assert_eq!(c["drivers"].as_array().unwrap().len(), 3);
    assert!(u["method"].as_str().unwrap().contains("Spearman"));
    let csv = std::fs::read_to_string(one.join("uncertainty.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "a header and one row per set");
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(html.contains("id=\"uncertainty\"") && html.contains("across parameter sets"));
}

#[test]
fn a_plain_run_says_its_uncertain_inputs_are_at_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    let text = incsim(&["run", "scenarios/uncertain.toml", "-n", "4"], dir.path());
    assert!(
        text.contains("3 uncertain inputs at their mode; --uncertainty N to admit them"),
        "{text}"
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("mode of triangular (min 8000, mode 12000, max 15000)"));
    assert!(!dir.path().join("uncertainty.csv").exists());
}

/// (line, field, part of the message) of each error of `text`.
fn errors(text: &str) -> Vec<(usize, String, String)> {
    parse_str(text, "bad.toml")
        .expect_err("invalid")
        .0
        .into_iter()
        .map(|e| (e.line.unwrap_or(0), e.field, e.message))
        .collect()
}

fn with_rate(value: &str) -> String {
    DEFAULT_SCENARIO_TOML.replace(
        "downtime_cost_per_hour = 12000",
        &format!("downtime_cost_per_hour = {value}"),
    )
}

const RATE_LINE: usize = 29;
const RATE: &str = "services.email.downtime_cost_per_hour";

#[test]
fn bad_uncertain_values_are_errors_at_their_line() {
    assert_eq!(
        DEFAULT_SCENARIO_TOML.lines().nth(RATE_LINE - 1),
        Some("downtime_cost_per_hour = 12000")
    );
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{ uncertain = "triangular", min = 15000, mode = 12000, max = 8000 }"#,
            RATE,
            "expected min < max in an uncertain triangular value",
        ),
        (
            r#"{ uncertain = "pert", min = 8000, mode = 20000, max = 15000 }"#,
            RATE,
            "expected min ≤ mode ≤ max",
        ),
        (
            r#"{ uncertain = "lognormal", p10 = 9000, p90 = 9000 }"#,
            RATE,
            "expected p10 < p90",
        ),
        (
            r#"{ uncertain = "triangle", min = 1, mode = 2, max = 3 }"#,
            "services.email.downtime_cost_per_hour.uncertain",
            "expected an uncertain kind",
        ),
        (
            r#"{ uncertain = "uniform", min = 1 }"#,
            "services.email.downtime_cost_per_hour.max",
            "expected the field \"max\"",
        ),
        (
            r#"{ uncertain = "uniform", min = 1, max = 3, mode = 2 }"#,
            "services.email.downtime_cost_per_hour.mode",
            "unknown field \"mode\" in an uncertain uniform value",
        ),
        (
            r#"{ uncertain = "uniform", min = -5, max = 3 }"#,
            "services.email.downtime_cost_per_hour.min",
            "expected an amount ≥ 0",
        ),
        (
            r#"{ uncertain = "uniform", min = "1h", max = 3 }"#,
            "services.email.downtime_cost_per_hour.min",
            "expected an amount",
        ),
    ];
    for (value, field, message) in cases {
        let found = errors(&with_rate(value));
        assert!(
            found
                .iter()
                .any(|(l, f, m)| *l == RATE_LINE && f == field && m.contains(message)),
            "{value}: {found:?}"
        );
    }
}

#[test]
fn uncertain_values_are_refused_where_the_field_takes_none_or_the_spread_passes_its_bounds() {
    let seed = DEFAULT_SCENARIO_TOML.replace(
        "seed = 42",
        r#"seed = { uncertain = "uniform", min = 1, max = 9 }"#,
    );
    let found = errors(&seed);
    assert!(
        found.iter().any(|(l, f, m)| *l == 7
            && f == "simulation.seed"
            && m.contains("takes no uncertain value")),
        "{found:?}"
    );
    let share = DEFAULT_SCENARIO_TOML.replace(
        "coverage = 0.85",
        r#"coverage = { uncertain = "lognormal", p10 = 0.5, p90 = 0.9 }"#,
    );
    let found = errors(&share);
    assert!(
        found
            .iter()
            .any(|(_, f, m)| f == "strategies.proactive.monitoring.coverage"
                && m.contains("bounded spread")),
        "{found:?}"
    );
    // Durations take duration strings, checked as durations.
    let bare = DEFAULT_SCENARIO_TOML.replace(
        r#"escalate_after = "30m""#,
        r#"escalate_after = { uncertain = "uniform", min = 10, max = "1h" }"#,
    );
    let found = errors(&bare);
    assert!(
        found
            .iter()
            .any(|(_, f, _)| f == "strategies.proactive.escalate_after.min"),
        "{found:?}"
    );
}

// ---- Sharded uncertainty runs (issue 15 item 5) and the note of fixed-input commands ----

use incsim::experiment::shard::{self, ShardFile, ShardSpec};
use std::collections::BTreeMap;
use std::path::Path;

/// Run incsim in `dir` with exactly `args`.
fn incsim_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run incsim")
}

fn ok_in(dir: &Path, args: &[&str]) -> String {
    let out = incsim_in(dir, args);
    assert!(
        out.status.success(),
        "incsim {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails_in(dir: &Path, args: &[&str]) -> String {
    let out = incsim_in(dir, args);
    assert!(!out.status.success(), "incsim {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

/// Every file of a folder (not the manifest), by name.
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != ".incsim-manifest")
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// `uncertain.toml` with only cost rates uncertain, each of which re-costs exactly: the
/// downtime rate of a service without a degraded cost, and the yearly cost.
fn cost_only_uncertain_toml() -> String {
    include_str!("../scenarios/uncertain.toml")
        .replace("degraded_cost_fraction = 0.3", "degraded_cost_fraction = 0")
        .replace(
            r#"coverage = { uncertain = "pert", min = 0.6, mode = 0.85, max = 0.95 }"#,
            "coverage = 0.85",
        )
}

const SETS: &str = "5";

/// `run --uncertainty 5` on one machine (1 thread) into `direct/`, as 3 shards (2 threads,
/// last shard first) into `shards/`, merged into `merged/`: the two folders hold the same
/// files, byte for byte. Returns the direct summary.json.
fn direct_equals_merged_uncertainty_shards(toml: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), toml).unwrap();
    let run = ["run", "s.toml", "-n", "13", "--uncertainty", SETS, "-q"];
    ok_in(
        d,
        &[&run[..], &["--threads", "1", "--out", "direct"]].concat(),
    );
    for k in (0..3).rev() {
        let spec = format!("{k}/3");
        ok_in(
            d,
            &[
                &run[..],
                &["--threads", "2", "--shard", &spec, "--out", "shards"],
            ]
            .concat(),
        );
    }
    let text = ok_in(d, &["merge", "shards", "--out", "merged"]);
    assert!(text.contains("Merged 3 shards"), "{text}");
    assert!(text.contains("Across 5 parameter sets"), "{text}");
    let (direct, merged) = (files_of(&d.join("direct")), files_of(&d.join("merged")));
    assert_eq!(
        direct.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>()
    );
    assert!(
        direct.contains_key("uncertainty.csv"),
        "{:?}",
        direct.keys()
    );
    for (name, bytes) in &direct {
        assert!(
            bytes == &merged[name],
            "{name} differs between direct and merged"
        );
    }
    serde_json::from_slice(&direct["summary.json"]).unwrap()
}

#[test]
fn a_sharded_uncertainty_run_merges_into_the_files_of_one_machine() {
    // Coverage is uncertain: every parameter set is simulated, in every shard.
    let summary =
        direct_equals_merged_uncertainty_shards(include_str!("../scenarios/uncertain.toml"));
    assert_eq!(summary["uncertainty"]["recosted"], false);
}

#[test]
fn a_sharded_re_costed_uncertainty_run_merges_into_the_files_of_one_machine() {
    // Only cost rates are uncertain: the shards carry no set, the merge re-costs the merged run.
    let summary = direct_equals_merged_uncertainty_shards(&cost_only_uncertain_toml());
    assert_eq!(summary["uncertainty"]["recosted"], true);
}

/// The shards' parameter sets, through their files' JSON and merged, are bit for bit the
/// sets of one machine (the library's view of the test above).
#[test]
fn merged_parameter_sets_equal_the_direct_ones_bit_for_bit() {
    for toml in [
        include_str!("../scenarios/uncertain.toml").to_string(),
        cost_only_uncertain_toml(),
    ] {
        let mut s = parse_str(&toml, "s.toml").unwrap();
        s.simulation.replications = 11;
        let (_, direct) = run(&s, 4);
        let shards = (0..3)
            .map(|k| {
                let spec = ShardSpec { index: k, count: 3 };
                let slice = run_replications(&s, spec.range(11), &mut |_| {});
                let sets = uncertainty::shard_sets(&s, &slice, 4, &mut |_| {}).unwrap();
                let text = ShardFile::new(&s, spec, "s", &slice)
                    .with_uncertainty(4, sets)
                    .to_json()
                    .unwrap();
                let name = spec.file_name();
                (name.clone(), ShardFile::from_json(&text, &name).unwrap())
            })
            .collect();
        let mut merged = shard::merge(shards).unwrap();
        assert_eq!(merged.take_uncertainty().unwrap(), Some(direct));
    }
}

#[test]
fn uncertainty_shards_of_another_run_or_edited_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("s.toml"),
        include_str!("../scenarios/uncertain.toml"),
    )
    .unwrap();
    let shard = |k: &str, extra: &[&str], out: &str| {
        let spec = format!("{k}/3");
        let args = [
            &[
                "run", "s.toml", "-n", "6", "-q", "--shard", &spec, "--out", out,
            ],
            extra,
        ]
        .concat();
        ok_in(d, &args);
    };
    for k in ["0", "1"] {
        shard(k, &["--uncertainty", "3"], "mixed");
        shard(k, &["--uncertainty", "3"], "other-n");
        shard(k, &["--uncertainty", "3"], "edited");
    }
    shard("2", &[], "mixed");
    shard("2", &["--uncertainty", "4"], "other-n");
    shard("2", &["--uncertainty", "3"], "edited");

    let e = fails_in(d, &["merge", "mixed", "--out", "m"]);
    assert!(
        e.contains("a plain run (no --uncertainty)") && e.contains("--uncertainty 3"),
        "{e}"
    );
    let e = fails_in(d, &["merge", "other-n", "--out", "m"]);
    assert!(
        e.contains("--uncertainty 4") && e.contains("--uncertainty 3"),
        "{e}"
    );
    // One simulated value of one parameter set, changed.
    let path = d.join("edited/shard-1-of-3.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.find("\"simulated\":[[[[").expect("simulated sets") + "\"simulated\":[[[[".len();
    std::fs::write(&path, format!("{}1{}", &text[..at], &text[at..])).unwrap();
    let e = fails_in(d, &["merge", "edited", "--out", "m"]);
    assert!(
        e.contains("shard-1-of-3.json") && e.contains("was changed"),
        "{e}"
    );
    assert!(!d.join("m").exists(), "nothing is written");
}

/// The sweep's varied input is uncertain itself; the other two stay at their modes.
const AT_MODE: &str = "2 uncertain inputs at their mode (services.email.downtime_cost_per_hour, strategies.proactive.annual_cost)";

#[test]
fn fixed_input_commands_say_their_uncertain_inputs_are_at_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("s.toml"),
        include_str!("../scenarios/uncertain.toml"),
    )
    .unwrap();
    let coverage = "strategies.proactive.monitoring.coverage";

    let text = ok_in(
        d,
        &[
            "sweep",
            "s.toml",
            "--vary",
            &format!("{coverage}=0.5:0.9:3"),
            "-n",
            "4",
            "-q",
            "--out",
            "sweep",
        ],
    );
    assert!(text.contains(AT_MODE), "{text}");
    assert!(
        text.contains(&format!("{coverage} is uncertain (PERT"))
            && text.contains("the sweep sets it itself"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("sweep/sweep.json")).unwrap()).unwrap();
    let block = &json["uncertain_inputs"];
    assert!(
        block["note"].as_str().unwrap().starts_with(AT_MODE),
        "{block}"
    );
    let used: Vec<&str> = block["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["used"].as_str().unwrap())
        .collect();
    assert_eq!(used, ["mode", "mode", "varied"]);

    let text = ok_in(
        d,
        &[
            "sweep",
            "s.toml",
            "--vary",
            &format!("{coverage}=0.5:0.9:2"),
            "--vary",
            "strategies.proactive.escalate_after=15m:1h:2",
            "-n",
            "3",
            "-q",
            "--out",
            "grid",
        ],
    );
    assert!(
        text.contains(AT_MODE) && text.contains("the grid sets it itself"),
        "{text}"
    );

    let text = ok_in(
        d,
        &["sensitivity", "s.toml", "-n", "3", "-q", "--out", "sens"],
    );
    assert!(text.contains("3 uncertain inputs at their mode"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("sens/sensitivity.json")).unwrap()).unwrap();
    assert!(
        json["uncertain_inputs"]["note"]
            .as_str()
            .unwrap()
            .contains("sensitivity analysis does not admit their ranges")
    );

    let text = ok_in(
        d,
        &[
            "select",
            "s.toml",
            "--delta",
            "100000",
            "--max-replications",
            "20",
            "-q",
            "--out",
            "sel",
        ],
    );
    assert!(text.contains("3 uncertain inputs at their mode"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("sel/selection.json")).unwrap()).unwrap();
    assert_eq!(
        json["uncertain_inputs"]["inputs"].as_array().unwrap().len(),
        3
    );

    // A scenario without uncertain inputs keeps its files as they were.
    std::fs::write(d.join("plain.toml"), DEFAULT_SCENARIO_TOML).unwrap();
    let text = ok_in(
        d,
        &[
            "sweep",
            "plain.toml",
            "--vary",
            &format!("{coverage}=0.5:0.9:2"),
            "-n",
            "3",
            "-q",
            "--out",
            "plain",
        ],
    );
    assert!(!text.contains("uncertain"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("plain/sweep.json")).unwrap()).unwrap();
    assert!(json.get("uncertain_inputs").is_none());
}

/// The built-in scenario with the proactive strategy's monitoring coverage uncertain, `edit`
/// applied to the text first, and 20 replications.
fn uncertain_coverage_scenario(edit: impl Fn(String) -> String) -> Scenario {
    let text = edit(DEFAULT_SCENARIO_TOML.replace(
        "coverage = 0.85",
        r#"coverage = { uncertain = "pert", min = 0.6, mode = 0.85, max = 0.95 }"#,
    ));
    let mut s = parse_str(&text, "uncertain-coverage.toml").expect("valid scenario");
    s.simulation.replications = 20;
    s
}

/// `run`'s uncertainty (which reuses and re-costs what it can) against simulating every
/// parameter set whole: the same values, bit for bit.
fn assert_same_as_simulating_every_set(s: &Scenario, sets: usize) -> Uncertainty {
    let (main, reused) = run(s, sets);
    assert!(!reused.recosted, "coverage changes the simulation");
    let metrics = uncertainty::cost_metrics();
    let whole = uncertainty::run_with(s, &main, sets, &mut |_, drawn| {
        let results = run_replications(drawn, main.reps.clone(), &mut |_| {});
        Ok(uncertainty::columns(&results, &metrics))
    })
    .expect("uncertainty run");
    assert_eq!(reused, whole);
    for (a, b) in reused.sets.iter().zip(&whole.sets) {
        let bits = |o: &uncertainty::SetOutcome| -> Vec<u64> {
            (o.means.iter().flatten())
                .chain(&o.savings_per_year)
                .map(|x| x.to_bits())
                .collect()
        };
        assert_eq!(bits(a), bits(b));
    }
    reused
}

/// Issue 19: a parameter set that changes only one strategy's inputs simulates that strategy
/// alone and takes the others' runs from the main run; every expected value is the bits of
/// simulating the whole set.
#[test]
fn sets_that_change_one_strategy_reuse_the_others_runs_bit_for_bit() {
    let s = uncertain_coverage_scenario(|t| t);
    let proactive = s.strategies.iter().position(|x| x.name == "proactive");
    let u = assert_same_as_simulating_every_set(&s, 4);
    for set in &u.sets {
        let drawn = incsim::scenario::uncertain::apply(&s, &set.inputs);
        assert_eq!(
            incsim::experiment::reuse::changed_strategies(&s, &drawn),
            Some(vec![proactive.unwrap()]),
            "only proactive changes, so only it is simulated"
        );
    }
}

/// Issue 19: a set that also changes a pure cost rate outside the strategies (a downtime rate
/// without a degraded cost) re-costs the unchanged strategies' runs to it and simulates only
/// the changed strategy: again the bits of simulating the whole set.
#[test]
fn sets_that_change_a_cost_rate_and_one_strategy_recost_the_others_bit_for_bit() {
    let s = uncertain_coverage_scenario(|t| {
        t.replace("downtime_cost_per_hour = 12000", UNCERTAIN_RATE)
            .replace("degraded_cost_fraction = 0.3", "degraded_cost_fraction = 0")
    });
    let u = assert_same_as_simulating_every_set(&s, 4);
    for set in &u.sets {
        let drawn = incsim::scenario::uncertain::apply(&s, &set.inputs);
        let mut outside = drawn.clone();
        outside.strategies.clone_from(&s.strategies);
        assert!(incsim::experiment::recost::recosts_exactly(&s, &outside));
        assert!(incsim::experiment::reuse::changed_strategies(&s, &drawn).is_none());
    }
}
