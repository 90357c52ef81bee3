//! Field lists: `tspawn model post title:string{80} body:text:optional author:references`
//! becomes the [`Table`] the migration creates and the model is generated from.
//!
//! Grammar of one field: `name:type[:modifier...]`, where
//! - `type` is one of [`TYPES`] (`boolean`, `timestamp` and `belongs_to` are aliases), with a
//!   length for strings, `string{80}` (Rails' spelling; the default is 255), and precision and
//!   scale for decimals, `decimal{10-2}` (also `{10.2}`, or `{10,2}` quoted from the shell's
//!   brace expansion; the default is 18-6);
//! - a modifier is `required` (NOT NULL, the default, allowed for clarity), `optional` (NULL
//!   allowed) or `unique` (`uniq`); Loco's `string!` (required) and `string^` (unique) work too.
//!
//! Every table also gets, as TreeFrog's tables have: `id` first (the driver's auto-numbered
//! 64-bit key, [`Driver::id_column`]), and after the fields `created_at` and `updated_at`
//! (date-times the model fills in) and `lock_revision` (INTEGER NOT NULL DEFAULT 1, optimistic
//! locking). The SQL type of each field type per driver is in `types::sql_type`: PostgreSQL
//! NUMERIC and TIMESTAMPTZ, MySQL DATETIME(6) and BINARY(16) for uuid, SQLite DECIMAL (stored
//! as REAL: 15 significant digits) and DATETIME.
//!
//! Names are checked by [`super::check`] (snake_case, no keywords, no reserved SQL words).

use super::{Column, ForeignKey, Kind, Table};
use crate::driver::Driver;
use crate::error::Error;
use crate::names::plural_of;
use types::{integer_kind, kind_of, parse_type, sql_type, type_word, Type};

mod types;

/// The field types, as messages list them.
pub const TYPES: &[&str] = &[
    "string",
    "text",
    "integer",
    "bigint",
    "float",
    "decimal",
    "bool",
    "date",
    "datetime",
    "uuid",
    "json",
    "references",
];

/// The columns every field-list table gets without asking.
pub const AUTOMATIC: &[&str] = &["id", "created_at", "updated_at", "lock_revision"];

/// The longest `string{n}`: MySQL's VARCHAR holds 65,535 bytes a row, 16,383 characters of
/// utf8mb4 (MySQL manual, "String Data Type Syntax").
pub const MAX_STRING: u32 = 16_383;

/// The longest `string{n}:unique`: InnoDB's index key holds 3,072 bytes, 768 characters of
/// utf8mb4 (MySQL manual, "InnoDB Limits").
pub const MAX_UNIQUE_STRING: u32 = 768;

/// The most digits of a `decimal{p-s}`: rust_decimal holds 28 significant digits.
pub const MAX_PRECISION: u32 = 28;

const GRAMMAR: &str =
    "write each field as name:type[:modifier], e.g. title:string body:text:optional";

/// The table `table` (its SQL name, e.g. `posts`) as the field list `specs` describes it, for
/// `driver`. Errors (one line each, [`Error::Schema`]): no fields, a field without a type, an
/// unknown type or modifier (the message lists the valid ones), a bad length or precision, a
/// field given twice, a field tspawn adds itself ([`AUTOMATIC`]), `required` with `optional`,
/// `unique` on text or json, which MySQL cannot index whole.
pub fn parse(driver: Driver, table: &str, specs: &[String]) -> Result<Table, Error> {
    if specs.is_empty() {
        return Err(Error::Schema(format!("no fields given; {GRAMMAR}")));
    }
    let id = Column {
        auto_increment: true,
        ..column("id", id_type(driver), Kind::I64)
    };
    let mut columns = vec![id];
    for spec in specs {
        let field = field(driver, spec).map_err(|why| Error::Schema(format!("`{spec}`: {why}")))?;
        if let Some(twice) = columns.iter().find(|c| c.name == field.name) {
            return Err(Error::Schema(
                match AUTOMATIC.contains(&twice.name.as_str()) {
                    true => automatic(spec, &twice.name),
                    false => format!("`{}` is given twice; give each field once", twice.name),
                },
            ));
        }
        if let Some(auto) = AUTOMATIC.iter().find(|a| **a == field.name) {
            return Err(Error::Schema(automatic(spec, auto)));
        }
        columns.push(field);
    }
    let datetime = sql_type(driver, Type::Datetime);
    columns.push(column("created_at", datetime.clone(), Kind::DateTime));
    columns.push(column("updated_at", datetime, Kind::DateTime));
    let (integer, kind) = (sql_type(driver, Type::Integer), integer_kind(driver));
    columns.push(Column {
        default: Some("1".to_owned()),
        ..column("lock_revision", integer, kind)
    });
    Ok(Table {
        name: table.to_owned(),
        columns,
        primary_key: vec![0],
    })
}

/// The field list spelling of a column [`parse`] made (`title:string{80}:optional`), for the
/// migration's comment; `None` for the columns tspawn adds itself.
pub fn spec(column: &Column) -> Option<String> {
    if AUTOMATIC.contains(&column.name.as_str()) {
        return None;
    }
    let upper = column.sql_type.to_ascii_uppercase();
    let (name, ty) = match column.kind {
        _ if column.foreign_key.is_some() => {
            let name = column.name.strip_suffix("_id").unwrap_or(&column.name);
            (name, "references".to_owned())
        }
        Kind::String => match column.max_length {
            Some(255) => (column.name.as_str(), "string".to_owned()),
            Some(n) => (column.name.as_str(), format!("string{{{n}}}")),
            None => (column.name.as_str(), "text".to_owned()),
        },
        Kind::I64 if upper == "BIGINT" => (column.name.as_str(), "bigint".to_owned()),
        Kind::Decimal => match column.numeric {
            Some((18, 6)) | None => (column.name.as_str(), "decimal".to_owned()),
            Some((p, s)) => (column.name.as_str(), format!("decimal{{{p}-{s}}}")),
        },
        kind => {
            let ty = match kind {
                Kind::I32 | Kind::I64 => "integer",
                Kind::F64 => "float",
                Kind::Bool => "bool",
                Kind::Date => "date",
                Kind::DateTime => "datetime",
                Kind::Uuid => "uuid",
                Kind::Json => "json",
                _ => return None,
            };
            (column.name.as_str(), ty.to_owned())
        }
    };
    let optional = if column.nullable { ":optional" } else { "" };
    let unique = if column.unique { ":unique" } else { "" };
    Some(format!("{name}:{ty}{optional}{unique}"))
}

fn automatic(spec: &str, name: &str) -> String {
    format!(
        "`{spec}`: {name} is added to every field-list table for you (id, created_at, \
         updated_at, lock_revision); leave it out"
    )
}

/// One field's column, or why it is wrong (without the spec, which the caller prefixes).
fn field(driver: Driver, spec: &str) -> Result<Column, String> {
    let mut parts = spec.split(':');
    let name = parts.next().unwrap_or_default();
    let Some(ty) = parts.next().filter(|t| !t.is_empty()) else {
        return Err(match name.is_empty() {
            true => format!("the field has no name; {GRAMMAR}"),
            false => format!("`{name}` has no type; {GRAMMAR}"),
        });
    };
    if name.is_empty() {
        return Err(format!("the field has no name; {GRAMMAR}"));
    }
    let marks = ty.len() - ty.trim_end_matches(['!', '^']).len();
    let (ty, marks) = ty.split_at(ty.len() - marks);
    let ty = parse_type(ty)?;
    let (mut required, mut optional) = (marks.contains('!'), false);
    let mut unique = marks.contains('^');
    for modifier in parts {
        match modifier.to_ascii_lowercase().as_str() {
            "required" => required = true,
            "optional" => optional = true,
            "unique" | "uniq" => unique = true,
            other => {
                return Err(format!(
                    "unknown modifier `{other}`; use required, optional or unique"
                ))
            }
        }
    }
    if required && optional {
        return Err("it is both required and optional; give one of them".to_owned());
    }
    if unique {
        match ty {
            Type::Text | Type::Json => {
                return Err(format!(
                    "{} cannot be unique (MySQL cannot index it whole); use \
                     string{{n}}:unique, n up to {MAX_UNIQUE_STRING}",
                    type_word(ty)
                ))
            }
            Type::String(n) if n > MAX_UNIQUE_STRING => {
                return Err(format!(
                    "a unique string holds at most {MAX_UNIQUE_STRING} characters (MySQL's \
                     index limit of 3072 bytes); use string{{{MAX_UNIQUE_STRING}}} or less"
                ))
            }
            _ => {}
        }
    }
    let (name, kind) = match ty {
        Type::References => {
            let name = name.strip_suffix("_id").unwrap_or(name);
            (format!("{name}_id"), Kind::I64)
        }
        _ => (name.to_owned(), kind_of(driver, ty)),
    };
    let foreign_key = (ty == Type::References).then(|| ForeignKey {
        table: plural_of(name.strip_suffix("_id").unwrap_or(&name)),
        column: "id".to_owned(),
    });
    Ok(Column {
        nullable: optional,
        unique,
        max_length: match ty {
            Type::String(n) => Some(n),
            _ => None,
        },
        numeric: match ty {
            Type::Decimal(p, s) => Some((p, s)),
            _ => None,
        },
        foreign_key,
        ..column(&name, sql_type(driver, ty), kind)
    })
}

/// The SQL type of the `id` column (what the catalog reports for [`Driver::id_column`]).
fn id_type(driver: Driver) -> String {
    match driver {
        Driver::Sqlite => "INTEGER",
        _ => "BIGINT",
    }
    .to_owned()
}

/// A NOT NULL column with nothing else set.
fn column(name: &str, sql_type: String, kind: Kind) -> Column {
    Column {
        name: name.to_owned(),
        sql_type,
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

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
