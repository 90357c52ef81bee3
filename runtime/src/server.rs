//! Building the app's router and serving it with graceful shutdown.
//!
//! [`serve`] takes a listener it did not bind and a shutdown future it did not choose, so the
//! binary passes a real socket and Ctrl-C/SIGTERM ([`shutdown_signal`]) while tests pass
//! `127.0.0.1:0` and a channel.

use std::future::Future;
use std::net::SocketAddr;

use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::error::{Error, Result};
use crate::state::AppState;

/// The app's `routes`, then the static files of `config.public_dir` for every path no route
/// matches (`/` serves `public/index.html`; a missing file is `404`), with one trace span per
/// request.
pub fn app(routes: Router<AppState>, state: AppState) -> Router {
    let files = ServeDir::new(&state.config.public_dir);
    routes
        .fallback_service(files)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves or `state.shutdown` is cancelled.
///
/// Then: the token is cancelled (so tracked tasks start closing), new connections stop, and
/// open requests and the tasks in `state.tasks` get `config.shutdown_timeout` in total to
/// finish; what is still running after that is abandoned with a warning. WebSocket
/// connections are tracked tasks: each sends close 1001 and runs its `on_close` first.
/// Accepted sockets get `TCP_NODELAY`, so small WebSocket frames are not held back by Nagle's
/// algorithm, and requests carry the peer address (`ConnectInfo<SocketAddr>`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let token = state.shutdown.clone();
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    if state.config.session_key.is_development() {
        tracing::warn!(
            env = %state.config.env,
            "no secret_key in the config: session cookies are signed with the public development key"
        );
    }
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
