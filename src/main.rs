//! Start-up only: parse the arguments, then run a subcommand or open the window.

use std::process::ExitCode;

use clap::Parser;
use labeldesk::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match &args.command {
        Some(command) => {
            let mut stdout = std::io::stdout().lock();
            match cli::run(args.db.as_deref(), command, &mut stdout) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("labeldesk: {e}");
                    ExitCode::from(1)
                }
            }
        }
        None => labeldesk::app::run_native(args.db.clone()),
    }
}
