//! One connection's outgoing queue, and what is held back for it while `on_open` runs.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// The most messages a connection's queue may hold (`queue_capacity` is checked against it;
/// tokio's own limit is far higher, but a queue this long is a mistake).
pub(crate) const MAX_QUEUE_CAPACITY: usize = 1_000_000;

/// Why a message was not queued.
pub(super) enum Rejected {
    /// The queue was full: the connection is now marked slow (closed with 1008).
    Slow,
    /// The connection is closed, closing, or unknown.
    Gone,
}

/// A published message's place in its topic's sequence (see
/// [`Hub::publish_numbered`](super::Hub::publish_numbered)): `seq` grows with each message.
pub(super) type Number<'a> = (&'a Arc<str>, i64);

/// A delivery from others, held while the connection opens.
#[derive(Debug)]
struct Held {
    message: Message,
    number: Option<(Arc<str>, i64)>,
}

/// The sending side of one connection's bounded queue.
///
/// While the connection is opening (`on_open` runs), messages from others (publishes,
/// `send_to`) are held in `held` instead, so that everything `on_open` queues itself goes
/// out first; [`Outbox::open`] then appends them. Held messages count against the capacity.
///
/// A numbered message whose number is at most what [`Outbox::replayed`] recorded for its
/// topic is dropped, whether it is held or arrives later: the connection already has it.
#[derive(Debug)]
pub(super) struct Outbox {
    queue: mpsc::Sender<Message>,
    /// Cancelled when the queue overflowed: the driver closes the connection with 1008.
    slow: CancellationToken,
    /// `Some` while opening: deliveries from others, in arrival order.
    held: Option<Vec<Held>>,
    /// Per topic, the last number the connection already has (the history it replayed).
    replayed: HashMap<Arc<str>, i64>,
}

impl Outbox {
    /// A new, opening connection's outbox and the receiving end of its queue, which holds
    /// `capacity` messages (clamped to `1..=MAX_QUEUE_CAPACITY`).
    pub(super) fn new(capacity: usize) -> (Outbox, mpsc::Receiver<Message>) {
        let (queue, receiver) = mpsc::channel(capacity.clamp(1, MAX_QUEUE_CAPACITY));
        let outbox = Outbox {
            queue,
            slow: CancellationToken::new(),
            held: Some(Vec::new()),
            replayed: HashMap::new(),
        };
        (outbox, receiver)
    }

    pub(super) fn slow(&self) -> &CancellationToken {
        &self.slow
    }

    /// Queues `message`; `own` when the connection queued it itself (its sends, its own
    /// publish reaching it), which is never held back; `number` for a numbered publish, which
    /// is dropped (`Ok`) when the connection already has it.
    pub(super) fn push(
        &mut self,
        message: Message,
        own: bool,
        number: Option<Number<'_>>,
    ) -> Result<(), Rejected> {
        if self.slow.is_cancelled() {
            return Err(Rejected::Gone);
        }
        if number.is_some_and(|(topic, seq)| self.has(topic, seq)) {
            return Ok(());
        }
        // Room in the queue, minus what is held for it (the queue is not read while opening).
        let held = self.held.as_ref().map_or(0, Vec::len);
        let room = self.queue.capacity().saturating_sub(held);
        match &mut self.held {
            _ if room == 0 && !self.queue.is_closed() => Err(self.overflow()),
            Some(held) if !own => {
                let number = number.map(|(topic, seq)| (topic.clone(), seq));
                held.push(Held { message, number });
                Ok(())
            }
            _ => self.send(message),
        }
    }

    /// Ends the opening: queues what was held, after what the connection queued itself,
    /// except numbered messages it already has.
    pub(super) fn open(&mut self) -> Result<(), Rejected> {
        for Held { message, number } in self.held.take().unwrap_or_default() {
            if !number.is_some_and(|(topic, seq)| self.has(&topic, seq)) {
                self.send(message)?;
            }
        }
        Ok(())
    }

    /// Records that the connection has the messages of `topic` numbered up to `seq`.
    pub(super) fn replayed(&mut self, topic: &str, seq: i64) {
        match self.replayed.get_mut(topic) {
            Some(last) => *last = (*last).max(seq),
            None => {
                self.replayed.insert(Arc::from(topic), seq);
            }
        }
    }

    /// Whether the connection already has message `seq` of `topic`.
    fn has(&self, topic: &str, seq: i64) -> bool {
        self.replayed.get(topic).is_some_and(|&last| seq <= last)
    }

    fn send(&mut self, message: Message) -> Result<(), Rejected> {
        match self.queue.try_send(message) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(_)) => Err(Rejected::Gone),
            Err(TrySendError::Full(_)) => Err(self.overflow()),
        }
    }

    fn overflow(&mut self) -> Rejected {
        self.held = None;
        self.slow.cancel();
        Rejected::Slow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &'static str) -> Message {
        Message::Text(value.into())
    }

    #[tokio::test]
    async fn deliveries_from_others_wait_until_the_opening_ends() {
        let (mut outbox, mut queue) = Outbox::new(4);
        assert!(outbox.push(text("other"), false, None).is_ok());
        assert!(outbox.push(text("own 1"), true, None).is_ok());
        assert!(outbox.push(text("own 2"), true, None).is_ok());
        assert!(queue.try_recv().is_ok_and(|m| m == text("own 1")));
        assert!(outbox.open().is_ok());
        assert!(outbox.push(text("later"), false, None).is_ok());
        let rest: Vec<Message> = std::iter::from_fn(|| queue.try_recv().ok()).collect();
        assert_eq!(rest, [text("own 2"), text("other"), text("later")]);
    }

    #[tokio::test]
    async fn held_messages_count_against_the_capacity() {
        let (mut outbox, _queue) = Outbox::new(2);
        assert!(outbox.push(text("other"), false, None).is_ok());
        assert!(outbox.push(text("own"), true, None).is_ok());
        assert!(matches!(
            outbox.push(text("one too many"), true, None),
            Err(Rejected::Slow)
        ));
        assert!(outbox.slow().is_cancelled());
        assert!(matches!(
            outbox.push(text("after"), false, None),
            Err(Rejected::Gone)
        ));
    }

    #[tokio::test]
    async fn numbered_messages_already_replayed_are_dropped_held_or_later() {
        let (mut outbox, mut queue) = Outbox::new(8);
        let topic: Arc<str> = Arc::from("chat");
        let other: Arc<str> = Arc::from("other");
        // Live messages held while `on_open` loads a history that ends with number 5.
        for (seq, body) in [(4, "four"), (5, "five"), (6, "six")] {
            assert!(outbox.push(text(body), false, Some((&topic, seq))).is_ok());
        }
        assert!(outbox
            .push(text("other 5"), false, Some((&other, 5)))
            .is_ok());
        assert!(outbox.push(text("history 5"), true, None).is_ok());
        outbox.replayed("chat", 5);
        assert!(outbox.open().is_ok());
        assert!(outbox
            .push(text("late five"), false, Some((&topic, 5)))
            .is_ok());
        assert!(outbox.push(text("seven"), false, Some((&topic, 7))).is_ok());
        let got: Vec<Message> = std::iter::from_fn(|| queue.try_recv().ok()).collect();
        let want = ["history 5", "six", "other 5", "seven"].map(text);
        assert_eq!(got, want);
    }
}
