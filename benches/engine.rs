//! Benchmarks: the event queue alone, and one full replication of `scenarios/benchmark.toml`.
//!
//! Run with `cargo bench`; criterion reports time per iteration and throughput.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use incsim::engine::Scheduler;
use incsim::model::Simulator;
use incsim::projections::MetricsProjection;
use incsim::rng::{Purpose, stream, uniform};

/// Hold-model benchmark of the scheduler: a steady queue of 64 timers, each pop schedules one
/// new timer a random time later (the shape of the model's load).
fn scheduler_hold(c: &mut Criterion) {
    const OPS: u64 = 100_000;
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(OPS));
    group.bench_function("scheduler hold, 64 pending, 100k pops", |b| {
        b.iter_batched(
            || {
                let mut s = Scheduler::new();
                let mut rng = stream(1, 0, Purpose::FalseAlarms, 0, 0);
                for i in 0..64u32 {
                    s.schedule(uniform(&mut rng) * 100.0, i);
                }
                (s, rng)
            },
            |(mut s, mut rng)| {
                for _ in 0..OPS {
                    let (t, p) = s.pop_before(f64::INFINITY).unwrap();
                    s.schedule(t + uniform(&mut rng) * 100.0, black_box(p));
                }
                s
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn benchmark_scenario() -> incsim::scenario::Scenario {
    let text = include_str!("../scenarios/benchmark.toml");
    incsim::scenario::parse_str(text, "scenarios/benchmark.toml")
        .expect("benchmark scenario is valid")
}

/// One replication of every strategy of the benchmark scenario, folded into metrics (the
/// fast path of `incsim run`: no event log).
fn full_replication(c: &mut Criterion) {
    let scenario = benchmark_scenario();
    let mut sim = Simulator::new();
    let mut projection = MetricsProjection::new(&scenario, 0);
    // Count events once to report events/s.
    let events: u64 = (0..scenario.strategies.len())
        .map(|s| sim.run(&scenario, s, 0, &mut projection).events)
        .sum();
    let mut group = c.benchmark_group("model");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function("benchmark.toml, one replication, all strategies", |b| {
        b.iter(|| {
            for s in 0..scenario.strategies.len() {
                black_box(sim.run(&scenario, s, 0, &mut projection));
            }
            black_box(projection.metrics().total_cost)
        })
    });
    group.finish();
}

criterion_group!(benches, scheduler_hold, full_replication);
criterion_main!(benches);
