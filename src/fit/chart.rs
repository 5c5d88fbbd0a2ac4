//! CDF charts of calibration: the data's empirical CDF (Kaplan–Meier when censored) against the
//! fitted CDFs, and the back-test's data vs simulated restore times; log time axis, in the
//! style of the run's restore-time chart.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Quantity;
use super::mle::kaplan_meier;
use crate::charts::axes::{TickedAxis, draw_line_legend, legend_line, share_chart};
use crate::charts::{Chart, plot_err, strategy_color};

/// One curve of a CDF chart.
#[derive(Debug, Clone)]
pub struct CdfSeries {
    pub label: String,
    /// (minutes, cumulative share), increasing in minutes.
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    /// Data are drawn as steps; fitted CDFs as smooth lines.
    pub data: bool,
}

/// Cumulative distributions over a log time axis.
#[derive(Debug, Clone)]
pub struct CdfChart {
    pub title: String,
    pub x_desc: String,
    pub series: Vec<CdfSeries>,
}

/// Grey for the data's ECDF, so the palette's colours mean fitted families or the simulation.
const DATA: RGBColor = RGBColor(40, 40, 40);

impl CdfChart {
    /// The data's Kaplan–Meier ECDF against the best fits (at most three).
    pub fn for_quantity(q: &Quantity) -> CdfChart {
        let steps = kaplan_meier(&q.sample);
        let mut data_points = Vec::with_capacity(2 * steps.len());
        for (x, before, after) in &steps {
            data_points.push((*x, *before));
            data_points.push((*x, *after));
        }
        let (lo, hi) = axis_range(data_points.iter().map(|p| p.0));
        let mut series = vec![CdfSeries {
            label: format!(
                "data: {} values{}",
                q.n(),
                if q.sample.censored.is_empty() {
                    String::new()
                } else {
                    format!(" ({} censored, Kaplan–Meier)", q.sample.censored.len())
                }
            ),
            points: data_points,
            color: DATA,
            data: true,
        }];
        for (rank, fit) in q.fits.iter().take(3).enumerate() {
            let points = (0..=200)
                .map(|i| {
                    let x = lo * (hi / lo).powf(i as f64 / 200.0);
                    (x, fit.cdf(x).clamp(0.0, 1.0))
                })
                .filter(|p| p.1.is_finite())
                .collect();
            series.push(CdfSeries {
                label: format!(
                    "{}{}: AIC {:.1}, KS {:.3}",
                    fit.family.name(),
                    if rank == 0 { " (chosen)" } else { "" },
                    fit.aic,
                    fit.ks
                ),
                points,
                color: strategy_color(rank),
                data: false,
            });
        }
        CdfChart {
            title: format!("{}: data vs fitted CDF", q.label),
            x_desc: format!("minutes ({}), log scale", q.source),
            series,
        }
    }
}

/// A log axis range around positive finite values, with a fallback when there are none.
fn axis_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    // Guard against NaN, infinities, denormals and a single repeated value.
    let lo = if lo.is_finite() {
        (lo / 1.5).max(1e-3)
    } else {
        1.0
    };
    let hi = if hi.is_finite() && hi * 1.5 > lo * 2.0 {
        hi * 1.5
    } else {
        lo * 100.0
    };
    (lo, hi.min(1e12))
}

/// The empirical CDF of plain values, as step points.
pub fn ecdf_points(values: &[f64]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mut out = Vec::with_capacity(2 * sorted.len());
    for (i, x) in sorted.iter().enumerate() {
        out.push((*x, i as f64 / n));
        out.push((*x, (i + 1) as f64 / n));
    }
    out
}

impl Chart for CdfChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (lo, hi) = axis_range(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0)),
        );
        let mut chart = share_chart(
            root,
            &self.title,
            TickedAxis::log_minutes(lo, hi),
            self.x_desc.as_str(),
            "share at or below (%)",
        )?;
        for s in &self.series {
            let color = s.color;
            let width = if s.data { 2 } else { 3 };
            let points: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|&(x, y)| (x.clamp(lo, hi), y))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(width)))
                .map_err(plot_err)?
                .label(s.label.clone())
                .legend(legend_line(color, width));
        }
        let (_, legend_y) = chart.backend_coord(&(lo, 0.97));
        let top = chart.plotting_area().get_pixel_range().1.start;
        draw_line_legend(
            &mut chart,
            SeriesLabelPosition::Coordinate(12, legend_y - top),
        )?;
        Ok(())
    }
}
