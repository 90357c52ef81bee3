//! `tspawn new`: the tree it writes, its output, name validation, refusing a folder that is
//! there (an app above all), dry runs and writing nothing when it cannot write everything.

mod common;

use common::{fold_vendor_lines, read_tree, runtime_dir, tree_snapshot, tspawn};
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

/// `git init chatapp` then `tspawn new chatapp`: a folder holding only `.git` is filled like an
/// empty one and its `.git` is left as it was; `.git` beside anything else is still refused.
#[test]
fn a_folder_holding_only_git_is_filled_and_git_kept() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status;
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "chatapp"]);
    git(&["init", "-q", "notes"]);
    std::fs::write(dir.path().join("notes/todo.txt"), "mine\n").unwrap();
    let git_before = read_tree(&dir.path().join("chatapp/.git"));
    let notes_before = read_tree(&dir.path().join("notes"));
    let output = tspawn(dir.path()).args(["new", "notes"]).output().unwrap();
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("is not an empty folder"));
    assert_eq!(read_tree(&dir.path().join("notes")), notes_before);
    tspawn(dir.path())
        .args(["-q", "new", "chatapp"])
        .assert()
        .success();
    assert!(dir.path().join("chatapp/src/routes.rs").is_file());
    assert_eq!(read_tree(&dir.path().join("chatapp/.git")), git_before);
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
        "_",
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

/// `tspawn new chatapp` over the app it made, after a generator added to it: refused in one
/// line, with or without --force (which once rewrote routes.rs, endpoints/mod.rs and app.toml
/// and unwired the endpoint), and no byte changes.
#[test]
fn new_over_an_existing_app_is_refused_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", "chatapp"])
        .assert()
        .success();
    tspawn(&dir.path().join("chatapp"))
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    let before = read_tree(dir.path());
    for extra in [
        &[][..],
        &["--force"],
        &["--skip"],
        &["--dry-run"],
        &["--force", "--db", "mysql"],
    ] {
        let output = tspawn(dir.path())
            .args(["new", "chatapp"])
            .args(extra)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{extra:?} was accepted");
        assert_eq!(
            stderr_of(&output),
            "error: chatapp already exists; to add to it, run a generator inside it (cd chatapp \
             && tspawn websocket NAME), or pick another name for a new app\n",
            "{extra:?}"
        );
        assert_eq!(read_tree(dir.path()), before, "{extra:?} changed the tree");
    }
}

/// `tspawn new` inside an app (its root or a folder below) would nest a second app in it.
#[test]
fn new_inside_an_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", "chatapp"])
        .assert()
        .success();
    let before = read_tree(dir.path());
    for cwd in ["chatapp", "chatapp/src"] {
        let output = tspawn(&dir.path().join(cwd))
            .args(["new", "chatapp"])
            .output()
            .unwrap();
        assert!(!output.status.success(), "accepted in {cwd}");
        let stderr = stderr_of(&output);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("is inside the app"), "{stderr}");
        assert!(stderr.contains("run it outside"), "{stderr}");
    }
    assert_eq!(read_tree(dir.path()), before);
}

/// Anything but an empty (or `.git`-only) folder in the way of the app folder is refused with
/// what to do.
#[test]
fn new_over_a_folder_in_use_or_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("notes/src")).unwrap();
    std::fs::write(dir.path().join("notes/src/routes.rs"), "mine\n").unwrap();
    std::fs::write(dir.path().join("file"), "mine\n").unwrap();
    let before = read_tree(dir.path());
    // A dangling link, beside the tree `read_tree` reads (it cannot follow the link).
    let links = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("nowhere", links.path().join("link")).unwrap();
    for (name, says) in [
        ("notes", "notes already exists and is not an empty folder; `tspawn new` only writes a new app into a new or empty folder (or one holding only .git): pick another name, or move notes away"),
        ("file", "file already exists and is not a folder; pick another name, or move file away"),
        ("link", "link already exists and is not a folder"),
    ] {
        for force in [&[][..], &["--force"]] {
            let cwd = if name == "link" { links.path() } else { dir.path() };
            let output = tspawn(cwd)
                .args(["new", name])
                .args(force)
                .output()
                .unwrap();
            assert!(!output.status.success(), "{name}");
            let stderr = stderr_of(&output);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains(says), "{stderr}");
        }
    }
    assert_eq!(read_tree(dir.path()), before);
    let left = std::fs::read_dir(links.path()).unwrap().count();
    assert_eq!(left, 1, "only the link");

    // An empty folder (made for the app, say) is filled.
    std::fs::create_dir(dir.path().join("chatapp")).unwrap();
    tspawn(dir.path())
        .args(["-q", "new", "chatapp"])
        .assert()
        .success();
    assert!(dir.path().join("chatapp/src/routes.rs").is_file());
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

/// An empty app folder tspawn may not write in: refused before anything is written.
#[test]
fn a_folder_tspawn_may_not_write_in_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("chatapp");
    std::fs::create_dir_all(&app).unwrap();
    if let Err(reason) = make_read_only(&app) {
        make_writable(&app);
        eprintln!("skipped: {reason}");
        return;
    }
    let before = read_tree(dir.path());
    let output = tspawn(dir.path())
        .args(["new", "chatapp"])
        .output()
        .unwrap();
    let after = read_tree(dir.path());
    make_writable(&app);
    assert!(!output.status.success());
    assert!(
        stderr_of(&output).contains("cannot write in the folder chatapp"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(after, before, "the tree is as it was");
}
