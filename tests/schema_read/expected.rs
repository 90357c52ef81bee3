//! What the fixture tables of tests/fixtures/schema must read back as, per driver, written
//! out whole from the fixtures and tspawn's SQL → kind tables (not from the readers' output).

use tspawn::schema::{Column, Computed, ForeignKey, Kind, Table};

/// A NOT NULL column with nothing else set.
pub fn col(name: &str, sql_type: &str, kind: Kind) -> Column {
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

pub trait Build {
    fn null(self) -> Self;
    fn auto(self) -> Self;
    fn default(self, expression: &str) -> Self;
    fn len(self, n: u32) -> Self;
    fn num(self, precision: u32, scale: u32) -> Self;
    fn unique(self) -> Self;
    fn references(self, table: &str, column: &str) -> Self;
    /// A generated column: `expression` as the catalog reports it, STORED or VIRTUAL.
    fn computed(self, expression: &str, stored: bool) -> Self;
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
    fn computed(self, expression: &str, stored: bool) -> Self {
        let generated = Some(Computed {
            expression: expression.to_owned(),
            stored,
        });
        Column { generated, ..self }
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

pub fn sqlite_tables() -> Vec<Table> {
    let int = |name: &str| col(name, "INTEGER", Kind::I64);
    let id = || int("id").auto();
    let c = |sql: &str, kind| col("", sql, kind);
    let mut tables = vec![
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
                col("total", "REAL", Kind::F64)
                    .null()
                    .computed("quantity * price", false),
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
                int("lock_revision").null(),
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
    ];
    tables.extend(library(
        "INTEGER",
        Kind::I64,
        |n| format!("VARCHAR({n})"),
        Some(("INTEGER", "length(title)", true)),
    ));
    tables
}

pub fn postgres_tables() -> Vec<Table> {
    let int = |name: &str| col(name, "INTEGER", Kind::I32);
    let bigint = |name: &str| col(name, "BIGINT", Kind::I64);
    let c = |sql: &str, kind| col("", sql, kind);
    let mut tables = vec![
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
                col("total", "NUMERIC", Kind::Decimal)
                    .null()
                    .computed("((quantity)::numeric * price)", true),
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
                int("lock_revision").null(),
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
    ];
    tables.extend(library(
        "INTEGER",
        Kind::I32,
        |n| format!("VARCHAR({n})"),
        None,
    ));
    tables
}

pub fn mysql_tables() -> Vec<Table> {
    let int = |name: &str| col(name, "int(11)", Kind::I32);
    let bigint = |name: &str| col(name, "bigint(20)", Kind::I64);
    let c = |sql: &str, kind| col("", sql, kind);
    let mut tables = vec![
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
                col("total", "decimal(30,2)", Kind::Decimal)
                    .num(30, 2)
                    .null()
                    .computed("`quantity` * `price`", true),
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
                int("lock_revision").null(),
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
    ];
    tables.extend(library(
        "int(11)",
        Kind::I32,
        |n| format!("varchar({n})"),
        Some(("int(11)", "char_length(`title`)", false)),
    ));
    tables
}

/// MariaDB's `timestamp_value TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`.
pub fn mysql_every_type_defaults(mut tables: Vec<Table>) -> Vec<Table> {
    let every = &mut tables[0];
    let at = every
        .columns
        .iter()
        .position(|c| c.name == "timestamp_value")
        .unwrap();
    every.columns[at].default = Some("current_timestamp(6)".to_owned());
    tables
}

/// `author`, `language` and `book` on a driver: its integer type and kind, its VARCHAR
/// spelling, and `book`'s generated column (type, expression, stored) when the fixture has one.
fn library(
    int: &str,
    kind: Kind,
    varchar: fn(u32) -> String,
    generated: Option<(&str, &str, bool)>,
) -> Vec<Table> {
    let text = |name: &str, n: u32| col(name, &varchar(n), Kind::String).len(n);
    let mut book = vec![
        col("id", int, kind).auto(),
        col("author_id", int, kind).references("author", "id"),
        text("language_code", 20)
            .null()
            .references("language", "code"),
        text("title", 120),
    ];
    if let Some((sql, expression, stored)) = generated {
        book.push(
            col("title_length", sql, kind)
                .null()
                .computed(expression, stored),
        );
    }
    vec![
        table(
            "author",
            vec![
                col("id", int, kind).auto(),
                text("email", 120).unique(),
                text("name", 80),
            ],
            &[0],
        ),
        table("language", vec![text("code", 20), text("name", 40)], &[0]),
        table("book", book, &[0]),
    ]
}
