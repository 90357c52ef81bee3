//! `tspawn --show-tables [--columns]` through apps made by `tspawn new`, and the plain
//! refusals of the `--show-*` options.

use super::common;
use super::database::{execute, Database};
use std::path::Path;
use tspawn::driver::Driver;

/// From a folder inside a new SQLite app, the listing reads db/dev.sqlite3 of the app's
/// root (not of the working folder), in TreeFrog's shape, with columns on request.
#[test]
fn show_tables_lists_the_dev_database_of_a_new_app() {
    let (_dir, root) = common::new_app_named("showapp", "sqlite");
    let inside = root.join("src");
    let listing = common::tspawn(&inside)
        .arg("--show-tables")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&listing.stderr);
    assert_eq!(listing.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "error: db/dev.sqlite3 does not exist yet: run the app once (cargo run) so it creates \
         and migrates it\n"
    );

    let db = format!("sqlite:{}?mode=rwc", root.join("db/dev.sqlite3").display());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema/sqlite.sql");
    execute(&db, &std::fs::read_to_string(fixture).unwrap());
    common::tspawn(&inside)
        .arg("--show-tables")
        .assert()
        .success()
        .stdout(
            "Available tables:\n  BlogEntry\n  author\n  blog\n  blog_comment\n  book\n  every_type\n  language\n  order_line\n",
        );
    let output = common::tspawn(&inside)
        .args(["--show-tables", "--columns"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let blog = stdout.split("  blog\n").nth(1).unwrap();
    let blog: Vec<&str> = blog.lines().take(6).collect();
    assert_eq!(
        blog,
        [
            "    id             INTEGER       i64                    primary key, auto",
            "    title          VARCHAR(20)   String",
            "    body           VARCHAR(200)  Option<String>",
            "    created_at     TIMESTAMP     Option<DateTime<Utc>>",
            "    updated_at     TIMESTAMP     Option<DateTime<Utc>>",
            "    lock_revision  INTEGER       Option<i64>",
        ]
    );
    for line in [
        "    order_id  INTEGER        i64          primary key 1",
        "    line_no   INTEGER        i64          primary key 2",
        "    total     REAL           Option<f64>  generated virtual (quantity * price)",
        "    blog_id     INTEGER      i64             references blog(id)",
        "    author      VARCHAR(40)  String          default 'anonymous'",
        "    permalink   VARCHAR(80)  Option<String>  unique",
    ] {
        assert!(
            stdout.contains(&format!("{line}\n")),
            "{line:?} in\n{stdout}"
        );
    }
}

/// `TSPAWN_DATABASE_URL` points the app, and so the listing, at another database; an empty
/// one says so on stderr.
#[test]
#[cfg_attr(skip_postgres, ignore = "needs TSPAWN_TEST_POSTGRES_URL")]
fn show_tables_follows_tspawn_database_url() {
    let (_dir, root) = common::new_app_named("showpgapp", "postgresql");
    let db = Database::new(Driver::Postgresql);
    let output = common::tspawn(&root)
        .arg("--show-tables")
        .env("TSPAWN_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Available tables:\n"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no tables yet"));
    execute(
        &db.url,
        "CREATE TABLE \"BlogEntry\" (\"AlbumId\" SERIAL PRIMARY KEY)",
    );
    common::tspawn(&root)
        .args(["--show-tables", "--columns"])
        .env("TSPAWN_DATABASE_URL", &db.url)
        .assert()
        .success()
        .stdout("Available tables:\n  BlogEntry\n    AlbumId  INTEGER  i32  primary key, auto\n");
}

/// Outside an app: the one line every generator gives. `--columns` alone is a usage error;
/// `--show-collections` says MongoDB is not supported.
#[test]
fn show_options_refuse_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::tspawn(dir.path())
        .arg("--show-tables")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: not inside a tspawn application"),
        "{stderr}"
    );
    common::tspawn(dir.path()).arg("--columns").assert().code(2);
    let output = common::tspawn(dir.path())
        .arg("--show-collections")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: MongoDB is not supported yet"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
