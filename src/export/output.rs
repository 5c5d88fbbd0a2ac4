//! Output sets that appear whole or not at all.
//!
//! Every file of a run is written into a fresh private folder beside the output folder
//! (`.NAME.incsim-PID-RANDOM`, created `0700` with a random name, files opened with
//! `O_CREAT | O_EXCL | O_NOFOLLOW`). Only when all are written is the set swapped in:
//!
//! * no output folder yet: one `rename` of the private folder;
//! * an output folder exists: the files of it that this set does not replace (a user's own
//!   files, earlier outputs not written again) are hard-linked into the private folder, then
//!   the two folders are exchanged with one `renameat2(RENAME_EXCHANGE)` (Linux ≥ 3.15); where
//!   the call is unsupported, the old folder is renamed aside and the new one into place.
//!   The old folder is then removed.
//!
//! A crash therefore leaves either the old set or the new one, never a mix. Private folders of
//! processes that are no longer alive are removed by the next run into the same folder (and an
//! old folder renamed aside by a crashed fallback swap is put back first).
//!
//! Only files named in the previous set's manifest (`.incsim-manifest`) are ever dropped: a
//! file the run did not write is never deleted. Where the output folder holds sub-folders of
//! its own, or is the current folder (or holds it), swapping the folder would move things that
//! are not ours, so the files are renamed into place one by one instead (each file whole, the
//! set not atomic).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

/// The manifest: the names of the files of the last set written into a folder, one a line.
pub const MANIFEST: &str = ".incsim-manifest";

/// Marks the private folders (`.NAME.incsim-PID-RANDOM`) this module creates.
const PRIVATE_MARK: &str = ".incsim-";
/// Marks an old folder renamed aside by a fallback swap (`.NAME.incsim-old-PID-RANDOM`).
const RETIRED_MARK: &str = ".incsim-old-";

/// A set of files to write together into one folder.
#[derive(Debug)]
pub struct OutputSet {
    /// The output folder as the user named it (for messages).
    dir: PathBuf,
    /// The output folder with its parent resolved (links followed): what is swapped.
    target: PathBuf,
    /// The private folder the files are written into.
    staging: PathBuf,
    /// The staging folder lies beside the target (a swap is possible), not inside it.
    beside: bool,
    /// Names written so far, in order.
    names: Vec<String>,
    /// Files of an earlier run that this set replaces or, when it does not write them again,
    /// removes at commit (an old `events.jsonl` would no longer match the new outputs) — only
    /// if the earlier run's manifest lists them.
    stale: Vec<String>,
    /// Folders this set created on the way to the target (removed again, if still empty,
    /// when the set is abandoned), deepest first.
    created_parents: Vec<PathBuf>,
    committed: bool,
}

/// Where each output set in progress stands, for the signal handler. Holding the lock keeps
/// the handler from exiting in the middle of a swap.
#[derive(Debug)]
struct Progress {
    /// Staging folders of sets not yet committed, with the folders created for them.
    pending: Vec<(PathBuf, Vec<PathBuf>)>,
    /// Output folders whose new set is in place.
    committed: Vec<PathBuf>,
}

static PROGRESS: Mutex<Progress> = Mutex::new(Progress {
    pending: Vec::new(),
    committed: Vec::new(),
});

fn progress() -> std::sync::MutexGuard<'static, Progress> {
    PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// On SIGINT, SIGTERM or SIGHUP, remove the private folders of every output set in progress
/// and exit with status 130: an interrupted run leaves the previous outputs as they were. A
/// swap in progress finishes first, and the message then says which folders were written.
pub fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        SIGNALLED.store(true, std::sync::atomic::Ordering::SeqCst);
        exit_interrupted(&progress());
    });
}

/// A signal arrived (set by the handler before it waits for a swap in progress).
static SIGNALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Remove the private folders of the sets in progress, say what was written, exit 130.
fn exit_interrupted(state: &Progress) -> ! {
    for (staging, created) in &state.pending {
        remove_private_folder(staging);
        for dir in created {
            // Only succeeds when empty: nothing of anyone else's is touched.
            let _ = fs::remove_dir(dir);
        }
    }
    if state.committed.is_empty() {
        eprintln!("interrupted: no output written");
    } else {
        let dirs: Vec<String> = state
            .committed
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        eprintln!(
            "interrupted: the outputs in {} were written in full before the signal",
            dirs.join(", ")
        );
    }
    std::process::exit(130);
}

impl OutputSet {
    /// Check that `dir` is (or can be made) a writable folder and create the private folder
    /// the set is written into, before any work is done, so a long run never ends in
    /// "cannot write". Private folders left by dead processes are removed here.
    pub fn prepare(dir: &Path) -> Result<OutputSet> {
        let meta = fs::symlink_metadata(dir).ok();
        if meta.is_some() && !dir.is_dir() {
            bail!(
                "output path {} exists and is not a folder\n  help: pass --out with a folder path",
                dir.display()
            );
        }
        let absolute = std::path::absolute(dir)
            .with_context(|| format!("cannot resolve the output folder {}", dir.display()))?;
        let (parent, name) = match (absolute.parent(), absolute.file_name()) {
            (Some(p), Some(n)) => (p.to_path_buf(), n.to_os_string()),
            // The root, or a path ending in `..`: resolve it first.
            _ => {
                let real = fs::canonicalize(&absolute).unwrap_or(absolute.clone());
                match (real.parent(), real.file_name()) {
                    (Some(p), Some(n)) => (p.to_path_buf(), n.to_os_string()),
                    _ => bail!(
                        "cannot write outputs into {}\n  help: pass --out with a folder below it",
                        dir.display()
                    ),
                }
            }
        };
        let mut created_parents = Vec::new();
        let mut missing = parent.as_path();
        while !missing.exists() {
            created_parents.push(missing.to_path_buf());
            match missing.parent() {
                Some(p) => missing = p,
                None => break,
            }
        }
        fs::create_dir_all(&parent).with_context(|| {
            format!(
                "cannot create the output folder {}\n  help: pass --out with a folder you can write to",
                dir.display()
            )
        })?;
        let parent = fs::canonicalize(&parent).unwrap_or(parent);
        // A link named as the output folder is followed: the folder it points to is swapped.
        let target = match meta {
            Some(m) if m.file_type().is_symlink() => fs::canonicalize(dir)?,
            _ => parent.join(&name),
        };
        let target_parent = target.parent().unwrap_or(&parent).to_path_buf();
        let base = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        recover_dead_sets(&target_parent, &base, Some(&target));
        recover_dead_sets(&target, "", None);

        // Beside the target when its parent is writable and on the same file system (a mount
        // point cannot be swapped), else inside it (then renamed into place file by file).
        let prefix = format!(".{base}{PRIVATE_MARK}{}-", std::process::id());
        let beside = if same_file_system(&target, &target_parent) {
            private_folder(&target_parent, &prefix)
        } else {
            Err(std::io::Error::other("the output folder is a mount point"))
        };
        let (staging, beside) = match beside {
            Ok(p) => (p, true),
            Err(first) => {
                let inside = if target.is_dir() {
                    private_folder(&target, &format!("{PRIVATE_MARK}{}-", std::process::id())).ok()
                } else {
                    None
                };
                match inside {
                    Some(p) => (p, false),
                    None => {
                        remove_created(&created_parents);
                        return Err(first).with_context(|| {
                            format!(
                                "cannot write in the output folder {}\n  help: check its permissions or pass another --out",
                                dir.display()
                            )
                        });
                    }
                }
            }
        };
        progress()
            .pending
            .push((staging.clone(), created_parents.clone()));
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            target,
            staging,
            beside,
            names: Vec::new(),
            stale: Vec::new(),
            created_parents,
            committed: false,
        })
    }

    /// The folder written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Add a file (its whole content); it is written to the private folder at once.
    pub fn add(&mut self, name: impl Into<String>, content: impl Into<Vec<u8>>) {
        let name = name.into();
        let content = content.into();
        // Errors surface at commit: `add` keeps its infallible signature for the exporters.
        let result = self.add_streamed(name.clone(), |out| out.write_all(&content));
        if result.is_err() {
            self.names.push(format!("\0{name}"));
        }
    }

    /// Write a (large) file now, streaming, into the private folder; it appears with the
    /// others at [`OutputSet::commit`]. Nothing of it is held in memory.
    pub fn add_streamed(
        &mut self,
        name: impl Into<String>,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let name = name.into();
        check_file_name(&name)?;
        let path = self.staging.join(&name);
        let written = (|| -> std::io::Result<()> {
            let file = create_new_file(&path)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            write(&mut out)?;
            out.flush()?;
            out.get_ref().sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&path);
            return Err(e)
                .with_context(|| format!("cannot write {}", self.dir.join(&name).display()));
        }
        self.names.retain(|n| n != &name);
        self.names.push(name);
        Ok(())
    }

    /// Remove `name` from the folder at commit unless this set writes it: it belongs to an
    /// earlier run and would contradict the new outputs. Only done when the earlier run's
    /// manifest lists it.
    pub fn remove_if_stale(&mut self, name: impl Into<String>) {
        self.stale.push(name.into());
    }

    /// Names of the files added so far.
    pub fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// Put the set in place (see the module's documentation) and return the paths written.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        // The signal handler waits for the swap to end (it takes this lock). Taken before the
        // write check: a write that failed because an interrupt removed the private folder
        // then waits here for the handler's "interrupted" exit instead of racing it with a
        // misleading "disk full" error.
        let mut state = progress();
        if let Some(failed) = self.names.iter().find(|n| n.starts_with('\0')) {
            bail!(
                "cannot write {} (disk full or not writable?)",
                self.dir.join(&failed[1..]).display()
            );
        }
        let previous = read_manifest(&self.target);
        let manifest: Vec<String> = {
            let mut m = self.names.clone();
            m.extend(
                previous
                    .iter()
                    .filter(|n| !self.names.contains(n) && !self.stale.contains(n))
                    .filter(|n| self.target.join(n.as_str()).exists())
                    .cloned(),
            );
            m
        };
        write_manifest(&self.staging, &manifest)?;
        pause_before_swap();

        let target_exists = fs::symlink_metadata(&self.target).is_ok();
        let swappable = self.beside && (!target_exists || folder_can_be_swapped(&self.target));
        if swappable && !target_exists {
            set_default_folder_mode(&self.staging);
            fs::rename(&self.staging, &self.target)
                .with_context(|| format!("cannot move the outputs into {}", self.dir.display()))?;
        } else if swappable {
            self.swap_into_existing(&previous)?;
        } else {
            self.rename_one_by_one(&previous)?;
        }
        state.pending.retain(|(s, _)| s != &self.staging);
        state.committed.push(self.dir.clone());
        self.committed = true;
        // A signal that came during the swap waits for it; exit here, before the lock is
        // released, so the run cannot slip out with status 0 ahead of the handler.
        if SIGNALLED.load(std::sync::atomic::Ordering::SeqCst) {
            exit_interrupted(&state);
        }
        Ok(self.names.iter().map(|n| self.dir.join(n)).collect())
    }

    /// Whether `name`, present in the old folder, is replaced or dropped by this set.
    fn drops(&self, name: &str, previous: &[String]) -> bool {
        name == MANIFEST
            || self.names.iter().any(|n| n == name)
            || (self.stale.iter().any(|n| n == name) && previous.iter().any(|n| n == name))
    }

    /// Exchange the private folder with the existing output folder, keeping every file of
    /// the old folder this set does not replace.
    fn swap_into_existing(&mut self, previous: &[String]) -> Result<()> {
        // Carry over (as hard links: the old folder keeps its own) what is not replaced.
        for entry in fs::read_dir(&self.target)
            .with_context(|| format!("cannot list {}", self.dir.display()))?
            .flatten()
        {
            let name = entry.file_name();
            let text = name.to_string_lossy();
            if self.drops(&text, previous) {
                continue;
            }
            let to = self.staging.join(&name);
            if fs::hard_link(entry.path(), &to).is_err() {
                // A file system without hard links: a copy keeps the content.
                fs::copy(entry.path(), &to).with_context(|| {
                    format!("cannot keep {} in the new outputs", entry.path().display())
                })?;
            }
        }
        if let Ok(m) = fs::metadata(&self.target) {
            let _ = fs::set_permissions(&self.staging, m.permissions());
        }
        let retired = match exchange(&self.staging, &self.target) {
            Ok(()) => self.staging.clone(),
            Err(_) => {
                // No atomic exchange here: rename the old folder aside, then the new one in.
                let aside = self.target.with_file_name(format!(
                    ".{}{RETIRED_MARK}{}-{}",
                    self.target
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy(),
                    std::process::id(),
                    self.staging
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .rsplit('-')
                        .next()
                        .unwrap_or("x")
                ));
                if fs::rename(&self.target, &aside).is_err() {
                    // The folder cannot be moved at all (busy, a mount point): file by file.
                    return self.rename_one_by_one(previous);
                }
                if let Err(e) = fs::rename(&self.staging, &self.target) {
                    let _ = fs::rename(&aside, &self.target);
                    return Err(e)
                        .with_context(|| format!("cannot replace {}", self.dir.display()));
                }
                aside
            }
        };
        // Anything that appeared in the old folder during the swap goes to the new one.
        if let Ok(entries) = fs::read_dir(&retired) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if !self.drops(&name.to_string_lossy(), previous)
                    && fs::symlink_metadata(self.target.join(&name)).is_err()
                {
                    let _ = fs::rename(entry.path(), self.target.join(&name));
                }
            }
        }
        remove_private_folder(&retired);
        Ok(())
    }

    /// Rename the files into the output folder one at a time (each whole; the set not atomic).
    fn rename_one_by_one(&mut self, previous: &[String]) -> Result<()> {
        fs::create_dir_all(&self.target)
            .with_context(|| format!("cannot create the output folder {}", self.dir.display()))?;
        // Every name is checked before the first rename: a refusal leaves the old set whole.
        for name in self.names.iter().map(String::as_str).chain([MANIFEST]) {
            let to = self.target.join(name);
            if fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
                bail!(
                    "cannot write {}: a folder has that name\n  help: move it away or pass another --out",
                    to.display()
                );
            }
        }
        for name in self.names.iter().map(String::as_str).chain([MANIFEST]) {
            let to = self.target.join(name);
            fs::rename(self.staging.join(name), &to)
                .with_context(|| format!("cannot move {} into place", to.display()))?;
        }
        for name in &self.stale {
            if !self.names.contains(name) && previous.contains(name) {
                let _ = fs::remove_file(self.target.join(name));
            }
        }
        remove_private_folder(&self.staging);
        Ok(())
    }
}

impl Drop for OutputSet {
    /// An output set dropped without `commit` (an error midway) leaves nothing behind.
    fn drop(&mut self) {
        if let Ok(mut state) = PROGRESS.try_lock() {
            state.pending.retain(|(s, _)| s != &self.staging);
        }
        if !self.committed {
            remove_private_folder(&self.staging);
            remove_created(&self.created_parents);
        }
    }
}

/// Output file names are plain names chosen by incsim, never paths.
fn check_file_name(name: &str) -> Result<()> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name != MANIFEST
        && !name.contains(['/', '\\', '\0']);
    if !plain {
        bail!("internal error: {name:?} is not a plain output file name");
    }
    Ok(())
}

/// Create a new file, refusing to follow a link or reuse an existing name.
fn create_new_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// A fresh private folder (`0700`, random name) in `parent`.
fn private_folder(parent: &Path, prefix: &str) -> std::io::Result<PathBuf> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).rand_bytes(8);
    #[cfg(unix)]
    let private_mode = {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode(0o700)
    };
    #[cfg(unix)]
    builder.permissions(private_mode);
    Ok(builder.tempdir_in(parent)?.keep())
}

/// The mode a folder made with `mkdir` would have (0777 less the umask): the private folder
/// was `0700` while it was written.
fn set_default_folder_mode(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: umask only sets the process's file mode mask; it is read and put back.
        let mask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        };
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o777 & !(mask as u32)));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Whether `path` (when it exists) lies on the same file system as `parent`.
fn same_file_system(path: &Path, parent: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(path), fs::metadata(parent)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev(),
            _ => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, parent);
        true
    }
}

/// Swapping the whole folder is safe: it holds no sub-folder (which could not be carried over
/// by a hard link) and it is not, nor holds, the current folder.
fn folder_can_be_swapped(target: &Path) -> bool {
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
        && let Ok(real) = fs::canonicalize(target)
        && cwd.starts_with(&real)
    {
        return false;
    }
    match fs::read_dir(target) {
        Ok(entries) => entries
            .flatten()
            .all(|e| e.file_type().is_ok_and(|t| !t.is_dir())),
        Err(_) => false,
    }
}

/// Test hook (hidden; `tests/hardening.rs` uses it to signal a run during its swap): with
/// `INCSIM_TEST_PAUSE_BEFORE_SWAP=DIR`, a commit holding the swap lock, its set complete in the
/// private folder, creates `DIR/swapping` and waits for `DIR/go` (at most 60 s) before it
/// swaps. The variable is read once per process; unset, this is one load of a flag.
fn pause_before_swap() {
    static HOOK: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let Some(dir) =
        HOOK.get_or_init(|| std::env::var_os("INCSIM_TEST_PAUSE_BEFORE_SWAP").map(PathBuf::from))
    else {
        return;
    };
    let _ = fs::write(dir.join("swapping"), b"");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !dir.join("go").exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Exchange two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The names listed in a folder's manifest (none when it has none).
fn read_manifest(dir: &Path) -> Vec<String> {
    let Ok(file) = fs::File::open(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    let mut text = String::new();
    // A manifest lists a few dozen names: a larger one is not ours.
    use std::io::Read;
    if file.take(1 << 20).read_to_string(&mut text).is_err() {
        return Vec::new();
    }
    text.lines()
        .filter(|n| !n.starts_with('#') && check_file_name(n).is_ok())
        .map(str::to_string)
        .collect()
}

fn write_manifest(dir: &Path, names: &[String]) -> Result<()> {
    let mut text =
        String::from("# files written by incsim; only these are ever replaced or removed\n");
    for n in names {
        text.push_str(n);
        text.push('\n');
    }
    let path = dir.join(MANIFEST);
    let mut file =
        create_new_file(&path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Remove a private folder: its files and links (ours, or second links to files kept in the
/// output folder), then the folder itself. A sub-folder is never ours: the folder then stays.
fn remove_private_folder(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| !t.is_dir()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    let _ = fs::remove_dir(dir);
}

/// Remove folders created for a set that was abandoned, if they are still empty.
fn remove_created(created: &[PathBuf]) {
    for dir in created {
        let _ = fs::remove_dir(dir);
    }
}

/// Clean up after processes that died while writing into `target`: put back an old folder
/// renamed aside by an interrupted fallback swap, and remove their private folders.
fn recover_dead_sets(parent: &Path, base: &str, target: Option<&Path>) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let private = format!(".{base}{PRIVATE_MARK}");
    let retired = format!(".{base}{RETIRED_MARK}");
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let (rest, is_retired) = if let Some(r) = name.strip_prefix(&retired) {
            (r, true)
        } else if let Some(r) = name.strip_prefix(&private) {
            (r, false)
        } else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !process_alive(p)) && e.file_type().is_ok_and(|t| t.is_dir()) {
            found.push((e.path(), is_retired));
        }
    }
    for (path, is_retired) in found {
        if let Some(target) = target.filter(|t| is_retired && fs::symlink_metadata(t).is_err()) {
            let _ = fs::rename(&path, target);
        } else {
            remove_private_folder(&path);
        }
    }
}

/// Whether process `pid` is alive (unknown counts as alive: nothing is removed).
pub fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        if pid == std::process::id() {
            return true;
        }
        // SAFETY: signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    /// A pid that is certainly not running: above the kernel's `pid_max` limit (2^22).
    const DEAD_PID: u32 = 4_194_305;

    #[test]
    fn links_planted_under_the_old_temporary_names_are_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        fs::create_dir(&out).unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let pid = std::process::id();
        for name in ["summary.md", "write-test"] {
            symlink(&victim, out.join(format!(".{name}.{pid}.incsim-tmp"))).unwrap();
        }
        let mut set = OutputSet::prepare(&out).unwrap();
        set.add("summary.md", "# new\n");
        set.commit().unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(
            fs::read_to_string(out.join("summary.md")).unwrap(),
            "# new\n"
        );
    }

    #[test]
    fn the_private_folder_is_0700_random_and_gone_after_commit() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        let mut set = OutputSet::prepare(&out).unwrap();
        let staging = set.staging.clone();
        assert_eq!(
            staging.parent(),
            Some(fs::canonicalize(dir.path()).unwrap().as_path())
        );
        let mode = fs::metadata(&staging).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert!(!out.exists(), "nothing appears before the commit");
        set.add("a.txt", "a");
        set.commit().unwrap();
        assert!(!staging.exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("o")]);
    }

    #[test]
    fn private_folders_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(format!(".o.incsim-{DEAD_PID}-abc"));
        let live = dir.path().join(".o.incsim-1-abc"); // pid 1 is always running
        for d in [&dead, &live] {
            fs::create_dir(d).unwrap();
            fs::write(d.join("summary.md"), "half").unwrap();
        }
        let set = OutputSet::prepare(&dir.path().join("o")).unwrap();
        drop(set);
        assert!(!dead.exists());
        assert!(live.join("summary.md").exists());
    }

    #[test]
    fn an_old_set_renamed_aside_by_a_crashed_swap_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let aside = dir.path().join(format!(".o.incsim-old-{DEAD_PID}-abc"));
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("summary.md"), "old").unwrap();
        drop(OutputSet::prepare(&dir.path().join("o")).unwrap());
        assert_eq!(
            fs::read_to_string(dir.path().join("o/summary.md")).unwrap(),
            "old"
        );
    }

    #[test]
    fn only_files_of_the_previous_manifest_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        let mut set = OutputSet::prepare(&out).unwrap();
        set.add("events.jsonl", "ours");
        set.commit().unwrap();
        fs::write(out.join("precision.json"), "the user's").unwrap();
        let mut set = OutputSet::prepare(&out).unwrap();
        set.add("summary.md", "new");
        set.remove_if_stale("events.jsonl");
        set.remove_if_stale("precision.json");
        set.commit().unwrap();
        assert!(!out.join("events.jsonl").exists());
        assert_eq!(
            fs::read_to_string(out.join("precision.json")).unwrap(),
            "the user's"
        );
        assert_eq!(read_manifest(&out), vec!["summary.md".to_string()]);
    }
}
