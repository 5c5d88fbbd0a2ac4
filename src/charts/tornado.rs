//! The tornado chart of a sensitivity analysis: one horizontal bar per input, from the savings
//! with the input lowered to the savings with it raised, around the scenario's savings, the
//! input with the largest swing on top.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{
    GRID, KeyEntry, LABEL_SIZE, TITLE_SIZE, desc_font, draw_header, guarded, label_font, money_tick,
};
use super::{Chart, FONT, plot_err};
use crate::format::money_short;
use crate::report::views::{TornadoBar, TornadoView};

/// At most this many inputs are drawn (the table has them all).
pub const MAX_BARS: usize = 15;

/// Colour of the bar side where the input is lowered: a light neutral, because the palette's
/// colours mean "strategy" on every other chart.
const LOW: RGBColor = RGBColor(176, 184, 196);
/// Colour of the bar side where the input is raised: a dark neutral.
const HIGH: RGBColor = RGBColor(72, 84, 102);

/// The tornado chart of a sensitivity analysis.
pub struct TornadoChart<'a> {
    /// The finished analysis's view ([`TornadoView::of`]).
    pub view: &'a TornadoView,
}

impl TornadoChart<'_> {
    fn bars(&self) -> Vec<&TornadoBar> {
        self.view.bars.iter().take(MAX_BARS).collect()
    }
}

impl Chart for TornadoChart<'_> {
    fn size(&self) -> (u32, u32) {
        let n = self.bars().len().max(4) as u32;
        (1100, 170 + 38 * n)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let r = self.view;
        let cur = r.currency.as_str();
        let bars = self.bars();
        let n = bars.len().max(1);
        let by = &r.change;

        let (mut x0, mut x1) = (r.base_savings, r.base_savings);
        for b in &bars {
            x0 = x0.min(b.savings_low).min(b.savings_high);
            x1 = x1.max(b.savings_low).max(b.savings_high);
        }
        // Room for the value labels at the bar ends.
        let pad = ((x1 - x0) * 0.16).max(r.base_savings.abs() * 0.05).max(1.0);
        let (x0, x1) = (x0 - pad, x1 + pad);

        let label_width = bars
            .iter()
            .map(|b| b.parameter.chars().count())
            .max()
            .unwrap_or(10) as u32
            * 9
            + 24;
        let header = draw_header(
            root,
            &format!(
                "What {}'s savings over {} depend on: each input −{by} / +{by}",
                r.candidate, r.baseline
            ),
            TITLE_SIZE,
            &[
                KeyEntry::swatch(LOW, format!("input lowered by {by}")),
                KeyEntry::swatch(HIGH, format!("input raised by {by}")),
                KeyEntry::text(format!(
                    "black line: the scenario as it is, {}/yr",
                    money_short(r.base_savings, cur)
                )),
            ],
        )?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .margin_right(40)
            .x_label_area_size(56)
            .y_label_area_size(label_width.min(520))
            .build_cartesian_2d(guarded(x0..x1), -0.5f64..(n as f64 - 0.5))
            .map_err(plot_err)?;
        let x_abs = x0.abs().max(x1.abs());
        let x_fmt = move |x: &f64| money_tick(*x, x_abs, cur);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&x_fmt)
            .x_desc(format!(
                "mean savings per year ({cur}), {} replications per run, seed {}",
                r.replications, r.seed
            ))
            .label_style(label_font())
            .axis_desc_style(desc_font())
            .bold_line_style(GRID)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;

        let value_style =
            TextStyle::from((FONT, LABEL_SIZE - 2.0).into_font()).color(&RGBColor(60, 60, 60));
        for (i, b) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (lo, hi) = (y - 0.32, y + 0.32);
            for (end, color) in [(b.savings_low, LOW), (b.savings_high, HIGH)] {
                let (a, z) = if end < r.base_savings {
                    (end, r.base_savings)
                } else {
                    (r.base_savings, end)
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, lo), (z, hi)],
                        color.filled(),
                    )))
                    .map_err(plot_err)?;
            }
            // The input's value at each end, outside the bar.
            let ends = [(b.savings_low, &b.low_text), (b.savings_high, &b.high_text)];
            for (k, (end, text)) in ends.iter().enumerate() {
                let left = *end < r.base_savings || (*end == r.base_savings && k == 0);
                let (pos, dx) = if left {
                    (Pos::new(HPos::Right, VPos::Center), -5)
                } else {
                    (Pos::new(HPos::Left, VPos::Center), 5)
                };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((*end, y))
                            + Text::new(text.to_string(), (dx, 0), value_style.pos(pos)),
                    ))
                    .map_err(plot_err)?;
            }
        }
        chart
            .draw_series(LineSeries::new(
                vec![(r.base_savings, -0.5), (r.base_savings, n as f64 - 0.5)],
                BLACK.stroke_width(2),
            ))
            .map_err(plot_err)?;
        // Input names in the label area, right-aligned against the plot, level with the bars.
        let name_style =
            TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, b) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (px, py) = chart.backend_coord(&(x0, y));
            root.draw(&Text::new(
                b.parameter.clone(),
                (px - 10, py),
                name_style.clone(),
            ))
            .map_err(plot_err)?;
        }
        Ok(())
    }
}
