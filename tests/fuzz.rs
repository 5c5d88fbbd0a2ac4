//! Fuzzing the whole pipeline: parse → validate → a short run → every export, on mutated
//! scenario text. No input may panic or hang. The default case count keeps `cargo test` fast;
//! the documented million-input run is
//! `PROPTEST_CASES=1000000 cargo test --release --test fuzz`.

use incsim::experiment::run_replications;
use incsim::export::{csv, markdown, terminal};
use incsim::report::Report;
use incsim::scenario::{DEFAULT_SCENARIO_TOML, parse_str};
use proptest::prelude::*;

/// Values that stress validation: edges, huge, tiny, negative, not-a-number, wrong types.
const NASTY_VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "0.5",
    "1e308",
    "-1e308",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "18446744073709551616",
    "9223372036854775807",
    "\"0m\"",
    "\"1s\"",
    "\"0.0001s\"",
    "\"100000w\"",
    "\"-5m\"",
    "\"1e3m\"",
    "\"5\"",
    "\"\"",
    "\"1h30m\"",
    "\"2d 4h\"",
    "true",
    "[]",
    "{}",
    "{ dist = \"fixed\" }",
    "{ dist = \"exponential\", mean = \"0m\" }",
    "{ dist = \"weibull\", shape = 0.01, scale = \"1d\" }",
    "{ dist = \"gamma\", shape = 1e-9, mean = \"1h\" }",
    "{ dist = \"pert\", min = \"1h\", mode = \"1h\", max = \"1h\" }",
    "{ dist = \"empirical\", samples = [] }",
    "{ dist = \"empirical\", samples = [\"0m\", \"1m\"] }",
    "{ dist = \"lognormal\", median = \"1m\", p90 = \"1000w\" }",
    "\"business\"",
    "\"24x7\"",
    "\"help-desk\"",
    "\"senior-network-engineer\"",
    "\"nobody\"",
];

/// Replace the value of the `line`-th `key = value` line with a nasty value, or delete or
/// duplicate that line.
fn mutate(text: &str, line: usize, value: usize, action: u8) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let target = line % lines.len();
    let mut out = Vec::with_capacity(lines.len() + 1);
    for (i, l) in lines.iter().enumerate() {
        if i != target {
            out.push(l.to_string());
            continue;
        }
        match action % 4 {
            0 | 1 => match l.split_once('=') {
                Some((key, _)) if !l.trim_start().starts_with('[') => out.push(format!(
                    "{key}= {}",
                    NASTY_VALUES[value % NASTY_VALUES.len()]
                )),
                _ => out.push(l.to_string()),
            },
            2 => {}
            _ => {
                out.push(l.to_string());
                out.push(l.to_string());
            }
        }
    }
    out.join("\n")
}

/// Parse; if valid, simulate a little and render every output.
fn pipeline(text: &str) {
    let Ok(mut scenario) = parse_str(text, "fuzz.toml") else {
        return;
    };
    // A short run: a bounded horizon and two replications keep each input fast.
    scenario.simulation.horizon_minutes = scenario.simulation.horizon_minutes.min(30.0 * 1440.0);
    let results = run_replications(&scenario, 0..2, &mut |_| {});
    let report = Report::build(&scenario, &results);
    let _ = serde_json::to_string(&report.to_json()).expect("summary.json serializes");
    let _ = markdown::render(&report);
    let _ = terminal::render(&report);
    let _ = csv::render(&scenario, &results);
    // Charts and report.html: rendering is the slow part, so one input in eight.
    if text.len().is_multiple_of(8) {
        let _ = incsim::export::bundle::run_outputs(&scenario, &results).expect("outputs render");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn one_mutation_never_panics(line in any::<usize>(), value in any::<usize>(), action in any::<u8>()) {
        pipeline(&mutate(DEFAULT_SCENARIO_TOML, line, value, action));
    }

    #[test]
    fn three_mutations_never_panic(
        muts in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u8>()), 3)
    ) {
        let mut text = DEFAULT_SCENARIO_TOML.to_string();
        for (line, value, action) in muts {
            text = mutate(&text, line, value, action);
        }
        pipeline(&text);
    }
}

/// Findings of the fuzzer, kept as regressions: a money field of 1e308 made every total
/// infinite and the chart renderer spin on an infinite axis. Money is now bounded at 1e12.
#[test]
fn fuzz_findings_stay_fixed() {
    for (from, to) in [
        ("annual_cost = 0", "annual_cost = 1e308"),
        ("hourly_cost = 45", "hourly_cost = 1e308"),
        (
            "downtime_cost_per_hour = 12000",
            "downtime_cost_per_hour = 1e13",
        ),
    ] {
        let text = DEFAULT_SCENARIO_TOML.replacen(from, to, 1);
        assert_ne!(text, DEFAULT_SCENARIO_TOML);
        let errors = parse_str(&text, "fuzz.toml").expect_err("absurd money is refused");
        let message = errors.to_string();
        assert!(message.contains("at most 1e12"), "{message}");
    }
    // The largest accepted amounts still give finite totals and render.
    let text = DEFAULT_SCENARIO_TOML
        .replacen("annual_cost = 0", "annual_cost = 1e12", 1)
        .replacen("hourly_cost = 45", "hourly_cost = 1e12", 1)
        .replacen(
            "downtime_cost_per_hour = 12000",
            "downtime_cost_per_hour = 1e12",
            1,
        );
    let scenario = parse_str(&text, "fuzz.toml").expect("valid");
    let results = run_replications(&scenario, 0..3, &mut |_| {});
    let (report, _files) =
        incsim::export::bundle::run_outputs(&scenario, &results).expect("renders");
    assert!(report.strategies.iter().all(|s| {
        s.metric(incsim::metrics::Metric::TOTAL_COST)
            .is_some_and(|t| t.mean.is_finite())
    }));
}

/// A small shard file and event log of the built-in scenario, as incsim writes them.
fn written_inputs() -> &'static (String, String) {
    use std::sync::OnceLock;
    static INPUTS: OnceLock<(String, String)> = OnceLock::new();
    INPUTS.get_or_init(|| {
        use incsim::experiment::shard::{ShardFile, ShardSpec};
        let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        s.simulation.replications = 4;
        let spec = ShardSpec { index: 0, count: 2 };
        let results = run_replications(&s, spec.range(4), &mut |_| {});
        let shard = ShardFile::new(&s, spec, "default", &results)
            .to_json()
            .unwrap();
        let mut log = Vec::new();
        incsim::eventlog::write_event_log(&s, &[0], &mut log, |_, _, _| Ok(())).unwrap();
        (shard, String::from_utf8(log).unwrap())
    })
}

/// Overwrite `len` bytes at `at` with `byte` (a flipped digit, a deleted quote, a cut line).
fn flip(text: &str, at: usize, len: usize, byte: u8) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    let at = at % b.len();
    for x in b.iter_mut().skip(at).take(len % 8 + 1) {
        *x = byte;
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Issue 18: a mutated shard is refused (digest, JSON or value check) and never panics;
    /// no mutation of its content gets past the digest.
    #[test]
    fn a_mutated_shard_is_refused_never_merged(at in any::<usize>(), len in any::<usize>(), byte in any::<u8>()) {
        let (shard, _) = written_inputs();
        let bytes = flip(shard, at, len, byte);
        let read = incsim::experiment::shard::ShardFile::read(bytes.as_slice(), "shard-0-of-2.json");
        if bytes != shard.as_bytes() {
            // Only a change the JSON reading cannot see (e.g. a space for a space) may pass.
            if let Ok(file) = read {
                let again = file.to_json().unwrap();
                prop_assert_eq!(again.as_str(), shard.as_str());
            }
        }
    }

    /// Issue 18: a mutated event log replays or is refused with a line number; never a panic.
    #[test]
    fn a_mutated_event_log_never_panics(at in any::<usize>(), len in any::<usize>(), byte in any::<u8>()) {
        let (_, log) = written_inputs();
        let bytes = flip(log, at, len, byte);
        let _ = incsim::eventlog::replay::replay(bytes.as_slice(), "events.jsonl", |_, _| {});
    }
}
