//! What the model templates see: a [`Table`] turned into Rust names, types, SQL and laid-out
//! lines for one driver. Everything that depends on the driver or on a name's length is
//! decided here, so the templates read like the code they write.

use super::crud::links;
use super::imports::braced;
use super::layout::{call, chain, string_literal};
use super::sql::{Lock, Statement};
use super::tests::Tests;
use crate::driver::Driver;
use crate::schema::{Column, Kind, Role, Table};
use serde::Serialize;

/// The variables of templates/model/*.
#[derive(Debug, Serialize)]
pub struct View {
    /// The table's SQL name, exactly as the database spells it.
    pub table: String,
    /// `Blog`, `NewBlog`, `blog`.
    pub model: String,
    pub new_model: String,
    pub module: String,
    pub crate_name: String,
    /// The command that generates the files, recorded in their header (and read by delete).
    pub command: String,
    /// `use` lines of the sqlobject and of the test, sorted as rustfmt sorts them.
    pub imports: Vec<String>,
    pub test_imports: Vec<String>,
    pub fields: Vec<Field>,
    /// The fields of `NewBlog`: the columns callers set.
    pub new_fields: Vec<Field>,
    /// The SQL statements, each a `const`.
    pub statements: Vec<Statement>,
    /// Private helpers for SQLite decimals (`decimal`, `optional_decimal`).
    pub decimal_helpers: Vec<&'static str>,
    /// The key in doc comments, and the laid-out signatures and bodies of the CRUD functions.
    pub key_doc: String,
    pub create_signature: String,
    /// The user's model file's `pub use` of the row types.
    pub reexport: String,
    pub get_signature: String,
    pub remove_signature: String,
    /// The body of the private `key(&self)`: the key as errors show it.
    pub key_text: String,
    /// The lock revision column, when the table has one.
    pub lock: Option<Lock>,
    pub create: String,
    pub get: String,
    pub list: String,
    pub count: String,
    pub update: Option<String>,
    pub remove: String,
    pub timestamps: Vec<String>,
    /// The generated tests' pieces.
    pub tests: Tests,
}

/// One column as a Rust field.
#[derive(Debug, Serialize)]
pub struct Field {
    /// `title`, `r#type`.
    pub name: String,
    /// `String`, `Option<DateTime<Utc>>`.
    pub ty: String,
    /// The doc comment: the SQL type and flags.
    pub doc: String,
    /// The SQL name when serde must spell the field differently.
    pub rename: Option<String>,
    /// The laid-out line(s) of `FromRow` that read it.
    pub decode: String,
}

impl View {
    pub fn new(driver: Driver, table: &Table, parents: &[Table], names: Names) -> View {
        Builder {
            driver,
            table,
            parents,
        }
        .view(names)
    }
}

/// The names a view is built for.
pub struct Names {
    pub model: String,
    pub module: String,
    pub crate_name: String,
    pub command: String,
}

pub(super) struct Builder<'a> {
    pub driver: Driver,
    pub table: &'a Table,
    /// The tables the foreign keys point at, for the test's parent rows.
    pub parents: &'a [Table],
}

impl Builder<'_> {
    fn view(&self, names: Names) -> View {
        let table = self.table;
        let fields = table.columns.iter().map(|c| self.field(c)).collect();
        let new_fields = self.settable().map(|c| self.field(c)).collect();
        let lock = table
            .columns
            .iter()
            .find(|c| c.role() == Role::LockRevision);
        let names_model = names.model.clone();
        let reexport = reexport(&names.module, &names_model);
        let mut view = View {
            table: table.name.clone(),
            new_model: format!("New{}", names.model),
            model: names.model,
            module: names.module,
            crate_name: names.crate_name,
            command: names.command,
            imports: self.imports(),
            test_imports: Vec::new(),
            fields,
            new_fields,
            statements: self.statements(),
            decimal_helpers: self.decimal_helpers(),
            key_doc: self.key_doc(),
            reexport,
            create_signature: call(
                4,
                "pub async fn ",
                "create",
                &["db: &Db".to_owned(), format!("new: &New{}", names_model)],
                " -> Result<Self> {",
            ),
            get_signature: self.signature("get", " -> Result<Option<Self>> {"),
            remove_signature: self.signature("remove", " -> Result<()> {"),
            key_text: self.key_text("self", 8, "", ""),
            lock: lock.map(|c| self.lock(c)),
            create: self.create(),
            get: self.get(),
            list: self.list(),
            count: chain(
                8,
                "let count = ",
                &links("sqlx::query_scalar(COUNT)", &[], ".fetch_one(db)"),
                "?;",
            ),
            update: self.update(),
            remove: self.remove(),
            timestamps: table
                .columns
                .iter()
                .filter(|c| matches!(c.role(), Role::CreatedAt | Role::UpdatedAt))
                .map(Column::field)
                .collect(),
            tests: self.tests(&names_model),
        };
        view.test_imports = self.test_imports(&view);
        view
    }

    /// `pub async fn NAME(db: &Db, KEY...) TAIL`, laid out as rustfmt would.
    fn signature(&self, name: &str, tail: &str) -> String {
        let mut params = vec!["db: &Db".to_owned()];
        params.extend(self.key_params());
        call(4, "pub async fn ", name, &params, tail)
    }

    pub(super) fn key(&self) -> impl Iterator<Item = &Column> {
        self.table
            .primary_key
            .iter()
            .map(|&i| &self.table.columns[i])
    }

    /// The columns callers set: `NewBlog`'s fields, written by create and update.
    pub(super) fn settable(&self) -> impl Iterator<Item = &Column> {
        self.table
            .columns
            .iter()
            .filter(|c| c.role() == Role::Plain)
    }

    fn field(&self, column: &Column) -> Field {
        let name = column.field();
        let bare = name.trim_start_matches("r#");
        let base = column.kind.rust_type();
        let ty = if column.nullable {
            format!("Option<{base}>")
        } else {
            base.to_owned()
        };
        Field {
            doc: doc(column, self.table),
            rename: (bare != column.name).then(|| column.name.clone()),
            decode: self.decode(column, &name),
            name,
            ty,
        }
    }

    /// How `FromRow` reads a column, by its exact SQL name. SQLite has no decimal type
    /// (decimals are stored as text or floats, read back as text and parsed) and no JSON type
    /// sqlx checks against, so both are read without sqlx's type check.
    fn decode(&self, column: &Column, name: &str) -> String {
        let sql = string_literal(&column.name);
        let pad = " ".repeat(12);
        let sqlite = self.driver == Driver::Sqlite;
        match column.kind {
            Kind::Decimal if sqlite => {
                let helper = if column.nullable {
                    "optional_decimal"
                } else {
                    "decimal"
                };
                call(
                    12,
                    &format!("{name}: "),
                    helper,
                    &["row".to_owned(), sql],
                    "?,",
                )
            }
            kind => {
                let get = match kind {
                    Kind::Json if sqlite => "try_get_unchecked",
                    _ => "try_get",
                };
                let line = format!("{pad}{name}: row.{get}({sql})?,");
                if line.len() <= 100 {
                    line
                } else {
                    format!("{pad}{name}: row\n{pad}    .{get}({sql})?,")
                }
            }
        }
    }

    fn decimal_helpers(&self) -> Vec<&'static str> {
        if self.driver != Driver::Sqlite {
            return Vec::new();
        }
        let decimals = || {
            self.table
                .columns
                .iter()
                .filter(|c| c.kind == Kind::Decimal)
        };
        let mut helpers = Vec::new();
        if decimals().any(|c| !c.nullable) {
            helpers.push("decimal");
        }
        if decimals().any(|c| c.nullable) {
            helpers.push("optional_decimal");
        }
        helpers
    }
}

/// `pub use super::sqlobjects::blog::{Blog, NewBlog};`, the list on lines of its own when the
/// line would be too long (as rustfmt lays out a `use`).
fn reexport(module: &str, model: &str) -> String {
    let head = format!("pub use super::sqlobjects::{module}::");
    let items = braced(&[model, &format!("New{model}")]);
    let items = items.trim_start_matches('{').trim_end_matches('}');
    let line = format!("{head}{{{items}}};");
    if line.len() <= 100 {
        line
    } else if items.len() + 5 <= 100 {
        format!("{head}{{\n    {items},\n}};")
    } else {
        let items = items.replace(", ", ",\n    ");
        format!("{head}{{\n    {items},\n}};")
    }
}

/// Whether `column` is part of the table's primary key.
pub fn is_key(table: &Table, column: &Column) -> bool {
    table
        .primary_key
        .iter()
        .any(|&i| table.columns[i].name == column.name)
}

/// The doc comment of a field: its SQL type and what the table says about it.
fn doc(column: &Column, table: &Table) -> String {
    let mut flags = vec![format!("`{}`", column.sql_type)];
    if is_key(table, column) {
        flags.push("primary key".to_owned());
    }
    if column.auto_increment {
        flags.push("set by the database".to_owned());
    }
    if let Some(computed) = &column.generated {
        flags.push(format!(
            "computed by the database as `{}`",
            computed.expression
        ));
    }
    flags.push(
        if column.nullable {
            "nullable"
        } else {
            "not null"
        }
        .to_owned(),
    );
    if column.unique {
        flags.push("unique".to_owned());
    }
    if let Some(default) = &column.default {
        flags.push(format!("default `{default}`"));
    }
    if let Some(fk) = &column.foreign_key {
        flags.push(format!("references `{}({})`", fk.table, fk.column));
    }
    let role = match column.role() {
        Role::CreatedAt => " Set to now on create.",
        Role::UpdatedAt => " Set to now on create and update.",
        Role::LockRevision => " 1 on create, +1 per update: an update of a stale copy is refused.",
        Role::Plain | Role::Generated => "",
    };
    format!("{}.{role}", flags.join(", "))
}
