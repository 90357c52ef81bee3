//! History then live, each message exactly once, in order (issue 6, item 4).
//!
//! A chat like the generated one: senders' messages are stored by a group-commit writer that
//! publishes each group after its commit, numbered with the rows' ids; a joiner subscribes,
//! replays the last messages and reports the last id it replayed. Senders flood the chat while
//! joiners arrive; every joiner must receive one run of the stored order, from its history to
//! the last message, with no message twice, none out of order and none missing.
#![cfg(feature = "sqlite")]

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use tspawn_runtime::prelude::*;
use tspawn_runtime::sqlx;
use tspawn_runtime::testing::{self, TestServer, WsClient};
use tspawn_runtime::websocket::{Context, Endpoint, HttpSession};

const TOPIC: &str = "chat";
/// Messages a joiner replays.
const HISTORY: i64 = 30;
const SENDERS: usize = 4;
const PER_SENDER: usize = 250;
/// Each sender sends one message this often: 4 senders offer 500 messages/s.
const SEND_EVERY: Duration = Duration::from_millis(8);
const JOINERS: usize = 24;
/// Joiners arrive this far apart, the first after [`JOIN_EVERY`] of flood.
const JOIN_EVERY: Duration = Duration::from_millis(40);

/// The one writer of the test app's messages.
struct Writer(GroupCommit<String>);

/// Stores a group in one transaction, then publishes it in id order, numbered with the ids.
async fn store(state: AppState, bodies: Vec<String>) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let mut stored = Vec::with_capacity(bodies.len());
    for body in bodies {
        let id: i64 = sqlx::query_scalar("INSERT INTO messages (body) VALUES (?) RETURNING id")
            .bind(&body)
            .fetch_one(&mut *tx)
            .await?;
        stored.push((id, body));
    }
    tx.commit().await?;
    for (id, body) in stored {
        state.hub.publish_numbered(TOPIC, id, body);
    }
    Ok(())
}

/// Subscribes, replays the last [`HISTORY`] messages and reports the last id replayed.
#[derive(Default)]
struct Chat;

impl Endpoint for Chat {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe(TOPIC);
        let history: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, body FROM \
             (SELECT id, body FROM messages ORDER BY id DESC LIMIT ?) ORDER BY id",
        )
        .bind(HISTORY)
        .fetch_all(ctx.db())
        .await?;
        if let Some(&(last, _)) = history.last() {
            ctx.replayed(TOPIC, last);
        }
        for (_, body) in history {
            ctx.send_text(body);
        }
        Ok(true)
    }
}

/// Stores (and so publishes) what it receives; not subscribed, so it need not read.
#[derive(Default)]
struct Post;

impl Endpoint for Post {
    type Settings = ();

    async fn on_text_received(&mut self, ctx: &mut Context, text: &str) -> Result<()> {
        let writer = ctx
            .state()
            .shared(|state| Writer(GroupCommit::start(state, store)));
        writer.0.push(text.to_owned()).await
    }
}

async fn server() -> (tempfile::TempDir, TestServer) {
    let root = common::app_root(common::EXAMPLE);
    common::write(
        root.path(),
        "db/migrations/1_messages.sql",
        "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);",
    );
    let routes = Router::new()
        .route("/chat", endpoint::<Chat>())
        .route("/post", endpoint::<Post>());
    let server = testing::spawn(routes, root.path()).await.unwrap();
    (root, server)
}

/// Reads until the last message of every sender has arrived; returns all texts in order.
async fn read_to_the_end(mut client: WsClient) -> Vec<String> {
    let mut finals: HashSet<String> = (0..SENDERS).map(|s| body(s, PER_SENDER - 1)).collect();
    let mut texts = Vec::new();
    while !finals.is_empty() {
        let text = client.next_text().await.expect("every message arrives");
        finals.remove(&text);
        texts.push(text);
    }
    texts
}

fn body(sender: usize, n: usize) -> String {
    format!("s{sender}-{n}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiners_during_a_flood_get_the_history_then_every_message_once_in_order() {
    let (_root, server) = server().await;
    let observer = server.websocket("/chat").await.unwrap();
    let observer = tokio::spawn(read_to_the_end(observer));

    let start = Instant::now();
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let mut client = server.websocket("/post").await.unwrap();
        senders.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(SEND_EVERY);
            for n in 0..PER_SENDER {
                tick.tick().await;
                client.send_text(&body(s, n)).await.unwrap();
            }
            client
        }));
    }
    let mut joiners = Vec::new();
    for _ in 0..JOINERS {
        tokio::time::sleep(JOIN_EVERY).await;
        let joiner = server.websocket("/chat").await.unwrap();
        joiners.push(tokio::spawn(read_to_the_end(joiner)));
    }
    for sender in senders {
        sender.await.unwrap().close().await.unwrap();
    }

    // The stored order is the order of the ids; the observer, there from the start, saw it all.
    let stored: Vec<String> = sqlx::query_scalar("SELECT body FROM messages ORDER BY id")
        .fetch_all(&server.state.db)
        .await
        .unwrap();
    let elapsed = start.elapsed();
    assert_eq!(stored.len(), SENDERS * PER_SENDER);
    let mut faults: Vec<String> = fault("observer", &observer.await.unwrap(), &stored)
        .into_iter()
        .collect();
    let mut late = 0;
    for (j, joiner) in joiners.into_iter().enumerate() {
        let received = joiner.await.unwrap();
        late += usize::from(received[0] != stored[0]);
        faults.extend(fault(&format!("joiner {j}"), &received, &stored));
    }
    eprintln!(
        "{} messages stored in {elapsed:?} ({:.0}/s); {late} of {JOINERS} joiners \
         arrived after the first {HISTORY}; {} faults",
        stored.len(),
        stored.len() as f64 / elapsed.as_secs_f64(),
        faults.len(),
    );
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    server.shutdown().await.unwrap();
}

/// `None` if `received` is the stored order from its first message to the end (history then
/// live, each once, in order, none missing); otherwise where it goes wrong, e.g. `at 31: got
/// …s0-205, s1-206, s1-206… expected …s0-205, s1-206, s2-207…`.
fn fault(who: &str, received: &[String], stored: &[String]) -> Option<String> {
    let Some(first) = stored.iter().position(|b| *b == received[0]) else {
        return Some(format!(
            "{who}: first message {} was never stored",
            received[0]
        ));
    };
    let expected = &stored[first..];
    if received == expected {
        return None;
    }
    let at = (0..)
        .find(|&i| received.get(i) != expected.get(i))
        .expect("they differ");
    let window = |texts: &[String]| {
        let from = at.saturating_sub(2);
        texts[from.min(texts.len())..(at + 3).min(texts.len())].join(", ")
    };
    Some(format!(
        "{who}: at {at}: got …{}… expected …{}… ({} received, {} expected)",
        window(received),
        window(expected),
        received.len(),
        expected.len()
    ))
}
