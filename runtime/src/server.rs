//! Building the app's router and serving it with graceful shutdown.
//!
//! [`serve`] takes a listener it did not bind and a shutdown future it did not choose, so the
//! binary passes a real socket and Ctrl-C/SIGTERM ([`shutdown_signal`]) while tests pass
//! `127.0.0.1:0` and a channel.

use std::future::Future;
use std::net::SocketAddr;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::{csrf, flash};

mod connection;
mod headroom;
mod shedding;

pub use connection::Connection;
pub use shedding::Shedding;

/// The app's `routes`, then the static files of `config.public_dir` for every path no route
/// matches (`/` serves `public/index.html`; a missing file is `404`).
///
/// Each request is logged by tower-http at `info` when its response is ready (`status`,
/// `latency`, in a span with the method and URI), so the default log level shows requests.
/// An error status with an empty body (a path nothing serves, a method a route does not
/// take, a bare `500`) gets a one-line text body such as `404 Not Found: /x`.
///
/// Every request goes through the CSRF check first (a browser's cross-site POST, PUT, PATCH
/// or DELETE is answered `403`, see [`csrf`](crate::csrf)), and an HTML page consumes the
/// flash messages it was sent with (see [`flash`](crate::flash)).
pub fn app(routes: Router<AppState>, state: AppState) -> Router {
    let files = ServeDir::new(&state.config.public_dir);
    let trace = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    routes
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            flash::consume,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn(error_body))
        .layer(trace)
        .with_state(state)
}

/// Gives an empty 4xx or 5xx response the body `STATUS REASON: PATH` (text), so a browser or
/// `curl` shows what happened instead of a blank page.
async fn error_body(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error || response.body().size_hint().exact() != Some(0) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(format!("{status}: {path}\n")))
}

/// Serves `app` on `listener` until `shutdown` resolves or `state.shutdown` is cancelled.
///
/// Then: the token is cancelled (so tracked tasks start closing), new connections stop, and
/// open requests and the tasks in `state.tasks` get `config.shutdown_timeout` in total to
/// finish; what is still running after that is abandoned with a warning. WebSocket
/// connections are tracked tasks: each sends close 1001 and runs its `on_close` first.
/// Accepted sockets get `TCP_NODELAY`, so small WebSocket frames are not held back by Nagle's
/// algorithm, and requests carry the peer address (`ConnectInfo<SocketAddr>`).
///
/// Near the open-file limit (`ulimit -n`: every connection, WebSocket or not, holds one
/// descriptor) new connections are refused with `503 Service Unavailable` and closed at once:
/// once the open connections reach the soft limit less a headroom, so the database pool keeps
/// finding descriptors and static files and the rest have a margin (a WebSocket whose
/// `on_open` cannot open the database would get `500`), and at the limit itself instead of waiting in the kernel's
/// accept queue for a descriptor to free up. The headroom is the descriptors open when
/// serving starts, plus the pool's maximum connections (times 3 for SQLite: database, `-wal`,
/// `-shm`; times 1 for a server), plus 64; about 110 for a generated SQLite app. See
/// [`Shedding`]. A warning says so when it starts and at most every 10 s while it lasts, with
/// a count.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let token = state.shutdown.clone();
    let mut listener = Shedding::new(listener);
    // Counted once the listener holds its reserve, so the reserve is part of the headroom.
    if let Some(cap) = headroom::Cap::for_app(&state.db) {
        tracing::debug!(
            limit = cap.limit,
            headroom = cap.headroom,
            connections = cap.connections,
            "connections beyond the cap (open-file limit less headroom) get 503"
        );
        // Below the headroom the floor of the cap eats into what the database and static
        // files need: say so once, with the fix, rather than let them fail one by one.
        if cap.limit < cap.headroom + 64 {
            tracing::warn!(
                limit = cap.limit,
                needed = cap.headroom + 64,
                "the open-file limit (ulimit -n) leaves this app too few descriptors: pages and \
                 database connections may fail with \"too many open files\"; raise it (e.g. \
                 ulimit -n 4096)"
            );
        }
        listener = listener.cap(cap.connections);
    }
    let listener = listener.tap_io(|connection| {
        if let Err(error) = connection.tcp().set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(token.clone().cancelled_owned());
    let server = std::future::IntoFuture::into_future(server);
    tokio::pin!(server);
    let finished = tokio::select! {
        result = &mut server => Some(result),
        () = shutdown => None,
    };
    token.cancel();
    let deadline = tokio::time::Instant::now() + state.config.shutdown_timeout;
    let result = match finished {
        Some(result) => result,
        None => tokio::time::timeout_at(deadline, server)
            .await
            .unwrap_or_else(|_| {
                tracing::warn!("shutdown timeout: abandoning open requests");
                Ok(())
            }),
    };
    state.tasks.close();
    if tokio::time::timeout_at(deadline, state.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            tasks = state.tasks.len(),
            "shutdown timeout: abandoning tracked tasks"
        );
    }
    result.map_err(Error::Server)
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what `kill` and service managers send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
