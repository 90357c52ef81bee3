//! Helpers the CLI test suites share: a `tspawn` command with a fixed clock and no colour, and a
//! serialised view of a folder tree for snapshots.

#![allow(dead_code)] // each test crate uses a different subset of these helpers

pub mod app;
pub mod browser;
pub mod html;
pub mod http;
pub mod server;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// 2026-11-27T12:00:00Z: the fixed clock of every generated timestamp in the tests.
pub const EPOCH: &str = "1795780800";

/// TreeFrog's tutorial table `blog`, as each driver spells it (a nullable `lock_revision` and
/// timestamps, as the tutorial has them).
pub const BLOG_SQLITE: &str = "CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at TIMESTAMP, \
    updated_at TIMESTAMP, lock_revision INTEGER);";
pub const BLOG_POSTGRES: &str = "CREATE TABLE blog (id SERIAL PRIMARY KEY, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at TIMESTAMP, \
    updated_at TIMESTAMP, lock_revision INTEGER);";
pub const BLOG_MYSQL: &str = "CREATE TABLE blog (id INTEGER AUTO_INCREMENT PRIMARY KEY, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at DATETIME, \
    updated_at DATETIME, lock_revision INTEGER);";

/// `tspawn` run in `dir`, with a fixed clock and no colour.
pub fn tspawn(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tspawn").expect("tspawn is built");
    cmd.current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// A fresh `chatapp` made by `tspawn new --db DB` in a temporary folder: the folder (keep it
/// alive) and the app root.
pub fn new_app(db: &str) -> (tempfile::TempDir, PathBuf) {
    new_app_named("chatapp", db)
}

/// A fresh `chatapp` (`new_app`) with the chat endpoint of `tspawn websocket chat`.
pub fn chat_app(db: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = new_app(db);
    tspawn(&root)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    (dir, root)
}

/// `new_app` with another name: tests of one binary that run at the same time build apps of
/// different names, since each name has one binary in the shared target folder.
pub fn new_app_named(name: &str, db: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", name, "--db", db])
        .assert()
        .success();
    let root = dir.path().join(name);
    (dir, root)
}

/// Every file under `root` (relative path -> contents), folders as "path/" -> "".
pub fn read_tree(root: &Path) -> BTreeMap<String, String> {
    let mut tree = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut tree);
    }
    tree
}

fn walk(root: &Path, dir: &Path, tree: &mut BTreeMap<String, String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            tree.insert(format!("{rel}/"), String::new());
            walk(root, &path, tree);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            tree.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
}

/// The tree as one text for insta: each file's path, then its contents. The runtime's copy
/// under vendor/ is summarised (its bytes are checked against runtime/ by a test of its own).
pub fn tree_snapshot(root: &Path) -> String {
    let mut out = String::new();
    let mut vendored = 0;
    for (path, contents) in read_tree(root) {
        if path.contains("vendor/tspawn-runtime/") {
            vendored += 1;
            continue;
        }
        if path == "Cargo.lock" {
            out.push_str(&lock_summary(&contents));
        } else if path.ends_with('/') {
            out.push_str(&format!("=== {path}\n"));
        } else {
            out.push_str(&format!("=== {path}\n{contents}"));
            if !contents.ends_with('\n') && !contents.is_empty() {
                out.push_str("\n[no newline at end]\n");
            }
        }
    }
    out.push_str(&format!(
        "=== vendor/tspawn-runtime/**: {} entries\n",
        if vendored > 0 { "some" } else { "no" }
    ));
    out
}

/// A Cargo.lock for a snapshot: its header and path packages (the app and the runtime) as they
/// are, the crates.io ones counted (tests/app_lock.rs checks them against the workspace's lock).
fn lock_summary(lock: &str) -> String {
    let mut entries = lock.split("\n\n");
    let mut out = format!("=== Cargo.lock\n{}\n", entries.next().unwrap_or_default());
    let mut registry = 0;
    for entry in entries {
        if entry.contains("\nsource = ") {
            registry += 1;
        } else {
            out.push_str(&format!("\n{}\n", entry.trim_end()));
        }
    }
    out.push_str(&format!("\n[{registry} crates.io packages]\n"));
    out
}

/// Console output with the runtime copy's lines folded into one.
pub fn fold_vendor_lines(output: &str) -> String {
    let mut out = String::new();
    let mut folded = false;
    for line in output.lines() {
        if line.contains("vendor/tspawn-runtime/") {
            if !folded {
                out.push_str("  ... one line per file of the runtime copy ...\n");
                folded = true;
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The directory of this repository's runtime crate.
pub fn runtime_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime")
}

/// Runs `sql` on the app's dev database, `ROOT/db/dev.sqlite3`, with the sqlite3 program (as a
/// user would make a table for `tspawn model`).
pub fn sqlite(root: &Path, sql: &str) {
    sqlite_file(&root.join("db/dev.sqlite3"), sql);
}

/// Runs `sql` on the SQLite database at `file` with the sqlite3 program; fails the test when it
/// fails.
pub fn sqlite_file(file: &Path, sql: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("sqlite3")
        .arg(file)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("the sqlite3 program runs (apt-get install sqlite3)");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(sql.as_bytes()).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success(), "sqlite3 failed on {sql}");
}

/// Runs `query` on the SQLite database at `file` with the sqlite3 program and returns its
/// rows, one a line, columns tab-separated (NULL as the empty string), as
/// `server::Server::query` gives them; fails the test when it fails.
pub fn sqlite_query(file: &Path, query: &str) -> String {
    let output = std::process::Command::new("sqlite3")
        .args(["-batch", "-noheader", "-separator", "\t"])
        .arg(file)
        .arg(query)
        .output()
        .expect("the sqlite3 program runs (apt-get install sqlite3)");
    assert!(
        output.status.success(),
        "{query}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Every file of the app at `root` but the dev SQLite database (which sqlite3 and tspawn's
/// schema reading touch), without folders.
pub fn app_files(root: &Path) -> BTreeMap<String, String> {
    let mut tree = read_tree(root);
    tree.retain(|path, _| !path.starts_with("db/dev.sqlite3") && !path.ends_with('/'));
    tree
}

/// Runs `tspawn ARGS` in `root`, failing the test unless it succeeds; its console output
/// (stderr).
pub fn run_ok(root: &Path, args: &[&str]) -> String {
    let output = tspawn(root).args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "tspawn {args:?}: {stderr}");
    stderr
}

/// The files `after` adds to or changes from `before`, each with its contents under
/// `=== created PATH` or `=== changed PATH` (folders skipped), for snapshots.
pub fn changes(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, text) in after {
        match before.get(path) {
            _ if path.ends_with('/') => {}
            None => out.push_str(&format!("=== created {path}\n{text}")),
            Some(old) if old != text => out.push_str(&format!("=== changed {path}\n{text}")),
            Some(_) => {}
        }
    }
    out
}
