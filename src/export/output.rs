//! Atomic output: every file of a run is first written in full to a temporary name in the
//! output folder, and only when all are written are they renamed into place. A failure (or
//! Ctrl-C) while writing leaves the previous outputs intact and no half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A set of files to write together into one folder.
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    files: Vec<(String, Vec<u8>)>,
}

const TEMP_SUFFIX: &str = ".incsim-tmp";

impl OutputSet {
    /// Check that `dir` is (or can be made) a writable folder, before any work is done, so a
    /// long run never ends in "cannot write".
    pub fn prepare(dir: &Path) -> Result<OutputSet> {
        if dir.exists() && !dir.is_dir() {
            bail!(
                "output path {} exists and is not a folder\n  help: pass --out with a folder path",
                dir.display()
            );
        }
        fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the output folder {}\n  help: pass --out with a folder you can write to",
                dir.display()
            )
        })?;
        let probe = dir.join(format!(".write-test{TEMP_SUFFIX}"));
        fs::write(&probe, b"").with_context(|| {
            format!(
                "cannot write in the output folder {}\n  help: check its permissions or pass another --out",
                dir.display()
            )
        })?;
        let _ = fs::remove_file(&probe);
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// The folder written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Add a file (its whole content).
    pub fn add(&mut self, name: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.push((name.into(), content.into()));
    }

    /// Names of the files added so far.
    pub fn names(&self) -> Vec<&str> {
        self.files.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Write every file to a temporary name, then rename them all into place.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let mut temps = Vec::new();
        for (name, content) in &self.files {
            let temp = self.dir.join(format!(".{name}{TEMP_SUFFIX}"));
            let written = (|| -> std::io::Result<()> {
                let mut f = fs::File::create(&temp)?;
                f.write_all(content)?;
                f.sync_all()
            })();
            temps.push(temp.clone());
            if let Err(e) = written {
                for t in &temps {
                    let _ = fs::remove_file(t);
                }
                return Err(e).with_context(|| format!("cannot write {}", temp.display()));
            }
        }
        let mut finals = Vec::new();
        for ((name, _), temp) in self.files.iter().zip(&temps) {
            let target = self.dir.join(name);
            fs::rename(temp, &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
            finals.push(target);
        }
        Ok(finals)
    }
}

/// Remove temporary files a killed run may have left in `dir`.
pub fn clean_temporaries(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(TEMP_SUFFIX) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}
