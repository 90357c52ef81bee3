//! Serving routes and static files, and shutting down gracefully.
#![cfg(feature = "sqlite")]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app_root, EXAMPLE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tspawn_runtime::prelude::*;
use tspawn_runtime::tower::ServiceExt;
use tspawn_runtime::{app, connect, serve, testing};

fn routes() -> Router<AppState> {
    Router::new().route("/hello", get(|| async { "hello" }))
}

async fn memory_state(extra: &[(&str, &str)]) -> (tempfile::TempDir, AppState) {
    let root = app_root(EXAMPLE);
    let mut vars = vec![(
        "TSPAWN_DATABASE_URL".to_owned(),
        "sqlite::memory:".to_owned(),
    )];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::load_with(root.path(), "test", vars).unwrap();
    let db = connect(&config).await.unwrap();
    (root, AppState::new(db, config))
}

async fn get_path(router: Router, path: &str) -> (StatusCode, String) {
    let request = Request::builder().uri(path).body(Body::empty()).unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn routes_come_first_then_static_files() {
    let (_root, state) = memory_state(&[]).await;
    let router = app(routes(), state);
    assert_eq!(
        get_path(router.clone(), "/hello").await,
        (StatusCode::OK, "hello".into())
    );
    assert_eq!(
        get_path(router.clone(), "/").await,
        (StatusCode::OK, "<h1>home</h1>\n".into())
    );
    assert_eq!(
        get_path(router.clone(), "/index.html").await.0,
        StatusCode::OK
    );
    assert_eq!(
        get_path(router, "/missing.css").await,
        (
            StatusCode::NOT_FOUND,
            "404 Not Found: /missing.css\n".into()
        )
    );
}

async fn send(router: Router, method: &str, path: &str) -> (StatusCode, String, String) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map_or("", |v| v.to_str().unwrap())
        .to_owned();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn error_responses_say_what_happened_in_one_line() {
    let (_root, state) = memory_state(&[]).await;
    let routes = routes().route("/fail", get(|| async { Error::ShuttingDown }));
    let router = app(routes, state);
    let text = "text/plain; charset=utf-8".to_owned();
    for (method, path, body) in [
        ("GET", "/no/such/page", "404 Not Found: /no/such/page\n"),
        ("GET", "/x?q=1", "404 Not Found: /x\n"),
        ("POST", "/hello", "405 Method Not Allowed: /hello\n"),
        ("GET", "/fail", "500 Internal Server Error: /fail\n"),
    ] {
        assert_eq!(
            send(router.clone(), method, path).await,
            (body[..3].parse().unwrap(), text.clone(), body.to_owned()),
            "{method} {path}"
        );
    }
    // A static file that exists but is posted to: tower-http's 405, with a body too.
    let (status, _, body) = send(router.clone(), "POST", "/index.html").await;
    assert_eq!(body, format!("{status}: /index.html\n"));
    assert!(status.is_client_error(), "{status}");
    // A response that has a body keeps it.
    let (status, _, body) = send(router, "GET", "/hello").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello"));
}

#[tokio::test]
async fn a_port_in_use_says_how_to_pick_another() {
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = taken.local_addr().unwrap();
    let source = tokio::net::TcpListener::bind(addr).await.unwrap_err();
    let message = Error::Bind { addr, source }.to_string();
    let port = addr.port();
    let other = if port == 65535 { 8801 } else { port + 1 };
    assert!(
        message.starts_with(&format!("cannot listen on {addr}: ")),
        "{message}"
    );
    assert!(
        message.ends_with(&format!(
            "; another program has port {port}: pick another with -p PORT \
             (cargo run -- -p {other}) or TSPAWN_PORT={other}"
        )),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}

/// A second start on a taken port fails before the database is opened: the first app's
/// database is not created or migrated by it.
#[tokio::test]
async fn a_taken_port_fails_the_start_before_the_database_is_made() {
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let root = app_root(EXAMPLE);
    common::write(
        root.path(),
        "db/migrations/1_t.sql",
        "CREATE TABLE t (x INTEGER);",
    );
    let vars = [
        ("TSPAWN_PORT".to_owned(), port),
        ("TSPAWN_LISTEN".to_owned(), "127.0.0.1".to_owned()),
    ];
    let config = Config::load_with(root.path(), "dev", vars).unwrap();
    let url = config.database_url.clone();
    let error = tspawn_runtime::cli::serve_app(config, routes())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Bind { .. }), "{error}");
    assert!(url.contains("db/dev.sqlite3"), "{url}");
    assert!(!root.path().join("db/dev.sqlite3").exists(), "{error}");
}

#[tokio::test]
async fn serve_cancels_the_token_and_waits_for_tracked_tasks() {
    let (_root, state) = memory_state(&[]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let finished = Arc::new(AtomicBool::new(false));
    let (token, done) = (state.shutdown.clone(), finished.clone());
    state.tasks.spawn(async move {
        token.cancelled().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        done.store(true, Ordering::SeqCst);
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        listener,
        app(routes(), state.clone()),
        state.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(state.shutdown.is_cancelled());
    assert!(
        finished.load(Ordering::SeqCst),
        "serve returned before the tracked task ended"
    );
}

#[tokio::test]
async fn shutdown_timeout_bounds_the_wait_for_stuck_tasks() {
    let (_root, state) = memory_state(&[("TSPAWN_SHUTDOWN_TIMEOUT", "0.2")]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    state.tasks.spawn(std::future::pending::<()>());
    let started = Instant::now();
    serve(listener, app(routes(), state.clone()), state, async {})
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn test_server_answers_over_tcp_and_stops() {
    let root = app_root(EXAMPLE);
    let server = testing::spawn(routes(), root.path()).await.unwrap();
    assert!(server.url("/hello").starts_with("http://127.0.0.1:"));
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("hello"), "{response}");
    let addr = server.addr;
    server.shutdown().await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening after shutdown"
    );
}

#[tokio::test]
async fn testing_state_uses_the_test_environment() {
    let root = app_root(EXAMPLE);
    let state = testing::state(root.path()).await.unwrap();
    assert_eq!(state.config.env, "test");
    assert!(root.path().join("db/test.sqlite3").is_file());
    let (status, _) = get_path(app(routes(), state), "/").await;
    assert_eq!(status, StatusCode::OK);
}
