//! End to end: an app made by `tspawn new` builds, passes its own tests, clippy and rustfmt,
//! serves its index page on a free port and exits 0 on SIGTERM; its console says what a
//! newcomer needs (the URL, requests, no SQL statements, a port in use).

mod common;

use common::app::{apps_target_dir, cargo, free_port, get, RunningApp};
use common::tspawn;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

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
        missing.ends_with("\r\n\r\n404 Not Found: /no-such-page.html\n"),
        "a small body: {missing}"
    );
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

/// The dev console of a new app, as `cargo run` shows it: the listening line on its own with
/// a URL, one line per request, no SQL statement, what the missing secret_key means; and a
/// second start on the same port says how to pick another in one line.
#[test]
fn the_dev_console_shows_the_url_and_requests_and_a_taken_port_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", "chatapp"])
        .assert()
        .success();
    let app = dir.path().join("chatapp");
    cargo(&app, &["build"]);
    let binary = apps_target_dir().join("debug/chatapp");
    let port = free_port().to_string();
    let mut child = Command::new(&binary)
        .args(["-p", &port])
        .current_dir(&app)
        .env_remove("RUST_LOG")
        .env_remove("TSPAWN_ENV")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = read_lines(child.stdout.take().unwrap());
    let mut console = until(&lines, |line| line.starts_with("listening on"));
    assert_eq!(
        console.last().unwrap(),
        &format!("listening on http://127.0.0.1:{port}/ (env dev; Ctrl-C stops)")
    );
    let page = get(port.parse().unwrap(), "/").unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    console.extend(until(&lines, |line| line.contains("status=200")));
    let request = console.last().unwrap();
    assert!(
        request.contains(" INFO ") && request.contains("uri=/"),
        "{request}"
    );
    let text = console.join("\n");
    assert!(
        text.contains("no secret_key in [dev]")
            && text.contains("sessions end when the app restarts"),
        "{text}"
    );
    assert!(
        !text.contains("sqlx"),
        "no SQL statements at the default level:\n{text}"
    );

    let second = Command::new(&binary)
        .args(["-p", &port])
        .current_dir(&app)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    let other = port.parse::<u16>().unwrap() + 1;
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: "))
            && stderr.ends_with(&format!(
                "another program has port {port}: pick another with -p PORT \
                 (cargo run -- -p {other}) or TSPAWN_PORT={other}\n"
            )),
        "{stderr}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The lines of `stdout`, read on a thread of their own.
fn read_lines(stdout: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    receive
}

/// The lines up to and including the first one `found` accepts (60 s at most).
fn until(lines: &Receiver<String>, found: impl Fn(&str) -> bool) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                let done = found(&line);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(error) => panic!("{error} after:\n{}", seen.join("\n")),
        }
    }
}
