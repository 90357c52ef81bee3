//! One connection's outgoing queue: what its handlers and the hub queue for it, what is held
//! back for it while `on_open` runs, and the flag that stops its driver (too slow, shutdown).
//!
//! The queue is a `VecDeque` under a small lock of its own, shared by the sending side
//! ([`Outbox`], held by the hub and the connection's [`Context`](super::Context)) and the
//! receiving side ([`Receiver`], held by the connection's driver). The driver takes up to a
//! batch of messages at once, and a sender wakes it only when the queue goes from empty to
//! non-empty (or the connection must stop): a busy connection costs one lock per message
//! and no wake-up, where a channel costs a wake-up (and its atomics) per message.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use axum::body::Bytes;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

use super::backlog::Backlog;

/// The most messages a connection's queue may hold (`queue_capacity` is checked against it:
/// a queue this long is a mistake).
pub(crate) const MAX_QUEUE_CAPACITY: usize = 1_000_000;

/// A message as it waits in a queue.
#[derive(Debug, Clone)]
pub(super) enum Item {
    /// A text or binary message as one complete frame, header included (RFC 6455 §5.2: FIN
    /// set, unmasked as a server sends it), written to the socket as is. A publish frames
    /// its message once and every subscriber's queue shares the bytes.
    Frame(Bytes),
    /// A ping, pong or close message, which tungstenite frames and writes (it keeps the
    /// closing handshake's state).
    Control(Message),
}

impl Item {
    /// `message` ready to queue: text and binary messages framed, the others as they are.
    pub(super) fn new(message: Message) -> Item {
        match message {
            Message::Text(text) => Item::framed(Data::Text, text.into()),
            Message::Binary(data) => Item::framed(Data::Binary, data),
            message => Item::Control(message),
        }
    }

    /// One final, unmasked data frame carrying `payload`, formatted by tungstenite.
    fn framed(opcode: Data, payload: Bytes) -> Item {
        let frame = Frame::message(payload, OpCode::Data(opcode), true);
        let mut bytes = Vec::with_capacity(frame.len());
        frame
            .format(&mut bytes)
            .expect("formatting into a Vec cannot fail");
        Item::Frame(Bytes::from(bytes))
    }
}

/// Why a connection's driver stops writing its queue and closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// The server shuts down: close with 1001.
    Shutdown,
    /// The queue overflowed (a slow consumer): close with 1008.
    Slow,
}

/// Why a message was not queued.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Rejected {
    /// The queue was full: the connection is now marked slow (closed with 1008).
    Slow,
    /// The connection is closed, closing, or unknown.
    Gone,
}

/// A published message's place in its topic's sequence (see
/// [`Hub::publish_numbered`](super::Hub::publish_numbered)): `seq` grows with each message.
pub(super) type Number<'a> = (&'a str, i64);

/// A delivery from others, held while the connection opens.
#[derive(Debug)]
struct Held {
    item: Item,
    number: Option<(Arc<str>, i64)>,
}

/// What both sides of a queue share, under one lock.
#[derive(Debug)]
struct State {
    items: VecDeque<Item>,
    /// Most messages queued and held together.
    capacity: usize,
    /// `Some` while opening: deliveries from others, in arrival order.
    held: Option<Vec<Held>>,
    /// Per topic, the last number the connection already has (the history it replayed);
    /// a connection has few topics, so a list is searched.
    replayed: Vec<(Arc<str>, i64)>,
    /// Set once: the driver is to close the connection (nothing is queued any more).
    stop: Option<Stop>,
    /// The receiving end is gone (the driver ended, or never started).
    closed: bool,
    /// The driver's waker, while it waits for messages or for a stop.
    waker: Option<Waker>,
    /// `waker` is the driver's waiting for messages (not a blocked write's).
    idle: bool,
    /// The hub's count of woken connections that have not taken their messages yet.
    backlog: Arc<Backlog>,
    /// This connection is in that count.
    counted: bool,
}

impl State {
    /// Whether the connection already has message `seq` of `topic`.
    fn has(&self, topic: &str, seq: i64) -> bool {
        self.replayed
            .iter()
            .any(|(t, last)| **t == *topic && seq <= *last)
    }

    /// Appends `item`; returns the waker to wake when the queue was empty. A driver woken
    /// while it waited for messages counts in the backlog until it takes them.
    fn append(&mut self, item: Item) -> Option<Waker> {
        let was_empty = self.items.is_empty();
        self.items.push_back(item);
        if !was_empty {
            return None;
        }
        let waker = self.waker.take();
        if waker.is_some() && std::mem::take(&mut self.idle) && !self.counted {
            self.counted = true;
            self.backlog.woke();
        }
        waker
    }

    /// The driver took its messages (or will not): it leaves the backlog.
    fn settle(&mut self) {
        if std::mem::take(&mut self.counted) {
            self.backlog.taken();
        }
    }

    /// Stops the connection for `stop` (a shutdown wins over a slow consumer), drops what is
    /// queued and held; returns the waker to wake.
    fn stop(&mut self, stop: Stop) -> Option<Waker> {
        if self.stop != Some(Stop::Shutdown) {
            self.stop = Some(stop);
        }
        self.held = None;
        self.items = VecDeque::new();
        self.settle();
        self.waker.take()
    }
}

/// The sending side of one connection's bounded queue (a cheap `Clone`).
///
/// While the connection is opening (`on_open` runs), messages from others (publishes,
/// `send_to`) are held instead, so that everything `on_open` queues itself goes out first;
/// [`Outbox::open`] then appends them. Held messages count against the capacity.
///
/// A numbered message whose number is at most what [`Outbox::replayed`] recorded for its
/// topic is dropped, whether it is held or arrives later: the connection already has it.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    state: Arc<Mutex<State>>,
}

impl Outbox {
    /// A new, opening connection's outbox and the receiving end of its queue, which holds
    /// `capacity` messages (clamped to `1..=MAX_QUEUE_CAPACITY`); wake-ups count in
    /// `backlog` until the driver takes what woke it.
    pub(super) fn new(capacity: usize, backlog: Arc<Backlog>) -> (Outbox, Receiver) {
        let state = State {
            items: VecDeque::new(),
            capacity: capacity.clamp(1, MAX_QUEUE_CAPACITY),
            held: Some(Vec::new()),
            replayed: Vec::new(),
            stop: None,
            closed: false,
            waker: None,
            idle: false,
            backlog,
            counted: false,
        };
        let state = Arc::new(Mutex::new(state));
        let receiver = Receiver {
            state: state.clone(),
        };
        (Outbox { state }, receiver)
    }

    /// Queues `item`; `own` when the connection queued it itself (its sends, its own
    /// publish reaching it), which is never held back; `number` for a numbered publish, which
    /// is dropped (`Ok`) when the connection already has it.
    pub(super) fn push(
        &self,
        item: Item,
        own: bool,
        number: Option<Number<'_>>,
    ) -> Result<(), Rejected> {
        let mut state = lock(&self.state);
        if state.stop.is_some() || state.closed {
            return Err(Rejected::Gone);
        }
        if number.is_some_and(|(topic, seq)| state.has(topic, seq)) {
            return Ok(());
        }
        let held = state.held.as_ref().map_or(0, Vec::len);
        let waker = if state.items.len() + held >= state.capacity {
            let waker = state.stop(Stop::Slow);
            drop(state);
            wake(waker);
            return Err(Rejected::Slow);
        } else if let (Some(held), false) = (&mut state.held, own) {
            let number = number.map(|(topic, seq)| (Arc::from(topic), seq));
            held.push(Held { item, number });
            None
        } else {
            state.append(item)
        };
        drop(state);
        wake(waker);
        Ok(())
    }

    /// Ends the opening: queues what was held, after what the connection queued itself,
    /// except numbered messages it already has.
    pub(super) fn open(&self) {
        let mut state = lock(&self.state);
        let Some(held) = state.held.take() else {
            return;
        };
        let mut waker = None;
        for Held { item, number } in held {
            if !number.is_some_and(|(topic, seq)| state.has(&topic, seq)) {
                waker = state.append(item).or(waker);
            }
        }
        drop(state);
        wake(waker);
    }

    /// Records that the connection has the messages of `topic` numbered up to `seq`.
    pub(super) fn replayed(&self, topic: &str, seq: i64) {
        let mut state = lock(&self.state);
        match state.replayed.iter_mut().find(|(t, _)| **t == *topic) {
            Some((_, last)) => *last = (*last).max(seq),
            None => state.replayed.push((Arc::from(topic), seq)),
        }
    }

    /// Stops the connection: its driver closes it (1001 for a shutdown, 1008 when slow), and
    /// nothing more is queued.
    pub(super) fn stop(&self, stop: Stop) {
        let waker = lock(&self.state).stop(stop);
        wake(waker);
    }

    /// Whether the connection was marked slow (or is otherwise stopping).
    pub(super) fn is_stopped(&self) -> bool {
        lock(&self.state).stop.is_some()
    }
}

/// The receiving end of one connection's queue, held by its driver; dropping it makes
/// every later push [`Rejected::Gone`] and frees what was queued.
#[derive(Debug)]
pub(crate) struct Receiver {
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// Moves up to `max` queued messages to the end of `batch`, without waiting; `Err` when
    /// the connection is to stop.
    pub(super) fn try_take(&self, batch: &mut VecDeque<Item>, max: usize) -> Result<(), Stop> {
        let mut state = lock(&self.state);
        if let Some(stop) = state.stop {
            return Err(stop);
        }
        state.settle();
        take(&mut state.items, batch, max);
        Ok(())
    }

    /// Waits until messages are queued and moves up to `max` of them to `batch`, or until
    /// the connection is to stop (`Err`). Cancel-safe.
    pub(super) fn poll_take(
        &self,
        cx: &mut Context<'_>,
        batch: &mut VecDeque<Item>,
        max: usize,
    ) -> Poll<Result<(), Stop>> {
        let mut state = lock(&self.state);
        if let Some(stop) = state.stop {
            return Poll::Ready(Err(stop));
        }
        if state.items.is_empty() {
            register(&mut state.waker, cx);
            state.idle = true;
            return Poll::Pending;
        }
        state.settle();
        take(&mut state.items, batch, max);
        Poll::Ready(Ok(()))
    }

    /// The driver takes nothing more (the connection is closing): it leaves the hub's
    /// backlog, and later pushes do not count it in again.
    pub(super) fn retire(&self) {
        let mut state = lock(&self.state);
        state.idle = false;
        state.settle();
    }

    /// A handle that tells when the connection is to stop.
    pub(super) fn stops(&self) -> Stops {
        Stops {
            state: self.state.clone(),
        }
    }
}

/// Watches one connection's queue for a stop, while its driver is busy writing.
#[derive(Debug)]
pub(super) struct Stops {
    state: Arc<Mutex<State>>,
}

impl Stops {
    /// Resolves when the connection is to stop (while a write is blocked, say).
    pub(super) fn poll_stop(&self, cx: &mut Context<'_>) -> Poll<Stop> {
        let mut state = lock(&self.state);
        match state.stop {
            Some(stop) => Poll::Ready(stop),
            None => {
                register(&mut state.waker, cx);
                state.idle = false;
                Poll::Pending
            }
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        state.closed = true;
        state.held = None;
        state.items = VecDeque::new();
        state.waker = None;
        state.settle();
    }
}

/// Most messages an empty queue (or batch) keeps room for: past it, its memory is released
/// once it is empty, so an idle connection holds little after a burst (a history, say).
pub(super) const KEEP_ROOM: usize = 16;

/// Moves up to `max` of `items` to the end of `batch`.
fn take(items: &mut VecDeque<Item>, batch: &mut VecDeque<Item>, max: usize) {
    let n = items.len().min(max);
    batch.extend(items.drain(..n));
    if items.is_empty() && items.capacity() > KEEP_ROOM {
        *items = VecDeque::new();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keeps `cx`'s waker in `slot` (one task, the driver, waits on a queue).
fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

/// Wakes the driver, outside the queue's lock.
fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &'static str) -> Message {
        Message::Text(value.into())
    }

    fn push(outbox: &Outbox, value: &'static str, own: bool) -> Result<(), Rejected> {
        outbox.push(Item::new(text(value)), own, None)
    }

    /// What the receiver has, as texts (read back from the frames).
    fn drain(receiver: &Receiver) -> Vec<String> {
        let mut batch = VecDeque::new();
        receiver.try_take(&mut batch, usize::MAX).unwrap();
        batch.into_iter().map(|item| text_of(&item)).collect()
    }

    fn text_of(item: &Item) -> String {
        let Item::Frame(bytes) = item else {
            panic!("not a data frame: {item:?}");
        };
        // Short unmasked text frames: 0x81, the length, the payload.
        assert_eq!(bytes[0], 0x81);
        assert_eq!(usize::from(bytes[1]), bytes.len() - 2);
        String::from_utf8(bytes[2..].to_vec()).unwrap()
    }

    #[test]
    fn deliveries_from_others_wait_until_the_opening_ends() {
        let (outbox, queue) = Outbox::new(4, Arc::default());
        assert!(push(&outbox, "other", false).is_ok());
        assert!(push(&outbox, "own 1", true).is_ok());
        assert_eq!(drain(&queue), ["own 1"]);
        assert!(push(&outbox, "own 2", true).is_ok());
        outbox.open();
        assert!(push(&outbox, "later", false).is_ok());
        assert_eq!(drain(&queue), ["own 2", "other", "later"]);
    }

    #[test]
    fn held_messages_count_against_the_capacity() {
        let (outbox, queue) = Outbox::new(2, Arc::default());
        assert!(push(&outbox, "other", false).is_ok());
        assert!(push(&outbox, "own", true).is_ok());
        assert_eq!(push(&outbox, "one too many", true), Err(Rejected::Slow));
        assert!(outbox.is_stopped());
        assert_eq!(push(&outbox, "after", false), Err(Rejected::Gone));
        let mut batch = VecDeque::new();
        assert_eq!(queue.try_take(&mut batch, 10), Err(Stop::Slow));
        assert!(batch.is_empty(), "a slow connection's queue is dropped");
    }

    #[test]
    fn numbered_messages_already_replayed_are_dropped_held_or_later() {
        let (outbox, queue) = Outbox::new(8, Arc::default());
        // Live messages held while `on_open` loads a history that ends with number 5.
        for (seq, body) in [(4, "four"), (5, "five"), (6, "six")] {
            let item = Item::new(text(body));
            assert!(outbox.push(item, false, Some(("chat", seq))).is_ok());
        }
        let other = Item::new(text("other 5"));
        assert!(outbox.push(other, false, Some(("other", 5))).is_ok());
        assert!(push(&outbox, "history 5", true).is_ok());
        outbox.replayed("chat", 5);
        outbox.open();
        let late = Item::new(text("late five"));
        assert!(outbox.push(late, false, Some(("chat", 5))).is_ok());
        let seven = Item::new(text("seven"));
        assert!(outbox.push(seven, false, Some(("chat", 7))).is_ok());
        assert_eq!(drain(&queue), ["history 5", "six", "other 5", "seven"]);
    }

    #[test]
    fn a_dropped_receiver_refuses_further_messages() {
        let (outbox, queue) = Outbox::new(4, Arc::default());
        outbox.open();
        drop(queue);
        assert_eq!(push(&outbox, "late", false), Err(Rejected::Gone));
    }

    /// A push counts a driver in the backlog only when it woke it from waiting for messages
    /// (not from a blocked write), until the driver takes them, stops or retires.
    #[test]
    fn the_backlog_counts_drivers_woken_until_they_take() {
        let backlog = Arc::new(Backlog::default());
        let pending = || backlog.count();
        let (outbox, queue) = Outbox::new(8, backlog.clone());
        outbox.open();
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        let mut batch = VecDeque::new();
        assert!(queue.poll_take(&mut cx, &mut batch, 8).is_pending());
        assert!(push(&outbox, "one", false).is_ok());
        assert!(push(&outbox, "two", false).is_ok());
        assert_eq!(pending(), 1, "woken once, counted once");
        assert!(queue.poll_take(&mut cx, &mut batch, 8).is_ready());
        assert_eq!(pending(), 0, "taken");
        // A blocked write registered last: its wake-up is not a fan-out still to take.
        assert!(queue
            .poll_take(&mut cx, &mut VecDeque::new(), 8)
            .is_pending());
        assert!(queue.stops().poll_stop(&mut cx).is_pending());
        assert!(push(&outbox, "three", false).is_ok());
        assert_eq!(pending(), 0);
        queue.try_take(&mut batch, 8).unwrap();
        // Woken, then retired (closing) or stopped: out of the count.
        for end in ["retire", "stop"] {
            assert!(queue.poll_take(&mut cx, &mut batch, 8).is_pending());
            assert!(push(&outbox, end, false).is_ok());
            assert_eq!(pending(), 1, "{end}");
            match end {
                "retire" => queue.retire(),
                _ => outbox.stop(Stop::Shutdown),
            }
            assert_eq!(pending(), 0, "{end}");
            queue.try_take(&mut batch, 8).ok();
        }
    }

    #[test]
    fn shutdown_wins_over_slow() {
        let (outbox, queue) = Outbox::new(1, Arc::default());
        outbox.open();
        assert!(push(&outbox, "one", false).is_ok());
        assert_eq!(push(&outbox, "two", false), Err(Rejected::Slow));
        outbox.stop(Stop::Shutdown);
        outbox.stop(Stop::Slow);
        assert_eq!(queue.try_take(&mut VecDeque::new(), 1), Err(Stop::Shutdown));
    }
}
