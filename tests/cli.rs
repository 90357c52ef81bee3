//! The command surface: help, version, subcommands not built yet, and the `--show-*` options.

mod common;

use common::tspawn;
use predicates::prelude::*;
use std::path::Path;

/// What `tspawn ARGS` prints on stdout (`stdout`) or stderr, and whether it succeeded, at
/// clap's default width whatever the terminal the tests run in.
fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = tspawn(dir)
        .env_remove("COLUMNS")
        .args(args)
        .output()
        .unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (
        output.status.success(),
        text(output.stdout),
        text(output.stderr),
    )
}

const UNBUILT: [&str; 4] = ["usermodel", "mongoscaffold", "mongomodel", "mailer"];

#[test]
fn top_level_help_has_treefrogs_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, help, _) = run(dir.path(), &["-h"]);
    assert!(ok);
    insta::assert_snapshot!("help", help);
    let unbuilt = help
        .split("Not built yet")
        .nth(1)
        .expect("a list of unbuilt ones");
    for name in UNBUILT {
        assert!(unbuilt.contains(&format!("\n  {name} (")), "{name}");
    }
}

#[test]
fn help_of_built_subcommands_says_what_they_write_the_name_rules_and_the_undo() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["websocket", "model", "sqlobject", "scaffold", "delete"] {
        let (ok, help, _) = run(dir.path(), &["help", name]);
        assert!(ok);
        insta::assert_snapshot!(format!("help_{name}"), help);
    }
    for (name, says) in [
        (
            "new",
            &[
                "Writes the folder",
                "Name:",
                "not even with --force",
                "Undo:",
            ][..],
        ),
        (
            "websocket",
            &[
                "Writes,",
                "`chat-room`",
                "/chat_room",
                "dropped",
                "Undo: tspawn delete NAME",
            ],
        ),
        (
            "model",
            &[
                "Writes,",
                "blog_entries gives BlogEntry",
                "title:string",
                "written once",
                "Undo: tspawn delete",
            ],
        ),
        (
            "scaffold",
            &[
                "tspawn scaffold post title:string:required",
                "/blog/save/ID",
                "Refused,",
                "Undo: tspawn delete NAME",
            ],
        ),
        (
            "delete",
            &[
                "WebSocket endpoint",
                "A model or sqlobject",
                "--force (remove it",
                "Undo:",
            ],
        ),
    ] {
        let (_, help, _) = run(dir.path(), &[name, "--help"]);
        for words in says {
            assert!(
                help.contains(words),
                "{name} --help lacks {words:?}:\n{help}"
            );
        }
        assert!(!help.contains("not built yet"), "{help}");
    }
}

#[test]
fn help_of_unbuilt_subcommands_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (_, help, _) = run(dir.path(), &["help", "controller"]);
    insta::assert_snapshot!("help_controller", help);
    for name in UNBUILT {
        for args in [&["help", name][..], &[name, "--help"]] {
            let (ok, help, _) = run(dir.path(), args);
            assert!(ok, "{args:?}");
            assert!(
                help.contains(&format!(
                    "Not built yet: tspawn {}",
                    env!("CARGO_PKG_VERSION")
                )),
                "{args:?}: {help}"
            );
        }
    }
}

#[test]
fn a_typo_is_answered_with_a_whole_subcommand_name() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(dir.path(), &["controler"]);
    assert!(!ok);
    insta::assert_snapshot!("typo", stderr);
    for (typo, tip) in [
        ("controler", "a similar subcommand exists: 'controller'"),
        ("websockt", "a similar subcommand exists: 'websocket'"),
        ("mongomdel", "'mongomodel'"),
    ] {
        let (_, _, stderr) = run(dir.path(), &[typo]);
        assert!(stderr.contains(tip), "{typo}: {stderr}");
        let tips = stderr.lines().find(|l| l.contains("tip:")).unwrap();
        assert!(
            tips.split('\'').skip(1).step_by(2).all(|s| s.len() > 2),
            "an alias was suggested: {tips}"
        );
    }
    let (_, _, stderr) = run(dir.path(), &["frobnicate"]);
    assert!(
        stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{stderr}"
    );
    assert!(!stderr.contains("tip:"), "{stderr}");
}

/// The `Usage:` line of an error is the one help shows, at the top and for every subcommand.
#[test]
fn an_errors_usage_line_is_the_same_as_the_helps() {
    let dir = tempfile::tempdir().unwrap();
    let usage = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("Usage: "))
            .unwrap_or_else(|| panic!("no usage line in {text}"))
            .to_owned()
    };
    let (_, help, _) = run(dir.path(), &["-h"]);
    let (_, _, error) = run(dir.path(), &["frobnicate"]);
    assert_eq!(usage(&error), usage(&help));
    assert_eq!(usage(&help), "Usage: tspawn <subcommand> [args]");
    for name in ["new", "websocket", "delete"] {
        let (_, help, _) = run(dir.path(), &["help", name]);
        let (ok, _, error) = run(dir.path(), &[name]);
        assert!(!ok, "{name} with no arguments");
        assert_eq!(usage(&error), usage(&help), "{name}");
    }
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
                "Usage: tspawn new <application-name> [--db sqlite|postgresql|mysql] [OPTIONS]",
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
        &["u", "user"],
        &["ms", "blog"],
        &["mm", "blog"],
        &["mailer", "info", "send"],
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

/// Whatever arguments a subcommand not built yet gets (none, one, too many, ones that look
/// like options), it says it is not built, exit 1, never clap's complaint about them.
#[test]
fn subcommands_not_built_yet_say_so_whatever_their_arguments() {
    let dir = tempfile::tempdir().unwrap();
    for name in UNBUILT {
        let odd: &[&[&str]] = &[
            &[],
            &["foo"],
            &["foo", "a", "b", "c", "--odd", "-x"],
            &["--odd"],
        ];
        for args in odd {
            let output = tspawn(dir.path()).arg(name).args(*args).output().unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_eq!(output.status.code(), Some(1), "{name} {args:?}: {stderr}");
            assert_eq!(
                stderr,
                format!(
                    "error: `tspawn {name}` is not built yet in tspawn {}; `tspawn -h` lists \
                     what is\n",
                    env!("CARGO_PKG_VERSION")
                ),
                "{name} {args:?}"
            );
        }
        // Its help still shows TreeFrog's arguments, each described.
        let (ok, help, _) = run(dir.path(), &["help", name]);
        assert!(ok, "{name}");
        let arguments = help.split("Arguments:\n").nth(1).unwrap_or_default();
        let rows: Vec<&str> = arguments.lines().take_while(|l| !l.is_empty()).collect();
        assert!(!rows.is_empty(), "{name}: no arguments in {help}");
        for row in rows {
            assert!(row.trim().split("  ").count() > 1, "{name}: {row:?}");
        }
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
fn db_takes_the_drivers_names_and_the_postgres_and_mariadb_aliases() {
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
    tspawn(dir.path())
        .args(["-q", "new", "maria", "--db", "mariadb"])
        .assert()
        .success();
    let manifest = std::fs::read_to_string(dir.path().join("maria/Cargo.toml")).unwrap();
    assert!(manifest.contains("features = [\"mysql\"]"), "{manifest}");
}
