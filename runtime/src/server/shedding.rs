//! The listener that refuses connections with `503` before the open-file limit and at it.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::connection::{Connection, OpenCount};

/// How often, at most, the refusals are logged while they go on.
const SHED_LOG_EVERY: Duration = Duration::from_secs(10);

/// What a refused connection is sent before it is closed.
const UNAVAILABLE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
    content-length: 43\r\nconnection: close\r\nretry-after: 1\r\n\r\n\
    503 Service Unavailable: too many clients\r\n";

/// A listener that refuses connections cleanly before the open-file limit, and at it.
///
/// **The cap** (set by [`Shedding::cap`]; [`serve`](crate::serve) sets it to the soft
/// `RLIMIT_NOFILE` less a headroom, see below): the listener counts the connections it
/// accepted that are still open (a [`Connection`] counts until dropped; a WebSocket until it
/// closes). While they number the cap or more, each new connection is accepted, answered
/// `503` and closed at once. The headroom keeps descriptors free for what else needs them
/// (the database pool, and a margin for static files and the logs), so the pool never fails
/// for want of one while sockets wait; it is the descriptors open when serving starts (`/proc/self/fd`),
/// plus what the database pool may open (its maximum connections times 3 for SQLite's
/// database, `-wal` and `-shm` files, times 1 for a server's socket), plus 64: about 110 for
/// a generated SQLite app (pool of 10), so at `ulimit -n 20000` it keeps 19,890 connections
/// (and at least a quarter of the limit, however low).
///
/// **The limit itself**, the last resort (something else took the descriptors, or no cap):
/// `accept(2)` fails with `EMFILE` (the process's limit) or `ENFILE` (the system's) when no
/// descriptor is free. The connection stays in the kernel's accept queue, so the listener
/// stays readable: axum's own loop logs an error and sleeps 1 s, taking at most one
/// connection a second, and the rest wait (their clients hang, then time out) or are dropped
/// by the kernel once the queue is full. This listener instead keeps one descriptor in
/// reserve (`/dev/null`, opened at start): at the limit it frees it, accepts the waiting
/// connection, answers `503` and closes it, then takes the reserve back. If the reserve
/// cannot be taken back (another task took the descriptor), it waits 100 ms between
/// attempts.
///
/// Either way the `503` is written only if the socket takes it at once, after reading and
/// dropping what the client already sent. A request that arrives after the close is answered
/// with a reset by the kernel: Linux clients still read the `503` received before it, other
/// systems may report only the reset. The accept queue drains, every client over the cap gets an answer at once, memory stays bounded and
/// nothing spins. A warning says that connections are refused, with a count, when it starts
/// and at most every 10 s while it lasts, and another when they are accepted again.
pub struct Shedding {
    listener: TcpListener,
    reserve: Option<std::fs::File>,
    open: OpenCount,
    cap: Option<usize>,
    /// Connections refused since the last "accepting again" line.
    refused: u64,
    /// When refusals were last logged.
    warned: Option<Instant>,
    /// Whether refusals were logged since connections were last accepted.
    refusing: bool,
}

impl Shedding {
    /// Wraps `listener`, taking one descriptor in reserve; no cap until [`Shedding::cap`].
    pub fn new(listener: TcpListener) -> Shedding {
        Shedding {
            listener,
            reserve: reserve(),
            open: OpenCount::default(),
            cap: None,
            refused: 0,
            warned: None,
            refusing: false,
        }
    }

    /// Refuses new connections with `503` while `connections` accepted ones are open.
    pub fn cap(mut self, connections: usize) -> Shedding {
        self.cap = Some(connections);
        self
    }

    /// Whether the open connections have reached the cap.
    fn full(&self) -> bool {
        self.cap.is_some_and(|cap| self.open.get() >= cap)
    }

    /// The limit was hit: refuses the connection waiting at the head of the accept queue.
    async fn shed(&mut self) {
        if self.reserve.take().is_none() {
            self.reserve = reserve();
            if self.reserve.is_none() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return;
            }
            self.reserve = None;
        }
        // The connection that could not be accepted is waiting: this does not block.
        let accepted = futures_util::FutureExt::now_or_never(self.listener.accept());
        if let Some(Ok((tcp, _))) = accepted {
            refuse(&tcp);
            drop(tcp);
            self.refused_one();
        }
        self.reserve = reserve();
    }

    /// A connection was refused: counts it, and logs when due.
    fn refused_one(&mut self) {
        self.refused += 1;
        if self.warned.is_none_or(|at| at.elapsed() >= SHED_LOG_EVERY) {
            tracing::warn!(
                refused = self.refused,
                open = self.open.get(),
                "at the connection cap or the open-file limit (ulimit -n): refusing new \
                 connections with 503"
            );
            self.warned = Some(Instant::now());
            self.refusing = true;
        }
    }

    /// A connection was accepted: if refusals were logged, logs how many there were.
    fn accepted_one(&mut self) {
        if self.refusing {
            tracing::warn!(
                refused = self.refused,
                "accepting connections again after the open-file limit"
            );
            self.refusing = false;
            self.refused = 0;
        }
    }
}

impl axum::serve::Listener for Shedding {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Connection, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok((tcp, _)) if self.full() => {
                    refuse(&tcp);
                    drop(tcp);
                    self.refused_one();
                }
                Ok((tcp, addr)) => {
                    self.accepted_one();
                    return (self.open.track(tcp), addr);
                }
                Err(error) if at_limit(&error) => self.shed().await,
                Err(error) if is_connection_error(&error) => {}
                Err(error) => {
                    // As axum does: a failure that may pass (ENOBUFS, ENOMEM), logged.
                    tracing::error!(%error, "accept failed; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// One descriptor held back for refusing connections at the limit.
fn reserve() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

/// Whether `accept` failed for want of a descriptor: `EMFILE` (24) or `ENFILE` (23), the
/// same numbers on Linux, the BSDs and macOS.
fn at_limit(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23 | 24))
}

/// A failure of that one connection (it was reset before it was accepted): the next one may
/// be fine.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Answers `tcp` with [`UNAVAILABLE`] if it can without waiting, after dropping what the
/// client already sent (closing a socket with unread input makes the kernel send a reset,
/// which may discard the answer before the client reads it).
fn refuse(tcp: &TcpStream) {
    // What the client sent so far (its request), 64 KiB at most: a client that keeps
    // sending must not hold the accept loop.
    let mut input = [0u8; 4096];
    for _ in 0..16 {
        if !matches!(tcp.try_read(&mut input), Ok(n) if n > 0) {
            break;
        }
    }
    let _ = tcp.try_write(UNAVAILABLE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;
    use tokio::io::AsyncReadExt;

    /// Accepts on `shedding` in the background, handing each connection to the receiver.
    fn accepting(mut shedding: Shedding) -> tokio::sync::mpsc::UnboundedReceiver<Connection> {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let (connection, _) = shedding.accept().await;
                if sender.send(connection).is_err() {
                    return;
                }
            }
        });
        receiver
    }

    async fn refused(addr: SocketAddr) -> bool {
        let mut client = TcpStream::connect(addr).await.unwrap();
        let mut answer = Vec::new();
        let read = client.read_to_end(&mut answer);
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("an answer within 10 s")
            .unwrap();
        answer == UNAVAILABLE
    }

    #[tokio::test]
    async fn at_the_cap_new_connections_get_503_until_one_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut accepted = accepting(Shedding::new(listener).cap(2));
        let mut clients = Vec::new();
        let mut held = Vec::new();
        for _ in 0..2 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            held.push(accepted.recv().await.unwrap());
        }
        for _ in 0..3 {
            assert!(
                refused(addr).await,
                "a third connection is refused with 503"
            );
        }
        assert!(accepted.try_recv().is_err());

        drop(held.remove(0));
        let _client = TcpStream::connect(addr).await.unwrap();
        let next = tokio::time::timeout(Duration::from_secs(10), accepted.recv()).await;
        held.push(next.expect("accepted once one closed").unwrap());
        assert!(refused(addr).await, "full again");
    }

    #[tokio::test]
    async fn without_a_cap_every_connection_is_accepted() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut accepted = accepting(Shedding::new(listener));
        let mut held = Vec::new();
        for _ in 0..20 {
            let _client = TcpStream::connect(addr).await.unwrap();
            held.push(accepted.recv().await.unwrap());
        }
        assert_eq!(held.len(), 20);
    }
}
