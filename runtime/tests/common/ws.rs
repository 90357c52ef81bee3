//! Test endpoints and a server for the WebSocket tests.

use tspawn_runtime::prelude::*;
use tspawn_runtime::testing::{self, TestServer};
use tspawn_runtime::websocket::{CloseCode, Context, Endpoint, HttpSession};

use super::common::{app_root, write, EXAMPLE};

pub const ROOM: &str = "room";

/// Subscribes to `room`, sends "history", publishes "joined"; publishes what it receives,
/// except "leave" (unsubscribes, answers "left") and "fail" (returns an error).
#[derive(Default)]
pub struct Chat;

impl Endpoint for Chat {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe(ROOM);
        ctx.send_text("history");
        ctx.publish(ROOM, "joined");
        Ok(true)
    }

    async fn on_text_received(&mut self, ctx: &mut Context, text: &str) -> Result<()> {
        match text {
            "leave" => {
                ctx.unsubscribe(ROOM);
                ctx.send_text("left");
            }
            "fail" => return Err(Error::config("x", "y", "handler failed on purpose")),
            _ => {
                ctx.publish(ROOM, text);
            }
        }
        Ok(())
    }
}

/// Refuses every connection.
#[derive(Default)]
pub struct Refuse;

impl Endpoint for Refuse {
    type Settings = ();

    async fn on_open(&mut self, _ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        Ok(false)
    }
}

/// Greets with the HTTP session's `user` (or "anonymous"), pings every second, echoes.
#[derive(Default)]
pub struct Whoami {
    interval: u64,
}

impl Endpoint for Whoami {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, session: &HttpSession) -> Result<bool> {
        ctx.send_text(session.get("user").unwrap_or("anonymous"));
        self.interval = 1;
        Ok(true)
    }

    async fn on_text_received(&mut self, ctx: &mut Context, text: &str) -> Result<()> {
        ctx.send_text(text);
        Ok(())
    }

    fn keep_alive_interval(&self, _settings: &()) -> u64 {
        self.interval
    }
}

/// Subscribes to `room`, then loads "history" slowly (200 ms) and sends "h1", "h2".
#[derive(Default)]
pub struct History;

impl Endpoint for History {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe(ROOM);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        ctx.send_text("h1");
        ctx.send_text("h2");
        Ok(true)
    }
}

/// Publishes "opening" to `room`, takes 300 ms to accept; publishes "closed CODE" at the end.
#[derive(Default)]
pub struct SlowOpen;

impl Endpoint for SlowOpen {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.publish(ROOM, "opening");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        Ok(true)
    }

    async fn on_close(&mut self, ctx: &mut Context, code: CloseCode) -> Result<()> {
        ctx.publish(ROOM, format!("closed {code}"));
        Ok(())
    }
}

/// Panics on any text; `on_close` publishes "panicked CODE" to `room`.
#[derive(Default)]
pub struct Panicky;

impl Endpoint for Panicky {
    type Settings = ();

    async fn on_text_received(&mut self, _ctx: &mut Context, text: &str) -> Result<()> {
        panic!("a handler panicked on purpose at {text:?}");
    }

    async fn on_close(&mut self, ctx: &mut Context, code: CloseCode) -> Result<()> {
        ctx.publish(ROOM, format!("panicked {code}"));
        Ok(())
    }
}

/// Subscribes to `room` and pings every second.
#[derive(Default)]
pub struct Listener;

impl Endpoint for Listener {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe(ROOM);
        Ok(true)
    }

    fn keep_alive_interval(&self, _settings: &()) -> u64 {
        1
    }
}

/// Subscribes to `store`; stores each text in the `messages` table before publishing it,
/// as the generated chat does.
#[derive(Default)]
pub struct Store;

impl Endpoint for Store {
    type Settings = ();

    async fn on_open(&mut self, ctx: &mut Context, _session: &HttpSession) -> Result<bool> {
        ctx.subscribe("store");
        Ok(true)
    }

    async fn on_text_received(&mut self, ctx: &mut Context, text: &str) -> Result<()> {
        sqlx::query("INSERT INTO messages (body) VALUES (?)")
            .bind(text)
            .execute(ctx.db())
            .await?;
        ctx.publish("store", text);
        Ok(())
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chat", endpoint::<Chat>())
        .route("/refuse", endpoint::<Refuse>())
        .route("/whoami", endpoint::<Whoami>())
        .route("/history", endpoint::<History>())
        .route("/slow-open", endpoint::<SlowOpen>())
        .route("/listener", endpoint::<Listener>())
        .route("/store", endpoint::<Store>())
        .route("/panicky", endpoint::<Panicky>())
}

/// A server on a free port, with an in-memory database and small limits.
pub async fn server() -> (tempfile::TempDir, TestServer) {
    server_with(
        "max_message_size = 1024\nqueue_capacity = 8\n\
         allowed_origins = [\"http://allowed.example\"]\n",
    )
    .await
}

/// A server on a free port, with an in-memory database holding a `messages` table, and
/// `websocket` as its `[test.websocket]` section (empty: the defaults).
pub async fn server_with(websocket: &str) -> (tempfile::TempDir, TestServer) {
    let config = format!("{EXAMPLE}\n[test.websocket]\n{websocket}")
        .replace("sqlite:db/test.sqlite3", "sqlite::memory:");
    let root = app_root(&config);
    write(
        root.path(),
        "db/migrations/1_messages.sql",
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n",
    );
    let server = testing::spawn(routes(), root.path()).await.unwrap();
    (root, server)
}
