//! Hostile peers: what a client that breaks RFC 6455's rules, or floods the server, gets.
#![cfg(feature = "sqlite")]

mod common;
#[path = "common/raw.rs"]
mod raw;
#[path = "common/ws.rs"]
mod ws;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tspawn_runtime::testing::READ_TIMEOUT;

/// Pings flooding in from a peer that never reads the pongs: tungstenite buffers a pong for
/// each ping, so a server that kept reading would grow without bound (100+ MB for a few
/// seconds of flood). It must stop reading instead, until the peer reads: TCP then stops
/// the peer's writes, and 64 MiB of pings cannot all be written. Once the peer reads, the
/// flood goes through and the connection still closes cleanly.
#[tokio::test]
async fn a_ping_flood_that_never_reads_the_pongs_is_held_back() {
    const FLOOD: usize = 64 << 20;
    let (_root, server) = ws::server_with("").await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap(); // the pongs fill it at once
    let mut tcp = socket.connect(server.addr).await.unwrap();
    raw::handshake(&mut tcp, &server, "/chat").await; // no keep-alive
    let (mut read, mut write) = tcp.into_split();
    let mut ping = raw::frame_header(0x9, 125);
    ping.resize(ping.len() + 125, b'p');
    let burst = ping.repeat(1024);
    let mut flood = tokio::spawn(async move {
        for _ in 0..FLOOD / burst.len() {
            write.write_all(&burst).await?;
        }
        let mut close = raw::frame_header(0x8, 2);
        close.extend(1000u16.to_be_bytes());
        write.write_all(&close).await?;
        Ok::<_, std::io::Error>(write)
    });
    // Not a timing condition for the fixed server, which never reads the flood through
    // unless the peer reads; a server that buffers pongs takes well under a second.
    let stalled = tokio::time::timeout(Duration::from_secs(5), &mut flood).await;
    assert!(
        stalled.is_err(),
        "64 MiB of pings, pongs unread: {stalled:?}"
    );
    let mut received = Vec::new();
    let reading = tokio::time::timeout(READ_TIMEOUT * 4, read.read_to_end(&mut received));
    let ended = reading.await.expect("the flood ends").map(drop);
    let _write = flood
        .await
        .unwrap()
        .expect("every ping written once the pongs are read");
    let outcome = raw::Upload {
        written: Ok(()),
        received,
        ended,
    };
    assert_eq!(outcome.clean_close_code(), Some(1000));
}

/// A close frame with `code` and `reason`, as a client sends it.
fn close_frame(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut frame = raw::frame_header(0x8, 2 + reason.len());
    frame.extend(code.to_be_bytes());
    frame.extend(reason);
    frame
}

/// RFC 6455 §7.4: a close code no endpoint may send (1005, 1006, 1015, reserved, under 1000
/// or over 4999) is a protocol error, answered with 1002; a reason that is not UTF-8 with
/// 1007 (§8.1). Valid codes are echoed.
#[tokio::test]
async fn a_close_frame_with_a_forbidden_code_is_answered_with_1002() {
    let (_root, server) = ws::server().await;
    let cases = [
        (close_frame(1005, b""), 1002),
        (close_frame(1006, b""), 1002),
        (close_frame(1015, b""), 1002),
        (close_frame(1004, b""), 1002),
        (close_frame(2000, b""), 1002),
        (close_frame(999, b""), 1002),
        (close_frame(5000, b""), 1002),
        (close_frame(1000, &[0xff, 0xfe]), 1007),
        (close_frame(1000, &[b'x'; 124]), 1002), // a control frame over 125 bytes
        (close_frame(4000, b"bye"), 4000),
    ];
    for (frame, code) in cases {
        let outcome = raw::upload(&server, "/whoami", vec![frame.clone()]).await;
        assert_eq!(
            outcome.clean_close_code(),
            Some(code),
            "{frame:?}: {outcome:?}"
        );
    }
}

/// A client that sends its close frame, then (against RFC 6455 §5.5.1) keeps sending: it
/// still reads the reply and a clean end of stream; a server that dropped the socket with
/// that input unread would reset the connection, which fails the client's writes and can
/// discard the reply before the client reads it.
#[tokio::test]
async fn a_client_that_keeps_sending_after_its_close_still_reads_the_reply() {
    let (_root, server) = ws::server_with("").await;
    let mut binary = raw::frame_header(0x2, 60_000);
    binary.resize(binary.len() + 60_000, b'z');
    for _ in 0..5 {
        let mut upload = vec![close_frame(1000, b"")];
        upload.extend(std::iter::repeat_n(binary.clone(), 100));
        let outcome = raw::upload(&server, "/whoami", upload).await;
        assert_eq!(outcome.clean_close_code(), Some(1000), "{outcome:?}");
    }
}
