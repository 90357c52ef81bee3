//! `tspawn delete NAME` reads NAME as each generator would and undoes what exists under it:
//! `news_endpoint` is the controller `news_endpoint` (not the endpoint `news`), a cargo name
//! like `test` works for a controller, a validator written before its model counts as
//! unchanged, and hand-written helpers (no recorded command) stay with their `pub mod` lines.

mod common;

use common::{new_app, read_tree, sqlite, tspawn};
use predicates::prelude::*;
use std::path::Path;

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_trailing_endpoint_is_part_of_a_controllers_name() {
    let (_dir, root) = new_app("sqlite");
    for name in ["news", "news_endpoint"] {
        tspawn(&root)
            .args(["controller", name, "index"])
            .assert()
            .success();
    }
    tspawn(&root)
        .args(["delete", "news_endpoint"])
        .assert()
        .success();
    assert!(root.join("src/controllers/news_controller.rs").is_file());
    assert!(!root
        .join("src/controllers/news_endpoint_controller.rs")
        .exists());
    let mods = read(&root, "src/controllers/mod.rs");
    assert!(mods.contains("pub mod news_controller;"), "{mods}");
    assert!(
        !mods.contains("pub mod news_endpoint_controller;"),
        "{mods}"
    );
}

#[test]
fn a_controller_named_as_cargo_reserves_is_deleted_too() {
    let (_dir, root) = new_app("sqlite");
    let original = read_tree(&root);
    tspawn(&root)
        .args(["controller", "test", "index"])
        .assert()
        .success();
    tspawn(&root).args(["delete", "test"]).assert().success();
    let mut after = read_tree(&root);
    // Folders and the runtime feature stay, as delete leaves them.
    after.retain(|path, _| !path.ends_with('/') && path != "Cargo.toml");
    let mut original = original;
    original.retain(|path, _| !path.ends_with('/') && path != "Cargo.toml");
    assert_eq!(after, original);
    // A name no generator takes is still refused in one line.
    tspawn(&root)
        .args(["delete", "fn"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("Rust keyword"));
}

#[test]
fn a_validator_written_before_its_model_is_unchanged() {
    let (_dir, root) = new_app("sqlite");
    sqlite(
        &root,
        "CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, title VARCHAR(20) NOT NULL);",
    );
    tspawn(&root).args(["validator", "blog"]).assert().success();
    tspawn(&root).args(["model", "blog"]).assert().success();
    tspawn(&root)
        .args(["delete", "blog"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "removed  src/helpers/blog_validator.rs",
        ));
    assert!(!root.join("src/helpers/blog_validator.rs").exists());
    assert!(!root.join("src/models/sqlobjects/blog.rs").exists());
}

#[test]
fn hand_written_helpers_and_their_mod_lines_stay() {
    let (_dir, root) = new_app("sqlite");
    sqlite(
        &root,
        "CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL);",
    );
    tspawn(&root).args(["model", "blog"]).assert().success();
    let mods_path = root.join("src/helpers/mod.rs");
    let mods = read(&root, "src/helpers/mod.rs").replace(
        "// tspawn:modules",
        "pub mod blog;\npub mod blog_validator;\n// tspawn:modules",
    );
    std::fs::write(&mods_path, &mods).unwrap();
    std::fs::write(root.join("src/helpers/blog.rs"), "pub fn mine() {}\n").unwrap();
    let form = "//! My own form.\npub struct BlogForm;\n";
    std::fs::write(root.join("src/helpers/blog_validator.rs"), form).unwrap();
    // No terminal: a conflict would stop the delete.
    tspawn(&root).args(["delete", "blog"]).assert().success();
    assert!(!root.join("src/models/sqlobjects/blog.rs").exists());
    assert_eq!(read(&root, "src/helpers/blog.rs"), "pub fn mine() {}\n");
    assert_eq!(read(&root, "src/helpers/blog_validator.rs"), form);
    assert_eq!(read(&root, "src/helpers/mod.rs"), mods);
}
