//! `tspawn validator NAME`: the form from a live table (fields, rules, `From` into the model's
//! `NewX`) and without one (the example), snapshots of every file with the console output, a
//! rerun changes nothing, a form the user changed keeps its test, delete (alone and with the
//! model) gives back the original tree. The generated app build is in `generated_app_passes`.

mod common;

use common::app::cargo;
use common::{new_app, read_tree, sqlite, tspawn};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// TreeFrog's tutorial table, with a text column and a date.
const BLOG: &str = "CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), note TEXT NOT NULL, \
    published BOOLEAN NOT NULL DEFAULT 0, posted_on DATE, created_at TIMESTAMP, \
    updated_at TIMESTAMP, lock_revision INTEGER);";

/// The paths whose text differs between two trees (empty when they are the same).
fn differ(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<String> {
    let mut paths: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    paths.dedup();
    paths.sort();
    paths.dedup();
    paths.retain(|p| a.get(p) != b.get(p));
    paths
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file but the dev database, which sqlite3 and the schema reader touch.
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut tree = read_tree(root);
    // Folders stay after delete, as for every generator.
    tree.retain(|path, _| !path.starts_with("db/dev.sqlite3") && !path.ends_with('/'));
    tree
}

#[test]
fn from_a_live_table_with_its_model() {
    let (_dir, root) = new_app("sqlite");
    sqlite(&root, BLOG);
    tspawn(&root).args(["model", "blog"]).assert().success();
    let out = tspawn(&root)
        .args(["validator", "BlogValidator"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("blog_output", String::from_utf8(out.stderr).unwrap());
    for path in [
        "src/helpers/blog_validator.rs",
        "tests/blog_validator.rs",
        "src/helpers/mod.rs",
        "Cargo.toml",
    ] {
        insta::assert_snapshot!(format!("blog__{path}"), read(&root, path));
    }
}

#[test]
fn without_a_table_the_form_is_the_example() {
    let (_dir, root) = new_app("sqlite");
    let out = tspawn(&root).args(["v", "post"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("post_output", String::from_utf8(out.stderr).unwrap());
    for path in ["src/helpers/post_validator.rs", "tests/post_validator.rs"] {
        insta::assert_snapshot!(format!("post__{path}"), read(&root, path));
    }
}

#[test]
fn twice_changes_nothing_and_delete_gives_the_tree_back() {
    let (_dir, root) = new_app("sqlite");
    sqlite(&root, BLOG);
    let original = tree(&root);
    tspawn(&root).args(["validator", "blog"]).assert().success();
    let once = tree(&root);
    tspawn(&root).args(["validator", "blog"]).assert().success();
    assert_eq!(differ(&tree(&root), &once), Vec::<String>::new());
    tspawn(&root)
        .args(["delete", "blog_validator"])
        .assert()
        .success();
    let mut back = tree(&root);
    // The runtime features stay (delete never takes features out), as for models.
    let manifest = back.get_mut("Cargo.toml").unwrap();
    *manifest = manifest.replace(", \"validation\", \"chrono\"", "");
    assert_eq!(differ(&back, &original), Vec::<String>::new());
}

#[test]
fn delete_takes_the_model_and_the_validator_together() {
    let (_dir, root) = new_app("sqlite");
    sqlite(&root, BLOG);
    let original = tree(&root);
    tspawn(&root).args(["model", "blog"]).assert().success();
    tspawn(&root).args(["validator", "blog"]).assert().success();
    tspawn(&root)
        .args(["delete", "blog"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "removed  src/helpers/blog_validator.rs",
        ))
        .stderr(predicate::str::contains(
            "removed  src/models/sqlobjects/blog.rs",
        ));
    let mut back = tree(&root);
    let manifest = back.get_mut("Cargo.toml").unwrap();
    *manifest = manifest
        .replace(", \"chrono\"", "")
        .replace(", \"validation\"", "");
    back.retain(|path, _| !path.starts_with("db/migrations/"));
    let mut original = original;
    original.retain(|path, _| !path.starts_with("db/migrations/"));
    assert_eq!(differ(&back, &original), Vec::<String>::new());
}

#[test]
fn a_changed_form_keeps_its_test() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root).args(["validator", "blog"]).assert().success();
    let test = read(&root, "tests/blog_validator.rs");
    // The table comes later: the form is the user's (the example), its test must match it.
    sqlite(&root, BLOG);
    tspawn(&root)
        .args(["validator", "blog"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "exists  src/helpers/blog_validator.rs",
        ))
        .stderr(predicate::str::contains(
            "so it and tests/blog_validator.rs stay",
        ));
    assert_eq!(read(&root, "tests/blog_validator.rs"), test);
}

/// The generated app builds, passes clippy -D warnings and rustfmt, and its validator tests
/// pass: each rule fires with its message (a broken rule fails them).
#[test]
fn generated_app_passes() {
    let (_dir, root) = new_app("sqlite");
    sqlite(&root, BLOG);
    tspawn(&root).args(["model", "blog"]).assert().success();
    tspawn(&root).args(["validator", "blog"]).assert().success();
    tspawn(&root).args(["helper", "text"]).assert().success();
    cargo(&root, &["fmt", "--check"]);
    cargo(&root, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    cargo(&root, &["test", "--test", "blog_validator", "--lib"]);
}

#[test]
fn an_edited_form_is_said_to_differ_when_nothing_else_is_to_do() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root).args(["validator", "t"]).assert().success();
    let path = root.join("src/helpers/t_validator.rs");
    let form = format!(
        "{}\n// My own rule comes here.\n",
        read(&root, "src/helpers/t_validator.rs")
    );
    std::fs::write(&path, &form).unwrap();
    let out = tspawn(&root).args(["validator", "t"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("src/helpers/t_validator.rs is yours and differs"),
        "{err}"
    );
    assert_eq!(read(&root, "src/helpers/t_validator.rs"), form);
}

/// A table `tspawn model` refuses (a column that makes no Rust field, two that make one) is
/// refused by the validator with the same line, and nothing is written.
#[test]
fn a_table_the_model_refuses_is_refused_the_same_way() {
    let (_dir, root) = new_app("sqlite");
    let columns = [
        "\"self\" TEXT NOT NULL",
        "\"2col\" TEXT NOT NULL",
        "\"_\" TEXT NOT NULL",
        "\"crate\" TEXT NOT NULL",
        "\"Self\" TEXT NOT NULL",
        "AlbumId INTEGER NOT NULL, album_id INTEGER NOT NULL",
    ];
    for (i, column) in columns.iter().enumerate() {
        let table = format!("a{i}");
        sqlite(
            &root,
            &format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY, {column});"),
        );
        let before = tree(&root);
        let model = tspawn(&root).args(["model", &table]).output().unwrap();
        let validator = tspawn(&root).args(["validator", &table]).output().unwrap();
        assert!(
            !model.status.success() && !validator.status.success(),
            "{table}"
        );
        let refusal = String::from_utf8(validator.stderr).unwrap();
        assert_eq!(refusal.trim_end().lines().count(), 1, "{refusal}");
        assert!(refusal.contains("Rust field"), "{refusal}");
        assert_eq!(refusal, String::from_utf8(model.stderr).unwrap());
        assert_eq!(differ(&tree(&root), &before), Vec::<String>::new());
    }
    // An example form written before such a table existed is still deleted.
    let before = tree(&root);
    tspawn(&root).args(["validator", "zz"]).assert().success();
    sqlite(
        &root,
        "CREATE TABLE zz (id INTEGER PRIMARY KEY, \"self\" TEXT);",
    );
    tspawn(&root).args(["delete", "zz"]).assert().success();
    let mut back = tree(&root);
    let manifest = back.get_mut("Cargo.toml").unwrap();
    *manifest = manifest.replace(", \"validation\"", "");
    assert_eq!(differ(&back, &before), Vec::<String>::new());
}

/// Without the dev database (a fresh clone: db/*.sqlite3 is not committed), delete cannot
/// rebuild the files made from the table, so it refuses in one line instead of calling the
/// untouched files changed; --force deletes them.
#[test]
fn delete_without_the_dev_database_is_refused_unless_forced() {
    let (_dir, root) = new_app("sqlite");
    sqlite(&root, BLOG);
    let original = tree(&root);
    tspawn(&root).args(["model", "blog"]).assert().success();
    tspawn(&root).args(["validator", "blog"]).assert().success();
    let db = root.join("db/dev.sqlite3");
    let saved = std::fs::read(&db).unwrap();
    std::fs::remove_file(&db).unwrap();
    let written = tree(&root);
    let refused = |name: &str| {
        let out = tspawn(&root).args(["delete", name]).output().unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        let expected = format!(
            "delete {name} needs the dev database to check that the files tspawn generated \
             from table blog are unchanged: "
        );
        assert!(stderr.contains(&expected), "{stderr}");
        assert!(
            stderr.contains(
                "dev.sqlite3 does not exist; run the app once (cargo run) or rerun \
             with --force"
            ),
            "{stderr}"
        );
        assert_eq!(differ(&tree(&root), &written), Vec::<String>::new());
    };
    refused("blog");
    // The validator alone is refused the same way.
    std::fs::write(&db, &saved).unwrap();
    tspawn(&root).args(["delete", "blog"]).assert().success();
    tspawn(&root).args(["validator", "blog"]).assert().success();
    std::fs::remove_file(&db).unwrap();
    let written_validator = tree(&root);
    {
        let out = tspawn(&root)
            .args(["delete", "blog_validator"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("delete blog_validator needs the dev database"),
            "{stderr}"
        );
        assert_eq!(
            differ(&tree(&root), &written_validator),
            Vec::<String>::new()
        );
    }
    tspawn(&root)
        .args(["delete", "blog", "--force"])
        .assert()
        .success();
    let mut back = tree(&root);
    let manifest = back.get_mut("Cargo.toml").unwrap();
    *manifest = manifest
        .replace(", \"chrono\"", "")
        .replace(", \"validation\"", "");
    back.retain(|path, _| !path.starts_with("db/migrations/"));
    let mut original = original;
    original.retain(|path, _| !path.starts_with("db/migrations/"));
    assert_eq!(differ(&back, &original), Vec::<String>::new());
}
