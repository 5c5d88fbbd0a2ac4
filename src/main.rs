//! The `incsim` binary: parse the command line, call the library, map errors to exit codes.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Die quietly on a closed stdout (`incsim run | head`), as Unix tools do, instead of
/// panicking in `println!`. Output files are committed before anything is printed.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default at start-up, before any thread
    // exists, has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = cli::Cli::parse();
    incsim::export::output::install_interrupt_cleanup();
    let result = match cli.command {
        cli::Command::Run(args) => commands::run::run(args),
        cli::Command::Validate(args) => commands::validate::validate(args),
        cli::Command::Sweep(args) => commands::sweep::sweep(args),
        cli::Command::Sensitivity(args) => commands::sensitivity::sensitivity(args),
        cli::Command::Select(args) => commands::select::select(args),
        cli::Command::Merge(args) => commands::merge::merge(args),
        cli::Command::Replay(args) => commands::replay::replay(args),
        cli::Command::Timeline(args) => commands::timeline::timeline(args),
        cli::Command::Drill(args) => commands::drill::drill(args),
        cli::Command::Fit(args) => commands::fit::fit(args),
        cli::Command::Import(cli::ImportCommand::Pagerduty(args)) => {
            commands::import::pagerduty(args)
        }
        cli::Command::Init(args) => commands::init::init(args),
        cli::Command::Completions(args) => commands::completions::completions(args),
        cli::Command::Man => commands::completions::man(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", commands::render_error(&err));
            ExitCode::from(1)
        }
    }
}
