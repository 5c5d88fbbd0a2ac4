//! The fitted scenario as TOML text, with today's fields only, every number commented: FITTED
//! (family, parameters with intervals, n, KS distance, the column it came from, the AIC of
//! every candidate) or PLACEHOLDER (what the export cannot tell, with a suggested source).
//!
//! The scenario is *reactive*: one tier that can fix everything, staffed with as many
//! engineers as the export ever had incidents open at once, so that the simulation adds no
//! queueing the data did not already contain; each priority becomes a failure mode whose fix
//! time is the fitted time to restore; tickets open at the outage (`report_delay = "0m"`).

use std::fmt::Write as _;

use super::mle::{Fit, Sample, ks_critical_5pct};
use super::{Analysis, Quantity, format_param};
use crate::scenario::dist::{Dist, Z_0_9};
use crate::scenario::slug;

/// The one tier of a fitted scenario.
pub const TIER: &str = "service-desk";

/// A duration as scenario text with enough digits to round-trip the fit: `"3.251d"`,
/// `"2.5h"`, `"47.123m"`.
pub fn duration_text(minutes: f64) -> String {
    let (value, unit) = if minutes >= 2.0 * 1440.0 {
        (minutes / 1440.0, "d")
    } else if minutes >= 120.0 {
        (minutes / 60.0, "h")
    } else {
        (minutes, "m")
    };
    let mut text = format!("{value:.4}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    format!("\"{text}{unit}\"")
}

fn number_text(value: f64) -> String {
    let mut text = format!("{value:.5}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.push('0');
    }
    text
}

/// A TOML string literal (quoted and escaped) for any text from the export.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Text from the export made safe for a one-line comment.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A fitted distribution as an inline TOML table.
pub fn dist_toml(dist: &Dist) -> String {
    match *dist {
        Dist::Exponential { mean } => {
            format!(
                "{{ dist = \"exponential\", mean = {} }}",
                duration_text(mean)
            )
        }
        Dist::Weibull { shape, scale } => format!(
            "{{ dist = \"weibull\", shape = {}, scale = {} }}",
            number_text(shape),
            duration_text(scale)
        ),
        Dist::Gamma { shape, scale } => format!(
            "{{ dist = \"gamma\", shape = {}, mean = {} }}",
            number_text(shape),
            duration_text(shape * scale)
        ),
        Dist::Lognormal { mu, sigma } => format!(
            "{{ dist = \"lognormal\", median = {}, p90 = {} }}",
            duration_text(mu.exp()),
            duration_text((mu + sigma * Z_0_9).exp())
        ),
        Dist::Fixed { value } => duration_text(value),
        _ => unreachable!("fits are of the four candidate families"),
    }
}

/// The comment lines above a fitted field.
fn fit_comment(q: &Quantity, fit: &Fit) -> String {
    let params: Vec<String> = fit
        .params
        .iter()
        .map(|p| format_param(p.name, p.value, p.ci95))
        .collect();
    let ranking: Vec<String> = q
        .fits
        .iter()
        .map(|f| format!("{} {:.1}", f.family.name(), f.aic))
        .collect();
    let critical = ks_critical_5pct(q.sample.observed.len());
    format!(
        "# FITTED {}: {}\n#   n = {} ({} censored), KS {:.3} ({} the 5 % line {:.3}); from {}\n#   AIC (lower is better): {}\n",
        fit.family.name(),
        params.join(", "),
        q.n(),
        q.sample.censored.len(),
        fit.ks,
        if fit.ks > critical { "ABOVE" } else { "below" },
        critical,
        q.source,
        ranking.join(" < ")
    )
}

/// For samples too small for a family choice: the exponential's closed-form MLE
/// (total time observed / endings), as a fit with its comment.
fn closed_form_exponential(q: &Quantity) -> Option<(String, Dist)> {
    let Sample { observed, censored } = &q.sample;
    if observed.is_empty() {
        return None;
    }
    let mean =
        (observed.iter().sum::<f64>() + censored.iter().sum::<f64>()) / observed.len() as f64;
    if !(mean.is_finite() && mean > 0.0) {
        return None;
    }
    let comment = format!(
        "# FITTED exponential (closed form: total time / endings), mean {}; only {} observed \
         values ({} censored): too few to choose a family or trust an interval; from {}\n",
        crate::scenario::duration::format_minutes(mean),
        observed.len(),
        censored.len(),
        q.source
    );
    Some((comment, Dist::Exponential { mean }))
}

fn fitted_field(q: &Quantity) -> Option<(String, Dist)> {
    match q.best() {
        Some(fit) => Some((fit_comment(q, fit), fit.dist.clone())),
        None => closed_form_exponential(q),
    }
}

/// A `[sources]` note for a fitted field, so the report's assumptions table names where the
/// number came from (model.md §5, issue 16 item 4): the family and parameters, the sample,
/// and the export's columns.
fn source_note(q: &Quantity, dist: &Dist, export: &str) -> String {
    let how = match q.best() {
        Some(fit) => format!("KS {:.3}", fit.ks),
        None => "closed form; too few values to choose a family".to_string(),
    };
    one_line(&format!(
        "incsim fit: {} fitted to {}, n = {} ({} censored), {how}; from {} ({})",
        dist.describe(),
        q.label,
        q.n(),
        q.sample.censored.len(),
        export,
        q.source
    ))
}

/// The scenario text. `source` names the export in comments. Errors when the export cannot
/// give a time between incidents for any service, or a time to restore.
pub fn scenario_toml(analysis: &Analysis, source: &str) -> Result<String, String> {
    let e = &analysis.export;
    let mut out = String::new();
    let w = &mut out;
    // Field path → note, written as the scenario's `[sources]` table at the end.
    let mut sources: Vec<(String, String)> = vec![(
        format!("tiers.{TIER}.staff"),
        one_line(&format!(
            "incsim fit: the most incidents open at once in {source} ({})",
            e.format.name()
        )),
    )];
    let _ = writeln!(
        w,
        "# Fitted by `incsim fit` from {} ({} export): {} incidents used of {} rows.",
        one_line(source),
        e.format.name(),
        e.incidents.len(),
        e.rows
    );
    let _ = writeln!(
        w,
        "# Every number is FITTED (its family, parameters with 95 % intervals, n, KS distance,\n\
         # column and AIC ranking above it) or a PLACEHOLDER with a suggested source: replace the\n\
         # placeholders before trusting money. Open incidents were right-censored at the export's\n\
         # last timestamp. Check it reproduces the data: incsim fit {} --check",
        one_line(source)
    );
    let _ = writeln!(
        w,
        "name = {}",
        toml_string(&format!("Fitted from {source}"))
    );
    let _ = writeln!(
        w,
        "description = \"Reactive baseline calibrated from an incident export; add a proactive strategy to compare.\"\n"
    );
    let _ = writeln!(w, "[simulation]");
    let _ = writeln!(w, "horizon = \"365d\"");
    let _ = writeln!(w, "replications = 1000");
    let _ = writeln!(w, "seed = 0\n");

    let _ = writeln!(w, "[[tiers]]");
    let _ = writeln!(w, "name = \"{TIER}\"");
    let _ = writeln!(
        w,
        "staff = {}                       # FITTED: the most incidents open at once in the export, so the\n\
         #   simulation adds no queueing beyond what the restore times already contain",
        analysis.peak_open
    );
    let _ = writeln!(
        w,
        "hours = \"24x7\"                # the restore times were measured on the calendar clock, nights included"
    );
    let _ = writeln!(
        w,
        "hourly_cost = 0                # PLACEHOLDER: loaded cost of an engineer hour (payroll, or MetricNet's\n\
         #   cost-per-ticket benchmarks divided by handle time)"
    );
    if let Some(r) = &analysis.reassignments {
        let _ = writeln!(
            w,
            "# From the export: {:.0} % of incidents were reassigned at least once (mean {:.2} per\n\
             # incident, n = {}). One tier never escalates; to model escalation, add the tiers behind\n\
             # this one and set each mode's `needs` (PLACEHOLDER: which tier fixes what).",
            100.0 * r.share_reassigned,
            r.mean,
            r.incidents
        );
    }
    if let Some(q) = &analysis.ack
        && let Some((comment, dist)) = fitted_field(q)
    {
        let _ = writeln!(
            w,
            "# Time to acknowledge, for a tier's on-call rota (`on_call = {{ staff = 1, ack = … }}`):\n{}#   ack = {}",
            comment,
            dist_toml(&dist)
        );
    }
    let _ = writeln!(w);

    let restore = |priority: &str| -> Option<(String, Dist, String)> {
        analysis
            .restore_by_priority
            .get(priority)
            .and_then(|q| {
                fitted_field(q).map(|(c, d)| {
                    let note = source_note(q, &d, source);
                    (c, d, note)
                })
            })
            .or_else(|| {
                let q = &analysis.restore_all;
                fitted_field(q).map(|(c, d)| {
                    let note = source_note(q, &d, source);
                    (
                        format!(
                            "# (priority {} has too few values of its own: the fit of all priorities)\n{c}",
                            one_line(priority)
                        ),
                        d,
                        note,
                    )
                })
            })
    };
    let mut written = 0;
    let mut left_out = Vec::new();
    for s in &analysis.services {
        let Some((every_comment, every)) = fitted_field(&s.between) else {
            left_out.push(format!("{} ({} incident(s))", s.name, s.incidents));
            continue;
        };
        written += 1;
        sources.push((
            format!("services.{}.failures.every", s.name),
            source_note(&s.between, &every, source),
        ));
        let _ = writeln!(w, "[[services]]");
        let _ = writeln!(w, "name = {}", toml_string(&s.name));
        let _ = writeln!(
            w,
            "priority = 1                   # PLACEHOLDER: 1 is served first; rank your services"
        );
        let _ = writeln!(
            w,
            "downtime_cost_per_hour = 0     # PLACEHOLDER: revenue and productivity lost per hour down (finance;\n\
             #   downtime-cost surveys such as ITIC's or Uptime Institute's give ranges by industry)"
        );
        let _ = writeln!(
            w,
            "degraded_cost_fraction = 0     # PLACEHOLDER: share of that cost while degraded"
        );
        let _ = writeln!(
            w,
            "report_delay = \"0m\"             # PLACEHOLDER: the export starts at the ticket; the outage → ticket\n\
             #   time is not in it (monitoring or status-page timestamps; the VOID report's detection times)"
        );
        if s.overlapping > 0 {
            let _ = writeln!(
                w,
                "# {} incident(s) opened before the previous one was resolved: gap not used (one open incident per service)",
                s.overlapping
            );
        }
        w.push_str(&every_comment);
        let _ = writeln!(w, "failures = {{ every = {} }}\n", dist_toml(&every));
        let mut mode_names = std::collections::HashSet::new();
        for (priority, count) in &s.priorities {
            let Some((fix_comment, fix, fix_note)) = restore(priority) else {
                return Err(
                    "no resolved incident in the export: cannot fit a time to restore".to_string(),
                );
            };
            let _ = writeln!(w, "[[services.modes]]");
            // Distinct priorities may share a slug ("1 - High", "1-high"): keep names unique.
            let mut mode = format!("priority-{}", slug(priority));
            while !mode_names.insert(mode.clone()) {
                mode.push_str("-2");
            }
            let _ = writeln!(w, "name = {}", toml_string(&mode));
            sources.push((
                format!("services.{}.modes.{mode}.weight", s.name),
                one_line(&format!(
                    "incsim fit: {count} of {} incidents of {} in {source} had priority {priority}",
                    s.incidents, s.name
                )),
            ));
            sources.push((format!("services.{}.modes.{mode}.fix", s.name), fix_note));
            let _ = writeln!(
                w,
                "weight = {count}                     # FITTED: {count} of {} incidents of {} had priority {}",
                s.incidents,
                one_line(&s.name),
                one_line(priority)
            );
            let _ = writeln!(
                w,
                "warning = \"0m\"                  # PLACEHOLDER: degraded time before the outage (P-F interval); tickets\n\
                 #   do not show it (monitoring history, post-incident reviews)"
            );
            w.push_str(&fix_comment);
            let _ = writeln!(
                w,
                "#   (the whole time to restore: waiting and hands-on work are not separated in a ticket)"
            );
            let _ = writeln!(w, "fix = {}", dist_toml(&fix));
            let _ = writeln!(w, "needs = \"{TIER}\"\n");
        }
    }
    if written == 0 {
        return Err(format!(
            "too few incidents to fit a time between incidents: no service has two incidents one \
             after the other ({} service(s), {} incidents)",
            analysis.services.len(),
            e.incidents.len()
        ));
    }
    if !left_out.is_empty() {
        let _ = writeln!(
            w,
            "# Services left out (no complete time between two incidents): {}\n",
            one_line(&left_out.join(", "))
        );
    }
    // Fitted fields only: a placeholder has no source, so the report says "not given" for it.
    let _ = writeln!(
        w,
        "# Where each fitted number came from; the report's assumptions table shows these notes.\n\
         [sources]"
    );
    for (path, note) in &sources {
        let _ = writeln!(w, "{} = {}", toml_string(path), toml_string(note));
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "[strategies.reactive]");
    let _ = writeln!(
        w,
        "escalate_after = \"1h\"          # PLACEHOLDER: unused while one tier fixes every mode"
    );
    let _ = writeln!(w, "handoff = \"0m\"");
    let _ = writeln!(
        w,
        "fix_multiplier = 1             # the fitted times to restore are the reactive history as it is"
    );
    let _ = writeln!(w, "annual_cost = 0\n");
    let _ = writeln!(
        w,
        "# A proactive strategy to compare (PLACEHOLDERS, sources in scenarios/saas-oncall.toml):\n\
         # [strategies.proactive]\n\
         # monitoring = {{ coverage = 0.6, detect = \"10m\", outage_detect = \"2m\" }}\n\
         # alert_tier = \"{TIER}\"\n\
         # escalate_after = \"30m\"\n\
         # fix_multiplier = 0.8\n\
         # annual_cost = 50000"
    );
    Ok(out)
}
