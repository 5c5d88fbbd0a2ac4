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
pub mod uncertain;
pub mod validate;

pub use dist::Dist;
pub use error::{ScenarioError, ScenarioErrors};
pub use parse::{DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO_TOML, load, parse_str};
pub use validate::{Violation, validate};

use indexmap::IndexMap;
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
    /// Service-level agreements by priority (`[[slas]]`, model.md §8.13); at most one per
    /// priority.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slas: Vec<Sla>,
    /// The appraisal settings of `[finance]` (absent: one year, no discounting). Skipped in
    /// serialised scenarios when absent, so event logs of old scenarios keep their bytes.
    #[serde(default, skip_serializing_if = "Finance::is_default")]
    pub finance: Finance,
    /// Where inputs come from (`[sources]`): field path (`services.email.downtime_cost_per_hour`)
    /// → note, in file order. Only the report shows them; absent from serialised scenarios when
    /// empty.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub sources: IndexMap<String, String>,
    /// Uncertain inputs (`{ uncertain = "triangular", … }`, issue 15), in the registry's file
    /// order; their fields hold the value a plain run uses (the mode, a uniform's midpoint, a
    /// lognormal's median). Absent from serialised scenarios when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<uncertain::Uncertain>,
    /// PagerDuty-shaped escalation policies (`[[escalation_policies]]`, model.md §8.7), chosen
    /// by a strategy's `paging`. Absent from the serialized scenario when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation_policies: Vec<EscalationPolicy>,
}

/// An escalation policy (model.md §8.7): its rules page one tier's on-call each, `delay`
/// apart, and the whole list repeats `num_loops` more times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationPolicy {
    pub name: String,
    /// How many times the rules restart after the last one (0: one pass).
    pub num_loops: u32,
    /// At least one rule.
    pub rules: Vec<PolicyRule>,
}

/// One rule of an [`EscalationPolicy`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    /// Minutes from this rule's page to the next rule's, if nobody acknowledged.
    pub delay: Minutes,
    /// Index into `Scenario::tiers` of the tier whose on-call this rule pages.
    pub tier: usize,
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

/// Changes deployed to a service (model.md §8.12): a Poisson process inside `hours`, each
/// change failing with `failure_rate` (or the strategy's `change_failure_rate`) and then
/// starting a failure of `mode` at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// Expected changes per week (all inside `hours`).
    pub per_week: f64,
    /// Probability that a change fails (the DORA change failure rate).
    pub failure_rate: f64,
    /// Index of the failure mode a failing change starts, in the service's `modes`.
    pub mode: ModeIndex,
    /// When changes are deployed (site time).
    pub hours: Hours,
}

/// Index of a failure mode within its service's `modes`.
pub type ModeIndex = usize;

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

/// Run settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub horizon_minutes: Minutes,
    pub replications: u64,
    pub seed: u64,
    /// Minutes east of UTC of the site's clock (`utc_offset`): `t = 0` is Monday 00:00 there.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub utc_offset_minutes: i32,
}

fn is_zero(minutes: &i32) -> bool {
    *minutes == 0
}

/// When a tier (or a shift) starts new work, in its own local time (model.md §8.1).
/// Written and read as its text (`"24x7"`, `"business"`, `"Mon-Fri 07:00-19:00; Sat 09:00-13:00"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Hours {
    /// `"24x7"`: always open.
    AlwaysOpen,
    /// `"business"`: Monday–Friday, 08:00–18:00.
    Business,
    /// Weekly ranges.
    Weekly(WeeklyHours),
}

/// Weekly opening ranges: the text as written and its open intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyHours {
    /// As written in the scenario (shown back to the user).
    pub text: String,
    /// Sorted, disjoint, non-adjacent `[start, end)` minutes of the week, 0 = Monday 00:00
    /// local; never empty.
    pub open: Vec<(u32, u32)>,
}

/// One support tier (help desk, engineers, vendor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub name: String,
    /// Engineers; with `shifts`, the sum of the shifts' staff.
    pub staff: u32,
    /// Ignored when `shifts` is given.
    pub hours: Hours,
    /// Minutes east of UTC where the tier's people are (default: the site's offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
    /// Follow-the-sun shifts; empty means one shift of `staff` working `hours`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shifts: Vec<Shift>,
    pub hourly_cost: f64,
    /// Salary and overheads of one staffed engineer per year (`fixed_labor_cost`).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub annual_cost_per_engineer: f64,
    /// A vendor's fee, charged once per incident this tier works (part of `labor_cost`).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub cost_per_incident: f64,
    /// Engineers paged when nobody of the tier is on duty (model.md §8.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_call: Option<OnCall>,
}

/// A tier's on-call rota (model.md §8.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnCall {
    /// Engineers on call at once.
    pub staff: u32,
    /// Page → acknowledgement while awake.
    pub ack: Dist,
    /// Page → acknowledgement when the page falls in `asleep` hours.
    pub ack_asleep: Dist,
    /// When the on-call engineers sleep, in the tier's local time.
    pub asleep: Hours,
    /// Items of services with priority ≤ this are paged.
    pub page_priority: u32,
    pub standby_cost_per_hour: f64,
    /// Paid per page (labor).
    pub callout_cost: f64,
}

/// One shift of a tier: its engineers work its hours in its local time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    pub hours: Hours,
    /// Minutes east of UTC (default: the tier's offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
    pub staff: u32,
}

/// A shift as the model sees it: hours, how far its clock runs ahead of the site's, staff.
#[derive(Debug, Clone, Copy)]
pub struct ShiftView<'a> {
    pub hours: &'a Hours,
    /// Local time − site time, in minutes.
    pub ahead_minutes: Minutes,
    pub staff: u32,
}

impl Tier {
    /// Engineers on the payroll of the tier, for `fixed_labor_cost` (model.md §8.13): its
    /// `staff`, or the sum of its shifts' staff; the on-call rota is not counted again.
    pub fn staffed_engineers(&self) -> u32 {
        if self.shifts.is_empty() {
            self.staff
        } else {
            self.shifts.iter().map(|s| s.staff).sum()
        }
    }

    /// Number of shifts (a tier without `shifts` is one shift).
    #[inline]
    pub fn shift_count(&self) -> usize {
        self.shifts.len().max(1)
    }

    /// Shift `i` read against the site's clock (`site_offset` minutes east of UTC).
    #[inline]
    pub fn shift(&self, i: usize, site_offset: i32) -> ShiftView<'_> {
        let tier_offset = self.utc_offset_minutes.unwrap_or(site_offset);
        match self.shifts.get(i) {
            Some(s) => ShiftView {
                hours: &s.hours,
                ahead_minutes: (s.utc_offset_minutes.unwrap_or(tier_offset) - site_offset)
                    as Minutes,
                staff: s.staff,
            },
            None => ShiftView {
                hours: &self.hours,
                ahead_minutes: (tier_offset - site_offset) as Minutes,
                staff: self.staff,
            },
        }
    }

    /// The tier's hours in plain words, with offsets where they differ from the site's
    /// (`"business hours (Mon–Fri 08:00–18:00)"`, `"shifts: 2 × Mon-Fri 08:00-16:00 at UTC+08:00; …"`).
    pub fn hours_in_words(&self, site_offset: i32) -> String {
        let words = |hours: &Hours, offset: Option<i32>| {
            let text = match hours {
                Hours::AlwaysOpen => "24x7".to_string(),
                Hours::Business => "business hours (Mon–Fri 08:00–18:00)".to_string(),
                Hours::Weekly(w) => w.text.clone(),
            };
            match offset {
                Some(o) if o != site_offset => {
                    format!("{text} at UTC{}", calendar::format_offset(o))
                }
                _ => text,
            }
        };
        let tier_offset = self.utc_offset_minutes;
        if self.shifts.is_empty() {
            return words(&self.hours, tier_offset);
        }
        let list: Vec<String> = self
            .shifts
            .iter()
            .map(|s| {
                format!(
                    "{} × {}",
                    s.staff,
                    words(&s.hours, s.utc_offset_minutes.or(tier_offset))
                )
            })
            .collect();
        format!("shifts: {}", list.join("; "))
    }

    /// True when some shift of the tier is open at site time `t` (staffed or not).
    pub fn any_shift_open(&self, t: Minutes, site_offset: i32) -> bool {
        (0..self.shift_count()).any(|i| {
            let s = self.shift(i, site_offset);
            calendar::is_open(s.hours, t, s.ahead_minutes)
        })
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
    /// The distribution of the service's age at failure (model.md §8.5): with `Repair::Renew`
    /// the time from UP to the next failure.
    pub failures_every: Dist,
    pub modes: Vec<Mode>,
    /// Further user reports while the outage lasts; `None`: one report per outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickets: Option<Tickets>,
    /// What a repair does to the service's age (model.md §8.5). Left out of the serialized
    /// scenario when it is the default, so logs of scenarios that never set it are unchanged.
    #[serde(default, skip_serializing_if = "Repair::is_renew")]
    pub repair: Repair,
    /// Services this one needs (docs/model.md §8.10); empty for a service that stands alone.
    /// Left out of the JSON when empty, so logs of scenarios without dependencies keep their
    /// bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Dependency>,
    /// Share of `downtime_cost_per_hour` a minute of planned maintenance costs (model.md
    /// §8.6); left out of the JSON at its default 1, so older logs keep their bytes.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub planned_downtime_cost_fraction: f64,
    /// Changes deployed to the service (model.md §8.12); `None`: no change process. Left out
    /// of the JSON when absent, so older logs keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

fn one() -> f64 {
    1.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// Preventive maintenance of a strategy (model.md §8.6), one `[[strategies.X.maintenance]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Maintenance {
    /// Indices into `Scenario::services` of the services it maintains.
    pub services: Vec<usize>,
    /// The maintenance interval: an age (policy age) or a calendar period.
    pub every_minutes: Minutes,
    /// Hands-on time of one maintenance, during which the service is planned-down.
    pub takes: Dist,
    /// Index into `Scenario::tiers` of the tier that maintains.
    pub tier: usize,
    /// When a maintenance may start (site time); `None`: at any time.
    pub window: Option<Hours>,
    pub policy: MaintenancePolicy,
}

/// When maintenance falls due (model.md §8.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenancePolicy {
    /// Due when the age since the last repair or maintenance reaches `every`.
    #[default]
    Age,
    /// Due at k × `every` from t = 0.
    Calendar,
}

/// What a repair does to a service's age (model.md §8.5), `services[].repair`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// `"renew"`: as good as new; the next failure's age counts from zero (DESIGN §2).
    #[default]
    Renew,
    /// `"as_bad_as_old"` (minimal repair): the age survives the repair and the next failure is
    /// drawn conditioned on survival to it.
    AsBadAsOld,
}

impl Repair {
    /// True for the default, `"renew"`.
    pub fn is_renew(&self) -> bool {
        *self == Repair::Renew
    }

    /// The word a scenario file writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Repair::Renew => "renew",
            Repair::AsBadAsOld => "as_bad_as_old",
        }
    }
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
    /// A restart or other workaround that lower tiers may try (model.md §8.8); used only by
    /// strategies with `workarounds = true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workaround: Option<Workaround>,
}

/// A workaround of a failure mode (model.md §8.8): it brings the service back without removing
/// the root cause, which strikes again after `recurs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workaround {
    /// Hands-on time of the attempt (no `fix_multiplier`).
    pub fix: Dist,
    /// Index into `Scenario::tiers` of the lowest tier that tries it (below the mode's `needs`).
    pub tier: usize,
    /// Probability that the attempt brings the service back.
    pub success: f64,
    /// Time from UP after a successful workaround to the recurrence of the same mode.
    pub recurs: Dist,
}

/// Problem management of a strategy (model.md §8.9): root-cause fixes for recurring failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problems {
    /// Recurrences of a root cause before a worked-around incident opens a problem (0: the
    /// first workaround opens one).
    pub after: u32,
    /// Hands-on time of the root-cause fix.
    pub fix: Dist,
    /// Index into `Scenario::tiers` of the tier that works problems.
    pub tier: usize,
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
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub one_time_cost: f64,
    /// Share of the benefit realised in each year 1 … years; empty: the full benefit every
    /// year. Only the business case uses it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ramp_up: Vec<f64>,
    /// Share of tickets a status page or known-incident banner deflects (model.md §8.4).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub ticket_deflection: f64,
    /// Lower tiers try a mode's workaround before escalating (model.md §8.8).
    #[serde(default, skip_serializing_if = "is_false")]
    pub workarounds: bool,
    /// Problem management: root-cause fixes after recurrences (model.md §8.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problems: Option<Problems>,
    /// Dependency-aware monitoring links symptom incidents to their open, detected root
    /// incident (model.md §8.11).
    #[serde(default, skip_serializing_if = "is_false")]
    pub correlate: bool,
    /// Index into `Scenario::escalation_policies` of the policy that pages for this strategy
    /// (`paging = "NAME"`, model.md §8.7); None: plain paging (§8.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<usize>,
    /// Every tier as this strategy runs it, when it overrides any (`[strategies.X.tiers.T]`,
    /// model.md §8.13); empty: the scenario's tiers. Read it through [`Scenario::tiers_of`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    /// Preventive maintenance plans (model.md §8.6); at most one per service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    /// Replaces every service's `changes.failure_rate` under this strategy (testing, canary
    /// releases; model.md §8.12); `None`: the services' own rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_failure_rate: Option<f64>,
}

/// For `skip_serializing_if`: a switched-off flag is left out, so a scenario without the
/// batch-2 fields serializes (in an event log's header) exactly as before.
fn is_false(b: &bool) -> bool {
    !*b
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
    /// The tiers as strategy `strategy` runs them: its overrides applied (model.md §8.13).
    pub fn tiers_of(&self, strategy: usize) -> &[Tier] {
        match self.strategies.get(strategy) {
            Some(s) if !s.tiers.is_empty() => &s.tiers,
            _ => &self.tiers,
        }
    }

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

    /// The SLA covering services of this priority, if any.
    pub fn sla_for(&self, priority: u32) -> Option<&Sla> {
        self.slas.iter().find(|s| s.priority == priority)
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
