//! Naming migrations in an app's db/migrations the way sqlx reads them
//! (`<VERSION>_<description>.sql`, the version a 64-bit integer, applied in version order).
//! Versions must be unique: two files with one version make sqlx's migration table refuse the
//! second one, and every later start fails. So a new migration gets the clock's stamp
//! (`YYYYMMDDhhmmss`, fixed by `SOURCE_DATE_EPOCH` in tests), or the next version after the
//! highest one in use when the clock is not later (two generators in the same second, or two
//! migrations in one plan). A migration that already exists keeps its name, so generating
//! again changes nothing. Versions in use are read with sqlx's rule (the text before the first
//! `_`, parsed as an `i64`, so `+5_a.sql` is version 5), from every file name, UTF-8 or not.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use std::collections::BTreeSet;
use std::path::Path;

const STAMP: &str = "%Y%m%d%H%M%S";

/// The migrations of one app: those on disk and those named during this run.
#[derive(Debug, Default)]
pub struct Migrations {
    /// File names, sorted.
    names: BTreeSet<String>,
    /// Versions in use.
    versions: BTreeSet<i64>,
}

impl Migrations {
    /// The migrations in `dir`; none when it does not exist or cannot be listed (applying the
    /// plan then reports the folder).
    pub fn read(dir: &Path) -> Migrations {
        let mut migrations = Migrations::default();
        let names = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()));
        for name in names {
            migrations.add(name);
        }
        migrations
    }

    /// The file name of the migration called `description` (`create_chat_messages`): the
    /// existing one if there is one, else a new name with a version not yet in use.
    pub fn name(&mut self, description: &str, now: DateTime<Utc>) -> String {
        let suffix = format!("_{description}.sql");
        let is_it = |n: &&String| n.strip_suffix(&suffix).is_some_and(all_digits);
        if let Some(existing) = self.names.iter().find(is_it) {
            return existing.clone();
        }
        let name = format!("{}{suffix}", self.next_version(now));
        self.add(name.clone());
        name
    }

    fn add(&mut self, name: String) {
        if let Some(v) = version(&name) {
            self.versions.insert(v);
        }
        self.names.insert(name);
    }

    /// The clock's stamp if it is later than every version in use, else the next version
    /// after the highest: one second later when that is a stamp, else one more. When the
    /// highest is `i64::MAX` nothing is later: the first free version from the stamp on.
    fn next_version(&self, now: DateTime<Utc>) -> i64 {
        let stamp: i64 = now
            .format(STAMP)
            .to_string()
            .parse()
            .expect("a stamp is digits");
        match self.versions.last() {
            Some(&last) if last >= stamp => {
                let as_time = NaiveDateTime::parse_from_str(&last.to_string(), STAMP).ok();
                as_time
                    .and_then(|t| t.checked_add_signed(TimeDelta::seconds(1)))
                    .and_then(|t| t.format(STAMP).to_string().parse().ok())
                    .or_else(|| last.checked_add(1))
                    .unwrap_or_else(|| (stamp..).find(|v| !self.versions.contains(v)).unwrap())
            }
            _ => stamp,
        }
    }
}

/// The version of a migration file `<VERSION>_<description>.sql` (`.up.sql` and `.down.sql`
/// included), as sqlx (and the runtime) parse it: `str::parse::<i64>`, sign included.
fn version(name: &str) -> Option<i64> {
    let (version, _) = name.strip_suffix(".sql")?.split_once('_')?;
    version.parse().ok()
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    fn with(names: &[&str]) -> Migrations {
        let mut m = Migrations::default();
        names.iter().for_each(|n| m.add((*n).to_owned()));
        m
    }

    #[test]
    fn the_clock_when_it_is_later_else_the_next_version() {
        let now = at(1_795_780_800); // 2026-11-27T12:00:00Z
        let mut m = with(&[".gitkeep"]);
        assert_eq!(m.name("create_a", now), "20261127120000_create_a.sql");
        assert_eq!(m.name("create_b", now), "20261127120001_create_b.sql");
        assert_eq!(m.name("create_a", now), "20261127120000_create_a.sql");
        let mut m = with(&["20261127120059_x.sql"]);
        assert_eq!(
            m.name("y", now),
            "20261127120100_y.sql",
            "a stamp stays a stamp"
        );
        let mut m = with(&["99999999999999999_x.sql"]);
        assert_eq!(m.name("y", now), "100000000000000000_y.sql");
        let mut m = with(&["0001_init.sql"]);
        assert_eq!(m.name("y", now), "20261127120000_y.sql");
    }

    #[test]
    fn no_version_overflows() {
        let now = at(1_795_780_800);
        let mut m = with(&["9223372036854775807_x.sql", "20261127120000_y.sql"]);
        assert_eq!(m.name("z", now), "20261127120001_z.sql");
    }

    #[cfg(unix)]
    #[test]
    fn every_name_sqlx_counts_is_in_use() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let odd: [&[u8]; 2] = [b"+20261127120000_a.sql", b"20261127120001_\xff.sql"];
        for name in odd {
            let name = std::ffi::OsStr::from_bytes(name);
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let mut m = Migrations::read(dir.path());
        assert_eq!(m.name("b", at(1_795_780_800)), "20261127120002_b.sql");
    }

    #[test]
    fn versions_are_read_as_sqlx_does() {
        assert_eq!(version("0001_init.sql"), Some(1));
        assert_eq!(version("0001_init.up.sql"), Some(1));
        assert_eq!(version("init.sql"), None);
        assert_eq!(version("1a_init.sql"), None);
        assert_eq!(version("+7_init.sql"), Some(7));
        assert_eq!(version("_init.sql"), None);
        assert_eq!(version(".gitkeep"), None);
    }
}
