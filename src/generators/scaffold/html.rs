//! The askama markup of the scaffold's form fields: one input per column a caller sets, chosen
//! by the column's kind, filled with what the form holds (`input.value("title")`: the row's
//! value on an edit page, the text as typed on a page sent back), and the field's message
//! right after it. A textarea's value starts on the line after its tag, as HTML drops a
//! newline there.
//!
//! No input gets HTML's `required`: the browser would block the submit, and the server's
//! message beside the field says the same for every client.

use crate::schema::{Column, Kind};

/// What each control is followed by: the field's message when it has one.
const MESSAGE: &str = r#"
    {%- if let Some(error) = input.error("NAME") %}
    <p class="error" id="NAME-error">{{ error }}</p>
    {%- endif %}"#;

/// What follows on a stale form's page: the row's current value, when it is not the form's
/// (the view's `now`).
const NOW: &str = r#"
    {%- if let Some(now) = self.now("NAME") %}
    <p class="current">Now: {{ now }}</p>
    {%- endif %}"#;

/// Marks the control of a field that has a message, and points it at the message.
const ARIA: &str = r#"{% if input.error("NAME").is_some() %} aria-invalid="true" aria-describedby="NAME-error"{% endif %}"#;

/// The value the form holds for the field.
const VALUE: &str = r#"{{ input.value("NAME") }}"#;

/// The field's name in the form: the Rust field without `r#` (what `FormInput` and the
/// validator's messages call it).
pub fn name(column: &Column) -> String {
    column.field().trim_start_matches("r#").to_owned()
}

/// The markup of `column`'s field, indented for a `<form>` at the top level of a view.
pub fn field(column: &Column) -> String {
    let control = control(column);
    let label = label(column);
    let block = format!(
        "  <div class=\"field\">\n    <label for=\"NAME\">{label}</label>\n    {control}{MESSAGE}{NOW}\n  </div>"
    );
    block
        .replace("ARIA", ARIA)
        .replace("VALUE", VALUE)
        .replace("NAME", &name(column))
}

/// The askama markup index and show pages display for `column` of `row`: its input text
/// (`row.type`: askama writes a keyword field as the raw identifier itself), a `DateTime<Utc>`
/// followed by " UTC", bytes as their size ("3 bytes"); nothing for NULL.
pub fn shown(column: &Column) -> String {
    let field = name(column);
    let (value, suffix) = match column.kind {
        Kind::Bytes => ("len()", " bytes"),
        Kind::DateTime => ("to_input()", " UTC"),
        _ => ("to_input()", ""),
    };
    match (column.nullable, suffix) {
        (true, "") | (false, _) => format!("{{{{ row.{field}.{value} }}}}{suffix}"),
        (true, _) => format!(
            "{{% if let Some(value) = row.{field} %}}{{{{ value.{value} }}}}{suffix}{{% endif %}}"
        ),
    }
}

/// The label of `column`'s field: its name, and "(UTC)" for a `DateTime<Utc>`, whose input
/// reads and shows UTC (no one takes it for local time).
pub fn label(column: &Column) -> String {
    match column.kind {
        Kind::DateTime => format!("{} (UTC)", name(column)),
        _ => name(column),
    }
}

/// Whether `column` is in the forms: every column callers set but bytes (BLOB, BYTEA), which
/// no text input carries without corrupting them; a save keeps the row's.
pub fn in_form(column: &Column) -> bool {
    column.kind != Kind::Bytes
}

/// The longest VARCHAR a one-line text input gets: a longer one is a textarea, as an
/// `<input type="text">` strips the newlines a long text may hold.
const LONGEST_INPUT: u32 = 255;

/// Whether `column`'s field is a textarea holding text: TEXT, or VARCHAR(n) over
/// [`LONGEST_INPUT`].
pub fn is_textarea(column: &Column) -> bool {
    column.kind == Kind::String && column.max_length.is_none_or(|n| n > LONGEST_INPUT)
}

/// The input (or textarea, or select) of `column`, with `NAME`, `VALUE` and `ARIA` to fill.
fn control(column: &Column) -> String {
    let attributes = r#"id="NAME" name="NAME""#;
    let input = |kind: &str| format!(r#"<input type="{kind}" {attributes} value="VALUE"ARIA>"#);
    let number = |step: &str| {
        let min = match column.kind {
            Kind::U8 | Kind::U16 | Kind::U32 | Kind::U64 => r#" min="0""#,
            _ => "",
        };
        format!(r#"<input type="number" {attributes} step="{step}"{min} value="VALUE"ARIA>"#)
    };
    match column.kind {
        Kind::String => match column.max_length.filter(|_| !is_textarea(column)) {
            Some(max) => {
                format!(r#"<input type="text" {attributes} maxlength="{max}" value="VALUE"ARIA>"#)
            }
            None => textarea(attributes),
        },
        Kind::Json | Kind::Bytes => textarea(attributes),
        kind if kind.is_integer() => number("1"),
        Kind::F32 | Kind::F64 => number("any"),
        Kind::Decimal => number(&match column.numeric {
            Some((_, 0)) => "1".to_owned(),
            Some((_, scale)) => format!("0.{}1", "0".repeat(scale as usize - 1)),
            None => "any".to_owned(),
        }),
        Kind::Bool if column.nullable => [
            format!("<select {attributes}ARIA>"),
            option("", "—"),
            option("true", "yes"),
            option("false", "no"),
            "    </select>".to_owned(),
        ]
        .join("\n"),
        Kind::Bool => {
            let checked = r#"{% if input.value("NAME") == "true" %} checked{% endif %}"#;
            format!(r#"<input type="checkbox" {attributes} value="true"{checked}ARIA>"#)
        }
        Kind::Date => input("date"),
        // Milliseconds, the finest `to_input` writes: a coarser step makes the browser refuse
        // to submit a value that has them.
        Kind::Time => input("time\" step=\"0.001"),
        Kind::DateTime | Kind::NaiveDateTime => input("datetime-local\" step=\"0.001"),
        _ => input("text"),
    }
}

/// A textarea holding the value after a newline: HTML's parser drops one newline right after
/// `<textarea>` (HTML Living Standard, "in body" insertion mode, start tag "textarea"), so a
/// value starting with one would lose it on every edit without it.
fn textarea(attributes: &str) -> String {
    format!("<textarea {attributes}ARIA>\nVALUE</textarea>")
}

/// An option of a nullable bool's select, selected when the form holds `value`.
fn option(value: &str, text: &str) -> String {
    format!(
        r#"      <option value="{value}"{{% if input.value("NAME") == "{value}" %}} selected{{% endif %}}>{text}</option>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: Kind, max_length: Option<u32>, nullable: bool) -> Column {
        Column {
            name: name.to_owned(),
            sql_type: "T".to_owned(),
            kind,
            nullable,
            auto_increment: false,
            default: None,
            unique: false,
            max_length,
            numeric: Some((10, 2)),
            foreign_key: None,
            generated: None,
        }
    }

    #[test]
    fn each_kind_gets_its_input() {
        let title = field(&column("title", Kind::String, Some(20), false));
        assert!(title.contains(r#"<input type="text" id="title" name="title" maxlength="20" value="{{ input.value("title") }}"{% if input.error("title").is_some() %} aria-invalid="true" aria-describedby="title-error"{% endif %}>"#), "{title}");
        assert!(title.contains(r#"<p class="error" id="title-error">{{ error }}</p>"#));
        let body = field(&column("body", Kind::String, None, true));
        assert!(
            body.contains("<textarea id=\"body\" name=\"body\""),
            "{body}"
        );
        // The newline HTML drops after the tag, so the value keeps a leading one of its own.
        assert!(
            body.contains("%}>\n{{ input.value(\"body\") }}</textarea>"),
            "{body}"
        );
        let price = field(&column("price", Kind::Decimal, None, false));
        assert!(price.contains("step=\"0.01\""), "{price}");
        let flag = field(&column("flag", Kind::Bool, None, true));
        assert!(flag.contains("<option value=\"false\"{% if input.value(\"flag\") == \"false\" %} selected{% endif %}>no</option>"), "{flag}");
        let done = field(&column("type", Kind::Bool, None, false));
        assert!(done.contains("type=\"checkbox\" id=\"type\""), "{done}");
        let at = field(&column("at", Kind::DateTime, None, false));
        assert!(
            at.contains("type=\"datetime-local\" step=\"0.001\" id=\"at\""),
            "{at}"
        );
        assert!(at.contains("<label for=\"at\">at (UTC)</label>"), "{at}");
        let time = field(&column("at", Kind::Time, None, false));
        assert!(time.contains("type=\"time\" step=\"0.001\""), "{time}");
        let naive = field(&column("at", Kind::NaiveDateTime, None, false));
        assert!(naive.contains("<label for=\"at\">at</label>"), "{naive}");
    }

    /// A VARCHAR over 255 characters may hold newlines, which a one-line input strips.
    #[test]
    fn a_long_varchar_is_a_textarea() {
        let long = field(&column("body", Kind::String, Some(256), true));
        assert!(long.contains("<textarea id=\"body\""), "{long}");
        let short = field(&column("body", Kind::String, Some(255), true));
        assert!(short.contains("maxlength=\"255\""), "{short}");
    }

    #[test]
    fn pages_show_bytes_as_their_size_a_utc_time_as_utc_and_a_keyword_as_is() {
        let data = shown(&column("data", Kind::Bytes, None, false));
        assert_eq!(data, "{{ row.data.len() }} bytes");
        let data = shown(&column("data", Kind::Bytes, None, true));
        assert_eq!(
            data,
            "{% if let Some(value) = row.data %}{{ value.len() }} bytes{% endif %}"
        );
        let at = shown(&column("at", Kind::DateTime, None, false));
        assert_eq!(at, "{{ row.at.to_input() }} UTC");
        let kind = shown(&column("type", Kind::String, None, true));
        assert_eq!(kind, "{{ row.type.to_input() }}");
    }

    #[test]
    fn bytes_are_not_in_the_form() {
        assert!(!in_form(&column("data", Kind::Bytes, None, false)));
        assert!(in_form(&column("data", Kind::String, None, false)));
    }
}
