//! The route: the handshake checks, `on_open`, then the upgrade with the configured limits.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context as TaskContext, Poll};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::ORIGIN;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Bytes;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::task_tracker::{TaskTracker, TaskTrackerToken};

use super::context::Context;
use super::driver::Driver;
use super::handshake::{self, Rejection};
use super::origin::{origin_allowed, origin_listed};
use super::{Endpoint, WebSocketSettings};
use crate::config;
use crate::session::HttpSession;
use crate::state::AppState;

/// The route for endpoint `E`: `.route("/chat", endpoint::<ChatEndpoint>())`.
///
/// Answers the WebSocket handshake (RFC 6455 §4.2) with `101 Switching Protocols`, or before
/// any upgrade: `405` for a method other than `GET`, `426` with `Upgrade: websocket` for a
/// plain HTTP request, `426` with `Sec-WebSocket-Version: 13` for another protocol version,
/// `400` for a missing, repeated or malformed `Sec-WebSocket-Key`, a missing or repeated
/// `Host`, or HTTP/1.0, `403` for a foreign or repeated `Origin` or when
/// [`Endpoint::on_open`] returns `false`, `500` when it fails. Needs the
/// peer address, which [`serve`](crate::serve) provides (`ConnectInfo<SocketAddr>`).
///
/// Also records `E::Settings`, so every config loaded from then on reads and checks them
/// (see [`Settings`](crate::config::Settings)).
pub fn endpoint<E: Endpoint>() -> MethodRouter<AppState> {
    config::register::<E::Settings>();
    axum::routing::get(answer::<E>)
}

/// Checks the handshake and the origin, runs `on_open`, and answers 101 (or the refusal).
async fn answer<E: Endpoint>(State(state): State<AppState>, request: Request) -> Response {
    let (mut request, _body) = request.into_parts();
    let accept = match handshake::check(&request) {
        Ok(accept) => accept,
        Err(rejection) => return rejection.into_response(),
    };
    let Some(on_upgrade) = request.extensions.remove::<OnUpgrade>() else {
        return Rejection::NotUpgradable.into_response();
    };
    let Some(&ConnectInfo(peer)) = request.extensions.get::<ConnectInfo<SocketAddr>>() else {
        tracing::error!("WebSocket endpoints need the peer address: serve the app with `serve`");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let settings = &state.config.websocket;
    let headers = &request.headers;
    let trusted = origin_allowed(headers, &request.uri, &settings.allowed_origins)
        || origin_listed(headers, &state.config.allowed_origins);
    if !trusted {
        tracing::warn!(%peer, origin = ?headers.get(ORIGIN), "WebSocket handshake from a foreign origin refused");
        return StatusCode::FORBIDDEN.into_response();
    }
    let http_session = HttpSession::from_headers(headers, &state.config.session_key);
    // on_open runs in a task of its own, so a client leaving meanwhile (hyper then drops this
    // future) cannot cut it short; what it accepted then gets on_close (see `Accepted`).
    let (answer, answered) = oneshot::channel();
    state
        .tasks
        .spawn(open::<E>(state.clone(), peer, http_session, answer));
    let accepted = match answered.await {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(status)) => return status.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(), // on_open panicked
    };
    let config = socket_config(settings);
    let buffers = (settings.read_buffer_size, settings.write_buffer_size);
    state
        .tasks
        .spawn(accepted.run(on_upgrade, config, buffers, peer));
    handshake::switching_protocols(&accept)
}

/// The framing limits of `[websocket]`: a message or a single frame over
/// `max_message_size` is refused with 1009. The buffers are [`Transport`]'s: tungstenite
/// keeps [`FRAME_BUFFER_SIZE`] bytes to parse frames in and writes each frame through at once.
fn socket_config(settings: &WebSocketSettings) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(FRAME_BUFFER_SIZE)
        .write_buffer_size(0)
        .max_message_size(Some(settings.max_message_size))
        .max_frame_size(Some(settings.max_message_size))
}

/// Registers the connection and runs `on_open`; answers the accepted connection, or the
/// status refusing it.
async fn open<E: Endpoint>(
    state: AppState,
    peer: SocketAddr,
    http_session: HttpSession,
    answer: oneshot::Sender<Result<Accepted<E>, StatusCode>>,
) {
    // Loaded with the config when the routes were built first (as `run` does), so this
    // fails only for settings first read now (see `Settings`).
    let settings = match state.config.settings::<E::Settings>() {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%peer, %error, "the endpoint's settings could not be read");
            let _ = answer.send(Err(StatusCode::INTERNAL_SERVER_ERROR));
            return;
        }
    };
    let (registration, queue) = state.hub.register();
    let mut ctx = Context::new(
        registration,
        state.clone(),
        settings,
        peer,
        http_session.clone(),
    );
    let mut endpoint = E::default();
    let result = match endpoint.on_open(&mut ctx, &http_session).await {
        Ok(true) => {
            state.hub.opened(ctx.id());
            Ok(Accepted {
                driver: Some(Box::new(Driver::new(endpoint, ctx, queue))),
                tasks: state.tasks.clone(),
                shutdown: state.shutdown.clone(),
                _token: state.tasks.token(),
            })
        }
        Ok(false) => {
            tracing::debug!(conn_id = %ctx.id(), %peer, "on_open refused the connection");
            Err(StatusCode::FORBIDDEN)
        }
        Err(error) => {
            tracing::error!(conn_id = %ctx.id(), %peer, %error, "on_open failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR)
        }
    };
    // If the handshake is gone, the unsent `Accepted` is dropped here: on_close(1006).
    let _ = answer.send(result);
}

/// A connection `on_open` accepted, from then until its driver ends. It counts as a task of
/// [`AppState::tasks`] all along, so shutdown waits for it. If the socket never comes (the
/// client left during `on_open` or after the 101, or the upgrade failed), dropping it runs
/// `on_close` with 1006 on the tracker (and unregisters the connection), as for any dropped
/// connection.
struct Accepted<E: Endpoint> {
    /// Boxed, so the task's future does not reserve room for it twice: here, and in
    /// `Driver::run`'s future once it is moved there.
    driver: Option<Box<Driver<E>>>,
    tasks: TaskTracker,
    shutdown: CancellationToken,
    _token: TaskTrackerToken,
}

impl<E: Endpoint> Accepted<E> {
    /// Waits for hyper to hand over the connection (once the 101 is sent), then drives it.
    /// `buffers`: `read_buffer_size` and `write_buffer_size` of `[websocket]` (see [`Transport`]).
    async fn run(
        mut self,
        on_upgrade: OnUpgrade,
        config: WebSocketConfig,
        buffers: (usize, usize),
        peer: SocketAddr,
    ) {
        let upgraded = tokio::select! {
            upgraded = on_upgrade => upgraded,
            () = self.shutdown.cancelled() => return, // dropped: on_close(1006)
        };
        let upgraded = match upgraded {
            Ok(upgraded) => upgraded,
            Err(error) => {
                tracing::debug!(%peer, %error, "WebSocket upgrade failed");
                return; // dropped: on_close(1006)
            }
        };
        let (read_chunk, write_limit) = buffers;
        let transport = Transport::new(TokioIo::new(upgraded), read_chunk, write_limit);
        let socket = WebSocketStream::from_raw_socket(transport, Role::Server, Some(config)).await;
        if let Some(driver) = self.driver.take() {
            (*driver).run(socket).await;
        }
    }
}

impl<E: Endpoint> Drop for Accepted<E> {
    fn drop(&mut self) {
        let Some(driver) = self.driver.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                self.tasks.spawn_on((*driver).abandon(), &handle);
            }
            Err(_) => tracing::warn!("WebSocket upgrade dropped outside the runtime: no on_close"),
        }
    }
}

/// Bytes tungstenite keeps per connection to parse frames in (its `read_buffer_size`; it
/// grows while a bigger frame is read). The socket is read through [`Transport`], in chunks
/// of `read_buffer_size` held only until tungstenite takes them.
const FRAME_BUFFER_SIZE: usize = 256;

thread_local! {
    /// What [`Transport`] reads the socket into: one buffer per worker thread, grown to the
    /// largest `read_buffer_size` read with, so an idle connection holds no read buffer.
    static READ_CHUNK: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The upgraded connection under tungstenite (`T`: `TokioIo<Upgraded>`), holding buffers
/// only while they hold something, so an idle connection holds none:
///
/// - reads: the socket is read up to `read_chunk` bytes at a time (`[websocket]
///   read_buffer_size`) into the worker thread's [`READ_CHUNK`]; what tungstenite does not
///   take at once is kept in `unread` and handed out first, then freed.
/// - writes: what tungstenite writes is gathered in `unwritten` up to `write_limit` bytes
///   (`write_buffer_size`; a bigger write goes straight to the socket) and written out on
///   a flush, or when the next write would pass the limit; the buffer is freed once written.
pub(super) struct Transport<T = TokioIo<Upgraded>> {
    io: T,
    read_chunk: usize,
    /// Read from the socket, not yet taken by tungstenite.
    unread: Bytes,
    write_limit: usize,
    /// Bytes tungstenite wrote, of which `unwritten[written..]` are not yet in the socket.
    unwritten: Vec<u8>,
    written: usize,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Transport<T> {
    /// `read_chunk` (at least 1) and `write_limit` in bytes.
    fn new(io: T, read_chunk: usize, write_limit: usize) -> Transport<T> {
        Transport {
            io,
            read_chunk: read_chunk.max(1),
            unread: Bytes::new(),
            write_limit,
            unwritten: Vec::new(),
            written: 0,
        }
    }

    /// Writes what is gathered to the socket, then frees the buffer.
    fn poll_write_out(&mut self, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        while self.written < self.unwritten.len() {
            let rest = &self.unwritten[self.written..];
            match ready!(Pin::new(&mut self.io).poll_write(cx, rest))? {
                0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                n => self.written += n,
            }
        }
        self.unwritten = Vec::new();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for Transport<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.unread.is_empty() {
            let n = this.unread.len().min(buf.remaining());
            buf.put_slice(&this.unread[..n]);
            this.unread = if n == this.unread.len() {
                Bytes::new()
            } else {
                this.unread.slice(n..)
            };
            return Poll::Ready(Ok(()));
        }
        if buf.remaining() >= this.read_chunk {
            return Pin::new(&mut this.io).poll_read(cx, buf);
        }
        READ_CHUNK.with_borrow_mut(|chunk| {
            if chunk.len() < this.read_chunk {
                chunk.resize(this.read_chunk, 0);
            }
            let mut read = ReadBuf::new(&mut chunk[..this.read_chunk]);
            ready!(Pin::new(&mut this.io).poll_read(cx, &mut read))?;
            let read = read.filled();
            let n = read.len().min(buf.remaining());
            buf.put_slice(&read[..n]);
            if n < read.len() {
                this.unread = Bytes::copy_from_slice(&read[n..]);
            }
            Poll::Ready(Ok(()))
        })
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Transport<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.unwritten.len() - this.written + buf.len() > this.write_limit {
            ready!(this.poll_write_out(cx))?;
            if buf.len() > this.write_limit {
                return Pin::new(&mut this.io).poll_write(cx, buf);
            }
        }
        this.unwritten.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    /// Writes what is gathered first, so bytes keep their order; then `bufs` straight to the
    /// socket, unbuffered (the driver's batches of framed messages).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Reads through buffers smaller than what arrives get every byte once, in order, and
    /// nothing stays held once all is taken.
    #[tokio::test]
    async fn reads_hand_out_every_byte_in_order_then_hold_nothing() {
        let (mut peer, io) = tokio::io::duplex(1 << 16);
        let sent: Vec<u8> = (0..10_000u32).map(|n| (n % 251) as u8).collect();
        peer.write_all(&sent).await.unwrap();
        drop(peer);
        let mut transport = Transport::new(io, 4096, 4096);
        let mut got = Vec::new();
        let mut small = [0u8; 100];
        loop {
            let n = transport.read(&mut small).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&small[..n]);
        }
        assert_eq!(got, sent);
        assert!(transport.unread.is_empty());
    }

    /// Writes under the limit wait for the flush, which writes them in order and frees the
    /// buffer; a write over the limit goes out at once.
    #[tokio::test]
    async fn writes_wait_for_the_flush_then_the_buffer_is_freed() {
        let (io, mut peer) = tokio::io::duplex(1 << 16);
        let mut transport = Transport::new(io, 4096, 64);
        transport.write_all(b"one ").await.unwrap();
        transport.write_all(b"two").await.unwrap();
        assert_eq!(transport.unwritten, b"one two");
        transport.flush().await.unwrap();
        assert_eq!(transport.unwritten.capacity(), 0);
        let big = vec![b'x'; 100];
        transport.write_all(&big).await.unwrap();
        assert_eq!(
            transport.unwritten.capacity(),
            0,
            "over the limit: written through"
        );
        transport.shutdown().await.unwrap();
        let mut got = Vec::new();
        peer.read_to_end(&mut got).await.unwrap();
        assert_eq!(&got[..7], b"one two");
        assert_eq!(&got[7..], &big[..]);
    }
}
