//! The whole command surface in one place (clap derive), and the top-level help in the shape of
//! TreeFrog's `tspawn -h`: the subcommand list is generated from these definitions, so it can
//! never drift from what the parser accepts.

use crate::driver::Driver;
use crate::error::Error;
use crate::generators::Request;
use crate::names::{Name, NameKind};
use clap::builder::PossibleValue;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

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
    /// Overwrite files that differ from what tspawn would write
    #[arg(long, global = true, conflicts_with = "skip")]
    pub force: bool,
    /// Keep files that differ from what tspawn would write
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
    /// Show the tables of the app's database ('dev' environment)
    #[arg(long)]
    pub show_tables: bool,
    /// Show the collections of the app's MongoDB database
    #[arg(long)]
    pub show_collections: bool,
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
    #[command(visible_alias = "n")]
    New {
        #[arg(value_name = "application-name")]
        name: String,
        /// The database the app uses
        #[arg(long, value_enum, default_value = "sqlite")]
        db: Driver,
    },
    /// Create a model, a controller and views for a table (CRUD)
    #[command(visible_alias = "s")]
    Scaffold(TableArgs),
    /// Create a controller with the given actions
    #[command(visible_alias = "c")]
    Controller(ControllerArgs),
    /// Create a model for a table
    #[command(visible_alias = "m")]
    Model(TableArgs),
    /// Create a user model for a table, with login by username and password
    #[command(visible_alias = "u")]
    Usermodel {
        #[arg(value_name = "table-name")]
        table: String,
        #[arg(value_name = "username", requires = "password")]
        username: Option<String>,
        #[arg(value_name = "password")]
        password: Option<String>,
        #[arg(value_name = "model-name")]
        model: Option<String>,
    },
    /// Create an SQL object (a typed row) for a table
    #[command(visible_alias = "o")]
    Sqlobject(TableArgs),
    /// Create a model, a controller and views for a MongoDB collection
    #[command(visible_alias = "ms")]
    Mongoscaffold(ModelArgs),
    /// Create a model for a MongoDB collection
    #[command(visible_alias = "mm")]
    Mongomodel(ModelArgs),
    /// Create a WebSocket endpoint served at /<endpoint-name>
    #[command(visible_alias = "w")]
    Websocket {
        #[arg(value_name = "endpoint-name")]
        name: String,
        /// Empty handlers instead of the chat
        #[arg(long)]
        bare: bool,
    },
    /// Create a validator for form input
    #[command(visible_alias = "v")]
    Validator(NameArgs),
    /// Create a mailer with the given actions
    #[command(visible_alias = "l")]
    Mailer(MailerArgs),
    /// Create a JSON API controller for a table
    #[command(visible_alias = "a")]
    Api(TableArgs),
    /// Create a helper module
    #[command(visible_alias = "h")]
    Helper(NameArgs),
    /// Remove what a generator created (only files unchanged since)
    #[command(visible_alias = "d")]
    Delete {
        #[arg(value_name = "table-name or validator-name")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct TableArgs {
    #[arg(value_name = "table-name")]
    pub table: String,
    #[arg(value_name = "model-name")]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[arg(value_name = "model-name")]
    pub model: String,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    #[arg(value_name = "name")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ControllerArgs {
    #[arg(value_name = "controller-name")]
    pub name: String,
    #[arg(value_name = "action", required = true)]
    pub actions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MailerArgs {
    #[arg(value_name = "mailer-name")]
    pub name: String,
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
    /// built yet are refused here.
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
            Command::Delete { name } => Request::Delete {
                name: endpoint(name)?,
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

/// The clap command with the TreeFrog-shaped top-level help.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let template = help_template(&cmd);
    cmd.help_template(template)
}

fn help_template(cmd: &clap::Command) -> String {
    let rows: Vec<(String, String)> = cmd
        .get_subcommands()
        .map(|sub| {
            let alias = sub
                .get_visible_aliases()
                .next()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            (format!("{}{alias}", sub.get_name()), shape(sub))
        })
        .collect();
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0) + 2;
    let list: String = rows
        .iter()
        .map(|(name, shape)| format!("  {name:width$}{shape}\n"))
        .collect();
    format!(
        "usage: tspawn <subcommand> [args]\n\n\
         Type 'tspawn --show-drivers' to show all the available database drivers.\n\
         Type 'tspawn --show-driver-path' to show the path of database drivers.\n\
         Type 'tspawn --show-tables' to show all tables of the database in the setting of 'dev'.\n\
         Type 'tspawn --show-collections' to show all collections in the MongoDB.\n\n\
         Available subcommands:\n{list}\n\
         Options:\n{{options}}\n\n\
         Type 'tspawn help <subcommand>' or 'tspawn <subcommand> --help' for details.\n"
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
