//! One connection's outgoing queue, and what is held back for it while `on_open` runs.

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

/// The sending side of one connection's bounded queue.
///
/// While the connection is opening (`on_open` runs), messages from others (publishes,
/// `send_to`) are held in `held` instead, so that everything `on_open` queues itself goes
/// out first; [`Outbox::open`] then appends them. Held messages count against the capacity.
#[derive(Debug)]
pub(super) struct Outbox {
    queue: mpsc::Sender<Message>,
    /// Cancelled when the queue overflowed: the driver closes the connection with 1008.
    slow: CancellationToken,
    /// `Some` while opening: deliveries from others, in arrival order.
    held: Option<Vec<Message>>,
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
        };
        (outbox, receiver)
    }

    pub(super) fn slow(&self) -> &CancellationToken {
        &self.slow
    }

    /// Queues `message`; `own` when the connection queued it itself (its sends, its own
    /// publish reaching it), which is never held back.
    pub(super) fn push(&mut self, message: Message, own: bool) -> Result<(), Rejected> {
        if self.slow.is_cancelled() {
            return Err(Rejected::Gone);
        }
        // Room in the queue, minus what is held for it (the queue is not read while opening).
        let held = self.held.as_ref().map_or(0, Vec::len);
        let room = self.queue.capacity().saturating_sub(held);
        match &mut self.held {
            _ if room == 0 && !self.queue.is_closed() => Err(self.overflow()),
            Some(held) if !own => {
                held.push(message);
                Ok(())
            }
            _ => self.send(message),
        }
    }

    /// Ends the opening: queues what was held, after what the connection queued itself.
    pub(super) fn open(&mut self) -> Result<(), Rejected> {
        for message in self.held.take().unwrap_or_default() {
            self.send(message)?;
        }
        Ok(())
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
        assert!(outbox.push(text("other"), false).is_ok());
        assert!(outbox.push(text("own 1"), true).is_ok());
        assert!(outbox.push(text("own 2"), true).is_ok());
        assert!(queue.try_recv().is_ok_and(|m| m == text("own 1")));
        assert!(outbox.open().is_ok());
        assert!(outbox.push(text("later"), false).is_ok());
        let rest: Vec<Message> = std::iter::from_fn(|| queue.try_recv().ok()).collect();
        assert_eq!(rest, [text("own 2"), text("other"), text("later")]);
    }

    #[tokio::test]
    async fn held_messages_count_against_the_capacity() {
        let (mut outbox, _queue) = Outbox::new(2);
        assert!(outbox.push(text("other"), false).is_ok());
        assert!(outbox.push(text("own"), true).is_ok());
        assert!(matches!(
            outbox.push(text("one too many"), true),
            Err(Rejected::Slow)
        ));
        assert!(outbox.slow().is_cancelled());
        assert!(matches!(
            outbox.push(text("after"), false),
            Err(Rejected::Gone)
        ));
    }
}
