//! Files keep their own line endings (issue 6, item 5): in an app checked out with CRLF endings
//! (a Windows checkout), a generator's injected lines take the file's CRLF, no other byte of a
//! file the user owns changes, and `delete` gives back the original bytes. Generated files that
//! differ only by CRLF count as unchanged.

mod common;

use common::{chat_app, new_app, read_tree, tspawn};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Rewrites every file under `root/folder` with CRLF endings.
fn to_crlf(root: &Path, folder: &str) {
    for (path, text) in read_tree(&root.join(folder)) {
        if !path.ends_with('/') {
            let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
            std::fs::write(root.join(folder).join(path), crlf).unwrap();
        }
    }
}

/// Paths of files with an LF not preceded by CR.
fn with_bare_lf(tree: &BTreeMap<String, String>) -> Vec<&String> {
    tree.iter()
        .filter(|(_, text)| text.replace("\r\n", "").contains('\n'))
        .map(|(path, _)| path)
        .collect()
}

fn assert_same_tree(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "differs from the original: {changed:?}");
}

/// The case: `new`, src/ config/ public/ to CRLF, `websocket NAME`, `delete NAME`.
fn round_trip(args: &[&str], name: &str) {
    let (_dir, root) = new_app("sqlite");
    for folder in ["src", "config", "public"] {
        to_crlf(&root, folder);
    }
    let original = read_tree(&root);
    tspawn(&root).args(args).assert().success();
    let generated = read_tree(&root);

    let crlf_files: BTreeMap<String, String> = generated
        .iter()
        .filter(|(path, _)| original.contains_key(*path) && !path.ends_with('/'))
        .filter(|(path, _)| {
            ["src/", "config/", "public/"]
                .iter()
                .any(|f| path.starts_with(f))
        })
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect();
    assert!(crlf_files.contains_key("src/routes.rs"));
    assert_eq!(
        with_bare_lf(&crlf_files),
        Vec::<&String>::new(),
        "pre-existing files keep CRLF everywhere"
    );
    let injected = ["src/routes.rs", "src/endpoints/mod.rs", "public/index.html"];
    for path in injected {
        assert_ne!(generated[path], original[path], "{path} was injected into");
    }
    let new_files: BTreeMap<String, String> = generated
        .iter()
        .filter(|(path, _)| !original.contains_key(*path))
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect();
    assert!(new_files.keys().any(|p| p.ends_with("_endpoint.rs")));
    assert!(
        new_files.values().all(|t| !t.contains('\r')),
        "files tspawn writes new have LF endings"
    );

    tspawn(&root).args(args).assert().success();
    assert_same_tree(&generated, &read_tree(&root));

    tspawn(&root).args(["delete", name]).assert().success();
    assert_same_tree(&original, &read_tree(&root));
}

#[test]
fn a_crlf_app_keeps_crlf_and_delete_gives_back_the_original_bytes() {
    round_trip(&["websocket", "chat"], "chat");
}

#[test]
fn the_same_for_a_bare_endpoint() {
    round_trip(&["websocket", "echo", "--bare"], "echo");
}

#[test]
fn generated_files_checked_out_with_crlf_are_unchanged_and_removable() {
    let (_dir, root) = chat_app("sqlite");
    let original = read_tree(&root);
    for folder in ["src", "public", "tests", "db"] {
        to_crlf(&root, folder);
    }
    let crlf = read_tree(&root);
    tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "identical  src/endpoints/chat_endpoint.rs",
        ))
        .stderr(predicate::str::contains("nothing to do"));
    assert_same_tree(&crlf, &read_tree(&root));

    tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "removed  src/endpoints/chat_endpoint.rs",
        ))
        .stderr(predicate::str::contains("removed  public/chat.html"))
        .stderr(predicate::str::contains("conflict").not());
    for path in ["src/endpoints/chat_endpoint.rs", "tests/chat_endpoint.rs"] {
        assert!(
            original.contains_key(path) && !root.join(path).exists(),
            "{path}"
        );
    }
    let routes = std::fs::read_to_string(root.join("src/routes.rs")).unwrap();
    assert!(!routes.contains("chat"), "{routes}");
    assert!(
        routes.replace("\r\n", "").find('\n').is_none(),
        "{routes:?}"
    );
}

#[test]
fn user_text_keeps_its_bytes_through_generate_and_delete() {
    let (_dir, root) = new_app("sqlite");
    let routes_path = root.join("src/routes.rs");
    // Hand-written and not rustfmt-clean: nothing may reformat it.
    let mine = "\nfn   helper( x:u32)->u32{ x+1 }\n";
    let original = std::fs::read_to_string(&routes_path).unwrap() + mine;
    std::fs::write(&routes_path, &original).unwrap();
    tspawn(&root)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    let routes = std::fs::read_to_string(&routes_path).unwrap();
    assert!(routes.ends_with(mine), "{routes}");
    assert!(routes.contains(".route(\"/chat\""), "{routes}");
    tspawn(&root)
        .args(["-q", "delete", "chat"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&routes_path).unwrap(), original);
}
