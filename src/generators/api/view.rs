//! What templates/api sees: the table's key, fields and samples as the controller and its
//! tests spell them, laid out as rustfmt lays them out (tspawn never runs rustfmt).

use super::ApiRequest;
use crate::generators::model::parents::Parent;
use crate::generators::table_key::{key_shape, KeyShape};
use crate::names::{Name, NameKind};
use crate::schema::{Column, Kind, Role, Table};
use serde::Serialize;

/// What templates/api sees.
#[derive(Serialize)]
pub struct ApiView {
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
    /// Its Rust integer type (`i64`, or `i32` for an INTEGER on PostgreSQL and MySQL).
    lock_type: &'static str,
    /// `use` lines the key types need.
    imports: Vec<String>,
    /// One valid body for the tests: `"title": "x"` pairs, and a value too long to pass.
    sample: Vec<String>,
    /// How the tests get that body: `sample()`, or `sample().await` when a NOT NULL foreign
    /// key needs a row to point at (made by one of `parents`).
    sample_call: String,
    /// The tests' functions inserting those rows with plain SQL (the model's tests' own).
    parents: Vec<Parent>,
    /// Whether the tests need `unique()`: for a key or UNIQUE column callers set, or for a
    /// parent row's.
    uses_unique: bool,
    /// Whether a second POST of the sample is refused as taken (409): it sets a key or UNIQUE
    /// column.
    taken: bool,
    /// A NOT NULL foreign key's column and a JSON value naming no row (`-1`, `"(no row)"`),
    /// for the test of the 422 a foreign key to no row answers.
    orphan: Option<(String, String)>,
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

/// The view of `request` for `table`: `(model, name)` are the model's type and module
/// (`Blog`, `blog`), `key` its key columns in key order (checked by `key`), `parents` the
/// functions giving its NOT NULL foreign keys a row (`parents::for_required_keys`).
pub fn view(
    request: &ApiRequest,
    crate_name: &str,
    table: &Table,
    (model, name): (String, String),
    (key, parents): (Vec<&Column>, Vec<Parent>),
) -> ApiView {
    let KeyShape {
        path_type: key_type,
        pattern: key_pattern,
        args: key_args,
    } = key_shape(&key);
    let plain: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| c.role() == Role::Plain)
        .collect();
    let distinct = |c: &Column| c.unique || key.iter().any(|k| k.name == c.name);
    let parent = |c: &Column| parents.iter().find(|p| p.columns.contains(&c.name));
    let sample: Vec<String> = plain
        .iter()
        .filter(|c| !c.nullable || distinct(c))
        .map(|c| match (parent(c), distinct(c), c.kind) {
            (Some(p), _, _) => format!("\"{}\": {}(&db).await", c.name, p.function),
            (_, true, Kind::String) => {
                format!("\"{}\": format!(\"k{{}}\", unique())", c.name)
            }
            // A narrow integer takes it modulo its range (collisions with rows earlier runs
            // left are rare, not impossible: see testing::unique).
            (_, true, kind) if kind.is_integer() => match small_range(kind) {
                Some(range) => format!("\"{}\": unique() % {range}", c.name),
                None => format!("\"{}\": unique()", c.name),
            },
            _ => format!("\"{}\": {}", c.name, json_sample(c)),
        })
        .collect();
    let taken = plain.iter().any(|c| distinct(c));
    let orphan = plain
        .iter()
        .filter(|c| parents.iter().any(|p| p.columns == [c.name.clone()]))
        .find_map(|c| match c.kind {
            Kind::String => Some((c.name.clone(), "\"(no row)\"".to_owned())),
            kind if kind.is_integer() => Some((c.name.clone(), "-1".to_owned())),
            _ => None,
        });
    let uses_unique = sample
        .iter()
        .chain(parents.iter().map(|p| &p.body))
        .any(|s| s.contains("unique()"));
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
        key_args,
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
        lock_type: table
            .columns
            .iter()
            .find(|c| c.role() == Role::LockRevision)
            .map_or("i64", |c| c.kind.rust_type()),
        imports: match key.iter().any(|c| c.kind == Kind::Uuid) {
            true => vec!["tspawn_runtime::uuid::Uuid".to_owned()],
            false => Vec::new(),
        },
        sample,
        sample_call: match parents.is_empty() {
            true => "sample()".to_owned(),
            false => "sample().await".to_owned(),
        },
        parents,
        uses_unique,
        taken,
        orphan,
        text_key: key.iter().any(|c| c.kind == Kind::String),
        location,
        invalid,
        required,
        merge_fits: 8 + ".merge(crate::controllers::".len() + module.len() + "::routes())".len()
            <= 100,
        name,
    }
}

/// The count of values a narrow integer column holds from 0 up, as a Rust literal, for a
/// `unique()` that would overflow it (`None` for 32 bits and more: `unique()` is below 2^31).
fn small_range(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::I8 => Some("127"),
        Kind::U8 => Some("255"),
        Kind::I16 => Some("32_767"),
        Kind::U16 => Some("65_535"),
        _ => None,
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
