//! The sweep chart: each candidate's mean annual savings over the baseline against the swept
//! parameter, with its 95 % CI band, the zero line and the break-even values.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, FONT, plot_err, strategy_color};
use crate::experiment::sweep::{Axis, SweepResult};
use crate::experiment::vary::format_number;
use crate::export::format::money_short;
use crate::export::sweep::axis_value;
use crate::scenario::duration::format_minutes;

/// The savings-against-parameter chart of a sweep.
pub struct SweepChart<'a> {
    /// The finished sweep.
    pub result: &'a SweepResult,
}

/// A tick label on an axis of this kind: short money, durations, multipliers.
fn tick(axis: Axis, x: f64, currency: &str) -> String {
    match axis {
        Axis::Factor => format!("x{}", format_number((x * 1000.0).round() / 1000.0)),
        Axis::Minutes => format_minutes(x),
        Axis::Money => money_short(x, currency),
        Axis::Number => format_number((x * 1e6).round() / 1e6),
    }
}

impl Chart for SweepChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let r = self.result;
        let cur = r.currency.as_str();
        let xs: Vec<f64> = r.points.iter().map(|p| p.x).collect();
        let (mut x0, mut x1) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if x0 >= x1 {
            x0 -= 0.5;
            x1 += 0.5;
        }
        let (mut y0, mut y1) = (0.0f64, 0.0f64);
        for p in &r.points {
            for b in &p.budgets {
                for v in [b.savings_ci95[0], b.savings_ci95[1], b.savings_per_year] {
                    if v.is_finite() {
                        y0 = y0.min(v);
                        y1 = y1.max(v);
                    }
                }
            }
        }
        let pad = ((y1 - y0) * 0.08).max(1.0);
        let (y0, y1) = (y0 - pad, y1 + pad);

        let x_desc = match r.axis {
            Axis::Factor => format!(
                "{} as a multiple of the scenario's value ({})",
                r.parameter.path, r.base_text
            ),
            Axis::Minutes if r.parameter.kind == crate::experiment::vary::Kind::DurationDist => {
                format!("{} (mean; scenario: {})", r.parameter.path, r.base_text)
            }
            _ => format!("{} (scenario: {})", r.parameter.path, r.base_text),
        };
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Annual savings over {} as {} varies",
                    r.baseline, r.parameter.path
                ),
                (FONT, 21).into_font(),
            )
            .margin(18)
            .x_label_area_size(52)
            .y_label_area_size(88)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        let axis = r.axis;
        let x_fmt = move |x: &f64| tick(axis, *x, cur);
        let y_fmt = |y: &f64| money_short(*y, cur);
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(format!(
                "savings per year, {cur} (mean, 95 % CI; {} replications per point)",
                r.replications
            ))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_labels(9)
            .y_labels(8)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(plot_err)?;

        chart
            .draw_series(LineSeries::new(
                vec![(x0, 0.0), (x1, 0.0)],
                BLACK.mix(0.7).stroke_width(1),
            ))
            .map_err(plot_err)?;

        // Where the scenario itself lies on the axis.
        let scenario_x = if r.axis == Axis::Factor {
            1.0
        } else {
            r.base_value
        };
        if (x0..=x1).contains(&scenario_x) {
            let grey = RGBColor(110, 110, 110);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(scenario_x, y0), (scenario_x, y1)],
                    3,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(plot_err)?;
            let style = TextStyle::from((FONT, 13).into_font())
                .color(&grey)
                .pos(Pos::new(HPos::Right, VPos::Top));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((scenario_x, y1)) + Text::new("scenario", (-5, 6), style),
                ))
                .map_err(plot_err)?;
        }

        let candidates: Vec<&str> = r
            .points
            .first()
            .map(|p| p.budgets.iter().map(|b| b.candidate.as_str()).collect())
            .unwrap_or_default();
        for (c, name) in candidates.iter().enumerate() {
            let index = r.strategies.iter().position(|s| s == name).unwrap_or(c + 1);
            let color = strategy_color(index);
            let mean: Vec<(f64, f64)> = r
                .points
                .iter()
                .map(|p| (p.x, p.budgets[c].savings_per_year))
                .collect();
            let mut band: Vec<(f64, f64)> = r
                .points
                .iter()
                .map(|p| (p.x, p.budgets[c].savings_ci95[1]))
                .collect();
            band.extend(
                r.points
                    .iter()
                    .rev()
                    .map(|p| (p.x, p.budgets[c].savings_ci95[0])),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.18).filled(),
                )))
                .map_err(plot_err)?;
            chart
                .draw_series(LineSeries::new(mean.clone(), color.stroke_width(3)))
                .map_err(plot_err)?
                .label(format!("{name}: mean savings, 95 % CI band"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
                });
            chart
                .draw_series(
                    mean.iter()
                        .map(|&(x, y)| Circle::new((x, y), 4, color.filled())),
                )
                .map_err(plot_err)?;
        }

        for (i, b) in r.break_even.iter().enumerate() {
            let index = r
                .strategies
                .iter()
                .position(|s| *s == b.candidate)
                .unwrap_or(1);
            let color = strategy_color(index);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(b.x, y0), (b.x, y1)],
                    7,
                    5,
                    color.stroke_width(2),
                ))
                .map_err(plot_err)?;
            let label = format!("break-even {}", axis_value(r, b.x));
            // Right of the line when it is in the left half of the chart, else left of it.
            let left_half = b.x < (x0 + x1) / 2.0;
            let pos = if left_half {
                Pos::new(HPos::Left, VPos::Top)
            } else {
                Pos::new(HPos::Right, VPos::Top)
            };
            let dx = if left_half { 8 } else { -8 };
            let style = TextStyle::from((FONT, 15).into_font())
                .color(&color)
                .pos(pos);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((b.x, y1)) + Text::new(label, (dx, 10 + 22 * i as i32), style),
                ))
                .map_err(plot_err)?;
        }

        // The legend where the curves are not: savings that fall leave the upper right free.
        let falling = r.points.len() >= 2
            && r.points[0]
                .budgets
                .first()
                .zip(r.points[r.points.len() - 1].budgets.first())
                .is_some_and(|(a, b)| a.savings_per_year > b.savings_per_year);
        chart
            .configure_series_labels()
            .position(if falling {
                SeriesLabelPosition::LowerLeft
            } else {
                SeriesLabelPosition::LowerRight
            })
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 14))
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}
