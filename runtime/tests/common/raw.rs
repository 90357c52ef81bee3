//! Raw WebSocket clients for the limit tests: a tungstenite client that can be split, and a
//! hand-made client that uploads at a steady pace and sees resets the way a browser does.
#![allow(dead_code)] // each test file uses a part of it

use tspawn_runtime::testing::{self, TestServer};
use tspawn_runtime::tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

/// A plain tungstenite client on `path`, for tests that must write and read at once (split
/// it) or send more than [`testing::WsClient`] would.
pub async fn raw_client(
    server: &TestServer,
    path: &str,
) -> WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("ws://{}{path}", server.addr);
    connect_async(url).await.unwrap().0
}

/// What a raw client saw: whether all its writes went through, the bytes it read after the
/// handshake, and whether its input ended cleanly (end of stream, not a reset).
#[derive(Debug)]
pub struct Upload {
    pub written: std::io::Result<()>,
    pub received: Vec<u8>,
    pub ended: std::io::Result<()>,
}

impl Upload {
    /// The code of the server's close frame, if the exchange was clean: every write went
    /// through and the input ended without a reset. A browser reports a reset (or a failed
    /// write) as 1006, whatever it may have read before.
    pub fn clean_close_code(&self) -> Option<u16> {
        if self.written.is_err() || self.ended.is_err() {
            return None;
        }
        // Server frames are unmasked; the ones here are short (a 7-bit or 16-bit length).
        let mut rest = self.received.as_slice();
        while let [first, second, tail @ ..] = rest {
            let (len, tail) = match second & 0x7f {
                126 => (
                    usize::from(u16::from_be_bytes([tail[0], tail[1]])),
                    &tail[2..],
                ),
                len => (usize::from(len), tail),
            };
            if first & 0x0f == 0x8 {
                return Some(u16::from_be_bytes([tail[0], tail[1]]));
            }
            rest = &tail[len..];
        }
        None
    }
}

/// A client frame header (FIN set, masked with the all-zero key, which leaves the payload
/// as it is) for a payload of `len` bytes with `opcode`.
pub fn frame_header(opcode: u8, len: usize) -> Vec<u8> {
    let mut header = vec![0x80 | opcode];
    match len {
        0..=125 => header.push(0x80 | len as u8),
        126..=0xffff => {
            header.push(0x80 | 126);
            header.extend((len as u16).to_be_bytes());
        }
        _ => {
            header.push(0x80 | 127);
            header.extend((len as u64).to_be_bytes());
        }
    }
    header.extend([0, 0, 0, 0]);
    header
}

/// Sends a WebSocket handshake for `path` over `tcp` and reads the answer, which must be
/// `101 Switching Protocols`.
pub async fn handshake(tcp: &mut tokio::net::TcpStream, server: &TestServer, path: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        server.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    while !response.ends_with(b"\r\n\r\n") {
        let mut byte = [0];
        tcp.read_exact(&mut byte).await.unwrap();
        response.push(byte[0]);
    }
    assert!(response.starts_with(b"HTTP/1.1 101 "), "{response:?}");
}

/// Opens a WebSocket to `path` by hand, then writes `chunks` one by one, 1 ms apart (as a
/// slow uplink delivers a big upload), while reading whatever the server sends until the
/// end of the stream; then closes.
pub async fn upload(server: &TestServer, path: &str, chunks: Vec<Vec<u8>>) -> Upload {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    handshake(&mut tcp, server, path).await;
    let (mut read, mut write) = tcp.into_split();
    let writing = tokio::spawn(async move {
        for chunk in chunks {
            write.write_all(&chunk).await?;
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        write.shutdown().await
    });
    let mut received = Vec::new();
    let reading = tokio::time::timeout(testing::READ_TIMEOUT, read.read_to_end(&mut received));
    let ended = reading
        .await
        .expect("the server ends within READ_TIMEOUT")
        .map(drop);
    let written = writing.await.unwrap();
    Upload {
        written,
        received,
        ended,
    }
}
