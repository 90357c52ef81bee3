//! `tspawn delete NAME`: undoes a generator. It rebuilds the plan the generator would make
//! now and reverses it: every file it wrote is removed if unchanged since (otherwise tspawn
//! asks, or needs --force or --skip), every snippet it injected is taken out, folders stay.
//!
//! It knows WebSocket endpoints (`tspawn websocket NAME`, with or without `--bare`), models
//! and sqlobjects, controllers and scaffolds, apis, helpers and validators, and undoes all of
//! them that a name has in one plan (TreeFrog's delete takes a scaffold's controller, model,
//! views and validator together). A controller records its command on its first line (a
//! scaffold's too), as a model does. A model cannot be rebuilt from its table alone (the
//! table may be gone), so
//! its sqlobject file records the command that made it on its first line; delete parses that
//! command and runs the generator again in memory. A field list gives the same files again;
//! a live table gives them while it is unchanged, and a table changed or dropped since makes
//! the generated files differ, so they are asked about like any changed file. A migration is
//! removed only if the dev database never applied it.

mod parts;

use super::model::{self, ModelRequest, Source};
use super::{websocket, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::inject::{inject, Injection};
use crate::names::{Name, NameKind};
use crate::plan::{Action, Plan};
use crate::schema::applied_migrations;
use std::path::Path;

/// The plan undoing every generator that made something under `name`, as typed: each part
/// reads it as its own generator would (`news_endpoint` is the endpoint `news` but the
/// controller `news_endpoint`; `test` is a controller but no endpoint), and those that made
/// something are rebuilt and reversed, all in one plan, so they go together or not at all.
/// A `pub mod X;` line is never taken out while X.rs stays. `Error::NothingToDelete` when no
/// generator made anything under the name; the endpoint's name error when no generator
/// accepts it.
///
/// Files rebuilt from a live table (a model's, a validator's) need the dev database: when it
/// cannot be opened (a missing SQLite file, a server not answering, no such database), as
/// opposed to the table being gone, delete refuses in one line unless `force`.
pub fn generate(ctx: &Context, name: &str, force: bool) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let exists = |path: String| app.root.join(path).is_file();
    let [endpoint_name, model_name, controller_name, helper_name, validator_name] = [
        NameKind::Endpoint,
        NameKind::Model,
        NameKind::Controller,
        NameKind::Helper,
        NameKind::Validator,
    ]
    .map(|kind| Name::parse(kind, name));
    // A name no generator takes: the controller's reason, the most lenient kind's.
    let parsed = [&endpoint_name, &model_name, &helper_name, &validator_name];
    if parsed.iter().all(|n| n.is_err()) {
        controller_name.clone()?;
    }
    let [endpoint_name, model_name, controller_name, helper_name, validator_name] = [
        endpoint_name,
        model_name,
        controller_name,
        helper_name,
        validator_name,
    ]
    .map(Result::ok);
    let mut parts = Vec::new();
    if let Some(endpoint_name) = &endpoint_name {
        let snake = endpoint_name.snake();
        if exists(format!("src/endpoints/{snake}_endpoint.rs")) {
            parts.push(endpoint(ctx, &app, endpoint_name)?);
        }
    }
    if let Some(model_name) = &model_name {
        let snake = model_name.snake();
        let module = [snake.clone(), crate::names::singular_of(&snake)]
            .into_iter()
            .find(|m| sqlobject_path(&app.root, m).is_file());
        if let Some(module) = module {
            parts.push(model(ctx, &app, &module, name, force)?);
        }
    }
    if let Some(controller_name) = &controller_name {
        let snake = controller_name.snake();
        if exists(format!("src/controllers/{snake}_controller.rs")) {
            parts.push(parts::controller(ctx, &app, &snake)?);
        }
    }
    if let Some(model_name) = &model_name {
        let file = format!("src/controllers/{}_api.rs", model_name.snake());
        if exists(file.clone()) {
            parts.push(parts::api(ctx, &app, &file)?);
        }
    }
    // Hand-written files of those names are not tspawn's: they and their mod lines stay.
    if let Some(helper_name) = &helper_name {
        if parts::is_helper(&app, &helper_name.snake()) {
            parts.push(parts::helper(ctx, helper_name)?);
        }
    }
    // `tspawn delete blog_validator` means the validator of blog, as TreeFrog names it.
    if let Some(validator_name) = &validator_name {
        let snake = validator_name.snake();
        if let Some(recorded) = parts::recorded_validator(&app, &snake) {
            // A scaffold's or an api's validator came from its table (or field list).
            let table = parts::recorded_table(ctx, &app, &snake);
            let validator = (&recorded, table.as_ref());
            parts.push(parts::validator(ctx, &app, validator, name, force)?);
        }
    }
    let mut all = parts::union(parts).ok_or_else(|| Error::NothingToDelete(name.to_owned()))?;
    parts::keep_mod_lines_of_kept_files(&app.root, &mut all.plan);
    Ok(all)
}

fn endpoint(ctx: &Context, app: &App, name: &Name) -> Result<Generated, Error> {
    let snake = name.snake();
    // The chat flavour has a model; `--bare` does not.
    let bare = !app
        .root
        .join(format!("src/models/{snake}_message.rs"))
        .is_file();
    let generated = websocket::build(ctx, name, bare)?;
    let next_steps = (!bare).then(|| {
        format!(
            "note: databases where the migration ran keep the {snake}_messages table; drop it \
             with a migration of your own if its messages are no longer wanted"
        )
    });
    Ok(Generated {
        plan: generated.plan.reverse(),
        next_steps,
        ..generated
    })
}

fn sqlobject_path(root: &Path, module: &str) -> std::path::PathBuf {
    root.join(format!("src/models/sqlobjects/{module}.rs"))
}

/// The command recorded on the sqlobject's first line: "// Generated by `tspawn model blog`."
fn recorded_request(root: &Path, module: &str) -> Result<ModelRequest, Error> {
    let path = sqlobject_path(root, module);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    ModelRequest::recorded(&text).ok_or_else(|| {
        Error::Schema(format!(
            "src/models/sqlobjects/{module}.rs does not start with the line tspawn writes \
             (// Generated by `tspawn model ...`.), so delete cannot tell what made it; remove \
             its files by hand"
        ))
    })
}

fn model(
    ctx: &Context,
    app: &App,
    module: &str,
    typed: &str,
    force: bool,
) -> Result<Generated, Error> {
    let request = recorded_request(&app.root, module)?;
    // A live table dropped since, or changed into one tspawn refuses: its generated files
    // cannot be rebuilt, so they differ from what is planned and are asked about (or need
    // --force). A database that cannot be opened says nothing of the table: refused.
    let generated = match (model::regenerate(ctx, &request), &request.source) {
        (Err(Error::Database(e)), Source::Table(table)) if !force => {
            if let Some(refusal) = parts::needs_database(typed, table, &e) {
                return Err(refusal);
            }
            model::generate_without_table(ctx, &request, table)?
        }
        (Err(Error::Database(_) | Error::Schema(_)), Source::Table(table)) => {
            model::generate_without_table(ctx, &request, table)?
        }
        (generated, _) => generated?,
    };
    let others = other_sqlobjects(&app.root, module);
    let applied = applied_migrations(app);
    let mut notes = Vec::new();
    // src/models/<module>.rs of another generator (the chat's chat_message.rs): it and its
    // `pub mod` line stay, since what uses it would no longer build.
    let model_file = format!("src/models/{module}.rs");
    let foreign = std::fs::read_to_string(app.root.join(&model_file))
        .is_ok_and(|text| !model::is_model_file(&text, module));
    if foreign && !request.sqlobject_only {
        notes.push(format!(
            "note: {model_file} is not the model file tspawn model writes, so it and its \
             `pub mod {module};` line stay"
        ));
    }
    let mod_line = format!("pub mod {module};");
    let mut plan = Plan::default();
    for action in generated.plan.reverse().actions {
        match action {
            Action::Remove { path, .. } if foreign && path == Path::new(&model_file) => {}
            Action::Eject { path, snippet, .. }
                if foreign && path == Path::new("src/models/mod.rs") && snippet == mod_line => {}
            // The folder's mod.rs goes with the last sqlobject, holding only this line.
            Action::Remove { path, contents } if path.ends_with("sqlobjects/mod.rs") => {
                if others == 0 {
                    let line = format!("pub mod {module};");
                    let contents = match inject(&contents, "tspawn:modules", &line, None) {
                        Injection::Injected(text) => text,
                        _ => contents,
                    };
                    plan.actions.push(Action::Remove { path, contents });
                }
            }
            Action::Eject { path, .. } if path.ends_with("sqlobjects/mod.rs") && others == 0 => {}
            Action::Eject { snippet, .. } if snippet == "pub mod sqlobjects;" && others > 0 => {}
            Action::Remove { path, contents } if path.starts_with("db/migrations") => {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                let version = file.split('_').next().and_then(|v| v.parse::<i64>().ok());
                match &applied {
                    Ok(versions) if !version.is_some_and(|v| versions.contains(&v)) => {
                        plan.actions.push(Action::Remove { path, contents });
                    }
                    Ok(_) => notes.push(format!(
                        "note: the dev database applied {} so it stays; to drop the table, \
                         write a migration of your own that drops it",
                        path.display()
                    )),
                    Err(e) => notes.push(format!(
                        "note: {} stays: cannot tell whether the dev database applied it ({e})",
                        path.display()
                    )),
                }
            }
            other => plan.actions.push(other),
        }
    }
    Ok(Generated {
        plan,
        note: None,
        next_steps: (!notes.is_empty()).then(|| notes.join("\n")),
        ..generated
    })
}

/// How many sqlobject modules besides `module` the app has.
fn other_sqlobjects(root: &Path, module: &str) -> usize {
    let dir = root.join("src/models/sqlobjects");
    let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
    entries
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|f| f.ends_with(".rs") && f != "mod.rs" && *f != format!("{module}.rs"))
        .count()
}
