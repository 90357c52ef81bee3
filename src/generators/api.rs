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
//! - tests/blog_api.rs: a request test per status through the app's router (a NOT NULL
//!   foreign key's row inserted first with plain SQL, as the model's tests do);
//! - the model (`tspawn model TABLE [MODEL]`'s plan, on every run: the sqlobject follows the
//!   table, src/models/blog.rs is kept), and the validator (`tspawn validator blog`'s plan with
//!   this table, as the scaffold's: the form's rules come from NOT NULL and VARCHAR(n)), kept
//!   when it exists; a kept form lacking a field the table has (a column added since) is
//!   refused in one line naming the fields and the fix (add them, or remove the form);
//! - `pub mod blog_api;` in src/controllers/mod.rs, its routes merged in src/routes.rs and the
//!   runtime features `json` and `validation` in Cargo.toml.

mod view;

use super::model::{parents, ModelRequest, Source};
use super::table_key::{self, with_model_and_form};
use super::{Claims, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::schema::check::{check, Origin};
use crate::schema::{read_table, Column, Table};
use crate::templates::render;
use std::path::PathBuf;
use view::view;

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

/// The plan for `tspawn api`. Refused in one line when the table has no primary key or a key
/// column a URL cannot carry (bytes, JSON, dates: only integers, text and UUIDs), when the
/// form in src/helpers lacks a field the table has (`validator::refuse_missing_fields`), and
/// as `tspawn model` refuses a table.
pub fn generate(ctx: &Context, request: &ApiRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = read_table(&app, &request.table)?;
    check(app.driver, &table, Origin::LiveTable)?;
    let name = names(request, &table)?.1;
    key(&table)?;
    // The form of this table, whatever the model is called: the validator generator would
    // look for a table of the model's name (`tspawn api blog_entries Entry`: entry, entries).
    let model = ModelRequest {
        source: Source::Table(request.table.clone()),
        model: request.model.clone(),
        sqlobject_only: false,
    };
    let own = build(ctx, request)?;
    with_model_and_form(ctx, &app, (&table, &name), &model, own)
}

/// The api's own files and injections (no model, no validator), for [`generate`] and `delete`.
pub fn build(ctx: &Context, request: &ApiRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = read_table(&app, &request.table)?;
    let (model, name) = names(request, &table)?;
    let key = key(&table)?;
    // The rows its tests' NOT NULL foreign keys point at.
    let needed = (Origin::LiveTable, "tspawn api");
    let parent_tables = parents::tables(&app, &table, needed, parents::is_required_key)?;
    let rows = parents::for_required_keys(app.driver, &table, &parent_tables);
    let names = (model, name.clone());
    let view = view(request, &app.crate_name, &table, names, (key, rows));
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

/// The model's type and module (see [`table_key::model_names`]).
fn names(request: &ApiRequest, table: &Table) -> Result<(String, String), Error> {
    table_key::model_names(request.model.as_ref(), table, "api")
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

/// The key columns, or why a URL cannot name a row (see [`table_key::url_key`]).
fn key(table: &Table) -> Result<Vec<&Column>, Error> {
    table_key::url_key(table, "api")
}
