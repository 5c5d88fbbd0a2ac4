//! `incsim import pagerduty POLICY.json [SCHEDULE.json…]`: a PagerDuty escalation policy and
//! its schedules, as the REST API returns them (`GET /escalation_policies/ID`,
//! `GET /schedules/ID`: the bare object or the `{"escalation_policy": …}` / `{"schedule": …}`
//! envelope), turned into a scenario fragment: one `[[tiers]]` per schedule the policy pages and
//! one `[[escalation_policies]]` (model.md §8.7).
//!
//! The mapping, field by field (every mapped value gets a `#` comment naming its source):
//! - `escalation_rules[i].escalation_delay_in_minutes` → the rule's `delay`; `num_loops` as is.
//! - A rule's schedule target → `tier` = the schedule's name, slugged. A rule with several
//!   schedules becomes one rule per schedule, all but the last with `delay = "0m"`, so they are
//!   paged at the same moment as PagerDuty notifies them. User targets are not modelled: a rule
//!   with users only is left out and its delay added to the rule before it (later rules keep
//!   their times).
//! - A schedule → a tier. PagerDuty's final schedule has one user on call at a time (each layer
//!   puts one on duty; a higher layer takes precedence), so `on_call.staff = 1`. The layers'
//!   `restrictions` (daily or weekly windows, in the schedule's `time_zone`) give when someone
//!   is on call; the remaining hours are taken as the tier's working `hours` (nobody is paged
//!   then: the team is at work). A schedule on call every hour says nothing of working hours:
//!   `hours = "business"` is then a marked placeholder. `staff` = the distinct users of the
//!   layers. `utc_offset` = the zone's standard offset (IANA names through chrono-tz; summer
//!   time is not modelled and is named in the comment).
//! - Not mapped, and named in the fragment and in the notes: user targets, layer `end` dates,
//!   `on_call_handoff_notifications`, `teams`, overrides, and any other field incsim does not
//!   read.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::str::FromStr;

use chrono::{Offset, TimeZone, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ImportError;
use crate::scenario::slug;

/// One input file: its name as the user gave it and its text.
#[derive(Debug, Clone)]
pub struct Input {
    pub file: String,
    pub text: String,
}

/// The fragment and what did not map.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// TOML to append to a scenario.
    pub toml: String,
    /// One line per PagerDuty feature that was not mapped or was only approximated.
    pub notes: Vec<String>,
    /// The policy's name in the scenario (what a strategy's `paging` names).
    pub policy: String,
    /// The tiers written, in order.
    pub tiers: Vec<String>,
}

/// Minutes in a week; minute 0 is Monday 00:00 local time.
const WEEK: usize = 7 * 1440;

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

// ---------------------------------------------------------------------------------------------
// The API objects (only the fields incsim reads; the rest is listed from the raw JSON)
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct PolicyEnvelope {
    escalation_policy: Policy,
}

#[derive(Deserialize)]
struct Policy {
    name: String,
    #[serde(default)]
    num_loops: Option<u32>,
    escalation_rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    escalation_delay_in_minutes: u32,
    #[serde(default)]
    targets: Vec<Reference>,
}

#[derive(Deserialize, Clone)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize)]
struct ScheduleEnvelope {
    schedule: Schedule,
}

#[derive(Deserialize)]
struct Schedule {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    time_zone: String,
    schedule_layers: Vec<Layer>,
}

#[derive(Deserialize)]
struct Layer {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    rotation_turn_length_seconds: Option<u64>,
    #[serde(default)]
    users: Vec<UserEntry>,
    #[serde(default)]
    restrictions: Vec<Restriction>,
}

#[derive(Deserialize)]
struct UserEntry {
    user: Reference,
}

#[derive(Deserialize)]
struct Restriction {
    #[serde(rename = "type")]
    kind: RestrictionKind,
    start_time_of_day: TimeOfDay,
    duration_seconds: u64,
    #[serde(default)]
    start_day_of_week: Option<u8>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum RestrictionKind {
    DailyRestriction,
    WeeklyRestriction,
}

/// `"HH:MM:SS"` (or `"HH:MM"`), in seconds since midnight.
#[derive(Clone, Copy)]
struct TimeOfDay(u32);

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parts: Vec<&str> = text.split(':').collect();
        let number = |s: &str, max: u32| s.parse::<u32>().ok().filter(|v| *v <= max);
        let parsed = match parts.as_slice() {
            [h, m] => number(h, 23)
                .zip(number(m, 59))
                .map(|(h, m)| h * 3600 + m * 60),
            [h, m, s] => number(h, 23)
                .zip(number(m, 59))
                .zip(number(s, 59))
                .map(|((h, m), s)| h * 3600 + m * 60 + s),
            _ => None,
        };
        parsed.map(TimeOfDay).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a time of day \"HH:MM:SS\"; found {text:?}"
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// What to write after "help:" for a field that failed to read.
fn field_help(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    match last {
        "escalation_delay_in_minutes" => "write a whole number of minutes ≥ 0, e.g. 30".into(),
        "num_loops" => "write a whole number of loops ≥ 0, e.g. 2 (or null)".into(),
        "escalation_rules" | "schedule_layers" => {
            format!("{last} is a list of objects, as the PagerDuty API returns it")
        }
        "targets" => {
            "targets is a list such as [{\"id\": \"PSCHED1\", \"type\": \"schedule_reference\"}]"
                .into()
        }
        "type" => "a target's type is schedule_reference or user_reference; a restriction's is daily_restriction or weekly_restriction".into(),
        "start_time_of_day" => "write the time as \"HH:MM:SS\", e.g. \"09:00:00\"".into(),
        "duration_seconds" | "rotation_turn_length_seconds" => {
            "write a whole number of seconds, e.g. 32400 for 9 hours".into()
        }
        "start_day_of_week" => "write an ISO day number, 1 (Monday) … 7 (Sunday)".into(),
        "time_zone" => "write the schedule's IANA time zone, e.g. \"Europe/Berlin\"".into(),
        _ => "export the object again from the PagerDuty REST API, or fix this field".into(),
    }
}

/// `serde_json` ends its messages with " at line L column C": the error shows them first.
fn bare_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn position(e: &serde_json::Error) -> Option<(usize, usize)> {
    (e.line() > 0).then(|| (e.line(), e.column()))
}

/// The file as JSON (any shape): a syntax error names its line and column.
fn read_json(input: &Input, what: &str) -> Result<Value, ImportError> {
    serde_json::from_str(&input.text).map_err(|e| ImportError {
        file: input.file.clone(),
        at: position(&e),
        field: String::new(),
        message: format!("not valid JSON: {}", bare_message(&e)),
        help: format!(
            "give the JSON of {what} as the PagerDuty REST API returns it (e.g. curl … > file.json)"
        ),
    })
}

/// The typed object, with the failing field's path and position on error.
fn read_typed<T: DeserializeOwned>(input: &Input) -> Result<T, ImportError> {
    let mut de = serde_json::Deserializer::from_str(&input.text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        ImportError {
            file: input.file.clone(),
            at: position(inner),
            field: if path == "." {
                String::new()
            } else {
                path.clone()
            },
            message: bare_message(inner),
            help: field_help(&path),
        }
    })
}

fn shape_error(input: &Input, message: &str, help: &str) -> ImportError {
    ImportError {
        file: input.file.clone(),
        at: None,
        field: String::new(),
        message: message.into(),
        help: help.into(),
    }
}

/// The policy, and its raw JSON object (for the fields incsim does not read).
fn read_policy(input: &Input) -> Result<(Policy, Value), ImportError> {
    let raw = read_json(input, "an escalation policy")?;
    let Some(object) = raw.as_object() else {
        return Err(shape_error(
            input,
            "expected an escalation policy object; found another JSON value",
            "export it with GET /escalation_policies/ID",
        ));
    };
    if let Some(inner) = object.get("escalation_policy") {
        let envelope: PolicyEnvelope = read_typed(input)?;
        return Ok((envelope.escalation_policy, inner.clone()));
    }
    if object.contains_key("schedule") || object.contains_key("schedule_layers") {
        return Err(shape_error(
            input,
            "this is a schedule, not an escalation policy",
            "give the escalation policy first: incsim import pagerduty POLICY.json SCHEDULE.json…",
        ));
    }
    if object.contains_key("escalation_policies") {
        return Err(shape_error(
            input,
            "this is a list of escalation policies",
            "export one policy with GET /escalation_policies/ID",
        ));
    }
    Ok((read_typed(input)?, raw))
}

fn read_schedule(input: &Input) -> Result<(Schedule, Value), ImportError> {
    let raw = read_json(input, "a schedule")?;
    let Some(object) = raw.as_object() else {
        return Err(shape_error(
            input,
            "expected a schedule object; found another JSON value",
            "export it with GET /schedules/ID",
        ));
    };
    if let Some(inner) = object.get("schedule") {
        let envelope: ScheduleEnvelope = read_typed(input)?;
        return Ok((envelope.schedule, inner.clone()));
    }
    if object.contains_key("escalation_rules") || object.contains_key("escalation_policy") {
        return Err(shape_error(
            input,
            "this is an escalation policy, not a schedule",
            "give one policy, then its schedules: incsim import pagerduty POLICY.json SCHEDULE.json…",
        ));
    }
    Ok((read_typed(input)?, raw))
}

/// Fields of an API object that carry no model input (identity, links, timestamps).
const QUIET: &[&str] = &[
    "id",
    "type",
    "summary",
    "self",
    "html_url",
    "description",
    "created_at",
    "updated_at",
    "privilege",
];

/// Why a PagerDuty feature has no counterpart in the model.
fn reason(field: &str) -> &'static str {
    match field {
        "on_call_handoff_notifications" => "handoff notifications are not modelled",
        "teams" => "teams are not modelled; tiers are",
        "services" => "a strategy chooses the policy with paging = \"NAME\"",
        "escalation_rule_assignment_strategy" => "incident assignment is not modelled",
        "overrides_subschedule" | "overrides" => {
            "overrides are one-off changes: the model keeps the rota"
        }
        "final_schedule" => "the final schedule is computed from the layers",
        _ => "not read by incsim",
    }
}

/// The fields of `object` that are neither read (`read`) nor quiet, with a value, as notes.
fn unread(object: &Value, read: &[&str], prefix: &str, notes: &mut Vec<String>) {
    let Some(map) = object.as_object() else {
        return;
    };
    for (key, value) in map {
        let empty = value.is_null()
            || value.as_array().is_some_and(Vec::is_empty)
            || value.as_object().is_some_and(|o| o.is_empty());
        if empty || read.contains(&key.as_str()) || QUIET.contains(&key.as_str()) {
            continue;
        }
        notes.push(format!("{prefix}{key}: not mapped ({})", reason(key)));
    }
}

// ---------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------

/// A schedule as a tier.
struct TierOut {
    name: String,
    lines: Vec<String>,
}

/// Import a policy and the schedules it pages.
pub fn import(policy_input: &Input, schedules: &[Input]) -> Result<Imported, ImportError> {
    let (policy, policy_raw) = read_policy(policy_input)?;
    let mut read = Vec::new();
    for input in schedules {
        read.push((input, read_schedule(input)?));
    }
    let mut notes = Vec::new();
    unread(
        &policy_raw,
        &["name", "num_loops", "escalation_rules"],
        "",
        &mut notes,
    );
    if policy.escalation_rules.is_empty() {
        return Err(ImportError {
            file: policy_input.file.clone(),
            at: None,
            field: "escalation_rules".into(),
            message: "expected at least one rule; found []".into(),
            help: "a policy pages through its rules: export a policy that has some".into(),
        });
    }

    // The rules: (delay minutes, schedule reference, comment), in firing order.
    struct RuleOut {
        delay: u32,
        schedule: Reference,
        delay_note: String,
        tier_note: String,
    }
    let mut rules: Vec<RuleOut> = Vec::new();
    let mut leading_dropped = 0u32;
    for (i, rule) in policy.escalation_rules.iter().enumerate() {
        let raw_rule = &policy_raw["escalation_rules"][i];
        unread(
            raw_rule,
            &["escalation_delay_in_minutes", "targets"],
            &format!("escalation_rules[{i}]."),
            &mut notes,
        );
        let delay = rule.escalation_delay_in_minutes;
        let delay_source = format!("escalation_rules[{i}].escalation_delay_in_minutes = {delay}");
        let mut scheduled: Vec<(usize, &Reference)> = Vec::new();
        for (j, target) in rule.targets.iter().enumerate() {
            match target.kind.as_str() {
                "schedule_reference" | "schedule" => scheduled.push((j, target)),
                other => notes.push(format!(
                    "escalation_rules[{i}].targets[{j}]: {other} {} not mapped (only schedules become tiers)",
                    describe(target)
                )),
            }
        }
        if scheduled.is_empty() {
            // Keep the later rules' times: this rule's wait is added to the rule before it.
            match rules.last_mut() {
                Some(previous) => {
                    previous.delay += delay;
                    write!(
                        previous.delay_note,
                        " + escalation_rules[{i}].escalation_delay_in_minutes = {delay} (that rule pages users only: left out)"
                    )
                    .ok();
                }
                None => leading_dropped += delay,
            }
            notes.push(format!(
                "escalation_rules[{i}]: pages no schedule; left out, its {delay}m wait kept"
            ));
            continue;
        }
        let last = scheduled.len() - 1;
        for (n, (j, target)) in scheduled.into_iter().enumerate() {
            let (delay, delay_note) = if n < last {
                (
                    0,
                    format!(
                        "escalation_rules[{i}] also pages targets[{}]: at the same moment",
                        j + 1
                    ),
                )
            } else {
                (delay, delay_source.clone())
            };
            rules.push(RuleOut {
                delay,
                schedule: target.clone(),
                delay_note,
                tier_note: format!("escalation_rules[{i}].targets[{j}] = {}", describe(target)),
            });
        }
    }
    if rules.is_empty() {
        return Err(ImportError {
            file: policy_input.file.clone(),
            at: None,
            field: "escalation_rules".into(),
            message: "no rule pages a schedule (only users)".into(),
            help: "the model pages tiers, which come from schedules: target a schedule in PagerDuty, or write the tiers by hand".into(),
        });
    }
    if leading_dropped > 0 {
        notes.push(format!(
            "the first rules page users only: PagerDuty reaches the first schedule after {leading_dropped}m, the model pages it at once"
        ));
    }

    // One tier per schedule, in the order the rules first name them.
    let mut tiers: Vec<TierOut> = Vec::new();
    let mut tier_of_schedule: Vec<(String, String)> = Vec::new();
    let mut used_files = vec![false; read.len()];
    for rule in &rules {
        if tier_of_schedule
            .iter()
            .any(|(id, _)| *id == rule.schedule.id)
        {
            continue;
        }
        let found = read.iter().position(|(_, (s, _))| s.id == rule.schedule.id);
        let tier = match found {
            Some(k) => {
                used_files[k] = true;
                let (input, (schedule, raw)) = &read[k];
                schedule_tier(input, schedule, raw, &mut notes)
            }
            None => missing_schedule_tier(&rule.schedule, &mut notes),
        };
        let mut name = tier.name.clone();
        // Two schedules with one slug: number the later one.
        let mut n = 2;
        while tiers.iter().any(|t| t.name == name) {
            name = format!("{}-{n}", tier.name);
            n += 1;
        }
        tier_of_schedule.push((rule.schedule.id.clone(), name.clone()));
        tiers.push(TierOut {
            name,
            lines: tier.lines,
        });
    }
    for ((input, (schedule, _)), used) in read.iter().zip(&used_files) {
        if !used {
            notes.push(format!(
                "{}: schedule {} is not paged by this policy; left out",
                input.file, schedule.id
            ));
        }
    }

    // The fragment.
    let policy_name = slug(&policy.name);
    let mut out = String::new();
    let files: Vec<&str> = std::iter::once(policy_input.file.as_str())
        .chain(schedules.iter().map(|s| s.file.as_str()))
        .collect();
    writeln!(
        out,
        "# Imported by `incsim import pagerduty` from {}.",
        files.join(", ")
    )
    .ok();
    writeln!(
        out,
        "# Append it to a scenario and page with it from a strategy: paging = \"{policy_name}\"."
    )
    .ok();
    out.push_str(
        "# Tiers are named from their schedules. To rename one, change its `name` and every\n\
         # `tier = \"…\"` below that names it. Tier order is escalation order (model.md §8.7:\n\
         # a policy pages where an incident first enters a tier with on_call).\n",
    );
    if !notes.is_empty() {
        out.push_str("# Not mapped or approximated:\n");
        for note in &notes {
            writeln!(out, "#   {note}").ok();
        }
    }
    for tier in &tiers {
        out.push('\n');
        out.push_str("[[tiers]]\n");
        writeln!(out, "name = {:?}", tier.name).ok();
        for line in &tier.lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("\n[[escalation_policies]]\n");
    writeln!(out, "name = {policy_name:?}  # name = {:?}", policy.name).ok();
    let loops = policy.num_loops.unwrap_or(0);
    match policy.num_loops {
        Some(n) => writeln!(out, "num_loops = {loops}  # num_loops = {n}").ok(),
        None => writeln!(out, "num_loops = 0  # num_loops absent: one pass").ok(),
    };
    for rule in &rules {
        let tier = &tier_of_schedule
            .iter()
            .find(|(id, _)| *id == rule.schedule.id)
            .expect("every rule's schedule has a tier")
            .1;
        out.push_str("\n[[escalation_policies.rules]]\n");
        writeln!(out, "delay = \"{}m\"  # {}", rule.delay, rule.delay_note).ok();
        writeln!(out, "tier = {tier:?}  # {}", rule.tier_note).ok();
    }
    Ok(Imported {
        toml: out,
        notes,
        policy: policy_name,
        tiers: tiers.into_iter().map(|t| t.name).collect(),
    })
}

/// `schedule PSCHED1 ("Primary")`.
fn describe(target: &Reference) -> String {
    match &target.summary {
        Some(s) => format!("{} {:?}", target.id, s),
        None => target.id.clone(),
    }
}

/// A tier for a schedule the policy names but whose file was not given: placeholders.
fn missing_schedule_tier(target: &Reference, notes: &mut Vec<String>) -> TierOut {
    let name = slug(target.summary.as_deref().unwrap_or(&target.id));
    notes.push(format!(
        "schedule {}: its file was not given, so tier {name:?} has placeholder hours and staff (pass the schedule's JSON too)",
        describe(target)
    ));
    TierOut {
        name,
        lines: vec![
            "staff = 1  # placeholder: schedule file not given".into(),
            "hours = \"business\"  # placeholder: schedule file not given".into(),
            "on_call = { staff = 1, ack = \"5m\" }  # placeholder rota: one engineer on call, ack not in PagerDuty".into(),
        ],
    }
}

fn schedule_tier(input: &Input, s: &Schedule, raw: &Value, notes: &mut Vec<String>) -> TierOut {
    let label = s
        .name
        .clone()
        .or_else(|| s.summary.clone())
        .unwrap_or_else(|| s.id.clone());
    let name = slug(&label);
    let file = &input.file;
    // A schedule's own `users` and `escalation_policies` repeat what the layers and the
    // policy file say: nothing is lost by not reading them.
    let mut raw = raw.clone();
    if let Some(map) = raw.as_object_mut() {
        map.remove("users");
        map.remove("escalation_policies");
    }
    let raw = &raw;
    unread(
        raw,
        &["name", "time_zone", "schedule_layers"],
        &format!("{file}: "),
        notes,
    );
    let mut lines = Vec::new();
    // When someone is on call: the union of the layers' windows.
    let mut covered = vec![false; WEEK];
    let mut users = BTreeSet::new();
    let mut restricted_layers = 0;
    for (l, layer) in s.schedule_layers.iter().enumerate() {
        unread(
            &raw["schedule_layers"][l],
            &[
                "name",
                "end",
                "start",
                "rotation_virtual_start",
                "rotation_turn_length_seconds",
                "users",
                "restrictions",
            ],
            &format!("{file}: schedule_layers[{l}]."),
            notes,
        );
        if let Some(end) = &layer.end {
            notes.push(format!(
                "{file}: schedule_layers[{l}].end = {end:?}: not mapped (the layer is kept for the whole horizon)"
            ));
        }
        for entry in &layer.users {
            users.insert(entry.user.id.clone());
        }
        if layer.restrictions.is_empty() {
            covered.iter_mut().for_each(|c| *c = true);
            continue;
        }
        restricted_layers += 1;
        for (r, restriction) in layer.restrictions.iter().enumerate() {
            let at = format!("{file}: schedule_layers[{l}].restrictions[{r}]");
            mark(restriction, &at, &mut covered, notes);
        }
    }
    let layer_names: Vec<String> = s
        .schedule_layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let turn = layer
                .rotation_turn_length_seconds
                .map(|t| format!(", turns of {}", turn_text(t)))
                .unwrap_or_default();
            format!(
                "{} ({} users{turn})",
                layer.name.clone().unwrap_or_else(|| format!("layer {l}")),
                layer.users.len()
            )
        })
        .collect();
    lines.push(format!(
        "# schedule {} {label:?} in {file}: layers {}",
        s.id,
        layer_names.join(", ")
    ));
    let staff = users.len().max(1);
    lines.push(format!(
        "staff = {staff}  # the {} distinct users of schedule_layers[].users (assumed to work the tier's hours)",
        users.len()
    ));
    let open_hours: Vec<bool> = covered.iter().map(|c| !c).collect();
    if open_hours.iter().all(|o| !o) {
        lines.push(
            "hours = \"business\"  # placeholder: the schedule is on call every hour, so PagerDuty does not say when the team works"
                .into(),
        );
    } else {
        lines.push(format!(
            "hours = {:?}  # the hours no layer is on call ({restricted_layers} layer(s) with restrictions)",
            hours_text(&open_hours)
        ));
    }
    match standard_offset(&s.time_zone) {
        Some((standard, summer)) => {
            let summer = match summer {
                Some(m) => format!(
                    " (standard time; summer time {} is not modelled)",
                    offset_text(m)
                ),
                None => String::new(),
            };
            lines.push(format!(
                "utc_offset = \"{}\"  # time_zone = {:?}{summer}",
                offset_text(standard),
                s.time_zone
            ));
        }
        None => {
            notes.push(format!(
                "{file}: time_zone = {:?} is not an IANA time zone: tier {name:?} uses the site's offset (set utc_offset by hand)",
                s.time_zone
            ));
            lines.push(format!(
                "# time_zone = {:?} is not an IANA name: set utc_offset = \"+HH:MM\" by hand",
                s.time_zone
            ));
        }
    }
    lines.push("[tiers.on_call]".into());
    lines.push(match s.schedule_layers.len() {
        1 => "staff = 1  # one user on call at a time (one layer)".to_string(),
        n => format!(
            "staff = 1  # one user on call at a time: each of the {n} layers puts one on duty, the higher layer wins"
        ),
    });
    lines.push(
        "ack = \"5m\"  # placeholder: PagerDuty exports no time to acknowledge (incsim fit estimates it from an incident export)"
            .into(),
    );
    TierOut { name, lines }
}

/// Marks the minutes of the week a restriction covers.
fn mark(restriction: &Restriction, at: &str, covered: &mut [bool], notes: &mut Vec<String>) {
    let start_seconds = restriction.start_time_of_day.0;
    if !start_seconds.is_multiple_of(60) || !restriction.duration_seconds.is_multiple_of(60) {
        notes.push(format!(
            "{at}: seconds rounded to the minute (the model's hours are minute-exact)"
        ));
    }
    let start_minute = ((start_seconds as f64) / 60.0).round() as usize;
    let mut minutes = ((restriction.duration_seconds as f64) / 60.0).round() as usize;
    let starts: Vec<usize> = match restriction.kind {
        RestrictionKind::DailyRestriction => {
            if minutes > 1440 {
                notes.push(format!(
                    "{at}: a daily restriction longer than a day is cut to 24h"
                ));
                minutes = 1440;
            }
            (0..7).map(|d| d * 1440 + start_minute).collect()
        }
        RestrictionKind::WeeklyRestriction => {
            let day = match restriction.start_day_of_week {
                Some(d @ 1..=7) => d as usize - 1,
                other => {
                    notes.push(format!(
                        "{at}: start_day_of_week = {other:?} is not 1 … 7; Monday used"
                    ));
                    0
                }
            };
            minutes = minutes.min(WEEK);
            vec![day * 1440 + start_minute]
        }
    };
    for start in starts {
        for m in start..start + minutes {
            covered[m % WEEK] = true;
        }
    }
}

/// Weekly hours in the syntax of model.md §8.1: each day's open intervals (split at midnight),
/// days with the same intervals grouped (`Mon-Fri 00:00-08:00, 18:00-24:00; Sat-Sun 00:00-24:00`).
pub fn hours_text(open: &[bool]) -> String {
    assert_eq!(open.len(), WEEK, "a week of minutes");
    if open.iter().all(|o| *o) {
        return "24x7".into();
    }
    let clock = |m: usize| format!("{:02}:{:02}", m / 60, m % 60);
    let day_text: Vec<String> = (0..7)
        .map(|d| {
            let day = &open[d * 1440..(d + 1) * 1440];
            let mut ranges = Vec::new();
            let mut m = 0;
            while m < 1440 {
                if day[m] {
                    let start = m;
                    while m < 1440 && day[m] {
                        m += 1;
                    }
                    ranges.push(format!("{}-{}", clock(start), clock(m)));
                } else {
                    m += 1;
                }
            }
            ranges.join(", ")
        })
        .collect();
    if day_text.iter().all(|t| *t == day_text[0]) {
        return format!("daily {}", day_text[0]);
    }
    // Runs of consecutive days with the same text.
    let mut segments = Vec::new();
    let mut d = 0;
    while d < 7 {
        let mut e = d;
        while e + 1 < 7 && day_text[e + 1] == day_text[d] {
            e += 1;
        }
        if !day_text[d].is_empty() {
            let days = if e == d {
                DAY_NAMES[d].to_string()
            } else {
                format!("{}-{}", DAY_NAMES[d], DAY_NAMES[e])
            };
            segments.push(format!("{days} {}", day_text[d]));
        }
        d = e + 1;
    }
    segments.join("; ")
}

/// An IANA zone's standard offset in minutes and, where it has one, its summer offset: the
/// offsets in force on 15 January and 15 July 2025 (the smaller is standard time in both
/// hemispheres). `None` for a name that is not an IANA zone.
pub fn standard_offset(zone: &str) -> Option<(i32, Option<i32>)> {
    let tz = chrono_tz::Tz::from_str(zone).ok()?;
    let at = |month: u32| {
        let utc = Utc.with_ymd_and_hms(2025, month, 15, 12, 0, 0).single()?;
        Some(
            tz.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc()
                / 60,
        )
    };
    let (january, july) = (at(1)?, at(7)?);
    let standard = january.min(july);
    let summer = (january != july).then_some(january.max(july));
    Some((standard, summer))
}

/// `+05:30`, `-05:00`.
fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// `1 week`, `1 day`, `12h`.
fn turn_text(seconds: u64) -> String {
    match seconds {
        s if s.is_multiple_of(604_800) => format!("{} week(s)", s / 604_800),
        s if s.is_multiple_of(86_400) => format!("{} day(s)", s / 86_400),
        s if s.is_multiple_of(3_600) => format!("{}h", s / 3_600),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Hours;
    use crate::scenario::calendar::parse_hours;

    fn week_with(ranges: &[(usize, usize)]) -> Vec<bool> {
        let mut open = vec![false; WEEK];
        for &(a, b) in ranges {
            open[a..b].iter_mut().for_each(|o| *o = true);
        }
        open
    }

    #[test]
    fn hours_text_round_trips_through_the_hours_parser() {
        // Weekday nights and the weekend off: Mon-Fri 00:00-08:00 and 18:00-24:00.
        let mut ranges = Vec::new();
        for d in 0..5 {
            ranges.push((d * 1440, d * 1440 + 480));
            ranges.push((d * 1440 + 1080, (d + 1) * 1440));
        }
        let open = week_with(&ranges);
        let text = hours_text(&open);
        assert_eq!(text, "Mon-Fri 00:00-08:00, 18:00-24:00");
        let Ok(Hours::Weekly(parsed)) = parse_hours(&text) else {
            panic!("{text} parses as weekly hours");
        };
        let back: Vec<(usize, usize)> = parsed
            .open
            .iter()
            .map(|&(a, b)| (a as usize, b as usize))
            .collect();
        // The parser merges Mon 18:00-24:00 with Tue 00:00-08:00.
        let mut expected = vec![(0, 480)];
        for d in 0..4 {
            expected.push((d * 1440 + 1080, (d + 1) * 1440 + 480));
        }
        expected.push((4 * 1440 + 1080, 5 * 1440));
        assert_eq!(back, expected);
        assert_eq!(hours_text(&vec![true; WEEK]), "24x7");
        assert_eq!(
            hours_text(&week_with(
                &(0..7)
                    .map(|d| (d * 1440 + 60, d * 1440 + 120))
                    .collect::<Vec<_>>()
            )),
            "daily 01:00-02:00"
        );
    }

    #[test]
    fn iana_zones_give_their_standard_offset_and_name_summer_time() {
        assert_eq!(standard_offset("Europe/Berlin"), Some((60, Some(120))));
        assert_eq!(
            standard_offset("America/New_York"),
            Some((-300, Some(-240)))
        );
        // Southern hemisphere: summer is January.
        assert_eq!(standard_offset("Australia/Sydney"), Some((600, Some(660))));
        assert_eq!(standard_offset("Asia/Kolkata"), Some((330, None)));
        assert_eq!(standard_offset("UTC"), Some((0, None)));
        assert_eq!(standard_offset("Eastern Time (US & Canada)"), None);
        assert_eq!(offset_text(-300), "-05:00");
        assert_eq!(offset_text(345), "+05:45");
    }
}
