//! `tspawn model` and `tspawn sqlobject` on SQLite: what they write and inject (snapshots),
//! running them again, `tspawn delete` of what they made, the refusals, and a generated app
//! that passes clippy, rustfmt and its own model tests. The dev database's tables are made
//! with the `sqlite3` program (Debian's `sqlite3` package), as a user would make them.

mod common;

use common::{new_app, read_tree, sqlite, tspawn};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// TreeFrog's tutorial table.
const BLOG: &str = "CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at DATETIME NOT NULL, \
    updated_at DATETIME NOT NULL, lock_revision INTEGER NOT NULL DEFAULT 1);";

const POST: [&str; 5] = [
    "model",
    "post",
    "title:string:required",
    "body:text",
    "published:bool",
];

/// A new SQLite app whose dev database holds the blog table.
fn blog_app() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = new_app("sqlite");
    sqlite(&root, BLOG);
    (dir, root)
}

/// Runs tspawn and returns its console output (stderr), failing the test if it fails.
fn run(root: &Path, args: &[&str]) -> String {
    let output = tspawn(root).args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "tspawn {args:?}: {stderr}");
    stderr
}

/// The files a run added, changed or removed, with their contents, for a snapshot. The dev
/// database is binary and left out.
fn changes(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, text) in after {
        if path.ends_with('/') || path.starts_with("db/dev.sqlite3") {
            continue;
        }
        match before.get(path) {
            None => out.push_str(&format!("=== created {path}\n{text}")),
            Some(old) if old != text => out.push_str(&format!("=== changed {path}\n{text}")),
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        out.push_str(&format!("=== removed {path}\n"));
    }
    out
}

#[test]
fn model_of_a_live_table_writes_and_injects() {
    let (_dir, root) = blog_app();
    let before = read_tree(&root);
    let output = run(&root, &["model", "blog"]);
    insta::assert_snapshot!("blog_output", output);
    insta::assert_snapshot!("blog_files", changes(&before, &read_tree(&root)));
}

#[test]
fn model_from_a_field_list_writes_its_migration() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    let output = run(&root, &POST);
    insta::assert_snapshot!("post_output", output);
    insta::assert_snapshot!("post_files", changes(&before, &read_tree(&root)));
}

#[test]
fn sqlobject_writes_only_the_sqlobject() {
    let (_dir, root) = blog_app();
    let before = read_tree(&root);
    run(&root, &["sqlobject", "blog", "Article"]);
    let after = read_tree(&root);
    let written: Vec<&String> = after
        .keys()
        .filter(|p| before.get(*p) != after.get(*p) && !p.ends_with('/'))
        .collect();
    assert_eq!(
        written,
        [
            "Cargo.toml",
            "db/migrations/20261127120000_create_blog.sql",
            "src/models/mod.rs",
            "src/models/sqlobjects/article.rs",
            "src/models/sqlobjects/mod.rs",
        ]
    );
    assert!(after["src/models/sqlobjects/article.rs"].contains("pub struct Article {"));
}

#[test]
fn running_it_again_changes_no_byte() {
    let (_dir, root) = blog_app();
    run(&root, &["model", "blog"]);
    run(&root, &POST);
    let once = read_tree(&root);
    let again = run(&root, &["model", "blog"]);
    run(&root, &POST);
    assert_eq!(read_tree(&root), once);
    assert!(
        again.contains("identical  src/models/sqlobjects/blog.rs"),
        "{again}"
    );
    assert!(!again.contains("no migration created"), "{again}");
}

#[test]
fn the_users_model_file_survives_a_regeneration() {
    let (_dir, root) = blog_app();
    run(&root, &["model", "blog"]);
    let model = root.join("src/models/blog.rs");
    let mine = format!(
        "{}\nimpl Blog {{}}\n",
        std::fs::read_to_string(&model).unwrap()
    );
    std::fs::write(&model, &mine).unwrap();
    sqlite(&root, "ALTER TABLE blog ADD COLUMN rating INTEGER;");
    run(&root, &["model", "blog"]);
    assert_eq!(std::fs::read_to_string(&model).unwrap(), mine);
    let sqlobject = std::fs::read_to_string(root.join("src/models/sqlobjects/blog.rs")).unwrap();
    assert!(
        sqlobject.contains("pub rating: Option<i64>,"),
        "{sqlobject}"
    );
}

/// The files under `root` (folders left out: delete leaves an emptied folder, as git would
/// not see it).
fn files(root: &Path) -> BTreeMap<String, String> {
    let mut tree = read_tree(root);
    tree.retain(|path, _| !path.ends_with('/'));
    tree
}

/// Generate, then delete: the files are what they were, but for the runtime features
/// Cargo.toml keeps (other code may use them).
fn assert_round_trip(root: &Path, args: &[&str], module: &str) {
    let original = files(root);
    run(root, args);
    let generated = files(root);
    let output = run(root, &["delete", module]);
    let mut after = files(root);
    assert_eq!(
        after.remove("Cargo.toml"),
        generated.get("Cargo.toml").cloned()
    );
    let mut original = original;
    original.remove("Cargo.toml");
    let differ: Vec<&String> = after
        .keys()
        .chain(original.keys())
        .filter(|p| after.get(*p) != original.get(*p))
        .collect();
    assert!(differ.is_empty(), "{differ:?} differ after:\n{output}");
}

#[test]
fn generate_then_delete_gives_back_the_original_tree() {
    let (_dir, root) = blog_app();
    assert_round_trip(&root, &["model", "blog"], "blog");
    assert_round_trip(&root, &POST, "post");
    // The table name finds its model too.
    assert_round_trip(&root, &["sqlobject", "blog"], "blog");
}

#[test]
fn delete_keeps_the_other_models_and_applied_migrations() {
    let (_dir, root) = blog_app();
    run(&root, &["model", "blog"]);
    run(&root, &POST);
    // The dev database applied the posts migration (as `cargo run` would).
    sqlite(
        &root,
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, success BOOLEAN); \
         INSERT INTO _sqlx_migrations VALUES (20261127120001, 1);",
    );
    let output = run(&root, &["delete", "post"]);
    let tree = read_tree(&root);
    assert!(tree.contains_key("db/migrations/20261127120001_create_posts.sql"));
    assert!(output.contains("applied"), "{output}");
    assert!(!tree.contains_key("src/models/sqlobjects/post.rs"));
    assert!(tree["src/models/sqlobjects/mod.rs"].contains("pub mod blog;"));
    assert!(tree["src/models/mod.rs"].contains("pub mod sqlobjects;"));
    assert!(!tree["src/models/mod.rs"].contains("pub mod post;"));
}

#[test]
fn delete_asks_before_removing_a_changed_model_file() {
    let (_dir, root) = blog_app();
    run(&root, &["model", "blog"]);
    let model = root.join("src/models/blog.rs");
    let mine = format!("{}// mine\n", std::fs::read_to_string(&model).unwrap());
    std::fs::write(&model, mine).unwrap();
    let before = read_tree(&root);
    let output = tspawn(&root).args(["delete", "blog"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("src/models/blog.rs"), "{stderr}");
    assert_eq!(read_tree(&root), before, "nothing was written");
    run(&root, &["--force", "delete", "blog"]);
    assert!(!model.exists());
}

#[test]
fn delete_after_the_table_was_dropped_asks_about_the_generated_files() {
    let (_dir, root) = blog_app();
    run(&root, &["model", "blog"]);
    sqlite(&root, "DROP TABLE blog;");
    // They cannot be rebuilt without the table, so they count as changed.
    let output = tspawn(&root).args(["delete", "blog"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("src/models/sqlobjects/blog.rs"), "{stderr}");
    run(&root, &["--force", "delete", "blog"]);
    let tree = read_tree(&root);
    assert!(!tree.contains_key("src/models/sqlobjects/blog.rs"));
    assert!(!tree.contains_key("src/models/blog.rs"));
    assert!(!tree["src/models/mod.rs"].contains("pub mod"), "{tree:?}");
}

/// A refusal: one line on stderr, a failure exit, nothing written.
fn assert_refused(root: &Path, args: &[&str], needle: &str) {
    let before = read_tree(root);
    let output = tspawn(root).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} succeeded");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert_eq!(read_tree(root), before, "{args:?} wrote something");
}

#[test]
fn bad_input_is_refused_in_one_line_and_nothing_is_written() {
    let (_dir, root) = blog_app();
    sqlite(
        &root,
        "CREATE TABLE bad (id INTEGER PRIMARY KEY, \"2nd\" TEXT);",
    );
    sqlite(&root, "CREATE TABLE keyless (name TEXT);");
    assert_refused(&root, &["model", "missing"], "missing");
    assert_refused(&root, &["model", "post", "title:strng"], "strng");
    assert_refused(&root, &["model", "bad"], "bad.2nd");
    assert_refused(&root, &["model", "keyless"], "primary key");
    assert_refused(&root, &["model", "blog", "Blog", "Extra"], "Extra");
    assert_refused(&root, &["delete", "nothing"], "nothing");
}

/// The generated code builds without warnings, is rustfmt-clean and passes its own tests, for
/// the blog table, a field list and the schema readers' fixture tables (every SQLite type,
/// a composite key).
#[test]
fn a_generated_app_passes_clippy_fmt_and_its_model_tests() {
    let (_dir, root) = common::new_app_named("modelapp", "sqlite");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema/sqlite.sql");
    sqlite(&root, &std::fs::read_to_string(fixture).unwrap());
    run(&root, &["model", "blog"]);
    run(&root, &POST);
    for table in sqlite_tables(&root) {
        if !["blog", "posts"].contains(&table.as_str()) {
            run(&root, &["model", &table]);
        }
    }
    common::app::cargo(&root, &["fmt", "--check"]);
    common::app::cargo(&root, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    common::app::cargo(&root, &["test"]);
}

/// The dev database's tables, from the sqlite3 program.
fn sqlite_tables(root: &Path) -> Vec<String> {
    let output = Command::new("sqlite3")
        .arg(root.join("db/dev.sqlite3"))
        .arg("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}
