//! The column model every table generator renders from (`model`, `sqlobject`, and later
//! `scaffold`, `api`, `validator`): a [`Table`] of [`Column`]s, each with its exact SQL
//! spelling, its portable [`Kind`] and the Rust type that kind has on the app's driver.
//!
//! A table comes from one of two places, and both end in the same [`Table`]:
//! - a live table of the app's dev database, read by [`read`] (`sqlite`, `postgres`,
//!   `mysql` hold the per-driver catalog queries);
//! - a field list (`title:string:required body:text`), parsed by [`fields`], which also
//!   renders the migration that creates the table.
//!
//! [`check`] then refuses, before anything is written, names that cannot become Rust or SQL.

mod mysql;
mod postgres;
pub mod read;
mod session;
pub mod show;
mod sqlite;
pub mod url;

pub use read::{applied_migrations, dev_database_url, read_table, table_names};

pub mod check;
pub mod ddl;
pub mod fields;
pub mod reserved;

/// A table as generators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's name exactly as the database spells it (`blog`, `BlogEntry`).
    pub name: String,
    /// In the table's order (`ordinal_position`, SQLite's `cid`).
    pub columns: Vec<Column>,
    /// Indexes into `columns` of the primary key, in key order; a composite key is kept
    /// whole (TreeFrog keeps only its first column). Empty when the table has none.
    pub primary_key: Vec<usize>,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Exactly as the database spells it (`AlbumId`, `created_at`).
    pub name: String,
    /// The column's type as DDL for its driver, rebuilt from the catalog so it can be written
    /// back into a `CREATE TABLE` (`VARCHAR(20)`, `TIMESTAMPTZ`, `NUMERIC(10,2)`,
    /// `tinyint(1)`, `DATETIME(6)`); SQLite's declared type as written.
    pub sql_type: String,
    /// The portable type it maps to (see [`Kind::rust_type`]).
    pub kind: Kind,
    /// Whether it accepts NULL: the Rust type is then `Option<_>`.
    pub nullable: bool,
    /// Filled in by the database on insert: SQLite's `INTEGER PRIMARY KEY`, PostgreSQL's
    /// serial / identity columns, MySQL's `AUTO_INCREMENT`.
    pub auto_increment: bool,
    /// The default expression as the catalog reports it (`'draft'`, `CURRENT_TIMESTAMP`);
    /// `None` when there is none (MariaDB's `"NULL"` for a nullable column is none).
    pub default: Option<String>,
    /// Whether a single-column UNIQUE constraint or index covers it (the primary key aside).
    pub unique: bool,
    /// The longest value in characters, for `VARCHAR(n)` / `CHAR(n)`.
    pub max_length: Option<u32>,
    /// `(precision, scale)` of a `NUMERIC(p, s)` / `DECIMAL(p, s)`; `None` when unconstrained
    /// (PostgreSQL's bare NUMERIC) or not a decimal.
    pub numeric: Option<(u32, u32)>,
    /// The column it references, when it is a single-column foreign key.
    pub foreign_key: Option<ForeignKey>,
    /// How the database computes it, when it is a generated (computed) column: PostgreSQL's
    /// `GENERATED ALWAYS AS (expr) STORED`, MySQL's `AS (expr) VIRTUAL|STORED`, SQLite's
    /// `GENERATED ALWAYS AS (expr) VIRTUAL|STORED`. Such a column is read, never written.
    pub generated: Option<Computed>,
}

/// The expression of a generated column and whether the database stores its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    /// The expression as the catalog reports it, written back inside `AS (...)`
    /// (`((quantity)::numeric * price)` on PostgreSQL, `` `quantity` * `price` `` on MariaDB,
    /// the text of the `CREATE TABLE` on SQLite).
    pub expression: String,
    /// `STORED` (PostgreSQL's only kind) rather than `VIRTUAL` (computed when read).
    pub stored: bool,
}

/// The target of a single-column foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub table: String,
    pub column: String,
}

/// The portable type of a column: what a generator needs to pick the Rust type, the
/// encoding on each driver, a form input and a sample value. The SQL → kind table per
/// driver lives with each reader and is documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `bool`: PostgreSQL BOOLEAN, MySQL `tinyint(1)`/BOOLEAN, SQLite BOOLEAN.
    Bool,
    /// `i8`: MySQL TINYINT.
    I8,
    /// `i16`: SMALLINT.
    I16,
    /// `i32`: INTEGER / INT on PostgreSQL and MySQL, MEDIUMINT.
    I32,
    /// `i64`: BIGINT; every SQLite integer (SQLite integers are 64-bit).
    I64,
    /// `u8`..`u64`: MySQL's UNSIGNED integers.
    U8,
    U16,
    U32,
    U64,
    /// `f32`: REAL on PostgreSQL, FLOAT on MySQL.
    F32,
    /// `f64`: DOUBLE PRECISION, DOUBLE, SQLite REAL.
    F64,
    /// `rust_decimal::Decimal`: NUMERIC / DECIMAL.
    Decimal,
    /// `String`: VARCHAR, CHAR, TEXT and friends.
    String,
    /// `Vec<u8>`: BYTEA, BLOB, VARBINARY.
    Bytes,
    /// `chrono::NaiveDate`: DATE.
    Date,
    /// `chrono::NaiveTime`: TIME.
    Time,
    /// `chrono::NaiveDateTime`: PostgreSQL TIMESTAMP (without time zone).
    NaiveDateTime,
    /// `chrono::DateTime<chrono::Utc>`: TIMESTAMPTZ, MySQL DATETIME / TIMESTAMP (sqlx
    /// sets the session's time zone to UTC), SQLite DATETIME / TIMESTAMP.
    DateTime,
    /// `uuid::Uuid`: PostgreSQL UUID, MySQL BINARY(16), SQLite UUID.
    Uuid,
    /// `serde_json::Value`: JSON / JSONB, MariaDB's JSON (a LONGTEXT checked by json_valid).
    Json,
}

/// A runtime feature an app turns on for the types it uses (`tspawn-runtime`'s
/// `chrono`, `decimal`, `uuid`, `json`, each forwarding to sqlx's feature of that crate).
pub type Feature = &'static str;

impl Kind {
    /// The Rust type, spelled as generated code writes it (the runtime re-exports the
    /// crates: `tspawn_runtime::chrono`, ...). Not wrapped in `Option` here.
    pub fn rust_type(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::I8 => "i8",
            Kind::I16 => "i16",
            Kind::I32 => "i32",
            Kind::I64 => "i64",
            Kind::U8 => "u8",
            Kind::U16 => "u16",
            Kind::U32 => "u32",
            Kind::U64 => "u64",
            Kind::F32 => "f32",
            Kind::F64 => "f64",
            Kind::Decimal => "Decimal",
            Kind::String => "String",
            Kind::Bytes => "Vec<u8>",
            Kind::Date => "NaiveDate",
            Kind::Time => "NaiveTime",
            Kind::NaiveDateTime => "NaiveDateTime",
            Kind::DateTime => "DateTime<Utc>",
            Kind::Uuid => "Uuid",
            Kind::Json => "JsonValue",
        }
    }

    /// The runtime feature the type needs, if any.
    pub fn feature(self) -> Option<Feature> {
        match self {
            Kind::Decimal => Some("decimal"),
            Kind::Date | Kind::Time | Kind::NaiveDateTime | Kind::DateTime => Some("chrono"),
            Kind::Uuid => Some("uuid"),
            Kind::Json => Some("json"),
            _ => None,
        }
    }

    /// Whether the type is one of chrono's date-times, which TreeFrog's `created_at`,
    /// `updated_at` and `modified_at` conventions fill in.
    pub fn is_timestamp(self) -> bool {
        matches!(self, Kind::NaiveDateTime | Kind::DateTime)
    }

    /// Whether the type is an integer (a `lock_revision` must be one).
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Kind::I8
                | Kind::I16
                | Kind::I32
                | Kind::I64
                | Kind::U8
                | Kind::U16
                | Kind::U32
                | Kind::U64
        )
    }
}

/// What role TreeFrog's conventions give a column: set by the model, never by callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A column callers set.
    Plain,
    /// Filled in by the database: an auto-increment key, or a generated (computed) column.
    /// Never bound on insert or update, never in `NewX`, read back like any column.
    Generated,
    /// `created_at`: the model sets it to now on create.
    CreatedAt,
    /// `updated_at` / `modified_at`: the model sets it to now on create and update.
    UpdatedAt,
    /// `lock_revision`: 1 on create, +1 per update, an update with a stale one is refused.
    LockRevision,
}

impl Column {
    /// The role TreeFrog's conventions give this column (names compared case-insensitively;
    /// `created_at` & co. only when the column holds a date-time, `lock_revision` only when
    /// it holds an integer).
    pub fn role(&self) -> Role {
        let lower = self.name.to_ascii_lowercase();
        if self.auto_increment || self.generated.is_some() {
            Role::Generated
        } else if lower == "created_at" && self.kind.is_timestamp() {
            Role::CreatedAt
        } else if (lower == "updated_at" || lower == "modified_at") && self.kind.is_timestamp() {
            Role::UpdatedAt
        } else if lower == "lock_revision" && self.kind.is_integer() {
            Role::LockRevision
        } else {
            Role::Plain
        }
    }
}

impl Table {
    /// The runtime features the table's columns need, sorted, without repeats.
    pub fn features(&self) -> Vec<Feature> {
        let mut features: Vec<Feature> = self
            .columns
            .iter()
            .filter_map(|c| c.kind.feature())
            .collect();
        features.sort_unstable();
        features.dedup();
        features
    }
}
