//! End to end: an app whose db/migrations holds two files with one version (copied by hand, or
//! made by two generators in the same second before tspawn picked free versions) refuses to
//! start with one line naming both files, exits non-zero and leaves the database alone; renamed
//! as the line says, it starts.

mod common;

use std::process::Command;

use common::app::{apps_target_dir, cargo, free_port, get, RunningApp};
use common::tspawn;

const CHAT: &str = "20260101000000_create_chat_messages.sql";
const ROOM: &str = "20260101000000_create_room_messages.sql";

#[test]
fn duplicate_migration_versions_stop_the_start_before_the_database_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", "twoapp"])
        .assert()
        .success();
    let app = dir.path().join("twoapp");
    let migrations = app.join("db/migrations");
    for (file, table) in [(CHAT, "chat_messages"), (ROOM, "room_messages")] {
        let sql = format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY);\n");
        std::fs::write(migrations.join(file), sql).unwrap();
    }
    cargo(&app, &["build"]);

    // A free port: the app listens before it reads its migrations, and another app on the
    // default port would stop it there instead.
    let out = Command::new(apps_target_dir().join("debug/twoapp"))
        .args(["-p", &free_port().to_string()])
        .current_dir(&app)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exit status {}", out.status);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "one error line: {stderr}");
    let renamed = "20260101000001_create_room_messages.sql";
    for part in [CHAT, ROOM, "rename one with a later version", renamed] {
        assert!(lines[0].contains(part), "{part:?} in: {stderr}");
    }
    assert!(
        !app.join("db/dev.sqlite3").exists(),
        "the database was created"
    );

    std::fs::rename(migrations.join(ROOM), migrations.join(renamed)).unwrap();
    let running = RunningApp::start(&app, "twoapp", &[]);
    assert!(get(running.port, "/").unwrap().starts_with("HTTP/1.1 200"));
    assert!(running.terminate().success());
}
