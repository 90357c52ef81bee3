//! Group commit: many writers, one transaction per group. Each [`GroupCommit::push`] waits
//! until its row is committed, but rows that arrive while a group is being written are
//! written together in the next one, so a burst of N messages costs about one disk sync
//! instead of N, and the database stays as durable as with one commit per row.
//! [`GroupCommit::submit`] queues a row the same way without waiting for its group.
//!
//! The writer is one task spawned on [`AppState::tasks`]; at shutdown it writes what is queued
//! and stops, and [`serve`](crate::serve) waits for it.
//!
//! Groups are written one at a time, in arrival order, and a [`GroupCommit::push`] returns
//! only after the write function finished with its group. So what that function does after
//! its commit is ordered too: a chat model publishes each group's messages there, numbered
//! with their ids ([`Hub::publish_numbered`](crate::websocket::Hub::publish_numbered)), and
//! every subscriber sees them in the order they were stored.
//!
//! Under load a group waits, 10 ms at most, until the WebSocket connections the previous
//! group's publishes woke have taken their messages: the rows that arrive meanwhile join it,
//! so each subscriber gets more messages per write (fewer system calls per message). An idle
//! server does not wait.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::state::AppState;

/// Most rows written in one transaction.
const MAX_GROUP: usize = 256;

/// Rows waiting to be written, at most.
const QUEUE: usize = 4096;

/// Longest a group waits for the previous group's fan-out to be taken (see
/// [`GroupCommit::start`]).
const SETTLE_LIMIT: Duration = Duration::from_millis(10);

/// A row waiting for its group, and who to tell when it is committed (nobody for a
/// [`GroupCommit::submit`]).
struct Pending<T> {
    row: T,
    done: Option<oneshot::Sender<std::result::Result<(), Arc<Error>>>>,
}

/// The sending side of a group-commit writer for rows of type `T`.
pub struct GroupCommit<T> {
    queue: mpsc::Sender<Pending<T>>,
}

impl<T: Send + 'static> GroupCommit<T> {
    /// Starts the writer: `write` gets the app state and a group of rows (in the order they
    /// were pushed) and must write them in one transaction (`state.db.begin()`, the inserts,
    /// `commit()`); after the commit it may announce them (`state.hub`). An `Err` fails every
    /// push of the group ([`Error::GroupCommit`]).
    pub fn start<F, Fut>(state: &AppState, write: F) -> GroupCommit<T>
    where
        F: Fn(AppState, Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<()>> + Send,
    {
        let (queue, mut receiver) = mpsc::channel::<Pending<T>>(QUEUE);
        let app = state.clone();
        let shutdown = state.shutdown.clone();
        state.tasks.spawn(async move {
            loop {
                let first = tokio::select! {
                    biased;
                    pending = receiver.recv() => pending,
                    () = shutdown.cancelled() => {
                        // Write what is already queued, then stop taking more.
                        receiver.close();
                        receiver.recv().await
                    }
                };
                let Some(first) = first else { break };
                // Under load, the previous group is still fanning out: its subscribers take
                // their messages one after another. Waiting until they all have (never longer
                // than SETTLE_LIMIT) lets the rows that arrive meanwhile join this group, so
                // its messages reach each subscriber together, in one write, instead of in
                // several small ones. When the server is not busy this does not wait.
                let _ = tokio::time::timeout(SETTLE_LIMIT, app.hub.settled()).await;
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match receiver.try_recv() {
                        Ok(pending) => group.push(pending),
                        Err(_) => break,
                    }
                }
                let (rows, waiters): (Vec<T>, Vec<_>) =
                    group.into_iter().map(|p| (p.row, p.done)).unzip();
                let result = write(app.clone(), rows).await.map_err(Arc::new);
                if let Err(error) = &result {
                    tracing::error!(%error, rows = waiters.len(), "a group commit failed");
                }
                for waiter in waiters.into_iter().flatten() {
                    let _ = waiter.send(result.clone());
                }
            }
        });
        GroupCommit { queue }
    }

    /// Queues `row` and returns once the group holding it is written (committed, and what the
    /// write function does after that done).
    pub async fn push(&self, row: T) -> Result<()> {
        let (done, committed) = oneshot::channel();
        self.send(Pending {
            row,
            done: Some(done),
        })
        .await?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(Error::GroupCommit(error)),
            Err(_) => Err(Error::GroupCommit(Arc::new(Error::ShuttingDown))),
        }
    }

    /// Queues `row` behind every row queued before it and returns without waiting for its
    /// group (only while 4096 rows already wait). A WebSocket handler that submits lets its
    /// connection read the next message at once, so a busy client's messages share groups,
    /// and each subscriber gets them in one write, instead of one group (and one write per
    /// subscriber) each. Nobody hears whether the row was written: a group that fails is
    /// logged with its row count, and the write function never ran past its error (a chat's
    /// messages are published after their commit, so a failed group reaches nobody).
    /// `Err` once the writer has stopped (shutdown).
    pub async fn submit(&self, row: T) -> Result<()> {
        self.send(Pending { row, done: None }).await
    }

    async fn send(&self, pending: Pending<T>) -> Result<()> {
        self.queue
            .send(pending)
            .await
            .map_err(|_| Error::GroupCommit(Arc::new(Error::ShuttingDown)))
    }
}
