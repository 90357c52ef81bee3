//! A file the user may not write is a failure found before anything is written (issue 6,
//! item 6), and a rewritten file keeps its owner, group and mode; a symbolic link stays a link
//! and the file it leads to is what is rewritten.
//!
//! The refusals need an unprivileged user (root may write anything), and CI runs as root: the
//! tests run tspawn as `nobody` through `setpriv` in an app handed over to nobody. Built by
//! another user or without setpriv they are ignored, with the reason in cargo's summary
//! (build.rs sets `skip_root`); a test binary built as root but run by another user fails,
//! saying so.

mod common;

use common::{new_app, read_tree, EPOCH};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOBODY: u32 = 65534;

/// Fails the test unless it runs as root: the tests that need root are built only by root
/// (build.rs), so this catches a binary built by root and run by someone else.
fn assert_root() {
    let uid = Command::new("id").arg("-u").output().unwrap().stdout;
    assert_eq!(
        String::from_utf8_lossy(&uid).trim(),
        "0",
        "built as root but not run as root: run the tests as root, or rebuild them as this user"
    );
}

/// A chat app owned by nobody, and a tspawn binary nobody may run.
fn app_of_nobody() -> (tempfile::TempDir, PathBuf, PathBuf) {
    assert_root();
    let (dir, root) = new_app("sqlite");
    let mut bin = assert_cmd::cargo::cargo_bin("tspawn");
    if !as_nobody(dir.path(), &bin, &["--version"]).status.success() {
        // The build folder is out of nobody's reach: run a copy.
        let copy = dir.path().join("tspawn");
        std::fs::copy(&bin, &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin = copy;
    }
    chown_tree(dir.path(), NOBODY);
    assert!(as_nobody(&root, &bin, &["--version"]).status.success());
    (dir, root, bin)
}

fn chown_tree(path: &Path, uid: u32) {
    let owner = format!("{uid}:{uid}");
    let status = Command::new("chown")
        .args(["-R", &owner])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn as_nobody(dir: &Path, bin: &Path, args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Every file's path, contents, mode and owner.
fn snapshot(root: &Path) -> Vec<(String, String, u32, u32, u32)> {
    read_tree(root)
        .into_iter()
        .map(|(path, contents)| {
            let meta = std::fs::symlink_metadata(root.join(&path)).unwrap();
            (path, contents, meta.mode(), meta.uid(), meta.gid())
        })
        .collect()
}

/// tspawn as nobody must fail naming `expected`, in a real run and a dry run, leaving the
/// tree exactly as it was.
fn refused_as_nobody(root: &Path, bin: &Path, expected: &str) {
    let before = snapshot(root);
    for args in [
        &["websocket", "chat"][..],
        &["--dry-run", "websocket", "chat"],
    ] {
        let output = as_nobody(root, bin, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: {expected:?} not in {stderr}"
        );
        assert_eq!(snapshot(root), before, "{args:?} changed the tree");
    }
}

#[test]
#[cfg_attr(
    skip_root,
    ignore = "needs root and setpriv (util-linux), to run tspawn as nobody"
)]
fn nobody_may_generate_in_an_app_of_their_own() {
    // The control for the refusals below: the setup itself lets nobody write.
    let (_dir, root, bin) = app_of_nobody();
    let output = as_nobody(&root, &bin, &["websocket", "chat"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta = std::fs::metadata(root.join("config/app.toml")).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
}

#[test]
#[cfg_attr(
    skip_root,
    ignore = "needs root and setpriv (util-linux), to run tspawn as nobody"
)]
fn a_read_only_file_is_refused_before_anything_is_written() {
    let (_dir, root, bin) = app_of_nobody();
    let config = root.join("config/app.toml");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o444)).unwrap();
    refused_as_nobody(&root, &bin, "config/app.toml cannot be written");
}

#[test]
#[cfg_attr(
    skip_root,
    ignore = "needs root and setpriv (util-linux), to run tspawn as nobody"
)]
fn a_file_of_another_user_is_refused_before_anything_is_written() {
    let (_dir, root, bin) = app_of_nobody();
    // Writable by nobody through its mode, but root's: a rename would make it nobody's.
    let config = root.join("config/app.toml");
    std::os::unix::fs::chown(&config, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).unwrap();
    refused_as_nobody(
        &root,
        &bin,
        "config/app.toml belongs to another user (uid 0)",
    );
}

#[test]
#[cfg_attr(
    skip_root,
    ignore = "needs root and setpriv (util-linux), to run tspawn as nobody"
)]
fn a_folder_nobody_may_write_in_is_refused_before_anything_is_written() {
    let (_dir, root, bin) = app_of_nobody();
    let folder = root.join("src/models");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    refused_as_nobody(&root, &bin, "cannot write in the folder src/models");
}

#[test]
#[cfg_attr(skip_root, ignore = "needs root, to give a file to another user")]
fn a_rewritten_file_keeps_its_owner_group_and_mode() {
    assert_root();
    let (_dir, root) = new_app("sqlite");
    let config = root.join("config/app.toml");
    std::os::unix::fs::chown(&config, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::read_to_string(&config).unwrap();
    common::tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .success();
    let meta = std::fs::metadata(&config).unwrap();
    assert_ne!(
        std::fs::read_to_string(&config).unwrap(),
        before,
        "rewritten"
    );
    assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
    assert_eq!(meta.mode() & 0o7777, 0o640);
}

#[test]
fn a_symlinked_file_stays_a_link_and_what_it_leads_to_is_rewritten() {
    let (dir, root) = new_app("sqlite");
    let config = root.join("config/app.toml");
    let shared = dir.path().join("shared.toml");
    std::fs::rename(&config, &shared).unwrap();
    std::os::unix::fs::symlink("../../shared.toml", &config).unwrap();
    let before = std::fs::read(&shared).unwrap();
    let is_link = |path: &Path| {
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    common::tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .success();
    assert!(is_link(&config), "config/app.toml was replaced by a file");
    let after = std::fs::read_to_string(&shared).unwrap();
    assert!(after.contains("[default.chat_endpoint]"), "{after}");
    common::tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .success();
    assert!(is_link(&config));
    assert_eq!(std::fs::read(&shared).unwrap(), before);
}

#[test]
fn a_file_with_other_hard_links_is_rewritten_in_place() {
    let (dir, root) = new_app("sqlite");
    let config = root.join("config/app.toml");
    let other = dir.path().join("app.toml.link");
    std::fs::hard_link(&config, &other).unwrap();
    let before = std::fs::read(&config).unwrap();
    common::tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .success();
    let after = std::fs::read_to_string(&other).unwrap();
    assert!(
        after.contains("[default.chat_endpoint]"),
        "the other name kept the old text"
    );
    assert_eq!(std::fs::metadata(&config).unwrap().nlink(), 2);
    common::tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .success();
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn a_symlink_left_under_a_staging_name_is_not_written_through() {
    let (dir, root) = new_app("sqlite");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "mine\n").unwrap();
    let staging = root.join("config/.app.toml.tspawn-new");
    std::os::unix::fs::symlink(&victim, &staging).unwrap();
    common::tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine\n");
    let config = root.join("config/app.toml");
    assert!(std::fs::symlink_metadata(&config).unwrap().is_file());
    assert!(!staging.exists() && std::fs::symlink_metadata(&staging).is_err());
}

#[test]
#[cfg_attr(
    skip_root,
    ignore = "needs root and setpriv (util-linux), to run tspawn as nobody"
)]
fn a_symlink_into_a_folder_nobody_may_write_in_is_refused_before_anything_is_written() {
    let (dir, root, bin) = app_of_nobody();
    // The link and the file it leads to are nobody's; the folder holding that file is root's,
    // so the rewritten file could not be staged beside it.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let config = root.join("config/app.toml");
    std::fs::rename(&config, shared.join("app.toml")).unwrap();
    std::os::unix::fs::symlink(shared.join("app.toml"), &config).unwrap();
    std::os::unix::fs::lchown(&config, Some(NOBODY), Some(NOBODY)).unwrap();
    refused_as_nobody(&root, &bin, "cannot write in the folder");
}
