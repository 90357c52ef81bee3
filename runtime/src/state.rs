//! The state every handler can reach: the database, the config, and the shutdown machinery.
//!
//! # Shutdown contract
//!
//! axum's graceful shutdown waits for HTTP requests, but not for connections that were
//! upgraded (WebSockets: axum issue 3003); those would be cut mid-message when the process
//! exits. So any long-lived task an app starts (a socket loop, a background job) must:
//!
//! 1. be spawned on [`AppState::tasks`] (`state.tasks.spawn(fut)`), so shutdown can wait
//!    for it, and
//! 2. watch [`AppState::shutdown`] (`state.shutdown.cancelled()` in its `select!`) and finish
//!    promptly once it fires, e.g. by sending a WebSocket close frame 1001 (going away).
//!
//! [`serve`](crate::serve) cancels the token when its shutdown future resolves, then waits
//! for those tasks up to `shutdown_timeout` before returning.

use std::sync::Arc;

use axum::extract::FromRef;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::db::Db;
use crate::shared::Shared;
use crate::websocket::Hub;

/// Shared handles for handlers; cloning is cheap (every field is a shared handle).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// The loaded config; app-specific sections via [`Config::section`].
    pub config: Arc<Config>,
    /// Cancelled when the server starts shutting down; long-lived tasks watch it.
    pub shutdown: CancellationToken,
    /// Long-lived tasks that shutdown waits for (up to `config.shutdown_timeout`).
    pub tasks: TaskTracker,
    /// The WebSocket pub/sub hub: topics, connections and their outgoing queues.
    pub hub: Hub,
    /// App-wide values made on first use (see [`AppState::shared`]).
    shared: Shared,
}

impl AppState {
    /// Bundles a pool and a config with a fresh shutdown token, task tracker and hub (whose
    /// queues hold `config.websocket.queue_capacity` messages).
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            hub: Hub::new(config.websocket.queue_capacity),
            db,
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            shared: Shared::default(),
        }
    }

    /// The app's one value of type `T`, made by `init` the first time any handler asks for
    /// it: how a model shares a writer task or a cache between all connections without a
    /// global. Values are keyed by type, so wrap shared things in a type of your own.
    pub fn shared<T: std::any::Any + Send + Sync>(
        &self,
        init: impl FnOnce(&AppState) -> T,
    ) -> Arc<T> {
        self.shared.get_or_init(|| init(self))
    }
}

/// Lets handlers take `State(db): State<Db>` instead of the whole state.
impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

/// Lets handlers take `State(config): State<Arc<Config>>`.
impl FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Arc<Config> {
        state.config.clone()
    }
}

/// Lets handlers take `State(shutdown): State<CancellationToken>` to watch for shutdown.
impl FromRef<AppState> for CancellationToken {
    fn from_ref(state: &AppState) -> CancellationToken {
        state.shutdown.clone()
    }
}

/// Lets handlers take `State(tasks): State<TaskTracker>` to spawn tracked tasks.
impl FromRef<AppState> for TaskTracker {
    fn from_ref(state: &AppState) -> TaskTracker {
        state.tasks.clone()
    }
}
