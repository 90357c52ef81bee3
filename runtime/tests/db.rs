//! Opening the database and applying migrations at start.
//!
//! The first tests are SQLite's. The migration rules (unique versions, line endings) run on
//! the driver the runtime is built with: SQLite by default; PostgreSQL or MySQL with
//! `--no-default-features --features postgres` (or `mysql`) and TSPAWN_TEST_POSTGRES_URL /
//! TSPAWN_TEST_MYSQL_URL set, each test in a database of its own. Without the variable those
//! tests are built ignored, with the reason in cargo's summary (build.rs sets `skip_postgres`
//! / `skip_mysql`), unless TSPAWN_REQUIRE_SERVICES is set: then they run and fail.

mod common;

#[path = "db/server.rs"]
mod server;

use common::{app_root, write, EXAMPLE};
use server::TestDb;
use tspawn_runtime::{connect, Config, Error};

#[cfg(feature = "sqlite")]
fn no_vars() -> Vec<(String, String)> {
    Vec::new()
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn relative_sqlite_path_is_created_under_root() {
    let root = app_root(EXAMPLE);
    let config = Config::load_with(root.path(), "test", no_vars()).unwrap();
    let db = connect(&config).await.unwrap();
    assert!(root.path().join("db/test.sqlite3").is_file());
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    db.close().await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn migrations_in_db_migrations_are_applied_once() {
    let root = app_root(EXAMPLE);
    write(
        root.path(),
        "db/migrations/20260101000000_create_chat_messages.sql",
        "CREATE TABLE chat_messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    );
    let config = Config::load_with(root.path(), "dev", no_vars()).unwrap();
    let db = connect(&config).await.unwrap();
    sqlx::query("INSERT INTO chat_messages (body) VALUES ('hi')")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    // A second start finds the migration applied and keeps the data.
    let db = connect(&config).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM chat_messages")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn in_memory_database_survives_between_queries() {
    let root = app_root(EXAMPLE);
    let vars = vec![(
        "TSPAWN_DATABASE_URL".to_owned(),
        "sqlite::memory:".to_owned(),
    )];
    let config = Config::load_with(root.path(), "test", vars).unwrap();
    let db = connect(&config).await.unwrap();
    sqlx::query("CREATE TABLE t (x INTEGER)")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&db)
        .await
        .unwrap();
    let x: i64 = sqlx::query_scalar("SELECT x FROM t")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(x, 1);
    assert!(!root.path().join("db").exists());
}

/// The `synchronous` level every connection of the pool runs with, as `PRAGMA synchronous`
/// reads it back (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA), on `connections` connections held at
/// once (so not one connection asked again and again).
#[cfg(feature = "sqlite")]
async fn synchronous_levels(vars: &[(&str, &str)], connections: usize) -> Vec<i64> {
    let root = app_root(EXAMPLE);
    let vars = vars.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    let config = Config::load_with(root.path(), "test", vars).unwrap();
    let db = connect(&config).await.unwrap();
    let mut held = Vec::new();
    let mut levels = Vec::new();
    for _ in 0..connections {
        let mut connection = db.acquire().await.unwrap();
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        levels.push(level);
        held.push(connection);
    }
    drop(held);
    db.close().await;
    levels
}

/// The default is NORMAL (durable against the app being killed, in WAL mode), not sqlx's
/// FULL; `synchronous` in the config (or TSPAWN_SYNCHRONOUS) reaches every connection.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_synchronous_setting_reaches_every_connection() {
    assert_eq!(synchronous_levels(&[], 3).await, [1, 1, 1]);
    let full = [("TSPAWN_SYNCHRONOUS", "FULL")];
    assert_eq!(synchronous_levels(&full, 3).await, [2, 2, 2]);
    let extra = [("TSPAWN_SYNCHRONOUS", "3")];
    assert_eq!(synchronous_levels(&extra, 2).await, [3, 3]);
    let off = [("TSPAWN_SYNCHRONOUS", "off")];
    assert_eq!(synchronous_levels(&off, 1).await, [0]);
}

/// `synchronous` is SQLite's: a PostgreSQL or MySQL app refuses it at load, naming the key
/// and why, instead of ignoring it.
#[cfg(not(feature = "sqlite"))]
#[test]
fn the_synchronous_setting_is_refused_without_sqlite() {
    let url = if cfg!(feature = "postgres") {
        "postgres://postgres@127.0.0.1:5432/test"
    } else {
        "mysql://root@127.0.0.1:3306/test"
    };
    let root = app_root(EXAMPLE);
    let vars = [
        ("TSPAWN_DATABASE_URL".to_owned(), url.to_owned()),
        ("TSPAWN_SYNCHRONOUS".to_owned(), "FULL".to_owned()),
    ];
    match Config::load_with(root.path(), "dev", vars) {
        Err(Error::Config { key, message, .. }) => {
            assert_eq!(key, "synchronous (from TSPAWN_SYNCHRONOUS)");
            assert!(
                message.starts_with("only SQLite apps have this setting"),
                "{message}"
            );
        }
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_broken_migration_names_the_folder() {
    let root = app_root(EXAMPLE);
    write(root.path(), "db/migrations/1_bad.sql", "CREATE TABLE (;");
    let config = Config::load_with(root.path(), "test", no_vars()).unwrap();
    let err = connect(&config).await.unwrap_err().to_string();
    assert!(err.starts_with("migrations in "), "{err}");
    assert!(err.contains("db/migrations"), "{err}");
}

const TABLE_V1: &str = "20260101000000_create_chat_messages.sql";
const TABLE_V1_AGAIN: &str = "20260101000000_create_room_messages.sql";

#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn duplicate_versions_are_refused_naming_both_files_before_the_database_is_touched() {
    let db = TestDb::new("duplicates").await;
    let root = app_root(EXAMPLE);
    let create = |table| format!("CREATE TABLE {table} (id BIGINT PRIMARY KEY);\n");
    write(
        root.path(),
        &format!("db/migrations/{TABLE_V1}"),
        &create("chat_messages"),
    );
    write(
        root.path(),
        &format!("db/migrations/{TABLE_V1_AGAIN}"),
        &create("room_messages"),
    );
    let config = db.config(root.path());

    let error = connect(&config).await.unwrap_err();
    assert!(
        matches!(error, Error::DuplicateMigration { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(
        message.contains(TABLE_V1) && message.contains(TABLE_V1_AGAIN),
        "{message}"
    );
    assert!(
        message.contains("rename one with a later version")
            && message.contains("20260101000001_create_room_messages.sql"),
        "{message}"
    );
    assert!(
        !db.has_migration_table(root.path()).await,
        "the database was touched"
    );
    db.drop().await;
}

#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn an_up_and_a_down_migration_may_share_a_version() {
    let db = TestDb::new("updown").await;
    let root = app_root(EXAMPLE);
    write(
        root.path(),
        "db/migrations/1_t.up.sql",
        "CREATE TABLE t (x BIGINT);",
    );
    write(root.path(), "db/migrations/1_t.down.sql", "DROP TABLE t;");
    let pool = connect(&db.config(root.path())).await.unwrap();
    sqlx::query("INSERT INTO t (x) VALUES (1)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    db.drop().await;
}

#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn a_crlf_checkout_starts_where_an_lf_one_migrated() {
    let db = TestDb::new("crlf").await;
    let root = app_root(EXAMPLE);
    let lf = "-- Messages of the chat endpoint.\nCREATE TABLE chat_messages (\n    id BIGINT PRIMARY KEY\n);\n";
    let path = format!("db/migrations/{TABLE_V1}");
    write(root.path(), &path, lf);
    let config = db.config(root.path());
    let pool = connect(&config).await.unwrap();
    sqlx::query("INSERT INTO chat_messages (id) VALUES (7)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    // The same checkout on Windows (git's core.autocrlf): every line ends with CRLF, the
    // config's too.
    write(root.path(), &path, &lf.replace('\n', "\r\n"));
    write(
        root.path(),
        "config/app.toml",
        &EXAMPLE.replace('\n', "\r\n"),
    );
    let crlf_config = db.config(root.path());
    assert_eq!(crlf_config.database_url, config.database_url);
    let pool = connect(&crlf_config).await.expect("a CRLF checkout starts");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "the data is kept");
    pool.close().await;
    db.drop().await;
}

#[cfg(not(feature = "sqlite"))]
#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn dev_and_test_create_a_missing_database_and_product_refuses_with_the_command() {
    let db = TestDb::new("missing").await;
    db.remove().await;
    let root = app_root(EXAMPLE);

    let error = connect(&db.config_for(root.path(), "product"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::DatabaseMissing { .. }), "{error:?}");
    let message = error.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    #[cfg(feature = "postgres")]
    let command = ("`createdb -h ", format!(" {}`", db.name()));
    #[cfg(not(feature = "postgres"))]
    let command = (
        "`mysql -h ",
        format!(" -e 'CREATE DATABASE `{}`'`", db.name()),
    );
    assert!(
        message.contains(command.0) && message.contains(&command.1),
        "{command:?} in: {message}"
    );
    eprintln!("{message}");
    assert!(
        message.contains("TSPAWN_DATABASE_URL") && message.contains("product never creates"),
        "{message}"
    );
    assert!(!db.exists().await, "product created the database");

    for env in ["dev", "test"] {
        let pool = connect(&db.config_for(root.path(), env))
            .await
            .unwrap_or_else(|e| panic!("{env} starts without its database: {e}"));
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(one, 1);
        pool.close().await;
        assert!(db.exists().await);
        db.remove().await;
    }
    db.drop().await;
}

/// An app's tests start their servers in parallel: each finds the test database missing.
#[cfg(not(feature = "sqlite"))]
#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn parallel_starts_create_the_missing_database_once() {
    let db = TestDb::new("parallel").await;
    db.remove().await;
    let root = app_root(EXAMPLE);
    let config = db.config(root.path());
    let starts = (0..4).map(|_| {
        let config = config.clone();
        tokio::spawn(async move { connect(&config).await })
    });
    for start in starts.collect::<Vec<_>>() {
        start.await.unwrap().unwrap().close().await;
    }
    assert!(db.exists().await);
    db.drop().await;
}

/// The `dev` environment of the app in `root` with `url` as its database.
#[cfg(not(feature = "sqlite"))]
fn dev_with_url(root: &std::path::Path, url: &str) -> Config {
    let vars = [("TSPAWN_DATABASE_URL".to_owned(), url.to_owned())];
    Config::load_with(root, "dev", vars).unwrap()
}

/// sqlx-mysql 0.8 puts the name into "CREATE DATABASE `{name}`" unescaped: a URL naming
/// "evil`; DROP DATABASE canary; --" dropped `canary` when dev created its database.
#[cfg(not(feature = "sqlite"))]
#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn a_name_that_is_not_a_plain_identifier_is_never_created() {
    let canary = TestDb::new("canary").await;
    let root = app_root(EXAMPLE);
    let evil = format!("evil%60%3B%20DROP%20DATABASE%20{}%3B%20--", canary.name());
    let error = connect(&dev_with_url(root.path(), &canary.url_for(&evil)))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, Error::DatabaseNotCreated { .. }),
        "{error:?}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(message.contains("create it by hand with `"), "{message}");
    assert!(canary.exists().await, "the canary database was dropped");
    canary.drop().await;
}

#[cfg(not(feature = "sqlite"))]
#[tokio::test]
async fn a_url_without_a_database_name_is_refused() {
    #[cfg(feature = "postgres")]
    let url = "postgres://postgres@127.0.0.1:5432/";
    #[cfg(not(feature = "postgres"))]
    let url = "mysql://root@127.0.0.1:3306/";
    let root = app_root(EXAMPLE);
    let error = connect(&dev_with_url(root.path(), url)).await.unwrap_err();
    assert!(matches!(error, Error::DatabaseUnnamed { .. }), "{error:?}");
    let message = error.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(
        message.starts_with("database_url names no database")
            && message.contains("TSPAWN_DATABASE_URL"),
        "{message}"
    );
}

/// A server that is down used to leave the start silent for 30 s, then say "pool timed
/// out"; now the first connection's error is the message.
#[cfg(not(feature = "sqlite"))]
#[tokio::test]
async fn a_server_that_is_down_is_named_with_the_cause() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    #[cfg(feature = "postgres")]
    let url = format!("postgres://postgres@127.0.0.1:{port}/x");
    #[cfg(not(feature = "postgres"))]
    let url = format!("mysql://root@127.0.0.1:{port}/x");
    let root = app_root(EXAMPLE);
    let error = connect(&dev_with_url(root.path(), &url)).await.unwrap_err();
    assert!(
        matches!(error, Error::DatabaseUnreachable { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(
        message.contains(&format!("127.0.0.1:{port}"))
            && message.to_lowercase().contains("connection refused")
            && message.contains("is the server running?")
            && message.contains("TSPAWN_DATABASE_URL"),
        "{message}"
    );
}

/// `Error::refusal`: the database's refusals of a value, on the driver the runtime is built
/// with; on SQLite, which stores any value in any column, there is no value refusal.
#[tokio::test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
)]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test"
)]
async fn refusals_of_a_value_are_told_from_failures() {
    use tspawn_runtime::error::Refusal;
    let db = TestDb::new("refusal").await;
    let root = app_root(EXAMPLE);
    let pool = connect(&db.config(root.path())).await.unwrap();
    for sql in [
        "CREATE TABLE parents (id INTEGER PRIMARY KEY)",
        "CREATE TABLE kids (id INTEGER PRIMARY KEY, code VARCHAR(4) NOT NULL UNIQUE, \
         n INTEGER CHECK (n > 0), parent_id INTEGER REFERENCES parents (id))",
        "INSERT INTO parents (id) VALUES (1)",
        "INSERT INTO kids (id, code, n, parent_id) VALUES (1, 'a', 1, 1)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    let refusal = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let error = sqlx::query(sql).execute(&pool).await.unwrap_err();
            Error::from(error).refusal()
        }
    };
    let insert = "INSERT INTO kids (id, code, n, parent_id) VALUES";
    let cases = [
        (format!("{insert} (2, 'a', 1, 1)"), Some(Refusal::Taken)),
        (format!("{insert} (1, 'b', 1, 1)"), Some(Refusal::Taken)),
        (
            format!("{insert} (2, 'b', 1, 9)"),
            Some(Refusal::Referenced),
        ),
        (
            format!("{insert} (2, NULL, 1, 1)"),
            Some(Refusal::Constraint),
        ),
        (
            format!("{insert} (2, 'b', 0, 1)"),
            Some(Refusal::Constraint),
        ),
        ("DELETE FROM parents".to_owned(), Some(Refusal::Referenced)),
        ("SELECT * FROM no_such_table".to_owned(), None),
    ];
    for (sql, expected) in cases {
        let sql: &'static str = Box::leak(sql.into_boxed_str());
        assert_eq!(refusal(sql).await, expected, "{sql}");
    }
    // SQLite stores the text whole (VARCHAR's length is not enforced).
    if !cfg!(feature = "sqlite") {
        let too_long = refusal("INSERT INTO kids (id, code) VALUES (3, 'abcdefgh')").await;
        assert_eq!(too_long, Some(Refusal::Value));
        let out_of_range = refusal("INSERT INTO kids (id, code) VALUES (99999999999, 'c')").await;
        assert_eq!(out_of_range, Some(Refusal::Value));
    }
    pool.close().await;
    db.drop().await;
}
