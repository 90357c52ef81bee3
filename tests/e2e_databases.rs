//! End to end on real database servers: a chat app made with `--db postgresql` or `--db mysql`
//! builds, runs its migration and passes its own endpoint test against the server named by
//! TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL. Without the variable a test is skipped
//! with a printed reason, unless TSPAWN_REQUIRE_SERVICES is set (as .ci/run does).

mod common;

use common::app::cargo_with_env;
use common::{new_app, tspawn};
use std::process::Command;

/// The server's URL, or `None` (skip) when it is not configured.
fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("TSPAWN_REQUIRE_SERVICES").is_none(),
                "TSPAWN_REQUIRE_SERVICES is set but {var} is not"
            );
            eprintln!("skipped: set {var} to run this test against a real server");
            None
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
fn a_chat_app_runs_on_postgresql() {
    let Some(url) = service_url("TSPAWN_TEST_POSTGRES_URL") else {
        return;
    };
    reset(Command::new("psql").args([
        &url,
        "-qc",
        "DROP TABLE IF EXISTS chat_messages, _sqlx_migrations",
    ]));
    chat_app_passes_its_tests_on("postgresql", &url);
}

#[test]
fn a_chat_app_runs_on_mysql() {
    let Some(url) = service_url("TSPAWN_TEST_MYSQL_URL") else {
        return;
    };
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
