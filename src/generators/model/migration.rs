//! The migration `tspawn model` writes for a table, and what it refuses: a field list whose
//! migration was written for other fields.

use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::schema::check::Origin;
use crate::schema::{ddl, fields, Table};

/// The migration the plan writes, `(file name, SQL)`: a field list's `CREATE TABLE`; for a
/// live table a `CREATE TABLE IF NOT EXISTS` when no migration in db/migrations creates it yet
/// ([`creates`]). A migration that is there is never rewritten: it is planned again only when
/// it is still exactly what tspawn wrote (so a rerun says `identical` and delete can find it).
/// A field list whose migration differs is refused when `refuse` (the model would have
/// columns the table lacks): the table is changed by a migration of the user's, then read.
pub(super) fn migration(
    app: &App,
    ctx: &Context,
    table: &Table,
    (origin, refuse): (Origin, bool),
) -> Result<Option<(String, String)>, Error> {
    let dir = app.root.join("db/migrations");
    let description = format!("create_{}", table.name.to_lowercase());
    let sql = ddl::create_table(app.driver, table, origin == Origin::LiveTable);
    let name = app.migrations().name(&description, ctx.now);
    match std::fs::read_to_string(dir.join(&name)) {
        Ok(existing) if existing.replace("\r\n", "\n") == sql => Ok(Some((name, sql))),
        Ok(existing) if refuse && origin == Origin::FieldList => Err(Error::Schema(format!(
            "db/migrations/{name} was written for other fields: write a migration that alters \
             the table (e.g. {}), run the app to apply it (cargo run), then tspawn model {} \
             (from the table)",
            alter(app, table, &existing),
            table.name
        ))),
        Ok(_) => Ok(None),
        Err(_) if origin == Origin::LiveTable && creates(&dir, app, &table.name) => Ok(None),
        Err(_) => Ok(Some((name, sql))),
    }
}

/// An `ALTER TABLE` adding a column of `table` that the field list recorded on the first line
/// of the `existing` migration (`-- Created by tspawn model post title:string`) lacks, or a
/// generic one. `DEFAULT ...`: a NOT NULL column added to a table needs a value for old rows.
fn alter(app: &App, table: &Table, existing: &str) -> String {
    let q = |name: &str| app.driver.quote_if_needed(name);
    let old = existing
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("-- Created by "));
    let old = old.and_then(|command| {
        let specs: Vec<String> = command.split(' ').skip(3).map(str::to_owned).collect();
        fields::parse(app.driver, &table.name, &specs).ok()
    });
    let added = old.and_then(|old| {
        let has = |name: &str| old.columns.iter().any(|c| c.name == name);
        table.columns.iter().find(|c| !has(&c.name))
    });
    let Some(column) = added else {
        return format!("ALTER TABLE {} ...", q(&table.name));
    };
    let mut def = format!("{} {}", q(&column.name), column.sql_type);
    if !column.nullable {
        def.push_str(" NOT NULL");
    }
    match &column.default {
        Some(default) => def.push_str(&format!(" DEFAULT {default}")),
        None if !column.nullable => def.push_str(" DEFAULT ..."),
        None => {}
    }
    format!("ALTER TABLE {} ADD COLUMN {def}", q(&table.name))
}

/// Whether a migration in `dir` creates `table`: one named `<version>_create_<table>.sql`, or
/// one holding `CREATE TABLE [IF NOT EXISTS] <table>` (any case, the name bare and followed by
/// a space or `(`, or quoted), so neither `blogs` nor `blog_entries` counts for `blog`.
fn creates(dir: &std::path::Path, app: &App, table: &str) -> bool {
    let table = table.to_lowercase();
    let file = format!("_create_{table}.sql");
    let quoted = [
        app.driver.quote(&table),
        format!("\"{table}\""),
        format!("`{table}`"),
    ];
    let names_it = |rest: &str| {
        let rest = rest.strip_prefix("if not exists ").unwrap_or(rest);
        quoted.iter().any(|q| rest.starts_with(&q.to_lowercase()))
            || rest
                .strip_prefix(table.as_str())
                .is_some_and(|after| after.is_empty() || after.starts_with([' ', '(']))
    };
    let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
    entries.into_iter().any(|entry| {
        let name = entry.file_name().to_string_lossy().to_lowercase();
        let sql = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let sql = sql
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        name.ends_with(&file) || sql.split("create table ").skip(1).any(names_it)
    })
}
