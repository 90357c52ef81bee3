//! Opening the SQLite database and applying migrations at start.
#![cfg(feature = "sqlite")]

mod common;

use common::{app_root, write, EXAMPLE};
use tspawn_runtime::{connect, Config};

fn no_vars() -> Vec<(String, String)> {
    Vec::new()
}

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

#[tokio::test]
async fn a_broken_migration_names_the_folder() {
    let root = app_root(EXAMPLE);
    write(root.path(), "db/migrations/1_bad.sql", "CREATE TABLE (;");
    let config = Config::load_with(root.path(), "test", no_vars()).unwrap();
    let err = connect(&config).await.unwrap_err().to_string();
    assert!(err.starts_with("migrations in "), "{err}");
    assert!(err.contains("db/migrations"), "{err}");
}
