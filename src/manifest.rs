//! Turning on features of a dependency in a Cargo manifest (`Cargo.toml`), the way a person
//! would: by adding to the one `features = [...]` array, leaving every other byte of the file
//! as it was (comments, order, spacing, CRLF or LF endings). Adding a whole dependency is
//! [`add_dependency`]'s (src/manifest/dependency.rs), in the same way.
//!
//! toml_edit parses the manifest and says where things are (byte spans); the change itself is
//! spliced into the original text, since writing the whole document back would turn a CRLF
//! file's line endings into LF. The result is parsed again and checked before it is used.
//!
//! Layouts handled, each kept in its own style:
//! - `dep = { path = "...", features = ["a"] }`: `"b"` goes after the last feature;
//! - a features array over several lines: each new feature on its own line, indented like the
//!   last one, after that line's comment if it has one, trailing comma or not as before;
//! - `dep = { path = "..." }`: `, features = ["b"]` goes after the last key;
//! - `[dependencies.dep]`: a `features = ["b"]` line goes after the table's last key.

use std::ops::Range;
use toml_edit::{Array, Document, InlineTable, Item, Table, Value};

mod dependency;
pub use dependency::add_dependency;

/// Text to insert at byte offsets of the original manifest, in increasing order.
type Edits = Vec<(usize, String)>;

/// Why the features could not be turned on; `crate::problem::Problem::Features` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// The manifest does not parse: the line (1-based) and toml_edit's message.
    NotToml { line: usize, message: String },
    /// `[dependencies]` has no entry for the dependency.
    NoDependency,
    /// The dependency is a bare version string (`dep = "1.0"`) or another non-table value.
    NotATable,
    /// The dependency's `features` is not an array of strings.
    FeaturesNotAList,
    /// A layout this module does not edit (a dotted-key table, `dep.path = "..."`).
    Unsupported,
}

/// The text of the manifest `text` with each of `features` that is missing added to
/// `[dependencies] <dependency>`'s features, in the order given; `text` itself when none is
/// missing. Errors say what stands in the way (see [`Trouble`]); nothing else is checked (a
/// feature the dependency does not have is cargo's to report).
pub fn enable_features(
    text: &str,
    dependency: &str,
    features: &[String],
) -> Result<String, Trouble> {
    let doc = Document::parse(text).map_err(|e| Trouble::NotToml {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        // One line, as every problem is.
        message: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
    })?;
    let entry = doc
        .as_table()
        .get("dependencies")
        .and_then(Item::as_table_like)
        .and_then(|deps| deps.get(dependency))
        .ok_or(Trouble::NoDependency)?;
    let present = current_features(entry)?;
    let mut missing: Vec<&str> = Vec::new();
    for feature in features {
        if !present.contains(feature) && !missing.contains(&feature.as_str()) {
            missing.push(feature);
        }
    }
    if missing.is_empty() {
        return Ok(text.to_owned());
    }
    let quoted: Vec<String> = missing
        .iter()
        .map(|f| Value::from(*f).to_string())
        .collect();
    let nl = line_ending(text);
    let edits = match entry {
        Item::Value(Value::InlineTable(table)) => match table.get("features") {
            Some(Value::Array(array)) => into_array(text, array, &quoted, nl)?,
            _ => into_inline_table(table, &quoted)?,
        },
        Item::Table(table) if !table.is_dotted() => match table.get("features") {
            Some(Item::Value(Value::Array(array))) => into_array(text, array, &quoted, nl)?,
            _ => into_table(text, table, &quoted, nl)?,
        },
        Item::Table(_) => return Err(Trouble::Unsupported),
        _ => return Err(Trouble::NotATable),
    };
    let mut new = text.to_owned();
    // From the end, so each offset still points into the original text.
    for (at, insert) in edits.iter().rev() {
        new.insert_str(*at, insert);
    }
    check(&new, dependency, features)?;
    Ok(new)
}

/// The features the entry already turns on.
fn current_features(entry: &Item) -> Result<Vec<String>, Trouble> {
    let table = match entry {
        Item::Value(Value::InlineTable(t)) => t as &dyn toml_edit::TableLike,
        Item::Table(t) => t as &dyn toml_edit::TableLike,
        _ => return Err(Trouble::NotATable),
    };
    match table.get("features") {
        None => Ok(Vec::new()),
        Some(item) => item
            .as_array()
            .ok_or(Trouble::FeaturesNotAList)?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or(Trouble::FeaturesNotAList),
    }
}

/// The insertions that append `quoted` to an existing array, in its style.
fn into_array(text: &str, array: &Array, quoted: &[String], nl: &str) -> Result<Edits, Trouble> {
    let whole = span(array.span())?;
    let Some(last) = array.iter().last() else {
        // `[]`: right after the bracket.
        return Ok(vec![(whole.start + 1, quoted.join(", "))]);
    };
    let last = span(last.span())?;
    // What follows the last feature up to `]`: a comma, spaces, a comment, line breaks.
    let gap = &text[last.end..whole.end - 1];
    let line_start = text[..last.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..last.start];
    let one_line = !text[whole].contains('\n');
    if one_line || !indent.trim().is_empty() {
        // `["a", "b"]`, or several features on the last line: more of the same.
        let insert: String = quoted.iter().map(|q| format!(", {q}")).collect();
        return Ok(vec![(last.end, insert)]);
    }
    let Some(break_at) = gap.find('\n') else {
        // `"b"]` closes on the last feature's line: new lines go before the bracket.
        let insert: String = quoted.iter().map(|q| format!(",{nl}{indent}{q}")).collect();
        return Ok(vec![(last.end, insert)]);
    };
    let nl = if gap[..break_at].ends_with('\r') {
        "\r\n"
    } else {
        nl
    };
    // Below the last feature's line (and its comment), one feature a line.
    let below = last.end + break_at + 1;
    if array.trailing_comma() {
        let insert: String = quoted.iter().map(|q| format!("{indent}{q},{nl}")).collect();
        Ok(vec![(below, insert)])
    } else {
        let lines: Vec<String> = quoted.iter().map(|q| format!("{indent}{q}")).collect();
        let lines = lines.join(&format!(",{nl}"));
        Ok(vec![
            (last.end, ",".to_owned()),
            (below, format!("{lines}{nl}")),
        ])
    }
}

/// `, features = [...]` after an inline table's last key.
fn into_inline_table(table: &InlineTable, quoted: &[String]) -> Result<Edits, Trouble> {
    let list = quoted.join(", ");
    Ok(match table.iter().last() {
        Some((_, value)) => vec![(span(value.span())?.end, format!(", features = [{list}]"))],
        // `{}`
        None => vec![(
            span(table.span())?.start + 1,
            format!(" features = [{list}] "),
        )],
    })
}

/// A `features = [...]` line after a `[dependencies.dep]` table's last key.
fn into_table(text: &str, table: &Table, quoted: &[String], nl: &str) -> Result<Edits, Trouble> {
    let line = format!("features = [{}]", quoted.join(", "));
    let end = match table
        .iter()
        .filter_map(|(_, item)| item.span())
        .map(|s| s.end)
        .max()
    {
        Some(end) => end,
        None => span(table.span())?.end,
    };
    match text[end..].find('\n') {
        Some(i) => {
            let nl = if text[..end + i].ends_with('\r') {
                "\r\n"
            } else {
                nl
            };
            Ok(vec![(end + i + 1, format!("{line}{nl}"))])
        }
        None => Ok(vec![(text.len(), format!("{nl}{line}{nl}"))]),
    }
}

/// `["chrono", "decimal"]`: `features` as a manifest writes them (TOML basic strings).
pub fn list(features: &[String]) -> String {
    let quoted: Vec<String> = features
        .iter()
        .map(|f| Value::from(f.as_str()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Parses the edited text again: the dependency must now have every feature asked for.
fn check(new: &str, dependency: &str, features: &[String]) -> Result<(), Trouble> {
    let doc = Document::parse(new).map_err(|_| Trouble::Unsupported)?;
    let entry = doc
        .as_table()
        .get("dependencies")
        .and_then(Item::as_table_like)
        .and_then(|deps| deps.get(dependency))
        .ok_or(Trouble::Unsupported)?;
    let now = current_features(entry).map_err(|_| Trouble::Unsupported)?;
    if features.iter().all(|f| now.contains(f)) {
        Ok(())
    } else {
        Err(Trouble::Unsupported)
    }
}

/// A parsed document always has spans; a missing one means a layout not handled here.
fn span(span: Option<Range<usize>>) -> Result<Range<usize>, Trouble> {
    span.ok_or(Trouble::Unsupported)
}

/// CRLF when every line break in `text` is one, else LF.
fn line_ending(text: &str) -> &'static str {
    let breaks = text.matches('\n').count();
    if breaks > 0 && text.matches("\r\n").count() == breaks {
        "\r\n"
    } else {
        "\n"
    }
}

/// The 1-based line holding byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests;
