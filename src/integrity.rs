//! Files incsim reads back (shards, event logs) are input like any other: a digest shows they
//! are as incsim wrote them, and every value is re-checked against the bounds a scenario and
//! a replication promise, so an edited file is refused naming the file and the place.
//!
//! The digest is SHA-256 over the file's content as written before the digest was added
//! (its header included), written as `sha256:` and 64 hex digits.

use std::io::Write;

use sha2::{Digest, Sha256};

use crate::projections::metrics::RepMetrics;
use crate::scenario::parse::{MAX_HORIZON_MINUTES, MAX_MONEY, MAX_REPLICATIONS, MAX_STAFF};
use crate::scenario::{Dist, Scenario};

/// A SHA-256 digest being computed over bytes written to it (serialise straight into it:
/// nothing is held in memory).
#[derive(Default)]
pub struct DigestWriter(Sha256);

impl DigestWriter {
    /// A fresh digest.
    pub fn new() -> Self {
        DigestWriter(Sha256::new())
    }

    /// Add bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest as `sha256:` and 64 lowercase hex digits.
    pub fn finish(self) -> String {
        let mut text = String::with_capacity(71);
        text.push_str("sha256:");
        for b in self.0.finalize() {
            text.push_str(&format!("{b:02x}"));
        }
        text
    }
}

impl Write for DigestWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The digest of some bytes.
pub fn digest_of(bytes: &[u8]) -> String {
    let mut d = DigestWriter::new();
    d.update(bytes);
    d.finish()
}

/// Check a checked [`Scenario`] read back from a file: every value within the bounds the
/// scenario parser accepts (DESIGN §3), every index in range. Returns the first violation as
/// `path: what is wrong`.
pub fn check_scenario(s: &Scenario) -> Result<(), String> {
    let bad = |path: String, what: &str, x: f64| Err(format!("{path} is {x}, {what}"));
    let money = |path: String, x: f64| {
        if (0.0..=MAX_MONEY).contains(&x) {
            Ok(())
        } else {
            bad(path, "not an amount from 0 to 1e12", x)
        }
    };
    let share = |path: String, x: f64| {
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            bad(path, "not a share from 0 to 1", x)
        }
    };
    let non_negative = |path: String, x: f64| {
        if x.is_finite() && x >= 0.0 {
            Ok(())
        } else {
            bad(path, "not a finite number ≥ 0", x)
        }
    };
    let positive = |path: String, x: f64| {
        if x.is_finite() && x > 0.0 {
            Ok(())
        } else {
            bad(path, "not a finite number > 0", x)
        }
    };
    let name = |path: String, n: &str| {
        if n.is_empty() || n.chars().any(char::is_control) {
            Err(format!("{path} {n:?} is empty or holds control characters"))
        } else {
            Ok(())
        }
    };
    let sim = &s.simulation;
    if !(sim.horizon_minutes > 0.0 && sim.horizon_minutes <= MAX_HORIZON_MINUTES) {
        return bad(
            "simulation.horizon".into(),
            "outside (0, 100 years]",
            sim.horizon_minutes,
        );
    }
    if !(1..=MAX_REPLICATIONS as u64).contains(&sim.replications) {
        return Err(format!(
            "simulation.replications is {}, not from 1 to {MAX_REPLICATIONS}",
            sim.replications
        ));
    }
    if s.tiers.is_empty() || s.services.is_empty() || s.strategies.is_empty() {
        return Err("the scenario needs tiers, services and strategies".into());
    }
    for t in &s.tiers {
        let p = |f: &str| format!("tiers.{}.{f}", t.name);
        name(p("name"), &t.name)?;
        if !(1..=MAX_STAFF as u64).contains(&(t.staff as u64)) {
            return Err(format!(
                "{} is {}, not from 1 to {MAX_STAFF}",
                p("staff"),
                t.staff
            ));
        }
        money(p("hourly_cost"), t.hourly_cost)?;
    }
    for sv in &s.services {
        let p = |f: &str| format!("services.{}.{f}", sv.name);
        name(p("name"), &sv.name)?;
        money(p("downtime_cost_per_hour"), sv.downtime_cost_per_hour)?;
        share(p("degraded_cost_fraction"), sv.degraded_cost_fraction)?;
        check_dist(&p("report_delay"), &sv.report_delay)?;
        check_dist(&p("failures_every"), &sv.failures_every)?;
        if sv.modes.is_empty() {
            return Err(format!("{} is empty", p("modes")));
        }
        for m in &sv.modes {
            let q = |f: &str| format!("services.{}.modes.{}.{f}", sv.name, m.name);
            name(q("name"), &m.name)?;
            non_negative(q("weight"), m.weight)?;
            check_dist(&q("warning"), &m.warning)?;
            check_dist(&q("fix"), &m.fix)?;
            if m.needs >= s.tiers.len() {
                return Err(format!("{} names no tier", q("needs")));
            }
        }
    }
    for st in &s.strategies {
        let p = |f: &str| format!("strategies.{}.{f}", st.name);
        name(p("name"), &st.name)?;
        non_negative(p("escalate_after"), st.escalate_after)?;
        non_negative(p("handoff"), st.handoff)?;
        positive(p("fix_multiplier"), st.fix_multiplier)?;
        money(p("annual_cost"), st.annual_cost)?;
        share(p("route_direct"), st.route_direct)?;
        if st.alert_tier >= s.tiers.len() {
            return Err(format!("{} names no tier", p("alert_tier")));
        }
        if let Some(m) = &st.monitoring {
            share(p("monitoring.coverage"), m.coverage)?;
            check_dist(&p("monitoring.detect"), &m.detect)?;
            non_negative(p("monitoring.outage_detect"), m.outage_detect)?;
            non_negative(
                p("monitoring.false_alarms_per_week"),
                m.false_alarms_per_week,
            )?;
            non_negative(p("monitoring.triage"), m.triage)?;
        }
    }
    Ok(())
}

/// A distribution's parameters are finite, and its durations non-negative.
fn check_dist(path: &str, d: &Dist) -> Result<(), String> {
    let params: Vec<f64> = match d {
        Dist::Fixed { value } => vec![*value],
        Dist::Exponential { mean } => vec![*mean],
        Dist::Lognormal { mu, sigma } => vec![*mu, *sigma],
        Dist::Weibull { shape, scale } | Dist::Gamma { shape, scale } => vec![*shape, *scale],
        Dist::Uniform { min, max } => vec![*min, *max],
        Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
            vec![*min, *mode, *max]
        }
        Dist::Empirical { samples } => samples.clone(),
    };
    let mean = d.mean();
    if params.iter().all(|x| x.is_finite()) && mean.is_finite() && mean >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{path} has parameters that no scenario accepts ({})",
            d.describe()
        ))
    }
}

/// Check one replication's metrics read back from a file against what a replication of
/// scenario `s` can produce: finite, non-negative, availability in [0, 1], one value per tier
/// and per service. Returns the first violation as `field is value, why`.
pub fn check_row(s: &Scenario, row: &RepMetrics) -> Result<(), String> {
    let non_negative = |field: &str, x: f64| {
        if x.is_finite() && x >= 0.0 {
            Ok(())
        } else {
            Err(format!("{field} is {x}, not a finite number ≥ 0"))
        }
    };
    if !(0.0..=1.0).contains(&row.availability) {
        return Err(format!(
            "availability is {}, outside [0, 1]",
            row.availability
        ));
    }
    for (field, x) in [
        ("outage_minutes", row.outage_minutes),
        ("degraded_minutes", row.degraded_minutes),
        ("labor_hours", row.labor_hours),
        ("downtime_cost", row.downtime_cost),
        ("degraded_cost", row.degraded_cost),
        ("labor_cost", row.labor_cost),
        ("investment_cost", row.investment_cost),
        ("total_cost", row.total_cost),
    ] {
        non_negative(field, x)?;
    }
    for (field, x) in [
        ("mttd_minutes", row.mttd_minutes),
        ("mttr_minutes", row.mttr_minutes),
    ] {
        if let Some(x) = x {
            non_negative(field, x)?;
        }
    }
    if row.tier_busy_minutes.len() != s.tiers.len()
        || row.tier_queue_wait_minutes.len() != s.tiers.len()
        || row.service_outage_minutes.len() != s.services.len()
    {
        return Err("the per-tier or per-service values do not match the scenario".into());
    }
    for x in row
        .tier_busy_minutes
        .iter()
        .chain(row.tier_queue_wait_minutes.iter().flatten())
        .chain(&row.service_outage_minutes)
    {
        non_negative("a per-tier or per-service value", *x)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn sha256_of_abc_is_the_fips_180_2_example() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            digest_of(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_parsed_scenario_passes_and_an_edited_one_is_named() {
        let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        assert_eq!(check_scenario(&s), Ok(()));
        s.strategies[0].annual_cost = 1e308;
        let e = check_scenario(&s).unwrap_err();
        assert!(e.contains("annual_cost") && e.contains("1e12"), "{e}");
    }
}
