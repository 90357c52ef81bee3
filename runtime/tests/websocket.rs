//! WebSocket endpoints: handshake, pub/sub, and the HTTP session seen by `on_open`.
#![cfg(feature = "sqlite")]

mod common;
#[path = "common/ws.rs"]
mod ws;

use axum::body::Body;
use axum::http::header::{COOKIE, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, Request, StatusCode};
use tspawn_runtime::testing::WsError;
use tspawn_runtime::tower::ServiceExt;
use tspawn_runtime::{app, session_cookie, HttpSession};
use ws::{server, ROOM};

#[tokio::test]
async fn publish_reaches_every_subscriber_including_the_sender() {
    let (_root, server) = server().await;
    let mut alice = server.websocket("/chat").await.unwrap();
    assert_eq!(alice.texts_until("joined").await.unwrap(), ["history"]);
    let mut bob = server.websocket("/chat").await.unwrap();
    assert_eq!(bob.texts_until("joined").await.unwrap(), ["history"]);
    assert_eq!(alice.next_text().await.unwrap(), "joined");
    bob.send_text("hi").await.unwrap();
    assert_eq!(alice.next_text().await.unwrap(), "hi");
    assert_eq!(bob.next_text().await.unwrap(), "hi", "the sender too");
    assert_eq!(server.state.hub.subscriber_count(ROOM), 2);
    bob.close().await.unwrap();
    alice.send_text("still here").await.unwrap();
    assert_eq!(alice.next_text().await.unwrap(), "still here");
    assert_eq!(server.state.hub.subscriber_count(ROOM), 1);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_topic_goes_away_with_its_last_subscriber() {
    let (_root, server) = server().await;
    let mut alice = server.websocket("/chat").await.unwrap();
    alice.skip_until("joined").await.unwrap();
    assert_eq!(server.state.hub.topics(), [ROOM]);
    alice.send_text("leave").await.unwrap();
    assert_eq!(alice.next_text().await.unwrap(), "left");
    assert!(server.state.hub.topics().is_empty());
    alice.close().await.unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    while server.state.hub.connection_count() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(server.state.hub.connection_count(), 0);
}

#[tokio::test]
async fn a_refused_or_foreign_handshake_gets_403_before_the_upgrade() {
    let (_root, server) = server().await;
    let refused = server.websocket("/refuse").await.unwrap_err();
    assert!(
        matches!(refused, WsError::Refused(StatusCode::FORBIDDEN)),
        "{refused:?}"
    );
    assert_eq!(server.state.hub.connection_count(), 0);

    let origin = |value: &str| HeaderMap::from_iter([(ORIGIN, value.parse().unwrap())]);
    let foreign = server
        .websocket_with("/chat", origin("http://evil.example"))
        .await;
    assert!(matches!(
        foreign,
        Err(WsError::Refused(StatusCode::FORBIDDEN))
    ));
    let same = origin(&format!("http://{}", server.addr));
    server.websocket_with("/chat", same).await.unwrap();
    let listed = origin("http://allowed.example");
    server.websocket_with("/chat", listed).await.unwrap();
    server.websocket("/chat").await.unwrap();

    let plain = Request::get("/chat").body(Body::empty()).unwrap();
    let router = app(ws::routes(), server.state.clone());
    let status = router.oneshot(plain).await.unwrap().status();
    assert!(
        status.is_client_error(),
        "a plain GET is rejected by axum: {status}"
    );
}

#[tokio::test]
async fn a_failing_handler_closes_with_1011() {
    let (_root, server) = server().await;
    let mut client = server.websocket("/chat").await.unwrap();
    client.send_text("fail").await.unwrap();
    assert_eq!(client.close_code().await.unwrap(), Some(1011));
}

#[tokio::test]
async fn a_panicking_handler_closes_with_1011_and_on_close_still_runs() {
    let (_root, server) = server().await;
    let mut listener = server.websocket("/listener").await.unwrap();
    let mut client = server.websocket("/panicky").await.unwrap();
    client.send_text("boom").await.unwrap();
    assert_eq!(client.close_code().await.unwrap(), Some(1011));
    listener.skip_until("panicked 1011").await.unwrap();
}

#[tokio::test]
async fn on_open_reads_the_session_a_controller_wrote_and_ignores_tampering() {
    let (_root, server) = server().await;
    let config = server.state.config.clone();
    let login = move || async move {
        let mut session = HttpSession::new();
        session.insert("user", "alice");
        [(SET_COOKIE, session_cookie(&config, &session).to_string())]
    };
    let routes = ws::routes().route("/login", axum::routing::post(login));
    let request = Request::post("/login").body(Body::empty()).unwrap();
    let response = app(routes, server.state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    assert!(cookie.starts_with("tspawn_session="), "{set_cookie}");

    let with_cookie = |value: &str| HeaderMap::from_iter([(COOKIE, value.parse().unwrap())]);
    let mut client = server
        .websocket_with("/whoami", with_cookie(&cookie))
        .await
        .unwrap();
    assert_eq!(client.next_text().await.unwrap(), "alice");

    let tampered = cookie.replace("alice", "admin");
    assert_ne!(tampered, cookie);
    let mut client = server
        .websocket_with("/whoami", with_cookie(&tampered))
        .await
        .unwrap();
    assert_eq!(client.next_text().await.unwrap(), "anonymous");
    let mut client = server.websocket("/whoami").await.unwrap();
    assert_eq!(client.next_text().await.unwrap(), "anonymous");
}
