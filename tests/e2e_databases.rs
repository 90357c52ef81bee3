//! End to end on real database servers: a chat app made with `--db postgresql` or `--db mysql`
//! builds, runs its migration and passes its own endpoint test against the server named by
//! TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL. Without the variable the test is built
//! ignored, with the reason in cargo's summary (build.rs sets `skip_postgres` / `skip_mysql`),
//! unless TSPAWN_REQUIRE_SERVICES is set (as .ci/run does): then it runs and fails.

mod common;

use common::app::cargo_with_env;
use common::{new_app, tspawn};
use std::process::Command;

/// The server's URL from `var`. The test was built to run (the URL was set, or
/// TSPAWN_REQUIRE_SERVICES was), so a missing URL fails it, naming the variable.
fn service_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            panic!("{var} is not set: set it to a server's test database, or run scripts/test-all")
        }
    }
}

/// Builds a chat app for `db` and runs its tests against `url` (the test environment).
fn chat_app_passes_its_tests_on(db: &str, url: &str) {
    let (_dir, app) = new_app(db);
    tspawn(&app)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    cargo_with_env(&app, &["test"], &[("TSPAWN_DATABASE_URL", url)]);
}

/// Runs SQL with the server's command-line client, so each run starts without the tables.
fn reset(client: &mut Command) {
    let status = client.status().expect("the database client runs");
    assert!(status.success(), "could not reset the test database");
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn a_chat_app_runs_on_postgresql() {
    let url = service_url("TSPAWN_TEST_POSTGRES_URL");
    reset(Command::new("psql").args([
        &url,
        "-qc",
        "DROP TABLE IF EXISTS chat_messages, _sqlx_migrations",
    ]));
    chat_app_passes_its_tests_on("postgresql", &url);
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn a_chat_app_runs_on_mysql() {
    let url = service_url("TSPAWN_TEST_MYSQL_URL");
    // mysql://USER@HOST:PORT/DATABASE, as .ci/run sets it.
    let rest = url.strip_prefix("mysql://").expect("a mysql:// URL");
    let (user, rest) = rest.split_once('@').expect("a user in the URL");
    let (host_port, database) = rest.split_once('/').expect("a database in the URL");
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    reset(Command::new("mariadb").args([
        "-h",
        host,
        "-P",
        port,
        "-u",
        user,
        database,
        "-e",
        "DROP TABLE IF EXISTS chat_messages, _sqlx_migrations",
    ]));
    chat_app_passes_its_tests_on("mysql", &url);
}
