//! Checking and resolving `database_url` at load time.
//!
//! Two mistakes are caught here rather than at the first query: a URL for a driver this
//! build does not include (a `postgres://` URL in an SQLite app), and a relative SQLite path,
//! which would otherwise depend on the directory the server happened to start in.

use std::path::Path;

use crate::db::DRIVER;

/// The URL schemes each driver accepts.
fn schemes(driver: &str) -> &'static [&'static str] {
    match driver {
        "sqlite" => &["sqlite"],
        "postgres" => &["postgres", "postgresql"],
        _ => &["mysql", "mariadb"],
    }
}

/// The database URL used when the config sets none: an SQLite file per environment in
/// `db/`, as TreeFrog apps keep theirs. Other drivers need an explicit URL.
pub(super) fn default_for(env: &str) -> Option<String> {
    (DRIVER == "sqlite").then(|| format!("sqlite:db/{env}.sqlite3"))
}

/// Checks the scheme against the compiled driver and makes SQLite paths absolute.
pub(super) fn resolve(url: &str, root: &Path) -> Result<String, String> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    if !schemes(DRIVER).contains(&scheme) {
        return Err(format!(
            "`{url}` is not a {DRIVER} URL; this app is built with the `{DRIVER}` feature of \
             tspawn-runtime (URLs start with `{}:`)",
            schemes(DRIVER)[0]
        ));
    }
    if DRIVER != "sqlite" {
        return Ok(url.to_owned());
    }
    let rest = url["sqlite:".len()..].trim_start_matches("//");
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    if path.is_empty() || path == ":memory:" || Path::new(path).is_absolute() {
        return Ok(url.to_owned());
    }
    let absolute = root.join(path);
    let mut resolved = format!("sqlite:{}", encode_path(&absolute.to_string_lossy()));
    if let Some(query) = query {
        resolved.push('?');
        resolved.push_str(query);
    }
    Ok(resolved)
}

/// Escapes the characters sqlx's SQLite URL parser decodes or splits on (`%`, `?`, `#`), so a
/// root folder containing them still names the right file.
fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('?', "%3F")
        .replace('#', "%23")
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    #[test]
    fn relative_sqlite_paths_resolve_under_root() {
        let url = resolve("sqlite:db/dev.sqlite3?mode=rwc", Path::new("/app")).unwrap();
        assert_eq!(url, "sqlite:/app/db/dev.sqlite3?mode=rwc");
        let url = resolve("sqlite://db/a.db", Path::new("/my app#1")).unwrap();
        assert_eq!(url, "sqlite:/my app%231/db/a.db");
    }

    #[test]
    fn memory_and_absolute_urls_are_kept() {
        for url in ["sqlite::memory:", "sqlite:///var/a.db", "sqlite:/var/a.db"] {
            assert_eq!(resolve(url, Path::new("/app")).unwrap(), url);
        }
    }

    #[test]
    fn foreign_driver_urls_are_rejected() {
        let err = resolve("postgres://localhost/x", Path::new("/app")).unwrap_err();
        assert!(err.contains("not a sqlite URL"), "{err}");
    }
}
