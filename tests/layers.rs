//! The one-way flow of `src/lib.rs`, checked on the source: a module may not name a module
//! downstream of it (`crate::…` in code, outside `#[cfg(test)]` modules and comments).

use std::path::{Path, PathBuf};

/// (module, modules it must not use). Upstream first: scenario → experiment → model (on
/// engine) → events → projections → metrics/stats → report → export/charts.
const FORBIDDEN: &[(&str, &[&str])] = &[
    // Leaves: shared vocabulary and helpers with no knowledge of the flow.
    ("engine", &["*"]),
    ("rng", &["*"]),
    ("format", &["*"]),
    ("special", &["*"]),
    // The log form names ids through the scenario (upstream of events).
    ("events", &["*", "-scenario"]),
    ("finance", &["*"]),
    ("scenario", &["*", "-scenario", "-special"]),
    (
        "model",
        &[
            "experiment",
            "export",
            "charts",
            "report",
            "stats",
            "metrics",
            "projections",
            "eventlog",
        ],
    ),
    (
        "projections",
        &[
            "model",
            "experiment",
            "export",
            "charts",
            "report",
            "stats",
            "eventlog",
        ],
    ),
    ("stats", &["*", "-stats", "-special"]),
    (
        "metrics",
        &[
            "experiment",
            "export",
            "charts",
            "report",
            "model",
            "eventlog",
        ],
    ),
    (
        "report",
        &["export", "charts", "model", "engine", "eventlog"],
    ),
    (
        "charts",
        &["experiment", "export", "model", "engine", "eventlog"],
    ),
    ("export", &["model", "engine"]),
    ("experiment", &["export", "charts"]),
];

/// Known exceptions, each a file and the module it still reaches (debt to pay off, listed so
/// that no new one creeps in). Empty since the study charts draw from `report::views` and share their number formatting
/// through `format`.
const KNOWN: &[(&str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/charts/axes.rs` → `charts`).
fn module_of(relative: &str) -> String {
    let rest = relative.trim_start_matches("src/");
    let first = rest.split('/').next().unwrap_or(rest);
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::name` used by code in `text` (before its first `#[cfg(test)]`).
fn crate_uses(text: &str) -> Vec<(usize, String)> {
    let mut uses = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            uses.push((i + 1, name));
        }
    }
    uses
}

fn forbidden(rules: &[&str], own: &str, used: &str) -> bool {
    if used == own {
        return false;
    }
    if rules.contains(&"*") {
        return !rules.contains(&format!("-{used}").as_str());
    }
    rules.contains(&used)
}

#[test]
fn no_module_imports_against_the_flow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 20, "found the sources");
    let mut violations = Vec::new();
    let mut known_seen = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .expect("under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let module = module_of(&relative);
        let Some((_, rules)) = FORBIDDEN.iter().find(|(m, _)| *m == module) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read source");
        for (line, used) in crate_uses(&text) {
            if !forbidden(rules, &module, &used) {
                continue;
            }
            if KNOWN.contains(&(relative.as_str(), used.as_str())) {
                known_seen.push((relative.clone(), used));
                continue;
            }
            violations.push(format!(
                "{relative}:{line}: {module} uses crate::{used} against the flow"
            ));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    // A paid-off exception must leave the list, so it cannot come back unnoticed.
    for (file, used) in KNOWN {
        assert!(
            known_seen.iter().any(|(f, u)| f == file && u == used),
            "{file} no longer uses crate::{used}: remove it from KNOWN"
        );
    }
}

#[test]
fn the_checker_catches_an_upstream_import() {
    let uses = crate_uses("use crate::events::Event;\nuse crate::experiment::streams;\n");
    assert_eq!(uses[1], (2, "experiment".to_string()));
    let model_rules = FORBIDDEN.iter().find(|(m, _)| *m == "model").unwrap().1;
    assert!(forbidden(model_rules, "model", "experiment"));
    assert!(!forbidden(model_rules, "model", "events"));
    let stats_rules = FORBIDDEN.iter().find(|(m, _)| *m == "stats").unwrap().1;
    assert!(forbidden(stats_rules, "stats", "scenario"));
    assert!(!forbidden(stats_rules, "stats", "special"));
    // Comments and test modules do not count.
    assert!(crate_uses("// see crate::model\n").is_empty());
    assert!(crate_uses("#[cfg(test)]\nmod tests { use crate::model::Simulator; }\n").is_empty());
}
