//! Scenarios: the file format (TOML, DESIGN §3), human durations, distributions, and
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
    /// Service-level agreements by priority (`[[slas]]`, model.md §8.13); at most one per
    /// priority.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slas: Vec<Sla>,
}

/// A service-level agreement on the incidents of services of one priority (model.md §8.13):
/// both clocks start at detection; each breach costs `penalty`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    /// The service priority it covers.
    pub priority: u32,
    /// Detection → first work start allowed; `None`: no response clock.
    pub respond_minutes: Option<Minutes>,
    /// Detection → resolution allowed; `None`: no resolution clock.
    pub resolve_minutes: Option<Minutes>,
    /// Money per breach (a response and a resolution breach are two).
    pub penalty: f64,
}

/// Ticket floods of a service (model.md §8.4): after the first user report, more users report
/// the same outage until the service is up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tickets {
    /// Poisson rate of further reports while the outage lasts.
    pub per_hour: f64,
    /// First-tier engineer time per filed ticket.
    pub triage_minutes: Minutes,
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
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
    /// Salary and overheads of one staffed engineer per year (`fixed_labor_cost`).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub annual_cost_per_engineer: f64,
    /// A vendor's fee, charged once per incident this tier works (part of `labor_cost`).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub cost_per_incident: f64,
}

impl Tier {
    /// Engineers on the payroll of the tier, for `fixed_labor_cost` (model.md §8.13): its
    /// `staff`. With shifts (issue 11 part A) this is the sum of the shifts' staff; the
    /// on-call rota is not counted again.
    pub fn staffed_engineers(&self) -> u32 {
        self.staff
    }
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
    /// Further user reports while the outage lasts; `None`: one report per outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickets: Option<Tickets>,
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
    /// Share of tickets a status page or known-incident banner deflects (model.md §8.4).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub ticket_deflection: f64,
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

impl Scenario {
    /// Index of the strategy used as the baseline: `reactive` if present, else the first.
    pub fn baseline_index(&self) -> usize {
        self.strategies
            .iter()
            .position(|s| s.name == "reactive")
            .unwrap_or(0)
    }

    /// Look up a tier index by name.
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.name == name)
    }

    /// The SLA covering services of this priority, if any.
    pub fn sla_for(&self, priority: u32) -> Option<&Sla> {
        self.slas.iter().find(|s| s.priority == priority)
    }

    /// Look up a strategy index by name.
    pub fn strategy_index(&self, name: &str) -> Option<usize> {
        self.strategies.iter().position(|s| s.name == name)
    }
}

/// Lowercase slug of a scenario name for output folders (DESIGN §5): every run of characters
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
