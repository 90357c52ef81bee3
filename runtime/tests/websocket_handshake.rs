//! The opening handshake over real TCP: RFC 6455 §4.2.1 checks with the status each fault
//! gets, and the same-origin rule of RFC 6454 (default ports filled in).
#![cfg(feature = "sqlite")]

mod common;
#[path = "common/ws.rs"]
mod ws;

use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tspawn_runtime::testing::{TestServer, WsError};

/// Sends `request` (with `\r\n` line ends added) and returns the response head, lowercase.
async fn exchange(server: &TestServer, request: &[&str]) -> String {
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!("{}\r\n\r\n", request.join("\r\n"));
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0];
        if tcp.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap().to_ascii_lowercase()
}

/// A handshake to `/chat` with `version` and `key`, plus `extra` header lines.
fn handshake<'a>(
    method: &'a str,
    version: &'a str,
    key: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut lines = vec![
        method,
        "Host: 127.0.0.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
    ];
    lines.extend([version, key]);
    lines.extend(extra);
    lines
}

const GET: &str = "GET /chat HTTP/1.1";
const V13: &str = "Sec-WebSocket-Version: 13";
const KEY: &str = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";

#[tokio::test]
async fn a_valid_handshake_gets_101_with_the_accept_key() {
    let (_root, server) = ws::server().await;
    let head = exchange(&server, &handshake(GET, V13, KEY, &[])).await;
    assert!(head.starts_with("http/1.1 101 "), "{head}");
    assert!(head.contains("\r\nupgrade: websocket\r\n"), "{head}");
    // RFC 6455 §1.3's example key and answer.
    assert!(
        head.contains("\r\nsec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"),
        "{head}"
    );
}

#[tokio::test]
async fn each_bad_handshake_gets_the_status_that_says_what_to_do() {
    let (_root, server) = ws::server().await;
    let wrong_version = exchange(
        &server,
        &handshake(GET, "Sec-WebSocket-Version: 8", KEY, &[]),
    )
    .await;
    assert!(
        wrong_version.starts_with("http/1.1 426 "),
        "{wrong_version}"
    );
    assert!(
        wrong_version.contains("\r\nsec-websocket-version: 13\r\n"),
        "{wrong_version}"
    );

    let plain = exchange(&server, &[GET, "Host: 127.0.0.1"]).await;
    assert!(plain.starts_with("http/1.1 426 "), "{plain}");
    assert!(plain.contains("\r\nupgrade: websocket\r\n"), "{plain}");

    let no_token = handshake(GET, V13, KEY, &[]);
    let no_token: Vec<&str> = no_token
        .into_iter()
        .filter(|l| !l.starts_with("Connection"))
        .collect();
    let head = exchange(&server, &no_token).await;
    assert!(head.starts_with("http/1.1 426 "), "{head}");

    let bad_key = exchange(&server, &handshake(GET, V13, "Sec-WebSocket-Key: x", &[])).await;
    assert!(bad_key.starts_with("http/1.1 400 "), "{bad_key}");

    let post = exchange(
        &server,
        &handshake("POST /chat HTTP/1.1", V13, KEY, &["Content-Length: 0"]),
    )
    .await;
    assert!(post.starts_with("http/1.1 405 "), "{post}");
    assert_eq!(server.state.hub.connection_count(), 0, "on_open never ran");
}

/// RFC 6454: `Host: 127.0.0.1:80` and `Origin: http://127.0.0.1` are the same origin.
#[tokio::test]
async fn same_origin_fills_in_default_ports() {
    let (_root, server) = ws::server().await;
    let headers = |host: &str, origin: &str| {
        HeaderMap::from_iter([
            (HOST, host.parse().unwrap()),
            (ORIGIN, origin.parse().unwrap()),
        ])
    };
    let mut client = server
        .websocket_with("/chat", headers("127.0.0.1:80", "http://127.0.0.1"))
        .await
        .expect("101 for the same origin");
    client.skip_until("joined").await.unwrap();
    server
        .websocket_with("/chat", headers("localhost", "http://LOCALHOST:80"))
        .await
        .expect("101: a Host without a port has http's");
    for (host, origin) in [
        ("127.0.0.1:8800", "null"),
        ("127.0.0.1:8800", "http://127.0.0.1"),
        ("127.0.0.1:8800", "http://127.0.0.1:8801"),
        ("127.0.0.1:8800", "http://127.0.0.1.evil.com:8800"),
        ("127.0.0.1:8800", "http://evil.com:8800"),
        ("127.0.0.1:80", "https://127.0.0.1"),
        ("127.0.0.1:8800", "garbage"),
    ] {
        let refused = server.websocket_with("/chat", headers(host, origin)).await;
        assert!(
            matches!(refused, Err(WsError::Refused(StatusCode::FORBIDDEN))),
            "Host {host}, Origin {origin}: {refused:?}"
        );
    }
}

/// Headers RFC 6455 wants once given twice or not at all: `Host` (RFC 9112 §3.2) and
/// `Sec-WebSocket-Key` (§11.3.1) get 400, two `Origin`s (RFC 6454 §7.3) 403, even when the
/// first one would pass.
#[tokio::test]
async fn headers_that_must_appear_once_are_refused_twice_or_missing() {
    let (_root, server) = ws::server().await;
    let no_host: Vec<&str> = handshake(GET, V13, KEY, &[])
        .into_iter()
        .filter(|l| !l.starts_with("Host"))
        .collect();
    let origin = "Origin: http://127.0.0.1";
    for (request, status) in [
        (no_host, "400"),
        (handshake(GET, V13, KEY, &["Host: evil.example"]), "400"),
        (
            handshake(
                GET,
                V13,
                KEY,
                &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="],
            ),
            "400",
        ),
        (
            handshake(GET, V13, KEY, &[origin, "Origin: http://evil.example"]),
            "403",
        ),
        (handshake(GET, V13, KEY, &[origin]), "101"),
    ] {
        let head = exchange(&server, &request).await;
        assert!(
            head.starts_with(&format!("http/1.1 {status} ")),
            "{request:?}: {head}"
        );
    }
}
