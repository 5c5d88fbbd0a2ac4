//! The sweep chart: each candidate's mean annual savings over the baseline against the swept
//! parameter, with its 95 % CI band, the zero line and the break-even values.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{
    GRID, KeyEntry, LABEL_SIZE, REFERENCE, TITLE_SIZE, desc_font, draw_header, guarded, label_font,
    money_tick, number_tick, tick_step,
};
use super::{Chart, FONT, plot_err, strategy_color};
use crate::format::format_number;
use crate::report::views::{SweepScale, SweepView};
use crate::scenario::duration::format_minutes;

/// The savings-against-parameter chart of a sweep.
pub struct SweepChart<'a> {
    /// The finished sweep's view ([`SweepView::of`]).
    pub view: &'a SweepView,
}

/// A tick label on the horizontal axis: durations, multipliers, money or plain numbers, in
/// the style of the other charts.
fn tick(scale: SweepScale, x: f64, lo: f64, hi: f64, currency: &str) -> String {
    match scale {
        SweepScale::Factor => format!("x{}", format_number((x * 1000.0).round() / 1000.0)),
        SweepScale::Minutes => format_minutes(x),
        SweepScale::Money => money_tick(x, lo.abs().max(hi.abs()), currency),
        SweepScale::Number => number_tick(x, tick_step(lo, hi, 9)),
    }
}

impl Chart for SweepChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let v = self.view;
        let cur = v.currency.as_str();
        let (mut x0, mut x1) =
            v.xs.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
        if x0 >= x1 {
            x0 -= 0.5;
            x1 += 0.5;
        }
        let (mut y0, mut y1) = (0.0f64, 0.0f64);
        for c in &v.curves {
            for p in &c.points {
                for y in [p.savings_ci95[0], p.savings_ci95[1], p.savings_per_year] {
                    if y.is_finite() {
                        y0 = y0.min(y);
                        y1 = y1.max(y);
                    }
                }
            }
        }
        let pad = ((y1 - y0) * 0.08).max(1.0);
        let (y0, y1) = (y0 - pad, y1 + pad);

        let mut key: Vec<KeyEntry> = v
            .curves
            .iter()
            .map(|c| {
                KeyEntry::swatch(
                    strategy_color(c.strategy_index),
                    format!("{}: mean savings, band = 95 % CI", c.candidate),
                )
            })
            .collect();
        if !v.break_even.is_empty() {
            key.push(KeyEntry::text("dashed: break-even"));
        }
        key.push(KeyEntry::text(
            "large ring: lowest total cost; small rings: not significantly worse",
        ));
        let header = draw_header(
            root,
            &format!(
                "Annual savings over {} as {} varies",
                v.baseline, v.parameter
            ),
            TITLE_SIZE,
            &key,
        )?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .margin_right(56)
            .x_label_area_size(56)
            .y_label_area_size(128)
            .build_cartesian_2d(guarded(x0..x1), guarded(y0..y1))
            .map_err(plot_err)?;
        let scale = v.scale;
        let y_abs = y0.abs().max(y1.abs());
        let x_fmt = move |x: &f64| tick(scale, *x, x0, x1, cur);
        let y_fmt = move |y: &f64| money_tick(*y, y_abs, cur);
        chart
            .configure_mesh()
            .x_desc(v.axis_description.clone())
            .y_desc(format!(
                "savings per year ({cur}), {} replications per point",
                v.replications
            ))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_labels(9)
            .y_labels(8)
            .label_style(label_font())
            .axis_desc_style(desc_font())
            .bold_line_style(GRID)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;

        chart
            .draw_series(LineSeries::new(
                vec![(x0, 0.0), (x1, 0.0)],
                BLACK.stroke_width(2),
            ))
            .map_err(plot_err)?;

        // Where the scenario itself lies on the axis.
        let scenario_x = v.scenario_x;
        if (x0..=x1).contains(&scenario_x) {
            let grey = REFERENCE;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(scenario_x, y0), (scenario_x, y1)],
                    3,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(plot_err)?;
            // At the bottom (break-even labels are at the top), on the roomier side.
            let left_half = scenario_x < (x0 + x1) / 2.0;
            let (h, dx) = if left_half {
                (HPos::Left, 5)
            } else {
                (HPos::Right, -5)
            };
            let style = TextStyle::from((FONT, LABEL_SIZE - 1.0).into_font())
                .color(&grey)
                .pos(Pos::new(h, VPos::Bottom));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((scenario_x, y0)) + Text::new("scenario", (dx, -6), style),
                ))
                .map_err(plot_err)?;
        }

        for curve in &v.curves {
            let color = strategy_color(curve.strategy_index);
            let mean: Vec<(f64, f64)> = curve
                .points
                .iter()
                .map(|p| (p.x, p.savings_per_year))
                .collect();
            let mut band: Vec<(f64, f64)> = curve
                .points
                .iter()
                .map(|p| (p.x, p.savings_ci95[1]))
                .collect();
            band.extend(curve.points.iter().rev().map(|p| (p.x, p.savings_ci95[0])));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.18).filled(),
                )))
                .map_err(plot_err)?;
            chart
                .draw_series(LineSeries::new(mean.clone(), color.stroke_width(3)))
                .map_err(plot_err)?;
            chart
                .draw_series(
                    mean.iter()
                        .map(|&(x, y)| Circle::new((x, y), 4, color.filled())),
                )
                .map_err(plot_err)?;
        }

        // Each candidate's optimum (lowest mean total cost) and the points not significantly
        // worse, ringed on its savings curve.
        for curve in &v.curves {
            let Some(o) = &curve.optimum else {
                continue;
            };
            let color = strategy_color(curve.strategy_index);
            chart
                .draw_series(curve.points.iter().enumerate().filter_map(|(j, p)| {
                    let y = p.savings_per_year;
                    (o.not_worse[j] && y.is_finite()).then(|| {
                        let radius = if j == o.best { 11 } else { 7 };
                        Circle::new((p.x, y), radius, color.stroke_width(2))
                    })
                }))
                .map_err(plot_err)?;
        }

        for (i, b) in v.break_even.iter().enumerate() {
            let color = strategy_color(b.strategy_index);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(b.x, y0), (b.x, y1)],
                    7,
                    5,
                    color.stroke_width(2),
                ))
                .map_err(plot_err)?;
            // Right of the line when it is in the left half of the chart, else left of it.
            let left_half = b.x < (x0 + x1) / 2.0;
            let pos = if left_half {
                Pos::new(HPos::Left, VPos::Top)
            } else {
                Pos::new(HPos::Right, VPos::Top)
            };
            let dx = if left_half { 8 } else { -8 };
            let style = TextStyle::from((FONT, LABEL_SIZE, FontStyle::Bold).into_font())
                .color(&color)
                .pos(pos);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((b.x, y1))
                        + Text::new(b.label.clone(), (dx, 10 + 22 * i as i32), style),
                ))
                .map_err(plot_err)?;
        }

        Ok(())
    }
}
