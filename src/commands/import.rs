//! `incsim import pagerduty`: print a scenario fragment from a PagerDuty policy and schedules.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::cli::ImportPagerdutyArgs;
use incsim::import::pagerduty::{Input, import};

/// API objects larger than this are refused before reading (a bounded allocation): a policy
/// or schedule export is a few kilobytes.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

fn read(path: &Path) -> Result<Input> {
    let file = path.display().to_string();
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {file}"))?
        .len();
    if size > MAX_INPUT_BYTES {
        return Err(anyhow!(
            "{file}: {size} bytes is more than the {} MiB a PagerDuty object may have\n  help: give one \
             policy or schedule per file (GET /escalation_policies/ID, GET /schedules/ID)",
            MAX_INPUT_BYTES >> 20
        ));
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {file}"))?;
    Ok(Input { file, text })
}

/// Run `incsim import pagerduty`.
pub fn pagerduty(args: ImportPagerdutyArgs) -> Result<()> {
    let policy = read(&args.policy)?;
    let schedules = args
        .schedules
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>>>()?;
    let imported = import(&policy, &schedules).map_err(|e| anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    out.write_all(imported.toml.as_bytes())?;
    out.flush()?;
    eprintln!(
        "incsim import: policy {:?} paging {} tier(s): {}",
        imported.policy,
        imported.tiers.len(),
        imported.tiers.join(", ")
    );
    if !imported.notes.is_empty() {
        eprintln!("not mapped or approximated ({}):", imported.notes.len());
        for note in &imported.notes {
            eprintln!("  {note}");
        }
    }
    Ok(())
}
