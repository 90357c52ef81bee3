//! One task per connection: reads frames and runs the endpoint's handlers while the socket
//! side ([`Io`]) keeps writing the queue and pinging, then closes.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::keep_alive::KeepAlive;
use super::outbox::Receiver;
use super::socket::{End, Frame, Io, Socket, CLOSE_TIMEOUT};
use super::{CloseCode, Context, Endpoint};
use crate::error::Result;

/// A connection after `on_open` accepted it.
pub(crate) struct Driver<E: Endpoint> {
    endpoint: E,
    ctx: Context<E::Settings>,
    queue: Receiver,
}

impl<E: Endpoint> Driver<E> {
    pub(crate) fn new(endpoint: E, ctx: Context<E::Settings>, queue: Receiver) -> Self {
        Driver {
            endpoint,
            ctx,
            queue,
        }
    }

    /// Runs the connection to its end, then `on_close`, then lingers for the peer's answer.
    ///
    /// The future keeps only what the connection needs for its life: built here, before it,
    /// the socket and the driver are not also kept as the arguments of an `async fn` (which
    /// an idle connection's task would hold twice).
    pub(crate) fn run(self, socket: Socket) -> impl Future<Output = ()> + Send {
        let Driver {
            mut endpoint,
            mut ctx,
            queue,
        } = self;
        tracing::debug!(conn_id = %ctx.id(), peer = %ctx.peer(), "WebSocket open");
        let interval = endpoint.keep_alive_interval(ctx.settings());
        let keep_alive = KeepAlive::new(interval, ctx.id());
        // Shutdown reaches the driver through its queue (a stop).
        ctx.state().hub.watch_shutdown(ctx.state());
        let mut io = Io::new(socket, queue, keep_alive);
        async move {
            let end = serve(&mut endpoint, &mut ctx, &mut io).await;
            let end = io.settle(end);
            // on_close runs once the close frame is out, not after the peer's answer, so a
            // client that keeps its socket open does not delay it. Sending the close and
            // waiting for the answer share one deadline.
            let by = Instant::now() + CLOSE_TIMEOUT;
            let answer_due = io.close(end, by).await;
            finish(&mut endpoint, &mut ctx, end.code()).await;
            if answer_due {
                // Boxed: inline, its state (1.5 KiB) would be reserved in every connection's
                // task for the connection's whole life.
                Box::pin(io.linger(end, by)).await;
            }
        }
    }

    /// The upgrade never completed (the client left after the handshake): `on_close` with
    /// 1006, as for any dropped connection.
    pub(crate) async fn abandon(mut self) {
        tracing::debug!(conn_id = %self.ctx.id(), "WebSocket upgrade never completed");
        finish(&mut self.endpoint, &mut self.ctx, CloseCode::ABNORMAL).await;
    }
}

async fn finish<E: Endpoint>(endpoint: &mut E, ctx: &mut Context<E::Settings>, code: CloseCode) {
    let conn_id = ctx.id();
    if let Err(error) = endpoint.on_close(ctx, code).await {
        tracing::error!(%conn_id, %error, "on_close failed");
    }
    tracing::debug!(%conn_id, %code, "WebSocket closed");
}

/// Reads a frame, runs its handler while `io` keeps writing, and so on until the end.
///
/// A handler is never cut short: if the connection ends while it runs (shutdown, a full
/// queue, the peer gone), it runs to its end first. A handler that returns `Err` or panics
/// ends the connection with 1011, and `on_close` still follows.
async fn serve<E: Endpoint>(endpoint: &mut E, ctx: &mut Context<E::Settings>, io: &mut Io) -> End {
    loop {
        let message = match io.next_frame().await.and_then(|frame| message(frame, ctx)) {
            Ok(message) => message,
            Err(end) => return end,
        };
        if let Message::Pong(payload) = &message {
            io.pong(payload);
        }
        let (result, end) = {
            // A panic is caught here, so the peer still gets its close frame and on_close runs.
            // Boxed: inline, every idle connection's task would reserve room for the largest
            // handler's state; this way it costs one allocation per received message instead.
            let mut handler =
                Box::pin(AssertUnwindSafe(dispatch(endpoint, ctx, message)).catch_unwind());
            tokio::select! {
                result = &mut handler => (result, None),
                end = io.serve() => (handler.await, Some(end)),
            }
        };
        let failed = match result {
            Ok(Ok(())) => false,
            Ok(Err(error)) => {
                tracing::error!(conn_id = %ctx.id(), %error, "WebSocket handler failed");
                true
            }
            Err(_) => {
                tracing::error!(conn_id = %ctx.id(), "WebSocket handler panicked");
                true
            }
        };
        if failed {
            return end.unwrap_or(End::Close(CloseCode::ERROR, "internal error"));
        }
        if let Some(end) = end {
            return end;
        }
    }
}

/// The message a frame carries, or how the connection ends.
fn message<S>(frame: Frame, ctx: &Context<S>) -> Result<Message, End> {
    match frame {
        None => Err(End::Dropped),
        Some(Err(error)) => Err(End::from_read_error(error, ctx.id())),
        Some(Ok(Message::Close(frame))) => {
            let code = frame.map(|f| CloseCode(f.code.into()));
            Err(End::Closed(code.unwrap_or(CloseCode::NO_STATUS)))
        }
        Some(Ok(message)) => Ok(message),
    }
}

/// Runs the handler for `message`.
async fn dispatch<E: Endpoint>(
    endpoint: &mut E,
    ctx: &mut Context<E::Settings>,
    message: Message,
) -> Result<()> {
    match message {
        Message::Text(text) => endpoint.on_text_received(ctx, text.as_str()).await,
        Message::Binary(data) => endpoint.on_binary_received(ctx, &data).await,
        Message::Ping(payload) => endpoint.on_ping(ctx, &payload).await,
        Message::Pong(payload) => endpoint.on_pong(ctx, &payload).await,
        // Close frames end the connection before this; raw frames are never read.
        Message::Close(_) | Message::Frame(_) => Ok(()),
    }
}
