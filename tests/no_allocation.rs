//! The fast path (no event log) allocates nothing per event: once a simulator's buffers are
//! warm, a whole replication runs without touching the heap allocator.

mod alloc_count;
use alloc_count::allocations;

use incsim::events::{Event, EventSink};
use incsim::model::Simulator;

/// A sink that only counts (what a projection costs is measured by the projection itself).
struct Count(u64);
impl EventSink for Count {
    fn emit(&mut self, _event: &Event) {
        self.0 += 1;
    }
}

#[test]
fn a_warm_simulator_runs_a_replication_without_allocating() {
    let text = include_str!("../scenarios/benchmark.toml");
    let scenario = incsim::scenario::parse_str(text, "benchmark.toml").unwrap();
    let mut sim = Simulator::new();
    let mut projection = incsim::projections::MetricsProjection::new(&scenario, 0);
    // Warm-up: buffers grow to their working size.
    for rep in 0..3 {
        for s in 0..scenario.strategies.len() {
            sim.run(&scenario, s, rep, &mut projection);
        }
    }
    let mut count = Count(0);
    let allocations = allocations(|| {
        for s in 0..scenario.strategies.len() {
            sim.run(&scenario, s, 0, &mut count);
            sim.run(&scenario, s, 1, &mut projection);
        }
    });
    assert!(count.0 > 10_000, "a real workload: {} events", count.0);
    assert_eq!(
        allocations, 0,
        "{allocations} allocations during {} events",
        count.0
    );
}
