//! What every generator may know about the world, gathered once: the folder tspawn runs in, the
//! app around it, and the time. Tests set `SOURCE_DATE_EPOCH` (the reproducible-builds
//! convention) so timestamps in generated names are fixed.

use crate::error::Error;
use chrono::{DateTime, TimeZone, Utc};
use std::path::{Path, PathBuf};

pub struct Context {
    /// The working folder.
    pub cwd: PathBuf,
    /// When the generator runs; used for migration file names.
    pub now: DateTime<Utc>,
}

impl Context {
    /// The real world, with the clock fixed by `SOURCE_DATE_EPOCH` when it is set.
    pub fn from_env() -> Result<Context, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let now = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|secs| Utc.timestamp_opt(secs, 0).single())
            .unwrap_or_else(Utc::now);
        Ok(Context { cwd, now })
    }

    /// The root of the app tspawn runs in: the nearest folder, walking up from the working
    /// folder as cargo does, holding both a Cargo.toml and a config/app.toml.
    pub fn app_root(&self) -> Result<PathBuf, Error> {
        find_app_root(&self.cwd).ok_or_else(|| Error::NotInApp(self.cwd.clone()))
    }
}

pub fn find_app_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("config/app.toml").is_file())
        .map(Path::to_path_buf)
}
