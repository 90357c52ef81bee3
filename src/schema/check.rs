//! Names that cannot become Rust or portable SQL are refused here, before anything is written.
//!
//! Every column needs a Rust field ([`Column::field`]): the snake_case of its SQL name, a
//! keyword written raw (`r#type`). A field list is held to more, since tspawn writes its names
//! bare into SQL for every driver: plain snake_case, no Rust keyword, no word any driver
//! reserves ([`super::reserved`]), within the driver's identifier limit. A live table keeps
//! its names whatever their case (generated SQL quotes them), but needs a primary key.

use super::{reserved, Column, Table};
use crate::driver::Driver;
use crate::error::Error;
use crate::names::{is_keyword, singular_of};
use heck::ToSnakeCase;
use std::collections::HashMap;

/// Where a table came from, which decides how strict [`check`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Parsed from `name:type` fields by [`super::fields::parse`]: tspawn picks the SQL names.
    FieldList,
    /// Read from the app's dev database: its names are the database's.
    LiveTable,
}

/// Keywords a raw identifier cannot spell (the Reference, "Raw identifiers").
const NOT_RAW: &[&str] = &["self", "super", "crate", "_"];

impl Column {
    /// The Rust field of the column: heck's snake_case of its SQL name (`AlbumId` →
    /// `album_id`, `Title` → `title`), a Rust keyword written as a raw identifier (`r#type`).
    /// [`check`] refuses the names this cannot make a field of (`self`, `2nd`, `größe`).
    pub fn field(&self) -> String {
        let snake = self.name.to_snake_case();
        match is_keyword(&snake) && !NOT_RAW.contains(&snake.as_str()) {
            true => format!("r#{snake}"),
            false => snake,
        }
    }
}

/// Refuses, in one line naming `table.column`, what cannot become the model of `table` on
/// `driver`: a column that makes no Rust field (a digit first, characters other than ASCII
/// letters, digits and '_', `self`/`super`/`crate`), two columns making one field; for
/// `Origin::FieldList` also names that are not plain snake_case, Rust keywords, reserved SQL
/// words, or longer than [`Driver::identifier_limit`]; for `Origin::LiveTable` a table without
/// a primary key.
pub fn check(driver: Driver, table: &Table, origin: Origin) -> Result<(), Error> {
    let fail = |message: String| Err(Error::Schema(message));
    let t = &table.name;
    if origin == Origin::FieldList {
        if let Some(why) = sql_name_problem(driver, t) {
            return fail(format!("table `{t}`: {why}; pick another model name"));
        }
    }
    let mut fields: HashMap<String, &str> = HashMap::new();
    for column in &table.columns {
        let c = &column.name;
        if let Some(why) = field_problem(c) {
            return fail(format!(
                "{t}.{c}: the column name {why}, so it cannot become a Rust field; rename the \
                 column, or make a view that renames it and run tspawn model on the view"
            ));
        }
        if origin == Origin::FieldList {
            let instead = suggestion(driver, table, c);
            if is_keyword(c) {
                return fail(format!(
                    "{t}.{c}: `{c}` is a Rust keyword (the field would be r#{c}); pick another \
                     name{instead}"
                ));
            }
            if let Some(why) = sql_name_problem(driver, c) {
                return fail(format!("{t}.{c}: {why}; pick another name{instead}"));
            }
        }
        if let Some(first) = fields.insert(column.field(), c) {
            return fail(format!(
                "{t}: columns `{first}` and `{c}` both become the Rust field `{}`; rename one \
                 of them, or make a view that renames it and run tspawn model on the view",
                column.field()
            ));
        }
    }
    if origin == Origin::LiveTable && table.primary_key.is_empty() {
        return fail(format!(
            "{t} has no primary key: model needs one to get, update and remove a row; add one \
             with ALTER TABLE {} ADD PRIMARY KEY (...)",
            driver.quote_if_needed(t)
        ));
    }
    Ok(())
}

/// `, e.g. `NAME`` for a field-list column `column` of `table` that [`check`] refuses: its
/// snake_case (`Title` → `title`, `_x` → `x`), else the table's singular before it (`type` →
/// `post_type`), the first of them that [`check`] accepts in its place (no other column of
/// `table` has it or makes it its field); empty when neither is (a name over the length limit
/// only grows). A suggestion is never one that would be refused in turn.
fn suggestion(driver: Driver, table: &Table, column: &str) -> String {
    let snake = column.to_snake_case();
    let candidates = [
        snake.clone(),
        format!("{}_{snake}", singular_of(&table.name)),
    ];
    let accepted = |name: &&String| {
        field_problem(name).is_none()
            && !is_keyword(name)
            && sql_name_problem(driver, name).is_none()
            && (table.columns.iter())
                .filter(|c| c.name != column)
                .all(|c| c.name != **name && c.field() != **name)
    };
    match candidates.iter().find(accepted) {
        Some(name) => format!(", e.g. `{name}`"),
        None => String::new(),
    }
}

/// Why the SQL name `name` cannot become a Rust field, worded to follow "the column name".
fn field_problem(name: &str) -> Option<String> {
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Some(match c {
            ' ' => "holds a space".to_owned(),
            c => format!("holds '{c}' (only ASCII letters, digits and '_' make a field)"),
        });
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("starts with a digit".to_owned());
    }
    let snake = name.to_snake_case();
    if snake.is_empty() {
        return Some("holds no letters or digits".to_owned());
    }
    if NOT_RAW.contains(&snake.as_str()) {
        return Some(format!("makes `{snake}`, which Rust cannot use as a field"));
    }
    None
}

/// Why a field list's table or column name `name` cannot be written bare in SQL on every
/// driver: not plain snake_case, reserved by a driver, or over `driver`'s identifier limit.
fn sql_name_problem(driver: Driver, name: &str) -> Option<String> {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !plain || name.to_snake_case() != name {
        return Some(format!(
            "`{name}` is not snake_case; use lowercase letters, digits and single '_' between \
             words, starting with a letter"
        ));
    }
    let by = reserved::reserved_by(name);
    if !by.is_empty() {
        let labels: Vec<&str> = by.iter().map(|d| d.label()).collect();
        return Some(format!(
            "`{name}` is reserved in SQL ({})",
            labels.join(", ")
        ));
    }
    let limit = driver.identifier_limit()?;
    let length = limit.measure(name);
    (length > limit.max).then(|| {
        format!(
            "`{name}` has {length} {}, over {}",
            limit.unit.as_str(),
            driver.describe_limit().unwrap_or_default()
        )
    })
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
