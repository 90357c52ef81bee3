//! Building and running generated apps: one shared target folder (target/apps, or
//! $TSPAWN_APPS_TARGET_DIR) so dependencies compile once for every app of the suite.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub fn apps_target_dir() -> PathBuf {
    std::env::var_os("TSPAWN_APPS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/apps"))
}

/// Runs cargo in a generated app and fails the test if it fails.
pub fn cargo(app: &Path, args: &[&str]) {
    cargo_with_env(app, args, &[]);
}

/// `cargo` with extra environment variables. Commands that build get `--locked`: the app builds
/// with the Cargo.lock `tspawn new` wrote, as a user's first `cargo run` does (issue 7).
pub fn cargo_with_env(app: &Path, args: &[&str], env: &[(&str, &str)]) {
    let (command, rest) = args.split_first().expect("a cargo command");
    let builds = ["build", "check", "clippy", "run", "test"].contains(command);
    let status = Command::new(env!("CARGO"))
        .arg(command)
        .args(builds.then_some("--locked"))
        .args(rest)
        .current_dir(app)
        .env("CARGO_TARGET_DIR", apps_target_dir())
        .env_remove("RUSTFLAGS")
        .envs(env.iter().copied())
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "cargo {args:?} failed in the generated app"
    );
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET; returns the whole response (status line, headers, body).
pub fn get(port: u16, path: &str) -> std::io::Result<String> {
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

/// A generated app's binary running on a free port.
pub struct RunningApp {
    pub port: u16,
    child: Child,
}

impl RunningApp {
    /// Starts `binary` in `app` with `-p PORT` and extra environment, and waits until `/`
    /// answers.
    pub fn start(app: &Path, binary: &str, env: &[(&str, &str)]) -> RunningApp {
        let port = free_port();
        let child = Command::new(apps_target_dir().join("debug").join(binary))
            .args(["-p", &port.to_string()])
            .current_dir(app)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("the app starts");
        let mut running = RunningApp { port, child };
        let start = Instant::now();
        while get(port, "/").is_err() {
            if let Some(status) = running.child.try_wait().unwrap() {
                panic!("the app exited before serving: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the app did not answer in 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        running
    }

    /// Sends SIGTERM and returns how the process ended (killed after 15 s).
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > Duration::from_secs(15) {
                let _ = self.child.kill();
                panic!("the app did not stop within 15 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
