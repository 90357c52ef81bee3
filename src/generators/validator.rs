//! `tspawn validator NAME`: the form of table NAME with its rules, in src/helpers (TreeFrog
//! keeps validators with the helpers: `helpers/blogvalidator.h`).
//!
//! Writes src/helpers/NAME_validator.rs, the user's once written ([`Plan::user_file`]): a
//! `#[derive(Debug, Default, Deserialize, Validate)] pub struct NameForm` through the runtime's
//! re-exports (feature `validation`). When the dev database has table NAME (or its plural),
//! one field per column callers set (`Role::Plain`, the model's `NewX` fields, typed the same),
//! NOT NULL text `validation::required` and VARCHAR(n) `length(max = n)`, each with its message,
//! plus `impl From<NameForm> for NewX` when the model's sqlobject exists; without the table, one
//! example field and rule. Also tests/NAME_validator.rs (generated: each rule fires with its
//! message, a valid form passes), `pub mod NAME_validator;` in src/helpers/mod.rs and the
//! runtime feature `validation` in Cargo.toml. Scaffold and api use the same form.

mod view;

use super::{Claims, Generated};
use crate::app::App;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::schema::check::{check, Origin};
use crate::schema::{read_table, Table};
use crate::templates::render;
use std::path::PathBuf;
use view::ValidatorView;

/// The plan for `tspawn validator NAME`; `name` is a [`NameKind::Validator`] name. A table
/// `tspawn model` would refuse is refused the same way (`schema::check`, one line). The test
/// is planned only with the form it tests: when the form file is missing or is what this run
/// writes; a form the user changed (or made from the table as it was) keeps its test.
pub fn generate(ctx: &Context, name: &Name) -> Result<Generated, Error> {
    plan(ctx, name, false, None)
}

/// [`generate`] with the test always planned, for `delete`.
pub fn regenerate(ctx: &Context, name: &Name) -> Result<Generated, Error> {
    plan(ctx, name, true, None)
}

/// [`generate`] (or, `for_delete`, [`regenerate`]) with the fields of `table`, which the
/// caller read and checked: `tspawn scaffold`'s table, a field list's among them (the dev
/// database has no such table until the app runs its migration).
pub fn from_table(
    ctx: &Context,
    name: &Name,
    table: &Table,
    for_delete: bool,
) -> Result<Generated, Error> {
    plan(ctx, name, for_delete, Some(table))
}

fn plan(
    ctx: &Context,
    name: &Name,
    always_test: bool,
    given: Option<&Table>,
) -> Result<Generated, Error> {
    let app = App::find(ctx)?;
    let snake = name.snake();
    let module = format!("{snake}_validator");
    let (mut table, note) = match given {
        Some(given) => (Some(given.clone()), None),
        None => table(&app, &snake),
    };
    // A table `tspawn model` refuses (a column making no Rust field, two making one) is
    // refused here too. For delete, the form can only have been the example, written before
    // the table was.
    if let (Some(found), None) = (&table, given) {
        if let Err(refusal) = check(app.driver, found, Origin::LiveTable) {
            match always_test {
                true => table = None,
                false => return Err(refusal),
            }
        }
    }
    // The model's sqlobject: the one `tspawn model TABLE` writes for this table.
    let new_model = table.as_ref().and_then(|table| {
        let model = Name::parse(NameKind::Model, &table.name).ok()?;
        let sqlobject = model.singular_snake();
        let path = app
            .root
            .join(format!("src/models/sqlobjects/{sqlobject}.rs"));
        path.is_file()
            .then(|| (sqlobject, format!("New{}", model.singular_pascal())))
    });
    let with_model = new_model.is_some();
    let view = ValidatorView::new(name, &module, &app.crate_name, table.as_ref(), new_model);

    let mut plan = Plan::default();
    let form_path = format!("src/helpers/{module}.rs");
    let mut form = render("validator/validator.rs.jinja", &view)?;
    let on_disk = std::fs::read_to_string(app.root.join(&form_path))
        .ok()
        .map(|text| text.replace("\r\n", "\n"));
    // A form written before `tspawn model` made the sqlobject (without the `From` impl; as
    // `scaffold` and `api` write it in one plan with the model) is as unchanged as one
    // written after: each is what the validator generator wrote, for delete and for a rerun.
    if with_model && on_disk.as_ref() != Some(&form) {
        let without = ValidatorView::new(name, &module, &app.crate_name, table.as_ref(), None);
        let without = render("validator/validator.rs.jinja", &without)?;
        if on_disk.as_ref() == Some(&without) {
            form = without;
        }
    }
    // A form recording another spelling of its name (`tspawn validator Blog`, as files made
    // before names were recorded in snake case say) is as unchanged, for delete and a rerun.
    if let Some(text) = &on_disk {
        let rest = |text: &str| text.split_once('\n').map(|(_, rest)| rest.to_owned());
        let first = text.lines().next().unwrap_or_default();
        let recorded = first.split('`').nth(1).unwrap_or_default();
        let same_name = recorded
            .strip_prefix("tspawn validator ")
            .is_some_and(|n| Name::parse(NameKind::Validator, n).is_ok_and(|n| n.snake() == snake));
        if same_name && rest(text) == rest(&form) {
            form = text.clone();
        }
    }
    let in_step = on_disk.as_ref().is_none_or(|text| *text == form);
    plan.user_file(form_path, form);
    plan.inject(
        "src/helpers/mod.rs",
        "tspawn:modules",
        format!("pub mod {module};"),
    );
    if in_step || always_test {
        plan.generated_file(
            format!("tests/{module}.rs"),
            render("validator/test.rs.jinja", &view)?,
        );
    }
    plan.enable_features("Cargo.toml", "tspawn-runtime", &["validation"]);
    // The types of the form's fields (the model turned them on too, if there is one).
    let mut features: Vec<&str> = view.fields.iter().filter_map(|f| f.feature).collect();
    features.sort_unstable();
    features.dedup();
    if !features.is_empty() {
        plan.enable_features("Cargo.toml", "tspawn-runtime", &features);
    }
    let mut steps: Vec<String> = note.into_iter().collect();
    steps.push(format!("next: cargo test --test {module}"));
    // Said before the status lines, so a run with nothing else to do says it too.
    let mut notes: Vec<String> = name.rename_note().into_iter().collect();
    if !in_step {
        notes.push(format!(
            "note: src/helpers/{module}.rs is yours and differs from what this run would \
             write, so it and tests/{module}.rs stay as they are"
        ));
    }
    Ok(Generated {
        base: app.root,
        plan,
        note: (!notes.is_empty()).then(|| notes.join("\n")),
        next_steps: Some(steps.join("\n")),
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

/// Table `snake` or its plural from the dev database, or why there is none (said after the
/// status lines: the form is then the example).
fn table(app: &App, snake: &str) -> (Option<Table>, Option<String>) {
    let plural = crate::names::plural_of(snake);
    let mut tried = vec![snake.to_owned()];
    if plural != snake {
        tried.push(plural);
    }
    for name in &tried {
        if let Ok(table) = read_table(app, name) {
            return (Some(table), None);
        }
    }
    let note = format!(
        "note: the dev database has no table {}, so the form has one example field; edit it, \
         or create the table and run delete then validator again",
        tried.join(" or ")
    );
    (None, Some(note))
}

/// The fields of `fields` (Rust field names as the form declares them: `rating`, `r#type`)
/// that src/helpers/MODULE_validator.rs (`module` such as `blog`) does not declare as
/// `pub FIELD:`; empty when the file does not exist (the run writes it). Scaffold and api call
/// it before planning a controller that reads `form.FIELD`, which would not compile after a
/// column was added to a table whose form the user already has.
pub fn missing_fields(app: &App, module: &str, fields: &[String]) -> Vec<String> {
    let path = app.root.join(format!("src/helpers/{module}_validator.rs"));
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let declared: Vec<&str> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|rest| rest.split_once(':').map(|(name, _)| name.trim()))
        .collect();
    fields
        .iter()
        .filter(|field| !declared.contains(&field.as_str()))
        .cloned()
        .collect()
}

/// The Rust type of `column`'s form field, as the form declares it (`Option<i64>`).
pub fn field_type(column: &crate::schema::Column) -> String {
    let base = column.kind.rust_type();
    if column.nullable {
        format!("Option<{base}>")
    } else {
        base.to_owned()
    }
}

/// [`missing_fields`] as the one-line refusal of scaffold and api: `fields` are
/// `(field, Rust type)` pairs (`("rating", "Option<i64>")`) of the columns the controller
/// reads, `form` the form's type (`BlogForm`). The line names each missing field's declaration
/// and the two ways out: add them, or remove the file so the run writes it from the table.
pub fn refuse_missing_fields(
    app: &App,
    module: &str,
    form: &str,
    fields: &[(String, String)],
) -> Result<(), Error> {
    let names: Vec<String> = fields.iter().map(|(name, _)| name.clone()).collect();
    let missing = missing_fields(app, module, &names);
    if missing.is_empty() {
        return Ok(());
    }
    let declarations: Vec<String> = fields
        .iter()
        .filter(|(name, _)| missing.contains(name))
        .map(|(name, ty)| format!("`pub {name}: {ty},`"))
        .collect();
    let file = format!("src/helpers/{module}_validator.rs");
    Err(Error::Schema(format!(
        "{file} has no field {} the table has: add {} to {form} in {file}, or remove that \
         file and run again",
        missing.join(", "),
        declarations.join(" "),
    )))
}
