//! Writing a connection's queue to its socket in batches, so that a write can be dropped
//! half-way and resumed without losing or reordering anything.

use std::future::poll_fn;

use futures_util::{Sink, SinkExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};

use super::CloseCode;

/// Most messages written before one flush.
const MAX_BATCH: usize = 128;

/// The receiving end of a connection's queue, and what was taken from it but not yet
/// written out.
///
/// Cancel-safe: a message leaves `pending` only once the socket took it, and every
/// [`Outgoing::write`] ends with a flush, so one dropped half-way resumes where it stopped
/// on the next call.
pub(super) struct Outgoing {
    queue: mpsc::Receiver<Message>,
    /// Taken from the queue (or a keep-alive ping) but not yet handed to the socket.
    pending: Option<Message>,
    /// A keep-alive ping is among the messages not yet flushed.
    ping_unflushed: bool,
    /// A close frame from the queue was handed to the socket.
    close_sent: Option<CloseCode>,
}

/// What a completed [`Outgoing::write`] flushed.
pub(super) struct Flushed {
    /// The keep-alive ping given to [`Outgoing::ping`].
    pub(super) ping: bool,
    /// A close frame with this code ([`Context::close`](super::Context::close)'s, or 1011
    /// in place of one that may not be sent).
    pub(super) close: Option<CloseCode>,
}

impl Outgoing {
    pub(super) fn new(queue: mpsc::Receiver<Message>) -> Outgoing {
        Outgoing {
            queue,
            pending: None,
            ping_unflushed: false,
            close_sent: None,
        }
    }

    /// Whether a message is pending, taking the next queued one if none was.
    fn take_next(&mut self) -> bool {
        if self.pending.is_none() {
            self.pending = self.queue.try_recv().ok();
        }
        self.pending.is_some()
    }

    /// Waits for the next queued message and keeps it for the next write. Cancel-safe.
    pub(super) async fn wait(&mut self) {
        match self.queue.recv().await {
            Some(message) => self.pending = Some(message),
            // The hub holds the sender for as long as the connection is registered.
            None => std::future::pending().await,
        }
    }

    /// Writes `payload` as the keep-alive ping, ahead of the queue; only called with nothing
    /// pending (right after a completed write).
    pub(super) fn ping(&mut self, payload: tungstenite::Bytes) {
        debug_assert!(self.pending.is_none());
        self.pending = Some(Message::Ping(payload));
        self.ping_unflushed = true;
    }

    /// Hands the pending message and what else is queued (up to [`MAX_BATCH`] messages, and
    /// no further than a close frame) to `socket` (the connection's
    /// [`Socket`](super::socket::Socket)), then flushes once.
    pub(super) async fn write<S>(&mut self, socket: &mut S) -> Result<Flushed, tungstenite::Error>
    where
        S: Sink<Message, Error = tungstenite::Error> + Unpin,
    {
        let mut written = 0;
        while self.close_sent.is_none() && written < MAX_BATCH && self.take_next() {
            poll_fn(|cx| socket.poll_ready_unpin(cx)).await?;
            let Some(message) = self.pending.take() else {
                break;
            };
            let message = match message {
                Message::Close(frame) => {
                    let frame = frame.map(sendable);
                    let code = frame.as_ref().map(|f| CloseCode(f.code.into()));
                    self.close_sent = Some(code.unwrap_or(CloseCode::NO_STATUS));
                    Message::Close(frame)
                }
                message => message,
            };
            socket.start_send_unpin(message)?;
            written += 1;
        }
        socket.flush().await?;
        Ok(Flushed {
            ping: std::mem::take(&mut self.ping_unflushed),
            close: self.close_sent,
        })
    }
}

/// `frame` as it may go on the wire: a code no endpoint may send (1005, 1006, 1015, the
/// reserved ones, those under 1000 or over 4999: RFC 6455 §7.4) becomes 1011, since only a
/// server bug asks for one.
fn sendable(frame: CloseFrame) -> CloseFrame {
    if frame.code.is_allowed() {
        return frame;
    }
    let code = u16::from(frame.code);
    tracing::error!(
        code,
        "close code that may not be sent (RFC 6455 §7.4): closing with 1011"
    );
    CloseFrame {
        code: CloseCode::ERROR.0.into(),
        reason: frame.reason,
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{FutureExt, StreamExt};
    use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
    use tokio_tungstenite::WebSocketStream;

    use super::*;

    /// Writes polled once and dropped (as when a handler finishes first), over a pipe that
    /// takes 64 bytes at a time: the peer still gets every message once, in order.
    #[tokio::test]
    async fn a_write_dropped_half_way_resumes_without_loss_or_reordering() {
        for write_buffer_size in [0, 4096] {
            let (server_io, client_io) = tokio::io::duplex(64);
            let config = WebSocketConfig::default().write_buffer_size(write_buffer_size);
            let mut server =
                WebSocketStream::from_raw_socket(server_io, Role::Server, Some(config)).await;
            let mut client = WebSocketStream::from_raw_socket(client_io, Role::Client, None).await;
            let (queue, receiver) = mpsc::channel(1000);
            let expected: Vec<String> = (0..300).map(|n| format!("message {n}")).collect();
            for text in &expected {
                queue.try_send(Message::text(text.as_str())).unwrap();
            }
            let mut out = Outgoing::new(receiver);
            let mut received = Vec::new();
            for _ in 0..100_000 {
                if received.len() == expected.len() {
                    break;
                }
                let _ = out.write(&mut server).now_or_never();
                while let Some(Some(Ok(message))) = client.next().now_or_never() {
                    received.push(message.into_text().unwrap().as_str().to_owned());
                }
                tokio::task::yield_now().await; // renews tokio's I/O budget
            }
            assert_eq!(received, expected, "write_buffer_size {write_buffer_size}");
        }
    }

    /// A close frame asking for a code no endpoint may send (RFC 6455 §7.4.1) goes out as
    /// 1011, which is also what `on_close` is told; valid codes go out as given.
    #[tokio::test]
    async fn a_close_code_that_may_not_be_sent_goes_out_as_1011() {
        for (asked, sent) in [
            (1005, 1011),
            (1006, 1011),
            (1015, 1011),
            (2000, 1011),
            (999, 1011),
            (5000, 1011),
            (1000, 1000),
            (4999, 4999),
        ] {
            let (server_io, client_io) = tokio::io::duplex(1024);
            let mut server = WebSocketStream::from_raw_socket(server_io, Role::Server, None).await;
            let mut client = WebSocketStream::from_raw_socket(client_io, Role::Client, None).await;
            let (queue, receiver) = mpsc::channel(1);
            let frame = CloseFrame {
                code: asked.into(),
                reason: "".into(),
            };
            queue.try_send(Message::Close(Some(frame))).unwrap();
            let flushed = Outgoing::new(receiver).write(&mut server).await.unwrap();
            assert_eq!(flushed.close, Some(CloseCode(sent)), "asked {asked}");
            let Some(Ok(Message::Close(Some(frame)))) = client.next().await else {
                panic!("no close frame for {asked}");
            };
            assert_eq!(u16::from(frame.code), sent, "asked {asked}");
        }
    }
}
