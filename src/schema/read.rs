//! Reading live tables from the app's own database (the one `cargo run` opens, see
//! [`super::url`]): the table names, one table's columns as a [`Table`], and the migration
//! versions already applied. The public calls are synchronous; each opens one connection on a
//! small current-thread runtime and closes it before returning. The per-driver catalog
//! queries and SQL → [`Kind`](super::Kind) tables live in `sqlite`, `postgres` and `mysql`.

pub(crate) use super::session::Session;
use super::{url, Table};
use crate::app::App;
use crate::driver::Driver;
use crate::error::Error;

/// The migrations table sqlx keeps; never a table of the app's own.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Why a live table could not be read; each message is one line saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// config/app.toml cannot give the database URL (unreadable, malformed, no environment
    /// table, a URL of another driver, none for a server driver).
    #[error("{message}")]
    Config { message: String },

    /// The app's SQLite file is not there; it is never created by tspawn.
    #[error(
        "{path} does not exist yet: run the app once (cargo run) so it creates and migrates it"
    )]
    SqliteMissing { path: String },

    /// The server did not answer (refused, unknown host, or no answer within 5 s).
    #[error(
        "cannot reach the {server} server at {at} ({cause}): start it, or point database_url in \
         config/app.toml (or TSPAWN_DATABASE_URL) at a server that runs"
    )]
    Unreachable {
        server: &'static str,
        at: String,
        cause: String,
    },

    /// The server runs but has no such database.
    #[error(
        "the database `{database}` does not exist yet on {at}: run the app once (cargo run) so \
         it creates and migrates it"
    )]
    NoDatabase { database: String, at: String },

    /// Any other failure of the connection or a catalog query.
    #[error("cannot read the database {database}: {cause}")]
    Failed { database: String, cause: String },

    /// No table of that name, even ignoring case.
    #[error("{}", no_such_table(table, database, tables))]
    NoSuchTable {
        table: String,
        /// The database, for people: `db/dev.sqlite3`, a URL without its password.
        database: String,
        tables: Vec<String>,
    },

    /// Several tables match when case is ignored, none exactly.
    #[error(
        "`{table}` matches several tables of {database} when case is ignored ({}); type one \
         exactly as it is spelled",
        matches.join(", ")
    )]
    Ambiguous {
        table: String,
        database: String,
        matches: Vec<String>,
    },

    /// A column whose SQL type has no Rust type in tspawn's table (README, "Types").
    #[error("{table}.{column}: {driver} type `{sql_type}` has no mapping; supported: {supported}")]
    Unmapped {
        table: String,
        column: String,
        driver: &'static str,
        sql_type: String,
        supported: &'static str,
    },
}

fn no_such_table(table: &str, database: &str, tables: &[String]) -> String {
    if tables.is_empty() {
        format!(
            "no table `{table}` in {database}: it has no tables yet — write a migration and run \
             the app, or use a field list: tspawn model post title:string"
        )
    } else {
        format!(
            "no table `{table}` in {database}; its tables: {}",
            tables.join(", ")
        )
    }
}

/// A table as read, before its types are checked: [`Table`] with, per column, whether its SQL
/// type maps to a [`Kind`](super::Kind) (an unmapped column holds a stand-in kind, never used).
#[derive(Debug)]
pub(crate) struct Described {
    pub table: Table,
    pub unmapped: Vec<bool>,
    /// What to list when a column has no mapping.
    pub supported: &'static str,
}

impl Described {
    /// The [`Table`], or [`ReadError::Unmapped`] for its first column without a mapping.
    pub fn into_table(self, driver: Driver) -> Result<Table, ReadError> {
        match self.unmapped.iter().position(|&u| u) {
            None => Ok(self.table),
            Some(i) => {
                let column = &self.table.columns[i];
                Err(ReadError::Unmapped {
                    table: self.table.name.clone(),
                    column: column.name.clone(),
                    driver: match driver {
                        Driver::Mysql => "MySQL/MariaDB",
                        other => other.label(),
                    },
                    sql_type: column.sql_type.clone(),
                    supported: self.supported,
                })
            }
        }
    }
}

/// A column whose type has no mapping: a [`Column`](super::Column) with a stand-in kind, flagged unmapped in
/// [`Described::unmapped`].
pub(crate) fn placeholder_kind() -> super::Kind {
    super::Kind::Bytes
}

/// The URL the app opens in the environment `cargo run` uses (`TSPAWN_ENV`, else `dev`):
/// config/app.toml's `[ENV]` `database_url`, else `[default]`'s, else (SQLite) the driver's
/// default `sqlite:db/ENV.sqlite3`; `TSPAWN_DATABASE_URL` overrides. A relative SQLite path
/// comes back absolute, resolved against the app's root (`sqlite:/path/to/app/db/dev.sqlite3`).
///
/// Errors: [`ReadError::Config`] (as [`Error::Database`]) when the config cannot give one.
pub fn dev_database_url(app: &App) -> Result<String, Error> {
    let vars = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    Ok(url::database_url(app, &url::app_env(), vars)?)
}

/// The app's tables, sorted by name (byte order), without sqlx's `_sqlx_migrations` and
/// SQLite's own `sqlite_%` tables; views are not listed.
///
/// Errors: the [`ReadError`]s of opening the database (missing SQLite file, server not
/// reachable within 5 s, no such database, bad config).
pub fn table_names(app: &App) -> Result<Vec<String>, Error> {
    let mut session = Session::open(app)?;
    Ok(session.user_tables()?)
}

/// The table `table` of the app's database, every [`Column`](super::Column) field filled in. The name is
/// matched exactly, else ignoring ASCII case when exactly one table matches so (the result
/// keeps the database's spelling).
///
/// Errors: those of [`table_names`], plus [`ReadError::NoSuchTable`] (listing the tables),
/// [`ReadError::Ambiguous`], and [`ReadError::Unmapped`] naming `table.column`, its SQL type
/// and the types the driver supports.
pub fn read_table(app: &App, table: &str) -> Result<Table, Error> {
    let mut session = Session::open(app)?;
    let name = session.find(table)?;
    Ok(session.describe(&name)?.into_table(app.driver)?)
}

/// The versions (`YYYYMMDDhhmmss` as i64) recorded as applied in `_sqlx_migrations`, sorted.
/// Empty when the database, or that table, does not exist yet (the app never ran).
///
/// Errors: a server that cannot be reached, a bad config, a failed query.
pub fn applied_migrations(app: &App) -> Result<Vec<i64>, Error> {
    let mut session = match Session::open(app) {
        Err(ReadError::SqliteMissing { .. } | ReadError::NoDatabase { .. }) => return Ok(vec![]),
        other => other?,
    };
    if !session.all_tables()?.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(vec![]);
    }
    session.versions().map_err(Error::from)
}
