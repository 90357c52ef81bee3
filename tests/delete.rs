//! `tspawn delete NAME`: generate then delete gives back the original tree; files changed
//! since generation are kept unless forced; edited injections stop it with a clear message
//! (more in tests/delete_edited.rs).

mod common;

use common::{chat_app, new_app, read_tree, tspawn};
use predicates::prelude::*;

#[test]
fn generate_then_delete_gives_back_the_original_tree() {
    let (_dir, root) = new_app("sqlite");
    let original = read_tree(&root);
    for args in [
        &["websocket", "chat"][..],
        &["w", "lobby", "--bare"],
        &["w", "chat_room_notifications_feed"],
    ] {
        tspawn(&root).args(args).assert().success();
    }
    tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "removed  src/endpoints/chat_endpoint.rs",
        ))
        .stderr(predicate::str::contains(
            "removed  db/migrations/20261127120000_create_chat_messages.sql",
        ))
        .stderr(predicate::str::contains("updated  src/routes.rs"));
    tspawn(&root).args(["d", "lobby"]).assert().success();
    tspawn(&root)
        .args(["d", "ChatRoomNotificationsFeedEndpoint"])
        .assert()
        .success();
    let after = read_tree(&root);
    let changed: Vec<&String> = original
        .keys()
        .chain(after.keys())
        .filter(|k| original.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "differs from the original: {changed:?}");
}

#[test]
fn changed_files_are_kept_unless_forced() {
    let (_dir, root) = chat_app("sqlite");
    let page = root.join("public/chat.html");
    std::fs::write(&page, "my own page\n").unwrap();
    let before = read_tree(&root);
    tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("conflict  public/chat.html"));
    assert_eq!(read_tree(&root), before, "a refused delete changes nothing");

    tspawn(&root)
        .args(["delete", "chat", "--skip"])
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped  public/chat.html"))
        .stderr(predicate::str::contains(
            "removed  src/endpoints/chat_endpoint.rs",
        ));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "my own page\n");
}

#[test]
fn forced_delete_removes_changed_files_too() {
    let (_dir, root) = chat_app("sqlite");
    std::fs::write(root.join("public/chat.html"), "my own page\n").unwrap();
    tspawn(&root)
        .args(["delete", "chat", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains("removed  public/chat.html"));
    assert!(!root.join("public/chat.html").exists());
}

#[test]
fn edited_settings_stop_the_delete_with_what_to_remove() {
    let (_dir, root) = chat_app("sqlite");
    let config = std::fs::read_to_string(root.join("config/app.toml")).unwrap();
    std::fs::write(
        root.join("config/app.toml"),
        config.replace("history = 30", "history = 5"),
    )
    .unwrap();
    let before = read_tree(&root);
    let edited = read_tree(&root)["config/app.toml"].clone();
    let line = edited
        .lines()
        .position(|l| l.starts_with("history = 5"))
        .unwrap()
        + 1;
    tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "config/app.toml line {line} (`history = 5              # messages a newcomer \
             receives`) is an edit to the lines tspawn added there"
        )));
    assert_eq!(read_tree(&root), before);

    // --force keeps the settings whole (a line taken out of them would change the table the
    // rest belongs to) and deletes the rest.
    tspawn(&root)
        .args(["delete", "chat", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "note: config/app.toml line {line} (`history = 5"
        )));
    assert_eq!(read_tree(&root)["config/app.toml"], edited);
    assert!(!root.join("src/endpoints/chat_endpoint.rs").exists());
}

#[test]
fn deleting_what_is_not_there_fails() {
    let (_dir, root) = new_app("sqlite");
    let before = read_tree(&root);
    tspawn(&root)
        .args(["delete", "chat"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nothing called `chat` to delete"));
    assert_eq!(read_tree(&root), before);
}
