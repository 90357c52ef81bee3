#!/usr/bin/env bash
# Benchmarks the chat app that `tspawn new benchapp && tspawn websocket chat` makes, with the
# load generator in examples/ws_load.rs: memory per idle connection, deliveries per second and
# latency percentiles at CONNECTIONS clients. Release builds; results go to stdout.
#
#   bench/chat.sh                 # 1,000 connections, 10 senders x 200 messages
#   CONNECTIONS=100 bench/chat.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-1000}
SENDERS=${SENDERS:-10}
MESSAGES=${MESSAGES:-200}
PORT=${PORT:-18900}
export CARGO_TARGET_DIR=${TSPAWN_APPS_TARGET_DIR:-$PWD/target/apps}

ulimit -n "$(ulimit -Hn)" # each process holds one descriptor per connection
cargo build --release --quiet --bin tspawn --example ws_load
work=$(mktemp -d)
trap 'kill $APP 2>/dev/null || true; rm -rf "$work"' EXIT

tspawn="$CARGO_TARGET_DIR/release/tspawn"
(cd "$work" && "$tspawn" -q new benchapp)
(cd "$work/benchapp" && "$tspawn" -q websocket chat)
(cd "$work/benchapp" && cargo build --release --quiet)

# The product environment: info-level logs, a secret key from the environment.
(cd "$work/benchapp" && TSPAWN_SECRET_KEY=$(head -c 48 /dev/urandom | base64 -w0)$(head -c 48 /dev/urandom | base64 -w0) \
  TSPAWN_LISTEN=127.0.0.1 TSPAWN_LOG=warn \
  "$CARGO_TARGET_DIR/release/benchapp" -e product -p "$PORT" >"$work/app.log" 2>&1) &
APP=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break
  sleep 0.1
done
APP=$(pgrep -f "release/benchapp -e product -p $PORT" | head -1)

echo "== $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1024/1024)}') GiB; $CONNECTIONS connections"
"$CARGO_TARGET_DIR/release/examples/ws_load" --url "ws://127.0.0.1:$PORT/chat" \
  --connections "$CONNECTIONS" --senders "$SENDERS" --messages "$MESSAGES" --pid "$APP"
