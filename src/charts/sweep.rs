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
use crate::experiment::sweep::{Axis, SweepResult};
use crate::experiment::vary::format_number;
use crate::export::sweep::axis_value;
use crate::scenario::duration::format_minutes;

/// The savings-against-parameter chart of a sweep.
pub struct SweepChart<'a> {
    /// The finished sweep.
    pub result: &'a SweepResult,
}

/// A tick label on the horizontal axis: durations, multipliers, money or plain numbers, in
/// the style of the other charts.
fn tick(axis: Axis, x: f64, lo: f64, hi: f64, currency: &str) -> String {
    match axis {
        Axis::Factor => format!("x{}", format_number((x * 1000.0).round() / 1000.0)),
        Axis::Minutes => format_minutes(x),
        Axis::Money => money_tick(x, lo.abs().max(hi.abs()), currency),
        Axis::Number => number_tick(x, tick_step(lo, hi, 9)),
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
            Axis::Money => format!(
                "{} (scenario: {})",
                r.parameter.path,
                crate::format::money(r.base_value, cur)
            ),
            _ => format!("{} (scenario: {})", r.parameter.path, r.base_text),
        };
        let candidates: Vec<&str> = r
            .points
            .first()
            .map(|p| p.budgets.iter().map(|b| b.candidate.as_str()).collect())
            .unwrap_or_default();
        let color_of =
            |name: &str| strategy_color(r.strategies.iter().position(|s| s == name).unwrap_or(1));
        let mut key: Vec<KeyEntry> = candidates
            .iter()
            .map(|c| KeyEntry::swatch(color_of(c), format!("{c}: mean savings, band = 95 % CI")))
            .collect();
        if !r.break_even.is_empty() {
            key.push(KeyEntry::text("dashed: break-even"));
        }
        key.push(KeyEntry::text(
            "large ring: lowest total cost; small rings: not significantly worse",
        ));
        let header = draw_header(
            root,
            &format!(
                "Annual savings over {} as {} varies",
                r.baseline, r.parameter.path
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
        let axis = r.axis;
        let y_abs = y0.abs().max(y1.abs());
        let x_fmt = move |x: &f64| tick(axis, *x, x0, x1, cur);
        let y_fmt = move |y: &f64| money_tick(*y, y_abs, cur);
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(format!(
                "savings per year ({cur}), {} replications per point",
                r.replications
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
        let scenario_x = if r.axis == Axis::Factor {
            1.0
        } else {
            r.base_value
        };
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

        for (c, name) in candidates.iter().enumerate() {
            let color = color_of(name);
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
        for (c, name) in candidates.iter().enumerate() {
            let Some(o) = r.optima.iter().find(|o| o.strategy == *name) else {
                continue;
            };
            let color = color_of(name);
            chart
                .draw_series(r.points.iter().enumerate().filter_map(|(j, p)| {
                    let y = p.budgets[c].savings_per_year;
                    (o.not_worse[j] && y.is_finite()).then(|| {
                        let radius = if j == o.best { 11 } else { 7 };
                        Circle::new((p.x, y), radius, color.stroke_width(2))
                    })
                }))
                .map_err(plot_err)?;
        }

        for (i, b) in r.break_even.iter().enumerate() {
            let color = color_of(&b.candidate);
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
            let style = TextStyle::from((FONT, LABEL_SIZE, FontStyle::Bold).into_font())
                .color(&color)
                .pos(pos);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((b.x, y1)) + Text::new(label, (dx, 10 + 22 * i as i32), style),
                ))
                .map_err(plot_err)?;
        }

        Ok(())
    }
}
