//! Chart 3: time to restore — the empirical CDF of outage durations (outage start → service up)
//! per strategy on a logarithmic time axis, with P50 and P95 marked. Built from the bounded
//! log-binned histogram the projections keep, never from a list of every outage.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::axes::{
    LABEL_SIZE, REFERENCE, TickedAxis, draw_line_legend, label_font, legend_line, share_chart,
};
use crate::charts::data::{cdf_quantile, restore_cdf};
use crate::charts::{Chart, FONT, plot_err, strategy_color};
use crate::format::thousands;
use crate::report::Report;
use crate::scenario::duration::format_minutes;

/// One strategy's restore-time histogram (summed over replications).
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreSeries {
    pub name: String,
    /// Index of the strategy in the scenario (its colour).
    pub index: usize,
    /// Counts per log bin (`projections::metrics::restore_bin`).
    pub hist: Vec<u64>,
}

impl RestoreSeries {
    /// Outages that ended before the horizon.
    pub fn outages(&self) -> u64 {
        self.hist.iter().sum()
    }

    /// P50 and P95 of the restore time in minutes (from the binned CDF), if any outage ended.
    pub fn p50_p95(&self) -> Option<(f64, f64)> {
        let cdf = restore_cdf(&self.hist);
        Some((cdf_quantile(&cdf, 0.5)?, cdf_quantile(&cdf, 0.95)?))
    }
}

/// Time to restore, empirical CDF per strategy (chart 3).
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreChart {
    pub series: Vec<RestoreSeries>,
}

impl RestoreChart {
    /// The histograms of a run.
    pub fn from_report(report: &Report) -> RestoreChart {
        RestoreChart {
            series: report
                .strategies
                .iter()
                .zip(&report.charts.strategies)
                .enumerate()
                .map(|(index, (s, curves))| RestoreSeries {
                    name: s.name.clone(),
                    index,
                    hist: curves.restore_hist.clone(),
                })
                .collect(),
        }
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        "Time to restore: share of outages restored within a given time".to_string()
    }
}

impl Chart for RestoreChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let cdfs: Vec<Vec<(f64, f64)>> = self.series.iter().map(|s| restore_cdf(&s.hist)).collect();
        let lo = cdfs
            .iter()
            .filter_map(|c| c.first().map(|p| p.0))
            .fold(f64::INFINITY, f64::min);
        let hi = cdfs
            .iter()
            .filter_map(|c| c.last().map(|p| p.0))
            .fold(0.0, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo / 1.5, hi * 1.5)
        } else {
            (1.0, 10_000.0)
        };
        let x_axis = TickedAxis::log_minutes(lo, hi);

        let mut chart = share_chart(
            root,
            &self.title(),
            x_axis,
            "time from outage start to service restored (log scale)",
            "outages restored within that time (%)",
        )?;

        // Reference levels for the marked quantiles.
        for (level, name) in [(0.5, "P50"), (0.95, "P95")] {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(lo, level), (hi, level)],
                    6,
                    4,
                    REFERENCE.stroke_width(1),
                ))
                .map_err(plot_err)?;
            let (x, y) = chart.backend_coord(&(lo, level));
            root.draw(&Text::new(
                name.to_string(),
                (x + 6, y - 4),
                label_font()
                    .color(&REFERENCE)
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))
            .map_err(plot_err)?;
        }

        let mut any = false;
        for (s, cdf) in self.series.iter().zip(&cdfs) {
            let color = strategy_color(s.index);
            let Some((p50, p95)) = s.p50_p95() else {
                // Keep the strategy in the legend, saying why it has no curve.
                chart
                    .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
                    .map_err(plot_err)?
                    .label(format!("{}: no outage ended", s.name))
                    .legend(legend_line(color, 3));
                continue;
            };
            any = true;
            chart
                .draw_series(LineSeries::new(cdf.iter().copied(), color.stroke_width(3)))
                .map_err(plot_err)?
                .label(format!(
                    "{}: P50 {}, P95 {} ({} outages)",
                    s.name,
                    format_minutes(p50),
                    format_minutes(p95),
                    thousands(s.outages() as f64)
                ))
                .legend(legend_line(color, 3));
            for (t, level) in [(p50, 0.5), (p95, 0.95)] {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(t, 0.0), (t, level)],
                        5,
                        4,
                        color.stroke_width(2),
                    ))
                    .map_err(plot_err)?;
                chart
                    .draw_series([Circle::new((t, level), 6, color.filled())])
                    .map_err(plot_err)?;
            }
        }
        if !any {
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            root.draw(&Text::new(
                "No outage ended before the horizon in any replication".to_string(),
                ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2),
                (FONT, LABEL_SIZE + 3.0)
                    .into_font()
                    .color(&REFERENCE)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(plot_err)?;
        }
        // Upper left, under the P95 line: a CDF rises from the lower left to the upper right,
        // so that corner stays clear of the curves and of the quantile drop lines.
        // (The legend's coordinates are relative to the plotting area.)
        let (_, legend_y) = chart.backend_coord(&(lo, 0.9));
        let top = chart.plotting_area().get_pixel_range().1.start;
        draw_line_legend(
            &mut chart,
            SeriesLabelPosition::Coordinate(12, legend_y - top),
        )?;
        Ok(())
    }
}
