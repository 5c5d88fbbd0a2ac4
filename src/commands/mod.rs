//! One module per subcommand.

pub mod completions;
pub mod drill;
pub mod exec;
pub mod fit;
pub mod import;
pub mod init;
pub mod merge;
pub mod pdf;
pub mod precision;
pub mod replay;
pub mod run;
pub mod select;
pub mod sensitivity;
pub mod shard;
pub mod study;
pub mod sweep;
pub mod timeline;
pub mod validate;

use std::path::Path;

use anyhow::Result;
use incsim::scenario::{self, Scenario, ScenarioErrors};

/// Load a scenario file, or the built-in one when `path` is None. Returns the scenario and the
/// slug of its default output folder.
pub fn load_scenario(path: Option<&Path>) -> Result<(Scenario, String)> {
    match path {
        None => {
            let s = scenario::parse_str(
                scenario::DEFAULT_SCENARIO_TOML,
                "<built-in default scenario>",
            )
            .map_err(anyhow::Error::new)?;
            Ok((s, scenario::DEFAULT_SCENARIO_NAME.to_string()))
        }
        Some(p) => {
            let s = scenario::load(p).map_err(anyhow::Error::new)?;
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok((s, scenario::slug(&stem)))
        }
    }
}

/// Render an error for the terminal: scenario errors as they are (they carry file, line, field
/// and help), other errors as `error: …` with their causes.
pub fn render_error(err: &anyhow::Error) -> String {
    if let Some(errors) = err.downcast_ref::<ScenarioErrors>() {
        return errors.to_string();
    }
    let mut out = format!("error: {err}");
    for cause in err.chain().skip(1) {
        out.push_str(&format!("\n  caused by: {cause}"));
    }
    out
}
