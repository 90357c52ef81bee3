//! `tspawn helper NAME`: a module of src/helpers (TreeFrog's helpers/ folder) holding
//! functions that controllers, views and endpoints share.
//!
//! Writes src/helpers/NAME.rs (the user's to edit: one documented example function,
//! `excerpt`, with its unit tests, templates/helper/helper.rs.jinja) and injects
//! `pub mod NAME;` above `tspawn:modules` in src/helpers/mod.rs.

use super::{Claims, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::Name;
use crate::plan::Plan;
use crate::templates::render;
use serde::Serialize;
use std::path::PathBuf;

/// What templates/helper sees.
#[derive(Serialize)]
struct HelperTemplate {
    /// The module: `text`.
    module: String,
}

/// The plan for `tspawn helper NAME`; `name` is a [`crate::names::NameKind::Helper`] name.
pub fn generate(ctx: &Context, name: &Name) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let module = name.snake();
    let t = HelperTemplate {
        module: module.clone(),
    };
    let mut plan = Plan::default();
    plan.file(
        format!("src/helpers/{module}.rs"),
        render("helper/helper.rs.jinja", &t)?,
    );
    plan.inject(
        "src/helpers/mod.rs",
        "tspawn:modules",
        format!("pub mod {module};"),
    );
    Ok(Generated {
        base: app.root,
        plan,
        note: name.rename_note(),
        next_steps: Some(format!(
            "next: cargo test helpers::{module}, then call crate::helpers::{module}::excerpt"
        )),
        claims: Claims {
            name: name.clone(),
            driver: app.driver,
            identifiers: Vec::new(),
            in_app: true,
            app_dir: PathBuf::new(),
            crate_name: app.crate_name.clone(),
        },
    })
}
