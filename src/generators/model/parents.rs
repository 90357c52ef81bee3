//! The rows of the tables a model's foreign keys point at, which the generated tests insert
//! with plain SQL (`author_row(db)`), and remove again once the test's row is gone. The
//! request tests of `api` and `scaffold` call the same functions for their NOT NULL foreign
//! keys ([`tables`], then [`for_required_keys`]).
//!
//! A parent's unique and key columns get a value made from the test's `unique()`, as the
//! model's own samples do, so rows of one run, and of earlier runs, never collide; the other
//! columns that need a value get a constant literal. The function gives back the referenced
//! column's value: `RETURNING` on PostgreSQL and SQLite; on MySQL the insert's auto id when
//! the referenced column is the auto-increment one, else the value it just inserted.

use super::crud::{is_copy, links};
use super::layout::{chain, let_str};
use super::samples::{literal, unique_sample};
use super::view::{is_key, Builder};
use crate::app::App;
use crate::driver::Driver;
use crate::error::Error;
use crate::schema::check::Origin;
use crate::schema::{read_table, Column, Kind, Role, Table};
use heck::ToSnakeCase;
use serde::Serialize;

/// A function of the generated test inserting a row into a table a foreign key points at.
#[derive(Debug, Serialize)]
pub struct Parent {
    /// `blog_row`.
    pub function: String,
    pub table: String,
    /// The type of the key it returns (`i64`).
    pub ty: String,
    /// Its body, laid out at 4 spaces; it calls the test's `unique()` when it holds
    /// `unique()`, and takes `db: &Db`.
    pub body: String,
    /// The foreign key columns (SQL names) whose value it gives, in table order.
    pub columns: Vec<String>,
}

/// The tables the foreign keys of `table` point at (those of its columns `needed` keeps; a
/// key to `table` itself is left out), read from the dev database: the generated tests insert
/// a row in each first. Refused in one line when one is not there, saying to run `command`
/// (`tspawn model`) again once it is; `origin` says whether `table` is a field list's (whose
/// parents come with their migrations) or a live table.
pub fn tables(
    app: &App,
    table: &Table,
    (origin, command): (Origin, &str),
    needed: impl Fn(&Column) -> bool,
) -> Result<Vec<Table>, Error> {
    let mut parents: Vec<Table> = Vec::new();
    for column in table.columns.iter().filter(|c| needed(c)) {
        let Some(fk) = &column.foreign_key else {
            continue;
        };
        if fk.table == table.name || parents.iter().any(|p| p.name == fk.table) {
            continue;
        }
        let parent = read_table(app, &fk.table).map_err(|e| {
            let source = match origin {
                Origin::FieldList => "its migration",
                Origin::LiveTable => "it",
            };
            Error::Schema(format!(
                "{}.{} references {}, which the dev database cannot give ({e}): create {source} \
                 first (cargo run migrates), then run {command} again",
                table.name, column.name, fk.table
            ))
        })?;
        parents.push(parent);
    }
    Ok(parents)
}

/// Whether `column` is a NOT NULL foreign key callers set: the request tests of `api` and
/// `scaffold` need a parent row for it (a nullable one they leave null).
pub fn is_required_key(column: &Column) -> bool {
    column.foreign_key.is_some() && !column.nullable && column.role() == Role::Plain
}

/// The functions a request test of `api` or `scaffold` calls so that each NOT NULL foreign
/// key of `table` ([`is_required_key`]) points at a row: one per table they reference
/// (`parents`, read with [`tables`]), laid out for `driver` as the model's tests lay them
/// out. A key whose table is not in `parents` (one to `table` itself) gets none.
pub fn for_required_keys(driver: Driver, table: &Table, parents: &[Table]) -> Vec<Parent> {
    let builder = Builder {
        driver,
        table,
        parents,
    };
    builder.parents_of(is_required_key)
}

/// Whether a value of `kind` made from `n` binds without a feature or helper of its own.
fn plain_bind(kind: Kind) -> bool {
    kind.is_integer() || matches!(kind, Kind::String | Kind::F32 | Kind::F64)
}

impl Builder<'_> {
    /// The test's function giving a row of the table `column` points at, if it is a key.
    pub(super) fn parent_function(&self, column: &Column) -> Option<String> {
        let fk = column.foreign_key.as_ref()?;
        self.parents.iter().any(|p| p.name == fk.table).then(|| {
            let snake = fk.table.to_snake_case();
            format!("{}_row", crate::names::singular_of(&snake))
        })
    }

    /// One function per table the foreign keys point at: it inserts a row with a value in
    /// every column that needs one, and returns the referenced column's value.
    pub(super) fn parents(&self) -> Vec<Parent> {
        self.parents_of(|_| true)
    }

    /// [`Self::parents`] for the foreign keys among the settable columns `wanted` keeps.
    fn parents_of(&self, wanted: impl Fn(&Column) -> bool) -> Vec<Parent> {
        let mut parents: Vec<Parent> = Vec::new();
        for column in self.settable().filter(|c| wanted(c)) {
            let (Some(fk), Some(function)) = (&column.foreign_key, self.parent_function(column))
            else {
                continue;
            };
            if let Some(parent) = parents.iter_mut().find(|p| p.function == function) {
                parent.columns.push(column.name.clone());
                continue;
            }
            let Some(parent) = self.parents.iter().find(|p| p.name == fk.table) else {
                continue;
            };
            parents.push(Parent {
                function,
                table: parent.name.clone(),
                ty: column.kind.rust_type().to_owned(),
                body: self.parent_body(parent, column, &fk.column),
                columns: vec![column.name.clone()],
            });
        }
        parents
    }

    /// The body of a parent's function; `child` is the foreign key column, `target` the
    /// name of the column it references.
    fn parent_body(&self, parent: &Table, child: &Column, target: &str) -> String {
        let q = |name: &str| self.driver.quote_if_needed(name);
        let referenced = parent.columns.iter().find(|c| c.name == target);
        let auto_target = referenced.is_some_and(|c| c.auto_increment);
        let mut names = Vec::new();
        let mut values = Vec::new();
        let mut binds = Vec::new();
        // A natural key's value, bound as `key` and, on MySQL, given back.
        let mut key: Option<String> = None;
        for c in &parent.columns {
            let is_target = c.name == target && !auto_target;
            let needed = !c.nullable && c.default.is_none();
            if c.role() == Role::Generated || !(needed || is_target) {
                continue;
            }
            let distinct = c.unique || is_key(parent, c);
            let bind = if is_target {
                // Of the foreign key's type, sized as the parent's column.
                let typed = Column {
                    kind: child.kind,
                    ..c.clone()
                };
                key = Some(unique_sample(&typed));
                Some(if is_copy(child.kind) { "key" } else { "&key" }.to_owned())
            } else if distinct && plain_bind(c.kind) {
                Some(unique_sample(c))
            } else {
                None
            };
            names.push(q(&c.name));
            match bind {
                Some(bind) => {
                    binds.push(bind);
                    values.push(self.driver.placeholder(binds.len()));
                }
                None => values.push(literal(self.driver, c)),
            }
        }
        let table = q(&parent.name);
        let mut sql = match (names.is_empty(), self.driver) {
            (true, Driver::Mysql) => format!("INSERT INTO {table} () VALUES ()"),
            (true, _) => format!("INSERT INTO {table} DEFAULT VALUES"),
            (false, _) => format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                values.join(", ")
            ),
        };
        let mut body = Vec::new();
        let uses_n = key.is_some() || binds.iter().any(|b| b != "key" && b != "&key");
        if uses_n {
            body.push("    let n = unique();".to_owned());
        }
        if let Some(key) = &key {
            body.push(format!("    let key = {key};"));
        }
        let ty = child.kind.rust_type();
        if self.driver.has_returning() {
            sql.push_str(&format!(" RETURNING {}", q(target)));
            body.push(let_str(4, "sql", &sql));
            let fetch = links("sqlx::query_scalar(sql)", &binds, ".fetch_one(db)");
            body.push(chain(
                4,
                "",
                &[fetch, vec![".unwrap()".to_owned()]].concat(),
                "",
            ));
        } else if key.is_some() {
            body.push(let_str(4, "sql", &sql));
            let run = links("sqlx::query(sql)", &binds, ".execute(db)");
            body.push(chain(
                4,
                "",
                &[run, vec![".unwrap()".to_owned()]].concat(),
                ";",
            ));
            body.push("    key".to_owned());
        } else {
            body.push(let_str(4, "sql", &sql));
            let run = links("sqlx::query(sql)", &binds, ".execute(db)");
            let run = [run, vec![".unwrap()".to_owned()]].concat();
            body.push(chain(4, "let done = ", &run, ";"));
            let cast = match child.kind {
                Kind::U64 => String::new(),
                _ => format!(" as {ty}"),
            };
            body.push(format!("    done.last_insert_id(){cast}"));
        }
        body.join("\n")
    }

    /// The body of the test's `remove_parents(db, new)`: deletes the row each foreign key of
    /// `new` points at (after the test removed its own row), so no test leaves rows behind.
    /// `None` when the table has no parent rows.
    pub(super) fn remove_parents(&self) -> Option<String> {
        let mut body = Vec::new();
        for column in self.settable() {
            let (Some(fk), Some(_)) = (&column.foreign_key, self.parent_function(column)) else {
                continue;
            };
            let q = |name: &str| self.driver.quote_if_needed(name);
            let sql = format!(
                "DELETE FROM {} WHERE {} = {}",
                q(&fk.table),
                q(&fk.column),
                self.driver.placeholder(1)
            );
            body.push(let_str(4, "sql", &sql));
            let value = self.bind_value("new", column);
            let run = links("sqlx::query(sql)", &[value], ".execute(db)");
            body.push(chain(
                4,
                "",
                &[run, vec![".unwrap()".to_owned()]].concat(),
                ";",
            ));
        }
        (!body.is_empty()).then(|| body.join("\n"))
    }
}
