//! The app a generator runs in: where it is, what its crate is called, which database driver
//! it was made for (read from its Cargo.toml), and its migrations.

use crate::context::Context;
use crate::error::Error;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

pub struct App {
    pub root: PathBuf,
    /// The Rust name of the app's library crate (`chat_app` for package `chat-app`).
    pub crate_name: String,
    /// The runtime feature the app is built with: `sqlite`, `postgres` or `mysql`.
    pub driver: &'static str,
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
        let driver = ["postgres", "mysql"]
            .into_iter()
            .find(|d| has(d))
            .unwrap_or("sqlite");
        Ok(App {
            root,
            crate_name: package.replace('-', "_"),
            driver,
        })
    }

    /// The file name of the migration called `description`: the existing one if the app
    /// already has it (so generating again changes nothing), else a new one stamped `now`.
    pub fn migration_name(&self, description: &str, now: DateTime<Utc>) -> Result<String, Error> {
        let dir = self.root.join("db/migrations");
        let suffix = format!("_{description}.sql");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut existing: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(&suffix))
                .collect();
            existing.sort();
            if let Some(name) = existing.into_iter().next() {
                return Ok(name);
            }
        }
        Ok(format!("{}{suffix}", now.format("%Y%m%d%H%M%S")))
    }
}
