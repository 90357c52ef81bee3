//! `tspawn controller NAME ACTION...`: a controller with one action per name, each rendering
//! its own askama view, routed TreeFrog's way.
//!
//! Written for `tspawn controller blog index show`:
//! - src/controllers/blog_controller.rs: `pub async fn index` and `show`, their view structs
//!   and `routes()`: `/blog/ACTION` and `/blog/ACTION/{*args}` (the extra segments reach the
//!   action as `tspawn_runtime::controller::Args`), and `/blog` for `index` when there is one.
//!   The user's code once written; its first line records the command, which `delete` reruns;
//! - views/blog/ACTION.html per action, extending views/layouts/application.html;
//! - views/layouts/application.html and askama.toml (`[general] dirs = ["views"]`), each written
//!   once when missing (an app made before controllers existed gets them too);
//! - tests/blog_controller.rs: a request per action through the app's router, the arguments
//!   shown escaped, `/blog` for `index`, and a 404 for an action that does not exist;
//! - `pub mod blog_controller;` in src/controllers/mod.rs, the routes merged in src/routes.rs,
//!   a link in public/index.html, and the runtime feature `views` in Cargo.toml.

use super::{Claims, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::templates::render;
use serde::Serialize;
use std::path::PathBuf;

/// `tspawn controller NAME ACTION...`, validated: the controller's name and its actions, at
/// least one, each a snake_case [`NameKind::Action`] given once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerRequest {
    pub name: Name,
    pub actions: Vec<Name>,
}

impl ControllerRequest {
    /// The request for `name` and `actions` as typed. Refused in one line when a name is
    /// invalid or `layouts` (the layout's folder, views/layouts/), no action is given, or two actions are the same function or view type
    /// (`show_2` and `show2` both make `Show2View`).
    pub fn parse(name: &str, actions: &[String]) -> Result<ControllerRequest, Error> {
        let name = Name::parse(NameKind::Controller, name)?;
        // Its views would go in views/layouts/, the folder of the layout every view extends
        // (an action `application` would even be the layout itself).
        if name.snake() == "layouts" {
            return Err(Error::Schema(
                "the controller name `layouts` is taken: views/layouts/ holds the layout every \
                 view extends; pick another, e.g. \"layout_pages\""
                    .to_owned(),
            ));
        }
        if actions.is_empty() {
            return Err(Error::Schema(format!(
                "give the controller at least one action: tspawn controller {name} index"
            )));
        }
        let mut parsed: Vec<Name> = Vec::new();
        for action in actions {
            let action = Name::parse(NameKind::Action, action)?;
            if let Some(twin) = parsed.iter().find(|a| a.pascal() == action.pascal()) {
                return Err(Error::Schema(format!(
                    "actions `{twin}` and `{action}` would both make {}View; give each action once",
                    action.pascal()
                )));
            }
            let path = format!("/{}/{action}", name.snake());
            if path.len() > MAX_PATH {
                return Err(Error::Schema(format!(
                    "the URL {path} is over {MAX_PATH} characters; shorten the controller's or \
                     the action's name"
                )));
            }
            parsed.push(action);
        }
        Ok(ControllerRequest {
            name,
            actions: parsed,
        })
    }

    /// The command line that makes this request, recorded on the controller's first line
    /// (`tspawn controller blog index show`) for `delete` to parse back.
    pub fn command(&self) -> String {
        let actions: Vec<&str> = self.actions.iter().map(Name::as_str).collect();
        format!(
            "tspawn controller {} {}",
            self.name.snake(),
            actions.join(" ")
        )
    }
}

/// What the controller templates see.
#[derive(Serialize)]
struct ControllerTemplate {
    command: String,
    /// `blog`: the module stem, the views' folder and the URL's first segment.
    name: String,
    /// `Blog`: for titles (`Blog#show`).
    pascal: String,
    crate_name: String,
    actions: Vec<Action>,
    /// Whether an `index` action answers at `/NAME` too (TreeFrog's default action).
    has_index: bool,
    /// The route into src/routes.rs fits on one line.
    merge_fits: bool,
}

/// One action, with the layout decisions rustfmt would make for its lines.
#[derive(Serialize)]
struct Action {
    name: String,
    pascal: String,
    /// Its routes: `/blog/show` and `/blog/show/{*args}` (and `/blog` for `index`).
    routes: Vec<Route>,
    /// `pub async fn NAME(Args(args): Args, flash: Flash) -> ... {` fits in 100 columns.
    signature_fits: bool,
}

#[derive(Serialize)]
struct Route {
    path: String,
    /// `.route("PATH", get(ACTION))` keeps its arguments on one line.
    fits: bool,
}

/// The longest `/CONTROLLER/ACTION` path taken: longer URLs are hard to type, and up to it the
/// generated lines that hold both names fit rustfmt's one-line layouts.
const MAX_PATH: usize = 48;

/// rustfmt's `fn_call_width`: a call whose arguments are wider goes one argument per line.
const CALL_WIDTH: usize = 60;

/// The plan for `tspawn controller`, refused in one line when a WebSocket endpoint of the same
/// name exists (src/endpoints/NAME_endpoint.rs, or its route in src/routes.rs): both would
/// route `GET /NAME`, and axum panics at startup on overlapping routes.
pub fn generate(ctx: &Context, request: &ControllerRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let name = request.name.snake();
    let example = format!("`tspawn controller {name}_page ...`");
    refuse_endpoint_clash(&app, &name, &example)?;
    build(ctx, request)
}

/// Refuses a controller `name` (snake_case) when a WebSocket endpoint of that name exists
/// (src/endpoints/NAME_endpoint.rs, or its route in src/routes.rs): both would route
/// `GET /NAME`, and axum panics at startup on overlapping routes. `example` is the command
/// the refusal suggests instead.
pub fn refuse_endpoint_clash(app: &App, name: &str, example: &str) -> Result<(), Error> {
    let routes = std::fs::read_to_string(app.root.join("src/routes.rs")).unwrap_or_default();
    let pascal =
        Name::parse(NameKind::Controller, name).map_or_else(|_| name.to_owned(), |n| n.pascal());
    let endpoint_type = format!("crate::endpoints::{pascal}Endpoint");
    if app
        .root
        .join(format!("src/endpoints/{name}_endpoint.rs"))
        .is_file()
        || routes.contains(&endpoint_type)
    {
        return Err(Error::Schema(format!(
            "the WebSocket endpoint `{name}` already answers GET /{name}, which a controller of \
             that name would route too (axum refuses overlapping routes); pick another name, \
             e.g. {example}"
        )));
    }
    Ok(())
}

/// [`generate`] without the endpoint check, for `delete`.
pub fn build(ctx: &Context, request: &ControllerRequest) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let name = request.name.snake();
    let module = format!("{name}_controller");
    let actions: Vec<Action> = request.actions.iter().map(|a| action(&name, a)).collect();
    let has_index = actions.iter().any(|a| a.name == "index");
    let t = ControllerTemplate {
        command: request.command(),
        pascal: request.name.pascal(),
        crate_name: app.crate_name.clone(),
        has_index,
        // `        .merge(crate::controllers::NAME_controller::routes())`: one line while it fits.
        merge_fits: 8 + ".merge(crate::controllers::".len() + module.len() + "::routes())".len()
            <= 100,
        actions,
        name: name.clone(),
    };

    let mut plan = Plan::default();
    plan.file(
        format!("src/controllers/{module}.rs"),
        render("controller/controller.rs.jinja", &t)?,
    );
    plan.inject(
        "src/controllers/mod.rs",
        "tspawn:modules",
        format!("pub mod {module};"),
    );
    // Keyed by the call, so a route the user reformatted or moved still counts.
    let route = render("controller/route.rs.jinja", &t)?;
    let key = format!("crate::controllers::{module}::routes()");
    plan.inject_unless("src/routes.rs", "tspawn:routes", route, key);
    for action in &t.actions {
        let view = ViewTemplate {
            name: &t.name,
            pascal: &t.pascal,
            action: &action.name,
        };
        plan.file(
            format!("views/{name}/{}.html", action.name),
            render("controller/view.html.jinja", &view)?,
        );
    }
    // Shared by every controller and written once: the user's from then on.
    plan.user_file(
        "views/layouts/application.html",
        render("controller/layout.html.jinja", &t)?,
    );
    plan.user_file("askama.toml", render("controller/askama.toml.jinja", &t)?);
    plan.file(
        format!("tests/{module}.rs"),
        render("controller/test.rs.jinja", &t)?,
    );
    let first = &t.actions[0].name;
    let href = match has_index {
        true => format!("href=\"/{name}\""),
        false => format!("href=\"/{name}/{first}\""),
    };
    let link = format!("<li><a {href}>{name}</a> (controller {module})</li>");
    plan.inject_unless("public/index.html", "tspawn:links", link, href);
    plan.enable_features("Cargo.toml", "tspawn-runtime", &["views"]);

    Ok(Generated {
        base: app.root,
        plan,
        note: request.name.rename_note(),
        next_steps: Some(format!(
            "next: cargo run, then open http://localhost:8800/{name}{}",
            if has_index {
                String::new()
            } else {
                format!("/{first}")
            }
        )),
        claims: Claims {
            name: request.name.clone(),
            driver: app.driver,
            identifiers: Vec::new(),
            in_app: true,
            app_dir: PathBuf::new(),
            crate_name: app.crate_name,
        },
    })
}

/// What a view template sees.
#[derive(Serialize)]
struct ViewTemplate<'a> {
    name: &'a str,
    pascal: &'a str,
    action: &'a str,
}

/// `action` of controller `controller` with its routes and line layout.
fn action(controller: &str, action: &Name) -> Action {
    let name = action.snake();
    let pascal = action.pascal();
    let base = format!("/{controller}/{name}");
    let mut paths = Vec::new();
    if name == "index" {
        paths.push(format!("/{controller}"));
    }
    paths.push(base.clone());
    paths.push(format!("{base}/{{*args}}"));
    // `"PATH", get(NAME)`: the quotes, the comma and space, `get(` and `)`.
    let routes = paths
        .into_iter()
        .map(|path| Route {
            fits: path.len() + name.len() + 9 <= CALL_WIDTH,
            path,
        })
        .collect();
    Action {
        // `pub async fn ` + NAME + `(Args(args): Args, flash: Flash) -> Result<Html<String>> {`
        signature_fits: 13 + name.len() + 58 <= 100,
        routes,
        pascal,
        name,
    }
}
