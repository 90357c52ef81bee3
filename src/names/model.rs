//! What models add to names: the singular and plural forms of a model or table name
//! (pluralizer's English rules, applied to the last word of the snake_case form) and the
//! checks a model name gets on top of the common ones.

use super::{another, is_windows_device, Name, NameKind, KEYWORDS, RESERVED};

/// Type names a model's struct must not take: the generated code (row struct `Post`, `NewPost`)
/// names these in the same module, from the prelude or the runtime's re-exports.
const TAKEN_TYPES: &[&str] = &[
    "Box",
    "Date",
    "DateTime",
    "Db",
    "Decimal",
    "Error",
    "JsonValue",
    "NaiveDate",
    "NaiveDateTime",
    "NaiveTime",
    "Option",
    "Result",
    "Row",
    "Self",
    "String",
    "Utc",
    "Uuid",
    "Vec",
];

/// `snake` with its last word made plural: `author` → `authors`, `blog_entry` →
/// `blog_entries` (the table a `references` field points at).
pub fn plural_of(snake: &str) -> String {
    last_word(snake, 2)
}

/// `snake` with its last word made singular: `blog_entries` → `blog_entry`.
pub fn singular_of(snake: &str) -> String {
    last_word(snake, 1)
}

/// `snake` with its last `_`-separated word made singular (`count` 1) or plural (2).
pub(super) fn last_word(snake: &str, count: isize) -> String {
    let (head, word) = match snake.rsplit_once('_') {
        Some((head, word)) => (format!("{head}_"), word),
        None => (String::new(), snake),
    };
    format!("{head}{}", pluralizer::pluralize(word, count, false))
}

/// What is wrong with a model name once its characters are fine: its module (singular
/// snake_case) must not be a keyword nor a Windows device, nor its struct a type the generated
/// code uses.
pub(super) fn model_problem(raw: &str) -> Option<String> {
    let name = Name {
        kind: NameKind::Model,
        raw: raw.to_owned(),
        typed: raw.to_owned(),
    };
    let (module, pascal) = (name.singular_snake(), name.singular_pascal());
    if module.is_empty() {
        return Some(format!(
            "it holds no name once separators are removed; give one, e.g. `{}`",
            NameKind::Model.example()
        ));
    }
    let other = another(NameKind::Model, &module);
    if KEYWORDS.contains(&module.as_str()) {
        return Some(format!(
            "its module `{module}` would be a Rust keyword; pick another, e.g. \"{other}\""
        ));
    }
    if is_windows_device(&module) {
        return Some(format!(
            "its file `{module}.rs` is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, \
             LPT1-9), where it could not be checked out; pick another, e.g. \"{other}\""
        ));
    }
    let cargo_folders = ["build", "deps", "examples", "incremental", "test", "tspawn"];
    if RESERVED.contains(&module.as_str()) && !cargo_folders.contains(&module.as_str()) {
        return Some(format!(
            "its module `{module}` would hide the crate of that name; pick another, e.g. \
             \"{other}\""
        ));
    }
    if TAKEN_TYPES.contains(&pascal.as_str()) {
        return Some(format!(
            "its struct `{pascal}` would hide the type of that name the generated code uses; \
             pick another, e.g. \"{other}\""
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_give_struct_module_and_table() {
        let cases = [
            ("post", "Post", "post", "posts"),
            ("Post", "Post", "post", "posts"),
            ("posts", "Post", "post", "posts"),
            ("BlogEntry", "BlogEntry", "blog_entry", "blog_entries"),
            ("blog_entries", "BlogEntry", "blog_entry", "blog_entries"),
            ("blog-entry", "BlogEntry", "blog_entry", "blog_entries"),
            ("blog", "Blog", "blog", "blogs"),
            ("person", "Person", "person", "people"),
            ("people", "Person", "person", "people"),
            ("category", "Category", "category", "categories"),
            ("order_line", "OrderLine", "order_line", "order_lines"),
            ("news", "News", "news", "news"),
            ("status", "Status", "status", "statuses"),
            ("address", "Address", "address", "addresses"),
        ];
        for (input, pascal, module, table) in cases {
            let name = Name::parse(NameKind::Model, input).unwrap();
            assert_eq!(
                (
                    name.singular_pascal().as_str(),
                    name.singular_snake().as_str(),
                    name.plural_snake().as_str()
                ),
                (pascal, module, table),
                "{input}"
            );
            assert_eq!(name.as_str(), input, "the table's exact spelling is kept");
        }
    }

    #[test]
    fn refuses_bad_model_names_with_a_fix() {
        let cases = [
            (
                "",
                "it is empty; give a name, e.g. `tspawn model post title:string`",
            ),
            (
                "1post",
                "starts with a digit; start it with a letter, e.g. \"post1\"",
            ),
            ("_post", "must start with a letter, e.g. \"post\""),
            (
                "blog entry",
                "contains a space; use letters, digits, '_' or '-', e.g. \"blog_entry\"",
            ),
            ("blog.entry", "'.' is not allowed"),
            ("entrée", "'é' is not allowed"),
            (
                "type",
                "module `type` would be a Rust keyword; pick another, e.g. \"type_entry\"",
            ),
            ("types", "module `type` would be a Rust keyword"),
            ("Self", "Rust keyword"),
            ("nul", "device name on Windows"),
            ("results", "struct `Result` would hide the type"),
            ("Option", "struct `Option` would hide the type"),
            ("sqlx", "would hide the crate"),
            ("std", "would hide the crate"),
        ];
        for (input, expected) in cases {
            let err = Name::parse(NameKind::Model, input).unwrap_err().to_string();
            assert!(err.starts_with("invalid model name"), "{input:?}: {err}");
            assert!(err.contains(expected), "{input:?}: {err}");
            assert!(!err.contains('\n'), "{input:?}: one line only");
        }
        for fine in ["test", "user", "order", "item2", "Blog_Entry", "endpoint"] {
            assert!(Name::parse(NameKind::Model, fine).is_ok(), "{fine}");
        }
    }
}
