//! Atomic output: every file of a run is first written in full to a temporary name in the
//! output folder, and only when all are written are they renamed into place. A failure (or
//! Ctrl-C) while writing leaves the previous outputs intact and no half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

/// A set of files to write together into one folder.
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    files: Vec<(String, Vec<u8>)>,
    /// Files already streamed to their temporary name: (final name, temporary path).
    streamed: Vec<(String, PathBuf)>,
    /// Files of an earlier run that this set replaces or, when it does not write them again,
    /// removes at commit (an old `events.jsonl` would no longer match the new outputs).
    stale: Vec<String>,
    /// This set created its folder (removed again, if still empty, when abandoned).
    created: bool,
    committed: bool,
}

const TEMP_SUFFIX: &str = ".incsim-tmp";

/// The temporary name of `name` for this process: `.NAME.PID.incsim-tmp`. The process id keeps
/// two commands writing into one folder at once (shards on a cluster) out of each other's way.
fn temp_name(name: &str) -> String {
    format!(".{name}.{}{TEMP_SUFFIX}", std::process::id())
}

/// Output folders with work in progress, for the Ctrl-C handler. Holding the lock also keeps
/// the handler from exiting in the middle of the final renames.
/// Each entry: the folder, and whether this process created it (then it is removed again if
/// the work is abandoned while it is still empty).
static IN_PROGRESS: Mutex<Vec<(PathBuf, bool)>> = Mutex::new(Vec::new());

/// On Ctrl-C (SIGINT/SIGTERM), remove the temporary files of every output set in progress and
/// exit with status 130: an interrupted run leaves no half-written file, and the previous
/// outputs stay as they were. A rename pass in progress is allowed to finish first.
pub fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        let dirs = IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
        for (dir, created) in dirs.iter() {
            clean_temporaries(dir);
            if *created {
                // Only succeeds when empty: nothing of anyone else's is touched.
                let _ = fs::remove_dir(dir);
            }
        }
        eprintln!("interrupted: no output written");
        std::process::exit(130);
    });
}

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
        let created = !dir.exists();
        fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the output folder {}\n  help: pass --out with a folder you can write to",
                dir.display()
            )
        })?;
        let probe = dir.join(temp_name("write-test"));
        fs::write(&probe, b"").with_context(|| {
            format!(
                "cannot write in the output folder {}\n  help: check its permissions or pass another --out",
                dir.display()
            )
        })?;
        let _ = fs::remove_file(&probe);
        IN_PROGRESS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((dir.to_path_buf(), created));
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            streamed: Vec::new(),
            stale: Vec::new(),
            created,
            committed: false,
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

    /// Write a (large) file now, streaming, to its temporary name; it is renamed into place
    /// with the others by [`OutputSet::commit`]. Nothing of it is held in memory.
    pub fn add_streamed(
        &mut self,
        name: impl Into<String>,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let name = name.into();
        let temp = self.dir.join(temp_name(&name));
        let written = (|| -> std::io::Result<()> {
            let file = fs::File::create(&temp)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            write(&mut out)?;
            out.flush()?;
            out.get_ref().sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(e).with_context(|| format!("cannot write {}", temp.display()));
        }
        self.streamed.push((name, temp));
        Ok(())
    }

    /// Remove `name` from the folder at commit unless this set writes it: it belongs to an
    /// earlier run and would contradict the new outputs.
    pub fn remove_if_stale(&mut self, name: impl Into<String>) {
        self.stale.push(name.into());
    }

    /// Names of the files added so far.
    pub fn names(&self) -> Vec<&str> {
        self.files
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(self.streamed.iter().map(|(n, _)| n.as_str()))
            .collect()
    }

    /// Write every file to a temporary name, then rename them all into place.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut in_progress = IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
        in_progress.retain(|(d, _)| d != &self.dir);
        let streamed = std::mem::take(&mut self.streamed);
        let mut temps = Vec::new();
        for (name, content) in &self.files {
            let temp = self.dir.join(temp_name(name));
            let written = (|| -> std::io::Result<()> {
                let mut f = fs::File::create(&temp)?;
                f.write_all(content)?;
                f.sync_all()
            })();
            temps.push(temp.clone());
            if let Err(e) = written {
                for t in temps.iter().chain(streamed.iter().map(|(_, t)| t)) {
                    let _ = fs::remove_file(t);
                }
                return Err(e).with_context(|| format!("cannot write {}", temp.display()));
            }
        }
        let mut finals = Vec::new();
        let names = self.files.iter().map(|(n, _)| n).zip(&temps);
        for (name, temp) in names.chain(streamed.iter().map(|(n, t)| (n, t))) {
            let target = self.dir.join(name);
            fs::rename(temp, &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
            finals.push(target);
        }
        for name in &self.stale {
            if !finals
                .iter()
                .any(|f| f.file_name().is_some_and(|n| n == name.as_str()))
            {
                let _ = fs::remove_file(self.dir.join(name));
            }
        }
        self.committed = true;
        Ok(finals)
    }
}

impl Drop for OutputSet {
    /// An output set dropped without `commit` (an error midway) leaves no temporary files.
    fn drop(&mut self) {
        for (_, temp) in &self.streamed {
            let _ = fs::remove_file(temp);
        }
        if let Ok(mut dirs) = IN_PROGRESS.try_lock() {
            dirs.retain(|(d, _)| d != &self.dir);
        }
        if self.created && !self.committed {
            // Abandoned before anything was written: leave no empty folder behind.
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

/// Remove this process's temporary files from `dir` (other processes' are left alone).
pub fn clean_temporaries(dir: &Path) {
    let own_suffix = format!(".{}{TEMP_SUFFIX}", std::process::id());
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(&own_suffix) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}
