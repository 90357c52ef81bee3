//! Test databases: an SQLite file in a temporary folder, or a fresh PostgreSQL / MariaDB
//! database per test (`tspawn_schema_<pid>_<n>`, dropped on drop), loaded with the fixtures
//! of tests/fixtures/schema, and an app whose config points at it.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use tspawn::app::App;
use tspawn::driver::Driver;

/// Runs `sql` (several statements) on `url`.
pub fn execute(url: &str, sql: &str) {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        macro_rules! run {
            ($conn:ty) => {{
                let mut conn = <$conn>::connect(url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }};
        }
        match url.split(':').next() {
            Some("sqlite") => run!(sqlx::SqliteConnection),
            Some("postgres") => run!(sqlx::PgConnection),
            _ => run!(sqlx::MySqlConnection),
        }
    });
}

/// A database for one test: an SQLite file in a temporary folder, or a fresh database on
/// the server of `TSPAWN_TEST_POSTGRES_URL` / `TSPAWN_TEST_MYSQL_URL`, dropped on drop.
pub struct Database {
    pub driver: Driver,
    pub url: String,
    /// The server's own URL and the database's name, to drop it.
    pub server: Option<(String, String)>,
    pub _dir: tempfile::TempDir,
}

impl Database {
    pub fn new(driver: Driver) -> Database {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().unwrap();
        let (url, server) = match driver {
            Driver::Sqlite => {
                let file = dir.path().join("dev.sqlite3");
                (format!("sqlite:{}?mode=rwc", file.display()), None)
            }
            _ => {
                let var = match driver {
                    Driver::Postgresql => "TSPAWN_TEST_POSTGRES_URL",
                    _ => "TSPAWN_TEST_MYSQL_URL",
                };
                let admin = std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set"));
                let n = COUNT.fetch_add(1, Ordering::SeqCst);
                let name = format!("tspawn_schema_{}_{n}", std::process::id());
                execute(&admin, &format!("DROP DATABASE IF EXISTS {name}"));
                execute(&admin, &format!("CREATE DATABASE {name}"));
                (with_database(&admin, &name), Some((admin, name)))
            }
        };
        let db = Database {
            driver,
            url,
            server,
            _dir: dir,
        };
        if driver == Driver::Sqlite {
            execute(&db.url, "PRAGMA user_version = 0");
        }
        db
    }

    /// A database holding the driver's fixture tables.
    pub fn with_fixture(driver: Driver) -> Database {
        let db = Database::new(driver);
        let file = match driver {
            Driver::Sqlite => "sqlite.sql",
            Driver::Postgresql => "postgresql.sql",
            Driver::Mysql => "mysql.sql",
        };
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema");
        execute(&db.url, &std::fs::read_to_string(path.join(file)).unwrap());
        db
    }

    /// An app (a folder with config/app.toml, as `tspawn new` writes it) whose dev database
    /// is this one.
    pub fn app(&self) -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        let toml = format!("[default]\n\n[dev]\ndatabase_url = {:?}\n", self.url);
        std::fs::write(dir.path().join("config/app.toml"), toml).unwrap();
        let app = App {
            root: dir.path().to_owned(),
            crate_name: "schema_app".to_owned(),
            driver: self.driver,
        };
        (dir, app)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.server {
            execute(admin, &format!("DROP DATABASE IF EXISTS {name}"));
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let base = url.split('?').next().unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}
