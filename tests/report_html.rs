//! `report.html` and `summary.md` as a run writes them: well-formed, self-contained, escaping
//! every scenario string, embedding every chart, and showing exactly the numbers of
//! `summary.json`.

mod common;

use std::collections::HashMap;

use common::*;
use incsim::charts::set::CHART_NAMES;
use incsim::experiment::run_replications;
use incsim::export::bundle::{OutputFiles, run_outputs};
use incsim::metrics::{Kind, Metric};
use incsim::scenario::Scenario;
use serde_json::Value;

/// One element of the page: its name, attributes and text content (entities decoded).
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: HashMap<String, String>,
    text: String,
}

const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];

fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find(';')
            .unwrap_or_else(|| panic!("bare & in {:?}", &rest[i..]))
            + i;
        let entity = &rest[i + 1..end];
        out.push_str(match entity {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "#39" | "apos" => "'",
            other => panic!("unexpected entity &{other};"),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn parse_attrs(tag: &str) -> (String, HashMap<String, String>) {
    let tag = tag.trim_end_matches('/');
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = tag[..name_end].to_ascii_lowercase();
    let mut attrs = HashMap::new();
    let mut rest = tag[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=');
        let ws = rest.find(char::is_whitespace);
        match eq {
            Some(e) if ws.is_none_or(|w| e < w) => {
                let key = rest[..e].to_string();
                let after = &rest[e + 1..];
                assert!(
                    after.starts_with('"'),
                    "unquoted attribute {key} in <{name}>"
                );
                let close = after[1..].find('"').expect("closing quote") + 1;
                let value = &after[1..close];
                assert!(!value.contains('<'), "raw < in attribute {key}");
                attrs.insert(key, decode_entities(value));
                rest = after[close + 1..].trim_start();
            }
            _ => {
                let end = ws.unwrap_or(rest.len());
                attrs.insert(rest[..end].to_string(), String::new());
                rest = rest[end..].trim_start();
            }
        }
    }
    (name, attrs)
}

/// Parse the page, asserting that it is well-formed: every element closed in order (void
/// elements and `/>` excepted), attributes quoted, no bare `&`, `<style>` as raw text.
fn parse(html: &str) -> Vec<Element> {
    assert!(html.starts_with("<!DOCTYPE html>"), "doctype first");
    let mut stack: Vec<(String, HashMap<String, String>, usize)> = Vec::new();
    let mut text = String::new();
    let mut elements = Vec::new();
    let mut rest = &html["<!DOCTYPE html>".len()..];
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text.push_str(&decode_entities(rest));
            break;
        };
        let chunk = &rest[..lt];
        assert!(!chunk.contains('>'), "stray > in text: {chunk:?}");
        text.push_str(&decode_entities(chunk));
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").expect("comment closed");
            rest = &after[end + 3..];
            continue;
        }
        let gt = rest.find('>').expect("tag closed");
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let (open, attrs, start) = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(
                open,
                name.trim().to_ascii_lowercase(),
                "mismatched </{name}>"
            );
            elements.push(Element {
                name: open,
                attrs,
                text: text[start..].to_string(),
            });
            continue;
        }
        let (name, attrs) = parse_attrs(tag);
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            elements.push(Element {
                name,
                attrs,
                text: String::new(),
            });
            continue;
        }
        if name == "style" {
            let end = rest.find("</style>").expect("style closed");
            assert!(!rest[..end].contains('<'), "markup inside <style>");
            rest = &rest[end + "</style>".len()..];
            elements.push(Element {
                name,
                attrs,
                text: String::new(),
            });
            continue;
        }
        stack.push((name, attrs, text.len()));
    }
    let open: Vec<&str> = stack.iter().map(|(n, _, _)| n.as_str()).collect();
    assert!(open.is_empty(), "unclosed elements: {open:?}");
    elements
}

/// Parse a displayed number ("$1,234,567", "-71.0", "98.452 %", "0.7 months") into its value
/// and the number of decimals shown.
fn displayed(text: &str) -> (f64, usize) {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    let value: f64 = digits
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"));
    let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len());
    (value, decimals)
}

/// The displayed text shows `expected` rounded to the decimals it shows.
fn assert_shows(label: &str, text: &str, expected: f64) {
    let (value, decimals) = displayed(text);
    let tolerance = 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9) + 1e-9 * expected.abs();
    assert!(
        (value - expected).abs() <= tolerance,
        "{label}: page shows {text:?}, summary.json has {expected}"
    );
}

fn file<'a>(files: &'a OutputFiles, name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is written"))
        .1
}

/// The mail-server story with names that need escaping everywhere.
fn hostile_scenario() -> Scenario {
    let mut s = mail_server();
    s.name = "Mail <b>server</b> & \"friends\"".into();
    s.description = "Tom & Jerry's <script>alert(1)</script>".into();
    s.services[0].name = "e<mail>".into();
    s.tiers[0].name = "help & desk".into();
    s.simulation.replications = 80;
    s
}

fn outputs(s: &Scenario, threads: usize) -> OutputFiles {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let results = pool.install(|| run_replications(s, 0..s.simulation.replications, &mut |_| {}));
    run_outputs(s, &results).expect("outputs").1
}

#[test]
fn report_is_well_formed_self_contained_and_escapes_scenario_text() {
    let s = hostile_scenario();
    let files = outputs(&s, 2);
    let html = std::str::from_utf8(file(&files, "report.html")).expect("UTF-8");
    let elements = parse(html);

    // No raw scenario markup anywhere; the escaped text is there.
    for raw in ["<b>server</b>", "<script", "<mail>", "help & desk"] {
        assert!(!html.contains(raw), "unescaped {raw:?}");
    }
    let h1: Vec<&Element> = elements.iter().filter(|e| e.name == "h1").collect();
    assert_eq!(h1.len(), 1);
    assert_eq!(h1[0].text, s.name);
    assert!(elements.iter().any(|e| e.text == s.description));
    assert!(
        elements
            .iter()
            .any(|e| e.name == "h4" && e.text == "e<mail>")
    );

    // Self-contained: nothing to fetch, no script.
    for forbidden in [
        "<script", "<link", "<img", "<iframe", "src=", "@import", "url(", "https://",
    ] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden:?}"
        );
    }
    let http: Vec<&str> = html
        .match_indices("http://")
        .map(|(i, _)| &html[i..i + 26])
        .collect();
    assert!(
        http.iter().all(|h| *h == "http://www.w3.org/2000/svg"),
        "only the SVG namespace may look like a URL: {http:?}"
    );

    // Sections in reading order: executive summary first.
    let sections: Vec<&str> = elements
        .iter()
        .filter(|e| e.name == "section")
        .map(|e| e.attrs["id"].as_str())
        .collect();
    let mut order: Vec<(usize, &str)> = sections
        .iter()
        .map(|id| {
            (
                html.find(&format!("<section id=\"{id}\"")).unwrap_or(0),
                *id,
            )
        })
        .collect();
    order.sort();
    let ids: Vec<&str> = order.iter().map(|(_, id)| *id).collect();
    assert_eq!(
        ids,
        [
            "summary",
            "business-case",
            "comparison",
            "charts",
            "assumptions",
            "method"
        ]
    );
    let method = elements
        .iter()
        .find(|e| e.name == "section" && e.attrs["id"] == "method")
        .expect("method");
    for needle in [
        "Seed 42",
        "80 independent",
        "Common random numbers",
        "paired-t",
        "type-7",
    ] {
        assert!(method.text.contains(needle), "method mentions {needle:?}");
    }
}

#[test]
fn report_embeds_every_chart_and_summary_md_links_every_png() {
    let s = hostile_scenario();
    let files = outputs(&s, 2);
    let html = std::str::from_utf8(file(&files, "report.html")).expect("UTF-8");
    let md = std::str::from_utf8(file(&files, "summary.md")).expect("UTF-8");
    let elements = parse(html);
    let figures: Vec<&Element> = elements.iter().filter(|e| e.name == "figure").collect();
    assert_eq!(
        figures
            .iter()
            .map(|f| f.attrs["data-chart"].as_str())
            .collect::<Vec<_>>(),
        CHART_NAMES
    );
    for name in CHART_NAMES {
        let svg = std::str::from_utf8(file(&files, &format!("{name}.svg"))).expect("UTF-8");
        let png = file(&files, &format!("{name}.png"));
        assert_eq!(&png[1..4], b"PNG");
        // The figure holds the chart's own SVG, inline (only a role/label added to its tag).
        let body = svg.trim().split_once('>').expect("svg tag").1;
        let figure_at = html
            .find(&format!("<figure id=\"chart-{name}\""))
            .expect("figure");
        assert!(
            html[figure_at..].contains(body),
            "{name}.svg is not inline in its figure"
        );
        assert!(
            md.contains(&format!("]({name}.png)")),
            "summary.md embeds {name}.png"
        );
    }
    assert_eq!(html.matches("<svg").count(), CHART_NAMES.len());
}

#[test]
fn every_number_in_the_report_equals_summary_json() {
    let s = hostile_scenario();
    let files = outputs(&s, 2);
    let html = std::str::from_utf8(file(&files, "report.html")).expect("UTF-8");
    let md = std::str::from_utf8(file(&files, "summary.md")).expect("UTF-8");
    let json: Value = serde_json::from_slice(file(&files, "summary.json")).expect("JSON");
    let elements = parse(html);

    let field = |name: &str| -> Vec<&Element> {
        elements
            .iter()
            .filter(|e| e.attrs.get("data-field").map(String::as_str) == Some(name))
            .collect()
    };
    assert_shows(
        "replications",
        &field("replications")[0].text,
        json["replications"].as_f64().unwrap(),
    );
    assert_shows(
        "seed",
        &field("seed")[0].text,
        json["seed"].as_f64().unwrap(),
    );

    // Executive summary: one block per budget, in summary.json's order.
    let budgets = json["budget"].as_array().expect("budget array");
    assert_eq!(budgets.len(), 1);
    let b = &budgets[0];
    let shown = |f: &str| field(f)[0].text.clone();
    assert_shows(
        "savings",
        &shown("savings_per_year"),
        b["savings_per_year"].as_f64().unwrap(),
    );
    assert_shows(
        "savings CI lo",
        &shown("savings_per_year_ci95.0"),
        b["savings_per_year_ci95"][0].as_f64().unwrap(),
    );
    assert_shows(
        "savings CI hi",
        &shown("savings_per_year_ci95.1"),
        b["savings_per_year_ci95"][1].as_f64().unwrap(),
    );
    assert_shows(
        "investment",
        &shown("incremental_investment_per_year"),
        b["incremental_investment_per_year"].as_f64().unwrap(),
    );
    assert_shows("ROI", &shown("roi"), b["roi"].as_f64().unwrap() * 100.0);
    assert_shows(
        "payback",
        &shown("payback_months"),
        b["payback_months"].as_f64().unwrap(),
    );
    assert_shows(
        "P(cheaper)",
        &shown("p_candidate_cheaper"),
        b["p_candidate_cheaper"].as_f64().unwrap() * 100.0,
    );
    // summary.md shows the same budget figures.
    for f in [
        "savings_per_year",
        "roi",
        "payback_months",
        "p_candidate_cheaper",
    ] {
        assert!(
            md.contains(&shown(f)),
            "summary.md shows {f} as {:?}",
            shown(f)
        );
    }

    // The comparison table: every strategy's mean ± CI and P50 / P95, every paired difference.
    let cell = |key: &str, who: &str, metric: &str, stat: &str| -> Option<String> {
        elements
            .iter()
            .find(|e| {
                e.attrs.get(key).map(String::as_str) == Some(who)
                    && e.attrs.get("data-metric").map(String::as_str) == Some(metric)
                    && e.attrs.get("data-stat").map(String::as_str) == Some(stat)
            })
            .map(|e| e.text.clone())
    };
    let mut checked = 0;
    for row in Metric::table_rows().filter(|m| !m.def().hide_when_zero) {
        let spec = row.def();
        let metric = spec.name;
        let scale = spec.scale
            * if spec.kind == Kind::Percent {
                100.0
            } else {
                1.0
            };
        for strategy in ["reactive", "proactive"] {
            let summary = &json["strategies"][strategy][metric];
            let mean_ci = cell("data-strategy", strategy, metric, "mean_ci").expect("mean cell");
            let quantiles =
                cell("data-strategy", strategy, metric, "p50_p95").expect("quantile cell");
            if summary["mean"].is_null() {
                assert_eq!(mean_ci, "–");
                continue;
            }
            let (mean, half) = mean_ci.split_once(" ± ").expect("mean ± half-width");
            let ci = &summary["ci95"];
            let label = format!("{strategy} {metric}");
            assert_shows(&label, mean, summary["mean"].as_f64().unwrap() * scale);
            assert_shows(
                &label,
                half,
                (ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()) / 2.0 * scale,
            );
            let (p50, p95) = quantiles.split_once(" / ").expect("P50 / P95");
            assert_shows(&label, p50, summary["p50"].as_f64().unwrap() * scale);
            assert_shows(&label, p95, summary["p95"].as_f64().unwrap() * scale);
            checked += 4;
        }
        let comparison = json["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["candidate"] == "proactive" && c["metric"] == metric)
            .expect("comparison");
        let diff = cell("data-candidate", "proactive", metric, "diff").expect("diff cell");
        let (mean, ci) = diff.split_once(" [").expect("diff [lo, hi]");
        let (lo, hi) = ci.trim_end_matches(']').split_once(", ").expect("lo, hi");
        let label = format!("proactive − reactive {metric}");
        assert_shows(
            &label,
            mean,
            comparison["mean_diff"].as_f64().unwrap() * scale,
        );
        assert_shows(&label, lo, comparison["ci95"][0].as_f64().unwrap() * scale);
        assert_shows(&label, hi, comparison["ci95"][1].as_f64().unwrap() * scale);
        let better = cell("data-candidate", "proactive", metric, "better").expect("better cell");
        match comparison["p_candidate_better"].as_f64() {
            Some(p) => assert_shows(&label, &better, p * 100.0),
            // A metric with no better direction: null in JSON, a dash on the page.
            None => {
                assert!(comparison["p_candidate_better"].is_null(), "{label}");
                assert_eq!(better, "—", "{label}");
            }
        }
        checked += 4;
    }
    assert_eq!(
        checked,
        Metric::table_rows()
            .filter(|m| !m.def().hide_when_zero)
            .count()
            * 12
    );
}

#[test]
fn every_output_file_is_identical_across_thread_counts() {
    let s = hostile_scenario();
    let one = outputs(&s, 1);
    let three = outputs(&s, 3);
    assert_eq!(one.len(), three.len());
    for ((name_a, a), (name_b, b)) in one.iter().zip(&three) {
        assert_eq!(name_a, name_b);
        assert!(a == b, "{name_a} differs between 1 and 3 threads");
    }
    let html = std::str::from_utf8(file(&one, "report.html")).expect("UTF-8");
    assert!(
        !html.contains("/tmp") && !html.contains("/home"),
        "no paths"
    );
}
