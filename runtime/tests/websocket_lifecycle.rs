//! WebSocket lifecycle: the close handshake, what a newcomer receives first, an upgrade
//! that never completes, and keep-alive on a busy topic.
#![cfg(feature = "sqlite")]

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tspawn_runtime::testing::{WsError, WsMessage};
use tspawn_runtime::tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as Wire;
use tspawn_runtime::tokio_tungstenite::tungstenite::protocol::CloseFrame;
use ws::{server, ROOM};

#[tokio::test]
async fn a_peer_close_is_answered_before_the_socket_goes() {
    let (_root, server) = server().await;
    let mut client = server.websocket("/whoami").await.unwrap();
    client.skip_until("anonymous").await.unwrap();
    let frame = CloseFrame {
        code: Wire::Normal,
        reason: "bye".into(),
    };
    client.send(WsMessage::Close(Some(frame))).await.unwrap();
    let reply = loop {
        match client.next_message().await.unwrap() {
            WsMessage::Close(frame) => break frame,
            WsMessage::Ping(_) | WsMessage::Pong(_) => {}
            other => panic!("expected the close reply, got {other:?}"),
        }
    };
    assert_eq!(reply.map(|f| u16::from(f.code)), Some(1000));
    assert!(
        matches!(client.next_message().await, Err(WsError::Closed(None))),
        "then the stream ends cleanly"
    );
}

#[tokio::test]
async fn a_newcomer_gets_what_on_open_sent_before_what_others_published_meanwhile() {
    let (_root, server) = server().await;
    let mut alice = server.websocket("/chat").await.unwrap();
    alice.skip_until("joined").await.unwrap();
    let url = server.url("/history");
    let newcomer = tokio::spawn(async move {
        let url = url.replacen("http", "ws", 1);
        let (stream, _) = tspawn_runtime::tokio_tungstenite::connect_async(url).await?;
        Ok::<_, tspawn_runtime::tokio_tungstenite::tungstenite::Error>(stream)
    });
    let hub = &server.state.hub;
    let deadline = Instant::now() + Duration::from_secs(2);
    while hub.subscriber_count(ROOM) < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    alice.send_text("during").await.unwrap(); // published while the newcomer's on_open sleeps
    assert_eq!(alice.next_text().await.unwrap(), "during");
    let mut newcomer = newcomer.await.unwrap().unwrap();
    let mut texts = Vec::new();
    while texts.len() < 3 {
        use futures_util::StreamExt;
        let message = tokio::time::timeout(Duration::from_secs(5), newcomer.next()).await;
        if let WsMessage::Text(text) = message.unwrap().unwrap().unwrap() {
            texts.push(text.as_str().to_owned());
        }
    }
    assert_eq!(texts, ["h1", "h2", "during"]);
}

#[tokio::test]
async fn a_client_gone_before_the_upgrade_still_gets_on_close() {
    let (_root, server) = server().await;
    let mut alice = server.websocket("/chat").await.unwrap();
    alice.skip_until("joined").await.unwrap();
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET /slow-open HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        server.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    assert_eq!(alice.next_text().await.unwrap(), "opening");
    drop(tcp); // gone while on_open runs, before the 101
    assert_eq!(alice.next_text().await.unwrap(), "closed 1006");
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.state.hub.connection_count() > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.state.hub.connection_count(), 1, "only alice is left");
}

#[tokio::test]
async fn keep_alive_closes_a_silent_peer_on_a_busy_topic_within_two_intervals() {
    let (_root, server) = server().await;
    // Never reads (so never answers pings), but sends pongs that answer nothing.
    let mut silent = server.websocket("/listener").await.unwrap();
    let started = Instant::now();
    let hub = server.state.hub.clone();
    let mut published = 0;
    while started.elapsed() < Duration::from_millis(2600) {
        hub.publish(ROOM, format!("{published}"));
        published += 1;
        if published % 100 == 0 {
            silent.send(WsMessage::Pong("x".into())).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut pings = 0;
    let close = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match silent.next_message().await.unwrap() {
                WsMessage::Close(frame) => break frame.map(|f| u16::from(f.code)),
                WsMessage::Ping(_) => pings += 1,
                _ => {}
            }
        }
    });
    let code = close.await.expect("closed by now (within ~2 intervals)");
    assert_eq!(code, Some(1001), "keep-alive timeout");
    assert_eq!(pings, 1, "closed one interval after the unanswered ping");
    assert_eq!(hub.subscriber_count(ROOM), 0);
}

/// `on_close` runs once the close frame is out; the server then lingers (2 s at most) for a
/// peer that keeps its socket open, without holding back the leave notice.
#[tokio::test]
async fn on_close_does_not_wait_for_a_peer_that_keeps_its_socket_open() {
    let (_root, server) = server().await;
    let mut alice = server.websocket("/chat").await.unwrap();
    alice.skip_until("joined").await.unwrap();
    let mut big = server.websocket("/slow-open").await.unwrap();
    alice.skip_until("opening").await.unwrap();
    let _ = big.send_text(&"x".repeat(2000)).await; // max_message_size is 1024
    assert_eq!(big.close_code().await.unwrap(), Some(1009));
    alice.skip_until("closed 1009").await.unwrap();
    let hub = &server.state.hub;
    assert_eq!(
        hub.connection_count(),
        2,
        "the server still lingers for big"
    );
    drop(big);
    let deadline = Instant::now() + Duration::from_secs(2);
    while hub.connection_count() > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(hub.connection_count(), 1, "gone once big closed its socket");
}
