//! Rust lines whose length depends on table and column names, laid out in Rust as rustfmt
//! (edition 2021, max_width 100, chain_width 60) would lay them out, so the model templates
//! stay plain text and their output is rustfmt-clean for any name (tspawn never runs rustfmt).

/// The widest line rustfmt leaves alone.
const MAX_WIDTH: usize = 100;

/// A method chain statement at `indent` spaces: `lead` (`let row = `), the chain's `links`
/// (`sqlx::query_as(GET)`, `.bind(id)`, ..., `.await`) and `tail` (`?;`).
///
/// rustfmt keeps a chain on one line when it fits its chain width of 60 and the line fits;
/// otherwise every link after the first goes on a line of its own, one indent deeper.
pub fn chain(indent: usize, lead: &str, links: &[String], tail: &str) -> String {
    let one_line: String = links.concat();
    // Measured: a trailing `?` counts twice (a chain of 59 with its `?` is split).
    let width = one_line.len() + 2 * tail.matches('?').count();
    let pad = " ".repeat(indent);
    // A call and one link (`Model::get(&db, id).await`) is no chain for chain_width.
    let short = width <= 60 || links.len() == 2;
    if short && indent + lead.len() + one_line.len() + tail.len() <= MAX_WIDTH {
        return format!("{pad}{lead}{one_line}{tail}");
    }
    let mut out = format!("{pad}{lead}{}", links[0]);
    for link in &links[1..] {
        out.push_str(&format!("\n{pad}    {link}"));
    }
    out.push_str(tail);
    out
}

/// A call `lead` + `name(args)` + `tail` at `indent`: on one line when it fits, else with one
/// argument per line (rustfmt's vertical layout, trailing comma included).
pub fn call(indent: usize, lead: &str, name: &str, args: &[String], tail: &str) -> String {
    let pad = " ".repeat(indent);
    let one_line = format!("{pad}{lead}{name}({}){tail}", args.join(", "));
    if one_line.len() <= MAX_WIDTH {
        return one_line;
    }
    let mut out = format!("{pad}{lead}{name}(\n");
    for arg in args {
        out.push_str(&format!("{pad}    {arg},\n"));
    }
    out.push_str(&format!("{pad}){tail}"));
    out
}

/// `const NAME: &str = "TEXT";`, the literal on a line of its own when the first line would
/// be too long and it fits there (rustfmt leaves a literal too long for either alone). Text
/// with double quotes becomes a raw string, which reads as the SQL it holds.
pub fn str_const(name: &str, text: &str) -> String {
    let literal = literal(text);
    let one_line = format!("const {name}: &str = {literal};");
    if one_line.len() > MAX_WIDTH && literal.len() + 5 <= MAX_WIDTH {
        format!("const {name}: &str =\n    {literal};")
    } else {
        one_line
    }
}

/// `let NAME = "TEXT";` at `indent`, the literal on the next line when that makes it fit.
pub fn let_str(indent: usize, name: &str, text: &str) -> String {
    let pad = " ".repeat(indent);
    let literal = literal(text);
    let one_line = format!("{pad}let {name} = {literal};");
    if one_line.len() > MAX_WIDTH && indent + 4 + literal.len() < MAX_WIDTH {
        format!("{pad}let {name} =\n{pad}    {literal};")
    } else {
        one_line
    }
}

/// `text` as a Rust literal: raw when it holds double quotes, so SQL reads as written.
fn literal(text: &str) -> String {
    if text.contains('"') && !text.contains("\"#") {
        format!("r#\"{text}\"#")
    } else {
        string_literal(text)
    }
}

/// A Rust string literal holding `text`: quotes and backslashes escaped, so SQL with quoted
/// identifiers (`"BlogEntry"`) stays one plain literal.
pub fn string_literal(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// `text` as it is written between the quotes of a Rust string literal.
pub fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(bind: &str) -> Vec<String> {
        [
            "sqlx::query_as(INSERT)".to_owned(),
            format!(".bind({bind})"),
            ".fetch_one(db)".to_owned(),
            ".await".to_owned(),
        ]
        .to_vec()
    }

    /// The two sides of rustfmt's chain width, as measured with rustfmt 1.8.
    #[test]
    fn chains_split_where_rustfmt_splits_them() {
        let short = chain(4, "let row = ", &links("&new.titl"), "?;");
        assert_eq!(
            short,
            "    let row = sqlx::query_as(INSERT).bind(&new.titl).fetch_one(db).await?;"
        );
        let long = chain(4, "let row = ", &links("&new.title"), "?;");
        assert_eq!(
            long,
            "    let row = sqlx::query_as(INSERT)\n        .bind(&new.title)\n        \
             .fetch_one(db)\n        .await?;"
        );
    }

    #[test]
    fn literals_escape_quotes() {
        assert_eq!(string_literal(r#"SELECT "A\B""#), r#""SELECT \"A\\B\"""#);
    }
}
