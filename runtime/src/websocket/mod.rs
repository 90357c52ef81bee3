//! WebSocket endpoints after TreeFrog's `TWebSocketEndpoint`, with a pub/sub hub.
//!
//! An app implements [`Endpoint`] for a type and mounts it with
//! `.route("/chat", endpoint::<ChatEndpoint>())`. Each connection gets its own endpoint value
//! (`Default`), a [`Context`] to send, publish and reach the database, and one task (the
//! driver) that reads frames, writes queued messages and pings.
//!
//! # Handshake
//!
//! The runtime answers the handshake itself (RFC 6455 §4.2, HTTP/1.1): a request that is not
//! a valid one gets `405`, `426` or `400` (see [`endpoint`]). Then it checks the `Origin`
//! header: it must be the request's own origin, compared as RFC 6454 does (scheme, host and
//! port, default ports filled in, against `Host` or the URI's authority over HTTP/2), or be
//! listed in `allowed_origins`; no header at all is accepted, as sent by non-browser
//! clients; this does not stop DNS rebinding, see [`WebSocketSettings::allowed_origins`].
//! Then it runs [`Endpoint::on_open`]. A refused origin or `Ok(false)` answers
//! `403 Forbidden`, an `Err` `500`, and no socket is opened. What `on_open` queues
//! (`send_text`, its own `publish`es reaching it) is delivered once the socket is up, in the
//! order it was queued. Its subscriptions are live from the
//! moment it makes them, but what others publish or send to it while `on_open` runs is held
//! and delivered right after `on_open`'s own messages (so history loaded in `on_open` comes
//! first, and nothing is lost).
//!
//! That history and the held live messages can overlap: a message stored after the
//! subscription but before the history query is in both. A message published with
//! [`Hub::publish_numbered`] carries its number (the stored row's id, published in id order
//! by the one task that stores them); `on_open` calls [`Context::replayed`] with the last
//! number it sent, and numbered messages of that topic up to it never reach the connection,
//! held or later. So a joiner gets the history, then every later message once, in order.
//!
//! `on_open` runs to its end even if the client leaves meanwhile; once it accepted, the
//! connection always gets `on_close`: with 1006 if the socket never came up (the client left
//! before or right after the 101). From `on_open`'s acceptance on, the connection is a task
//! of [`AppState::tasks`](crate::AppState::tasks).
//!
//! # Backpressure
//!
//! Each connection has one bounded queue (`queue_capacity`, default 1024) that its own sends,
//! [`Context::send_to`] from others and [`Hub`] publishes all go into, in order. Nobody
//! ever waits on it: when it is full, the connection is a slow consumer and is closed with
//! **1008 "too slow"** (logged as a warning with a count), and is dropped from its topics at
//! once, so a slow client never stalls the publisher or the other subscribers. A published
//! message is framed once (RFC 6455 §5.2) and the bytes are shared (reference-counted) by
//! every subscriber's queue, not copied. The driver takes a batch (what is ready in the queue,
//! up to 128 messages) at once and writes its text and binary frames with vectored writes
//! (`writev`), as few as the socket allows; pings, pongs and close frames go through
//! tungstenite, never in the middle of a frame.
//!
//! Reading and writing take turns: before reading each frame the driver writes a batch of
//! what is queued, and it keeps writing while a handler runs. So a client that sends faster
//! than its handlers run (a store, say) is simply not read for a while, and TCP slows it
//! down; it is never closed for it. Only a peer that does not read its socket fills its
//! queue. Pending output (the replies tungstenite owes to the peer's pings included) is flushed
//! before each read, so a peer flooding pings without reading the pongs is held back by TCP
//! too, instead of growing the server's buffers.
//!
//! # Close codes
//!
//! | when | code sent | `on_close` gets |
//! |---|---|---|
//! | the peer closes | the reply (its code), flushed before `on_close` | the peer's code, 1005 if it sent none |
//! | the connection drops | — | 1006 |
//! | [`Context::close`] | the code given (1011 if RFC 6455 §7.4 forbids sending it, e.g. 1005, 1006) | that code (or 1011) |
//! | a message over `max_message_size` | 1009 | 1009 |
//! | a text frame that is not UTF-8 | 1007 | 1007 |
//! | a malformed frame (protocol error) | 1002 | 1002 |
//! | the queue is full (slow consumer) | 1008 "too slow" | 1008 |
//! | no pong one interval after a keep-alive ping | 1001 "keep-alive timeout" | 1001 |
//! | a handler returns `Err` or panics (logged once) | 1011 | 1011 |
//! | server shutdown | 1001 "server shutting down" | 1001 |
//!
//! Every close the server starts reaches the peer: the driver sends the close frame, flushes
//! it and half-closes the connection (the peer reads the frame, then the end of the stream),
//! runs `on_close`, then reads until the peer's close reply or, when it refused the peer's
//! input in the middle (1009, 1007, 1002), discards the unread rest until the peer closes.
//! When the peer closes first, the reply is flushed, the write side half-closed, and input
//! after the peer's close frame discarded the same way.
//! Dropping a socket with unread input would make the kernel answer with a reset, and the
//! peer would see a failed connection (1006) instead of the code. Sending the close and
//! waiting for the answer take 2 s at most in all (one deadline; `on_close` runs in between).
//!
//! # Keep-alive
//!
//! When [`Endpoint::keep_alive_interval`] (read after `on_open`; capped at one day, with a
//! warning) is N > 0 seconds, the driver pings N seconds after the connection opened, then N
//! seconds after each answered ping. Each ping carries a numbered payload
//! (`tspawn-keep-alive-1`, ...), and only a pong with that payload answers it: pongs to the
//! app's own [`Context::send_ping`] or unsolicited ones do not. If the answer has not arrived
//! N seconds after the ping was written, the peer is closed with 1001 "keep-alive timeout",
//! even in the middle of a write and however busy its topics are: a dead peer is closed
//! within 2N seconds (then the close handshake takes 2 s at most). A write blocked for 2N
//! seconds (a peer that stopped reading) also ends the connection (1006).
//!
//! # Shutdown
//!
//! Every driver is spawned on [`AppState::tasks`](crate::AppState::tasks). One task per
//! [`Hub`] watches [`AppState::shutdown`](crate::AppState::shutdown): when it fires, every
//! connection's queue is stopped (and any connection opening later), and its driver sends close
//! 1001 "server shutting down", runs `on_close`, waits for the reply (all within the close's
//! 2 s deadline, connections in parallel) and ends, and [`serve`](crate::serve) returns once
//! all have. Notices announced with [`Context::announce`] are dropped from then on: everyone is
//! being told 1001 anyway.
//!
//! # Config
//!
//! `[default.websocket]`, every key optional: see [`WebSocketSettings`].
//!
//! Each endpoint's own settings ([`Endpoint::Settings`], e.g. `[default.chat_endpoint]`) are
//! read and checked when the config is loaded, because [`endpoint`] records their type and
//! the app builds its routes before loading the config: a bad value stops the start with
//! one line naming the file and the key, instead of failing every connection. Handlers read
//! them with [`Context::settings`]; see [`Settings`] for the mechanism and its limits.

mod backlog;
mod batch;
mod context;
mod driver;
mod endpoint;
mod handshake;
mod hub;
mod keep_alive;
mod notices;
pub(crate) mod origin;
mod outbox;
mod settings;
mod socket;
mod upgrade;

use std::fmt;

pub use crate::config::Settings;
pub use crate::session::{session_cookie, HttpSession};
pub use context::{Context, WebSocketSession};
pub use endpoint::Endpoint;
pub use hub::Hub;
pub use notices::Notices;
pub use settings::WebSocketSettings;
pub use upgrade::endpoint;

/// A WebSocket close code (RFC 6455 §7.4), e.g. [`CloseCode::NORMAL`] (1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: going away (server shutdown, keep-alive timeout).
    pub const AWAY: CloseCode = CloseCode(1001);
    /// 1002: protocol error (a malformed frame).
    pub const PROTOCOL: CloseCode = CloseCode(1002);
    /// 1005: the peer's close frame had no code.
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: the connection dropped without a close frame.
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: a text message that is not valid UTF-8.
    pub const INVALID_DATA: CloseCode = CloseCode(1007);
    /// 1008: policy violation (here: a consumer too slow for its queue).
    pub const POLICY: CloseCode = CloseCode(1008);
    /// 1009: a message bigger than `max_message_size`.
    pub const TOO_BIG: CloseCode = CloseCode(1009);
    /// 1011: the server failed (a handler returned an error).
    pub const ERROR: CloseCode = CloseCode(1011);
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Identifies one connection for as long as the process runs (ids are never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(u64);

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
