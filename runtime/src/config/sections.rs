//! Typed app sections read and checked once, at start: the [`Settings`] trait and the
//! registry through which mounting an endpoint gets its settings checked at config load.

use std::any::TypeId;
use std::sync::Mutex;

use serde::de::DeserializeOwned;

use super::{deserialize, Config};
use crate::error::Result;

/// A section of config/app.toml an app reads as a typed value, read and checked once when
/// the config is loaded, so a bad value stops the launch instead of failing every request
/// (or WebSocket connection) that would read it.
///
/// The section is the table `SECTION` under `[default]` and each environment's table
/// (merged key by key, like every section), and `TSPAWN_SECTION__KEY=value` sets a key of
/// it. An absent section gives `Default::default()`; with `#[serde(default)]` on the type,
/// so does each absent key. `()` is the "no settings" value: nothing is read.
///
/// ```
/// use tspawn_runtime::prelude::*;
/// use tspawn_runtime::config::Settings;
///
/// /// `[default.chat_endpoint]`, or `TSPAWN_CHAT_ENDPOINT__HISTORY=50`.
/// #[derive(Debug, Deserialize)]
/// #[serde(default, deny_unknown_fields)]
/// struct ChatSettings {
///     history: u32,
/// }
///
/// impl Default for ChatSettings {
///     fn default() -> Self {
///         ChatSettings { history: 30 }
///     }
/// }
///
/// impl Settings for ChatSettings {
///     const SECTION: &str = "chat_endpoint";
/// }
/// ```
///
/// # When they are read
///
/// [`endpoint::<E>()`](crate::endpoint) records `E::Settings` in a process-wide registry
/// (once per type), and every [`Config::load`] reads and checks every type recorded so far,
/// keeping the values for [`Config::settings`] (handlers get them typed through
/// [`Context::settings`](crate::websocket::Context::settings)). The app binary
/// ([`run`](crate::run)) and [`testing::spawn`](crate::testing::spawn) build the routes
/// before loading the config, so a bad value in any mounted endpoint's section stops the
/// start with one error naming the file and the key, before the database is touched.
///
/// Limits: a type first asked for after the config was loaded (routes built after
/// [`testing::state`](crate::testing::state), or `Config::settings` called for a type no
/// endpoint uses) is read at that first call, and its error is reported there (a WebSocket
/// handshake then gets `500`). The registry belongs to the process: a test binary that
/// mounts several apps' endpoints checks each config it loads against all of their
/// sections (an absent section is fine).
pub trait Settings: DeserializeOwned + Default + Send + Sync + 'static {
    /// The section's table name, e.g. `"chat_endpoint"` for `[default.chat_endpoint]`;
    /// empty for none (`()`).
    const SECTION: &'static str;

    /// Checks what serde cannot (a range, a relation to another setting), once, after the
    /// values are read: `Err((key, problem))` stops the launch with an error naming
    /// `SECTION.key`. The default accepts everything.
    fn check(&self, config: &Config) -> Result<(), (&'static str, String)> {
        let _ = config;
        Ok(())
    }
}

/// No settings: no section is read.
impl Settings for () {
    const SECTION: &str = "";
}

/// Reads one registered type into the config's store.
type Loader = fn(&Config) -> Result<()>;

/// The settings types of the endpoints mounted so far, each once.
static REGISTRY: Mutex<Vec<(TypeId, Loader)>> = Mutex::new(Vec::new());

/// Records `S` so that every config loaded from now on reads and checks it.
pub(crate) fn register<S: Settings>() {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    if registry.iter().all(|(id, _)| *id != TypeId::of::<S>()) {
        registry.push((TypeId::of::<S>(), |config| config.settings::<S>().map(drop)));
    }
}

/// Reads and checks every registered type, stopping at the first bad value.
pub(super) fn load_registered(config: &Config) -> Result<()> {
    let loaders: Vec<Loader> = {
        let registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
        registry.iter().map(|(_, loader)| *loader).collect()
    };
    loaders.into_iter().try_for_each(|load| load(config))
}

/// Reads `[S::SECTION]` (defaults when absent) and checks it.
pub(super) fn load<S: Settings>(config: &Config) -> Result<S> {
    let section = S::SECTION;
    let settings: S = match config.raw.get(section).filter(|_| !section.is_empty()) {
        Some(value) => deserialize(value.clone(), section, |key, m| config.error(key, m))?,
        None => S::default(),
    };
    settings
        .check(config)
        .map_err(|(key, problem)| config.error(&format!("{section}.{key}"), problem))?;
    Ok(settings)
}
