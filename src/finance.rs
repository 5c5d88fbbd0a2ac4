//! The business case: one simulated year turned into multi-year cash flows, their net present
//! value (NPV), discounted payback and ROI on present values, and the loss-exceedance curve.
//!
//! Conventions (issue 16): one-time costs fall in year 0 and are not discounted; year
//! t = 1 … years carries the recurring incremental cost and `ramp_up[t − 1]` × the gross
//! benefit, and is divided by (1 + r)^t. The gross benefit is the avoided cost of incidents
//! (downtime and labour), i.e. net savings + incremental recurring cost, so that with the full
//! benefit a year's net flow is the simulation's net savings per year.

use serde::Serialize;

/// The inputs of one candidate's business case, per year in the scenario's currency.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseInputs<'a> {
    /// Net savings per year (baseline − candidate total cost, investment included).
    pub savings_per_year: f64,
    /// Candidate − baseline recurring cost per year (`annual_cost`).
    pub recurring_cost_per_year: f64,
    /// Candidate − baseline year-0 cost (`one_time_cost`).
    pub one_time_cost: f64,
    /// Share of the benefit realised in years 1 … years; empty: the full benefit every year.
    pub ramp_up: &'a [f64],
    /// Years after year 0.
    pub years: u32,
    /// Yearly discount rate.
    pub discount_rate: f64,
}

/// One year of a candidate's cash flows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearFlow {
    /// 0 for the one-time investment, then 1 … years.
    pub year: u32,
    /// Costs of the year: the one-time cost in year 0, the recurring cost after.
    pub costs: f64,
    /// Benefit realised in the year: its ramp-up share × the avoided cost of incidents.
    pub benefits: f64,
    /// benefits − costs.
    pub net: f64,
    /// 1 / (1 + r)^year.
    pub discount_factor: f64,
    /// net × discount factor.
    pub discounted: f64,
}

impl CaseInputs<'_> {
    /// The avoided cost of incidents per year with the full benefit.
    pub fn gross_benefit_per_year(&self) -> f64 {
        self.savings_per_year + self.recurring_cost_per_year
    }

    /// The share of the benefit realised in year `t` (1-based).
    pub fn ramp(&self, t: u32) -> f64 {
        self.ramp_up.get(t as usize - 1).copied().unwrap_or(1.0)
    }

    /// 1 / (1 + r)^t.
    pub fn discount_factor(&self, t: u32) -> f64 {
        discount_factor(self.discount_rate, t)
    }

    /// Year 0 … years, in order.
    pub fn cash_flows(&self) -> Vec<YearFlow> {
        let gross = self.gross_benefit_per_year();
        let mut flows = Vec::with_capacity(self.years as usize + 1);
        let costs0 = self.one_time_cost;
        flows.push(YearFlow {
            year: 0,
            costs: costs0,
            benefits: 0.0,
            net: 0.0 - costs0,
            discount_factor: 1.0,
            discounted: 0.0 - costs0,
        });
        for t in 1..=self.years {
            let benefits = self.ramp(t) * gross;
            let net = self.net_in_year(t);
            let df = self.discount_factor(t);
            flows.push(YearFlow {
                year: t,
                costs: self.recurring_cost_per_year,
                benefits,
                net,
                discount_factor: df,
                discounted: net * df,
            });
        }
        flows
    }

    /// The net flow of year t ≥ 1, written as net savings less the benefit not yet realised,
    /// so that with the full benefit it is the net savings exactly (no round trip through the
    /// gross benefit).
    fn net_in_year(&self, t: u32) -> f64 {
        self.savings_per_year - (1.0 - self.ramp(t)) * self.gross_benefit_per_year()
    }

    /// Σ_{t=1..years} (1 + r)^−t: the present value of 1 a year.
    pub fn annuity_factor(&self) -> f64 {
        (1..=self.years).map(|t| self.discount_factor(t)).sum()
    }

    /// Net present value: Σ_t CF_t / (1 + r)^t, computed as
    /// −one-time + savings × annuity factor − gross × Σ (1 − ramp_t)(1 + r)^−t, so that without
    /// a one-time cost or a ramp-up it is savings × annuity factor exactly.
    pub fn npv(&self) -> f64 {
        let gross = self.gross_benefit_per_year();
        let unrealised: f64 = (1..=self.years)
            .map(|t| (1.0 - self.ramp(t)) * self.discount_factor(t))
            .sum();
        let ramp_loss = if unrealised == 0.0 {
            0.0
        } else {
            gross * unrealised
        };
        0.0 - self.one_time_cost + self.savings_per_year * self.annuity_factor() - ramp_loss
    }

    /// Present value of the costs: the one-time cost plus the discounted recurring costs.
    pub fn pv_costs(&self) -> f64 {
        self.one_time_cost + self.recurring_cost_per_year * self.annuity_factor()
    }

    /// ROI on present values: NPV / PV(costs); None without costs to return on.
    pub fn roi_pv(&self) -> Option<f64> {
        let costs = self.pv_costs();
        (costs > 0.0).then(|| self.npv() / costs)
    }

    /// The recurring cost per year at which the NPV is 0, everything else unchanged. The NPV
    /// falls by exactly the annuity factor for each unit of recurring cost (the avoided cost of
    /// incidents does not depend on what the candidate pays for itself), so the break-even is
    /// current + NPV ÷ annuity factor; without `[finance]` that is current + net savings.
    pub fn break_even_recurring_cost(&self) -> f64 {
        self.recurring_cost_per_year + self.npv() / self.annuity_factor()
    }

    /// Discounted payback in years: when the cumulative discounted flow first reaches 0,
    /// interpolated linearly within the year; 0 without a net year-0 outlay; None when it
    /// does not pay back within the years.
    pub fn discounted_payback_years(&self) -> Option<f64> {
        payback_years(&self.cash_flows())
    }
}

/// 1 / (1 + r)^t.
pub fn discount_factor(rate: f64, t: u32) -> f64 {
    if rate == 0.0 {
        1.0
    } else {
        1.0 / (1.0 + rate).powi(t as i32)
    }
}

/// When the cumulative discounted flows first reach 0 (years, interpolated).
pub fn payback_years(flows: &[YearFlow]) -> Option<f64> {
    let mut cumulative = 0.0;
    for f in flows {
        let before = cumulative;
        cumulative += f.discounted;
        if cumulative >= 0.0 {
            if f.year == 0 || before >= 0.0 {
                return Some(f.year as f64);
            }
            return Some((f.year - 1) as f64 + (-before) / f.discounted);
        }
    }
    None
}

/// NPV of each replication path: year t of path i takes the savings of replication
/// (i + t − 1) mod n, so each year is an independent-looking draw from the simulated years
/// (each replication used once per year), with no new random numbers. With one year, path i is
/// replication i's own savings.
pub fn npv_paths(savings_per_year: &[f64], template: &CaseInputs<'_>) -> Vec<f64> {
    let n = savings_per_year.len();
    (0..n)
        .map(|i| {
            let mut npv = 0.0 - template.one_time_cost;
            for t in 1..=template.years {
                let year = CaseInputs {
                    savings_per_year: savings_per_year[(i + t as usize - 1) % n],
                    ..template.clone()
                };
                npv += year.net_in_year(t) * template.discount_factor(t);
            }
            npv
        })
        .collect()
}

/// P(loss > x): the share of `losses` strictly above x. `sorted` must be ascending.
pub fn exceedance(sorted: &[f64], x: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at_or_below = sorted.partition_point(|&l| l <= x);
    (sorted.len() - at_or_below) as f64 / sorted.len() as f64
}

/// Points of the loss-exceedance curve at which it is reported: `count` amounts spaced evenly
/// on a log scale from the smallest positive loss to the largest (empty when no loss is
/// positive). Each point is (x, P(loss > x)).
pub fn exceedance_points(sorted: &[f64], count: usize) -> Vec<(f64, f64)> {
    let Some(&max) = sorted.last() else {
        return Vec::new();
    };
    let Some(&min) = sorted.iter().find(|&&l| l > 0.0) else {
        return Vec::new();
    };
    if count < 2 || max <= min {
        return vec![(min, exceedance(sorted, min))];
    }
    let (lo, hi) = (min.ln(), max.ln());
    (0..count)
        .map(|k| {
            // The ends are the losses themselves (exp(ln x) may miss x by an ulp).
            let x = match k {
                0 => min,
                k if k == count - 1 => max,
                k => (lo + (hi - lo) * k as f64 / (count - 1) as f64).exp(),
            };
            (x, exceedance(sorted, x))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(ramp_up: &[f64]) -> CaseInputs<'_> {
        CaseInputs {
            savings_per_year: 100_000.0,
            recurring_cost_per_year: 20_000.0,
            one_time_cost: 50_000.0,
            ramp_up,
            years: 3,
            discount_rate: 0.10,
        }
    }

    #[test]
    fn npv_with_ramp_up_matches_the_hand_computation_to_the_cent() {
        // Gross benefit = 100 000 + 20 000 = 120 000 a year; ramp 0.5, 1, 1.
        // Year 0: −50 000.
        // Year 1: 0.5 × 120 000 − 20 000 = 40 000; / 1.1 = 36 363.636 36…
        // Year 2: 120 000 − 20 000 = 100 000; / 1.21 = 82 644.628 10…
        // Year 3: 100 000 / 1.331 = 75 131.480 09…
        // NPV = −50 000 + 36 363.64 + 82 644.63 + 75 131.48 = 144 139.74 (to the cent).
        let ramp = [0.5, 1.0, 1.0];
        let c = case(&ramp);
        assert!((c.npv() - 144_139.74).abs() < 0.005, "{}", c.npv());
        let flows = c.cash_flows();
        let nets: Vec<f64> = flows.iter().map(|f| f.net).collect();
        assert_eq!(nets, vec![-50_000.0, 40_000.0, 100_000.0, 100_000.0]);
        let by_definition: f64 = flows
            .iter()
            .map(|f| f.net / 1.1f64.powi(f.year as i32))
            .sum();
        assert!((c.npv() - by_definition).abs() < 0.005);
        // PV(costs) = 50 000 + 20 000 × 2.486 851 99 = 99 737.04; ROI = 144 139.74 / 99 737.04.
        assert!((c.pv_costs() - 99_737.04).abs() < 0.005);
        assert!((c.roi_pv().unwrap() - 144_139.74 / 99_737.04).abs() < 1e-6);
        // Cumulative: −50 000, −13 636.36, then +69 008.26 during year 2:
        // payback = 1 + 13 636.36 / 82 644.63 = 1.165 years.
        let payback = c.discounted_payback_years().unwrap();
        assert!((payback - (1.0 + 13_636.363_636 / 82_644.628_099)).abs() < 1e-6);
    }

    #[test]
    fn without_one_time_cost_and_ramp_up_npv_is_savings_times_the_annuity_factor_exactly() {
        for &(savings, rate, years) in &[
            (123_456.789, 0.10, 3),
            (-7_000.01, 0.07, 5),
            (1e6 / 3.0, 0.0, 4),
        ] {
            let c = CaseInputs {
                savings_per_year: savings,
                recurring_cost_per_year: 33_333.33,
                one_time_cost: 0.0,
                ramp_up: &[],
                years,
                discount_rate: rate,
            };
            let annuity: f64 = (1..=years).map(|t| (1.0 + rate).powi(-(t as i32))).sum();
            assert!((c.annuity_factor() - annuity).abs() < 1e-12);
            assert_eq!(c.npv(), savings * c.annuity_factor());
        }
    }

    #[test]
    fn one_year_without_discounting_is_the_annual_figure() {
        let c = CaseInputs {
            savings_per_year: 4_321.5,
            recurring_cost_per_year: 60_000.0,
            one_time_cost: 0.0,
            ramp_up: &[],
            years: 1,
            discount_rate: 0.0,
        };
        assert_eq!(c.npv(), 4_321.5);
        assert_eq!(npv_paths(&[1.0, -2.0, 3.5], &c), vec![1.0, -2.0, 3.5]);
    }

    #[test]
    fn npv_paths_average_to_the_npv_of_the_mean() {
        let savings = [10.0, -4.0, 7.0, 1.0];
        let ramp = [0.5, 1.0, 1.0];
        let mean = savings.iter().sum::<f64>() / 4.0;
        let c = CaseInputs {
            savings_per_year: mean,
            ..case(&ramp)
        };
        let paths = npv_paths(&savings, &c);
        let avg = paths.iter().sum::<f64>() / 4.0;
        assert!((avg - c.npv()).abs() < 1e-9, "{avg} vs {}", c.npv());
    }

    #[test]
    fn exceedance_is_the_share_strictly_above() {
        let sorted = [0.0, 1.0, 2.0, 2.0, 5.0];
        assert_eq!(exceedance(&sorted, -1.0), 1.0);
        assert_eq!(exceedance(&sorted, 0.0), 0.8);
        assert_eq!(exceedance(&sorted, 2.0), 0.2);
        assert_eq!(exceedance(&sorted, 5.0), 0.0);
        let points = exceedance_points(&sorted, 3);
        assert_eq!(points.len(), 3);
        assert_eq!(points[0], (1.0, 0.6));
        assert_eq!(points[2].1, 0.0);
        assert!(exceedance_points(&[0.0, 0.0], 5).is_empty());
    }

    #[test]
    fn at_the_break_even_recurring_cost_the_npv_is_zero() {
        // Hand case (ramp 0.5, 1, 1; r = 10 %; one-time 50 000): NPV = 144 139.74 and the
        // annuity factor 1/1.1 + 1/1.21 + 1/1.331 = 2.486 851 99, so the recurring cost may
        // rise by 144 139.744 6 / 2.486 851 99 = 57 960.725 to 77 960.725 a year.
        let ramp = [0.5, 1.0, 1.0];
        let c = case(&ramp);
        let at = c.break_even_recurring_cost();
        assert!((at - 77_960.725).abs() < 0.001, "{at}");
        // Raising the recurring cost by Δ lowers the savings by Δ (same gross benefit).
        let delta = at - c.recurring_cost_per_year;
        let moved = CaseInputs {
            savings_per_year: c.savings_per_year - delta,
            recurring_cost_per_year: at,
            ..c.clone()
        };
        assert!(moved.npv().abs() < 1e-6, "{}", moved.npv());
        // One undiscounted year: break-even = current cost + net savings.
        let one = CaseInputs {
            years: 1,
            discount_rate: 0.0,
            one_time_cost: 0.0,
            ramp_up: &[],
            ..c.clone()
        };
        assert_eq!(one.break_even_recurring_cost(), 20_000.0 + 100_000.0);
    }

    #[test]
    fn payback_never_reached_is_none() {
        let c = CaseInputs {
            savings_per_year: -1.0,
            ..case(&[])
        };
        assert_eq!(c.discounted_payback_years(), None);
    }
}
