//! A fresh database per test, for the driver the runtime is built with.
//!
//! SQLite: the `test` environment's file under the app root. PostgreSQL / MySQL: a database
//! of its own (`CREATE DATABASE tspawn_rt_LABEL_PID`) on the server named by
//! TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL, so tests never see each other's
//! `_sqlx_migrations`.

use std::path::Path;

use tspawn_runtime::Config;

/// The environment variable naming the server, for the built driver.
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
const SERVER_VAR: &str = "TSPAWN_TEST_POSTGRES_URL";
#[cfg(all(feature = "mysql", not(any(feature = "sqlite", feature = "postgres"))))]
const SERVER_VAR: &str = "TSPAWN_TEST_MYSQL_URL";

/// One test's database.
pub struct TestDb {
    /// The server's URL (`None` for SQLite).
    #[cfg_attr(feature = "sqlite", allow(dead_code))]
    server: Option<String>,
    /// The database's own URL (`None` for SQLite: the test environment's file).
    url: Option<String>,
    #[cfg_attr(feature = "sqlite", allow(dead_code))]
    name: String,
}

impl TestDb {
    /// A fresh database.
    #[cfg(feature = "sqlite")]
    pub async fn new(label: &str) -> TestDb {
        TestDb {
            server: None,
            url: None,
            name: label.to_owned(),
        }
    }

    /// A fresh database on the server named by SERVER_VAR. A test that calls this is
    /// `#[cfg_attr(skip_postgres, ignore = ...)]` (and `skip_mysql`): build.rs sets those
    /// when the URL is missing and TSPAWN_REQUIRE_SERVICES is not set, so here a missing URL
    /// fails the test, naming the variable.
    #[cfg(not(feature = "sqlite"))]
    pub async fn new(label: &str) -> TestDb {
        let server = match std::env::var(SERVER_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ => panic!("{SERVER_VAR} is not set: set it to a server's test database"),
        };
        let name = format!("tspawn_rt_{label}_{}", std::process::id());
        let admin = tspawn_runtime::Db::connect(&server).await.unwrap();
        for sql in [drop_database(&name), format!("CREATE DATABASE {name}")] {
            sqlx::query(&sql).execute(&admin).await.unwrap();
        }
        admin.close().await;
        let url = with_database(&server, &name);
        TestDb {
            server: Some(server),
            url: Some(url),
            name,
        }
    }

    /// The `test` environment of the app in `root`, pointed at this database.
    pub fn config(&self, root: &Path) -> Config {
        self.config_for(root, "test")
    }

    /// The environment `env` of the app in `root`, pointed at this database.
    pub fn config_for(&self, root: &Path, env: &str) -> Config {
        let vars = self
            .url
            .iter()
            .map(|url| ("TSPAWN_DATABASE_URL".to_owned(), url.clone()));
        Config::load_with(root, env, vars.collect::<Vec<_>>()).unwrap()
    }

    /// The database's name on the server (`tspawn_rt_LABEL_PID`).
    #[cfg(not(feature = "sqlite"))]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL on this database's server naming `name` instead (as it appears in a URL,
    /// percent-encoded).
    #[cfg(not(feature = "sqlite"))]
    pub fn url_for(&self, name: &str) -> String {
        with_database(self.server.as_deref().expect("a server"), name)
    }

    /// Whether the server has this database.
    #[cfg(not(feature = "sqlite"))]
    pub async fn exists(&self) -> bool {
        use sqlx::migrate::MigrateDatabase;
        let url = self.url.as_deref().expect("a server database");
        #[cfg(feature = "postgres")]
        let exists = sqlx::Postgres::database_exists(url).await;
        #[cfg(not(feature = "postgres"))]
        let exists = sqlx::MySql::database_exists(url).await;
        exists.unwrap()
    }

    /// Drops the database but keeps this handle, so a test can start without it.
    #[cfg(not(feature = "sqlite"))]
    pub async fn remove(&self) {
        let admin = tspawn_runtime::Db::connect(self.server.as_deref().unwrap())
            .await
            .unwrap();
        let sql = drop_database(&self.name);
        sqlx::query(&sql).execute(&admin).await.unwrap();
        admin.close().await;
    }

    /// Whether `connect` left a trace: for SQLite the file exists at all; for a server the
    /// database has a `_sqlx_migrations` table.
    #[cfg(feature = "sqlite")]
    pub async fn has_migration_table(&self, root: &Path) -> bool {
        root.join("db/test.sqlite3").exists()
    }

    /// Whether `connect` left a trace: for SQLite the file exists at all; for a server the
    /// database has a `_sqlx_migrations` table.
    #[cfg(not(feature = "sqlite"))]
    pub async fn has_migration_table(&self, _root: &Path) -> bool {
        #[cfg(feature = "postgres")]
        const SCHEMA: &str = "current_schema()";
        #[cfg(not(feature = "postgres"))]
        const SCHEMA: &str = "DATABASE()";
        let url = self.url.as_deref().expect("a server database");
        let pool = tspawn_runtime::Db::connect(url).await.unwrap();
        let sql = format!(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_name = '_sqlx_migrations' AND table_schema = {SCHEMA}"
        );
        let count: i64 = sqlx::query_scalar(&sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        count > 0
    }

    /// Drops the server database (pools on it must be closed first).
    pub async fn drop(self) {
        #[cfg(not(feature = "sqlite"))]
        if let Some(server) = &self.server {
            let admin = tspawn_runtime::Db::connect(server).await.unwrap();
            let sql = drop_database(&self.name);
            sqlx::query(&sql).execute(&admin).await.unwrap();
            admin.close().await;
        }
    }
}

/// The statement that drops database `name` if it exists. On PostgreSQL it ends the sessions
/// still on it (`WITH (FORCE)`, PostgreSQL 13+): sqlx's `Pool::close` can return before a
/// connection released at the same moment has gone (sqlx issue 3217), and DROP DATABASE then
/// fails with 55006 "is being accessed by other users" after waiting 5 s. MySQL waits for the
/// sessions' metadata locks instead.
#[cfg(not(feature = "sqlite"))]
fn drop_database(name: &str) -> String {
    if cfg!(feature = "postgres") {
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    } else {
        format!("DROP DATABASE IF EXISTS {name}")
    }
}

/// `url` with its database (the last path segment) replaced by `name`.
#[cfg(not(feature = "sqlite"))]
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').expect("a database in the URL");
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
