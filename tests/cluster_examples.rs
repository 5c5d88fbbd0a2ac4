//! The cluster examples of `docs/readme-scale.md` run as tests: the Slurm array script (each
//! array task emulated by its environment), the Kubernetes Indexed Job's container command
//! (each pod emulated by `JOB_COMPLETION_INDEX`) and merge Job, and the GNU parallel script
//! (when `parallel` is installed). Each must merge into exactly the files of one direct run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPLICATIONS: &str = "30";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the freshly built incsim first, as the examples call `incsim`.
fn path_with_incsim() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_incsim")).parent().unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("command starts");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The files of a direct run of the default scenario with the examples' seed.
fn direct_run(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = dir.join("direct");
    run(Command::new(env!("CARGO_BIN_EXE_incsim")).args([
        "run",
        repo().join("scenarios/default.toml").to_str().unwrap(),
        "--replications",
        REPLICATIONS,
        "--seed",
        "42",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    files(&out)
}

fn merge(shards: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    run(Command::new(env!("CARGO_BIN_EXE_incsim")).args([
        "merge",
        shards.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    files(out)
}

#[test]
fn the_slurm_array_script_merges_into_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let script = repo().join("docs/cluster/slurm-shards.sbatch");
    let text = fs::read_to_string(&script).unwrap();
    assert!(
        text.contains("#SBATCH --array=0-7"),
        "the script's array starts at 0"
    );
    for k in 0..3 {
        run(Command::new("bash")
            .arg(&script)
            .current_dir(d)
            .env("PATH", path_with_incsim())
            .env("SLURM_ARRAY_TASK_ID", k.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_CPUS_PER_TASK", "2")
            .env("SCENARIO", repo().join("scenarios/default.toml"))
            .env("REPLICATIONS", REPLICATIONS));
    }
    let merged = merge(&d.join("results/shards"), &d.join("results/default"));
    assert_eq!(merged, direct_run(d));
}

/// The folded (`>-`) scalar that follows `marker` in a YAML file: its lines joined by spaces.
fn folded_after(yaml: &str, marker: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end().ends_with(marker))
        .expect("marker present");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = indent(lines[at]);
    lines[at + 1..]
        .iter()
        .take_while(|l| indent(l) > base)
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_kubernetes_indexed_job_command_merges_into_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let job = fs::read_to_string(repo().join("docs/cluster/k8s-indexed-job.yaml")).unwrap();
    assert!(job.contains("completionMode: Indexed"));
    let completions: u64 = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions:"))
        .and_then(|v| v.split('#').next())
        .and_then(|v| v.trim().parse().ok())
        .expect("completions");
    let command = folded_after(&job, "- >-");
    assert!(
        command.contains(&format!("/{completions}\"")),
        "the shard count in the command matches completions: {command}"
    );
    let results = d.join("results");
    let command = command
        .replace(
            "/scenarios/default.toml",
            repo().join("scenarios/default.toml").to_str().unwrap(),
        )
        .replace("/results", results.to_str().unwrap())
        .replace(
            "--replications 1000000",
            &format!("--replications {REPLICATIONS}"),
        );
    for k in 0..completions {
        run(Command::new("sh")
            .args(["-c", &command])
            .env("PATH", path_with_incsim())
            .env("JOB_COMPLETION_INDEX", k.to_string()));
    }

    // The merge Job's command is a JSON-style list.
    let merge_job = fs::read_to_string(repo().join("docs/cluster/k8s-merge-job.yaml")).unwrap();
    let list = merge_job
        .lines()
        .find_map(|l| l.trim().strip_prefix("command:"))
        .expect("command");
    let argv: Vec<String> = serde_json::from_str(list.trim()).expect("a JSON-style list");
    let argv: Vec<String> = argv
        .iter()
        .map(|a| a.replace("/results", results.to_str().unwrap()))
        .collect();
    run(Command::new(&argv[0])
        .args(&argv[1..])
        .env("PATH", path_with_incsim()));
    assert_eq!(files(&results.join("default")), direct_run(d));
}

#[test]
fn the_gnu_parallel_script_merges_into_one_run() {
    let have_parallel = Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_parallel {
        eprintln!("GNU parallel is not installed: skipping its example");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(Command::new("sh")
        .arg(repo().join("docs/cluster/gnu-parallel.sh"))
        .current_dir(d)
        .env("PATH", path_with_incsim())
        .env("SCENARIO", repo().join("scenarios/default.toml"))
        .env("REPLICATIONS", REPLICATIONS)
        .env("SHARDS", "4"));
    assert_eq!(files(&d.join("results/default")), direct_run(d));
}
