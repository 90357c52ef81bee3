//! What templates/scaffold sees: the table's key, fields and columns as the controller, its
//! views and its test spell them, laid out as rustfmt lays them out (tspawn never runs
//! rustfmt).

use super::layout::{
    assignment, awaited_let, call, format_call, let_else, let_else_plain, let_format, signature,
    struct_literal, template_attribute, use_list,
};
use super::samples::{samples, Samples};
use super::ScaffoldRequest;
use super::{code, html};
use crate::generators::model::parents::Parent;
use crate::generators::table_key::{key_shape, KeyShape};
use crate::names::{Name, NameKind};
use crate::schema::{Column, Kind, Role, Table};
use serde::Serialize;
use std::collections::BTreeMap;

/// What templates/scaffold sees (and the controller generator's layout: `crate_name`).
#[derive(Serialize)]
pub struct ScaffoldView {
    command: String,
    crate_name: String,
    /// `blog`: the model's module, the URL's first segment, the views' folder.
    name: String,
    /// `Blog`, `NewBlog`, `BlogForm`, the table.
    model: String,
    new_model: String,
    /// `use crate::models::blog::{Blog, NewBlog};`, laid out.
    model_import: String,
    form: String,
    table: String,
    /// How pages name a row: `Order Line` in headings, `order line` in sentences.
    title: String,
    lower: String,
    /// The key in URLs as the docs write it: `ID`, `ORDER_ID/LINE_NO`.
    key_doc: String,
    /// The key in a view's URLs: `{{ row.id }}`, `{{ row.code|urlencode_strict }}`.
    key_path: String,
    /// Whether a key column is a UUID (`Path<Uuid>`).
    uuid_key: bool,
    /// The laid-out `.route(...)` lines, signatures (by handler), `#[template]` attributes
    /// (by view), message constants and statements.
    routes: Vec<String>,
    signatures: BTreeMap<&'static str, String>,
    attributes: BTreeMap<&'static str, String>,
    constants: Vec<String>,
    show_path: String,
    /// The `let Some(row) = Blog::get(...).await? else {` lines (by pattern and pool), laid
    /// out.
    finds: BTreeMap<&'static str, String>,
    /// The form read from the input (`BlogForm { title: input.read("title"), ... }`), the
    /// inputs filled from a row, and the new row made from the form, laid out.
    read: String,
    fills: Vec<String>,
    new_row: String,
    /// The `row.title = form.title;` lines of `save` (not the key: the URL's), laid out.
    writes: Vec<String>,
    /// The `let NAME = Blog::...(...).await;` lines (by NAME: `rows`, `total`, `found`,
    /// `created`, `removed`) and `save_again`'s signature, laid out.
    calls: BTreeMap<&'static str, String>,
    save_again: String,
    /// `input.set(...)` of each key field callers set: the URL's value, never the form's.
    key_sets: Vec<String>,
    /// `lock_revision`'s field, when the table has one.
    lock: Option<String>,
    /// Whether the controller needs `segment` (a text key in a redirect).
    text_key: bool,
    /// `remove`'s `let show = format!(...);` (the row's page from the URL's key), and the
    /// handlers' `let Ok(Path(KEY)) = key else {` line, laid out.
    remove_show: String,
    key_let: String,
    /// `remove`'s last line: `Ok(flash::redirect(..., "/blog/index"))`, laid out.
    index_redirect: String,
    /// The text key fields callers set, whose value cannot be `.` or `..`.
    dot_key: Vec<String>,
    /// A key in a URL that does not parse (`abc` per segment), when one is not text.
    bad_key: Option<String>,
    /// `created_at`'s column, when the table has one (a save leaves it as it is).
    created_at: Option<String>,
    /// The columns index and show display: `(name, askama markup)`.
    shown: Vec<(String, String)>,
    /// The markup of the create form's key fields and of the fields both forms share.
    key_inputs: String,
    form_fields: String,
    /// The `.merge(...)` line fits in 100 columns.
    merge_fits: bool,
    #[serde(flatten)]
    samples: Samples,
}

impl ScaffoldView {
    /// The view of `request` for `table`: `(model, name)` are the model's type and module
    /// (`Blog`, `blog`), `key` its key columns in key order (checked by `url_key`), `parents`
    /// the functions giving its NOT NULL foreign keys a row (`parents::for_required_keys`).
    pub fn new(
        request: &ScaffoldRequest,
        crate_name: &str,
        table: &Table,
        (model, name): (String, String),
        (key, parents): (&[&Column], Vec<Parent>),
    ) -> ScaffoldView {
        let is_key = |c: &Column| key.iter().any(|k| k.name == c.name);
        let plain: Vec<&Column> = table
            .columns
            .iter()
            .filter(|c| c.role() == Role::Plain)
            .collect();
        // The fields the forms carry (no bytes: a save keeps the row's).
        let formed: Vec<&Column> = plain.iter().copied().filter(|c| html::in_form(c)).collect();
        let words: Vec<String> = name.split('_').map(str::to_owned).collect();
        let title: Vec<String> = words.iter().map(|w| code::capitalize(w)).collect();
        let lower = words.join(" ");
        let sentence = code::capitalize(&lower);
        let KeyShape {
            path_type,
            pattern,
            args,
        } = key_shape(key);
        let key_param = format!("key: Result<Path<{path_type}>, PathRejection>");
        let lock = table
            .columns
            .iter()
            .find(|c| c.role() == Role::LockRevision)
            .map(|c| c.field());
        let segments: Vec<String> = key
            .iter()
            .map(|c| format!("{{{}}}", c.field().trim_start_matches("r#")))
            .collect();
        let row_path = segments.join("/");
        let locations = |of: &str| -> Vec<String> {
            key.iter()
                .map(|c| match c.kind {
                    Kind::String => format!("segment(&{of}{})", c.field()),
                    _ => format!("{of}{}", c.field()),
                })
                .collect()
        };
        let show_pattern = format!("/{name}/show/{}", vec!["{}"; key.len()].join("/"));
        let module = format!("{name}_controller");
        let form_name =
            Name::parse(NameKind::Validator, &name).map_or(model.clone(), |n| n.pascal());
        ScaffoldView {
            command: request.command(),
            crate_name: crate_name.to_owned(),
            new_model: format!("New{model}"),
            model_import: {
                // rustfmt sorts a name in capitals (`A`, a constant's look) after the others.
                let mut names = [model.clone(), format!("New{model}")];
                names.sort_by_key(|n| (n.chars().all(|c| !c.is_lowercase()), n.clone()));
                use_list(&format!("crate::models::{name}"), &names)
            },
            form: format!("{form_name}Form"),
            table: table.name.clone(),
            title: title.join(" "),
            key_doc: key
                .iter()
                .map(|c| html::name(c).to_uppercase())
                .collect::<Vec<_>>()
                .join("/"),
            key_path: key
                .iter()
                .map(|c| match c.kind {
                    Kind::String => format!("{{{{ row.{}|urlencode_strict }}}}", html::name(c)),
                    _ => format!("{{{{ row.{} }}}}", html::name(c)),
                })
                .collect::<Vec<_>>()
                .join("/"),
            uuid_key: key.iter().any(|c| c.kind == Kind::Uuid),
            routes: code::routes(&name, &row_path),
            signatures: code::signatures(&key_param),
            attributes: ["index", "show", "create", "save", "not_found"]
                .into_iter()
                .map(|view| (view, template_attribute(&format!("{name}/{view}.html"))))
                .collect(),
            constants: code::constants(&sentence, &lower, lock.is_some()),
            show_path: format_call(4, &show_pattern, &locations("row.")),
            remove_show: let_format(12, "show", &show_pattern, &locations("")),
            index_redirect: code::index_redirect(&name),
            key_let: let_else_plain(4, &format!("Ok(Path({pattern}))"), "key"),
            bad_key: key
                .iter()
                .any(|c| c.kind != Kind::String)
                .then(|| vec!["abc"; key.len()].join("/")),
            created_at: table
                .columns
                .iter()
                .find(|c| c.role() == Role::CreatedAt)
                .map(|c| c.name.clone()),
            dot_key: formed
                .iter()
                .filter(|c| is_key(c) && c.kind == Kind::String)
                .map(|c| html::name(c))
                .collect(),
            finds: [
                ("row_db", "Some(row)", "db"),
                ("row_state", "Some(row)", "state.db"),
                ("mut_row_state", "Some(mut row)", "state.db"),
            ]
            .into_iter()
            .map(|(key, pattern, pool)| {
                (
                    key,
                    let_else(4, pattern, &format!("{model}::get(&{pool}, {args})")),
                )
            })
            .collect(),
            calls: [
                ("rows", format!("{model}::list(&db, page)"), "?"),
                ("total", format!("{model}::count(&db)"), "?"),
                ("created", format!("{model}::create(&state.db, &new)"), ""),
                ("removed", format!("{model}::remove(&state.db, {args})"), ""),
            ]
            .into_iter()
            .map(|(name, call, question)| (name, awaited_let(4, name, &call, question)))
            .collect(),
            save_again: signature(
                "fn save_again",
                &[
                    "status: StatusCode".to_owned(),
                    format!("row: {model}"),
                    "input: FormInput".to_owned(),
                ],
                "Result<Response>",
            ),
            read: {
                let fields: Vec<String> = plain
                    .iter()
                    .map(|c| {
                        if html::in_form(c) {
                            format!("{}: input.read(\"{}\")", c.field(), html::name(c))
                        } else {
                            // Not in the form: a new row's is empty (NULL when it may be).
                            format!("{}: Default::default()", c.field())
                        }
                    })
                    .collect();
                struct_literal(4, &format!("{form_name}Form"), &fields, "")
            },
            fills: formed
                .iter()
                .map(|c| (html::name(c), c.field()))
                .chain(lock.iter().map(|l| (l.clone(), l.clone())))
                .map(|(input, field)| {
                    let args = [format!("\"{input}\""), format!("&row.{field}")];
                    call(4, "input.set", &args, ";")
                })
                .collect(),
            new_row: {
                let fields: Vec<String> = plain
                    .iter()
                    .map(|c| format!("{}: form.{}", c.field(), c.field()))
                    .collect();
                struct_literal(4, &format!("let new = New{model}"), &fields, ";")
            },
            writes: formed
                .iter()
                .filter(|c| !is_key(c))
                .map(|c| {
                    let field = c.field();
                    assignment(4, &format!("row.{field}"), &format!("form.{field}"))
                })
                .collect(),
            key_sets: formed
                .iter()
                .filter(|c| is_key(c))
                .map(|c| {
                    let args = [
                        format!("\"{}\"", html::name(c)),
                        format!("&row.{}", c.field()),
                    ];
                    call(4, "input.set", &args, ";")
                })
                .collect(),
            text_key: key.iter().any(|c| c.kind == Kind::String),
            shown: table
                .columns
                .iter()
                .filter(|c| c.role() != Role::LockRevision)
                .map(|c| (c.name.clone(), html::shown(c)))
                .collect(),
            key_inputs: formed
                .iter()
                .filter(|c| is_key(c))
                .map(|c| html::field(c))
                .collect::<Vec<_>>()
                .join("\n"),
            form_fields: formed
                .iter()
                .filter(|c| !is_key(c))
                .map(|c| html::field(c))
                .collect::<Vec<_>>()
                .join("\n"),
            merge_fits: 8
                + ".merge(crate::controllers::".len()
                + module.len()
                + "::routes())".len()
                <= 100,
            samples: samples(&formed, |c| c.unique || is_key(c), parents),
            lock,
            lower,
            model,
            name,
        }
    }
}
