//! The field registry: every field a scenario file accepts, defined once.
//!
//! One [`Field`] row per field: its TOML path, kind, default, bounds, doc line, how a sweep
//! changes it, and accessors into the checked [`Scenario`]. The parser checks every key of a
//! file against these rows (unknown keys anywhere, inline tables included), the one validator
//! ([`super::validate`]) checks bounds through them, sweeps and sensitivity analyses find and
//! change parameters through them, and `docs/scenario-reference.md` is generated from them.
//!
//! Paths are patterns: `tiers[]` is every element of the array of tables `[[tiers]]`,
//! `strategies.*` every named table under `[strategies]`, so `services[].modes[].fix` is the
//! fix of every mode of every service. A container row (a table, an array of tables or a map of
//! named tables) makes its children's keys known; a leaf's value (a distribution's table too) is
//! checked by the parser for its kind.
//!
//! Adding a field with a default is one row here (plus the typed field and the model code that
//! uses it); its key is then accepted, documented, bounded and, if numeric, sweepable.

use std::fmt::Write;
use std::ops::Range;
use std::sync::OnceLock;

use super::dist::Dist;
use super::{MINUTES_PER_WEEK, Scenario};

/// Longest accepted horizon: 100 years of 365 days.
pub const MAX_HORIZON_MINUTES: f64 = 100.0 * 365.0 * 1440.0;
/// Most replications a scenario may ask for.
pub const MAX_REPLICATIONS: i64 = 10_000_000;
/// Most engineers in one tier: a guard against typos that would exhaust memory.
pub const MAX_STAFF: i64 = 1_000_000;
/// The largest amount accepted in a money field (per hour or per year): a trillion. Larger
/// values are typos, and would overflow the totals to infinity.
pub const MAX_MONEY: f64 = 1e12;
/// Longest business case: 50 years of cash flows.
pub const MAX_FINANCE_YEARS: i64 = 50;
/// Most expected failures per replication (docs/model.md §2 rule 14).
pub const MAX_EXPECTED_EVENTS: f64 = 1e7;
/// Most expected false alarms per replication and strategy. Alarms can pile up in a queue (a
/// business-hours tier over a weekend, triage slower than the alarm rate): this bounds that
/// queue to tens of megabytes per worker thread. A million a year is two a minute.
pub const MAX_EXPECTED_FALSE_ALARMS: f64 = 1e6;

/// What a field holds: decides how the parser reads it and how the reference describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A name other fields or outputs refer to: non-empty, printable, unique among siblings.
    Name,
    /// A three-letter ISO 4217 currency code.
    Currency,
    /// Opening hours: `"24x7"`, `"business"` or weekly ranges (`"Mon-Fri 07:00-19:00"`).
    Hours,
    /// A UTC offset, `"+HH:MM"` or `"-HH:MM"`.
    Offset,
    /// The name of a tier.
    TierRef,
    /// `true` or `false`.
    Bool,
    /// A whole number of people (rounded and kept ≥ 1 when varied).
    Count,
    /// A whole number that orders or configures (priority, seed, replications).
    Integer,
    /// One fixed duration, written with a unit (`"30m"`).
    Duration,
    /// A duration or a distribution of durations (`{ dist = "exponential", mean = "45d" }`).
    Dist,
    /// A probability or share in [0, 1].
    Probability,
    /// An amount of money in the scenario's currency.
    Money,
    /// A factor > 0.
    Multiplier,
    /// An array of probabilities or shares, one per year (`[0.5, 1.0, 1.0]`).
    Shares,
    /// A plain number ≥ 0 (a rate, a weight).
    Number,
    /// A table with fixed keys (`[simulation]`, an inline `{ … }`).
    Table,
    /// An array of tables (`[[tiers]]`); its elements' keys are the rows under `path[]`.
    Tables,
    /// Tables named by the user (`[strategies.NAME]`); their keys are the rows under `path.*`.
    NamedTables,
}

impl Kind {
    /// True for kinds that hold other fields.
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Table | Kind::Tables | Kind::NamedTables)
    }

    /// How a value of this kind is written, for the reference and for help lines.
    pub fn written(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Name => "name (printable text)",
            Kind::Currency => "ISO 4217 code",
            Kind::Hours => {
                r#""24x7", "business" or weekly ranges ("Mon-Fri 07:00-19:00; Sat 09:00-13:00")"#
            }
            Kind::Offset => r#"UTC offset ("+01:00")"#,
            Kind::TierRef => "tier name",
            Kind::Bool => "true or false",
            Kind::Count => "integer",
            Kind::Integer => "integer",
            Kind::Duration => "duration",
            Kind::Dist => "duration or distribution",
            Kind::Probability => "probability",
            Kind::Money => "money",
            Kind::Multiplier => "number",
            Kind::Shares => "array of shares",
            Kind::Number => "number",
            Kind::Table => "table",
            Kind::Tables => "array of tables",
            Kind::NamedTables => "named tables",
        }
    }
}

/// Whether a field must be written, and what its absence means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The file must give it.
    Required,
    /// Absent means this value, as it would be written in the file.
    Default(&'static str),
    /// Absent means what the text says (no default value of the same kind).
    Optional(&'static str),
}

/// The accepted range of a numeric field: the one definition the parser and the validator
/// both check against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bounds {
    /// No numeric range (text, names, containers).
    Unbounded,
    /// ≥ 0.
    NonNegative,
    /// > 0.
    Positive,
    /// In [0, 1].
    Probability,
    /// ≥ 0 and at most [`MAX_MONEY`].
    Money,
    /// A whole number in `min..=max`.
    Integer { min: i64, max: i64 },
    /// A duration in (0, [`MAX_HORIZON_MINUTES`]].
    Horizon,
    /// A duration (or a distribution's mean) ≥ 0.
    Duration,
    /// A distribution whose mean is > 0.
    PositiveMean,
}

/// A number outside its field's bounds: what was expected and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfBounds {
    /// "a probability between 0 and 1".
    pub expected: String,
    /// The fix.
    pub help: String,
}

impl Bounds {
    /// What the bounds accept, in words ("a number ≥ 0").
    pub fn expected(self) -> String {
        match self {
            Bounds::Unbounded => "a value".into(),
            Bounds::NonNegative => "a number ≥ 0".into(),
            Bounds::Positive => "a number > 0".into(),
            Bounds::Probability => "a probability between 0 and 1".into(),
            Bounds::Money => "an amount ≥ 0 and at most 1e12".into(),
            Bounds::Integer { min, max } if max == i64::MAX => format!("an integer ≥ {min}"),
            Bounds::Integer { min, max } => format!("an integer from {min} to {max}"),
            Bounds::Horizon => "a horizon > 0 and at most 100 years (\"36500d\")".into(),
            Bounds::Duration => "a duration ≥ 0".into(),
            Bounds::PositiveMean => "a time between failures with a mean > 0".into(),
        }
    }

    /// The bounds for the reference: `0 … 1`, `≥ 1`.
    pub fn short(self) -> String {
        match self {
            Bounds::Unbounded => String::new(),
            Bounds::NonNegative => "≥ 0".into(),
            Bounds::Positive => "> 0".into(),
            Bounds::Probability => "0 … 1".into(),
            Bounds::Money => "0 … 1e12".into(),
            Bounds::Integer { min, max } if max == i64::MAX => format!("≥ {min}"),
            Bounds::Integer { min, max } => format!("{min} … {max}"),
            Bounds::Horizon => "> 0, ≤ 100 years".into(),
            Bounds::Duration => "≥ 0".into(),
            Bounds::PositiveMean => "mean > 0".into(),
        }
    }

    /// Check one finite or non-finite number (minutes for durations, a mean for a
    /// distribution).
    pub fn check(self, x: f64) -> Result<(), OutOfBounds> {
        let fail = |help: String| {
            Err(OutOfBounds {
                expected: self.expected(),
                help,
            })
        };
        if !x.is_finite() {
            return fail("write an ordinary number; nan and inf are not accepted".into());
        }
        match self {
            Bounds::Unbounded => Ok(()),
            Bounds::NonNegative | Bounds::Duration if x < 0.0 => {
                fail("use 0 or a positive value".into())
            }
            Bounds::Positive if x <= 0.0 => fail("use a value above 0".into()),
            Bounds::Probability if !(0.0..=1.0).contains(&x) => {
                // A whole percentage (85) was probably meant as a share (0.85).
                if (2.0..=100.0).contains(&x) && x.fract() == 0.0 {
                    let share = format!("{:.2}", x / 100.0);
                    let share = share.trim_end_matches('0').trim_end_matches('.');
                    fail(format!("write a share as a fraction: {share} for {x} %"))
                } else {
                    fail("write a share as a fraction, e.g. 0.7 for 70 %".into())
                }
            }
            Bounds::Money if x < 0.0 => fail("use 0 or a positive amount".into()),
            Bounds::Money if x > MAX_MONEY => {
                fail("use an amount below a trillion (1e12); check for extra zeros".into())
            }
            Bounds::Integer { min, max }
                if x.fract() != 0.0 || x < min as f64 || x > max as f64 =>
            {
                fail(if max == i64::MAX {
                    format!("use a whole number ≥ {min}")
                } else {
                    format!("use a whole number between {min} and {max}")
                })
            }
            Bounds::Horizon if x <= 0.0 => fail("simulate a period such as \"365d\"".into()),
            Bounds::Horizon if x > MAX_HORIZON_MINUTES => fail(
                "shorten the horizon; for tighter estimates add replications instead".into(),
            ),
            Bounds::PositiveMean if x <= 0.0 => fail(
                "a service cannot fail continuously: give the time between failures a positive mean"
                    .into(),
            ),
            _ => Ok(()),
        }
    }
}

/// How sweeps and sensitivity analyses change a field (docs/model.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Never varied, for this reason.
    Never(&'static str),
    /// A distribution scaled as a whole (every duration parameter times the factor).
    Distribution,
    /// A number or duration multiplied or set.
    Scale,
    /// A probability: a multiplier that pushes it above 1 is clamped to 1.
    Clamp01,
    /// A number of people: rounded and kept ≥ 1.
    RoundAtLeastOne,
}

/// Indices of one instance of a field: `[service, mode]`, `[tier, _]`, `[strategy, _]`.
pub type Idx = [usize; 2];

/// A field's value in a checked scenario, as sweeps read and write it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number in the field's unit (minutes for durations).
    Number(f64),
    /// A distribution of durations.
    Dist(Dist),
}

impl Value {
    /// The value as one number: itself, or the distribution's mean in minutes.
    pub fn as_number(&self) -> f64 {
        match self {
            Value::Number(x) => *x,
            Value::Dist(d) => d.mean(),
        }
    }

    /// The value as a distribution (a number is a fixed duration).
    pub fn to_dist(&self) -> Dist {
        match self {
            Value::Dist(d) => d.clone(),
            Value::Number(x) => Dist::fixed(*x),
        }
    }
}

/// Reads a field of one instance; `None` where the instance has no such field (a strategy
/// without monitoring).
pub type Getter = fn(&Scenario, Idx) -> Option<Value>;
/// Writes a field of one instance (no-op where it has no such field).
pub type Setter = fn(&mut Scenario, Idx, &Value);

/// One scenario field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// TOML path pattern: `services[].modes[].fix`, `strategies.*.monitoring.coverage`.
    pub path: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Required, or what its absence means.
    pub presence: Presence,
    /// Its numeric range, checked by the parser and by [`super::validate::validate`].
    pub bounds: Bounds,
    /// One line for the reference.
    pub doc: &'static str,
    /// How a sweep changes it.
    pub sweep: Sweep,
    /// Read access to the typed scenario (numeric fields).
    pub get: Option<Getter>,
    /// Write access to the typed scenario (varied fields).
    pub set: Option<Setter>,
}

impl Field {
    /// The pattern of the table that holds this field (`""` for the top level).
    pub fn parent(&self) -> &'static str {
        self.path.rsplit_once('.').map_or("", |(p, _)| p)
    }

    /// The field's own key.
    pub fn key(&self) -> &'static str {
        self.path.rsplit_once('.').map_or(self.path, |(_, k)| k)
    }

    /// The pattern its children live under, for a container (`tiers` → `tiers[]`).
    pub fn children_pattern(&self) -> String {
        match self.kind {
            Kind::Tables => format!("{}[]", self.path),
            Kind::NamedTables => format!("{}.*", self.path),
            _ => self.path.to_string(),
        }
    }
}

const FINANCE_ONLY: &str =
    "a business-case setting: it changes the cash flows, not the simulated year";
/// The on-call rota of a tier that has one (instances of `tiers[].on_call` only list those).
fn on_call(s: &Scenario, t: usize) -> &super::OnCall {
    s.tiers[t]
        .on_call
        .as_ref()
        .expect("listed only for tiers with on_call")
}

fn on_call_mut(s: &mut Scenario, t: usize) -> &mut super::OnCall {
    s.tiers[t]
        .on_call
        .as_mut()
        .expect("listed only for tiers with on_call")
}

const NAMES: &str = "names identify things; they are not inputs";
const TIER_REF: &str = "a tier reference is a name, not a number";

/// A row with no accessors, for the shorter table below.
const fn row(
    path: &'static str,
    kind: Kind,
    presence: Presence,
    bounds: Bounds,
    sweep: Sweep,
    doc: &'static str,
) -> Field {
    Field {
        path,
        kind,
        presence,
        bounds,
        doc,
        sweep,
        get: None,
        set: None,
    }
}

/// A row of a numeric field that sweeps may vary, with its accessors.
#[allow(clippy::too_many_arguments)]
const fn var(
    path: &'static str,
    kind: Kind,
    presence: Presence,
    bounds: Bounds,
    sweep: Sweep,
    doc: &'static str,
    get: Getter,
    set: Setter,
) -> Field {
    Field {
        path,
        kind,
        presence,
        bounds,
        doc,
        sweep,
        get: Some(get),
        set: Some(set),
    }
}

use Bounds as B;
use Kind as K;
use Presence::{Default as D, Optional as O, Required as R};

fn n(x: f64) -> Option<Value> {
    Some(Value::Number(x))
}
fn d(x: &Dist) -> Option<Value> {
    Some(Value::Dist(x.clone()))
}

/// Every field, parents before their children, siblings in the order the reference and
/// "accepted fields here" list them.
pub static FIELDS: &[Field] = &[
    // Top level.
    row(
        "name",
        K::Text,
        D("the file stem"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Title of the scenario, shown in reports.",
    ),
    row(
        "description",
        K::Text,
        D("\"\""),
        B::Unbounded,
        Sweep::Never(NAMES),
        "One paragraph for the reader of the report.",
    ),
    row(
        "currency",
        K::Currency,
        D("\"USD\""),
        B::Unbounded,
        Sweep::Never("the currency is a unit, not an input"),
        "ISO 4217 code of every money field (labels only: no conversion is done).",
    ),
    row(
        "baseline",
        K::Text,
        D("`reactive` if there is one, else the first strategy"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "The strategy every other one is compared with (`--baseline NAME` overrides it).",
    ),
    row(
        "simulation",
        K::Table,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Run settings.",
    ),
    row(
        "tiers",
        K::Tables,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Support tiers in escalation order: the first is the help desk.",
    ),
    row(
        "services",
        K::Tables,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Services that fail and get restored.",
    ),
    row(
        "strategies",
        K::NamedTables,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Named detection and escalation strategies; `reactive` (else the first) is the baseline.",
    ),
    row(
        "finance",
        K::Table,
        O("one year, no discounting: the annual figures"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "The business case: years of cash flows and their discount rate.",
    ),
    row(
        "sources",
        K::Table,
        O("absent: every source \"not given\""),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Where inputs come from: \"services.email.downtime_cost_per_hour\" = \"Finance, 2025 revenue per hour × 0.4\"; the report's assumptions show them.",
    ),
    row(
        "slas",
        K::Tables,
        O("absent: no service-level agreement"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Service-level agreements, one per service priority (model.md §8.13).",
    ),
    row(
        "escalation_policies",
        K::Tables,
        O("absent: on-call paging is plain (model.md §8.2)"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "PagerDuty-shaped escalation policies a strategy chooses with `paging` (model.md §8.7).",
    ),
    // [simulation]
    row(
        "simulation.horizon",
        K::Duration,
        R,
        B::Horizon,
        Sweep::Never("the horizon is a run setting, not an input"),
        "Simulated period of one replication, from Monday 00:00.",
    ),
    row(
        "simulation.replications",
        K::Integer,
        D("1000"),
        B::Integer {
            min: 1,
            max: MAX_REPLICATIONS,
        },
        Sweep::Never("pass --replications instead"),
        "Independent histories simulated per strategy.",
    ),
    row(
        "simulation.seed",
        K::Integer,
        D("0"),
        B::Integer {
            min: 0,
            max: i64::MAX,
        },
        Sweep::Never("every point of a sweep uses the same seed"),
        "Seed of every random stream: same seed, same numbers.",
    ),
    row(
        "simulation.utc_offset",
        K::Offset,
        D("\"+00:00\""),
        B::Unbounded,
        Sweep::Never("the site's clock is a fact, not an input"),
        "The site's UTC offset: t = 0 is Monday 00:00 site time.",
    ),
    // [finance]
    row(
        "finance.years",
        K::Integer,
        D("1"),
        B::Integer {
            min: 1,
            max: MAX_FINANCE_YEARS,
        },
        Sweep::Never(FINANCE_ONLY),
        "Years of benefit and recurring cost after the year-0 investment.",
    ),
    row(
        "finance.discount_rate",
        K::Probability,
        D("0"),
        B::Probability,
        Sweep::Never(FINANCE_ONLY),
        "Yearly discount rate: year t is divided by (1 + rate)^t (0.10 for 10 %).",
    ),
    // [[tiers]]
    row(
        "tiers[].name",
        K::Name,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Unique tier name, referred to by `needs` and `alert_tier`.",
    ),
    var(
        "tiers[].staff",
        K::Count,
        O("required unless `shifts` is given"),
        B::Integer {
            min: 1,
            max: MAX_STAFF,
        },
        Sweep::RoundAtLeastOne,
        "Engineers in the tier (every tier needs one: escalation passes through each).",
        |s, [t, _]| n(s.tiers[t].staff as f64),
        |s, [t, _], v| {
            // A tier with shifts is staffed by them: scale each shift's staff alike.
            let tier = &mut s.tiers[t];
            let target = v.as_number() as u32;
            if !tier.shifts.is_empty() && tier.staff > 0 {
                let ratio = target as f64 / tier.staff as f64;
                for shift in &mut tier.shifts {
                    shift.staff = ((shift.staff as f64 * ratio).round() as u32).max(1);
                }
                tier.staff = tier.shifts.iter().map(|sh| sh.staff).sum();
            } else {
                tier.staff = target;
            }
        },
    ),
    row(
        "tiers[].hours",
        K::Hours,
        D("\"24x7\""),
        B::Unbounded,
        Sweep::Never("opening hours are a choice of schedule, not a number"),
        "When the tier starts new work, in its local time: \"24x7\", \"business\" (Mon–Fri 08:00–18:00) or weekly ranges such as \"Mon-Fri 07:00-19:00; Sat 09:00-13:00\".",
    ),
    row(
        "tiers[].utc_offset",
        K::Offset,
        O("the site's `simulation.utc_offset`"),
        B::Unbounded,
        Sweep::Never("where people work is a fact, not an input"),
        "Where the tier's people are: its hours are read in this offset's local time.",
    ),
    row(
        "tiers[].shifts",
        K::Tables,
        O("one shift of `staff` working `hours`"),
        B::Unbounded,
        Sweep::Never("shifts are a schedule, not a number"),
        "Follow-the-sun shifts `[{ hours, utc_offset, staff }]`, instead of `staff`/`hours`: staff on duty is the sum over open shifts.",
    ),
    row(
        "tiers[].shifts[].hours",
        K::Hours,
        R,
        B::Unbounded,
        Sweep::Never("opening hours are a choice of schedule, not a number"),
        "When the shift's engineers start new work, in the shift's local time.",
    ),
    row(
        "tiers[].shifts[].utc_offset",
        K::Offset,
        O("the tier's `utc_offset`"),
        B::Unbounded,
        Sweep::Never("where people work is a fact, not an input"),
        "Where the shift's people are.",
    ),
    var(
        "tiers[].shifts[].staff",
        K::Count,
        R,
        B::Integer {
            min: 1,
            max: MAX_STAFF,
        },
        Sweep::RoundAtLeastOne,
        "Engineers of the shift; each belongs to this shift only.",
        |s, [t, i]| n(s.tiers[t].shifts[i].staff as f64),
        |s, [t, i], v| {
            let tier = &mut s.tiers[t];
            tier.shifts[i].staff = v.as_number() as u32;
            tier.staff = tier.shifts.iter().map(|sh| sh.staff).sum();
        },
    ),
    var(
        "tiers[].hourly_cost",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Cost of one engineer-hour of work (busy time only).",
        |s, [t, _]| n(s.tiers[t].hourly_cost),
        |s, [t, _], v| s.tiers[t].hourly_cost = v.as_number(),
    ),
    row(
        "tiers[].on_call",
        K::Table,
        O("no on-call: items wait for a shift"),
        B::Unbounded,
        Sweep::Never("on-call is a choice of organisation; vary its numbers"),
        "On-call rota `{ staff, ack, ack_asleep, asleep, page_priority, standby_cost_per_hour, callout_cost }`: paged when no shift of the tier is open.",
    ),
    var(
        "tiers[].on_call.staff",
        K::Count,
        D("1"),
        B::Integer {
            min: 1,
            max: MAX_STAFF,
        },
        Sweep::RoundAtLeastOne,
        "Engineers on call at once; each takes one page at a time.",
        |s, [t, _]| n(on_call(s, t).staff as f64),
        |s, [t, _], v| on_call_mut(s, t).staff = v.as_number() as u32,
    ),
    var(
        "tiers[].on_call.ack",
        K::Dist,
        R,
        B::Duration,
        Sweep::Distribution,
        "Page to acknowledgement while awake (not labor).",
        |s, [t, _]| d(&on_call(s, t).ack),
        |s, [t, _], v| on_call_mut(s, t).ack = v.to_dist(),
    ),
    var(
        "tiers[].on_call.ack_asleep",
        K::Dist,
        O("`ack`"),
        B::Duration,
        Sweep::Distribution,
        "Page to acknowledgement when the page falls in the `asleep` hours.",
        |s, [t, _]| d(&on_call(s, t).ack_asleep),
        |s, [t, _], v| on_call_mut(s, t).ack_asleep = v.to_dist(),
    ),
    row(
        "tiers[].on_call.asleep",
        K::Hours,
        D("\"23:00-07:00\""),
        B::Unbounded,
        Sweep::Never("sleeping hours are a schedule, not a number"),
        "When the on-call engineers sleep, in the tier's local time (same syntax as `hours`).",
    ),
    row(
        "tiers[].on_call.page_priority",
        K::Integer,
        D("1"),
        B::Integer {
            min: 1,
            max: u32::MAX as i64,
        },
        Sweep::Never("priorities order queues; they are never varied"),
        "Incidents of services with priority ≤ this page; the others wait for a shift.",
    ),
    var(
        "tiers[].on_call.standby_cost_per_hour",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Paid per on-call engineer for every hour no shift of the tier is open (`standby_cost`).",
        |s, [t, _]| n(on_call(s, t).standby_cost_per_hour),
        |s, [t, _], v| on_call_mut(s, t).standby_cost_per_hour = v.as_number(),
    ),
    var(
        "tiers[].on_call.callout_cost",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Paid per page, on top of `hourly_cost` from the acknowledgement (labor).",
        |s, [t, _]| n(on_call(s, t).callout_cost),
        |s, [t, _], v| on_call_mut(s, t).callout_cost = v.as_number(),
    ),
    var(
        "tiers[].annual_cost_per_engineer",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Salary and overheads of one staffed engineer per year (fixed labour, paid busy or not).",
        |s, [t, _]| n(s.tiers[t].annual_cost_per_engineer),
        |s, [t, _], v| s.tiers[t].annual_cost_per_engineer = v.as_number(),
    ),
    var(
        "tiers[].cost_per_incident",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "A vendor's fee, charged once per incident the tier works (part of labour cost).",
        |s, [t, _]| n(s.tiers[t].cost_per_incident),
        |s, [t, _], v| s.tiers[t].cost_per_incident = v.as_number(),
    ),
    // [[services]]
    row(
        "services[].name",
        K::Name,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Unique service name.",
    ),
    row(
        "services[].priority",
        K::Integer,
        D("1"),
        B::Integer {
            min: 1,
            max: u32::MAX as i64,
        },
        Sweep::Never("priorities order queues; they are never varied"),
        "Queue priority, 1 highest.",
    ),
    var(
        "services[].downtime_cost_per_hour",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Cost of one hour of outage.",
        |s, [i, _]| n(s.services[i].downtime_cost_per_hour),
        |s, [i, _], v| s.services[i].downtime_cost_per_hour = v.as_number(),
    ),
    var(
        "services[].degraded_cost_fraction",
        K::Probability,
        D("0"),
        B::Probability,
        Sweep::Clamp01,
        "Share of the downtime cost that an hour of degraded running costs.",
        |s, [i, _]| n(s.services[i].degraded_cost_fraction),
        |s, [i, _], v| s.services[i].degraded_cost_fraction = v.as_number(),
    ),
    var(
        "services[].planned_downtime_cost_fraction",
        K::Probability,
        D("1"),
        B::Probability,
        Sweep::Clamp01,
        "Share of the downtime cost that a minute of planned maintenance costs (model.md §8.6).",
        // Listed (and sweepable) once the file sets it, so older scenarios list what they did.
        |s, [i, _]| {
            let f = s.services[i].planned_downtime_cost_fraction;
            (f != 1.0).then_some(Value::Number(f))
        },
        |s, [i, _], v| s.services[i].planned_downtime_cost_fraction = v.as_number(),
    ),
    var(
        "services[].report_delay",
        K::Dist,
        R,
        B::Duration,
        Sweep::Distribution,
        "Outage start to the users' report.",
        |s, [i, _]| d(&s.services[i].report_delay),
        |s, [i, _], v| s.services[i].report_delay = v.to_dist(),
    ),
    row(
        "services[].failures",
        K::Table,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "How often the service fails.",
    ),
    var(
        "services[].failures.every",
        K::Dist,
        R,
        B::PositiveMean,
        Sweep::Distribution,
        "Age at failure: operating time since the last renewal (with repair = \"renew\", UP to the next failure).",
        |s, [i, _]| d(&s.services[i].failures_every),
        |s, [i, _], v| s.services[i].failures_every = v.to_dist(),
    ),
    row(
        "services[].repair",
        K::Text,
        D("\"renew\""),
        B::Unbounded,
        Sweep::Never("a repair kind is a choice of model, not a number"),
        "What a repair does to the age at failure: \"renew\" (as good as new) or \"as_bad_as_old\" \
         (the age survives; needs exponential, weibull or lognormal failures.every).",
    ),
    row(
        "services[].tickets",
        K::Table,
        O("absent: one user report per outage"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Ticket floods: more users report the outage until the service is up (model.md §8.4).",
    ),
    var(
        "services[].tickets.per_hour",
        K::Number,
        R,
        B::NonNegative,
        Sweep::Scale,
        "Further user reports per hour from the first report until the service is up.",
        |s, [i, _]| n(s.services[i].tickets.as_ref()?.per_hour),
        |s, [i, _], v| {
            if let Some(t) = s.services[i].tickets.as_mut() {
                t.per_hour = v.as_number()
            }
        },
    ),
    var(
        "services[].tickets.triage",
        K::Duration,
        R,
        B::Duration,
        Sweep::Scale,
        "First-tier engineer time per filed ticket (ranked below incidents).",
        |s, [i, _]| n(s.services[i].tickets.as_ref()?.triage_minutes),
        |s, [i, _], v| {
            if let Some(t) = s.services[i].tickets.as_mut() {
                t.triage_minutes = v.as_number()
            }
        },
    ),
    row(
        "services[].changes",
        K::Table,
        O("absent: no changes are deployed"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Changes deployed to the service; a failing change starts a failure at once (model.md §8.12).",
    ),
    var(
        "services[].changes.per_week",
        K::Number,
        R,
        B::NonNegative,
        Sweep::Scale,
        "Expected changes per week, a Poisson process inside `hours`.",
        |s, [i, _]| n(s.services[i].changes.as_ref()?.per_week),
        |s, [i, _], v| {
            if let Some(c) = s.services[i].changes.as_mut() {
                c.per_week = v.as_number()
            }
        },
    ),
    var(
        "services[].changes.failure_rate",
        K::Probability,
        R,
        B::Probability,
        Sweep::Clamp01,
        "Probability that a change fails (the change failure rate); a strategy's `change_failure_rate` replaces it.",
        |s, [i, _]| n(s.services[i].changes.as_ref()?.failure_rate),
        |s, [i, _], v| {
            if let Some(c) = s.services[i].changes.as_mut() {
                c.failure_rate = v.as_number()
            }
        },
    ),
    row(
        "services[].changes.mode",
        K::Text,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "The service's failure mode a failing change starts (its warning and fix, e.g. a rollback).",
    ),
    row(
        "services[].changes.hours",
        K::Hours,
        R,
        B::Unbounded,
        Sweep::Never("hours are a calendar, not a number"),
        "When changes are deployed (site time); every change falls inside them.",
    ),
    row(
        "services[].modes",
        K::Tables,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Failure modes; a failure picks one by weight.",
    ),
    // [[services.modes]]
    row(
        "services[].modes[].name",
        K::Name,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Mode name, unique within the service.",
    ),
    var(
        "services[].modes[].weight",
        K::Number,
        D("1"),
        B::NonNegative,
        Sweep::Scale,
        "Relative frequency of the mode (not all 0).",
        |s, [i, m]| n(s.services[i].modes[m].weight),
        |s, [i, m], v| s.services[i].modes[m].weight = v.as_number(),
    ),
    var(
        "services[].modes[].warning",
        K::Dist,
        D("\"0m\""),
        B::Duration,
        Sweep::Distribution,
        "P-F interval: degraded time before the outage (\"0m\": sudden).",
        |s, [i, m]| d(&s.services[i].modes[m].warning),
        |s, [i, m], v| s.services[i].modes[m].warning = v.to_dist(),
    ),
    var(
        "services[].modes[].fix",
        K::Dist,
        R,
        B::Duration,
        Sweep::Distribution,
        "Hands-on repair time at an able tier.",
        |s, [i, m]| d(&s.services[i].modes[m].fix),
        |s, [i, m], v| s.services[i].modes[m].fix = v.to_dist(),
    ),
    row(
        "services[].modes[].needs",
        K::TierRef,
        R,
        B::Unbounded,
        Sweep::Never(TIER_REF),
        "Lowest tier (in [[tiers]] order) able to fix it.",
    ),
    row(
        "services[].modes[].workaround",
        K::Table,
        O("absent: no workaround"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "A restart that brings the service back but leaves the root cause (model.md §8.8); tried only under `workarounds = true`.",
    ),
    var(
        "services[].modes[].workaround.fix",
        K::Dist,
        R,
        B::Duration,
        Sweep::Distribution,
        "Hands-on time of one workaround attempt (no `fix_multiplier`).",
        |s, [i, m]| d(&s.services[i].modes[m].workaround.as_ref()?.fix),
        |s, [i, m], v| {
            if let Some(w) = s.services[i].modes[m].workaround.as_mut() {
                w.fix = v.to_dist()
            }
        },
    ),
    row(
        "services[].modes[].workaround.tier",
        K::TierRef,
        R,
        B::Unbounded,
        Sweep::Never(TIER_REF),
        "Lowest tier that tries it: the first engineer at or above it who cannot fix the mode (below `needs`).",
    ),
    var(
        "services[].modes[].workaround.success",
        K::Probability,
        R,
        B::Probability,
        Sweep::Clamp01,
        "Probability that the attempt brings the service back; else the time is lost and it escalates.",
        |s, [i, m]| n(s.services[i].modes[m].workaround.as_ref()?.success),
        |s, [i, m], v| {
            if let Some(w) = s.services[i].modes[m].workaround.as_mut() {
                w.success = v.as_number()
            }
        },
    ),
    var(
        "services[].modes[].workaround.recurs",
        K::Dist,
        R,
        B::PositiveMean,
        Sweep::Distribution,
        "After a successful workaround, time from UP to the same failure again (replaces `failures.every`).",
        |s, [i, m]| d(&s.services[i].modes[m].workaround.as_ref()?.recurs),
        |s, [i, m], v| {
            if let Some(w) = s.services[i].modes[m].workaround.as_mut() {
                w.recurs = v.to_dist()
            }
        },
    ),
    // services[].depends_on = [{ service, effect }]  (docs/model.md §8.10)
    row(
        "services[].depends_on",
        K::Tables,
        O("none: the service stands alone"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Services this one needs: it inherits their trouble (no cycles).",
    ),
    row(
        "services[].depends_on[].service",
        K::Text,
        R,
        B::Unbounded,
        Sweep::Never("a service reference is a name, not a number"),
        "Name of the service depended on (another [[services]] entry).",
    ),
    row(
        "services[].depends_on[].effect",
        K::Text,
        D("\"down\""),
        B::Unbounded,
        Sweep::Never("the effect is a choice, not a number"),
        "\"down\": its outage takes this service down; \"degraded\": it only slows this one.",
    ),
    // [strategies.NAME]
    var(
        "strategies.*.escalate_after",
        K::Duration,
        R,
        B::Duration,
        Sweep::Scale,
        "Troubleshooting time box of a tier unable to fix before it escalates.",
        |s, [i, _]| n(s.strategies[i].escalate_after),
        |s, [i, _], v| s.strategies[i].escalate_after = v.as_number(),
    ),
    var(
        "strategies.*.handoff",
        K::Duration,
        D("\"0m\""),
        B::Duration,
        Sweep::Scale,
        "Context transfer wait before the next tier's queue (not labour).",
        |s, [i, _]| n(s.strategies[i].handoff),
        |s, [i, _], v| s.strategies[i].handoff = v.as_number(),
    ),
    var(
        "strategies.*.fix_multiplier",
        K::Multiplier,
        D("1"),
        B::Positive,
        Sweep::Scale,
        "Factor on every fix time.",
        |s, [i, _]| n(s.strategies[i].fix_multiplier),
        |s, [i, _], v| s.strategies[i].fix_multiplier = v.as_number(),
    ),
    var(
        "strategies.*.annual_cost",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Investment per year (tools, training), charged over the horizon.",
        |s, [i, _]| n(s.strategies[i].annual_cost),
        |s, [i, _], v| s.strategies[i].annual_cost = v.as_number(),
    ),
    row(
        "strategies.*.one_time_cost",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Never(FINANCE_ONLY),
        "Year-0 investment (set-up, licences bought outright); not part of the simulated year.",
    ),
    row(
        "strategies.*.ramp_up",
        K::Shares,
        O("the full benefit every year"),
        B::Probability,
        Sweep::Never(FINANCE_ONLY),
        "Share of the benefit realised in each year of `[finance] years` (one share per year).",
    ),
    row(
        "strategies.*.alert_tier",
        K::TierRef,
        D("the first tier"),
        B::Unbounded,
        Sweep::Never(TIER_REF),
        "Tier where monitoring alerts and false alarms land.",
    ),
    var(
        "strategies.*.route_direct",
        K::Probability,
        D("0"),
        B::Probability,
        Sweep::Clamp01,
        "Probability that a monitoring detection goes straight to the `needs` tier.",
        |s, [i, _]| n(s.strategies[i].route_direct),
        |s, [i, _], v| s.strategies[i].route_direct = v.as_number(),
    ),
    var(
        "strategies.*.ticket_deflection",
        K::Probability,
        D("0"),
        B::Probability,
        Sweep::Clamp01,
        "Share of tickets a status page or known-incident banner deflects (never filed).",
        |s, [i, _]| n(s.strategies[i].ticket_deflection),
        |s, [i, _], v| s.strategies[i].ticket_deflection = v.as_number(),
    ),
    var(
        "strategies.*.change_failure_rate",
        K::Probability,
        O("absent: each service's changes.failure_rate"),
        B::Probability,
        Sweep::Clamp01,
        "Replaces every service's `changes.failure_rate` under this strategy (testing, canary releases).",
        |s, [i, _]| n(s.strategies[i].change_failure_rate?),
        |s, [i, _], v| s.strategies[i].change_failure_rate = Some(v.as_number()),
    ),
    row(
        "strategies.*.monitoring",
        K::Table,
        O("absent: detection by user reports only"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Monitoring of degradation and outages, with its false alarms.",
    ),
    var(
        "strategies.*.monitoring.coverage",
        K::Probability,
        D("0"),
        B::Probability,
        Sweep::Clamp01,
        "Probability that degradation monitoring catches a failure.",
        |s, [i, _]| n(s.strategies[i].monitoring.as_ref()?.coverage),
        |s, [i, _], v| {
            if let Some(m) = s.strategies[i].monitoring.as_mut() {
                m.coverage = v.as_number()
            }
        },
    ),
    var(
        "strategies.*.monitoring.detect",
        K::Dist,
        D("\"0m\""),
        B::Duration,
        Sweep::Distribution,
        "Failure start to the degradation alert (caught only before the outage).",
        |s, [i, _]| d(&s.strategies[i].monitoring.as_ref()?.detect),
        |s, [i, _], v| {
            if let Some(m) = s.strategies[i].monitoring.as_mut() {
                m.detect = v.to_dist()
            }
        },
    ),
    var(
        "strategies.*.monitoring.outage_detect",
        K::Duration,
        R,
        B::Duration,
        Sweep::Scale,
        "Outage start to the uptime check's alert.",
        |s, [i, _]| n(s.strategies[i].monitoring.as_ref()?.outage_detect),
        |s, [i, _], v| {
            if let Some(m) = s.strategies[i].monitoring.as_mut() {
                m.outage_detect = v.as_number()
            }
        },
    ),
    var(
        "strategies.*.monitoring.false_alarms_per_week",
        K::Number,
        D("0"),
        B::NonNegative,
        Sweep::Scale,
        "Rate of false alarms, across all services.",
        |s, [i, _]| n(s.strategies[i].monitoring.as_ref()?.false_alarms_per_week),
        |s, [i, _], v| {
            if let Some(m) = s.strategies[i].monitoring.as_mut() {
                m.false_alarms_per_week = v.as_number()
            }
        },
    ),
    var(
        "strategies.*.monitoring.triage",
        K::Duration,
        O("required when false_alarms_per_week > 0, else \"0m\""),
        B::Duration,
        Sweep::Scale,
        "Engineer time per false alarm at the alert tier.",
        |s, [i, _]| n(s.strategies[i].monitoring.as_ref()?.triage),
        |s, [i, _], v| {
            if let Some(m) = s.strategies[i].monitoring.as_mut() {
                m.triage = v.as_number()
            }
        },
    ),
    // [[slas]]
    row(
        "slas[].priority",
        K::Integer,
        R,
        B::Integer {
            min: 1,
            max: u32::MAX as i64,
        },
        Sweep::Never("priorities order queues; they are never varied"),
        "The service priority the SLA covers (one SLA per priority).",
    ),
    var(
        "slas[].respond",
        K::Duration,
        O("absent: no response clock"),
        B::Duration,
        Sweep::Scale,
        "Detection to the first work start allowed; later is a breach.",
        |s, [i, _]| n(s.slas[i].respond_minutes?),
        |s, [i, _], v| {
            if s.slas[i].respond_minutes.is_some() {
                s.slas[i].respond_minutes = Some(v.as_number())
            }
        },
    ),
    var(
        "slas[].resolve",
        K::Duration,
        O("absent: no resolution clock"),
        B::Duration,
        Sweep::Scale,
        "Detection to resolution allowed; later (or open past it at the horizon) is a breach.",
        |s, [i, _]| n(s.slas[i].resolve_minutes?),
        |s, [i, _], v| {
            if s.slas[i].resolve_minutes.is_some() {
                s.slas[i].resolve_minutes = Some(v.as_number())
            }
        },
    ),
    var(
        "slas[].penalty",
        K::Money,
        D("0"),
        B::Money,
        Sweep::Scale,
        "Money per breach (a response and a resolution breach of one incident are two).",
        |s, [i, _]| n(s.slas[i].penalty),
        |s, [i, _], v| s.slas[i].penalty = v.as_number(),
    ),
    row(
        "strategies.*.workarounds",
        K::Bool,
        D("false"),
        B::Unbounded,
        Sweep::Never("a choice of practice, not a number"),
        "Lower tiers try a mode's `workaround` (a restart) instead of the time box, once per incident.",
    ),
    row(
        "strategies.*.correlate",
        K::Bool,
        D("false"),
        B::Unbounded,
        Sweep::Never("a choice of practice, not a number"),
        "Dependency-aware monitoring: a symptom incident is linked to its open, detected root incident at once and nobody works it (model.md §8.11).",
    ),
    row(
        "strategies.*.problems",
        K::Table,
        O("absent: no problem management"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Problem management: a root-cause fix after recurrences (model.md §8.9).",
    ),
    row(
        "strategies.*.problems.after",
        K::Integer,
        D("0"),
        B::Integer {
            min: 0,
            max: u32::MAX as i64,
        },
        Sweep::Never("a count of recurrences that triggers a process, not a rate"),
        "Recurrences of one root cause before a worked-around incident opens a problem (0: at the first workaround).",
    ),
    var(
        "strategies.*.problems.fix",
        K::Dist,
        R,
        B::Duration,
        Sweep::Distribution,
        "Hands-on time of the root-cause fix.",
        |s, [i, _]| d(&s.strategies[i].problems.as_ref()?.fix),
        |s, [i, _], v| {
            if let Some(p) = s.strategies[i].problems.as_mut() {
                p.fix = v.to_dist()
            }
        },
    ),
    row(
        "strategies.*.problems.tier",
        K::TierRef,
        R,
        B::Unbounded,
        Sweep::Never(TIER_REF),
        "Tier that works problems (ranked below incidents and tickets, above false alarms).",
    ),
    // [[strategies.NAME.maintenance]]  (docs/model.md §8.6)
    row(
        "strategies.*.maintenance",
        K::Tables,
        O("none: no preventive maintenance"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Preventive maintenance plans: each renews its services, ranked below every other work (model.md §8.6).",
    ),
    row(
        "strategies.*.maintenance[].services",
        K::Text,
        R,
        B::Unbounded,
        Sweep::Never("service references are names, not numbers"),
        "Names of the services this plan maintains (a list; each service in at most one plan of a strategy).",
    ),
    var(
        "strategies.*.maintenance[].every",
        K::Duration,
        R,
        B::Duration,
        Sweep::Scale,
        "Interval: the age since the last repair or maintenance (policy \"age\"), or the calendar period.",
        |s, [i, j]| n(s.strategies[i].maintenance.get(j)?.every_minutes),
        |s, [i, j], v| {
            if let Some(m) = s.strategies[i].maintenance.get_mut(j) {
                m.every_minutes = v.as_number()
            }
        },
    ),
    var(
        "strategies.*.maintenance[].takes",
        K::Dist,
        R,
        B::Duration,
        Sweep::Distribution,
        "Hands-on time of one maintenance; the service is planned-down meanwhile.",
        |s, [i, j]| d(&s.strategies[i].maintenance.get(j)?.takes),
        |s, [i, j], v| {
            if let Some(m) = s.strategies[i].maintenance.get_mut(j) {
                m.takes = v.to_dist()
            }
        },
    ),
    row(
        "strategies.*.maintenance[].tier",
        K::TierRef,
        R,
        B::Unbounded,
        Sweep::Never(TIER_REF),
        "Tier whose shift engineers maintain (on-call engineers do not; maintenance never pages).",
    ),
    row(
        "strategies.*.maintenance[].window",
        K::Hours,
        O("absent: any time its tier is on duty"),
        B::Unbounded,
        Sweep::Never("hours are a calendar, not a number"),
        "When a maintenance may start (site time); it may run past the window's end.",
    ),
    row(
        "strategies.*.maintenance[].policy",
        K::Text,
        D("\"age\""),
        B::Unbounded,
        Sweep::Never("a policy is a choice, not a number"),
        "\"age\": due `every` after the last repair or maintenance; \"calendar\": due at k × `every`.",
    ),
    row(
        "strategies.*.tiers",
        K::NamedTables,
        O("absent: the tiers as defined"),
        B::Unbounded,
        Sweep::Never(NAMES),
        "Tier overrides `[strategies.X.tiers.T]`: any `[[tiers]]` field but `name`, applied when the strategy runs; `shifts` replaces `staff`/`hours` (and back), `on_call` replaces the whole rota (model.md §8.13).",
    ),
    row(
        "strategies.*.paging",
        K::Text,
        O("absent: plain on-call paging (model.md §8.2)"),
        B::Unbounded,
        Sweep::Never("a policy reference is a name, not a number"),
        "Name of the `[[escalation_policies]]` entry that pages for this strategy (model.md §8.7).",
    ),
    // [[escalation_policies]]
    row(
        "escalation_policies[].name",
        K::Name,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "Name a strategy's `paging` refers to.",
    ),
    row(
        "escalation_policies[].num_loops",
        K::Integer,
        D("0"),
        B::Integer { min: 0, max: 100 },
        Sweep::Never("a count of passes through the rules, not a rate"),
        "How many times the rules restart after the last one (PagerDuty's `num_loops`); then no more pages.",
    ),
    row(
        "escalation_policies[].rules",
        K::Tables,
        R,
        B::Unbounded,
        Sweep::Never(NAMES),
        "The rules in order, at least one: `[{ delay = \"15m\", tier = \"sre\" }, …]`.",
    ),
    var(
        "escalation_policies[].rules[].delay",
        K::Duration,
        R,
        B::Duration,
        Sweep::Scale,
        "Time from this rule's page to the next rule's if nobody has acknowledged.",
        |s, [p, r]| n(s.escalation_policies[p].rules[r].delay),
        |s, [p, r], v| s.escalation_policies[p].rules[r].delay = v.as_number(),
    ),
    row(
        "escalation_policies[].rules[].tier",
        K::TierRef,
        R,
        B::Unbounded,
        Sweep::Never(TIER_REF),
        "Tier whose on-call engineer this rule pages (it must have `on_call`).",
    ),
];

/// The row of a path pattern. Panics on a pattern the registry lacks: callers name rows
/// literally, and the test suite parses every row.
pub fn field(path: &str) -> &'static Field {
    find(path).unwrap_or_else(|| panic!("{path} is not in the field registry"))
}

/// Where a strategy's tier override (`strategies.*.tiers.*`) takes its rows: those of
/// `tiers[]`, the name excepted.
const TIER_OVERRIDE: &str = "strategies.*.tiers.*";

/// The `tiers[]` pattern an override pattern stands for, if it is one.
fn override_base(path: &str) -> Option<String> {
    let rest = path.strip_prefix(TIER_OVERRIDE)?;
    (rest.is_empty() || rest.starts_with('.')).then(|| format!("tiers[]{rest}"))
}

/// The row of a path pattern, if any.
pub fn find(path: &str) -> Option<&'static Field> {
    if let Some(base) = override_base(path) {
        return FIELDS
            .iter()
            .find(|f| f.path == base && f.path != "tiers[].name");
    }
    FIELDS.iter().find(|f| f.path == path)
}

/// The fields directly under a container pattern (`""`, `tiers[]`, `strategies.*`), in order.
pub fn children(pattern: &str) -> impl Iterator<Item = &'static Field> + '_ {
    let (pattern, is_override) = match override_base(pattern) {
        Some(base) => (base, true),
        None => (pattern.to_string(), false),
    };
    FIELDS
        .iter()
        .filter(move |f| f.parent() == pattern && !(is_override && f.path == "tiers[].name"))
}

/// `base.key`, quoting a key that is not a bare TOML key.
pub fn join(base: &str, key: &str) -> String {
    let key = if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    };
    if base.is_empty() {
        key
    } else {
        format!("{base}.{key}")
    }
}

/// Which instances of a container pattern a walk visits: every one (under the top level), those
/// of one element (the modes of one service: its first index), or a single one (a mode's own
/// workaround: both indices).
#[derive(Debug, Clone, Copy)]
enum Scope {
    All,
    Element(usize),
    Instance(Idx),
}

impl Scope {
    /// The first indices to visit among `len`.
    fn first(self, len: usize) -> Range<usize> {
        match self {
            Scope::All => 0..len,
            Scope::Element(i) | Scope::Instance([i, _]) => i.min(len)..(i + 1).min(len),
        }
    }

    /// The second indices to visit among `len`. A pattern with one index has the second index
    /// 0 (`len` 1): in a single-instance scope it is visited only if that instance's is 0.
    fn second(self, len: usize) -> Range<usize> {
        match self {
            Scope::Instance([_, j]) => j.min(len)..(j + 1).min(len),
            _ => 0..len,
        }
    }
}

/// Calls `f` with the indices of the instances of a container pattern within `scope`, in
/// file order; false for a pattern that is not a container of the registry (nothing called).
///
/// Only indices: a walk names an instance ([`instance_path`]) only when it needs the name, so
/// that walking one element of a large scenario costs that element, not the whole scenario.
fn each_instance(s: &Scenario, pattern: &str, scope: Scope, f: &mut dyn FnMut(Idx)) -> bool {
    // One element of a list of `len` (`[i, 0]`) if `exists(i)`.
    let mut singles = |len: usize, exists: &dyn Fn(usize) -> bool| {
        if !scope.second(1).is_empty() {
            scope
                .first(len)
                .filter(|&i| exists(i))
                .for_each(|i| f([i, 0]));
        }
    };
    match pattern {
        "" | "simulation" | "finance" => singles(1, &|_| true),
        "tiers[]" => singles(s.tiers.len(), &|_| true),
        "tiers[].on_call" => singles(s.tiers.len(), &|t| s.tiers[t].on_call.is_some()),
        "services[]" | "services[].failures" => singles(s.services.len(), &|_| true),
        "services[].tickets" => singles(s.services.len(), &|i| s.services[i].tickets.is_some()),
        "services[].changes" => singles(s.services.len(), &|i| s.services[i].changes.is_some()),
        "slas[]" => singles(s.slas.len(), &|_| true),
        "escalation_policies[]" => singles(s.escalation_policies.len(), &|_| true),
        "strategies.*" => singles(s.strategies.len(), &|_| true),
        "strategies.*.monitoring" => singles(s.strategies.len(), &|i| {
            s.strategies[i].monitoring.is_some()
        }),
        "strategies.*.problems" => {
            singles(s.strategies.len(), &|i| s.strategies[i].problems.is_some())
        }
        "services[].modes[]" | "services[].modes[].workaround" => {
            let workaround = pattern.ends_with("workaround");
            for i in scope.first(s.services.len()) {
                let modes = &s.services[i].modes;
                for m in scope.second(modes.len()) {
                    if !workaround || modes[m].workaround.is_some() {
                        f([i, m]);
                    }
                }
            }
        }
        "tiers[].shifts[]" => {
            for t in scope.first(s.tiers.len()) {
                scope
                    .second(s.tiers[t].shifts.len())
                    .for_each(|j| f([t, j]));
            }
        }
        "strategies.*.maintenance[]" => {
            for i in scope.first(s.strategies.len()) {
                scope
                    .second(s.strategies[i].maintenance.len())
                    .for_each(|j| f([i, j]));
            }
        }
        "escalation_policies[].rules[]" => {
            for p in scope.first(s.escalation_policies.len()) {
                scope
                    .second(s.escalation_policies[p].rules.len())
                    .for_each(|r| f([p, r]));
            }
        }
        _ => return false,
    }
    true
}

/// The path by names of one instance of a container pattern (`services.email.modes.disk`), as
/// [`instances`] lists it. `idx` must be an instance [`each_instance`] lists.
fn instance_path(s: &Scenario, pattern: &str, [i, j]: Idx) -> String {
    let tier = |t: usize| join("tiers", &s.tiers[t].name);
    let service = |i: usize| join("services", &s.services[i].name);
    let strategy = |i: usize| join("strategies", &s.strategies[i].name);
    let mode = |i: usize, m: usize| {
        join(
            &format!("{}.modes", service(i)),
            &s.services[i].modes[m].name,
        )
    };
    match pattern {
        "" => String::new(),
        "simulation" | "finance" => pattern.to_string(),
        "tiers[]" => tier(i),
        "tiers[].on_call" => format!("{}.on_call", tier(i)),
        "tiers[].shifts[]" => format!("{}.shifts.{}", tier(i), j + 1),
        "services[]" => service(i),
        "services[].failures" => format!("{}.failures", service(i)),
        "services[].tickets" => format!("{}.tickets", service(i)),
        "services[].changes" => format!("{}.changes", service(i)),
        "services[].modes[]" => mode(i, j),
        "services[].modes[].workaround" => format!("{}.workaround", mode(i, j)),
        "slas[]" => format!("slas[{i}]"),
        "escalation_policies[]" => join("escalation_policies", &s.escalation_policies[i].name),
        "escalation_policies[].rules[]" => format!(
            "{}.rules[{j}]",
            join("escalation_policies", &s.escalation_policies[i].name)
        ),
        "strategies.*" => strategy(i),
        "strategies.*.monitoring" => format!("{}.monitoring", strategy(i)),
        "strategies.*.problems" => format!("{}.problems", strategy(i)),
        "strategies.*.maintenance[]" => format!("{}.maintenance.{}", strategy(i), j + 1),
        _ => unreachable!("{pattern} is not a container pattern with instances"),
    }
}

/// Every instance of a container pattern in a checked scenario: its path by names
/// (`services.email.modes.memory-leak`) and its indices. `None` for a pattern that is not a
/// container of the registry.
pub fn instances(s: &Scenario, pattern: &str) -> Option<Vec<(String, Idx)>> {
    let mut out = Vec::new();
    each_instance(s, pattern, Scope::All, &mut |idx| {
        out.push((instance_path(s, pattern, idx), idx));
    })
    .then_some(out)
}

/// One field of one instance in a checked scenario, e.g. `tiers.help-desk.staff`.
#[derive(Debug, Clone, Copy)]
pub struct Located {
    /// The field's row.
    pub field: &'static Field,
    /// The instance's indices.
    pub idx: Idx,
}

impl PartialEq for Located {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.field, other.field) && self.idx == other.idx
    }
}

/// The rows under one container pattern, found once: walking a scenario visits every
/// instance's rows, and filtering the whole registry per instance cost more than the walk.
struct Level {
    /// The container pattern (`""`, `services[]`, `services[].modes[]`).
    pattern: String,
    /// Its rows in registry order, each container with the index of its children's level.
    rows: Vec<(&'static Field, Option<usize>)>,
}

/// The registry as a tree of [`Level`]s; the top level (`""`) is the first.
fn levels() -> &'static [Level] {
    static LEVELS: OnceLock<Vec<Level>> = OnceLock::new();
    LEVELS.get_or_init(|| {
        let mut levels = vec![Level {
            pattern: String::new(),
            rows: Vec::new(),
        }];
        let mut next = 0;
        while next < levels.len() {
            let pattern = levels[next].pattern.clone();
            let rows: Vec<_> = children(&pattern)
                .map(|field| {
                    let inner = field.kind.is_container().then(|| {
                        let pattern = field.children_pattern();
                        levels
                            .iter()
                            .position(|l| l.pattern == pattern)
                            .unwrap_or_else(|| {
                                levels.push(Level {
                                    pattern,
                                    rows: Vec::new(),
                                });
                                levels.len() - 1
                            })
                    });
                    (field, inner)
                })
                .collect();
            levels[next].rows = rows;
            next += 1;
        }
        levels
    })
}

/// What a walk of the registry over a scenario visits and names.
#[derive(Debug, Clone, Copy)]
struct Walk {
    /// Every leaf row (what a `[sources]` key may name), not only those with a value.
    every_leaf: bool,
    /// Build the instances' paths by names (else the visitor gets `""`).
    paths: bool,
}

/// Visit the leaves under the instance `idx` (named `path`) of `level`, in file order: each
/// instance's rows in registry order, a nested container's instances at its row.
fn walk(
    s: &Scenario,
    how: Walk,
    level: usize,
    idx: Idx,
    path: &str,
    visit: &mut dyn FnMut(&str, Located),
) {
    let levels = levels();
    let pattern = levels[level].pattern.as_str();
    for &(field, inner) in &levels[level].rows {
        if let Some(inner) = inner {
            let inner_pattern = levels[inner].pattern.as_str();
            // Instances nested in an element belong to that element (same first index); a
            // mode's own table (its workaround) to that mode (both indices). `field_paths`
            // has always listed, under each mode, the workarounds of all the service's modes:
            // kept, as the order its users (closest-match suggestions) see.
            let scope = if pattern.is_empty() || pattern == "simulation" {
                Scope::All
            } else if pattern == "services[].modes[]" && !how.every_leaf {
                Scope::Instance(idx)
            } else {
                Scope::Element(idx[0])
            };
            each_instance(s, inner_pattern, scope, &mut |child| {
                let child_path = if how.paths {
                    instance_path(s, inner_pattern, child)
                } else {
                    String::new()
                };
                walk(s, how, inner, child, &child_path, visit);
            });
        } else if how.every_leaf || field.get.is_some_and(|get| get(s, idx).is_some()) {
            visit(path, Located { field, idx });
        }
    }
}

/// Every readable (numeric) field of the scenario with its path by names, in file order:
/// each instance's fields in registry order, its nested containers after its own fields'
/// rows that precede them (tiers, then each service with its failures and modes, then each
/// strategy with its monitoring).
pub fn readable(s: &Scenario) -> Vec<(String, Located)> {
    let mut out = Vec::new();
    let how = Walk {
        every_leaf: false,
        paths: true,
    };
    walk(s, how, 0, [0, 0], "", &mut |path, at| {
        out.push((join(path, at.field.key()), at));
    });
    out
}

/// [`readable`] without the paths: what checking every field needs, with no text built.
/// [`path_of`] names one when a message needs it.
pub fn readable_located(s: &Scenario) -> Vec<Located> {
    let mut out = Vec::new();
    let how = Walk {
        every_leaf: false,
        paths: false,
    };
    walk(s, how, 0, [0, 0], "", &mut |_, at| out.push(at));
    out
}

/// The path by names of a field [`readable_located`] listed: the one [`readable`] gives it.
pub fn path_of(s: &Scenario, at: Located) -> String {
    join(&instance_path(s, at.field.parent(), at.idx), at.field.key())
}

/// Every field path of every instance in a checked scenario, whether set or defaulted
/// (`name`, `simulation.seed`, `tiers.help-desk.hours`, `services.email.modes.disk.fix`, …):
/// what a `[sources]` key may name. A service's workaround paths appear under each of its
/// modes (see [`walk`]).
pub fn field_paths(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let how = Walk {
        every_leaf: true,
        paths: true,
    };
    walk(s, how, 0, [0, 0], "", &mut |path, at| {
        out.push(join(path, at.field.key()));
    });
    out
}

/// A field's value for people: a distribution described (`exponential (mean 45d)`), a
/// duration as a duration (`2h`), a number without needless digits (`0.85`, `60000`).
pub fn value_text(kind: Kind, value: &Value) -> String {
    match (value, kind) {
        (Value::Dist(d), _) => d.describe(),
        (Value::Number(x), Kind::Duration) => super::duration::format_minutes(*x),
        (Value::Number(x), _) if x.is_finite() && *x == x.round() && x.abs() < 1e15 => {
            format!("{x:.0}")
        }
        (Value::Number(x), _) if x.is_finite() => {
            let s = format!("{x:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        (Value::Number(x), _) => format!("{x}"),
    }
}

/// How a sweep changes a field, in a few words (`scaled, clamped to [0, 1]`).
pub fn sweep_text(field: &Field) -> &'static str {
    match field.sweep {
        Sweep::Never(_) if field.kind.is_container() => "—",
        Sweep::Never(_) => "never",
        Sweep::Distribution => "scaled as a whole",
        Sweep::Scale => "scaled",
        Sweep::Clamp01 => "scaled, clamped to [0, 1]",
        Sweep::RoundAtLeastOne => "scaled, rounded, ≥ 1",
    }
}

/// `docs/scenario-reference.md`, generated from [`FIELDS`].
pub fn reference_markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "# Scenario reference\n\n\
         <!-- Generated from src/scenario/fields.rs by the test `scenario_reference_is_current`; \
         regenerate with `INCSIM_BLESS=1 cargo test --test scenario_reference`. -->\n\n\
         Every field a scenario file accepts. A key not listed here is an error (with a \
         suggestion). Paths: `tiers[]` is each `[[tiers]]` table, `strategies.*` each \
         `[strategies.NAME]` table. Durations are strings with a unit (`\"90s\"`, `\"15m\"`, \
         `\"4h\"`, `\"1h30m\"`, `\"2d\"`, `\"52w\"`); a bare number where a duration belongs is \
         an error. A *distribution* is a duration (fixed) or a table: `exponential {mean}`, \
         `lognormal {median, p90}` or `{mean, sd}`, `weibull {shape, scale}`, \
         `gamma {shape, mean}`, `uniform {min, max}`, `triangular {min, mode, max}`, \
         `pert {min, mode, max}`, `empirical {samples = [..]}`, `fixed {value}`.\n\n\
         Money fields are amounts in `currency` (default `\"USD\"`); the code is a label: \
         nothing is converted.\n\n\
         *Sweep* says how `incsim sweep` and `incsim sensitivity` change the field (docs/model.md §6).\n\n\
         | path | kind | default | bounds | sweep | meaning |\n\
         |---|---|---|---|---|---|\n",
    );
    for f in FIELDS {
        let default = match f.presence {
            Presence::Required => "required".to_string(),
            Presence::Default(v) => format!("`{v}`")
                .replace("`the file stem`", "the file stem")
                .replace("`the first tier`", "the first tier"),
            Presence::Optional(text) => text.to_string(),
        };
        let sweep = sweep_text(f);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            f.path,
            f.kind.written(),
            default.replace('|', "\\|"),
            f.bounds.short(),
            sweep,
            f.doc.replace('|', "\\|")
        );
    }
    let _ = writeln!(
        out,
        "\nCross-field rules (checked by `validate`, also on a varied scenario and on the scenario \
         in an event log or shard file): names are unique among their siblings and printable; \
         `needs`, `alert_tier`, `workaround.tier` and `problems.tier` name a tier; a mode's \
         `workaround.tier` is below its `needs`; not every mode weight is 0; at most one SLA per \
         priority, and each SLA sets `respond` or `resolve`; the expected failures per replication (services × horizon / \
         mean time between failures) stay ≤ {}; the expected false alarms per replication stay ≤ {}.",
        MAX_EXPECTED_EVENTS as u64, MAX_EXPECTED_FALSE_ALARMS as u64
    );
    out
}

/// The expected false alarms per replication of a monitoring rate over a horizon.
pub fn expected_false_alarms(per_week: f64, horizon_minutes: f64) -> f64 {
    per_week * horizon_minutes / MINUTES_PER_WEEK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parent_is_a_container_row() {
        for f in FIELDS {
            let parent = f.parent();
            if parent.is_empty() {
                continue;
            }
            let container = FIELDS
                .iter()
                .find(|c| c.kind.is_container() && c.children_pattern() == parent);
            assert!(container.is_some(), "{} has no container row", f.path);
        }
    }

    #[test]
    fn paths_are_unique_and_varied_fields_have_accessors() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS[..i].iter().all(|g| g.path != f.path),
                "{} twice",
                f.path
            );
            let varied = !matches!(f.sweep, Sweep::Never(_));
            assert_eq!(varied, f.set.is_some() && f.get.is_some(), "{}", f.path);
        }
    }

    #[test]
    fn bounds_check_like_the_documented_table() {
        assert!(Bounds::Probability.check(1.8).is_err());
        assert!(Bounds::Probability.check(1.0).is_ok());
        let e = Bounds::Probability.check(85.0).unwrap_err();
        assert_eq!(e.help, "write a share as a fraction: 0.85 for 85 %");
        assert!(Bounds::Integer { min: 1, max: 3 }.check(0.0).is_err());
        assert!(Bounds::Integer { min: 1, max: 3 }.check(1.5).is_err());
        assert!(Bounds::Money.check(2e12).is_err());
        assert!(Bounds::Horizon.check(0.0).is_err());
        assert!(Bounds::Duration.check(f64::NAN).is_err());
    }
}
