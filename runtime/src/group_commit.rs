//! Group commit: many writers, one transaction per group. Each [`GroupCommit::push`] waits
//! until its row is committed, but rows that arrive while a group is being written are
//! written together in the next one, so a burst of N messages costs about one disk sync
//! instead of N, and the database stays as durable as with one commit per row.
//!
//! The writer is one task spawned on [`AppState::tasks`]; at shutdown it writes what is queued
//! and stops, and [`serve`](crate::serve) waits for it.
//!
//! Groups are written one at a time, in arrival order, and a [`GroupCommit::push`] returns
//! only after the write function finished with its group. So what that function does after
//! its commit is ordered too: a chat model publishes each group's messages there, numbered
//! with their ids ([`Hub::publish_numbered`](crate::websocket::Hub::publish_numbered)), and
//! every subscriber sees them in the order they were stored.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::state::AppState;

/// Most rows written in one transaction.
const MAX_GROUP: usize = 256;

/// Rows waiting to be written, at most.
const QUEUE: usize = 4096;

/// A row waiting for its group, and who to tell when it is committed.
struct Pending<T> {
    row: T,
    done: oneshot::Sender<std::result::Result<(), Arc<Error>>>,
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
                for waiter in waiters {
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
        self.queue
            .send(Pending { row, done })
            .await
            .map_err(|_| Error::GroupCommit(Arc::new(Error::ShuttingDown)))?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(Error::GroupCommit(error)),
            Err(_) => Err(Error::GroupCommit(Arc::new(Error::ShuttingDown))),
        }
    }
}
