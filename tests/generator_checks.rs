//! The engine's checks every generator gets (issue 6, items 1, 2 and 7): migration versions
//! that stay unique, names that would take over a file `tspawn new` wrote, and names that would
//! overflow a database identifier or a file name. Each refusal is one line, exits non-zero and
//! writes nothing.

mod common;

use common::{new_app, read_tree, tspawn};
use predicates::prelude::*;
use std::path::Path;

fn migrations(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("db/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

/// Runs tspawn expecting a refusal: non-zero, one line on stderr holding every `expected`
/// part, and the tree under `root` unchanged.
fn refused(root: &Path, dir: &Path, args: &[&str], expected: &[&str]) {
    let before = read_tree(root);
    let output = tspawn(dir).args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success(), "{args:?} succeeded: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
    for part in expected {
        assert!(stderr.contains(part), "{args:?}: {part:?} not in: {stderr}");
    }
    assert_eq!(read_tree(root), before, "{args:?} wrote something");
}

fn accepted(dir: &Path, args: &[&str]) {
    let output = tspawn(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stderr}");
}

#[test]
fn two_endpoints_in_one_second_get_distinct_migration_versions() {
    let (_dir, root) = new_app("sqlite");
    accepted(&root, &["websocket", "chat"]);
    accepted(&root, &["websocket", "room"]);
    assert_eq!(
        migrations(&root),
        [
            "20261127120000_create_chat_messages.sql",
            "20261127120001_create_room_messages.sql",
        ]
    );
    let before = read_tree(&root);
    for name in ["chat", "room"] {
        tspawn(&root)
            .args(["websocket", name])
            .assert()
            .success()
            .stderr(predicate::str::contains("nothing to do"));
    }
    assert_eq!(read_tree(&root), before);
}

#[test]
fn a_migration_never_takes_a_version_in_use_even_when_the_clock_is_behind() {
    let (_dir, root) = new_app("postgresql");
    // A migration of the user's own, stamped later than tspawn's clock.
    std::fs::write(
        root.join("db/migrations/20301231235959_add_users.sql"),
        "CREATE TABLE users (id BIGINT);\n",
    )
    .unwrap();
    accepted(&root, &["w", "chat"]);
    accepted(&root, &["w", "lobby"]);
    assert_eq!(
        migrations(&root),
        [
            "20301231235959_add_users.sql",
            "20310101000000_create_chat_messages.sql",
            "20310101000001_create_lobby_messages.sql",
        ]
    );
}

#[test]
fn a_name_that_would_take_over_the_home_page_is_refused() {
    let (_dir, root) = new_app("sqlite");
    for args in [
        &["websocket", "index"][..],
        &["websocket", "IndexEndpoint"],
        &["w", "index", "--bare"],
        &["--dry-run", "w", "index"],
        &["--force", "w", "index"],
    ] {
        refused(
            &root,
            &root,
            args,
            &[
                "error: endpoint name `",
                "` would make public/index.html, which is the app's home page",
                "pick another name, such as `index_chat`",
            ],
        );
    }
    accepted(&root, &["w", "index_chat"]);
}

#[test]
fn delete_never_removes_a_file_tspawn_new_wrote() {
    let (_dir, root) = new_app("sqlite");
    // An endpoint file the user made by hand makes `index` look like an endpoint.
    std::fs::write(root.join("src/endpoints/index_endpoint.rs"), "// mine\n").unwrap();
    refused(
        &root,
        &root,
        &["--force", "delete", "index"],
        &["would make public/index.html, which is the app's home page"],
    );
}

#[test]
fn table_names_fit_mysql_and_postgresql() {
    // `<name>_messages`: 9 characters more than the name.
    for (db, limit, longest) in [
        ("mysql", "MySQL/MariaDB's limit of 64 characters", 55),
        ("postgresql", "PostgreSQL's limit of 63 bytes", 54),
    ] {
        let (_dir, root) = new_app(db);
        let too_long = "a".repeat(longest + 1);
        let fits = "a".repeat(longest);
        refused(
            &root,
            &root,
            &["websocket", &too_long],
            &[
                &format!("would have {} ", longest + 10),
                limit,
                &format!("use a name of at most {longest} characters"),
            ],
        );
        accepted(&root, &["websocket", &fits]);
        // Without a table (--bare) the same name is fine.
        accepted(&root, &["websocket", &too_long, "--bare"]);
    }
    let (_dir, root) = new_app("sqlite");
    accepted(&root, &["websocket", &"a".repeat(100)]);
}

#[test]
fn a_camel_case_name_is_measured_in_snake_case() {
    let (_dir, root) = new_app("mysql");
    // 28 words of two letters: 56 characters typed, 83 in snake_case.
    let name = "Ab".repeat(28);
    refused(
        &root,
        &root,
        &["websocket", &name],
        &["at most 55 characters in snake_case"],
    );
}

#[test]
fn file_names_fit_the_file_system_with_the_staging_name() {
    let (_dir, root) = new_app("sqlite");
    // The longest file is the migration: 14-digit version, `_create_`, `_messages.sql`, and
    // `.` + `.tspawn-new` while it is staged: 47 bytes more than the name.
    for name in ["a".repeat(215), "a".repeat(209)] {
        refused(
            &root,
            &root,
            &["websocket", &name],
            &[
                "the file name of db/migrations/20261127120000_create_aaaa",
                "as tspawn stages it (`.<name>.tspawn-new`)",
                "the file system's limit of 255 bytes",
                "use a name of at most 208 characters",
            ],
        );
    }
    // 208 fits: written for real, so the file system agrees.
    accepted(&root, &["websocket", &"a".repeat(208)]);
}

#[test]
fn application_names_fit_database_names_and_folder_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // `<name>_product`: 8 more than the name.
    refused(
        root,
        root,
        &["new", &"b".repeat(56), "--db", "postgresql"],
        &[
            "database `bbbb",
            "PostgreSQL's limit of 63 bytes",
            "at most 55 characters",
        ],
    );
    refused(
        root,
        root,
        &["new", &"b".repeat(57), "--db", "mysql"],
        &[
            "MySQL/MariaDB's limit of 64 characters",
            "at most 56 characters",
        ],
    );
    accepted(root, &["new", &"b".repeat(55), "--db", "postgresql"]);
}

/// cargo names a crate's build files `lib<crate>-<16 hex>.rmeta`, and the linker writes
/// `<crate>-<16 hex>` through a temporary 11 bytes longer: a crate name over 227 bytes gives
/// an app `cargo check` or `cargo build` fails on with "File name too long".
const CRATE_RULE: &str =
    "the limit of cargo's build file names, at most 227 bytes for a crate name";

#[test]
fn application_names_fit_cargos_build_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["c".repeat(228), "c".repeat(255), "c".repeat(256)] {
        refused(
            root,
            root,
            &["new", &name],
            &[
                "crate of cccccccccccccccccccccccc.../src/",
                CRATE_RULE,
                "use a name of at most 227 characters",
            ],
        );
    }
    accepted(root, &["new", &"c".repeat(227)]);
}

#[test]
fn test_crates_fit_cargos_build_file_names() {
    let (_dir, root) = new_app("sqlite");
    // The test crate `<name>_endpoint`: 9 bytes more than the name.
    for name in ["e".repeat(219), "e".repeat(230)] {
        refused(
            &root,
            &root,
            &["websocket", "--bare", &name],
            &[
                "the test crate of tests/eeeeeeeeeeeeeeeeeeeeeeee..._endpoint.rs",
                CRATE_RULE,
                "use a name of at most 218 characters",
            ],
        );
    }
    accepted(&root, &["websocket", "--bare", &"e".repeat(218)]);
}

#[test]
fn paths_fit_the_systems_path_limit() {
    let dir = tempfile::tempdir().unwrap();
    // A folder about 4,000 bytes deep: the app's longest paths go over 4,095 bytes.
    let deep = (0..20).fold(dir.path().to_path_buf(), |p, i| {
        p.join(format!("{i:02}{}", "d".repeat(198)))
    });
    std::fs::create_dir_all(&deep).unwrap();
    refused(
        dir.path(),
        &deep,
        &["new", "chatapp"],
        &["the system's limit of 4095 bytes per path"],
    );
}

#[test]
fn a_source_date_epoch_that_is_no_stamp_is_refused_not_replaced_by_the_clock() {
    let (_dir, root) = new_app("sqlite");
    for value in ["abc", "1e9", "-1", "253402300800", "99999999999999999999"] {
        let before = read_tree(&root);
        let output = tspawn(&root)
            .env("SOURCE_DATE_EPOCH", value)
            .args(["websocket", "chat"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!output.status.success(), "{value}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{value}: {stderr}");
        assert!(
            stderr.contains(&format!("SOURCE_DATE_EPOCH is \"{value}\", not a time")),
            "{value}: {stderr}"
        );
        assert_eq!(read_tree(&root), before, "{value} wrote something");
    }
    // The last second of year 9999 still makes a 14-digit version.
    tspawn(&root)
        .env("SOURCE_DATE_EPOCH", "253402300799")
        .args(["websocket", "chat"])
        .assert()
        .success();
    assert_eq!(
        migrations(&root),
        ["99991231235959_create_chat_messages.sql"]
    );
}

#[test]
fn a_comment_naming_the_settings_table_does_not_count_as_the_settings() {
    let (_dir, root) = new_app("sqlite");
    let config = root.join("config/app.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n# see [default.chat_endpoint] notes in the wiki\n");
    std::fs::write(&config, &text).unwrap();
    let before = read_tree(&root);
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    let after = std::fs::read_to_string(&config).unwrap();
    assert!(
        after.contains("history = 30"),
        "no settings added:\n{after}"
    );
    tspawn(&root).args(["delete", "chat"]).assert().success();
    assert_eq!(read_tree(&root), before);
}

#[test]
fn a_renamed_migration_is_still_the_endpoints_own() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    let [old] = migrations(&root).try_into().unwrap();
    let dir = root.join("db/migrations");
    let renamed = "29990101000000_create_chat_messages.sql";
    std::fs::rename(dir.join(&old), dir.join(renamed)).unwrap();
    tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .success()
        .stderr(predicate::str::contains("conflict").not());
    assert_eq!(migrations(&root), [renamed]);
    tspawn(&root).args(["delete", "chat"]).assert().success();
    assert_eq!(read_tree(&root), before);
}

#[test]
fn generators_run_at_once_in_one_app_take_turns() {
    let (_dir, root) = new_app("sqlite");
    let runs: Vec<_> = (1..=4)
        .map(|i| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tspawn"));
            cmd.current_dir(&root)
                .env("SOURCE_DATE_EPOCH", common::EPOCH)
                .args(["-q", "websocket", &format!("p{i}")]);
            cmd.spawn().unwrap()
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().unwrap().success());
    }
    assert_eq!(migrations(&root).len(), 4, "{:?}", migrations(&root));
    let versions: std::collections::BTreeSet<_> = migrations(&root)
        .iter()
        .map(|m| m[..14].to_owned())
        .collect();
    assert_eq!(versions.len(), 4, "one version each");
    let mods = std::fs::read_to_string(root.join("src/endpoints/mod.rs")).unwrap();
    let routes = std::fs::read_to_string(root.join("src/routes.rs")).unwrap();
    let config = std::fs::read_to_string(root.join("config/app.toml")).unwrap();
    for i in 1..=4 {
        assert!(mods.contains(&format!("pub mod p{i}_endpoint;")), "{mods}");
        assert!(routes.contains(&format!("P{i}Endpoint")), "{routes}");
        assert!(
            config.contains(&format!("[default.p{i}_endpoint]")),
            "{config}"
        );
    }
}
