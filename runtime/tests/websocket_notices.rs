//! Coalesced notices (`Context::announce`, `Notices`): a lone event gets its own line at
//! once, a crowd gets a few counted lines that add up, and nothing is announced once
//! shutdown began.
#![cfg(feature = "sqlite")]

mod common;

use std::time::Duration;

use tspawn_runtime::prelude::*;
use tspawn_runtime::testing::{self, TestServer, WsClient, WsError};
use tspawn_runtime::tokio_tungstenite::connect_async;
use tspawn_runtime::websocket::{CloseCode, Context, Endpoint, HttpSession, Notices};

use common::{app_root, EXAMPLE};

const ROOM: &str = "room";
const JOINED: &str = " [ New person joined ]\n";
const LEFT: &str = " [ A person left ]\n";

/// TreeFrog's join line for one, a count for more.
fn joined(count: usize) -> String {
    match count {
        1 => JOINED.to_owned(),
        n => format!(" [ {n} people joined ]\n"),
    }
}

/// TreeFrog's leave line for one, a count for more.
fn left(count: usize) -> String {
    match count {
        1 => LEFT.to_owned(),
        n => format!(" [ {n} people left ]\n"),
    }
}

/// How many events a notice made by `text` announces (`None`: another notice).
fn count(notice: &str, text: fn(usize) -> String) -> Option<usize> {
    if notice == text(1) {
        return Some(1);
    }
    let (head, tail) = text(2)
        .split_once('2')
        .map(|(h, t)| (h.to_owned(), t.to_owned()))?;
    notice
        .strip_prefix(&head)?
        .strip_suffix(&tail)?
        .parse()
        .ok()
}

/// The generated chat's notices: subscribes to `room`, sends "history", announces the join;
/// announces the leave.
#[derive(Default)]
struct Crowd;

impl Endpoint for Crowd {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe(ROOM);
        ctx.send_text("history");
        ctx.announce(ROOM, joined);
        Ok(true)
    }

    async fn on_close(&mut self, ctx: &mut Context, _code: CloseCode) -> Result<()> {
        ctx.unsubscribe(ROOM);
        ctx.announce(ROOM, left);
        Ok(())
    }
}

/// Subscribes to `room` and announces nothing.
#[derive(Default)]
struct Listen;

impl Endpoint for Listen {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe(ROOM);
        ctx.send_text("listening");
        Ok(true)
    }
}

async fn server() -> (tempfile::TempDir, TestServer) {
    let root = app_root(&EXAMPLE.replace("sqlite:db/test.sqlite3", "sqlite::memory:"));
    let routes = Router::new()
        .route("/crowd", endpoint::<Crowd>())
        .route("/listen", endpoint::<Listen>());
    let server = testing::spawn(routes, root.path()).await.unwrap();
    (root, server)
}

async fn listener(server: &TestServer) -> WsClient {
    let mut client = server.websocket("/listen").await.unwrap();
    client.skip_until("listening").await.unwrap();
    client
}

/// Waits until no topic has a tick running (the last tick counted nothing).
async fn quiet(notices: &Notices) {
    while notices.ticking() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn announcements_within_a_tick_are_published_once_with_their_count() {
    let (_root, server) = server().await;
    let mut listener = listener(&server).await;
    let notices = Notices::of(&server.state);
    for _ in 0..100 {
        notices.announce(&server.state, ROOM, joined);
    }
    for _ in 0..30 {
        notices.announce(&server.state, ROOM, left);
    }
    notices.announce(&server.state, ROOM, joined);
    assert_eq!(notices.ticking(), 1, "one timer for the topic");

    assert_eq!(
        listener.next_text().await.unwrap(),
        JOINED,
        "the first at once"
    );
    assert_eq!(
        listener.next_text().await.unwrap(),
        " [ 100 people joined ]\n",
        "the other 100 joins at the tick's end, in one line"
    );
    assert_eq!(listener.next_text().await.unwrap(), " [ 30 people left ]\n");
    quiet(&notices).await;

    notices.announce(&server.state, ROOM, left);
    assert_eq!(
        listener.next_text().await.unwrap(),
        LEFT,
        "a quiet topic gets the line for one at once"
    );
}

#[tokio::test]
async fn a_lone_join_gets_the_seeds_line_and_a_crowd_a_few_that_add_up() {
    let (_root, server) = server().await;
    let mut listener = listener(&server).await;
    let mut alice = server.websocket("/crowd").await.unwrap();
    assert_eq!(alice.texts_until(JOINED).await.unwrap(), ["history"]);
    assert_eq!(listener.next_text().await.unwrap(), JOINED);

    let url = format!("ws://{}/crowd", server.addr);
    let joiners: Vec<_> = (0..50)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { connect_async(url).await })
        })
        .collect();
    let mut crowd = Vec::new();
    for joiner in joiners {
        let (client, _) = joiner.await.unwrap().expect("everyone is connected");
        crowd.push(client);
    }
    let (mut lines, mut joins) = (0, 0);
    while joins < 50 {
        let text = listener.next_text().await.unwrap();
        joins += count(&text, joined).unwrap_or_else(|| panic!("not a join: {text:?}"));
        lines += 1;
    }
    assert_eq!(joins, 50, "the counts add up to the joins");
    assert!(lines < 50, "{lines} lines for 50 joins: not counted");

    for mut client in crowd {
        client.close(None).await.unwrap();
    }
    let mut leaves = 0;
    while leaves < 50 {
        let text = listener.next_text().await.unwrap();
        leaves += count(&text, left).unwrap_or_else(|| panic!("not a leave: {text:?}"));
    }
    assert_eq!(leaves, 50);
}

#[tokio::test]
async fn nothing_is_announced_once_shutdown_began() {
    let (_root, server) = server().await;
    let mut listener = listener(&server).await;
    let state = server.state.clone();
    let notices = Notices::of(&state);
    for _ in 0..20 {
        notices.announce(&state, ROOM, joined);
    }
    assert_eq!(listener.next_text().await.unwrap(), JOINED);
    let reader = tokio::spawn(async move {
        let mut texts = Vec::new();
        loop {
            match listener.next_text().await {
                Ok(text) => texts.push(text),
                Err(WsError::Closed(code)) => return (texts, code),
                Err(error) => panic!("{error}"),
            }
        }
    });
    server.shutdown().await.unwrap(); // returns once every task, the timer too, ended
    assert_eq!(notices.ticking(), 0, "the timer stopped");
    notices.announce(&state, ROOM, joined);
    assert_eq!(notices.ticking(), 0, "no timer after shutdown");
    let (texts, code) = reader.await.unwrap();
    assert_eq!(code, Some(1001));
    assert!(
        texts.is_empty(),
        "the 19 counted joins were dropped: {texts:?}"
    );
}
