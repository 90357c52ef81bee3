//! Helpers for a generated app's own tests.
//!
//! ```no_run
//! # async fn example(routes: tspawn_runtime::Router<tspawn_runtime::AppState>) -> tspawn_runtime::Result<()> {
//! use std::path::Path;
//! // In-process: build the router and send it requests with `tower::ServiceExt::oneshot`.
//! let root = Path::new(env!("CARGO_MANIFEST_DIR"));
//! let app = tspawn_runtime::app(routes.clone(), tspawn_runtime::testing::state(root).await?);
//! // Over TCP (WebSockets, real clients): a server on a free loopback port.
//! let server = tspawn_runtime::testing::spawn(routes, root).await?;
//! let url = server.url("/chat");
//! server.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Forms: [`form_body`] encodes a form's fields as a browser posts them.
//!
//! WebSockets: `server.websocket("/chat").await?` connects a [`WsClient`] (no `Origin`
//! header, like a non-browser client; [`TestServer::websocket_with`] adds headers).
//!
//! Both use the `test` environment of `ROOT/config/app.toml` (TSPAWN_* variables apply) and
//! run the migrations, like the real binary does. `spawn` takes the routes already built, so
//! a bad value in the settings of an endpoint they mount fails it, as it fails the app's
//! start; with `state`, build the routes first for the same check (see
//! [`Settings`](crate::config::Settings)).

mod ws;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use axum::http::HeaderMap;
use axum::Router;
use tokio::task::JoinHandle;

pub use tokio_tungstenite::tungstenite::Message as WsMessage;
pub use ws::{WsClient, WsError, READ_TIMEOUT};

use crate::config::Config;
use crate::db::connect;
use crate::error::{Error, Result};
use crate::server::{app, serve};
use crate::state::AppState;

/// The state for the `test` environment of the app in `root`, database connected and
/// migrated. Fails like the app's start: a bad config value (also in the settings of an
/// endpoint mounted so far) or a migration that cannot be applied.
pub async fn state(root: &Path) -> Result<AppState> {
    let config = Config::load(root, "test")?;
    let db = connect(&config).await?;
    Ok(AppState::new(db, config))
}

/// Serves `routes` (plus static files) on `127.0.0.1` at a free port, in the background.
/// Fails as [`state`] does, so a bad value in the settings of an endpoint `routes` mounts is
/// an `Err` naming the file and the key.
pub async fn spawn(routes: Router<AppState>, root: &Path) -> Result<TestServer> {
    let state = state(root).await?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| Error::Bind { addr, source })?;
    let router = app(routes, state.clone());
    let handle = tokio::spawn(serve(
        listener,
        router,
        state.clone(),
        std::future::pending(),
    ));
    Ok(TestServer {
        addr,
        state,
        handle: Some(handle),
    })
}

/// A server started by [`spawn`]. Dropping it cancels the server without waiting;
/// [`TestServer::shutdown`] also waits for it to finish.
#[derive(Debug)]
pub struct TestServer {
    /// The address the server listens on (`127.0.0.1:PORT`).
    pub addr: SocketAddr,
    /// The server's state: its database pool, config and shutdown token.
    pub state: AppState,
    handle: Option<JoinHandle<Result<()>>>,
}

impl TestServer {
    /// `http://127.0.0.1:PORT` followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Opens a WebSocket to `path` (`ws://127.0.0.1:PORT/path`), without an `Origin`
    /// header. A refused handshake is [`WsError::Refused`] with the HTTP status.
    pub async fn websocket(&self, path: &str) -> Result<WsClient, WsError> {
        self.websocket_with(path, HeaderMap::new()).await
    }

    /// Like [`TestServer::websocket`], with extra handshake headers (`Origin`, `Cookie`).
    pub async fn websocket_with(
        &self,
        path: &str,
        headers: HeaderMap,
    ) -> Result<WsClient, WsError> {
        WsClient::connect(&format!("ws://{}{path}", self.addr), headers).await
    }

    /// Stops the server and waits for its graceful shutdown, returning what `serve` returned.
    pub async fn shutdown(mut self) -> Result<()> {
        self.state.shutdown.cancel();
        match self.handle.take() {
            Some(handle) => handle
                .await
                .map_err(|e| Error::Server(std::io::Error::other(e)))?,
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

/// The `application/x-www-form-urlencoded` body a browser sends for `pairs` (name, text), in
/// their order: `form_body(&[("title", "a b&c")])` is `"title=a+b%26c"`. Post it with
/// `Content-Type: application/x-www-form-urlencoded`.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A number no other call gives, in this process or a recent earlier run: the clock in tenths
/// of a millisecond at this process's first call, modulo 2 × 10^9, plus one per call. A run
/// makes far fewer calls than the tenths of a millisecond it lasts, so the next run (another
/// test file right after this one) starts past every number this one gave; the clock wraps
/// every 2.3 days. Every number fits an INTEGER column (below 2^31). Generated tests use it for
/// key and UNIQUE columns, so rows never collide with those of earlier runs still in the test
/// database; a narrower column takes it modulo its size, and may then collide (rarely).
///
/// ```
/// use tspawn_runtime::testing::unique;
/// let (a, b) = (unique(), unique());
/// assert_eq!(b, a + 1);
/// assert!(b < 1 << 31);
/// ```
pub fn unique() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let tenths = now.map_or(0, |d| d.as_micros() / 100 % 2_000_000_000);
    let start = i64::try_from(tenths).unwrap_or(0);
    // Only the first call finds 0 and sets the start.
    let _ = NEXT.compare_exchange(0, start, Ordering::Relaxed, Ordering::Relaxed);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
