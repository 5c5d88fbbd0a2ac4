//! How commands execute: the worker-thread pool and the progress bar they share.

use std::io::IsTerminal;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Worker threads allowed per core (beyond one a core they only wait their turn).
const MAX_THREADS_PER_CORE: usize = 4;

/// A rayon pool of `threads` workers (default: all cores, or `RAYON_NUM_THREADS`).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 {
            bail!("--threads must be at least 1");
        }
        // More workers than a few per core only cost memory and start-up time (100,000
        // threads took 44 s to fail): refuse at once.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let max = (cores * MAX_THREADS_PER_CORE).max(64);
        if t > max {
            bail!(
                "--threads {t} is more than this machine can use ({cores} cores)\n  help: use at most {max}, or leave --threads out to use every core"
            );
        }
        builder = builder.num_threads(t);
    }
    builder.build().context("cannot start the worker threads")
}

/// A progress bar over `total` replications on stderr, with replications/s and the ETA; drawn
/// only when stderr is a terminal and not `--quiet` (hidden bars cost nothing). Its message
/// (`{msg}`) says which point, run or batch is under way.
pub fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    // `{wide_bar}` takes the width the text leaves, so the line never wraps.
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} replications · {rate} · ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{:.0}/s", state.per_sec());
    })
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}
