//! `incsim fit`: calibrate a scenario from an incident export.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

use crate::cli::FitArgs;
use incsim::charts::render;
use incsim::export::output::OutputSet;
use incsim::fit::chart::CdfChart;
use incsim::fit::check::back_test;
use incsim::fit::dates::DateOrder;
use incsim::fit::read::{ColumnMap, ReadOptions, read_export};
use incsim::fit::writer::scenario_toml;
use incsim::fit::{Analysis, analyse};
use incsim::scenario::{self, slug};

/// Exports larger than this are refused before reading (a bounded allocation).
const MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Run `incsim fit`.
pub fn fit(args: FitArgs) -> Result<()> {
    let file = args.export.display().to_string();
    let size = std::fs::metadata(&args.export)
        .with_context(|| format!("cannot read the export {file}"))?
        .len();
    if size > MAX_EXPORT_BYTES {
        return Err(anyhow!(
            "{file}: {size} bytes is more than the {} MiB an export may have\n  help: filter the \
             export by date or service first",
            MAX_EXPORT_BYTES >> 20
        ));
    }
    let bytes =
        std::fs::read(&args.export).with_context(|| format!("cannot read the export {file}"))?;
    let options = ReadOptions {
        format: args
            .format
            .as_deref()
            .map(incsim::fit::read::Format::parse)
            .transpose()
            .map_err(|e| anyhow!("--format: {e}"))?,
        columns: args
            .columns
            .as_deref()
            .map(ColumnMap::parse)
            .transpose()
            .map_err(|e| anyhow!("{e}"))?,
        date_order: args.date_format.clone().map(DateOrder::Explicit),
    };
    let export = read_export(&bytes, &file, &options).map_err(|e| anyhow!("{e}"))?;
    let analysis = analyse(export);
    let name = args
        .export
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let toml = scenario_toml(&analysis, &name).map_err(|e| anyhow!("{file}: {e}"))?;
    // The fitted scenario must load with today's parser: a failure here is a bug of ours.
    let fitted = scenario::parse_str(&toml, "<fitted scenario>").map_err(|e| {
        anyhow!("the fitted scenario does not validate (a bug in incsim fit):\n{e}")
    })?;

    let charts_dir = charts_dir(&args);
    let mut charts = OutputSet::prepare(&charts_dir)?;
    let mut report = analysis.report_text(&name);
    add_charts(&mut charts, &analysis)?;
    let mut reproduces = true;
    if args.check {
        let test = back_test(&fitted, &analysis.restore_all);
        report.push('\n');
        report.push_str(&test.report_text(analysis.restore_all.n()));
        let rendered = render(&test.chart(&analysis.restore_all))?;
        charts.add("back-test.svg", rendered.svg);
        charts.add("back-test.png", rendered.png);
        reproduces = test.reproduces();
    }
    charts.add("fit-report.txt", report.clone());

    match &args.out {
        Some(out) => {
            let dir = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let file_name = out
                .file_name()
                .ok_or_else(|| anyhow!("--out {} has no file name", out.display()))?;
            let mut set = OutputSet::prepare(dir)?;
            set.add(file_name.to_string_lossy().into_owned(), toml);
            set.commit()?;
            charts.commit()?;
            print!("{report}");
            println!("\nwrote {} and {}/", out.display(), charts_dir.display());
        }
        None => {
            charts.commit()?;
            eprint!("{report}");
            eprintln!("\ncharts and report in {}/", charts_dir.display());
            print!("{toml}");
        }
    }
    if !reproduces {
        eprintln!(
            "warning: the fitted scenario does not reproduce the data's restore times (see the back-test)"
        );
    }
    Ok(())
}

/// Beside the scenario file (`x.toml` → `x-fit/`), or `output/fit-<export stem>/`.
fn charts_dir(args: &FitArgs) -> PathBuf {
    if let Some(dir) = &args.charts {
        return dir.clone();
    }
    match &args.out {
        Some(out) => {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.with_file_name(format!("{stem}-fit"))
        }
        None => {
            let stem = args
                .export
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            PathBuf::from("output").join(format!("fit-{}", slug(&stem)))
        }
    }
}

fn add_charts(set: &mut OutputSet, analysis: &Analysis) -> Result<()> {
    let mut used = std::collections::HashSet::new();
    for q in analysis.quantities() {
        if q.fits.is_empty() {
            continue;
        }
        let mut base = slug(&q.label);
        base.truncate(80);
        while !used.insert(base.clone()) {
            base.push('-');
        }
        let rendered = render(&CdfChart::for_quantity(q))?;
        set.add(format!("{base}.svg"), rendered.svg);
        set.add(format!("{base}.png"), rendered.png);
    }
    Ok(())
}
