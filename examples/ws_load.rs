//! The WebSocket load generator of `bench/fanout.sh` (see BENCHMARKS.md): one process, one
//! thread, meant to be pinned to its own core (`taskset -c 1`), measuring a chat server that
//! broadcasts every text message to every client (the app `tspawn websocket chat` generates, or
//! `bench/node/server.js`).
//!
//! Modes (`--mode`):
//! - `closed`: `--connections` clients; `--senders` of them each keep `--window` messages in
//!   flight (a sender sends its next message when one of its own comes back), for `--duration`
//!   seconds after `--warmup` seconds. Deliveries per second, latency percentiles of every
//!   delivery, server CPU time per delivery.
//! - `open`: the same clients, `--rate` messages per second offered in total, spread evenly
//!   over the senders whatever the server does (a message's latency counts from the time it
//!   was due, so a stalled server is not hidden).
//! - `idle`: the server's resident memory (`VmRSS`) after one connection was opened and closed,
//!   then with `--connections` idle clients, once their notices are drained.
//! - `storm`: `--connections` clients connect at once (`--concurrency` handshakes in flight);
//!   the time until all are connected and until nothing more arrives, what was refused or
//!   closed, the server's memory; then SIGTERM to `--pid` and the time until it exits, and how
//!   many clients got close code 1001 (going away, RFC 6455 §7.4.1).
//!
//! Each run prints one line `RESULT key=value ...` (times in ms or s as named, memory in KiB,
//! CPU per delivery in microseconds), and with `--markdown` also a table row.
//!
//! To stay cheap at millions of deliveries per second the client is lean: the opening handshake
//! uses tungstenite's key and `Sec-WebSocket-Accept` functions over a plain HTTP/1.1 request,
//! then frames are read straight from the TCP stream in large reads (one 256 KiB buffer for all
//! connections), parsing only unmasked server frames (RFC 6455 §5.2), the clock is read once
//! per read, and client frames are masked with a fresh key each (§5.3).
//!
//!     cargo build --release --example ws_load
//!     ws_load --url ws://127.0.0.1:8800/chat --pid $PID --mode closed

use clap::{Parser, ValueEnum};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::sync::{Notify, Semaphore};
use tokio_tungstenite::tungstenite::handshake::{client::generate_key, derive_accept_key};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    Closed,
    Open,
    Idle,
    Storm,
}

#[derive(Parser, Debug)]
#[command(about = "WebSocket chat load generator (see BENCHMARKS.md)")]
struct Args {
    /// The endpoint, ws://HOST:PORT/PATH
    #[arg(long)]
    url: String,
    #[arg(long, value_enum, default_value_t = Mode::Closed)]
    mode: Mode,
    /// The server's process id: its CPU time and memory are read from /proc/PID (required
    /// for CPU per delivery, memory and the SIGTERM of `storm`)
    #[arg(long)]
    pid: Option<u32>,
    /// Clients
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Opening handshakes in flight at once
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
    /// Clients that send (closed and open)
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages each sender keeps in flight (closed)
    #[arg(long, default_value_t = 4)]
    window: usize,
    /// Messages per second offered in total (open)
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Bytes per message (at least 40)
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Seconds of load before measuring (closed and open)
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Seconds measured (closed and open)
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds a handshake may take before it counts as failed
    #[arg(long, default_value_t = 30.0)]
    handshake_timeout: f64,
    /// Seconds the connecting phase may take in all; clients still connecting then are
    /// reported as `pending` (a server that sends every join notice to everyone needs N^2/2
    /// deliveries to let N clients in)
    #[arg(long, default_value_t = 180.0)]
    connect_timeout: f64,
    /// Milliseconds without a byte received after which the notices count as drained
    #[arg(long, default_value_t = 1000)]
    quiet_ms: u64,
    /// Seconds to wait at most for the notices to drain (idle and storm)
    #[arg(long, default_value_t = 120.0)]
    drain_timeout: f64,
    /// Seconds to wait at most for the server to exit after SIGTERM (storm)
    #[arg(long, default_value_t = 60.0)]
    exit_timeout: f64,
    /// The run tag of the messages counted (four digits; random by default, so history from
    /// earlier runs is not counted). `0000` with bench/node/firehose.js checks the generator.
    #[arg(long)]
    run: Option<String>,
    /// A name for the server in the output (ours, node)
    #[arg(long, default_value = "server")]
    label: String,
    /// Also print a markdown table row
    #[arg(long)]
    markdown: bool,
}

/// Where to connect: `host:port` and the request target.
#[derive(Debug)]
struct Target {
    addr: String,
    path: String,
}

fn parse_url(url: &str) -> Result<Target, String> {
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| format!("--url {url}: only ws://HOST:PORT/PATH is supported"))?;
    let (addr, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if !addr.contains(':') {
        return Err(format!("--url {url}: give the port (ws://HOST:PORT/PATH)"));
    }
    Ok(Target {
        addr: addr.to_owned(),
        path: path.to_owned(),
    })
}

/// Latencies in microseconds, in buckets 1 us wide up to 1,024 us and 1/512 of their value
/// above (a log-linear histogram: 0.2 % resolution, fixed memory).
struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Histogram {
    fn new() -> Self {
        Self {
            counts: vec![0; 64 * 512],
            total: 0,
            max: 0,
        }
    }

    fn index(us: u64) -> usize {
        if us < 1024 {
            us as usize
        } else {
            let shift = 63 - us.leading_zeros() as usize - 9;
            shift * 512 + (us >> shift) as usize
        }
    }

    fn lower_bound(index: usize) -> u64 {
        if index < 1024 {
            index as u64
        } else {
            let shift = index / 512 - 1;
            ((index % 512 + 512) as u64) << shift
        }
    }

    fn record(&mut self, us: u64) {
        self.counts[Self::index(us)] += 1;
        self.total += 1;
        self.max = self.max.max(us);
    }

    /// The latency at quantile `q` (0..=1) in milliseconds, NaN when empty.
    fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = ((self.total as f64 * q).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Self::lower_bound(index) as f64 / 1000.0;
            }
        }
        self.max as f64 / 1000.0
    }
}

/// Everything the connections count, in one thread.
struct Shared {
    origin: Instant,
    /// Tags this run's messages: history replayed from earlier runs is not counted.
    run: [u8; 4],
    size: usize,
    measuring: Cell<bool>,
    stop: Cell<bool>,
    /// This run's messages received while measuring.
    deliveries: Cell<u64>,
    /// This run's messages received at any time.
    bench_received: Cell<u64>,
    sent: Cell<u64>,
    joined: Cell<u64>,
    left: Cell<u64>,
    other_text: Cell<u64>,
    last_byte: Cell<Instant>,
    histogram: RefCell<Histogram>,
    connected: Cell<u64>,
    open: Cell<u64>,
    all_connected_at: Cell<Option<Instant>>,
    attempts_done: Cell<u64>,
    failures: RefCell<BTreeMap<String, u64>>,
    ends: RefCell<BTreeMap<String, u64>>,
    senders: RefCell<Vec<Rc<Conn>>>,
    rng: Cell<u64>,
}

impl Shared {
    fn now_ns(&self, at: Instant) -> u64 {
        at.duration_since(self.origin).as_nanos() as u64
    }

    fn next_mask(&self) -> [u8; 4] {
        // xorshift64: masking keys need not be cryptographic here, only to vary (§5.3).
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        (x as u32).to_le_bytes()
    }

    fn count(map: &RefCell<BTreeMap<String, u64>>, key: String) {
        *map.borrow_mut().entry(key).or_default() += 1;
    }
}

/// One client's socket and what is waiting to be written to it.
struct Conn {
    id: usize,
    /// Whether this client sends (only senders look for their own messages).
    sender: bool,
    stream: TcpStream,
    pending: RefCell<Vec<u8>>,
    /// This sender's own messages that came back since its sender task last looked.
    echoes: Cell<u64>,
    echoed: Notify,
}

impl Conn {
    /// Appends one masked client frame (RFC 6455 §5.2, §5.3).
    fn push_frame(&self, shared: &Shared, opcode: u8, payload: &[u8]) {
        let mut out = self.pending.borrow_mut();
        out.push(0x80 | opcode);
        let len = payload.len();
        if len < 126 {
            out.push(0x80 | len as u8);
        } else if len <= 0xffff {
            out.push(0x80 | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            out.push(0x80 | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
        let mask = shared.next_mask();
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    }

    /// Appends one chat message: `bench RRRR SSSSS NNNNNNNNNNNNNNNNNNNN ....` (run tag, sender,
    /// send time in ns since the generator started), padded to `--size` bytes.
    fn push_message(&self, shared: &Shared, sent_ns: u64) {
        let mut text = Vec::with_capacity(shared.size);
        text.extend_from_slice(b"bench ");
        text.extend_from_slice(&shared.run);
        text.extend_from_slice(format!(" {:05} {:020} ", self.id, sent_ns).as_bytes());
        text.resize(shared.size, b'.');
        self.push_frame(shared, 1, &text);
        shared.sent.set(shared.sent.get() + 1);
    }

    /// Writes what is pending, waiting for the socket when its buffer is full.
    async fn flush(&self) -> io::Result<()> {
        loop {
            {
                let mut out = self.pending.borrow_mut();
                if out.is_empty() {
                    return Ok(());
                }
                match self.stream.try_write(&out) {
                    Ok(n) => {
                        out.drain(..n);
                        continue;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            self.stream.writable().await?;
        }
    }
}

/// The opening handshake (RFC 6455 §4.1): returns the stream and any bytes read past the
/// response (frames the server sent right after it).
async fn handshake(target: &Target) -> io::Result<(TcpStream, Vec<u8>)> {
    let stream = TcpStream::connect(&target.addr).await?;
    stream.set_nodelay(true)?;
    let key = generate_key();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n",
        target.path, target.addr
    );
    let mut written = 0;
    while written < request.len() {
        stream.writable().await?;
        match stream.try_write(&request.as_bytes()[written..]) {
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    let mut response = Vec::with_capacity(512);
    let mut chunk = [0u8; 4096];
    let end = loop {
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return Err(io::Error::other("closed during handshake")),
            Ok(n) => response.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
        if let Some(i) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if response.len() > 16 * 1024 {
            return Err(io::Error::other("handshake response too long"));
        }
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let status = head.lines().next().unwrap_or_default();
    if !status.starts_with("HTTP/1.1 101") {
        return Err(io::Error::other(format!("status {}", status.trim())));
    }
    let accept = derive_accept_key(key.as_bytes());
    let accepted = head.lines().any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("sec-websocket-accept") && value.trim() == accept
        })
    });
    if !accepted {
        return Err(io::Error::other("wrong Sec-WebSocket-Accept"));
    }
    Ok((stream, response.split_off(end)))
}

thread_local! {
    /// The one read buffer every connection reads into (one thread, no read awaits inside).
    static READ_BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; 256 * 1024]);
}

const JOINED: &[u8] = b" [ New person joined ]\n";
const LEFT: &[u8] = b" [ A person left ]\n";

fn digits(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0, |n, b| n * 10 + u64::from(b.wrapping_sub(b'0')))
}

/// What one read's frames asked of the connection.
#[derive(Default)]
struct Batch {
    echoes: u64,
    close: Option<u16>,
}

/// Parses the complete server frames at the start of `data` (RFC 6455 §5.2; servers do not
/// mask), counting and timing them; returns how many bytes were consumed.
fn parse_frames(
    shared: &Shared,
    conn: &Conn,
    data: &[u8],
    now_ns: u64,
    batch: &mut Batch,
) -> usize {
    let mut at = 0;
    let mut histogram = None;
    while data.len() - at >= 2 {
        let (b0, b1) = (data[at], data[at + 1]);
        let (len, header) = match b1 & 0x7f {
            126 if data.len() - at >= 4 => (
                u64::from(u16::from_be_bytes([data[at + 2], data[at + 3]])),
                4,
            ),
            127 if data.len() - at >= 10 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(&data[at + 2..at + 10]);
                (u64::from_be_bytes(n), 10)
            }
            126 | 127 => break,
            n => (u64::from(n), 2),
        };
        let header = header + if b1 & 0x80 != 0 { 4 } else { 0 };
        if ((data.len() - at) as u64) < header as u64 + len {
            break;
        }
        let payload = &data[at + header..at + header + len as usize];
        at += header + len as usize;
        match b0 & 0x0f {
            0x1 => {
                if payload.len() >= 37 && payload.starts_with(b"bench ") {
                    if payload[6..10] != shared.run {
                        shared.other_text.set(shared.other_text.get() + 1);
                        continue;
                    }
                    shared.bench_received.set(shared.bench_received.get() + 1);
                    if shared.measuring.get() {
                        shared.deliveries.set(shared.deliveries.get() + 1);
                        let sent_ns = digits(&payload[17..37]);
                        let histogram =
                            histogram.get_or_insert_with(|| shared.histogram.borrow_mut());
                        histogram.record(now_ns.saturating_sub(sent_ns) / 1000);
                    }
                    if conn.sender && digits(&payload[11..16]) == conn.id as u64 {
                        batch.echoes += 1;
                    }
                } else if payload == JOINED {
                    shared.joined.set(shared.joined.get() + 1);
                } else if payload == LEFT {
                    shared.left.set(shared.left.get() + 1);
                } else {
                    shared.other_text.set(shared.other_text.get() + 1);
                }
            }
            0x8 => {
                let code = if payload.len() >= 2 {
                    u16::from_be_bytes([payload[0], payload[1]])
                } else {
                    1005
                };
                batch.close = Some(code);
                break;
            }
            0x9 => conn.push_frame(shared, 0xA, payload),
            _ => shared.other_text.set(shared.other_text.get() + 1),
        }
    }
    at
}

/// Reads one connection until the server closes it.
async fn read_loop(shared: &Shared, conn: &Conn, mut carry: Vec<u8>) -> String {
    loop {
        // Frames that arrived with the handshake response, or a partial frame, come first.
        let outcome = READ_BUFFER.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            let kept = carry.len();
            if kept > buffer.len() / 2 {
                return Err("a frame larger than 128 KiB".to_owned());
            }
            buffer[..kept].copy_from_slice(&carry);
            let read = match conn.stream.try_read(&mut buffer[kept..]) {
                Ok(0) => return Err("eof".to_owned()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && kept == 0 => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
                Err(e) => return Err(format!("error {:?}", e.kind())),
            };
            let now = Instant::now();
            if read > 0 {
                shared.last_byte.set(now);
            }
            let data = &buffer[..kept + read];
            let mut batch = Batch::default();
            let used = parse_frames(shared, conn, data, shared.now_ns(now), &mut batch);
            carry.clear();
            carry.extend_from_slice(&data[used..]);
            Ok(Some(batch))
        });
        match outcome {
            Ok(Some(batch)) => {
                if batch.echoes > 0 {
                    conn.echoes.set(conn.echoes.get() + batch.echoes);
                    conn.echoed.notify_one();
                }
                if let Some(code) = batch.close {
                    // Answer the close (§5.5.1) and stop reading: the server closes TCP.
                    conn.push_frame(shared, 0x8, &code.to_be_bytes());
                    let _ = conn.flush().await;
                    return format!("close {code}");
                }
                if !conn.pending.borrow().is_empty() && conn.flush().await.is_err() {
                    return "error on write".to_owned();
                }
                // Awaited after every read, even with more to read: readiness counts against
                // tokio's cooperative budget, so one busy socket cannot starve the others and
                // the timers.
                if conn.stream.ready(Interest::READABLE).await.is_err() {
                    return "error on poll".to_owned();
                }
            }
            Ok(None) => {
                if conn.stream.readable().await.is_err() {
                    return "error on poll".to_owned();
                }
            }
            Err(end) => return end,
        }
    }
}

/// One client: connects (within the handshake bound), then reads until the server closes.
async fn client(
    shared: Rc<Shared>,
    target: Rc<Target>,
    gate: Rc<Semaphore>,
    id: usize,
    sender: bool,
    timeout: Duration,
) {
    let permit = gate.acquire().await.expect("semaphore never closed");
    let outcome = tokio::time::timeout(timeout, handshake(&target)).await;
    drop(permit);
    shared.attempts_done.set(shared.attempts_done.get() + 1);
    let (stream, carry) = match outcome {
        Ok(Ok(connected)) => connected,
        Ok(Err(e)) => {
            let key = match e.raw_os_error() {
                Some(libc::EMFILE) | Some(libc::ENFILE) => {
                    "generator out of descriptors".to_owned()
                }
                _ if e.kind() == io::ErrorKind::Other => e.to_string(),
                _ => format!("{:?}", e.kind()),
            };
            Shared::count(&shared.failures, key);
            return;
        }
        Err(_) => {
            Shared::count(&shared.failures, "handshake timeout".to_owned());
            return;
        }
    };
    shared.connected.set(shared.connected.get() + 1);
    shared.open.set(shared.open.get() + 1);
    shared.last_byte.set(Instant::now());
    let conn = Rc::new(Conn {
        id,
        sender,
        stream,
        pending: RefCell::new(Vec::new()),
        echoes: Cell::new(0),
        echoed: Notify::new(),
    });
    if sender {
        shared.senders.borrow_mut().push(conn.clone());
    }
    let end = read_loop(&shared, &conn, carry).await;
    shared.open.set(shared.open.get() - 1);
    Shared::count(&shared.ends, end);
}

/// A process's CPU time (user + system) in seconds, from /proc/PID/stat (`proc(5)`).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Some(ticks as f64 / per_second as f64)
}

/// A process's resident memory in KiB (`VmRSS` of /proc/PID/status).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Whether the process has exited (gone, or a zombie not yet reaped by its parent).
fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 2..].chars().next())
            .is_none_or(|state| state == 'Z' || state == 'X'),
        Err(_) => true,
    }
}

fn fmt_map(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".to_owned();
    }
    map.iter()
        .map(|(k, v)| format!("{}:{v}", k.replace(' ', "_")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Connects `n` clients, the first `senders` of them senders; returns when every attempt has
/// finished (connected or failed), or at `--connect-timeout`.
async fn connect_all(
    shared: &Rc<Shared>,
    target: &Rc<Target>,
    args: &Args,
    n: usize,
    senders: usize,
) {
    let gate = Rc::new(Semaphore::new(args.concurrency.max(1)));
    let timeout = Duration::from_secs_f64(args.handshake_timeout);
    let first = shared.attempts_done.get();
    for id in 0..n {
        tokio::task::spawn_local(client(
            shared.clone(),
            target.clone(),
            gate.clone(),
            id,
            id < senders,
            timeout,
        ));
    }
    let deadline = Instant::now() + Duration::from_secs_f64(args.connect_timeout);
    while shared.attempts_done.get() - first < n as u64 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    shared.all_connected_at.set(Some(Instant::now()));
}

/// Waits until nothing has arrived for `--quiet-ms` (or `--drain-timeout` passed); returns
/// whether it drained and the time of the last byte.
async fn drain(shared: &Shared, args: &Args) -> (bool, Instant) {
    let quiet = Duration::from_millis(args.quiet_ms);
    let deadline = Instant::now() + Duration::from_secs_f64(args.drain_timeout);
    loop {
        let last = shared.last_byte.get();
        if last.elapsed() >= quiet {
            return (true, last);
        }
        if Instant::now() >= deadline {
            return (false, last);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Closed loop: sends `window` messages, then one more per own message that comes back.
async fn closed_sender(shared: Rc<Shared>, conn: Rc<Conn>, window: usize) {
    for _ in 0..window {
        conn.push_message(&shared, shared.now_ns(Instant::now()));
    }
    loop {
        if conn.flush().await.is_err() {
            return;
        }
        conn.echoed.notified().await;
        if shared.stop.get() {
            return;
        }
        let now = shared.now_ns(Instant::now());
        for _ in 0..conn.echoes.take() {
            conn.push_message(&shared, now);
        }
    }
}

/// Open loop: one message every `period`, from `start`, stamped with the time it was due.
async fn open_sender(
    shared: Rc<Shared>,
    conn: Rc<Conn>,
    start: tokio::time::Instant,
    period: Duration,
) {
    let mut due = start;
    while !shared.stop.get() {
        tokio::time::sleep_until(due).await;
        conn.push_message(&shared, shared.now_ns(due.into_std()));
        if conn.flush().await.is_err() {
            return;
        }
        due += period;
    }
}

struct Window {
    at: Instant,
    server_cpu: Option<f64>,
    own_cpu: Option<f64>,
    deliveries: u64,
    sent: u64,
}

fn snapshot(shared: &Shared, pid: Option<u32>) -> Window {
    Window {
        at: Instant::now(),
        server_cpu: pid.and_then(|p| cpu_seconds(&p.to_string())),
        own_cpu: cpu_seconds("self"),
        deliveries: shared.deliveries.get(),
        sent: shared.sent.get(),
    }
}

fn opt(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "-".to_owned(),
    }
}

async fn run(args: Args) -> Result<(), String> {
    let target = Rc::new(parse_url(&args.url)?);
    if args.size < 40 {
        return Err(format!("--size {}: at least 40 bytes", args.size));
    }
    if args.mode == Mode::Storm && args.pid.is_none() {
        return Err("--mode storm needs --pid (it sends SIGTERM to the server)".to_owned());
    }
    let origin = Instant::now();
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seed = (clock.as_nanos() as u64 ^ u64::from(std::process::id()) << 32) | 1;
    let run_tag = args
        .run
        .clone()
        .unwrap_or_else(|| format!("{:04}", seed % 10_000));
    if run_tag.len() != 4 || !run_tag.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("--run {run_tag}: four digits"));
    }
    let shared = Rc::new(Shared {
        origin,
        run: run_tag.as_bytes().try_into().expect("four digits"),
        size: args.size,
        measuring: Cell::new(false),
        stop: Cell::new(false),
        deliveries: Cell::new(0),
        bench_received: Cell::new(0),
        sent: Cell::new(0),
        joined: Cell::new(0),
        left: Cell::new(0),
        other_text: Cell::new(0),
        last_byte: Cell::new(origin),
        histogram: RefCell::new(Histogram::new()),
        connected: Cell::new(0),
        open: Cell::new(0),
        all_connected_at: Cell::new(None),
        attempts_done: Cell::new(0),
        failures: RefCell::new(BTreeMap::new()),
        ends: RefCell::new(BTreeMap::new()),
        senders: RefCell::new(Vec::new()),
        rng: Cell::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
    });
    let n = args.connections;
    let label = &args.label;
    let mode = format!("{:?}", args.mode).to_lowercase();
    match args.mode {
        Mode::Closed | Mode::Open => {
            let senders = args.senders.min(n);
            connect_all(&shared, &target, &args, n, senders).await;
            let failed: u64 = n as u64 - shared.connected.get();
            if failed > 0 {
                return Err(format!(
                    "{failed} of {n} clients failed to connect: {}",
                    fmt_map(&shared.failures.borrow())
                ));
            }
            // Wait until every sender has registered, then for the notices to settle.
            while shared.senders.borrow().len() < senders {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let (drained, _) = drain(&shared, &args).await;
            let conns: Vec<Rc<Conn>> = shared.senders.borrow().clone();
            if args.mode == Mode::Closed {
                for conn in conns {
                    tokio::task::spawn_local(closed_sender(shared.clone(), conn, args.window));
                }
            } else {
                let period = Duration::from_secs_f64(senders as f64 / args.rate);
                let start = tokio::time::Instant::now();
                for (i, conn) in conns.into_iter().enumerate() {
                    let phase = Duration::from_secs_f64(i as f64 / args.rate);
                    tokio::task::spawn_local(open_sender(
                        shared.clone(),
                        conn,
                        start + phase,
                        period,
                    ));
                }
            }
            tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
            shared.measuring.set(true);
            let before = snapshot(&shared, args.pid);
            tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
            let after = snapshot(&shared, args.pid);
            shared.measuring.set(false);
            shared.stop.set(true);
            for conn in shared.senders.borrow().iter() {
                conn.echoed.notify_one();
            }
            let seconds = after.at.duration_since(before.at).as_secs_f64();
            let deliveries = after.deliveries - before.deliveries;
            let server_cpu = before.server_cpu.zip(after.server_cpu).map(|(b, a)| a - b);
            let own_cpu = before.own_cpu.zip(after.own_cpu).map(|(b, a)| a - b);
            let us_per_delivery = server_cpu.map(|c| c * 1e6 / deliveries.max(1) as f64);
            let histogram = shared.histogram.borrow();
            let (p50, p99, max) = (
                histogram.quantile_ms(0.50),
                histogram.quantile_ms(0.99),
                histogram.max as f64 / 1000.0,
            );
            let dps = deliveries as f64 / seconds;
            let sent_ps = (after.sent - before.sent) as f64 / seconds;
            let closed = fmt_map(&shared.ends.borrow());
            let load = if args.mode == Mode::Closed {
                format!("senders={senders} window={}", args.window)
            } else {
                format!("senders={senders} rate={}", args.rate)
            };
            println!(
                "RESULT mode={mode} server={label} conns={n} {load} size={} seconds={seconds:.1} \
                 sent_per_s={sent_ps:.0} deliveries={deliveries} deliveries_per_s={dps:.0} \
                 p50_ms={p50:.2} p99_ms={p99:.2} max_ms={max:.2} server_cpu_pct={} \
                 server_cpu_us_per_delivery={} generator_cpu_pct={} settled_before={drained} \
                 closed={closed}",
                args.size,
                opt(server_cpu.map(|c| c * 100.0 / seconds), 0),
                opt(us_per_delivery, 3),
                opt(own_cpu.map(|c| c * 100.0 / seconds), 0),
            );
            if args.markdown {
                println!(
                    "| {label} | {mode} | {n} | {dps:.0} | {p50:.2} | {p99:.2} | {max:.2} | {} | {} |",
                    opt(us_per_delivery, 3),
                    opt(own_cpu.map(|c| c * 100.0 / seconds), 0)
                );
            }
        }
        Mode::Idle => {
            let pid = args
                .pid
                .ok_or("--mode idle needs --pid (it reads the server's memory)")?;
            // One connection opened and closed first, so lazily built state is in "before".
            let (stream, _) = handshake(&target)
                .await
                .map_err(|e| format!("warm-up connection: {e}"))?;
            let warm = Conn {
                id: usize::MAX,
                sender: false,
                stream,
                pending: RefCell::new(Vec::new()),
                echoes: Cell::new(0),
                echoed: Notify::new(),
            };
            warm.push_frame(&shared, 0x8, &1000u16.to_be_bytes());
            let _ = warm.flush().await;
            let _ = tokio::time::timeout(
                Duration::from_secs(2),
                read_loop(&shared, &warm, Vec::new()),
            )
            .await;
            drop(warm);
            tokio::time::sleep(Duration::from_millis(500)).await;
            let before = rss_kib(pid).ok_or("cannot read the server's memory")?;
            let start = Instant::now();
            connect_all(&shared, &target, &args, n, 0).await;
            let connect_s = start.elapsed().as_secs_f64();
            let (drained, last) = drain(&shared, &args).await;
            let after = rss_kib(pid).ok_or("cannot read the server's memory")?;
            let connected = shared.connected.get();
            let pending = n as u64 - shared.attempts_done.get();
            let per = (after.saturating_sub(before)) as f64 / connected.max(1) as f64;
            println!(
                "RESULT mode={mode} server={label} conns={n} connected={connected} pending={pending} connect_s={connect_s:.2} \
                 drained={drained} drain_s={:.2} notices={} rss_before_kib={before} rss_after_kib={after} \
                 kib_per_conn={per:.2} failed={} closed={}",
                last.saturating_duration_since(start).as_secs_f64(),
                shared.joined.get() + shared.left.get(),
                fmt_map(&shared.failures.borrow()),
                fmt_map(&shared.ends.borrow()),
            );
            if args.markdown {
                println!(
                    "| {label} | {n} | {connected} | {before} | {after} | {per:.2} | {drained} |"
                );
            }
        }
        Mode::Storm => {
            let pid = args.pid.expect("checked above");
            let start = Instant::now();
            let own_before = cpu_seconds("self");
            let server_before = cpu_seconds(&pid.to_string());
            connect_all(&shared, &target, &args, n, 0).await;
            let connect_s = start.elapsed().as_secs_f64();
            let (drained, last) = drain(&shared, &args).await;
            let drain_s = last.saturating_duration_since(start).as_secs_f64();
            let rss = rss_kib(pid);
            let server_cpu = server_before
                .zip(cpu_seconds(&pid.to_string()))
                .map(|(b, a)| a - b);
            let own_cpu = own_before.zip(cpu_seconds("self")).map(|(b, a)| a - b);
            let connected = shared.connected.get();
            let pending = n as u64 - shared.attempts_done.get();
            let open_before_term = shared.open.get();
            let closed_before_term = fmt_map(&shared.ends.borrow());
            let notices = shared.joined.get() + shared.left.get() + shared.other_text.get();
            // SIGTERM, then wait for the process to exit and the clients to see their closes.
            // SAFETY: kill has no memory preconditions; pid is the server the caller named.
            let term_at = Instant::now();
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
            let exit_deadline = term_at + Duration::from_secs_f64(args.exit_timeout);
            while !exited(pid) && Instant::now() < exit_deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let exit_s = exited(pid).then(|| term_at.elapsed().as_secs_f64());
            let wait_closes = Instant::now() + Duration::from_secs(5);
            while shared.open.get() > 0 && Instant::now() < wait_closes {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let ends = shared.ends.borrow();
            let got_1001 = ends.get("close 1001").copied().unwrap_or(0);
            println!(
                "RESULT mode={mode} server={label} attempts={n} connected={connected} pending={pending} connect_s={connect_s:.2} \
                 drained={drained} drain_s={drain_s:.2} deliveries={notices} server_cpu_s={} generator_cpu_s={} \
                 rss_kib={} open_before_term={open_before_term} failed={} closed_before_term={closed_before_term} \
                 exit_after_term_s={} got_1001={got_1001} ends={} still_open={}",
                opt(server_cpu, 1),
                opt(own_cpu, 1),
                rss.map_or("-".to_owned(), |r| r.to_string()),
                fmt_map(&shared.failures.borrow()),
                opt(exit_s, 2),
                fmt_map(&ends),
                shared.open.get(),
            );
            if args.markdown {
                println!(
                    "| {label} | {n} | {connected} | {connect_s:.1} | {drain_s:.1} | {} | {} | {got_1001} |",
                    rss.map_or("-".to_owned(), |r| r.to_string()),
                    opt(exit_s, 2)
                );
            }
        }
    }
    Ok(())
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let local = tokio::task::LocalSet::new();
    if let Err(message) = local.block_on(&runtime, run(args)) {
        eprintln!("ws_load: {message}");
        std::process::exit(2);
    }
    // Do not wait for thousands of tasks to be dropped one by one.
    std::process::exit(0);
}
