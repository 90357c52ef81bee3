//! One module per subcommand. A generator reads what it needs (the app root, a schema), builds
//! a [`Plan`] in memory and never writes; `crate::run` applies it.

mod delete;
mod new;
mod websocket;

use crate::cli::Command;
use crate::context::Context;
use crate::error::Error;
use crate::plan::Plan;
use std::path::PathBuf;

/// A generator's result: the plan, the folder its paths are relative to, and what to tell the
/// user afterwards.
pub struct Generated {
    pub base: PathBuf,
    pub plan: Plan,
    pub next_steps: Option<String>,
}

/// Builds the plan for a subcommand.
pub fn generate(command: &Command, ctx: &Context) -> Result<Generated, Error> {
    match command {
        Command::New { name, db } => new::generate(ctx, name, *db),
        Command::Websocket { name, bare } => websocket::generate(ctx, name, *bare),
        Command::Delete { name } => delete::generate(ctx, name),
        other => Err(Error::NotBuilt(other.name())),
    }
}
