//! `tspawn websocket NAME [--bare]`: a WebSocket endpoint served at /NAME.
//!
//! Creates src/endpoints/NAME_endpoint.rs (the seed's chat by default: history, join and leave
//! notices, keep-alive; `--bare` gives empty handlers), public/NAME.html, a test, and unless
//! bare the NAME_message model with its migration. Injects the `mod` line and re-export into
//! src/endpoints/mod.rs, the route into src/routes.rs, a link into public/index.html and the
//! endpoint's settings into config/app.toml.

use super::{Claims, Generated, Identifier};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::Name;
use crate::plan::Plan;
use crate::problem::Problem;
use crate::templates::render;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What the websocket templates see.
#[derive(Serialize)]
struct WebsocketTemplate {
    name: String,
    pascal: String,
    path: String,
    crate_name: String,
    table: String,
    /// The driver's auto-numbered primary key column type.
    id_column: &'static str,
    /// Whether `INSERT ... RETURNING id` works (else `LAST_INSERT_ID()`).
    returning: bool,
    /// SQL placeholders of the app's driver: `?` or `$1`.
    p1: String,
    p2: String,
    bare: bool,
}

/// The plan for `tspawn websocket NAME`, refused in one line when controller NAME exists
/// (src/controllers/NAME_controller.rs): both would route `GET /NAME`, and axum panics at
/// startup on overlapping routes.
pub fn generate(ctx: &Context, name: &Name, bare: bool) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let snake = name.snake();
    if app
        .root
        .join(format!("src/controllers/{snake}_controller.rs"))
        .is_file()
    {
        return Err(Error::Schema(format!(
            "the controller `{snake}` already answers under /{snake}, where an endpoint of that \
             name would route GET /{snake} too (axum refuses overlapping routes); pick another \
             name, e.g. `tspawn websocket {snake}_chat`"
        )));
    }
    build(ctx, name, bare)
}

/// [`generate`] without the controller check, for `delete`.
pub fn build(ctx: &Context, name: &Name, bare: bool) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let snake = name.snake();
    let table = format!("{snake}_messages");
    let migration = app.migrations().name(&format!("create_{table}"), ctx.now);
    let t = WebsocketTemplate {
        name: snake.clone(),
        pascal: name.pascal(),
        path: format!("/{snake}"),
        crate_name: app.crate_name.clone(),
        table: table.clone(),
        id_column: app.driver.id_column(),
        returning: app.driver.has_returning(),
        p1: app.driver.placeholder(1),
        p2: app.driver.placeholder(2),
        bare,
    };
    let endpoint_mod = format!("{snake}_endpoint");
    let pascal = &t.pascal;
    check_type_clash(&app, &endpoint_mod, pascal)?;
    let endpoint_type = format!("endpoint::<crate::endpoints::{pascal}Endpoint>()");

    let mut plan = Plan::default();
    plan.file(
        format!("src/endpoints/{endpoint_mod}.rs"),
        render("websocket/endpoint.rs.jinja", &t)?,
    );
    plan.inject(
        "src/endpoints/mod.rs",
        "tspawn:modules",
        format!("pub mod {endpoint_mod};"),
    );
    plan.inject(
        "src/endpoints/mod.rs",
        "tspawn:exports",
        format!("pub use {endpoint_mod}::{pascal}Endpoint;"),
    );
    // Keyed by the endpoint type, so a route the user reformatted or moved still counts.
    let route = render("websocket/route.rs.jinja", &t)?;
    plan.inject_unless("src/routes.rs", "tspawn:routes", route, &endpoint_type);
    if !bare {
        plan.file(
            format!("src/models/{snake}_message.rs"),
            render("websocket/model.rs.jinja", &t)?,
        );
        plan.inject(
            "src/models/mod.rs",
            "tspawn:modules",
            format!("pub mod {snake}_message;"),
        );
        plan.file(
            format!("db/migrations/{migration}"),
            render("websocket/migration.sql.jinja", &t)?,
        );
        // Keyed by the table header, so a user's edited values still count as present.
        let settings = render("websocket/settings.toml.jinja", &t)?;
        let header = format!("[default.{endpoint_mod}]");
        plan.inject_unless("config/app.toml", "tspawn:settings", settings, header);
    }
    plan.file(
        format!("public/{snake}.html"),
        render("websocket/page.html.jinja", &t)?,
    );
    let href = format!("href=\"/{snake}.html\"");
    let link = format!("<li><a {href}>{snake}</a> (WebSocket endpoint /{snake})</li>");
    plan.inject_unless("public/index.html", "tspawn:links", link, href);
    plan.file(
        format!("tests/{endpoint_mod}.rs"),
        render("websocket/test.rs.jinja", &t)?,
    );

    Ok(Generated {
        base: app.root,
        plan,
        note: name.rename_note(),
        next_steps: Some(format!(
            "next: cargo run, then open http://localhost:8800/{snake}.html"
        )),
        claims: Claims {
            name: name.clone(),
            driver: app.driver,
            identifiers: (!bare)
                .then_some(Identifier {
                    kind: "table",
                    name: table,
                })
                .into_iter()
                .collect(),
            in_app: true,
            app_dir: PathBuf::new(),
            crate_name: app.crate_name.clone(),
        },
    })
}

/// Two names with one PascalCase form (`chat_2` and `chat2`) would make two `Chat2Endpoint`s.
fn check_type_clash(app: &App, endpoint_mod: &str, pascal: &str) -> Result<(), Error> {
    let path = Path::new("src/endpoints/mod.rs");
    let mods = std::fs::read_to_string(app.root.join(path)).unwrap_or_default();
    let wanted = format!("::{pascal}Endpoint;");
    let clash = mods
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub use "))
        .find(|rest| rest.ends_with(&wanted) && !rest.starts_with(&format!("{endpoint_mod}::")));
    match clash {
        Some(existing) => Err(Error::Problems(vec![Problem::TypeDefinedTwice {
            path: path.to_owned(),
            existing: existing.to_owned(),
            type_name: format!("{pascal}Endpoint"),
        }])),
        None => Ok(()),
    }
}
