//! `run --pdf`: print report.html to report.pdf (A4, the report's print stylesheet) with a
//! headless Chromium, when one is installed. The report prints from any browser without it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

/// How long Chromium may take to print before it is stopped.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The Chromium to use: `INCSIM_CHROMIUM`, else the first of `chromium`, `chromium-browser`,
/// `google-chrome` on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("INCSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Print `<dir>/report.html` to `<dir>/report.pdf` (written beside it under a temporary name,
/// then renamed, so a failed print leaves no half file).
pub fn write_pdf(dir: &Path) -> Result<PathBuf> {
    let chromium = find_chromium().ok_or_else(|| {
        anyhow!(
            "no headless Chromium found (chromium on PATH, or INCSIM_CHROMIUM)\n  help: install it (Debian: apt-get install chromium), or open report.html in a browser and print it"
        )
    })?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot find {}", dir.display()))?;
    let html = dir.join("report.html");
    let partial = dir.join(".report.pdf.partial");
    let target = dir.join("report.pdf");
    let mut cmd = Command::new(&chromium);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-pdf-header-footer",
        "--no-first-run",
    ]);
    // Chromium refuses to run as root with its sandbox; the page is our own, script-free file.
    if is_root() {
        cmd.arg("--no-sandbox");
    }
    cmd.arg(format!("--print-to-pdf={}", partial.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", chromium.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_file(&partial);
            bail!(
                "{} did not finish printing within {} s",
                chromium.display(),
                TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() || !partial.is_file() {
        let _ = std::fs::remove_file(&partial);
        bail!(
            "{} could not print report.html ({status})",
            chromium.display()
        );
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot move the PDF into {}", target.display()))?;
    Ok(target)
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}
