//! Reading `ROOT/db/migrations` into sqlx migrations the runtime can trust.
//!
//! sqlx's own folder reader ([`sqlx::migrate::Migrator::new`] on a path) has two traps for an
//! app that is copied around:
//!
//! - it checksums the file's bytes, so the same migration checked out with CRLF line endings
//!   (a Windows checkout) counts as "previously applied but has been modified", and the app
//!   refuses to start;
//! - it accepts two files with one version (two generators in the same second, a file copied
//!   by hand): the first start fails on `_sqlx_migrations`' primary key after applying one of
//!   them, and every later start reports the other as modified.
//!
//! So the runtime reads the folder itself, with sqlx's rules for file names
//! (`VERSION_description.sql`, `.up.sql` / `.down.sql`, a leading `-- no-transaction`), turns
//! CRLF into LF before sqlx checksums the text, and refuses duplicate versions before anything
//! touches the database.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

use crate::error::{Error, Result};

/// The migrations in `dir`, ready to run, with [`Migrator::set_ignore_missing`] on: a migration
/// that was applied and whose file is gone since (`tspawn delete`) is not an error.
///
/// Files whose name is not `SOMETHING_NAME.sql` are ignored, as sqlx does; a `.sql` file whose
/// prefix is not an integer is an [`Error::Migrate`]; two up (or two down) migrations with one
/// version are an [`Error::DuplicateMigration`]. The folder is read synchronously: it is a few
/// small files, read once at start.
pub(super) async fn migrator(dir: &Path) -> Result<Migrator> {
    let migrations = read(dir)?;
    let mut migrator = Migrator::new(Resolved(migrations))
        .await
        .map_err(|source| Error::Migrate {
            path: dir.to_owned(),
            source,
        })?;
    migrator.set_ignore_missing(true);
    Ok(migrator)
}

/// Migrations already read, handed to [`Migrator::new`] through sqlx's public source trait.
#[derive(Debug)]
struct Resolved(Vec<Migration>);

impl MigrationSource<'static> for Resolved {
    fn resolve(self) -> BoxFuture<'static, std::result::Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(self.0) })
    }
}

/// A migration file: its parsed parts and its name (for messages).
struct File {
    name: String,
    version: i64,
    migration_type: MigrationType,
    description: String,
}

/// Reads `dir` into migrations sorted by version (sqlx's order), checking versions are unique.
fn read(dir: &Path) -> Result<Vec<Migration>> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if !std::fs::metadata(&path).map_err(io(&path))?.is_file() {
            continue;
        }
        if let Some(file) = parse_name(dir, &path)? {
            files.push((file, path));
        }
    }
    files.sort_by(|(a, _), (b, _)| (a.version, &a.name).cmp(&(b.version, &b.name)));
    check_unique(dir, files.iter().map(|(file, _)| file))?;
    files
        .into_iter()
        .map(|(file, path)| {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            Ok(migration(file, &text))
        })
        .collect()
}

/// sqlx's file name rule: `VERSION_DESCRIPTION.sql` (`.up.sql`, `.down.sql`); `None` for a
/// file that is not a migration.
fn parse_name(dir: &Path, path: &Path) -> Result<Option<File>> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let Some((version, rest)) = name.split_once('_') else {
        return Ok(None);
    };
    if !rest.ends_with(".sql") {
        return Ok(None);
    }
    let version = version.parse().map_err(|_| Error::Migrate {
        path: dir.to_owned(),
        source: MigrateError::Source(
            format!(
                "{name}: the version before the first `_` must be an integer \
                 (e.g. 20260101000000_create_posts.sql)"
            )
            .into(),
        ),
    })?;
    let migration_type = MigrationType::from_filename(rest);
    let description = rest
        .trim_end_matches(migration_type.suffix())
        .replace('_', " ");
    Ok(Some(File {
        name: name.into_owned(),
        version,
        migration_type,
        description,
    }))
}

/// Refuses two up migrations (plain or `.up.sql`) or two `.down.sql` with one version.
/// `files` are sorted by version, then name.
fn check_unique<'a>(dir: &Path, files: impl Iterator<Item = &'a File>) -> Result<()> {
    let files: Vec<&File> = files.collect();
    let mut seen: HashMap<(i64, bool), &File> = HashMap::new();
    for &file in &files {
        let key = (file.version, file.migration_type.is_down_migration());
        let Some(first) = seen.insert(key, file) else {
            continue;
        };
        let used: Vec<i64> = files.iter().map(|f| f.version).collect();
        return Err(Error::DuplicateMigration {
            dir: dir.to_owned(),
            version: file.version,
            first: first.name.clone(),
            second: file.name.clone(),
            suggestion: renamed(&file.name, file.version, &used),
        });
    }
    Ok(())
}

/// `name` with the smallest version above `version` that no file uses, keeping the prefix's
/// width (leading zeros), e.g. `20260101000000_room.sql` → `20260101000001_room.sql`.
fn renamed(name: &str, version: i64, used: &[i64]) -> String {
    let (prefix, rest) = name.split_once('_').unwrap_or((name, ""));
    let free = (version.saturating_add(1)..=i64::MAX)
        .find(|v| !used.contains(v))
        .unwrap_or(i64::MAX);
    format!("{free:0width$}_{rest}", width = prefix.len())
}

/// The sqlx migration for `file` with contents `text`, line endings made LF first so the
/// checksum is the same on every checkout.
fn migration(file: File, text: &str) -> Migration {
    let sql = text.replace("\r\n", "\n");
    let no_tx = sql.starts_with("-- no-transaction");
    Migration::new(
        file.version,
        Cow::Owned(file.description),
        file.migration_type,
        Cow::Owned(sql),
        no_tx,
    )
}

/// Where [`migrator`] reads from: `ROOT/db/migrations`.
pub(super) fn dir(root: &Path) -> PathBuf {
    root.join("db").join("migrations")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_file_takes_the_next_free_version_and_keeps_the_width() {
        let used = [20260101000000, 20260101000001];
        assert_eq!(
            renamed("20260101000000_create_room.sql", 20260101000000, &used),
            "20260101000002_create_room.sql"
        );
        assert_eq!(renamed("0001_b.up.sql", 1, &[1]), "0002_b.up.sql");
    }

    #[test]
    fn crlf_and_lf_files_get_one_checksum() {
        let file = || File {
            name: "1_t.sql".into(),
            version: 1,
            migration_type: MigrationType::Simple,
            description: "t".into(),
        };
        let lf = migration(file(), "-- no-transaction\nCREATE TABLE t (x INT);\n");
        let crlf = migration(file(), "-- no-transaction\r\nCREATE TABLE t (x INT);\r\n");
        assert_eq!(lf.checksum, crlf.checksum);
        assert!(crlf.no_tx);
    }
}
