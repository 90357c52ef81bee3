//! One module per subcommand. A generator takes a plain [`Request`] (validated names, the
//! driver, options; never clap's types), reads what it needs (the app root, a schema), builds a
//! [`Plan`] in memory and never writes. [`generate`] then runs the engine's checks on every
//! generator's output in one place (`guard`): no generated path lands on a file `tspawn new`
//! wrote, and every path and SQL identifier fits the limits downstream. `crate::run` applies it.

mod api;
mod controller;
mod delete;
mod guard;
mod helper;
mod model;
mod new;
mod scaffold;
mod table_key;
mod validator;
mod websocket;

use crate::context::Context;
use crate::driver::Driver;
use crate::error::Error;
use crate::names::Name;
use crate::plan::Plan;
use std::path::PathBuf;

pub use api::ApiRequest;
pub use controller::ControllerRequest;
pub use model::{ModelRequest, Source};
pub use scaffold::ScaffoldRequest;

/// What the user asked for, validated: the input of a generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `tspawn new NAME --db DRIVER`.
    New { name: Name, driver: Driver },
    /// `tspawn websocket NAME [--bare]`.
    Websocket { name: Name, bare: bool },
    /// `tspawn model ...` / `tspawn sqlobject ...`.
    Model(ModelRequest),
    /// `tspawn controller NAME ACTION...`.
    Controller(ControllerRequest),
    /// `tspawn api TABLE [MODEL]`.
    Api(ApiRequest),
    /// `tspawn scaffold TABLE [MODEL]` / `tspawn scaffold NAME field:type...`.
    Scaffold(ScaffoldRequest),
    /// `tspawn helper NAME`.
    Helper { name: Name },
    /// `tspawn validator NAME`.
    Validator { name: Name },
    /// `tspawn delete NAME`: the name as typed, read by each generator's rules in turn;
    /// `force` is `--force` (set by [`crate::execute`]): files rebuilt from a table are then
    /// removed even when the dev database cannot be opened to rebuild them.
    Delete { name: String, force: bool },
}

/// A generator's result: the plan, the folder its paths are relative to, what to tell the
/// user before and after, and what the engine checks before applying it.
pub struct Generated {
    pub base: PathBuf,
    pub plan: Plan,
    /// Said before the status lines: how the name typed was rewritten
    /// ([`Name::rename_note`]).
    pub note: Option<String>,
    pub next_steps: Option<String>,
    pub claims: Claims,
}

/// What a generated plan stands for, beyond its paths, for the engine's checks (`guard`).
pub struct Claims {
    /// The name the generator was given; a refusal words its fix with it.
    pub name: Name,
    /// The driver the app uses, which must accept `identifiers`.
    pub driver: Driver,
    /// Every SQL identifier the generated code creates.
    pub identifiers: Vec<Identifier>,
    /// True when the plan adds to an existing app (every generator but `new`): its files must
    /// then not land on a file `tspawn new` wrote.
    pub in_app: bool,
    /// Where the app's root is, relative to [`Generated::base`]: empty when the plan adds to
    /// an app, the app's folder for `new`. Its `src/main.rs`, `src/lib.rs`, `src/bin/*.rs` and
    /// `tests/*.rs` in the plan are crates, whose names `guard` measures as cargo uses them.
    pub app_dir: PathBuf,
    /// The app's crate name (the package's, in snake_case): that of `src/main.rs`, `src/lib.rs`.
    pub crate_name: String,
}

/// An SQL identifier a plan creates.
pub struct Identifier {
    /// What it names: `table`, `database`.
    pub kind: &'static str,
    pub name: String,
}

/// Builds the plan for a request and checks it.
pub fn generate(request: &Request, ctx: &Context) -> Result<Generated, Error> {
    let generated = match request {
        Request::New { name, driver } => new::generate(ctx, name, *driver),
        Request::Websocket { name, bare } => websocket::generate(ctx, name, *bare),
        Request::Model(model) => model::generate(ctx, model),
        Request::Controller(controller) => controller::generate(ctx, controller),
        Request::Api(api) => api::generate(ctx, api),
        Request::Scaffold(scaffold) => scaffold::generate(ctx, scaffold),
        Request::Helper { name } => helper::generate(ctx, name),
        Request::Validator { name } => validator::generate(ctx, name),
        Request::Delete { name, force } => delete::generate(ctx, name, *force),
    }?;
    guard::check(&generated)?;
    Ok(generated)
}
