//! `tspawn new APP [--db sqlite|postgresql|mysql]`: a new app folder laid out like TreeFrog's in
//! Rust terms (templates/new), with the runtime's sources copied to vendor/tspawn-runtime so the
//! app builds with only crates.io reachable. The folder is made in one transaction: if anything
//! fails, no part of it is left behind.

use super::Generated;
use crate::cli::Database;
use crate::context::Context;
use crate::error::Error;
use crate::names::{Name, NameKind};
use crate::plan::Plan;
use crate::templates;
use include_dir::{include_dir, Dir};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static RUNTIME_SRC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/runtime/src");
static RUNTIME_MANIFEST: &str = include_str!("../../runtime/Cargo.toml");

/// Where the runtime's copy goes inside the app.
const VENDOR: &str = "vendor/tspawn-runtime";

/// What the `new` templates see.
#[derive(Serialize)]
struct NewTemplate {
    app: String,
    crate_name: String,
    db: &'static str,
    feature: &'static str,
    database_urls: DatabaseUrls,
    tspawn_version: &'static str,
}

#[derive(Serialize)]
struct DatabaseUrls {
    dev: String,
    test: String,
    product: String,
}

pub fn generate(ctx: &Context, name: &str, db: Database) -> Result<Generated, Error> {
    let name = Name::parse(NameKind::Application, name)?;
    let app = PathBuf::from(name.as_str());
    let context = NewTemplate {
        app: name.to_string(),
        crate_name: name.snake(),
        db: db_label(db),
        feature: runtime_feature(db),
        database_urls: database_urls(db, &name.snake()),
        tspawn_version: env!("CARGO_PKG_VERSION"),
    };

    // Paths map to contents (None for a folder); a BTreeMap of paths sorts parents first.
    let mut tree: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    for file in templates::folder("new") {
        tree.insert(app.join(&file.path), Some(file.render(&context)?));
    }
    let vendor = app.join(VENDOR);
    tree.insert(vendor.join("Cargo.toml"), Some(RUNTIME_MANIFEST.to_owned()));
    for (path, contents) in runtime_sources(&RUNTIME_SRC) {
        tree.insert(vendor.join("src").join(path), Some(contents));
    }
    let folders: Vec<PathBuf> = tree.keys().flat_map(|p| ancestors(p)).collect();
    for folder in folders {
        tree.insert(folder, None);
    }

    let mut plan = Plan::default();
    for (path, contents) in tree {
        match contents {
            None => plan.dir(path),
            Some(contents) => plan.file(path, contents),
        }
    }
    Ok(Generated {
        base: ctx.cwd.clone(),
        plan,
        next_steps: Some(format!(
            "next: cd {name} && cargo run, then open http://localhost:8800/"
        )),
    })
}

/// Every folder above a relative path, up to and including its first component.
fn ancestors(path: &Path) -> Vec<PathBuf> {
    path.ancestors()
        .skip(1)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .collect()
}

fn runtime_sources(dir: &'static Dir<'static>) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = dir
        .files()
        .map(|f| {
            let text = f.contents_utf8().expect("runtime sources are UTF-8");
            (f.path().to_path_buf(), text.to_owned())
        })
        .collect();
    for sub in dir.dirs() {
        files.extend(runtime_sources(sub));
    }
    files
}

fn db_label(db: Database) -> &'static str {
    match db {
        Database::Sqlite => "SQLite",
        Database::Postgresql => "PostgreSQL",
        Database::Mysql => "MySQL",
    }
}

/// The runtime's Cargo feature (and sqlx driver) for a database.
fn runtime_feature(db: Database) -> &'static str {
    match db {
        Database::Sqlite => "sqlite",
        Database::Postgresql => "postgres",
        Database::Mysql => "mysql",
    }
}

fn database_urls(db: Database, crate_name: &str) -> DatabaseUrls {
    let url = |env: &str| match db {
        Database::Sqlite => format!("sqlite:db/{env}.sqlite3"),
        Database::Postgresql => format!("postgres://postgres@localhost/{crate_name}_{env}"),
        Database::Mysql => format!("mysql://root@localhost/{crate_name}_{env}"),
    };
    DatabaseUrls {
        dev: url("dev"),
        test: url("test"),
        product: url("product"),
    }
}
