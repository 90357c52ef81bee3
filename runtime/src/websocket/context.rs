//! What a handler can do for its connection: send, publish, subscribe, reach the app.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::hub::Registration;
use super::{CloseCode, ConnId};
use crate::config::Config;
use crate::db::Db;
use crate::session::HttpSession;
use crate::state::AppState;

/// One connection's handle, passed to every [`Endpoint`](super::Endpoint) handler.
///
/// Its methods do not wait: sends are queued on the connection's bounded queue, in call
/// order together with what the hub delivers, and written by the connection's driver (see
/// the [module docs](super) for what happens when the queue is full). Messages queued in
/// `on_open` go out as soon as the socket is up, before anything others published or sent
/// to this connection while `on_open` ran.
///
/// `S` is the endpoint's [`Settings`](crate::config::Settings) type
/// ([`Endpoint::Settings`](super::Endpoint::Settings)), reached with [`Context::settings`];
/// `Context` alone is `Context<()>`, for an endpoint without settings. An endpoint with
/// settings can shadow the name once: `type Context = websocket::Context<ChatSettings>;`.
#[derive(Debug)]
pub struct Context<S = ()> {
    registration: Registration,
    state: AppState,
    settings: Arc<S>,
    peer: SocketAddr,
    http_session: HttpSession,
    session: WebSocketSession,
}

impl<S> Context<S> {
    pub(crate) fn new(
        registration: Registration,
        state: AppState,
        settings: Arc<S>,
        peer: SocketAddr,
        http_session: HttpSession,
    ) -> Self {
        Context {
            registration,
            state,
            settings,
            peer,
            http_session,
            session: WebSocketSession::default(),
        }
    }

    /// The endpoint's settings, read and checked when the app started (shared by every
    /// connection of the endpoint).
    pub fn settings(&self) -> &S {
        &self.settings
    }

    /// This connection's id, for [`Context::send_to`] from other connections.
    pub fn id(&self) -> ConnId {
        self.registration.id
    }

    /// Queues a text message to this peer.
    ///
    /// Nothing is written before `on_open` returns, so everything queued during `on_open`
    /// (history, say), together with what others deliver meanwhile, must fit in
    /// `queue_capacity` (default 1024): one more closes the connection with 1008 "too slow".
    /// Bound what `on_open` sends accordingly.
    pub fn send_text(&mut self, text: impl Into<String>) {
        self.enqueue(Message::Text(Utf8Bytes::from(text.into())));
    }

    /// Queues a binary message to this peer.
    pub fn send_binary(&mut self, data: impl Into<Bytes>) {
        self.enqueue(Message::Binary(data.into()));
    }

    /// Queues a ping frame (the peer answers with a pong: [`Endpoint::on_pong`](super::Endpoint::on_pong)).
    pub fn send_ping(&mut self, payload: impl Into<Bytes>) {
        self.enqueue(Message::Ping(payload.into()));
    }

    /// Queues an unsolicited pong frame.
    pub fn send_pong(&mut self, payload: impl Into<Bytes>) {
        self.enqueue(Message::Pong(payload.into()));
    }

    /// Queues a close frame with `code`, after what is already queued; the connection then
    /// ends and `on_close` gets `code`. Anything queued after it is dropped.
    pub fn close(&mut self, code: CloseCode) {
        let frame = CloseFrame {
            code: code.0.into(),
            reason: Utf8Bytes::from_static(""),
        };
        self.enqueue(Message::Close(Some(frame)));
    }

    /// Queues `text` to another connection; `false` if it is gone or too slow.
    pub fn send_to(&self, id: ConnId, text: impl Into<String>) -> bool {
        self.state.hub.send_to(id, text)
    }

    /// Subscribes this connection to `topic` (created if new); live at once.
    pub fn subscribe(&mut self, topic: &str) {
        self.state.hub.subscribe(self.id(), topic);
    }

    /// Unsubscribes from `topic`; the topic is removed if this was its last subscriber.
    pub fn unsubscribe(&mut self, topic: &str) {
        self.state.hub.unsubscribe(self.id(), topic);
    }

    /// Unsubscribes from every topic (done anyway when the connection ends).
    pub fn unsubscribe_from_all(&mut self) {
        self.state.hub.unsubscribe_all(self.id());
    }

    /// Publishes `text` to every subscriber of `topic` (this connection too, if subscribed,
    /// in order with its own sends); returns how many got it.
    pub fn publish(&mut self, topic: &str, text: impl Into<String>) -> usize {
        let message = Message::Text(Utf8Bytes::from(text.into()));
        self.state.hub.publish_from(self.id(), topic, message)
    }

    /// Tells the runtime this connection already has the messages of `topic` numbered up to
    /// `seq`, typically the id of the last history message `on_open` sent: numbered
    /// publishes of `topic` ([`Hub::publish_numbered`](super::Hub::publish_numbered)) up to
    /// `seq` are then dropped for this connection, those held while `on_open` runs and any
    /// arriving later, so the history and the live messages never overlap.
    pub fn replayed(&mut self, topic: &str, seq: i64) {
        self.state.hub.replayed(self.id(), topic, seq);
    }

    /// Publishes `data` as a binary message to every subscriber of `topic`.
    pub fn publish_binary(&mut self, topic: &str, data: impl Into<Bytes>) -> usize {
        let message = Message::Binary(data.into());
        self.state.hub.publish_from(self.id(), topic, message)
    }

    /// This connection's own key-value store (TreeFrog's WebSocket session).
    pub fn session(&mut self) -> &mut WebSocketSession {
        &mut self.session
    }

    /// The HTTP session of the handshake request (read-only).
    pub fn http_session(&self) -> &HttpSession {
        &self.http_session
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The app's config (this endpoint's own section: [`Context::settings`]).
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// The whole app state (hub, shutdown token, task tracker).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn enqueue(&self, message: Message) {
        self.registration.enqueue(message);
    }
}

/// Per-connection key-value strings, kept for the connection's lifetime.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebSocketSession {
    values: HashMap<String, String>,
}

impl WebSocketSession {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Stores `value` under `key`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.values.insert(key.into(), value.into())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.values.remove(key)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }
}
