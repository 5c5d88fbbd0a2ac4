//! `incsim init`: write a commented starter scenario (every field with its default and
//! meaning) or a library scenario into the current folder, never over an existing file.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow};

use crate::cli::InitArgs;

/// The library scenarios `--from` accepts: (name, text).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "saas-oncall",
        include_str!("../../scenarios/saas-oncall.toml"),
    ),
    (
        "internal-it",
        include_str!("../../scenarios/internal-it.toml"),
    ),
    ("msp", include_str!("../../scenarios/msp.toml")),
    (
        "bank-payments",
        include_str!("../../scenarios/bank-payments.toml"),
    ),
    ("default", incsim::scenario::DEFAULT_SCENARIO_TOML),
];

/// One line of the starter: the table it sits in (as written in the file), its key, and the
/// example value written. Its meaning, default and range come from the field registry.
pub struct Example {
    pub section: &'static str,
    pub key: &'static str,
    pub value: &'static str,
}

const fn ex(section: &'static str, key: &'static str, value: &'static str) -> Example {
    Example {
        section,
        key,
        value,
    }
}

/// The starter's example values, in file order: two tiers, a service with two modes, a
/// reactive and a proactive strategy — every field of the registry at least once.
pub const EXAMPLES: &[Example] = &[
    ex("", "name", "\"My service desk\""),
    ex("", "description", "\"What this scenario describes\""),
    ex("", "currency", "\"USD\""),
    ex("", "baseline", "\"reactive\""),
    ex("[simulation]", "horizon", "\"365d\""),
    ex("[simulation]", "replications", "1000"),
    ex("[simulation]", "seed", "0"),
    ex("[simulation]", "utc_offset", "\"+00:00\""),
    ex("[[tiers]]", "name", "\"help-desk\""),
    ex("[[tiers]]", "staff", "2"),
    ex("[[tiers]]", "hours", "\"business\""),
    ex("[[tiers]]", "hourly_cost", "45"),
    ex("[[tiers]]", "annual_cost_per_engineer", "52000"),
    ex("[[tiers]]", "name", "\"engineering\""),
    ex("[[tiers]]", "staff", "1"),
    ex("[[tiers]]", "hours", "\"24x7\""),
    ex("[[tiers]]", "hourly_cost", "110"),
    ex("[[tiers]]", "cost_per_incident", "0"),
    ex("[[tiers]]", "name", "\"senior\""),
    ex("[[tiers]]", "hourly_cost", "140"),
    ex("[[tiers]]", "utc_offset", "\"+08:00\""),
    ex("[[tiers.shifts]]", "hours", "\"Mon-Fri 09:00-17:00\""),
    ex("[[tiers.shifts]]", "utc_offset", "\"+08:00\""),
    ex("[[tiers.shifts]]", "staff", "1"),
    ex("[tiers.on_call]", "staff", "1"),
    ex("[tiers.on_call]", "ack", "\"5m\""),
    ex(
        "[tiers.on_call]",
        "ack_asleep",
        "{ dist = \"exponential\", mean = \"20m\" }",
    ),
    ex("[tiers.on_call]", "asleep", "\"23:00-07:00\""),
    ex("[tiers.on_call]", "page_priority", "1"),
    ex("[tiers.on_call]", "standby_cost_per_hour", "5"),
    ex("[tiers.on_call]", "callout_cost", "100"),
    ex("[[services]]", "name", "\"web-shop\""),
    ex("[[services]]", "priority", "1"),
    ex("[[services]]", "downtime_cost_per_hour", "5000"),
    ex("[[services]]", "degraded_cost_fraction", "0.2"),
    ex(
        "[[services]]",
        "report_delay",
        "{ dist = \"exponential\", mean = \"20m\" }",
    ),
    ex(
        "[[services]]",
        "failures.every",
        "{ dist = \"exponential\", mean = \"30d\" }",
    ),
    ex("[[services]]", "repair", "\"renew\""),
    ex("[[services]]", "tickets.per_hour", "4"),
    ex("[[services]]", "tickets.triage", "\"5m\""),
    ex("[[services]]", "changes.per_week", "3"),
    ex("[[services]]", "changes.failure_rate", "0.15"),
    ex("[[services]]", "changes.mode", "\"bad-deploy\""),
    ex("[[services]]", "changes.hours", "\"Mon-Thu 10:00-16:00\""),
    ex("[[services.modes]]", "name", "\"disk-full\""),
    ex("[[services.modes]]", "weight", "0.7"),
    ex(
        "[[services.modes]]",
        "warning",
        "{ dist = \"lognormal\", median = \"4h\", p90 = \"12h\" }",
    ),
    ex(
        "[[services.modes]]",
        "fix",
        "{ dist = \"lognormal\", median = \"30m\", p90 = \"2h\" }",
    ),
    ex("[[services.modes]]", "needs", "\"help-desk\""),
    ex("[[services.modes]]", "name", "\"bad-deploy\""),
    ex("[[services.modes]]", "weight", "0.3"),
    ex("[[services.modes]]", "warning", "\"0m\""),
    ex(
        "[[services.modes]]",
        "fix",
        "{ dist = \"triangular\", min = \"15m\", mode = \"45m\", max = \"3h\" }",
    ),
    ex("[[services.modes]]", "needs", "\"engineering\""),
    ex("[[services.modes]]", "workaround.fix", "\"10m\""),
    ex("[[services.modes]]", "workaround.tier", "\"help-desk\""),
    ex("[[services.modes]]", "workaround.success", "0.6"),
    ex(
        "[[services.modes]]",
        "workaround.recurs",
        "{ dist = \"exponential\", mean = \"3d\" }",
    ),
    ex("[[services.depends_on]]", "service", "\"database\""),
    ex("[[services.depends_on]]", "effect", "\"down\""),
    ex("[[services]]", "name", "\"database\""),
    ex("[[services]]", "priority", "1"),
    ex("[[services]]", "downtime_cost_per_hour", "500"),
    ex("[[services]]", "planned_downtime_cost_fraction", "0.5"),
    ex("[[services]]", "report_delay", "\"15m\""),
    ex(
        "[[services]]",
        "failures.every",
        "{ dist = \"weibull\", shape = 2, scale = \"90d\" }",
    ),
    ex("[[services.modes]]", "name", "\"db-crash\""),
    ex("[[services.modes]]", "fix", "\"1h\""),
    ex("[[services.modes]]", "needs", "\"engineering\""),
    ex("[strategies.reactive]", "escalate_after", "\"1h\""),
    ex("[strategies.reactive]", "handoff", "\"15m\""),
    ex("[strategies.reactive]", "fix_multiplier", "1.3"),
    ex("[strategies.reactive]", "annual_cost", "0"),
    ex("[strategies.reactive]", "alert_tier", "\"help-desk\""),
    ex("[strategies.reactive]", "route_direct", "0"),
    ex("[strategies.reactive]", "workarounds", "true"),
    ex("[strategies.proactive]", "escalate_after", "\"30m\""),
    ex("[strategies.proactive]", "handoff", "\"5m\""),
    ex("[strategies.proactive]", "fix_multiplier", "0.9"),
    ex("[strategies.proactive]", "annual_cost", "30000"),
    ex("[strategies.proactive]", "alert_tier", "\"help-desk\""),
    ex("[strategies.proactive]", "route_direct", "0.5"),
    ex("[strategies.proactive]", "workarounds", "true"),
    ex("[strategies.proactive]", "problems.after", "0"),
    ex("[strategies.proactive]", "problems.fix", "\"4h\""),
    ex("[strategies.proactive]", "problems.tier", "\"engineering\""),
    ex("[strategies.proactive]", "ticket_deflection", "0.5"),
    ex("[strategies.proactive]", "paging", "\"p1\""),
    ex("[strategies.proactive]", "change_failure_rate", "0.05"),
    ex("[strategies.proactive]", "correlate", "true"),
    ex("[strategies.proactive]", "one_time_cost", "20000"),
    ex("[strategies.proactive]", "ramp_up", "[0.5, 1.0, 1.0]"),
    ex("[strategies.proactive.monitoring]", "coverage", "0.8"),
    ex(
        "[strategies.proactive.monitoring]",
        "detect",
        "{ dist = \"exponential\", mean = \"10m\" }",
    ),
    ex(
        "[strategies.proactive.monitoring]",
        "outage_detect",
        "\"2m\"",
    ),
    ex(
        "[strategies.proactive.monitoring]",
        "false_alarms_per_week",
        "1",
    ),
    ex("[strategies.proactive.monitoring]", "triage", "\"10m\""),
    ex("[strategies.proactive.tiers.help-desk]", "staff", "3"),
    ex(
        "[[strategies.proactive.maintenance]]",
        "services",
        "[\"database\"]",
    ),
    ex("[[strategies.proactive.maintenance]]", "every", "\"30d\""),
    ex("[[strategies.proactive.maintenance]]", "takes", "\"40m\""),
    ex(
        "[[strategies.proactive.maintenance]]",
        "tier",
        "\"engineering\"",
    ),
    ex(
        "[[strategies.proactive.maintenance]]",
        "window",
        "\"Sun 02:00-06:00\"",
    ),
    ex("[[strategies.proactive.maintenance]]", "policy", "\"age\""),
    ex("[[slas]]", "priority", "1"),
    ex("[[slas]]", "respond", "\"30m\""),
    ex("[[slas]]", "resolve", "\"8h\""),
    ex("[[slas]]", "penalty", "1000"),
    ex("[[escalation_policies]]", "name", "\"p1\""),
    ex("[[escalation_policies]]", "num_loops", "1"),
    ex("[[escalation_policies.rules]]", "delay", "\"15m\""),
    ex("[[escalation_policies.rules]]", "tier", "\"senior\""),
    ex("[finance]", "years", "3"),
    ex("[finance]", "discount_rate", "0.10"),
];

/// The registry pattern of an example: `[[services.modes]]` + `fix` → `services[].modes[].fix`,
/// `[strategies.proactive.monitoring]` + `coverage` → `strategies.*.monitoring.coverage`.
pub fn pattern(example: &Example) -> String {
    let table = example.section.trim_matches(|c| c == '[' || c == ']');
    let array = example.section.starts_with("[[");
    let mut parts: Vec<String> = Vec::new();
    for (i, part) in table.split('.').filter(|p| !p.is_empty()).enumerate() {
        let in_strategy = parts.first().is_some_and(|p| p == "strategies");
        if i == 0 && part == "strategies" {
            // A strategy's own arrays of tables ([[strategies.X.maintenance]]) keep the map.
            parts.push(part.to_string());
        } else if in_strategy && (i == 1 || (i == 3 && parts[2] == "tiers")) {
            // `[strategies.X.tiers.T]`: both names are patterns (strategies.*.tiers.*).
            parts.push("*".into());
        } else if array || table.starts_with("services") || (i == 0 && part == "tiers") {
            // Every table of an array-of-tables path is itself an element: services[].modes[].
            parts.push(format!("{part}[]"));
        } else {
            parts.push(part.to_string());
        }
    }
    parts.push(example.key.to_string());
    parts.join(".")
}

/// What the registry says of a field: its meaning, then its default (or "required") and range.
fn meaning(pattern: &str) -> String {
    use incsim::scenario::fields::{Presence, find};
    let Some(field) = find(pattern) else {
        return String::new();
    };
    let presence = match field.presence {
        Presence::Required => "required".to_string(),
        Presence::Default(v) => format!("default {v}"),
        Presence::Optional(text) => text.to_string(),
    };
    let range = field.bounds.short();
    let doc = field.doc.trim_end_matches('.');
    if range.is_empty() {
        format!("{doc} ({presence})")
    } else {
        format!("{doc} ({presence}; {range})")
    }
}

/// The starter scenario's text: one `key = value  # meaning (default; range)` line per example,
/// the meaning taken from the field registry the first time a field appears; a table header
/// whenever the section changes or an array of tables starts its next element.
pub fn starter_toml(examples: &[Example]) -> String {
    let mut out = String::from(
        "# A starter scenario: every field with an example value and, in the comment, its meaning,\n\
         # default and accepted range (from the field registry). Durations are strings with a unit\n\
         # (\"90s\", \"15m\", \"4h\", \"2d\"); distributions: exponential {mean}, lognormal {median, p90}\n\
         # or {mean, sd}, weibull {shape, scale}, gamma {shape, mean}, uniform, triangular, pert,\n\
         # empirical. Check it: incsim validate scenario.toml; run it: incsim run scenario.toml\n",
    );
    let mut section = "";
    let mut keys_in_element: Vec<&str> = Vec::new();
    let mut documented: Vec<String> = Vec::new();
    for e in examples {
        let next_element = e.section.starts_with("[[") && keys_in_element.contains(&e.key);
        if e.section != section || next_element {
            out.push('\n');
            if !e.section.is_empty() {
                out.push_str(e.section);
                out.push('\n');
            }
            section = e.section;
            keys_in_element.clear();
        }
        keys_in_element.push(e.key);
        let line = format!("{} = {}", e.key, e.value);
        let p = pattern(e);
        if documented.contains(&p) {
            out.push_str(&format!("{line}\n"));
        } else {
            out.push_str(&format!("{line:<40} # {}\n", meaning(&p)));
            documented.push(p);
        }
    }
    out
}

/// Run `incsim init`.
pub fn init(args: InitArgs) -> Result<()> {
    let (text, default_name) = match &args.from {
        None => (starter_toml(EXAMPLES), "scenario.toml".to_string()),
        Some(name) => {
            let (n, t) = TEMPLATES.iter().find(|(n, _)| n == name).ok_or_else(|| {
                let names: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
                anyhow!(
                    "unknown template \"{name}\"\n  help: one of {}",
                    names.join(", ")
                )
            })?;
            (t.to_string(), format!("{n}.toml"))
        }
    };
    let path = args
        .name
        .clone()
        .unwrap_or_else(|| PathBuf::from(&default_name));
    if path.components().count() != 1 || path.file_name().is_none() {
        return Err(anyhow!(
            "--name {}: give a file name only; init writes into the current folder",
            path.display()
        ));
    }
    // create_new: refuses to overwrite, with no window between a check and the write.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow!(
                "{} already exists; init never overwrites\n  help: pass --name OTHER.toml or remove the file",
                path.display()
            ),
            _ => anyhow!("cannot write {}: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())?;
    println!(
        "wrote {}\n  next: incsim validate {0}, then incsim run {0}",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use incsim::scenario::fields::FIELDS;

    /// The starter is generated from the registry: every leaf field of the registry has an
    /// example line, so a field added to the registry without one fails here.
    #[test]
    fn the_starter_shows_every_field_of_the_registry() {
        let patterns: Vec<String> = EXAMPLES.iter().map(pattern).collect();
        for field in FIELDS.iter().filter(|f| !f.kind.is_container()) {
            assert!(
                patterns.iter().any(|p| p == field.path),
                "{} has no example in the starter",
                field.path
            );
        }
        for p in &patterns {
            assert!(
                incsim::scenario::fields::find(p).is_some(),
                "{p} is not in the registry"
            );
        }
    }

    #[test]
    fn the_starter_validates() {
        incsim::scenario::parse_str(&starter_toml(EXAMPLES), "scenario.toml").unwrap();
    }
}
