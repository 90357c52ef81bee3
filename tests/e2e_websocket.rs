//! End to end: `tspawn new chatapp && tspawn websocket chat`, built once and run on a free
//! port, talked to by real WebSocket clients: join and leave notices, broadcast, the 30-message
//! history (also across a restart), keep-alive pings and the pong deadline, refused handshakes
//! (cross-origin, on_open false), ignored binary frames, the size limit and shutdown; a bad
//! endpoint setting stops the start.

mod common;

use common::app::{apps_target_dir, cargo, RunningApp};
use common::{new_app, new_app_named, tspawn};
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const JOINED: &str = " [ New person joined ]\n";
const LEFT: &str = " [ A person left ]\n";

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(port: u16, path: &str, origin: Option<&str>) -> Result<Socket, WsError> {
    let mut request = format!("ws://127.0.0.1:{port}{path}")
        .into_client_request()
        .unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The next frame, whatever it is; panics after 5 s.
async fn next_frame(socket: &mut Socket) -> Option<Message> {
    let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
    frame
        .expect("a frame within 5 s")
        .map(|r| r.expect("a valid frame"))
}

/// The next text, skipping pings and pongs.
async fn next_text(socket: &mut Socket) -> String {
    loop {
        match next_frame(socket).await {
            Some(Message::Text(text)) => return text.to_string(),
            Some(Message::Ping(_) | Message::Pong(_)) => continue,
            other => panic!("expected a text, got {other:?}"),
        }
    }
}

/// Texts up to (not including) `marker`.
async fn texts_until(socket: &mut Socket, marker: &str) -> Vec<String> {
    let mut texts = Vec::new();
    loop {
        let text = next_text(socket).await;
        if text == marker {
            return texts;
        }
        texts.push(text);
    }
}

async fn close_code(socket: &mut Socket) -> CloseCode {
    loop {
        match next_frame(socket).await {
            Some(Message::Close(Some(frame))) => return frame.code,
            Some(Message::Close(None)) | None => panic!("closed without a code"),
            Some(_) => continue,
        }
    }
}

fn assert_refused(result: Result<Socket, WsError>, status: u16) {
    match result {
        Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), status),
        Err(other) => panic!("expected HTTP {status}, got {other}"),
        Ok(_) => panic!("expected HTTP {status}, the handshake succeeded"),
    }
}

#[test]
fn the_chat_app_works_end_to_end() {
    let (_dir, app) = new_app("sqlite");
    tspawn(&app)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    tspawn(&app)
        .args(["-q", "websocket", "gate", "--bare"])
        .assert()
        .success();
    // An endpoint that refuses everyone: on_open returns false.
    let gate = app.join("src/endpoints/gate_endpoint.rs");
    let source = std::fs::read_to_string(&gate).unwrap();
    let refusing = source.replacen("Ok(true)", "Ok(false)", 1);
    assert_ne!(source, refusing);
    std::fs::write(&gate, refusing).unwrap();
    // Its generated test expects connections to be accepted, which is no longer true.
    std::fs::remove_file(app.join("tests/gate_endpoint.rs")).unwrap();

    cargo(&app, &["build"]);
    cargo(&app, &["test"]);
    cargo(&app, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    cargo(&app, &["fmt", "--check"]);
    a_bad_setting_stops_the_start(&app);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let first = RunningApp::start(&app, "chatapp", &[]);
    let port = first.port;
    let mut survivor = rt.block_on(chat_scenarios(port));

    // Shutdown closes open connections with 1001 and exits 0.
    let status = first.terminate();
    assert_eq!(status.code(), Some(0));
    assert_eq!(rt.block_on(close_code(&mut survivor)), CloseCode::Away);

    let second = RunningApp::start(
        &app,
        "chatapp",
        &[("TSPAWN_CHAT_ENDPOINT__KEEP_ALIVE_INTERVAL", "1")],
    );
    rt.block_on(after_restart(second.port));
    assert_eq!(second.terminate().code(), Some(0));
}

/// The chat page in headless Chromium (tests/browser/chat.mjs), on an app of its own (named
/// apart, so it runs beside the test above). Ignored unless Chromium and playwright-core
/// are there or TSPAWN_REQUIRE_BROWSER is set (as in CI): build.rs sets `skip_browser`.
#[test]
#[cfg_attr(
    skip_browser,
    ignore = "needs Chromium and playwright-core: apt-get install chromium; npm ci --prefix tests/browser"
)]
fn the_chat_page_works_in_chromium() {
    let (_dir, app) = new_app_named("browserchat", "sqlite");
    tspawn(&app)
        .args(["-q", "websocket", "chat"])
        .assert()
        .success();
    cargo(&app, &["build"]);
    let running = RunningApp::start(&app, "browserchat", &[]);
    browser_check(running.port);
    assert_eq!(running.terminate().code(), Some(0));
}

/// The chat endpoint's settings are read and checked at start: a value of the wrong type, or
/// a history that leaves no room in the connection's queue (every newcomer would be closed
/// with 1008), exits non-zero with one `error:` line naming the file, the key and the
/// variable, before the database is created (it used to fail every connection instead).
fn a_bad_setting_stops_the_start(app: &std::path::Path) {
    let from_var = "chat_endpoint.history (from TSPAWN_CHAT_ENDPOINT__HISTORY): ";
    let too_long = "1100 leaves too little room in the connection's queue: at most half \
                    of websocket.queue_capacity (1024), so at most 512; \
                    lower history or raise queue_capacity";
    let small_queue = "chat_endpoint.history: 30 leaves too little room in the connection's \
                       queue: at most half of websocket.queue_capacity (5), so at most 2;";
    let history = "TSPAWN_CHAT_ENDPOINT__HISTORY";
    let cases: [(&str, &str, &[&str]); 3] = [
        (history, "lots", &[from_var, "expected u32"]),
        (history, "1100", &[from_var, too_long]),
        ("TSPAWN_WEBSOCKET__QUEUE_CAPACITY", "5", &[small_queue]),
    ];
    for (var, value, parts) in cases {
        let stderr = refused_start(app, var, value);
        let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(lines.len(), 1, "one error line: {stderr}");
        for part in ["config/app.toml"].iter().chain(parts) {
            assert!(lines[0].contains(part), "{part:?} in: {stderr}");
        }
    }
    assert!(
        !app.join("db/dev.sqlite3").exists(),
        "the database was created"
    );
}

/// Starts the built app with `var=value` and returns its stderr once it has exited non-zero.
fn refused_start(app: &std::path::Path, var: &str, value: &str) -> String {
    let mut child = std::process::Command::new(apps_target_dir().join("debug/chatapp"))
        .args(["-p", &common::app::free_port().to_string()])
        .current_dir(app)
        .env(var, value)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A generous bound only so that an app that does start (the old behaviour) fails the
    // test instead of hanging it.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the app is still running with {var}={value}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{var}={value}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Headless Chromium on the chat page (tests/browser/chat.mjs); fails naming what is missing.
fn browser_check(port: u16) {
    common::browser::run("chat.mjs", &format!("http://127.0.0.1:{port}/chat.html"));
}

/// Runs against a fresh app; returns a client still connected, for the shutdown check.
async fn chat_scenarios(port: u16) -> Socket {
    let mut alice = connect(port, "/chat", None).await.unwrap();
    assert_eq!(
        texts_until(&mut alice, JOINED).await,
        Vec::<String>::new(),
        "no history yet"
    );
    let mut bob = connect(port, "/chat", None).await.unwrap();
    assert_eq!(texts_until(&mut bob, JOINED).await, Vec::<String>::new());
    assert_eq!(
        next_text(&mut alice).await,
        JOINED,
        "bob's join reaches alice"
    );

    let mut carol = connect(port, "/chat", Some(&format!("http://127.0.0.1:{port}")))
        .await
        .unwrap();
    texts_until(&mut carol, JOINED).await;
    assert_eq!(next_text(&mut alice).await, JOINED);
    assert_eq!(next_text(&mut bob).await, JOINED);

    // 35 messages reach everyone, the sender too, in order.
    let messages: Vec<String> = (0..35)
        .map(|i| format!("alice : message {i:02}\nhello"))
        .collect();
    for message in &messages {
        alice.send(Message::text(message.clone())).await.unwrap();
    }
    for client in [&mut alice, &mut bob, &mut carol] {
        for message in &messages {
            assert_eq!(&next_text(client).await, message);
        }
    }

    // A newcomer gets exactly the last 30, oldest first, before anything else.
    let mut dave = connect(port, "/chat", None).await.unwrap();
    assert_eq!(texts_until(&mut dave, JOINED).await, messages[5..].to_vec());
    for client in [&mut alice, &mut bob, &mut carol] {
        assert_eq!(next_text(client).await, JOINED);
    }

    // A leave notice when a client closes.
    bob.close(None).await.unwrap();
    for client in [&mut alice, &mut carol, &mut dave] {
        assert_eq!(next_text(client).await, LEFT);
    }

    // Binary frames are ignored: nothing is published, the connection stays open.
    carol.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    carol.send(Message::text("after binary")).await.unwrap();
    for client in [&mut alice, &mut carol, &mut dave] {
        assert_eq!(next_text(client).await, "after binary");
    }

    // A message over the size limit (64 KiB by default) closes with 1009.
    carol
        .send(Message::text("x".repeat(100 * 1024)))
        .await
        .unwrap();
    assert_eq!(close_code(&mut carol).await, CloseCode::Size);
    for client in [&mut alice, &mut dave] {
        assert_eq!(next_text(client).await, LEFT);
    }

    // Refused handshakes get an HTTP answer, not a dropped connection.
    assert_refused(
        connect(port, "/chat", Some("http://evil.example")).await,
        403,
    );
    assert_refused(connect(port, "/gate", None).await, 403);

    drop(dave);
    assert_eq!(next_text(&mut alice).await, LEFT);
    alice
}

async fn after_restart(port: u16) {
    // The history survived the restart: the last 30 stored messages (35 + "after binary").
    let mut erin = connect(port, "/chat", None).await.unwrap();
    let history = texts_until(&mut erin, JOINED).await;
    assert_eq!(history.len(), 30);
    assert_eq!(history.last().map(String::as_str), Some("after binary"));
    assert_eq!(history[0], "alice : message 06\nhello");

    // With a 1 s interval, a client that reads sees pings (and answers them automatically).
    let start = Instant::now();
    loop {
        match next_frame(&mut erin).await {
            Some(Message::Ping(_)) => break,
            Some(_) => continue,
            None => panic!("closed before any ping"),
        }
    }
    assert!(
        start.elapsed() < Duration::from_millis(2500),
        "a ping within the interval"
    );

    // erin keeps reading (and so answering pings) while another client stays silent.
    let watcher = tokio::spawn(async move {
        let mut texts = Vec::new();
        while texts.last().map(String::as_str) != Some(LEFT) {
            texts.push(next_text(&mut erin).await);
        }
        texts
    });

    // A client that never answers (never reads, so never pongs) is closed within two intervals.
    let mut silent = connect(port, "/chat", None).await.unwrap();
    let connected = Instant::now();
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let code = close_code(&mut silent).await;
    assert!(
        connected.elapsed() < Duration::from_secs(4),
        "closed in {:?}",
        connected.elapsed()
    );
    assert_ne!(code, CloseCode::Normal);

    // erin is still connected and saw the silent one join and leave.
    let texts = watcher.await.unwrap();
    assert_eq!(texts, vec![JOINED.to_owned(), LEFT.to_owned()]);
}
