//! `replications.csv`: one row per replication × strategy, columns `rep,strategy` then every
//! metric (DESIGN §5). Undefined values are empty cells; numbers use `.` and no separators so
//! Excel, pandas and DuckDB read them as numbers.

use std::fmt::Write as _;

use crate::experiment::ExperimentResults;
use crate::projections::{Metric, RepMetrics};
use crate::scenario::Scenario;

/// The header line (without newline).
pub fn header() -> String {
    let mut h = String::from("rep,strategy");
    for m in Metric::ALL {
        h.push(',');
        h.push_str(m.name());
    }
    h
}

/// A CSV text cell: quoted when it needs it (RFC 4180), and neutralised when a spreadsheet
/// would take it for a formula ([`super::escape::csv_text`]).
pub fn field(text: &str) -> String {
    super::escape::csv_text(text)
}

/// One row (without newline).
pub fn row(rep: u64, strategy: &str, metrics: &RepMetrics) -> String {
    let mut line = format!("{rep},{}", field(strategy));
    for m in Metric::ALL {
        line.push(',');
        if let Some(v) = metrics.get(m) {
            let _ = write!(line, "{v}");
        }
    }
    line
}

/// Stream the whole file to `out`, rows ordered by replication then strategy in scenario
/// order (one row at a time: memory does not grow with the replications).
pub fn write(
    scenario: &Scenario,
    results: &ExperimentResults,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    writeln!(out, "{}", header())?;
    for (i, rep) in results.reps.clone().enumerate() {
        for (s, strategy) in scenario.strategies.iter().enumerate() {
            writeln!(
                out,
                "{}",
                row(rep, &strategy.name, &results.strategies[s].rows[i])
            )?;
        }
    }
    Ok(())
}

/// The whole file as a string (small runs and tests).
pub fn render(scenario: &Scenario, results: &ExperimentResults) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(scenario, results, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
