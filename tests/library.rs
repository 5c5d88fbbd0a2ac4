//! The scenario library (`scenarios/`), `incsim init`, completions and the man page.

use std::path::Path;
use std::process::Command;

use incsim::experiment::run_replications;

const LIBRARY: [&str; 4] = ["saas-oncall", "internal-it", "msp", "bank-payments"];

fn incsim(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_incsim"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Every library scenario validates, runs both strategies, and has failures to compare.
#[test]
fn every_library_scenario_validates_and_runs() {
    for name in LIBRARY {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        let scenario = incsim::scenario::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(scenario.strategies.len(), 2, "{name}");
        let results = run_replications(&scenario, 0..20, &mut |_| {});
        for (s, strategy) in results.strategies.iter().enumerate() {
            let incidents: f64 = strategy.rows.iter().map(|r| r.incidents as f64).sum();
            assert!(
                incidents > 0.0,
                "{name}: strategy {s} saw no incident in 20 replications"
            );
        }
    }
}

/// The library's promise: every number says where it comes from. Each line that sets a
/// number carries a comment, or the line below it is a comment that explains it.
#[test]
fn every_number_in_the_library_is_commented() {
    for name in LIBRARY {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.split('#').next().unwrap_or("");
            let Some((key, value)) = code.split_once('=') else {
                continue;
            };
            let key = key.trim();
            // Names, text, and settings of the run itself are not claims about the world.
            if [
                "name",
                "description",
                "needs",
                "alert_tier",
                "hours",
                "horizon",
                "replications",
                "seed",
            ]
            .contains(&key)
                || !value.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            let commented = line.contains('#')
                || lines
                    .get(i + 1)
                    .is_some_and(|next| next.trim_start().starts_with('#'))
                || (i > 0
                    && lines[i - 1].trim_start().starts_with('#')
                    && !lines[i - 1].contains('='));
            assert!(
                commented,
                "{name}.toml line {}: `{line}` has no source comment",
                i + 1
            );
        }
    }
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let first = incsim(dir.path(), &["init"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let starter = dir.path().join("scenario.toml");
    let text = std::fs::read_to_string(&starter).unwrap();
    incsim::scenario::load(&starter).unwrap();
    // Every field of docs/model.md §3 appears with its meaning.
    for field in [
        "horizon",
        "replications",
        "seed",
        "staff",
        "hours",
        "hourly_cost",
        "priority",
        "downtime_cost_per_hour",
        "degraded_cost_fraction",
        "report_delay",
        "failures.every",
        "weight",
        "warning",
        "fix",
        "needs",
        "escalate_after",
        "handoff",
        "fix_multiplier",
        "annual_cost",
        "alert_tier",
        "route_direct",
        "coverage",
        "detect",
        "outage_detect",
        "false_alarms_per_week",
        "triage",
        "currency",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{field} = ")) && l.contains('#')),
            "{field} missing or without its meaning"
        );
    }
    std::fs::write(&starter, "mine").unwrap();
    let again = incsim(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(&starter).unwrap(),
        "mine",
        "left intact"
    );
}

#[test]
fn init_from_each_template_writes_that_scenario() {
    let dir = tempfile::tempdir().unwrap();
    for name in LIBRARY.iter().chain(&["default"]) {
        let run = incsim(dir.path(), &["init", "--from", name]);
        assert!(
            run.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        incsim::scenario::load(&dir.path().join(format!("{name}.toml"))).unwrap();
    }
    let unknown = incsim(dir.path(), &["init", "--from", "bank"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("bank-payments"));
    let outside = incsim(dir.path(), &["init", "--name", "../escape.toml"]);
    assert_eq!(outside.status.code(), Some(1));
    assert!(!dir.path().parent().unwrap().join("escape.toml").exists());
}

#[test]
fn completions_and_man_page_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let run = incsim(dir.path(), &["completions", shell]);
        assert!(run.status.success());
        assert!(
            String::from_utf8_lossy(&run.stdout).contains("sensitivity"),
            "{shell}"
        );
    }
    let man = incsim(dir.path(), &["man"]);
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH incsim 1") && page.contains("fit"));
}
