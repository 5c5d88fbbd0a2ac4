//! Scenarios: the file format (TOML, docs/model.md §3), human durations, distributions, and
//! validation into a checked [`Scenario`] that the model can trust.
//!
//! Data flows one way: `file text → raw serde types (parse.rs) → checked Scenario`.
//! Everything downstream of this module works only with the checked types below, whose
//! invariants (tier indices in range, probabilities in [0, 1], positive staff, …) were
//! established by [`load`] / [`parse_str`].

pub mod calendar;
pub mod describe;
pub mod dist;
pub mod duration;
pub mod error;
pub mod fields;
pub mod parse;
pub mod validate;

pub use dist::Dist;
pub use error::{ScenarioError, ScenarioErrors};
pub use parse::{DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO_TOML, load, parse_str};
pub use validate::{Violation, validate};

use serde::{Deserialize, Serialize};

/// Simulated time and durations, in minutes.
pub type Minutes = f64;

/// Minutes in a (365-day) year: money "per year" is scaled by this over the horizon.
pub const MINUTES_PER_YEAR: Minutes = 525_600.0;
/// Minutes in a week (false-alarm rates are given per week).
pub const MINUTES_PER_WEEK: Minutes = 10_080.0;

/// A checked scenario: every name resolved to an index, every value in range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// ISO 4217 code; every money field is in it.
    pub currency: String,
    pub simulation: Simulation,
    /// In escalation order: index 0 is the first tier (help desk).
    pub tiers: Vec<Tier>,
    pub services: Vec<Service>,
    /// In file order.
    pub strategies: Vec<Strategy>,
    /// The strategy every candidate is compared with (`baseline = "…"` in the file, or
    /// `--baseline NAME`); None: `reactive` if there is one, else the first (DESIGN §5).
    /// Absent from the serialized scenario when unset, so old event logs and shard files
    /// read the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// Run settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub horizon_minutes: Minutes,
    pub replications: u64,
    pub seed: u64,
}

/// When a tier starts new work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hours {
    /// `"24x7"`: always open.
    #[serde(rename = "24x7")]
    AlwaysOpen,
    /// `"business"`: Monday–Friday, 08:00–18:00.
    Business,
}

/// One support tier (help desk, engineers, vendor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub name: String,
    pub staff: u32,
    pub hours: Hours,
    pub hourly_cost: f64,
}

/// One service that fails and gets restored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    /// 1 is highest.
    pub priority: u32,
    pub downtime_cost_per_hour: f64,
    pub degraded_cost_fraction: f64,
    /// Outage start → user report.
    pub report_delay: Dist,
    /// Time from UP to the next failure.
    pub failures_every: Dist,
    pub modes: Vec<Mode>,
    /// Services this one needs (docs/model.md §8.10); empty for a service that stands alone.
    /// Left out of the JSON when empty, so logs of scenarios without dependencies keep their
    /// bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Dependency>,
}

/// One edge of the dependency graph: the dependant inherits `service`'s state through `effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// Index into `Scenario::services` of the service depended on.
    pub service: usize,
    pub effect: Effect,
}

/// What a dependency's trouble does to its dependant (docs/model.md §8.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The dependency's state passes through: down makes the dependant down.
    Down,
    /// The dependency's state is capped at degraded: the dependant runs slow, never down.
    Degraded,
}

/// One failure mode of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mode {
    pub name: String,
    pub weight: f64,
    /// P-F interval: degraded time before the outage (0 = sudden).
    pub warning: Dist,
    /// Hands-on repair time at an able tier.
    pub fix: Dist,
    /// Index into `Scenario::tiers` of the lowest tier able to fix it.
    pub needs: usize,
}

/// A named set of detection and escalation choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    pub name: String,
    pub escalate_after: Minutes,
    pub handoff: Minutes,
    pub fix_multiplier: f64,
    pub annual_cost: f64,
    /// Index into `Scenario::tiers` where monitoring alerts land.
    pub alert_tier: usize,
    pub route_direct: f64,
    pub monitoring: Option<Monitoring>,
}

/// Monitoring of degradation and outages, with its false alarms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monitoring {
    pub coverage: f64,
    pub detect: Dist,
    pub outage_detect: Minutes,
    pub false_alarms_per_week: f64,
    pub triage: Minutes,
}

/// A cycle in the dependency graph, as the services along it (first one repeated implicitly),
/// or `None` when the graph is acyclic. References must be in range.
pub fn dependency_cycle(s: &Scenario) -> Option<Vec<usize>> {
    // Depth-first search with colours: 0 unvisited, 1 on the current path, 2 finished.
    fn visit(
        s: &Scenario,
        i: usize,
        colour: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        colour[i] = 1;
        path.push(i);
        for d in &s.services[i].depends_on {
            match colour[d.service] {
                1 => {
                    let start = path.iter().position(|&p| p == d.service).unwrap_or(0);
                    return Some(path[start..].to_vec());
                }
                0 => {
                    if let Some(c) = visit(s, d.service, colour, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        colour[i] = 2;
        None
    }
    let mut colour = vec![0u8; s.services.len()];
    let mut path = Vec::new();
    for i in 0..s.services.len() {
        if colour[i] == 0
            && let Some(c) = visit(s, i, &mut colour, &mut path)
        {
            return Some(c);
        }
    }
    None
}

/// The services in an order where every dependency comes before its dependants (the graph must
/// be acyclic: validated scenarios are).
pub fn dependency_order(s: &Scenario) -> Vec<usize> {
    fn visit(s: &Scenario, i: usize, done: &mut [bool], order: &mut Vec<usize>) {
        if done[i] {
            return;
        }
        done[i] = true;
        for d in &s.services[i].depends_on {
            visit(s, d.service, done, order);
        }
        order.push(i);
    }
    let mut done = vec![false; s.services.len()];
    let mut order = Vec::with_capacity(s.services.len());
    for i in 0..s.services.len() {
        visit(s, i, &mut done, &mut order);
    }
    order
}

impl Scenario {
    /// Index of the strategy used as the baseline: `reactive` if present, else the first.
    pub fn baseline_index(&self) -> usize {
        if let Some(i) = self
            .baseline
            .as_deref()
            .and_then(|b| self.strategy_index(b))
        {
            return i;
        }
        self.strategies
            .iter()
            .position(|s| s.name == "reactive")
            .unwrap_or(0)
    }

    /// Name the baseline strategy (`--baseline NAME`). An error lists the strategies when the
    /// name is not one of them.
    pub fn set_baseline(&mut self, name: &str) -> Result<(), String> {
        if self.strategy_index(name).is_none() {
            return Err(format!(
                "no strategy named {name:?} to use as the baseline; the strategies are {}",
                self.strategies
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        self.baseline = Some(name.to_string());
        Ok(())
    }

    /// Look up a tier index by name.
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.name == name)
    }

    /// Look up a strategy index by name.
    pub fn strategy_index(&self, name: &str) -> Option<usize> {
        self.strategies.iter().position(|s| s.name == name)
    }
}

/// Lowercase slug of a scenario name for output folders (docs/model.md §5): every run of characters
/// other than ASCII letters and digits becomes one `-`, trimmed at both ends.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        "default".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slug_turns_runs_of_other_characters_into_one_dash() {
        assert_eq!(slug("Mail_server  v2!"), "mail-server-v2");
        assert_eq!(slug("--x--"), "x");
        assert_eq!(slug("!!!"), "default");
    }
}
