//! One task per connection: reads frames, writes the queue in batches, pings, and closes.

use std::time::Duration;

use axum::extract::ws::{self, CloseFrame, Message as AxumMessage, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::{self, Message};

use super::keep_alive::{until, KeepAlive};
use super::{CloseCode, Context, Endpoint};
use crate::error::Result;

/// How long closing may take: sending the close frame, then waiting for the peer's reply.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Most messages written before one flush.
const MAX_BATCH: usize = 128;

/// How a connection ended.
enum End {
    /// The peer sent a close frame; tungstenite queued the reply, which is still to be flushed.
    Closed(CloseCode),
    /// The peer dropped the connection; nothing more to send.
    Peer(CloseCode),
    /// The server closes it with this code and reason.
    Server(CloseCode, &'static str),
    /// A close frame from [`Context::close`] was already sent.
    Sent(CloseCode),
}

/// A connection after `on_open` accepted it.
pub(crate) struct Driver<E> {
    endpoint: E,
    ctx: Context,
    queue: mpsc::Receiver<Message>,
    keep_alive: Option<KeepAlive>,
}

impl<E: Endpoint> Driver<E> {
    pub(crate) fn new(endpoint: E, ctx: Context, queue: mpsc::Receiver<Message>) -> Self {
        let keep_alive = KeepAlive::new(endpoint.keep_alive_interval(), ctx.id());
        Driver {
            endpoint,
            ctx,
            queue,
            keep_alive,
        }
    }

    /// Runs the connection to its end, then `on_close`.
    pub(crate) async fn run(mut self, mut socket: WebSocket) {
        tracing::debug!(conn_id = %self.ctx.id(), peer = %self.ctx.peer(), "WebSocket open");
        let end = self.serve(&mut socket).await;
        let code = match end {
            End::Closed(code) => {
                // Writes the close reply; without it the peer sees an unclean close.
                let _ = timeout(CLOSE_TIMEOUT, socket.flush()).await;
                code
            }
            End::Peer(code) => code,
            End::Server(code, reason) => {
                close(&mut socket, code, reason).await;
                code
            }
            End::Sent(code) => {
                let _ = timeout(CLOSE_TIMEOUT, drain(&mut socket)).await;
                code
            }
        };
        self.finish(code).await;
    }

    /// The upgrade never completed (the client left after the handshake): `on_close` with
    /// 1006, as for any dropped connection.
    pub(crate) async fn abandon(mut self) {
        tracing::debug!(conn_id = %self.ctx.id(), "WebSocket upgrade never completed");
        self.finish(CloseCode::ABNORMAL).await;
    }

    async fn finish(&mut self, code: CloseCode) {
        let conn_id = self.ctx.id();
        if let Err(error) = self.endpoint.on_close(&mut self.ctx, code).await {
            tracing::error!(%conn_id, %error, "on_close failed");
        }
        tracing::debug!(%conn_id, %code, "WebSocket closed");
    }

    async fn serve(&mut self, socket: &mut WebSocket) -> End {
        let shutdown = self.ctx.state().shutdown.clone();
        let slow = self.ctx.slow().clone();
        loop {
            let keep_alive = self.keep_alive.as_ref();
            let limits = Limits {
                shutdown: &shutdown,
                slow: &slow,
                write_limit: keep_alive.map(KeepAlive::write_limit),
                pong_by: keep_alive.and_then(KeepAlive::pong_deadline),
            };
            // The keep-alive arms come before the queue, so a busy topic cannot starve them.
            let end = tokio::select! {
                biased;
                () = shutdown.cancelled() => Some(End::Server(CloseCode::AWAY, "server shutting down")),
                () = slow.cancelled() => Some(End::Server(CloseCode::POLICY, "too slow")),
                () = until(limits.pong_by) => Some(End::Server(CloseCode::AWAY, "keep-alive timeout")),
                () = until(keep_alive.and_then(KeepAlive::ping_due)) => {
                    self.ping(socket, &limits).await
                }
                frame = socket.next() => self.receive(frame).await,
                Some(first) = self.queue.recv() => {
                    limits.guard(write_batch(socket, first, &mut self.queue)).await
                }
            };
            if let Some(end) = end {
                return end;
            }
        }
    }

    /// Writes the keep-alive ping; its pong is due one interval after it was written.
    async fn ping(&mut self, socket: &mut WebSocket, limits: &Limits<'_>) -> Option<End> {
        let keep_alive = self.keep_alive.as_mut()?;
        let ping = socket.send(AxumMessage::Ping(keep_alive.next_payload()));
        let end = limits.guard(async { ping.await.map(|()| None) }).await;
        if end.is_none() {
            keep_alive.ping_written();
        }
        end
    }

    /// Handles one incoming frame; `Some` when the connection ends.
    async fn receive(&mut self, frame: Option<Result<AxumMessage, axum::Error>>) -> Option<End> {
        let result = match frame {
            None => return Some(End::Peer(CloseCode::ABNORMAL)),
            Some(Err(error)) => return Some(read_error(error, self.ctx.id())),
            Some(Ok(AxumMessage::Close(frame))) => {
                let code = frame.map_or(CloseCode::NO_STATUS, |f| CloseCode(f.code));
                return Some(End::Closed(code));
            }
            Some(Ok(AxumMessage::Text(text))) => {
                self.endpoint
                    .on_text_received(&mut self.ctx, text.as_str())
                    .await
            }
            Some(Ok(AxumMessage::Binary(data))) => {
                self.endpoint.on_binary_received(&mut self.ctx, &data).await
            }
            Some(Ok(AxumMessage::Ping(payload))) => {
                self.endpoint.on_ping(&mut self.ctx, &payload).await
            }
            Some(Ok(AxumMessage::Pong(payload))) => {
                if let Some(keep_alive) = &mut self.keep_alive {
                    keep_alive.pong(&payload);
                }
                self.endpoint.on_pong(&mut self.ctx, &payload).await
            }
        };
        result.err().map(|error| {
            tracing::error!(conn_id = %self.ctx.id(), %error, "WebSocket handler failed");
            End::Server(CloseCode::ERROR, "internal error")
        })
    }
}

/// What may cut a write short.
struct Limits<'a> {
    shutdown: &'a tokio_util::sync::CancellationToken,
    slow: &'a tokio_util::sync::CancellationToken,
    /// A write blocked this long (a peer that stopped reading) ends the connection.
    write_limit: Option<Duration>,
    /// The keep-alive pong deadline.
    pong_by: Option<Instant>,
}

impl Limits<'_> {
    /// Runs a write, unless shutdown, a full queue or a deadline ends the connection first.
    async fn guard(
        &self,
        write: impl std::future::Future<Output = Result<Option<End>, axum::Error>>,
    ) -> Option<End> {
        let write_by = self.write_limit.map(|limit| Instant::now() + limit);
        tokio::select! {
            result = write => result.unwrap_or(Some(End::Peer(CloseCode::ABNORMAL))),
            () = self.shutdown.cancelled() => Some(End::Server(CloseCode::AWAY, "server shutting down")),
            () = self.slow.cancelled() => Some(End::Server(CloseCode::POLICY, "too slow")),
            () = until(self.pong_by) => Some(End::Server(CloseCode::AWAY, "keep-alive timeout")),
            () = until(write_by) => Some(End::Peer(CloseCode::ABNORMAL)),
        }
    }
}

/// Writes `first` and whatever else is queued (up to [`MAX_BATCH`]), then flushes once.
/// `Some(End::Sent)` when a close frame was among them.
async fn write_batch(
    socket: &mut WebSocket,
    first: Message,
    queue: &mut mpsc::Receiver<Message>,
) -> Result<Option<End>, axum::Error> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(message) = next.take() {
        let closing = match &message {
            Message::Close(frame) => Some(
                frame
                    .as_ref()
                    .map_or(CloseCode::NO_STATUS, |f| CloseCode(f.code.into())),
            ),
            _ => None,
        };
        let Some(message) = to_axum(message) else {
            continue;
        };
        socket.feed(message).await?;
        written += 1;
        if let Some(code) = closing {
            socket.flush().await?;
            return Ok(Some(End::Sent(code)));
        }
        if written < MAX_BATCH {
            next = queue.try_recv().ok();
        }
    }
    socket.flush().await?;
    Ok(None)
}

/// Maps a read error to how the connection ends: limits and malformed input are closed
/// with their code, transport failures count as a dropped connection.
fn read_error(error: axum::Error, conn_id: super::ConnId) -> End {
    let error = match error.into_inner().downcast::<tungstenite::Error>() {
        Ok(error) => *error,
        Err(other) => {
            tracing::debug!(%conn_id, error = %other, "WebSocket read failed");
            return End::Peer(CloseCode::ABNORMAL);
        }
    };
    tracing::debug!(%conn_id, %error, "WebSocket read failed");
    use tungstenite::error::ProtocolError;
    match error {
        tungstenite::Error::Capacity(_) => End::Server(CloseCode::TOO_BIG, "message too big"),
        tungstenite::Error::Utf8(_) => End::Server(CloseCode::INVALID_DATA, "invalid UTF-8"),
        tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)
        | tungstenite::Error::ConnectionClosed
        | tungstenite::Error::AlreadyClosed
        | tungstenite::Error::Io(_) => End::Peer(CloseCode::ABNORMAL),
        _ => End::Server(CloseCode::PROTOCOL, "protocol error"),
    }
}

/// Sends a close frame and waits for the peer's reply, [`CLOSE_TIMEOUT`] at most.
async fn close(socket: &mut WebSocket, code: CloseCode, reason: &'static str) {
    let frame = CloseFrame {
        code: code.0,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = timeout(CLOSE_TIMEOUT, async {
        if socket.send(AxumMessage::Close(Some(frame))).await.is_ok() {
            drain(socket).await;
        }
    })
    .await;
}

/// Reads until the peer's close reply or the end of the stream.
async fn drain(socket: &mut WebSocket) {
    while let Some(Ok(message)) = socket.next().await {
        if matches!(message, AxumMessage::Close(_)) {
            break;
        }
    }
}

/// Transitional: the queue holds tungstenite's messages, the socket is still axum's.
fn to_axum(message: Message) -> Option<AxumMessage> {
    Some(match message {
        Message::Text(text) => AxumMessage::Text(ws::Utf8Bytes::from(text.as_str())),
        Message::Binary(data) => AxumMessage::Binary(data),
        Message::Ping(data) => AxumMessage::Ping(data),
        Message::Pong(data) => AxumMessage::Pong(data),
        Message::Close(frame) => AxumMessage::Close(frame.map(|f| CloseFrame {
            code: f.code.into(),
            reason: ws::Utf8Bytes::from(f.reason.as_str()),
        })),
        Message::Frame(_) => return None,
    })
}
