//! `tspawn helper NAME`: the file it writes and the line it injects (snapshots), a rerun
//! changes nothing, delete gives back the original tree, bad names are refused.

mod common;

use common::{new_app, read_tree, tspawn};
use predicates::prelude::*;

#[test]
fn helper_writes_a_module_and_its_mod_line() {
    let (_dir, root) = new_app("sqlite");
    let out = tspawn(&root).args(["helper", "text"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("text_output", String::from_utf8(out.stderr).unwrap());
    for path in ["src/helpers/text.rs", "src/helpers/mod.rs"] {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        insta::assert_snapshot!(format!("text__{path}"), text);
    }
}

#[test]
fn twice_changes_nothing_and_delete_gives_the_tree_back() {
    let (_dir, root) = new_app("sqlite");
    let original = read_tree(&root);
    tspawn(&root).args(["h", "text"]).assert().success();
    let once = read_tree(&root);
    tspawn(&root)
        .args(["helper", "text"])
        .assert()
        .success()
        .stderr(predicate::str::contains("identical  src/helpers/text.rs"));
    assert_eq!(read_tree(&root), once);
    tspawn(&root).args(["delete", "text"]).assert().success();
    assert_eq!(read_tree(&root), original);
}

#[test]
fn a_changed_helper_is_kept_by_delete_unless_forced() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root).args(["helper", "text"]).assert().success();
    let path = root.join("src/helpers/text.rs");
    // Still tspawn's (its first line records the command), but changed.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\npub fn mine() {{}}\n")).unwrap();
    tspawn(&root)
        .args(["delete", "text"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("conflict  src/helpers/text.rs"));
    assert!(path.is_file());
    // --skip keeps the file, so its module stays in the build: nothing is written.
    let before = read_tree(&root);
    tspawn(&root)
        .args(["delete", "text", "--skip"])
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped  src/helpers/text.rs"));
    assert_eq!(read_tree(&root), before);
    let mods = std::fs::read_to_string(root.join("src/helpers/mod.rs")).unwrap();
    assert!(mods.contains("pub mod text;"), "{mods}");
    tspawn(&root)
        .args(["delete", "text", "--force"])
        .assert()
        .success();
    assert!(!path.exists());
}

#[test]
fn bad_names_are_refused_and_nothing_is_written() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    for (name, says) in [("fn", "Rust keyword"), ("9lives", "starts with a digit")] {
        tspawn(&root)
            .args(["helper", name])
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    }
    assert_eq!(read_tree(&root), before);
}

#[test]
fn a_validators_file_name_is_refused_as_a_helper() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    let out = tspawn(&root)
        .args(["helper", "post_validator"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("use `tspawn validator post`"), "{err}");
    assert_eq!(read_tree(&root), before);
}
