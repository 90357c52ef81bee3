//! `tspawn --show-tables [--columns]`: the tables of the app's database in the shape of
//! TreeFrog's listing ("Available tables:" then one name a line, indented), and with
//! `--columns` each table's columns: name, SQL type, Rust type, flags.

use super::read::Described;
use super::session::Session;
use super::Column;
use crate::app::App;
use crate::error::Error;

/// The listing for stdout, and a note for people when the database has no tables (`None`
/// otherwise).
///
/// Errors: those of opening the database ([`super::read::ReadError`]); a column without a Rust type is
/// listed as `(no mapping)`, not an error.
pub fn show_tables(app: &App, columns: bool) -> Result<(String, Option<String>), Error> {
    let mut session = Session::open(app)?;
    let tables = session.user_tables()?;
    let mut text = String::from("Available tables:\n");
    for table in &tables {
        text.push_str(&format!("  {table}\n"));
        if columns {
            let described = session.describe(table)?;
            text.push_str(&column_rows(&described));
        }
    }
    let note = tables.is_empty().then(|| {
        format!(
            "{} has no tables yet: write a migration and run the app (cargo run), or use a \
             field list: tspawn model post title:string",
            session.database
        )
    });
    Ok((text, note))
}

/// One aligned row per column: `    title  VARCHAR(20)  String  default 'x'`.
fn column_rows(described: &Described) -> String {
    let table = &described.table;
    let rows: Vec<[String; 4]> = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let rust = if described.unmapped[index] {
                "(no mapping)".to_owned()
            } else if column.nullable {
                format!("Option<{}>", column.kind.rust_type())
            } else {
                column.kind.rust_type().to_owned()
            };
            let key = table.primary_key.iter().position(|&k| k == index);
            let flags = flags(column, key, table.primary_key.len());
            [column.name.clone(), column.sql_type.clone(), rust, flags]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (name, sql, rust) = (width(0), width(1), width(2));
    rows.iter()
        .map(|[n, s, r, f]| {
            let line = format!("    {n:name$}  {s:sql$}  {r:rust$}  {f}");
            format!("{}\n", line.trim_end())
        })
        .collect()
}

/// `primary key` (`primary key 2` in a composite key), `auto`, `unique`, `default X`,
/// `references t(c)`, `generated stored (expr)`, comma-separated.
fn flags(column: &Column, key: Option<usize>, key_len: usize) -> String {
    let mut flags = Vec::new();
    match key {
        Some(_) if key_len == 1 => flags.push("primary key".to_owned()),
        Some(n) => flags.push(format!("primary key {}", n + 1)),
        None => {}
    }
    if column.auto_increment {
        flags.push("auto".to_owned());
    }
    if column.unique {
        flags.push("unique".to_owned());
    }
    if let Some(default) = &column.default {
        flags.push(format!("default {default}"));
    }
    if let Some(fk) = &column.foreign_key {
        flags.push(format!("references {}({})", fk.table, fk.column));
    }
    if let Some(computed) = &column.generated {
        let how = if computed.stored { "stored" } else { "virtual" };
        flags.push(format!("generated {how} ({})", computed.expression));
    }
    flags.join(", ")
}
