//! The SQL of a model, one statement per `const`: identifiers quoted only when they must be
//! (`Driver::quote_if_needed`), values always bound (`$1` on PostgreSQL, `?` elsewhere),
//! RETURNING where the driver has it (MySQL reads the row back instead).

use super::layout::str_const;
use super::view::{is_key, Builder};
use crate::driver::Driver;
use crate::schema::Role;
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

impl Builder<'_> {
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
                Role::LockRevision => {
                    sets.push(format!("{name} = {name} + 1"));
                    lock = Some(name);
                }
                Role::Generated | Role::CreatedAt => {}
            }
        }
        if sets.is_empty() {
            return None;
        }
        let mut condition = self.key_condition(n + 1);
        if let Some(lock) = lock {
            let next = self.p(n + self.table.primary_key.len() + 1);
            condition.push_str(&format!(" AND {lock} = {next}"));
        }
        Some(format!(
            "UPDATE {t} SET {} WHERE {condition}",
            sets.join(", ")
        ))
    }
}
