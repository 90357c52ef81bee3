//! `tspawn model TABLE [MODEL]` and `tspawn model NAME field:type...` (and `sqlobject`, the
//! same without the user's model file): a typed row with its CRUD for a table.
//!
//! The table comes from the dev database (`schema::read_table`) or from a field list
//! (`schema::fields::parse`, which also gives the migration); both are checked
//! (`schema::check`) and rendered by the same templates (templates/model). Written for table
//! `blog`, model `Blog`:
//! - src/models/sqlobjects/blog.rs: the row struct, `NewBlog`, `FromRow`, the SQL and the CRUD;
//!   generated, rewritten on every run (its header records the command, which `delete` reruns);
//! - src/models/blog.rs: the user's file, written once (model only);
//! - tests/blog_model.rs: the generated tests (model only);
//! - db/migrations/<version>_create_blog.sql for a field list, or for a live table no migration
//!   creates yet (`CREATE TABLE IF NOT EXISTS`, so the test and product databases get it);
//! - `pub mod` lines in src/models/mod.rs and src/models/sqlobjects/mod.rs (written once with
//!   its marker), and the runtime features the column types need in Cargo.toml.

mod crud;
mod imports;
mod layout;
mod migration;
pub mod parents;
mod recorded;
mod samples;
mod sql;
mod tests;
mod view;

#[cfg(test)]
mod render_tests;

use super::{Claims, Generated, Identifier};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::Name;
use crate::plan::Plan;
use crate::schema::check::{check, Origin};
use crate::schema::{fields, read_table, Table};
use crate::templates::render;
use migration::migration;
pub use recorded::is_model_file;
use recorded::refuse_clash;
use std::path::PathBuf;
use view::{Names, View};

/// Where the table comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A table of the app's dev database, spelled as typed (`blog`, `BlogEntry`).
    Table(String),
    /// `NAME field:type...`: the model's name (`post`, making table `posts`) and its fields.
    Fields { name: Name, specs: Vec<String> },
}

/// What `model`/`sqlobject` is asked for: the table, the model's name if given, and whether
/// only the sqlobject is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRequest {
    pub source: Source,
    pub model: Option<Name>,
    pub sqlobject_only: bool,
}

impl ModelRequest {
    /// The command line that makes this request, as recorded in the generated file's header.
    pub fn command(&self) -> String {
        let sub = if self.sqlobject_only {
            "sqlobject"
        } else {
            "model"
        };
        let mut words = vec!["tspawn".to_owned(), sub.to_owned()];
        match &self.source {
            Source::Table(table) => words.push(table.clone()),
            Source::Fields { name, specs } => {
                words.push(name.as_str().to_owned());
                words.extend(specs.iter().cloned());
            }
        }
        words.extend(self.model.as_ref().map(|m| m.as_str().to_owned()));
        words.join(" ")
    }
}

/// The model's names: from the model name given, else from the table or field-list name
/// made singular (`blog_entries` → `BlogEntry`, module `blog_entry`).
fn names(request: &ModelRequest, table: &str) -> Result<(String, String), Error> {
    if let Some(model) = &request.model {
        return Ok((model.pascal(), model.snake()));
    }
    let name = match &request.source {
        Source::Fields { name, .. } => name.clone(),
        Source::Table(_) => Name::parse(crate::names::NameKind::Model, table).map_err(|e| {
            Error::Schema(format!(
                "{e}; give the model's name after the table: tspawn model {table} MODEL"
            ))
        })?,
    };
    Ok((name.singular_pascal(), name.singular_snake()))
}

/// The plan for `request`. Refused in one line, before anything is planned, when another
/// table's sqlobject holds the module ([`refuse_clash`]) or a field list's migration was
/// written for other fields ([`migration`]).
pub fn generate(ctx: &Context, request: &ModelRequest) -> Result<Generated, Error> {
    plan(ctx, request, true)
}

/// [`generate`] without its refusals, for `delete`, which reruns the recorded command: a
/// migration edited since is then left out of the plan (so it stays).
pub fn regenerate(ctx: &Context, request: &ModelRequest) -> Result<Generated, Error> {
    plan(ctx, request, false)
}

fn plan(ctx: &Context, request: &ModelRequest, refuse: bool) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let driver = app.driver;
    let (table, origin) = match &request.source {
        Source::Table(name) => (read_table(&app, name)?, Origin::LiveTable),
        Source::Fields { name, specs } => (
            fields::parse(driver, &name.plural_snake(), specs)?,
            Origin::FieldList,
        ),
    };
    check(driver, &table, origin)?;
    if refuse {
        refuse_clash(&app, request, &names(request, &table.name)?.1)?;
    }
    build(ctx, app, request, &table, (origin, refuse))
}

/// The plan for a live table that can no longer be read (`delete` after the table was
/// dropped): the table as a name without columns, so the user's model file and the `mod`
/// lines come out as written and the generated files differ from what is on disk.
pub fn generate_without_table(
    ctx: &Context,
    request: &ModelRequest,
    table: &str,
) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = Table {
        name: table.to_owned(),
        columns: Vec::new(),
        primary_key: Vec::new(),
    };
    build(ctx, app, request, &table, (Origin::LiveTable, false))
}

fn build(
    ctx: &Context,
    app: App,
    request: &ModelRequest,
    table: &Table,
    (origin, refuse): (Origin, bool),
) -> Result<Generated, Error> {
    let driver = app.driver;
    let (model, module) = names(request, &table.name)?;
    // `tspawn sqlobject` on the table of a model keeps recording `tspawn model`, which
    // `delete` reruns: it then removes the model's files too.
    let model_file = std::fs::read_to_string(app.root.join(format!("src/models/{module}.rs")));
    let command = match model_file {
        Ok(text) if request.sqlobject_only && is_model_file(&text, &module) => ModelRequest {
            sqlobject_only: false,
            ..request.clone()
        }
        .command(),
        _ => request.command(),
    };
    let parents = parents::tables(&app, table, (origin, "tspawn model"), |_| true)?;
    let view = View::new(
        driver,
        table,
        &parents,
        Names {
            model: model.clone(),
            module: module.clone(),
            crate_name: app.crate_name.clone(),
            command,
        },
    );

    let mut plan = Plan::default();
    plan.generated_file(
        format!("src/models/sqlobjects/{module}.rs"),
        render("model/sqlobject.rs.jinja", &view)?,
    );
    plan.user_file(
        "src/models/sqlobjects/mod.rs",
        render("model/sqlobjects_mod.rs.jinja", &view)?,
    );
    plan.inject(
        "src/models/sqlobjects/mod.rs",
        "tspawn:modules",
        format!("pub mod {module};"),
    );
    plan.inject("src/models/mod.rs", "tspawn:modules", "pub mod sqlobjects;");
    if !request.sqlobject_only {
        plan.user_file(
            format!("src/models/{module}.rs"),
            render("model/model.rs.jinja", &view)?,
        );
        plan.inject(
            "src/models/mod.rs",
            "tspawn:modules",
            format!("pub mod {module};"),
        );
        plan.generated_file(
            format!("tests/{module}_model.rs"),
            render("model/test.rs.jinja", &view)?,
        );
    }
    let migration = migration(&app, ctx, table, (origin, refuse))?;
    if let Some((name, sql)) = &migration {
        plan.file(format!("db/migrations/{name}"), sql.clone());
    }
    // Said only when it is written now, not on a rerun.
    let new_migration = migration
        .as_ref()
        .map(|(name, _)| name.clone())
        .filter(|name| !app.root.join("db/migrations").join(name).exists());
    let features = table.features();
    if !features.is_empty() {
        plan.enable_features("Cargo.toml", "tspawn-runtime", &features);
    }

    let mut identifiers = vec![Identifier {
        kind: "table",
        name: table.name.clone(),
    }];
    identifiers.extend(table.columns.iter().map(|c| Identifier {
        kind: "column",
        name: c.name.clone(),
    }));
    let claim_name = request
        .model
        .clone()
        .map_or_else(|| Name::parse(crate::names::NameKind::Model, &module), Ok)?;
    Ok(Generated {
        base: app.root,
        plan,
        note: None,
        next_steps: Some(next_steps(request, &module, new_migration)),
        claims: Claims {
            name: claim_name,
            driver,
            identifiers,
            in_app: true,
            app_dir: PathBuf::new(),
            crate_name: app.crate_name.clone(),
        },
    })
}

fn next_steps(request: &ModelRequest, module: &str, new_migration: Option<String>) -> String {
    let mut steps = Vec::new();
    if let (Source::Table(table), Some(name)) = (&request.source, new_migration) {
        steps.push(format!(
            "note: no migration created {table} yet, so db/migrations/{name} does (IF NOT \
             EXISTS: the dev database keeps its table, the test and product databases get it)"
        ));
    }
    let run = match request.sqlobject_only {
        true => "next: cargo build".to_owned(),
        false => format!("next: cargo test --test {module}_model, then cargo run"),
    };
    steps.push(run);
    steps.join("\n")
}
