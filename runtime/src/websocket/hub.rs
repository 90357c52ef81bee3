//! Topics, connections and their outgoing queues.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::backlog::Backlog;
use super::outbox::{Item, Outbox, Receiver, Rejected, Stop};
use super::ConnId;
use crate::state::AppState;

/// The in-process pub/sub hub: topic → subscribed connections. A cheap `Clone` handle
/// ([`AppState::hub`](crate::AppState::hub)).
///
/// # Delivery and backpressure
///
/// [`Hub::publish`] reaches every connection subscribed to the topic, the publisher's own
/// too if it is subscribed. The message is framed once (RFC 6455 §5.2) and the bytes are
/// shared by all subscribers' queues. Each
/// connection has one bounded queue and publishing never waits on it: a
/// connection whose queue is full is a slow consumer; it is removed from all its topics at
/// once, closed with 1008 "too slow" by its driver, and a warning with the count is logged.
/// So one slow client never stalls the publisher or the other subscribers.
///
/// While its `on_open` runs, what others publish or send to a connection is held back and
/// queued after all `on_open` queues itself (sends, its own publishes), so a newcomer gets
/// the history `on_open` loads first. Held messages count against the queue's capacity.
///
/// # History then live, each message once
///
/// A joiner subscribes, then loads the history: a message stored in between would reach it
/// twice (in the history and live), and messages published by different tasks after their
/// own commits can overtake each other. [`Hub::publish_numbered`] carries a sequence number
/// (the stored row's id) from one publisher that publishes in number order (the
/// [`GroupCommit`](crate::GroupCommit) writer, after each commit); `on_open` reports the
/// last number it replayed ([`Context::replayed`](super::Context::replayed)), and numbered
/// messages of that topic up to it are dropped for that connection, held or arriving later.
/// So a joiner gets the history, then every later message once, in order, with no gap.
///
/// A topic exists while it has subscribers: the last one leaving (or disconnecting) removes
/// it. A topic maps straight to its subscribers' queues. The lock is a std `Mutex` held only
/// for map updates and pushes (each queue has a small lock of its own), never across an
/// `.await`.
#[derive(Clone, Debug)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    capacity: usize,
    next_id: AtomicU64,
    /// Whether a task watches the app's shutdown token for this hub (see
    /// [`Hub::watch_shutdown`]).
    watching: AtomicBool,
    /// Connections woken by a push that have not taken their messages yet.
    backlog: Arc<Backlog>,
    maps: Mutex<Maps>,
}

#[derive(Debug, Default)]
struct Maps {
    /// Topic → its subscribers' queues.
    topics: HashMap<Arc<str>, HashMap<ConnId, Outbox>>,
    conns: HashMap<ConnId, Conn>,
    /// The server shuts down: every connection, and any registered later, is stopped.
    shutting_down: bool,
}

#[derive(Debug)]
struct Conn {
    outbox: Outbox,
    topics: HashSet<Arc<str>>,
}

/// A connection's membership in the hub; dropping it unregisters the connection and
/// unsubscribes it from everything.
#[derive(Debug)]
pub(crate) struct Registration {
    pub(crate) hub: Hub,
    pub(crate) id: ConnId,
    /// The connection's own queue, for its own sends (no hub lock needed).
    outbox: Outbox,
}

impl Registration {
    /// Queues `message` for this connection (its own sends); a full queue marks it slow.
    pub(crate) fn enqueue(&self, message: Message) {
        // A closed or stopped connection drops the message.
        if let Err(Rejected::Slow) = self.outbox.push(Item::new(message), true, None) {
            self.hub.lock().overflowed(self.id);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut maps = self.hub.lock();
        maps.unsubscribe_all(self.id);
        maps.conns.remove(&self.id);
    }
}

impl Hub {
    /// A hub whose per-connection queues hold `queue_capacity` messages (clamped to
    /// 1..=1,000,000).
    pub fn new(queue_capacity: usize) -> Hub {
        let inner = Inner {
            capacity: queue_capacity,
            next_id: AtomicU64::new(1),
            watching: AtomicBool::new(false),
            backlog: Arc::default(),
            maps: Mutex::default(),
        };
        Hub {
            inner: Arc::new(inner),
        }
    }

    /// Sends `text` to every subscriber of `topic`; returns how many queues took it.
    pub fn publish(&self, topic: &str, text: impl Into<String>) -> usize {
        let message = Message::Text(Utf8Bytes::from(text.into()));
        self.publish_message(None, topic, message, None)
    }

    /// Sends `text`, message number `seq` of `topic`, to every subscriber that does not
    /// already have it (see [History then live](Hub#history-then-live-each-message-once));
    /// returns how many queues took it or had it.
    ///
    /// `seq` is the message's place in the topic, e.g. the id of the row it was stored as;
    /// numbers must be published in increasing order, by one publisher (the task that
    /// stores them, right after each commit).
    pub fn publish_numbered(&self, topic: &str, seq: i64, text: impl Into<String>) -> usize {
        let message = Message::Text(Utf8Bytes::from(text.into()));
        self.publish_message(None, topic, message, Some(seq))
    }

    /// Sends `data` as a binary message to every subscriber of `topic`; returns how many
    /// queues took it.
    pub fn publish_binary(&self, topic: &str, data: impl Into<Bytes>) -> usize {
        self.publish_message(None, topic, Message::Binary(data.into()), None)
    }

    /// Sends `text` to one connection; `false` if it is gone or was too slow (and is being
    /// closed with 1008).
    pub fn send_to(&self, id: ConnId, text: impl Into<String>) -> bool {
        let item = Item::new(Message::Text(Utf8Bytes::from(text.into())));
        self.lock().enqueue(id, item).is_ok()
    }

    /// How many connections are subscribed to `topic` (0 when it does not exist).
    pub fn subscriber_count(&self, topic: &str) -> usize {
        self.lock().topics.get(topic).map_or(0, HashMap::len)
    }

    /// The topics that currently have subscribers, sorted.
    pub fn topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = self.lock().topics.keys().map(|t| t.to_string()).collect();
        topics.sort();
        topics
    }

    /// Resolves once every connection that a publish or send woke has taken its messages (at
    /// once when none is waiting to): what was published so far is being written out. Used
    /// by [`GroupCommit`](crate::GroupCommit) to gather a group while the previous one fans
    /// out (see `websocket/backlog.rs`).
    pub(crate) async fn settled(&self) {
        self.inner.backlog.settled().await;
    }

    /// How many connections are registered (open, or opening in `on_open`).
    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }

    /// Registers a new, opening connection: its id, its queue's receiving end and the guard
    /// that unregisters it. Deliveries from others are held until [`Hub::opened`].
    /// A connection registered once the server shuts down is stopped at once.
    pub(crate) fn register(&self) -> (Registration, Receiver) {
        let id = ConnId(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let (outbox, receiver) = Outbox::new(self.inner.capacity, self.inner.backlog.clone());
        let conn = Conn {
            outbox: outbox.clone(),
            topics: HashSet::new(),
        };
        let mut maps = self.lock();
        if maps.shutting_down {
            outbox.stop(Stop::Shutdown);
        }
        maps.conns.insert(id, conn);
        drop(maps);
        let registration = Registration {
            hub: self.clone(),
            id,
            outbox,
        };
        (registration, receiver)
    }

    /// Makes sure one task watches `state.shutdown` for this hub: when it fires, every
    /// connection's driver is told through its queue (close 1001), so drivers need not each
    /// watch the token (a lock per look) on every step.
    pub(crate) fn watch_shutdown(&self, state: &AppState) {
        if self.inner.watching.swap(true, Ordering::AcqRel) {
            return;
        }
        let hub = self.clone();
        let token = state.shutdown.clone();
        state.tasks.spawn(async move {
            token.cancelled().await;
            hub.shut_down();
        });
    }

    /// Stops every connection, and any registered later: their drivers close with 1001.
    fn shut_down(&self) {
        let mut maps = self.lock();
        maps.shutting_down = true;
        for conn in maps.conns.values() {
            conn.outbox.stop(Stop::Shutdown);
        }
    }

    /// Publishes on behalf of connection `from`, whose own copy is not held back.
    pub(crate) fn publish_from(&self, from: ConnId, topic: &str, message: Message) -> usize {
        self.publish_message(Some(from), topic, message, None)
    }

    /// Connection `id` has the messages of `topic` numbered up to `seq` (see
    /// [`Context::replayed`](super::Context::replayed)).
    pub(crate) fn replayed(&self, id: ConnId, topic: &str, seq: i64) {
        if let Some(conn) = self.lock().conns.get(&id) {
            conn.outbox.replayed(topic, seq);
        }
    }

    /// `on_open` accepted connection `id`: queues what others sent it meanwhile (held
    /// messages already count against the capacity, so this never overflows).
    pub(crate) fn opened(&self, id: ConnId) {
        if let Some(conn) = self.lock().conns.get(&id) {
            conn.outbox.open();
        }
    }

    pub(crate) fn subscribe(&self, id: ConnId, topic: &str) {
        let mut guard = self.lock();
        let maps = &mut *guard;
        let Some(conn) = maps.conns.get_mut(&id) else {
            return;
        };
        if conn.outbox.is_stopped() {
            return;
        }
        let topic: Arc<str> = match maps.topics.get_key_value(topic) {
            Some((key, _)) => key.clone(),
            None => Arc::from(topic),
        };
        conn.topics.insert(topic.clone());
        let outbox = conn.outbox.clone();
        maps.topics.entry(topic).or_default().insert(id, outbox);
    }

    pub(crate) fn unsubscribe(&self, id: ConnId, topic: &str) {
        let mut maps = self.lock();
        if let Some(conn) = maps.conns.get_mut(&id) {
            conn.topics.remove(topic);
        }
        maps.leave(id, topic);
    }

    pub(crate) fn unsubscribe_all(&self, id: ConnId) {
        self.lock().unsubscribe_all(id);
    }

    fn publish_message(
        &self,
        from: Option<ConnId>,
        topic: &str,
        message: Message,
        seq: Option<i64>,
    ) -> usize {
        let item = Item::new(message);
        let number = seq.map(|seq| (topic, seq));
        let mut maps = self.lock();
        let Some(subscribers) = maps.topics.get(topic) else {
            return 0;
        };
        let mut delivered = 0;
        let mut slow = Vec::new();
        for (&id, outbox) in subscribers {
            match outbox.push(item.clone(), from == Some(id), number) {
                Ok(()) => delivered += 1,
                Err(Rejected::Slow) => slow.push(id),
                Err(Rejected::Gone) => {}
            }
        }
        for &id in &slow {
            maps.overflowed(id);
        }
        drop(maps);
        if !slow.is_empty() {
            tracing::warn!(
                topic,
                slow = slow.len(),
                "closing subscribers too slow for their queue (1008)"
            );
        }
        delivered
    }

    fn lock(&self) -> MutexGuard<'_, Maps> {
        self.inner
            .maps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Maps {
    /// Queues `item` for `id` from another connection (see [`Outbox::push`]).
    fn enqueue(&mut self, id: ConnId, item: Item) -> Result<(), Rejected> {
        let conn = self.conns.get(&id).ok_or(Rejected::Gone)?;
        let result = conn.outbox.push(item, false, None);
        if let Err(Rejected::Slow) = result {
            self.overflowed(id);
        }
        result
    }

    /// `id`'s queue overflowed (it is marked slow): it leaves its topics at once.
    fn overflowed(&mut self, id: ConnId) {
        tracing::warn!(conn_id = %id, "outgoing queue full: closing with 1008 too slow");
        self.unsubscribe_all(id);
    }

    fn unsubscribe_all(&mut self, id: ConnId) {
        let topics = match self.conns.get_mut(&id) {
            Some(conn) => std::mem::take(&mut conn.topics),
            None => return,
        };
        for topic in topics {
            self.leave(id, &topic);
        }
    }

    /// Removes `id` from `topic`'s subscribers, and the topic when it was the last one.
    fn leave(&mut self, id: ConnId, topic: &str) {
        if let Some(ids) = self.topics.get_mut(topic) {
            ids.remove(&id);
            if ids.is_empty() {
                self.topics.remove(topic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_vanish_with_their_last_subscriber() {
        let hub = Hub::new(4);
        let (a, _qa) = hub.register();
        let (b, _qb) = hub.register();
        hub.subscribe(a.id, "room");
        hub.subscribe(b.id, "room");
        assert_eq!(hub.subscriber_count("room"), 2);
        hub.unsubscribe(a.id, "room");
        assert_eq!(hub.topics(), ["room"]);
        drop(b);
        assert!(hub.topics().is_empty());
        assert_eq!(hub.connection_count(), 1);
    }

    #[test]
    fn a_full_queue_marks_only_that_connection_slow() {
        let hub = Hub::new(1);
        let (fast, fast_queue) = hub.register();
        let (slow, _slow_queue) = hub.register();
        hub.opened(fast.id);
        hub.opened(slow.id);
        hub.subscribe(fast.id, "t");
        hub.subscribe(slow.id, "t");
        assert_eq!(hub.publish("t", "one"), 2);
        let mut batch = std::collections::VecDeque::new();
        fast_queue.try_take(&mut batch, 10).unwrap();
        assert_eq!(hub.publish("t", "two"), 1);
        assert!(slow.outbox.is_stopped() && !fast.outbox.is_stopped());
        assert_eq!(hub.subscriber_count("t"), 1, "the slow one left its topics");
    }
}
