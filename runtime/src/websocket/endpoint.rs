//! The trait an app implements for each WebSocket endpoint.

use std::future::Future;

use super::{CloseCode, Context};
use crate::config::Settings;
use crate::error::Result;
use crate::session::HttpSession;

/// The handlers of one WebSocket endpoint, after TreeFrog's `TWebSocketEndpoint`.
///
/// A fresh value (`Default`) serves each connection, so fields are per-connection state.
/// [`Endpoint::Settings`] names the endpoint's config section, read and checked once at
/// start (`()` for none). Every handler has a default; implement them with plain `async fn`:
///
/// ```
/// use tspawn_runtime::prelude::*;
/// use tspawn_runtime::websocket::{Context, Endpoint, HttpSession};
///
/// #[derive(Default)]
/// struct Echo;
///
/// impl Endpoint for Echo {
///     type Settings = ();
///
///     async fn on_open(&mut self, ctx: &mut Context, session: &HttpSession) -> Result<bool> {
///         ctx.subscribe("echo");
///         Ok(session.is_user_logged_in())
///     }
///
///     async fn on_text_received(&mut self, ctx: &mut Context, text: &str) -> Result<()> {
///         ctx.publish("echo", text);
///         Ok(())
///     }
/// }
/// ```
///
/// A handler that returns `Err` or panics (after `on_open`) has the error logged once (with
/// the `conn_id`) and the connection closed with 1011; `on_close` still runs. Handlers run one at a time per
/// connection, and frames are not read while one runs.
pub trait Endpoint: Default + Send + 'static {
    /// The endpoint's settings, from the config section `Settings::SECTION`; `()` for none.
    ///
    /// They are read and checked when the config is loaded (a bad value stops the start,
    /// naming the key), then shared by every connection: handlers read them with
    /// [`Context::settings`], [`Endpoint::keep_alive_interval`] gets them as its argument.
    /// See [`Settings`] for how mounting the endpoint gets them read, and the limits.
    type Settings: Settings;

    /// Runs before the handshake is answered; `Ok(false)` refuses the connection with
    /// `403 Forbidden`, `Err` with `500`. `session` is the request's HTTP session. What is
    /// queued here is sent once the socket is up, before what others publish or send to this
    /// connection meanwhile (and all of it must fit in `queue_capacity`). It runs to its end
    /// even if the client leaves; after `Ok(true)`, `on_close` always follows.
    fn on_open(
        &mut self,
        ctx: &mut Context<Self::Settings>,
        session: &HttpSession,
    ) -> impl Future<Output = Result<bool>> + Send {
        let _ = (ctx, session);
        async { Ok(true) }
    }

    /// Runs once when the connection ends, however it ends; `code` is the peer's close code
    /// (1005 if its close frame had none, 1006 if the connection dropped) or the code the
    /// server closed with. Sends queued here are not delivered; publishes are.
    fn on_close(
        &mut self,
        ctx: &mut Context<Self::Settings>,
        code: CloseCode,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (ctx, code);
        async { Ok(()) }
    }

    /// A text message arrived (already checked to be UTF-8 and within `max_message_size`).
    fn on_text_received(
        &mut self,
        ctx: &mut Context<Self::Settings>,
        text: &str,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (ctx, text);
        async { Ok(()) }
    }

    /// A binary message arrived.
    fn on_binary_received(
        &mut self,
        ctx: &mut Context<Self::Settings>,
        data: &[u8],
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (ctx, data);
        async { Ok(()) }
    }

    /// A ping arrived; the pong reply is sent automatically.
    fn on_ping(
        &mut self,
        ctx: &mut Context<Self::Settings>,
        payload: &[u8],
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (ctx, payload);
        async { Ok(()) }
    }

    /// A pong arrived (the one answering the keep-alive ping also satisfies the keep-alive
    /// check).
    fn on_pong(
        &mut self,
        ctx: &mut Context<Self::Settings>,
        payload: &[u8],
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (ctx, payload);
        async { Ok(()) }
    }

    /// Seconds between keep-alive pings, 0 for none (the default). Read once per
    /// connection, after `on_open`.
    ///
    /// TreeFrog's `keepAliveInterval()` takes no argument; here it gets the endpoint's
    /// settings, so the interval can come from the config without a copy per connection.
    fn keep_alive_interval(&self, settings: &Self::Settings) -> u64 {
        let _ = settings;
        0
    }

    /// Reserved for TreeFrog compatibility and ignored: handlers are not wrapped in a
    /// database transaction. Begin one yourself with `ctx.db().begin().await?` when needed.
    fn transaction_enabled(&self) -> bool {
        false
    }
}
