//! The schema readers on real databases: the fixtures in tests/fixtures/schema are loaded into
//! an SQLite file, and into a fresh PostgreSQL / MariaDB database per test
//! (`tspawn_schema_<pid>_<n>`, dropped at the end), and every table is read back through the
//! app's config (config/app.toml's `[dev] database_url`) and compared whole: kinds, DDL
//! types, nullability, key order, auto-increment, lengths, precision, defaults, unique
//! columns and foreign keys. Then the errors (missing table, unmapped type, missing
//! database) and `tspawn --show-tables` on an app made by `tspawn new`.

#[path = "../common/mod.rs"]
mod common;
mod database;
mod expected;
mod show;

use database::{execute, with_database, Database};
use expected::{mysql_every_type_defaults, mysql_tables, postgres_tables, sqlite_tables};
use tspawn::app::App;
use tspawn::driver::Driver;
use tspawn::schema::{self, Table};

// ---------------------------------------------------------------------------------------
// The checks, run on each driver

/// Every fixture table reads back whole, under its exact name, and the table list is
/// sorted without sqlx's migrations table.
fn fixture_tables_read_back_whole(driver: Driver, expected: Vec<Table>) {
    let db = Database::with_fixture(driver);
    execute(
        &db.url,
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, success BOOLEAN NOT NULL)",
    );
    let (_dir, app) = db.app();
    for table in &expected {
        let read = schema::read_table(&app, &table.name).unwrap();
        for (got, want) in read.columns.iter().zip(&table.columns) {
            assert_eq!(got, want, "{driver} {}", table.name);
        }
        assert_eq!(&read, table, "{driver}");
    }
    let names = schema::table_names(&app).unwrap();
    assert_eq!(
        names,
        [
            "BlogEntry",
            "author",
            "blog",
            "blog_comment",
            "book",
            "every_type",
            "language",
            "order_line"
        ],
        "{driver}"
    );
}

/// A name in another case finds the one table; a missing one lists the tables; a table
/// whose names differ only by case must be typed exactly.
fn names_match_exactly_then_ignoring_case(driver: Driver) {
    let db = Database::with_fixture(driver);
    let (_dir, app) = db.app();
    assert_eq!(
        schema::read_table(&app, "blogentry").unwrap().name,
        "BlogEntry"
    );
    assert_eq!(schema::read_table(&app, "BLOG").unwrap().name, "blog");
    let err = schema::read_table(&app, "posts").unwrap_err().to_string();
    assert!(
        err.starts_with("no table `posts` in ")
            && err.ends_with("; its tables: BlogEntry, author, blog, blog_comment, book, every_type, language, order_line"),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");
}

/// Versions come from `_sqlx_migrations` (successful ones, sorted); none before it exists.
fn applied_migrations_are_listed(driver: Driver) {
    let db = Database::new(driver);
    let (_dir, app) = db.app();
    assert_eq!(schema::applied_migrations(&app).unwrap(), Vec::<i64>::new());
    let err = schema::read_table(&app, "blog").unwrap_err().to_string();
    assert!(
        err.ends_with(
            ": it has no tables yet — write a migration and run the app, or use a field list: \
             tspawn model post title:string"
        ),
        "{err}"
    );
    execute(
        &db.url,
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, success BOOLEAN NOT NULL);
         INSERT INTO _sqlx_migrations VALUES (20261127120001, TRUE), (20261127120000, TRUE),
         (20261127120002, FALSE);",
    );
    assert_eq!(
        schema::applied_migrations(&app).unwrap(),
        [20261127120000, 20261127120001]
    );
    assert_eq!(schema::table_names(&app).unwrap(), Vec::<String>::new());
}

/// A column of a type outside the mapping is refused in one line naming it.
fn unmapped_types_are_named(driver: Driver, ddl: &str, expected: &str) {
    let db = Database::new(driver);
    execute(&db.url, ddl);
    let (_dir, app) = db.app();
    let err = schema::read_table(&app, "tagged").unwrap_err().to_string();
    assert!(err.starts_with(expected), "{err}");
    assert!(!err.contains('\n'), "{err}");
}

// ---------------------------------------------------------------------------------------
// SQLite

#[test]
fn sqlite_fixture_tables_read_back_whole() {
    fixture_tables_read_back_whole(Driver::Sqlite, sqlite_tables());
}

#[test]
fn sqlite_names_match_exactly_then_ignoring_case() {
    names_match_exactly_then_ignoring_case(Driver::Sqlite);
}

#[test]
fn sqlite_applied_migrations_are_listed() {
    applied_migrations_are_listed(Driver::Sqlite);
}

#[test]
fn sqlite_unmapped_types_are_named() {
    unmapped_types_are_named(
        Driver::Sqlite,
        "CREATE TABLE tagged (id INTEGER PRIMARY KEY, shape GEOMETRY)",
        "tagged.shape: SQLite type `GEOMETRY` has no mapping; supported: BOOLEAN, INTEGER",
    );
}

/// The file the config names is opened read-only and never created: a missing one is one
/// line naming it relative to the app, and applied_migrations is empty.
#[test]
fn a_missing_sqlite_file_is_never_created() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/app.toml"), "[default]\n[dev]\n").unwrap();
    let app = App {
        root: dir.path().to_owned(),
        crate_name: "schema_app".to_owned(),
        driver: Driver::Sqlite,
    };
    let err = schema::table_names(&app).unwrap_err().to_string();
    assert_eq!(
        err,
        "db/dev.sqlite3 does not exist yet: run the app once (cargo run) so it creates and \
         migrates it"
    );
    assert_eq!(schema::applied_migrations(&app).unwrap(), Vec::<i64>::new());
    assert!(!dir.path().join("db").exists());
    let url = schema::dev_database_url(&app).unwrap();
    assert_eq!(
        url,
        format!("sqlite:{}/db/dev.sqlite3", dir.path().display())
    );
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

#[test]
#[cfg_attr(skip_postgres, ignore = "needs TSPAWN_TEST_POSTGRES_URL")]
fn postgres_fixture_tables_read_back_whole() {
    fixture_tables_read_back_whole(Driver::Postgresql, postgres_tables());
}

/// PostgreSQL (unlike SQLite) keeps `"Post"` and `"POST"` apart: `post` must be typed exactly.
#[test]
#[cfg_attr(skip_postgres, ignore = "needs TSPAWN_TEST_POSTGRES_URL")]
fn postgres_names_match_exactly_then_ignoring_case() {
    names_match_exactly_then_ignoring_case(Driver::Postgresql);
    let db = Database::new(Driver::Postgresql);
    execute(
        &db.url,
        "CREATE TABLE \"Post\" (id INTEGER); CREATE TABLE \"POST\" (id INTEGER);",
    );
    let (_dir, app) = db.app();
    let err = schema::read_table(&app, "post").unwrap_err().to_string();
    assert!(
        err.starts_with("`post` matches several tables of ") && err.contains("(POST, Post)"),
        "{err}"
    );
    assert_eq!(schema::read_table(&app, "Post").unwrap().name, "Post");
}

#[test]
#[cfg_attr(skip_postgres, ignore = "needs TSPAWN_TEST_POSTGRES_URL")]
fn postgres_applied_migrations_are_listed() {
    applied_migrations_are_listed(Driver::Postgresql);
}

#[test]
#[cfg_attr(skip_postgres, ignore = "needs TSPAWN_TEST_POSTGRES_URL")]
fn postgres_unmapped_types_are_named() {
    unmapped_types_are_named(
        Driver::Postgresql,
        "CREATE TABLE tagged (id SERIAL PRIMARY KEY, tags TEXT[] NOT NULL)",
        "tagged.tags: PostgreSQL type `text[]` has no mapping; supported: boolean, smallint",
    );
}

/// A database that does not exist yet: named with the server, and no migrations applied.
#[test]
#[cfg_attr(skip_postgres, ignore = "needs TSPAWN_TEST_POSTGRES_URL")]
fn postgres_missing_database_is_named() {
    missing_database_is_named(Driver::Postgresql, "TSPAWN_TEST_POSTGRES_URL");
}

// ---------------------------------------------------------------------------------------
// MySQL / MariaDB

#[test]
#[cfg_attr(skip_mysql, ignore = "needs TSPAWN_TEST_MYSQL_URL")]
fn mysql_fixture_tables_read_back_whole() {
    fixture_tables_read_back_whole(Driver::Mysql, mysql_every_type_defaults(mysql_tables()));
}

#[test]
#[cfg_attr(skip_mysql, ignore = "needs TSPAWN_TEST_MYSQL_URL")]
fn mysql_names_match_exactly_then_ignoring_case() {
    names_match_exactly_then_ignoring_case(Driver::Mysql);
}

#[test]
#[cfg_attr(skip_mysql, ignore = "needs TSPAWN_TEST_MYSQL_URL")]
fn mysql_applied_migrations_are_listed() {
    applied_migrations_are_listed(Driver::Mysql);
}

#[test]
#[cfg_attr(skip_mysql, ignore = "needs TSPAWN_TEST_MYSQL_URL")]
fn mysql_unmapped_types_are_named() {
    unmapped_types_are_named(
        Driver::Mysql,
        "CREATE TABLE tagged (id INT AUTO_INCREMENT PRIMARY KEY, mood ENUM('a', 'b') NOT NULL)",
        "tagged.mood: MySQL/MariaDB type `enum('a','b')` has no mapping; supported: tinyint(1)",
    );
}

#[test]
#[cfg_attr(skip_mysql, ignore = "needs TSPAWN_TEST_MYSQL_URL")]
fn mysql_missing_database_is_named() {
    missing_database_is_named(Driver::Mysql, "TSPAWN_TEST_MYSQL_URL");
}

fn missing_database_is_named(driver: Driver, var: &str) {
    let admin = std::env::var(var).unwrap();
    let name = format!("tspawn_schema_{}_missing", std::process::id());
    let db = Database {
        driver,
        url: with_database(&admin, &name),
        server: None,
        _dir: tempfile::tempdir().unwrap(),
    };
    let (_dir, app) = db.app();
    let err = schema::table_names(&app).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "the database `{name}` does not exist yet on 127.0.0.1:"
        )),
        "{err}"
    );
    assert_eq!(schema::applied_migrations(&app).unwrap(), Vec::<i64>::new());
}

/// A server nobody listens on is named with its host:port at once, not after a hang.
#[test]
fn an_unreachable_server_is_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (driver, url) in [
        (
            Driver::Postgresql,
            format!("postgres://u:pw@127.0.0.1:{port}/x"),
        ),
        (Driver::Mysql, format!("mysql://u:pw@127.0.0.1:{port}/x")),
    ] {
        let db = Database {
            driver,
            url,
            server: None,
            _dir: tempfile::tempdir().unwrap(),
        };
        let (_dir, app) = db.app();
        let started = std::time::Instant::now();
        let err = schema::read_table(&app, "blog").unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "cannot reach the {} server at 127.0.0.1:{port} (",
                match driver {
                    Driver::Mysql => "MySQL/MariaDB",
                    _ => "PostgreSQL",
                }
            )),
            "{err}"
        );
        assert!(!err.contains("pw"), "{err}");
        assert!(started.elapsed().as_secs() < 6, "{:?}", started.elapsed());
    }
}
