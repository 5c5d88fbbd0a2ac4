//! The heat map of a two-way sweep: one cell per pair of values, coloured by the chosen
//! metric's mean, the value written in the cell and the best cell outlined.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{KeyEntry, LABEL_SIZE, TITLE_SIZE, desc_font, draw_header, label_font};
use super::{Chart, FONT, Result, plot_err};
use crate::report::views::HeatMapView;

/// The heat map of a two-way sweep.
pub struct HeatMap<'a> {
    /// The finished grid's view ([`HeatMapView::of`]).
    pub view: &'a HeatMapView,
}

/// Sequential ramp from pale yellow (good) to deep blue (bad), `t` in [0, 1].
fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let (a, b) = ((255.0, 247.0, 188.0), (8.0, 64.0, 129.0));
    let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Chart for HeatMap<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let g = self.view;
        let finite: Vec<f64> = g
            .cells
            .iter()
            .map(|c| c.mean)
            .filter(|x| x.is_finite())
            .collect();
        let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Guard the scale against a flat grid (and NaN, inf, denormal spans).
        let span = if hi - lo > f64::MIN_POSITIVE * 1e6 {
            hi - lo
        } else {
            1.0
        };
        // Bad is dark: for a metric where higher is better, flip the ramp.
        let shade = |x: f64| {
            let t = (x - lo) / span;
            ramp(if g.metric.direction().higher_is_better() {
                1.0 - t
            } else {
                t
            })
        };
        let key = [
            KeyEntry::swatch(ramp(0.0), "better"),
            KeyEntry::swatch(ramp(1.0), "worse"),
            KeyEntry::text("outlined: best cell"),
        ];
        let header = draw_header(
            root,
            &format!(
                "{} of {}{} by {} and {}",
                g.metric.name(),
                g.strategy,
                if g.per_year { " per year" } else { "" },
                g.a_path,
                g.b_path
            ),
            TITLE_SIZE - 4.0,
            &key,
        )?;
        let (b_steps, a_steps) = (g.b_labels.len(), g.a_labels.len());
        let (nb, na) = (b_steps as f64, a_steps as f64);
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .x_label_area_size(56)
            .y_label_area_size(120)
            .build_cartesian_2d(0f64..nb, 0f64..na)
            .map_err(plot_err)?;
        let (a_labels, b_labels) = (&g.a_labels, &g.b_labels);
        let x_fmt = |x: &f64| {
            let k = (x - 0.5).round();
            if (x - 0.5 - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < b_labels.len() {
                b_labels[k as usize].clone()
            } else {
                String::new()
            }
        };
        let y_fmt = |y: &f64| {
            let k = (y - 0.5).round();
            if (y - 0.5 - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < a_labels.len() {
                a_labels[k as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(g.b_path.clone())
            .y_desc(g.a_path.clone())
            .x_labels(b_steps * 2 + 1)
            .y_labels(a_steps * 2 + 1)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(label_font())
            .axis_desc_style(desc_font())
            .draw()
            .map_err(plot_err)?;
        for (k, c) in g.cells.iter().enumerate() {
            let (x, y) = (c.j as f64, c.i as f64);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    shade(c.mean).filled(),
                )))
                .map_err(plot_err)?;
            let dark = ((c.mean - lo) / span > 0.55) != g.metric.direction().higher_is_better();
            let color = if dark { WHITE } else { BLACK };
            let bold = if k == g.best {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            let style = TextStyle::from((FONT, LABEL_SIZE - 1.0, bold).into_font())
                .color(&color)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(
                    c.label.clone(),
                    (x + 0.5, y + 0.5),
                    style,
                )))
                .map_err(plot_err)?;
        }
        let best = &g.cells[g.best];
        let (x, y) = (best.j as f64, best.i as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x + 0.03, y + 0.03), (x + 0.97, y + 0.97)],
                RGBColor(213, 94, 0).stroke_width(4),
            )))
            .map_err(plot_err)?;
        Ok(())
    }
}
