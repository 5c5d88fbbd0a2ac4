//! `incsim completions SHELL` and `incsim man`: generated from the clap definitions, so they
//! never drift from the real options.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Print the completion script of a shell on stdout.
pub fn completions(args: CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "incsim", &mut std::io::stdout());
    Ok(())
}

/// Print the man page (roff) on stdout.
pub fn man() -> Result<()> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout())?;
    Ok(())
}
