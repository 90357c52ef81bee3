//! `tspawn delete NAME`: undoes a generator. It rebuilds the plan the generator would make
//! now and reverses it: every file it wrote is removed if unchanged since (otherwise tspawn
//! asks, or needs --force or --skip), every snippet it injected is taken out, folders stay.
//! So far it knows WebSocket endpoints (`tspawn websocket NAME`, with or without `--bare`).

use super::{websocket, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::Name;

pub fn generate(ctx: &Context, name: &Name) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let snake = name.snake();
    if !app
        .root
        .join(format!("src/endpoints/{snake}_endpoint.rs"))
        .is_file()
    {
        return Err(Error::NothingToDelete(name.to_string()));
    }
    // The chat flavour has a model; `--bare` does not.
    let bare = !app
        .root
        .join(format!("src/models/{snake}_message.rs"))
        .is_file();
    let generated = websocket::generate(ctx, name, bare)?;
    let next_steps = (!bare).then(|| {
        format!(
            "note: databases where the migration ran keep the {snake}_messages table; drop it \
             with a migration of your own if its messages are no longer wanted"
        )
    });
    Ok(Generated {
        plan: generated.plan.reverse(),
        next_steps,
        ..generated
    })
}
