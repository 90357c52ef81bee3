//! End to end: a generated app checked out with CRLF line endings (every text file, as git's
//! `core.autocrlf` does on Windows) still builds, passes its own tests (which start it, read
//! config/app.toml, run db/migrations and serve public/) and starts (issue 6, item 5).

mod common;

use common::app::{cargo, get, RunningApp};
use common::{chat_app, read_tree};

#[test]
fn a_chat_app_checked_out_with_crlf_builds_tests_and_starts() {
    let (_dir, root) = chat_app("sqlite");
    let mut converted = 0;
    for (path, text) in read_tree(&root) {
        if !path.ends_with('/') && text.contains('\n') {
            let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
            std::fs::write(root.join(&path), crlf).unwrap();
            converted += 1;
        }
    }
    assert!(converted > 20, "only {converted} text files");

    cargo(&root, &["build"]);
    cargo(&root, &["test"]);
    let running = RunningApp::start(&root, "chatapp", &[]);
    let page = get(running.port, "/chat.html").unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert_eq!(running.terminate().code(), Some(0));
}
