//! The socket side of one connection: writes its queue in batches, pings, reads frames, and
//! closes so that the peer always reads the close frame.
//!
//! [`Io::next_frame`] and [`Io::serve`] are cancel-safe (see [`Outgoing`]): the driver races
//! them against a handler and drops them when the handler is done, without losing or
//! reordering anything.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

use super::batch::Outgoing;
use super::keep_alive::{until, KeepAlive};
use super::{CloseCode, ConnId};

/// The upgraded connection, framed by tungstenite.
pub(super) type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// How long closing may take: sending the close frame, then waiting for the peer's reply
/// or for it to close the connection.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the socket read: a frame, the end of the stream (`None`), or a read error.
pub(super) type Frame = Option<Result<Message, tungstenite::Error>>;

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// The peer sent a close frame; tungstenite queued the reply, which is still to be
    /// flushed. Whatever the peer sends after it (RFC 6455 §5.5.1 forbids it) is unread.
    Closed(CloseCode),
    /// The connection dropped (or a write stayed blocked too long): nothing more to send.
    Dropped,
    /// The server closes it with this code and reason; the stream is in step, so the
    /// peer's close reply can be read.
    Close(CloseCode, &'static str),
    /// The server refuses what the peer is sending (too big, not UTF-8, malformed): the rest
    /// of it is unread, so after the close frame the input is discarded unparsed.
    Refuse(CloseCode, &'static str),
    /// A close frame from [`Context::close`](super::Context::close) was written.
    Sent(CloseCode),
}

impl End {
    /// The code `on_close` gets.
    pub(super) fn code(self) -> CloseCode {
        match self {
            End::Dropped => CloseCode::ABNORMAL,
            End::Closed(code) | End::Close(code, _) | End::Refuse(code, _) | End::Sent(code) => {
                code
            }
        }
    }

    /// How a read error ends the connection: limits and malformed input are refused with
    /// their code, transport failures count as a dropped connection.
    pub(super) fn from_read_error(error: tungstenite::Error, conn_id: ConnId) -> End {
        use tungstenite::error::ProtocolError;
        tracing::debug!(%conn_id, %error, "WebSocket read failed");
        match error {
            tungstenite::Error::Capacity(_) => End::Refuse(CloseCode::TOO_BIG, "message too big"),
            tungstenite::Error::Utf8(_) => End::Refuse(CloseCode::INVALID_DATA, "invalid UTF-8"),
            tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)
            | tungstenite::Error::ConnectionClosed
            | tungstenite::Error::AlreadyClosed
            | tungstenite::Error::Io(_) => End::Dropped,
            _ => End::Refuse(CloseCode::PROTOCOL, "protocol error"),
        }
    }
}

/// The socket, the connection's queue and its keep-alive: everything the driver needs
/// besides the endpoint and its [`Context`](super::Context), so both can be borrowed at once.
pub(super) struct Io {
    socket: Socket,
    out: Outgoing,
    keep_alive: Option<KeepAlive>,
    shutdown: CancellationToken,
    slow: CancellationToken,
    /// Since when the current write has been under way.
    writing_since: Option<Instant>,
}

impl Io {
    pub(super) fn new(
        socket: Socket,
        queue: mpsc::Receiver<Message>,
        keep_alive: Option<KeepAlive>,
        shutdown: CancellationToken,
        slow: CancellationToken,
    ) -> Io {
        Io {
            socket,
            out: Outgoing::new(queue),
            keep_alive,
            shutdown,
            slow,
            writing_since: None,
        }
    }

    /// Writes what is queued and pings until a frame arrives (`Ok`) or the connection ends
    /// (`Err`). Before each read, one batch of what is queued is written, so reading and
    /// writing take turns: a peer that sends faster than its handlers run gets TCP
    /// backpressure (it is not read meanwhile), and its own queue still drains.
    pub(super) async fn next_frame(&mut self) -> Result<Frame, End> {
        loop {
            if let Some(frame) = self.step(true).await? {
                return Ok(frame);
            }
        }
    }

    /// Writes what is queued and pings, never reading, until the connection ends: what the
    /// driver runs while a handler does.
    pub(super) async fn serve(&mut self) -> End {
        loop {
            if let Err(end) = self.step(false).await {
                return end;
            }
        }
    }

    /// A pong arrived: it may answer the keep-alive ping.
    pub(super) fn pong(&mut self, payload: &[u8]) {
        if let Some(keep_alive) = &mut self.keep_alive {
            keep_alive.pong(payload);
        }
    }

    /// One batch, then one event: a deadline, a ping, a queued message (kept for the next
    /// batch), or, when `read`, a frame.
    async fn step(&mut self, read: bool) -> Result<Option<Frame>, End> {
        self.write_out().await?;
        let keep_alive = self.keep_alive.as_ref();
        let pong_by = keep_alive.and_then(KeepAlive::pong_deadline);
        let ping_due = keep_alive.and_then(KeepAlive::ping_due);
        // The keep-alive arms come before the queue, so a busy topic cannot starve them.
        tokio::select! {
            biased;
            () = self.shutdown.cancelled() => Err(End::Close(CloseCode::AWAY, "server shutting down")),
            () = self.slow.cancelled() => Err(End::Close(CloseCode::POLICY, "too slow")),
            () = until(pong_by) => Err(End::Close(CloseCode::AWAY, "keep-alive timeout")),
            () = until(ping_due) => {
                if let Some(keep_alive) = &mut self.keep_alive {
                    self.out.ping(keep_alive.next_payload());
                }
                Ok(None)
            }
            frame = self.socket.next(), if read => Ok(Some(frame)),
            () = self.out.wait() => Ok(None),
        }
    }

    /// Writes what waits in `out` and flushes, unless shutdown, a full queue or a deadline
    /// ends the connection first. A write blocked for two keep-alive intervals (a peer that
    /// stopped reading) ends it as dropped.
    ///
    /// It flushes even when `out` is empty: tungstenite answers each ping the peer sends
    /// with a pong it buffers itself, and only this flush bounds that buffer. So a peer
    /// that floods pings without reading the pongs is not read either until it does (TCP
    /// backpressure), instead of growing the server's memory.
    async fn write_out(&mut self) -> Result<(), End> {
        let since = *self.writing_since.get_or_insert_with(Instant::now);
        let keep_alive = self.keep_alive.as_ref();
        let write_by = keep_alive.map(|k| since + k.write_limit());
        let pong_by = keep_alive.and_then(KeepAlive::pong_deadline);
        let flushed = tokio::select! {
            flushed = self.out.write(&mut self.socket) => flushed.map_err(|_| End::Dropped)?,
            () = self.shutdown.cancelled() => return Err(End::Close(CloseCode::AWAY, "server shutting down")),
            () = self.slow.cancelled() => return Err(End::Close(CloseCode::POLICY, "too slow")),
            () = until(pong_by) => return Err(End::Close(CloseCode::AWAY, "keep-alive timeout")),
            () = until(write_by) => return Err(End::Dropped),
        };
        self.writing_since = None;
        if let (true, Some(keep_alive)) = (flushed.ping, &mut self.keep_alive) {
            keep_alive.ping_written();
        }
        match flushed.close {
            Some(code) => Err(End::Sent(code)),
            None => Ok(()),
        }
    }

    /// Starts ending the connection as `end` requires: flushes the reply to the peer's close
    /// frame, or sends the server's close frame, flushes it; then half-closes the write side
    /// (the peer reads the frame, then the end of the stream). [`CLOSE_TIMEOUT`] at most;
    /// `true` if the peer is now due to close its side (see [`Io::linger`]).
    pub(super) async fn close(&mut self, end: End) -> bool {
        let sent = timeout(CLOSE_TIMEOUT, async {
            match end {
                // The reply tungstenite queued; without it the peer sees an unclean close.
                End::Closed(_) => {
                    return self.socket.flush().await.is_ok()
                        && self.socket.get_mut().shutdown().await.is_ok();
                }
                End::Dropped => {}
                End::Close(code, reason) | End::Refuse(code, reason) => {
                    return self.send_close(code, reason).await;
                }
                End::Sent(_) => return self.socket.get_mut().shutdown().await.is_ok(),
            }
            false
        });
        sent.await.unwrap_or(false)
    }

    /// After the close frames: reads until the peer's close reply to a close the server
    /// started or, when its input was refused mid-message or it closed first, discards what
    /// it still sends until it closes the connection. [`CLOSE_TIMEOUT`] at most. So, unless
    /// the peer takes longer, no socket is dropped with unread input while the peer is still
    /// sending: the kernel would answer that with a reset, which fails the peer's writes and
    /// can cost it the close frame (a browser then reports 1006).
    pub(super) async fn linger(mut self, end: End) {
        let _ = timeout(CLOSE_TIMEOUT, async {
            match end {
                End::Close(..) | End::Sent(_) => self.await_close_reply().await,
                End::Refuse(..) | End::Closed(_) => self.discard_input().await,
                End::Dropped => {}
            }
        })
        .await;
    }

    /// Sends a close frame, flushes it and half-closes the write side; `false` if the
    /// connection failed meanwhile.
    async fn send_close(&mut self, code: CloseCode, reason: &'static str) -> bool {
        let frame = CloseFrame {
            code: code.0.into(),
            reason: Utf8Bytes::from_static(reason),
        };
        self.socket.send(Message::Close(Some(frame))).await.is_ok()
            && self.socket.get_mut().shutdown().await.is_ok()
    }

    /// Reads frames until the peer's close reply or the end of the stream; after a read
    /// error, discards the rest unparsed.
    async fn await_close_reply(&mut self) {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Close(_))) | None => return,
                Some(Ok(_)) => {}
                Some(Err(_)) => return self.discard_input().await,
            }
        }
    }

    /// Reads and drops raw input until the peer closes the connection (or it fails).
    async fn discard_input(&mut self) {
        let _ = tokio::io::copy(self.socket.get_mut(), &mut tokio::io::sink()).await;
    }
}
