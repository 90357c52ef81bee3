//! The handshake: origin check, `on_open`, then the upgrade with the configured limits.

use std::net::SocketAddr;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tokio::sync::oneshot;
use tokio_util::task::task_tracker::{TaskTracker, TaskTrackerToken};

use super::context::Context;
use super::driver::Driver;
use super::Endpoint;
use crate::session::HttpSession;
use crate::state::AppState;

/// The route for endpoint `E`: `.route("/chat", endpoint::<ChatEndpoint>())`.
///
/// Answers `GET` with the WebSocket handshake: `403` for a foreign `Origin` or when
/// [`Endpoint::on_open`] returns `false`, `500` when it fails, axum's usual rejection for a
/// request without upgrade headers. Needs the peer address, which [`serve`](crate::serve)
/// provides (`ConnectInfo<SocketAddr>`).
pub fn endpoint<E: Endpoint>() -> MethodRouter<AppState> {
    axum::routing::get(handshake::<E>)
}

async fn handshake<E: Endpoint>(
    upgrade: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let settings = &state.config.websocket;
    if !origin_allowed(&headers, &uri, &settings.allowed_origins) {
        tracing::warn!(%peer, origin = ?headers.get(ORIGIN), "WebSocket handshake from a foreign origin refused");
        return StatusCode::FORBIDDEN.into_response();
    }
    let http_session = HttpSession::from_headers(&headers, &state.config.session_key);
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
    upgrade
        .read_buffer_size(settings.read_buffer_size)
        .write_buffer_size(settings.write_buffer_size)
        .max_message_size(settings.max_message_size)
        .max_frame_size(settings.max_message_size)
        .on_failed_upgrade(move |error| tracing::debug!(%peer, %error, "WebSocket upgrade failed"))
        .on_upgrade(move |socket| accepted.run(socket))
}

/// Registers the connection and runs `on_open`; answers the accepted connection, or the
/// status refusing it.
async fn open<E: Endpoint>(
    state: AppState,
    peer: SocketAddr,
    http_session: HttpSession,
    answer: oneshot::Sender<Result<Accepted<E>, StatusCode>>,
) {
    let (registration, queue) = state.hub.register();
    let mut ctx = Context::new(registration, state.clone(), peer, http_session.clone());
    let mut endpoint = E::default();
    let result = match endpoint.on_open(&mut ctx, &http_session).await {
        Ok(true) => {
            state.hub.opened(ctx.id());
            Ok(Accepted {
                driver: Some(Driver::new(endpoint, ctx, queue)),
                tasks: state.tasks.clone(),
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
    _token: TaskTrackerToken,
}

impl<E: Endpoint> Accepted<E> {
    async fn run(mut self, socket: WebSocket) {
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

/// No `Origin` (a non-browser client), an origin naming the request's host (the `Host`
/// header, or the URI's authority over HTTP/2), or a listed one. Compared without case and
/// without a trailing `/`.
fn origin_allowed(headers: &HeaderMap, uri: &Uri, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = match headers.get(HOST) {
        Some(host) => host.to_str().ok(),
        None => uri.authority().map(|a| a.as_str()),
    };
    match (origin.split_once("://"), host) {
        (Some((_, authority)), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(axum::http::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), value.parse().unwrap());
        }
        map
    }

    fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
        super::origin_allowed(headers, &Uri::from_static("/chat"), allowed)
    }

    #[test]
    fn origins_must_match_the_host_or_the_list() {
        let listed = vec!["https://app.example.com".to_owned()];
        let host = (HOST, "127.0.0.1:8800");
        assert!(origin_allowed(&headers(std::slice::from_ref(&host)), &[]));
        let same = (ORIGIN, "http://127.0.0.1:8800");
        assert!(origin_allowed(&headers(&[host.clone(), same]), &[]));
        let foreign = (ORIGIN, "https://evil.example");
        assert!(!origin_allowed(&headers(&[host.clone(), foreign]), &listed));
        let other = (ORIGIN, "https://app.example.com");
        assert!(origin_allowed(
            &headers(&[host.clone(), other.clone()]),
            &listed
        ));
        assert!(!origin_allowed(&headers(&[host, other]), &[]));
        assert!(!origin_allowed(&headers(&[(ORIGIN, "null")]), &[]));
    }

    #[test]
    fn origins_are_normalised_and_http2_uses_the_authority() {
        let listed = vec!["HTTPS://App.Example.com/".to_owned()];
        let origin = headers(&[(ORIGIN, "https://app.example.com")]);
        assert!(origin_allowed(&origin, &listed));
        let h2 = Uri::from_static("https://chat.example.com/chat");
        let same = headers(&[(ORIGIN, "https://Chat.example.com")]);
        assert!(super::origin_allowed(&same, &h2, &[]));
        let foreign = headers(&[(ORIGIN, "https://evil.example")]);
        assert!(!super::origin_allowed(&foreign, &h2, &[]));
    }
}
