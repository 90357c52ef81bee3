//! Typed, validated app configuration from `ROOT/config/app.toml`.
//!
//! The file has a `[default]` table and one table per environment (`[dev]`, `[test]`,
//! `[product]`, after TreeFrog). Loading merges the chosen environment over `[default]`
//! (sub-tables merge key by key), then applies `TSPAWN_*` environment variables (see
//! [`Config::load_with`]), then turns the result into typed fields. Every problem is reported
//! at start with the file and the key, never at the first request that needs the value.
//! App-specific sections (`[chat_endpoint]`) stay in [`Config::raw`]; the settings of the
//! endpoints the routes mount ([`Settings`]) are read and checked at load too (see
//! [`Config::settings`]), and any other section can be read with [`Config::section`].

mod database_url;
mod layers;
mod sections;
mod synchronous;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use toml::{Table, Value};

use crate::error::{Error, Result};
use crate::session::SessionKey;
use crate::shared::Shared;
use crate::websocket::origin::Origin;
use crate::websocket::WebSocketSettings;
use layers::Origins;
pub(crate) use sections::register;
pub use sections::Settings;
pub use synchronous::Synchronous;

/// Port used when the config sets none (TreeFrog's default).
pub const DEFAULT_PORT: u16 = 8800;

/// The log filter used when the config sets none: requests (tower-http logs each at `info`)
/// and everything else at `info`, but sqlx only from `warn` (slow statements): at `debug` it
/// logs every SQL statement, and PostgreSQL's notices at `info`.
pub const DEFAULT_LOG: &str = "info,sqlx=warn";

/// The app's settings for one environment, resolved and checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The environment name (`dev`, `test`, `product`, or any table the file defines).
    pub env: String,
    /// The app's root folder (absolute); relative paths in the config are resolved here.
    pub root: PathBuf,
    /// The address to listen on (`listen`, default `127.0.0.1`).
    pub listen: IpAddr,
    /// The port to listen on (`port`, default 8800; `-p` on the command line wins).
    pub port: u16,
    /// The database URL, ready for the driver: a relative SQLite path is already absolute.
    /// Defaults to `sqlite:db/ENV.sqlite3` when the `sqlite` feature is on.
    pub database_url: String,
    /// SQLite's `PRAGMA synchronous` for every connection (`synchronous`, beside
    /// `database_url`; default [`Synchronous::Normal`]: durable when the app is killed at
    /// any moment, [`Synchronous::Full`] for power loss too). Only SQLite apps may set it;
    /// see [`Synchronous`].
    pub synchronous: Synchronous,
    /// Folder of static files served for any path no route matches (absolute; `public`).
    pub public_dir: PathBuf,
    /// A tracing `EnvFilter` directive (`log`, default [`DEFAULT_LOG`]); `RUST_LOG` wins
    /// when set.
    pub log: String,
    /// How long shutdown waits for open requests and tracked tasks (`shutdown_timeout`,
    /// seconds, default 10).
    pub shutdown_timeout: Duration,
    /// Signs the HTTP session cookie (`secret_key`, 64+ characters, e.g. from
    /// `openssl rand -hex 32`; put it in `[product]` or `TSPAWN_SECRET_KEY`, not in git).
    /// Required in `product`; elsewhere a key made at each start stands in (sessions then
    /// end when the app restarts; see [`SessionKey::generate`]).
    pub session_key: SessionKey,
    /// Origins trusted besides the app's own (`allowed_origins`, top level, default none):
    /// `scheme://host[:port]` entries such as `https://admin.example.com`, compared as RFC
    /// 6454 origins. Their pages may POST to the app (the CSRF check, see
    /// [`csrf`](crate::csrf)) and open its WebSockets, as do those of
    /// `[websocket] allowed_origins`.
    pub allowed_origins: Vec<String>,
    /// Limits shared by every WebSocket endpoint (`[websocket]`; all keys optional).
    pub websocket: WebSocketSettings,
    /// The config file that was read, for error messages.
    pub file: PathBuf,
    /// The merged table (defaults, environment, variables) including app-specific sections.
    pub raw: Table,
    /// Which `TSPAWN_*` variable set each dotted key, for error messages.
    origins: Origins,
    /// The [`Settings`] values loaded so far, one per type (see [`Config::settings`]).
    settings: Shared,
}

impl Config {
    /// Loads `root/config/app.toml` for `env`, with `TSPAWN_*` overrides from the process
    /// environment.
    pub fn load(root: &Path, env: &str) -> Result<Config> {
        let vars = std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        });
        Config::load_with(root, env, vars)
    }

    /// Like [`Config::load`], with the environment variables given explicitly (for tests).
    ///
    /// `TSPAWN_KEY=value` sets a top-level key, `TSPAWN_SECTION__KEY=value` a key in
    /// `[section]` (names lower-cased). Values that read as integers, floats or booleans
    /// become those TOML types; anything else is a string. `TSPAWN_ENV` is ignored here: it
    /// chooses the environment, it is not a key.
    pub fn load_with(
        root: &Path,
        env: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config> {
        let root = std::path::absolute(root).map_err(|source| Error::Io {
            path: root.to_owned(),
            source,
        })?;
        let file = root.join("config").join("app.toml");
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        let mut tables: Table =
            toml::from_str(&text).map_err(|e| Error::config(&file, "(syntax)", e.to_string()))?;
        let mut merged = match tables.remove("default") {
            Some(Value::Table(table)) => table,
            Some(_) => return Err(Error::config(&file, "default", "must be a table")),
            None => Table::new(),
        };
        match tables.remove(env) {
            Some(Value::Table(table)) => layers::deep_merge(&mut merged, table),
            Some(_) => return Err(Error::config(&file, env, "must be a table")),
            None => return Err(unknown_env(&file, env, &tables)),
        }
        let origins = layers::apply_env_overrides(&mut merged, vars, &file)?;
        let config = Resolver {
            file,
            origins,
            table: merged,
        }
        .resolve(root, env)?;
        sections::load_registered(&config)?;
        Ok(config)
    }

    /// The settings `S` from the section `[S::SECTION]` (defaults when it is absent), read
    /// and checked once and then shared.
    ///
    /// The settings of every endpoint mounted before the config was loaded were read when it
    /// was, so for them this never fails (see [`Settings`] for the mechanism); any other
    /// type is read at its first call, and a bad value is reported then: the error names the
    /// file and the dotted key (`chat_endpoint.history`), and the `TSPAWN_*` variable when
    /// one set it.
    pub fn settings<S: Settings>(&self) -> Result<Arc<S>> {
        self.settings.get_or_try_init(|| sections::load::<S>(self))
    }

    /// Reads the app-specific section `[name]` as `T`, or `None` when the config has none.
    /// An error names the file and the dotted key (`chat.history`).
    ///
    /// Call it once at start (and keep the result in your state) so a bad value fails the
    /// launch, like the built-in keys do; [`Config::settings`] does that for you.
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        self.raw
            .get(name)
            .map(|value| deserialize(value.clone(), name, |key, m| self.error(key, m)))
            .transpose()
    }

    /// An [`Error::Config`] for the dotted `key`, naming the variable that set it, if any.
    fn error(&self, key: &str, message: impl Into<String>) -> Error {
        key_error(&self.file, &self.origins, key, message)
    }
}

/// Deserializes `value`, found under the dotted `key`, as `T`; on error, `error` gets the
/// dotted path of the offending value (`websocket.queue_capacity`, `chat.names[2]`) and a
/// one-line message.
fn deserialize<T: DeserializeOwned>(
    value: Value,
    key: &str,
    error: impl FnOnce(&str, String) -> Error,
) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = match e.path().to_string() {
            root if root == "." => key.to_owned(),
            inner => format!("{key}.{inner}"),
        };
        error(&path, e.inner().message().trim_end().replace('\n', "; "))
    })
}

/// An [`Error::Config`] for `key` in `file`, as `key (from TSPAWN_...)` when a variable set it.
fn key_error(file: &Path, origins: &Origins, key: &str, message: impl Into<String>) -> Error {
    let key = match origins.get(key) {
        Some(var) => format!("{key} (from {var})"),
        None => key.to_owned(),
    };
    Error::config(file, key, message)
}

/// The error for an environment with no table, listing those the file defines.
fn unknown_env(file: &Path, env: &str, tables: &Table) -> Error {
    let known: Vec<&str> = tables
        .iter()
        .filter(|(name, value)| value.is_table() && name.as_str() != "default")
        .map(|(name, _)| name.as_str())
        .collect();
    let message = format!(
        "no [{env}] table; environments in this file: {}",
        known.join(", ")
    );
    Error::config(file, env, message)
}

/// Turns the merged table into typed fields, naming the key (and its variable) on error.
struct Resolver {
    file: PathBuf,
    origins: Origins,
    table: Table,
}

impl Resolver {
    fn resolve(self, root: PathBuf, env: &str) -> Result<Config> {
        let listen = match self.get::<String>("listen")? {
            Some(text) => text
                .parse()
                .map_err(|e| self.error("listen", format!("`{text}`: {e}")))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = self.get("port")?.unwrap_or(DEFAULT_PORT);
        let public_dir = root.join(
            self.get::<PathBuf>("public_dir")?
                .unwrap_or_else(|| "public".into()),
        );
        let log = self
            .get::<String>("log")?
            .unwrap_or_else(|| DEFAULT_LOG.into());
        tracing_subscriber::EnvFilter::builder()
            .parse(&log)
            .map_err(|e| self.error("log", format!("`{log}`: {e}")))?;
        let seconds = self.get::<f64>("shutdown_timeout")?.unwrap_or(10.0);
        let shutdown_timeout = Duration::try_from_secs_f64(seconds)
            .map_err(|e| self.error("shutdown_timeout", format!("{seconds}: {e}")))?;
        let database_url = match self.get::<String>("database_url")? {
            Some(url) => url,
            None => database_url::default_for(env)
                .ok_or_else(|| self.error("database_url", "missing"))?,
        };
        let database_url = database_url::resolve(&database_url, &root)
            .map_err(|e| self.error("database_url", e))?;
        let synchronous = self.synchronous()?;
        let session_key = self.session_key(env)?;
        let allowed_origins = self
            .get::<Vec<String>>("allowed_origins")?
            .unwrap_or_default();
        if let Some(bad) = allowed_origins.iter().find(|o| Origin::parse(o).is_none()) {
            return Err(self.error(
                "allowed_origins",
                format!(
                    "`{bad}` is not an origin, scheme://host[:port] (e.g. https://app.example.com)"
                ),
            ));
        }
        let websocket = self
            .get::<WebSocketSettings>("websocket")?
            .unwrap_or_default();
        websocket
            .validate()
            .map_err(|(key, message)| self.error(&format!("websocket.{key}"), message))?;
        Ok(Config {
            env: env.to_owned(),
            root,
            listen,
            port,
            database_url,
            synchronous,
            public_dir,
            log,
            shutdown_timeout,
            session_key,
            allowed_origins,
            websocket,
            file: self.file,
            raw: self.table,
            origins: self.origins,
            settings: Shared::default(),
        })
    }

    /// The `synchronous` level (SQLite only): a name or number of `PRAGMA synchronous`.
    fn synchronous(&self) -> Result<Synchronous> {
        let Some(value) = self.table.get("synchronous") else {
            return Ok(Synchronous::default());
        };
        if crate::db::DRIVER != "sqlite" {
            return Err(self.error(
                "synchronous",
                format!(
                    "only SQLite apps have this setting (SQLite's PRAGMA synchronous); this \
                     app is built for {}, whose commits are as durable as the database server \
                     is configured to make them: remove the key",
                    crate::db::DRIVER
                ),
            ));
        }
        Synchronous::from_value(value).map_err(|e| self.error("synchronous", e))
    }

    /// The `secret_key`, required in `product` only.
    fn session_key(&self, env: &str) -> Result<SessionKey> {
        match self.get::<String>("secret_key")? {
            Some(secret) => {
                SessionKey::from_secret(&secret).map_err(|e| self.error("secret_key", e))
            }
            None if env == "product" => Err(self.error(
                "secret_key",
                "missing: product needs its own key of 64+ characters (e.g. `openssl rand -hex 32`) in [product] or TSPAWN_SECRET_KEY",
            )),
            None => Ok(SessionKey::generate()),
        }
    }

    /// Reads a top-level key as `T`; `None` when absent.
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.table
            .get(key)
            .map(|value| deserialize(value.clone(), key, |key, m| self.error(key, m)))
            .transpose()
    }

    fn error(&self, key: &str, message: impl Into<String>) -> Error {
        key_error(&self.file, &self.origins, key, message)
    }
}
