//! `tspawn new`: the tree it writes, its output, name validation, idempotency, dry runs,
//! conflicts and all-or-nothing writing.

mod common;

use common::{fold_vendor_lines, read_tree, runtime_dir, tree_snapshot, tspawn};
use predicates::prelude::*;
use std::path::Path;

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn new_writes_the_app_tree() {
    let dir = tempfile::tempdir().unwrap();
    let output = tspawn(dir.path())
        .args(["new", "chatapp"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(output.stdout.is_empty(), "status lines go to stderr");
    insta::assert_snapshot!("new_chatapp_output", fold_vendor_lines(&stderr_of(&output)));
    insta::assert_snapshot!(
        "new_chatapp_tree",
        tree_snapshot(&dir.path().join("chatapp"))
    );
}

#[test]
fn new_with_another_database_compiles_only_its_driver() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["new", "pgapp", "--db", "postgresql"])
        .assert()
        .success();
    let manifest = std::fs::read_to_string(dir.path().join("pgapp/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("default-features = false, features = [\"postgres\"]"),
        "{manifest}"
    );
    let config = std::fs::read_to_string(dir.path().join("pgapp/config/app.toml")).unwrap();
    assert!(
        config.contains("postgres://postgres@localhost/pgapp_dev"),
        "{config}"
    );

    tspawn(dir.path())
        .args(["new", "my-app", "--db", "mysql"])
        .assert()
        .success();
    let manifest = std::fs::read_to_string(dir.path().join("my-app/Cargo.toml")).unwrap();
    assert!(manifest.contains("features = [\"mysql\"]"));
    let main = std::fs::read_to_string(dir.path().join("my-app/src/main.rs")).unwrap();
    assert!(main.contains("use my_app::routes::routes;"), "{main}");
}

#[test]
fn the_runtime_copy_is_byte_for_byte_the_runtime() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["new", "chatapp"])
        .assert()
        .success();
    let copy = read_tree(&dir.path().join("chatapp/vendor/tspawn-runtime"));
    let mut original = read_tree(&runtime_dir().join("src"))
        .into_iter()
        .map(|(path, text)| (format!("src/{path}"), text))
        .collect::<std::collections::BTreeMap<_, _>>();
    original.insert("src/".into(), String::new());
    original.insert(
        "Cargo.toml".into(),
        std::fs::read_to_string(runtime_dir().join("Cargo.toml")).unwrap(),
    );
    assert_eq!(copy, original);
}

#[test]
fn bad_names_fail_with_one_line_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "123app",
        "fn",
        "../x",
        "a/b",
        "",
        "my app",
        "self",
        "héllo wörld",
    ] {
        let output = tspawn(dir.path()).args(["new", name]).output().unwrap();
        assert!(!output.status.success(), "{name:?} was accepted");
        let stderr = stderr_of(&output);
        assert_eq!(stderr.lines().count(), 1, "{name:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: invalid application name \"{name}\": ")),
            "{stderr}"
        );
        assert!(
            stderr.contains("e.g.") || stderr.contains("use ") || stderr.contains("give "),
            "{name:?} has no fix: {stderr}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{name:?} wrote something"
        );
    }
    assert!(!dir.path().parent().unwrap().join("x").exists());
}

#[test]
fn a_second_run_changes_no_byte_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["new", "chatapp"])
        .assert()
        .success();
    let before = read_tree(dir.path());
    let output = tspawn(dir.path())
        .args(["new", "chatapp"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert!(
        stderr
            .lines()
            .filter(|l| l.contains("chatapp"))
            .all(|l| l.trim_start().starts_with("identical")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing to do"), "{stderr}");
    assert_eq!(read_tree(dir.path()), before);
}

#[test]
fn dry_run_prints_the_same_plan_and_writes_nothing() {
    let dry = tempfile::tempdir().unwrap();
    let output = tspawn(dry.path())
        .args(["--dry-run", "new", "chatapp"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(std::fs::read_dir(dry.path()).unwrap().count(), 0);
    let dry_lines = stderr_of(&output);

    let real = tempfile::tempdir().unwrap();
    let output = tspawn(real.path())
        .args(["new", "chatapp"])
        .output()
        .unwrap();
    let real_lines = stderr_of(&output);
    let status = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("  "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert!(status(&real_lines).len() > 20);
    assert_eq!(status(&dry_lines), status(&real_lines));
    assert!(dry_lines.contains("dry run: nothing was written"));
}

#[test]
fn conflicts_fail_without_a_terminal_unless_forced_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["new", "chatapp"])
        .assert()
        .success();
    let routes = dir.path().join("chatapp/src/routes.rs");
    let readme = dir.path().join("chatapp/README.md");
    std::fs::write(&routes, "// mine\n").unwrap();
    std::fs::write(&readme, "mine\n").unwrap();
    std::fs::remove_file(dir.path().join("chatapp/src/main.rs")).unwrap();
    let before = read_tree(dir.path());

    tspawn(dir.path())
        .args(["new", "chatapp"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("2 files differ"))
        .stderr(predicate::str::contains("conflict  chatapp/README.md"))
        .stderr(predicate::str::contains("conflict  chatapp/src/routes.rs"));
    assert_eq!(read_tree(dir.path()), before, "a failed run writes nothing");

    tspawn(dir.path())
        .args(["new", "chatapp", "--skip"])
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped  chatapp/src/routes.rs"))
        .stderr(predicate::str::contains("created  chatapp/src/main.rs"));
    assert_eq!(std::fs::read_to_string(&routes).unwrap(), "// mine\n");

    tspawn(dir.path())
        .args(["new", "chatapp", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains("updated  chatapp/src/routes.rs"));
    assert!(std::fs::read_to_string(&routes)
        .unwrap()
        .contains("tspawn:routes"));
}

#[test]
fn a_file_in_the_way_of_a_folder_is_reported_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("chatapp")).unwrap();
    std::fs::write(dir.path().join("chatapp/src"), "not a folder").unwrap();
    tspawn(dir.path())
        .args(["new", "chatapp"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "chatapp/src exists and is not a folder",
        ));
    assert_eq!(read_tree(dir.path()).len(), 2, "only what was there before");
}

/// Makes `dir` refuse new entries: `chattr +i` (which stops root too), else mode 0555.
fn make_read_only(dir: &Path) -> Result<(), String> {
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(dir)
        .status();
    if immutable.is_ok_and(|s| s.success()) {
        return Ok(());
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(dir.join("probe"), "").is_ok() {
        let _ = std::fs::remove_file(dir.join("probe"));
        return Err(
            "neither chattr +i nor mode 0555 stops writes here (root without CAP_LINUX_IMMUTABLE)"
                .into(),
        );
    }
    Ok(())
}

fn make_writable(dir: &Path) {
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(dir)
        .status();
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
}

#[test]
fn a_write_failure_part_way_leaves_no_partial_tree() {
    let dir = tempfile::tempdir().unwrap();
    // public/ comes after config/, db/ and log/ in the plan, so those are written first.
    let public = dir.path().join("chatapp/public");
    std::fs::create_dir_all(&public).unwrap();
    if let Err(reason) = make_read_only(&public) {
        make_writable(&public);
        eprintln!("skipped: {reason}");
        return;
    }
    let before = read_tree(dir.path());
    let output = tspawn(dir.path())
        .args(["new", "chatapp"])
        .output()
        .unwrap();
    let after = read_tree(dir.path());
    make_writable(&public);
    assert!(!output.status.success());
    assert!(
        stderr_of(&output).contains("chatapp/public"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(after, before, "the tree is as it was");
}
