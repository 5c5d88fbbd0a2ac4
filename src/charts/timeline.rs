//! The timeline chart of one incident: for each strategy, a *service* lane (degraded, down)
//! and a *support* lane (not yet detected, waiting in a queue, worked at a tier, handoff) as
//! coloured bars on a common axis of time since the failure started, with markers where it
//! was detected, escalated and fixed.

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, FONT, plot_err, strategy_color};
use crate::projections::incident::{IncidentStory, MarkKind, PhaseKind};
use crate::scenario::Scenario;

const DEGRADED: RGBColor = RGBColor(240, 190, 60);
const DOWN: RGBColor = RGBColor(213, 60, 30);
const UNDETECTED: RGBColor = RGBColor(215, 215, 215);
const WAITING: RGBColor = RGBColor(140, 140, 140);
const HANDOFF: RGBColor = RGBColor(204, 121, 167);
/// Worked at tier i: darker blues and greens up the escalation chain.
const TIERS: [RGBColor; 5] = [
    RGBColor(120, 190, 235),
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
    RGBColor(0, 80, 60),
    RGBColor(60, 40, 120),
];
const LANE_HEIGHT: u32 = 46;
const LABEL_WIDTH: u32 = 230;
const LEGEND_HEIGHT: u32 = 96;
const WIDTH: u32 = 1100;

/// The colour of a phase bar.
pub fn phase_color(kind: PhaseKind) -> RGBColor {
    match kind {
        PhaseKind::Degraded => DEGRADED,
        PhaseKind::Down => DOWN,
        PhaseKind::Undetected => UNDETECTED,
        PhaseKind::Waiting(_) => WAITING,
        PhaseKind::Handoff(_) => HANDOFF,
        PhaseKind::Working(t) => TIERS[t as usize % TIERS.len()],
    }
}

/// The timeline of one incident under one or more strategies (one pair of lanes each).
#[derive(Debug)]
pub struct TimelineChart<'a> {
    scenario: &'a Scenario,
    title: String,
    stories: Vec<&'a IncidentStory>,
}

impl<'a> TimelineChart<'a> {
    /// A chart of these stories (of the same incident), titled `title`.
    pub fn new(scenario: &'a Scenario, title: String, stories: Vec<&'a IncidentStory>) -> Self {
        TimelineChart {
            scenario,
            title,
            stories,
        }
    }

    fn lanes(&self) -> usize {
        2 * self.stories.len().max(1)
    }

    /// The axis unit: (minutes per unit, suffix, axis name).
    fn unit(&self) -> (f64, &'static str, &'static str) {
        let span = self.span();
        if span > 3.0 * 1440.0 {
            (1440.0, "d", "days")
        } else if span > 180.0 {
            (60.0, "h", "hours")
        } else {
            (1.0, "m", "minutes")
        }
    }

    /// Longest story, in minutes since its failure started.
    fn span(&self) -> f64 {
        self.stories
            .iter()
            .map(|s| s.end - s.start)
            .fold(0.0, f64::max)
            .max(1.0)
    }
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

impl Chart for TimelineChart<'_> {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            110 + LANE_HEIGHT * self.lanes() as u32 + LEGEND_HEIGHT,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (_, height) = self.size();
        let (plot_area, legend_area) = root.split_vertically(height - LEGEND_HEIGHT);
        let (per_unit, suffix, axis_name) = self.unit();
        let span = self.span() / per_unit * 1.04;
        let lanes = self.lanes() as f64;
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(&self.title, (FONT, 20).into_font().style(FontStyle::Bold))
            .margin(14)
            .margin_right(30)
            .x_label_area_size(48)
            .y_label_area_size(LABEL_WIDTH)
            .build_cartesian_2d(crate::charts::axes::guarded(0f64..span), 0f64..lanes)
            .map_err(plot_err)?;
        let label = move |x: &f64| {
            let v = (x * 100.0).round() / 100.0;
            if v == 0.0 {
                "0".to_string()
            } else {
                format!("{v}{suffix}")
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(12)
            .x_label_formatter(&label)
            .x_desc(format!("time since the failure started ({axis_name})"))
            .label_style(font(15))
            .axis_desc_style(font(15))
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(plot_err)?;

        let scn = self.scenario;
        for (i, story) in self.stories.iter().enumerate() {
            // Lanes from the top: 2i is the service lane, 2i + 1 the support lane.
            let lane_y = |lane: usize| lanes - lane as f64 - 1.0;
            let service_y = lane_y(2 * i);
            let support_y = lane_y(2 * i + 1);
            let x = |t: f64| (t - story.start) / per_unit;
            let bars = story.phases.iter().filter(|p| p.end > p.start).map(|p| {
                let y = if p.kind.is_service() {
                    service_y
                } else {
                    support_y
                };
                Rectangle::new(
                    [(x(p.start), y + 0.18), (x(p.end), y + 0.82)],
                    phase_color(p.kind).filled(),
                )
            });
            chart.draw_series(bars).map_err(plot_err)?;
            // Markers on the support lane.
            for &(t, kind) in &story.marks {
                let at = (x(t), support_y + 0.5);
                let style = BLACK.filled();
                match kind {
                    MarkKind::Detected => chart
                        .draw_series(std::iter::once(Circle::new(at, 7, style)))
                        .map(|_| ()),
                    MarkKind::Escalated => chart
                        .draw_series(std::iter::once(TriangleMarker::new(at, 8, style)))
                        .map(|_| ()),
                    MarkKind::Resolved => chart
                        .draw_series(std::iter::once(Cross::new(at, 7, BLACK.stroke_width(3))))
                        .map(|_| ()),
                }
                .map_err(plot_err)?;
            }
            // Lane labels, left of the plot, in the strategy's colour.
            let name = &scn.strategies[story.strategy].name;
            let color = strategy_color(story.strategy);
            for (y, what) in [(service_y, "service"), (support_y, "support")] {
                let (_, py) = chart.backend_coord(&(0.0, y + 0.5));
                let style = font(15)
                    .color(&color)
                    .pos(Pos::new(HPos::Left, VPos::Center));
                root.draw(&Text::new(format!("{name} · {what}"), (16, py), style))
                    .map_err(plot_err)?;
            }
        }

        draw_legend(&legend_area, self.tiers_worked(), scn)?;
        Ok(())
    }
}

impl TimelineChart<'_> {
    /// Tiers that appear as "worked at" bars, in tier order.
    fn tiers_worked(&self) -> Vec<u32> {
        let mut tiers: Vec<u32> = self
            .stories
            .iter()
            .flat_map(|s| s.phases.iter())
            .filter_map(|p| match p.kind {
                PhaseKind::Working(t) => Some(t),
                _ => None,
            })
            .collect();
        tiers.sort_unstable();
        tiers.dedup();
        tiers
    }
}

/// Colour swatches and marker shapes, in rows under the plot.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    tiers: Vec<u32>,
    scenario: &Scenario,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut entries: Vec<(String, Option<RGBColor>, Option<MarkKind>)> = vec![
        ("degraded".into(), Some(DEGRADED), None),
        ("down".into(), Some(DOWN), None),
        ("not yet detected".into(), Some(UNDETECTED), None),
        ("waiting in a queue".into(), Some(WAITING), None),
        ("handoff".into(), Some(HANDOFF), None),
    ];
    for t in tiers {
        entries.push((
            format!("worked at {}", scenario.tiers[t as usize].name),
            Some(phase_color(PhaseKind::Working(t))),
            None,
        ));
    }
    entries.push(("detected".into(), None, Some(MarkKind::Detected)));
    entries.push(("escalated".into(), None, Some(MarkKind::Escalated)));
    entries.push(("fixed".into(), None, Some(MarkKind::Resolved)));

    let style = font(15).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut x, mut y) = (LABEL_WIDTH as i32 - 60, 22);
    for (text, color, mark) in entries {
        let text_w = area
            .estimate_text_size(&text, &style)
            .map(|(w, _)| w as i32)
            .unwrap_or(8 * text.len() as i32);
        let entry_w = 26 + text_w + 24;
        if x + entry_w > WIDTH as i32 - 20 {
            x = LABEL_WIDTH as i32 - 60;
            y += 30;
        }
        let result = match (color, mark) {
            (Some(c), _) => area.draw(&Rectangle::new([(x, y - 8), (x + 20, y + 8)], c.filled())),
            (None, Some(MarkKind::Detected)) => {
                area.draw(&Circle::new((x + 10, y), 7, BLACK.filled()))
            }
            (None, Some(MarkKind::Escalated)) => {
                area.draw(&TriangleMarker::new((x + 10, y), 8, BLACK.filled()))
            }
            _ => area.draw(&Cross::new((x + 10, y), 7, BLACK.stroke_width(3))),
        };
        result.map_err(plot_err)?;
        area.draw(&Text::new(text, (x + 26, y), style.clone()))
            .map_err(plot_err)?;
        x += entry_w;
    }
    Ok(())
}
