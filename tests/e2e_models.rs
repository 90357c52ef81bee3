//! End to end: `tspawn model` on each database of an app — SQLite, and the real PostgreSQL and
//! MariaDB named by TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL (ignored without them,
//! unless TSPAWN_REQUIRE_SERVICES is set, as .ci/run does: then they run and fail).
//!
//! In one app per driver: models of the fixture tables in the dev database (every type of the
//! README's table NOT NULL and nullable, a composite key, PascalCase names, TreeFrog's tutorial
//! `blog`, a foreign key) and of a field list (`post title:string:required body:text
//! published:bool`); the app passes clippy -D warnings, fmt --check and its generated tests
//! on its test database; it starts and its migration creates `posts`. Then a column added by a
//! migration (ALTER TABLE ... ADD COLUMN) and `tspawn model blog` again: the field appears, a
//! method the user added to the model file is still there, the app builds and its tests pass.

mod common;

use common::app::{cargo_with_env, RunningApp};
use common::server::{service_url, Server};
use common::tspawn;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the user adds to src/models/blog.rs; regenerating must keep it.
const USER_METHOD: &str = "
impl Blog {
    /// Whether the entry has a body (written by the user, kept by tspawn).
    pub fn has_body(&self) -> bool {
        self.body.is_some()
    }
}
";

/// Where an app's dev and test databases are, and how to run SQL on the dev one.
enum Databases {
    Sqlite,
    Server {
        server: Server,
        dev: String,
        test: String,
    },
}

impl Databases {
    /// Runs the SQL file `path` on the dev database.
    fn load(&self, app: &Path, path: &Path) {
        match self {
            Databases::Sqlite => {
                let sql = std::fs::File::open(path).unwrap();
                let status = Command::new("sqlite3")
                    .arg(app.join("db/dev.sqlite3"))
                    .stdin(sql)
                    .status()
                    .expect("the sqlite3 program runs (apt-get install sqlite3)");
                assert!(status.success(), "sqlite3 < {}", path.display());
            }
            Databases::Server { server, dev, .. } => server.run_file(dev, path),
        }
    }

    /// The dev database's tables.
    fn tables(&self, app: &Path) -> String {
        match self {
            Databases::Sqlite => {
                let output = Command::new("sqlite3")
                    .arg(app.join("db/dev.sqlite3"))
                    .arg(".tables")
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&output.stdout).into_owned()
            }
            Databases::Server { server, dev, .. } if server.is_mysql() => server.query(
                dev,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
            ),
            Databases::Server { server, dev, .. } => server.query(
                dev,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
            ),
        }
    }

    /// TSPAWN_DATABASE_URL for tspawn and the app in `dev`, and for its tests.
    fn dev_env(&self) -> Vec<(&'static str, String)> {
        match self {
            Databases::Sqlite => vec![],
            Databases::Server { server, dev, .. } => {
                vec![("TSPAWN_DATABASE_URL", server.url_of(dev))]
            }
        }
    }

    fn test_env(&self) -> Vec<(&'static str, String)> {
        match self {
            Databases::Sqlite => vec![],
            Databases::Server { server, test, .. } => {
                vec![("TSPAWN_DATABASE_URL", server.url_of(test))]
            }
        }
    }
}

impl Drop for Databases {
    /// Drops the server databases, even when the test fails (best effort, never panicking).
    fn drop(&mut self) {
        if let Databases::Server { server, dev, test } = self {
            for database in [dev, test] {
                let drop = format!("DROP DATABASE IF EXISTS {database}");
                let _ = server.client(None, &drop).output();
            }
        }
    }
}

fn env_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// `tspawn ARGS` in `app` with `env`; fails the test unless it succeeds.
fn tspawn_ok(app: &Path, args: &[&str], env: &[(&'static str, String)]) -> String {
    let output = tspawn(app)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "tspawn {args:?}: {stderr}");
    stderr
}

/// The whole journey on `db` (`sqlite`, `postgresql`, `mysql`); `server` for the last two.
fn models_on(db: &str, fixture: &str, server: Option<Server>) {
    let name = format!("{}models{}", &db[..2], std::process::id());
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", &name, "--db", db])
        .assert()
        .success();
    let app = dir.path().join(&name);
    let databases = match server {
        None => Databases::Sqlite,
        Some(server) => {
            let (dev, test) = (format!("{name}_dev"), format!("{name}_test"));
            for database in [&dev, &test] {
                server.sql(&format!("DROP DATABASE IF EXISTS {database}"));
            }
            server.sql(&format!("CREATE DATABASE {dev}"));
            Databases::Server { server, dev, test }
        }
    };
    let fixture: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/schema", fixture]
        .iter()
        .collect();
    databases.load(&app, &fixture);
    let dev = databases.dev_env();

    for table in [
        "every_type",
        "order_line",
        "BlogEntry",
        "blog",
        "blog_comment",
        "author",
        "language",
        "book",
    ] {
        tspawn_ok(&app, &["-q", "model", table], &dev);
    }
    let fields = [
        "post",
        "title:string:required",
        "body:text",
        "published:bool",
    ];
    tspawn_ok(&app, &[&["-q", "model"][..], &fields].concat(), &dev);
    // Generated twice: no byte changes.
    let before = common::read_tree(&app);
    tspawn_ok(&app, &["-q", "model", "blog"], &dev);
    tspawn_ok(&app, &[&["-q", "model"][..], &fields].concat(), &dev);
    assert!(
        before == common::read_tree(&app),
        "a second run changed files"
    );

    let test = databases.test_env();
    let test = env_refs(&test);
    cargo_with_env(
        &app,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        &test,
    );
    cargo_with_env(&app, &["fmt", "--check"], &[]);
    cargo_with_env(&app, &["test"], &test);
    // Again on the same test database: rows an earlier run made (the parents of `book`'s
    // rows among them) never collide with new ones.
    cargo_with_env(&app, &["test"], &test);

    // Started as `cargo run` starts it: the field list's migration creates `posts` in dev.
    let dev_refs = env_refs(&dev);
    let running = RunningApp::start(&app, &name, &dev_refs);
    assert_eq!(running.terminate().code(), Some(0));
    let tables = databases.tables(&app);
    assert!(tables.contains("posts"), "dev tables: {tables}");

    // A column added by a migration, applied by the next start; then the model again.
    let version = next_version(&app.join("db/migrations"));
    let alter = "ALTER TABLE blog ADD COLUMN rating INTEGER;\n";
    let migration = app.join(format!("db/migrations/{version}_add_rating_to_blog.sql"));
    std::fs::write(migration, alter).unwrap();
    let model = app.join("src/models/blog.rs");
    let mut text = std::fs::read_to_string(&model).unwrap();
    text.push_str(USER_METHOD);
    std::fs::write(&model, &text).unwrap();
    cargo_with_env(&app, &["build"], &dev_refs);
    let running = RunningApp::start(&app, &name, &dev_refs);
    assert_eq!(running.terminate().code(), Some(0));
    tspawn_ok(&app, &["-q", "model", "blog"], &dev);
    let sqlobject = std::fs::read_to_string(app.join("src/models/sqlobjects/blog.rs")).unwrap();
    assert!(sqlobject.contains("pub rating: Option<i"), "{sqlobject}");
    assert_eq!(std::fs::read_to_string(&model).unwrap(), text);
    cargo_with_env(
        &app,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        &test,
    );
    cargo_with_env(&app, &["fmt", "--check"], &[]);
    cargo_with_env(&app, &["test"], &test);
}

/// One more than the highest migration version in `dir`.
fn next_version(dir: &Path) -> i64 {
    let versions = std::fs::read_dir(dir).unwrap().filter_map(|entry| {
        let name = entry.unwrap().file_name().into_string().ok()?;
        name.split('_').next()?.parse::<i64>().ok()
    });
    versions.max().unwrap_or(0) + 1
}

#[test]
fn models_on_sqlite() {
    models_on("sqlite", "sqlite.sql", None);
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn models_on_postgresql() {
    let url = service_url("TSPAWN_TEST_POSTGRES_URL");
    models_on("postgresql", "postgresql.sql", Some(Server { url }));
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn models_on_mariadb() {
    let url = service_url("TSPAWN_TEST_MYSQL_URL");
    models_on("mysql", "mysql.sql", Some(Server { url }));
}
