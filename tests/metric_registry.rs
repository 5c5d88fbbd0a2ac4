//! The metric registry drives every output, and the paired "share better" follows each
//! metric's direction.

mod common;

use common::*;
use incsim::experiment::{ExperimentResults, run_replications};
use incsim::export::{csv, markdown, terminal};
use incsim::metrics::{Direction, Metric, REGISTRY};
use incsim::report::Report;
use incsim::scenario::Scenario;

fn run() -> (Scenario, ExperimentResults, Report) {
    let mut s = mail_server();
    s.simulation.replications = 80;
    let results = run_replications(&s, 0..s.simulation.replications, &mut |_| {});
    let report = Report::build(&s, &results);
    (s, results, report)
}

/// Share of replications where the candidate's value is strictly above (or below) the
/// baseline's, counted by hand from the rows.
fn share(results: &ExperimentResults, metric: Metric, above: bool) -> f64 {
    let (base, cand) = (&results.strategies[0].rows, &results.strategies[1].rows);
    let mut n = 0;
    let mut better = 0;
    for (b, c) in base.iter().zip(cand) {
        if let (Some(b), Some(c)) = (metric.value(&b), metric.value(&c)) {
            n += 1;
            if (above && c > b) || (!above && c < b) {
                better += 1;
            }
        }
    }
    better as f64 / n as f64
}

#[test]
fn share_better_counts_more_averted_outages_as_better() {
    let (_, results, report) = run();
    let comparison = |m: Metric| {
        report
            .comparisons
            .iter()
            .find(|c| c.metric == m)
            .expect("comparison")
            .paired
    };
    // The proactive candidate averts outages the reactive baseline cannot (it never acts on
    // a warning), so "better" must be the share where it averts more — not fewer.
    let averted = comparison(Metric::AVERTED).p_candidate_better.unwrap();
    assert_eq!(averted, share(&results, Metric::AVERTED, true));
    assert!(averted > 0.5, "averted better in {averted}");
    let availability = comparison(Metric::AVAILABILITY).p_candidate_better.unwrap();
    assert_eq!(availability, share(&results, Metric::AVAILABILITY, true));
    // Lower-is-better metrics keep their old meaning (and numbers).
    let total = comparison(Metric::TOTAL_COST).p_candidate_better.unwrap();
    assert_eq!(total, share(&results, Metric::TOTAL_COST, false));
    // Neutral counts have no share at all.
    for m in Metric::all().filter(|m| m.direction() == Direction::Neutral) {
        assert_eq!(comparison(m).p_candidate_better, None, "{}", m.name());
    }
}

#[test]
fn neutral_metrics_show_null_in_json_and_a_dash_in_tables() {
    let (_, _, report) = run();
    let json = report.to_json();
    let text = terminal::render(&report);
    let md = markdown::render(&report);
    for m in Metric::all() {
        let c = json["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == m.name())
            .expect("comparison in JSON");
        assert_eq!(
            c["p_candidate_better"].is_null(),
            m.direction() == Direction::Neutral,
            "{}",
            m.name()
        );
    }
    let incidents = text
        .lines()
        .find(|l| l.starts_with("Incidents"))
        .expect("incidents row");
    assert!(incidents.trim_end().ends_with('—'), "{incidents}");
    let averted = text
        .lines()
        .find(|l| l.starts_with("Averted outages"))
        .expect("averted row");
    assert!(averted.trim_end().ends_with('%'), "{averted}");
    let md_incidents = md
        .lines()
        .find(|l| l.starts_with("| Incidents"))
        .expect("markdown incidents row");
    assert!(md_incidents.contains("| — |"), "{md_incidents}");
}

#[test]
fn every_file_lists_every_registry_metric_in_registry_order() {
    let (s, results, report) = run();
    let csv_text = csv::render(&s, &results);
    let header: Vec<&str> = csv_text.lines().next().unwrap().split(',').collect();
    let names: Vec<&str> = REGISTRY.iter().map(|d| d.name).collect();
    assert_eq!(header[2..], names[..]);

    let json = report.to_json();
    for strategy in ["reactive", "proactive"] {
        let keys: Vec<&str> = json["strategies"][strategy]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "tiers" && *k != "services")
            .collect();
        assert_eq!(keys, names);
    }

    // The human tables show exactly the registry's table rows, by label, in order (less the
    // rows of features unused here, 0 for every strategy).
    let text = terminal::render(&report);
    let labels: Vec<&str> = report.table_rows().iter().map(|m| m.def().label).collect();
    assert!(labels.len() >= 15);
    let shown: Vec<&str> = text
        .lines()
        .filter_map(|l| labels.iter().copied().find(|label| l.starts_with(label)))
        .collect();
    assert_eq!(shown, labels);
}
