//! The app a generator runs in: where it is, what its crate is called, which database driver
//! it was made for (read from its Cargo.toml), and its migrations.

use crate::context::Context;
use crate::driver::Driver;
use crate::error::Error;
use crate::migrations::Migrations;
use std::path::PathBuf;

pub struct App {
    pub root: PathBuf,
    /// The Rust name of the app's library crate (`chat_app` for package `chat-app`).
    pub crate_name: String,
    /// The driver the app is built with: the runtime feature its Cargo.toml enables
    /// (SQLite when it names none).
    pub driver: Driver,
}

impl App {
    /// The app around the working folder.
    pub fn find(ctx: &Context) -> Result<App, Error> {
        let root = ctx.app_root()?;
        let manifest_path = root.join("Cargo.toml");
        let manifest =
            std::fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        let bad = |what: &str| Error::Template(format!("{}: {what}", manifest_path.display()));
        let manifest: toml::Table = manifest.parse().map_err(|e| bad(&format!("{e}")))?;
        let package = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .ok_or_else(|| bad("no [package] name"))?;
        let features = manifest
            .get("dependencies")
            .and_then(|d| d.get("tspawn-runtime"))
            .and_then(|r| r.get("features"))
            .and_then(|f| f.as_array());
        let has = |d: &str| features.is_some_and(|f| f.iter().any(|v| v.as_str() == Some(d)));
        let driver = Driver::ALL
            .into_iter()
            .find(|d| has(d.feature()))
            .unwrap_or(Driver::Sqlite);
        Ok(App {
            root,
            crate_name: package.replace('-', "_"),
            driver,
        })
    }

    /// The app's db/migrations, to name new migrations in (see [`Migrations::name`]).
    pub fn migrations(&self) -> Migrations {
        Migrations::read(&self.root.join("db/migrations"))
    }
}
