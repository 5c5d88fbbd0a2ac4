//! Memory a run will hold, known before it starts: every replication's row is kept (the
//! statistics need them all), so a run too large for this machine is refused up front with a
//! way out, instead of aborting halfway when an allocation fails.

use crate::projections::CHECKPOINTS;
use crate::projections::metrics::RepMetrics;
use crate::scenario::Scenario;

/// Memory besides the rows: the program, the thread pool, the report and its charts.
const BASE_BYTES: u64 = 64 << 20;

/// Bytes one replication of every strategy keeps until the report is written: the row, its
/// per-tier and per-service values (each a heap block with its allocator header), the cost
/// checkpoints, and about a tenth more for the report's sorted copies. Measured: the built-in
/// scenario (2 strategies, 2 tiers, 1 service) holds about 1.06 KB per replication.
pub fn bytes_per_replication(s: &Scenario) -> u64 {
    let tiers = s.tiers.len() as u64;
    let services = s.services.len() as u64;
    let heap = 3 * 16 + 8 * tiers + 16 * tiers + 8 * services;
    let row = std::mem::size_of::<RepMetrics>() as u64 + heap + 4 * CHECKPOINTS as u64;
    (s.strategies.len() as u64 * row) * 11 / 10
}

/// Bytes a run of `replications` replications of `s` will hold at its peak (an estimate).
pub fn run_bytes(s: &Scenario, replications: u64) -> u64 {
    BASE_BYTES.saturating_add(replications.saturating_mul(bytes_per_replication(s)))
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

/// Refuse a run that will not fit in the memory available now, saying how many replications
/// would, and how to get the rest (shards on other machines).
pub fn check_fits(s: &Scenario, replications: u64) -> Result<(), String> {
    let Some(available) = available_bytes() else {
        return Ok(());
    };
    let needed = run_bytes(s, replications);
    if needed <= available {
        return Ok(());
    }
    let per = bytes_per_replication(s).max(1);
    let fits = available.saturating_sub(BASE_BYTES) / per;
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
    fn the_built_in_scenario_needs_at_most_two_kibibytes_per_replication() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let per = bytes_per_replication(&s);
        assert!((800..=2048).contains(&per), "{per}");
        // The accepted maximum, 10 million replications: about 10 GB, said up front.
        assert!(run_bytes(&s, 10_000_000) > 8_000_000_000);
    }

    #[test]
    fn batches_shrink_with_many_strategies_and_never_below_sixteen() {
        assert_eq!(batch_size(2), 512);
        assert_eq!(batch_size(1001), 65);
        assert_eq!(batch_size(1_000_000), 16);
    }
}
