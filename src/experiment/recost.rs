//! Re-costing instead of re-simulating. A pure cost rate changes no event of any history, only
//! the cost columns derived from it; where the stored per-replication minutes and counts make
//! the new costs *exact* (the same bits a simulation would give), sweeps and sensitivity
//! analyses re-cost one simulated run instead of simulating again.
//!
//! Exact, so re-costed:
//! - a strategy's `annual_cost` (investment = rate × horizon);
//! - a tier's `annual_cost_per_engineer` (salaried cost: scenario-only), in `[[tiers]]` or in
//!   a strategy's tier override (model.md §8.13: costed with that strategy's tiers);
//! - a tier's `on_call.standby_cost_per_hour` (standby cost: scenario-only), likewise;
//! - a service's `downtime_cost_per_hour` when that service has `degraded_cost_fraction = 0`
//!   (outage cost from the stored per-service outage minutes; the degraded cost keeps its
//!   bits because the service's degraded term is 0 before and after);
//! - an SLA's `penalty` when the scenario has one SLA (the penalty added once per breach, in
//!   order, from the stored breach count).
//!
//! Not exact, so re-simulated: `hourly_cost`, `cost_per_incident` and `on_call.callout_cost`
//! (the projection adds them to one labor sum event by event, interleaved, and the order of
//! those additions is not stored); `downtime_cost_per_hour` of a service with a degraded cost
//! (its degraded minutes are stored only summed over services); an SLA's penalty when there are
//! several SLAs (their breaches interleave).

use super::ExperimentResults;
use crate::projections::metrics::{
    CostParts, fixed_labor_cost, investment_cost, outage_cost, standby_cost, total_cost,
};
use crate::scenario::{Scenario, Tier};

/// The results that simulating `to` would give, computed from `results` (a simulation of
/// `from` over the same replications) when the two scenarios differ only in cost rates that
/// re-cost exactly (see the module's list); `None` otherwise.
///
/// The rows and restore histograms are bit-identical to a re-simulation (the same formulas on
/// the same stored values: see the tests). The chart curves are not re-costed: the returned
/// `cost_checkpoints` are empty; sweeps and sensitivity read only the rows.
pub fn recost(
    results: &ExperimentResults,
    from: &Scenario,
    to: &Scenario,
) -> Option<ExperimentResults> {
    if !recosts_exactly(from, to) {
        return None;
    }
    let horizon = to.simulation.horizon_minutes;
    let outage_rates_changed = from
        .services
        .iter()
        .zip(&to.services)
        .any(|(f, t)| f.downtime_cost_per_hour.to_bits() != t.downtime_cost_per_hour.to_bits());
    let penalty_changed = from
        .slas
        .iter()
        .zip(&to.slas)
        .any(|(f, t)| f.penalty.to_bits() != t.penalty.to_bits());
    let mut out = results.clone();
    for (si, (strategy, res)) in to.strategies.iter().zip(&mut out.strategies).enumerate() {
        let investment = investment_cost(strategy.annual_cost, horizon);
        // Salaries and standby of the tiers as this strategy runs them (model.md §8.13).
        let fixed_labor = fixed_labor_cost(to, si);
        let standby = standby_cost(to, si);
        res.rows.update(|row| {
            if outage_rates_changed {
                // degraded_cost keeps its bits (see `recosts_exactly`).
                row.downtime_cost =
                    outage_cost(to, &row.service_outage_minutes) + row.degraded_cost;
            }
            if penalty_changed {
                // One SLA: the projection added its penalty once per breach, in order.
                let penalty = to.slas[0].penalty;
                row.sla_penalty_cost = 0.0;
                for _ in 0..row.sla_breaches {
                    row.sla_penalty_cost += penalty;
                }
            }
            row.fixed_labor_cost = fixed_labor;
            row.standby_cost = standby;
            row.investment_cost = investment;
            row.total_cost = total_cost(&CostParts {
                downtime: row.downtime_cost,
                labor: row.labor_cost,
                fixed_labor,
                standby,
                sla_penalty: row.sla_penalty_cost,
                investment,
            });
        });
        res.cost_checkpoints = Vec::new();
    }
    Some(out)
}

/// True when `to` equals `from` once the re-costable rates are set back to `from`'s, and every
/// changed rate re-costs exactly.
pub fn recosts_exactly(from: &Scenario, to: &Scenario) -> bool {
    if from.strategies.len() != to.strategies.len()
        || from.tiers.len() != to.tiers.len()
        || from.services.len() != to.services.len()
        || from.slas.len() != to.slas.len()
    {
        return false;
    }
    let mut same = to.clone();
    for (s, f) in same.strategies.iter_mut().zip(&from.strategies) {
        s.annual_cost = f.annual_cost;
    }
    reset_tier_rates(&mut same.tiers, &from.tiers);
    // A strategy's tier overrides (model.md §8.13) hold its own copy of every tier: its salary
    // and standby rates re-cost exactly too (per strategy, above); anything else that differs
    // there fails the comparison below and re-simulates.
    for (s, f) in same.strategies.iter_mut().zip(&from.strategies) {
        if s.tiers.len() == f.tiers.len() {
            reset_tier_rates(&mut s.tiers, &f.tiers);
        }
    }
    // Planned minutes of maintenance (model.md §8.6) are priced at the downtime rate too and
    // are not kept per service here, so a maintained scenario re-simulates.
    let maintained = same.strategies.iter().any(|st| !st.maintenance.is_empty());
    for (s, f) in same.services.iter_mut().zip(&from.services) {
        if s.downtime_cost_per_hour.to_bits() != f.downtime_cost_per_hour.to_bits() {
            // Exact only when the service's degraded term is 0 at both rates.
            if s.degraded_cost_fraction != 0.0
                || maintained
                || !s.downtime_cost_per_hour.is_finite()
            {
                return false;
            }
            s.downtime_cost_per_hour = f.downtime_cost_per_hour;
        }
    }
    for (s, f) in same.slas.iter_mut().zip(&from.slas) {
        if s.penalty.to_bits() != f.penalty.to_bits() {
            if from.slas.len() != 1 {
                return false;
            }
            s.penalty = f.penalty;
        }
    }
    same == *from
}

/// Sets the re-costable rates of `tiers` (salary, standby) back to those of `from`.
fn reset_tier_rates(tiers: &mut [Tier], from: &[Tier]) {
    for (t, f) in tiers.iter_mut().zip(from) {
        t.annual_cost_per_engineer = f.annual_cost_per_engineer;
        if let (Some(on_call), Some(f)) = (&mut t.on_call, &f.on_call) {
            on_call.standby_cost_per_hour = f.standby_cost_per_hour;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::run_replications;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    fn scenario() -> Scenario {
        let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("default scenario is valid");
        s.simulation.replications = 40;
        s
    }

    /// Debug text and total-cost bits of every row, so that -0.0 vs 0.0 or one ulp would show.
    fn row_bits(r: &ExperimentResults) -> Vec<String> {
        r.strategies
            .iter()
            .flat_map(|s| &s.rows)
            .map(|row| format!("{row:?}|{}", row.total_cost.to_bits()))
            .collect()
    }

    /// Re-cost `from`'s run to `to` and compare with a simulation of `to`, bit for bit.
    fn assert_recost_is_a_resimulation(from: &Scenario, to: &Scenario) -> ExperimentResults {
        let simulated = run_replications(from, 0..40, &mut |_| {});
        let recosted = recost(&simulated, from, to).expect("only exact cost rates changed");
        let resimulated = run_replications(to, 0..40, &mut |_| {});
        assert_eq!(row_bits(&recosted), row_bits(&resimulated));
        for (a, b) in recosted.strategies.iter().zip(&resimulated.strategies) {
            assert_eq!(a.rows, b.rows);
            assert_eq!(a.restore_hist, b.restore_hist);
        }
        assert_eq!(recosted.events, resimulated.events);
        assert_ne!(
            row_bits(&recosted),
            row_bits(&simulated),
            "the change shows"
        );
        recosted
    }

    #[test]
    fn re_costing_an_investment_is_bit_identical_to_re_simulating() {
        let from = scenario();
        let mut to = from.clone();
        // Awkward values on purpose: rounding of cost × horizon / year must match too.
        to.strategies[0].annual_cost = 12_345.678_9;
        to.strategies[1].annual_cost = 0.1;
        assert_recost_is_a_resimulation(&from, &to);
    }

    /// Salaries, on-call standby, one SLA, and a service with a degraded cost beside one
    /// without: every exactly re-costable rate at once.
    const COSTS: &str = r#"
[simulation]
horizon = "365d"
replications = 40
seed = 7
[[tiers]]
name = "help-desk"
staff = 3
hours = "business"
hourly_cost = 45
annual_cost_per_engineer = 52000
[tiers.on_call]
staff = 1
ack = "5m"
standby_cost_per_hour = 5
callout_cost = 100
[[tiers]]
name = "senior"
staff = 1
hourly_cost = 120
annual_cost_per_engineer = 90000
[[services]]
name = "email"
priority = 1
downtime_cost_per_hour = 12000
degraded_cost_fraction = 0.3
report_delay = { dist = "exponential", mean = "20m" }
failures = { every = { dist = "exponential", mean = "45d" } }
[[services.modes]]
name = "memory-leak"
warning = { dist = "lognormal", median = "6h", p90 = "24h" }
fix = { dist = "lognormal", median = "45m", p90 = "3h" }
needs = "senior"
[[services]]
name = "web"
priority = 1
downtime_cost_per_hour = 3000
report_delay = "20m"
failures = { every = { dist = "exponential", mean = "10d" } }
[[services.modes]]
name = "crash"
fix = { dist = "exponential", mean = "3h" }
needs = "help-desk"
[strategies.reactive]
escalate_after = "2h"
handoff = "30m"
[strategies.proactive]
monitoring = { coverage = 0.85, detect = { dist = "exponential", mean = "15m" }, outage_detect = "2m", false_alarms_per_week = 2, triage = "10m" }
alert_tier = "help-desk"
escalate_after = "30m"
annual_cost = 60000
[[slas]]
priority = 1
respond = "30m"
resolve = "4h"
penalty = 1000
"#;

    #[test]
    fn re_costing_salaries_standby_sla_penalty_and_outage_rates_is_bit_identical() {
        let from = parse_str(COSTS, "costs.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from.services[1].degraded_cost_fraction, 0.0);
        let mut to = from.clone();
        for t in &mut to.tiers {
            t.annual_cost_per_engineer = t.annual_cost_per_engineer * 1.3 + 0.7;
            if let Some(on_call) = &mut t.on_call {
                on_call.standby_cost_per_hour = on_call.standby_cost_per_hour * 1.1 + 0.3;
            }
        }
        to.slas[0].penalty = to.slas[0].penalty * 0.9 + 123.456;
        to.services[1].downtime_cost_per_hour = 3000.0 * 1.7 + 0.01;
        assert!(recosts_exactly(&from, &to));
        let recosted = assert_recost_is_a_resimulation(&from, &to);
        // Every re-costed part is exercised: breaches, standby, outages of the changed service.
        let rows = || recosted.strategies.iter().flat_map(|s| &s.rows);
        assert!(rows().any(|r| r.sla_breaches > 1));
        assert!(rows().all(|r| r.standby_cost > 0.0 && r.fixed_labor_cost > 0.0));
        assert!(rows().any(|r| r.service_outage_minutes[1] > 0.0));
    }

    /// COSTS with a strategy that overrides the help desk's salary and rota (model.md §8.13).
    fn costs_with_overrides() -> Scenario {
        let text = format!(
            "{COSTS}\n[strategies.proactive.tiers.help-desk]\nannual_cost_per_engineer = 60000\n\
             [strategies.proactive.tiers.help-desk.on_call]\nstaff = 2\nack = \"5m\"\n\
             standby_cost_per_hour = 7\ncallout_cost = 100\n"
        );
        parse_str(&text, "overrides.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn re_costing_the_salaries_and_standby_of_overridden_tiers_is_bit_identical() {
        use crate::experiment::vary::{Setting, find};
        let from = costs_with_overrides();
        let proactive = from.strategy_index("proactive").expect("defined");
        assert_eq!(
            from.tiers_of(proactive)[0].annual_cost_per_engineer,
            60000.0
        );
        // A sweep of the tier's own salary: the override keeps proactive's; the senior tier,
        // not overridden, changes under both strategies.
        let salary = find(&from, "tiers.help-desk.annual_cost_per_engineer").expect("sweepable");
        let (to, _) = salary.apply(&from, Setting::To(70_000.5)).expect("valid");
        assert_eq!(to.tiers[0].annual_cost_per_engineer, 70_000.5);
        assert_eq!(to.tiers_of(proactive)[0].annual_cost_per_engineer, 60000.0);
        let senior = find(&to, "tiers.senior.annual_cost_per_engineer").expect("sweepable");
        let (mut to, _) = senior.apply(&to, Setting::Times(1.3)).expect("valid");
        assert_eq!(
            to.tiers_of(proactive)[1].annual_cost_per_engineer,
            117_000.0
        );
        // The override's own rates, changed directly (override fields are not swept).
        let own = &mut to.strategies[proactive].tiers[0];
        own.annual_cost_per_engineer += 0.25;
        own.on_call
            .as_mut()
            .expect("overridden rota")
            .standby_cost_per_hour = 7.7;
        assert!(recosts_exactly(&from, &to));
        let recosted = assert_recost_is_a_resimulation(&from, &to);
        let base = from.baseline_index();
        assert_ne!(
            recosted.strategies[base].rows.row(0).standby_cost,
            recosted.strategies[proactive].rows.row(0).standby_cost,
            "each strategy's standby comes from its own rota"
        );
        // Anything else in an override changes histories.
        let mut to = from.clone();
        to.strategies[proactive].tiers[0].staff += 1;
        let simulated = run_replications(&from, 0..2, &mut |_| {});
        assert!(recost(&simulated, &from, &to).is_none());
    }

    #[test]
    fn a_swept_tier_field_reaches_the_strategies_that_do_not_override_it() {
        use crate::experiment::vary::{Setting, find};
        let from = costs_with_overrides();
        let proactive = from.strategy_index("proactive").expect("defined");
        let ack = find(&from, "tiers.help-desk.on_call.ack").expect("sweepable");
        let (to, _) = ack.apply(&from, Setting::To(9.0)).expect("valid");
        // Both rotas had 5m; the override holds the same value, so it follows the tier.
        let acks = |s: &Scenario, si: usize| match &s.tiers_of(si)[0].on_call {
            Some(o) => o.ack.mean(),
            None => f64::NAN,
        };
        assert_eq!((acks(&to, 0), acks(&to, proactive)), (9.0, 9.0));
        let rate = find(&from, "tiers.help-desk.on_call.standby_cost_per_hour").expect("sweepable");
        let (to, _) = rate.apply(&from, Setting::To(6.0)).expect("valid");
        let standby = |s: &Scenario, si: usize| {
            s.tiers_of(si)[0]
                .on_call
                .as_ref()
                .map(|o| o.standby_cost_per_hour)
        };
        assert_eq!(standby(&to, 0), Some(6.0));
        assert_eq!(
            standby(&to, proactive),
            Some(7.0),
            "the override's own rate stays"
        );
        let hourly = find(&from, "tiers.help-desk.hourly_cost").expect("sweepable");
        let (to, _) = hourly.apply(&from, Setting::Times(2.0)).expect("valid");
        assert_eq!(to.tiers_of(proactive)[0].hourly_cost, 90.0);
    }

    #[test]
    fn rates_that_do_not_re_cost_exactly_are_simulated() {
        let from = scenario();
        let simulated = run_replications(&from, 0..2, &mut |_| {});
        let refused = |to: &Scenario| recost(&simulated, &from, to).is_none();
        let mut to = from.clone();
        to.strategies[1].fix_multiplier *= 1.1;
        assert!(refused(&to), "a strategy input changes histories");
        let mut to = from.clone();
        to.tiers[0].hourly_cost += 1.0;
        assert!(refused(&to), "labor is summed event by event");
        let mut to = from.clone();
        to.tiers[0].cost_per_incident += 1.0;
        assert!(refused(&to), "vendor fees are summed with the labor");
        let mut to = from.clone();
        to.simulation.seed += 1;
        assert!(refused(&to), "another seed");
        let mut to = from.clone();
        let degraded = to
            .services
            .iter()
            .position(|s| s.degraded_cost_fraction > 0.0)
            .expect("the default scenario has a degraded cost");
        to.services[degraded].downtime_cost_per_hour += 1.0;
        assert!(
            refused(&to),
            "degraded minutes are stored summed over services"
        );
    }
}
