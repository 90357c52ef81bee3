//! The socket side of one connection: writes its queue in batches, pings, reads frames, and
//! closes so that the peer always reads the close frame.
//!
//! [`Io::next_frame`] and [`Io::serve`] are cancel-safe (see [`Outgoing`]): the driver races
//! them against a handler and drops them when the handler is done, without losing or
//! reordering anything.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::time::{timeout_at, Instant, Sleep};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

use super::batch::{Outgoing, WriteError};
use super::keep_alive::KeepAlive;
use super::outbox::{Receiver, Stop, Stops};
use super::{CloseCode, ConnId};

/// The upgraded connection, framed by tungstenite.
pub(super) type Socket = WebSocketStream<super::upgrade::Transport>;

/// How long closing may take in all: sending the close frame, then waiting for the peer's
/// reply or for it to close the connection, one deadline for both (so at shutdown every
/// connection is done within it, whatever each step takes).
pub(super) const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

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
    /// How a stop from the queue ends the connection.
    fn from_stop(stop: Stop) -> End {
        match stop {
            Stop::Shutdown => End::Close(CloseCode::AWAY, "server shutting down"),
            Stop::Slow => End::Close(CloseCode::POLICY, "too slow"),
        }
    }

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
///
/// The timers are kept from step to step and moved only when their deadline changes (a
/// ping, a pong, a write that blocks), not made anew for each batch: a timer is an entry in
/// tokio's timer wheel, added and removed under its lock.
pub(super) struct Io {
    socket: Socket,
    out: Outgoing,
    /// Tells a blocked write that the connection is to stop (shutdown, a full queue).
    stops: Stops,
    keep_alive: Option<KeepAlive>,
    /// Fires at the keep-alive deadline (the next ping, or the pong awaited); made on first
    /// use.
    alarm: Option<Pin<Box<Sleep>>>,
    /// Fires when the current write has been blocked too long; made when a write first
    /// blocks.
    write_alarm: Option<Pin<Box<Sleep>>>,
    /// Whether the socket may have input, and the waker its reads register.
    readable: Arc<Readable>,
    read_waker: Waker,
    /// Since when the current write has been blocked (the socket full); `None` while
    /// writes complete at once.
    writing_since: Option<Instant>,
}

impl Io {
    pub(super) fn new(socket: Socket, queue: Receiver, keep_alive: Option<KeepAlive>) -> Io {
        let readable = Arc::new(Readable {
            ready: AtomicBool::new(true),
            task: AtomicWaker::new(),
        });
        Io {
            read_waker: Waker::from(readable.clone()),
            readable,
            socket,
            stops: queue.stops(),
            out: Outgoing::new(queue),
            keep_alive,
            alarm: None,
            write_alarm: None,
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

    /// One batch, then one event: a keep-alive deadline (the pong is late: close; a ping is
    /// due: queue it), queued messages (kept for the next batch) or a stop, or, when `read`,
    /// a frame. A shutdown or a full queue (a stop) is also seen by every batch.
    async fn step(&mut self, read: bool) -> Result<Option<Frame>, End> {
        self.write_out().await?;
        let deadline = self.keep_alive.as_ref().and_then(KeepAlive::deadline);
        let mut alarm = arm(&mut self.alarm, deadline);
        let alarmed = alarm.is_some();
        let ring = poll_fn(|cx| match alarm {
            Some(ref mut alarm) => alarm.as_mut().poll(cx),
            None => Poll::Pending,
        });
        // The keep-alive arm comes first, so a busy topic cannot starve it.
        tokio::select! {
            biased;
            () = ring, if alarmed => self.keep_alive_due(),
            frame = poll_fn(|cx| poll_frame(&mut self.socket, &self.readable, &self.read_waker, cx)), if read => {
                Ok(Some(frame))
            }
            taken = self.out.wait() => taken.map(|()| None).map_err(End::from_stop),
        }
    }

    /// The keep-alive deadline passed: the pong is late (close with 1001), or a ping is due
    /// (queued ahead of the rest).
    fn keep_alive_due(&mut self) -> Result<Option<Frame>, End> {
        let Some(keep_alive) = &mut self.keep_alive else {
            return Ok(None);
        };
        if keep_alive.pong_deadline().is_some() {
            return Err(End::Close(CloseCode::AWAY, "keep-alive timeout"));
        }
        self.out.ping(keep_alive.next_payload());
        Ok(None)
    }

    /// Writes what waits in `out` and flushes, unless shutdown, a full queue or a deadline
    /// ends the connection first. A write blocked for two keep-alive intervals (a peer that
    /// stopped reading) ends it as dropped.
    ///
    /// It flushes even when `out` is empty: tungstenite answers each ping the peer sends
    /// with a pong it buffers itself, and only this flush bounds that buffer. So a peer
    /// that floods pings without reading the pongs is not read either until it does (TCP
    /// backpressure), instead of growing the server's memory.
    ///
    /// The deadlines and the stop are only looked at while the write is blocked: one that
    /// completes at once costs no timer and no look at the clock.
    async fn write_out(&mut self) -> Result<(), End> {
        let Io {
            socket,
            out,
            stops,
            keep_alive,
            alarm,
            write_alarm,
            writing_since,
            ..
        } = self;
        let pong_by = keep_alive.as_ref().and_then(KeepAlive::pong_deadline);
        let mut write = pin!(out.write(socket));
        let flushed = poll_fn(|cx| {
            if let Poll::Ready(result) = write.as_mut().poll(cx) {
                return Poll::Ready(result.map_err(|error| match error {
                    WriteError::Stop(stop) => End::from_stop(stop),
                    WriteError::Socket(error) => {
                        tracing::debug!(%error, "WebSocket write failed");
                        End::Dropped
                    }
                }));
            }
            // Blocked: the socket is full (the peer reads slowly, or not at all).
            if let Poll::Ready(stop) = stops.poll_stop(cx) {
                return Poll::Ready(Err(End::from_stop(stop)));
            }
            if let Some(alarm) = arm(alarm, pong_by) {
                if alarm.as_mut().poll(cx).is_ready() {
                    let end = End::Close(CloseCode::AWAY, "keep-alive timeout");
                    return Poll::Ready(Err(end));
                }
            }
            let since = *writing_since.get_or_insert_with(Instant::now);
            let write_by = keep_alive.as_ref().map(|k| since + k.write_limit());
            if let Some(alarm) = arm(write_alarm, write_by) {
                if alarm.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(End::Dropped));
                }
            }
            Poll::Pending
        })
        .await?;
        self.writing_since = None;
        if let (true, Some(keep_alive)) = (flushed.ping, &mut self.keep_alive) {
            keep_alive.ping_written();
        }
        match flushed.close {
            Some(code) => Err(End::Sent(code)),
            None => Ok(()),
        }
    }

    /// How the connection really ends: a close frame of `Context::close` already handed to
    /// the socket (its write dropped when a handler failed or a stop came) is the one the
    /// peer gets, so the end is that frame's ([`End::Sent`]), not a second close frame.
    /// Nothing more is taken from the queue after this ([`Outgoing::retire`]), so a closing
    /// connection never holds up a group commit waiting for the hub's backlog.
    pub(super) fn settle(&self, end: End) -> End {
        self.out.retire();
        match (end, self.out.close_sent()) {
            (End::Close(..) | End::Refuse(..), Some(code)) => End::Sent(code),
            (end, _) => end,
        }
    }

    /// Starts ending the connection as `end` requires: flushes the reply to the peer's close
    /// frame, or sends the server's close frame, flushes it; then half-closes the write side
    /// (the peer reads the frame, then the end of the stream). Gives up at `by` (the close's
    /// one deadline, [`CLOSE_TIMEOUT`] from its start); `true` if the peer is now due to
    /// close its side (see [`Io::linger`]).
    pub(super) async fn close(&mut self, end: End, by: Instant) -> bool {
        let sent = timeout_at(by, async {
            match end {
                // The reply tungstenite queued; without it the peer sees an unclean close.
                End::Closed(_) => {
                    return self.socket.flush().await.is_ok()
                        && self.socket.get_mut().shutdown().await.is_ok();
                }
                End::Dropped => {}
                End::Close(code, reason) | End::Refuse(code, reason) => {
                    // A frame a stop cut in two is completed first.
                    return self.out.finish(&mut self.socket).await.is_ok()
                        && self.send_close(code, reason).await;
                }
                End::Sent(_) => {
                    return self.socket.flush().await.is_ok()
                        && self.socket.get_mut().shutdown().await.is_ok();
                }
            }
            false
        });
        sent.await.unwrap_or(false)
    }

    /// After the close frames: reads until the peer's close reply to a close the server
    /// started or, when its input was refused mid-message or it closed first, discards what
    /// it still sends until it closes the connection, until `by` at most (the deadline
    /// [`Io::close`] had). So, unless the peer takes longer, no socket is dropped with unread input while the peer is still
    /// sending: the kernel would answer that with a reset, which fails the peer's writes and
    /// can cost it the close frame (a browser then reports 1006).
    pub(super) async fn linger(mut self, end: End, by: Instant) {
        let _ = timeout_at(by, async {
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

/// `slot`'s timer set to fire at `deadline` (made on first use, moved only when the deadline
/// changed); `None` when there is no deadline.
fn arm(
    slot: &mut Option<Pin<Box<Sleep>>>,
    deadline: Option<Instant>,
) -> Option<&mut Pin<Box<Sleep>>> {
    let deadline = deadline?;
    match slot {
        Some(alarm) if alarm.deadline() == deadline => {}
        Some(alarm) => alarm.as_mut().reset(deadline),
        None => *slot = Some(Box::pin(tokio::time::sleep_until(deadline))),
    }
    slot.as_mut()
}

/// Whether a connection's socket may have input: set when the socket wakes its reader (and
/// after each frame read, as more may be buffered), cleared before a read is tried. So the
/// driver, woken many times a second by its queue, tries a read only when the socket
/// signalled input: each try costs tungstenite a zeroed parse buffer and a pass through the
/// transport even when nothing is there (measured: most of the instructions per delivery
/// before this flag, with 4 KiB buffers).
struct Readable {
    ready: AtomicBool,
    /// The driver's task, woken with the flag set.
    task: AtomicWaker,
}

impl Wake for Readable {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// The next frame from `socket`, tried only when `readable` says input may be there; the
/// read registers `read_waker`, which sets the flag and wakes the task in `cx`.
fn poll_frame(
    socket: &mut Socket,
    readable: &Readable,
    read_waker: &Waker,
    cx: &mut Context<'_>,
) -> Poll<Frame> {
    readable.task.register(cx.waker());
    if !readable.ready.swap(false, Ordering::AcqRel) {
        return Poll::Pending;
    }
    match socket.poll_next_unpin(&mut Context::from_waker(read_waker)) {
        Poll::Ready(frame) => {
            readable.ready.store(true, Ordering::Release);
            Poll::Ready(frame)
        }
        Poll::Pending => Poll::Pending,
    }
}
