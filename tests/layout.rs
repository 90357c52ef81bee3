//! What tspawn writes is final and the same on every machine (issue 6, item 5): no formatter
//! runs over it, so every Rust file it writes or edits must already be rustfmt-clean, for
//! short names and for names near the limits (a long name moves a brace or splits a call where
//! rustfmt would), and the tree must be byte-identical whether or not rustfmt is on PATH.

mod common;

use common::{read_tree, tspawn};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `len` characters of a valid name: letters only, so its CamelCase form is as long as it is.
fn letters(len: usize) -> String {
    "abcdefghijklmnopqrstuvwxyz"
        .chars()
        .cycle()
        .take(len)
        .collect()
}

/// `len` characters with an underscore every third one, so its CamelCase form is shorter.
fn underscored(len: usize) -> String {
    (0..len)
        .map(|i| if i % 3 == 2 && i + 1 < len { '_' } else { 'q' })
        .collect()
}

/// Every `.rs` file under `root` but the vendored runtime.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    read_tree(root)
        .into_keys()
        .filter(|p| p.ends_with(".rs") && !p.contains("vendor/"))
        .map(|p| root.join(p))
        .collect()
}

/// Whether rustfmt runs here; prints why the check is skipped when it does not.
/// rustfmt comes with the toolchain; without it these tests could check nothing, so they fail
/// rather than pass unrun.
fn require_rustfmt() {
    let found = Command::new("rustfmt")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(found, "rustfmt is missing: `rustup component add rustfmt`");
}

fn assert_rustfmt_clean(files: &[PathBuf]) {
    let out = Command::new("rustfmt")
        .args(["--edition", "2021", "--check", "--color", "never"])
        .args(files)
        .output()
        .expect("rustfmt runs");
    assert!(
        out.status.success(),
        "not rustfmt-clean:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generated_rust_is_rustfmt_clean_for_short_and_long_endpoint_names() {
    require_rustfmt();
    for db in ["sqlite", "postgresql"] {
        let (_dir, root) = common::new_app(db);
        let mut names: Vec<String> = (1..=54).map(letters).collect();
        names.extend((3..=54).step_by(3).map(underscored));
        if db == "sqlite" {
            // Only SQLite, with no identifier limit, takes names this long.
            names.extend([70, 90, 120, 160, 200].map(letters));
        }
        for (i, name) in names.iter().enumerate() {
            let mut args = vec!["-q", "websocket", name];
            if i % 5 == 4 {
                args.push("--bare");
            }
            tspawn(&root).args(&args).assert().success();
        }
        assert_rustfmt_clean(&rust_files(&root));
    }
}

#[test]
fn generated_rust_is_rustfmt_clean_for_short_and_long_app_names() {
    require_rustfmt();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for len in [1, 9, 20, 35, 50, 70, 90, 120, 200] {
        let name = letters(len);
        tspawn(dir.path())
            .args(["-q", "new", &name])
            .assert()
            .success();
        let root = dir.path().join(&name);
        tspawn(&root)
            .args(["-q", "websocket", "chat"])
            .assert()
            .success();
        tspawn(&root)
            .args(["-q", "websocket", "echo", "--bare"])
            .assert()
            .success();
        files.extend(rust_files(&root));
    }
    assert_rustfmt_clean(&files);
}

/// The tree `new` + three endpoints make with `path` as PATH.
fn tree_with_path(path: &std::ffi::OsStr) -> std::collections::BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let run = |cwd: &Path, args: &[&str]| {
        tspawn(cwd).env("PATH", path).args(args).assert().success();
    };
    run(dir.path(), &["-q", "new", "chatapp"]);
    let root = dir.path().join("chatapp");
    run(&root, &["-q", "websocket", "chat"]);
    run(&root, &["-q", "websocket", "echo", "--bare"]);
    run(&root, &["-q", "websocket", &letters(70)]);
    read_tree(&root)
}

#[test]
fn output_is_byte_identical_with_and_without_rustfmt_on_path() {
    let with = std::env::var_os("PATH").unwrap_or_default();
    require_rustfmt();
    let empty = tempfile::tempdir().unwrap();
    let without = tree_with_path(empty.path().as_os_str());
    let with = tree_with_path(&with);
    let differ: Vec<&String> = with
        .keys()
        .chain(without.keys())
        .filter(|k| with.get(*k) != without.get(*k))
        .collect();
    assert!(differ.is_empty(), "differ with rustfmt on PATH: {differ:?}");
}
