//! tspawn: scaffolding for Rust web apps, after TreeFrog Framework's `tspawn`.
//!
//! The flow is one way: [`cli`] parses arguments into a validated [`generators::Request`], a
//! generator in [`generators`] turns it into a [`plan::Plan`] without touching the disk (names
//! checked against the app's own files and every limit downstream, the database's from
//! [`driver`]), and [`apply`] checks the whole plan against the disk ([`problem`] lists what
//! can stop it) and writes it in one transaction ([`fsx`]), reporting through [`shell`].

mod access;
pub mod app;
pub mod apply;
pub mod cli;
pub mod context;
pub mod driver;
pub mod error;
pub mod fsx;
pub mod generators;
pub mod inject;
pub mod migrations;
pub mod names;
pub mod plan;
pub mod problem;
pub mod prompt;
mod resolve;
pub mod shell;
pub mod templates;

use apply::{OnConflict, Options};
use cli::{Cli, GlobalArgs};
use error::Error;
use prompt::LinePrompt;
use shell::Shell;
use std::io::IsTerminal;

/// Runs a parsed command line.
pub fn run(cli: Cli, shell: &mut Shell) -> Result<(), Error> {
    let show = cli.show;
    if show.show_drivers {
        let names: String = driver::Driver::ALL
            .iter()
            .map(|d| format!("{}\n", d.cli_name()))
            .collect();
        return shell::print_data(&names).map_err(|e| Error::io("stdout", e));
    }
    if show.show_driver_path {
        return shell::print_data(
            "Database drivers are compiled into each app as sqlx features (see the app's \
             Cargo.toml); there is no driver path.\n",
        )
        .map_err(|e| Error::io("stdout", e));
    }
    if show.show_tables {
        return Err(Error::NotBuilt("--show-tables"));
    }
    if show.show_collections {
        return Err(Error::NotBuilt("--show-collections"));
    }
    let Some(command) = cli.command else {
        let _ = cli::command().print_help();
        return Ok(());
    };
    let request = command.request()?;
    let ctx = context::Context::from_env()?;
    let generated = generators::generate(&request, &ctx)?;
    let options = options(cli.global);
    let mut prompt = LinePrompt::new(std::io::stdin().lock());
    let outcome = apply::apply(
        &generated.plan,
        &generated.base,
        options,
        shell,
        &mut prompt,
    )?;
    if cli.global.dry_run {
        shell.note("dry run: nothing was written");
    } else if outcome.unchanged() {
        shell.note("nothing to do: everything is already as tspawn would write it");
    } else if let Some(next) = generated.next_steps {
        shell.note(&next);
    }
    Ok(())
}

fn options(global: GlobalArgs) -> Options {
    let on_conflict = if global.force {
        OnConflict::Overwrite
    } else if global.skip {
        OnConflict::Skip
    } else if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        OnConflict::Ask
    } else {
        OnConflict::Fail
    };
    Options {
        dry_run: global.dry_run,
        on_conflict,
    }
}
