//! The database pool and start-up migrations.
//!
//! An app is built for exactly one driver, chosen by the runtime's cargo feature (`sqlite`,
//! the default, `postgres` or `mysql`); [`Db`] names that driver's pool so generated code
//! never spells the driver out ([`Database`] and [`Row`] name its sqlx types, for
//! `impl<'r> FromRow<'r, Row> for Blog`). If several features are on (`--all-features`), SQLite wins,
//! then PostgreSQL.
//!
//! [`connect`] applies the SQL files in `ROOT/db/migrations` before the server accepts
//! anything, so a handler never sees an old schema. A migration that was applied and whose
//! file is gone since (`tspawn delete` removed what it generated) is not an error; a file's
//! line endings do not matter (a CRLF checkout starts like an LF one); two files with one
//! version stop the start before the database is touched.
//!
//! A PostgreSQL or MySQL database the URL names but the server lacks is created in `dev`
//! and `test` and refused with the command to run elsewhere (see [`connect`]).
//!
//! [`Page`] is one page of a list (`?page=2&per_page=50`), for `LIMIT` / `OFFSET`.

mod migrations;
mod missing;
mod page;
#[cfg(not(feature = "sqlite"))]
mod server;

use crate::config::Config;
use crate::error::{Error, Result};

pub use page::Page;

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("tspawn-runtime needs one database feature: `sqlite`, `postgres` or `mysql`");

/// The app's connection pool (cheap to clone: clones share the pool).
#[cfg(feature = "sqlite")]
pub type Db = sqlx::SqlitePool;
/// The app's connection pool (cheap to clone: clones share the pool).
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
pub type Db = sqlx::PgPool;
/// The app's connection pool (cheap to clone: clones share the pool).
#[cfg(all(feature = "mysql", not(any(feature = "sqlite", feature = "postgres"))))]
pub type Db = sqlx::MySqlPool;

/// The driver's sqlx database type (`sqlx::Sqlite`), for bounds such as
/// `Executor<'c, Database = Database>`.
#[cfg(feature = "sqlite")]
pub type Database = sqlx::Sqlite;
/// The driver's sqlx database type (`sqlx::Postgres`), for bounds such as
/// `Executor<'c, Database = Database>`.
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
pub type Database = sqlx::Postgres;
/// The driver's sqlx database type (`sqlx::MySql`), for bounds such as
/// `Executor<'c, Database = Database>`.
#[cfg(all(feature = "mysql", not(any(feature = "sqlite", feature = "postgres"))))]
pub type Database = sqlx::MySql;

/// One result row of the driver (`sqlx::sqlite::SqliteRow`, `PgRow` or `MySqlRow`), so a
/// model reads its rows without naming the driver:
///
/// ```
/// use tspawn_runtime::db::Row;
/// use tspawn_runtime::sqlx::{self, FromRow, Row as _};
///
/// struct Blog {
///     id: i64,
///     title: String,
/// }
///
/// impl<'r> FromRow<'r, Row> for Blog {
///     fn from_row(row: &'r Row) -> sqlx::Result<Self> {
///         Ok(Blog {
///             id: row.try_get("id")?,
///             title: row.try_get("title")?,
///         })
///     }
/// }
/// ```
pub type Row = <Database as sqlx::Database>::Row;

/// The driver [`Db`] uses, as named by its cargo feature.
#[cfg(feature = "sqlite")]
pub(crate) const DRIVER: &str = "sqlite";
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
pub(crate) const DRIVER: &str = "postgres";
#[cfg(all(feature = "mysql", not(any(feature = "sqlite", feature = "postgres"))))]
pub(crate) const DRIVER: &str = "mysql";

/// Serialises opening and migrating within one process: tests that each call [`connect`] on
/// the same SQLite file would otherwise race to apply the same migration twice, and two
/// connections turning a new file to WAL at once deadlock, which SQLite answers at once with
/// "database is locked" (SQLITE_BUSY, without waiting for the busy timeout).
static MIGRATE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Opens the pool for `config.database_url` and applies pending migrations from
/// `ROOT/db/migrations` (a missing folder means none).
///
/// The migration files are read and checked first, so a bad folder ([`Error::Migrate`] for a
/// bad file name, [`Error::DuplicateMigration`], [`Error::Io`]) fails before the database is
/// opened: not even an SQLite file is created.
///
/// For SQLite the `db/` folder and the file are created when missing, the journal runs in
/// WAL mode (readers do not block the writer) and a busy timeout makes writers wait for each
/// other instead of failing. Every connection runs with `PRAGMA synchronous` set to
/// `config.synchronous` (`NORMAL` unless the config says otherwise: a commit survives the
/// app being killed at any moment, `FULL` makes it survive power loss too; see
/// [`Synchronous`](crate::config::Synchronous)). `sqlite::memory:` gets a single long-lived
/// connection, since the database lives only as long as its connection.
///
/// For PostgreSQL and MySQL, a database the server does not have is created in `dev` and
/// `test` (one `info` line says so; a database another process creates meanwhile is fine);
/// in any other environment the start fails with [`Error::DatabaseMissing`], which names
/// the `createdb` / `mysql -e 'CREATE DATABASE ...'` command to run. Only a database whose
/// name is a plain identifier is created ([`Error::DatabaseNotCreated`] otherwise). A URL
/// without a database name is [`Error::DatabaseUnnamed`]; a server that cannot be reached
/// within a few seconds is [`Error::DatabaseUnreachable`]. Other failures to open are
/// [`Error::Database`].
pub async fn connect(config: &Config) -> Result<Db> {
    let dir = migrations::dir(&config.root);
    let migrator = if dir.is_dir() {
        Some(migrations::migrator(&dir).await?)
    } else {
        None
    };
    let _guard = MIGRATE_LOCK.lock().await;
    let pool = open(config).await?;
    if let Some(migrator) = migrator {
        migrator
            .run(&pool)
            .await
            .map_err(|source| Error::Migrate { path: dir, source })?;
    }
    tracing::debug!(driver = DRIVER, "database ready");
    Ok(pool)
}

#[cfg(feature = "sqlite")]
async fn open(config: &Config) -> Result<Db> {
    use crate::config::Synchronous;
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    use std::time::Duration;

    let synchronous = match config.synchronous {
        Synchronous::Off => SqliteSynchronous::Off,
        Synchronous::Normal => SqliteSynchronous::Normal,
        Synchronous::Full => SqliteSynchronous::Full,
        Synchronous::Extra => SqliteSynchronous::Extra,
    };
    let options: SqliteConnectOptions = config.database_url.parse()?;
    let options = options
        .create_if_missing(true)
        .busy_timeout(Duration::from_secs(5))
        .synchronous(synchronous);
    if is_memory(&config.database_url) {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
        return Ok(pool.connect_with(options).await?);
    }
    if let Some(parent) = options.get_filename().parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_owned(),
            source,
        })?;
    }
    let options = options.journal_mode(SqliteJournalMode::Wal);
    Ok(SqlitePoolOptions::new().connect_with(options).await?)
}

/// Whether an SQLite URL names an in-memory database (`sqlite::memory:`, `mode=memory`).
#[cfg(feature = "sqlite")]
fn is_memory(url: &str) -> bool {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory")
}

#[cfg(not(feature = "sqlite"))]
use server::open;
