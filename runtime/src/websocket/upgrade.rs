//! The handshake: origin check, `on_open`, then the upgrade with the configured limits.

use std::net::SocketAddr;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

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
    headers: HeaderMap,
) -> Response {
    let settings = &state.config.websocket;
    if !origin_allowed(&headers, &settings.allowed_origins) {
        tracing::warn!(%peer, origin = ?headers.get(ORIGIN), "WebSocket handshake from a foreign origin refused");
        return StatusCode::FORBIDDEN.into_response();
    }
    let http_session = HttpSession::from_headers(&headers, &state.config.session_key);
    let (registration, queue) = state.hub.register();
    let mut ctx = Context::new(registration, state.clone(), peer, http_session.clone());
    let mut endpoint = E::default();
    match endpoint.on_open(&mut ctx, &http_session).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(conn_id = %ctx.id(), %peer, "on_open refused the connection");
            return StatusCode::FORBIDDEN.into_response();
        }
        Err(error) => {
            tracing::error!(conn_id = %ctx.id(), %peer, %error, "on_open failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let driver = Driver::new(endpoint, ctx, queue);
    let tasks = state.tasks.clone();
    upgrade
        .read_buffer_size(settings.read_buffer_size)
        .write_buffer_size(settings.write_buffer_size)
        .max_message_size(settings.max_message_size)
        .max_frame_size(settings.max_message_size)
        .on_upgrade(move |socket| tasks.track_future(driver.run(socket)))
}

/// No `Origin` (a non-browser client), an origin naming the request's `Host`, or a listed
/// one.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
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
}
