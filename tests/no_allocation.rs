//! The fast path (no event log) allocates nothing per event: once a simulator's buffers are
//! warm, a whole replication runs without touching the heap allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use incsim::events::{Event, EventSink};
use incsim::model::Simulator;

struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.with(|a| a.set(a.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.with(|a| a.set(a.get() + 1));
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

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
    COUNTING.with(|c| c.set(true));
    for s in 0..scenario.strategies.len() {
        sim.run(&scenario, s, 0, &mut count);
        sim.run(&scenario, s, 1, &mut projection);
    }
    COUNTING.with(|c| c.set(false));
    let allocations = ALLOCATIONS.with(|a| a.get());
    assert!(count.0 > 10_000, "a real workload: {} events", count.0);
    assert_eq!(
        allocations, 0,
        "{allocations} allocations during {} events",
        count.0
    );
}
