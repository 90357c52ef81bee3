//! The route: the handshake checks, `on_open`, then the upgrade with the configured limits.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::ORIGIN;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::task_tracker::{TaskTracker, TaskTrackerToken};

use super::context::Context;
use super::driver::Driver;
use super::handshake::{self, Rejection};
use super::origin::{origin_allowed, origin_listed};
use super::{Endpoint, WebSocketSettings};
use crate::config;
use crate::session::HttpSession;
use crate::state::AppState;

/// The route for endpoint `E`: `.route("/chat", endpoint::<ChatEndpoint>())`.
///
/// Answers the WebSocket handshake (RFC 6455 §4.2) with `101 Switching Protocols`, or before
/// any upgrade: `405` for a method other than `GET`, `426` with `Upgrade: websocket` for a
/// plain HTTP request, `426` with `Sec-WebSocket-Version: 13` for another protocol version,
/// `400` for a missing, repeated or malformed `Sec-WebSocket-Key`, a missing or repeated
/// `Host`, or HTTP/1.0, `403` for a foreign or repeated `Origin` or when
/// [`Endpoint::on_open`] returns `false`, `500` when it fails. Needs the
/// peer address, which [`serve`](crate::serve) provides (`ConnectInfo<SocketAddr>`).
///
/// Also records `E::Settings`, so every config loaded from then on reads and checks them
/// (see [`Settings`](crate::config::Settings)).
pub fn endpoint<E: Endpoint>() -> MethodRouter<AppState> {
    config::register::<E::Settings>();
    axum::routing::get(answer::<E>)
}

/// Checks the handshake and the origin, runs `on_open`, and answers 101 (or the refusal).
async fn answer<E: Endpoint>(State(state): State<AppState>, request: Request) -> Response {
    let (mut request, _body) = request.into_parts();
    let accept = match handshake::check(&request) {
        Ok(accept) => accept,
        Err(rejection) => return rejection.into_response(),
    };
    let Some(on_upgrade) = request.extensions.remove::<OnUpgrade>() else {
        return Rejection::NotUpgradable.into_response();
    };
    let Some(&ConnectInfo(peer)) = request.extensions.get::<ConnectInfo<SocketAddr>>() else {
        tracing::error!("WebSocket endpoints need the peer address: serve the app with `serve`");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let settings = &state.config.websocket;
    let headers = &request.headers;
    let trusted = origin_allowed(headers, &request.uri, &settings.allowed_origins)
        || origin_listed(headers, &state.config.allowed_origins);
    if !trusted {
        tracing::warn!(%peer, origin = ?headers.get(ORIGIN), "WebSocket handshake from a foreign origin refused");
        return StatusCode::FORBIDDEN.into_response();
    }
    let http_session = HttpSession::from_headers(headers, &state.config.session_key);
    // on_open runs in a task of its own, so a client leaving meanwhile (hyper then drops this
    // future) cannot cut it short; what it accepted then gets on_close (see `Accepted`).
    let (answer, answered) = oneshot::channel();
    state
        .tasks
        .spawn(open::<E>(state.clone(), peer, http_session, answer));
    let accepted = match answered.await {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(status)) => return status.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(), // on_open panicked
    };
    let config = socket_config(settings);
    state.tasks.spawn(accepted.run(on_upgrade, config, peer));
    handshake::switching_protocols(&accept)
}

/// The framing limits of `[websocket]`: a message or a single frame over
/// `max_message_size` is refused with 1009.
fn socket_config(settings: &WebSocketSettings) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(settings.read_buffer_size)
        .write_buffer_size(settings.write_buffer_size)
        .max_message_size(Some(settings.max_message_size))
        .max_frame_size(Some(settings.max_message_size))
}

/// Registers the connection and runs `on_open`; answers the accepted connection, or the
/// status refusing it.
async fn open<E: Endpoint>(
    state: AppState,
    peer: SocketAddr,
    http_session: HttpSession,
    answer: oneshot::Sender<Result<Accepted<E>, StatusCode>>,
) {
    // Loaded with the config when the routes were built first (as `run` does), so this
    // fails only for settings first read now (see `Settings`).
    let settings = match state.config.settings::<E::Settings>() {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%peer, %error, "the endpoint's settings could not be read");
            let _ = answer.send(Err(StatusCode::INTERNAL_SERVER_ERROR));
            return;
        }
    };
    let (registration, queue) = state.hub.register();
    let mut ctx = Context::new(
        registration,
        state.clone(),
        settings,
        peer,
        http_session.clone(),
    );
    let mut endpoint = E::default();
    let result = match endpoint.on_open(&mut ctx, &http_session).await {
        Ok(true) => {
            state.hub.opened(ctx.id());
            Ok(Accepted {
                driver: Some(Driver::new(endpoint, ctx, queue)),
                tasks: state.tasks.clone(),
                shutdown: state.shutdown.clone(),
                _token: state.tasks.token(),
            })
        }
        Ok(false) => {
            tracing::debug!(conn_id = %ctx.id(), %peer, "on_open refused the connection");
            Err(StatusCode::FORBIDDEN)
        }
        Err(error) => {
            tracing::error!(conn_id = %ctx.id(), %peer, %error, "on_open failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR)
        }
    };
    // If the handshake is gone, the unsent `Accepted` is dropped here: on_close(1006).
    let _ = answer.send(result);
}

/// A connection `on_open` accepted, from then until its driver ends. It counts as a task of
/// [`AppState::tasks`] all along, so shutdown waits for it. If the socket never comes (the
/// client left during `on_open` or after the 101, or the upgrade failed), dropping it runs
/// `on_close` with 1006 on the tracker (and unregisters the connection), as for any dropped
/// connection.
struct Accepted<E: Endpoint> {
    driver: Option<Driver<E>>,
    tasks: TaskTracker,
    shutdown: CancellationToken,
    _token: TaskTrackerToken,
}

impl<E: Endpoint> Accepted<E> {
    /// Waits for hyper to hand over the connection (once the 101 is sent), then drives it.
    async fn run(mut self, on_upgrade: OnUpgrade, config: WebSocketConfig, peer: SocketAddr) {
        let upgraded = tokio::select! {
            upgraded = on_upgrade => upgraded,
            () = self.shutdown.cancelled() => return, // dropped: on_close(1006)
        };
        let upgraded = match upgraded {
            Ok(upgraded) => upgraded,
            Err(error) => {
                tracing::debug!(%peer, %error, "WebSocket upgrade failed");
                return; // dropped: on_close(1006)
            }
        };
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        if let Some(driver) = self.driver.take() {
            driver.run(socket).await;
        }
    }
}

impl<E: Endpoint> Drop for Accepted<E> {
    fn drop(&mut self) {
        let Some(driver) = self.driver.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                self.tasks.spawn_on(driver.abandon(), &handle);
            }
            Err(_) => tracing::warn!("WebSocket upgrade dropped outside the runtime: no on_close"),
        }
    }
}
