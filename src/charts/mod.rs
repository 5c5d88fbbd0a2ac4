//! Charts (plotters), each rendered both as SVG and as PNG.
//!
//! Text goes through a font bundled in the binary (DejaVu Sans, `assets/fonts`, free licence),
//! never through the system's fontconfig: a fresh machine with no fonts installed builds and
//! draws the same pixels (PNG text is rasterized by [`text::CrispText`]).
//!
//! One module per chart of a run (`outage`, `cost`, `restore`, `cumulative`, `savings`), each a
//! plain data struct built from the run's results and implementing [`Chart`]; [`set`] renders
//! them all with their file names and captions.

pub mod axes;
pub mod cost;
pub mod cumulative;
pub mod data;
pub mod heatmap;
pub mod loss;
pub mod outage;
pub mod restore;
pub mod savings;
pub mod set;
pub mod text;

pub mod timeline;

pub mod sweep;
pub mod tornado;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

pub(crate) static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The font family every chart uses (registered from the bundled files).
pub const FONT: &str = "sans-serif";

/// Register the bundled fonts with plotters (once per process).
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled files are valid TrueType fonts; a failure here is a build defect.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, BOLD);
    });
}

/// Colours per strategy, by the strategy's index in the scenario: the same strategy has the
/// same colour on every chart (colour-blind-safe Okabe–Ito order).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// The colour of strategy `index`.
pub fn strategy_color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    /// Size in pixels (width, height).
    fn size(&self) -> (u32, u32) {
        (960, 600)
    }
    /// Draw on the given area.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// A chart rendered in both formats.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub svg: String,
    pub png: Vec<u8>,
}

/// Render a chart as SVG text and PNG bytes (in memory: the caller writes files atomically).
pub fn render(chart: &impl Chart) -> Result<Rendered> {
    register_fonts();
    let (w, h) = chart.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        chart.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root =
            text::CrispText::new(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        chart.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    Ok(Rendered {
        svg,
        png: encode_png(&rgb, w, h)?,
    })
}

/// Encode an RGB buffer as PNG.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

/// Why a chart could not be rendered. Charts are drawn in memory, so neither can happen on
/// good input; each says what to report.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// plotters refused a drawing operation.
    #[error(
        "chart drawing failed: {0}\n  help: this is a bug in incsim; please report it with the scenario file"
    )]
    Draw(String),
    /// The PNG encoder failed.
    #[error(
        "PNG encoding failed: {0}\n  help: this is a bug in incsim; please report it with the scenario file"
    )]
    Png(#[from] png::EncodingError),
}

/// The result of drawing a chart.
pub type Result<T> = std::result::Result<T, ChartError>;

/// Map any plotters drawing error into a [`ChartError`].
pub fn plot_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}
