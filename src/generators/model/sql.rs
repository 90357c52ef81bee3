//! The SQL of a model, one statement per `const`: identifiers quoted only when they must be
//! (`Driver::quote_if_needed`), values always bound (`$1` on PostgreSQL, `?` elsewhere),
//! RETURNING where the driver has it (MySQL reads the row back instead).

use super::crud::is_copy;
use super::layout::{chain, let_str, str_const};
use super::view::{is_key, Builder};
use crate::driver::Driver;
use crate::schema::{Column, Kind, Role};
use serde::Serialize;

/// One `const NAME: &str = "SQL";` with its doc comment.
#[derive(Debug, Serialize)]
pub struct Statement {
    pub name: &'static str,
    pub doc: &'static str,
    /// `const NAME: &str = "SQL";`, laid out as rustfmt would; a raw string when the SQL
    /// holds quotes (`r#"SELECT "AlbumId" FROM ..."#`).
    pub line: String,
}

/// The lock revision column (`lock_revision`), nullable or not.
#[derive(Debug, Serialize)]
pub struct Lock {
    /// `lock_revision`.
    pub field: String,
    /// The body of `stale_or_missing`.
    pub stale_or_missing: String,
    /// What a new row holds: `1`, `Some(1)` when nullable.
    pub first: String,
    /// What an update of `row` stores: `row.lock_revision + 1`, or
    /// `row.lock_revision.map(|r| r + 1)` when nullable (create stored 1).
    pub next: String,
    /// Nullable only: test lines setting `row`'s revision to NULL with plain SQL, as rows
    /// written by other programs may have it.
    pub unset: Option<String>,
}

impl Builder<'_> {
    /// The lock revision's pieces. A nullable revision reads NULL as 0 in the stale error.
    pub(super) fn lock(&self, column: &Column) -> Lock {
        let field = column.field();
        let value = match column.nullable {
            true => format!("self.{field}.unwrap_or(0)"),
            false => format!("self.{field}"),
        };
        let revision = match column.kind {
            Kind::I64 => value,
            Kind::U64 => format!("{value} as i64"),
            _ => format!("i64::from({value})"),
        };
        let (first, next) = match column.nullable {
            true => ("Some(1)".to_owned(), format!("row.{field}.map(|r| r + 1)")),
            false => ("1".to_owned(), format!("row.{field} + 1")),
        };
        let unset = column.nullable.then(|| self.unset_revision(column));
        Lock {
            unset,
            stale_or_missing: self.stale_or_missing(&revision),
            field,
            first,
            next,
        }
    }

    /// `let sql = "UPDATE t SET lock_revision = NULL WHERE id = ?";` and its run, binding
    /// `row`'s key.
    fn unset_revision(&self, column: &Column) -> String {
        let sql = format!(
            "UPDATE {} SET {} = NULL WHERE {}",
            self.q(&self.table.name),
            self.q(&column.name),
            self.key_condition(1)
        );
        let mut links = vec!["sqlx::query(sql)".to_owned()];
        for key in self.key() {
            let field = key.field();
            links.push(match is_copy(key.kind) {
                true => format!(".bind(row.{field})"),
                false => format!(".bind(&row.{field})"),
            });
        }
        links.extend([".execute(&db)", ".await", ".unwrap()"].map(str::to_owned));
        format!("{}\n{}", let_str(4, "sql", &sql), chain(4, "", &links, ";"))
    }

    fn q(&self, name: &str) -> String {
        self.driver.quote_if_needed(name)
    }

    fn p(&self, n: usize) -> String {
        self.driver.placeholder(n)
    }

    fn column_list(&self) -> String {
        let names: Vec<String> = self.table.columns.iter().map(|c| self.q(&c.name)).collect();
        names.join(", ")
    }

    /// `id = $1 AND lang = $2`, numbered from `first`.
    fn key_condition(&self, first: usize) -> String {
        let parts: Vec<String> = self
            .key()
            .enumerate()
            .map(|(i, c)| format!("{} = {}", self.q(&c.name), self.p(first + i)))
            .collect();
        parts.join(" AND ")
    }

    /// The SQL, one statement per const.
    pub(super) fn statements(&self) -> Vec<Statement> {
        let t = self.q(&self.table.name);
        let cols = self.column_list();
        let returning = |sql: String| match self.driver.has_returning() {
            true => format!("{sql} RETURNING {cols}"),
            false => sql,
        };
        let order: Vec<String> = self.key().map(|c| self.q(&c.name)).collect();
        let get = format!("SELECT {cols} FROM {t} WHERE {}", self.key_condition(1));
        let list = format!(
            "SELECT {cols} FROM {t} ORDER BY {} LIMIT {} OFFSET {}",
            order.join(", "),
            self.p(1),
            self.p(2)
        );
        let insert_doc = match self.driver.has_returning() {
            true => "Stores a new row and returns it as stored.",
            false => "Stores a new row (MySQL has no RETURNING: `create` reads it back).",
        };
        let mut sql = vec![
            (
                "TABLE",
                "The table, as error messages name it.",
                self.table.name.clone(),
            ),
            ("INSERT", insert_doc, returning(self.insert_sql(&t))),
            ("GET", "The row with a key.", get),
            ("LIST", "A page of rows in key order.", list),
            (
                "COUNT",
                "How many rows there are.",
                format!("SELECT COUNT(*) FROM {t}"),
            ),
        ];
        if let Some(update) = self.update_sql(&t) {
            sql.push(("UPDATE", "Writes a row back.", returning(update)));
        }
        let delete = format!("DELETE FROM {t} WHERE {}", self.key_condition(1));
        sql.push(("DELETE", "Deletes the row with a key.", delete));
        sql.into_iter()
            .map(|(name, doc, text)| Statement {
                name,
                doc,
                line: str_const(name, &text),
            })
            .collect()
    }

    /// `INSERT INTO t (a, b, lock_revision) VALUES ($1, $2, 1)`: the caller's columns, the
    /// timestamps (bound to now) and the revision (1).
    fn insert_sql(&self, t: &str) -> String {
        let mut names = Vec::new();
        let mut values = Vec::new();
        let mut n = 0;
        for column in &self.table.columns {
            let value = match column.role() {
                Role::Generated => continue,
                Role::LockRevision => "1".to_owned(),
                _ => {
                    n += 1;
                    self.p(n)
                }
            };
            names.push(self.q(&column.name));
            values.push(value);
        }
        if names.is_empty() {
            return match self.driver {
                Driver::Mysql => format!("INSERT INTO {t} () VALUES ()"),
                _ => format!("INSERT INTO {t} DEFAULT VALUES"),
            };
        }
        format!(
            "INSERT INTO {t} ({}) VALUES ({})",
            names.join(", "),
            values.join(", ")
        )
    }

    /// `UPDATE t SET a = $1, updated_at = $2, lock_revision = lock_revision + 1 WHERE id = $3
    /// AND lock_revision = $4`; `None` when there is nothing to set (a table of key columns).
    /// A nullable revision (TreeFrog's tutorial table) counts NULL as 0 and is compared
    /// null-safely: `COALESCE(lock_revision, 0) + 1`, `lock_revision IS NOT DISTINCT FROM $4`.
    fn update_sql(&self, t: &str) -> Option<String> {
        let mut sets = Vec::new();
        let mut n = 0;
        let mut lock = None;
        for column in &self.table.columns {
            let name = self.q(&column.name);
            match column.role() {
                Role::Plain if is_key(self.table, column) => {}
                Role::Plain | Role::UpdatedAt => {
                    n += 1;
                    sets.push(format!("{name} = {}", self.p(n)));
                }
                Role::LockRevision if column.nullable => {
                    sets.push(format!("{name} = COALESCE({name}, 0) + 1"));
                    lock = Some((name, self.null_safe_equals()));
                }
                Role::LockRevision => {
                    sets.push(format!("{name} = {name} + 1"));
                    lock = Some((name, "="));
                }
                Role::Generated | Role::CreatedAt => {}
            }
        }
        if sets.is_empty() {
            return None;
        }
        let mut condition = self.key_condition(n + 1);
        if let Some((lock, equals)) = lock {
            let next = self.p(n + self.table.primary_key.len() + 1);
            condition.push_str(&format!(" AND {lock} {equals} {next}"));
        }
        Some(format!(
            "UPDATE {t} SET {} WHERE {condition}",
            sets.join(", ")
        ))
    }

    /// The driver's `=` that holds for two NULLs too.
    fn null_safe_equals(&self) -> &'static str {
        match self.driver {
            Driver::Postgresql => "IS NOT DISTINCT FROM",
            Driver::Mysql => "<=>",
            Driver::Sqlite => "IS",
        }
    }
}
