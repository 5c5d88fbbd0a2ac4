//! Chart 1: outage hours per year for each strategy, as a distribution across replications —
//! a mirrored histogram (violin of bins) with a box (P25–P75), whiskers (P5–P95), the median
//! and the mean marked.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::axes::{
    KeyEntry, LABEL_SIZE, TITLE_SIZE, TickedAxis, desc_font, draw_header, guarded, label_font,
    number_tick, tick_step,
};
use crate::charts::data::{Histogram, bins_for, min_max, quantile_select};
use crate::charts::{Chart, FONT, plot_err, strategy_color};
use crate::report::Report;

/// One strategy's outage hours per year, one value per replication.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageSeries {
    pub name: String,
    /// Index of the strategy in the scenario (its colour).
    pub index: usize,
    pub hours_per_year: Vec<f64>,
}

/// Outage hours per year by strategy (chart 1).
#[derive(Debug, Clone, PartialEq)]
pub struct OutageChart {
    pub series: Vec<OutageSeries>,
}

/// Order statistics of one series, for the box.
struct BoxStats {
    p05: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
    mean: f64,
}

impl BoxStats {
    fn of(values: &[f64]) -> Option<BoxStats> {
        if values.is_empty() {
            return None;
        }
        let mut xs = values.to_vec();
        let mut q = |p| quantile_select(&mut xs, p);
        Some(BoxStats {
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
            mean: values.iter().sum::<f64>() / values.len() as f64,
        })
    }
}

impl OutageChart {
    /// Outage hours per (365-day) year of every replication, from the report.
    pub fn from_report(report: &Report) -> OutageChart {
        OutageChart {
            series: report
                .strategies
                .iter()
                .zip(&report.charts.strategies)
                .enumerate()
                .map(|(index, (strategy, curves))| OutageSeries {
                    name: strategy.name.clone(),
                    index,
                    hours_per_year: curves.outage_hours_per_year.clone(),
                })
                .collect(),
        }
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        "Outage hours per year by strategy (distribution across replications)".to_string()
    }
}

impl Chart for OutageChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let all: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.hours_per_year.iter().copied())
            .collect();
        let (_, max) = min_max(&all).unwrap_or((0.0, 0.0));
        let y_max = if max > 0.0 { max * 1.08 } else { 1.0 };
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        let x_axis = TickedAxis::categories(&names);
        let step = tick_step(0.0, y_max, 10);

        // Key of the marks (strategies are named under their slots), under the title.
        let key = [
            KeyEntry::text("shaded: histogram of replications"),
            KeyEntry::text("box: P25–P75, line: median"),
            KeyEntry::text("whiskers: P5–P95"),
            KeyEntry::text("◆ mean"),
        ];
        let header = draw_header(root, &self.title(), TITLE_SIZE, &key)?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x_axis, guarded(0.0..y_max))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("strategy")
            .y_desc("outage hours per year (h)")
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| number_tick(*v, step))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;

        // Shared bin edges so the violins of all strategies compare bin for bin.
        let bins = bins_for(all.len() / self.series.len().max(1));
        let mut max_density: f64 = 0.0;
        let hists: Vec<Histogram> = self
            .series
            .iter()
            .map(|s| {
                let h = Histogram::with_range(&s.hours_per_year, 0.0, max.max(1e-9), bins);
                let n = s.hours_per_year.len().max(1) as f64;
                max_density = max_density.max(h.max_count() as f64 / n);
                h
            })
            .collect();

        for (slot, (s, hist)) in self.series.iter().zip(&hists).enumerate() {
            let color = strategy_color(s.index);
            let centre = slot as f64 + 0.5;
            let n = s.hours_per_year.len().max(1) as f64;
            // Violin: each bin a bar whose half-width is proportional to its share.
            chart
                .draw_series(hist.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(
                    |(i, &c)| {
                        // At least a sliver, so that rare tail values stay visible.
                        let half = (0.42 * (c as f64 / n) / max_density.max(1e-12)).max(0.006);
                        let (lo, hi) = hist.bin(i);
                        Rectangle::new(
                            [(centre - half, lo), (centre + half, hi.min(y_max))],
                            color.mix(0.35).filled(),
                        )
                    },
                ))
                .map_err(plot_err)?;
            let Some(b) = BoxStats::of(&s.hours_per_year) else {
                continue;
            };
            let box_half = 0.07;
            let ink = ShapeStyle::from(&BLACK).stroke_width(2);
            // Whiskers P5–P95 with caps.
            chart
                .draw_series([
                    PathElement::new(vec![(centre, b.p05), (centre, b.p25)], ink),
                    PathElement::new(vec![(centre, b.p75), (centre, b.p95)], ink),
                    PathElement::new(vec![(centre - 0.04, b.p05), (centre + 0.04, b.p05)], ink),
                    PathElement::new(vec![(centre - 0.04, b.p95), (centre + 0.04, b.p95)], ink),
                ])
                .map_err(plot_err)?;
            // Box P25–P75 and the median.
            chart
                .draw_series([
                    Rectangle::new(
                        [(centre - box_half, b.p25), (centre + box_half, b.p75)],
                        WHITE.filled(),
                    ),
                    Rectangle::new(
                        [(centre - box_half, b.p25), (centre + box_half, b.p75)],
                        color.stroke_width(2),
                    ),
                ])
                .map_err(plot_err)?;
            chart
                .draw_series([PathElement::new(
                    vec![(centre - box_half, b.p50), (centre + box_half, b.p50)],
                    color.stroke_width(3),
                )])
                .map_err(plot_err)?;
            // The mean: a filled diamond with its value beside it.
            let mean_pos = chart.backend_coord(&(centre, b.mean));
            let (mx, my) = mean_pos;
            root.draw(&Polygon::new(
                vec![(mx - 8, my), (mx, my - 8), (mx + 8, my), (mx, my + 8)],
                BLACK.filled(),
            ))
            .map_err(plot_err)?;
            let (label_x, _) = chart.backend_coord(&(centre + box_half, b.mean));
            root.draw(&Text::new(
                format!("mean {} h", number_tick(b.mean, 0.1)),
                (label_x + 8, my),
                (FONT, LABEL_SIZE, FontStyle::Bold)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(plot_err)?;
            // The strategy's name under its slot, in its colour.
            let (lx, ly) = chart.backend_coord(&(centre, 0.0));
            let name_style = (FONT, LABEL_SIZE + 2.0, FontStyle::Bold)
                .into_font()
                .color(&color)
                .pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(s.name.clone(), (lx, ly + 8), name_style))
                .map_err(plot_err)?;
        }

        Ok(())
    }
}
