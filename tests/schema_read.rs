//! The schema readers on real databases: the fixtures in tests/fixtures/schema are loaded into
//! an SQLite file, and into a fresh PostgreSQL / MariaDB database per test
//! (`tspawn_schema_<pid>_<n>`, dropped at the end), and every table is read back through the
//! app's config (config/app.toml's `[dev] database_url`) and compared whole: kinds, DDL
//! types, nullability, key order, auto-increment, lengths, precision, defaults, unique
//! columns and foreign keys. Then the errors (missing table, unmapped type, missing
//! database) and `tspawn --show-tables` on an app made by `tspawn new`.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use tspawn::app::App;
use tspawn::driver::Driver;
use tspawn::schema::{self, Column, ForeignKey, Kind, Table};

// ---------------------------------------------------------------------------------------
// Databases and apps

/// Runs `sql` (several statements) on `url`.
fn execute(url: &str, sql: &str) {
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
struct Database {
    driver: Driver,
    url: String,
    /// The server's own URL and the database's name, to drop it.
    server: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Database {
    fn new(driver: Driver) -> Database {
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
    fn with_fixture(driver: Driver) -> Database {
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
    fn app(&self) -> (tempfile::TempDir, App) {
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
fn with_database(url: &str, name: &str) -> String {
    let base = url.split('?').next().unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

// ---------------------------------------------------------------------------------------
// Expected tables

/// A NOT NULL column with nothing else set.
fn col(name: &str, sql_type: &str, kind: Kind) -> Column {
    Column {
        name: name.to_owned(),
        sql_type: sql_type.to_owned(),
        kind,
        nullable: false,
        auto_increment: false,
        default: None,
        unique: false,
        max_length: None,
        numeric: None,
        foreign_key: None,
    }
}

trait Build {
    fn null(self) -> Self;
    fn auto(self) -> Self;
    fn default(self, expression: &str) -> Self;
    fn len(self, n: u32) -> Self;
    fn num(self, precision: u32, scale: u32) -> Self;
    fn unique(self) -> Self;
    fn references(self, table: &str, column: &str) -> Self;
}

impl Build for Column {
    fn null(self) -> Self {
        Column {
            nullable: true,
            ..self
        }
    }
    fn auto(self) -> Self {
        Column {
            auto_increment: true,
            ..self
        }
    }
    fn default(self, expression: &str) -> Self {
        Column {
            default: Some(expression.to_owned()),
            ..self
        }
    }
    fn len(self, n: u32) -> Self {
        Column {
            max_length: Some(n),
            ..self
        }
    }
    fn num(self, precision: u32, scale: u32) -> Self {
        Column {
            numeric: Some((precision, scale)),
            ..self
        }
    }
    fn unique(self) -> Self {
        Column {
            unique: true,
            ..self
        }
    }
    fn references(self, table: &str, column: &str) -> Self {
        let foreign_key = Some(ForeignKey {
            table: table.to_owned(),
            column: column.to_owned(),
        });
        Column {
            foreign_key,
            ..self
        }
    }
}

/// `every_type`: the auto id, then each of `types` as `BASE_value` (NOT NULL) and
/// `BASE_null` (nullable).
fn every_type(id: Column, types: Vec<(&str, Column)>) -> Table {
    let mut columns = vec![id];
    for (base, column) in types {
        let named = |suffix: &str| Column {
            name: format!("{base}_{suffix}"),
            ..column.clone()
        };
        columns.push(named("value"));
        columns.push(named("null").null());
    }
    table("every_type", columns, &[0])
}

fn table(name: &str, columns: Vec<Column>, key: &[usize]) -> Table {
    Table {
        name: name.to_owned(),
        columns,
        primary_key: key.to_vec(),
    }
}

fn sqlite_tables() -> Vec<Table> {
    let int = |name: &str| col(name, "INTEGER", Kind::I64);
    let id = || int("id").auto();
    let c = |sql: &str, kind| col("", sql, kind);
    vec![
        every_type(
            id(),
            vec![
                ("bool", c("BOOLEAN", Kind::Bool)),
                ("int", c("INTEGER", Kind::I64)),
                ("bigint", c("BIGINT", Kind::I64)),
                ("real", c("REAL", Kind::F64)),
                ("double", c("DOUBLE", Kind::F64)),
                ("decimal", c("DECIMAL(12,4)", Kind::Decimal).num(12, 4)),
                ("varchar", c("VARCHAR(40)", Kind::String).len(40)),
                ("text", c("TEXT", Kind::String)),
                ("blob", c("BLOB", Kind::Bytes)),
                ("date", c("DATE", Kind::Date)),
                ("time", c("TIME", Kind::Time)),
                ("datetime", c("DATETIME", Kind::DateTime)),
                ("timestamp", c("TIMESTAMP", Kind::DateTime)),
                ("uuid", c("UUID", Kind::Uuid)),
                ("json", c("JSON", Kind::Json)),
            ],
        ),
        table(
            "order_line",
            vec![
                int("line_no"),
                int("order_id"),
                col("product", "VARCHAR(80)", Kind::String).len(80),
                int("quantity").default("1"),
                col("price", "DECIMAL(10,2)", Kind::Decimal).num(10, 2),
            ],
            &[1, 0],
        ),
        table(
            "BlogEntry",
            vec![
                int("EntryId").auto(),
                int("AlbumId"),
                col("Title", "VARCHAR(120)", Kind::String).len(120),
                col("PublishedOn", "DATE", Kind::Date).null(),
            ],
            &[0],
        ),
        table(
            "blog",
            vec![
                id(),
                col("title", "VARCHAR(20)", Kind::String).len(20),
                col("body", "VARCHAR(200)", Kind::String).len(200).null(),
                col("created_at", "TIMESTAMP", Kind::DateTime).null(),
                col("updated_at", "TIMESTAMP", Kind::DateTime).null(),
                int("lock_revision"),
            ],
            &[0],
        ),
        table(
            "blog_comment",
            vec![
                id(),
                int("blog_id").references("blog", "id"),
                col("author", "VARCHAR(40)", Kind::String)
                    .len(40)
                    .default("'anonymous'"),
                col("permalink", "VARCHAR(80)", Kind::String)
                    .len(80)
                    .null()
                    .unique(),
                col("body", "TEXT", Kind::String),
                col("created_at", "DATETIME", Kind::DateTime).default("CURRENT_TIMESTAMP"),
            ],
            &[0],
        ),
    ]
}

fn postgres_tables() -> Vec<Table> {
    let int = |name: &str| col(name, "INTEGER", Kind::I32);
    let bigint = |name: &str| col(name, "BIGINT", Kind::I64);
    let c = |sql: &str, kind| col("", sql, kind);
    vec![
        every_type(
            bigint("id").auto(),
            vec![
                ("bool", c("BOOLEAN", Kind::Bool)),
                ("smallint", c("SMALLINT", Kind::I16)),
                ("int", c("INTEGER", Kind::I32)),
                ("bigint", c("BIGINT", Kind::I64)),
                ("real", c("REAL", Kind::F32)),
                ("double", c("DOUBLE PRECISION", Kind::F64)),
                ("decimal", c("NUMERIC(12,4)", Kind::Decimal).num(12, 4)),
                ("varchar", c("VARCHAR(40)", Kind::String).len(40)),
                ("char", c("CHAR(8)", Kind::String).len(8)),
                ("text", c("TEXT", Kind::String)),
                ("bytes", c("BYTEA", Kind::Bytes)),
                ("date", c("DATE", Kind::Date)),
                ("time", c("TIME", Kind::Time)),
                ("timestamp", c("TIMESTAMP", Kind::NaiveDateTime)),
                ("timestamptz", c("TIMESTAMPTZ", Kind::DateTime)),
                ("uuid", c("UUID", Kind::Uuid)),
                ("json", c("JSON", Kind::Json)),
                ("jsonb", c("JSONB", Kind::Json)),
            ],
        ),
        table(
            "order_line",
            vec![
                int("line_no"),
                bigint("order_id"),
                col("product", "VARCHAR(80)", Kind::String).len(80),
                int("quantity").default("1"),
                col("price", "NUMERIC(10,2)", Kind::Decimal).num(10, 2),
            ],
            &[1, 0],
        ),
        table(
            "BlogEntry",
            vec![
                int("EntryId").auto(),
                int("AlbumId"),
                col("Title", "VARCHAR(120)", Kind::String).len(120),
                col("PublishedOn", "DATE", Kind::Date).null(),
            ],
            &[0],
        ),
        table(
            "blog",
            vec![
                int("id").auto(),
                col("title", "VARCHAR(20)", Kind::String).len(20),
                col("body", "VARCHAR(200)", Kind::String).len(200).null(),
                col("created_at", "TIMESTAMP", Kind::NaiveDateTime).null(),
                col("updated_at", "TIMESTAMP", Kind::NaiveDateTime).null(),
                int("lock_revision"),
            ],
            &[0],
        ),
        table(
            "blog_comment",
            vec![
                bigint("id").auto(),
                int("blog_id").references("blog", "id"),
                col("author", "VARCHAR(40)", Kind::String)
                    .len(40)
                    .default("'anonymous'::character varying"),
                col("permalink", "VARCHAR(80)", Kind::String)
                    .len(80)
                    .null()
                    .unique(),
                col("body", "TEXT", Kind::String),
                col("created_at", "TIMESTAMPTZ", Kind::DateTime).default("CURRENT_TIMESTAMP"),
            ],
            &[0],
        ),
    ]
}

fn mysql_tables() -> Vec<Table> {
    let int = |name: &str| col(name, "int(11)", Kind::I32);
    let bigint = |name: &str| col(name, "bigint(20)", Kind::I64);
    let c = |sql: &str, kind| col("", sql, kind);
    vec![
        every_type(
            bigint("id").auto(),
            vec![
                ("bool", c("tinyint(1)", Kind::Bool)),
                ("tinyint", c("tinyint(4)", Kind::I8)),
                ("smallint", c("smallint(6)", Kind::I16)),
                ("mediumint", c("mediumint(9)", Kind::I32)),
                ("int", c("int(11)", Kind::I32)),
                ("bigint", c("bigint(20)", Kind::I64)),
                ("utinyint", c("tinyint(3) unsigned", Kind::U8)),
                ("usmallint", c("smallint(5) unsigned", Kind::U16)),
                ("umediumint", c("mediumint(8) unsigned", Kind::U32)),
                ("uint", c("int(10) unsigned", Kind::U32)),
                ("ubigint", c("bigint(20) unsigned", Kind::U64)),
                ("float", c("float", Kind::F32)),
                ("double", c("double", Kind::F64)),
                ("decimal", c("decimal(12,4)", Kind::Decimal).num(12, 4)),
                ("varchar", c("varchar(40)", Kind::String).len(40)),
                ("char", c("char(8)", Kind::String).len(8)),
                ("text", c("text", Kind::String)),
                ("longtext", c("longtext", Kind::String)),
                ("uuid", c("binary(16)", Kind::Uuid)),
                ("varbinary", c("varbinary(64)", Kind::Bytes)),
                ("blob", c("blob", Kind::Bytes)),
                ("date", c("date", Kind::Date)),
                ("time", c("time", Kind::Time)),
                ("datetime", c("datetime(6)", Kind::DateTime)),
                ("timestamp", c("timestamp(6)", Kind::DateTime)),
                ("json", c("json", Kind::Json)),
            ],
        ),
        table(
            "order_line",
            vec![
                int("line_no"),
                bigint("order_id"),
                col("product", "varchar(80)", Kind::String).len(80),
                int("quantity").default("1"),
                col("price", "decimal(10,2)", Kind::Decimal).num(10, 2),
            ],
            &[1, 0],
        ),
        table(
            "BlogEntry",
            vec![
                int("EntryId").auto(),
                int("AlbumId"),
                col("Title", "varchar(120)", Kind::String).len(120),
                col("PublishedOn", "date", Kind::Date).null(),
            ],
            &[0],
        ),
        table(
            "blog",
            vec![
                int("id").auto(),
                col("title", "varchar(20)", Kind::String).len(20),
                col("body", "varchar(200)", Kind::String).len(200).null(),
                col("created_at", "datetime", Kind::DateTime).null(),
                col("updated_at", "datetime", Kind::DateTime).null(),
                int("lock_revision"),
            ],
            &[0],
        ),
        table(
            "blog_comment",
            vec![
                bigint("id").auto(),
                int("blog_id").references("blog", "id"),
                col("author", "varchar(40)", Kind::String)
                    .len(40)
                    .default("'anonymous'"),
                col("permalink", "varchar(80)", Kind::String)
                    .len(80)
                    .null()
                    .unique(),
                col("body", "text", Kind::String),
                col("created_at", "datetime(6)", Kind::DateTime).default("current_timestamp(6)"),
            ],
            &[0],
        ),
    ]
}

/// MariaDB's `timestamp_value TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`.
fn mysql_every_type_defaults(mut tables: Vec<Table>) -> Vec<Table> {
    let every = &mut tables[0];
    let at = every
        .columns
        .iter()
        .position(|c| c.name == "timestamp_value")
        .unwrap();
    every.columns[at].default = Some("current_timestamp(6)".to_owned());
    tables
}

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
            "blog",
            "blog_comment",
            "every_type",
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
            && err.ends_with("; its tables: BlogEntry, blog, blog_comment, every_type, order_line"),
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

// ---------------------------------------------------------------------------------------
// tspawn --show-tables, through an app made by `tspawn new`

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
            "Available tables:\n  BlogEntry\n  blog\n  blog_comment\n  every_type\n  order_line\n",
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
            "    lock_revision  INTEGER       i64",
        ]
    );
    for line in [
        "    order_id  INTEGER        i64      primary key 1",
        "    line_no   INTEGER        i64      primary key 2",
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
