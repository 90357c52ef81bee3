//! End to end on real database servers: a chat app made with `--db postgresql` or `--db mysql`,
//! with no database created for it, builds, creates its test database and passes its own tests,
//! then starts as `cargo run` does and creates its dev database, on the server named by
//! TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL. Without the variable the test is built
//! ignored, with the reason in cargo's summary (build.rs sets `skip_postgres` / `skip_mysql`),
//! unless TSPAWN_REQUIRE_SERVICES is set (as .ci/run does): then it runs and fails.

mod common;

use common::app::{apps_target_dir, cargo_with_env, get, RunningApp};
use common::server::{service_url, Server};
use common::tspawn;
use std::path::PathBuf;

/// A new chat app for `db` with no database made for it: its tests create `<crate>_test`
/// and the built binary, started as `cargo run` would (dev), creates `<crate>_dev`. The app's
/// name is unique per run so runs sharing a server never meet; its databases are dropped
/// before (so the test is real) and after.
fn a_chat_app_creates_its_databases(db: &str, server: &Server) {
    // One at a time: the cleanup's `cargo clean -p` removes the files of every package target
    // with the same name in the shared target dir (`chat_endpoint-*`), the other app's too.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let name = format!("{}chat{}", &db[..2], std::process::id());
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", &name, "--db", db])
        .assert()
        .success();
    let app = dir.path().join(&name);
    tspawn(&app)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    let config = std::fs::read_to_string(app.join("config/app.toml")).unwrap();
    let databases = [format!("{name}_dev"), format!("{name}_test")];
    let _cleanup = Cleanup {
        server,
        app: app.clone(),
        name: name.clone(),
        databases: databases.clone(),
    };
    for database in &databases {
        assert!(config.contains(&format!("/{database}\"")), "{config}");
        server.sql(&format!("DROP DATABASE IF EXISTS {database}"));
    }
    // The generated URLs name the databases on localhost; the server's own URL (user, host,
    // port) stands in for them, as TSPAWN_DATABASE_URL would where the app is deployed.
    let (dev, test) = (server.url_of(&databases[0]), server.url_of(&databases[1]));
    cargo_with_env(&app, &["test"], &[("TSPAWN_DATABASE_URL", &test)]);
    let running = RunningApp::start(&app, &name, &[("TSPAWN_DATABASE_URL", &dev)]);
    let page = get(running.port, "/chat.html").unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert_eq!(running.terminate().code(), Some(0));
    for database in &databases {
        assert!(server.has(database), "{database} was not created");
    }
}

/// Drops the app's databases and its build output in target/apps, even when the test fails.
struct Cleanup<'a> {
    server: &'a Server,
    app: PathBuf,
    name: String,
    databases: [String; 2],
}

impl Drop for Cleanup<'_> {
    /// Best effort and never panicking (the test may already be failing).
    fn drop(&mut self) {
        for database in &self.databases {
            let drop = format!("DROP DATABASE IF EXISTS {database}");
            let _ = self.server.client(None, &drop).output();
        }
        let _ = std::process::Command::new(env!("CARGO"))
            .args(["clean", "-q", "-p", &self.name])
            .current_dir(&self.app)
            .env("CARGO_TARGET_DIR", apps_target_dir())
            .status();
    }
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn a_postgresql_chat_app_creates_its_databases_and_passes_its_tests() {
    let url = service_url("TSPAWN_TEST_POSTGRES_URL");
    a_chat_app_creates_its_databases("postgresql", &Server { url });
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn a_mysql_chat_app_creates_its_databases_and_passes_its_tests() {
    let url = service_url("TSPAWN_TEST_MYSQL_URL");
    a_chat_app_creates_its_databases("mysql", &Server { url });
}
