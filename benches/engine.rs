//! Benchmarks of the hot pieces: the event queue (heap and keyed timers), the keyed random
//! streams, and one full replication of `scenarios/benchmark.toml`.
//!
//! Run with `cargo bench`; criterion reports time per iteration and throughput.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use incsim::engine::Scheduler;
use incsim::model::Simulator;
use incsim::projections::MetricsProjection;
use incsim::rng::{Purpose, stream, substream, uniform};

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

/// The random numbers of one failure: a keyed stream derived from its key, then one
/// substream per duration drawn (the shape of the model's `Failure` stream: time to failure,
/// mode coin, warning, fix, report delay), with the benchmark's kinds of distributions.
fn stream_draws(c: &mut Criterion) {
    use incsim::scenario::Dist;
    const FAILURES: u64 = 10_000;
    let weibull = Dist::Weibull {
        shape: 1.4,
        scale: 14_400.0,
    };
    let lognormal = Dist::lognormal_median_p90(120.0, 1440.0);
    let exponential = Dist::Exponential { mean: 30.0 };
    let mut group = c.benchmark_group("streams");
    group.throughput(Throughput::Elements(FAILURES));
    group.bench_function("keyed stream + 4 substream draws, 10k failures", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for k in 0..FAILURES {
                let mut common = stream(2026, 7, Purpose::Failure, k % 48, k);
                sum += weibull.sample(&mut substream(&mut common));
                sum += uniform(&mut common);
                sum += lognormal.sample(&mut substream(&mut common));
                sum += lognormal.sample(&mut substream(&mut common));
                sum += exponential.sample(&mut substream(&mut common));
            }
            black_box(sum)
        })
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
            // As the experiment runs it: common draws shared between the strategies.
            let mut total = 0.0;
            sim.run_each_strategy(&scenario, 0, &mut projection, |_, p, stats| {
                black_box(stats);
                total += p.metrics().total_cost;
            });
            black_box(total)
        })
    });
    group.finish();
}

/// The model's shape of load: 48 keyed timers (each service's next failure, far off) beside a
/// few short heap timers; each pop schedules its successor the same way.
fn scheduler_keyed(c: &mut Criterion) {
    const OPS: u64 = 100_000;
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(OPS));
    group.bench_function("scheduler, 48 keyed + 6 heap timers, 100k pops", |b| {
        b.iter_batched(
            || {
                let mut s = Scheduler::new();
                s.reset_with_keyed(48);
                let mut rng = stream(1, 0, Purpose::FalseAlarms, 0, 0);
                for i in 0..48u32 {
                    s.schedule_keyed(i as usize, uniform(&mut rng) * 10_000.0, i);
                }
                for i in 48..54u32 {
                    s.schedule(uniform(&mut rng) * 100.0, i);
                }
                (s, rng)
            },
            |(mut s, mut rng)| {
                for _ in 0..OPS {
                    let (t, p) = s.pop_before(f64::INFINITY).unwrap();
                    if p < 48 {
                        s.schedule_keyed(p as usize, t + uniform(&mut rng) * 10_000.0, p);
                    } else {
                        s.schedule(t + uniform(&mut rng) * 100.0, black_box(p));
                    }
                }
                s
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(
    benches,
    scheduler_hold,
    scheduler_keyed,
    stream_draws,
    full_replication
);
criterion_main!(benches);
