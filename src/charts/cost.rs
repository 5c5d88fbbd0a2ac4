//! Chart 2: mean annual cost per strategy as stacked bars — outage downtime, degraded service,
//! labor, investment — with the 95 % confidence interval of the total as a whisker.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::axes::{
    KeyEntry, LABEL_SIZE, TITLE_SIZE, TickedAxis, desc_font, draw_header, guarded, label_font,
    money_tick,
};
use crate::charts::{Chart, FONT, plot_err, strategy_color};
use crate::format::money_short;
use crate::metrics::Metric;
use crate::report::Report;
use crate::scenario::MINUTES_PER_YEAR;

/// The cost components, bottom to top, with their fill colours (neutral tones, so that colour
/// keeps meaning "strategy" everywhere; each bar is outlined in its strategy's colour).
pub const COMPONENTS: [(&str, RGBColor); 4] = [
    ("outage downtime", RGBColor(60, 60, 60)),
    ("degraded service", RGBColor(145, 145, 145)),
    ("labor", RGBColor(205, 175, 105)),
    ("investment", RGBColor(232, 222, 196)),
];

/// One strategy's mean annual cost, by component.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBar {
    pub name: String,
    /// Index of the strategy in the scenario (its colour).
    pub index: usize,
    /// Mean per year of each component, in [`COMPONENTS`] order.
    pub components: [f64; 4],
    /// Mean total per year and its 95 % CI.
    pub total: f64,
    pub total_ci95: [f64; 2],
}

/// Mean annual cost by strategy and component (chart 2).
#[derive(Debug, Clone, PartialEq)]
pub struct CostChart {
    pub currency: String,
    pub bars: Vec<CostBar>,
}

impl CostChart {
    /// The bars from a report's summaries, scaled to a 365-day year.
    pub fn from_report(report: &Report) -> CostChart {
        let per_year = MINUTES_PER_YEAR / report.horizon_minutes;
        let bars = report
            .strategies
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let mean = |m: Metric| s.metric(m).map_or(0.0, |x| x.mean) * per_year;
                let downtime = mean(Metric::DOWNTIME_COST);
                let degraded = mean(Metric::DEGRADED_COST);
                let total = s.metric(Metric::TOTAL_COST);
                CostBar {
                    name: s.name.clone(),
                    index,
                    components: [
                        (downtime - degraded).max(0.0),
                        degraded,
                        mean(Metric::LABOR_COST),
                        mean(Metric::INVESTMENT_COST),
                    ],
                    total: total.map_or(0.0, |t| t.mean) * per_year,
                    total_ci95: total
                        .map_or([0.0, 0.0], |t| [t.ci95[0] * per_year, t.ci95[1] * per_year]),
                }
            })
            .collect();
        CostChart {
            currency: report.currency.clone(),
            bars,
        }
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        "Mean annual cost by strategy, with the 95 % CI of the total".to_string()
    }
}

impl Chart for CostChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let top = self
            .bars
            .iter()
            .map(|b| b.total_ci95[1].max(b.components.iter().sum()))
            .fold(0.0, f64::max);
        let y_max = if top > 0.0 { top * 1.12 } else { 1.0 };
        let names: Vec<&str> = self.bars.iter().map(|b| b.name.as_str()).collect();
        let cur = self.currency.clone();

        // Key of the components, bottom to top as stacked, under the title.
        let key: Vec<KeyEntry> = COMPONENTS
            .iter()
            .map(|(name, fill)| KeyEntry::swatch(*fill, *name))
            .chain([KeyEntry::text("whisker: 95 % CI of the total")])
            .collect();
        let header = draw_header(root, &self.title(), TITLE_SIZE, &key)?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(header)
            .x_label_area_size(48)
            .y_label_area_size(104)
            .build_cartesian_2d(TickedAxis::categories(&names), guarded(0.0..y_max))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("strategy")
            .y_desc(format!("mean cost per year ({})", self.currency))
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| money_tick(*v, y_max, &cur))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;

        let half = 0.22;
        for (slot, bar) in self.bars.iter().enumerate() {
            let color = strategy_color(bar.index);
            let centre = slot as f64 + 0.5;
            let mut base = 0.0;
            for (value, (_, fill)) in bar.components.iter().zip(COMPONENTS.iter()) {
                if *value > 0.0 {
                    chart
                        .draw_series([Rectangle::new(
                            [(centre - half, base), (centre + half, base + value)],
                            fill.filled(),
                        )])
                        .map_err(plot_err)?;
                }
                base += value;
            }
            // Outline in the strategy's colour.
            chart
                .draw_series([Rectangle::new(
                    [(centre - half, 0.0), (centre + half, base)],
                    color.stroke_width(3),
                )])
                .map_err(plot_err)?;
            // Whisker: 95 % CI of the total.
            let ink = ShapeStyle::from(&BLACK).stroke_width(2);
            let [lo, hi] = bar.total_ci95;
            chart
                .draw_series([
                    PathElement::new(vec![(centre, lo), (centre, hi)], ink),
                    PathElement::new(vec![(centre - 0.05, lo), (centre + 0.05, lo)], ink),
                    PathElement::new(vec![(centre - 0.05, hi), (centre + 0.05, hi)], ink),
                ])
                .map_err(plot_err)?;
            // The total above the whisker.
            let (tx, ty) = chart.backend_coord(&(centre, hi.max(base)));
            let label = format!(
                "{}/yr ± {}",
                money_short(bar.total, &self.currency),
                money_short((hi - lo) / 2.0, &self.currency)
            );
            root.draw(&Text::new(
                label,
                (tx, ty - 8),
                (FONT, LABEL_SIZE + 1.0, FontStyle::Bold)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(plot_err)?;
            let (lx, ly) = chart.backend_coord(&(centre, 0.0));
            root.draw(&Text::new(
                bar.name.clone(),
                (lx, ly + 8),
                (FONT, LABEL_SIZE + 2.0, FontStyle::Bold)
                    .into_font()
                    .color(&color)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(plot_err)?;
        }

        Ok(())
    }
}
