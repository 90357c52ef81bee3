//! The `tspawn` binary: parse, run, and turn an error into one message and an exit code.

use clap::FromArgMatches;
use std::process::ExitCode;
use tspawn::cli::{self, Cli};
use tspawn::shell::Shell;

fn main() -> ExitCode {
    let matches = cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches).and_then(|cli| cli.validate().map(|()| cli)) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let mut shell = Shell::stderr(cli.global.quiet);
    match tspawn::run(cli, &mut shell) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let style = anstyle::AnsiColor::Red.on_default().bold();
            anstream::eprintln!("{style}error{style:#}: {e}");
            ExitCode::FAILURE
        }
    }
}
