//! The fan-out not yet taken: how many connections a push woke that have not yet taken what
//! was pushed to them.
//!
//! A publish wakes every subscriber waiting on an empty queue; each one takes its messages
//! when its task next runs, and writes them in one vectored write. The more messages a
//! connection finds when it runs, the fewer writes (system calls, and wake-ups of the peer)
//! per message. [`GroupCommit`](crate::GroupCommit) uses [`Backlog::settled`] for that: it
//! starts a group once the previous group's fan-out has been taken, so the messages that
//! arrive meanwhile go out together, to every subscriber, in one write each. When the server
//! is not busy the backlog is empty and nothing waits.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// A count of woken connections that have not yet taken their messages (see the module).
#[derive(Debug, Default)]
pub(crate) struct Backlog {
    count: AtomicUsize,
    settled: Notify,
}

impl Backlog {
    /// A push woke a connection waiting on its empty queue.
    pub(super) fn woke(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    /// A connection [`woke`](Backlog::woke) took its messages, stopped or went away.
    pub(super) fn taken(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.settled.notify_waiters();
        }
    }

    /// How many are counted now.
    #[cfg(test)]
    pub(super) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves once every connection woken by a push has taken its messages (at once when
    /// none is waiting to). Connections woken later, while this waits, are waited for too.
    pub(crate) async fn settled(&self) {
        loop {
            let notified = self.settled.notified();
            tokio::pin!(notified);
            // Registered before the count is read, so a `taken` in between is not missed.
            notified.as_mut().enable();
            if self.count.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn settles_once_every_woken_connection_took_its_messages() {
        let backlog = Arc::new(Backlog::default());
        backlog.settled().await;
        backlog.woke();
        backlog.woke();
        let waiter = tokio::spawn({
            let backlog = backlog.clone();
            async move { backlog.settled().await }
        });
        backlog.taken();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "one connection has not taken yet");
        backlog.taken();
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("settled once both took")
            .unwrap();
    }
}
