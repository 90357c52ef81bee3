//! What the generators that give each row of a table a URL share (`api`, `scaffold`): the
//! model's names from the table, the key columns a URL can carry, how a handler spells that
//! key (axum's `Path<...>` and the model's `get(db, ...)` arguments), and the model and form
//! planned before their own files.

use super::model::{self, ModelRequest};
use super::{validator, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::schema::{Column, Kind, Role, Table};

/// `own` (a controller's files, for model `name`) after the plans it builds on, as one plan:
/// the model's (`model`: on every run, so the sqlobject follows a column added since; the
/// user's model file stays) and the form of `table` (`validator::from_table`, kept when the
/// user has it). Refused in one line, before anything is planned, when the form the user has
/// lacks a field the table has: the controller reading it would not compile.
pub fn with_model_and_form(
    ctx: &Context,
    app: &App,
    (table, name): (&Table, &str),
    model: &ModelRequest,
    mut own: Generated,
) -> Result<Generated, Error> {
    let form_name = Name::parse(NameKind::Validator, name)?;
    let fields: Vec<(String, String)> = table
        .columns
        .iter()
        .filter(|c| c.role() == Role::Plain)
        .map(|c| (c.field(), validator::field_type(c)))
        .collect();
    let form = format!("{}Form", form_name.pascal());
    validator::refuse_missing_fields(app, &form_name.snake(), &form, &fields)?;
    let parts = [
        model::generate(ctx, model)?,
        validator::from_table(ctx, &form_name, table, false)?,
    ];
    let mut plan = Plan::default();
    let mut notes = Vec::new();
    for part in parts {
        plan.actions.extend(part.plan.actions);
        notes.extend(part.note);
    }
    plan.actions.append(&mut own.plan.actions);
    own.plan = plan;
    own.note = (!notes.is_empty()).then(|| notes.join("\n"));
    Ok(own)
}

/// The model's type and module: from `model` when given, else the table's name made singular
/// (`blog_entries` → `BlogEntry`, `blog_entry`), as `tspawn model` names them. A table name
/// that cannot become one is refused with how to give a model name (`tspawn SUB TABLE MODEL`).
pub fn model_names(
    model: Option<&Name>,
    table: &Table,
    sub: &str,
) -> Result<(String, String), Error> {
    if let Some(model) = model {
        return Ok((model.pascal(), model.snake()));
    }
    let parsed = Name::parse(NameKind::Model, &table.name).map_err(|e| {
        Error::Schema(format!(
            "{e}; give the model's name after the table: tspawn {sub} {} MODEL",
            table.name
        ))
    })?;
    Ok((parsed.singular_pascal(), parsed.singular_snake()))
}

/// The key columns in key order, or why a URL cannot name a row (said for `tspawn SUB`): a
/// table without a primary key, or a key column that is not an integer, text or a UUID
/// (bytes, JSON, dates have no one spelling in a path segment).
pub fn url_key<'t>(table: &'t Table, sub: &str) -> Result<Vec<&'t Column>, Error> {
    if table.primary_key.is_empty() {
        return Err(Error::Schema(format!(
            "table {} has no primary key, so no URL can name one of its rows; add one \
             (ALTER TABLE ... ADD PRIMARY KEY) and run tspawn {sub} again",
            table.name
        )));
    }
    let key: Vec<&Column> = table
        .primary_key
        .iter()
        .map(|&i| &table.columns[i])
        .collect();
    if let Some(column) = key
        .iter()
        .find(|c| !(c.kind.is_integer() || matches!(c.kind, Kind::String | Kind::Uuid)))
    {
        return Err(Error::Schema(format!(
            "{}.{} ({}) cannot be a URL segment: tspawn {sub} takes keys of integers, text and \
             UUIDs",
            table.name, column.name, column.sql_type
        )));
    }
    Ok(key)
}

/// How a handler spells a row's key.
pub struct KeyShape {
    /// `Path<T>`'s type: `i64`, `(String, i32)`.
    pub path_type: String,
    /// The pattern that destructures it: `id`, `(lang, number)`.
    pub pattern: String,
    /// The arguments of the model's `get` and `remove`: `id`, `&lang, number`.
    pub args: String,
}

/// The [`KeyShape`] of `key` (from [`url_key`]): one path segment per key column, text as
/// `String` (borrowed as `&str` by the model).
pub fn key_shape(key: &[&Column]) -> KeyShape {
    let path_type = |c: &Column| match c.kind {
        Kind::String => "String".to_owned(),
        kind => kind.rust_type().to_owned(),
    };
    let fields: Vec<String> = key.iter().map(|c| c.field()).collect();
    let (path_type, pattern) = match key {
        [one] => (path_type(one), one.field()),
        _ => {
            let types: Vec<String> = key.iter().map(|c| path_type(c)).collect();
            (
                format!("({})", types.join(", ")),
                format!("({})", fields.join(", ")),
            )
        }
    };
    let args: Vec<String> = key
        .iter()
        .map(|c| match c.kind {
            Kind::String => format!("&{}", c.field()),
            _ => c.field(),
        })
        .collect();
    KeyShape {
        path_type,
        pattern,
        args: args.join(", "),
    }
}
