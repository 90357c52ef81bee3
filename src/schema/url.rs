//! The URL of the database the app itself opens when started with `cargo run`, found by the
//! runtime's own rules (runtime/src/config.rs, config/layers.rs, config/database_url.rs), so
//! tspawn reads the tables the app really has:
//!
//! - the environment is `TSPAWN_ENV` when set (the app binary's `-e` reads it), else `dev`;
//! - `database_url` comes from that environment's table of config/app.toml, else from
//!   `[default]`, else (SQLite only) `sqlite:db/ENV.sqlite3`; a server driver without one is
//!   an error, as the app refuses to start without one;
//! - `TSPAWN_DATABASE_URL` overrides both (any `TSPAWN_` variable whose rest lower-cases to
//!   `database_url`; the last in name order wins, as the runtime applies them in name order);
//! - a relative SQLite path is resolved against the app's root, not the working folder.

use super::read::ReadError;
use crate::app::App;
use crate::driver::Driver;
use std::path::Path;

/// The environment variable choosing the app's environment (the runtime's `ENV_SELECTOR`).
const ENV_SELECTOR: &str = "TSPAWN_ENV";

/// The environment `cargo run` starts the app in: `TSPAWN_ENV`, else `dev`.
pub fn app_env() -> String {
    std::env::var(ENV_SELECTOR).unwrap_or_else(|_| "dev".to_owned())
}

/// The database URL the app opens in `env`, from its config file and `vars` (the process
/// environment in [`super::dev_database_url`]; given explicitly in tests). SQLite URLs come
/// back absolute (`sqlite:/abs/app/db/dev.sqlite3`), as the runtime makes them.
///
/// Errors ([`ReadError::Config`]): an unreadable or malformed config/app.toml, an environment
/// it has no table for, a URL of another driver than the app's, no URL for a server driver.
pub fn database_url(
    app: &App,
    env: &str,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<String, ReadError> {
    let file = app.root.join("config/app.toml");
    let config = |message: String| ReadError::Config {
        message: format!("config/app.toml: {message}"),
    };
    let text = std::fs::read_to_string(&file).map_err(|e| config(format!("{e}")))?;
    let tables: toml::Table = text.parse().map_err(|e| config(format!("{e}")))?;
    let section = |name: &str| -> Result<Option<String>, ReadError> {
        let Some(table) = tables.get(name) else {
            return Ok(None);
        };
        let table = table
            .as_table()
            .ok_or_else(|| config(format!("[{name}] must be a table")))?;
        match table.get("database_url") {
            None => Ok(None),
            Some(toml::Value::String(url)) => Ok(Some(url.clone())),
            Some(_) => Err(config(format!("{name}.database_url must be a string"))),
        }
    };
    if !tables.get(env).is_some_and(toml::Value::is_table) {
        return Err(config(format!(
            "no [{env}] table (the environment {ENV_SELECTOR} or `dev` picks); the app would \
             not start in it either"
        )));
    }
    let mut overrides: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(name, _)| {
            name != ENV_SELECTOR
                && name
                    .strip_prefix("TSPAWN_")
                    .is_some_and(|rest| rest.to_lowercase() == "database_url")
        })
        .collect();
    overrides.sort();
    let url = match overrides.pop() {
        Some((_, url)) => url,
        None => match (section(env)?, section("default")?) {
            (Some(url), _) | (None, Some(url)) => url,
            (None, None) if app.driver == Driver::Sqlite => {
                app.driver.database_url(&app.crate_name, env)
            }
            (None, None) => {
                return Err(config(format!(
                    "no database_url in [{env}] or [default]; set one (e.g. `{}`) or \
                     TSPAWN_DATABASE_URL",
                    app.driver.database_url(&app.crate_name, env)
                )))
            }
        },
    };
    resolve(app.driver, &url, &app.root).map_err(config)
}

/// The URL schemes each driver accepts (the runtime's `schemes`).
fn schemes(driver: Driver) -> &'static [&'static str] {
    match driver {
        Driver::Sqlite => &["sqlite"],
        Driver::Postgresql => &["postgres", "postgresql"],
        Driver::Mysql => &["mysql", "mariadb"],
    }
}

/// Checks the scheme against the app's driver and makes a relative SQLite path absolute
/// under `root` (`%`, `?`, `#` escaped, as the runtime does).
fn resolve(driver: Driver, url: &str, root: &Path) -> Result<String, String> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    if !schemes(driver).contains(&scheme) {
        return Err(format!(
            "database_url `{}` is not a {} URL, and this app is built for {} (URLs start with \
             `{}:`)",
            redact(url),
            driver.label(),
            driver.label(),
            schemes(driver)[0]
        ));
    }
    if driver != Driver::Sqlite {
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
    let absolute = root.join(path).to_string_lossy().into_owned();
    let encoded = absolute
        .replace('%', "%25")
        .replace('?', "%3F")
        .replace('#', "%23");
    Ok(match query {
        Some(query) => format!("sqlite:{encoded}?{query}"),
        None => format!("sqlite:{encoded}"),
    })
}

/// `url` without its password, for messages: `postgres://me@db:5432/app`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// The `host:port` a server URL names (default port filled in), for "cannot reach" messages.
pub fn host_port(driver: Driver, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.is_empty() { "localhost" } else { host };
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    match (has_port, driver) {
        (true, _) => host.to_owned(),
        (false, Driver::Mysql) => format!("{host}:3306"),
        (false, _) => format!("{host}:5432"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(driver: Driver, toml: &str) -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/app.toml"), toml).unwrap();
        let app = App {
            root: dir.path().to_owned(),
            crate_name: "blog_app".to_owned(),
            driver,
        };
        (dir, app)
    }

    fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sqlite_defaults_to_the_environments_file_under_the_root() {
        let (_dir, app) = app(Driver::Sqlite, "[default]\n[dev]\n[test]\n");
        let root = app.root.display().to_string();
        let url = database_url(&app, "dev", vars(&[])).unwrap();
        assert_eq!(url, format!("sqlite:{root}/db/dev.sqlite3"));
        let url = database_url(&app, "test", vars(&[])).unwrap();
        assert_eq!(url, format!("sqlite:{root}/db/test.sqlite3"));
    }

    #[test]
    fn the_environment_wins_over_default_and_the_variable_over_both() {
        let toml = "[default]\ndatabase_url = \"sqlite:db/a.db\"\n[dev]\ndatabase_url = \
                    \"sqlite://db/b.db?mode=rwc\"\n[product]\n";
        let (_dir, app) = app(Driver::Sqlite, toml);
        let root = app.root.display().to_string();
        let dev = database_url(&app, "dev", vars(&[])).unwrap();
        assert_eq!(dev, format!("sqlite:{root}/db/b.db?mode=rwc"));
        let product = database_url(&app, "product", vars(&[])).unwrap();
        assert_eq!(product, format!("sqlite:{root}/db/a.db"));
        let set = vars(&[
            ("TSPAWN_DATABASE_URL", "sqlite:/abs/c.db"),
            ("TSPAWN_PORT", "1"),
        ]);
        assert_eq!(database_url(&app, "dev", set).unwrap(), "sqlite:/abs/c.db");
        // Names are lower-cased after the prefix and applied in name order: the last wins.
        let set = vars(&[
            ("TSPAWN_database_url", "sqlite:/abs/late.db"),
            ("TSPAWN_DATABASE_URL", "sqlite:/abs/early.db"),
        ]);
        assert_eq!(
            database_url(&app, "dev", set).unwrap(),
            "sqlite:/abs/late.db"
        );
    }

    #[test]
    fn server_urls_are_kept_and_must_be_set() {
        let toml = "[default]\ndatabase_url = \"postgres://u:secret@db:6543/blog\"\n[dev]\n";
        let (_dir, app) = app(Driver::Postgresql, toml);
        let url = database_url(&app, "dev", vars(&[])).unwrap();
        assert_eq!(url, "postgres://u:secret@db:6543/blog");
        assert_eq!(redact(&url), "postgres://u@db:6543/blog");
        assert_eq!(host_port(Driver::Postgresql, &url), "db:6543");
        assert_eq!(
            host_port(Driver::Mysql, "mysql://root@localhost/x"),
            "localhost:3306"
        );
        let (_dir, app) = self::app(Driver::Mysql, "[dev]\n");
        let err = database_url(&app, "dev", vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no database_url in [dev] or [default]"),
            "{err}"
        );
        assert!(err.contains("mysql://root@localhost/blog_app_dev"), "{err}");
    }

    #[test]
    fn a_url_of_another_driver_or_a_missing_environment_is_refused() {
        let toml = "[dev]\ndatabase_url = \"mysql://root:pw@localhost/x\"\n";
        let (_dir, app) = app(Driver::Sqlite, toml);
        let err = database_url(&app, "dev", vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`mysql://root@localhost/x` is not a SQLite URL"),
            "{err}"
        );
        let err = database_url(&app, "staging", vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no [staging] table"), "{err}");
    }
}
