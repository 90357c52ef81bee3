//! `tspawn new APP [--db sqlite|postgresql|mysql]`: a new app folder laid out like TreeFrog's in
//! Rust terms (templates/new), with the runtime's sources copied to vendor/tspawn-runtime so the
//! app builds with only crates.io reachable, and a Cargo.lock with the versions this release was
//! tested with (new/lock.rs). The folder is made in one transaction: if anything fails, no part
//! of it is left behind.

use super::{Claims, Generated, Identifier};
use crate::context::{find_app_root, Context};
use crate::driver::Driver;
use crate::error::{Error, Found};
use crate::names::Name;
use crate::plan::Plan;
use crate::templates;
use include_dir::{include_dir, Dir};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod lock;

static RUNTIME_SRC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/runtime/src");
static RUNTIME_MANIFEST: &str = include_str!("../../runtime/Cargo.toml");

/// Where the runtime's copy goes inside the app.
const VENDOR: &str = "vendor/tspawn-runtime";

/// The app's lock file, written from the stored lock (one for every driver).
const LOCK: &str = "Cargo.lock";

/// The environments an app has a database for.
const ENVIRONMENTS: [&str; 3] = ["dev", "test", "product"];

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

/// The plan for a new app folder named `name` in the working folder. Refused inside an app
/// ([`Error::InsideApp`]), and with [`Error::AlreadyExists`] when something other than an empty
/// folder (or one holding only `.git`) is there: `new` never writes into an app (or anything
/// else) that exists, since what later generators added to it would be lost.
pub fn generate(ctx: &Context, name: &Name, driver: Driver) -> Result<Generated, Error> {
    if let Some(app) = find_app_root(&ctx.cwd) {
        return Err(Error::InsideApp {
            cwd: ctx.cwd.clone(),
            app,
        });
    }
    if let Some(found) = in_the_way(&ctx.cwd.join(name.as_str())) {
        return Err(Error::AlreadyExists {
            name: name.to_string(),
            found,
        });
    }
    let app = PathBuf::from(name.as_str());
    let crate_name = name.snake();
    let url = |env: &str| driver.database_url(&crate_name, env);
    let context = NewTemplate {
        app: name.to_string(),
        crate_name: crate_name.clone(),
        db: driver.label(),
        feature: driver.feature(),
        database_urls: DatabaseUrls {
            dev: url("dev"),
            test: url("test"),
            product: url("product"),
        },
        tspawn_version: env!("CARGO_PKG_VERSION"),
    };

    // Paths map to contents (None for a folder); a BTreeMap of paths sorts parents first.
    let mut tree: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    for file in templates::folder("new") {
        tree.insert(app.join(&file.path), Some(file.render(&context)?));
    }
    for (path, contents) in runtime_copy() {
        tree.insert(app.join(path), Some(contents));
    }
    tree.insert(app.join(LOCK), Some(lock::render(name.as_str())));
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
        note: None,
        next_steps: Some(format!(
            "next: cd {name} && cargo run, then open http://localhost:8800/"
        )),
        claims: Claims {
            name: name.clone(),
            driver,
            identifiers: ENVIRONMENTS
                .iter()
                .filter_map(|env| driver.database_name(&crate_name, env))
                .map(|name| Identifier {
                    kind: "database",
                    name,
                })
                .collect(),
            in_app: false,
            app_dir: app.clone(),
            crate_name: crate_name.clone(),
        },
    })
}

/// What is at `path`, unless it is nothing or an empty folder, or one holding only `.git`
/// (which `new` fills). A link counts as what it leads to; a dangling one as a file.
fn in_the_way(path: &Path) -> Option<Found> {
    std::fs::symlink_metadata(path).ok()?;
    if !path.is_dir() {
        return Some(Found::File);
    }
    if find_app_root(path).as_deref() == Some(path) {
        return Some(Found::App);
    }
    // A folder holding only `.git` (`git init APP` first) counts as empty; `.git` is kept.
    let entries = std::fs::read_dir(path).and_then(|entries| {
        entries
            .map(|entry| entry.map(|e| e.file_name()))
            .collect::<Result<Vec<_>, _>>()
    });
    match entries {
        Ok(names) if names.iter().all(|name| name == ".git") => None,
        _ => Some(Found::Folder),
    }
}

/// Every file `tspawn new` writes, relative to the app root: the app's own files, which no
/// other generator may take over.
pub fn app_files() -> BTreeSet<PathBuf> {
    let templated = templates::folder("new").into_iter().map(|f| f.path.into());
    let vendored = runtime_copy().into_iter().map(|(path, _)| path);
    let lock = std::iter::once(PathBuf::from(LOCK));
    templated.chain(vendored).chain(lock).collect()
}

/// What one of the app's own files is, for a refusal to take it over.
pub fn role(path: &Path) -> &'static str {
    match path.to_str() {
        Some("public/index.html") => "the app's home page",
        Some("src/routes.rs") => "the app's routes",
        Some("config/app.toml") => "the app's settings",
        _ => "one of the app's own files",
    }
}

/// The runtime's manifest and sources, at their place in the app.
fn runtime_copy() -> Vec<(PathBuf, String)> {
    let vendor = PathBuf::from(VENDOR);
    let mut files = vec![(vendor.join("Cargo.toml"), RUNTIME_MANIFEST.to_owned())];
    for (path, contents) in runtime_sources(&RUNTIME_SRC) {
        files.push((vendor.join("src").join(path), contents));
    }
    files
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_own_files_are_what_new_writes() {
        let files = app_files();
        for path in [
            "public/index.html",
            "src/routes.rs",
            "config/app.toml",
            ".gitignore",
            "Cargo.lock",
            "vendor/tspawn-runtime/Cargo.toml",
            "vendor/tspawn-runtime/src/lib.rs",
        ] {
            assert!(files.contains(Path::new(path)), "{path}");
        }
        assert_eq!(role(Path::new("public/index.html")), "the app's home page");
    }
}
