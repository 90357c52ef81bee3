//! `tspawn api TABLE [MODEL]` (alias `a`): a JSON controller over the model of a table.
//!
//! Written for table `blog` (model `Blog`):
//! - src/controllers/blog_api.rs: `routes()` and one handler per route (the user's once
//!   written; its first line records the command):
//!   `GET /api/blog?page=&per_page=` (a page of rows: `{"items": [...], "page", "per_page",
//!   "total", "pages"}`), `POST /api/blog` (`201 Created` + `Location`), and `GET`, `PUT`,
//!   `PATCH`, `DELETE /api/blog/ID` (`200`, `204` for DELETE). A composite key is one path
//!   segment per key column, in key order: `/api/order_line/ORDER_ID/LINE_NO`.
//!   Every error answers the one envelope
//!   `{"error": {"status": 422, "message": "...", "fields": {"title": ["..."]}}}`
//!   (`fields` empty unless the table's rules failed): 404 missing row, 422 rules (the
//!   validator's form) or a body that is not an object of the right types, 409 a stale
//!   `lock_revision` (PUT and PATCH must send the one they read), 415 a body that is not JSON
//!   (`Content-Type` not `application/json`), 400 malformed JSON or query string;
//! - tests/blog_api.rs: a request test per status through the app's router;
//! - the model (`tspawn model TABLE [MODEL]`'s plan) when src/models/sqlobjects/blog.rs does
//!   not exist yet, and the validator (`tspawn validator blog`'s plan: the form's rules come
//!   from NOT NULL and VARCHAR(n)), kept when it exists;
//! - `pub mod blog_api;` in src/controllers/mod.rs, its routes merged in src/routes.rs and the
//!   runtime features `json` and `validation` in Cargo.toml.

use super::model::{self, ModelRequest, Source};
use super::{validator, Claims, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::schema::check::{check, Origin};
use crate::schema::{read_table, Column, Kind, Role, Table};
use crate::templates::render;
use serde::Serialize;
use std::path::PathBuf;

/// `tspawn api TABLE [MODEL]`: the table as the database spells it and the model's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub table: String,
    pub model: Option<Name>,
}

impl ApiRequest {
    /// The command line recorded on the controller's first line.
    pub fn command(&self) -> String {
        match &self.model {
            Some(model) => format!("tspawn api {} {}", self.table, model.as_str()),
            None => format!("tspawn api {}", self.table),
        }
    }
}

/// What templates/api sees.
#[derive(Serialize)]
struct ApiView {
    command: String,
    crate_name: String,
    /// `blog`: the model's module, the URL's segment and the controller's stem.
    name: String,
    /// `Blog`, `NewBlog`, `BlogForm`, the table.
    model: String,
    new_model: String,
    /// `Blog, NewBlog`, sorted as rustfmt sorts them.
    model_imports: String,
    form: String,
    table: String,
    /// The key columns, in key order.
    key: Vec<KeyPart>,
    /// `Path<i64>`'s type and pattern: `i64` / `id`, `(String, i32)` / `(lang, number)`.
    key_type: String,
    key_pattern: String,
    /// The arguments of `get` and `remove`: `id`, `&lang, number`.
    key_args: String,
    /// The columns callers set (the form's and `NewX`'s fields).
    fields: Vec<String>,
    /// `lock_revision`'s field, when the table has one.
    lock: Option<String>,
    /// Whether that column is nullable (`Option<i64>`: TreeFrog's blog has `lock_revision
    /// INTEGER`).
    lock_optional: bool,
    /// `use` lines the key types need.
    imports: Vec<String>,
    /// One valid body for the tests: `"title": "x"` pairs, and a value too long to pass.
    sample: Vec<String>,
    /// Whether a sample value comes from `unique()` (key or UNIQUE columns callers set).
    uses_unique: bool,
    /// Whether the controller needs `segment` (a text key).
    text_key: bool,
    /// `let location = format!(...);` laid out.
    location: String,
    invalid: Option<(String, String, String)>,
    /// A required text column and its message.
    required: Option<(String, String)>,
    /// The `.merge(...)` line fits in 100 columns.
    merge_fits: bool,
}

#[derive(Serialize)]
struct KeyPart {
    field: String,
    column: String,
    /// Set by callers (not the database): a body cannot change it, the URL's stays.
    plain: bool,
    /// Text, percent-encoded in `Location`.
    text: bool,
    /// How `Location` shows it: `row.id`, `segment(&row.code)`.
    location: String,
}

/// The plan for `tspawn api`. Refused in one line when the table has no primary key or a key
/// column a URL cannot carry (bytes, JSON, dates: only integers, text and UUIDs), and as
/// `tspawn model` refuses a table.
pub fn generate(ctx: &Context, request: &ApiRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = read_table(&app, &request.table)?;
    check(app.driver, &table, Origin::LiveTable)?;
    let name = names(request, &table)?.1;
    key(&table)?;
    let mut parts = Vec::new();
    if !app
        .root
        .join(format!("src/models/sqlobjects/{name}.rs"))
        .is_file()
    {
        let request = ModelRequest {
            source: Source::Table(request.table.clone()),
            model: request.model.clone(),
            sqlobject_only: false,
        };
        parts.push(model::generate(ctx, &request)?);
    }
    parts.push(validator::generate(
        ctx,
        &Name::parse(NameKind::Validator, &name)?,
    )?);
    let mut own = build(ctx, request)?;
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

/// The api's own files and injections (no model, no validator), for [`generate`] and `delete`.
pub fn build(ctx: &Context, request: &ApiRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = read_table(&app, &request.table)?;
    let (model, name) = names(request, &table)?;
    let key = key(&table)?;
    let view = view(request, &app.crate_name, &table, (model, name.clone()), key);
    let module = format!("{name}_api");
    let mut plan = Plan::default();
    plan.file(
        format!("src/controllers/{module}.rs"),
        render("api/api.rs.jinja", &view)?,
    );
    plan.inject(
        "src/controllers/mod.rs",
        "tspawn:modules",
        format!("pub mod {module};"),
    );
    let route = render("api/route.rs.jinja", &view)?;
    let call = format!("crate::controllers::{module}::routes()");
    plan.inject_unless("src/routes.rs", "tspawn:routes", route, call);
    plan.generated_file(
        format!("tests/{module}.rs"),
        render("api/test.rs.jinja", &view)?,
    );
    plan.enable_features("Cargo.toml", "tspawn-runtime", &["json", "validation"]);
    Ok(Generated {
        base: app.root,
        plan,
        note: None,
        next_steps: Some(format!(
            "next: cargo test --test {module}, then cargo run and curl \
             http://localhost:8800/api/{name}"
        )),
        claims: Claims {
            name: Name::parse(NameKind::Validator, &name)?,
            driver: app.driver,
            identifiers: Vec::new(),
            in_app: true,
            app_dir: PathBuf::new(),
            crate_name: app.crate_name,
        },
    })
}

/// The model's type and module: from MODEL when given, else the table's name made singular
/// (`blog_entries` → `BlogEntry`, `blog_entry`), as `tspawn model` names them.
fn names(request: &ApiRequest, table: &Table) -> Result<(String, String), Error> {
    if let Some(model) = &request.model {
        return Ok((model.pascal(), model.snake()));
    }
    let parsed = Name::parse(NameKind::Model, &table.name).map_err(|e| {
        Error::Schema(format!(
            "{e}; give the model's name after the table: tspawn api {} MODEL",
            table.name
        ))
    })?;
    Ok((parsed.singular_pascal(), parsed.singular_snake()))
}

/// The command recorded on an api controller's first line
/// (`// Generated by `tspawn api blog`: yours to edit.`), for `delete`.
pub fn recorded(text: &str) -> Option<ApiRequest> {
    let command = text.lines().next()?.split('`').nth(1)?;
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["tspawn", "api" | "a", table] => Some(ApiRequest {
            table: (*table).to_owned(),
            model: None,
        }),
        ["tspawn", "api" | "a", table, model] => Some(ApiRequest {
            table: (*table).to_owned(),
            model: Some(Name::parse(NameKind::Model, model).ok()?),
        }),
        _ => None,
    }
}

/// The key columns, or why a URL cannot name a row.
fn key(table: &Table) -> Result<Vec<&Column>, Error> {
    if table.primary_key.is_empty() {
        return Err(Error::Schema(format!(
            "table {} has no primary key, so no URL can name one of its rows; add one \
             (ALTER TABLE ... ADD PRIMARY KEY) and run tspawn api again",
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
            "{}.{} ({}) cannot be a URL segment: tspawn api takes keys of integers, text and \
             UUIDs",
            table.name, column.name, column.sql_type
        )));
    }
    Ok(key)
}

fn view(
    request: &ApiRequest,
    crate_name: &str,
    table: &Table,
    (model, name): (String, String),
    key: Vec<&Column>,
) -> ApiView {
    let path_type = |c: &Column| match c.kind {
        Kind::String => "String".to_owned(),
        kind => kind.rust_type().to_owned(),
    };
    let fields: Vec<String> = key.iter().map(|c| c.field()).collect();
    let (key_type, key_pattern) = match key.as_slice() {
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
    let plain: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| c.role() == Role::Plain)
        .collect();
    let distinct = |c: &Column| c.unique || key.iter().any(|k| k.name == c.name);
    let sample: Vec<String> = plain
        .iter()
        .filter(|c| !c.nullable || distinct(c))
        .map(|c| match (distinct(c), c.kind) {
            (true, Kind::String) => format!("\"{}\": format!(\"k{{}}\", unique())", c.name),
            (true, kind) if kind.is_integer() => format!("\"{}\": unique()", c.name),
            _ => format!("\"{}\": {}", c.name, json_sample(c)),
        })
        .collect();
    let uses_unique = sample.iter().any(|s| s.contains("unique()"));
    let locations: Vec<String> = key
        .iter()
        .map(|c| match c.kind {
            Kind::String => format!("segment(&row.{})", c.field()),
            _ => format!("row.{}", c.field()),
        })
        .collect();
    let pattern = format!("/api/{name}/{}", vec!["{}"; key.len()].join("/"));
    let one = format!(
        "    let location = format!(\"{pattern}\", {});",
        locations.join(", ")
    );
    let location = match one.len() <= 100 {
        true => one,
        false => format!(
            "    let location = format!(\n        \"{pattern}\",\n        {}\n    );",
            locations.join(", ")
        ),
    };
    let invalid = plain
        .iter()
        .find(|c| c.kind == Kind::String && c.max_length.is_some())
        .map(|c| {
            let max = c.max_length.unwrap_or_default();
            let label = c.field().trim_start_matches("r#").to_owned();
            (
                c.name.clone(),
                format!("{}", u64::from(max) + 1),
                format!("{label} must be at most {max} characters"),
            )
        });
    let required = plain
        .iter()
        .find(|c| c.kind == Kind::String && !c.nullable)
        .map(|c| {
            let label = c.field().trim_start_matches("r#").to_owned();
            (c.name.clone(), format!("{label} is required"))
        });
    let module = format!("{name}_api");
    ApiView {
        command: request.command(),
        crate_name: crate_name.to_owned(),
        new_model: format!("New{model}"),
        model_imports: {
            let mut names = [model.clone(), format!("New{model}")];
            names.sort();
            names.join(", ")
        },
        form: format!(
            "{}Form",
            Name::parse(NameKind::Validator, &name).map_or(model.clone(), |n| n.pascal())
        ),
        model,
        table: table.name.clone(),
        key: key
            .iter()
            .zip(&locations)
            .map(|(c, location)| KeyPart {
                field: c.field(),
                column: c.name.clone(),
                plain: c.role() == Role::Plain,
                text: c.kind == Kind::String,
                location: location.clone(),
            })
            .collect(),
        key_type,
        key_pattern,
        key_args: args.join(", "),
        fields: plain.iter().map(|c| c.field()).collect(),
        lock: table
            .columns
            .iter()
            .find(|c| c.role() == Role::LockRevision)
            .map(|c| c.field()),
        lock_optional: table
            .columns
            .iter()
            .any(|c| c.role() == Role::LockRevision && c.nullable),
        imports: match key.iter().any(|c| c.kind == Kind::Uuid) {
            true => vec!["tspawn_runtime::uuid::Uuid".to_owned()],
            false => Vec::new(),
        },
        sample,
        uses_unique,
        text_key: key.iter().any(|c| c.kind == Kind::String),
        location,
        invalid,
        required,
        merge_fits: 8 + ".merge(crate::controllers::".len() + module.len() + "::routes())".len()
            <= 100,
        name,
    }
}

/// A JSON value a NOT NULL column of `column`'s kind takes.
fn json_sample(column: &Column) -> &'static str {
    match column.kind {
        Kind::String => "\"x\"",
        Kind::Bool => "true",
        Kind::F32 | Kind::F64 => "1.5",
        Kind::Decimal => "\"1.5\"",
        Kind::Date => "\"2026-01-02\"",
        Kind::Time => "\"12:30:00\"",
        Kind::DateTime => "\"2026-01-02T12:30:00Z\"",
        Kind::NaiveDateTime => "\"2026-01-02T12:30:00\"",
        Kind::Uuid => "\"6f1c2c1e-6f5b-4c56-9a4e-1f0e6f0c2a10\"",
        Kind::Json => "{}",
        Kind::Bytes => "[1, 2]",
        _ => "1",
    }
}
