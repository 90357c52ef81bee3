//! The command surface: help, version, subcommands not built yet, and the `--show-*` options.

mod common;

use common::tspawn;
use predicates::prelude::*;

#[test]
fn top_level_help_has_treefrogs_shape() {
    let dir = tempfile::tempdir().unwrap();
    let output = tspawn(dir.path()).arg("-h").output().unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!("help", String::from_utf8(output.stdout).unwrap());
}

#[test]
fn subcommand_help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["help", "new"][..], &["new", "--help"], &["n", "--help"]] {
        tspawn(dir.path())
            .args(args)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "Usage: tspawn new [OPTIONS] <application-name>",
            ))
            .stdout(predicate::str::contains("--db <DB>"));
    }
    tspawn(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("tspawn {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_arguments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path()).args(["new", "a", "b"]).assert().code(2);
    tspawn(dir.path()).args(["frobnicate"]).assert().code(2);
    tspawn(dir.path())
        .args(["controller", "blog"])
        .assert()
        .code(2);
    tspawn(dir.path())
        .args(["--force", "--skip", "new", "a"])
        .assert()
        .code(2);
    tspawn(dir.path())
        .args(["--show-drivers", "new", "a"])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn subcommands_not_built_yet_fail_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["scaffold", "blog"],
        &["controller", "blog", "index"],
        &["model", "blog"],
        &["u", "user"],
        &["o", "blog"],
        &["ms", "blog"],
        &["mm", "blog"],
        &["v", "form"],
        &["mailer", "info", "send"],
        &["api", "blog"],
        &["helper", "text"],
        &["--show-tables"],
        &["--show-collections"],
    ];
    for args in cases {
        tspawn(dir.path())
            .args(*args)
            .assert()
            .failure()
            .stderr(predicate::str::contains("is not built yet"));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn show_drivers_lists_the_databases() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .arg("--show-drivers")
        .assert()
        .success()
        .stdout("sqlite\npostgresql\nmysql\n");
    tspawn(dir.path())
        .arg("--show-driver-path")
        .assert()
        .success()
        .stdout(predicate::str::contains("sqlx"));
}

#[test]
fn db_takes_the_drivers_names_and_the_postgres_alias() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["new", "app", "--db", "oracle"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "[possible values: sqlite, postgresql, mysql]",
        ));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    tspawn(dir.path())
        .args(["-q", "new", "app", "--db", "postgres"])
        .assert()
        .success();
    let manifest = std::fs::read_to_string(dir.path().join("app/Cargo.toml")).unwrap();
    assert!(manifest.contains("features = [\"postgres\"]"), "{manifest}");
}
