//! The back-test: simulate the fitted scenario's baseline strategy and compare its times to
//! restore (ticket opened → resolved, as the export measures them) with the data's.

use std::collections::HashMap;

use super::Quantity;
use super::chart::{CdfChart, CdfSeries, ecdf_points};
use super::mle::kaplan_meier;
use crate::charts::strategy_color;
use crate::events::{Event, EventKind, EventSink, IncidentId};
use crate::experiment::simulate_one;
use crate::scenario::Scenario;
use crate::stats::quantile_sorted;

/// The quantiles compared.
pub const LEVELS: [f64; 6] = [0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// Stop simulating once this many restore times are collected (or at `MAX_REPLICATIONS`).
const ENOUGH: usize = 20_000;
const MAX_REPLICATIONS: u64 = 1000;

/// The outcome of a back-test.
#[derive(Debug, Clone, PartialEq)]
pub struct BackTest {
    pub replications: u64,
    /// Simulated restore times, in minutes, sorted.
    pub simulated: Vec<f64>,
    /// (level, data quantile from Kaplan–Meier, simulated quantile).
    pub quantiles: Vec<(f64, Option<f64>, f64)>,
    /// Two-sample Kolmogorov–Smirnov distance between the data and the simulation.
    pub ks: f64,
    /// The 5 % critical distance for the two sample sizes.
    pub ks_critical: f64,
}

impl BackTest {
    /// Does the simulation reproduce the data (KS distance below the 5 % line)?
    pub fn reproduces(&self) -> bool {
        self.ks <= self.ks_critical
    }

    /// The side-by-side table and the verdict.
    pub fn report_text(&self, data_n: usize) -> String {
        use crate::scenario::duration::format_minutes;
        let mut out = format!(
            "back-test: time to restore, data (n = {data_n}) vs the fitted scenario's baseline \
             ({} simulated incidents, {} replications)\n  level        data   simulated\n",
            self.simulated.len(),
            self.replications
        );
        for (level, data, sim) in &self.quantiles {
            out.push_str(&format!(
                "  P{:<4} {:>12} {:>11}\n",
                (level * 100.0).round(),
                data.map(format_minutes).unwrap_or_else(|| "—".into()),
                format_minutes(*sim)
            ));
        }
        out.push_str(&format!(
            "  KS distance {:.3} (5 % line {:.3}): {}\n",
            self.ks,
            self.ks_critical,
            if self.reproduces() {
                "the fitted scenario reproduces the data's restore times"
            } else {
                "the fitted scenario does NOT reproduce the data's restore times; look at the \
                 fits above (misfits, too few values) and at the placeholders"
            }
        ));
        out
    }

    /// The data's ECDF against the simulated one.
    pub fn chart(&self, data: &Quantity) -> CdfChart {
        let mut data_points = Vec::new();
        for (x, before, after) in kaplan_meier(&data.sample) {
            data_points.push((x, before));
            data_points.push((x, after));
        }
        CdfChart {
            title: "Back-test: time to restore, data vs simulated".into(),
            x_desc: "minutes from ticket opened to resolved, log scale".into(),
            series: vec![
                CdfSeries {
                    label: format!("data: {} incidents", data.n()),
                    points: data_points,
                    color: plotters::style::RGBColor(40, 40, 40),
                    data: true,
                },
                CdfSeries {
                    label: format!("simulated: {} incidents", self.simulated.len()),
                    points: quantile_curve(&self.simulated),
                    color: strategy_color(0),
                    data: false,
                },
            ],
        }
    }
}

/// The simulated ECDF as 1,001 points (its quantiles at 0, 0.1 %, …, 100 %): a chart needs no
/// more than that, whatever the number of simulated incidents.
fn quantile_curve(sorted: &[f64]) -> Vec<(f64, f64)> {
    if sorted.len() <= 1000 {
        return ecdf_points(sorted);
    }
    (0..=1000)
        .map(|j| {
            let p = j as f64 / 1000.0;
            (quantile_sorted(sorted, p), p)
        })
        .collect()
}

/// Collects opened → resolved times of one strategy's incidents.
#[derive(Default)]
struct RestoreTimes {
    opened: HashMap<IncidentId, f64>,
    times: Vec<f64>,
}

impl EventSink for RestoreTimes {
    fn begin(&mut self, _rep: u64, _strategy: usize) {
        self.opened.clear();
    }

    fn emit(&mut self, event: &Event) {
        match event.kind {
            EventKind::IncidentOpened { incident, .. } => {
                self.opened.insert(incident, event.t);
            }
            EventKind::Resolved { incident, .. } => {
                if let Some(t0) = self.opened.remove(&incident) {
                    self.times.push(event.t - t0);
                }
            }
            _ => {}
        }
    }
}

/// Simulate the baseline strategy of `scenario` and compare with `data` (the time to restore
/// of every incident). Deterministic: replications 0, 1, … until enough incidents.
pub fn back_test(scenario: &Scenario, data: &Quantity) -> BackTest {
    let strategy = scenario.baseline_index();
    let mut sink = RestoreTimes::default();
    let mut replications = 0;
    while replications < MAX_REPLICATIONS && sink.times.len() < ENOUGH {
        simulate_one(scenario, strategy, replications, &mut sink);
        replications += 1;
    }
    let mut simulated = sink.times;
    simulated.sort_by(f64::total_cmp);
    let km = kaplan_meier(&data.sample);
    let km_quantile = |p: f64| {
        km.iter()
            .find(|(_, _, after)| *after >= p - 1e-12)
            .map(|s| s.0)
    };
    let quantiles = LEVELS
        .iter()
        .map(|&p| {
            let sim = if simulated.is_empty() {
                f64::NAN
            } else {
                quantile_sorted(&simulated, p)
            };
            (p, km_quantile(p), sim)
        })
        .collect();
    // Two-sample KS: compare the step functions at every jump of either.
    let sim_cdf = |x: f64| {
        if simulated.is_empty() {
            return 0.0;
        }
        simulated.partition_point(|v| *v <= x) as f64 / simulated.len() as f64
    };
    let sim_cdf_before = |x: f64| {
        if simulated.is_empty() {
            return 0.0;
        }
        simulated.partition_point(|v| *v < x) as f64 / simulated.len() as f64
    };
    let km_at = |x: f64| {
        km.iter()
            .take_while(|(t, _, _)| *t <= x)
            .last()
            .map_or(0.0, |s| s.2)
    };
    let mut ks: f64 = 0.0;
    for &(x, before, after) in &km {
        ks = ks
            .max((after - sim_cdf(x)).abs())
            .max((before - sim_cdf_before(x)).abs());
    }
    // The simulated jumps, sampled (the KM side is a step function between its own jumps).
    let stride = (simulated.len() / 2000).max(1);
    for x in simulated.iter().step_by(stride) {
        ks = ks.max((km_at(*x) - sim_cdf(*x)).abs());
    }
    let n = data.sample.observed.len().max(1) as f64;
    let m = simulated.len().max(1) as f64;
    BackTest {
        replications,
        simulated,
        quantiles,
        ks,
        ks_critical: 1.36 * ((n + m) / (n * m)).sqrt(),
    }
}
