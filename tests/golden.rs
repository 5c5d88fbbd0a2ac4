//! Golden test: scenarios that use none of the batch-2 fields keep their numbers.
//!
//! The files under `tests/golden/` were written by the binary *before* batch 2 (commit
//! 8113d9f). Every column they hold must come out byte-for-byte the same for the same seed and
//! replications; new columns may be added after them. `mail-server-v1.toml` is the built-in
//! scenario as it was before batch 2 (the built-in one gains on-call, tickets and an SLA). To
//! refresh after a deliberate change of numbers (say so in the README's changelog):
//! `INCSIM_BLESS=1 cargo test --test golden`.

use std::path::Path;
use std::process::Command;

fn run_replications_csv(scenario: &str, replications: u32) -> String {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["run", scenario, "--replications"])
        .arg(replications.to_string())
        .args(["--threads", "2", "--quiet", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run incsim");
    assert!(status.success(), "incsim run {scenario} failed");
    std::fs::read_to_string(out.join("replications.csv")).expect("replications.csv")
}

/// Split a CSV line of plain cells (the golden files hold numbers and simple names only).
fn cells(line: &str) -> Vec<&str> {
    line.trim_end_matches('\r').split(',').collect()
}

fn check_golden(scenario: &str, replications: u32, golden_name: &str) {
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(golden_name);
    let actual = run_replications_csv(scenario, replications);
    if std::env::var_os("INCSIM_BLESS").is_some() {
        std::fs::write(&golden_path, &actual).expect("write golden file");
        return;
    }
    let golden = std::fs::read_to_string(&golden_path).expect("golden file");
    let mut golden_lines = golden.lines();
    let mut actual_lines = actual.lines();
    let golden_header = cells(golden_lines.next().expect("golden header"));
    let actual_header = cells(actual_lines.next().expect("header"));
    let columns: Vec<(usize, usize)> = golden_header
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let a = actual_header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{golden_name}: column {name} is gone"));
            (g, a)
        })
        .collect();
    let mut rows = 0;
    for (line, (g, a)) in golden_lines.zip(actual_lines.by_ref()).enumerate() {
        let (g, a) = (cells(g), cells(a));
        for &(gi, ai) in &columns {
            assert_eq!(
                g[gi],
                a[ai],
                "{golden_name}: row {} column {} changed",
                line + 2,
                golden_header[gi]
            );
        }
        rows += 1;
    }
    assert_eq!(
        rows,
        golden.lines().count() - 1,
        "{golden_name}: rows missing"
    );
    assert!(actual_lines.next().is_none(), "{golden_name}: extra rows");
}

#[test]
fn built_in_scenario_of_batch_1_keeps_its_numbers() {
    check_golden("tests/golden/mail-server-v1.toml", 300, "default.csv");
}

#[test]
fn benchmark_scenario_keeps_its_numbers() {
    check_golden("scenarios/benchmark.toml", 30, "benchmark.csv");
}

#[test]
fn two_service_scenario_keeps_its_numbers() {
    check_golden("scenarios/two-services.toml", 200, "two-services.csv");
}
