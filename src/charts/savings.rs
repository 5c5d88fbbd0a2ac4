//! Chart 5: paired savings per year — baseline total cost minus candidate total cost in each
//! replication (common random numbers: both met the same failures) — as a histogram with the
//! break-even line at zero, the mean marked, and P(savings > 0) in the title. One panel per
//! candidate.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::axes::{
    LABEL_SIZE, REFERENCE, TITLE_SIZE, desc_font, draw_header, guarded, label_font, money_tick,
    number_tick, tick_step,
};
use crate::charts::data::{Histogram, bins_for, min_max};
use crate::charts::{Chart, FONT, plot_err, strategy_color};
use crate::format::{money_short, percent};
use crate::report::Report;

/// Savings of one candidate over the baseline, one value per replication.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsPanel {
    pub candidate: String,
    /// Index of the candidate in the scenario (its colour).
    pub index: usize,
    /// (baseline − candidate) total cost per replication, scaled to a year.
    pub savings_per_year: Vec<f64>,
}

impl SavingsPanel {
    /// Share of replications in which the candidate is strictly cheaper.
    pub fn p_positive(&self) -> f64 {
        let n = self.savings_per_year.len();
        if n == 0 {
            return 0.0;
        }
        self.savings_per_year.iter().filter(|s| **s > 0.0).count() as f64 / n as f64
    }

    /// Mean savings per year.
    pub fn mean(&self) -> f64 {
        self.savings_per_year.iter().sum::<f64>() / self.savings_per_year.len().max(1) as f64
    }
}

/// The most panels the chart draws. Each panel is 460 px tall, so a thousand candidates made
/// a 960 × 460 000 px bitmap (1.3 GB of memory for the PNG alone, issue 18's 2.4 GB with
/// 1,001 strategies); beyond this the candidates with the largest mean savings are drawn.
pub const MAX_PANELS: usize = 12;

/// Paired savings of every candidate over the baseline (chart 5), at most [`MAX_PANELS`].
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsChart {
    pub currency: String,
    pub baseline: String,
    pub panels: Vec<SavingsPanel>,
    /// Candidates left out (those with the smallest mean savings), 0 with ≤ [`MAX_PANELS`].
    pub omitted: usize,
}

impl SavingsChart {
    /// The paired differences of a run; None when there is no candidate (one strategy).
    pub fn from_report(report: &Report) -> Option<SavingsChart> {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let mut chosen: Vec<usize> = (0..report.charts.savings.len()).collect();
        let omitted = chosen.len().saturating_sub(MAX_PANELS);
        if omitted > 0 {
            // The largest mean savings first (ties: scenario order), then back in scenario order.
            chosen.sort_by(|&a, &b| {
                let (sa, sb) = (&report.charts.savings[a], &report.charts.savings[b]);
                mean(&sb.savings_per_year)
                    .total_cmp(&mean(&sa.savings_per_year))
                    .then(a.cmp(&b))
            });
            chosen.truncate(MAX_PANELS);
            chosen.sort_unstable();
        }
        let panels: Vec<SavingsPanel> = chosen
            .into_iter()
            .map(|i| &report.charts.savings[i])
            .map(|series| SavingsPanel {
                candidate: report.strategies[series.candidate].name.clone(),
                index: series.candidate,
                savings_per_year: series.savings_per_year.clone(),
            })
            .collect();
        (!panels.is_empty()).then(|| SavingsChart {
            currency: report.currency.clone(),
            baseline: report.strategies[report.baseline].name.clone(),
            panels,
            omitted,
        })
    }

    /// The title of one panel (the whole chart's title when there is one candidate).
    pub fn panel_title(&self, panel: &SavingsPanel) -> String {
        format!(
            "Paired savings per year, {} vs {}: P(savings > 0) = {}",
            panel.candidate,
            self.baseline,
            percent(panel.p_positive())
        )
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        match self.panels.as_slice() {
            [one] => self.panel_title(one),
            _ if self.omitted > 0 => format!(
                "Paired savings per year vs {}: the {} candidates of {} with the largest mean savings (all in summary.json)",
                self.baseline,
                self.panels.len(),
                self.panels.len() + self.omitted
            ),
            _ => format!(
                "Paired savings per year of each candidate vs {}",
                self.baseline
            ),
        }
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &SavingsPanel,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let color = strategy_color(panel.index);
        let values = &panel.savings_per_year;
        let (lo, hi) = min_max(values).unwrap_or((0.0, 0.0));
        // Always show zero, the break-even line.
        let hist = Histogram::with_range(values, lo.min(0.0), hi.max(0.0), bins_for(values.len()));
        let pad = hist.width;
        let (x_lo, x_hi) = (hist.start - pad, hist.end() + pad);
        let y_max = (hist.max_count() as f64 * 1.15).max(1.0);
        let axis_abs = x_lo.abs().max(x_hi.abs());
        let cur = self.currency.clone();
        let y_step = tick_step(0.0, y_max, 8);

        let header = draw_header(area, &self.panel_title(panel), TITLE_SIZE - 2.0, &[])?;
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .margin_top(header)
            .margin_right(56)
            .x_label_area_size(52)
            .y_label_area_size(80)
            .build_cartesian_2d(guarded(x_lo..x_hi), guarded(0.0..y_max))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(format!(
                "savings per year ({}), {} − {} total cost",
                self.currency, self.baseline, panel.candidate
            ))
            .y_desc("replications")
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .x_labels(9)
            .y_labels(8)
            .x_label_formatter(&|v| money_tick(*v, axis_abs, &cur))
            .y_label_formatter(&|v| number_tick(*v, y_step.max(1.0)))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;

        // Bars: the candidate's colour where it saves money, grey where it costs more.
        chart
            .draw_series(
                hist.counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(i, &c)| {
                        let (b_lo, b_hi) = hist.bin(i);
                        let fill = if b_lo >= 0.0 {
                            color.mix(0.75)
                        } else {
                            RGBColor(170, 170, 170).mix(0.9)
                        };
                        Rectangle::new([(b_lo, 0.0), (b_hi, c as f64)], fill.filled())
                    }),
            )
            .map_err(plot_err)?;

        // Break-even at zero and the mean.
        chart
            .draw_series([PathElement::new(
                vec![(0.0, 0.0), (0.0, y_max)],
                BLACK.stroke_width(2),
            )])
            .map_err(plot_err)?;
        let mean = panel.mean();
        chart
            .draw_series(DashedLineSeries::new(
                vec![(mean, 0.0), (mean, y_max)],
                8,
                5,
                REFERENCE.stroke_width(2),
            ))
            .map_err(plot_err)?;
        // backend_coord is in whole-image pixels; this panel's area starts at `base`.
        let base = area.get_base_pixel();
        let text = |s: String, at: (f64, f64), h: HPos| -> Result<()> {
            let (x, y) = chart.backend_coord(&at);
            let (x, y) = (x - base.0, y - base.1);
            let dx = if matches!(h, HPos::Right) { -6 } else { 6 };
            area.draw(&Text::new(
                s,
                (x + dx, y + 4),
                (FONT, LABEL_SIZE, FontStyle::Bold)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(h, VPos::Top)),
            ))
            .map_err(plot_err)
        };
        // Put the two labels on opposite sides so they never overlap.
        let (zero_side, mean_side) = if mean >= 0.0 {
            (HPos::Right, HPos::Left)
        } else {
            (HPos::Left, HPos::Right)
        };
        text("break-even".to_string(), (0.0, y_max), zero_side)?;
        text(
            format!("mean {}", money_short(mean, &self.currency)),
            (mean, y_max * 0.93),
            mean_side,
        )?;
        Ok(())
    }
}

impl Chart for SavingsChart {
    fn size(&self) -> (u32, u32) {
        (960, 600 + 460 * (self.panels.len().max(1) as u32 - 1))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let areas = root.split_evenly((self.panels.len().max(1), 1));
        for (area, panel) in areas.iter().zip(&self.panels) {
            self.draw_panel(area, panel)?;
        }
        Ok(())
    }
}
