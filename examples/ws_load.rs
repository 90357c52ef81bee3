//! A WebSocket load generator for the generated chat app (see BENCHMARKS.md).
//!
//! Connects `--connections` clients to a chat endpoint, measures the server's resident memory
//! per idle connection (with `--pid`), then lets `--senders` of them send `--messages` each in a
//! closed loop (a sender sends its next message once its previous one came back) and reports
//! deliveries per second and the latency percentiles of every delivery.
//!
//!     cargo run --release --example ws_load -- --url ws://127.0.0.1:8800/chat --pid $PID

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
struct Args {
    /// The endpoint, e.g. ws://127.0.0.1:8800/chat
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages per sender
    #[arg(long, default_value_t = 200)]
    messages: usize,
    /// The server's process id, to read its resident memory from /proc
    #[arg(long)]
    pid: Option<u32>,
}

/// Resident set size of a process in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let origin = Instant::now();
    let deliveries = Arc::new(AtomicU64::new(0));
    let rss_before = args.pid.and_then(rss_kib);

    // Connect everyone, 50 handshakes at a time.
    let mut sinks = Vec::with_capacity(args.connections);
    let mut readers = Vec::with_capacity(args.connections);
    let mut echo_rx = Vec::new();
    let connect_start = Instant::now();
    for chunk_start in (0..args.connections).step_by(50) {
        let chunk = chunk_start..(chunk_start + 50).min(args.connections);
        let sockets = futures_util::future::join_all(
            chunk.map(|_| tokio_tungstenite::connect_async(args.url.clone())),
        )
        .await;
        for socket in sockets {
            let (socket, _) = socket.expect("handshake");
            let (sink, mut stream) = socket.split();
            let id = sinks.len();
            sinks.push(sink);
            let (echo_tx, rx) = mpsc::unbounded_channel::<()>();
            if id < args.senders {
                echo_rx.push(rx);
            }
            let deliveries = deliveries.clone();
            readers.push(tokio::spawn(async move {
                let mut latencies_us = Vec::new();
                while let Some(Ok(message)) = stream.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let Some(rest) = text.strip_prefix("bench ") else {
                        continue;
                    };
                    let mut parts = rest.split(' ');
                    let sender: usize = parts.next().unwrap().parse().unwrap();
                    let sent_ns: u64 = parts.next().unwrap().parse().unwrap();
                    let now_ns = origin.elapsed().as_nanos() as u64;
                    latencies_us.push((now_ns - sent_ns) / 1000);
                    deliveries.fetch_add(1, Ordering::Relaxed);
                    if sender == id {
                        let _ = echo_tx.send(());
                    }
                }
                latencies_us
            }));
        }
    }
    let connect_time = connect_start.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await; // let join notices and history drain
    let rss_after = args.pid.and_then(rss_kib);

    // Closed loop: each sender sends, waits for its own message to come back, sends again.
    let start = Instant::now();
    let mut sender_tasks = Vec::new();
    for (id, (mut sink, mut echoes)) in sinks.drain(..args.senders).zip(echo_rx).enumerate() {
        let messages = args.messages;
        sender_tasks.push(tokio::spawn(async move {
            for _ in 0..messages {
                let sent_ns = origin.elapsed().as_nanos() as u64;
                sink.send(Message::text(format!("bench {id} {sent_ns}")))
                    .await
                    .unwrap();
                echoes.recv().await.expect("echo");
            }
            sink
        }));
    }
    let mut closing = Vec::new();
    for task in sender_tasks {
        closing.push(task.await.unwrap());
    }
    let expected = (args.senders * args.messages * args.connections) as u64;
    let wait_until = Instant::now() + Duration::from_secs(30);
    while deliveries.load(Ordering::Relaxed) < expected && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = start.elapsed();
    let delivered = deliveries.load(Ordering::Relaxed);

    for mut sink in closing.into_iter().chain(sinks) {
        let _ = sink.close().await;
    }
    let mut latencies = Vec::new();
    for reader in readers {
        if let Ok(Ok(samples)) = tokio::time::timeout(Duration::from_secs(10), reader).await {
            latencies.extend(samples);
        }
    }
    latencies.sort_unstable();

    println!("connections            {}", args.connections);
    println!("connect time           {:.2} s", connect_time.as_secs_f64());
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        let per = (after.saturating_sub(before)) as f64 / args.connections as f64;
        println!("server RSS             {before} KiB idle -> {after} KiB with all connected");
        println!("memory per connection  {per:.1} KiB");
    }
    println!(
        "messages sent          {} ({} senders x {})",
        args.senders * args.messages,
        args.senders,
        args.messages
    );
    println!("deliveries             {delivered} of {expected}");
    println!("elapsed                {:.2} s", elapsed.as_secs_f64());
    println!(
        "deliveries/s           {:.0}",
        delivered as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency ms             p50 {:.2}  p99 {:.2}  max {:.2}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
}
