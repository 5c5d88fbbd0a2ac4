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
    /// The appraisal settings of `[finance]` (absent: one year, no discounting). Skipped in
    /// serialised scenarios when absent, so event logs of old scenarios keep their bytes.
    #[serde(default, skip_serializing_if = "Finance::is_default")]
    pub finance: Finance,
}

/// How the business case turns one simulated year into cash flows (`[finance]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finance {
    /// Years of benefit and recurring cost after the year-0 investment.
    pub years: u32,
    /// Yearly discount rate: year t is divided by (1 + rate)^t.
    pub discount_rate: f64,
}

impl Default for Finance {
    /// No `[finance]`: one year, no discounting — today's annual figures.
    fn default() -> Self {
        Finance {
            years: 1,
            discount_rate: 0.0,
        }
    }
}

impl Finance {
    /// True for the settings of a scenario without `[finance]`.
    pub fn is_default(&self) -> bool {
        *self == Finance::default()
    }
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
    /// Year-0 investment (set-up, licences bought outright); only the business case uses it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub one_time_cost: f64,
    /// Share of the benefit realised in each year 1 … years; empty: the full benefit every
    /// year. Only the business case uses it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ramp_up: Vec<f64>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
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
