//! The Cargo.lock `tspawn new` writes (issue 7): what cargo itself writes for the app, with the
//! versions of this workspace's Cargo.lock (the ones CI builds and tests the runtime with), for
//! every driver and for app names that cargo sorts anywhere in the lock or that a crate of the
//! lock also has. One lock serves every driver and every runtime feature (issue 8: generators
//! turn on `chrono`, `decimal`, `uuid`, `json`), since the vendored runtime is a member of the
//! app's workspace. cargo runs offline: everything it needs is in the workspace's build already.

mod common;

use common::app::cargo;
use common::tspawn;
use std::path::{Path, PathBuf};
use std::process::Command;

const DRIVERS: [&str; 3] = ["sqlite", "postgresql", "mysql"];

/// The commands that rewrite templates/lock/app.lock from the workspace's Cargo.lock, then
/// the app tree snapshot, which lists the lock's packages.
const REFRESH: &str = "TSPAWN_UPDATE_LOCKS=1 cargo test --test app_lock, then \
                       INSTA_UPDATE=always cargo test --test new";

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

/// The platform rustc builds for (`x86_64-unknown-linux-gnu`).
fn host() -> String {
    let output = Command::new("rustc").arg("-vV").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_owned()
}

/// Runs `cargo metadata --offline` in the app, which resolves its dependencies and rewrites its
/// Cargo.lock when what it would write differs in any byte; returns the lock afterwards. The
/// lock covers every platform either way; `--filter-platform` only spares cargo reading the
/// packages of other platforms (windows-sys, ...), which this machine never downloaded.
fn lock_after_cargo(app: &Path) -> String {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--format-version", "1"])
        .args(["--filter-platform", &host()])
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

/// templates/lock/app.lock is what cargo makes of the workspace's Cargo.lock for a new app named
/// `app`, whatever its driver: cargo keeps the versions it finds there and drops what the app
/// does not use. When the runtime's or the app's dependencies change, this fails with the
/// command that refreshes the stored lock.
#[test]
fn the_stored_lock_is_the_workspace_lock_trimmed_for_every_driver() {
    let workspace = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let workspace_packages = registry_packages(&workspace);
    let stored_path = root().join("templates/lock/app.lock");
    let update = std::env::var_os("TSPAWN_UPDATE_LOCKS").is_some();
    let mut trimmed_by_driver = Vec::new();
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
        trimmed_by_driver.push((driver, trimmed));
    }
    let (_, sqlite) = &trimmed_by_driver[0];
    for (driver, trimmed) in &trimmed_by_driver {
        assert!(
            trimmed == sqlite,
            "cargo makes another lock for a {driver} app than for an sqlite one: the vendored \
             runtime is no longer a member of the app's workspace (templates/new/Cargo.toml.jinja)"
        );
    }
    for name in [
        "sqlx-sqlite",
        "sqlx-postgres",
        "sqlx-mysql",
        "chrono",
        "rust_decimal",
        "askama",
        "validator",
    ] {
        assert!(
            sqlite.contains(&format!("\nname = \"{name}\"\n")),
            "no {name}"
        );
    }
    if update {
        std::fs::write(&stored_path, sqlite).unwrap();
        eprintln!("wrote {}", stored_path.display());
        return;
    }
    let stored = std::fs::read_to_string(&stored_path).unwrap();
    assert!(
        &stored == sqlite,
        "{} is not what cargo makes of the workspace's Cargo.lock for a new app (the runtime's, \
         the app's or the workspace's dependencies changed); refresh it with: {REFRESH}",
        stored_path.display()
    );
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

/// The value of a list key of `cargo metadata`'s JSON (`"key":[...]`), as written.
fn json_list<'a>(json: &'a str, key: &str) -> &'a str {
    let start = json.find(&format!("\"{key}\":[")).expect(key) + key.len() + 3;
    &json[start..start + json[start..].find(']').unwrap()]
}

/// The runtime is a member of the app's workspace but not a default one: `cargo build`, `test`
/// and `clippy` in the app build and check the app alone (its tests, not the runtime's), while
/// `cargo fmt --check` covers both (tests/e2e_new.rs runs it, so the vendored copy must be
/// rustfmt-clean). The copy is src/ and Cargo.toml only, and its manifest names no build
/// script, tests, benches or examples that the copy lacks.
#[test]
fn the_runtime_is_a_member_but_commands_default_to_the_app() {
    let (_dir, app) = new_app("chatapp", "sqlite");
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&app)
        .output()
        .unwrap();
    assert!(output.status.success());
    let json = String::from_utf8(output.stdout).unwrap();
    let members = json_list(&json, "workspace_members");
    assert!(members.contains("/vendor/tspawn-runtime#"), "{members}");
    let defaults = json_list(&json, "workspace_default_members");
    assert!(
        defaults.ends_with("/chatapp#0.1.0\"") && !defaults.contains(','),
        "{defaults}"
    );
    let vendored = app.join("vendor/tspawn-runtime");
    let mut entries: Vec<String> = std::fs::read_dir(&vendored)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    assert_eq!(entries, ["Cargo.toml", "src"]);
    let manifest = std::fs::read_to_string(vendored.join("Cargo.toml")).unwrap();
    for table in ["build =", "[[test]]", "[[bench]]", "[[example]]", "[[bin]]"] {
        assert!(
            !manifest.contains(table),
            "the runtime's manifest has {table}"
        );
    }
}

/// Rust that needs every column-type feature: the re-exported crates, and sqlx decoding their
/// types from the driver's row (sqlx has no Decimal for SQLite, so there it is only named).
fn column_types_module(driver: &str) -> String {
    let price = if driver == "sqlite" {
        "Decimal::ZERO"
    } else {
        "row.try_get(\"price\")?"
    };
    format!(
        "\n/// Every column type a generator may use.\n\
         pub mod column_types {{\n\
         use tspawn_runtime::chrono::{{DateTime, Utc}};\n\
         use tspawn_runtime::db::Row;\n\
         use tspawn_runtime::rust_decimal::Decimal;\n\
         use tspawn_runtime::serde_json::Value;\n\
         use tspawn_runtime::sqlx::{{self, FromRow, Row as _}};\n\
         use tspawn_runtime::uuid::Uuid;\n\
         \n\
         /// One of each.\n\
         pub struct Typed {{\n\
         pub at: DateTime<Utc>,\n\
         pub price: Decimal,\n\
         pub key: Uuid,\n\
         pub data: Value,\n\
         }}\n\
         \n\
         impl<'r> FromRow<'r, Row> for Typed {{\n\
         fn from_row(row: &'r Row) -> sqlx::Result<Self> {{\n\
         Ok(Typed {{\n\
         at: row.try_get(\"at\")?,\n\
         price: {price},\n\
         key: row.try_get(\"key\")?,\n\
         data: row.try_get(\"data\")?,\n\
         }})\n\
         }}\n\
         }}\n\
         }}\n"
    )
}

/// Rust that needs the `views` and `validation` features: an askama view read from
/// `views/` (askama.toml) and a validator form, both derived through the runtime's re-exports.
const VIEWS_AND_FORMS: &str = "\n/// A view and a form, as controllers and validators write them.\n\
pub mod views_and_forms {\n\
use tspawn_runtime::askama::Template;\n\
use tspawn_runtime::validator::Validate;\n\
\n\
/// A page.\n\
#[derive(Template)]\n\
#[template(path = \"home/index.html\", askama = tspawn_runtime::askama)]\n\
pub struct IndexView {\n\
pub title: String,\n\
}\n\
\n\
/// A form.\n\
#[derive(Validate)]\n\
#[validate(crate = \"tspawn_runtime::validator\")]\n\
pub struct BlogForm {\n\
#[validate(custom(function = \"tspawn_runtime::validation::required\", message = \"title is required\"))]\n\
pub title: String,\n\
}\n\
}\n";

/// Turning on the runtime's column-type features, as `tspawn model` does for a table with
/// timestamps, decimals, UUIDs or JSON, and `views` and `validation`, as `tspawn controller`
/// and `tspawn validator` do, keeps `cargo check --locked` working with the lock
/// `tspawn new` wrote (without the member trick cargo would have to add chrono and the rest to
/// it), and the re-exported crates and sqlx's support for them are there, on every driver.
#[test]
fn column_type_features_build_with_the_lock_new_wrote() {
    for driver in DRIVERS {
        let (_dir, app) = common::new_app_named("typed_app", driver);
        let manifest_path = app.join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest_path).unwrap();
        let feature = if driver == "postgresql" {
            "postgres"
        } else {
            driver
        };
        let plain = format!("features = [\"{feature}\"]");
        let typed = format!(
            "features = [\"{feature}\", \"chrono\", \"decimal\", \"uuid\", \"json\", \"views\", \
             \"validation\"]"
        );
        assert!(manifest.contains(&plain), "{driver}: {manifest}");
        std::fs::write(&manifest_path, manifest.replace(&plain, &typed)).unwrap();
        let lib = app.join("src/lib.rs");
        let mut source = std::fs::read_to_string(&lib).unwrap();
        source.push_str(&column_types_module(driver));
        source.push_str(VIEWS_AND_FORMS);
        std::fs::write(&lib, source).unwrap();
        std::fs::write(app.join("askama.toml"), "[general]\ndirs = [\"views\"]\n").unwrap();
        std::fs::create_dir_all(app.join("views/home")).unwrap();
        std::fs::write(app.join("views/home/index.html"), "<h1>{{ title }}</h1>\n").unwrap();
        let lock = std::fs::read_to_string(app.join("Cargo.lock")).unwrap();

        cargo(&app, &["check"]);
        let after = std::fs::read_to_string(app.join("Cargo.lock")).unwrap();
        assert!(after == lock, "{driver}: cargo check changed the lock");
    }
}
