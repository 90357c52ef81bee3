//! The whole command surface in one place (clap derive), and the top-level help in the shape of
//! TreeFrog's `tspawn -h`: the subcommand list is generated from these definitions, so it can
//! never drift from what the parser accepts.

use crate::driver::Driver;
use crate::error::Error;
use crate::generators::{
    ApiRequest, ControllerRequest, ModelRequest, Request, ScaffoldRequest, Source,
};
use crate::names::{Name, NameKind};
use clap::builder::PossibleValue;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tspawn",
    version,
    about = "Scaffolding for Rust web apps, after TreeFrog's tspawn"
)]
#[command(subcommand_value_name = "subcommand")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(flatten)]
    pub show: ShowArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand takes.
#[derive(Debug, Args, Clone, Copy)]
pub struct GlobalArgs {
    /// Show what would be created or changed, and write nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Overwrite files that differ from what tspawn would write; for delete, remove files
    /// changed since tspawn wrote them
    #[arg(long, global = true, conflicts_with = "skip")]
    pub force: bool,
    /// Keep files that differ from what tspawn would write, and write the rest
    #[arg(long, global = true)]
    pub skip: bool,
    /// Print no status lines
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// TreeFrog's `--show-*` options, usable without a subcommand.
#[derive(Debug, Args, Clone, Copy)]
#[group(multiple = false)]
pub struct ShowArgs {
    /// Show the database drivers apps can use
    #[arg(long)]
    pub show_drivers: bool,
    /// Show where database drivers come from
    #[arg(long)]
    pub show_driver_path: bool,
    /// Show the tables of the app's database (the one `cargo run` opens: 'dev')
    #[arg(long)]
    pub show_tables: bool,
    /// Show the collections of a MongoDB database (MongoDB is not supported yet)
    #[arg(long)]
    pub show_collections: bool,
    #[command(flatten)]
    pub listing: ListingArgs,
}

/// What `--show-tables` lists besides the names; outside [`ShowArgs`]' one-of group.
#[derive(Debug, Args, Clone, Copy)]
#[group(skip)]
pub struct ListingArgs {
    /// With --show-tables: also each table's columns, types, keys and defaults
    #[arg(long, requires = "show_tables")]
    pub columns: bool,
}

/// `--db`: the driver's CLI spelling and aliases come from [`Driver`].
impl ValueEnum for Driver {
    fn value_variants<'a>() -> &'a [Self] {
        &Driver::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.cli_name()).aliases(self.aliases().iter().copied()))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new application folder that builds and runs as it is
    #[command(visible_alias = "n", after_help = NEW_HELP)]
    New {
        /// The app's folder and package name: lowercase words joined by '_' or '-'
        #[arg(value_name = "application-name")]
        name: String,
        /// The database the app uses
        #[arg(long, value_enum, default_value = "sqlite")]
        db: Driver,
    },
    /// Create a model, a controller and views for a table (CRUD)
    #[command(visible_alias = "s", after_help = SCAFFOLD_HELP)]
    Scaffold(ModelArgs),
    /// Create a controller with the given actions, each with a view
    #[command(visible_alias = "c", after_help = CONTROLLER_HELP)]
    Controller(ControllerArgs),
    /// Create a model for a table, or for a new table from a field list
    #[command(visible_alias = "m", after_help = MODEL_HELP)]
    Model(ModelArgs),
    /// Create a user model for a table, with login by username and password
    #[command(visible_alias = "u")]
    Usermodel {
        /// The table of users, in snake_case
        #[arg(value_name = "table-name", required = true)]
        table: Option<String>,
        /// The column holding the user name (default: username)
        #[arg(value_name = "username")]
        username: Option<String>,
        /// The column holding the password (default: password)
        #[arg(value_name = "password")]
        password: Option<String>,
        /// The model's name (default: from the table name)
        #[arg(value_name = "model-name")]
        model: Option<String>,
    },
    /// Create an SQL object (a typed row and its SQL) for a table, or from a field list
    #[command(visible_alias = "o", after_help = SQLOBJECT_HELP)]
    Sqlobject(ModelArgs),
    /// Create a model, a controller and views for a MongoDB collection
    #[command(visible_alias = "ms")]
    Mongoscaffold(MongoArgs),
    /// Create a model for a MongoDB collection
    #[command(visible_alias = "mm")]
    Mongomodel(MongoArgs),
    /// Create a WebSocket endpoint served at /<endpoint-name>
    #[command(visible_alias = "w", after_help = WEBSOCKET_HELP)]
    Websocket {
        /// The endpoint's name, written in snake_case: `chat-room` is served at /chat_room
        #[arg(value_name = "endpoint-name")]
        name: String,
        /// Empty handlers instead of the chat (no model, no migration, no settings)
        #[arg(long)]
        bare: bool,
    },
    /// Create a validator (a form with rules) for a table's input
    #[command(visible_alias = "v", after_help = VALIDATOR_HELP)]
    Validator(NameArgs),
    /// Create a mailer with the given actions
    #[command(visible_alias = "l")]
    Mailer(MailerArgs),
    /// Create a JSON API controller for a table
    #[command(visible_alias = "a")]
    Api(TableArgs),
    /// Create a helper module
    #[command(visible_alias = "h", after_help = HELPER_HELP)]
    Helper(NameArgs),
    /// Remove what tspawn made under a name: endpoint, model, controller, scaffold, api, helper,
    /// validator
    #[command(visible_alias = "d", after_help = DELETE_HELP)]
    Delete {
        /// The name given to the generators (a model's module: `blog_entry`)
        #[arg(value_name = "name")]
        name: String,
    },
}

/// `tspawn help new`: what it writes, the name rules, --force, how to undo it.
const NEW_HELP: &str = "\
Writes the folder <application-name> in the current folder: Cargo.toml,
Cargo.lock (the versions this release was tested with), config/app.toml, src/
(main.rs, lib.rs, routes.rs, endpoints/, models/...), public/, db/migrations/,
tests/, and the runtime's sources in vendor/tspawn-runtime. The app builds and
runs as it is: cd into it, cargo run.

Name: lowercase ASCII letters, digits and single '_' or '-', starting with a
letter; `chat-app` makes the folder and package chat-app, the crate chat_app.

The folder must not exist yet, be empty, or hold only .git (which is kept). An
existing app is never written over, not even with --force (so --force and
--skip do nothing here): to add to an app, run a generator such as
`tspawn websocket` inside it.

Undo: remove the folder; nothing outside it is written.";

/// `tspawn help websocket`: what it writes, the name rules, conflicts, how to undo it.
const WEBSOCKET_HELP: &str = "\
Writes, in the app around the current folder:
  src/endpoints/NAME_endpoint.rs   the endpoint: a chat with history, join and
                                   leave notices (--bare: empty handlers)
  public/NAME.html                 a page that talks to it
  tests/NAME_endpoint.rs           its test
  src/models/NAME_message.rs       the chat's messages (not with --bare)
  db/migrations/<version>_create_NAME_messages.sql
                                   their table (not with --bare)
and adds a line to src/endpoints/mod.rs, src/routes.rs (the route /NAME),
public/index.html (a link), and unless --bare src/models/mod.rs and
config/app.toml (the chat's settings).

Name: ASCII letters, digits, '_' or '-', starting with a letter. It is written
in snake_case, and a trailing \"endpoint\" is dropped as TreeFrog does:
`chat-room` and `ChatRoomEndpoint` both make src/endpoints/chat_room_endpoint.rs
served at /chat_room. tspawn says so when it changes the name.

Run again, it leaves files as tspawn wrote them alone; a file you changed is
asked about on a terminal, else needs --force (overwrite it) or --skip (keep
it), and nothing is written until that is settled. A changed migration is
always kept: a database may have run it.

Undo: tspawn delete NAME.";

/// `tspawn help controller`: what it writes, the URLs, the name rules, the undo.
const CONTROLLER_HELP: &str = "\
Writes, in the app around the current folder, for `tspawn controller blog index
show`:
  src/controllers/blog_controller.rs   an async function per action, each
                                       rendering its view, and their routes
  views/blog/index.html, show.html     the views (askama templates, compiled
                                       with the app, HTML-escaped)
  tests/blog_controller.rs             a request test per action
and, when missing, views/layouts/application.html (the page around every
view) and askama.toml. It adds lines to src/controllers/mod.rs, src/routes.rs,
public/index.html (a link) and the runtime feature views to Cargo.toml.

URLs follow TreeFrog: /blog/show, and /blog/show/3/a calls show with the
arguments [\"3\", \"a\"] (tspawn_runtime::controller::Args); /blog is index when
there is an index action.

Names: the controller's is written in snake_case and loses a trailing
\"controller\" (BlogController is blog); actions must be snake_case, not a Rust
keyword, each given once.

Run again, it leaves files as tspawn wrote them alone; a file you changed is
asked about on a terminal, else needs --force (overwrite it) or --skip (keep
it). The layout and askama.toml are yours once written and never rewritten.

Undo: tspawn delete NAME.";

/// `tspawn help scaffold`: the two forms, what it writes, the URLs, the refusals, the undo.
const SCAFFOLD_HELP: &str = "\
Two forms, run in the app around the current folder:
  tspawn scaffold TABLE [MODEL]        a table of the dev database
  tspawn scaffold NAME field:type...   a new table from a field list (the
                                       fields of `tspawn help model`)
Examples:
  tspawn scaffold blog
  tspawn scaffold blog_entries BlogEntry
  tspawn scaffold post title:string:required body:text published:bool

Writes a working CRUD site, for model Blog (module blog):
  src/controllers/blog_controller.rs   the actions and their routes (yours)
  views/blog/index.html, show.html,    the pages (askama, compiled with the
    create.html, save.html,            app, every value escaped); _form.html
    _form.html, not_found.html         holds the fields both forms share
  tests/blog_controller.rs             a request test of every page and form
and, as `tspawn model` and `tspawn validator` do, the model (when it has
none yet; a field list's migration too) and src/helpers/blog_validator.rs
(the form and its rules; kept when it exists), plus the layout and
askama.toml when missing. It adds lines to src/controllers/mod.rs,
src/routes.rs, public/index.html (a link) and the runtime features views,
validation and those the columns need to Cargo.toml.

URLs, TreeFrog's: GET /blog and /blog/index?page=2&per_page=50 (a page of
rows), GET /blog/show/ID, GET and POST /blog/create, GET and POST
/blog/save/ID, POST /blog/remove/ID. A composite key takes one segment per
key column, in key order (/order_line/show/7/2); a text key is
percent-encoded. A form breaking a rule comes back (422) with the messages
beside the fields and the input kept; a change redirects (303) with a flash
notice; a stale lock_revision is refused (409) with a message, never saved
over the other change.

Refused, with nothing written: a table without a primary key or with a key
column a URL cannot carry (only integers, text and UUIDs), a name whose
controller exists (made by `tspawn controller`), a WebSocket endpoint of
the same name, the model name layouts.

Undo: tspawn delete NAME (the model, validator and controller together).";

/// `tspawn help helper`: what it writes, the name rules, the undo.
const HELPER_HELP: &str = "\
Writes, in the app around the current folder, for `tspawn helper text`:
  src/helpers/text.rs   a module of functions controllers, views and endpoints
                        share, with one documented example (excerpt) and its
                        unit tests; yours to edit
and adds `pub mod text;` to src/helpers/mod.rs. Call it from a controller as
crate::helpers::text::excerpt(&body, 80), from a view by the same path.

Name: snake_case, not a Rust keyword (TextHelper is text_helper).

Run again, it leaves the file as tspawn wrote it alone; a file you changed is
asked about on a terminal, else needs --force or --skip.

Undo: tspawn delete NAME.";

/// `tspawn help validator`: what it writes from a table, the rules, the undo.
const VALIDATOR_HELP: &str = "\
Writes, in the app around the current folder, for `tspawn validator blog`:
  src/helpers/blog_validator.rs   BlogForm: the fields a form sets, each with
                                  its rules and messages (validator's derive);
                                  written once and never rewritten: yours
  tests/blog_validator.rs         a test that each rule fires with its message
                                  and a valid form passes; rewritten while the
                                  form is what tspawn writes, then kept
and adds `pub mod blog_validator;` to src/helpers/mod.rs and the runtime
feature validation to Cargo.toml.

From the table blog (or blogs) of the dev database, when there is one: a field
per column callers set, typed as the model types it; NOT NULL text is required
(\"title is required\"), VARCHAR(n) is at most n characters (\"title must be
at most 20 characters\"); with the model's sqlobject, `impl From<BlogForm> for
NewBlog`. Without the table: one example field and rule to edit.

Name: TreeFrog's trailing \"validator\" is dropped (BlogValidator is blog).

Undo: tspawn delete NAME.";

/// `tspawn help model`: what it writes, the name rules, running it again, the undo.
const MODEL_HELP: &str = "\
Two forms, run in the app around the current folder:
  tspawn model TABLE [MODEL]        a table of the dev database (as `cargo run`
                                    opens it); MODEL defaults to TABLE made
                                    singular: blog_entries gives BlogEntry
  tspawn model NAME field:type...   a new table: NAME is the model (post makes
                                    the table posts) and the fields its columns
Fields: NAME:TYPE[:MODIFIER...], TYPE one of string (string{80} sets the
length), text, integer, bigint, float, decimal, bool, date, datetime, uuid,
json, references (author:references is author_id, a key of authors);
MODIFIER one of required (the default), optional (NULL allowed), unique.
Every field-list table also gets id, created_at, updated_at and lock_revision.

Writes, for model Blog (module blog):
  src/models/sqlobjects/blog.rs   the row struct Blog, NewBlog (the columns a
                                  caller sets), the SQL and create, get, list,
                                  count, update and remove; rewritten on every
                                  run, so do not edit it
  src/models/blog.rs              your model file: written once, never again;
                                  put your methods here
  tests/blog_model.rs             tests against the test database; rewritten
  db/migrations/<version>_create_TABLE.sql
                                  for a field list, or for a table no migration
                                  creates yet (CREATE TABLE IF NOT EXISTS)
and adds `pub mod` lines to src/models/mod.rs and src/models/sqlobjects/mod.rs
and the runtime features the column types need to Cargo.toml (chrono,
decimal, uuid, json). TreeFrog's conventions: created_at and updated_at (or
modified_at) are set by the model, and an update of a row whose lock_revision
moved on since it was read fails with Error::StaleRevision.

Run again after changing the table: the generated files follow it, your model
file and a migration already written are kept. A generated file is rewritten
without asking (--skip keeps it) while its first line, `// Generated by ...`,
is there; delete that line to make it yours (a run then asks before changing
it, as for any file). A table without a primary key, a column type with no
Rust mapping or a name that cannot become Rust is refused with one line, and
nothing is written.

Undo: tspawn delete MODULE (tspawn delete blog).";

/// `tspawn help sqlobject`.
const SQLOBJECT_HELP: &str = "\
Takes the same arguments as `tspawn model` (see `tspawn help model`) and writes
only src/models/sqlobjects/MODULE.rs (the row struct, NewMODEL, the SQL and the
CRUD functions; rewritten on every run) with its `pub mod` lines, the
migration of a field list and the runtime features; no model file, no tests.

Undo: tspawn delete MODULE.";

/// `tspawn help delete`: what it can delete, what --force and --skip do.
const DELETE_HELP: &str = "\
Deletes, in the app around the current folder, what the generators made under
NAME, all at once (TreeFrog's delete takes a scaffold's controller, model,
views and validator together):

A WebSocket endpoint (`tspawn websocket NAME`, with or without --bare; NAME is
read the same way: `chat-room` is chat_room):
  - the files it wrote: src/endpoints/NAME_endpoint.rs, public/NAME.html,
    tests/NAME_endpoint.rs, and for the chat src/models/NAME_message.rs and its
    migration;
  - the lines it added to src/endpoints/mod.rs, src/routes.rs,
    public/index.html, src/models/mod.rs and config/app.toml.
  Databases where the migration ran keep the NAME_messages table.

A model or sqlobject (src/models/sqlobjects/NAME.rs exists; `blog_entries`
also finds blog_entry): delete reads the command recorded in that file's first
line and runs it again in memory, so it knows exactly what was written:
  - src/models/sqlobjects/NAME.rs and tests/NAME_model.rs, removed when they
    are what the command writes now (a table changed or dropped since makes
    them differ: they are then asked about, like a changed file);
  - src/models/NAME.rs, removed only if you never changed it;
  - the migration it wrote, removed only if the dev database never applied
    it; an applied one is kept, with the line to roll back (a migration of
    your own that drops the table);
  - its `pub mod` lines, and src/models/sqlobjects/mod.rs with the
    `pub mod sqlobjects;` line once no other sqlobject is left.
  The runtime features it turned on in Cargo.toml stay (other code may use
  them).

A controller (src/controllers/NAME_controller.rs): its first line records
the command, run again in memory: the controller, its views, its test, its
route, `pub mod` line and link; the layout and askama.toml only when no
other controller is left.

A scaffold (src/controllers/NAME_controller.rs recording `tspawn scaffold
...`): rebuilt from the table or the field list it records: the controller,
its views, its test, its route, `pub mod` line and link, as for a
controller; its model and validator go as above (a field list's validator
rebuilt from the field list).

A JSON api (src/controllers/NAME_api.rs): its first line records the
command, run again in memory from the table as it is now: the api, its test,
its route and `pub mod` line; its model and validator go as above.

A helper (src/helpers/NAME.rs) and a validator (src/helpers/NAME_validator.rs
and tests/NAME_validator.rs, rebuilt from the table as it is now; `delete
blog_validator` is the validator of blog), with their `pub mod` lines.

Folders stay. A file changed since tspawn wrote it is asked about on a
terminal; otherwise delete stops and writes nothing, unless
--force (remove it, losing your changes) or --skip (keep it; it may then
refer to what was deleted). A line you edited stops delete with what to
remove by hand.

Undo: run the generator again (tspawn websocket NAME, tspawn model ...).";

/// The subcommands tspawn builds so far; every other one is listed under "Not built yet" in
/// `tspawn -h`, says so in its own help, and is refused by [`Command::request`].
pub const BUILT: [&str; 10] = [
    "new",
    "scaffold",
    "model",
    "sqlobject",
    "websocket",
    "controller",
    "validator",
    "helper",
    "api",
    "delete",
];

// The arguments of the subcommands not built yet are TreeFrog's, for their help; none is
// required when parsing (see `relax`), so any arguments get "not built yet", never clap's error.

#[derive(Debug, Args)]
pub struct TableArgs {
    /// The table, in snake_case
    #[arg(value_name = "table-name", required = true)]
    pub table: Option<String>,
    /// The model's name (default: from the table name)
    #[arg(value_name = "model-name")]
    pub model: Option<String>,
}

/// `model` and `sqlobject`: `TABLE [MODEL]` or `NAME field:type...`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// The table, as the database spells it; with a field list, the model's name
    #[arg(value_name = "table-name")]
    pub table: String,
    /// The model's name (default: the table's, made singular), or the fields of a new table
    /// (`title:string:required body:text`)
    #[arg(value_name = "model-name|field:type...")]
    pub rest: Vec<String>,
}

impl ModelArgs {
    /// The request: a field list when any argument after the first holds a ':'.
    fn request(&self, sqlobject_only: bool) -> Result<Request, Error> {
        Ok(Request::Model(self.model_request(sqlobject_only)?))
    }

    /// `tspawn scaffold`'s request: the same table or field list, and model name.
    fn scaffold_request(&self) -> Result<Request, Error> {
        let ModelRequest { source, model, .. } = self.model_request(false)?;
        Ok(Request::Scaffold(ScaffoldRequest { source, model }))
    }

    fn model_request(&self, sqlobject_only: bool) -> Result<ModelRequest, Error> {
        let model_name = |name: &str| Name::parse(NameKind::Model, name);
        let source = if self.rest.iter().any(|arg| arg.contains(':')) {
            Source::Fields {
                name: model_name(&self.table)?,
                specs: self.rest.clone(),
            }
        } else {
            Source::Table(self.table.clone())
        };
        let model = match (&source, self.rest.as_slice()) {
            (Source::Fields { .. }, _) | (_, []) => None,
            (_, [model]) => Some(model_name(model)?),
            (_, [_, extra, ..]) => {
                return Err(Error::Schema(format!(
                    "unexpected argument `{extra}`: give a table and at most a model name                      (tspawn model blog Blog), or a name and fields (tspawn model post                      title:string)"
                )))
            }
        };
        Ok(ModelRequest {
            source,
            model,
            sqlobject_only,
        })
    }
}

#[derive(Debug, Args)]
pub struct MongoArgs {
    /// The model's name, in PascalCase
    #[arg(value_name = "model-name", required = true)]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// Its name, in snake_case
    #[arg(value_name = "name", required = true)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ControllerArgs {
    /// The controller's name, written in snake_case: `BlogController` is blog
    #[arg(value_name = "controller-name")]
    pub name: String,
    /// An action (a function, a view and a URL) to create, in snake_case
    #[arg(value_name = "action", required = true)]
    pub actions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MailerArgs {
    /// The mailer's name, in snake_case
    #[arg(value_name = "mailer-name", required = true)]
    pub name: Option<String>,
    /// An action (a mail to send) to create
    #[arg(value_name = "action", required = true)]
    pub actions: Vec<String>,
}

impl Cli {
    /// Checks what clap cannot express: `--show-*` options stand alone.
    pub fn validate(&self) -> Result<(), clap::Error> {
        let show = self.show;
        let any_show =
            show.show_drivers || show.show_driver_path || show.show_tables || show.show_collections;
        match &self.command {
            Some(command) if any_show => Err(command_error(format!(
                "the --show-* options take no subcommand; run `tspawn --show-...` and `tspawn {}` separately",
                command.name()
            ))),
            _ => Ok(()),
        }
    }
}

fn command_error(message: String) -> clap::Error {
    command().error(clap::error::ErrorKind::ArgumentConflict, message)
}

impl Command {
    /// The plain request a generator takes: names validated, no clap types. Subcommands not
    /// built yet (not in [`BUILT`]) are refused here with [`Error::NotBuilt`].
    pub fn request(&self) -> Result<Request, Error> {
        let endpoint = |name: &str| Name::parse(NameKind::Endpoint, name);
        Ok(match self {
            Command::New { name, db } => Request::New {
                name: Name::parse(NameKind::Application, name)?,
                driver: *db,
            },
            Command::Websocket { name, bare } => Request::Websocket {
                name: endpoint(name)?,
                bare: *bare,
            },
            Command::Model(args) => args.request(false)?,
            Command::Sqlobject(args) => args.request(true)?,
            Command::Scaffold(args) => args.scaffold_request()?,
            Command::Controller(args) => {
                Request::Controller(ControllerRequest::parse(&args.name, &args.actions)?)
            }
            Command::Api(TableArgs { table, model }) => Request::Api(ApiRequest {
                table: table.clone().unwrap_or_default(),
                model: model
                    .as_deref()
                    .map(|m| Name::parse(NameKind::Model, m))
                    .transpose()?,
            }),
            // clap requires the name; a missing one is refused as empty.
            Command::Helper(NameArgs { name }) => Request::Helper {
                name: Name::parse(NameKind::Helper, name.as_deref().unwrap_or_default())?,
            },
            Command::Validator(NameArgs { name }) => Request::Validator {
                name: Name::parse(NameKind::Validator, name.as_deref().unwrap_or_default())?,
            },
            // Each generator delete undoes reads the name by its own rules (see delete.rs).
            Command::Delete { name } => Request::Delete {
                name: name.clone(),
                force: false,
            },
            other => return Err(Error::NotBuilt(other.name())),
        })
    }

    /// The subcommand's name as typed in full.
    pub fn name(&self) -> &'static str {
        match self {
            Command::New { .. } => "new",
            Command::Scaffold(_) => "scaffold",
            Command::Controller(_) => "controller",
            Command::Model(_) => "model",
            Command::Usermodel { .. } => "usermodel",
            Command::Sqlobject(_) => "sqlobject",
            Command::Mongoscaffold(_) => "mongoscaffold",
            Command::Mongomodel(_) => "mongomodel",
            Command::Websocket { .. } => "websocket",
            Command::Validator(_) => "validator",
            Command::Mailer(_) => "mailer",
            Command::Api(_) => "api",
            Command::Helper(_) => "helper",
            Command::Delete { .. } => "delete",
        }
    }
}

/// The clap command with the TreeFrog-shaped top-level help. Every subcommand's usage line is
/// its row of that help (`tspawn websocket <endpoint-name> [--bare] [OPTIONS]`), so help and
/// errors show the same one; a subcommand not in [`BUILT`] says so in its help.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command()
        .override_usage("tspawn <subcommand> [args]")
        .max_term_width(100);
    // Shapes are taken before `relax` makes the unbuilt subcommands' arguments optional.
    let template = help_template(&cmd);
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| {
            let usage = format!("tspawn {name} {} [OPTIONS]", shape(&sub));
            let sub = sub.override_usage(usage);
            if BUILT.contains(&name.as_str()) {
                return sub;
            }
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            relax(sub)
                .about(format!("{about} (not built yet)"))
                .after_help(format!(
                    "Not built yet: tspawn {version} refuses `tspawn {name}` and writes \
                 nothing.\nRun `tspawn -h` for the subcommands it has.",
                    version = env!("CARGO_PKG_VERSION")
                ))
        });
    }
    cmd.help_template(template)
}

/// A subcommand not built yet takes any arguments, so whatever is typed gets "not built yet"
/// ([`Error::NotBuilt`]) rather than clap's complaint about TreeFrog's arguments: none is
/// required, each may look like an option, and a hidden list takes the rest unless the last
/// one already takes many.
fn relax(sub: clap::Command) -> clap::Command {
    let sub = sub.mut_args(|arg| match arg.is_positional() {
        true => arg.required(false).allow_hyphen_values(true),
        false => arg,
    });
    let takes_many = sub
        .get_positionals()
        .last()
        .is_some_and(|arg| arg.get_num_args().is_some_and(|n| n.max_values() > 1));
    if takes_many {
        return sub;
    }
    sub.arg(
        clap::Arg::new("rest")
            .num_args(1..)
            .allow_hyphen_values(true)
            .hide(true),
    )
}

/// Parses a command line (`args` with the program name first), with typo suggestions that name
/// whole subcommands: clap's also offer aliases, so `controler` got `'n', 'c', 'o'`.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = command();
    let matches = cmd
        .try_get_matches_from_mut(args)
        .map_err(|e| full_name_suggestions(e, &cmd))?;
    let cli = Cli::from_arg_matches(&matches)?;
    cli.validate()?;
    Ok(cli)
}

/// Replaces the subcommands suggested for a typo with the full names as close to it as clap's
/// own rule asks (Jaro similarity over 0.7), best first.
fn full_name_suggestions(mut error: clap::Error, cmd: &clap::Command) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let typed = match error.get(ContextKind::InvalidSubcommand) {
        Some(ContextValue::String(typed)) if error.kind() == ErrorKind::InvalidSubcommand => {
            typed.clone()
        }
        _ => return error,
    };
    let mut close: Vec<(f64, &str)> = cmd
        .get_subcommands()
        .map(|sub| (strsim::jaro(&typed, sub.get_name()), sub.get_name()))
        .filter(|(similarity, _)| *similarity > 0.7)
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0));
    if close.is_empty() {
        let message = format!("unrecognized subcommand '{typed}'");
        return cmd.clone().error(ErrorKind::InvalidSubcommand, message);
    }
    let names = close.iter().map(|(_, name)| name.to_string()).collect();
    error.insert(
        ContextKind::SuggestedSubcommand,
        ContextValue::Strings(names),
    );
    error
}

fn help_template(cmd: &clap::Command) -> String {
    let rows: Vec<(bool, String, String)> = cmd
        .get_subcommands()
        .map(|sub| {
            let alias = sub
                .get_visible_aliases()
                .next()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            let built = BUILT.contains(&sub.get_name());
            (built, format!("{}{alias}", sub.get_name()), shape(sub))
        })
        .collect();
    let width = rows
        .iter()
        .map(|(_, name, _)| name.len())
        .max()
        .unwrap_or(0)
        + 2;
    let list = |built: bool| -> String {
        rows.iter()
            .filter(|row| row.0 == built)
            .map(|(_, name, shape)| format!("  {name:width$}{shape}\n"))
            .collect()
    };
    format!(
        "{{usage-heading}} {{usage}}\n\n\
         Type 'tspawn --show-drivers' to show all the available database drivers.\n\
         Type 'tspawn --show-driver-path' to show the path of database drivers.\n\
         Type 'tspawn --show-tables' to show all tables of the 'dev' database (--columns: \
         and their columns).\n\
         Type 'tspawn --show-collections' to show all collections in the MongoDB (not \
         supported yet).\n\n\
         Available subcommands:\n{built}\n\
         Not built yet (TreeFrog's, refused by tspawn {version} for now):\n{unbuilt}\n\
         Options:\n{{options}}\n\n\
         Type 'tspawn help <subcommand>' or 'tspawn <subcommand> --help' for details.\n",
        built = list(true),
        unbuilt = list(false),
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// `<table-name> [model-name]`, `<name> action [action ...]`, `[--db sqlite|postgresql|mysql]`.
fn shape(sub: &clap::Command) -> String {
    let mut parts = Vec::new();
    for arg in sub.get_arguments().filter(|a| !a.is_global_set()) {
        let name = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string());
        let name = name.unwrap_or_else(|| arg.get_id().to_string());
        if arg.is_positional() {
            let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
            parts.push(match (arg.is_required_set(), many) {
                (true, true) => format!("{name} [{name} ...]"),
                (true, false) => format!("<{name}>"),
                (false, _) => format!("[{name}]"),
            });
        } else if let Some(long) = arg.get_long().filter(|l| *l != "help") {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            parts.push(if !arg.get_action().takes_values() {
                format!("[--{long}]")
            } else if values.is_empty() {
                format!("[--{long} <{name}>]")
            } else {
                format!("[--{long} {}]", values.join("|"))
            });
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand with made-up arguments: the ones in [`BUILT`] make a request, every
    /// other one is refused as not built, so help's two lists match what runs.
    #[test]
    fn built_is_what_request_accepts() {
        let cmd = command();
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut args = vec!["tspawn".to_owned(), sub.get_name().to_owned()];
            let required = sub
                .get_arguments()
                .filter(|a| a.is_positional() && a.is_required_set());
            args.extend(required.map(|_| "blog".to_owned()));
            let cli = parse(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let request = cli.command.expect("a subcommand").request();
            let built = BUILT.contains(&sub.get_name());
            assert_eq!(
                !matches!(request, Err(Error::NotBuilt(_))),
                built,
                "{}",
                sub.get_name()
            );
        }
    }
}
