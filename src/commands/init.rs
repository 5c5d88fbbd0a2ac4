//! `incsim init`: write a commented starter scenario (every field with its default and
//! meaning) or a library scenario into the current folder, never over an existing file.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow};

use crate::cli::InitArgs;

/// The library scenarios `--from` accepts: (name, text).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("saas-oncall", include_str!("../../scenarios/saas-oncall.toml")),
    ("internal-it", include_str!("../../scenarios/internal-it.toml")),
    ("msp", include_str!("../../scenarios/msp.toml")),
    ("bank-payments", include_str!("../../scenarios/bank-payments.toml")),
    ("default", incsim::scenario::DEFAULT_SCENARIO_TOML),
];

/// One field of the starter scenario: its path (`[]` marks an array of tables), the example
/// value written, and its meaning with default and accepted range (DESIGN §3).
///
/// This table stands in for the field registry being built in `scenario/fields.rs`: when it
/// lands, [`starter_toml`] should be fed from the registry instead, and this table deleted.
pub struct FieldDoc {
    pub path: &'static str,
    pub value: &'static str,
    pub doc: &'static str,
}

/// The fields of the starter, in file order.
pub const FIELDS: &[FieldDoc] = &[
    FieldDoc { path: "name", value: "\"My service desk\"", doc: "shown in reports (default: the file stem)" },
    FieldDoc { path: "description", value: "\"What this scenario describes\"", doc: "free text (default: empty)" },
    FieldDoc { path: "currency", value: "\"USD\"", doc: "ISO 4217 code; every money field is in it (default: USD)" },
    FieldDoc { path: "simulation.horizon", value: "\"365d\"", doc: "simulated span per replication (required; > 0, at most 100 years)" },
    FieldDoc { path: "simulation.replications", value: "1000", doc: "independent histories (default: 1000; 1 … 10^7)" },
    FieldDoc { path: "simulation.seed", value: "0", doc: "random seed: same seed, same bytes (default: 0)" },
    FieldDoc { path: "tiers[].name", value: "\"help-desk\"", doc: "unique; tiers are listed in escalation order (required)" },
    FieldDoc { path: "tiers[].staff", value: "2", doc: "engineers (required; integer ≥ 1)" },
    FieldDoc { path: "tiers[].hours", value: "\"business\"", doc: "\"24x7\" or \"business\" = Mon–Fri 08:00–18:00 (default: \"24x7\")" },
    FieldDoc { path: "tiers[].hourly_cost", value: "45", doc: "money per busy engineer hour (default: 0; ≥ 0)" },
    FieldDoc { path: "tiers[].name", value: "\"engineering\"", doc: "the next tier up" },
    FieldDoc { path: "tiers[].staff", value: "1", doc: "" },
    FieldDoc { path: "tiers[].hours", value: "\"24x7\"", doc: "" },
    FieldDoc { path: "tiers[].hourly_cost", value: "110", doc: "" },
    FieldDoc { path: "services[].name", value: "\"web-shop\"", doc: "unique (required)" },
    FieldDoc { path: "services[].priority", value: "1", doc: "queue order, 1 served first (default: 1; integer ≥ 1)" },
    FieldDoc { path: "services[].downtime_cost_per_hour", value: "5000", doc: "money lost per hour down (default: 0; ≥ 0)" },
    FieldDoc { path: "services[].degraded_cost_fraction", value: "0.2", doc: "share of that cost while degraded (default: 0; 0 … 1)" },
    FieldDoc { path: "services[].report_delay", value: "{ dist = \"exponential\", mean = \"20m\" }", doc: "outage → a user reports it (required; a distribution)" },
    FieldDoc { path: "services[].failures", value: "{ every = { dist = \"exponential\", mean = \"30d\" } }", doc: "time between failures, counted from the service being up (required; mean > 0)" },
    FieldDoc { path: "services[].modes[].name", value: "\"disk-full\"", doc: "unique within the service (required)" },
    FieldDoc { path: "services[].modes[].weight", value: "0.7", doc: "relative share of the failures (default: 1; ≥ 0, not all 0)" },
    FieldDoc { path: "services[].modes[].warning", value: "{ dist = \"lognormal\", median = \"4h\", p90 = \"12h\" }", doc: "degraded time before the outage, the P-F interval (default: \"0m\" = sudden)" },
    FieldDoc { path: "services[].modes[].fix", value: "{ dist = \"lognormal\", median = \"30m\", p90 = \"2h\" }", doc: "hands-on repair time (required; a distribution)" },
    FieldDoc { path: "services[].modes[].needs", value: "\"help-desk\"", doc: "lowest tier able to fix it (required; a tier name)" },
    FieldDoc { path: "services[].modes[].name", value: "\"bad-deploy\"", doc: "" },
    FieldDoc { path: "services[].modes[].weight", value: "0.3", doc: "" },
    FieldDoc { path: "services[].modes[].warning", value: "\"0m\"", doc: "" },
    FieldDoc { path: "services[].modes[].fix", value: "{ dist = \"triangular\", min = \"15m\", mode = \"45m\", max = \"3h\" }", doc: "" },
    FieldDoc { path: "services[].modes[].needs", value: "\"engineering\"", doc: "" },
    FieldDoc { path: "strategies.reactive.escalate_after", value: "\"1h\"", doc: "troubleshooting time box before escalating (required)" },
    FieldDoc { path: "strategies.reactive.handoff", value: "\"15m\"", doc: "context transfer between tiers, not labour (default: \"0m\")" },
    FieldDoc { path: "strategies.reactive.fix_multiplier", value: "1.3", doc: "scales every fix time (default: 1; > 0)" },
    FieldDoc { path: "strategies.reactive.annual_cost", value: "0", doc: "money per year, pro rata over the horizon (default: 0; ≥ 0)" },
    FieldDoc { path: "strategies.reactive.alert_tier", value: "\"help-desk\"", doc: "where monitoring alerts enter (default: the first tier)" },
    FieldDoc { path: "strategies.reactive.route_direct", value: "0", doc: "share of alerts sent straight to the tier that can fix (default: 0; 0 … 1)" },
    FieldDoc { path: "strategies.proactive.escalate_after", value: "\"30m\"", doc: "" },
    FieldDoc { path: "strategies.proactive.handoff", value: "\"5m\"", doc: "" },
    FieldDoc { path: "strategies.proactive.fix_multiplier", value: "0.9", doc: "runbooks shorten fixes" },
    FieldDoc { path: "strategies.proactive.annual_cost", value: "30000", doc: "monitoring tools and training" },
    FieldDoc { path: "strategies.proactive.alert_tier", value: "\"help-desk\"", doc: "" },
    FieldDoc { path: "strategies.proactive.route_direct", value: "0.5", doc: "" },
    FieldDoc { path: "strategies.proactive.monitoring.coverage", value: "0.8", doc: "share of degradations monitoring can catch (default: 0; 0 … 1)" },
    FieldDoc { path: "strategies.proactive.monitoring.detect", value: "{ dist = \"exponential\", mean = \"10m\" }", doc: "failure start → degradation alert (default: \"0m\")" },
    FieldDoc { path: "strategies.proactive.monitoring.outage_detect", value: "\"2m\"", doc: "outage start → uptime-check alert (required)" },
    FieldDoc { path: "strategies.proactive.monitoring.false_alarms_per_week", value: "1", doc: "alerts with nothing behind them (default: 0; ≥ 0)" },
    FieldDoc { path: "strategies.proactive.monitoring.triage", value: "\"10m\"", doc: "engineer time per false alarm (required when false alarms > 0)" },
];

/// The starter scenario's text from a field table: one `key = value  # meaning` line per field,
/// a table header whenever the section changes (a repeated first key of an array of tables
/// starts a new element).
pub fn starter_toml(fields: &[FieldDoc]) -> String {
    let mut out = String::from(
        "# A starter scenario: every field with an example value and, in the comment, its meaning,\n\
         # default and accepted range. Durations are strings with a unit (\"90s\", \"15m\", \"4h\",\n\
         # \"2d\"); distributions: exponential {mean}, lognormal {median, p90} or {mean, sd},\n\
         # weibull {shape, scale}, gamma {shape, mean}, uniform, triangular, pert, empirical.\n\
         # Check it: incsim validate scenario.toml; run it: incsim run scenario.toml\n",
    );
    let mut section = String::new();
    let mut first_keys: Vec<(String, String)> = Vec::new();
    for f in fields {
        let (table, key) = match f.path.rsplit_once('.') {
            Some((t, k)) => (t.to_string(), k.to_string()),
            None => (String::new(), f.path.to_string()),
        };
        let is_array = table.ends_with("[]");
        let new_element = is_array
            && first_keys
                .iter()
                .any(|(t, k)| *t == table && *k == key)
            && section == table;
        if table != section || new_element {
            let name = table.replace("[]", "");
            out.push('\n');
            if is_array {
                out.push_str(&format!("[[{name}]]\n"));
                if !first_keys.iter().any(|(t, _)| *t == table) {
                    first_keys.push((table.clone(), key.clone()));
                }
            } else {
                out.push_str(&format!("[{name}]\n"));
            }
            section = table;
        }
        let line = format!("{key} = {}", f.value);
        if f.doc.is_empty() {
            out.push_str(&format!("{line}\n"));
        } else {
            out.push_str(&format!("{line:<40} # {}\n", f.doc));
        }
    }
    out
}

/// Run `incsim init`.
pub fn init(args: InitArgs) -> Result<()> {
    let (text, default_name) = match &args.from {
        None => (starter_toml(FIELDS), "scenario.toml".to_string()),
        Some(name) => {
            let (n, t) = TEMPLATES
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
                    anyhow!(
                        "unknown template \"{name}\"\n  help: one of {}",
                        names.join(", ")
                    )
                })?;
            (t.to_string(), format!("{n}.toml"))
        }
    };
    let path = args.name.clone().unwrap_or_else(|| PathBuf::from(&default_name));
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
    println!("wrote {}\n  next: incsim validate {0}, then incsim run {0}", path.display());
    Ok(())
}
