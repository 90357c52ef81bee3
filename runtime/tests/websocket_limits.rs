//! WebSocket limits: message size, UTF-8, protocol errors, keep-alive, slow consumers,
//! and shutdown.
#![cfg(feature = "sqlite")]

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use tspawn_runtime::testing::WsMessage;
use tspawn_runtime::tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tspawn_runtime::tokio_tungstenite::tungstenite::protocol::frame::Frame;
use ws::{server, ROOM};

#[tokio::test]
async fn bad_input_is_closed_with_its_code() {
    let (_root, server) = server().await;
    let mut big = server.websocket("/whoami").await.unwrap();
    let _ = big.send_text(&"x".repeat(2000)).await; // max_message_size is 1024
    assert_eq!(big.close_code().await.unwrap(), Some(1009));

    let mut invalid = server.websocket("/whoami").await.unwrap();
    let frame = Frame::message(vec![0xff, 0xfe], OpCode::Data(Data::Text), true);
    invalid.send(WsMessage::Frame(frame)).await.unwrap();
    assert_eq!(invalid.close_code().await.unwrap(), Some(1007));

    let mut malformed = server.websocket("/whoami").await.unwrap();
    let frame = Frame::message(vec![1], OpCode::Data(Data::Reserved(3)), true);
    malformed.send(WsMessage::Frame(frame)).await.unwrap();
    assert_eq!(malformed.close_code().await.unwrap(), Some(1002));

    let mut fine = server.websocket("/whoami").await.unwrap();
    fine.send_text(&"y".repeat(1000)).await.unwrap();
    assert_eq!(
        fine.texts_until(&"y".repeat(1000)).await.unwrap(),
        ["anonymous"]
    );
}

#[tokio::test]
async fn keep_alive_pings_and_closes_a_silent_peer_within_two_intervals() {
    let (_root, server) = server().await;
    let mut silent = server.websocket("/whoami").await.unwrap(); // never read: no pongs
    let mut live = server.websocket("/whoami").await.unwrap();
    let started = Instant::now();
    loop {
        if let WsMessage::Ping(_) = live.next_message().await.unwrap() {
            break;
        }
    }
    assert!(started.elapsed() < Duration::from_millis(1500));
    while let Some(left) = Duration::from_millis(3000).checked_sub(started.elapsed()) {
        if let Ok(message) = tokio::time::timeout(left, live.next_message()).await {
            message.unwrap(); // reading answers the pings
        }
    }
    live.send_text("still open").await.unwrap();
    live.skip_until("still open").await.unwrap();
    let mut seen = Vec::new();
    let code = loop {
        match silent.next_message().await.unwrap() {
            WsMessage::Close(frame) => break frame.map(|f| u16::from(f.code)),
            other => seen.push(other),
        }
    };
    assert_eq!(code, Some(1001), "after {seen:?}");
    let pings = seen
        .iter()
        .filter(|m| matches!(m, WsMessage::Ping(_)))
        .count();
    assert_eq!(pings, 1, "closed at the tick after the unanswered ping");
}

#[tokio::test]
async fn a_slow_subscriber_is_closed_without_stalling_the_others() {
    let (_root, server) = server().await;
    let mut slow = server.websocket("/chat").await.unwrap(); // never read until the end
    let mut fast = server.websocket("/chat").await.unwrap();
    fast.skip_until("joined").await.unwrap();
    let padding = "p".repeat(16 * 1024);
    let hub = &server.state.hub;
    let mut published = 0;
    while hub.subscriber_count(ROOM) == 2 && published < 5000 {
        let text = format!("{published} {padding}");
        hub.publish(ROOM, text.clone());
        assert_eq!(fast.next_text().await.unwrap(), text);
        published += 1;
    }
    assert_eq!(
        hub.subscriber_count(ROOM),
        1,
        "the slow one left after {published}"
    );
    assert_eq!(slow.close_code().await.unwrap(), Some(1008));
    fast.send_text("after").await.unwrap();
    assert_eq!(fast.next_text().await.unwrap(), "after");
}

#[tokio::test]
async fn shutdown_sends_1001_and_serve_returns() {
    let (_root, server) = server().await;
    let mut client = server.websocket("/chat").await.unwrap();
    client.skip_until("joined").await.unwrap();
    let started = Instant::now();
    let hub = server.state.hub.clone();
    let (code, served) = tokio::join!(client.close_code(), server.shutdown());
    assert_eq!(code.unwrap(), Some(1001));
    served.unwrap();
    assert_eq!(hub.connection_count(), 0, "the driver ran to its end");
    assert!(started.elapsed() < Duration::from_secs(2));
}
