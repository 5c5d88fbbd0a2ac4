//! Axes and text shared by the charts: an axis with hand-picked ticks (strategy categories, a
//! logarithmic time axis), tick-label formatters with units and thousands separators, and the
//! font sizes every chart uses.

use std::ops::Range;

use crate::charts::Result;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::{FONT, plot_err};
use crate::format::{currency_symbol, thousands};
use crate::scenario::duration::format_minutes;

/// Chart title size (pixels).
pub const TITLE_SIZE: f64 = 22.0;
/// Axis description size (pixels).
pub const DESC_SIZE: f64 = 17.0;
/// Tick label and legend size (pixels).
pub const LABEL_SIZE: f64 = 15.0;

/// The title font.
pub fn title_font() -> TextStyle<'static> {
    (FONT, TITLE_SIZE, FontStyle::Bold)
        .into_font()
        .color(&BLACK)
}

/// The font of axis descriptions.
pub fn desc_font() -> TextStyle<'static> {
    (FONT, DESC_SIZE).into_font().color(&BLACK)
}

/// The font of tick labels and legends.
pub fn label_font() -> TextStyle<'static> {
    (FONT, LABEL_SIZE).into_font().color(&BLACK)
}

/// Light grey for grid lines and secondary marks.
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// Dark grey for reference lines (zero, P50/P95 levels).
pub const REFERENCE: RGBColor = RGBColor(90, 90, 90);

/// One entry of a key row: an optional colour swatch and its text.
pub struct KeyEntry {
    pub swatch: Option<RGBColor>,
    pub text: String,
}

impl KeyEntry {
    /// An entry with a filled swatch.
    pub fn swatch(color: RGBColor, text: impl Into<String>) -> KeyEntry {
        KeyEntry {
            swatch: Some(color),
            text: text.into(),
        }
    }

    /// A text-only entry.
    pub fn text(text: impl Into<String>) -> KeyEntry {
        KeyEntry {
            swatch: None,
            text: text.into(),
        }
    }
}

/// Draw a key as one centred row at pixel height `y` of `area` (between the title and the
/// plot), where it can never cover data.
pub fn draw_key_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    y: i32,
    entries: &[KeyEntry],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    const SWATCH: i32 = 14;
    const GAP: i32 = 22;
    let font = label_font();
    let widths: Vec<i32> = entries
        .iter()
        .map(|e| {
            let (w, _) = area.estimate_text_size(&e.text, &font).unwrap_or((0, 0));
            w as i32 + if e.swatch.is_some() { SWATCH + 6 } else { 0 }
        })
        .collect();
    let total: i32 = widths.iter().sum::<i32>() + GAP * (entries.len() as i32 - 1).max(0);
    let (width, _) = area.dim_in_pixel();
    let mut x = (width as i32 - total) / 2;
    let style = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (e, w) in entries.iter().zip(widths) {
        let mut text_x = x;
        if let Some(color) = e.swatch {
            let square = [(x, y - SWATCH / 2), (x + SWATCH, y + SWATCH / 2)];
            area.draw(&Rectangle::new(square, color.filled()))
                .map_err(plot_err)?;
            area.draw(&Rectangle::new(
                square,
                RGBColor(90, 90, 90).stroke_width(1),
            ))
            .map_err(plot_err)?;
            text_x += SWATCH + 6;
        }
        area.draw(&Text::new(e.text.clone(), (text_x, y), style.clone()))
            .map_err(plot_err)?;
        x += w + GAP;
    }
    Ok(())
}

/// Draw a chart's title at the top of `area`, centred, with an optional key row under it;
/// returns the height they take, to use as the chart's top margin (plotters' own caption
/// cannot leave room for a key).
pub fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    title_size: f64,
    key: &[KeyEntry],
) -> Result<u32>
where
    DB::ErrorType: 'static,
{
    let (width, _) = area.dim_in_pixel();
    let style = (FONT, title_size, FontStyle::Bold)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(title.to_string(), (width as i32 / 2, 12), style))
        .map_err(plot_err)?;
    let mut bottom = 12 + title_size.ceil() as i32 + 8;
    if !key.is_empty() {
        draw_key_row(area, bottom + 10, key)?;
        bottom += 26;
    }
    Ok(bottom as u32 + 8)
}

/// A continuous axis (linear or logarithmic) whose ticks are chosen by the chart rather than by
/// plotters: strategy names at the centre of their slots, or round durations on a log axis.
#[derive(Debug, Clone)]
pub struct TickedAxis {
    range: Range<f64>,
    log: bool,
    ticks: Vec<(f64, String)>,
}

impl TickedAxis {
    /// One slot per category: category `i` is centred at `i + 0.5` on the range `0..n`.
    pub fn categories<S: AsRef<str>>(names: &[S]) -> TickedAxis {
        TickedAxis {
            range: 0.0..names.len().max(1) as f64,
            log: false,
            ticks: names
                .iter()
                .enumerate()
                .map(|(i, n)| (i as f64 + 0.5, n.as_ref().to_string()))
                .collect(),
        }
    }

    /// A logarithmic axis of durations in minutes, from `lo` to `hi` (both > 0), with ticks at
    /// round durations ("1m", "15m", "1h", "1d", "1w") spaced at least a quarter decade apart.
    pub fn log_minutes(lo: f64, hi: f64) -> TickedAxis {
        const LADDER: [f64; 26] = [
            0.1,
            0.25,
            0.5,
            1.0,
            2.0,
            5.0,
            10.0,
            15.0,
            30.0,
            60.0,
            120.0,
            240.0,
            480.0,
            720.0,
            1440.0,
            2880.0,
            4320.0,
            10_080.0,
            20_160.0,
            43_200.0,
            86_400.0,
            129_600.0,
            259_200.0,
            525_600.0,
            1_051_200.0,
            5_256_000.0,
        ];
        let mut ticks: Vec<(f64, String)> = Vec::new();
        for &t in LADDER.iter().filter(|&&t| t >= lo && t <= hi) {
            let far_enough = ticks
                .last()
                .is_none_or(|(prev, _)| (t / prev).log10() >= 0.25);
            if far_enough {
                ticks.push((t, format_minutes(t)));
            }
        }
        TickedAxis {
            range: lo..hi,
            log: true,
            ticks,
        }
    }

    /// A logarithmic money axis from `lo` to `hi` (both > 0) with ticks at 1, 2 and 5 times
    /// the powers of ten inside it, labelled as money.
    pub fn log_money(lo: f64, hi: f64, currency: &str) -> TickedAxis {
        let mut ticks = Vec::new();
        let mut decade = 10f64.powi(lo.log10().floor().clamp(-12.0, 18.0) as i32);
        while decade <= hi && ticks.len() < 64 {
            for m in [1.0, 2.0, 5.0] {
                let t = m * decade;
                if t >= lo && t <= hi {
                    ticks.push((t, money_tick(t, t, currency)));
                }
            }
            decade *= 10.0;
        }
        TickedAxis {
            range: lo..hi,
            log: true,
            ticks,
        }
    }

    /// The tick positions.
    pub fn tick_values(&self) -> Vec<f64> {
        self.ticks.iter().map(|(v, _)| *v).collect()
    }

    fn scaled(&self, v: f64) -> f64 {
        if self.log { v.max(1e-12).ln() } else { v }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let lo = self.scaled(self.range.start);
        let hi = self.scaled(self.range.end);
        if hi == lo {
            return (limit.0 + limit.1) / 2;
        }
        let share = (self.scaled(*value) - lo) / (hi - lo);
        limit.0 + (share * (limit.1 - limit.0) as f64 + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Only bold points: the chart's own ticks, no light grid in between.
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        self.tick_values()
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

impl ValueFormatter<f64> for TickedAxis {
    fn format_ext(&self, value: &f64) -> String {
        self.ticks
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    }
}

/// A money tick label: full amounts with thousands separators ("$1,250,000") while the axis
/// stays under ten million, then millions ("$12.5M") so labels stay short.
pub fn money_tick(value: f64, axis_max_abs: f64, currency: &str) -> String {
    let sym = currency_symbol(currency);
    let sign = if value < 0.0 && value.abs() > 1e-9 * axis_max_abs.max(1.0) {
        "-"
    } else {
        ""
    };
    let a = value.abs();
    if axis_max_abs >= 1e7 {
        if a < 1e-9 * axis_max_abs {
            return format!("{sym}0");
        }
        let m = a / 1e6;
        let text = format!("{m:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{sign}{sym}{text}M")
    } else if axis_max_abs >= 10.0 || a == 0.0 {
        format!("{sign}{sym}{}", thousands(a))
    } else {
        format!("{sign}{sym}{a:.2}")
    }
}

/// A plain tick label with thousands separators and as many decimals as the tick step needs.
pub fn number_tick(value: f64, step: f64) -> String {
    if step >= 1.0 || value == 0.0 {
        return thousands(value);
    }
    let decimals = (-step.log10()).ceil().clamp(0.0, 6.0) as usize;
    let text = format!("{value:.decimals$}");
    if value.abs() >= 1000.0 {
        // Group the integer part, keep the decimals.
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let grouped = thousands(int.parse::<f64>().unwrap_or(0.0));
        if frac.is_empty() {
            grouped
        } else {
            format!("{grouped}.{frac}")
        }
    } else {
        text
    }
}

/// The largest magnitude an axis shows: far beyond any amount a scenario can produce
/// (money fields are capped at 1e12), far below where plotters' tick search overflows.
pub const AXIS_LIMIT: f64 = 1e18;

/// An axis range plotters can draw: NaN and infinities replaced, magnitudes capped at
/// [`AXIS_LIMIT`], the ends in order, and a range too narrow to divide into ticks (equal
/// ends, denormal numbers) widened around its centre. Ranges of real data pass unchanged.
pub fn guarded(range: Range<f64>) -> Range<f64> {
    let clean = |x: f64| {
        if x.is_nan() {
            0.0
        } else {
            x.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        }
    };
    let (mut lo, mut hi) = (clean(range.start), clean(range.end));
    if hi < lo {
        std::mem::swap(&mut lo, &mut hi);
    }
    let scale = lo.abs().max(hi.abs());
    if hi - lo <= scale * 1e-9 || hi - lo < 1e-9 {
        let centre = if scale < 1e-9 { 0.0 } else { (lo + hi) / 2.0 };
        let half = (centre.abs() * 0.05).max(1.0);
        lo = centre - half;
        hi = centre + half;
    }
    lo..hi
}

/// The distance between plotters' default ticks for a linear range (a 1-2-5 step), used to
/// pick how many decimals a tick label needs.
pub fn tick_step(lo: f64, hi: f64, max_ticks: usize) -> f64 {
    let span = (hi - lo).abs();
    if span == 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / max_ticks.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

/// A "nice" bin width for a histogram covering `span` with about `bins` bins: 1, 2, 2.5 or 5
/// times a power of ten.
pub fn nice_width(span: f64, bins: usize) -> f64 {
    // Below 1e-9 (denormals included) the power of ten underflows: one unit wide instead.
    if span.is_nan() || span < 1e-9 || span.is_infinite() {
        return 1.0;
    }
    let raw = span / bins.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw * (1.0 - 1e-12) {
            return m * mag;
        }
    }
    10.0 * mag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_ticks_have_separators_and_units() {
        assert_eq!(money_tick(250_000.0, 800_000.0, "USD"), "$250,000");
        assert_eq!(money_tick(1_500_000.0, 2_000_000.0, "USD"), "$1,500,000");
        assert_eq!(money_tick(12_500_000.0, 20_000_000.0, "USD"), "$12.5M");
        assert_eq!(money_tick(0.0, 20_000_000.0, "EUR"), "€0");
        assert_eq!(money_tick(-20_000.0, 100_000.0, "USD"), "-$20,000");
        assert_eq!(money_tick(11_250_000.0, 3e7, "SEK"), "SEK 11.25M");
    }

    #[test]
    fn number_ticks_use_the_step_precision() {
        assert_eq!(number_tick(1500.0, 500.0), "1,500");
        assert_eq!(number_tick(0.5, 0.1), "0.5");
        assert_eq!(number_tick(2.25, 0.05), "2.25");
    }

    #[test]
    fn log_time_ticks_are_round_durations() {
        let axis = TickedAxis::log_minutes(3.0, 3000.0);
        let labels: Vec<String> = axis.ticks.iter().map(|(_, l)| l.clone()).collect();
        assert_eq!(
            labels,
            ["5m", "10m", "30m", "1h", "2h", "4h", "8h", "1d", "2d"]
        );
    }

    #[test]
    fn categories_sit_in_the_middle_of_their_slots() {
        let axis = TickedAxis::categories(&["a", "b"]);
        assert_eq!(axis.tick_values(), [0.5, 1.5]);
        assert_eq!(axis.format_ext(&1.5), "b");
        assert_eq!(axis.map(&1.0, (0, 100)), 50);
    }

    #[test]
    fn guarded_ranges_keep_real_data_and_mend_the_rest() {
        assert_eq!(guarded(0.0..120.0), 0.0..120.0);
        assert_eq!(guarded(-3.5..7.25), -3.5..7.25);
        // Every cost 0 and a denormal annual cost (issue 18, finding 5): widened to ±1.
        assert_eq!(guarded(0.0..5e-324), -1.0..1.0);
        assert_eq!(guarded(f64::NAN..f64::INFINITY), 0.0..AXIS_LIMIT);
        assert_eq!(guarded(-1e300..1e300), -AXIS_LIMIT..AXIS_LIMIT);
        assert_eq!(guarded(5.0..5.0), 4.0..6.0);
        assert_eq!(guarded(2e6..2e6), 1.9e6..2.1e6);
    }

    #[test]
    fn nice_widths_are_round() {
        assert_eq!(nice_width(100.0, 40), 2.5);
        assert_eq!(nice_width(1_000_000.0, 30), 50_000.0);
        assert_eq!(nice_width(0.0, 30), 1.0);
    }
}
