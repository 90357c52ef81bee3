//! The runtime's one error type.
//!
//! Every failure the runtime can report at start-up (a bad config key, a folder it cannot
//! create, a database it cannot open, a port already taken) is a variant here, carrying the
//! file, key or address a person needs to fix it. The app binary prints it as one
//! `error: ...` line; handlers in a generated app may also return it, and then it becomes an
//! HTTP response that hides server-side details (see the [`IntoResponse`] impl).

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Shorthand used across the runtime and by generated apps (`use tspawn_runtime::prelude::*`).
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, with enough context to fix it without reading the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A config value is missing or invalid. `key` is dotted (`websocket.history`) and says
    /// where an environment variable supplied it (`port (from TSPAWN_PORT)`).
    #[error("{file}: {key}: {message}")]
    Config {
        /// The config file that was read (`ROOT/config/app.toml`).
        file: PathBuf,
        /// The offending key, or the environment name for a missing environment table.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A file system operation failed on `path`.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder that was being read or created.
        path: PathBuf,
        /// The underlying OS error.
        source: std::io::Error,
    },
    /// No `config/app.toml` in the start folder or any of its parents.
    #[error("no config/app.toml in {start} or any parent folder (pass --root DIR)")]
    RootNotFound {
        /// The folder the search started from (the current directory).
        start: PathBuf,
    },
    /// The database could not be opened or a query failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The PostgreSQL or MySQL database the URL names does not exist, in an environment
    /// that does not create its own (all but `dev` and `test`; see `db::connect`).
    #[error(
        "database {name} does not exist on {server}: create it with `{command}`, or set \
         TSPAWN_DATABASE_URL to one that exists ({env} never creates its database; dev and \
         test do)"
    )]
    DatabaseMissing {
        /// The database's name, from the URL.
        name: String,
        /// The server's `host:port`.
        server: String,
        /// The shell command that creates it (`createdb ...`, `mysql ... -e 'CREATE DATABASE ...'`).
        command: String,
        /// The environment the app runs in.
        env: String,
    },
    /// The database URL has no database name (`postgres://postgres@localhost/`): PostgreSQL
    /// would open the user's own database and MySQL none at all.
    #[error(
        "database_url names no database: put its name after the last / (as in \
         postgres://postgres@localhost/app_dev) in [{env}] of config/app.toml or in \
         TSPAWN_DATABASE_URL"
    )]
    DatabaseUnnamed {
        /// The environment the app runs in.
        env: String,
    },
    /// The database server at `server` could not be reached (refused, unknown host, no
    /// answer within a few seconds).
    #[error(
        "cannot reach the database server at {server}: {reason}; is the server running? \
         (its address is database_url in config/app.toml, or TSPAWN_DATABASE_URL)"
    )]
    DatabaseUnreachable {
        /// The server's `host:port`, from the URL.
        server: String,
        /// What went wrong (the OS error, or the time waited).
        reason: String,
    },
    /// A missing database in `dev` or `test` whose name is not a plain identifier: the
    /// runtime creates only those (sqlx would put any other name into SQL unescaped).
    #[error(
        "database {name:?} does not exist on {server} and is not created automatically (only \
         names of ASCII letters, digits, _ and $, not starting with a digit, at most {max} \
         long are): create it by hand with `{command}`"
    )]
    DatabaseNotCreated {
        /// The database's name, from the URL.
        name: String,
        /// The server's `host:port`.
        server: String,
        /// The shell command that creates it.
        command: String,
        /// The driver's longest name, in bytes.
        max: usize,
    },
    /// The migrations in `path` could not be read or applied.
    #[error("migrations in {path}: {source}")]
    Migrate {
        /// The migrations folder (`ROOT/db/migrations`).
        path: PathBuf,
        /// What sqlx reported.
        source: sqlx::migrate::MigrateError,
    },
    /// Two migration files have one version (two up migrations, or two `.down.sql`), e.g.
    /// made by two generators in the same second or copied by hand. sqlx would apply one and
    /// then fail on every start; the runtime refuses before touching the database.
    #[error(
        "migrations {first} and {second} in {dir} share version {version}: \
         rename one with a later version, e.g. {second} to {suggestion}"
    )]
    DuplicateMigration {
        /// The migrations folder (`ROOT/db/migrations`).
        dir: PathBuf,
        /// The version both files start with.
        version: i64,
        /// The first file's name (in name order).
        first: String,
        /// The second file's name.
        second: String,
        /// `second` renamed with the next version no file uses.
        suggestion: String,
    },
    /// The server could not listen on `addr` (typically: the port is already taken). When
    /// the port is in use or needs privileges, the message says how to pick another.
    #[error("cannot listen on {addr}: {source}{}", bind_advice(addr, source))]
    Bind {
        /// The address from `listen` and `port`.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The async runtime or the server loop failed.
    #[error("server: {0}")]
    Server(std::io::Error),
    /// The group a row was written in failed (see [`GroupCommit`](crate::GroupCommit)); every
    /// row of the group gets the same error.
    #[error("group commit: {0}")]
    GroupCommit(std::sync::Arc<Error>),
    /// The server is shutting down and no longer takes this work.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// A view could not be rendered (feature `views`; see
    /// [`view::render`](crate::view::render)): a bare `500`, logged.
    #[cfg(feature = "views")]
    #[error("view: {0}")]
    View(askama::Error),
    /// No row of `table` has the key a request named: `404 Not Found` (see
    /// [`Error::not_found`]).
    #[error("{table}: no row with {key}")]
    NotFound {
        /// The table (`blog`).
        table: String,
        /// The key as `column = value` (`id = 3`).
        key: String,
    },
    /// An update carried a `lock_revision` the row no longer has: someone changed it since it
    /// was read. TreeFrog's optimistic locking: the update is refused, never a silent
    /// overwrite of the other change. `409 Conflict` (see [`Error::stale_revision`]).
    #[error(
        "{table} {key} was changed since revision {revision} was read (stale lock_revision): \
         reload it and try again"
    )]
    StaleRevision {
        /// The table (`blog`).
        table: String,
        /// The row's key as `column = value` (`id = 3`).
        key: String,
        /// The `lock_revision` the update carried (the one that was read).
        revision: i64,
    },
}

impl Error {
    /// Builds an [`Error::Config`]; a helper because the config code reports many of them.
    pub fn config(
        file: impl Into<PathBuf>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Config {
            file: file.into(),
            key: key.into(),
            message: message.into(),
        }
    }
}

impl Error {
    /// Builds an [`Error::NotFound`]: `Error::not_found("blog", format!("id = {id}"))`.
    pub fn not_found(table: impl Into<String>, key: impl Into<String>) -> Self {
        Error::NotFound {
            table: table.into(),
            key: key.into(),
        }
    }

    /// Builds an [`Error::StaleRevision`] for an update of `table`'s row `key` (`id = 3`) that
    /// carried `revision`.
    pub fn stale_revision(table: impl Into<String>, key: impl Into<String>, revision: i64) -> Self {
        Error::StaleRevision {
            table: table.into(),
            key: key.into(),
            revision,
        }
    }
}

/// Why the database refused a write for a value the caller sent (a form's, a JSON body's), so
/// the caller can change it and try again: answered as a message (a form's `422`), never as a
/// server failure. See [`Error::refusal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A value a UNIQUE constraint or the primary key already has in another row.
    Taken,
    /// A foreign key naming a row that does not exist, or a removal of a row that other rows
    /// still refer to.
    Referenced,
    /// NULL in a NOT NULL column, or a CHECK constraint not met.
    Constraint,
    /// A value the column cannot hold (SQLSTATE class 22, "data exception": text too long, a
    /// number out of range, a date the type cannot store), as PostgreSQL and MySQL/MariaDB in
    /// strict mode report it.
    Value,
}

impl Error {
    /// The [`Refusal`] this error is, when it is a database's refusal of a value (sqlx's
    /// [`ErrorKind`](sqlx::error::ErrorKind), then the SQLSTATE class); `None` for anything
    /// else (a lost connection, a syntax error, a missing row), which is the server's fault.
    pub fn refusal(&self) -> Option<Refusal> {
        use sqlx::error::ErrorKind;
        let Error::Database(sqlx::Error::Database(error)) = self else {
            return None;
        };
        match error.kind() {
            ErrorKind::UniqueViolation => Some(Refusal::Taken),
            ErrorKind::ForeignKeyViolation => Some(Refusal::Referenced),
            ErrorKind::NotNullViolation | ErrorKind::CheckViolation => Some(Refusal::Constraint),
            _ => error
                .code()
                .filter(|code| code.len() == 5 && code.starts_with("22"))
                .map(|_| Refusal::Value),
        }
    }
}

/// What to do about a failed bind, after the OS error: for a port in use, or one below
/// 1024 without privileges, how to pick another (`-p PORT`, as in `cargo run -- -p 8801`,
/// or `TSPAWN_PORT`); nothing for other errors.
fn bind_advice(addr: &SocketAddr, source: &std::io::Error) -> String {
    let port = addr.port();
    let why = match source.kind() {
        std::io::ErrorKind::AddrInUse => format!("another program has port {port}"),
        std::io::ErrorKind::PermissionDenied => format!("port {port} needs privileges"),
        _ => return String::new(),
    };
    let other = match port {
        1024..=65534 => port + 1,
        _ => 8801,
    };
    format!("; {why}: pick another with -p PORT (cargo run -- -p {other}) or TSPAWN_PORT={other}")
}

/// Lets handlers use `?` on database calls. What the client asked for wrong is answered with
/// its status and the error's one line (`text/plain`): [`Error::NotFound`] with `404 Not Found`,
/// [`Error::StaleRevision`] with `409 Conflict`; sqlx's own missing row with a bare `404`.
/// Anything else is logged once here and answered with a bare `500`, so internals (SQL, paths,
/// addresses) never reach clients.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::NotFound { .. } => (StatusCode::NOT_FOUND, format!("{self}\n")).into_response(),
            Error::StaleRevision { .. } => {
                (StatusCode::CONFLICT, format!("{self}\n")).into_response()
            }
            Error::Database(sqlx::Error::RowNotFound) => StatusCode::NOT_FOUND.into_response(),
            other => {
                tracing::error!(error = %other, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    /// The response's status and body.
    async fn answer(error: Error) -> (StatusCode, String) {
        let response = error.into_response();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_missing_row_is_404_naming_table_and_key() {
        let (status, body) = answer(Error::not_found("blog", "id = 3")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, "blog: no row with id = 3\n");
    }

    #[tokio::test]
    async fn a_stale_revision_is_409_saying_what_to_do() {
        let (status, body) = answer(Error::stale_revision("blog", "id = 3", 2)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            body,
            "blog id = 3 was changed since revision 2 was read (stale lock_revision): reload it \
             and try again\n"
        );
    }

    #[tokio::test]
    async fn sqlx_row_not_found_is_a_bare_404_and_other_errors_a_bare_500() {
        let (status, body) = answer(Error::Database(sqlx::Error::RowNotFound)).await;
        assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, ""));
        let secret = Error::Database(sqlx::Error::Protocol("password=hunter2".into()));
        let (status, body) = answer(secret).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "")
        );
    }
}
