//! Files incsim reads back (shards, event logs) are input like any other: a digest shows they
//! are as incsim wrote them, and every value is re-checked against the bounds a scenario and
//! a replication promise, so an edited file is refused naming the file and the place.
//!
//! The digest is SHA-256 over the file's content as written before the digest was added
//! (its header included), written as `sha256:` and 64 hex digits.

use std::io::Write;

use sha2::{Digest, Sha256};

use crate::projections::metrics::RepMetrics;
use crate::scenario::Scenario;

/// A SHA-256 digest being computed over bytes written to it (serialise straight into it:
/// nothing is held in memory).
#[derive(Default, Clone)]
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

/// Check a checked [`Scenario`] read back from a file (a shard or a log header) with the one
/// scenario validator ([`crate::scenario::validate`]): every value within the bounds of the field
/// registry, every cross-field rule. Returns the first violation as `path: what is wrong`.
pub fn check_scenario(s: &Scenario) -> Result<(), String> {
    match crate::scenario::validate(s).into_iter().next() {
        Some(v) => Err(format!("{}: {}", v.path, v.message)),
        None => Ok(()),
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
