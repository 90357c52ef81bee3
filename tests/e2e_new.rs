//! End to end: an app made by `tspawn new` builds, passes its own tests, clippy and rustfmt,
//! serves its index page on a free port and exits 0 on SIGTERM.

mod common;

use common::app::{cargo, get, RunningApp};
use common::tspawn;

#[test]
fn a_new_app_builds_serves_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["new", "chatapp"])
        .assert()
        .success();
    let app = dir.path().join("chatapp");

    cargo(&app, &["build"]);
    cargo(&app, &["test"]);
    cargo(&app, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    cargo(&app, &["fmt", "--check"]);

    let version = std::process::Command::new(common::app::apps_target_dir().join("debug/chatapp"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), "chatapp 0.1.0\n");

    let running = RunningApp::start(&app, "chatapp", &[]);
    let response = get(running.port, "/").unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("<title>chatapp</title>"), "{response}");
    let missing = get(running.port, "/no-such-page.html").unwrap();
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(
        app.join("db/dev.sqlite3").is_file(),
        "the dev database is created under db/"
    );

    assert_eq!(
        running.terminate().code(),
        Some(0),
        "SIGTERM is a clean shutdown"
    );
}
