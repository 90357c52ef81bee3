//! One connection to the app's database, on its own current-thread runtime, with the
//! catalog calls [`super::read`] and [`super::show`] make through it. Opening sorts failures
//! into the one-line [`ReadError`]s: a missing SQLite file (never created: read-only), an
//! unreachable server (5 s), a database not created yet.

use super::read::{Described, ReadError, MIGRATIONS_TABLE};
use super::{mysql, postgres, sqlite, url};
use crate::app::App;
use crate::driver::Driver;
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

/// How long a server may take to accept a connection before tspawn says it cannot reach it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

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
    pub fn versions(&mut self) -> Result<Vec<i64>, ReadError> {
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
