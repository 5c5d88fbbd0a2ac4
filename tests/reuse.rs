//! Studies reuse the runs of the strategies a variant leaves unchanged (issue 19): the spliced
//! results are bit-identical to simulating the whole variant, and a sweep of one strategy's
//! input simulates only that strategy after its first point.

use incsim::experiment::reuse::{changed_strategies, simulate_reusing};
use incsim::experiment::vary::{self, Setting};
use incsim::experiment::{ExperimentResults, run_replications, sweep};
use incsim::scenario::{DEFAULT_SCENARIO_TOML, Scenario, parse_str};

const REPS: u64 = 12;

fn base() -> Scenario {
    let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
    s.simulation.replications = REPS;
    s
}

fn simulate(s: &Scenario) -> ExperimentResults {
    run_replications(s, 0..s.simulation.replications, &mut |_| {})
}

fn varied(s: &Scenario, path: &str, setting: Setting) -> Scenario {
    vary::find(s, path).unwrap().apply(s, setting).unwrap().0
}

/// Every field of the results, floats by their bits.
fn assert_same(a: &ExperimentResults, b: &ExperimentResults, what: &str) {
    assert_eq!(a.reps, b.reps, "{what}");
    assert_eq!(a.events, b.events, "{what}: events");
    assert_eq!(a.strategies.len(), b.strategies.len(), "{what}");
    for (i, (x, y)) in a.strategies.iter().zip(&b.strategies).enumerate() {
        assert_eq!(x.events, y.events, "{what}: strategy {i} events");
        assert_eq!(x.restore_hist, y.restore_hist, "{what}: strategy {i}");
        let bits = |c: &[[f32; incsim::projections::CHECKPOINTS]]| -> Vec<u32> {
            c.iter().flatten().map(|v| v.to_bits()).collect()
        };
        assert_eq!(
            bits(&x.cost_checkpoints),
            bits(&y.cost_checkpoints),
            "{what}"
        );
        // RepMetrics compares its floats with ==; the Debug text compares them exactly.
        assert_eq!(format!("{:?}", x.rows), format!("{:?}", y.rows), "{what}");
    }
}

#[test]
fn a_strategy_input_reuses_the_other_strategies_runs_bit_for_bit() {
    let s = base();
    let from = simulate(&s);
    let proactive = s.strategy_index("proactive").unwrap();
    for (path, setting) in [
        ("strategies.proactive.escalate_after", Setting::Times(0.5)),
        ("strategies.proactive.monitoring.coverage", Setting::To(0.4)),
        ("strategies.reactive.fix_multiplier", Setting::Times(1.3)),
        ("strategies.proactive.handoff", Setting::Times(2.0)),
    ] {
        let variant = varied(&s, path, setting);
        let changed = changed_strategies(&s, &variant).expect("only a strategy changed");
        assert_eq!(changed.len(), 1, "{path}");
        assert_eq!(
            changed[0] == proactive,
            path.contains("proactive"),
            "{path}: {changed:?}"
        );
        let mut simulated_strategies = Vec::new();
        let mut sim = |v: &Scenario, p: &mut dyn FnMut(u64)| {
            simulated_strategies.push(v.strategies.len());
            run_replications(v, 0..v.simulation.replications, p)
        };
        let reused = simulate_reusing(&s, &from, &variant, &mut |_| {}, &mut sim)
            .expect("the other strategy is reused");
        assert_eq!(simulated_strategies, [1], "{path}: one strategy simulated");
        assert_same(&reused, &simulate(&variant), path);
    }
}

#[test]
fn an_input_outside_the_strategies_reuses_nothing() {
    let s = base();
    for path in [
        "tiers.help-desk.staff",
        "services.email.failures.every",
        "slas[0].respond",
    ] {
        let variant = varied(&s, path, Setting::Times(1.5));
        assert_eq!(changed_strategies(&s, &variant), None, "{path}");
    }
    // Renamed or removed strategies are not the same strategies.
    let mut renamed = s.clone();
    renamed.strategies[0].name = "other".into();
    assert_eq!(changed_strategies(&s, &renamed), None);
    let mut fewer = s.clone();
    fewer.strategies.pop();
    assert_eq!(changed_strategies(&s, &fewer), None);
    // Nothing changed: nothing to simulate.
    assert_eq!(changed_strategies(&s, &s.clone()), Some(vec![]));
}

#[test]
fn a_sweep_of_a_strategy_input_simulates_that_strategy_only_after_its_first_point() {
    let s = base();
    let parameter = vary::find(&s, "strategies.proactive.escalate_after").unwrap();
    let settings = [
        Setting::Times(0.5),
        Setting::Times(1.0),
        Setting::Times(2.0),
    ];
    let mut simulated_strategies = Vec::new();
    let mut sim = |v: &Scenario, p: &mut dyn FnMut(u64)| {
        simulated_strategies.push(v.strategies.len());
        run_replications(v, 0..v.simulation.replications, p)
    };
    let mut progress = 0;
    let swept = sweep::run_with(
        &s,
        &parameter,
        &settings,
        REPS,
        &mut |n| progress += n,
        &mut sim,
    )
    .unwrap();
    assert_eq!(simulated_strategies, [2, 1, 1]);
    // Progress counts every point as a whole run.
    assert_eq!(progress, 3 * REPS);
    // Each point's means are those of simulating the whole point.
    for (point, &setting) in swept.points.iter().zip(&settings) {
        let variant = varied(&s, "strategies.proactive.escalate_after", setting);
        let direct = simulate(&variant);
        let report = incsim::report::Report::build(&variant, &direct);
        for (i, st) in point.strategies.iter().enumerate() {
            let mean = report.strategies[i]
                .metric(incsim::metrics::Metric::TOTAL_COST)
                .unwrap()
                .mean;
            let per_year = incsim::scenario::MINUTES_PER_YEAR / s.simulation.horizon_minutes;
            assert_eq!(
                st.total_cost_per_year.to_bits(),
                (mean * per_year).to_bits(),
                "{setting:?} strategy {i}"
            );
        }
    }
}

/// Issue 19: with fewer replications per run than twice the threads (the compact analysis of
/// a large scenario runs one each), `Plan::run` runs the inputs in parallel instead of one
/// after another; the analysis is the same, every float by its bits, and the progress adds
/// up to every run's replications.
#[test]
fn a_sensitivity_with_few_replications_per_run_is_the_same_run_in_parallel() {
    use incsim::experiment::sensitivity::Plan;
    let s = base();
    let candidate = s.strategy_index("proactive").unwrap();
    let plan = Plan::new(&s, candidate, 0.2, None).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    for replications in [1, 3] {
        let (mut parallel_done, mut sequential_done) = (0, 0);
        let parallel = pool.install(|| plan.run(&s, replications, &mut |d| parallel_done += d));
        let sequential = pool.install(|| {
            plan.run_with(
                &s,
                replications,
                &mut |d| sequential_done += d,
                &mut |v: &Scenario, p: &mut dyn FnMut(u64)| {
                    run_replications(v, 0..v.simulation.replications, p)
                },
            )
        });
        assert_eq!(format!("{parallel:?}"), format!("{sequential:?}"));
        assert_eq!(parallel_done, plan.runs() * replications);
        assert_eq!(sequential_done, plan.runs() * replications);
        assert!(parallel.rows.iter().any(|r| r.swing > 0.0));
    }
}

/// Runs `a × b` as `incsim sweep --vary a --vary b` does, counting the strategies of each
/// simulation, and checks every cell's mean total cost of the proactive strategy against a
/// simulation of the whole cell, by its bits.
fn grid_simulates(s: &Scenario, a: (&str, [Setting; 2]), b: (&str, [Setting; 2])) -> Vec<usize> {
    use incsim::experiment::grid;
    use incsim::metrics::Metric;
    let (pa, pb) = (vary::find(s, a.0).unwrap(), vary::find(s, b.0).unwrap());
    let proactive = s.strategy_index("proactive").unwrap();
    let mut simulated_strategies = Vec::new();
    let mut sim = |v: &Scenario, p: &mut dyn FnMut(u64)| {
        simulated_strategies.push(v.strategies.len());
        run_replications(v, 0..v.simulation.replications, p)
    };
    let mut progress = 0;
    let g = grid::run_with(
        s,
        &pa,
        &a.1,
        &pb,
        &b.1,
        Metric::TOTAL_COST,
        proactive,
        REPS,
        &mut |n| progress += n,
        &mut sim,
    )
    .unwrap();
    assert_eq!(progress, 4 * REPS, "every cell counts as a whole run");
    let per_year = incsim::scenario::MINUTES_PER_YEAR / s.simulation.horizon_minutes;
    for cell in &g.cells {
        let variant = varied(&varied(s, a.0, a.1[cell.i]), b.0, b.1[cell.j]);
        let report = incsim::report::Report::build(&variant, &simulate(&variant));
        let summary = report.strategies[proactive]
            .metric(Metric::TOTAL_COST)
            .unwrap();
        assert_eq!(cell.mean.to_bits(), (summary.mean * per_year).to_bits());
        let half = summary.half_width() * per_year;
        assert_eq!(cell.half_width.to_bits(), half.to_bits());
    }
    simulated_strategies
}

/// Issue 19: a two-way grid re-costs the cells that differ from the first only in cost rates,
/// reuses the unchanged strategies' runs, and does both for a cell that changes a cost rate
/// outside the strategies and a strategy's input; every cell is the bits of a simulation.
#[test]
fn a_grid_recosts_and_reuses_what_it_can() {
    let s = base();
    // Two pure cost rates: only the first cell is simulated.
    let costs = grid_simulates(
        &s,
        (
            "strategies.proactive.annual_cost",
            [Setting::Times(0.5), Setting::Times(2.0)],
        ),
        (
            "tiers.help-desk.annual_cost_per_engineer",
            [Setting::To(40_000.0), Setting::To(90_000.0)],
        ),
    );
    assert_eq!(costs, [2]);
    // A strategy input × a downtime rate (re-costable without a degraded cost): the first
    // cell whole, then proactive alone twice (reused, then reused with reactive re-costed).
    let mut no_degraded_cost = s.clone();
    no_degraded_cost.services[0].degraded_cost_fraction = 0.0;
    let mixed = grid_simulates(
        &no_degraded_cost,
        (
            "strategies.proactive.escalate_after",
            [Setting::Times(1.0), Setting::Times(2.0)],
        ),
        (
            "services.email.downtime_cost_per_hour",
            [Setting::Times(1.0), Setting::Times(1.5)],
        ),
    );
    assert_eq!(mixed, [2, 1, 1]);
}
