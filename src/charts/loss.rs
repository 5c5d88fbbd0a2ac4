//! The loss-exceedance curve: for each strategy, the probability that a year's loss from
//! incidents (downtime + labour cost) exceeds x, on a logarithmic money axis — the chart risk
//! managers read. A step function of the replications: at x it is exactly the share of
//! replications with an annual loss above x ([`crate::finance::exceedance`]).

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::charts::axes::{TITLE_SIZE, TickedAxis, desc_font, draw_header, guarded, label_font};
use crate::charts::{Chart, plot_err, strategy_color};
use crate::finance::exceedance;
use crate::report::Report;

/// One strategy's annual incident losses, sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct LossSeries {
    pub name: String,
    /// Index of the strategy in the scenario (its colour).
    pub index: usize,
    pub losses_sorted: Vec<f64>,
}

/// P(annual loss > x) per strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct LossChart {
    pub currency: String,
    pub series: Vec<LossSeries>,
}

impl LossChart {
    /// The sorted annual losses of a run.
    pub fn from_report(report: &Report) -> LossChart {
        LossChart {
            currency: report.currency.clone(),
            series: report
                .strategies
                .iter()
                .zip(&report.charts.strategies)
                .enumerate()
                .map(|(index, (s, c))| LossSeries {
                    name: s.name.clone(),
                    index,
                    losses_sorted: c.incident_loss_per_year_sorted.clone(),
                })
                .collect(),
        }
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        "Loss exceedance: probability that the annual incident loss exceeds an amount".to_string()
    }

    /// The step curve of one series at its own losses: (x, P(loss > x)), each step drawn as
    /// its value just before and at the loss.
    fn steps(losses: &[f64], lo: f64, hi: f64) -> Vec<(f64, f64)> {
        let mut points = vec![(lo, exceedance(losses, lo))];
        for &x in losses.iter().filter(|&&x| x > lo && x < hi) {
            let before = points.last().map_or(1.0, |p| p.1);
            points.push((x, before));
            points.push((x, exceedance(losses, x)));
        }
        points.push((hi, exceedance(losses, hi)));
        points.dedup();
        points
    }
}

impl Chart for LossChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let positive = self
            .series
            .iter()
            .flat_map(|s| s.losses_sorted.iter().copied())
            .filter(|x| *x > 0.0 && x.is_finite());
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for x in positive {
            lo = lo.min(x);
            hi = hi.max(x);
        }
        // Guard the log range: no positive loss, or one value, still gives a drawable axis.
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo / 1.5, hi * 1.5)
        } else if lo.is_finite() {
            (lo / 10.0, lo * 10.0)
        } else {
            (1.0, 1e6)
        };
        let range = guarded(lo.max(1e-6)..hi);
        let x_axis = TickedAxis::log_money(range.start.max(1e-6), range.end, &self.currency);

        let header = draw_header(root, &self.title(), TITLE_SIZE, &[])?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .x_label_area_size(56)
            .y_label_area_size(72)
            .build_cartesian_2d(x_axis, 0.0..1.0)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("annual loss from incidents: downtime + labour (log scale)")
            .y_desc("probability the loss is exceeded (%)")
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .y_labels(11)
            .y_label_formatter(&|v| format!("{:.0} %", v * 100.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;
        let (lo, hi) = (range.start.max(1e-6), range.end);
        for s in &self.series {
            let color = strategy_color(s.index);
            chart
                .draw_series(LineSeries::new(
                    Self::steps(&s.losses_sorted, lo, hi),
                    color.stroke_width(3),
                ))
                .map_err(plot_err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .label_font(label_font())
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_hold_the_share_above_each_loss() {
        let losses = [10.0, 20.0, 20.0, 40.0];
        let steps = LossChart::steps(&losses, 5.0, 60.0);
        assert_eq!(steps.first(), Some(&(5.0, 1.0)));
        assert!(steps.contains(&(10.0, 0.75)));
        assert!(steps.contains(&(20.0, 0.25)));
        assert_eq!(steps.last(), Some(&(60.0, 0.0)));
    }
}
