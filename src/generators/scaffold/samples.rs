//! What the scaffold's generated test sends and looks for: a form every rule accepts (as a
//! browser sends it: every input, empty when optional), and the fields that show a value, a
//! message or escaped markup back.

use super::html;
use super::layout::call;
use crate::generators::model::parents::Parent;
use crate::schema::{Column, Kind};
use serde::Serialize;

/// The variables of the test template that come from the columns.
#[derive(Serialize)]
pub struct Samples {
    /// The laid-out `set(&mut form, "title", "v0");` lines of `sample()`.
    pub sample: Vec<String>,
    /// How the tests get that form: `sample()`, or `sample().await` when a NOT NULL foreign
    /// key needs a row to point at (made by one of `parents`).
    pub sample_call: String,
    /// The tests' functions inserting those rows with plain SQL (the model's tests' own).
    pub parents: Vec<Parent>,
    /// Whether a sample value must differ from row to row (a key or UNIQUE column callers
    /// set): the test of a value another row has.
    pub uses_unique: bool,
    /// Whether the test calls `unique()`: for such a value or for a parent row's.
    pub needs_unique: bool,
    /// The names of the create form's inputs.
    pub inputs: Vec<String>,
    /// A field whose value the pages show as typed, with three values for it.
    pub marker: Option<Marker>,
    /// A required text field and its message.
    pub required: Option<(String, String)>,
    /// Another text field and how its input shows "kept" (the input a 422 keeps).
    pub kept: Option<(String, String)>,
    /// A `VARCHAR(n)` field, `n + 1`, and the message of a value that long.
    pub too_long: Option<(String, u32, String)>,
    /// A text field, markup for it, and how the page shows that markup (escaped).
    pub markup: Option<(String, String, String)>,
    /// A TEXT field (a textarea), for the test of a value starting with a newline.
    pub textarea: Option<String>,
}

/// A field the pages show as it was typed.
#[derive(Serialize)]
pub struct Marker {
    pub field: String,
    pub values: [String; 3],
    /// How the edit form shows a value, as Rust string literal text: `value=\"` and `\"`,
    /// or `>\n` and `</textarea>` (the newline HTML drops after the tag).
    pub before: String,
    pub after: String,
    /// Whether it takes `q"'1` (text of 4 characters or more): the test of a value with
    /// quotes through the edit form.
    pub quotes: bool,
}

/// The samples for a table whose callers set `plain` (in table order); `distinct(c)` says
/// whether a column must differ from row to row (a key or UNIQUE column); `parents` give the
/// NOT NULL foreign keys their rows (`parents::for_required_keys`).
pub fn samples(
    plain: &[&Column],
    distinct: impl Fn(&Column) -> bool,
    parents: Vec<Parent>,
) -> Samples {
    // The fields a test may set to a value of its own: a foreign key's must be a row's.
    let free: Vec<&Column> = plain
        .iter()
        .copied()
        .filter(|c| !distinct(c) && c.foreign_key.is_none())
        .collect();
    let marker = free
        .iter()
        .find(|c| c.kind == Kind::String && c.max_length.is_none_or(|n| n >= 2))
        .or_else(|| free.iter().find(|c| c.kind.is_integer()))
        .map(|c| marker(c));
    let parent = |c: &Column| parents.iter().find(|p| p.columns.contains(&c.name));
    let value = |c: &Column| -> String {
        match (&marker, parent(c)) {
            (_, Some(p)) if c.kind == Kind::String => format!("&{}(&db).await", p.function),
            (_, Some(p)) => format!("&{}(&db).await.to_string()", p.function),
            (Some(m), _) if m.field == html::name(c) => format!("\"{}\"", m.values[0]),
            _ => sample(c, distinct(c)),
        }
    };
    let sample: Vec<String> = plain
        .iter()
        .map(|c| {
            let args = [
                "&mut form".to_owned(),
                format!("\"{}\"", html::name(c)),
                value(c),
            ];
            call(4, "set", &args, ";")
        })
        .collect();
    let text = |c: &&&Column| c.kind == Kind::String;
    let required = free
        .iter()
        .chain(plain)
        .find(|c| text(c) && !c.nullable)
        .map(|c| (html::name(c), format!("{} is required", html::name(c))));
    let kept = free
        .iter()
        .filter(text)
        .find(|c| Some(html::name(c)) != required.as_ref().map(|r| r.0.clone()))
        .filter(|c| c.max_length.is_none_or(|n| n >= 4))
        .map(|c| {
            let (before, after) = shown(c);
            (html::name(c), format!("{before}kept{after}"))
        });
    let too_long = free
        .iter()
        .chain(plain)
        .find(|c| text(c) && c.max_length.is_some() && !html::is_textarea(c))
        .map(|c| {
            let max = c.max_length.unwrap_or_default();
            let message = format!("{} must be at most {max} characters", html::name(c));
            (html::name(c), max + 1, message)
        });
    let markup = free
        .iter()
        .filter(text)
        .find(|c| c.max_length.is_none_or(|n| n >= 3))
        .map(|c| {
            if c.max_length.is_none_or(|n| n >= 20) {
                let escaped = "&#60;script&#62;x()&#60;/script&#62;";
                (
                    html::name(c),
                    "<script>x()</script>".to_owned(),
                    escaped.to_owned(),
                )
            } else {
                (html::name(c), "<b>".to_owned(), "&#60;b&#62;".to_owned())
            }
        });
    Samples {
        uses_unique: plain.iter().any(|c| distinct(c)),
        needs_unique: sample
            .iter()
            .chain(parents.iter().map(|p| &p.body))
            .any(|s| s.contains("unique()")),
        sample,
        sample_call: if parents.is_empty() {
            "sample()".to_owned()
        } else {
            "sample().await".to_owned()
        },
        parents,
        inputs: plain.iter().map(|c| html::name(c)).collect(),
        marker,
        required,
        kept,
        too_long,
        markup,
        textarea: free
            .iter()
            .find(|c| html::is_textarea(c))
            .map(|c| html::name(c)),
    }
}

/// How the edit form shows a text field's value: around it, `value="` and `"` for an
/// input, `>` + newline and `</textarea>` for a textarea (see [`html`]'s `textarea`); the
/// newline written `\n`, as the test's string literals hold it.
fn shown(column: &Column) -> (String, String) {
    if html::is_textarea(column) {
        (">\\n".to_owned(), "</textarea>".to_owned())
    } else {
        ("value=\"".to_owned(), "\"".to_owned())
    }
}

fn marker(column: &Column) -> Marker {
    let values = match column.kind {
        Kind::String => ["v0", "v1", "v2"],
        _ => ["10", "11", "12"],
    };
    let (before, after) = shown(column);
    Marker {
        quotes: column.kind == Kind::String && column.max_length.is_none_or(|n| n >= 4),
        field: html::name(column),
        values: values.map(str::to_owned),
        before,
        after,
    }
}

/// The text a browser sends for `column` that its rules accept, as a Rust `&str` expression;
/// `distinct`: one no other row has (from the test's `unique()`).
fn sample(column: &Column, distinct: bool) -> String {
    if distinct {
        return match column.kind {
            // A space too, so a text key's URLs must be percent-encoded.
            Kind::String => match column.max_length {
                Some(n) if n < 11 => format!("&(unique() % {}).to_string()", 10_u64.pow(n)),
                _ => "&format!(\"k {}\", unique())".to_owned(),
            },
            Kind::I8 | Kind::U8 => "&(unique() % 100).to_string()".to_owned(),
            Kind::I16 | Kind::U16 => "&(unique() % 10_000).to_string()".to_owned(),
            Kind::Uuid => "&format!(\"6f1c2c1e-6f5b-4c56-9a4e-{:012}\", unique())".to_owned(),
            _ => "&unique().to_string()".to_owned(),
        };
    }
    if column.nullable {
        return "\"\"".to_owned();
    }
    let text = match column.kind {
        Kind::String => "x",
        Kind::Bool => "true",
        Kind::F32 | Kind::F64 | Kind::Decimal => match column.numeric {
            Some((_, 0)) => "2",
            _ => "1.5",
        },
        Kind::Date => "2026-01-02",
        Kind::Time => "12:30:05",
        Kind::DateTime | Kind::NaiveDateTime => "2026-01-02T12:30:05",
        Kind::Uuid => "6f1c2c1e-6f5b-4c56-9a4e-1f0e6f0c2a10",
        Kind::Json => "{}",
        Kind::Bytes => "ab",
        _ => "1",
    };
    format!("\"{text}\"")
}
