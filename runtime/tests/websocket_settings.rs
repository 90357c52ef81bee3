//! Endpoint settings are read and checked once, when the app starts (issue 6, groundwork): a
//! bad value stops the start with one error naming the file and the key (and the variable
//! that set it), before the database is touched, instead of failing every connection; the
//! handlers and `keep_alive_interval` get the values read at start.
#![cfg(feature = "sqlite")]

mod common;

use std::path::Path;

use common::{app_root, EXAMPLE};
use tspawn_runtime::prelude::*;
use tspawn_runtime::testing::{self, TestServer, WsMessage};
use tspawn_runtime::websocket::{Context, Endpoint, HttpSession, Settings};

/// `[test.tuned]`, or `TSPAWN_TUNED__KEY=value`.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TunedSettings {
    greeting: String,
    history: u32,
    keep_alive_interval: u64,
}

impl Default for TunedSettings {
    fn default() -> Self {
        TunedSettings {
            greeting: "hello".into(),
            history: 5,
            keep_alive_interval: 0,
        }
    }
}

impl Settings for TunedSettings {
    const SECTION: &str = "tuned";

    fn check(&self, config: &Config) -> Result<(), (&'static str, String)> {
        let capacity = config.websocket.queue_capacity;
        if self.history as usize >= capacity {
            return Err(("history", format!("must be less than {capacity}")));
        }
        Ok(())
    }
}

/// Greets with its settings' `greeting`; pings as often as they say.
#[derive(Default)]
struct Tuned;

impl Endpoint for Tuned {
    type Settings = TunedSettings;

    async fn on_open(
        &mut self,
        ctx: &mut Context<TunedSettings>,
        _session: &HttpSession,
    ) -> Result<bool> {
        ctx.send_text(ctx.settings().greeting.clone());
        Ok(true)
    }

    fn keep_alive_interval(&self, settings: &TunedSettings) -> u64 {
        settings.keep_alive_interval
    }
}

fn routes() -> Router<AppState> {
    Router::new().route("/tuned", endpoint::<Tuned>())
}

/// An app whose `[test]` table ends with `test_tables` (`[test.tuned]`...).
fn app(test_tables: &str) -> tempfile::TempDir {
    app_root(&format!("{EXAMPLE}\n{test_tables}"))
}

/// Starts the app in `root` as a generated app's test does; the config error if it fails.
async fn start(root: &Path) -> (String, String) {
    match testing::spawn(routes(), root).await {
        Err(Error::Config { key, message, .. }) => (key, message),
        Err(other) => panic!("expected a config error, got {other}"),
        Ok(server) => panic!("the app started: {server:?}"),
    }
}

#[tokio::test]
async fn a_bad_value_stops_the_start_before_the_database_is_touched() {
    let root = app("[test.tuned]\nhistory = \"lots\"\n");
    let error = testing::spawn(routes(), root.path()).await.unwrap_err();
    let file = root.path().join("config/app.toml");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: tuned.history: invalid type: string \"lots\", expected u32",
            file.display()
        )
    );
    assert!(!root.path().join("db/test.sqlite3").exists());
}

#[tokio::test]
async fn a_bad_variable_is_named_with_its_key() {
    let root = app("");
    let _ = routes(); // mounts Tuned, as the app does before loading its config
    let vars = [("TSPAWN_TUNED__HISTORY".to_owned(), "-1".to_owned())];
    match Config::load_with(root.path(), "test", vars) {
        Err(Error::Config { key, message, .. }) => {
            assert_eq!(key, "tuned.history (from TSPAWN_TUNED__HISTORY)");
            assert_eq!(message, "invalid value: integer `-1`, expected u32");
        }
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_key_is_refused() {
    let root = app("[test.tuned]\nhistroy = 5\n");
    let (key, message) = start(root.path()).await;
    assert_eq!(key, "tuned.histroy");
    assert!(message.starts_with("unknown field `histroy`"), "{message}");
}

#[tokio::test]
async fn check_runs_at_start_on_read_and_default_values() {
    let root = app("[test.websocket]\nqueue_capacity = 8\n[test.tuned]\nhistory = 8\n");
    assert_eq!(
        start(root.path()).await,
        ("tuned.history".into(), "must be less than 8".into())
    );
    // No [tuned] section: the defaults (history 5) are checked too.
    let root = app("[test.websocket]\nqueue_capacity = 2\n");
    assert_eq!(start(root.path()).await.0, "tuned.history");
}

#[tokio::test]
async fn handlers_get_the_values_read_at_start() {
    let root = app("[test.tuned]\ngreeting = \"hi from config\"\nkeep_alive_interval = 1\n");
    let server: TestServer = testing::spawn(routes(), root.path()).await.unwrap();
    let mut client = server.websocket("/tuned").await.unwrap();
    assert_eq!(client.next_text().await.unwrap(), "hi from config");
    // keep_alive_interval got the settings: a keep-alive ping comes.
    assert!(matches!(
        client.next_message().await.unwrap(),
        WsMessage::Ping(_)
    ));
    let loaded = server.state.config.settings::<TunedSettings>().unwrap();
    assert_eq!(loaded.greeting, "hi from config");
    server.shutdown().await.unwrap();
}
