//! End to end: an app made by `tspawn new` builds, passes its own tests, clippy and rustfmt,
//! serves its index page on a free port and exits 0 on SIGTERM. Apps share one target folder
//! (target/apps, or $TSPAWN_APPS_TARGET_DIR) so their dependencies compile once.

mod common;

use common::tspawn;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn apps_target_dir() -> PathBuf {
    std::env::var_os("TSPAWN_APPS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/apps"))
}

fn cargo(app: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(app)
        .env("CARGO_TARGET_DIR", apps_target_dir())
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "cargo {args:?} failed in the generated app"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET; returns the whole response (status line, headers, body).
fn get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn wait_for_server(child: &mut Child, port: u16) -> String {
    let start = Instant::now();
    loop {
        if let Ok(response) = get(port, "/") {
            return response;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the app exited before serving: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the app did not answer in 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the app did not stop within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

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

    let port = free_port();
    let mut child = Command::new(apps_target_dir().join("debug/chatapp"))
        .args(["-p", &port.to_string()])
        .current_dir(&app)
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    let response = wait_for_server(&mut child, port);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("<title>chatapp</title>"), "{response}");
    let missing = get(port, "/no-such-page.html").unwrap();
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(
        app.join("db/dev.sqlite3").is_file(),
        "the dev database is created under db/"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_for_exit(&mut child, Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean shutdown");
}
