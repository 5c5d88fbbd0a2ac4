//! The `incsim` binary: parse the command line, call the library, map errors to exit codes.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    incsim::export::output::install_interrupt_cleanup();
    let result = match cli.command {
        cli::Command::Run(args) => commands::run::run(args),
        cli::Command::Validate(args) => commands::validate::validate(args),
        cli::Command::Sweep(args) => commands::sweep::sweep(args),
        cli::Command::Sensitivity(args) => commands::sensitivity::sensitivity(args),
        cli::Command::Merge(args) => commands::merge::merge(args),
        cli::Command::Replay(args) => commands::replay::replay(args),
        cli::Command::Timeline(args) => commands::timeline::timeline(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", commands::render_error(&err));
            ExitCode::from(1)
        }
    }
}
