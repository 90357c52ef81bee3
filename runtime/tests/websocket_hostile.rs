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
