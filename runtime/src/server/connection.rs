//! Accepted connections, counted while they are open, so the listener knows how many
//! descriptors its sockets hold.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How many connections a listener accepted that are still open; clones share the count.
#[derive(Clone, Debug, Default)]
pub(super) struct OpenCount(Arc<AtomicUsize>);

impl OpenCount {
    /// The connections open now.
    pub(super) fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts `tcp` as open until the returned [`Connection`] is dropped.
    pub(super) fn track(&self, tcp: TcpStream) -> Connection {
        self.0.fetch_add(1, Ordering::Relaxed);
        Connection {
            tcp,
            open: self.clone(),
        }
    }
}

/// An accepted TCP connection, counted as open by its listener ([`Shedding`](super::Shedding))
/// until it is dropped. A WebSocket keeps it: hyper's upgrade takes the connection over, so it
/// counts until the WebSocket closes.
#[derive(Debug)]
pub struct Connection {
    tcp: TcpStream,
    open: OpenCount,
}

impl Connection {
    /// The socket (for options such as `TCP_NODELAY`).
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.open.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn a_connection_counts_until_dropped_and_passes_bytes_both_ways() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let open = OpenCount::default();
        let mut clients = Vec::new();
        let mut connections = Vec::new();
        for _ in 0..3 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            connections.push(open.track(listener.accept().await.unwrap().0));
        }
        assert_eq!(open.get(), 3);

        connections[0].write_all(b"ping").await.unwrap();
        let mut got = [0; 4];
        clients[0].read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");
        clients[0].write_all(b"pong").await.unwrap();
        connections[0].read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"pong");

        drop(connections.remove(1));
        assert_eq!(open.get(), 2);
        drop(connections);
        assert_eq!(open.get(), 0);
    }
}
