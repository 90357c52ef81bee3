//! `tspawn websocket NAME`: the files it writes, what it injects, idempotency, `--bare`, other
//! databases and the errors it gives (outside an app, marker missing).

mod common;

use common::{new_app, read_tree, tspawn};
use predicates::prelude::*;
use std::path::Path;

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn websocket_chat_writes_and_injects() {
    let (_dir, root) = new_app("sqlite");
    let output = tspawn(&root).args(["websocket", "chat"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    insta::assert_snapshot!("chat_output", String::from_utf8(output.stderr).unwrap());
    for path in [
        "src/endpoints/chat_endpoint.rs",
        "src/models/chat_message.rs",
        "db/migrations/20261127120000_create_chat_messages.sql",
        "public/chat.html",
        "tests/chat_endpoint.rs",
        "src/routes.rs",
        "src/endpoints/mod.rs",
        "src/models/mod.rs",
        "config/app.toml",
        "public/index.html",
    ] {
        insta::assert_snapshot!(format!("chat__{path}"), read(&root, path));
    }
}

#[test]
fn running_it_again_changes_no_byte() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    let before = read_tree(&root);
    // A later clock must not make a second migration.
    tspawn(&root)
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .args(["websocket", "ChatEndpoint"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "identical  src/endpoints/chat_endpoint.rs",
        ))
        .stderr(predicate::str::contains("nothing to do"));
    assert_eq!(read_tree(&root), before);
}

#[test]
fn generators_run_from_a_sub_folder_of_the_app() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root.join("src/models"))
        .args(["w", "lobby"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "created  src/endpoints/lobby_endpoint.rs",
        ));
    tspawn(&root).args(["w", "chat"]).assert().success();
    let routes = read(&root, "src/routes.rs");
    let chat = routes.find("\"/chat\"").unwrap();
    let lobby = routes.find("\"/lobby\"").unwrap();
    assert!(
        lobby < chat,
        "routes keep the order they were made in: {routes}"
    );
    let mods = read(&root, "src/endpoints/mod.rs");
    assert!(
        mods.contains("pub mod chat_endpoint;\npub mod lobby_endpoint;\n"),
        "mod lines sorted: {mods}"
    );
}

#[test]
fn edited_settings_and_reformatted_routes_are_recognised() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    let config = read(&root, "config/app.toml").replace("history = 30", "history = 50");
    std::fs::write(root.join("config/app.toml"), config).unwrap();
    let routes = read(&root, "src/routes.rs").replace(
        ".route(\"/chat\", endpoint::<crate::endpoints::ChatEndpoint>())",
        ".route(\n            \"/chat\",\n            endpoint::<crate::endpoints::ChatEndpoint>(),\n        )",
    );
    std::fs::write(root.join("src/routes.rs"), routes).unwrap();
    let before = read_tree(&root);
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    assert_eq!(read_tree(&root), before);
}

#[test]
fn long_names_give_rustfmt_clean_routes() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root)
        .args(["websocket", "chat_room_notifications_feed"])
        .assert()
        .success();
    let routes = read(&root, "src/routes.rs");
    assert!(
        routes.contains("\"/chat_room_notifications_feed\""),
        "{routes}"
    );
    let status = std::process::Command::new("rustfmt")
        .args(["--edition", "2021", "--check"])
        .arg(root.join("src/routes.rs"))
        .status();
    match status {
        Ok(status) => assert!(status.success(), "rustfmt --check src/routes.rs:\n{routes}"),
        Err(e) => panic!("rustfmt, part of the toolchain, did not run: {e}"),
    }
}

#[test]
fn names_with_one_camel_case_form_are_refused() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root)
        .args(["websocket", "chat_2"])
        .assert()
        .success();
    let before = read_tree(&root);
    tspawn(&root)
        .args(["websocket", "chat2"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "Chat2Endpoint would be defined twice",
        ));
    assert_eq!(read_tree(&root), before);
}

#[test]
fn bare_gives_empty_handlers_and_no_model() {
    let (_dir, root) = new_app("sqlite");
    tspawn(&root)
        .args(["websocket", "echo", "--bare"])
        .assert()
        .success();
    insta::assert_snapshot!(
        "bare_endpoint",
        read(&root, "src/endpoints/echo_endpoint.rs")
    );
    assert!(!root.join("src/models/echo_message.rs").exists());
    assert!(!read(&root, "config/app.toml").contains("echo_endpoint"));
}

#[test]
fn other_databases_get_their_sql() {
    let (_dir, root) = new_app("postgresql");
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    assert!(read(&root, "src/models/chat_message.rs").contains("VALUES ($1, $2)"));
    let migration = read(
        &root,
        "db/migrations/20261127120000_create_chat_messages.sql",
    );
    assert!(
        migration.contains("id BIGSERIAL PRIMARY KEY"),
        "{migration}"
    );

    let (_dir, root) = new_app("mysql");
    tspawn(&root).args(["websocket", "chat"]).assert().success();
    assert!(read(&root, "src/models/chat_message.rs").contains("VALUES (?, ?)"));
    let migration = read(
        &root,
        "db/migrations/20261127120000_create_chat_messages.sql",
    );
    assert!(
        migration.contains("id BIGINT AUTO_INCREMENT PRIMARY KEY"),
        "{migration}"
    );
}

#[test]
fn outside_an_app_it_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["websocket", "chat"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not inside a tspawn application"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_missing_marker_fails_with_the_snippet_and_writes_nothing() {
    let (_dir, root) = new_app("sqlite");
    let routes = read(&root, "src/routes.rs").replace("// tspawn:routes", "// routes");
    std::fs::write(root.join("src/routes.rs"), &routes).unwrap();
    let before = read_tree(&root);
    tspawn(&root)
        .args(["websocket", "chat"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "src/routes.rs has no `tspawn:routes` marker line",
        ))
        .stderr(predicate::str::contains(
            ".route(\"/chat\", endpoint::<crate::endpoints::ChatEndpoint>())",
        ));
    assert_eq!(read_tree(&root), before);
}

#[test]
fn bad_endpoint_names_are_refused() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    for name in ["endpoint", "9chat", "type", "a/b", "chat room"] {
        tspawn(&root)
            .args(["websocket", name])
            .assert()
            .failure()
            .stderr(predicate::str::starts_with("error: invalid endpoint name"));
    }
    assert_eq!(read_tree(&root), before);
}
