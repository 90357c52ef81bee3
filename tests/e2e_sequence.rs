//! End to end, issue 9's acceptance line: after each generator, one after another in the same
//! app, the app passes `cargo clippy --all-targets -- -D warnings`, `cargo fmt --check` and its
//! own generated tests. Then `tspawn delete` takes each out again, in reverse order, and the app
//! is back to the tree `tspawn new` wrote (except what delete documents it leaves: the runtime
//! features added to Cargo.toml and the folders the generators created), still clean and green.
//!
//! The sequence, on SQLite and on the real PostgreSQL and MariaDB named by
//! TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL (ignored without them, unless
//! TSPAWN_REQUIRE_SERVICES is set): TreeFrog's tutorial `blog` table in the dev database, then
//! `controller pages index about`, `scaffold blog`, `api blog`, `validator comment` (no such
//! table: the example form), `helper text`, `websocket chat` and
//! `scaffold post title:string:required body:text published:bool`.

mod common;

use common::app::cargo_with_env;
use common::server::{service_url, Server};
use common::{read_tree, tspawn};
use common::{BLOG_MYSQL, BLOG_POSTGRES, BLOG_SQLITE};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The generators, in the order they run (each is `tspawn -q ARGS`): issue 9's order
/// (controller, scaffold, api, validator, helper, websocket), then a scaffold from a field list.
const GENERATORS: &[&[&str]] = &[
    &["controller", "pages", "index", "about"],
    &["scaffold", "blog"],
    &["api", "blog"],
    &["validator", "comment"],
    &["helper", "text"],
    &["websocket", "chat"],
    &[
        "scaffold",
        "post",
        "title:string:required",
        "body:text",
        "published:bool",
    ],
];

/// What undoes them, in reverse order. `delete blog` takes the scaffold, the api, the model
/// and the validator together (everything made under `blog`).
const DELETES: &[&str] = &["post", "chat", "text", "comment", "blog", "pages"];

/// A server's dev and test databases for one app, dropped when the test ends (even when it
/// fails; best effort, never panicking).
struct Databases {
    server: Server,
    dev: String,
    test: String,
}

impl Drop for Databases {
    fn drop(&mut self) {
        for database in [&self.dev, &self.test] {
            let drop = format!("DROP DATABASE IF EXISTS {database}");
            let _ = self.server.client(None, &drop).output();
        }
    }
}

/// `tspawn -q ARGS` in `app` with `env`; fails the test unless it succeeds.
fn tspawn_ok(app: &Path, args: &[&str], env: &[(&str, &str)]) {
    let output = tspawn(app)
        .arg("-q")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "tspawn {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The acceptance check: clippy -D warnings, fmt --check and the app's own tests, the builds
/// and tests on the test database (`env`).
fn app_is_clean_and_green(app: &Path, env: &[(&str, &str)], after: &str) {
    let start = Instant::now();
    cargo_with_env(
        app,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        env,
    );
    cargo_with_env(app, &["fmt", "--check"], &[]);
    cargo_with_env(app, &["test"], env);
    eprintln!("checked after {after} in {:.0?}", start.elapsed());
}

/// The tree without the SQLite database files (db/*.sqlite3*, which the tests and tspawn's
/// schema reading create and change).
fn tree_without_databases(app: &Path) -> BTreeMap<String, String> {
    let mut tree = read_tree(app);
    tree.retain(|path, _| !(path.starts_with("db/") && path.contains(".sqlite3")));
    tree
}

/// Cargo.toml with the runtime's feature list taken out (the one difference delete leaves).
fn without_features(manifest: &str) -> String {
    manifest
        .lines()
        .map(|line| match line.find(", features = [") {
            Some(at) if line.starts_with("tspawn-runtime = ") => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whole sequence on `db` (`sqlite`, `postgresql`, `mysql`), `server` for the last two.
fn sequence_on(db: &str, server: Option<Server>) {
    let name = format!("{}seq{}", &db[..2], std::process::id());
    let (_dir, app) = common::new_app_named(&name, db);
    let original = tree_without_databases(&app);

    // The blog table in the dev database; tspawn reads it there, the tests get it from the
    // migration `tspawn scaffold blog` writes (through the model's plan).
    let databases = server.map(|server| {
        let (dev, test) = (format!("{name}_dev"), format!("{name}_test"));
        for database in [&dev, &test] {
            server.sql(&format!("DROP DATABASE IF EXISTS {database}"));
        }
        server.sql(&format!("CREATE DATABASE {dev}"));
        let blog = if server.is_mysql() {
            BLOG_MYSQL
        } else {
            BLOG_POSTGRES
        };
        server.query(&dev, blog);
        Databases { server, dev, test }
    });
    if databases.is_none() {
        let status = Command::new("sqlite3")
            .arg(app.join("db/dev.sqlite3"))
            .arg(BLOG_SQLITE)
            .status()
            .expect("the sqlite3 program runs (apt-get install sqlite3)");
        assert!(status.success(), "sqlite3: {BLOG_SQLITE}");
    }
    let url = |pick: fn(&Databases) -> &String| {
        databases
            .as_ref()
            .map(|d| ("TSPAWN_DATABASE_URL", d.server.url_of(pick(d))))
    };
    let (dev_url, test_url) = (url(|d| &d.dev), url(|d| &d.test));
    let dev: Vec<(&str, &str)> = dev_url.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let test: Vec<(&str, &str)> = test_url.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let start = Instant::now();
    for args in GENERATORS {
        tspawn_ok(&app, args, &dev);
        app_is_clean_and_green(&app, &test, &args.join(" "));
    }
    for name in DELETES {
        tspawn_ok(&app, &["delete", name], &dev);
    }

    // Back to the tree of `tspawn new`, but for Cargo.toml's features and the folders left.
    let after = tree_without_databases(&app);
    let changed: Vec<&String> = original
        .keys()
        .chain(after.keys().filter(|path| !path.ends_with('/')))
        .filter(|path| *path != "Cargo.toml" && original.get(*path) != after.get(*path))
        .collect();
    assert!(changed.is_empty(), "differs from the new app: {changed:?}");
    assert_eq!(
        without_features(&after["Cargo.toml"]),
        without_features(&original["Cargo.toml"]),
        "Cargo.toml differs by more than the runtime's features"
    );
    // The features were added (so the comparison above did strip something real), and kept.
    assert_ne!(after["Cargo.toml"], original["Cargo.toml"]);
    app_is_clean_and_green(&app, &test, "the deletes");
    eprintln!("{db}: the whole sequence took {:.0?}", start.elapsed());
}

#[test]
fn each_generator_in_turn_leaves_a_clean_app_on_sqlite() {
    sequence_on("sqlite", None);
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn each_generator_in_turn_leaves_a_clean_app_on_postgresql() {
    let url = service_url("TSPAWN_TEST_POSTGRES_URL");
    sequence_on("postgresql", Some(Server { url }));
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn each_generator_in_turn_leaves_a_clean_app_on_mariadb() {
    let url = service_url("TSPAWN_TEST_MYSQL_URL");
    sequence_on("mysql", Some(Server { url }));
}
