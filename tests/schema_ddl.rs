//! The `CREATE TABLE` tspawn writes into a model's migration really runs on each driver: a
//! field list using every field type (and a `references` to another field-list table) on a
//! temporary SQLite file and on the real PostgreSQL and MariaDB servers named by
//! TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL, each test in a fresh database dropped at
//! the end. Rows then prove what the DDL claims: `lock_revision` defaults to 1, the foreign key
//! and the UNIQUE constraint are enforced (MySQL silently ignores a `REFERENCES` written on the
//! column), and a live table's `IF NOT EXISTS` migration runs again over the table it made.

use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};
use std::sync::atomic::{AtomicUsize, Ordering};
use tspawn::driver::Driver;
use tspawn::schema::{check, ddl, fields, Column, ForeignKey, Kind, Table};

/// Every field type; all but the first optional, so a row needs only the required columns.
const EVERY_TYPE: &str = "title:string{80}:unique body:text:optional views:integer:optional \
    big:bigint:optional ratio:float:optional price:decimal{10-2}:optional \
    published:bool:optional day:date:optional at:datetime:optional token:uuid:optional \
    meta:json:optional author:references";

fn specs(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_owned).collect()
}

/// The DDL of `authors name:string` and of `posts` with [`EVERY_TYPE`], both checked.
fn field_list_ddl(driver: Driver) -> Vec<String> {
    [("authors", "name:string"), ("posts", EVERY_TYPE)]
        .into_iter()
        .map(|(name, list)| {
            let table = fields::parse(driver, name, &specs(list)).unwrap();
            check::check(driver, &table, check::Origin::FieldList).unwrap();
            ddl::create_table(driver, &table, false)
        })
        .collect()
}

/// A connection to one of the three servers (sqlx's `any` driver is not compiled in).
enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

impl Db {
    async fn connect(driver: Driver, url: &str) -> Db {
        match driver {
            Driver::Sqlite => Db::Sqlite(Connection::connect(url).await.unwrap()),
            Driver::Postgresql => Db::Postgres(Connection::connect(url).await.unwrap()),
            Driver::Mysql => Db::Mysql(Connection::connect(url).await.unwrap()),
        }
    }

    /// Runs `sql` (one or more statements).
    async fn run(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let query = sqlx::raw_sql(sql);
        match self {
            Db::Sqlite(c) => query.execute(c).await.map(drop),
            Db::Postgres(c) => query.execute(c).await.map(drop),
            Db::Mysql(c) => query.execute(c).await.map(drop),
        }
    }

    /// The first column of the one row `sql` returns, as an integer.
    async fn integer(&mut self, sql: &str) -> i64 {
        let query = sqlx::raw_sql(sql);
        match self {
            Db::Sqlite(c) => query.fetch_one(c).await.unwrap().get(0),
            Db::Postgres(c) => {
                let row = query.fetch_one(c).await.unwrap();
                row.try_get::<i64, _>(0)
                    .unwrap_or_else(|_| row.get::<i32, _>(0).into())
            }
            Db::Mysql(c) => {
                let row = query.fetch_one(c).await.unwrap();
                row.try_get::<i64, _>(0)
                    .unwrap_or_else(|_| row.get::<i32, _>(0).into())
            }
        }
    }

    /// The first column of the one row `sql` returns, as text.
    async fn text(&mut self, sql: &str) -> String {
        let query = sqlx::raw_sql(sql);
        match self {
            Db::Sqlite(c) => query.fetch_one(c).await.unwrap().get(0),
            Db::Postgres(c) => query.fetch_one(c).await.unwrap().get(0),
            Db::Mysql(c) => query.fetch_one(c).await.unwrap().get(0),
        }
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Runs the field list's DDL on the database at `url`, then rows that exercise it.
async fn field_list_runs(driver: Driver, url: &str) {
    let mut db = Db::connect(driver, url).await;
    if driver == Driver::Sqlite {
        db.run("PRAGMA foreign_keys = ON").await.unwrap();
    }
    for sql in field_list_ddl(driver) {
        db.run(&sql).await.unwrap_or_else(|e| panic!("{sql}\n{e}"));
    }
    let now = "'2026-11-27 12:00:00'";
    let insert = |title: &str, author: i64| {
        format!(
            "INSERT INTO posts (title, author_id, created_at, updated_at) \
             VALUES ('{title}', {author}, {now}, {now})"
        )
    };
    let author =
        format!("INSERT INTO authors (name, created_at, updated_at) VALUES ('Ann', {now}, {now})");
    db.run(&author).await.unwrap();
    db.run(&insert("first", 1)).await.unwrap();
    let revision = db.integer("SELECT lock_revision FROM posts").await;
    assert_eq!(revision, 1, "lock_revision defaults to 1");
    let missing_author = db.run(&insert("second", 42)).await;
    assert!(
        missing_author.is_err(),
        "{driver}: the foreign key is enforced"
    );
    let same_title = db.run(&insert("first", 1)).await;
    assert!(same_title.is_err(), "{driver}: title is unique");
    let nulls = "SELECT COUNT(*) FROM posts WHERE body IS NULL AND meta IS NULL AND token IS NULL";
    assert_eq!(db.integer(nulls).await, 1, "optional columns take NULL");
    let no_title =
        format!("INSERT INTO posts (author_id, created_at, updated_at) VALUES (1, {now}, {now})");
    let refused = db.run(&no_title).await;
    assert!(refused.is_err(), "{driver}: a required field is NOT NULL");
}

fn column(name: &str, sql_type: &str, kind: Kind) -> Column {
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
        generated: None,
    }
}

/// A live table as a reader would give it: PascalCase names, a reserved word, a composite key,
/// a default and a foreign key to another live table with an auto key.
fn live_tables(driver: Driver) -> [Table; 2] {
    let int = match driver {
        Driver::Sqlite => "INTEGER",
        _ => "BIGINT",
    };
    let entry = Table {
        name: "BlogEntry".to_owned(),
        columns: vec![Column {
            auto_increment: true,
            ..column("Id", int, Kind::I64)
        }],
        primary_key: vec![0],
    };
    let line = Table {
        name: "OrderLine".to_owned(),
        columns: vec![
            column("OrderId", "INTEGER", Kind::I32),
            column("line_no", "INTEGER", Kind::I32),
            Column {
                nullable: true,
                default: Some("'draft'".to_owned()),
                ..column("order", "VARCHAR(20)", Kind::String)
            },
            Column {
                foreign_key: Some(ForeignKey {
                    table: "BlogEntry".to_owned(),
                    column: "Id".to_owned(),
                }),
                ..column("EntryId", int, Kind::I64)
            },
        ],
        primary_key: vec![0, 1],
    };
    [entry, line]
}

/// Runs the live tables' `IF NOT EXISTS` DDL twice (the second run finds the tables there).
async fn live_table_runs(driver: Driver, url: &str) {
    let mut db = Db::connect(driver, url).await;
    for _ in 0..2 {
        for table in live_tables(driver) {
            check::check(driver, &table, check::Origin::LiveTable).unwrap();
            let sql = ddl::create_table(driver, &table, true);
            db.run(&sql).await.unwrap_or_else(|e| panic!("{sql}\n{e}"));
        }
    }
    let q = |name: &str| driver.quote_if_needed(name);
    let entry = match driver {
        Driver::Mysql => format!("INSERT INTO {} () VALUES ()", q("BlogEntry")),
        _ => format!("INSERT INTO {} DEFAULT VALUES", q("BlogEntry")),
    };
    db.run(&entry).await.unwrap();
    let line = |n: i32| {
        format!(
            "INSERT INTO {} ({}, line_no, {}) VALUES (7, {n}, 1)",
            q("OrderLine"),
            q("OrderId"),
            q("EntryId")
        )
    };
    db.run(&line(1)).await.unwrap();
    db.run(&line(2)).await.unwrap();
    assert!(
        db.run(&line(2)).await.is_err(),
        "{driver}: the composite key"
    );
    let select = format!(
        "SELECT {} FROM {} WHERE line_no = 2",
        q("order"),
        q("OrderLine")
    );
    assert_eq!(db.text(&select).await, "draft", "{driver}: the default");
}

#[test]
fn sqlite_runs_the_ddl() {
    let dir = tempfile::tempdir().unwrap();
    let url = |file: &str| format!("sqlite://{}?mode=rwc", dir.path().join(file).display());
    block_on(field_list_runs(Driver::Sqlite, &url("fields.sqlite3")));
    block_on(live_table_runs(Driver::Sqlite, &url("live.sqlite3")));
}

/// A database made for one test on the server at `url`, dropped when the test ends.
struct Fresh {
    driver: Driver,
    server: String,
    name: String,
}

impl Fresh {
    fn new(driver: Driver, var: &str) -> Fresh {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let server = match std::env::var(var) {
            Ok(url) if !url.is_empty() => url,
            _ => panic!(
                "{var} is not set: set it to a server's test database, or run scripts/test-all"
            ),
        };
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let name = format!("tspawn_ddl_{}_{n}", std::process::id());
        let fresh = Fresh {
            driver,
            server,
            name,
        };
        fresh.admin(&format!("DROP DATABASE IF EXISTS {}", fresh.name));
        fresh.admin(&format!("CREATE DATABASE {}", fresh.name));
        fresh
    }

    /// The URL of the fresh database.
    fn url(&self) -> String {
        let (server, _) = self.server.rsplit_once('/').expect("a database in the URL");
        format!("{server}/{}", self.name)
    }

    /// Runs `sql` connected to the server's own database.
    fn admin(&self, sql: &str) {
        block_on(async {
            let mut db = Db::connect(self.driver, &self.server).await;
            db.run(sql).await.unwrap();
        });
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        self.admin(&format!("DROP DATABASE IF EXISTS {}", self.name));
    }
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn postgresql_runs_the_ddl() {
    let fresh = || Fresh::new(Driver::Postgresql, "TSPAWN_TEST_POSTGRES_URL");
    let (fields, live) = (fresh(), fresh());
    block_on(field_list_runs(Driver::Postgresql, &fields.url()));
    block_on(live_table_runs(Driver::Postgresql, &live.url()));
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn mysql_runs_the_ddl() {
    let fresh = || Fresh::new(Driver::Mysql, "TSPAWN_TEST_MYSQL_URL");
    let (fields, live) = (fresh(), fresh());
    block_on(field_list_runs(Driver::Mysql, &fields.url()));
    block_on(live_table_runs(Driver::Mysql, &live.url()));
}
