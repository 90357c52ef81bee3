//! Building the app's router and serving it with graceful shutdown.
//!
//! [`serve`] takes a listener it did not bind and a shutdown future it did not choose, so the
//! binary passes a real socket and Ctrl-C/SIGTERM ([`shutdown_signal`]) while tests pass
//! `127.0.0.1:0` and a channel.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::{csrf, flash};

/// The app's `routes`, then the static files of `config.public_dir` for every path no route
/// matches (`/` serves `public/index.html`; a missing file is `404`).
///
/// Each request is logged by tower-http at `info` when its response is ready (`status`,
/// `latency`, in a span with the method and URI), so the default log level shows requests.
/// An error status with an empty body (a path nothing serves, a method a route does not
/// take, a bare `500`) gets a one-line text body such as `404 Not Found: /x`.
///
/// Every request goes through the CSRF check first (a browser's cross-site POST, PUT, PATCH
/// or DELETE is answered `403`, see [`csrf`](crate::csrf)), and an HTML page consumes the
/// flash messages it was sent with (see [`flash`](crate::flash)).
pub fn app(routes: Router<AppState>, state: AppState) -> Router {
    let files = ServeDir::new(&state.config.public_dir);
    let trace = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    routes
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            flash::consume,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn(error_body))
        .layer(trace)
        .with_state(state)
}

/// Gives an empty 4xx or 5xx response the body `STATUS REASON: PATH` (text), so a browser or
/// `curl` shows what happened instead of a blank page.
async fn error_body(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error || response.body().size_hint().exact() != Some(0) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(format!("{status}: {path}\n")))
}

/// Serves `app` on `listener` until `shutdown` resolves or `state.shutdown` is cancelled.
///
/// Then: the token is cancelled (so tracked tasks start closing), new connections stop, and
/// open requests and the tasks in `state.tasks` get `config.shutdown_timeout` in total to
/// finish; what is still running after that is abandoned with a warning. WebSocket
/// connections are tracked tasks: each sends close 1001 and runs its `on_close` first.
/// Accepted sockets get `TCP_NODELAY`, so small WebSocket frames are not held back by Nagle's
/// algorithm, and requests carry the peer address (`ConnectInfo<SocketAddr>`).
///
/// At the open-file limit (`ulimit -n`: every connection, WebSocket or not, holds one
/// descriptor) new connections are refused with `503 Service Unavailable` and closed at once,
/// instead of waiting in the kernel's accept queue for a descriptor to free up; see
/// [`Shedding`]. A warning says so when it starts and every 10 s while it lasts, with a count.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let token = state.shutdown.clone();
    let listener = Shedding::new(listener).tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(token.clone().cancelled_owned());
    let server = std::future::IntoFuture::into_future(server);
    tokio::pin!(server);
    let finished = tokio::select! {
        result = &mut server => Some(result),
        () = shutdown => None,
    };
    token.cancel();
    let deadline = tokio::time::Instant::now() + state.config.shutdown_timeout;
    let result = match finished {
        Some(result) => result,
        None => tokio::time::timeout_at(deadline, server)
            .await
            .unwrap_or_else(|_| {
                tracing::warn!("shutdown timeout: abandoning open requests");
                Ok(())
            }),
    };
    state.tasks.close();
    if tokio::time::timeout_at(deadline, state.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            tasks = state.tasks.len(),
            "shutdown timeout: abandoning tracked tasks"
        );
    }
    result.map_err(Error::Server)
}

/// How often, at most, the refusals at the open-file limit are logged while they go on.
const SHED_LOG_EVERY: Duration = Duration::from_secs(10);

/// What a connection accepted at the open-file limit is sent before it is closed.
const UNAVAILABLE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
    content-length: 43\r\nconnection: close\r\nretry-after: 1\r\n\r\n\
    503 Service Unavailable: too many clients\r\n";

/// A listener that refuses connections cleanly at the open-file limit.
///
/// `accept(2)` fails with `EMFILE` (the process's limit) or `ENFILE` (the system's) when no
/// descriptor is free. The connection stays in the kernel's accept queue, so the listener
/// stays readable: axum's own loop logs an error and sleeps 1 s, taking at most one
/// connection a second, and the rest wait (their clients hang, then time out) or are dropped
/// by the kernel once the queue is full. This listener instead keeps one descriptor in
/// reserve (`/dev/null`, opened at start): at the limit it frees it, accepts the waiting
/// connection, answers `503` (written only if the socket takes it at once; a request the
/// client already sent is read and dropped first, so the close is not a reset) and closes
/// it, then takes the reserve back. So the accept queue drains, every client over the limit
/// gets an answer at once, memory stays bounded and nothing spins. If the reserve cannot be
/// taken back (another task took the descriptor), it waits 100 ms between attempts.
pub struct Shedding {
    listener: TcpListener,
    reserve: Option<std::fs::File>,
    refused: u64,
    logged: Option<Instant>,
}

impl Shedding {
    /// Wraps `listener`, taking one descriptor in reserve.
    pub fn new(listener: TcpListener) -> Shedding {
        Shedding {
            listener,
            reserve: reserve(),
            refused: 0,
            logged: None,
        }
    }

    /// The limit was hit: refuses the connection waiting at the head of the accept queue.
    async fn shed(&mut self) {
        if self.reserve.take().is_none() {
            self.reserve = reserve();
            if self.reserve.is_none() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return;
            }
            self.reserve = None;
        }
        // The connection that could not be accepted is waiting: this does not block.
        let accepted = futures_util::FutureExt::now_or_never(self.listener.accept());
        if let Some(Ok((tcp, _))) = accepted {
            refuse(&tcp);
            drop(tcp);
            self.refused += 1;
        }
        self.reserve = reserve();
        let due = self.logged.is_none_or(|at| at.elapsed() >= SHED_LOG_EVERY);
        if due && self.refused > 0 {
            tracing::warn!(
                refused = self.refused,
                "at the open-file limit (ulimit -n): refusing new connections with 503"
            );
            self.logged = Some(Instant::now());
        }
    }

    /// A connection was accepted again: logs how many were refused since the last line.
    fn recovered(&mut self) {
        if self.logged.take().is_some() {
            tracing::warn!(
                refused = self.refused,
                "accepting connections again after the open-file limit"
            );
        }
        self.refused = 0;
    }
}

impl axum::serve::Listener for Shedding {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok(accepted) => {
                    if self.refused > 0 {
                        self.recovered();
                    }
                    return accepted;
                }
                Err(error) if at_limit(&error) => self.shed().await,
                Err(error) if is_connection_error(&error) => {}
                Err(error) => {
                    // As axum does: a failure that may pass (ENOBUFS, ENOMEM), logged.
                    tracing::error!(%error, "accept failed; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// One descriptor held back for refusing connections at the limit.
fn reserve() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

/// Whether `accept` failed for want of a descriptor: `EMFILE` (24) or `ENFILE` (23), the
/// same numbers on Linux, the BSDs and macOS.
fn at_limit(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23 | 24))
}

/// A failure of that one connection (it was reset before it was accepted): the next one may
/// be fine.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Answers `tcp` with [`UNAVAILABLE`] if it can without waiting, after dropping what the
/// client already sent (closing a socket with unread input makes the kernel send a reset,
/// which may discard the answer before the client reads it).
fn refuse(tcp: &TcpStream) {
    // What the client sent so far (its request), 64 KiB at most: a client that keeps
    // sending must not hold the accept loop.
    let mut input = [0u8; 4096];
    for _ in 0..16 {
        if !matches!(tcp.try_read(&mut input), Ok(n) if n > 0) {
            break;
        }
    }
    let _ = tcp.try_write(UNAVAILABLE);
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what `kill` and service managers send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
