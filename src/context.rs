//! What every generator may know about the world, gathered once: the folder tspawn runs in, the
//! app around it, and the time. Tests set `SOURCE_DATE_EPOCH` (the reproducible-builds
//! convention) so timestamps in generated names are fixed.
//!
//! A context also holds an exclusive lock (`flock`) on the app's folder (or the working folder
//! outside an app) for as long as it lives, which is the whole run: reading the disk, planning
//! and writing. So two tspawn runs in one app take turns instead of both picking the same
//! migration version or overwriting each other's edits; the second says it is waiting.

use crate::error::Error;
use chrono::{DateTime, TimeZone, Utc};
use std::path::{Path, PathBuf};

pub struct Context {
    /// The working folder.
    pub cwd: PathBuf,
    /// When the generator runs; used for migration file names.
    pub now: DateTime<Utc>,
    /// The locked folder, unlocked when the context is dropped (`None` where it could not be
    /// opened: nothing can be written there either, and that fails with its own message).
    _lock: Option<std::fs::File>,
}

impl Context {
    /// The real world, with the clock fixed by `SOURCE_DATE_EPOCH` when it is set (and not
    /// empty). A value that is not a time a migration stamp can hold is an error, not the wall
    /// clock: the reproducible-builds specification asks tools to fail on a malformed value.
    pub fn from_env() -> Result<Context, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let now = match std::env::var_os("SOURCE_DATE_EPOCH") {
            Some(value) if !value.is_empty() => source_date_epoch(&value.to_string_lossy())?,
            _ => Utc::now(),
        };
        let lock = lock(&find_app_root(&cwd).unwrap_or_else(|| cwd.clone()))?;
        Ok(Context {
            cwd,
            now,
            _lock: lock,
        })
    }

    /// The root of the app tspawn runs in: the nearest folder, walking up from the working
    /// folder as cargo does, holding both a Cargo.toml and a config/app.toml.
    pub fn app_root(&self) -> Result<PathBuf, Error> {
        find_app_root(&self.cwd).ok_or_else(|| Error::NotInApp(self.cwd.clone()))
    }
}

/// Takes the exclusive lock on `dir`, waiting (and saying so) while another run holds it.
#[cfg(unix)]
fn lock(dir: &Path) -> Result<Option<std::fs::File>, Error> {
    use std::os::fd::AsRawFd;
    let Ok(file) = std::fs::File::open(dir) else {
        return Ok(None);
    };
    let flock = |operation| loop {
        // SAFETY: flock only reads the descriptor, which `file` keeps open.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    };
    match flock(libc::LOCK_EX | libc::LOCK_NB) {
        Ok(()) => Ok(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            eprintln!(
                "note: waiting for another tspawn working in {}",
                dir.display()
            );
            flock(libc::LOCK_EX).map_err(|e| Error::io(dir, e))?;
            Ok(Some(file))
        }
        // A file system without locks (some network ones): go on unlocked, as git does.
        Err(_) => Ok(None),
    }
}

#[cfg(not(unix))]
fn lock(_dir: &Path) -> Result<Option<std::fs::File>, Error> {
    Ok(None)
}

/// The last second whose `YYYYMMDDhhmmss` stamp has 14 digits: 9999-12-31T23:59:59Z.
const LAST_STAMPABLE: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH`'s value: whole seconds since 1970-01-01T00:00:00Z (`date +%s`), up to
/// [`LAST_STAMPABLE`], so every migration version made from it is a 14-digit stamp.
fn source_date_epoch(value: &str) -> Result<DateTime<Utc>, Error> {
    value
        .parse::<i64>()
        .ok()
        .filter(|secs| (0..=LAST_STAMPABLE).contains(secs))
        .and_then(|secs| Utc.timestamp_opt(secs, 0).single())
        .ok_or_else(|| Error::SourceDateEpoch(value.to_owned()))
}

/// The nearest folder at or above `start` holding a Cargo.toml and a config/app.toml.
pub fn find_app_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("config/app.toml").is_file())
        .map(Path::to_path_buf)
}
