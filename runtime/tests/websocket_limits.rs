//! WebSocket limits: message size, UTF-8, protocol errors, keep-alive, slow consumers,
//! and shutdown.
#![cfg(feature = "sqlite")]

mod common;
#[path = "common/raw.rs"]
mod raw;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tspawn_runtime::testing::{WsClient, WsMessage, READ_TIMEOUT};
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

/// One text frame of 16 MiB against the default 64 KiB limit, uploaded in 256 KiB pieces:
/// the server refuses it at the frame header, while the client is still sending. The
/// client must be able to finish its upload and read the close frame with 1009, then a
/// clean end of stream, every time; a server that drops the socket with input unread makes
/// the kernel send a reset, which fails the client's write (a browser's 1006).
#[tokio::test]
async fn a_single_huge_frame_gets_1009_every_time() {
    let (_root, server) = ws::server_with("").await;
    let size = 16 << 20;
    let mut upload = vec![raw::frame_header(0x1, size)];
    upload.extend((0..size / (256 << 10)).map(|_| vec![b'x'; 256 << 10]));
    let mut codes = Vec::new();
    for _ in 0..20 {
        let outcome = raw::upload(&server, "/whoami", upload.clone()).await;
        codes.push(outcome.clean_close_code().ok_or(outcome));
    }
    let clean = codes.iter().filter(|c| matches!(c, Ok(1009))).count();
    assert_eq!(clean, 20, "1009 in {clean} of 20 tries: {codes:?}");
}

/// Refused input while the client keeps sending valid messages after it: the close code
/// still arrives, cleanly.
#[tokio::test]
async fn refused_input_gets_its_code_while_the_client_keeps_sending() {
    let (_root, server) = ws::server_with("").await;
    let mut invalid_utf8 = raw::frame_header(0x1, 2);
    invalid_utf8.extend([0xff, 0xfe]);
    let mut reserved_opcode = raw::frame_header(0x3, 1);
    reserved_opcode.push(1);
    let mut binary = raw::frame_header(0x2, 60_000);
    binary.resize(binary.len() + 60_000, b'z');
    for (bad, code) in [(invalid_utf8, 1007), (reserved_opcode, 1002)] {
        for _ in 0..5 {
            let mut upload = vec![bad.clone()];
            upload.extend(std::iter::repeat_n(binary.clone(), 100));
            let outcome = raw::upload(&server, "/whoami", upload).await;
            assert_eq!(outcome.clean_close_code(), Some(code), "{outcome:?}");
        }
    }
}

/// Three clients on an endpoint that stores each message (into SQLite) before
/// publishing it; one pipelines 5,000 messages of 100 bytes while reading everything. It
/// gets backpressure, not 1008 "too slow", and every client receives all 5,000 in order.
#[tokio::test]
async fn a_pipelining_sender_that_reads_is_never_closed() {
    const COUNT: usize = 5000;
    let (_root, server) = ws::server_with("").await;
    let mut listeners = Vec::new();
    for _ in 0..2 {
        listeners.push(server.websocket("/store").await.unwrap());
    }
    let (mut write, mut read) = raw::raw_client(&server, "/store").await.split();
    while server.state.hub.subscriber_count("store") < 3 {
        tokio::task::yield_now().await;
    }
    let text = |n: usize| format!("{n:05} {}", "m".repeat(94));
    let sending = tokio::spawn(async move {
        for n in 0..COUNT {
            write.feed(WsMessage::text(text(n))).await?;
        }
        write.flush().await
    });
    let sender = async {
        let mut texts = Vec::new();
        while texts.len() < COUNT {
            let next = tokio::time::timeout(READ_TIMEOUT, read.next()).await;
            match next.expect("a message within READ_TIMEOUT") {
                Some(Ok(WsMessage::Text(t))) => texts.push(t.as_str().to_owned()),
                Some(Ok(WsMessage::Close(frame))) => panic!("sender closed: {frame:?}"),
                other => panic!("sender got {other:?} after {} messages", texts.len()),
            }
        }
        texts
    };
    let listen = |mut client: WsClient| async move {
        let mut texts = Vec::new();
        while texts.len() < COUNT {
            texts.push(client.next_text().await.unwrap());
        }
        texts
    };
    let mut listeners = listeners.into_iter();
    let (sender, a, b) = tokio::join!(
        sender,
        listen(listeners.next().unwrap()),
        listen(listeners.next().unwrap())
    );
    let expected: Vec<String> = (0..COUNT).map(text).collect();
    assert!(
        sender == expected,
        "the sender got all of its messages, in order"
    );
    assert!(a == expected && b == expected, "so did the listeners");
    sending.await.unwrap().unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(stored, COUNT as i64);
}
