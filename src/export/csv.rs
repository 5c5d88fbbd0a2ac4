//! `replications.csv`: one row per replication × strategy, columns `rep,strategy` then every
//! metric (docs/model.md §5). Undefined values are empty cells; numbers use `.` and no separators so
//! Excel, pandas and DuckDB read them as numbers.

use std::fmt::Write as _;

use crate::experiment::ExperimentResults;
use crate::metrics::Metric;
use crate::projections::RepMetrics;
use crate::scenario::Scenario;

/// The header fields: `rep,strategy`, then every metric of the registry.
fn header_record() -> ::csv::StringRecord {
    ["rep", "strategy"]
        .into_iter()
        .chain(Metric::all().map(Metric::name))
        .collect()
}

/// Fill `record` with one row's fields (`text` is scratch space, reused between cells).
fn fill_record(
    record: &mut ::csv::StringRecord,
    text: &mut String,
    rep: u64,
    strategy: &str,
    metrics: &RepMetrics,
) {
    record.clear();
    text.clear();
    let _ = write!(text, "{rep}");
    record.push_field(text);
    // A strategy name is the only text cell: guarded against formula injection.
    record.push_field(&super::escape::formula_guarded(strategy));
    for m in Metric::all() {
        text.clear();
        // Undefined values are empty cells; numbers in Rust's shortest round-trip form.
        if let Some(v) = m.value(metrics) {
            let _ = write!(text, "{v}");
        }
        record.push_field(text);
    }
}

/// One record as a line without its newline (through the same writer as the file).
fn line(record: &::csv::StringRecord) -> String {
    let mut writer = ::csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(record);
    let bytes = writer.into_inner().unwrap_or_default();
    let mut text = String::from_utf8(bytes).unwrap_or_default();
    text.truncate(text.trim_end_matches('\n').len());
    text
}

/// The header line (without newline).
pub fn header() -> String {
    line(&header_record())
}

/// A CSV text cell: quoted when it needs it (RFC 4180), and neutralised when a spreadsheet
/// would take it for a formula ([`super::escape::csv_text`]).
pub fn field(text: &str) -> String {
    super::escape::csv_text(text)
}

/// One row (without newline).
pub fn row(rep: u64, strategy: &str, metrics: &RepMetrics) -> String {
    let mut record = ::csv::StringRecord::new();
    fill_record(&mut record, &mut String::new(), rep, strategy, metrics);
    line(&record)
}

/// Stream the whole file to `out`, rows ordered by replication then strategy in scenario
/// order (one row at a time: memory does not grow with the replications). Written through the
/// `csv` crate: RFC 4180 quoting, `\n` line ends.
pub fn write(
    scenario: &Scenario,
    results: &ExperimentResults,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut writer = ::csv::WriterBuilder::new().from_writer(out);
    writer.write_record(&header_record())?;
    // One reused record and text buffer: no allocation per cell.
    let mut record = ::csv::StringRecord::new();
    let mut text = String::new();
    let mut metrics = RepMetrics::default();
    for (i, rep) in results.reps.clone().enumerate() {
        for (s, strategy) in scenario.strategies.iter().enumerate() {
            results.strategies[s].rows.row_into(i, &mut metrics);
            fill_record(&mut record, &mut text, rep, &strategy.name, &metrics);
            writer.write_record(&record)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// The whole file as a string (small runs and tests).
pub fn render(scenario: &Scenario, results: &ExperimentResults) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(scenario, results, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> RepMetrics {
        RepMetrics {
            outage_minutes: 90.5,
            degraded_minutes: 0.0,
            availability: 0.99,
            incidents: 2,
            outages: 1,
            averted: 0,
            escalations: 1,
            false_alarms: 0,
            mttd_minutes: None,
            mttr_minutes: Some(12.25),
            labor_hours: 1.5,
            downtime_cost: 100.0,
            degraded_cost: 0.0,
            labor_cost: 50.0,
            investment_cost: 0.0,
            total_cost: 150.0,
            pages: 0,
            pages_asleep: 0,
            standby_cost: 0.0,
            tier_pages: vec![0],
            tier_pages_asleep: vec![0],
            tier_busy_minutes: vec![],
            tier_queue_wait_minutes: vec![],
            service_outage_minutes: vec![],
            tickets: 0,
            tickets_deflected: 0,
            fixed_labor_cost: 0.0,
            sla_breaches: 0,
            sla_penalty_cost: 0.0,
            workarounds: 0,
            recurrences: 0,
            problems_fixed: 0,
            changes: 0,
            change_failures: 0,
            inherited_outage_minutes: 0.0,
            service_inherited_outage_minutes: vec![],
            maintenance_hours: 0.0,
            planned_minutes: 0.0,
            planned_cost: 0.0,
            symptom_incidents: 0,
            symptom_hours: 0.0,
            service_root_cause_cost: vec![],
        }
    }

    #[test]
    fn rows_quote_only_what_rfc_4180_requires_and_leave_undefined_cells_empty() {
        // Hand-written expectation: the registry's column order, shortest round-trip numbers,
        // an empty cell for the undefined MTTD, the name quoted with its quote doubled; the last
        // cells are inherited_outage_minutes (0: no dependencies) and the maintenance metrics
        // maintenance_hours, planned_minutes, planned_cost (0: no maintenance), changes and
        // change_failures (0: no changes), then symptom_incidents and symptom_hours (0: no
        // dependencies).
        assert_eq!(
            row(3, "pro\"active, v2", &metrics()),
            "3,\"pro\"\"active, v2\",90.5,0,0.99,2,1,0,1,0,,12.25,1.5,100,0,50,0,150,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"
        );
        assert_eq!(row(0, "plain", &metrics()).split(',').nth(1), Some("plain"));
        assert!(header().starts_with("rep,strategy,outage_minutes,"));
        assert_eq!(field("pro\"active, v2"), "\"pro\"\"active, v2\"");
    }
}
