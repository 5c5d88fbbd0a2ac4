//! Reading a scenario file (docs/model.md §3) into a checked [`Scenario`].
//!
//! The steps, each with its own kind of error:
//! 1. TOML syntax ([`DeTable::parse_recoverable`]): every syntax error, with its position.
//! 2. Keys: one walk over the spanned tree checks every key, at any depth (inline tables
//!    included), against the field registry ([`super::fields`]); every unknown key is
//!    reported, with a "did you mean". The walk also records the position of every field.
//! 3. Shape (serde raw types): a structural type mismatch (`tiers = 3`) stops here.
//! 4. Values: every leaf is kept as a spanned, loosely typed `Raw` value, so that the checks
//!    of the field table can collect *all* problems, each with its line, column and field path.
//! 5. Rules: the one validator ([`super::validate::validate`]) runs on the scenario built, and
//!    each violation is mapped back to the position of its field.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::dist::Dist;
use super::duration::{self, DurationError, parse_duration_detailed};
use super::error::{ScenarioError, ScenarioErrors};
use super::fields::{self, Bounds, Kind, join};
use super::uncertain::{self, Spread, Uncertain};
use super::validate::{name_problem, shown, validate};
use super::{
    Changes, EscalationPolicy, Maintenance, MaintenancePolicy, PolicyRule, Problems, Repair, Sla,
    Strategy, Tickets, Tier, Workaround,
};
use super::{
    Dependency, Effect, Finance, Hours, Minutes, Mode, Monitoring, OnCall, Scenario, Service,
    Shift, Simulation, calendar,
};

pub use super::fields::{
    MAX_EXPECTED_EVENTS, MAX_EXPECTED_FALSE_ALARMS, MAX_FINANCE_YEARS, MAX_HORIZON_MINUTES,
    MAX_MONEY, MAX_REPLICATIONS, MAX_STAFF,
};

/// Name of the built-in scenario (used as its file name in messages and output folders).
pub const DEFAULT_SCENARIO_NAME: &str = "default";

/// The built-in scenario: the mail-server story of docs/model.md §3.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../../scenarios/default.toml");

/// Where the accepted fields are shown by example, for help lines.
const SEE_EXAMPLE: &str =
    "compare with the built-in example scenario (scenarios/default.toml, docs/model.md §3)";

/// The distribution kinds, as written in `dist = "…"`.
const DIST_KINDS: &str =
    "fixed, exponential, lognormal, weibull, gamma, uniform, triangular, pert, empirical";

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/// Read and check the scenario file at `path`. The path, as given, names the file in errors.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let file = path.display().to_string();
    match read_capped(path) {
        Ok(text) if text.len() > MAX_SCENARIO_BYTES => Err(ScenarioError::file_level(
            &file,
            format!(
                "the file is larger than {} MB: not a scenario",
                MAX_SCENARIO_BYTES >> 20
            ),
            Some("pass a scenario file (TOML, a few kB)".to_string()),
        )
        .into()),
        Ok(text) => parse_str(&text, &file),
        Err(e) => {
            let help = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "check the path; scenario files usually live in scenarios/ (run without a \
                     scenario to use the built-in one)"
                }
                std::io::ErrorKind::InvalidData => "save the file as UTF-8 text",
                _ => "check that the file exists and is readable",
            };
            Err(ScenarioError::file_level(
                &file,
                format!("cannot read the scenario file: {e}"),
                Some(help.to_string()),
            )
            .into())
        }
    }
}

/// The largest scenario file read: far above any real one (a few kB), far below memory.
pub const MAX_SCENARIO_BYTES: usize = 4 << 20;

/// Read at most one byte more than [`MAX_SCENARIO_BYTES`] (so `/dev/zero` cannot fill memory).
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_SCENARIO_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Parse and check scenario text. `file` is the name shown in errors; the scenario's default
/// `name` is its file stem.
///
/// Returns every problem found when the TOML itself is well formed; a syntax or structural
/// error stops before the value checks.
pub fn parse_str(text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    let mut cx = Cx::new(text, file);

    // 1. Syntax: a tree with spans on every key and value.
    let (tree, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for e in &syntax_errors {
            let field = e
                .span()
                .and_then(|s| path_at(tree.get_ref(), s.start))
                .unwrap_or_default();
            cx.push(
                e.span(),
                field,
                format!("invalid TOML: {}", e.message()),
                Some(if e.message() == "duplicate key" {
                    "a key may appear only once in a table; for a list of tables, write every \
                     header with double brackets, as in [[tiers]]"
                        .into()
                } else {
                    "see https://toml.io for the syntax; text values need quotes".into()
                }),
            );
        }
        return Err(cx.finish());
    }

    // 2. Keys, against the registry, at every depth; positions of every field.
    cx.keys(tree.get_ref(), "", "");

    // 3. Shape: structural type errors (unknown keys were reported by step 2; serde skips them).
    let raw = match RawScenario::deserialize(toml::de::Deserializer::from(tree.clone())) {
        Ok(raw) => raw,
        Err(e) => {
            let error = cx.shape_error(&e, tree.get_ref());
            cx.errors.push(error);
            return Err(cx.finish());
        }
    };

    // 4. Values.
    let default_name = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_SCENARIO_NAME.to_string());
    let mut scenario = cx.scenario(&raw, default_name);
    if let Some(s) = &mut scenario {
        s.uncertain = cx.resolve_uncertain(s);
    }

    // 5. The cross-field rules, once, on the scenario built.
    if let Some(s) = &scenario
        && cx.errors.is_empty()
    {
        for v in validate(s) {
            let span = cx.span_of(&v.path);
            cx.push(span, v.path, v.message, Some(v.help));
        }
    }
    match scenario {
        Some(s) if cx.errors.is_empty() => Ok(s),
        _ => Err(cx.finish()),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw (file-shaped) types
// ---------------------------------------------------------------------------------------------

/// A leaf value as written, with its span: checked and converted in step 3.
type V = Spanned<Raw>;

/// Any TOML value, loosely typed so that a wrong type becomes a collected, located error.
#[derive(Debug, Clone)]
enum Raw {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<V>),
    Table(Vec<(Spanned<String>, V)>),
}

impl Raw {
    /// How the value reads in "found …".
    fn found(&self) -> String {
        match self {
            Raw::Str(s) => shown(s),
            Raw::Int(i) => format!("the number {i}"),
            Raw::Float(f) if f.is_nan() => "nan".to_string(),
            Raw::Float(f) if f.is_infinite() => if *f > 0.0 { "inf" } else { "-inf" }.to_string(),
            Raw::Float(f) => format!("the number {f:?}"),
            Raw::Bool(b) => format!("the boolean {b}"),
            Raw::Array(_) => "an array".to_string(),
            Raw::Table(_) => "a table".to_string(),
        }
    }

    /// The value as a finite or non-finite number, if it is one.
    fn as_number(&self) -> Option<f64> {
        match self {
            Raw::Int(i) => Some(*i as f64),
            Raw::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text, a number, a boolean, an array or a table")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Raw, E> {
                Ok(Raw::Str(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Raw, E> {
                Ok(Raw::Str(s))
            }
            fn visit_i64<E: de::Error>(self, i: i64) -> Result<Raw, E> {
                Ok(Raw::Int(i))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Raw, E> {
                Ok(i64::try_from(u).map_or(Raw::Float(u as f64), Raw::Int))
            }
            fn visit_f64<E: de::Error>(self, f: f64) -> Result<Raw, E> {
                Ok(Raw::Float(f))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(b))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<V>()? {
                    items.push(item);
                }
                Ok(Raw::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let value = map.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(Raw::Table(entries))
            }
        }
        d.deserialize_any(RawVisitor)
    }
}

#[derive(Deserialize)]
#[serde(expecting = "the scenario's top-level table")]
struct RawScenario {
    name: Option<V>,
    description: Option<V>,
    currency: Option<V>,
    baseline: Option<V>,
    simulation: Option<Spanned<RawSimulation>>,
    tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
    services: Option<Spanned<Vec<Spanned<RawService>>>>,
    strategies: Option<Spanned<IndexMap<Spanned<String>, Spanned<RawStrategy>>>>,
    slas: Option<Spanned<Vec<Spanned<RawSla>>>>,
    escalation_policies: Option<Spanned<Vec<Spanned<RawPolicy>>>>,
    finance: Option<Spanned<RawFinance>>,
    sources: Option<Spanned<IndexMap<Spanned<String>, V>>>,
}

#[derive(Deserialize)]
#[serde(
    expecting = r#"an escalation policy ([[escalation_policies]]) such as name = "p1", rules = [{ delay = "15m", tier = "sre" }]"#
)]
struct RawPolicy {
    name: Option<V>,
    num_loops: Option<V>,
    rules: Option<Spanned<Vec<Spanned<RawRule>>>>,
}

#[derive(Deserialize)]
#[serde(expecting = r#"an escalation rule such as { delay = "15m", tier = "sre" }"#)]
struct RawRule {
    delay: Option<V>,
    tier: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = "a [finance] table such as { years = 3, discount_rate = 0.10 }")]
struct RawFinance {
    years: Option<V>,
    discount_rate: Option<V>,
}

#[derive(Deserialize)]
#[serde(
    expecting = r#"an SLA table ([[slas]]) such as priority = 1, respond = "15m", resolve = "4h""#
)]
struct RawSla {
    priority: Option<V>,
    respond: Option<V>,
    resolve: Option<V>,
    penalty: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = r#"a tickets table such as { per_hour = 6, triage = "5m" }"#)]
struct RawTickets {
    per_hour: Option<V>,
    triage: Option<V>,
}

#[derive(Deserialize)]
#[serde(
    expecting = r#"a changes table such as { per_week = 3, failure_rate = 0.15, mode = "bad-deploy", hours = "Mon-Thu 10:00-16:00" }"#
)]
struct RawChanges {
    per_week: Option<V>,
    failure_rate: Option<V>,
    mode: Option<V>,
    hours: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = "a [simulation] table")]
struct RawSimulation {
    horizon: Option<V>,
    replications: Option<V>,
    seed: Option<V>,
    utc_offset: Option<V>,
}

#[derive(Clone, Deserialize)]
#[serde(expecting = "a tier table ([[tiers]])")]
struct RawTier {
    name: Option<V>,
    staff: Option<V>,
    hours: Option<V>,
    utc_offset: Option<V>,
    shifts: Option<Spanned<Vec<Spanned<RawShift>>>>,
    hourly_cost: Option<V>,
    annual_cost_per_engineer: Option<V>,
    cost_per_incident: Option<V>,
    on_call: Option<Spanned<RawOnCall>>,
}

#[derive(Clone, Deserialize)]
#[serde(expecting = r#"an on-call table such as { staff = 1, ack = "10m", ack_asleep = "25m" }"#)]
struct RawOnCall {
    staff: Option<V>,
    ack: Option<V>,
    ack_asleep: Option<V>,
    asleep: Option<V>,
    page_priority: Option<V>,
    standby_cost_per_hour: Option<V>,
    callout_cost: Option<V>,
}

#[derive(Clone, Deserialize)]
#[serde(expecting = r#"a shift table such as { hours = "Mon-Fri 08:00-16:00", staff = 2 }"#)]
struct RawShift {
    hours: Option<V>,
    utc_offset: Option<V>,
    staff: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = "a service table ([[services]])")]
struct RawService {
    name: Option<V>,
    priority: Option<V>,
    downtime_cost_per_hour: Option<V>,
    degraded_cost_fraction: Option<V>,
    report_delay: Option<V>,
    failures: Option<Spanned<RawFailures>>,
    modes: Option<Spanned<Vec<Spanned<RawMode>>>>,
    repair: Option<V>,
    tickets: Option<Spanned<RawTickets>>,
    depends_on: Option<Spanned<Vec<Spanned<RawDependency>>>>,
    planned_downtime_cost_fraction: Option<V>,
    changes: Option<Spanned<RawChanges>>,
}

#[derive(Deserialize)]
#[serde(expecting = r#"a dependency such as { service = "db", effect = "down" }"#)]
struct RawDependency {
    service: Option<V>,
    effect: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = r#"a table such as { every = { dist = "exponential", mean = "45d" } }"#)]
struct RawFailures {
    every: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = "a failure-mode table ([[services.modes]])")]
struct RawMode {
    name: Option<V>,
    weight: Option<V>,
    warning: Option<V>,
    fix: Option<V>,
    needs: Option<V>,
    workaround: Option<Spanned<RawWorkaround>>,
}

#[derive(Deserialize)]
#[serde(
    expecting = r#"a workaround table such as { fix = "10m", tier = "help-desk", success = 0.6, recurs = "2d" }"#
)]
struct RawWorkaround {
    fix: Option<V>,
    tier: Option<V>,
    success: Option<V>,
    recurs: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = r#"a problems table such as { after = 2, fix = "4h", tier = "senior" }"#)]
struct RawProblems {
    after: Option<V>,
    fix: Option<V>,
    tier: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = "a strategy table ([strategies.NAME])")]
struct RawStrategy {
    escalate_after: Option<V>,
    handoff: Option<V>,
    fix_multiplier: Option<V>,
    annual_cost: Option<V>,
    alert_tier: Option<V>,
    route_direct: Option<V>,
    monitoring: Option<Spanned<RawMonitoring>>,
    one_time_cost: Option<V>,
    ramp_up: Option<V>,
    ticket_deflection: Option<V>,
    workarounds: Option<V>,
    correlate: Option<V>,
    problems: Option<Spanned<RawProblems>>,
    paging: Option<V>,
    tiers: Option<Spanned<IndexMap<Spanned<String>, Spanned<RawTier>>>>,
    maintenance: Option<Spanned<Vec<Spanned<RawMaintenance>>>>,
    change_failure_rate: Option<V>,
}

#[derive(Deserialize)]
#[serde(
    expecting = r#"a maintenance table such as { services = ["db"], every = "30d", takes = "40m", tier = "ops" }"#
)]
struct RawMaintenance {
    services: Option<Spanned<Vec<V>>>,
    every: Option<V>,
    takes: Option<V>,
    tier: Option<V>,
    window: Option<V>,
    policy: Option<V>,
}

#[derive(Deserialize)]
#[serde(expecting = r#"a monitoring table such as { coverage = 0.85, outage_detect = "2m" }"#)]
struct RawMonitoring {
    coverage: Option<V>,
    detect: Option<V>,
    outage_detect: Option<V>,
    false_alarms_per_week: Option<V>,
    triage: Option<V>,
}

// ---------------------------------------------------------------------------------------------
// Checking context
// ---------------------------------------------------------------------------------------------

/// What a strategy's references are checked against: the tiers (by name, as written and as
/// parsed) and the escalation policies.
struct Bases<'b> {
    tier_names: &'b [Option<String>],
    raw_tiers: &'b [Spanned<RawTier>],
    /// None when the tiers had errors.
    tiers: Option<&'b [Tier]>,
    policies: &'b [Option<String>],
    services: &'b [Option<String>],
}

/// Collects errors while checking one file.
struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<ScenarioError>,
    /// The value span of every field met by the key walk, by its path of names.
    spans: HashMap<String, Range<usize>>,
    /// `parent.suggestion` of every unknown key: a "required field missing" there only repeats
    /// the "did you mean" (the typo `staf` for `staff`).
    meant: Vec<String>,
    /// Every uncertain value read (`{ uncertain = "…", … }`): its path as the parser names
    /// it, its spread and its span; resolved to registry rows once the scenario is built.
    uncertain: Vec<(String, Spread, Range<usize>)>,
}

impl<'a> Cx<'a> {
    fn new(text: &'a str, file: &'a str) -> Self {
        Cx {
            file,
            text,
            errors: Vec::new(),
            spans: HashMap::new(),
            meant: Vec::new(),
            uncertain: Vec::new(),
        }
    }

    /// Check every key of `table` (at registry pattern `pattern`, path of names `path`)
    /// against the registry, recursing into containers; record the span of every field.
    fn keys(&mut self, table: &DeTable, pattern: &str, path: &str) {
        for (key, value) in table.iter() {
            let key_text = key.get_ref().as_ref();
            let child_pattern = if pattern.is_empty() {
                key_text.to_string()
            } else {
                format!("{pattern}.{key_text}")
            };
            let child_path = fields::join(path, key_text);
            self.spans.insert(child_path.clone(), value.span());
            let Some(field) = fields::find(&child_pattern) else {
                let accepted: Vec<&str> = fields::children(pattern).map(|f| f.key()).collect();
                let mut help = String::new();
                if let Some(close) = closest(key_text, accepted.iter().copied()) {
                    help.push_str(&format!("did you mean \"{close}\"? "));
                    self.meant.push(fields::join(path, close));
                }
                help.push_str(&format!("accepted fields here: {}", accepted.join(", ")));
                self.push(
                    Some(key.span()),
                    child_path,
                    format!("unknown field {}", shown(key_text)),
                    Some(help),
                );
                continue;
            };
            // `[sources]` keys are field paths of this scenario (`"services.email.x"`), checked
            // once the scenario's names are known (Cx::sources).
            if field.path == "sources" {
                continue;
            }
            // A container of another shape is a structural error, reported by serde in step 3.
            match (field.kind, value.get_ref()) {
                (Kind::Table, DeValue::Table(t)) => self.keys(t, &child_pattern, &child_path),
                (Kind::Tables, DeValue::Array(items)) => {
                    let inner = field.children_pattern();
                    for (i, item) in items.iter().enumerate() {
                        if let DeValue::Table(t) = item.get_ref() {
                            let name = t.get("name").and_then(|n| n.get_ref().as_str());
                            let item_path = element_path(&child_path, name, i);
                            self.spans.insert(item_path.clone(), item.span());
                            self.keys(t, &inner, &item_path);
                        }
                    }
                }
                (Kind::NamedTables, DeValue::Table(map)) => {
                    let inner = field.children_pattern();
                    for (name, item) in map.iter() {
                        if let DeValue::Table(t) = item.get_ref() {
                            let item_path = fields::join(&child_path, name.get_ref());
                            self.spans.insert(item_path.clone(), item.span());
                            self.keys(t, &inner, &item_path);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The span of the field at `path`, or of its nearest recorded parent.
    fn span_of(&self, path: &str) -> Option<Range<usize>> {
        let mut p = path;
        loop {
            if let Some(span) = self.spans.get(p) {
                return Some(span.clone());
            }
            p = p.rsplit_once('.')?.0;
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    fn error(
        &self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ScenarioError {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.position(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ScenarioError {
            file: self.file.to_string(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            help,
        }
    }

    fn push(
        &mut self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let e = self.error(span, field, message, help);
        self.errors.push(e);
    }

    /// The errors in file order (those without a position last), ready to return.
    fn finish(mut self) -> ScenarioErrors {
        let meant = std::mem::take(&mut self.meant);
        self.errors
            .retain(|e| !(meant.contains(&e.field) && e.message.contains("found none")));
        self.errors
            .sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(usize::MAX)));
        ScenarioErrors(self.errors)
    }

    /// Turn a serde error of step 2 into a located error naming the field.
    fn shape_error(&self, e: &toml::de::Error, tree: &DeTable) -> ScenarioError {
        let span = e.span();
        let field = span
            .as_ref()
            .and_then(|s| path_at(tree, s.start))
            .unwrap_or_default();
        let raw = e.message();
        if raw.starts_with("unknown field") {
            // serde: "unknown field `x`, expected one of `a`, `b`" (or "expected `a` or `b`").
            let names = backticked(raw);
            let unknown = names.first().cloned().unwrap_or_default();
            let accepted: Vec<&str> = names.iter().skip(1).map(String::as_str).collect();
            let mut help = String::new();
            if let Some(close) = closest(&unknown, accepted.iter().copied()) {
                help.push_str(&format!("did you mean \"{close}\"? "));
            }
            help.push_str(&format!("accepted fields here: {}", accepted.join(", ")));
            return self.error(
                span,
                field,
                format!("unknown field \"{unknown}\""),
                Some(help),
            );
        }
        if raw.contains("$__toml_private_datetime") {
            return self.error(
                span,
                field,
                "expected text, a number or a duration; found a TOML date-time",
                Some("put durations in quotes with a unit, e.g. \"45m\"".into()),
            );
        }
        // serde: "invalid type: integer `3`, expected a sequence".
        if let Some(rest) = raw.strip_prefix("invalid type: ")
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            let is_array = expected == "a sequence";
            let expected = match expected {
                "a sequence" => "an array",
                "a map" => "a table",
                other => other,
            };
            let help = if is_array {
                let last = field.rsplit('.').next().unwrap_or(&field);
                format!("write each entry as its own [[{last}]] table (double brackets)")
            } else {
                SEE_EXAMPLE.to_string()
            };
            return self.error(
                span,
                field,
                format!("expected {expected}; found {}", serde_found(found)),
                Some(help),
            );
        }
        self.error(span, field, raw.to_string(), Some(SEE_EXAMPLE.to_string()))
    }
}

/// The names between backticks in a serde message, in order.
fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// Rewrite serde's "found" wording in the file's terms.
fn serde_found(found: &str) -> String {
    let plain = found.replace('`', "");
    if plain == "map" {
        "a table".into()
    } else if plain == "sequence" {
        "an array".into()
    } else if let Some(s) = plain.strip_prefix("string ") {
        s.to_string()
    } else if let Some(s) = plain.strip_prefix("integer ") {
        format!("the number {s}")
    } else if let Some(s) = plain.strip_prefix("floating point ") {
        format!("the number {s}")
    } else {
        plain
    }
}

/// The dotted path (names where known) of the deepest key or value that contains `offset`.
fn path_at(table: &DeTable, offset: usize) -> Option<String> {
    fn in_span(span: Range<usize>, offset: usize) -> bool {
        span.start <= offset && offset < span.end.max(span.start + 1)
    }
    fn walk_value(value: &Spanned<DeValue>, offset: usize, path: String) -> Option<String> {
        match value.get_ref() {
            DeValue::Table(t) => walk_table(t, offset, &path),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let name = item
                    .get_ref()
                    .as_table()
                    .and_then(|t| t.get("name"))
                    .and_then(|n| n.get_ref().as_str());
                let inner = element_path(&path, name, i);
                walk_value(item, offset, inner.clone())
                    .or_else(|| in_span(item.span(), offset).then_some(inner))
            }),
            _ => None,
        }
    }
    fn walk_table(table: &DeTable, offset: usize, base: &str) -> Option<String> {
        table.iter().find_map(|(key, value)| {
            let path = join(base, key.get_ref());
            walk_value(value, offset, path.clone()).or_else(|| {
                (in_span(key.span(), offset) || in_span(value.span(), offset)).then_some(path)
            })
        })
    }
    walk_table(table, offset, "")
}

/// Path of an element of an array of tables: by name when it has one, else by index.
fn element_path(base: &str, name: Option<&str>, index: usize) -> String {
    match name {
        Some(n) => join(base, n),
        None => format!("{base}[{index}]"),
    }
}

/// The candidate closest to `word` by edit distance, if it is plausibly a typo of it.
fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (word.chars().count().max(c.chars().count()) / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

// ---------------------------------------------------------------------------------------------
// Leaf checks: each returns the value, or records an error and returns None
// ---------------------------------------------------------------------------------------------

/// The bounds of a registry field, by its path pattern.
/// `1.0, 1.0, …` with `years` entries, at most five then `…`, for a help line.
fn example_ramp(years: u32) -> String {
    let shown: Vec<&str> = (0..years.min(5)).map(|_| "1.0").collect();
    let more = if years > 5 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// The entries of an uncertain value (`{ uncertain = "…", … }`), if `v` is one.
fn uncertain_table(v: &V) -> Option<&[(Spanned<String>, V)]> {
    match v.get_ref() {
        Raw::Table(entries) if entries.iter().any(|(k, _)| k.get_ref() == "uncertain") => {
            Some(entries)
        }
        _ => None,
    }
}

/// A path as the field registry's instances name it: the parser names unnamed elements
/// `base[i]`, the registry (and `[sources]`) `base.{i + 1}` (maintenance rules).
fn registry_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        match rest[open + 1..close].parse::<usize>() {
            Ok(i) if !rest[..open].ends_with("slas") && !rest[..open].is_empty() => {
                out.push_str(&rest[..open]);
                out.push_str(&format!(".{}", i + 1));
            }
            _ => out.push_str(&rest[..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn bounds(pattern: &str) -> Bounds {
    fields::field(pattern).bounds
}

impl Cx<'_> {
    /// A required field: records "missing" and returns None when absent.
    fn required<'v>(
        &mut self,
        value: Option<&'v V>,
        parent_span: Option<Range<usize>>,
        field: &str,
        example: &str,
    ) -> Option<&'v V> {
        if value.is_none() {
            let name = field.rsplit('.').next().unwrap_or(field);
            self.push(
                parent_span,
                field,
                format!("expected the required field \"{name}\"; found none"),
                Some(format!("add `{example}`")),
            );
        }
        value
    }

    fn text(&mut self, v: &V, field: &str) -> Option<String> {
        match v.get_ref() {
            Raw::Str(s) => Some(s.clone()),
            other => {
                self.push(
                    Some(v.span()),
                    field,
                    format!("expected text in quotes; found {}", other.found()),
                    Some("put the text in double quotes".into()),
                );
                None
            }
        }
    }

    /// `true` or `false`.
    fn boolean(&mut self, v: &V, field: &str) -> Option<bool> {
        match v.get_ref() {
            Raw::Bool(b) => Some(*b),
            other => {
                let help = match other {
                    Raw::Str(s) if matches!(s.trim(), "true" | "false") => {
                        format!("remove the quotes: {}", s.trim())
                    }
                    _ => "write true or false, without quotes".to_string(),
                };
                self.push(
                    Some(v.span()),
                    field,
                    format!("expected true or false; found {}", other.found()),
                    Some(help),
                );
                None
            }
        }
    }

    /// A name that other fields or outputs refer to: non-empty text.
    fn name(&mut self, v: &V, field: &str) -> Option<String> {
        let name = self.text(v, field)?;
        if let Some(problem) = name_problem(&name) {
            let help = if name.trim().is_empty() {
                "give it a short name such as \"help-desk\""
            } else {
                "use printable characters only: names appear in tables, CSV files and charts"
            };
            self.push(Some(v.span()), field, problem, Some(help.into()));
            return None;
        }
        Some(name)
    }

    /// A required, non-empty name that must differ from its siblings' (`taken` tells which are
    /// used); `what` names the siblings in the message ("tier names").
    #[allow(clippy::too_many_arguments)]
    fn unique_name(
        &mut self,
        value: Option<&V>,
        parent_span: Option<Range<usize>>,
        field: &str,
        example: &str,
        taken: impl Fn(&str) -> bool,
        what: &str,
        fix: &str,
    ) -> Option<String> {
        let v = self.required(value, parent_span, field, example)?;
        let name = self.name(v, field)?;
        if taken(&name) {
            self.push(
                Some(v.span()),
                field,
                format!("expected unique {what}; found {} twice", shown(&name)),
                Some(fix.to_string()),
            );
            return None;
        }
        Some(name)
    }

    /// A finite number within the registry bounds of the field.
    fn number(&mut self, v: &V, field: &str, bounds: Bounds) -> Option<f64> {
        if let Some(entries) = uncertain_table(v) {
            return self.uncertain(entries, v.span(), field, &mut |cx, p, name| {
                cx.number(p, name, bounds)
            });
        }
        let expected = bounds.expected();
        let Some(x) = v.get_ref().as_number() else {
            let help = match v.get_ref() {
                Raw::Str(s) if s.trim().parse::<f64>().is_ok() => {
                    format!("remove the quotes: {}", s.trim())
                }
                _ => "write a plain number, without quotes".to_string(),
            };
            self.push(
                Some(v.span()),
                field,
                format!("expected {expected}; found {}", v.get_ref().found()),
                Some(help),
            );
            return None;
        };
        if !x.is_finite() {
            self.push(
                Some(v.span()),
                field,
                format!(
                    "expected {expected} (finite); found {}",
                    v.get_ref().found()
                ),
                Some("write an ordinary number; nan and inf are not accepted".into()),
            );
            return None;
        }
        if let Err(e) = bounds.check(x) {
            self.push(
                Some(v.span()),
                field,
                format!("expected {}; found {}", e.expected, v.get_ref().found()),
                Some(e.help),
            );
            return None;
        }
        Some(x)
    }

    /// An integer within the registry bounds of the field (`Bounds::Integer`).
    fn integer(&mut self, v: &V, field: &str, bounds: Bounds) -> Option<i64> {
        if let Some(entries) = uncertain_table(v) {
            // A uniform's midpoint may fall between two whole numbers: the nearest is used.
            return self
                .uncertain(entries, v.span(), field, &mut |cx, p, name| {
                    cx.integer(p, name, bounds).map(|i| i as f64)
                })
                .map(|mode| mode.round() as i64);
        }
        let expected = bounds.expected();
        match v.get_ref() {
            Raw::Int(i) => match bounds.check(*i as f64) {
                Ok(()) => Some(*i),
                Err(e) => {
                    self.push(
                        Some(v.span()),
                        field,
                        format!("expected {expected}; found {}", v.get_ref().found()),
                        Some(e.help),
                    );
                    None
                }
            },
            other => {
                let help = match other {
                    Raw::Float(f) if f.is_finite() && f.fract() == 0.0 => {
                        format!("write it without a decimal point: {f:.0}")
                    }
                    Raw::Str(s) if s.trim().parse::<i64>().is_ok() => {
                        format!("remove the quotes: {}", s.trim())
                    }
                    _ => "write a whole number, without quotes".into(),
                };
                self.push(
                    Some(v.span()),
                    field,
                    format!("expected {expected}; found {}", other.found()),
                    Some(help),
                );
                None
            }
        }
    }

    /// A duration in minutes from a string with a unit. `fixed_only` names a field that takes
    /// one value (not a distribution), for the message when a table is found.
    fn duration(&mut self, v: &V, field: &str, fixed_only: bool) -> Option<Minutes> {
        if let Some(entries) = uncertain_table(v) {
            return self.uncertain(entries, v.span(), field, &mut |cx, p, name| {
                cx.duration(p, name, true)
            });
        }
        let error = match v.get_ref() {
            Raw::Str(s) => match parse_duration_detailed(s) {
                Ok(m) => return Some(m),
                Err(e) => e,
            },
            Raw::Int(i) if *i >= 0 => duration::bare_number_error(&i.to_string()),
            Raw::Float(f) if f.is_finite() && *f >= 0.0 => {
                duration::bare_number_error(&f.to_string())
            }
            Raw::Int(_) | Raw::Float(_) => DurationError {
                message: format!(
                    "expected a duration ≥ 0 with a unit; found {}",
                    v.get_ref().found()
                ),
                help: duration::DURATION_HELP.to_string(),
            },
            Raw::Table(_) if fixed_only => DurationError {
                message: format!(
                    "expected one fixed duration such as \"30m\"; found a table, but {field} \
                     does not take a distribution"
                ),
                help: "write a single duration in quotes; distributions are accepted only by \
                       report_delay, failures.every, warning, fix, monitoring.detect, \
                       workaround.fix, workaround.recurs and problems.fix"
                    .to_string(),
            },
            other => DurationError {
                message: format!(
                    "expected a duration such as \"30m\"; found {}",
                    other.found()
                ),
                help: duration::DURATION_HELP.to_string(),
            },
        };
        self.push(Some(v.span()), field, error.message, Some(error.help));
        None
    }

    /// A shape parameter: a positive number without unit.
    fn shape(&mut self, v: &V, field: &str) -> Option<f64> {
        if let Raw::Str(s) = v.get_ref() {
            self.push(
                Some(v.span()),
                field,
                format!("expected a positive number (a shape has no unit); found {s:?}"),
                Some("write the shape as a plain number, e.g. shape = 1.5".into()),
            );
            return None;
        }
        self.number(v, field, Bounds::Positive)
    }

    /// A distribution field: a bare duration (fixed) or a `{ dist = "…", … }` table.
    fn dist(&mut self, v: &V, field: &str) -> Option<Dist> {
        if uncertain_table(v).is_some() {
            // An uncertain value of a distribution field is one fixed duration whose value is
            // uncertain (the spread is over scenarios, not over incidents).
            return self.duration(v, field, false).map(Dist::fixed);
        }
        let dist = match v.get_ref() {
            Raw::Table(entries) => self.dist_table(entries, v.span(), field)?,
            Raw::Str(_) | Raw::Int(_) | Raw::Float(_) => {
                Dist::fixed(self.duration(v, field, false)?)
            }
            other => {
                self.push(
                    Some(v.span()),
                    field,
                    format!(
                        "expected a duration such as \"45m\" or a distribution such as \
                         {{ dist = \"exponential\", mean = \"45m\" }}; found {}",
                        other.found()
                    ),
                    Some(format!("distribution kinds: {DIST_KINDS}")),
                );
                return None;
            }
        };
        if !dist.mean().is_finite() {
            self.push(
                Some(v.span()),
                field,
                "expected a distribution with a finite mean; found one whose mean overflows",
                Some(
                    "check the parameters: a very small weibull shape gives an enormous mean"
                        .into(),
                ),
            );
            return None;
        }
        Some(dist)
    }

    fn dist_table(
        &mut self,
        entries: &[(Spanned<String>, V)],
        span: Range<usize>,
        field: &str,
    ) -> Option<Dist> {
        let get = |name: &str| {
            entries
                .iter()
                .find(|(k, _)| k.get_ref() == name)
                .map(|(_, v)| v)
        };
        let Some(kind_value) = get("dist") else {
            self.push(
                Some(span),
                field,
                "expected a distribution table with `dist = \"…\"` naming its kind; found a table without `dist`",
                Some(format!(
                    "add e.g. dist = \"exponential\"; kinds: {DIST_KINDS}; or write one fixed duration such as \"30m\""
                )),
            );
            return None;
        };
        let kind = self.text(kind_value, &format!("{field}.dist"))?;
        let params: &[&str] = match kind.as_str() {
            "fixed" => &["value"],
            "exponential" => &["mean"],
            "lognormal" => &["median", "p90", "mean", "sd"],
            "weibull" => &["shape", "scale"],
            "gamma" => &["shape", "mean"],
            "uniform" => &["min", "max"],
            "triangular" | "pert" => &["min", "mode", "max"],
            "empirical" => &["samples"],
            _ => {
                let help = match closest(&kind, DIST_KINDS.split(", ")) {
                    Some(c) => format!("did you mean \"{c}\"? kinds: {DIST_KINDS}"),
                    None => format!("kinds: {DIST_KINDS}"),
                };
                self.push(
                    Some(kind_value.span()),
                    format!("{field}.dist"),
                    format!(
                        "expected a distribution kind ({DIST_KINDS}); found {}",
                        shown(&kind)
                    ),
                    Some(help),
                );
                return None;
            }
        };
        let takes = if kind == "lognormal" {
            "median and p90, or mean and sd".to_string()
        } else {
            params.join(", ")
        };

        let mut ok = true;
        for (key, _) in entries {
            let k = key.get_ref();
            if k != "dist" && !params.contains(&k.as_str()) {
                let help = match closest(k, params.iter().copied()) {
                    Some(c) => format!("did you mean \"{c}\"? a {kind} distribution takes {takes}"),
                    None => format!("a {kind} distribution takes {takes}"),
                };
                self.push(
                    Some(key.span()),
                    format!("{field}.{}", join("", k)),
                    format!("unknown parameter \"{k}\" for the {kind} distribution"),
                    Some(help),
                );
                ok = false;
            }
        }

        // Parameters: a missing one is reported at the table.
        let missing = |cx: &mut Self, name: &str| {
            cx.push(
                Some(span.clone()),
                format!("{field}.{name}"),
                format!("expected the parameter \"{name}\" of a {kind} distribution; found none"),
                Some(format!("a {kind} distribution takes {takes}")),
            );
        };
        let dur = |cx: &mut Self, name: &str| -> Option<(f64, Range<usize>)> {
            let v = get(name)?;
            cx.duration(v, &format!("{field}.{name}"), false)
                .map(|m| (m, v.span()))
        };
        let need = |cx: &mut Self, name: &str| -> Option<(f64, Range<usize>)> {
            if get(name).is_none() {
                missing(cx, name);
                return None;
            }
            dur(cx, name)
        };
        let dist = match kind.as_str() {
            "fixed" => need(self, "value").map(|(v, _)| Dist::fixed(v)),
            "exponential" => {
                let mean = need(self, "mean");
                self.positive_param(mean, field, "mean")
                    .map(|mean| Dist::Exponential { mean })
            }
            "lognormal" => self.lognormal(entries, span.clone(), field, &need),
            "weibull" => {
                let shape = self.shape_param(get("shape"), span.clone(), field, &kind);
                let scale = need(self, "scale");
                let scale = self.positive_param(scale, field, "scale");
                Some(Dist::Weibull {
                    shape: shape?,
                    scale: scale?,
                })
            }
            "gamma" => {
                let shape = self.shape_param(get("shape"), span.clone(), field, &kind);
                let mean = need(self, "mean");
                let mean = self.positive_param(mean, field, "mean");
                Some(Dist::gamma_shape_mean(shape?, mean?))
            }
            "uniform" => {
                let min = need(self, "min");
                let max = need(self, "max");
                let (min, max) = (min?, max?);
                if min.0 > max.0 {
                    self.push(
                        Some(max.1),
                        format!("{field}.max"),
                        format!(
                            "expected max ≥ min ({}); found {}",
                            duration::format_minutes(min.0),
                            duration::format_minutes(max.0)
                        ),
                        Some("swap min and max".into()),
                    );
                    None
                } else {
                    Some(Dist::Uniform {
                        min: min.0,
                        max: max.0,
                    })
                }
            }
            "triangular" | "pert" => {
                let min = need(self, "min");
                let mode = need(self, "mode");
                let max = need(self, "max");
                let (min, mode, max) = (min?, mode?, max?);
                let m = duration::format_minutes;
                if min.0 > mode.0 {
                    self.push(
                        Some(min.1),
                        format!("{field}.min"),
                        format!(
                            "expected min ≤ mode ≤ max; found min {} > mode {}",
                            m(min.0),
                            m(mode.0)
                        ),
                        Some("the mode (most likely value) lies between min and max".into()),
                    );
                    None
                } else if mode.0 > max.0 {
                    self.push(
                        Some(mode.1),
                        format!("{field}.mode"),
                        format!(
                            "expected min ≤ mode ≤ max; found mode {} > max {}",
                            m(mode.0),
                            m(max.0)
                        ),
                        Some("the mode (most likely value) lies between min and max".into()),
                    );
                    None
                } else if kind == "pert" {
                    Some(Dist::Pert {
                        min: min.0,
                        mode: mode.0,
                        max: max.0,
                    })
                } else {
                    Some(Dist::Triangular {
                        min: min.0,
                        mode: mode.0,
                        max: max.0,
                    })
                }
            }
            "empirical" => match get("samples") {
                None => {
                    missing(self, "samples");
                    None
                }
                Some(v) => self.samples(v, field),
            },
            _ => None,
        };
        if ok { dist } else { None }
    }
    /// An uncertain value, `{ uncertain = "triangular", min = …, mode = …, max = … }` (also
    /// `uniform {min, max}`, `lognormal {p10, p90}`, `pert {min, mode, max}`): checks its keys
    /// and their order, reads each parameter with `read` (the field's own reader, so its bounds
    /// and duration strings apply), records it and returns the value a plain run uses.
    fn uncertain(
        &mut self,
        entries: &[(Spanned<String>, V)],
        span: Range<usize>,
        field: &str,
        read: &mut dyn FnMut(&mut Self, &V, &str) -> Option<f64>,
    ) -> Option<f64> {
        let get = |key: &str| {
            entries
                .iter()
                .find(|(k, _)| k.get_ref() == key)
                .map(|(_, v)| v)
        };
        let kind_path = format!("{field}.uncertain");
        let kind_value = get("uncertain")?;
        let kind = self.text(kind_value, &kind_path)?;
        let keys: &[&str] = match kind.as_str() {
            "triangular" | "pert" => &["min", "mode", "max"],
            "uniform" => &["min", "max"],
            "lognormal" => &["p10", "p90"],
            other => {
                let kinds = ["triangular", "uniform", "lognormal", "pert"];
                let mut help = String::new();
                if let Some(close) = closest(other, kinds.iter().copied()) {
                    help.push_str(&format!("did you mean \"{close}\"? "));
                }
                help.push_str(&format!("uncertain kinds: {}", uncertain::KINDS));
                self.push(
                    Some(kind_value.span()),
                    kind_path,
                    format!("expected an uncertain kind; found {}", shown(other)),
                    Some(help),
                );
                return None;
            }
        };
        let takes = |keys: &[&str]| {
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut ok = true;
        for (key, _) in entries {
            let key = key.get_ref();
            if key != "uncertain" && !keys.contains(&key.as_str()) {
                let mut help = String::new();
                if let Some(close) = closest(key, keys.iter().copied()) {
                    help.push_str(&format!("did you mean \"{close}\"? "));
                }
                help.push_str(&format!("a {kind} value takes {}", takes(keys)));
                let at = entries
                    .iter()
                    .find(|(k, _)| k.get_ref() == key)
                    .map(|(k, _)| k.span());
                self.push(
                    at,
                    format!("{field}.{key}"),
                    format!("unknown field {} in an uncertain {kind} value", shown(key)),
                    Some(help),
                );
                ok = false;
            }
        }
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            let path = format!("{field}.{key}");
            match get(key) {
                None => {
                    self.push(
                        Some(span.clone()),
                        path,
                        format!(
                            "expected the field \"{key}\" of an uncertain {kind} value; found none"
                        ),
                        Some(format!("a {kind} value takes {}", takes(keys))),
                    );
                    ok = false;
                }
                Some(v) if matches!(v.get_ref(), Raw::Table(_) | Raw::Array(_)) => {
                    self.push(
                        Some(v.span()),
                        path,
                        format!("expected one value; found {}", v.get_ref().found()),
                        Some("write a single number (or duration) for each parameter".into()),
                    );
                    ok = false;
                }
                Some(v) => match read(self, v, &path) {
                    Some(x) => values.push(x),
                    None => ok = false,
                },
            }
        }
        if !ok {
            return None;
        }
        let (spread, problem) = match (kind.as_str(), values.as_slice()) {
            ("uniform", &[min, max]) => (
                Spread::Uniform { min, max },
                (min >= max).then(|| "expected min < max".to_string()),
            ),
            ("lognormal", &[p10, p90]) => (
                Spread::Lognormal { p10, p90 },
                if p10 <= 0.0 {
                    Some("expected p10 > 0 (a lognormal value is positive)".into())
                } else if p10 >= p90 {
                    Some("expected p10 < p90".into())
                } else {
                    None
                },
            ),
            (_, &[min, mode, max]) => (
                if kind == "pert" {
                    Spread::Pert { min, mode, max }
                } else {
                    Spread::Triangular { min, mode, max }
                },
                if min >= max {
                    Some("expected min < max".to_string())
                } else if !(min <= mode && mode <= max) {
                    Some("expected min ≤ mode ≤ max".to_string())
                } else {
                    None
                },
            ),
            _ => unreachable!("one value per key of the kind"),
        };
        if let Some(problem) = problem {
            self.push(
                Some(span),
                field,
                format!("{problem} in an uncertain {kind} value"),
                Some(
                    "order the values from low to high; for a value known exactly, write the \
                     value itself"
                        .into(),
                ),
            );
            return None;
        }
        let mode = spread.mode();
        self.uncertain.push((field.to_string(), spread, span));
        Some(mode)
    }

    /// The uncertain values read, resolved to the registry rows (and their setters) of the
    /// scenario built, in the registry's file order. A field without a setter (a run setting,
    /// a name, a business-case setting) takes no uncertain value: an error at its position.
    fn resolve_uncertain(&mut self, s: &Scenario) -> Vec<Uncertain> {
        if self.uncertain.is_empty() {
            return Vec::new();
        }
        let readable = fields::readable(s);
        let mut out: Vec<(usize, Uncertain)> = Vec::new();
        for (path, spread, span) in std::mem::take(&mut self.uncertain) {
            let canonical = registry_path(&path);
            let Some((order, (name, located))) = readable
                .iter()
                .enumerate()
                .find(|(_, (p, _))| *p == path || *p == canonical)
            else {
                let key = path.rsplit('.').next().unwrap_or(&path);
                let reason = fields::FIELDS
                    .iter()
                    .filter(|f| f.key() == key && f.set.is_none())
                    .find_map(|f| match f.sweep {
                        fields::Sweep::Never(why) => Some(why),
                        _ => None,
                    })
                    .unwrap_or("the field has no uncertain form");
                self.push(
                    Some(span),
                    path,
                    format!(
                        "expected one value here; this field takes no uncertain value ({reason})"
                    ),
                    Some(
                        "write a single value; the fields that take uncertain values are those \
                         `incsim sweep --list` shows"
                            .into(),
                    ),
                );
                continue;
            };
            let field = located.field;
            let params: Vec<f64> = match spread {
                Spread::Triangular { min, mode, max } | Spread::Pert { min, mode, max } => {
                    vec![min, mode, max]
                }
                Spread::Uniform { min, max } => vec![min, max],
                Spread::Lognormal { p10, p90 } => vec![p10, p90],
            };
            if matches!(spread, Spread::Lognormal { .. })
                && matches!(field.bounds, Bounds::Probability)
            {
                self.push(
                    Some(span),
                    path,
                    "expected a bounded spread for a share; found lognormal, whose values pass 1",
                    Some("use triangular, pert or uniform between 0 and 1".into()),
                );
                continue;
            }
            if let Some(e) = params.iter().find_map(|&x| field.bounds.check(x).err()) {
                self.push(
                    Some(span),
                    path,
                    format!("expected every value of the spread to be {}", e.expected),
                    Some(e.help),
                );
                continue;
            }
            out.push((
                order,
                Uncertain {
                    path: name.clone(),
                    pattern: field.path.to_string(),
                    idx: located.idx,
                    spread,
                },
            ));
        }
        out.sort_by_key(|(order, _)| *order);
        out.into_iter().map(|(_, u)| u).collect()
    }

    fn positive_param(
        &mut self,
        value: Option<(f64, Range<usize>)>,
        field: &str,
        name: &str,
    ) -> Option<f64> {
        let (x, span) = value?;
        if x > 0.0 {
            return Some(x);
        }
        self.push(
            Some(span),
            format!("{field}.{name}"),
            format!("expected a {name} > 0; found {}", duration::format_minutes(x)),
            Some(format!(
                "use a positive {name}, or write a fixed duration such as \"0m\" instead of the table"
            )),
        );
        None
    }

    fn shape_param(
        &mut self,
        value: Option<&V>,
        span: Range<usize>,
        field: &str,
        kind: &str,
    ) -> Option<f64> {
        match value {
            Some(v) => self.shape(v, &format!("{field}.shape")),
            None => {
                self.push(
                    Some(span),
                    format!("{field}.shape"),
                    format!(
                        "expected the parameter \"shape\" of a {kind} distribution; found none"
                    ),
                    Some("add shape = 1.5 (a positive number; 1 is exponential)".into()),
                );
                None
            }
        }
    }

    fn lognormal(
        &mut self,
        entries: &[(Spanned<String>, V)],
        span: Range<usize>,
        field: &str,
        need: &impl Fn(&mut Self, &str) -> Option<(f64, Range<usize>)>,
    ) -> Option<Dist> {
        let has = |name: &str| entries.iter().any(|(k, _)| k.get_ref() == name);
        let quantile_form = has("median") || has("p90");
        let moment_form = has("mean") || has("sd");
        let m = duration::format_minutes;
        if quantile_form && moment_form {
            self.push(
                Some(span),
                field,
                "expected either {median, p90} or {mean, sd}; found parameters of both",
                Some("keep one pair: median and p90, or mean and sd".into()),
            );
            return None;
        }
        if moment_form {
            let mean = need(self, "mean");
            let sd = need(self, "sd");
            let mean = self.positive_param(mean, field, "mean");
            let sd = self.positive_param(sd, field, "sd");
            return Some(Dist::lognormal_mean_sd(mean?, sd?));
        }
        if !quantile_form {
            self.push(
                Some(span),
                field,
                "expected the parameters median and p90, or mean and sd, of a lognormal distribution; found none",
                Some("e.g. { dist = \"lognormal\", median = \"45m\", p90 = \"3h\" }".into()),
            );
            return None;
        }
        let median = need(self, "median");
        let p90 = need(self, "p90");
        let median = self.positive_param(median, field, "median")?;
        let (p90, p90_span) = p90?;
        if p90 <= median {
            self.push(
                Some(p90_span),
                format!("{field}.p90"),
                format!("expected p90 > median ({}); found {}", m(median), m(p90)),
                Some(
                    "p90 is the value 90 % of draws stay below: make it larger than the median, \
                     or use a fixed duration"
                        .into(),
                ),
            );
            return None;
        }
        Some(Dist::lognormal_median_p90(median, p90))
    }

    fn samples(&mut self, v: &V, field: &str) -> Option<Dist> {
        let path = format!("{field}.samples");
        let Raw::Array(items) = v.get_ref() else {
            self.push(
                Some(v.span()),
                path,
                format!(
                    "expected an array of durations such as [\"10m\", \"25m\"]; found {}",
                    v.get_ref().found()
                ),
                None,
            );
            return None;
        };
        if items.is_empty() {
            self.push(
                Some(v.span()),
                path,
                "expected at least one sample; found an empty array",
                Some("list observed durations, e.g. samples = [\"10m\", \"25m\", \"2h\"]".into()),
            );
            return None;
        }
        let mut samples = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.duration(item, &format!("{path}[{i}]"), false) {
                Some(m) => samples.push(m),
                None => ok = false,
            }
        }
        ok.then_some(Dist::Empirical { samples })
    }

    /// A tier named by another field: its index, or an error listing the tiers.
    fn tier_ref(&mut self, v: &V, field: &str, tiers: &[Option<String>]) -> Option<usize> {
        let name = self.text(v, field)?;
        if let Some(i) = tiers
            .iter()
            .position(|t| t.as_deref() == Some(name.as_str()))
        {
            return Some(i);
        }
        if tiers.is_empty() {
            // The missing [[tiers]] is reported once, where it belongs; a reference to a tier
            // cannot be checked without them.
            return None;
        }
        let known = tiers.iter().flatten().map(String::as_str);
        let help = match closest(&name, known.clone()) {
            Some(c) => {
                format!("did you mean \"{c}\"? or define a tier with this name under [[tiers]]")
            }
            None => {
                "use one of the tier names above, or define a tier with this name under [[tiers]]"
                    .into()
            }
        };
        self.push(
            Some(v.span()),
            field,
            format!(
                "expected the name of a tier ({}); found {}",
                known.collect::<Vec<_>>().join(", "),
                shown(&name)
            ),
            Some(help),
        );
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Whole-scenario checks
// ---------------------------------------------------------------------------------------------

impl Cx<'_> {
    /// Check everything; a `Some` is meaningful only when no error was recorded.
    fn scenario(&mut self, raw: &RawScenario, default_name: String) -> Option<Scenario> {
        let name = raw
            .name
            .as_ref()
            .and_then(|v| self.text(v, "name"))
            .unwrap_or(default_name);
        let description = raw
            .description
            .as_ref()
            .and_then(|v| self.text(v, "description"))
            .unwrap_or_default();
        let currency = match &raw.currency {
            Some(v) => self.currency(v).unwrap_or_default(),
            None => "USD".to_string(),
        };
        let simulation = self.simulation(raw.simulation.as_ref());
        let (tiers, tier_names) = self.tiers(raw.tiers.as_ref());
        let services = self.services(raw.services.as_ref(), &tier_names);
        let (policies, policy_names) = self.escalation_policies(
            raw.escalation_policies.as_ref(),
            &tier_names,
            tiers.as_deref(),
        );
        let service_names: Vec<Option<String>> = raw
            .services
            .as_ref()
            .map(|r| r.get_ref().as_slice())
            .unwrap_or_default()
            .iter()
            .map(|item| name_of(item.get_ref().name.as_ref()))
            .collect();
        let raw_tiers = raw
            .tiers
            .as_ref()
            .map(|r| r.get_ref().as_slice())
            .unwrap_or_default();
        let base = Bases {
            tier_names: &tier_names,
            raw_tiers,
            tiers: tiers.as_deref(),
            policies: &policy_names,
            services: &service_names,
        };
        let strategies = self.strategies(raw.strategies.as_ref(), &base);
        let finance = self.finance(raw.finance.as_ref());
        if let (Some(strategies), Some(finance)) = (&strategies, &finance) {
            self.ramp_up_lengths(strategies, finance, raw.strategies.as_ref());
        }
        let slas = self.slas(raw.slas.as_ref());

        // Checked against the strategies by the validator (validate::references).
        let baseline = raw.baseline.as_ref().and_then(|v| self.text(v, "baseline"));

        let mut scenario = Scenario {
            name,
            description,
            currency,
            simulation: simulation?,
            tiers: tiers?,
            services: services?,
            strategies: strategies?,
            baseline,
            slas: slas?,
            escalation_policies: policies?,
            finance: finance?,
            sources: IndexMap::new(),
            uncertain: Vec::new(),
        };
        scenario.sources = self.sources(raw.sources.as_ref(), &scenario)?;
        Some(scenario)
    }

    /// `[sources]`: each key a field of this scenario (by the names in the file), each value
    /// a note in quotes.
    fn sources(
        &mut self,
        raw: Option<&Spanned<IndexMap<Spanned<String>, V>>>,
        scenario: &Scenario,
    ) -> Option<IndexMap<String, String>> {
        let Some(raw) = raw else {
            return Some(IndexMap::new());
        };
        let paths = fields::field_paths(scenario);
        let mut out = IndexMap::new();
        let mut ok = true;
        for (key, value) in raw.get_ref() {
            let path = key.get_ref();
            let field = format!("sources.{}", shown(path));
            if !paths.iter().any(|p| p == path) {
                let help = match closest(path, paths.iter().map(String::as_str)) {
                    Some(close) => format!(
                        "did you mean \"{close}\"? A source names a field of this scenario by its path, as `incsim sweep --list` shows"
                    ),
                    None => "a source names a field of this scenario by its path, e.g. \"services.NAME.downtime_cost_per_hour\"".to_string(),
                };
                self.push(
                    Some(key.span()),
                    field,
                    format!("no field {} in this scenario", shown(path)),
                    Some(help),
                );
                ok = false;
                continue;
            }
            match self.text(value, &field) {
                Some(note) => {
                    out.insert(path.clone(), note);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `[[escalation_policies]]` (model.md §8.7), with the names a strategy's `paging` may
    /// use. `tiers`, when they parsed, let each rule's tier be checked for an on-call rota.
    fn escalation_policies(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawPolicy>>>>,
        tier_names: &[Option<String>],
        tiers: Option<&[Tier]>,
    ) -> (Option<Vec<EscalationPolicy>>, Vec<Option<String>>) {
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        let mut names: Vec<Option<String>> = Vec::new();
        let mut policies = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let span = Some(item.span());
            let p = item.get_ref();
            let label = name_of(p.name.as_ref());
            let path = element_path("escalation_policies", label.as_deref(), i);
            let f = |name: &str| format!("{path}.{name}");
            let name = self.unique_name(
                p.name.as_ref(),
                span.clone(),
                &f("name"),
                "name = \"p1\"",
                |n| names.iter().flatten().any(|m| m == n),
                "escalation policy names",
                "rename one of the two policies",
            );
            let num_loops = match &p.num_loops {
                None => Some(0),
                Some(v) => self.integer(
                    v,
                    &f("num_loops"),
                    bounds("escalation_policies[].num_loops"),
                ),
            };
            let rules = match &p.rules {
                None => {
                    self.required(
                        None,
                        span,
                        &f("rules"),
                        "rules = [{ delay = \"15m\", tier = \"sre\" }]",
                    );
                    None
                }
                Some(list) if list.get_ref().is_empty() => {
                    self.push(
                        Some(list.span()),
                        f("rules"),
                        "expected at least one rule; found none",
                        Some(
                            "add a rule such as rules = [{ delay = \"15m\", tier = \"sre\" }]"
                                .into(),
                        ),
                    );
                    None
                }
                Some(list) => {
                    let mut rules = Some(Vec::with_capacity(list.get_ref().len()));
                    for (r, rule) in list.get_ref().iter().enumerate() {
                        let rule_span = Some(rule.span());
                        let rp = format!("{}[{r}]", f("rules"));
                        let g = |name: &str| format!("{rp}.{name}");
                        let raw_rule = rule.get_ref();
                        let delay = self
                            .required(
                                raw_rule.delay.as_ref(),
                                rule_span.clone(),
                                &g("delay"),
                                "delay = \"15m\"",
                            )
                            .and_then(|v| self.duration(v, &g("delay"), true));
                        let tier = self
                            .required(raw_rule.tier.as_ref(), rule_span, &g("tier"), "tier = \"sre\"")
                            .and_then(|v| {
                                let t = self.tier_ref(v, &g("tier"), tier_names)?;
                                // A rule pages the tier's on-call rota: a tier without one
                                // could never answer.
                                match tiers {
                                    Some(list) if list[t].on_call.is_none() => {
                                        self.push(
                                            Some(v.span()),
                                            g("tier"),
                                            format!(
                                                "expected a tier with an on-call rota; {} has no `on_call`",
                                                shown(&list[t].name)
                                            ),
                                            Some(format!(
                                                "give tier {} an on_call = {{ staff = 1, ack = \"5m\" }}, or page another tier",
                                                shown(&list[t].name)
                                            )),
                                        );
                                        None
                                    }
                                    _ => Some(t),
                                }
                            });
                        match (delay, tier, rules.as_mut()) {
                            (Some(delay), Some(tier), Some(v)) => {
                                v.push(PolicyRule { delay, tier })
                            }
                            _ => rules = None,
                        }
                    }
                    rules
                }
            };
            names.push(name.clone());
            match (name, num_loops, rules, policies.as_mut()) {
                (Some(name), Some(num_loops), Some(rules), Some(list)) => {
                    list.push(EscalationPolicy {
                        name,
                        num_loops: u32::try_from(num_loops).unwrap_or(0),
                        rules,
                    })
                }
                _ => policies = None,
            }
        }
        (policies, names)
    }

    /// `[[slas]]` (model.md §8.13); cross-field rules (one per priority, a clock each) are
    /// the validator's.
    fn slas(&mut self, raw: Option<&Spanned<Vec<Spanned<RawSla>>>>) -> Option<Vec<Sla>> {
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        let mut slas = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let span = Some(item.span());
            let r = item.get_ref();
            let path = format!("slas[{i}]");
            let f = |name: &str| format!("{path}.{name}");
            let priority = self
                .required(r.priority.as_ref(), span, &f("priority"), "priority = 1")
                .and_then(|v| self.integer(v, &f("priority"), bounds("slas[].priority")));
            let respond = match &r.respond {
                None => Some(None),
                Some(v) => self.duration(v, &f("respond"), true).map(Some),
            };
            let resolve = match &r.resolve {
                None => Some(None),
                Some(v) => self.duration(v, &f("resolve"), true).map(Some),
            };
            let penalty = match &r.penalty {
                None => Some(0.0),
                Some(v) => self.number(v, &f("penalty"), bounds("slas[].penalty")),
            };
            match (priority, respond, resolve, penalty, slas.as_mut()) {
                (Some(priority), Some(respond), Some(resolve), Some(penalty), Some(list)) => list
                    .push(Sla {
                        priority: u32::try_from(priority).unwrap_or(u32::MAX),
                        respond_minutes: respond,
                        resolve_minutes: resolve,
                        penalty,
                    }),
                _ => slas = None,
            }
        }
        slas
    }

    /// `services[].tickets` (model.md §8.4).
    fn tickets(&mut self, raw: &Spanned<RawTickets>, path: &str) -> Option<Tickets> {
        let span = Some(raw.span());
        let r = raw.get_ref();
        let f = |name: &str| format!("{path}.{name}");
        let per_hour = self
            .required(
                r.per_hour.as_ref(),
                span.clone(),
                &f("per_hour"),
                "per_hour = 6",
            )
            .and_then(|v| self.number(v, &f("per_hour"), bounds("services[].tickets.per_hour")));
        let triage = self
            .required(r.triage.as_ref(), span, &f("triage"), "triage = \"5m\"")
            .and_then(|v| self.duration(v, &f("triage"), true));
        Some(Tickets {
            per_hour: per_hour?,
            triage_minutes: triage?,
        })
    }

    /// `services[].changes` (model.md §8.12); `modes` are the service's checked modes, which
    /// `mode` must name.
    fn changes(
        &mut self,
        raw: &Spanned<RawChanges>,
        path: &str,
        modes: Option<&[Mode]>,
    ) -> Option<Changes> {
        let span = Some(raw.span());
        let r = raw.get_ref();
        let f = |name: &str| format!("{path}.{name}");
        let per_week = self
            .required(
                r.per_week.as_ref(),
                span.clone(),
                &f("per_week"),
                "per_week = 3",
            )
            .and_then(|v| self.number(v, &f("per_week"), bounds("services[].changes.per_week")));
        let failure_rate = self
            .required(
                r.failure_rate.as_ref(),
                span.clone(),
                &f("failure_rate"),
                "failure_rate = 0.15",
            )
            .and_then(|v| {
                self.number(
                    v,
                    &f("failure_rate"),
                    bounds("services[].changes.failure_rate"),
                )
            });
        let mode = self
            .required(
                r.mode.as_ref(),
                span.clone(),
                &f("mode"),
                "mode = \"bad-deploy\"",
            )
            .and_then(|v| {
                let name = self.text(v, &f("mode"))?;
                // Unknown modes are reported only when the modes themselves parsed.
                let modes = modes?;
                if let Some(i) = modes.iter().position(|m| m.name == name) {
                    return Some(i);
                }
                let names: Vec<String> = modes.iter().map(|m| shown(&m.name)).collect();
                self.push(
                    Some(v.span()),
                    f("mode"),
                    format!("unknown failure mode {} of this service", shown(&name)),
                    Some(format!(
                        "name one of the service's [[services.modes]]: {}",
                        names.join(", ")
                    )),
                );
                None
            });
        let hours = self
            .required(
                r.hours.as_ref(),
                span,
                &f("hours"),
                "hours = \"Mon-Thu 10:00-16:00\"",
            )
            .and_then(|v| self.hours(v, &f("hours")));
        Some(Changes {
            per_week: per_week?,
            failure_rate: failure_rate?,
            mode: mode?,
            hours: hours?,
        })
    }

    /// `[finance]`: absent means one year without discounting (today's annual figures).
    fn finance(&mut self, raw: Option<&Spanned<RawFinance>>) -> Option<Finance> {
        let Some(raw) = raw else {
            return Some(Finance::default());
        };
        let raw = raw.get_ref();
        let years = match &raw.years {
            None => Some(1),
            Some(v) => self.integer(v, "finance.years", bounds("finance.years")),
        };
        let discount_rate = match &raw.discount_rate {
            None => Some(0.0),
            Some(v) => self.number(v, "finance.discount_rate", bounds("finance.discount_rate")),
        };
        Some(Finance {
            years: u32::try_from(years?).ok()?,
            discount_rate: discount_rate?,
        })
    }

    /// A strategy's `ramp_up` gives one share per year of `[finance] years`.
    fn ramp_up_lengths(
        &mut self,
        strategies: &[Strategy],
        finance: &Finance,
        raw: Option<&Spanned<IndexMap<Spanned<String>, Spanned<RawStrategy>>>>,
    ) {
        let Some(raw) = raw else { return };
        for (s, (_, item)) in strategies.iter().zip(raw.get_ref()) {
            let Some(v) = &item.get_ref().ramp_up else {
                continue;
            };
            if s.ramp_up.len() != finance.years as usize {
                self.push(
                    Some(v.span()),
                    format!("strategies.{}.ramp_up", s.name),
                    format!(
                        "expected one share per year of [finance] years = {}; found {}",
                        finance.years,
                        s.ramp_up.len()
                    ),
                    Some(format!(
                        "give {} shares such as [{}], or change [finance] years",
                        finance.years,
                        example_ramp(finance.years)
                    )),
                );
            }
        }
    }

    /// An array of shares in [0, 1] (`ramp_up = [0.5, 1.0, 1.0]`).
    fn shares(&mut self, v: &V, field: &str, bounds: Bounds) -> Option<Vec<f64>> {
        let Raw::Array(items) = v.get_ref() else {
            self.push(
                Some(v.span()),
                field,
                format!(
                    "expected an array of shares such as [0.5, 1.0, 1.0]; found {}",
                    v.get_ref().found()
                ),
                Some("write one share of the benefit per year, in brackets".into()),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len().min(MAX_FINANCE_YEARS as usize));
        let mut ok = true;
        for item in items {
            match self.number(item, field, bounds) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn currency(&mut self, v: &V) -> Option<String> {
        let code = self.text(v, "currency")?;
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
            return Some(code);
        }
        let help = if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
            format!("write it in capitals: {:?}", code.to_ascii_uppercase())
        } else {
            "use the three-letter ISO 4217 code of the currency every money field is in".into()
        };
        self.push(
            Some(v.span()),
            "currency",
            format!(
                "expected a three-letter ISO 4217 code such as \"USD\" or \"EUR\"; found {}",
                shown(&code)
            ),
            Some(help),
        );
        None
    }

    fn simulation(&mut self, raw: Option<&Spanned<RawSimulation>>) -> Option<Simulation> {
        let Some(raw) = raw else {
            self.push(
                None,
                "simulation.horizon",
                "expected a [simulation] table with the required field \"horizon\"; found none",
                Some("add\n    [simulation]\n    horizon = \"365d\"".into()),
            );
            return None;
        };
        let span = Some(raw.span());
        let raw = raw.get_ref();
        let horizon = self
            .required(
                raw.horizon.as_ref(),
                span.clone(),
                "simulation.horizon",
                "horizon = \"365d\"",
            )
            .and_then(|v| {
                let h = self.duration(v, "simulation.horizon", true)?;
                if h <= 0.0 {
                    self.push(
                        Some(v.span()),
                        "simulation.horizon",
                        "expected a horizon > 0; found 0",
                        Some("simulate a period such as \"365d\"".into()),
                    );
                    return None;
                }
                if h > MAX_HORIZON_MINUTES {
                    self.push(
                        Some(v.span()),
                        "simulation.horizon",
                        format!(
                            "expected a horizon of at most 100 years (\"36500d\"); found {}",
                            duration::format_minutes(h)
                        ),
                        Some(
                            "shorten the horizon; for tighter estimates add replications instead"
                                .into(),
                        ),
                    );
                    return None;
                }
                Some(h)
            });
        let replications = match &raw.replications {
            Some(v) => self.integer(
                v,
                "simulation.replications",
                bounds("simulation.replications"),
            ),
            None => Some(1000),
        };
        let seed = match &raw.seed {
            Some(v) => self.integer(v, "simulation.seed", bounds("simulation.seed")),
            None => Some(0),
        };
        let utc_offset = match &raw.utc_offset {
            Some(v) => self.offset(v, "simulation.utc_offset"),
            None => Some(0),
        };
        Some(Simulation {
            horizon_minutes: horizon?,
            replications: u64::try_from(replications?).ok()?,
            seed: u64::try_from(seed?).ok()?,
            utc_offset_minutes: utc_offset?,
        })
    }

    /// The tiers, and their names by position (None where a name is invalid) for references.
    fn tiers(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawTier>>>>,
    ) -> (Option<Vec<Tier>>, Vec<Option<String>>) {
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        if items.is_empty() {
            self.push(
                raw.map(|r| r.span()),
                "tiers",
                "expected at least one [[tiers]] table (support tiers in escalation order); found none",
                Some("add\n    [[tiers]]\n    name = \"help-desk\"\n    staff = 3".into()),
            );
            return (None, Vec::new());
        }
        let mut names: Vec<Option<String>> = Vec::new();
        let mut tiers = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let span = Some(item.span());
            let t = item.get_ref();
            let label = name_of(t.name.as_ref());
            let path = element_path("tiers", label.as_deref(), i);
            let name = self.unique_name(
                t.name.as_ref(),
                span.clone(),
                &format!("{path}.name"),
                "name = \"help-desk\"",
                |n| names.iter().flatten().any(|m| m == n),
                "tier names",
                "rename one of the two tiers",
            );
            names.push(name.clone());
            let tier = self.tier_body(t, span, &path, name);
            match (tier, tiers.as_mut()) {
                (Some(tier), Some(list)) => list.push(tier),
                _ => tiers = None,
            }
        }
        (tiers, names)
    }

    /// The fields of one tier but its name (checked by the caller), at `path`: a
    /// `[[tiers]]` element, or a strategy's override merged onto its base (model.md §8.13).
    fn tier_body(
        &mut self,
        t: &RawTier,
        span: Option<Range<usize>>,
        path: &str,
        name: Option<String>,
    ) -> Option<Tier> {
        let shifts = match &t.shifts {
            None => Some(Vec::new()),
            Some(raw_shifts) => self.shifts(raw_shifts, path),
        };
        // §8.1: `shifts` replaces `staff`/`hours`; giving both is an error.
        let given_with_shifts = [("staff", &t.staff), ("hours", &t.hours)]
            .into_iter()
            .find_map(|(key, v)| v.as_ref().map(|v| (key, v)));
        let staff = match (&t.shifts, given_with_shifts) {
            (Some(_), Some((key, v))) => {
                self.push(
                    Some(v.span()),
                    format!("{path}.{key}"),
                    format!("`{key}` and `shifts` both given; the shifts staff the tier"),
                    Some(format!(
                        "remove `{key}` (give each shift its own `staff` and `hours`), or remove `shifts`"
                    )),
                );
                None
            }
            (Some(_), None) => Some(shifts.as_ref().map_or(0, |list| {
                list.iter().map(|sh: &Shift| sh.staff as i64).sum()
            })),
            (None, _) => self
                .required(
                    t.staff.as_ref(),
                    span.clone(),
                    &format!("{path}.staff"),
                    "staff = 1",
                )
                .and_then(|v| self.integer(v, &format!("{path}.staff"), bounds("tiers[].staff"))),
        };
        let hours = match &t.hours {
            None => Some(Hours::AlwaysOpen),
            Some(v) => self.hours(v, &format!("{path}.hours")),
        };
        let utc_offset = match &t.utc_offset {
            None => Some(None),
            Some(v) => self.offset(v, &format!("{path}.utc_offset")).map(Some),
        };
        let hourly_cost = match &t.hourly_cost {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &format!("{path}.hourly_cost"),
                bounds("tiers[].hourly_cost"),
            ),
        };
        let on_call = match &t.on_call {
            None => Some(None),
            Some(raw) => self.on_call(raw, path).map(Some),
        };
        let annual_cost_per_engineer = match &t.annual_cost_per_engineer {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &format!("{path}.annual_cost_per_engineer"),
                bounds("tiers[].annual_cost_per_engineer"),
            ),
        };
        let cost_per_incident = match &t.cost_per_incident {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &format!("{path}.cost_per_incident"),
                bounds("tiers[].cost_per_incident"),
            ),
        };
        match (
            (name, staff, hours, utc_offset, shifts),
            (hourly_cost, on_call),
            (annual_cost_per_engineer, cost_per_incident),
        ) {
            (
                (Some(name), Some(staff), Some(hours), Some(utc_offset_minutes), Some(shifts)),
                (Some(hourly_cost), Some(on_call)),
                (Some(annual_cost_per_engineer), Some(cost_per_incident)),
            ) => Some(Tier {
                name,
                staff: u32::try_from(staff).unwrap_or(u32::MAX),
                hours,
                utc_offset_minutes,
                shifts,
                hourly_cost,
                on_call,
                annual_cost_per_engineer,
                cost_per_incident,
            }),
            _ => None,
        }
    }

    fn repair(&mut self, v: &V, field: &str) -> Option<Repair> {
        let text = self.text(v, field)?;
        match text.as_str() {
            "renew" => Some(Repair::Renew),
            "as_bad_as_old" => Some(Repair::AsBadAsOld),
            _ => {
                self.push(
                    Some(v.span()),
                    field,
                    format!(
                        "expected \"renew\" or \"as_bad_as_old\"; found {}",
                        shown(&text)
                    ),
                    Some(
                        "\"renew\" makes a repair as good as new; \"as_bad_as_old\" keeps the \
                         service's age (minimal repair)"
                            .into(),
                    ),
                );
                None
            }
        }
    }

    /// A tier's on-call rota (model.md §8.2).
    fn on_call(&mut self, raw: &Spanned<RawOnCall>, tier_path: &str) -> Option<OnCall> {
        let o = raw.get_ref();
        let path = format!("{tier_path}.on_call");
        let f = |key: &str| format!("{path}.{key}");
        let staff = match &o.staff {
            None => Some(1),
            Some(v) => self.integer(v, &f("staff"), bounds("tiers[].on_call.staff")),
        };
        let ack = self
            .required(o.ack.as_ref(), Some(raw.span()), &f("ack"), "ack = \"10m\"")
            .and_then(|v| self.dist(v, &f("ack")));
        let ack_asleep = match &o.ack_asleep {
            None => ack.clone(),
            Some(v) => self.dist(v, &f("ack_asleep")),
        };
        let asleep = match &o.asleep {
            None => calendar::parse_hours("23:00-07:00").ok(),
            Some(v) => self.hours(v, &f("asleep")),
        };
        let page_priority = match &o.page_priority {
            None => Some(1),
            Some(v) => self.integer(
                v,
                &f("page_priority"),
                bounds("tiers[].on_call.page_priority"),
            ),
        };
        let mut money = |key: &str, v: &Option<V>| match v {
            None => Some(0.0),
            Some(v) => self.number(v, &f(key), bounds(&format!("tiers[].on_call.{key}"))),
        };
        let standby = money("standby_cost_per_hour", &o.standby_cost_per_hour);
        let callout = money("callout_cost", &o.callout_cost);
        Some(OnCall {
            staff: u32::try_from(staff?).unwrap_or(u32::MAX),
            ack: ack?,
            ack_asleep: ack_asleep?,
            asleep: asleep?,
            page_priority: u32::try_from(page_priority?).unwrap_or(u32::MAX),
            standby_cost_per_hour: standby?,
            callout_cost: callout?,
        })
    }

    /// A tier's follow-the-sun shifts (model.md §8.1).
    fn shifts(
        &mut self,
        raw: &Spanned<Vec<Spanned<RawShift>>>,
        tier_path: &str,
    ) -> Option<Vec<Shift>> {
        let items = raw.get_ref();
        if items.is_empty() {
            self.push(
                Some(raw.span()),
                format!("{tier_path}.shifts"),
                "expected at least one shift; found none",
                Some("add `{ hours = \"business\", staff = 1 }`, or remove `shifts` and give `staff`".into()),
            );
            return None;
        }
        let mut shifts = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let span = Some(item.span());
            let sh = item.get_ref();
            let path = format!("{tier_path}.shifts.{}", i + 1);
            let hours = self
                .required(
                    sh.hours.as_ref(),
                    span.clone(),
                    &format!("{path}.hours"),
                    "hours = \"Mon-Fri 08:00-16:00\"",
                )
                .and_then(|v| self.hours(v, &format!("{path}.hours")));
            let utc_offset = match &sh.utc_offset {
                None => Some(None),
                Some(v) => self.offset(v, &format!("{path}.utc_offset")).map(Some),
            };
            let staff = self
                .required(
                    sh.staff.as_ref(),
                    span,
                    &format!("{path}.staff"),
                    "staff = 1",
                )
                .and_then(|v| {
                    self.integer(
                        v,
                        &format!("{path}.staff"),
                        bounds("tiers[].shifts[].staff"),
                    )
                });
            match (hours, utc_offset, staff, shifts.as_mut()) {
                (Some(hours), Some(utc_offset_minutes), Some(staff), Some(list)) => {
                    list.push(Shift {
                        hours,
                        utc_offset_minutes,
                        staff: u32::try_from(staff).unwrap_or(u32::MAX),
                    })
                }
                _ => shifts = None,
            }
        }
        shifts
    }

    fn hours(&mut self, v: &V, field: &str) -> Option<Hours> {
        let text = self.text(v, field)?;
        match calendar::parse_hours(&text) {
            Ok(hours) => Some(hours),
            Err(e) => {
                self.push(
                    Some(v.span()),
                    field,
                    format!(
                        "expected opening hours; found {}: {}",
                        shown(&text),
                        e.message
                    ),
                    Some(e.help),
                );
                None
            }
        }
    }

    fn offset(&mut self, v: &V, field: &str) -> Option<i32> {
        let text = self.text(v, field)?;
        match calendar::parse_offset(&text) {
            Ok(minutes) => Some(minutes),
            Err(e) => {
                self.push(Some(v.span()), field, e.message, Some(e.help));
                None
            }
        }
    }

    fn services(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawService>>>>,
        tiers: &[Option<String>],
    ) -> Option<Vec<Service>> {
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        if items.is_empty() {
            self.push(
                raw.map(|r| r.span()),
                "services",
                "expected at least one [[services]] table; found none",
                Some("add a [[services]] table with its failures and [[services.modes]]".into()),
            );
            return None;
        }
        // Every name first: a dependency may name a service defined further down the file.
        let all_names: Vec<Option<String>> = items
            .iter()
            .map(|item| name_of(item.get_ref().name.as_ref()))
            .collect();
        let mut seen: Vec<String> = Vec::new();
        let mut services = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let service = self.service(item, i, tiers, &all_names, &mut seen);
            match (service, services.as_mut()) {
                (Some(s), Some(list)) => list.push(s),
                _ => services = None,
            }
        }
        services
    }

    fn service(
        &mut self,
        item: &Spanned<RawService>,
        index: usize,
        tiers: &[Option<String>],
        services: &[Option<String>],
        seen: &mut Vec<String>,
    ) -> Option<Service> {
        let span = Some(item.span());
        let s = item.get_ref();
        let label = name_of(s.name.as_ref());
        let path = element_path("services", label.as_deref(), index);
        let f = |name: &str| format!("{path}.{name}");

        let name = self.unique_name(
            s.name.as_ref(),
            span.clone(),
            &f("name"),
            "name = \"email\"",
            |n| seen.iter().any(|m| m == n),
            "service names",
            "rename one of the two services",
        );
        if let Some(n) = &name {
            seen.push(n.clone());
        }
        let priority = match &s.priority {
            None => Some(1),
            Some(v) => self.integer(v, &f("priority"), bounds("services[].priority")),
        };
        let downtime_cost_per_hour = match &s.downtime_cost_per_hour {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &f("downtime_cost_per_hour"),
                bounds("services[].downtime_cost_per_hour"),
            ),
        };
        let degraded_cost_fraction = match &s.degraded_cost_fraction {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &f("degraded_cost_fraction"),
                bounds("services[].degraded_cost_fraction"),
            ),
        };
        let report_delay = self
            .required(
                s.report_delay.as_ref(),
                span.clone(),
                &f("report_delay"),
                "report_delay = { dist = \"exponential\", mean = \"20m\" }",
            )
            .and_then(|v| self.dist(v, &f("report_delay")));
        let every_path = f("failures.every");
        let every_example = "failures = { every = { dist = \"exponential\", mean = \"45d\" } }";
        let failures_every = match &s.failures {
            None => {
                self.required(None, span.clone(), &every_path, every_example);
                None
            }
            Some(failures) => self
                .required(failures.get_ref().every.as_ref(), Some(failures.span()), &every_path, every_example)
                .and_then(|v| {
                    let d = self.dist(v, &every_path)?;
                    if d.mean() > 0.0 {
                        return Some(d);
                    }
                    self.push(
                        Some(v.span()),
                        &every_path,
                        format!(
                            "expected a time between failures with a mean > 0; found {}",
                            d.describe()
                        ),
                        Some("a service cannot fail continuously: give the time between failures a positive mean".into()),
                    );
                    None
                }),
        };
        let repair = match &s.repair {
            None => Some(Repair::Renew),
            Some(v) => self.repair(v, &f("repair")),
        };
        let modes = self.modes(s.modes.as_ref(), span, &path, tiers);
        let tickets = match &s.tickets {
            None => Some(None),
            Some(t) => self.tickets(t, &f("tickets")).map(Some),
        };
        let depends_on = self.depends_on(s.depends_on.as_ref(), &path, services);
        let changes = match &s.changes {
            None => Some(None),
            Some(c) => self.changes(c, &f("changes"), modes.as_deref()).map(Some),
        };
        let planned_downtime_cost_fraction = match &s.planned_downtime_cost_fraction {
            None => Some(1.0),
            Some(v) => self.number(
                v,
                &f("planned_downtime_cost_fraction"),
                bounds("services[].planned_downtime_cost_fraction"),
            ),
        };
        Some(Service {
            name: name?,
            priority: u32::try_from(priority?).ok()?,
            downtime_cost_per_hour: downtime_cost_per_hour?,
            degraded_cost_fraction: degraded_cost_fraction?,
            report_delay: report_delay?,
            failures_every: failures_every?,
            modes: modes?,
            repair: repair?,
            tickets: tickets?,
            depends_on: depends_on?,
            planned_downtime_cost_fraction: planned_downtime_cost_fraction?,
            changes: changes?,
        })
    }

    /// `depends_on = [{ service, effect }]`: names resolved to indices (a cycle is the
    /// validator's to find, docs/model.md §8.10).
    fn depends_on(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawDependency>>>>,
        service_path: &str,
        services: &[Option<String>],
    ) -> Option<Vec<Dependency>> {
        let base = format!("{service_path}.depends_on");
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        let mut out = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let d = item.get_ref();
            let path = element_path(&base, None, i);
            let f = |name: &str| format!("{path}.{name}");
            let service = self
                .required(
                    d.service.as_ref(),
                    Some(item.span()),
                    &f("service"),
                    "service = \"db\"",
                )
                .and_then(|v| self.service_ref(v, &f("service"), services));
            let effect = match &d.effect {
                None => Some(Effect::Down),
                Some(v) => self.text(v, &f("effect")).and_then(|e| match e.as_str() {
                    "down" => Some(Effect::Down),
                    "degraded" => Some(Effect::Degraded),
                    _ => {
                        self.push(
                            Some(v.span()),
                            f("effect"),
                            format!("expected \"down\" or \"degraded\"; found {}", shown(&e)),
                            Some("\"down\" passes the dependency's outage through; \"degraded\" only slows this service".into()),
                        );
                        None
                    }
                }),
            };
            match (service, effect, out.as_mut()) {
                (Some(service), Some(effect), Some(list)) => {
                    list.push(Dependency { service, effect })
                }
                _ => out = None,
            }
        }
        out
    }

    fn service_ref(&mut self, v: &V, field: &str, services: &[Option<String>]) -> Option<usize> {
        let name = self.text(v, field)?;
        if let Some(i) = services
            .iter()
            .position(|s| s.as_deref() == Some(name.as_str()))
        {
            return Some(i);
        }
        let known = services.iter().flatten().map(String::as_str);
        let help = match closest(&name, known.clone()) {
            Some(c) => format!(
                "did you mean \"{c}\"? or define a service with this name under [[services]]"
            ),
            None => "use one of the service names above, or define it under [[services]]".into(),
        };
        self.push(
            Some(v.span()),
            field,
            format!(
                "expected the name of a service ({}); found {}",
                known.collect::<Vec<_>>().join(", "),
                shown(&name)
            ),
            Some(help),
        );
        None
    }

    fn modes(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawMode>>>>,
        service_span: Option<Range<usize>>,
        service_path: &str,
        tiers: &[Option<String>],
    ) -> Option<Vec<Mode>> {
        let base = format!("{service_path}.modes");
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        if items.is_empty() {
            self.push(
                raw.map(|r| r.span()).or(service_span),
                &base,
                "expected at least one failure mode ([[services.modes]]); found none",
                Some("add\n    [[services.modes]]\n    name = \"crash\"\n    fix = \"30m\"\n    needs = \"help-desk\"".into()),
            );
            return None;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut modes = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let span = Some(item.span());
            let m = item.get_ref();
            let label = name_of(m.name.as_ref());
            let path = element_path(&base, label.as_deref(), i);
            let f = |name: &str| format!("{path}.{name}");
            let name = self.unique_name(
                m.name.as_ref(),
                span.clone(),
                &f("name"),
                "name = \"crash\"",
                |n| seen.iter().any(|m| m == n),
                "mode names within the service",
                "rename one of the two modes",
            );
            if let Some(n) = &name {
                seen.push(n.clone());
            }
            let weight = match &m.weight {
                None => Some(1.0),
                Some(v) => self.number(v, &f("weight"), bounds("services[].modes[].weight")),
            };
            let warning = match &m.warning {
                None => Some(Dist::fixed(0.0)),
                Some(v) => self.dist(v, &f("warning")),
            };
            let fix = self
                .required(m.fix.as_ref(), span.clone(), &f("fix"), "fix = \"30m\"")
                .and_then(|v| self.dist(v, &f("fix")));
            let needs = self
                .required(
                    m.needs.as_ref(),
                    span.clone(),
                    &f("needs"),
                    "needs = \"help-desk\"",
                )
                .and_then(|v| self.tier_ref(v, &f("needs"), tiers));
            let workaround = match &m.workaround {
                None => Some(None),
                Some(w) => self.workaround(w, &f("workaround"), tiers).map(Some),
            };
            match (
                name,
                weight,
                warning,
                fix,
                needs,
                workaround,
                modes.as_mut(),
            ) {
                (
                    Some(name),
                    Some(weight),
                    Some(warning),
                    Some(fix),
                    Some(needs),
                    Some(workaround),
                    Some(list),
                ) => list.push(Mode {
                    name,
                    weight,
                    warning,
                    fix,
                    needs,
                    workaround,
                }),
                _ => modes = None,
            }
        }
        modes
    }

    fn strategies(
        &mut self,
        raw: Option<&Spanned<IndexMap<Spanned<String>, Spanned<RawStrategy>>>>,
        base: &Bases,
    ) -> Option<Vec<Strategy>> {
        let Some(map) = raw.filter(|m| !m.get_ref().is_empty()) else {
            self.push(
                raw.map(|r| r.span()),
                "strategies",
                "expected at least one strategy ([strategies.NAME]); found none",
                Some("add e.g.\n    [strategies.reactive]\n    escalate_after = \"2h\"".into()),
            );
            return None;
        };
        let mut strategies = Some(Vec::with_capacity(map.get_ref().len()));
        for (key, item) in map.get_ref() {
            let strategy = self.strategy(key, item, base);
            match (strategy, strategies.as_mut()) {
                (Some(s), Some(list)) => list.push(s),
                _ => strategies = None,
            }
        }
        strategies
    }

    fn strategy(
        &mut self,
        key: &Spanned<String>,
        item: &Spanned<RawStrategy>,
        base: &Bases,
    ) -> Option<Strategy> {
        let tiers = base.tier_names;
        let policies = base.policies;
        let services = base.services;
        let path = join("strategies", key.get_ref());
        let f = |name: &str| format!("{path}.{name}");
        let span = Some(item.span());
        let s = item.get_ref();
        let name = key.get_ref().clone();
        if name.trim().is_empty() {
            self.push(
                Some(key.span()),
                &path,
                "expected a non-empty strategy name; found \"\"",
                Some("name the strategy, e.g. [strategies.proactive]".into()),
            );
        }
        let escalate_after = self
            .required(
                s.escalate_after.as_ref(),
                span.clone(),
                &f("escalate_after"),
                "escalate_after = \"2h\"",
            )
            .and_then(|v| self.duration(v, &f("escalate_after"), true));
        let handoff = match &s.handoff {
            None => Some(0.0),
            Some(v) => self.duration(v, &f("handoff"), true),
        };
        let fix_multiplier = match &s.fix_multiplier {
            None => Some(1.0),
            Some(v) => self.number(
                v,
                &f("fix_multiplier"),
                bounds("strategies.*.fix_multiplier"),
            ),
        };
        let annual_cost = match &s.annual_cost {
            None => Some(0.0),
            Some(v) => self.number(v, &f("annual_cost"), bounds("strategies.*.annual_cost")),
        };
        let alert_tier = match &s.alert_tier {
            None => Some(0),
            Some(v) => self.tier_ref(v, &f("alert_tier"), tiers),
        };
        let route_direct = match &s.route_direct {
            None => Some(0.0),
            Some(v) => self.number(v, &f("route_direct"), bounds("strategies.*.route_direct")),
        };
        let monitoring = match &s.monitoring {
            None => Some(None),
            Some(m) => self.monitoring(m, &f("monitoring")).map(Some),
        };
        let one_time_cost = match &s.one_time_cost {
            None => Some(0.0),
            Some(v) => self.number(v, &f("one_time_cost"), bounds("strategies.*.one_time_cost")),
        };
        let ramp_up = match &s.ramp_up {
            None => Some(Vec::new()),
            Some(v) => self.shares(v, &f("ramp_up"), bounds("strategies.*.ramp_up")),
        };
        let ticket_deflection = match &s.ticket_deflection {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &f("ticket_deflection"),
                bounds("strategies.*.ticket_deflection"),
            ),
        };
        let workarounds = match &s.workarounds {
            None => Some(false),
            Some(v) => self.boolean(v, &f("workarounds")),
        };
        let correlate = match &s.correlate {
            None => Some(false),
            Some(v) => self.boolean(v, &f("correlate")),
        };
        let problems = match &s.problems {
            None => Some(None),
            Some(p) => self.problems(p, &f("problems"), tiers).map(Some),
        };
        let paging = match &s.paging {
            None => Some(None),
            Some(v) => self.policy_ref(v, &f("paging"), policies).map(Some),
        };
        let strategy_tiers = match &s.tiers {
            None => Some(Vec::new()),
            Some(map) => self.tier_overrides(map, &f("tiers"), base),
        };
        let maintenance =
            self.maintenance(s.maintenance.as_ref(), &f("maintenance"), tiers, services);
        let change_failure_rate = match &s.change_failure_rate {
            None => Some(None),
            Some(v) => self
                .number(
                    v,
                    &f("change_failure_rate"),
                    bounds("strategies.*.change_failure_rate"),
                )
                .map(Some),
        };
        if name.trim().is_empty() {
            return None;
        }
        Some(Strategy {
            name,
            escalate_after: escalate_after?,
            handoff: handoff?,
            fix_multiplier: fix_multiplier?,
            annual_cost: annual_cost?,
            alert_tier: alert_tier?,
            route_direct: route_direct?,
            monitoring: monitoring?,
            one_time_cost: one_time_cost?,
            ramp_up: ramp_up?,
            ticket_deflection: ticket_deflection?,
            workarounds: workarounds?,
            correlate: correlate?,
            problems: problems?,
            paging: paging?,
            tiers: strategy_tiers?,
            maintenance: maintenance?,
            change_failure_rate: change_failure_rate?,
        })
    }

    /// A strategy's `[[strategies.X.maintenance]]` plans (model.md §8.6). A service named by
    /// two plans of one strategy is refused: its maintenance clock would be ambiguous.
    fn maintenance(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawMaintenance>>>>,
        base: &str,
        tiers: &[Option<String>],
        services: &[Option<String>],
    ) -> Option<Vec<Maintenance>> {
        let items = raw.map(|r| r.get_ref().as_slice()).unwrap_or_default();
        let mut out = Some(Vec::with_capacity(items.len()));
        let mut covered: Vec<usize> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let m = item.get_ref();
            let path = element_path(base, None, i);
            let f = |name: &str| format!("{path}.{name}");
            let span = Some(item.span());
            let list = self.required_list(m.services.as_ref(), span.clone(), &f("services"));
            let mut indices = Some(Vec::new());
            for v in list.iter().flat_map(|l| l.get_ref().iter()) {
                match self.service_ref(v, &f("services"), services) {
                    Some(idx) if covered.contains(&idx) => {
                        self.push(
                            Some(v.span()),
                            f("services"),
                            format!(
                                "service {} is maintained twice by this strategy",
                                shown(services[idx].as_deref().unwrap_or_default())
                            ),
                            Some("name each service in one maintenance plan of a strategy".into()),
                        );
                        indices = None;
                    }
                    Some(idx) => {
                        covered.push(idx);
                        if let Some(v) = indices.as_mut() {
                            v.push(idx)
                        }
                    }
                    None => indices = None,
                }
            }
            let every = self
                .required(
                    m.every.as_ref(),
                    span.clone(),
                    &f("every"),
                    "every = \"30d\"",
                )
                .and_then(|v| {
                    let minutes = self.duration(v, &f("every"), true)?;
                    if minutes > 0.0 {
                        return Some(minutes);
                    }
                    self.push(
                        Some(v.span()),
                        f("every"),
                        "expected a maintenance interval > 0; found 0",
                        Some("give a positive interval, e.g. \"30d\"".into()),
                    );
                    None
                });
            let takes = self
                .required(
                    m.takes.as_ref(),
                    span.clone(),
                    &f("takes"),
                    "takes = \"40m\"",
                )
                .and_then(|v| self.dist(v, &f("takes")));
            let tier = self
                .required(m.tier.as_ref(), span, &f("tier"), "tier = \"ops\"")
                .and_then(|v| self.tier_ref(v, &f("tier"), tiers));
            let window = match &m.window {
                None => Some(None),
                Some(v) => self.hours(v, &f("window")).map(Some),
            };
            let policy = match &m.policy {
                None => Some(MaintenancePolicy::Age),
                Some(v) => self.text(v, &f("policy")).and_then(|p| match p.as_str() {
                    "age" => Some(MaintenancePolicy::Age),
                    "calendar" => Some(MaintenancePolicy::Calendar),
                    _ => {
                        self.push(
                            Some(v.span()),
                            f("policy"),
                            format!("expected \"age\" or \"calendar\"; found {}", shown(&p)),
                            Some("\"age\" counts from the last repair or maintenance; \"calendar\" is due at fixed dates".into()),
                        );
                        None
                    }
                }),
            };
            match (indices, every, takes, tier, window, policy, out.as_mut()) {
                (
                    Some(services),
                    Some(every_minutes),
                    Some(takes),
                    Some(tier),
                    Some(window),
                    Some(policy),
                    Some(list),
                ) => list.push(Maintenance {
                    services,
                    every_minutes,
                    takes,
                    tier,
                    window,
                    policy,
                }),
                _ => out = None,
            }
        }
        out
    }

    /// A required array field: present, or an error naming it.
    fn required_list<'v>(
        &mut self,
        v: Option<&'v Spanned<Vec<V>>>,
        span: Option<Range<usize>>,
        field: &str,
    ) -> Option<&'v Spanned<Vec<V>>> {
        match v {
            None => self.push(
                span,
                field,
                "expected the required field \"services\"; found none",
                Some("add `services = [\"db\"]`".into()),
            ),
            Some(list) if list.get_ref().is_empty() => self.push(
                Some(list.span()),
                field,
                "expected at least one service; found []",
                Some("name the services this plan maintains, e.g. services = [\"db\"]".into()),
            ),
            Some(_) => {}
        }
        v
    }

    /// `[strategies.X.tiers.T]` (model.md §8.13): each override merged onto tier T's own
    /// table and checked as a tier. `shifts` replaces the base's `staff`/`hours` and the
    /// reverse; `on_call` replaces the whole rota. Returns every tier, overridden or not.
    fn tier_overrides(
        &mut self,
        map: &Spanned<IndexMap<Spanned<String>, Spanned<RawTier>>>,
        path: &str,
        base: &Bases,
    ) -> Option<Vec<Tier>> {
        let mut resolved = base.tiers.map(<[Tier]>::to_vec);
        for (key, item) in map.get_ref() {
            let name = key.get_ref();
            let tier_path = join(path, name);
            let o = item.get_ref();
            let Some(i) = base
                .tier_names
                .iter()
                .position(|t| t.as_deref() == Some(name.as_str()))
            else {
                let known = base.tier_names.iter().flatten().map(String::as_str);
                let help = match closest(name, known.clone()) {
                    Some(c) => format!("did you mean [{}]?", join(path, c)),
                    None => "override one of the tiers defined under [[tiers]]".into(),
                };
                self.push(
                    Some(key.span()),
                    &tier_path,
                    format!(
                        "expected the name of a tier ({}); found {}",
                        known.collect::<Vec<_>>().join(", "),
                        shown(name)
                    ),
                    Some(help),
                );
                resolved = None;
                continue;
            };
            if let Some(v) = &o.name {
                self.push(
                    Some(v.span()),
                    format!("{tier_path}.name"),
                    "a strategy may change any tier field but its name",
                    Some(format!(
                        "remove `name`; the table [{tier_path}] names the tier"
                    )),
                );
                resolved = None;
                continue;
            }
            let Some(b) = base.raw_tiers.get(i).map(Spanned::get_ref) else {
                continue;
            };
            let gives_shifts = o.shifts.is_some();
            let gives_staff = o.staff.is_some() || o.hours.is_some();
            let merged = RawTier {
                name: None,
                staff: o
                    .staff
                    .clone()
                    .or_else(|| (!gives_shifts).then(|| b.staff.clone()).flatten()),
                hours: o
                    .hours
                    .clone()
                    .or_else(|| (!gives_shifts).then(|| b.hours.clone()).flatten()),
                shifts: o
                    .shifts
                    .clone()
                    .or_else(|| (!gives_staff).then(|| b.shifts.clone()).flatten()),
                utc_offset: o.utc_offset.clone().or_else(|| b.utc_offset.clone()),
                hourly_cost: o.hourly_cost.clone().or_else(|| b.hourly_cost.clone()),
                annual_cost_per_engineer: o
                    .annual_cost_per_engineer
                    .clone()
                    .or_else(|| b.annual_cost_per_engineer.clone()),
                cost_per_incident: o
                    .cost_per_incident
                    .clone()
                    .or_else(|| b.cost_per_incident.clone()),
                on_call: o.on_call.clone().or_else(|| b.on_call.clone()),
            };
            let tier = self.tier_body(&merged, Some(item.span()), &tier_path, Some(name.clone()));
            match (tier, resolved.as_mut()) {
                (Some(tier), Some(list)) => list[i] = tier,
                _ => resolved = None,
            }
        }
        resolved
    }

    /// A strategy's `paging = "NAME"`: the index of that escalation policy.
    fn policy_ref(&mut self, v: &V, field: &str, policies: &[Option<String>]) -> Option<usize> {
        let name = self.text(v, field)?;
        if let Some(i) = policies
            .iter()
            .position(|p| p.as_deref() == Some(name.as_str()))
        {
            return Some(i);
        }
        let known: Vec<&str> = policies.iter().flatten().map(String::as_str).collect();
        let help = match closest(&name, known.iter().copied()) {
            Some(c) => format!("did you mean \"{c}\"? or define it under [[escalation_policies]]"),
            None => "define a policy with this name under [[escalation_policies]], e.g.\n    [[escalation_policies]]\n    name = \"p1\"\n    rules = [{ delay = \"15m\", tier = \"sre\" }]".into(),
        };
        self.push(
            Some(v.span()),
            field,
            format!(
                "expected the name of an escalation policy ({}); found {}",
                if known.is_empty() {
                    "none defined".to_string()
                } else {
                    known.join(", ")
                },
                shown(&name)
            ),
            Some(help),
        );
        None
    }

    /// A mode's `workaround = { fix, tier, success, recurs }` (model.md §8.8).
    fn workaround(
        &mut self,
        raw: &Spanned<RawWorkaround>,
        path: &str,
        tiers: &[Option<String>],
    ) -> Option<Workaround> {
        let span = Some(raw.span());
        let w = raw.get_ref();
        let f = |name: &str| format!("{path}.{name}");
        let fix = self
            .required(w.fix.as_ref(), span.clone(), &f("fix"), "fix = \"10m\"")
            .and_then(|v| self.dist(v, &f("fix")));
        let tier = self
            .required(
                w.tier.as_ref(),
                span.clone(),
                &f("tier"),
                "tier = \"help-desk\"",
            )
            .and_then(|v| self.tier_ref(v, &f("tier"), tiers));
        let success = self
            .required(
                w.success.as_ref(),
                span.clone(),
                &f("success"),
                "success = 0.6",
            )
            .and_then(|v| {
                self.number(
                    v,
                    &f("success"),
                    bounds("services[].modes[].workaround.success"),
                )
            });
        let recurs = self
            .required(w.recurs.as_ref(), span, &f("recurs"), "recurs = \"2d\"")
            .and_then(|v| {
                let d = self.dist(v, &f("recurs"))?;
                if d.mean() > 0.0 {
                    return Some(d);
                }
                self.push(
                    Some(v.span()),
                    f("recurs"),
                    format!(
                        "expected a time to the recurrence with a mean > 0; found {}",
                        d.describe()
                    ),
                    Some(
                        "a root cause cannot strike again at once: give recurs a positive mean, \
                         e.g. \"2d\""
                            .into(),
                    ),
                );
                None
            });
        Some(Workaround {
            fix: fix?,
            tier: tier?,
            success: success?,
            recurs: recurs?,
        })
    }

    /// A strategy's `problems = { after, fix, tier }` (model.md §8.9).
    fn problems(
        &mut self,
        raw: &Spanned<RawProblems>,
        path: &str,
        tiers: &[Option<String>],
    ) -> Option<Problems> {
        let span = Some(raw.span());
        let p = raw.get_ref();
        let f = |name: &str| format!("{path}.{name}");
        let after = match &p.after {
            None => Some(0),
            Some(v) => self.integer(v, &f("after"), bounds("strategies.*.problems.after")),
        };
        let fix = self
            .required(p.fix.as_ref(), span.clone(), &f("fix"), "fix = \"4h\"")
            .and_then(|v| self.dist(v, &f("fix")));
        let tier = self
            .required(p.tier.as_ref(), span, &f("tier"), "tier = \"senior\"")
            .and_then(|v| self.tier_ref(v, &f("tier"), tiers));
        Some(Problems {
            after: u32::try_from(after?).ok()?,
            fix: fix?,
            tier: tier?,
        })
    }

    fn monitoring(&mut self, raw: &Spanned<RawMonitoring>, path: &str) -> Option<Monitoring> {
        let span = Some(raw.span());
        let m = raw.get_ref();
        let f = |name: &str| format!("{path}.{name}");
        let coverage = match &m.coverage {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &f("coverage"),
                bounds("strategies.*.monitoring.coverage"),
            ),
        };
        let detect = match &m.detect {
            None => Some(Dist::fixed(0.0)),
            Some(v) => self.dist(v, &f("detect")),
        };
        let outage_detect = self
            .required(
                m.outage_detect.as_ref(),
                span.clone(),
                &f("outage_detect"),
                "outage_detect = \"2m\"",
            )
            .and_then(|v| self.duration(v, &f("outage_detect"), true));
        let false_alarms_per_week = match &m.false_alarms_per_week {
            None => Some(0.0),
            Some(v) => self.number(
                v,
                &f("false_alarms_per_week"),
                bounds("strategies.*.monitoring.false_alarms_per_week"),
            ),
        };
        let triage = match (&m.triage, false_alarms_per_week) {
            (Some(v), _) => self.duration(v, &f("triage"), true),
            (None, Some(rate)) if rate > 0.0 => {
                self.push(
                    span,
                    f("triage"),
                    format!(
                        "expected the field \"triage\" (required when false_alarms_per_week > 0); \
                         found none, with {rate} false alarms per week"
                    ),
                    Some(
                        "add triage = \"10m\": the time an engineer spends on each false alarm"
                            .into(),
                    ),
                );
                None
            }
            (None, _) => Some(0.0),
        };
        Some(Monitoring {
            coverage: coverage?,
            detect: detect?,
            outage_detect: outage_detect?,
            false_alarms_per_week: false_alarms_per_week?,
            triage: triage?,
        })
    }
}

/// The `name` of an array element, when it is text: used to name it in field paths.
fn name_of(value: Option<&V>) -> Option<String> {
    match value.map(|v| v.get_ref()) {
        Some(Raw::Str(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<ScenarioError> {
        match parse_str(text, "t.toml") {
            Ok(_) => panic!("expected errors"),
            Err(e) => e.0,
        }
    }

    const MINIMAL: &str = r#"
[simulation]
horizon = "30d"

[[tiers]]
name = "desk"
staff = 1

[[services]]
name = "web"
report_delay = "10m"
failures = { every = "7d" }

[[services.modes]]
name = "crash"
fix = "1h"
needs = "desk"

[strategies.only]
escalate_after = "1h"
"#;

    #[test]
    fn minimal_scenario_takes_the_documented_defaults() {
        let s = parse_str(MINIMAL, "dir/my-file.toml").expect("valid");
        assert_eq!(s.name, "my-file");
        assert_eq!(s.description, "");
        assert_eq!(s.currency, "USD");
        assert_eq!(s.simulation.replications, 1000);
        assert_eq!(s.simulation.seed, 0);
        assert_eq!(s.tiers[0].hours, Hours::AlwaysOpen);
        assert_eq!(s.tiers[0].hourly_cost, 0.0);
        let svc = &s.services[0];
        assert_eq!(svc.priority, 1);
        assert_eq!(svc.degraded_cost_fraction, 0.0);
        assert_eq!(svc.modes[0].weight, 1.0);
        assert_eq!(svc.modes[0].warning, Dist::fixed(0.0));
        let st = &s.strategies[0];
        assert_eq!(st.handoff, 0.0);
        assert_eq!(st.fix_multiplier, 1.0);
        assert_eq!(st.alert_tier, 0);
        assert_eq!(st.route_direct, 0.0);
        assert!(st.monitoring.is_none());
    }

    #[test]
    fn every_distribution_kind_parses() {
        let cases = [
            (r#""2h""#, Dist::fixed(120.0)),
            (r#"{ dist = "fixed", value = "2h" }"#, Dist::fixed(120.0)),
            (
                r#"{ dist = "exponential", mean = "1h" }"#,
                Dist::Exponential { mean: 60.0 },
            ),
            (
                r#"{ dist = "lognormal", median = "45m", p90 = "3h" }"#,
                Dist::lognormal_median_p90(45.0, 180.0),
            ),
            (
                r#"{ dist = "lognormal", mean = "1h", sd = "30m" }"#,
                Dist::lognormal_mean_sd(60.0, 30.0),
            ),
            (
                r#"{ dist = "weibull", shape = 1.5, scale = "2h" }"#,
                Dist::Weibull {
                    shape: 1.5,
                    scale: 120.0,
                },
            ),
            (
                r#"{ dist = "gamma", shape = 2, mean = "1h" }"#,
                Dist::gamma_shape_mean(2.0, 60.0),
            ),
            (
                r#"{ dist = "uniform", min = "10m", max = "20m" }"#,
                Dist::Uniform {
                    min: 10.0,
                    max: 20.0,
                },
            ),
            (
                r#"{ dist = "triangular", min = "10m", mode = "20m", max = "1h" }"#,
                Dist::Triangular {
                    min: 10.0,
                    mode: 20.0,
                    max: 60.0,
                },
            ),
            (
                r#"{ dist = "pert", min = "10m", mode = "20m", max = "1h" }"#,
                Dist::Pert {
                    min: 10.0,
                    mode: 20.0,
                    max: 60.0,
                },
            ),
            (
                r#"{ dist = "empirical", samples = ["10m", "1h"] }"#,
                Dist::Empirical {
                    samples: vec![10.0, 60.0],
                },
            ),
        ];
        for (text, expected) in cases {
            let toml = MINIMAL.replace("fix = \"1h\"", &format!("fix = {text}"));
            let s = parse_str(&toml, "t.toml").unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(s.services[0].modes[0].fix, expected, "{text}");
        }
    }

    #[test]
    fn distribution_errors_name_the_parameter() {
        let cases = [
            (
                r#"{ dist = "normal", mean = "1h" }"#,
                "fix.dist",
                "expected a distribution kind",
            ),
            (r#"{ mean = "1h" }"#, "fix", "without `dist`"),
            (
                r#"{ dist = "exponential", mean = "1h", sd = "2h" }"#,
                "fix.sd",
                "unknown parameter \"sd\"",
            ),
            (r#"{ dist = "exponential" }"#, "fix.mean", "found none"),
            (
                r#"{ dist = "exponential", mean = "0m" }"#,
                "fix.mean",
                "mean > 0",
            ),
            (
                r#"{ dist = "lognormal", median = "1h", sd = "2h" }"#,
                "fix",
                "both",
            ),
            (
                r#"{ dist = "lognormal", mean = "1h", sd = "0m" }"#,
                "fix.sd",
                "sd > 0",
            ),
            (
                r#"{ dist = "weibull", shape = 0, scale = "1h" }"#,
                "fix.shape",
                "number > 0",
            ),
            (
                r#"{ dist = "weibull", shape = "2", scale = "1h" }"#,
                "fix.shape",
                "no unit",
            ),
            (
                r#"{ dist = "gamma", shape = 2, mean = 60 }"#,
                "fix.mean",
                "needs a unit",
            ),
            (
                r#"{ dist = "uniform", min = "2h", max = "1h" }"#,
                "fix.max",
                "max ≥ min",
            ),
            (
                r#"{ dist = "pert", min = "1h", mode = "2h", max = "90m" }"#,
                "fix.mode",
                "mode 2h > max 1h30m",
            ),
            (
                r#"{ dist = "empirical", samples = [] }"#,
                "fix.samples",
                "at least one sample",
            ),
            (
                r#"{ dist = "empirical", samples = ["1h", "x"] }"#,
                "fix.samples[1]",
                "found \"x\"",
            ),
            (
                r#"{ dist = "weibull", shape = 0.001, scale = "1h" }"#,
                "fix",
                "finite mean",
            ),
            ("true", "fix", "the boolean true"),
        ];
        for (text, field, message) in cases {
            let toml = MINIMAL.replace("fix = \"1h\"", &format!("fix = {text}"));
            let errs = errors(&toml);
            assert!(
                errs.iter()
                    .any(|e| e.field == format!("services.web.modes.crash.{field}")
                        && e.message.contains(message)
                        && e.line == Some(16)),
                "{text}: {errs:#?}"
            );
        }
    }

    #[test]
    fn integers_and_numbers_are_checked() {
        let errs = errors(&MINIMAL.replace("staff = 1", "staff = 1.5"));
        assert!(
            errs[0]
                .message
                .contains("expected an integer from 1 to 1000000; found the number 1.5")
        );
        let errs = errors(&MINIMAL.replace("staff = 1", "staff = \"2\""));
        assert_eq!(errs[0].help.as_deref(), Some("remove the quotes: 2"));
        let errs = errors(&MINIMAL.replace(
            "horizon = \"30d\"",
            "horizon = \"30d\"\nreplications = 1000.0",
        ));
        assert_eq!(
            errs[0].help.as_deref(),
            Some("write it without a decimal point: 1000")
        );
        let errs = errors(&MINIMAL.replace("horizon = \"30d\"", "horizon = \"30d\"\nseed = -1"));
        assert_eq!(errs[0].field, "simulation.seed");
        let errs = errors(&MINIMAL.replace("staff = 1", "staff = 1\nhours = \"9to5\""));
        assert!(
            errs[0]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("weekly ranges"),
            "{:?}",
            errs[0]
        );
        let errs = errors(&format!("currency = \"usd\"\n{MINIMAL}"));
        assert_eq!(
            errs[0].help.as_deref(),
            Some("write it in capitals: \"USD\"")
        );
    }

    #[test]
    fn syntax_errors_are_reported_with_positions() {
        let errs = errors("name = \n[simulation]\nhorizon = \"1d\"\n");
        assert_eq!(errs[0].line, Some(1));
        assert!(errs[0].message.starts_with("invalid TOML"));
    }

    #[test]
    fn structural_type_errors_name_the_field() {
        let errs = errors(&format!(
            "tiers = 3\n{}",
            MINIMAL.replace("[[tiers]]\nname = \"desk\"\nstaff = 1\n", "")
        ));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "tiers");
        assert_eq!(errs[0].message, "expected an array; found the number 3");
        let errs = errors(&MINIMAL.replace("[[tiers]]", "[tiers]"));
        assert_eq!(errs[0].message, "expected an array; found a table");
        assert!(errs[0].help.as_deref().unwrap_or("").contains("[[tiers]]"));
        let errs = errors(&MINIMAL.replace("horizon = \"30d\"", "horizon = 2024-01-01"));
        assert!(errs[0].message.contains("date-time"), "{errs:?}");
    }

    #[test]
    fn false_alarm_rate_is_bounded() {
        let toml = MINIMAL.replace(
            "escalate_after = \"1h\"",
            "escalate_after = \"1h\"\nmonitoring = { outage_detect = \"1m\", false_alarms_per_week = 1e9, triage = \"1m\" }",
        );
        let errs = errors(&toml);
        assert_eq!(
            errs[0].field,
            "strategies.only.monitoring.false_alarms_per_week"
        );
    }

    #[test]
    fn paths_use_indices_when_names_are_missing() {
        let errs = errors(&MINIMAL.replace("name = \"crash\"\n", ""));
        assert_eq!(errs[0].field, "services.web.modes[0].name");
        assert_eq!(errs[0].line, Some(14));
    }

    #[test]
    fn suggestions_are_close_names_only() {
        assert_eq!(
            closest("escalate_afer", ["handoff", "escalate_after"].into_iter()),
            Some("escalate_after")
        );
        assert_eq!(closest("zzz", ["handoff"].into_iter()), None);
    }

    /// The keys serde accepts for a raw struct: its derived `Deserialize` hands them to
    /// `deserialize_struct`, which this probe records and then refuses.
    fn serde_keys<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        struct Probe<'a>(&'a mut Vec<&'static str>);
        impl<'de> Deserializer<'de> for Probe<'_> {
            type Error = de::value::Error;
            fn deserialize_any<W: Visitor<'de>>(self, _: W) -> Result<W::Value, Self::Error> {
                Err(de::Error::custom("not a struct"))
            }
            fn deserialize_struct<W: Visitor<'de>>(
                self,
                _name: &'static str,
                fields: &'static [&'static str],
                _: W,
            ) -> Result<W::Value, Self::Error> {
                self.0.extend_from_slice(fields);
                Err(de::Error::custom("probed"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut keys = Vec::new();
        let _ = T::deserialize(Probe(&mut keys));
        assert!(!keys.is_empty(), "the probe saw no struct");
        keys
    }

    /// The parser reads a file through the `Raw*` structs and checks its keys against the
    /// registry, so the two must know the same keys: a field added to one only would be
    /// refused as unknown, or accepted and then dropped. Both directions, every table.
    #[test]
    fn raw_structs_and_the_field_registry_know_the_same_keys() {
        let tables: Vec<(&str, Vec<&'static str>)> = vec![
            ("", serde_keys::<RawScenario>()),
            ("simulation", serde_keys::<RawSimulation>()),
            ("finance", serde_keys::<RawFinance>()),
            ("tiers[]", serde_keys::<RawTier>()),
            ("tiers[].on_call", serde_keys::<RawOnCall>()),
            ("tiers[].shifts[]", serde_keys::<RawShift>()),
            ("services[]", serde_keys::<RawService>()),
            ("services[].failures", serde_keys::<RawFailures>()),
            ("services[].tickets", serde_keys::<RawTickets>()),
            ("services[].changes", serde_keys::<RawChanges>()),
            ("services[].depends_on[]", serde_keys::<RawDependency>()),
            ("services[].modes[]", serde_keys::<RawMode>()),
            (
                "services[].modes[].workaround",
                serde_keys::<RawWorkaround>(),
            ),
            ("strategies.*", serde_keys::<RawStrategy>()),
            ("strategies.*.monitoring", serde_keys::<RawMonitoring>()),
            ("strategies.*.problems", serde_keys::<RawProblems>()),
            ("strategies.*.maintenance[]", serde_keys::<RawMaintenance>()),
            // A strategy's tier override is read as a tier; the registry refuses its `name`.
            (
                "strategies.*.tiers.*",
                serde_keys::<RawTier>()
                    .into_iter()
                    .filter(|k| *k != "name")
                    .collect(),
            ),
            ("slas[]", serde_keys::<RawSla>()),
            ("escalation_policies[]", serde_keys::<RawPolicy>()),
            ("escalation_policies[].rules[]", serde_keys::<RawRule>()),
        ];
        for (pattern, raw) in &tables {
            let mut raw: Vec<&str> = raw.clone();
            let mut registry: Vec<&str> = fields::children(pattern).map(|f| f.key()).collect();
            raw.sort_unstable();
            registry.sort_unstable();
            assert_eq!(
                raw, registry,
                "keys of {pattern:?}: the Raw struct (left) and src/scenario/fields.rs (right) differ"
            );
        }
        // Every table of the registry has its Raw struct (`sources` maps free keys to text).
        let mut containers: Vec<String> = fields::FIELDS
            .iter()
            .filter(|f| f.kind.is_container() && f.path != "sources")
            .map(|f| f.children_pattern())
            .chain(std::iter::once(String::new()))
            .collect();
        let mut mapped: Vec<String> = tables.iter().map(|(p, _)| p.to_string()).collect();
        containers.sort_unstable();
        mapped.sort_unstable();
        assert_eq!(
            mapped, containers,
            "a table of the registry has no Raw struct here, or the reverse"
        );
    }
}
