//! Memory a run will hold, known before it starts: every replication's row is kept (the
//! statistics need them all), each strategy's report material, and one number per pair of
//! strategies, so a run too large for this machine is refused up front with a way out,
//! instead of aborting halfway when an allocation fails. Nothing else grows with the square of
//! the strategies (issue 18: 1,001 strategies peaked at 2.7 GB against an estimate of 0.15 GB,
//! now 0.41 GB against 0.47 GB) — except the compact sensitivity `run` adds to its report,
//! whose plan holds a few values per input and, while it runs, two scenario copies
//! ([`sensitivity_bytes`]).

use super::rows::Rows;
use crate::projections::CHECKPOINTS;
use crate::projections::metrics::{MetricsProjection, RepCurves};
use crate::scenario::Scenario;

/// Memory besides what grows with the scenario: the program, its libraries and fonts, the
/// thread pool. Measured: the built-in scenario at `-n 10` peaks at 16 MB; a run of 101
/// strategies at `-n 2` at 51 MB, which the per-strategy term below leaves about 24 MB of.
const BASE_BYTES: u64 = 32 << 20;

/// Bytes of report material one strategy holds whatever the replications: its summaries and
/// comparisons (about 40 metrics), their summary.json tree and text, its rows of report.html
/// and summary.md, its series in the SVG charts. Measured with 1,001 strategies of the built-in
/// scenario (2 tiers, 1 service) at `-n 2`: 260 MB, about 236 kB a strategy beyond the base.
const STRATEGY_BYTES: u64 = 224 << 10;

/// What each tier or service adds to a strategy's report material (its own summary.json
/// objects and table cells).
const STRATEGY_BYTES_PER_TIER_OR_SERVICE: u64 = 24 << 10;

/// The heap block glibc's malloc hands out for a request of `bytes` (8 bytes of header,
/// 16-byte granules, 32 at least); nothing for an empty vector.
fn heap_block(bytes: usize) -> u64 {
    if bytes == 0 {
        0
    } else {
        (bytes as u64 + 8).div_ceil(16).max(2) * 16
    }
}

/// Bytes one replication's row of `strategy` holds: its packed block at most (every scalar
/// stored; see [`Rows`]) and the block's pointer, for a row of the strategy's own shape as the
/// projection makes it.
fn row_bytes(s: &Scenario, strategy: usize) -> u64 {
    let shape = MetricsProjection::new(s, strategy).metrics();
    std::mem::size_of::<Box<[u64]>>() as u64 + heap_block(Rows::packed_bytes_at_most(&shape))
}

/// Bytes one replication of every strategy keeps until the report is written: each row, its
/// cost checkpoints (f32), the report's three per-replication chart series (outage hours,
/// loss, savings: f64 each), and a fifth more for the allocator's slack and the sorted
/// copies the summaries make. Measured: the built-in scenario (2 strategies, 2 tiers, 1
/// service) grows by 1.22 kB per replication (-n 10 to -n 100,000: 15 MB to 134 MB); the
/// benchmark (48 services, 4 tiers) by 1.88 KiB (-n 1,000 to -n 10,000).
pub fn bytes_per_replication(s: &Scenario) -> u64 {
    let kept: u64 = (0..s.strategies.len())
        .map(|i| row_bytes(s, i) + 4 * CHECKPOINTS as u64 + 3 * 8)
        .sum();
    kept * 6 / 5
}

/// Bytes the replications of one parallel batch hold while it is simulated: every strategy's
/// row and curves (restore histogram, cost checkpoints), on top of the rows kept.
fn batch_bytes(s: &Scenario, replications: u64) -> u64 {
    let in_flight = replications.min(batch_size(s.strategies.len()));
    let curves = std::mem::size_of::<RepCurves>() as u64;
    let per_rep: u64 = (0..s.strategies.len())
        .map(|i| row_bytes(s, i) + curves)
        .sum();
    in_flight.saturating_mul(per_rep)
}

/// Bytes each worker thread holds besides its share of the batch: its stack and malloc arena,
/// its own simulator (per tier and per service: queues, states, the replication's common draws)
/// and the replication it is simulating (every strategy's row and curves). Measured on top of
/// one thread, at `-n 200 --no-sensitivity`, 2 to 8 threads: the built-in scenario (2 tiers,
/// 1 service) 0.07 MB a thread, the benchmark (4 tiers, 48 services) 0.29 MB.
fn thread_bytes(s: &Scenario) -> u64 {
    let parts = (s.tiers.len() + s.services.len()) as u64;
    let curves = std::mem::size_of::<RepCurves>() as u64;
    let rep: u64 = (0..s.strategies.len())
        .map(|i| row_bytes(s, i) + curves)
        .sum();
    THREAD_BYTES + parts * THREAD_BYTES_PER_TIER_OR_SERVICE + rep
}

/// What a worker thread holds whatever the scenario (see [`thread_bytes`]).
const THREAD_BYTES: u64 = 256 << 10;

/// What each tier or service adds to a worker thread's simulator.
const THREAD_BYTES_PER_TIER_OR_SERVICE: u64 = 8 << 10;

/// Bytes the compact sensitivity (`run` without `--no-sensitivity`, two strategies or more)
/// holds on top of the run: its plan keeps, for every numeric input, the input's path, its
/// text and its moved values ([`PLAN_BYTES_PER_INPUT`]); while it runs, a working copy and the
/// changed scenario of the input being run (each [`SCENARIO_COPY_PER_JSON_BYTE`] times the
/// scenario's JSON). Measured: the benchmark (48 services, 662 inputs, 35 kB of JSON) peaks at
/// 22.5 MB with the sensitivity and at 17 MB without (it was 141 MB when the plan held two
/// whole scenario copies an input).
pub fn sensitivity_bytes(s: &Scenario) -> u64 {
    if s.strategies.len() < 2 {
        return 0;
    }
    let inputs = super::vary::parameters(s).len() as u64;
    let json = serde_json::to_vec(s).map_or(0, |v| v.len() as u64);
    inputs.saturating_mul(PLAN_BYTES_PER_INPUT).saturating_add(
        3u64.saturating_mul(json)
            .saturating_mul(SCENARIO_COPY_PER_JSON_BYTE),
    )
}

/// Bytes the sensitivity's plan keeps per input: its path and description, two values (a
/// distribution at most) and the applied texts; a generous round figure.
const PLAN_BYTES_PER_INPUT: u64 = 2048;

/// Bytes a copy of a scenario holds per byte of its JSON (measured 2.6 on the benchmark).
const SCENARIO_COPY_PER_JSON_BYTE: u64 = 4;

/// Bytes the report material of every strategy holds (see [`STRATEGY_BYTES`]).
fn strategies_bytes(s: &Scenario) -> u64 {
    let parts = (s.tiers.len() + s.services.len()) as u64;
    s.strategies.len() as u64 * (STRATEGY_BYTES + parts * STRATEGY_BYTES_PER_TIER_OR_SERVICE)
}

/// Bytes of the all-pairs comparison on total cost: one p-value (f64) per pair of
/// strategies, k(k−1)/2 of them, for the Holm adjustment over every pair
/// ([`crate::report::pair_table`]); the pairs summary.json lists are capped.
fn pairs_bytes(s: &Scenario) -> u64 {
    let k = s.strategies.len() as u64;
    k * k.saturating_sub(1) / 2 * 8
}

/// Bytes a run of `replications` replications of `s` with `threads` worker threads will hold
/// at its peak (an estimate, on the safe side: measured peaks of 2 to 1,001 strategies are
/// 1.05 to 2 times below it). Terms: the base, the report material of each strategy, the pair
/// family, the rows kept per replication, the batch in flight (shared by the threads, whatever
/// their number) and what each worker thread holds of its own.
pub fn run_bytes(s: &Scenario, replications: u64, threads: usize) -> u64 {
    BASE_BYTES
        .saturating_add((threads.max(1) as u64).saturating_mul(thread_bytes(s)))
        .saturating_add(strategies_bytes(s))
        .saturating_add(pairs_bytes(s))
        .saturating_add(replications.saturating_mul(bytes_per_replication(s)))
        .saturating_add(batch_bytes(s, replications))
}

/// Memory this process can have now: the least of Linux's `MemAvailable`, the cgroup's
/// `memory.max` (a container's limit) and the address-space limit (`ulimit -v`). None where
/// none is known.
pub fn available_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib.saturating_mul(1024))
        });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    [meminfo, cgroup, address_space_limit()]
        .into_iter()
        .flatten()
        .min()
}

#[cfg(unix)]
// `rlim_t` is u64 on Linux but not on every Unix.
#[allow(clippy::unnecessary_cast)]
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct passed; nothing else.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) };
    (rc == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn address_space_limit() -> Option<u64> {
    None
}

/// People-sized bytes: `850 MB`, `10.6 GB`.
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.0} kB", (b / 1e3).max(1.0))
    }
}

/// Refuse a run with `threads` worker threads (and the compact sensitivity when `sensitivity`)
/// that will not fit in the memory available now, saying how many replications would, and how
/// to get the rest (shards on other machines).
pub fn check_fits(
    s: &Scenario,
    replications: u64,
    threads: usize,
    sensitivity: bool,
) -> Result<(), String> {
    let Some(available) = available_bytes() else {
        return Ok(());
    };
    let analysis = if sensitivity { sensitivity_bytes(s) } else { 0 };
    let needed = run_bytes(s, replications, threads).saturating_add(analysis);
    if needed <= available {
        return Ok(());
    }
    let fixed = run_bytes(s, 0, threads).saturating_add(analysis);
    if fixed > available && analysis > 0 && fixed - analysis <= available {
        // The sensitivity's copies of the scenario are what does not fit.
        return Err(format!(
            "the report's compact sensitivity of this scenario needs about {} of memory (two copies of the scenario for each of its inputs), and this machine has {} available\n  \
             help: run with --no-sensitivity, or on a machine with more memory",
            human_bytes(analysis),
            human_bytes(available)
        ));
    }
    if fixed > available {
        // Not one replication fits: the strategies themselves are too many.
        return Err(format!(
            "{} strategies need about {} of memory before the first replication, and this machine has {} available\n  \
             help: compare fewer strategies in one run (split them over several scenario files, each with the baseline), or run on a machine with more memory",
            s.strategies.len(),
            human_bytes(fixed),
            human_bytes(available)
        ));
    }
    // The largest count that fits: run_bytes grows with the replications, so bisect below
    // the count the rows alone would allow.
    let per = bytes_per_replication(s).max(1);
    let (mut fits, mut too_many) = (0, (available - fixed) / per + 1);
    while too_many - fits > 1 {
        let mid = fits + (too_many - fits) / 2;
        if run_bytes(s, mid, threads).saturating_add(analysis) <= available {
            fits = mid;
        } else {
            too_many = mid;
        }
    }
    Err(format!(
        "{replications} replications of {} strategies need about {} of memory, and this machine has {} available\n  \
         help: run at most {fits} replications here, or split the run with --shard K/N over machines with more memory",
        s.strategies.len(),
        human_bytes(needed),
        human_bytes(available)
    ))
}

/// Replications simulated per parallel batch: 512, fewer with many strategies, so the batch's
/// per-strategy curves (about 1 KB each) stay near 64 MB whatever the scenario.
pub fn batch_size(strategies: usize) -> u64 {
    let per_rep = strategies.max(1) as u64 * 1024;
    ((64u64 << 20) / per_rep).clamp(16, 512)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn the_built_in_scenario_needs_what_was_measured_per_replication() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let per = bytes_per_replication(&s);
        // Measured 1.22 kB with packed rows (134 MB at -n 100,000, 15 MB at -n 10; 1.90 kB
        // before): at least that, at most half as much again.
        assert!((1220..=1830).contains(&per), "{per}");
        // The accepted maximum, 10 million replications: about 10 GB, said up front.
        assert!(run_bytes(&s, 10_000_000, 1) > 8_000_000_000);
    }

    #[test]
    fn each_thread_adds_its_own_simulator_and_replication_in_flight() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let one = run_bytes(&s, 1000, 1);
        let two = run_bytes(&s, 1000, 2);
        // Measured 0.07 MB a thread: at least that, on the safe side.
        assert!(two - one >= 70_000, "{}", two - one);
        assert_eq!(run_bytes(&s, 1000, 8) - one, 7 * (two - one));
        // No threads is one thread (the caller's).
        assert_eq!(run_bytes(&s, 1000, 0), one);
    }

    #[test]
    fn batches_shrink_with_many_strategies_and_never_below_sixteen() {
        assert_eq!(batch_size(2), 512);
        assert_eq!(batch_size(1001), 65);
        assert_eq!(batch_size(1_000_000), 16);
    }
}
