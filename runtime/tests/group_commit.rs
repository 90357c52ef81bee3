//! Group commit: concurrent pushes all commit, in fewer transactions than rows, submitted rows
//! are written in order without being waited for, and what is queued at shutdown is still
//! written.
#![cfg(feature = "sqlite")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tspawn_runtime::{connect, AppState, Config, Db, GroupCommit, Result};

async fn state() -> (tempfile::TempDir, AppState) {
    let root = common::app_root(common::EXAMPLE);
    common::write(
        root.path(),
        "db/migrations/1_rows.sql",
        "CREATE TABLE rows (n BIGINT NOT NULL);",
    );
    let config = Config::load(root.path(), "test").unwrap();
    let db = connect(&config).await.unwrap();
    (root, AppState::new(db, config))
}

/// Writes a group in one transaction and counts the groups.
fn writer(
    groups: Arc<AtomicUsize>,
) -> impl Fn(AppState, Vec<i64>) -> futures_util::future::BoxFuture<'static, Result<()>> {
    move |state, rows| {
        groups.fetch_add(1, Ordering::SeqCst);
        Box::pin(insert(state, rows))
    }
}

/// Inserts `rows` in one transaction.
async fn insert(state: AppState, rows: Vec<i64>) -> Result<()> {
    let mut tx = state.db.begin().await?;
    for n in rows {
        sqlx::query("INSERT INTO rows (n) VALUES (?)")
            .bind(n)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn count(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM rows")
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_rows_share_transactions_and_all_commit() {
    let (_root, state) = state().await;
    let groups = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(GroupCommit::start(&state, writer(groups.clone())));
    let pushes: Vec<_> = (0..200)
        .map(|n| {
            let log = log.clone();
            tokio::spawn(async move { log.push(n).await })
        })
        .collect();
    for push in pushes {
        push.await.unwrap().unwrap();
    }
    assert_eq!(
        count(&state.db).await,
        200,
        "every row is committed when push returns"
    );
    let groups = groups.load(Ordering::SeqCst);
    assert!(groups < 200, "{groups} transactions for 200 rows");
}

#[tokio::test]
async fn a_failed_group_fails_every_row_in_it() {
    let (_root, state) = state().await;
    let log = GroupCommit::start(&state, |_state: AppState, _rows: Vec<i64>| async {
        Err(tspawn_runtime::Error::ShuttingDown)
    });
    let error = log.push(1).await.unwrap_err().to_string();
    assert!(error.starts_with("group commit:"), "{error}");
}

#[tokio::test]
async fn shutdown_writes_what_is_queued_then_refuses() {
    let (_root, state) = state().await;
    let log = Arc::new(GroupCommit::start(&state, writer(Arc::default())));
    let queued: Vec<_> = (0..50)
        .map(|n| {
            let log = log.clone();
            tokio::spawn(async move { log.push(n).await })
        })
        .collect();
    tokio::task::yield_now().await;
    state.shutdown.cancel();
    let committed = futures_util::future::join_all(queued)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(()))))
        .count();
    state.tasks.close();
    state.tasks.wait().await;
    assert_eq!(
        count(&state.db).await,
        committed as i64,
        "what was acknowledged is stored"
    );
    assert!(log.push(99).await.is_err(), "the writer has stopped");
}

/// `submit` returns before its group is written (the writer is held back here until every
/// submit returned), the rows are written in the order submitted, and a `push` after them
/// returns once they are all stored.
#[tokio::test]
async fn submitted_rows_are_written_in_order_after_submit_returns() {
    let (_root, state) = state().await;
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let log = GroupCommit::start(&state, {
        let gate = gate.clone();
        move |state: AppState, rows: Vec<i64>| {
            let gate = gate.clone();
            async move {
                let _open = gate.acquire().await;
                insert(state, rows).await
            }
        }
    });
    for n in 0..100 {
        log.submit(n).await.unwrap();
    }
    assert_eq!(count(&state.db).await, 0, "nothing is written yet");
    gate.add_permits(1_000);
    log.push(100).await.unwrap();
    let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM rows ORDER BY rowid")
        .fetch_all(&state.db)
        .await
        .unwrap();
    assert_eq!(rows, (0..=100).collect::<Vec<i64>>());
}
