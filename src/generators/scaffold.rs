//! `tspawn scaffold TABLE [MODEL]` and `tspawn scaffold NAME field:type...` (alias `s`):
//! TreeFrog's scaffold, a working CRUD site over a table: the model, its form with rules, and a
//! controller whose views list, show, create, edit and remove rows.
//!
//! Written for table `blog` (model `Blog`):
//! - src/controllers/blog_controller.rs (the user's once written; its first line records the
//!   command, which `delete` reruns): `GET /blog` and `/blog/index?page=&per_page=` (a page of
//!   rows), `GET /blog/show/ID`, `GET`/`POST /blog/create`, `GET`/`POST /blog/save/ID` and
//!   `POST /blog/remove/ID`; a composite key is one path segment per key column, in key order
//!   (`/order_line/show/7/2`). A form that breaks the validator's rules comes back (422) with
//!   each message beside its input and the input kept, a stale `lock_revision` (409) with a
//!   message, and a change that went through redirects (303) with a flash notice;
//! - views/blog/{index,show,create,save,not_found}.html and the fields both forms share,
//!   views/blog/_form.html (askama: compiled with the app, every value escaped); the layout
//!   and askama.toml as `tspawn controller` writes them (once, the user's from then on);
//! - tests/blog_controller.rs: every page and form through the app's router (generated; a
//!   NOT NULL foreign key's row inserted first with plain SQL, as the model's tests do);
//! - the model (`tspawn model`'s plan) when src/models/sqlobjects/blog.rs does not exist yet,
//!   and the validator (`tspawn validator`'s plan, from the same table, kept when it exists);
//! - `pub mod blog_controller;`, its routes merged in src/routes.rs, a link on the home page,
//!   and the runtime features `views`, `validation` and those the columns need.
//!
//! A field list (`tspawn scaffold post title:string body:text`) makes the model and its
//! migration from the fields; the validator takes the same fields (the dev database has no
//! such table until the app runs the migration).

mod code;
mod html;
mod layout;
mod samples;
mod view;

use super::model::{parents, ModelRequest, Source};
use super::table_key::{model_names, url_key, with_model_and_form};
use super::{controller, Claims, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::schema::check::{check, Origin};
use crate::schema::{fields, read_table, Table};
use crate::templates::render;
use std::path::PathBuf;
use view::ScaffoldView;

/// `tspawn scaffold ...`: where the table comes from (a live table as the database spells it,
/// or a field list) and the model's name when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldRequest {
    pub source: Source,
    pub model: Option<Name>,
}

impl ScaffoldRequest {
    /// The command line recorded on the controller's first line (`tspawn scaffold blog`,
    /// `tspawn scaffold post title:string body:text`).
    pub fn command(&self) -> String {
        let mut words = vec!["tspawn".to_owned(), "scaffold".to_owned()];
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

    /// The request the model generator gets for the same table.
    fn model_request(&self) -> ModelRequest {
        ModelRequest {
            source: self.source.clone(),
            model: self.model.clone(),
            sqlobject_only: false,
        }
    }
}

/// The table `request` names: read from the dev database, or made from the field list, and
/// checked as `tspawn model` checks it.
pub fn table(ctx: &Context, request: &ScaffoldRequest) -> Result<Table, Error> {
    let app = App::find(ctx)?;
    let (table, origin) = match &request.source {
        Source::Table(name) => (read_table(&app, name)?, Origin::LiveTable),
        Source::Fields { name, specs } => (
            fields::parse(app.driver, &name.plural_snake(), specs)?,
            Origin::FieldList,
        ),
    };
    check(app.driver, &table, origin)?;
    Ok(table)
}

/// The plan for `tspawn scaffold`. Refused in one line, before anything is planned: a table
/// `tspawn model` refuses, one without a primary key or with a key column a URL cannot carry
/// (only integers, text and UUIDs), the model module `layouts` (views/layouts/ is the
/// layout's), a WebSocket endpoint of that name (both would route `GET /NAME`), and a
/// controller of that name that `tspawn controller` or another scaffold made.
pub fn generate(ctx: &Context, request: &ScaffoldRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = table(ctx, request)?;
    let name = model_names(request.model.as_ref(), &table, "scaffold")?.1;
    url_key(&table, "scaffold")?;
    refuse(&app, request, &name)?;
    let own = build(ctx, request)?;
    with_model_and_form(ctx, &app, (&table, &name), &request.model_request(), own)
}

/// The scaffold's own files and injections (no model, no validator), for [`generate`] and
/// `delete`.
pub fn build(ctx: &Context, request: &ScaffoldRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let table = table(ctx, request)?;
    let (model, name) = model_names(request.model.as_ref(), &table, "scaffold")?;
    let key = url_key(&table, "scaffold")?;
    // The rows its tests' NOT NULL foreign keys point at.
    let origin = match request.source {
        Source::Table(_) => Origin::LiveTable,
        Source::Fields { .. } => Origin::FieldList,
    };
    let needed = (origin, "tspawn scaffold");
    let parent_tables = parents::tables(&app, &table, needed, parents::is_required_key)?;
    let rows = parents::for_required_keys(app.driver, &table, &parent_tables);
    let view = ScaffoldView::new(
        request,
        &app.crate_name,
        &table,
        (model, name.clone()),
        (&key, rows),
    );
    let module = format!("{name}_controller");
    let mut plan = Plan::default();
    plan.file(
        format!("src/controllers/{module}.rs"),
        render("scaffold/controller.rs.jinja", &view)?,
    );
    plan.inject(
        "src/controllers/mod.rs",
        "tspawn:modules",
        format!("pub mod {module};"),
    );
    // Keyed by the call, so a route the user reformatted or moved still counts.
    let route = render("scaffold/route.rs.jinja", &view)?;
    let call = format!("crate::controllers::{module}::routes()");
    plan.inject_unless("src/routes.rs", "tspawn:routes", route, call);
    for page in ["index", "show", "create", "save", "_form", "not_found"] {
        plan.file(
            format!("views/{name}/{page}.html"),
            render(&format!("scaffold/{page}.html.jinja"), &view)?,
        );
    }
    // The controller generator's layout and askama.toml: shared by every controller, written
    // once, the user's from then on.
    plan.user_file(
        "views/layouts/application.html",
        render("controller/layout.html.jinja", &view)?,
    );
    plan.user_file(
        "askama.toml",
        render("controller/askama.toml.jinja", &view)?,
    );
    plan.generated_file(
        format!("tests/{module}.rs"),
        render("scaffold/test.rs.jinja", &view)?,
    );
    let href = format!("href=\"/{name}\"");
    let link = format!("<li><a {href}>{name}</a> (scaffold {name})</li>");
    plan.inject_unless("public/index.html", "tspawn:links", link, href);
    let mut features = vec!["views", "validation"];
    features.extend(table.features());
    plan.enable_features("Cargo.toml", "tspawn-runtime", &features);
    Ok(Generated {
        base: app.root,
        plan,
        note: None,
        next_steps: Some(format!(
            "next: cargo test --test {module}, then cargo run and open \
             http://localhost:8800/{name}"
        )),
        claims: Claims {
            name: Name::parse(NameKind::Controller, &name)?,
            driver: app.driver,
            identifiers: Vec::new(),
            in_app: true,
            app_dir: PathBuf::new(),
            crate_name: app.crate_name,
        },
    })
}

/// The refusals of [`generate`] that depend on the app rather than the table.
fn refuse(app: &App, request: &ScaffoldRequest, name: &str) -> Result<(), Error> {
    if name == "layouts" {
        return Err(Error::Schema(format!(
            "the scaffold of model module `layouts` would put its views in views/layouts/, the \
             layout's folder; give the model another name: tspawn scaffold {} MODEL",
            table_word(request)
        )));
    }
    let example = format!("`tspawn scaffold {} {name}_page`", table_word(request));
    controller::refuse_endpoint_clash(app, name, &example)?;
    let file = format!("src/controllers/{name}_controller.rs");
    let Ok(text) = std::fs::read_to_string(app.root.join(&file)) else {
        return Ok(());
    };
    let first = text.lines().next().unwrap_or_default();
    let by = first.split('`').nth(1).unwrap_or_default();
    let ours = recorded(&text).is_some_and(|r| r.command() == request.command());
    let other = by.starts_with("tspawn controller ")
        || by.starts_with("tspawn c ")
        || (recorded(&text).is_some() && !ours);
    if other {
        return Err(Error::Schema(format!(
            "{file} is the controller `{by}` made, where the scaffold would write its own; \
             give the scaffold's model another name (tspawn scaffold {} MODEL), or remove \
             that controller first (tspawn delete {name} removes all made under {name})",
            table_word(request)
        )));
    }
    Ok(())
}

/// The table as the user typed it: `blog`, or a field list's name.
fn table_word(request: &ScaffoldRequest) -> &str {
    match &request.source {
        Source::Table(table) => table,
        Source::Fields { name, .. } => name.as_str(),
    }
}

/// The command recorded on a scaffold controller's first line
/// (`// Generated by `tspawn scaffold blog`: yours to edit.`), for `delete`; `None` when the
/// file does not start that way.
pub fn recorded(text: &str) -> Option<ScaffoldRequest> {
    let line = text.lines().next()?.strip_prefix("// Generated by `")?;
    let command = line.split('`').next()?;
    let words: Vec<&str> = command.split_whitespace().collect();
    let ["tspawn", "scaffold" | "s", table, rest @ ..] = words.as_slice() else {
        return None;
    };
    let parse = |name: &str| Name::parse(NameKind::Model, name).ok();
    if rest.iter().any(|w| w.contains(':')) {
        let specs = rest.iter().map(|s| (*s).to_owned()).collect();
        let name = parse(table)?;
        return Some(ScaffoldRequest {
            source: Source::Fields { name, specs },
            model: None,
        });
    }
    let model = match rest {
        [] => None,
        [model] => Some(parse(model)?),
        _ => return None,
    };
    Some(ScaffoldRequest {
        source: Source::Table((*table).to_owned()),
        model,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_command_reads_back() {
        let requests = [
            "tspawn scaffold blog",
            "tspawn scaffold blog_entries BlogEntry",
            "tspawn scaffold post title:string:required body:text published:bool",
        ];
        for command in requests {
            let line = format!("// Generated by `{command}`: yours to edit.\n//! ...\n");
            let request = recorded(&line).unwrap_or_else(|| panic!("{command}"));
            assert_eq!(request.command(), command);
        }
        assert!(recorded("// Generated by `tspawn controller blog index`: yours").is_none());
        assert!(recorded("// Generated by `tspawn scaffold`: yours").is_none());
        assert!(recorded("fn main() {}").is_none());
    }
}
