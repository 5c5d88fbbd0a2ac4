//! Reusing the runs of the strategies a variant leaves unchanged (issue 19).
//!
//! A strategy's replications depend only on the scenario outside `strategies` and on that
//! strategy's own definition: every random stream is keyed by (seed, replication, purpose, id),
//! never by the strategy's index (docs/model.md §2, "Randomness and fair comparison"), and one
//! strategy's run never reads another's state. So when a sweep point or a sensitivity input
//! changes only some strategies (`strategies.proactive.escalate_after`), the other strategies'
//! rows, histograms, checkpoints and event counts are those of the run it was derived from,
//! bit for bit; only the changed strategies are simulated, in a copy of the variant that holds
//! just them. `tests/reuse.rs` proves the spliced results equal a full re-simulation.
//!
//! [`derive`] is what every study calls: it also re-costs ([`super::recost`]) a variant that
//! changes only pure cost rates, and one that changes cost rates outside the strategies *and*
//! some strategies (the unchanged strategies' runs re-costed, the changed ones simulated).

use super::ExperimentResults;
use super::recost::recost;
use crate::scenario::Scenario;

/// The strategies (indices, ascending) in which `to` differs from `from`, when that is the
/// only difference: same strategies by name and order, every field outside `strategies`
/// equal. `None` when anything else differs (then every strategy must be simulated again).
pub fn changed_strategies(from: &Scenario, to: &Scenario) -> Option<Vec<usize>> {
    if from.strategies.len() != to.strategies.len()
        || from
            .strategies
            .iter()
            .zip(&to.strategies)
            .any(|(f, t)| f.name != t.name)
    {
        return None;
    }
    let mut rest = to.clone();
    rest.strategies.clone_from(&from.strategies);
    if rest != *from {
        return None;
    }
    Some(
        (0..to.strategies.len())
            .filter(|&i| to.strategies[i] != from.strategies[i])
            .collect(),
    )
}

/// A copy of `scenario` that holds only the strategies `keep` (indices, ascending): what is
/// simulated for them. Its baseline may be missing; it is never reported.
pub fn with_only(scenario: &Scenario, keep: &[usize]) -> Scenario {
    let mut only = scenario.clone();
    only.strategies = keep
        .iter()
        .map(|&i| scenario.strategies[i].clone())
        .collect();
    only
}

/// `base`'s results with strategy `changed[i]` replaced by strategy `i` of `simulated` (the
/// run of [`with_only`]`(variant, changed)` over the same replications), the total event
/// count made up again from the strategies'.
pub fn splice(
    base: &ExperimentResults,
    changed: &[usize],
    simulated: ExperimentResults,
) -> ExperimentResults {
    assert_eq!(base.reps, simulated.reps, "the same replications");
    assert_eq!(changed.len(), simulated.strategies.len());
    let mut out = base.clone();
    for (&i, results) in changed.iter().zip(simulated.strategies) {
        out.strategies[i] = results;
    }
    out.events = out.strategies.iter().map(|s| s.events).sum();
    out
}

/// The results of `variant`, reusing `from`'s run (`from_results`, same replications) for the
/// strategies `variant` leaves unchanged and simulating the others with `simulate`; `None`
/// when `variant` differs from `from` outside its strategies, or in all of them (nothing to
/// reuse). Progress is reported by `simulate`, as for a whole run of the variant.
pub fn simulate_reusing(
    from: &Scenario,
    from_results: &ExperimentResults,
    variant: &Scenario,
    progress: &mut dyn FnMut(u64),
    simulate: &mut super::study::Simulate<'_>,
) -> Option<ExperimentResults> {
    let changed = changed_strategies(from, variant)?;
    if changed.len() == variant.strategies.len() {
        return None;
    }
    if changed.is_empty() {
        // The same scenario: the same results (its progress still counts one run).
        progress(variant.simulation.replications);
        return Some(from_results.clone());
    }
    let simulated = simulate(&with_only(variant, &changed), progress);
    Some(splice(from_results, &changed, simulated))
}

/// The results of `variant` derived from `from`'s run (`from_results`, same replications),
/// simulating no more than must be; `None` when every strategy must be simulated again. In
/// order of preference:
/// - `variant` changes only pure cost rates that re-cost exactly: `from_results` re-costed,
///   nothing simulated (`progress` told of one run's replications, as for a simulation);
/// - it changes only some strategies: [`simulate_reusing`];
/// - it changes pure cost rates outside the strategies and some strategies: the unchanged
///   strategies' runs re-costed to those rates, the changed ones simulated.
///
/// Every way gives the rows, histograms and event counts a simulation of `variant` gives, bit
/// for bit; the cost checkpoints of re-costed strategies are empty, as [`recost`] leaves them.
pub fn derive(
    from: &Scenario,
    from_results: &ExperimentResults,
    variant: &Scenario,
    progress: &mut dyn FnMut(u64),
    simulate: &mut super::study::Simulate<'_>,
) -> Option<ExperimentResults> {
    if let Some(results) = recost(from_results, from, variant) {
        progress(variant.simulation.replications);
        return Some(results);
    }
    if let Some(results) = simulate_reusing(from, from_results, variant, progress, simulate) {
        return Some(results);
    }
    // The variant with `from`'s strategies is what re-costing can reach; the variant differs
    // from it only in some strategies.
    let mut outside = variant.clone();
    outside.strategies.clone_from(&from.strategies);
    let recosted = recost(from_results, from, &outside)?;
    simulate_reusing(&outside, &recosted, variant, progress, simulate)
}
