//! Adding a dependency to a Cargo manifest's `[dependencies]`, the way a person would: one
//! `name = spec` line below the table's last entry, every other byte kept (comments, order,
//! CRLF or LF endings). A dependency already there, in any form (`name = "1"`, an inline table,
//! `[dependencies.name]`, a `package = "name"` rename), leaves the text as it is.

use super::{line_ending, line_of, span, Trouble};
use toml_edit::{Document, Item, Table};

/// The text of the manifest `text` with `name = spec` added to `[dependencies]`, or `text`
/// itself when `[dependencies]` already names `name`. `spec` is a TOML value as it is to be
/// written: `"0.16"`, `{ version = "0.21", features = ["derive"] }`. A manifest without
/// `[dependencies]` gets the table at its end. Errors: [`Trouble::NotToml`] (the manifest or
/// `spec` does not parse: `spec` is reported as line 0), [`Trouble::Unsupported`] (an inline
/// or dotted `dependencies` this module does not edit).
pub fn add_dependency(text: &str, name: &str, spec: &str) -> Result<String, Trouble> {
    let line = format!("{name} = {spec}");
    Document::parse(line.as_str()).map_err(|e| Trouble::NotToml {
        line: 0,
        message: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
    })?;
    let doc = Document::parse(text).map_err(|e| Trouble::NotToml {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
    })?;
    let nl = line_ending(text);
    let new = match doc.as_table().get("dependencies") {
        None => {
            let gap = match text {
                "" => "",
                t if t.ends_with('\n') => nl,
                _ => "\n\n",
            };
            format!("{text}{gap}[dependencies]{nl}{line}{nl}")
        }
        Some(Item::Table(table)) if !table.is_dotted() => {
            if names(table, name) {
                return Ok(text.to_owned());
            }
            let (at, insert) = below_last_entry(text, table, &line, nl)?;
            let mut new = text.to_owned();
            new.insert_str(at, &insert);
            new
        }
        Some(_) => return Err(Trouble::Unsupported),
    };
    check(&new, name)?;
    Ok(new)
}

/// Whether `[dependencies]` already has `name`, as a key or as a renamed package.
fn names(table: &Table, name: &str) -> bool {
    table.iter().any(|(key, item)| {
        key == name
            || item
                .as_table_like()
                .and_then(|t| t.get("package"))
                .and_then(Item::as_str)
                == Some(name)
    })
}

/// Where `line` goes: after the line of the table's last entry (or of its header when empty).
fn below_last_entry(
    text: &str,
    table: &Table,
    line: &str,
    nl: &str,
) -> Result<(usize, String), Trouble> {
    // A `[dependencies.serde]` subtable is an item of the table too, but its span is its own
    // header further down: the line goes before it, after the table's own last key.
    let end = table
        .iter()
        .filter(|(_, item)| !matches!(item, Item::Table(sub) if !sub.is_dotted()))
        .filter_map(|(_, item)| item.span())
        .map(|s| s.end)
        .max();
    let end = match end {
        Some(end) => end,
        // `[dependencies]` alone: after its header line.
        None => span(table.span())?.start,
    };
    Ok(match text[end..].find('\n') {
        Some(i) => {
            let nl = if text[..end + i].ends_with('\r') {
                "\r\n"
            } else {
                nl
            };
            (end + i + 1, format!("{line}{nl}"))
        }
        None => (text.len(), format!("{nl}{line}{nl}")),
    })
}

/// Parses the edited text again: `[dependencies]` must now name the dependency.
fn check(new: &str, name: &str) -> Result<(), Trouble> {
    let doc = Document::parse(new).map_err(|_| Trouble::Unsupported)?;
    match doc.as_table().get("dependencies") {
        Some(Item::Table(table)) if names(table, name) => Ok(()),
        _ => Err(Trouble::Unsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::add_dependency;
    use crate::manifest::Trouble;

    const SPEC: &str = "{ version = \"0.21\", features = [\"derive\"] }";

    /// `text` with askama added, the edit asserted to be idempotent.
    fn add(text: &str) -> String {
        let new = add_dependency(text, "askama", "\"0.16\"").unwrap();
        assert_eq!(
            add_dependency(&new, "askama", "\"0.16\"").unwrap(),
            new,
            "a second run changes nothing"
        );
        new
    }

    const APP: &str = "[package]\nname = \"blog\"\n\n[dependencies]\n# The runtime.\n\
tspawn-runtime = { path = \"vendor/tspawn-runtime\", features = [\"sqlite\"] } # ours\n\
\n[dev-dependencies]\ntokio = \"1\"\n";

    #[test]
    fn a_line_goes_below_the_last_entry_and_every_other_byte_stays() {
        assert_eq!(
            add(APP),
            APP.replace("# ours\n", "# ours\naskama = \"0.16\"\n")
        );
        let crlf = APP.replace('\n', "\r\n");
        assert_eq!(
            add(&crlf),
            crlf.replace("# ours\r\n", "# ours\r\naskama = \"0.16\"\r\n")
        );
        let spec = add_dependency(APP, "validator", SPEC).unwrap();
        assert!(spec.contains(&format!("# ours\nvalidator = {SPEC}\n\n[dev")));
    }

    #[test]
    fn a_dependency_already_there_in_any_form_is_left_alone() {
        for text in [
            "[dependencies]\naskama = \"0.15\"\n",
            "[dependencies]\naskama = { version = \"0.16\", default-features = false }\n",
            "[dependencies.askama]\nversion = \"0.16\"\n",
            "[dependencies]\ntemplates = { package = \"askama\", version = \"0.16\" }\n",
        ] {
            assert_eq!(add(text), text);
        }
    }

    #[test]
    fn a_subtable_below_keeps_the_line_in_dependencies_itself() {
        let text = "[dependencies]\ntokio = \"1\"\n\n[dependencies.serde]\nversion = \"1\"\n";
        assert_eq!(
            add(text),
            text.replace("\"1\"\n\n", "\"1\"\naskama = \"0.16\"\n\n")
        );
        // Only subtables: after the header. Dotted keys are the table's own entries.
        let text = "[dependencies]\n[dependencies.serde]\nversion = \"1\"\n";
        assert_eq!(add(text), text.replacen("]\n", "]\naskama = \"0.16\"\n", 1));
        let text = "[dependencies]\nserde.version = \"1\"\n\n[x]\n";
        assert_eq!(
            add(text),
            text.replace("\"1\"\n", "\"1\"\naskama = \"0.16\"\n")
        );
    }

    #[test]
    fn empty_or_missing_tables_and_unterminated_last_lines() {
        assert_eq!(
            add("[dependencies]\n[x]\n"),
            "[dependencies]\naskama = \"0.16\"\n[x]\n"
        );
        assert_eq!(
            add("[package]\nname = \"x\"\n"),
            "[package]\nname = \"x\"\n\n[dependencies]\naskama = \"0.16\"\n"
        );
        assert_eq!(
            add("[dependencies]\nserde = \"1\""),
            "[dependencies]\nserde = \"1\"\naskama = \"0.16\"\n"
        );
    }

    #[test]
    fn what_cannot_be_edited_says_why() {
        assert_eq!(
            add_dependency("dependencies = { serde = \"1\" }\n", "askama", "\"1\""),
            Err(Trouble::Unsupported)
        );
        assert!(matches!(
            add_dependency("[dependencies\n", "askama", "\"1\""),
            Err(Trouble::NotToml { line: 1, .. })
        ));
        assert!(matches!(
            add_dependency(APP, "askama", "{ version = "),
            Err(Trouble::NotToml { line: 0, .. })
        ));
    }

    /// Through the engine: a plan's dependency lands after an earlier planned edit of the same
    /// manifest, and a manifest that cannot be edited is one problem naming the line to add.
    #[test]
    fn plans_resolve_to_one_edit_or_one_problem() {
        use crate::plan::Plan;
        use crate::resolve::{resolve, Step};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), APP).unwrap();
        let mut plan = Plan::default();
        plan.enable_features("Cargo.toml", "tspawn-runtime", &["views"]);
        plan.add_dependency("Cargo.toml", "askama", "\"0.16\"");
        let steps = resolve(&plan, dir.path()).unwrap();
        let [Step::File { new, .. }] = steps.as_slice() else {
            panic!("{steps:?}")
        };
        assert!(new.contains("[\"sqlite\", \"views\"] } # ours\naskama = \"0.16\"\n"));

        std::fs::write(dir.path().join("Cargo.toml"), "dependencies = {}\n").unwrap();
        let mut plan = Plan::default();
        plan.add_dependency("Cargo.toml", "askama", "\"0.16\"");
        let err = resolve(&plan, dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("add `askama = \"0.16\"` to it by hand"),
            "{err}"
        );
    }
}
