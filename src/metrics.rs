//! The metric registry: every per-replication metric defined once, with its file name, label,
//! unit, which direction is better, a doc line and how it is shown.
//!
//! The terminal table, `summary.md`, `report.html`, `replications.csv` and `summary.json` all
//! iterate [`REGISTRY`], and the paired comparison reads [`MetricDef::direction`] to decide what
//! "the candidate is better" means. Adding a metric is one row here plus the projection code
//! that computes it (a field of [`RepMetrics`] filled by the metrics projection).
//!
//! Row order is the column order of `replications.csv` and the key order of `summary.json`:
//! append new rows at the end so existing files keep their columns.

use crate::format::{money, number};
use crate::projections::RepMetrics;
pub use crate::stats::Direction;

/// What a metric measures (one replication, per horizon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Simulated minutes.
    Minutes,
    /// Person-hours.
    Hours,
    /// A share in [0, 1].
    Share,
    /// A whole number of things.
    Count,
    /// The scenario's currency.
    Money,
}

/// How a value is shown to a person (terminal, Markdown, HTML).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Three significant digits, thousands separated.
    Number,
    /// Whole currency units with the scenario's symbol.
    Money,
    /// A share as a percentage with three decimals.
    Percent,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// The stable name used in `replications.csv`, `summary.json` and `--metric`-style options.
    pub name: &'static str,
    /// The row label in the terminal, Markdown and HTML tables.
    pub label: &'static str,
    pub unit: Unit,
    /// Which way is better, for the paired "share better".
    pub direction: Direction,
    /// One line saying what is counted (documentation and tooltips).
    pub doc: &'static str,
    /// Multiply values by this before showing them (1/60 shows minutes as hours).
    pub scale: f64,
    pub kind: Kind,
    /// Shown as a row of the human-readable tables (every metric is in the files).
    pub in_tables: bool,
    /// Left out of the tables when it is 0 for every strategy: the row of a feature the
    /// scenario does not use (tickets, SLAs, salaries) would only be noise there.
    pub hide_when_zero: bool,
    /// The metric's value in one replication (None where undefined).
    pub value: fn(&RepMetrics) -> Option<f64>,
}

/// Every metric, in file column order. Directions, and why:
/// - outage, degraded time, MTTD, MTTR, labor hours and every cost: less is better.
/// - `availability` and `averted` (outages prevented by acting on a warning): more is better.
/// - `outages`: fewer is better (each is harm suffered).
/// - `incidents`: neutral. A strategy that watches more closely opens incidents for
///   degradations that would otherwise have turned into outages later (or been missed); the
///   count measures activity, not harm, whose cost is in the outage and cost rows.
/// - `escalations`: neutral. Escalating sooner can be the better strategy (a faster fix); the
///   count is a process measure whose price is already in labor hours and labor cost.
/// - `false_alarms`: neutral. They are the price of sensitive monitoring, paid in labor hours
///   and labor cost, which carry the direction; scoring them too would count the price twice.
pub const REGISTRY: &[MetricDef] = &[
    MetricDef {
        name: "outage_minutes",
        label: "Outage hours",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        doc: "Minutes a service was down, summed over services (shown in hours).",
        scale: 1.0 / 60.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.outage_minutes),
    },
    MetricDef {
        name: "degraded_minutes",
        label: "Degraded hours",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        doc: "Minutes a service ran degraded (slow, not down), summed over services.",
        scale: 1.0 / 60.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.degraded_minutes),
    },
    MetricDef {
        name: "availability",
        label: "Availability",
        unit: Unit::Share,
        direction: Direction::HigherIsBetter,
        doc: "1 − outage minutes / (services × horizon).",
        scale: 1.0,
        kind: Kind::Percent,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.availability),
    },
    MetricDef {
        name: "incidents",
        label: "Incidents",
        unit: Unit::Count,
        direction: Direction::Neutral,
        doc: "Incidents opened (by monitoring, a warning or a user report).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.incidents as f64),
    },
    MetricDef {
        name: "outages",
        label: "Outages",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        doc: "Outages that began before the horizon.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.outages as f64),
    },
    MetricDef {
        name: "averted",
        label: "Averted outages",
        unit: Unit::Count,
        direction: Direction::HigherIsBetter,
        doc: "Degradations fixed before they turned into an outage.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.averted as f64),
    },
    MetricDef {
        name: "escalations",
        label: "Escalations",
        unit: Unit::Count,
        direction: Direction::Neutral,
        doc: "Work items passed on to a higher tier.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.escalations as f64),
    },
    MetricDef {
        name: "false_alarms",
        label: "False alarms",
        unit: Unit::Count,
        direction: Direction::Neutral,
        doc: "Monitoring alerts with nothing wrong behind them.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.false_alarms as f64),
    },
    MetricDef {
        name: "mttd_minutes",
        label: "MTTD (min)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        doc: "Mean time from failure to detection (undefined when nothing was detected).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| r.mttd_minutes,
    },
    MetricDef {
        name: "mttr_minutes",
        label: "MTTR (min)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        doc: "Mean time from outage start to service up (undefined when no outage ended).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| r.mttr_minutes,
    },
    MetricDef {
        name: "labor_hours",
        label: "Labor hours",
        unit: Unit::Hours,
        direction: Direction::LowerIsBetter,
        doc: "Engineer hours of work started before the horizon.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.labor_hours),
    },
    MetricDef {
        name: "downtime_cost",
        label: "Downtime cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Outage minutes priced at each service's cost per minute down.",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.downtime_cost),
    },
    MetricDef {
        name: "degraded_cost",
        label: "Degraded cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Degraded minutes priced at each service's degraded cost per minute.",
        scale: 1.0,
        kind: Kind::Money,
        // Not a table row: it is part of downtime cost's story and small in most scenarios;
        // the cost chart shows it.
        in_tables: false,
        hide_when_zero: false,
        value: |r| Some(r.degraded_cost),
    },
    MetricDef {
        name: "labor_cost",
        label: "Labor cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Labor hours priced at each tier's hourly rate, plus on-call callouts.",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.labor_cost),
    },
    MetricDef {
        name: "investment_cost",
        label: "Investment",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "The strategy's annual cost, for the horizon.",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.investment_cost),
    },
    MetricDef {
        name: "total_cost",
        label: "Total cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Downtime (degraded included) + labor (callouts and vendor fees included) + fixed labor + standby + SLA penalties + investment.",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: false,
        value: |r| Some(r.total_cost),
    },
    // On-call (model.md §8.2): table rows only where some strategy pages (hide_when_zero), so
    // scenarios without on-call keep their tables; every file carries the columns.
    MetricDef {
        name: "pages",
        label: "Pages",
        unit: Unit::Count,
        // Neutral: paging sooner can be the better strategy; its price is in labor cost
        // (callouts) and its toll on people in pages_asleep.
        direction: Direction::Neutral,
        doc: "On-call pages: incidents sent to an on-call engineer while no shift of the tier was open.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.pages as f64),
    },
    MetricDef {
        name: "pages_asleep",
        label: "Pages at night",
        unit: Unit::Count,
        // Fewer is better: each one wakes someone up.
        direction: Direction::LowerIsBetter,
        doc: "Pages that fell in the paged engineer's local sleeping hours.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.pages_asleep as f64),
    },
    MetricDef {
        name: "standby_cost",
        label: "Standby cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "On-call staff × hours with no shift of their tier open × the standby rate (in total cost).",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.standby_cost),
    },
    MetricDef {
        name: "tickets",
        label: "Tickets",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        doc: "Tickets filed by users after the first report of an outage (model.md §8.4).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.tickets as f64),
    },
    MetricDef {
        name: "tickets_deflected",
        label: "Tickets deflected",
        unit: Unit::Count,
        direction: Direction::Neutral,
        doc: "Tickets a status page or known-incident banner deflected (never filed).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.tickets_deflected as f64),
    },
    MetricDef {
        name: "fixed_labor_cost",
        label: "Fixed labor cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Salaries of the staffed engineers over the horizon, busy or not.",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.fixed_labor_cost),
    },
    MetricDef {
        name: "sla_breaches",
        label: "SLA breaches",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        doc: "Response and resolution deadlines missed (one incident may breach both).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.sla_breaches as f64),
    },
    MetricDef {
        name: "sla_penalty_cost",
        label: "SLA penalties",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Penalties of the SLA breaches.",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.sla_penalty_cost),
    },
    // Workarounds and problems (model.md §8.8, §8.9): neutral counts. A workaround is cheap and
    // quick but its recurrences cost outages; a problem fix costs senior hours but ends them.
    // The harm and the price are in the outage, labor and cost rows, which carry directions.
    // Table rows only where some strategy uses them (hide_when_zero), so the README's tables of
    // scenarios without workarounds stay as they are.
    MetricDef {
        name: "workarounds",
        label: "Workarounds",
        unit: Unit::Count,
        direction: Direction::Neutral,
        doc: "Workaround attempts (restarts) by a tier that cannot fix the failure mode.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.workarounds as f64),
    },
    MetricDef {
        name: "recurrences",
        label: "Recurrences",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        doc: "Failures that recurred from a root cause a workaround left behind.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.recurrences as f64),
    },
    MetricDef {
        name: "problems_fixed",
        label: "Problems fixed",
        unit: Unit::Count,
        direction: Direction::Neutral,
        doc: "Root-cause fixes done by problem management.",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.problems_fixed as f64),
    },
    MetricDef {
        name: "inherited_outage_minutes",
        label: "Inherited outage hours",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        doc: "Minutes a service was down only because a service it depends on was (included in outage minutes).",
        scale: 1.0 / 60.0,
        kind: Kind::Number,
        // A table row only where some service depends on another (zero everywhere else); the
        // per-service table of the report splits own from inherited outage.
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.inherited_outage_minutes),
    },
    // Preventive maintenance (model.md §8.6): table rows only where some strategy maintains.
    MetricDef {
        name: "maintenance_hours",
        label: "Maintenance hours",
        unit: Unit::Hours,
        // Neutral: prevention is bought with these hours; its worth shows in the costs.
        direction: Direction::Neutral,
        doc: "Engineer hours of preventive maintenance (also in labor hours).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.maintenance_hours),
    },
    MetricDef {
        name: "planned_minutes",
        label: "Planned downtime hours",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        doc: "Minutes services were planned-down for maintenance (not outage minutes, not in availability).",
        scale: 1.0 / 60.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.planned_minutes),
    },
    MetricDef {
        name: "planned_cost",
        label: "Planned downtime cost",
        unit: Unit::Money,
        direction: Direction::LowerIsBetter,
        doc: "Planned minutes priced at the downtime cost × planned_downtime_cost_fraction (included in downtime cost).",
        scale: 1.0,
        kind: Kind::Money,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.planned_cost),
    },
    // Changes (model.md §8.12): table rows only where some service deploys changes.
    MetricDef {
        name: "changes",
        label: "Changes",
        unit: Unit::Count,
        // Neutral: the same changes reach every strategy; their failures carry the harm.
        direction: Direction::Neutral,
        doc: "Changes deployed to the services (the same under every strategy).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.changes as f64),
    },
    MetricDef {
        name: "change_failures",
        label: "Change failures",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        doc: "Changes that failed a service (each starts an incident; included in incidents).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.change_failures as f64),
    },
    // Symptom incidents (model.md §8.11): table rows only where some service depends on
    // another and its users met the symptom.
    MetricDef {
        name: "symptom_incidents",
        label: "Symptom incidents",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        doc: "Incidents users opened on a service that was down only because a service it depends on was (not counted in incidents).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.symptom_incidents as f64),
    },
    MetricDef {
        name: "symptom_hours",
        label: "Symptom hours",
        unit: Unit::Hours,
        direction: Direction::LowerIsBetter,
        doc: "Engineer hours spent troubleshooting symptom incidents that nobody could fix there (also in labor hours).",
        scale: 1.0,
        kind: Kind::Number,
        in_tables: true,
        hide_when_zero: true,
        value: |r| Some(r.symptom_hours),
    },
];

/// A handle to one registry row: cheap to copy and compare.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Metric(u16);

impl std::fmt::Debug for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Metric({})", self.name())
    }
}

/// The registry index of `name`, checked at compile time where used in a constant.
const fn index_of(name: &str) -> u16 {
    let mut i = 0;
    while i < REGISTRY.len() {
        let a = REGISTRY[i].name.as_bytes();
        let b = name.as_bytes();
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i as u16;
            }
        }
        i += 1;
    }
    panic!("no metric of that name in the registry")
}

impl Metric {
    // Handles for the metrics that code refers to by name (budgets, charts, tests). A metric
    // that is only listed needs none.
    pub const OUTAGE_MINUTES: Metric = Metric(index_of("outage_minutes"));
    pub const DEGRADED_MINUTES: Metric = Metric(index_of("degraded_minutes"));
    pub const AVAILABILITY: Metric = Metric(index_of("availability"));
    pub const INCIDENTS: Metric = Metric(index_of("incidents"));
    pub const OUTAGES: Metric = Metric(index_of("outages"));
    pub const AVERTED: Metric = Metric(index_of("averted"));
    pub const ESCALATIONS: Metric = Metric(index_of("escalations"));
    pub const FALSE_ALARMS: Metric = Metric(index_of("false_alarms"));
    pub const MTTD_MINUTES: Metric = Metric(index_of("mttd_minutes"));
    pub const MTTR_MINUTES: Metric = Metric(index_of("mttr_minutes"));
    pub const LABOR_HOURS: Metric = Metric(index_of("labor_hours"));
    pub const DOWNTIME_COST: Metric = Metric(index_of("downtime_cost"));
    pub const DEGRADED_COST: Metric = Metric(index_of("degraded_cost"));
    pub const LABOR_COST: Metric = Metric(index_of("labor_cost"));
    pub const INVESTMENT_COST: Metric = Metric(index_of("investment_cost"));
    pub const TOTAL_COST: Metric = Metric(index_of("total_cost"));
    pub const TICKETS: Metric = Metric(index_of("tickets"));
    pub const TICKETS_DEFLECTED: Metric = Metric(index_of("tickets_deflected"));
    pub const FIXED_LABOR_COST: Metric = Metric(index_of("fixed_labor_cost"));
    pub const SLA_BREACHES: Metric = Metric(index_of("sla_breaches"));
    pub const SLA_PENALTY_COST: Metric = Metric(index_of("sla_penalty_cost"));
    pub const INHERITED_OUTAGE_MINUTES: Metric = Metric(index_of("inherited_outage_minutes"));
    pub const MAINTENANCE_HOURS: Metric = Metric(index_of("maintenance_hours"));
    pub const PLANNED_MINUTES: Metric = Metric(index_of("planned_minutes"));
    pub const PLANNED_COST: Metric = Metric(index_of("planned_cost"));
    pub const CHANGES: Metric = Metric(index_of("changes"));
    pub const CHANGE_FAILURES: Metric = Metric(index_of("change_failures"));
    pub const SYMPTOM_INCIDENTS: Metric = Metric(index_of("symptom_incidents"));
    pub const SYMPTOM_HOURS: Metric = Metric(index_of("symptom_hours"));

    /// Its position in the registry: 0 for the first metric, then one more for each.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Every metric, in registry (file column) order.
    pub fn all() -> impl Iterator<Item = Metric> + Clone {
        (0..REGISTRY.len() as u16).map(Metric)
    }

    /// The metrics shown as rows of the human-readable tables, in reading order.
    pub fn table_rows() -> impl Iterator<Item = Metric> + Clone {
        Metric::all().filter(|m| m.def().in_tables)
    }

    /// The registry row.
    pub fn def(self) -> &'static MetricDef {
        &REGISTRY[self.0 as usize]
    }

    /// The stable name used in files.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// Parse a stable name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::all().find(|m| m.name() == name)
    }

    /// Which way is better.
    pub fn direction(self) -> Direction {
        self.def().direction
    }

    /// The metric's value in one replication (None where undefined).
    #[inline]
    pub fn value(self, rep: &RepMetrics) -> Option<f64> {
        (self.def().value)(rep)
    }

    /// One value as a person reads it (scaled, with unit or currency).
    pub fn show(self, x: f64, currency: &str) -> String {
        let def = self.def();
        let x = x * def.scale;
        match def.kind {
            Kind::Number => number(x),
            Kind::Money => money(x, currency),
            Kind::Percent => format!("{:.3} %", x * 100.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for def in REGISTRY {
            assert!(seen.insert(def.name), "{} listed twice", def.name);
            assert!(
                def.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{} is not snake_case",
                def.name
            );
            assert!(!def.doc.is_empty() && !def.label.is_empty(), "{}", def.name);
            assert!(def.scale.is_finite() && def.scale > 0.0, "{}", def.name);
        }
    }

    #[test]
    fn handles_point_at_their_rows() {
        assert_eq!(Metric::TOTAL_COST.name(), "total_cost");
        assert_eq!(Metric::AVERTED.name(), "averted");
        assert_eq!(
            Metric::from_name("mttr_minutes"),
            Some(Metric::MTTR_MINUTES)
        );
        assert_eq!(Metric::from_name("nonsense"), None);
        assert_eq!(Metric::all().count(), REGISTRY.len());
    }

    #[test]
    fn directions_follow_what_a_reader_wants_more_or_less_of() {
        assert_eq!(Metric::AVERTED.direction(), Direction::HigherIsBetter);
        assert_eq!(Metric::AVAILABILITY.direction(), Direction::HigherIsBetter);
        assert_eq!(Metric::INCIDENTS.direction(), Direction::Neutral);
        assert_eq!(Metric::FALSE_ALARMS.direction(), Direction::Neutral);
        assert_eq!(Metric::TOTAL_COST.direction(), Direction::LowerIsBetter);
        assert_eq!(Metric::OUTAGE_MINUTES.direction(), Direction::LowerIsBetter);
        // Every money metric is a cost.
        for m in Metric::all().filter(|m| m.def().unit == Unit::Money) {
            assert_eq!(m.direction(), Direction::LowerIsBetter, "{}", m.name());
        }
    }

    #[test]
    fn values_are_shown_scaled_with_their_unit() {
        assert_eq!(Metric::OUTAGE_MINUTES.show(90.0, "USD"), number(1.5));
        assert_eq!(Metric::AVAILABILITY.show(0.98452, "USD"), "98.452 %");
        assert_eq!(Metric::TOTAL_COST.show(1234.0, "USD"), money(1234.0, "USD"));
    }
}
