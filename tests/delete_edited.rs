//! `tspawn delete NAME` takes out a snippet a generator injected only when the lines it occupies
//! are still the snippet's (the line ending aside, and for Rust whatever rustfmt changes:
//! whitespace, line breaks, trailing commas). A line the user edited, or an attribute or doc
//! comment they put on it, stops delete in one line naming the file and line, and nothing is
//! written; `--force` (and `--skip`) keep those lines whole, say so, and delete the rest. Part
//! of a line is never taken out.

mod common;

use common::{new_app, read_tree, tspawn};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const MODS: &str = "src/controllers/mod.rs";
const ROUTES: &str = "src/routes.rs";

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An app with the controllers `blog` and `post` (whose `pub mod` line follows blog's).
fn blog_and_post() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = new_app("sqlite");
    for name in ["blog", "post"] {
        tspawn(&root)
            .args(["-q", "controller", name, "index"])
            .assert()
            .success();
    }
    (dir, root)
}

/// Replaces `from` (which must be there once) by `to` in the file at `path`: the edited file's
/// text, and the 1-based number of the line `needle` is on after the edit.
fn edit(root: &Path, path: &str, from: &str, to: &str, needle: &str) -> (String, usize) {
    let text = read(root, path);
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} once in {path}:\n{text}"
    );
    let edited = text.replace(from, to);
    std::fs::write(root.join(path), &edited).unwrap();
    let line = edited
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} in {path}"))
        + 1;
    (edited, line)
}

/// `delete blog` refuses, naming `path`, `line` and what the line holds, and writes nothing.
fn refused(root: &Path, path: &str, line: usize, shown: &str) {
    let before = read_tree(root);
    tspawn(root)
        .args(["delete", "blog"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{path} line {line} (`{shown}`) is an edit to the lines tspawn added there"
        )))
        .stderr(predicate::str::contains("rerun with --force"));
    assert_eq!(read_tree(root), before, "a refused delete writes nothing");
    assert!(root.join("src/controllers/blog_controller.rs").is_file());
}

/// `delete blog FLAG` succeeds, keeps `path` line `line` as `edited` left it (the whole file
/// but for what else blog injected there), says so, and removes blog's own files.
fn kept(root: &Path, flag: &str, path: &str, line: usize) {
    let edited_line = read(root, path).lines().nth(line - 1).unwrap().to_owned();
    tspawn(root)
        .args(["delete", "blog", flag])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "note: {path} line {line} (`{}`) is an edit to lines tspawn added",
            edited_line.trim()
        )))
        .stderr(predicate::str::contains(
            "removed  src/controllers/blog_controller.rs",
        ));
    assert!(!root.join("src/controllers/blog_controller.rs").exists());
    let after = read(root, path);
    assert!(
        after.lines().any(|l| l == edited_line),
        "{edited_line:?} kept whole:\n{after}"
    );
}

#[test]
fn an_attribute_put_before_an_injected_mod_line_stops_delete() {
    let (_dir, root) = blog_and_post();
    let (edited, line) = edit(
        &root,
        MODS,
        "pub mod blog_controller;",
        "#[cfg(not(test))] pub mod blog_controller;",
        "blog_controller",
    );
    refused(
        &root,
        MODS,
        line,
        "#[cfg(not(test))] pub mod blog_controller;",
    );

    kept(&root, "--force", MODS, line);
    // Nothing of the line went, so the attribute still applies to blog's line only.
    assert_eq!(read(&root, MODS), edited);
    assert!(!read(&root, ROUTES).contains("blog_controller"));
    assert!(read(&root, ROUTES).contains("post_controller"));
}

#[test]
fn an_attribute_on_its_own_line_above_an_injected_mod_line_stops_delete_too() {
    // What rustfmt makes of the line above: taking out the mod line alone would give the
    // attribute to `pub mod post_controller;`.
    let (_dir, root) = blog_and_post();
    let (edited, line) = edit(
        &root,
        MODS,
        "pub mod blog_controller;",
        "#[cfg(not(test))]\npub mod blog_controller;",
        "#[cfg(not(test))]",
    );
    refused(&root, MODS, line, "#[cfg(not(test))]");
    kept(&root, "--skip", MODS, line);
    assert_eq!(read(&root, MODS), edited);
}

#[test]
fn a_comment_added_after_an_injected_mod_line_stops_delete() {
    let (_dir, root) = blog_and_post();
    let (edited, line) = edit(
        &root,
        MODS,
        "pub mod blog_controller;",
        "pub mod blog_controller; // keep",
        "blog_controller",
    );
    refused(&root, MODS, line, "pub mod blog_controller; // keep");

    kept(&root, "--force", MODS, line);
    assert_eq!(
        read(&root, MODS),
        edited,
        "no line left holding only the comment"
    );
}

#[test]
fn a_comment_added_after_an_injected_route_stops_delete() {
    let (_dir, root) = blog_and_post();
    let merge = ".merge(crate::controllers::blog_controller::routes())";
    let (edited, line) = edit(&root, ROUTES, merge, &format!("{merge} // mine"), merge);
    refused(&root, ROUTES, line, &format!("{merge} // mine"));

    kept(&root, "--force", ROUTES, line);
    // The route keeps its comment line too: the snippet stays whole.
    assert_eq!(read(&root, ROUTES), edited);
    assert!(!read(&root, MODS).contains("blog_controller"));
}

#[test]
fn an_untouched_or_rustfmt_reflowed_snippet_still_goes() {
    let (_dir, root) = new_app("sqlite");
    let original = read_tree(&root);
    tspawn(&root)
        .args(["-q", "controller", "blog", "index"])
        .assert()
        .success();
    // rustfmt with a narrower max_width splits the call over lines, with a trailing comma.
    let merge = "        .merge(crate::controllers::blog_controller::routes())\n";
    let split =
        "        .merge(\n            crate::controllers::blog_controller::routes(),\n        )\n";
    edit(&root, ROUTES, merge, split, "blog_controller");
    tspawn(&root).args(["delete", "blog"]).assert().success();
    let mut after = read_tree(&root);
    // Folders and the runtime feature stay, as delete leaves them.
    after.retain(|path, _| !path.ends_with('/') && path != "Cargo.toml");
    let mut original = original;
    original.retain(|path, _| !path.ends_with('/') && path != "Cargo.toml");
    assert_eq!(after, original);
}
