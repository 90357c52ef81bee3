//! Writing a connection's queue to its socket in batches, so that a write can be dropped
//! half-way and resumed without losing or reordering anything.
//!
//! Text and binary messages arrive framed ([`Item::Frame`], shared by every subscriber of
//! a publish): a batch of them is written to the connection with one vectored write
//! (`writev`) where the socket takes it all, without copying, bypassing tungstenite (which
//! would frame, buffer and poll per message). Control messages (pings, pongs, close frames)
//! go through tungstenite, which keeps the closing handshake's state and answers the peer's
//! pings itself. The two never interleave on the wire: a frame is written completely before
//! tungstenite gets a message or is flushed, and tungstenite is flushed completely (its
//! pongs included) before the next frame is written.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;

use futures_util::SinkExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

use super::outbox::{Item, Receiver, Stop, KEEP_ROOM};
use super::CloseCode;

/// Most messages taken from the queue at once and written as one batch.
pub(super) const MAX_BATCH: usize = 128;

/// Most frames given to one vectored write (Linux's `IOV_MAX` is 1024).
const MAX_SLICES: usize = 64;

/// Why a write stopped before completing.
#[derive(Debug)]
pub(super) enum WriteError {
    /// The connection failed.
    Socket(tungstenite::Error),
    /// The connection is to be closed (shutdown, or its queue overflowed).
    Stop(Stop),
}

impl From<tungstenite::Error> for WriteError {
    fn from(error: tungstenite::Error) -> Self {
        WriteError::Socket(error)
    }
}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        WriteError::Socket(tungstenite::Error::Io(error))
    }
}

impl From<Stop> for WriteError {
    fn from(stop: Stop) -> Self {
        WriteError::Stop(stop)
    }
}

/// The receiving end of a connection's queue, and what was taken from it but not yet
/// written out.
///
/// Cancel-safe: a message leaves `batch` only once the socket took all of it (a frame's
/// bytes, counted by `offset` while it is partly written) or tungstenite took it, and every
/// [`Outgoing::write`] ends with everything written and flushed, so one dropped half-way
/// resumes where it stopped on the next call.
pub(super) struct Outgoing {
    queue: Receiver,
    /// Taken from the queue (or a keep-alive ping) but not yet written or handed over.
    batch: VecDeque<Item>,
    /// How many bytes of the first frame of `batch` are already written.
    offset: usize,
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
    pub(super) fn new(queue: Receiver) -> Outgoing {
        Outgoing {
            queue,
            batch: VecDeque::new(),
            offset: 0,
            ping_unflushed: false,
            close_sent: None,
        }
    }

    /// Waits until messages are queued and keeps them for the next write, or until the
    /// connection is to stop. Cancel-safe.
    pub(super) async fn wait(&mut self) -> Result<(), Stop> {
        poll_fn(|cx| self.queue.poll_take(cx, &mut self.batch, MAX_BATCH)).await
    }

    /// Nothing more is taken from the queue (the connection is closing); see
    /// [`Receiver::retire`].
    pub(super) fn retire(&self) {
        self.queue.retire();
    }

    /// The code of the close frame handed to the socket, if one was (it may not be flushed
    /// yet: a write dropped half-way).
    pub(super) fn close_sent(&self) -> Option<CloseCode> {
        self.close_sent
    }

    /// Writes `payload` as the keep-alive ping, ahead of the queue; only called right after a
    /// completed write.
    pub(super) fn ping(&mut self, payload: tungstenite::Bytes) {
        debug_assert_eq!(self.offset, 0);
        self.batch.push_front(Item::Control(Message::Ping(payload)));
        self.ping_unflushed = true;
    }

    /// Writes what a dropped write left, or else one batch (what is queued, up to
    /// [`MAX_BATCH`] messages), no further than a close frame, and flushes. `Err` when the
    /// connection failed, or is to stop (then what is queued is not written).
    pub(super) async fn write<S>(
        &mut self,
        socket: &mut WebSocketStream<S>,
    ) -> Result<Flushed, WriteError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        if self.offset == 0 {
            // Tungstenite's own output (its pongs, or a control message a dropped write
            // handed it) goes out before the next frame.
            socket.flush().await?;
        }
        // Once a close frame went out, nothing follows it: not even a stop's Err, which
        // would make the driver send a second close frame.
        if self.batch.is_empty() && self.close_sent.is_none() {
            self.queue.try_take(&mut self.batch, MAX_BATCH)?;
        }
        while self.close_sent.is_none() {
            self.write_frames(socket, false).await?;
            let Some(Item::Control(_)) = self.batch.front() else {
                break;
            };
            poll_fn(|cx| socket.poll_ready_unpin(cx)).await?;
            let Some(Item::Control(message)) = self.batch.pop_front() else {
                unreachable!("the first item is a control message");
            };
            let message = self.sendable(message);
            socket.start_send_unpin(message)?;
            socket.flush().await?;
        }
        if self.batch.is_empty() && self.batch.capacity() > KEEP_ROOM {
            // All written: an idle connection keeps no room for a past burst.
            self.batch = VecDeque::new();
        }
        Ok(Flushed {
            ping: std::mem::take(&mut self.ping_unflushed),
            close: self.close_sent,
        })
    }

    /// Finishes the frame a stop or a deadline interrupted, so that a close frame can
    /// follow without cutting it in two.
    pub(super) async fn finish<S>(&mut self, socket: &mut WebSocketStream<S>) -> io::Result<()>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        self.write_frames(socket, true).await
    }

    /// Writes the frames at the head of `batch` (until a control message), under
    /// tungstenite: vectored writes of up to [`MAX_SLICES`] frames, as the socket takes
    /// them. With `partial_only`, stops as soon as no frame is partly written.
    async fn write_frames<S>(
        &mut self,
        socket: &mut WebSocketStream<S>,
        partial_only: bool,
    ) -> io::Result<()>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        loop {
            if partial_only && self.offset == 0 {
                return Ok(());
            }
            if !matches!(self.batch.front(), Some(Item::Frame(_))) {
                return Ok(());
            }
            let io = socket.get_mut();
            // The slices are made anew at each poll, so they are not kept across the
            // `.await`: kept, their 1 KiB would sit in every connection's task, idle or not.
            let mut n = poll_fn(|cx| {
                let mut slices = [IoSlice::new(&[]); MAX_SLICES];
                let mut count = 0;
                for item in self.batch.iter().take(MAX_SLICES) {
                    let Item::Frame(bytes) = item else { break };
                    let skip = if count == 0 { self.offset } else { 0 };
                    slices[count] = IoSlice::new(&bytes[skip..]);
                    count += 1;
                }
                Pin::new(&mut *io).poll_write_vectored(cx, &slices[..count])
            })
            .await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            while n > 0 {
                let Some(Item::Frame(bytes)) = self.batch.front() else {
                    unreachable!("only frames were written");
                };
                let rest = bytes.len() - self.offset;
                if n < rest {
                    self.offset += n;
                    break;
                }
                n -= rest;
                self.offset = 0;
                self.batch.pop_front();
            }
        }
    }

    /// `message` as it goes out; a close frame is recorded (the batch ends with it).
    fn sendable(&mut self, message: Message) -> Message {
        match message {
            Message::Close(frame) => {
                let frame = frame.map(sendable);
                let code = frame.as_ref().map(|f| CloseCode(f.code.into()));
                self.close_sent = Some(code.unwrap_or(CloseCode::NO_STATUS));
                Message::Close(frame)
            }
            message => message,
        }
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

    use super::super::outbox::Outbox;
    use super::*;

    /// Writes polled once and dropped (as when a handler finishes first), over a pipe that
    /// takes 64 bytes at a time, with pings (written by tungstenite) among the framed text
    /// messages: the peer still gets every message once, in order, and every frame whole.
    #[tokio::test]
    async fn a_write_dropped_half_way_resumes_without_loss_or_reordering() {
        for write_buffer_size in [0, 4096] {
            let (server_io, client_io) = tokio::io::duplex(64);
            let config = WebSocketConfig::default().write_buffer_size(write_buffer_size);
            let mut server =
                WebSocketStream::from_raw_socket(server_io, Role::Server, Some(config)).await;
            let mut client = WebSocketStream::from_raw_socket(client_io, Role::Client, None).await;
            let (queue, receiver) = Outbox::new(1000, Default::default());
            queue.open();
            let expected: Vec<String> = (0..300)
                .map(|n| match n % 10 {
                    9 => format!("ping {n}"),
                    _ => format!("message {n}"),
                })
                .collect();
            for text in &expected {
                let message = match text.strip_prefix("ping ") {
                    Some(_) => Message::Ping(text.clone().into()),
                    None => Message::text(text.as_str()),
                };
                queue.push(Item::new(message), true, None).unwrap();
            }
            let mut out = Outgoing::new(receiver);
            let mut received = Vec::new();
            for _ in 0..100_000 {
                if received.len() == expected.len() {
                    break;
                }
                let _ = out.write(&mut server).now_or_never();
                while let Some(Some(Ok(message))) = client.next().now_or_never() {
                    received.push(match message {
                        Message::Ping(payload) => String::from_utf8(payload.to_vec()).unwrap(),
                        message => message.into_text().unwrap().as_str().to_owned(),
                    });
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
            let (queue, receiver) = Outbox::new(1, Default::default());
            let frame = CloseFrame {
                code: asked.into(),
                reason: "".into(),
            };
            let item = Item::new(Message::Close(Some(frame)));
            queue.push(item, true, None).unwrap();
            let flushed = Outgoing::new(receiver).write(&mut server).await.unwrap();
            assert_eq!(flushed.close, Some(CloseCode(sent)), "asked {asked}");
            let Some(Ok(Message::Close(Some(frame)))) = client.next().await else {
                panic!("no close frame for {asked}");
            };
            assert_eq!(u16::from(frame.code), sent, "asked {asked}");
        }
    }
}
