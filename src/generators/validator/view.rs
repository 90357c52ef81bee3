//! What templates/validator sees: the form's fields with their rules, laid out as rustfmt lays
//! them out (tspawn never runs rustfmt), and the generated test's cases.

use crate::names::Name;
use crate::schema::{Column, Kind, Role, Table};
use serde::Serialize;

/// The variables of templates/validator/*.
#[derive(Debug, Serialize)]
pub struct ValidatorView {
    /// `tspawn validator blog`, recorded in the test's header.
    pub command: String,
    /// `blog_validator`, `BlogForm`, the app's crate.
    pub module: String,
    pub form: String,
    pub crate_name: String,
    /// The table the fields come from; `None` for the example form.
    pub table: Option<String>,
    pub imports: Vec<String>,
    pub fields: Vec<FormField>,
    /// `(sqlobject module, NewX)` when `impl From<Form> for NewX` is written.
    pub new_model: Option<(String, String)>,
    /// The fields a valid sample sets (`title: "x".to_owned()`), and whether others are left
    /// to `Default`.
    pub sample: Vec<String>,
    pub sample_rest: bool,
    /// One generated test per rule.
    pub cases: Vec<Case>,
}

/// One field of the form.
#[derive(Debug, Serialize)]
pub struct FormField {
    /// `title`, `r#type`.
    pub name: String,
    /// The laid-out `pub title: String,` line(s).
    pub line: String,
    /// The laid-out `#[validate(...)]` attribute, empty without rules.
    pub rules: String,
    /// `#[serde(default)]`: a text or checkbox input the browser may leave out.
    pub default: bool,
    /// What the field's doc says: the column's SQL type.
    pub doc: String,
    #[serde(skip)]
    pub feature: Option<&'static str>,
}

/// A rule's test: the field set to `value` fails with `message`; `ok` (when given) passes.
#[derive(Debug, Serialize)]
pub struct Case {
    pub test: String,
    pub field: String,
    pub key: String,
    pub value: String,
    pub ok: Option<String>,
    pub message: String,
}

impl ValidatorView {
    pub fn new(
        name: &Name,
        module: &str,
        crate_name: &str,
        table: Option<&Table>,
        new_model: Option<(String, String)>,
    ) -> ValidatorView {
        let columns: Vec<&Column> = match table {
            Some(table) => table
                .columns
                .iter()
                .filter(|c| c.role() == Role::Plain)
                .collect(),
            None => Vec::new(),
        };
        let mut fields = Vec::new();
        let mut cases = Vec::new();
        let mut sample = Vec::new();
        for column in &columns {
            let (field, mut more) = field(column);
            if more.iter().any(|c| c.test.ends_with("_is_required")) {
                sample.push(format!("{}: \"x\".to_owned(),", field.name));
            }
            cases.append(&mut more);
            fields.push(field);
        }
        if table.is_none() {
            // The example: one required text field.
            let example = Column {
                name: "title".to_owned(),
                sql_type: "example".to_owned(),
                kind: Kind::String,
                nullable: false,
                auto_increment: false,
                default: None,
                unique: false,
                max_length: Some(80),
                numeric: None,
                foreign_key: None,
                generated: None,
            };
            let (field, mut more) = field(&example);
            sample.push("title: \"x\".to_owned(),".to_owned());
            cases.append(&mut more);
            fields.push(field);
        }
        let sample_rest = sample.len() < fields.len();
        let imports = imports(&fields, &columns, new_model.as_ref());
        ValidatorView {
            // The name as its file is called (`blog` for `BlogValidator` and `Blog`), so every
            // spelling records the same command.
            command: format!("tspawn validator {}", name.snake()),
            module: module.to_owned(),
            form: format!("{}Form", name.pascal()),
            crate_name: crate_name.to_owned(),
            table: table.map(|t| t.name.clone()),
            imports,
            fields,
            new_model,
            sample,
            sample_rest,
            cases,
        }
    }
}

/// A column as a form field, with the tests of its rules.
fn field(column: &Column) -> (FormField, Vec<Case>) {
    let name = column.field();
    let label = name.trim_start_matches("r#").to_owned();
    let base = column.kind.rust_type();
    let ty = match column.nullable {
        true => format!("Option<{base}>"),
        false => base.to_owned(),
    };
    let text = column.kind == Kind::String;
    let mut rules = Vec::new();
    let mut cases = Vec::new();
    let wrap = |value: String| match column.nullable {
        true => format!("Some({value})"),
        false => value,
    };
    if text && !column.nullable {
        let message = format!("{label} is required");
        rules.push(format!(
            "custom(function = \"validation::required\", message = \"{message}\")"
        ));
        cases.push(Case {
            test: format!("{label}_is_required"),
            field: name.clone(),
            key: label.clone(),
            value: "\" \".to_owned()".to_owned(),
            ok: None,
            message,
        });
    }
    if let (true, Some(max)) = (text, column.max_length) {
        let message = format!("{label} must be at most {max} characters");
        rules.push(format!("length(max = {max}, message = \"{message}\")"));
        cases.push(Case {
            test: format!("{label}_is_at_most_{max}_characters"),
            field: name.clone(),
            key: label.clone(),
            value: wrap(format!("\"x\".repeat({})", u64::from(max) + 1)),
            ok: Some(wrap(format!("\"x\".repeat({max})"))),
            message,
        });
    }
    let line = match 8 + name.len() + 2 + ty.len() + 1 {
        n if n <= 100 => format!("    pub {name}: {ty},"),
        _ => format!("    pub {name}:\n        {ty},"),
    };
    let field = FormField {
        line,
        rules: attribute(&rules),
        default: !column.nullable && matches!(column.kind, Kind::String | Kind::Bool),
        doc: match column.sql_type.as_str() {
            "example" => "An example: required, at most 80 characters".to_owned(),
            sql => format!("`{sql}`{}", if column.nullable { ", optional" } else { "" }),
        },
        feature: column.kind.feature(),
        name,
    };
    (field, cases)
}

/// `#[validate(...)]` at one indent, laid out as rustfmt lays out an attribute's list: on one
/// line if it fits in 100 columns (and each rule's arguments in 70); a single rule that does
/// not is opened on the line
/// (`#[validate(length(` ... `))]`); several go one a line, each split the same way when it
/// does not fit itself.
fn attribute(rules: &[String]) -> String {
    if rules.is_empty() {
        return String::new();
    }
    // A rule's own arguments go one a line past rustfmt's `attr_fn_like_width` (70).
    let fits = |rule: &String| split(rule).1.join(", ").len() <= 70;
    let line = format!("    #[validate({})]", rules.join(", "));
    if line.len() <= 100 && rules.iter().all(fits) {
        return line;
    }
    if let [rule] = rules {
        let (head, args) = split(rule);
        return format!("    #[validate({head}(\n{}\n    ))]", args_lines(&args, 8));
    }
    let mut lines = vec!["    #[validate(".to_owned()];
    for (i, rule) in rules.iter().enumerate() {
        let comma = if i + 1 < rules.len() { "," } else { "" };
        let one = format!("        {rule}{comma}");
        if one.len() <= 100 && fits(rule) {
            lines.push(one);
        } else {
            let (head, args) = split(rule);
            lines.push(format!("        {head}("));
            lines.push(args_lines(&args, 12));
            lines.push(format!("        ){comma}"));
        }
    }
    lines.push("    )]".to_owned());
    lines.join("\n")
}

/// `length(max = 20, message = "...")` → `("length", ["max = 20", "message = \"...\""])`; a
/// message never holds ", " before a `key =` (column names are identifiers).
fn split(rule: &str) -> (&str, Vec<&str>) {
    let open = rule.find('(').unwrap_or(rule.len());
    let inner = rule[open..].trim_start_matches('(').trim_end_matches(')');
    (&rule[..open], inner.split(", ").collect())
}

fn args_lines(args: &[&str], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let lines: Vec<String> = args.iter().map(|a| format!("{pad}{a}")).collect();
    lines.join(",\n")
}

/// The form file's `use` lines, sorted as rustfmt sorts them.
fn imports(
    fields: &[FormField],
    columns: &[&Column],
    new_model: Option<&(String, String)>,
) -> Vec<String> {
    let uses = |kinds: &[Kind]| columns.iter().any(|c| kinds.contains(&c.kind));
    let mut imports = Vec::new();
    if let Some((module, new)) = new_model {
        imports.push(format!("crate::models::sqlobjects::{module}::{new}"));
    }
    let mut chrono = Vec::new();
    if uses(&[Kind::DateTime]) {
        chrono.push("DateTime");
    }
    for kind in [Kind::Date, Kind::NaiveDateTime, Kind::Time] {
        if uses(&[kind]) {
            chrono.push(kind.rust_type());
        }
    }
    if uses(&[Kind::DateTime]) {
        chrono.push("Utc");
    }
    match chrono.as_slice() {
        [] => {}
        [one] => imports.push(format!("tspawn_runtime::chrono::{one}")),
        many => imports.push(format!("tspawn_runtime::chrono::{{{}}}", many.join(", "))),
    }
    if uses(&[Kind::Decimal]) {
        imports.push("tspawn_runtime::rust_decimal::Decimal".to_owned());
    }
    imports.push("tspawn_runtime::serde::Deserialize".to_owned());
    if uses(&[Kind::Json]) {
        imports.push("tspawn_runtime::serde_json::Value as JsonValue".to_owned());
    }
    if uses(&[Kind::Uuid]) {
        imports.push("tspawn_runtime::uuid::Uuid".to_owned());
    }
    if fields
        .iter()
        .any(|f| f.rules.contains("validation::required"))
    {
        imports.push("tspawn_runtime::validation".to_owned());
    }
    imports.push("tspawn_runtime::validator::Validate".to_owned());
    imports
}
