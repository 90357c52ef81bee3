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
pub mod manifest;
pub mod migrations;
pub mod names;
pub mod plan;
pub mod problem;
pub mod prompt;
mod resolve;
pub mod schema;
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
        let ctx = context::Context::from_env()?;
        let app = app::App::find(&ctx)?;
        let (listing, note) = schema::show::show_tables(&app, show.listing.columns)?;
        shell::print_data(&listing).map_err(|e| Error::io("stdout", e))?;
        if let Some(note) = note {
            shell.note(&note);
        }
        return Ok(());
    }
    if show.show_collections {
        return Err(Error::NoMongo);
    }
    let Some(command) = cli.command else {
        let _ = cli::command().print_help();
        return Ok(());
    };
    let request = command.request()?;
    let ctx = context::Context::from_env()?;
    let ask = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mut prompt = LinePrompt::new(std::io::stdin().lock());
    execute(&request, &ctx, cli.global, ask, shell, &mut prompt)
}

/// Generates and applies one request in `ctx`, and tells the user what happened: the name note
/// before the status lines, then one closing line (what was kept, or that nothing needed doing,
/// or the next step). Conflicts are settled by `--force`/`--skip`, else put to `prompt` when
/// `ask` (a terminal), else refused with [`Error::Conflicts`].
pub fn execute(
    request: &generators::Request,
    ctx: &context::Context,
    global: GlobalArgs,
    ask: bool,
    shell: &mut Shell,
    prompt: &mut dyn prompt::Prompt,
) -> Result<(), Error> {
    // Delete needs to know of --force before it plans (see `Request::Delete`).
    let forced;
    let request = match request {
        generators::Request::Delete { name, force: false } if global.force => {
            forced = generators::Request::Delete {
                name: name.clone(),
                force: true,
            };
            &forced
        }
        other => other,
    };
    let generated = generators::generate(request, ctx)?;
    if let Some(note) = &generated.note {
        shell.note(note);
    }
    let options = options(global, ask);
    let outcome = apply::apply(&generated.plan, &generated.base, options, shell, prompt)?;
    let kept = match outcome.kept() {
        0 => None,
        1 => Some("1 changed file was kept as it is".to_owned()),
        n => Some(format!("{n} changed files were kept as they are")),
    };
    if global.dry_run {
        shell.note("dry run: nothing was written");
    } else if outcome.unchanged() {
        shell.note(&match kept {
            Some(kept) => format!("nothing was written: {kept}"),
            None => "nothing to do: everything is already as tspawn would write it".to_owned(),
        });
    } else {
        if let Some(kept) = kept {
            shell.note(&kept);
        }
        if let Some(next) = generated.next_steps {
            shell.note(&next);
        }
    }
    Ok(())
}

fn options(global: GlobalArgs, ask: bool) -> Options {
    let on_conflict = if global.force {
        OnConflict::Overwrite
    } else if global.skip {
        OnConflict::Skip
    } else if ask {
        OnConflict::Ask
    } else {
        OnConflict::Fail
    };
    Options {
        dry_run: global.dry_run,
        on_conflict,
    }
}
