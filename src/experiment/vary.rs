//! Named parameters of a checked scenario, and how sweeps and sensitivity analyses change them
//! one at a time (docs/model.md §6). The parameters, their accessors and their rules of change are
//! the numeric rows of the field registry ([`crate::scenario::fields`]); a varied scenario is
//! checked by the one validator ([`crate::scenario::validate()`]).
//!
//! A parameter is addressed by a dotted path of names, as in the scenario file:
//! `strategies.proactive.monitoring.coverage`, `tiers.help-desk.staff`,
//! `services.email.failures.every`, `services.email.modes.memory-leak.fix`. The paths a scenario
//! accepts are listed by [`parameters`]; [`find`] resolves one with an error that says what
//! exists where the path went wrong.
//!
//! Rules of change (docs/model.md §6):
//! - a duration distribution is scaled as a whole: every duration parameter of it times the
//!   same factor, its shape kept ([`Dist::scaled`]); setting it *to* a duration sets its mean;
//! - probabilities are clamped to [0, 1] when a multiplier pushes them out;
//! - `staff` is rounded and kept ≥ 1;
//! - names, `hours`, `priority`, tier references, the seed, the horizon and the number of
//!   replications are never varied.

use std::collections::HashMap;
use std::fmt;

use crate::scenario::duration::format_minutes;
use crate::scenario::fields::{self, FIELDS, Located, MAX_STAFF, Sweep};
use crate::scenario::{Dist, Scenario, validate};

pub use crate::scenario::fields::Value;

/// What kind of quantity a parameter is: decides how values are read, changed and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An amount of money (per hour or per year), ≥ 0.
    Money,
    /// A probability or share in [0, 1] (clamped when a multiplier pushes it out).
    Probability,
    /// A number of engineers: rounded, kept ≥ 1.
    Staff,
    /// A multiplier that must stay > 0 (`fix_multiplier`).
    Multiplier,
    /// A rate or weight ≥ 0.
    NonNegative,
    /// One fixed duration, in minutes.
    Duration,
    /// A distribution of durations, scaled as a whole; its value is its mean, in minutes.
    DurationDist,
}

impl Kind {
    /// The parameter kind of a registry field kind; `None` for kinds that are never varied.
    pub fn of(kind: fields::Kind) -> Option<Kind> {
        use fields::Kind as F;
        Some(match kind {
            F::Money => Kind::Money,
            F::Probability => Kind::Probability,
            F::Count => Kind::Staff,
            F::Multiplier => Kind::Multiplier,
            F::Number => Kind::NonNegative,
            F::Duration => Kind::Duration,
            F::Dist => Kind::DurationDist,
            _ => return None,
        })
    }

    /// True for the duration kinds (values are written as durations, `"15m"`).
    pub fn is_duration(self) -> bool {
        matches!(self, Kind::Duration | Kind::DurationDist)
    }

    /// What values of this kind look like, for help texts.
    pub fn accepted(self) -> &'static str {
        match self {
            Kind::Money => "an amount ≥ 0, e.g. 60000",
            Kind::Probability => "a probability from 0 to 1, e.g. 0.85",
            Kind::Staff => "a number of engineers ≥ 1, e.g. 3",
            Kind::Multiplier => "a number > 0, e.g. 0.8",
            Kind::NonNegative => "a number ≥ 0, e.g. 2",
            Kind::Duration => r#"a duration, e.g. "30m" or "2h""#,
            Kind::DurationDist => {
                r#"a duration (the distribution's new mean, e.g. "30d"), or a multiplier "x0.5""#
            }
        }
    }
}

/// One numeric input of a scenario that sweeps and sensitivity analyses may change.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The dotted path, e.g. `strategies.proactive.monitoring.coverage`.
    pub path: String,
    /// What kind of value it holds.
    pub kind: Kind,
    /// Its registry row and instance.
    at: Located,
}

/// How to change a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setting {
    /// Set it to this value, in the parameter's unit (minutes for durations; for a
    /// distribution, its new mean in minutes).
    To(f64),
    /// Multiply it by this factor ≥ 0 (a distribution is scaled as a whole).
    Times(f64),
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::To(v) => write!(f, "{v}"),
            Setting::Times(x) => write!(f, "x{x}"),
        }
    }
}

/// The value a parameter ended up with after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The value as a number in the parameter's unit (a distribution's mean, in minutes).
    pub value: f64,
    /// The value for people: `0.85`, `2h`, `exponential (mean 30d)`, `3`.
    pub text: String,
    /// Set when the rules of change altered the requested value (clamped, rounded).
    pub note: Option<String>,
}

/// A parameter path that does not exist, or a value a parameter cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaryError {
    /// What was expected and what was found.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl fmt::Display for VaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  help: {}", self.message, self.help)
    }
}

impl std::error::Error for VaryError {}

fn err(message: impl Into<String>, help: impl Into<String>) -> VaryError {
    VaryError {
        message: message.into(),
        help: help.into(),
    }
}

/// Every parameter of the scenario, in file order: tiers, services (with their modes), then
/// strategies (with their monitoring): the registry's fields that sweeps may vary.
pub fn parameters(scenario: &Scenario) -> Vec<Parameter> {
    fields::readable(scenario)
        .into_iter()
        .filter(|(_, at)| !matches!(at.field.sweep, Sweep::Never(_)))
        .filter_map(|(path, at)| {
            Some(Parameter {
                path,
                kind: Kind::of(at.field.kind)?,
                at,
            })
        })
        .collect()
}

/// Resolve a parameter path against the scenario.
///
/// When the path does not exist, the error names it, says what exists at the deepest part of
/// it that does (e.g. the fields of `strategies.proactive`, or the strategies there are), and
/// lists every accepted path.
pub fn find(scenario: &Scenario, path: &str) -> Result<Parameter, VaryError> {
    let params = parameters(scenario);
    if let Some(p) = params.iter().find(|p| p.path == path) {
        return Ok(p.clone());
    }
    let accepted: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    let list = format!("accepted paths:\n    {}", accepted.join("\n    "));

    let last = path.rsplit('.').next().unwrap_or(path);
    let never = FIELDS.iter().find_map(|f| match f.sweep {
        Sweep::Never(why) if f.key() == last && !f.kind.is_container() => Some(why),
        _ => None,
    });
    if let Some(why) = never {
        return Err(err(
            format!("{path} cannot be varied: {why} (docs/model.md §6)"),
            format!("vary a numeric input instead; {list}"),
        ));
    }
    // A strategy without monitoring has no monitoring.* parameters: say so.
    if let Some(rest) = path.strip_prefix("strategies.") {
        for s in &scenario.strategies {
            if s.monitoring.is_none()
                && rest
                    .strip_prefix(s.name.as_str())
                    .is_some_and(|r| r.starts_with(".monitoring"))
            {
                return Err(err(
                    format!(
                        "{path} does not exist: strategy {} has no monitoring (it detects by user reports only)",
                        s.name
                    ),
                    list,
                ));
            }
        }
    }

    // The longest prefix of the path (at a '.' boundary) under which some parameter lives.
    let mut prefix = String::new();
    for (i, c) in path.char_indices() {
        if c == '.' {
            let candidate = &path[..i];
            if accepted
                .iter()
                .any(|a| a.starts_with(candidate) && a[candidate.len()..].starts_with('.'))
            {
                prefix = candidate.to_string();
            }
        }
    }
    let next_segments = |prefix: &str| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for a in &accepted {
            let rest = if prefix.is_empty() {
                Some(*a)
            } else {
                a.strip_prefix(prefix).and_then(|r| r.strip_prefix('.'))
            };
            if let Some(rest) = rest {
                let seg = rest.split('.').next().unwrap_or(rest).to_string();
                if !seen.contains(&seg) {
                    seen.push(seg);
                }
            }
        }
        seen
    };
    let options = next_segments(&prefix);
    let wrong = if prefix.is_empty() {
        path
    } else {
        &path[prefix.len() + 1..]
    };
    let wrong_segment = wrong.split('.').next().unwrap_or(wrong);
    let where_ = if prefix.is_empty() {
        "at the top level".to_string()
    } else {
        format!("under {prefix}")
    };
    let mut message = format!(
        "{path} is not a parameter of this scenario: {where_} there is no {wrong_segment:?}; \
         there is {}",
        options.join(", ")
    );
    // The field exists deeper under the same prefix (`strategies.x.coverage` for
    // `strategies.x.monitoring.coverage`): name the full path.
    let deeper: Vec<&str> = accepted
        .iter()
        .copied()
        .filter(|a| a.starts_with(&prefix) && a.ends_with(&format!(".{last}")))
        .collect();
    if deeper.len() == 1 {
        message.push_str(&format!(" (did you mean {}?)", deeper[0]));
    } else if let Some(close) = closest(wrong_segment, options.iter().map(String::as_str)) {
        message.push_str(&format!(" (did you mean {close:?}?)"));
    }
    Err(err(message, list))
}

/// [`find`] for several paths, in their order, listing the scenario's parameters once (a
/// `find` per path lists them all each time: quadratic for a long `--only`). The first path
/// that does not resolve gives `find`'s error.
pub fn find_all(scenario: &Scenario, paths: &[String]) -> Result<Vec<Parameter>, VaryError> {
    let params = parameters(scenario);
    let mut by_path = HashMap::with_capacity(params.len());
    for p in &params {
        // The first of equal paths, as `find` takes it.
        by_path.entry(p.path.as_str()).or_insert(p);
    }
    paths
        .iter()
        .map(|path| match by_path.get(path.as_str()) {
            Some(p) => Ok((*p).clone()),
            None => find(scenario, path),
        })
        .collect()
}

/// The option closest to `word` by edit distance, if close enough to be a likely typo.
fn closest<'a>(word: &str, options: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    options
        .map(|o| (strsim::levenshtein(word, o), o))
        .filter(|(d, o)| *d <= 2.max(o.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

impl Parameter {
    /// The parameter's current value in the scenario.
    pub fn value(&self, s: &Scenario) -> Value {
        let get = self.at.field.get.expect("parameters have a getter");
        get(s, self.at.idx).expect("parameters exist in the scenario they were listed from")
    }

    /// The registry row of this parameter (its doc line, bounds and rule of change).
    pub fn field(&self) -> &'static fields::Field {
        self.at.field
    }

    /// The current value for people (`0.85`, `2h`, `exponential (mean 45d)`).
    pub fn describe(&self, s: &Scenario) -> String {
        self.describe_value(&self.value(s))
    }

    fn describe_value(&self, v: &Value) -> String {
        match (v, self.kind) {
            (Value::Dist(d), _) => d.describe(),
            (Value::Number(x), Kind::Duration) => format_minutes(*x),
            (Value::Number(x), _) => format_number(*x),
        }
    }

    /// A copy of the scenario with this parameter changed, and the value it ended up with.
    ///
    /// Errors when the change is not allowed: a negative value, a probability set outside
    /// [0, 1] (a multiplier is clamped instead), a `fix_multiplier` or mean time between
    /// failures of 0, a scenario that would exceed the 10⁷-events safety limit.
    pub fn apply(
        &self,
        scenario: &Scenario,
        setting: Setting,
    ) -> Result<(Scenario, Applied), VaryError> {
        let (new_value, note) = self.changed(scenario, setting)?;
        let out = self.with_value(scenario, &new_value);
        self.check(&out)?;
        Ok((out, self.applied(new_value, note)))
    }

    /// A copy of the scenario with this parameter set to `value` (one [`Parameter::apply`] or
    /// [`Trials::apply`] gave), unchecked: the scenario that change made.
    pub fn with_value(&self, scenario: &Scenario, value: &Value) -> Scenario {
        let mut out = scenario.clone();
        self.store(&mut out, value);
        out
    }

    /// What a change gave, for people.
    fn applied(&self, value: Value, note: Option<String>) -> Applied {
        Applied {
            value: value.as_number(),
            text: self.describe_value(&value),
            note,
        }
    }

    /// The value a change gives this parameter in `scenario`, with a note when the rules of
    /// change altered the request; errors on a request the parameter cannot take. Checks no
    /// scenario-wide rule.
    fn changed(
        &self,
        scenario: &Scenario,
        setting: Setting,
    ) -> Result<(Value, Option<String>), VaryError> {
        let what = match setting {
            Setting::To(v) => format_setting_value(self.kind, v),
            Setting::Times(x) => format!("x{}", format_number(x)),
        };
        let requested = match setting {
            Setting::To(v) | Setting::Times(v) => v,
        };
        if !requested.is_finite() {
            return Err(err(
                format!("{}: expected a finite value; found {what}", self.path),
                format!("write {}", self.kind.accepted()),
            ));
        }
        if requested < 0.0 {
            let help = match setting {
                Setting::To(_) => format!("write {}", self.kind.accepted()),
                Setting::Times(_) => "a multiplier must be ≥ 0, e.g. x0.5 or x2".to_string(),
            };
            return Err(err(
                format!("{}: cannot be negative; found {what}", self.path),
                help,
            ));
        }
        let mut note = None;
        let new_value = match (self.value(scenario), setting) {
            (Value::Dist(d), Setting::Times(x)) => Value::Dist(d.scaled(x)),
            (Value::Dist(d), Setting::To(mean)) => {
                let old = d.mean();
                if old > 0.0 {
                    Value::Dist(d.scaled(mean / old))
                } else if d.is_fixed() {
                    Value::Dist(Dist::fixed(mean))
                } else {
                    return Err(err(
                        format!(
                            "{}: cannot set the mean of {} (its mean is 0) to {what}",
                            self.path,
                            d.describe()
                        ),
                        "scaling cannot move a mean of 0: give the field a non-zero distribution in the scenario",
                    ));
                }
            }
            (Value::Number(old), setting) => {
                let mut x = match setting {
                    Setting::To(v) => v,
                    Setting::Times(f) => old * f,
                };
                match self.kind {
                    Kind::Probability => {
                        if matches!(setting, Setting::To(_)) && x > 1.0 {
                            return Err(err(
                                format!(
                                    "{}: expected a probability from 0 to 1; found {what}",
                                    self.path
                                ),
                                "write a value from 0 to 1, e.g. 0.85 (multipliers such as x1.2 are clamped to 1)",
                            ));
                        }
                        if x > 1.0 {
                            note = Some(format!("clamped from {} to 1", format_number(x)));
                            x = 1.0;
                        }
                    }
                    Kind::Staff if x.round() > MAX_STAFF as f64 => {
                        // Clamping would give several identical points without a word.
                        return Err(err(
                            format!(
                                "{}: {} is more staff than a scenario accepts",
                                self.path,
                                format_number(x)
                            ),
                            format!("use at most {MAX_STAFF} (a million) engineers"),
                        ));
                    }
                    Kind::Staff => {
                        let rounded = x.round().clamp(1.0, MAX_STAFF as f64);
                        if rounded != x {
                            note = Some(format!(
                                "{} rounded to {} engineer{}",
                                format_number(x),
                                rounded,
                                if rounded == 1.0 { "" } else { "s" }
                            ));
                        }
                        x = rounded;
                    }
                    Kind::Multiplier if x <= 0.0 => {
                        return Err(err(
                            format!("{}: must stay > 0; found {}", self.path, format_number(x)),
                            "a fix multiplier of 0 would make fixes instantaneous: use a value > 0, e.g. 0.1",
                        ));
                    }
                    _ => {}
                }
                Value::Number(x)
            }
        };
        Ok((new_value, note))
    }

    /// Set the parameter to `v` in `s`; returns the strategies whose tier overrides the change
    /// reached too (see the comment within), for [`Parameter::undo`].
    fn store(&self, s: &mut Scenario, v: &Value) -> Vec<usize> {
        let set = self.at.field.set.expect("parameters have a setter");
        let mut reached = Vec::new();
        if self.at.field.path.starts_with("tiers[]") {
            // A strategy with tier overrides (model.md §8.13) runs its own copy of every tier:
            // the change reaches that copy too, unless the strategy set the field otherwise
            // (an override holding the same value as the tier follows the tier).
            let get = self.at.field.get.expect("parameters have a getter");
            let old = get(s, self.at.idx);
            for k in 0..s.strategies.len() {
                if s.strategies[k].tiers.is_empty() {
                    continue;
                }
                std::mem::swap(&mut s.tiers, &mut s.strategies[k].tiers);
                if get(s, self.at.idx) == old {
                    set(s, self.at.idx, v);
                    reached.push(k);
                }
                std::mem::swap(&mut s.tiers, &mut s.strategies[k].tiers);
            }
        }
        set(s, self.at.idx, v);
        reached
    }

    /// Undo a [`Parameter::store`]: `old` back where it wrote (the tier and the overrides it
    /// reached, which held `old` too).
    fn undo(&self, s: &mut Scenario, old: &Value, reached: &[usize]) {
        let set = self.at.field.set.expect("parameters have a setter");
        for &k in reached {
            std::mem::swap(&mut s.tiers, &mut s.strategies[k].tiers);
            set(s, self.at.idx, old);
            std::mem::swap(&mut s.tiers, &mut s.strategies[k].tiers);
        }
        set(s, self.at.idx, old);
    }

    /// The scenario-wide rules a change could break: the one validator's.
    fn check(&self, s: &Scenario) -> Result<(), VaryError> {
        match validate(s).into_iter().next() {
            None => Ok(()),
            Some(v) => Err(err(
                format!(
                    "{}: this value breaks a rule at {}: {}",
                    self.path, v.path, v.message
                ),
                v.help,
            )),
        }
    }
}

/// A working copy of a scenario on which many one-at-a-time changes are tried, each undone
/// before the next. A sensitivity analysis checks two changes of every input before it runs
/// anything; a copy of the scenario per change made that set-up quadratic in the scenario's
/// size (hundreds of inputs × a copy of every input), in time and in memory.
#[derive(Debug)]
pub struct Trials<'a> {
    base: &'a Scenario,
    work: Scenario,
}

/// One change tried by [`Trials::apply`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tried {
    /// The parameter's new value: [`Parameter::with_value`] makes the changed scenario.
    pub value: Value,
    /// The value it ended up with, for people.
    pub applied: Applied,
    /// True when the changed scenario equals the scenario (the change moved nothing).
    pub unchanged: bool,
}

impl<'a> Trials<'a> {
    /// Trials of changes of `base`.
    pub fn new(base: &'a Scenario) -> Trials<'a> {
        Trials {
            base,
            work: base.clone(),
        }
    }

    /// [`Parameter::apply`] without keeping the changed scenario: the same value, note and
    /// errors (the same validator on the same changed scenario), and whether the change left
    /// the scenario as it was.
    pub fn apply(&mut self, parameter: &Parameter, setting: Setting) -> Result<Tried, VaryError> {
        let (value, note) = parameter.changed(self.base, setting)?;
        let old = parameter.value(self.base);
        let reached = parameter.store(&mut self.work, &value);
        let checked = parameter.check(&self.work);
        let unchanged = checked.is_ok() && self.work == *self.base;
        parameter.undo(&mut self.work, &old, &reached);
        // Every setter writes back exactly what its getter read (a test checks it on every
        // parameter): this never copies, but a working copy that differed would make every
        // later trial wrong, so it is checked rather than assumed.
        if self.work != *self.base {
            self.work.clone_from(self.base);
        }
        checked?;
        Ok(Tried {
            applied: parameter.applied(value.clone(), note),
            value,
            unchanged,
        })
    }
}

/// A value written for people in the parameter's unit.
pub fn format_setting_value(kind: Kind, value: f64) -> String {
    if kind.is_duration() {
        format_minutes(value)
    } else {
        format_number(value)
    }
}

/// A value in a few characters, for tables and chart labels: a distribution by its mean
/// (`mean 45d`), a duration as a duration, a number with at most 4 decimals.
pub fn short_text(kind: Kind, value: f64) -> String {
    match kind {
        Kind::DurationDist => format!("mean {}", format_minutes(value)),
        Kind::Duration => format_minutes(value),
        _ => format_number((value * 1e4).round() / 1e4),
    }
}

/// A number without needless digits (moved to [`crate::format`], which charts share).
pub use crate::format::format_number;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    fn default() -> Scenario {
        parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap()
    }

    #[test]
    fn the_default_scenario_exposes_the_documented_paths() {
        let s = default();
        let paths: Vec<String> = parameters(&s).into_iter().map(|p| p.path).collect();
        for p in [
            "strategies.proactive.monitoring.coverage",
            "strategies.proactive.annual_cost",
            "strategies.reactive.escalate_after",
            "tiers.help-desk.staff",
            "services.email.downtime_cost_per_hour",
            "services.email.failures.every",
            "services.email.modes.memory-leak.fix",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
        }
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("strategies.reactive.monitoring"))
        );
    }

    #[test]
    fn parameters_keep_file_order_instance_by_instance() {
        let paths: Vec<String> = parameters(&default()).into_iter().map(|p| p.path).collect();
        let expected = [
            "tiers.help-desk.staff",
            "tiers.help-desk.hourly_cost",
            "tiers.help-desk.on_call.staff",
            "tiers.help-desk.on_call.ack",
            "tiers.help-desk.on_call.ack_asleep",
            "tiers.help-desk.on_call.standby_cost_per_hour",
            "tiers.help-desk.on_call.callout_cost",
            "tiers.help-desk.annual_cost_per_engineer",
            "tiers.help-desk.cost_per_incident",
            "tiers.senior-network-engineer.staff",
            "tiers.senior-network-engineer.hourly_cost",
            "tiers.senior-network-engineer.on_call.staff",
            "tiers.senior-network-engineer.on_call.ack",
            "tiers.senior-network-engineer.on_call.ack_asleep",
            "tiers.senior-network-engineer.on_call.standby_cost_per_hour",
            "tiers.senior-network-engineer.on_call.callout_cost",
            "tiers.senior-network-engineer.annual_cost_per_engineer",
            "tiers.senior-network-engineer.cost_per_incident",
            "services.email.downtime_cost_per_hour",
            "services.email.degraded_cost_fraction",
            "services.email.report_delay",
            "services.email.failures.every",
            "services.email.tickets.per_hour",
            "services.email.tickets.triage",
            "services.email.modes.memory-leak.weight",
            "services.email.modes.memory-leak.warning",
            "services.email.modes.memory-leak.fix",
            "services.email.modes.mailbox-quota.weight",
            "services.email.modes.mailbox-quota.warning",
            "services.email.modes.mailbox-quota.fix",
            "strategies.reactive.escalate_after",
            "strategies.reactive.handoff",
            "strategies.reactive.fix_multiplier",
            "strategies.reactive.annual_cost",
            "strategies.reactive.route_direct",
            "strategies.reactive.ticket_deflection",
            "strategies.proactive.escalate_after",
            "strategies.proactive.handoff",
            "strategies.proactive.fix_multiplier",
            "strategies.proactive.annual_cost",
            "strategies.proactive.route_direct",
            "strategies.proactive.ticket_deflection",
            "strategies.proactive.monitoring.coverage",
            "strategies.proactive.monitoring.detect",
            "strategies.proactive.monitoring.outage_detect",
            "strategies.proactive.monitoring.false_alarms_per_week",
            "strategies.proactive.monitoring.triage",
            "slas[0].respond",
            "slas[0].resolve",
            "slas[0].penalty",
        ];
        assert_eq!(paths, expected);
    }

    #[test]
    fn a_change_that_breaks_a_cross_field_rule_is_refused_by_the_validator() {
        let s = default();
        let weight = find(&s, "services.email.modes.memory-leak.weight").unwrap();
        let (zeroed, _) = weight.apply(&s, Setting::To(0.0)).unwrap();
        let other = find(&zeroed, "services.email.modes.mailbox-quota.weight").unwrap();
        let e = other.apply(&zeroed, Setting::Times(0.0)).unwrap_err();
        assert!(e.message.contains("all weights 0"), "{e}");
    }

    #[test]
    fn unknown_paths_say_what_exists_there() {
        let s = default();
        let e = find(&s, "strategies.proactive.coverage").unwrap_err();
        assert!(
            e.message
                .contains("did you mean strategies.proactive.monitoring.coverage?"),
            "{e}"
        );
        let e = find(&s, "strategies.proactive.coverag").unwrap_err();
        assert!(e.message.contains("under strategies.proactive"), "{e}");
        assert!(e.message.contains("escalate_after"), "{e}");
        assert!(
            e.help.contains("strategies.proactive.monitoring.coverage"),
            "{e}"
        );

        let e = find(&s, "strategies.proactiv.annual_cost").unwrap_err();
        assert!(e.message.contains("under strategies"), "{e}");
        assert!(e.message.contains("did you mean \"proactive\""), "{e}");

        let e = find(&s, "strategies.reactive.monitoring.coverage").unwrap_err();
        assert!(e.message.contains("has no monitoring"), "{e}");

        let e = find(&s, "tiers.help-desk.hours").unwrap_err();
        assert!(e.message.contains("cannot be varied"), "{e}");

        let e = find(&s, "bogus").unwrap_err();
        assert!(e.message.contains("at the top level"), "{e}");
        assert!(e.message.contains("tiers, services, strategies"), "{e}");
    }

    #[test]
    fn distributions_are_scaled_as_a_whole_and_set_by_their_mean() {
        let s = default();
        let p = find(&s, "services.email.failures.every").unwrap();
        let (t, applied) = p.apply(&s, Setting::Times(2.0)).unwrap();
        assert_eq!(
            t.services[0].failures_every,
            Dist::Exponential {
                mean: 2.0 * 45.0 * 1440.0
            }
        );
        assert_eq!(applied.value, 2.0 * 45.0 * 1440.0);
        let (t, _) = p.apply(&s, Setting::To(30.0 * 1440.0)).unwrap();
        assert!((t.services[0].failures_every.mean() - 30.0 * 1440.0).abs() < 1e-9);

        let fix = find(&s, "services.email.modes.memory-leak.fix").unwrap();
        let (t, _) = fix.apply(&s, Setting::Times(0.5)).unwrap();
        let before = s.services[0].modes[0].fix.mean();
        assert!((t.services[0].modes[0].fix.mean() - before * 0.5).abs() < 1e-9);

        // A sudden failure's warning of "0m" can be set to a fixed duration.
        let warning = find(&s, "services.email.modes.mailbox-quota.warning").unwrap();
        let (t, _) = warning.apply(&s, Setting::To(30.0)).unwrap();
        assert_eq!(t.services[0].modes[1].warning, Dist::fixed(30.0));
    }

    #[test]
    fn probabilities_clamp_staff_rounds_and_bad_values_are_refused() {
        let s = default();
        let cov = find(&s, "strategies.proactive.monitoring.coverage").unwrap();
        let (t, applied) = cov.apply(&s, Setting::Times(1.2)).unwrap();
        assert_eq!(t.strategies[1].monitoring.as_ref().unwrap().coverage, 1.0);
        assert!(applied.note.unwrap().contains("clamped"));
        assert!(cov.apply(&s, Setting::To(1.5)).is_err());

        let staff = find(&s, "tiers.senior-network-engineer.staff").unwrap();
        let (t, applied) = staff.apply(&s, Setting::Times(0.8)).unwrap();
        assert_eq!(t.tiers[1].staff, 1);
        assert_eq!(applied.text, "1");
        let (t, _) = staff.apply(&s, Setting::To(0.0)).unwrap();
        assert_eq!(t.tiers[1].staff, 1);
        let (t, _) = find(&s, "tiers.help-desk.staff")
            .unwrap()
            .apply(&s, Setting::Times(1.2))
            .unwrap();
        assert_eq!(t.tiers[0].staff, 4);

        let mult = find(&s, "strategies.proactive.fix_multiplier").unwrap();
        assert!(mult.apply(&s, Setting::Times(0.0)).is_err());
        let cost = find(&s, "strategies.proactive.annual_cost").unwrap();
        assert!(cost.apply(&s, Setting::To(-1.0)).is_err());
        let every = find(&s, "services.email.failures.every").unwrap();
        assert!(every.apply(&s, Setting::Times(0.0)).is_err());
        assert!(every.apply(&s, Setting::To(0.001)).is_err());
    }

    #[test]
    fn applying_the_identity_leaves_the_scenario_unchanged() {
        let s = default();
        for p in parameters(&s) {
            let (t, _) = p.apply(&s, Setting::Times(1.0)).unwrap();
            // Lognormal scaling by 1 adds ln(1) = 0 to mu: exact.
            assert_eq!(t, s, "{}", p.path);
        }
    }
}
