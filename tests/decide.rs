//! Decisions among many strategies (issue 15): the baseline, every pair with its adjusted
//! intervals, the sweep's optimum and ranking-and-selection.

use incsim::experiment::run_replications;
use incsim::metrics::Metric;
use incsim::report::Report;
use incsim::scenario::{Scenario, parse_str};

/// Five strategies that differ only in `annual_cost`, by `step` per strategy: `s0` is the
/// cheapest, then `s1`, … `s4`. With common random numbers each meets the same failures in the
/// same way, so the true order of total cost is known exactly.
fn five_by_annual_cost(step: f64, horizon: &str, reps: u64, seed: u64) -> Scenario {
    let mut toml = format!(
        r#"
name = "five"
[simulation]
horizon = "{horizon}"
replications = {reps}
seed = {seed}
[[tiers]]
name = "desk"
staff = 1
hourly_cost = 50
[[services]]
name = "app"
downtime_cost_per_hour = 1000
report_delay = {{ dist = "exponential", mean = "20m" }}
failures = {{ every = {{ dist = "exponential", mean = "5d" }} }}
[[services.modes]]
name = "crash"
fix = {{ dist = "lognormal", median = "30m", p90 = "2h" }}
needs = "desk"
"#
    );
    // File order s3, s0, s4, s1, s2: the cheapest is not simply the first.
    for i in [3, 0, 4, 1, 2] {
        toml.push_str(&format!(
            "[strategies.s{i}]\nescalate_after = \"1h\"\nannual_cost = {}\n",
            i as f64 * step
        ));
    }
    parse_str(&toml, "five.toml").unwrap()
}

fn report(s: &Scenario) -> Report {
    let results = run_replications(s, 0..s.simulation.replications, &mut |_| {});
    Report::build(s, &results)
}

#[test]
fn every_pair_is_reported_and_adjusted_intervals_are_never_narrower() {
    let s = five_by_annual_cost(1000.0, "30d", 30, 1);
    let r = report(&s);
    // 5 strategies: C(5, 2) = 10 pairs, in file order.
    assert_eq!(r.pairs.len(), 10);
    assert_eq!((r.pairs[0].a.as_str(), r.pairs[0].b.as_str()), ("s3", "s0"));
    for p in &r.pairs {
        assert_eq!(p.metric, Metric::TOTAL_COST);
        assert!(p.ci95_bonferroni[0] <= p.paired.ci95[0]);
        assert!(p.ci95_bonferroni[1] >= p.paired.ci95[1]);
        assert!(p.p_value_holm >= p.p_value);
        // Only annual_cost differs: the difference is exactly the investment over the
        // horizon in every replication, (b − a) × 30 d / 365 d.
        let ia: f64 = p.a[1..].parse().unwrap();
        let ib: f64 = p.b[1..].parse().unwrap();
        let exact = (ib - ia) * 1000.0 * 30.0 / 365.0;
        assert!((p.paired.mean_diff - exact).abs() < 1e-6 * exact.abs().max(1.0));
    }
}

#[test]
fn noisy_pairs_get_strictly_wider_simultaneous_intervals() {
    // The built-in scenario's two strategies plus a third: three pairs, real noise.
    let mut toml = incsim::scenario::DEFAULT_SCENARIO_TOML.to_string();
    toml.push_str("\n[strategies.middle]\nescalate_after = \"1h\"\nhandoff = \"10m\"\n");
    let mut s = parse_str(&toml, "default").unwrap();
    s.simulation.replications = 20;
    s.simulation.horizon_minutes = 60.0 * 1440.0;
    let r = report(&s);
    assert_eq!(r.pairs.len(), 3);
    for p in &r.pairs {
        if p.paired.sd_diff > 0.0 {
            assert!(p.ci95_bonferroni[0] < p.paired.ci95[0]);
            assert!(p.ci95_bonferroni[1] > p.paired.ci95[1]);
        }
    }
}

#[test]
fn a_single_pair_keeps_its_interval_and_the_comparisons_of_today() {
    let mut s = parse_str(incsim::scenario::DEFAULT_SCENARIO_TOML, "default").unwrap();
    s.simulation.replications = 10;
    let r = report(&s);
    assert_eq!(r.pairs.len(), 1);
    assert_eq!(r.pairs[0].ci95_bonferroni, r.pairs[0].paired.ci95);
    assert_eq!(r.pairs[0].p_value_holm, r.pairs[0].p_value);
    let total = r
        .comparisons
        .iter()
        .find(|c| c.metric == Metric::TOTAL_COST)
        .unwrap();
    // reactive is first in the file and the baseline: the pair (reactive, proactive) is the
    // comparison itself.
    assert_eq!(total.paired, r.pairs[0].paired);
}

#[test]
fn the_baseline_is_named_in_the_file_or_by_the_flag() {
    let toml = format!(
        "baseline = \"proactive\"\n{}",
        incsim::scenario::DEFAULT_SCENARIO_TOML
    );
    let mut s = parse_str(&toml, "default").unwrap();
    assert_eq!(s.strategies[s.baseline_index()].name, "proactive");
    s.simulation.replications = 5;
    let r = report(&s);
    assert!(r.comparisons.iter().all(|c| c.baseline == "proactive"));
    assert!(r.comparisons.iter().all(|c| c.candidate == "reactive"));
    assert_eq!(r.to_json()["baseline"], "proactive");

    // The flag overrides the file; an unknown name says which names exist.
    s.set_baseline("reactive").unwrap();
    assert_eq!(s.baseline_index(), 0);
    let err = s.set_baseline("baseline").unwrap_err();
    assert!(err.contains("reactive, proactive"), "{err}");

    let bad = format!(
        "baseline = \"nope\"\n{}",
        incsim::scenario::DEFAULT_SCENARIO_TOML
    );
    let err = parse_str(&bad, "bad.toml").unwrap_err().to_string();
    assert!(
        err.contains("bad.toml:1:") && err.contains("baseline:"),
        "{err}"
    );
    assert!(
        err.contains("the strategies are reactive, proactive"),
        "{err}"
    );
}

#[test]
fn summary_json_lists_the_pairs_with_their_method() {
    let s = five_by_annual_cost(1000.0, "30d", 5, 2);
    let j = report(&s).to_json();
    let pairs = j["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 10);
    for key in [
        "a",
        "b",
        "metric",
        "mean_diff",
        "ci95",
        "ci95_bonferroni",
        "p_b_better",
        "p_value",
        "p_value_holm",
        "n",
    ] {
        assert!(pairs[0].get(key).is_some(), "{key}");
    }
    assert!(j["pairs_method"].as_str().unwrap().contains("Holm"));
}

// ---------------------------------------------------------------------------------------------
// The sweep's optimum (issue 12 item 4)
// ---------------------------------------------------------------------------------------------

use incsim::experiment::sweep::{self, Optimum, SweepSpec};

#[test]
fn the_optimum_is_the_cheapest_point_and_clearly_worse_points_are_left_out() {
    // Four points over 20 replications sharing one noise term per replication (as common
    // random numbers give): means 10, 5, 5.001, 20 plus a little independent noise at the
    // third point. Best: point 1; point 2 is within noise of it; 0 and 3 are far worse.
    let shared: Vec<f64> = (0..20)
        .map(|r| ((r * 37 % 11) as f64 - 5.0) * 3.0)
        .collect();
    let wobble: Vec<f64> = (0..20).map(|r| ((r * 7 % 5) as f64 - 2.0) * 0.01).collect();
    let point = |m: f64, w: f64| -> Vec<f64> {
        shared
            .iter()
            .zip(&wobble)
            .map(|(s, x)| m + s + w * x)
            .collect()
    };
    let costs = vec![
        point(10.0, 0.0),
        point(5.0, 0.0),
        point(5.001, 1.0),
        point(20.0, 0.0),
    ];
    let o = Optimum::of("x", &costs);
    assert_eq!(o.best, 1);
    assert_eq!(o.not_worse, vec![false, true, true, false]);
    assert_eq!(o.label(2), "not significantly worse");
    assert_eq!(o.label(3), "worse");
}

#[test]
fn a_sweep_of_one_strategys_annual_cost_finds_its_optimum_at_zero_exactly() {
    // Only s3's annual cost moves: its total cost per replication is the same history plus
    // annual_cost × 30/365, so point 0 (no cost) is best and every other point is worse in
    // every replication (zero variance). The other strategies do not change: every point
    // ties, the first is best and all are not worse.
    let mut s = five_by_annual_cost(1000.0, "30d", 8, 4);
    s.set_baseline("s0").unwrap();
    let (param, settings) = SweepSpec::parse("strategies.s3.annual_cost=0:4000:5")
        .unwrap()
        .resolve(&s)
        .unwrap();
    let r = sweep::run(&s, &param, &settings, 8, &mut |_| {}).unwrap();
    let s3 = r.optima.iter().find(|o| o.strategy == "s3").unwrap();
    assert_eq!(s3.best, 0);
    assert_eq!(s3.not_worse, vec![true, false, false, false, false]);
    let s0 = r.optima.iter().find(|o| o.strategy == "s0").unwrap();
    assert_eq!(s0.best, 0);
    assert!(s0.not_worse.iter().all(|w| *w));
    // Table, CSV and JSON say so.
    let csv = incsim::export::sweep::csv(&r);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "candidate_at_optimum")
        .unwrap();
    let s3_rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains(",s3,"))
        .map(|l| l.split(',').nth(col).unwrap())
        .collect();
    assert_eq!(
        s3_rows,
        vec!["best", "worse", "worse", "worse", "worse"],
        "{csv}"
    );
    let j = incsim::export::sweep::json(&r);
    let opt = j["optima"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["strategy"] == "s3")
        .unwrap();
    assert_eq!(opt["best_value"].as_f64(), Some(0.0));
    let text = incsim::export::sweep::terminal(&r);
    assert!(text.contains("Lowest total cost for s3"), "{text}");
    assert!(text.contains("at the edge of the range"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Ranking and selection (KN)
// ---------------------------------------------------------------------------------------------

use incsim::experiment::select::{SelectSettings, Stop, select, select_with};

fn settings(delta: f64) -> SelectSettings {
    SelectSettings {
        metric: Metric::TOTAL_COST,
        delta,
        confidence: 0.95,
        first_stage: 5,
        max_replications: 2000,
    }
}

#[test]
fn selection_names_the_cheapest_of_five_in_at_least_95_of_100_seeds() {
    // Steps of 1000 a year over 30 days: 82.19 per horizon between neighbours; δ = 50 is
    // below the step. Under CRN the differences are exactly the investment steps in every
    // replication (zero variance), so KN eliminates every other strategy at its first stage.
    let mut named = 0;
    for seed in 0..100 {
        let s = five_by_annual_cost(1000.0, "30d", 5, seed);
        let sel = select(&s, &settings(50.0), &mut |_| {}).unwrap();
        if sel.best == vec!["s0".to_string()] {
            named += 1;
        }
        assert!(sel.best.contains(&"s0".to_string()));
    }
    assert!(named >= 95, "named the cheapest in {named} of 100 seeds");
}

#[test]
fn two_strategies_tied_within_delta_give_a_subset_that_holds_the_best() {
    // s0 and a twin with the same annual cost: identical under CRN, never separable.
    let mut s = five_by_annual_cost(1000.0, "30d", 5, 9);
    let mut twin = s.strategies[s.strategy_index("s0").unwrap()].clone();
    twin.name = "s0-twin".into();
    s.strategies.push(twin);
    let sel = select(&s, &settings(50.0), &mut |_| {}).unwrap();
    assert_eq!(sel.best.len(), 2, "{:?}", sel.best);
    assert!(sel.best.contains(&"s0".into()) && sel.best.contains(&"s0-twin".into()));
    assert_eq!(
        incsim::export::select::answer(&sel),
        format!("best is one of: {}", sel.best.join(", "))
    );
    // The others went in the first stage, each by a better strategy.
    assert_eq!(sel.eliminations.len(), 4);
    assert!(sel.eliminations.iter().all(|e| e.after_replications == 5));
}

/// A normal sampler for KN on synthetic systems: system i has mean `means[i]` and sd `sd`,
/// independent across systems (no CRN) and across replications; deterministic from `seed`.
fn normal_sampler(
    means: Vec<f64>,
    sd: f64,
    seed: u64,
) -> impl FnMut(
    &[usize],
    std::ops::Range<u64>,
) -> Result<Vec<Vec<f64>>, incsim::experiment::select::SelectError> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    move |which, reps| {
        Ok(which
            .iter()
            .map(|&i| {
                reps.clone()
                    .map(|r| {
                        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(
                            seed.wrapping_mul(1_000_003) ^ (i as u64) << 40 ^ r,
                        );
                        Normal::new(means[i], sd).unwrap().sample(&mut rng)
                    })
                    .collect()
            })
            .collect())
    }
}

#[test]
fn kn_selects_correctly_in_the_slippage_configuration_with_noise() {
    // Slippage configuration (the least favourable for KN): the best (lowest, system 2) is
    // exactly δ below four others, each observation N(mean, 1). KN promises P(correct) ≥ 0.95;
    // over 100 independent macro-replications we require at least 90 (a binomial(100, 0.95)
    // falls below 90 with probability < 2 %).
    let names: Vec<String> = (0..5).map(|i| format!("x{i}")).collect();
    let delta = 0.5;
    let mut correct = 0;
    let mut total_reps = 0;
    for seed in 0..100 {
        let mut means = vec![delta; 5];
        means[2] = 0.0;
        let mut sample = normal_sampler(means, 1.0, seed);
        let mut st = settings(delta);
        st.first_stage = 10;
        let sel = select_with(&names, &st, false, &mut sample).unwrap();
        total_reps += sel.replications.iter().sum::<u64>();
        if sel.best == vec!["x2".to_string()] {
            correct += 1;
        }
        assert_ne!(sel.stop, Stop::Cap);
    }
    assert!(correct >= 90, "correct in {correct} of 100");
    assert!(total_reps > 100 * 5 * 10, "noise must cost replications");
}

#[test]
fn selection_refuses_bad_settings_with_a_hint() {
    let s = five_by_annual_cost(1000.0, "30d", 5, 1);
    let err = select(&s, &settings(0.0), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("--delta"), "{err}");
    let mut st = settings(10.0);
    st.first_stage = 1;
    assert!(
        select(&s, &st, &mut |_| {})
            .unwrap_err()
            .to_string()
            .contains("--first-stage")
    );
    let mut one = s.clone();
    one.strategies.truncate(1);
    assert!(
        select(&one, &settings(10.0), &mut |_| {})
            .unwrap_err()
            .to_string()
            .contains("at least two")
    );
}

// ---------------------------------------------------------------------------------------------
// Two-way sweeps
// ---------------------------------------------------------------------------------------------

#[test]
fn a_grid_adds_each_inputs_effect_exactly_and_marks_the_cheapest_cell() {
    // s0's total cost per year = the same history + its annual cost; s1's annual cost does not
    // touch s0. So cell (i, j) = cell (0, 0) + a_i, flat along j, best at (0, 0).
    let s = five_by_annual_cost(1000.0, "30d", 6, 5);
    let (a, a_set) = SweepSpec::parse("strategies.s0.annual_cost=0:2000:3")
        .unwrap()
        .resolve(&s)
        .unwrap();
    let (b, b_set) = SweepSpec::parse("strategies.s1.annual_cost=0:500:2")
        .unwrap()
        .resolve(&s)
        .unwrap();
    let s0 = s.strategy_index("s0").unwrap();
    let g = incsim::experiment::grid::run(
        &s,
        &a,
        &a_set,
        &b,
        &b_set,
        Metric::TOTAL_COST,
        s0,
        6,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(g.cells.len(), 6);
    let origin = g.cells[0].mean;
    for c in &g.cells {
        let expected = origin + [0.0, 1000.0, 2000.0][c.i];
        assert!((c.mean - expected).abs() < 1e-6, "{c:?}");
    }
    assert_eq!(g.best, 0);
    let csv = incsim::export::grid::csv(&g);
    assert_eq!(csv.lines().count(), 7);
    assert!(csv.lines().nth(1).unwrap().ends_with(",true"));
    assert_eq!(csv.matches(",true").count(), 1);
    let view = incsim::report::views::HeatMapView::of(&g);
    let chart = incsim::charts::render(&incsim::charts::heatmap::HeatMap { view: &view }).unwrap();
    assert!(chart.png.starts_with(b"\x89PNG") && chart.svg.contains("<svg"));
}

#[test]
fn mcb_intervals_match_a_hand_computed_case() {
    // Costs per replication (lower is better), four replications under CRN:
    //   a: 10 12 14 16 (mean 13)   b: 11 13 15 17 (mean 14)   c: 20 20 20 20 (mean 20)
    // k = 3, so the Bonferroni critical value is t(1 − 0.05/2, 3) = 3.182446.
    // Paired differences "i costs more than l by": a−b = −1 (sd 0); a−c = −10 −8 −6 −4
    // (mean −7, sd √(20/3) = 2.581989, half-width 3.182446 · 2.581989 / 2 = 4.108516);
    // b−a = +1 (sd 0); b−c = −9 −7 −5 −3 (mean −6, the same half-width); c−a: mean 7,
    // c−b: mean 6, the same half-width.
    // Hsu's constrained interval of i: [min(0, maxₗ(mean − w)), max(0, maxₗ(mean + w))]:
    //   a: max(−1, −11.1085) = −1 and max(−1, −2.8915) = −1 → [−1, 0]: the best;
    //   b: max(1, −10.1085) = 1 and max(1, −1.8915) = 1 → [0, 1]: not the best;
    //   c: max(2.8915, 1.8915) = 2.8915 > 0 and max(11.1085, 10.1085) → [0, 11.108516].
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let cost = [
        [10.0, 12.0, 14.0, 16.0],
        [11.0, 13.0, 15.0, 17.0],
        [20.0, 20.0, 20.0, 20.0],
    ];
    // Larger is better for the procedure: costs negated.
    let obs: Vec<Vec<f64>> = cost
        .iter()
        .map(|c| c.iter().map(|x| -x).collect())
        .collect();
    let rows = incsim::experiment::select::mcb_table(&names, &obs, 4, 0.95, false);
    let close = |x: f64, y: f64| (x - y).abs() < 1e-5;
    assert!(close(rows[0].mean, 13.0) && close(rows[1].mean, 14.0) && close(rows[2].mean, 20.0));
    assert_eq!(rows[0].worse_than_best_other, [-1.0, 0.0]);
    assert!(rows[0].the_best && !rows[0].not_the_best);
    assert_eq!(rows[1].worse_than_best_other, [0.0, 1.0]);
    assert!(rows[1].not_the_best && !rows[1].the_best);
    assert_eq!(rows[2].worse_than_best_other[0], 0.0);
    assert!(
        close(rows[2].worse_than_best_other[1], 7.0 + 4.108516),
        "{:?}",
        rows[2]
    );
    assert!(rows[2].not_the_best);
}

#[test]
fn the_report_shows_which_of_five_is_best_and_a_two_strategy_report_does_not() {
    // Steps of 200 000 per year dwarf the noise: s0 is the best, every other is not.
    let s = five_by_annual_cost(200_000.0, "365d", 40, 5);
    let r = report(&s);
    assert_eq!(r.mcb.len(), 5);
    for m in &r.mcb {
        assert_eq!(m.the_best, m.strategy == "s0", "{m:?}");
        assert_eq!(m.not_the_best, m.strategy != "s0", "{m:?}");
        // Hsu's constrained intervals always contain 0.
        assert!(m.worse_than_best_other[0] <= 0.0 && m.worse_than_best_other[1] >= 0.0);
    }
    let html = incsim::export::html::render(&s, &r, &[], &Default::default());
    assert!(
        html.contains("<section id=\"mcb\">"),
        "the MCB section is in report.html"
    );
    assert!(html.contains("<tr><td>s0</td>") && html.contains("the best</td></tr>"));

    let mut two = s.clone();
    two.strategies.truncate(2);
    let html = incsim::export::html::render(&two, &report(&two), &[], &Default::default());
    assert!(
        !html.contains("id=\"mcb\""),
        "two strategies: the comparison says it all"
    );
}
