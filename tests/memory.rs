//! Issue 18, findings 6 and 10: memory known up front, however many strategies. The estimate
//! `validate` prints and `run` checks (`experiment::budget`) must cover what a run really
//! holds at its peak — measured here as the child process's peak resident set — without being
//! absurdly above it; and nothing a run keeps may grow with the square of the strategies
//! unless its output does (the pair list, capped in summary.json).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use incsim::experiment::budget;
use incsim::experiment::run_replications;
use incsim::metrics::Metric;
use incsim::report::{MAX_PAIR_STRATEGIES, Report, all_pairs};
use incsim::scenario::{DEFAULT_SCENARIO_TOML, Scenario, parse_str};

/// The built-in scenario with `k` strategies: its two, and `k − 2` copies of `proactive` that
/// differ only in `annual_cost` (as `scripts/many-strategies.sh` writes them).
fn many_strategies_toml(k: usize) -> String {
    let mut toml = DEFAULT_SCENARIO_TOML.to_string();
    for i in 2..k {
        toml.push_str(&format!(
            "\n[strategies.proactive-{i}]\n\
             monitoring = {{ coverage = 0.85, detect = {{ dist = \"exponential\", mean = \"15m\" }}, outage_detect = \"2m\", false_alarms_per_week = 2, triage = \"10m\" }}\n\
             alert_tier = \"help-desk\"\nroute_direct = 0.7\nescalate_after = \"30m\"\nhandoff = \"5m\"\n\
             fix_multiplier = 0.8\nannual_cost = {}\nticket_deflection = 0.5\n",
            60000 + 10 * i
        ));
    }
    toml
}

fn many_strategies(k: usize) -> Scenario {
    parse_str(&many_strategies_toml(k), "many.toml").unwrap()
}

/// Peak resident set of one `incsim` run, in bytes: the child's own `ru_maxrss` from
/// `wait4`, so other tests' children running at the same time do not count.
#[cfg(target_os = "linux")]
// The child is reaped by wait4 (for its own rusage), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn peak_rss_of_run(dir: &Path, args: &[&str]) -> u64 {
    let child = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("incsim starts");
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.expect("piped");
    // Read stderr to its end first, so a chatty child cannot block on a full pipe.
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 writes into the two structs given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "incsim {args:?} failed: {text}"
    );
    // Linux reports ru_maxrss in KiB.
    usage.ru_maxrss as u64 * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn the_estimate_covers_the_peak_of_runs_with_many_strategies_and_is_not_three_times_it() {
    let dir = tempfile::tempdir().unwrap();
    // From the built-in two strategies to hundreds: the per-replication rows dominate the
    // first, the per-strategy report material and the pair family the others. Each worker
    // thread holds its own simulator and replication in flight: two threads as well as one.
    for (k, n, threads) in [
        (2usize, 2000u64, 1usize),
        (2, 2000, 2),
        (101, 40, 1),
        (101, 40, 2),
        (301, 10, 1),
    ] {
        let path = dir.path().join(format!("k{k}.toml"));
        fs::write(&path, many_strategies_toml(k)).unwrap();
        let reps = n.to_string();
        let threads_arg = threads.to_string();
        let peak = peak_rss_of_run(
            dir.path(),
            &[
                "run",
                path.to_str().unwrap(),
                "-n",
                &reps,
                "--threads",
                &threads_arg,
                "--no-sensitivity",
                "--quiet",
                "--out",
                &format!("out{k}-{threads}"),
            ],
        );
        let s = many_strategies(k);
        let estimate = budget::run_bytes(&s, n, threads);
        eprintln!(
            "{k} strategies, {n} replications, {threads} threads: peak {} MB, estimate {} MB",
            peak >> 20,
            estimate >> 20
        );
        assert!(
            estimate >= budget::run_bytes(&s, n, 1),
            "more threads, no less memory"
        );
        assert!(
            estimate >= peak,
            "{k} strategies × {n}, {threads} threads: the estimate {estimate} B is below the measured peak {peak} B"
        );
        assert!(
            estimate <= 3 * peak,
            "{k} strategies × {n}, {threads} threads: the estimate {estimate} B is over three times the measured peak {peak} B"
        );
    }
}

/// With the report's compact sensitivity (no `--no-sensitivity`): its plan's values per input
/// and its working copies, which the estimate counts on top of the run (41 strategies, 479
/// inputs; before the plan stopped holding two scenario copies per input it peaked at 60 MB).
#[cfg(target_os = "linux")]
#[test]
fn the_estimate_with_the_compact_sensitivity_covers_its_peak() {
    let dir = tempfile::tempdir().unwrap();
    let k = 41;
    let path = dir.path().join("k41.toml");
    fs::write(&path, many_strategies_toml(k)).unwrap();
    {
        let threads = "1";
        let peak = peak_rss_of_run(
            dir.path(),
            &[
                "run",
                path.to_str().unwrap(),
                "-n",
                "20",
                "--threads",
                threads,
                "--quiet",
                "--out",
                &format!("out{threads}"),
            ],
        );
        let s = many_strategies(k);
        let analysis = budget::sensitivity_bytes(&s);
        let estimate = budget::run_bytes(&s, 20, threads.parse().unwrap()) + analysis;
        eprintln!(
            "{k} strategies with the sensitivity, {threads} threads: peak {} MB, estimate {} MB ({} MB for the sensitivity)",
            peak >> 20,
            estimate >> 20,
            analysis >> 20
        );
        assert!(analysis > 0);
        assert!(
            estimate >= peak,
            "the estimate {estimate} B is below the measured peak {peak} B"
        );
        assert!(
            estimate <= 3 * peak,
            "the estimate {estimate} B is over three times the measured peak {peak} B"
        );
    }
}

#[test]
fn summary_lists_the_pairs_of_the_twelve_cheapest_adjusted_over_every_pair() {
    // 20 strategies: 190 pairs compared, C(12, 2) = 66 listed.
    let mut s = many_strategies(20);
    s.simulation.replications = 12;
    s.simulation.horizon_minutes = 60.0 * 1440.0;
    let results = run_replications(&s, 0..12, &mut |_| {});
    let r = Report::build(&s, &results);
    assert_eq!(r.pairs_compared, 190);
    assert_eq!(
        r.pairs.len(),
        MAX_PAIR_STRATEGIES * (MAX_PAIR_STRATEGIES - 1) / 2
    );
    // The listed strategies are the 12 with the lowest mean total cost.
    let mut by_cost: Vec<(f64, usize)> = r
        .strategies
        .iter()
        .enumerate()
        .map(|(i, st)| (st.metric(Metric::TOTAL_COST).unwrap().mean, i))
        .collect();
    by_cost.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let cheapest: Vec<&str> = by_cost[..MAX_PAIR_STRATEGIES]
        .iter()
        .map(|&(_, i)| r.strategies[i].name.as_str())
        .collect();
    for p in &r.pairs {
        assert!(cheapest.contains(&p.a.as_str()) && cheapest.contains(&p.b.as_str()));
    }
    // Each listed pair carries, bit for bit, the numbers of the list of every pair: the
    // adjustments count all 190 pairs, not the 66 shown.
    let every = all_pairs(&s, &results, Metric::TOTAL_COST);
    assert_eq!(every.len(), 190);
    for p in &r.pairs {
        let same = every
            .iter()
            .find(|q| q.a == p.a && q.b == p.b)
            .expect("a listed pair is a pair");
        assert_eq!(p, same);
    }
    let json = r.to_json();
    assert_eq!(json["pairs"].as_array().unwrap().len(), 66);
    assert_eq!(json["pairs_omitted"], 124);
    let method = json["pairs_method"].as_str().unwrap();
    assert!(
        method.contains("190") && method.contains("12 strategies"),
        "{method}"
    );
}

#[test]
fn twelve_strategies_list_every_pair_and_say_nothing_omitted() {
    let mut s = many_strategies(12);
    s.simulation.horizon_minutes = 30.0 * 1440.0;
    let results = run_replications(&s, 0..5, &mut |_| {});
    let r = Report::build(&s, &results);
    assert_eq!((r.pairs.len(), r.pairs_compared), (66, 66));
    let json = r.to_json();
    assert!(json.get("pairs_omitted").is_none());
    assert!(
        json["pairs_method"]
            .as_str()
            .unwrap()
            .starts_with("every pair")
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_thousand_strategies_beyond_memory_are_refused_up_front_with_a_way_out() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k1001.toml");
    fs::write(&path, many_strategies_toml(1001)).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_incsim"));
    cmd.args([
        "run",
        path.to_str().unwrap(),
        "-n",
        "100",
        "--out",
        "o",
        "--quiet",
    ])
    .current_dir(dir.path());
    // SAFETY: setrlimit between fork and exec touches only the child's limits. 300 MB is
    // below what the strategies alone need (about 340 MB before the first replication).
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 300 << 20,
                rlim_max: 300 << 20,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("1001 strategies") && e.contains("fewer strategies"),
        "{e}"
    );
    assert!(!dir.path().join("o").exists());
}

/// The rows of `file` (a shipped scenario) over three replications.
fn shipped(file: &str) -> (Scenario, incsim::experiment::ExperimentResults) {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let scenario = parse_str(&fs::read_to_string(&path).unwrap(), &path).unwrap();
    let results = run_replications(&scenario, 0..3, &mut |_| {});
    (scenario, results)
}

/// Issue 19: a replication keeps no per-service or per-tier column that is zero by
/// construction. Without dependencies the inherited outage column is empty, and without on-call
/// tiers the page columns are; the report still reads zeros from them. With dependencies or
/// on-call the columns are whole and add up to their totals.
#[test]
fn a_replication_keeps_no_column_that_must_be_zero() {
    let (benchmark, results) = shipped("benchmark.toml");
    for row in results.strategies.iter().flat_map(|s| &s.rows) {
        assert!(row.service_inherited_outage_minutes.is_empty());
        assert!(row.tier_pages.is_empty() && row.tier_pages_asleep.is_empty());
        assert_eq!(row.inherited_outage_minutes.to_bits(), 0.0f64.to_bits());
    }
    let report = Report::build(&benchmark, &results);
    for strategy in &report.strategies {
        for service in &strategy.services {
            assert_eq!(service.inherited_outage_minutes.unwrap().mean, 0.0);
        }
    }
    // 48 services, 4 tiers, 2 strategies: the empty columns were about 1.2 kB of the 4.1 kB
    // estimated before; packed rows (issue 19) took the estimate from 2.9 to 2.5 kB.
    let per_rep = budget::bytes_per_replication(&benchmark);
    assert!(per_rep < 2600, "{per_rep} bytes per replication");
    // What a replication really keeps, rows and cost checkpoints of both strategies: under
    // 2 KiB with room for the allocator's headers (1.88 KiB measured as peak RSS growth from
    // -n 1,000 to -n 10,000; 2.5 KiB when rows were kept unpacked).
    let kept: usize = results
        .strategies
        .iter()
        .map(|s| s.rows.bytes() + 4 * s.cost_checkpoints.len() * incsim::projections::CHECKPOINTS)
        .sum::<usize>()
        / results.reps.clone().count();
    assert!(kept < 1900, "{kept} bytes kept per replication");

    let (_, with_dependencies) = shipped("shared-database.toml");
    for row in with_dependencies.strategies.iter().flat_map(|s| &s.rows) {
        let column = &row.service_inherited_outage_minutes;
        assert_eq!(column.len(), row.service_outage_minutes.len());
        let total: f64 = column.iter().sum();
        assert_eq!(total.to_bits(), row.inherited_outage_minutes.to_bits());
    }
    assert!(
        with_dependencies.strategies[0]
            .rows
            .iter()
            .any(|r| r.inherited_outage_minutes > 0.0)
    );

    let (default, with_on_call) = shipped("default.toml");
    for row in with_on_call.strategies.iter().flat_map(|s| &s.rows) {
        assert_eq!(row.tier_pages.len(), default.tiers.len());
        assert_eq!(row.tier_pages.iter().sum::<u64>(), row.pages);
        assert_eq!(row.tier_pages_asleep.iter().sum::<u64>(), row.pages_asleep);
    }
    assert!(
        with_on_call
            .strategies
            .iter()
            .any(|s| s.rows.iter().any(|r| r.pages > 0))
    );
}
