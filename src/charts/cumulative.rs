//! Chart 4: cumulative cost over the horizon per strategy — the mean across replications as a
//! line, the 5th–95th percentile band (90 % of replications) shaded — from the 52 checkpoints
//! the projections record per replication.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::axes::{
    LABEL_SIZE, TITLE_SIZE, desc_font, draw_header, draw_line_legend, guarded, label_font,
    legend_line, money_tick, number_tick, tick_step,
};
use crate::charts::{Chart, FONT, plot_err, strategy_color};
use crate::format::money_short;
use crate::projections::CHECKPOINTS;
use crate::report::Report;
use crate::scenario::duration::format_minutes;

/// One strategy's cumulative cost at the checkpoints (per horizon, not per year).
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeSeries {
    pub name: String,
    /// Index of the strategy in the scenario (its colour).
    pub index: usize,
    /// Mean cumulative cost at each checkpoint.
    pub mean: Vec<f64>,
    /// 5th and 95th percentiles (type 7) across replications at each checkpoint.
    pub p05: Vec<f64>,
    pub p95: Vec<f64>,
}

/// Cumulative cost over the horizon (chart 4).
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeChart {
    pub currency: String,
    pub horizon_minutes: f64,
    pub series: Vec<CumulativeSeries>,
}

impl CumulativeChart {
    /// Mean and band of every strategy's checkpoints (computed by the report).
    pub fn from_report(report: &Report) -> CumulativeChart {
        CumulativeChart {
            currency: report.currency.clone(),
            horizon_minutes: report.horizon_minutes,
            series: report
                .strategies
                .iter()
                .zip(&report.charts.strategies)
                .enumerate()
                .map(|(index, (s, curves))| CumulativeSeries {
                    name: s.name.clone(),
                    index,
                    mean: curves.cost_mean.clone(),
                    p05: curves.cost_p05.clone(),
                    p95: curves.cost_p95.clone(),
                })
                .collect(),
        }
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        format!(
            "Cumulative cost over {} (mean, shaded: 90 % of replications)",
            format_minutes(self.horizon_minutes)
        )
    }

    /// Time unit of the x axis: days, or hours for horizons under two days.
    fn unit(&self) -> (f64, &'static str) {
        if self.horizon_minutes >= 2.0 * 1440.0 {
            (1440.0, "days since the start")
        } else {
            (60.0, "hours since the start")
        }
    }
}

impl Chart for CumulativeChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (unit, unit_desc) = self.unit();
        let x_max = self.horizon_minutes / unit;
        let at = |j: usize| x_max * (j + 1) as f64 / CHECKPOINTS as f64;
        let y_top = self
            .series
            .iter()
            .flat_map(|s| s.p95.iter().chain(&s.mean))
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let y_max = if y_top > 0.0 { y_top * 1.08 } else { 1.0 };
        let cur = self.currency.clone();
        let x_step = tick_step(0.0, x_max, 12);

        let header = draw_header(root, &self.title(), TITLE_SIZE, &[])?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .margin_right(90)
            .x_label_area_size(52)
            .y_label_area_size(104)
            .build_cartesian_2d(guarded(0.0..x_max), guarded(0.0..y_max))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(unit_desc)
            .y_desc(format!("cumulative cost ({})", self.currency))
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .x_labels(12)
            .x_label_formatter(&|v| number_tick(*v, x_step))
            .y_label_formatter(&|v| money_tick(*v, y_max, &cur))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;

        // Bands first, so no band hides another strategy's mean line.
        for s in &self.series {
            let color = strategy_color(s.index);
            let mut band: Vec<(f64, f64)> = vec![(0.0, 0.0)];
            band.extend(s.p95.iter().enumerate().map(|(j, v)| (at(j), *v)));
            band.extend(s.p05.iter().enumerate().rev().map(|(j, v)| (at(j), *v)));
            chart
                .draw_series([Polygon::new(band, color.mix(0.18).filled())])
                .map_err(plot_err)?;
        }
        for s in &self.series {
            let color = strategy_color(s.index);
            let line = std::iter::once((0.0, 0.0))
                .chain(s.mean.iter().enumerate().map(|(j, v)| (at(j), *v)));
            chart
                .draw_series(LineSeries::new(line, color.stroke_width(3)))
                .map_err(plot_err)?
                .label(format!("{}: mean", s.name))
                .legend(legend_line(color, 3));
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(plot_err)?
                .label(format!("{}: 5th–95th percentile", s.name))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 24, y + 6)], color.mix(0.25).filled())
                });
            // The final mean at the right end of the line.
            if let Some(&last) = s.mean.last() {
                let (px, py) = chart.backend_coord(&(x_max, last));
                root.draw(&Text::new(
                    money_short(last, &self.currency),
                    (px + 8, py),
                    (FONT, LABEL_SIZE, FontStyle::Bold)
                        .into_font()
                        .color(&color)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(plot_err)?;
            }
        }
        draw_line_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}
