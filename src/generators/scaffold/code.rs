//! The scaffold controller's routes, handler signatures, messages and last lines, laid out
//! for the names they hold (see [`super::layout`]).

use super::layout::{call, signature, str_const};
use std::collections::BTreeMap;

/// The `.route(...)` lines of `routes()` for model module `name` and the key's path
/// segments `row_path` (`{id}`, `{order_id}/{line_no}`).
pub fn routes(name: &str, row_path: &str) -> Vec<String> {
    [
        (format!("/{name}"), "get(index)"),
        (format!("/{name}/index"), "get(index)"),
        (format!("/{name}/show/{row_path}"), "get(show)"),
        (format!("/{name}/create"), "get(create_form).post(create)"),
        (
            format!("/{name}/save/{row_path}"),
            "get(save_form).post(save)",
        ),
        (format!("/{name}/remove/{row_path}"), "post(remove)"),
    ]
    .iter()
    .map(|(path, handler)| {
        call(
            8,
            ".route",
            &[format!("\"{path}\""), (*handler).to_owned()],
            "",
        )
    })
    .collect()
}

/// The `const NAME: &str = "...";` lines: the flash notices first (CREATED, UPDATED,
/// REMOVED), then the form's and the list's messages; `sentence` and `lower` name a row
/// (`Order line`, `order line`); `lock`: the table has a `lock_revision` (NO_REVISION is
/// only used then).
pub fn constants(sentence: &str, lower: &str, lock: bool) -> Vec<String> {
    [
        ("CREATED", format!("{sentence} created.")),
        ("UPDATED", format!("{sentence} updated.")),
        ("REMOVED", format!("{sentence} removed.")),
        (
            "STALE",
            format!(
                "Not saved: someone else changed this {lower} since this page was \
                 opened. Saving again replaces their change with yours."
            ),
        ),
        (
            "TAKEN",
            format!("Not saved: a value that must be unique is already another {lower}'s."),
        ),
        (
            "MISSING",
            "Not saved: a value refers to a row that does not exist.".to_owned(),
        ),
        (
            "REFUSED",
            "Not saved: the database refused a value.".to_owned(),
        ),
        (
            "UNFIT",
            "Not saved: a value does not fit its column (too long, out of range, or not a \
             valid date)."
                .to_owned(),
        ),
        (
            "REFERRED",
            format!("Not removed: other rows refer to this {lower}."),
        ),
        (
            "NO_REVISION",
            format!(
                "Not saved: the form does not say which revision of this {lower} it \
                 edits; reload the page and save again."
            ),
        ),
    ]
    .iter()
    // A form without a revision is refused only where the table has one.
    .filter(|(name, _)| lock || *name != "NO_REVISION")
    .map(|(name, text)| str_const(name, text))
    .collect()
}

/// `remove`'s last line: `Ok(flash::redirect(&state.config, &session, "/NAME/index"))`, as
/// rustfmt lays it out (its `fn_call_width`, 60, measured on `Ok`'s argument).
pub fn index_redirect(name: &str) -> String {
    let args = ["&state.config", "&session", &format!("\"/{name}/index\"")];
    let inner = format!("flash::redirect({})", args.join(", "));
    if inner.len() <= 60 {
        format!("    Ok({inner})")
    } else {
        let lines: Vec<String> = args.iter().map(|a| format!("        {a},\n")).collect();
        format!("    Ok(flash::redirect(\n{}    ))", lines.concat())
    }
}

/// Each handler's signature, laid out.
pub fn signatures(key: &str) -> BTreeMap<&'static str, String> {
    let db = "State(db): State<Db>";
    let state = "State(state): State<AppState>";
    let session = "mut session: HttpSession";
    let input = "mut input: FormInput";
    let flash = "flash: Flash";
    let page = "Result<Response>";
    let handlers: [(&str, Vec<&str>, &str); 7] = [
        (
            "index",
            vec![db, "Query(mut page): Query<Page>", flash],
            "Result<Html<String>>",
        ),
        ("show", vec![db, key, flash], page),
        ("create_form", vec![flash], page),
        ("create", vec![state, session, input], page),
        ("save_form", vec![db, key, flash], page),
        ("save", vec![state, key, session, input], page),
        ("remove", vec![state, key, session], page),
    ];
    handlers
        .into_iter()
        .map(|(name, params, ret)| {
            let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
            (
                name,
                signature(&format!("pub async fn {name}"), &params, ret),
            )
        })
        .collect()
}

/// `word` with its first letter in upper case.
pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
