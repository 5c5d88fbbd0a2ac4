//! Charts: every chart of a run renders to a valid, non-blank PNG of the chart's size and to a
//! well-formed SVG, and the bytes are identical across renders and thread counts.

mod common;

use common::*;
use incsim::charts::savings::SavingsChart;
use incsim::charts::set::{CHART_NAMES, RunChart, run_charts};
use incsim::charts::{Chart, render};
use incsim::experiment::{ExperimentResults, run_replications};
use incsim::report::Report;
use incsim::scenario::Scenario;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

fn small_run(s: &Scenario, threads: usize) -> ExperimentResults {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| run_replications(s, 0..s.simulation.replications, &mut |_| {}))
}

fn charts_of(s: &Scenario, threads: usize) -> Vec<RunChart> {
    let results = small_run(s, threads);
    let report = Report::build(s, &results);
    run_charts(&report).expect("charts render")
}

/// Decode a PNG and return (width, height, RGB pixels).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    assert_eq!(&png_bytes[..8], &PNG_SIGNATURE, "PNG signature");
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Tags of an SVG document balance (every opened element is closed, in order).
fn assert_balanced_svg(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unterminated tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "closing </{name}>"
            );
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or_default();
            stack.push(name.to_string());
        }
    }
    assert!(stack.is_empty(), "unclosed SVG elements: {stack:?}");
}

#[test]
fn every_chart_renders_to_a_valid_png_and_svg() {
    let mut s = mail_server();
    s.simulation.replications = 60;
    let charts = charts_of(&s, 2);
    let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
    assert_eq!(names, CHART_NAMES, "every chart, in reading order");
    for chart in &charts {
        let (w, h, pixels) = decode(&chart.rendered.png);
        assert_eq!((w, h), (960, 600), "{}: size", chart.name);
        assert_eq!(pixels.len(), (w * h * 3) as usize);
        // Not blank: a good share of pixels is ink, and colour (a strategy) is present.
        let ink = pixels
            .chunks(3)
            .filter(|p| p.iter().any(|&c| c < 200))
            .count();
        assert!(ink > 5_000, "{}: only {ink} ink pixels", chart.name);
        let coloured = pixels
            .chunks(3)
            .filter(|p| p.iter().max().unwrap_or(&0) - p.iter().min().unwrap_or(&0) > 60)
            .count();
        assert!(coloured > 500, "{}: no strategy colour", chart.name);

        let svg = &chart.rendered.svg;
        assert!(svg.starts_with("<svg"), "{}: SVG root", chart.name);
        assert!(svg.contains("viewBox=\"0 0 960 600\""), "{}", chart.name);
        assert!(svg.trim_end().ends_with("</svg>"), "{}", chart.name);
        assert_balanced_svg(svg);
        let escaped_title = chart
            .title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            svg.contains(&escaped_title),
            "{}: the SVG shows its title {:?}",
            chart.name,
            chart.title
        );
    }
}

#[test]
fn chart_bytes_are_identical_across_renders_and_thread_counts() {
    let mut s = mail_server();
    s.simulation.replications = 40;
    let one = charts_of(&s, 1);
    let four = charts_of(&s, 4);
    let again = charts_of(&s, 1);
    for ((a, b), c) in one.iter().zip(&four).zip(&again) {
        assert_eq!(a.rendered.svg, b.rendered.svg, "{} SVG vs threads", a.name);
        assert_eq!(a.rendered.png, b.rendered.png, "{} PNG vs threads", a.name);
        assert_eq!(a.rendered.svg, c.rendered.svg, "{} SVG re-render", a.name);
        assert_eq!(a.rendered.png, c.rendered.png, "{} PNG re-render", a.name);
    }
}

#[test]
fn savings_chart_grows_a_panel_per_candidate_and_states_p_cheaper() {
    let mut s = mail_server();
    s.simulation.replications = 30;
    let mut cheap = s.strategies[1].clone();
    cheap.name = "proactive-lite".into();
    cheap.annual_cost = 20_000.0;
    s.strategies.push(cheap);
    let results = small_run(&s, 2);
    let report = Report::build(&s, &results);
    let chart = SavingsChart::from_report(&report).expect("two candidates");
    assert_eq!(chart.panels.len(), 2);
    assert_eq!(chart.size(), (960, 1060));
    for (panel, budget) in chart.panels.iter().zip(&report.budgets) {
        assert_eq!(panel.candidate, budget.candidate);
        assert_eq!(panel.p_positive(), budget.p_cheaper, "P(savings > 0)");
        assert!(chart.panel_title(panel).contains(&format!(
            "P(savings > 0) = {:.1} %",
            budget.p_cheaper * 100.0
        )));
    }
    let rendered = render(&chart).expect("renders");
    assert_eq!(decode(&rendered.png).1, 1060);
    // Each panel labels its own break-even line, inside its own half of the image.
    let label_ys: Vec<i32> = rendered
        .svg
        .split("<text ")
        .filter(|t| t.contains(">\nbreak-even\n<"))
        .map(|t| {
            let y = t.split("y=\"").nth(1).expect("y attribute");
            y[..y.find('"').expect("quote")].parse().expect("integer y")
        })
        .collect();
    assert_eq!(label_ys.len(), 2, "one break-even label per panel");
    assert!(
        label_ys[0] < 530 && (530..1060).contains(&label_ys[1]),
        "{label_ys:?}"
    );
}

#[test]
fn many_candidates_draw_the_twelve_largest_savings_not_a_bitmap_per_candidate() {
    // 20 candidates with annual costs 0, 5 000, …, 95 000 on the same rules: the mean
    // savings fall as the cost rises, so the 12 cheapest are drawn, in scenario order.
    let mut s = mail_server();
    s.simulation.replications = 10;
    let template = s.strategies[1].clone();
    s.strategies.truncate(1);
    for i in 0..20 {
        let mut c = template.clone();
        c.name = format!("c{i:02}");
        c.annual_cost = 5_000.0 * i as f64;
        s.strategies.push(c);
    }
    let report = Report::build(&s, &small_run(&s, 2));
    let chart = SavingsChart::from_report(&report).expect("candidates");
    let names: Vec<&str> = chart.panels.iter().map(|p| p.candidate.as_str()).collect();
    let wanted: Vec<String> = (0..12).map(|i| format!("c{i:02}")).collect();
    assert_eq!(names, wanted);
    assert_eq!(chart.omitted, 8);
    assert_eq!(chart.size(), (960, 600 + 460 * 11));
    assert!(
        chart
            .title()
            .contains("the 12 candidates of 20 with the largest mean savings")
    );
}

#[test]
fn a_single_strategy_has_no_savings_chart_and_no_outage_still_draws() {
    let mut s = mail_server();
    s.simulation.replications = 5;
    s.strategies.truncate(1);
    // Failures far beyond the horizon: nothing happens, every chart must still draw.
    s.services[0].failures_every = incsim::scenario::Dist::fixed(1e9);
    let charts = charts_of(&s, 1);
    let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
    assert!(!names.contains(&"savings"));
    for chart in &charts {
        let (w, h, _) = decode(&chart.rendered.png);
        assert_eq!((w, h), (960, 600));
        assert_balanced_svg(&chart.rendered.svg);
    }
}
