//! The Cargo.lock `tspawn new` writes (issue 7): what cargo itself writes for the app, with the
//! versions of this workspace's Cargo.lock (the ones CI builds and tests the runtime with), for
//! every driver and for app names that cargo sorts anywhere in the lock or that a crate of the
//! lock also has. cargo runs offline: everything it needs is in the workspace's build already.

mod common;

use common::tspawn;
use std::path::{Path, PathBuf};
use std::process::Command;

const DRIVERS: [&str; 3] = ["sqlite", "postgresql", "mysql"];

/// The command that rewrites templates/lock/ from the workspace's Cargo.lock.
const REFRESH: &str = "TSPAWN_UPDATE_LOCKS=1 cargo test --test app_lock";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tspawn new NAME --db DRIVER` in a fresh temporary folder: the folder and the app root.
fn new_app(name: &str, driver: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    tspawn(dir.path())
        .args(["-q", "new", name, "--db", driver])
        .assert()
        .success();
    let app = dir.path().join(name);
    (dir, app)
}

/// Runs `cargo metadata --offline` in the app, which resolves its dependencies and rewrites its
/// Cargo.lock when what it would write differs in any byte; returns the lock afterwards.
fn lock_after_cargo(app: &Path) -> String {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(app)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo metadata failed in {}: {}",
        app.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(app.join("Cargo.lock")).unwrap()
}

/// (name, version, checksum) of every crates.io package of a lock.
fn registry_packages(lock: &str) -> Vec<(String, String, String)> {
    let value = |entry: &str, key: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .map(|v| v.trim_end_matches('"').to_owned())
    };
    lock.split("\n\n")
        .filter(|entry| entry.contains("\nsource = \"registry+"))
        .map(|entry| {
            (
                value(entry, "name").unwrap(),
                value(entry, "version").unwrap(),
                value(entry, "checksum").unwrap(),
            )
        })
        .collect()
}

/// templates/lock/<driver>.lock is what cargo makes of the workspace's Cargo.lock for a new app
/// named `app`: cargo keeps the versions it finds there and drops what the app does not use.
/// When the runtime's or the app's dependencies change, this fails with the command that
/// refreshes the stored locks.
#[test]
fn the_stored_locks_are_the_workspace_lock_trimmed_for_each_driver() {
    let workspace = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let workspace_packages = registry_packages(&workspace);
    let update = std::env::var_os("TSPAWN_UPDATE_LOCKS").is_some();
    for driver in DRIVERS {
        let (_dir, app) = new_app("app", driver);
        std::fs::write(app.join("Cargo.lock"), &workspace).unwrap();
        let trimmed = lock_after_cargo(&app);

        for package in registry_packages(&trimmed) {
            assert!(
                workspace_packages.contains(&package),
                "the {driver} app's lock has {package:?}, which the workspace's Cargo.lock does \
                 not: add the dependency to runtime/Cargo.toml or pin it there, then run {REFRESH}"
            );
        }
        let stored_path = root().join(format!("templates/lock/{driver}.lock"));
        if update {
            std::fs::write(&stored_path, &trimmed).unwrap();
            eprintln!("wrote {}", stored_path.display());
            continue;
        }
        let stored = std::fs::read_to_string(&stored_path).unwrap();
        assert!(
            stored == trimmed,
            "{} is not what cargo makes of the workspace's Cargo.lock for a new {driver} app (the \
             runtime's, the app's or the workspace's dependencies changed); refresh it with: \
             {REFRESH}",
            stored_path.display()
        );
    }
}

/// The lock of a new app is byte for byte what cargo writes for it, wherever its name sorts and
/// when a crate of the lock has the same name, so cargo neither changes it nor needs to.
#[test]
fn new_writes_the_lock_cargo_writes_for_any_name_and_driver() {
    // "a" sorts first, "zz_top" last; bytes (one version) and wasite (at the app's own 0.1.0)
    // are crates of the lock; windows-sys has several versions there already.
    let names = [
        "a",
        "chatapp",
        "my-app",
        "zz_top",
        "bytes",
        "wasite",
        "windows-sys",
    ];
    for driver in DRIVERS {
        for name in names {
            let (_dir, app) = new_app(name, driver);
            let written = std::fs::read_to_string(app.join("Cargo.lock")).unwrap();
            let own = format!("\n\n[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\ndep");
            assert!(written.contains(&own), "{name} ({driver}): no own package");
            assert!(
                lock_after_cargo(&app) == written,
                "cargo rewrote the Cargo.lock tspawn wrote for {name} ({driver})"
            );
        }
    }
}

/// The lock is the same for an app with an endpoint as without one: no generator adds
/// dependencies, so `cargo build --locked` keeps working after them (tests/e2e_*.rs build with it).
#[test]
fn a_generated_endpoint_keeps_the_lock_current() {
    let (_dir, app) = new_app("chatapp", "sqlite");
    let written = std::fs::read_to_string(app.join("Cargo.lock")).unwrap();
    tspawn(&app)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    assert!(lock_after_cargo(&app) == written);
}
