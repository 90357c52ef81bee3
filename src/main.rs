//! The `tspawn` binary: parse, run, and turn an error into one message and an exit code.

use std::process::ExitCode;
use tspawn::cli;
use tspawn::shell::Shell;

fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args_os()) {
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
