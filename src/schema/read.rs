//! Reading live tables from the app's own database (the one `cargo run` opens, see
//! [`super::url`]): the table names, one table's columns as a [`Table`], and the migration
//! versions already applied. The public calls are synchronous; each opens one connection on a
//! small current-thread runtime and closes it before returning. The per-driver catalog
//! queries and SQL → [`Kind`](super::Kind) tables live in `sqlite`, `postgres` and `mysql`.

use super::{mysql, postgres, sqlite, url, Table};
use crate::app::App;
use crate::driver::Driver;
use crate::error::Error;
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

/// The migrations table sqlx keeps; never a table of the app's own.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// How long a server may take to accept a connection before tspawn says it cannot reach it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

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

/// The connection to the app's database, on its own small runtime.
pub(crate) struct Session {
    runtime: tokio::runtime::Runtime,
    /// `None` only once dropped.
    conn: Option<Conn>,
    /// The database for people: `db/dev.sqlite3` (relative to the app) or a URL without its
    /// password.
    pub database: String,
}

enum Conn {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
    Mysql(sqlx::MySqlConnection),
}

impl Session {
    /// Connects to the app's database: SQLite read-only, never creating the file; a server
    /// within [`CONNECT_TIMEOUT`].
    pub fn open(app: &App) -> Result<Session, ReadError> {
        let vars = std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        });
        let url = url::database_url(app, &url::app_env(), vars)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ReadError::Failed {
                database: url::redact(&url),
                cause: format!("cannot start an async runtime: {e}"),
            })?;
        let (conn, database) = runtime.block_on(connect(app, &url))?;
        Ok(Session {
            runtime,
            conn: Some(conn),
            database,
        })
    }

    fn failed(&self, e: sqlx::Error) -> ReadError {
        ReadError::Failed {
            database: self.database.clone(),
            cause: one_line(&e),
        }
    }

    /// Every table, `_sqlx_migrations` included, sorted.
    pub fn all_tables(&mut self) -> Result<Vec<String>, ReadError> {
        let Session { runtime, conn, .. } = self;
        let found = runtime.block_on(async {
            match conn.as_mut().expect("open") {
                Conn::Sqlite(c) => sqlite::tables(c).await,
                Conn::Postgres(c) => postgres::tables(c).await,
                Conn::Mysql(c) => mysql::tables(c).await,
            }
        });
        let mut names = found.map_err(|e| self.failed(e))?;
        names.sort();
        Ok(names)
    }

    /// The app's tables: [`Session::all_tables`] without `_sqlx_migrations`.
    pub fn user_tables(&mut self) -> Result<Vec<String>, ReadError> {
        let mut names = self.all_tables()?;
        names.retain(|name| name != MIGRATIONS_TABLE);
        Ok(names)
    }

    /// The database's spelling of `table`: exact, else the one case-insensitive match.
    pub fn find(&mut self, table: &str) -> Result<String, ReadError> {
        let tables = self.user_tables()?;
        if tables.iter().any(|t| t == table) {
            return Ok(table.to_owned());
        }
        let matches: Vec<String> = tables
            .iter()
            .filter(|t| t.eq_ignore_ascii_case(table))
            .cloned()
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(ReadError::NoSuchTable {
                table: table.to_owned(),
                database: self.database.clone(),
                tables,
            }),
            _ => Err(ReadError::Ambiguous {
                table: table.to_owned(),
                database: self.database.clone(),
                matches,
            }),
        }
    }

    /// The columns of `table`, which must exist with this exact spelling.
    pub fn describe(&mut self, table: &str) -> Result<Described, ReadError> {
        let Session { runtime, conn, .. } = self;
        let described = runtime.block_on(async {
            match conn.as_mut().expect("open") {
                Conn::Sqlite(c) => sqlite::describe(c, table).await,
                Conn::Postgres(c) => postgres::describe(c, table).await,
                Conn::Mysql(c) => mysql::describe(c, table).await,
            }
        });
        described.map_err(|e| self.failed(e))
    }

    /// The versions of the successful migrations in `_sqlx_migrations`, sorted.
    fn versions(&mut self) -> Result<Vec<i64>, ReadError> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        let Session { runtime, conn, .. } = self;
        let found: Result<Vec<(i64,)>, sqlx::Error> = runtime.block_on(async {
            match conn.as_mut().expect("open") {
                Conn::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
                Conn::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
                Conn::Mysql(c) => sqlx::query_as(sql).fetch_all(c).await,
            }
        });
        let rows = found.map_err(|e| self.failed(e))?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }
}

impl Drop for Session {
    /// Says goodbye to the server (a dropped socket would make it log an unexpected EOF).
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = self.runtime.block_on(async {
                match conn {
                    Conn::Sqlite(c) => c.close().await,
                    Conn::Postgres(c) => c.close().await,
                    Conn::Mysql(c) => c.close().await,
                }
            });
        }
    }
}

/// Opens `url` for `app`'s driver: the connection and the database's name for people.
async fn connect(app: &App, url: &str) -> Result<(Conn, String), ReadError> {
    let shown = url::redact(url);
    let failed = |e: sqlx::Error| ReadError::Failed {
        database: shown.clone(),
        cause: one_line(&e),
    };
    match app.driver {
        Driver::Sqlite => {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .map_err(failed)?
                .read_only(true)
                .create_if_missing(false);
            let file = options.get_filename().to_owned();
            let shown = file
                .strip_prefix(&app.root)
                .unwrap_or(&file)
                .display()
                .to_string();
            if !file.exists() {
                return Err(ReadError::SqliteMissing { path: shown });
            }
            let conn = options.connect().await.map_err(|e| ReadError::Failed {
                database: shown.clone(),
                cause: one_line(&e),
            })?;
            Ok((Conn::Sqlite(conn), shown))
        }
        Driver::Postgresql => {
            let options = sqlx::postgres::PgConnectOptions::from_str(url).map_err(failed)?;
            let conn = within_timeout(app.driver, url, options.connect()).await?;
            Ok((Conn::Postgres(conn), shown))
        }
        Driver::Mysql => {
            let options = sqlx::mysql::MySqlConnectOptions::from_str(url).map_err(failed)?;
            let conn = within_timeout(app.driver, url, options.connect()).await?;
            Ok((Conn::Mysql(conn), shown))
        }
    }
}

/// Awaits a server connection for at most [`CONNECT_TIMEOUT`], sorting its failures into
/// unreachable, no such database, or anything else.
async fn within_timeout<C>(
    driver: Driver,
    url: &str,
    connect: impl std::future::Future<Output = Result<C, sqlx::Error>>,
) -> Result<C, ReadError> {
    let server = match driver {
        Driver::Mysql => "MySQL/MariaDB",
        other => other.label(),
    };
    let at = url::host_port(driver, url);
    let unreachable = |cause: String| ReadError::Unreachable {
        server,
        at: at.clone(),
        cause,
    };
    let error = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok(conn)) => return Ok(conn),
        Err(_) => {
            return Err(unreachable(format!(
                "no answer in {} s",
                CONNECT_TIMEOUT.as_secs()
            )))
        }
        Ok(Err(error)) => error,
    };
    match &error {
        sqlx::Error::Io(e) => Err(unreachable(e.to_string())),
        sqlx::Error::Database(db) if missing_database(db.as_ref()) => Err(ReadError::NoDatabase {
            database: database_name(url),
            at,
        }),
        _ => Err(ReadError::Failed {
            database: url::redact(url),
            cause: one_line(&error),
        }),
    }
}

/// PostgreSQL's `3D000 invalid_catalog_name`, MySQL's `1049 ER_BAD_DB_ERROR`.
fn missing_database(error: &dyn sqlx::error::DatabaseError) -> bool {
    if let Some(mysql) = error.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return mysql.number() == 1049;
    }
    error.code().as_deref() == Some("3D000")
}

/// The database name of a server URL: its path without the leading `/` and the query.
fn database_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at + 1..]);
    path.split('?').next().unwrap_or("").to_owned()
}

/// An sqlx error on one line.
fn one_line(error: &sqlx::Error) -> String {
    error.to_string().replace('\n', " ")
}
