//! The generated chat app under load, end to end: `tspawn new chatload && tspawn websocket
//! chat`, built once for the whole file (in the shared TSPAWN_APPS_TARGET_DIR), each test on a
//! database of its own, one test at a time, talked to by real WebSocket clients
//! (tokio-tungstenite) over real sockets. No assertion is about speed: the waits below only
//! bound a hang (60 s without a frame fails the test).
//!
//! - A slow reader (one client stops reading while others publish 188 MiB in large messages):
//!   the server's peak RSS stays within [`RSS_GROWTH_BOUND`] of its size before the load, the
//!   others receive every message in order while the slow one reads nothing, and the slow
//!   one, once it reads, finds close code 1008.
//! - A connect storm of [`STORM`] clients: every one connects, gets the history, and none is
//!   closed (each still receives a message sent after the last one joined).
//! - SIGKILL during a steady load, then a restart on the same database: every message any
//!   client received is in the table, as the chat model stores each message before it
//!   publishes it (the default `synchronous = NORMAL` keeps a commit when the app is killed).
//! - Past the open-file limit ([`FD_LIMIT`], [`FD_CLIENTS`] clients at once): every client
//!   gets 101 or 503, never 500 nor a reset, while the open connections still store messages,
//!   and the app serves again once they leave.
//!
//! Chat messages are told from join and leave notices by their form, `m SENDER SEQ ...`;
//! notices (whatever their wording or grouping) are skipped.

mod common;

use common::app::{apps_target_dir, cargo, free_port, get};
use common::tspawn;
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The app's name: its binary in the shared target folder is `chatload`, apart from the
/// other suites' apps.
const APP: &str = "chatload";

/// The chat messages' table (db/migrations/*_create_chat_messages.sql).
const TABLE: &str = "chat_messages";

/// How long a read may wait for a frame before the test fails as hung (not a speed check).
const HANG: Duration = Duration::from_secs(60);

/// Clients of the connect storm.
const STORM: usize = 2_000;

/// The open-file limit of the app in the fd-limit test (`ulimit -n`)...
const FD_LIMIT: u64 = 200;
/// ...and the clients that connect to it at once: the report, where 160 got HTTP 500
/// (on_open could not open the database) before the server had descriptors left to refuse.
const FD_CLIENTS: usize = 300;

/// Messages a newcomer gets (`[default.chat_endpoint] history`, the generated default).
const HISTORY: usize = 30;

/// The slow-reader test: each of two senders publishes this many messages...
const SLOW_TEST_MESSAGES: u64 = 4_000;
/// ...of this many bytes: 8,000 x 24 KiB = 188 MiB in all, 7.8 times what a full queue of
/// the default 1,024 messages holds (24 MiB).
const SLOW_TEST_SIZE: usize = 24 * 1024;
/// How much the server's peak RSS (VmHWM) may exceed its RSS before the load, in KiB: the
/// slow client's full queue (24 MiB), a batch in its write buffer (128 x 24 KiB = 3 MiB) and
/// room for the allocator, but half of what a queue that kept all 188 MiB would take.
const RSS_GROWTH_BOUND: u64 = 96 * 1024;

/// The generated app, built once for the file in CARGO_TARGET_TMPDIR (made anew by the
/// first test of a run, left there after it); holding the guard runs one test at a time, so
/// memory and file descriptors are each test's own.
fn exclusive_app() -> MutexGuard<'static, Option<PathBuf>> {
    static APP_ROOT: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut guard = APP_ROOT.lock().unwrap_or_else(PoisonError::into_inner);
    if guard.is_none() {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e_chat_load");
        if parent.exists() {
            std::fs::remove_dir_all(&parent).unwrap();
        }
        std::fs::create_dir_all(&parent).unwrap();
        tspawn(&parent)
            .args(["-q", "new", APP, "--db", "sqlite"])
            .assert()
            .success();
        let root = parent.join(APP);
        tspawn(&root)
            .args(["-q", "websocket", "chat"])
            .assert()
            .success();
        cargo(&root, &["build"]);
        *guard = Some(root);
    }
    guard
}

/// The running app, killed (SIGKILL) when dropped.
struct Server {
    port: u16,
    child: Child,
    /// The warning and error lines the app has logged so far.
    warnings: watch::Receiver<Vec<String>>,
}

impl Server {
    /// Starts the app in `root` on a free port with `database` (a path relative to the root,
    /// a fresh file unless `keep`) and waits until `/` answers. It inherits this process's
    /// file limit ([`raise_fd_limit`]).
    fn start(root: &Path, database: &str, keep: bool) -> Server {
        Server::start_limited(root, database, keep, None)
    }

    /// [`Server::start`], with the open-file limit (soft and hard) set to `fd_limit` by the
    /// shell that starts the app (`ulimit -n`), if given.
    fn start_limited(root: &Path, database: &str, keep: bool, fd_limit: Option<u64>) -> Server {
        if !keep {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(root.join(format!("{database}{suffix}")));
            }
        }
        let port = free_port();
        let binary = apps_target_dir().join("debug").join(APP);
        let mut command = match fd_limit {
            None => Command::new(binary),
            Some(limit) => {
                let mut sh = Command::new("sh");
                let script = format!("ulimit -n {limit} && exec \"$0\" \"$@\"");
                sh.args(["-c", &script]).arg(binary);
                sh
            }
        };
        let mut child = command
            .args(["-p", &port.to_string()])
            .current_dir(root)
            .env("TSPAWN_DATABASE_URL", format!("sqlite:{database}"))
            .env("TSPAWN_LOG", "info,sqlx=warn")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the app starts");
        // The log is read to its end (a full pipe would stall the app); warnings and errors
        // are kept.
        let (sender, warnings) = watch::channel(Vec::new());
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("WARN") || line.contains("ERROR") {
                    sender.send_modify(|lines| lines.push(line));
                }
            }
        });
        let started = Instant::now();
        while get(port, "/").is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the app exited before serving: {status}");
            }
            assert!(started.elapsed() < HANG, "the app did not answer in 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            port,
            child,
            warnings,
        }
    }

    /// A field of /proc/PID/status in KiB (`VmRSS`, `VmHWM`: peak RSS).
    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the app is running");
        let line = status
            .lines()
            .find(|line| line.starts_with(&format!("{field}:")))
            .unwrap_or_else(|| panic!("{field} in /proc/PID/status"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// SIGKILL (std's `Child::kill` on Unix), then reaps the process.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raises this process's soft limit on open files to at least `want` (within the hard
/// limit); the app started afterwards inherits it. Fails the test when the hard limit is
/// lower, naming it.
fn raise_fd_limit(want: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur >= want {
            return;
        }
        assert!(
            limit.rlim_max >= want,
            "open files: hard limit {} < {want} (raise it: ulimit -Hn)",
            limit.rlim_max
        );
        limit.rlim_cur = want;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
}

/// A client of `/chat` with small buffers (4 KiB read buffer, as the server's), so thousands
/// fit in the test's memory.
async fn connect(port: u16) -> Socket {
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let url = format!("ws://127.0.0.1:{port}/chat");
    let connecting = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (socket, _) = tokio::time::timeout(HANG, connecting)
        .await
        .expect("connected within 60 s")
        .expect("the handshake succeeds");
    socket
}

/// A chat message of the tests: `m SENDER SEQ` (six digits, so every message of a test has
/// one length) and `padding`.
fn message(sender: u32, seq: u64, padding: &str) -> String {
    format!("m {sender} {seq:06} {padding}")
}

/// The sender and number of a test's chat message; `None` for a notice.
fn parse(text: &str) -> Option<(u32, u64)> {
    let mut words = text.strip_prefix("m ")?.split(' ');
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

/// What a client saw next.
enum Seen {
    /// A test message: sender, number, length in bytes.
    Chat(u32, u64, usize),
    /// A close frame with this code (1005 if none).
    Closed(u16),
    /// The connection ended without a close frame, or failed.
    Dropped(String),
}

/// The next chat message or end of the connection, skipping notices, pings and pongs; fails
/// the test after 60 s without a frame.
async fn next_seen(socket: &mut Socket) -> Seen {
    loop {
        let frame = tokio::time::timeout(HANG, socket.next())
            .await
            .expect("a frame within 60 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                if let Some((sender, seq)) = parse(&text) {
                    return Seen::Chat(sender, seq, text.len());
                }
            }
            Some(Ok(Message::Close(frame))) => {
                return Seen::Closed(frame.map_or(1005, |f| u16::from(f.code)));
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Seen::Dropped(error.to_string()),
            None => return Seen::Dropped("end of stream".into()),
        }
    }
}

/// The next chat message (sender, number, length); anything else fails the test.
async fn next_chat(socket: &mut Socket, who: &str) -> (u32, u64, usize) {
    match next_seen(socket).await {
        Seen::Chat(sender, seq, len) => (sender, seq, len),
        Seen::Closed(code) => panic!("{who} was closed with {code}"),
        Seen::Dropped(why) => panic!("{who} was dropped: {why}"),
    }
}

/// A client in a closed loop: `me` keeps `window` of its `count` messages in flight (sends
/// the next when one of its own comes back) and reads until it has all `total` messages of
/// every sender; a `count` of 0 only reads. Returns what it received, in order.
async fn closed_loop(
    mut socket: Socket,
    me: u32,
    count: u64,
    window: u64,
    total: usize,
    padding: Arc<str>,
) -> Vec<(u32, u64, usize)> {
    let who = format!("client {me}");
    let (mut sent, mut echoed) = (0, 0);
    let mut received = Vec::with_capacity(total);
    while received.len() < total {
        while sent < count && sent - echoed < window {
            let text = message(me, sent, &padding);
            socket.send(Message::text(text)).await.unwrap();
            sent += 1;
        }
        let seen = next_chat(&mut socket, &who).await;
        if seen.0 == me {
            echoed += 1;
        }
        received.push(seen);
    }
    received
}

/// Each sender's messages, numbered 0.., in order, each `len` bytes long: what every client
/// must have received.
fn expected(senders: &[u32], count: u64, len: usize) -> Vec<Vec<(u64, usize)>> {
    senders
        .iter()
        .map(|_| (0..count).map(|seq| (seq, len)).collect())
        .collect()
}

/// `received` split per sender of `senders`, in the order received.
fn per_sender(received: &[(u32, u64, usize)], senders: &[u32]) -> Vec<Vec<(u64, usize)>> {
    senders
        .iter()
        .map(|sender| {
            received
                .iter()
                .filter(|(from, _, _)| from == sender)
                .map(|&(_, seq, len)| (seq, len))
                .collect()
        })
        .collect()
}

/// One client stops reading its socket while two senders publish 8,000 messages of 24 KiB
/// in a closed loop. The senders finish without it (the loop could not if a publish waited
/// for it), every other client gets every message in order, the server's peak RSS stays
/// within [`RSS_GROWTH_BOUND`] of its RSS before the load, and the slow client, once it
/// reads, finds close code 1008 ("too slow").
///
/// The slow one starts reading when the app logs its 1008 (the warning the runtime writes
/// when a queue overflows): the close frame waits behind what the slow client left unread,
/// and the server gives up on it 2 s after trying to send it.
#[test]
fn a_slow_reader_is_closed_with_1008_while_the_others_get_everything() {
    let app = exclusive_app();
    let root = app.as_deref().unwrap();
    let server = Server::start(root, "db/slow.sqlite3", false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = server.port;
    let (slow, fast) = rt.block_on(async {
        let slow = connect(port).await;
        let mut fast = Vec::new();
        for _ in 0..4 {
            fast.push(connect(port).await);
        }
        (slow, fast)
    });
    let before = server.memory_kib("VmRSS");

    let mut warnings = server.warnings.clone();
    let slow_reader = rt.spawn(async move {
        let mut slow = slow;
        warnings
            .wait_for(|lines| lines.iter().any(|l| l.contains("1008")))
            .await
            .expect("the app runs");
        let mut chats = 0;
        loop {
            match next_seen(&mut slow).await {
                Seen::Chat(..) => chats += 1,
                Seen::Closed(code) => return (code, chats),
                Seen::Dropped(why) => panic!("the slow client was dropped: {why}"),
            }
        }
    });

    let padding: Arc<str> = "p".repeat(SLOW_TEST_SIZE - 12).into();
    let len = message(1, 0, &padding).len();
    let senders = [1, 2];
    let total = 2 * SLOW_TEST_MESSAGES as usize;
    let clients: Vec<_> = fast
        .into_iter()
        .zip([1, 2, 0, 0])
        .map(|(socket, me)| {
            let count = if me == 0 { 0 } else { SLOW_TEST_MESSAGES };
            rt.spawn(closed_loop(socket, me, count, 4, total, padding.clone()))
        })
        .collect();
    for client in clients {
        let received = rt.block_on(client).unwrap();
        let got = per_sender(&received, &senders);
        let want = expected(&senders, SLOW_TEST_MESSAGES, len);
        for (sender, (got, want)) in senders.iter().zip(got.iter().zip(&want)) {
            let first_wrong = got.iter().zip(want).position(|(g, w)| g != w);
            assert!(
                got == want,
                "from sender {sender}: {} of {} messages, first wrong at {first_wrong:?}",
                got.len(),
                want.len()
            );
        }
    }
    let (code, chats) = rt
        .block_on(async { tokio::time::timeout(HANG, slow_reader).await })
        .expect("the slow client was closed within 60 s of the others' last message")
        .unwrap();
    assert_eq!(code, 1008, "after {chats} messages");
    assert!(chats < total, "the slow client got everything");

    let peak = server.memory_kib("VmHWM");
    eprintln!(
        "slow reader: RSS {before} KiB before, peak {peak} KiB (+{} KiB; bound +{RSS_GROWTH_BOUND}); \
         {} MiB published; the slow one read {chats} of {total} before 1008",
        peak.saturating_sub(before),
        (total * len) >> 20,
    );
    assert!(
        peak <= before + RSS_GROWTH_BOUND,
        "peak RSS {peak} KiB, {} KiB over the {before} KiB before the load",
        peak - before
    );
}

/// [`STORM`] clients connect at once to an app with history: every one connects, gets the
/// 30 most recent messages, oldest first, and none is closed: each still receives a message
/// sent once the last one joined. Notices in between are skipped, however many there are.
#[test]
fn a_connect_storm_connects_everyone_with_their_history() {
    raise_fd_limit(STORM as u64 + 1_000);
    let app = exclusive_app();
    let root = app.as_deref().unwrap();
    let server = Server::start(root, "db/storm.sqlite3", false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = server.port;
    let seeded = HISTORY as u64 + 5;
    let history: Vec<(u64, usize)> = (5..seeded)
        .map(|seq| (seq, message(0, seq, "").len()))
        .collect();

    let failures = rt.block_on(async {
        // The history: 35 messages, of which newcomers get the last 30.
        let seeder = connect(port).await;
        let seeded_all = closed_loop(seeder, 0, seeded, 1, seeded as usize, "".into()).await;
        assert_eq!(seeded_all.len(), seeded as usize);
        let mut seeder = connect(port).await;
        for expected in &history {
            let (_, seq, len) = next_chat(&mut seeder, "the seeder").await;
            assert_eq!(&(seq, len), expected, "the seeder's history");
        }
        let (mut sink, mut stream) = seeder.split();
        // The seeder keeps reading the notices, then the last message.
        let seeder_reads = tokio::spawn(async move {
            loop {
                let frame = tokio::time::timeout(HANG, stream.next()).await;
                match frame.expect("a frame within 60 s") {
                    Some(Ok(Message::Text(text))) if parse(&text) == Some((0, seeded)) => break,
                    Some(Ok(_)) => {}
                    other => panic!("the seeder lost its connection: {other:?}"),
                }
            }
        });

        let (ready, mut readies) = tokio::sync::mpsc::unbounded_channel();
        let last = message(0, seeded, "");
        let clients: Vec<_> = (0..STORM)
            .map(|i| {
                let ready = ready.clone();
                let history = history.clone();
                tokio::spawn(async move {
                    let mut socket = connect(port).await;
                    let who = format!("storm client {i}");
                    let mut got = Vec::new();
                    let mut end = None;
                    while got.len() < HISTORY && end.is_none() {
                        match next_seen(&mut socket).await {
                            Seen::Chat(_, seq, len) => got.push((seq, len)),
                            other => end = Some(other),
                        }
                    }
                    ready.send(()).unwrap();
                    drop(ready);
                    if got.len() == HISTORY && got != history {
                        return Err(format!("{who}: history {got:?}"));
                    }
                    let end = match end {
                        Some(end) => end,
                        None => next_seen(&mut socket).await,
                    };
                    match end {
                        Seen::Chat(0, seq, _) if seq == seeded => Ok(()),
                        Seen::Chat(from, seq, _) => Err(format!("{who}: got m {from} {seq}")),
                        Seen::Closed(code) => Err(format!("{who}: closed with {code}")),
                        Seen::Dropped(why) => Err(format!("{who}: dropped: {why}")),
                    }
                })
            })
            .collect();
        drop(ready);
        for _ in 0..STORM {
            readies
                .recv()
                .await
                .expect("every client connected and got its history");
        }
        sink.send(Message::text(last)).await.unwrap();
        let mut failures = Vec::new();
        for client in clients {
            if let Err(failure) = client.await.unwrap() {
                failures.push(failure);
            }
        }
        seeder_reads.await.unwrap();
        failures
    });
    assert!(
        failures.is_empty(),
        "{} of {STORM} clients failed, first: {:?}",
        failures.len(),
        failures.first()
    );
    drop(server);
}

/// Two senders publish in a loop and three clients record every message they receive; the
/// app is killed with SIGKILL in the middle, then started again on the same database. Every
/// message any client received is in the table (stored before it was published, with the
/// default `synchronous`), and a newcomer's history is the table's last 30 rows.
#[test]
fn after_sigkill_every_message_a_client_received_is_stored() {
    let app = exclusive_app();
    let root = app.as_deref().unwrap();
    let database = "db/killed.sqlite3";
    let mut server = Server::start(root, database, false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = server.port;
    let progress = Arc::new(AtomicUsize::new(0));

    let clients: Vec<_> = rt.block_on(async {
        let mut sockets = Vec::new();
        for _ in 0..3 {
            sockets.push(connect(port).await);
        }
        sockets
            .into_iter()
            .zip([1, 2, 0])
            .map(|(socket, me)| tokio::spawn(record_until_killed(socket, me, progress.clone())))
            .collect()
    });
    // Steady load: kill once the reader has 500 messages, while the senders are sending.
    let started = Instant::now();
    while progress.load(Ordering::Relaxed) < 500 {
        assert!(started.elapsed() < HANG, "500 messages within 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    let mut received = BTreeSet::new();
    let mut sent = 0;
    for client in clients {
        let (client_sent, client_received) = rt.block_on(client).unwrap();
        sent += client_sent;
        received.extend(client_received);
    }

    let server = Server::start(root, database, true);
    let rows = common::sqlite_query(
        &root.join(database),
        &format!("SELECT body FROM {TABLE} ORDER BY id"),
    );
    let stored: Vec<(u32, u64)> = rows.lines().filter_map(parse).collect();
    let stored_set: BTreeSet<_> = stored.iter().copied().collect();
    let missing: Vec<_> = received.difference(&stored_set).collect();
    eprintln!(
        "SIGKILL: {sent} sent, {} received by some client, {} stored",
        received.len(),
        stored.len()
    );
    assert!(
        missing.is_empty(),
        "{} received messages are not stored, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert!(received.len() >= 500);

    // The restarted app serves the stored history.
    let history = rt.block_on(async {
        let mut newcomer = connect(server.port).await;
        let mut history = Vec::new();
        for _ in 0..HISTORY {
            let (from, seq, _) = next_chat(&mut newcomer, "the newcomer").await;
            history.push((from, seq));
        }
        history
    });
    assert_eq!(history, stored[stored.len() - HISTORY..]);
}

/// A client of the SIGKILL test: sends its messages (`me` > 0) with 8 in flight and records
/// every message it receives until the connection ends; returns how many it sent and what
/// it received. `progress` counts what the reader (`me` = 0) received.
async fn record_until_killed(
    mut socket: Socket,
    me: u32,
    progress: Arc<AtomicUsize>,
) -> (u64, Vec<(u32, u64)>) {
    let (mut sent, mut echoed) = (0, 0);
    let mut received = Vec::new();
    loop {
        while me > 0 && sent - echoed < 8 {
            if socket
                .send(Message::text(message(me, sent, "x")))
                .await
                .is_err()
            {
                return (sent, received);
            }
            sent += 1;
        }
        match next_seen(&mut socket).await {
            Seen::Chat(from, seq, _) => {
                if from == me {
                    echoed += 1;
                }
                if me == 0 {
                    progress.fetch_add(1, Ordering::Relaxed);
                }
                received.push((from, seq));
            }
            Seen::Closed(_) | Seen::Dropped(_) => return (sent, received),
        }
    }
}

/// What a client of the fd-limit test got: a WebSocket, a refusal with this HTTP status, or
/// another failure.
enum Attempt {
    Open(Box<Socket>),
    Status(u16),
    Failed(String),
}

/// [`FD_CLIENTS`] clients connect at once to the app started with `ulimit -n` [`FD_LIMIT`]:
/// each gets 101 or 503 (the server refuses before descriptors run out), none 500 (a
/// database that could not open a file) nor a failed connection, and the app logs no error.
/// An open client's message is stored while the server is full, and once the clients leave
/// `/` answers 200 and a new client's message is stored too.
#[test]
fn past_the_fd_limit_every_client_gets_101_or_503_and_the_app_keeps_working() {
    raise_fd_limit(FD_CLIENTS as u64 + 200);
    let app = exclusive_app();
    let root = app.as_deref().unwrap();
    let database = "db/fdlimit.sqlite3";
    let server = Server::start_limited(root, database, false, Some(FD_LIMIT));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = server.port;

    let attempts: Vec<Attempt> = rt.block_on(async {
        let url = format!("ws://127.0.0.1:{port}/chat");
        let tasks: Vec<_> = (0..FD_CLIENTS)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move {
                    let connecting = tokio_tungstenite::connect_async(url);
                    match tokio::time::timeout(HANG, connecting).await {
                        Err(_) => Attempt::Failed("no answer within 60 s".into()),
                        Ok(Ok((socket, _))) => Attempt::Open(Box::new(socket)),
                        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                            Attempt::Status(response.status().as_u16())
                        }
                        Ok(Err(error)) => Attempt::Failed(error.to_string()),
                    }
                })
            })
            .collect();
        let mut attempts = Vec::new();
        for task in tasks {
            attempts.push(task.await.unwrap());
        }
        attempts
    });
    let mut open = Vec::new();
    let (mut refused, mut others) = (0, Vec::new());
    for attempt in attempts {
        match attempt {
            Attempt::Open(socket) => open.push(*socket),
            Attempt::Status(503) => refused += 1,
            Attempt::Status(status) => others.push(format!("HTTP {status}")),
            Attempt::Failed(why) => others.push(why),
        }
    }
    eprintln!(
        "fd limit {FD_LIMIT}, {FD_CLIENTS} clients: {} open, {refused} got 503, {} other",
        open.len(),
        others.len()
    );
    assert!(
        others.is_empty(),
        "{} of {FD_CLIENTS} clients got neither 101 nor 503 ({} open, {refused} 503), first: {:?}",
        others.len(),
        open.len(),
        others.first()
    );
    assert!(!open.is_empty(), "no client connected");
    assert!(
        refused > 0,
        "every client connected: the limit was not reached"
    );

    // While the server is full, an open client's message comes back, so it was stored.
    let sent = message(1, 0, "at the limit");
    rt.block_on(async {
        let socket = &mut open[0];
        socket.send(Message::text(sent.clone())).await.unwrap();
        while next_chat(socket, "the open client").await.0 != 1 {}
    });
    drop(open);

    // Once the clients have gone, the app serves again: a page, then a new client.
    let started = Instant::now();
    loop {
        let response = get(port, "/").unwrap_or_default();
        if response.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            started.elapsed() < HANG,
            "/ did not answer 200 within 60 s of the clients leaving: {:?}",
            response.lines().next()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = message(2, 0, "after the limit");
    rt.block_on(async {
        let mut socket = connect(port).await;
        socket.send(Message::text(after.clone())).await.unwrap();
        while next_chat(&mut socket, "the new client").await.0 != 2 {}
    });
    let rows = common::sqlite_query(
        &root.join(database),
        &format!("SELECT body FROM {TABLE} ORDER BY id"),
    );
    assert_eq!(rows.lines().collect::<Vec<_>>(), [&*sent, &*after]);
    let errors: Vec<String> = server
        .warnings
        .borrow()
        .iter()
        .filter(|line| line.contains("ERROR"))
        .cloned()
        .collect();
    assert!(errors.is_empty(), "the app logged errors: {errors:#?}");
}
