#!/usr/bin/env bash
# The chat app `tspawn new benchapp && tspawn websocket chat` makes, side by side with a Node `ws`
# chat server of the same behaviour (bench/node/server.js), under one load generator
# (examples/ws_load.rs). See BENCHMARKS.md for what each figure means.
#
# Builds tspawn (release) from this tree, generates the app in a temporary directory (release,
# `product` environment, the vendored runtime: what users get), then for each repetition and
# mode starts a fresh server pinned to CPU 0 and the generator pinned to CPU 1, ours and Node
# alternating (odd repetitions ours first, even ones Node first). Prints one RESULT line per run
# and, at the end, a markdown table per mode with the means and the ratio ours/Node.
#
#   bench/fanout.sh                                  # everything, REPS=2 (~40 min on the old code)
#   MODES="closed open" REPS=1 bench/fanout.sh       # the fast part
#   SERVERS=ours MODES=closed DURATION=5 bench/fanout.sh
#
# Variables (defaults): REPS (2), MODES ("closed open idle storm overlimit"), SERVERS ("ours
# node"), CONNECTIONS (1000), SENDERS (10), WINDOW (4), SIZE (64), WARMUP (2), DURATION (10),
# OPEN_RATE (50), OPEN_DURATION (20), IDLE_CONNECTIONS (10000), STORM_CONNECTIONS (19000),
# OVERLIMIT_CONNECTIONS (20500; run in the first repetition only), CONCURRENCY (200),
# DRAIN_TIMEOUT (60 s), CONNECT_TIMEOUT (120 s for all of idle's or storm's clients), REV (a commit whose tspawn to measure instead of this tree's), SERVER_CPU (0), GENERATOR_CPU (1), RESULTS (a file to append the
# RESULT lines to), CARGO_TARGET_DIR (target), TSPAWN_APPS_TARGET_DIR (target/apps).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

REPS=${REPS:-2}
MODES=${MODES:-closed open idle storm overlimit}
SERVERS=${SERVERS:-ours node}
CONNECTIONS=${CONNECTIONS:-1000}
SENDERS=${SENDERS:-10}
WINDOW=${WINDOW:-4}
SIZE=${SIZE:-64}
WARMUP=${WARMUP:-2}
DURATION=${DURATION:-10}
OPEN_RATE=${OPEN_RATE:-50}
OPEN_DURATION=${OPEN_DURATION:-20}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
STORM_CONNECTIONS=${STORM_CONNECTIONS:-19000}
OVERLIMIT_CONNECTIONS=${OVERLIMIT_CONNECTIONS:-20500}
CONCURRENCY=${CONCURRENCY:-200}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-60}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-120}
SERVER_CPU=${SERVER_CPU:-0}
GENERATOR_CPU=${GENERATOR_CPU:-1}
PORT=${PORT:-18900}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
APPS_TARGET=${TSPAWN_APPS_TARGET_DIR:-$root/target/apps}

fail() { echo "bench/fanout.sh: $*" >&2; exit 1; }
for mode in $MODES; do
  case $mode in closed | open | idle | storm | overlimit) ;; *) fail "MODES: unknown mode $mode (closed open idle storm overlimit)" ;; esac
done
for server in $SERVERS; do
  case $server in ours | node) ;; *) fail "SERVERS: unknown server $server (ours node)" ;; esac
done
[ "$(nproc)" -ge 2 ] || fail "needs two cores (server on CPU $SERVER_CPU, generator on CPU $GENERATOR_CPU)"
command -v taskset >/dev/null || fail "needs taskset (util-linux)"

hard=$(ulimit -Hn)
ulimit -n "$hard" # each process holds one descriptor per connection

work=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

generator=$CARGO_TARGET_DIR/release/examples/ws_load
tspawn=$CARGO_TARGET_DIR/release/tspawn
if [ -n "${REV:-}" ]; then
  # Another commit's tspawn (say, the one before a change), measured with this tree's tools.
  echo "== building the load generator, and tspawn at $REV (release)" >&2
  cargo build --release --quiet --example ws_load
  mkdir "$work/src"
  git archive "$REV" | tar -x -C "$work/src"
  (cd "$work/src" && cargo build --release --quiet --bin tspawn)
else
  echo "== building tspawn and the load generator (release)" >&2
  cargo build --release --quiet --bin tspawn --example ws_load
fi

echo "== generating the chat app in $work (release build)" >&2
(cd "$work" && "$tspawn" -q new benchapp)
(cd "$work/benchapp" && "$tspawn" -q websocket chat)
(cd "$work/benchapp" && CARGO_TARGET_DIR=$APPS_TARGET cargo build --release --quiet)
app=$APPS_TARGET/release/benchapp
secret=$(head -c 48 /dev/urandom | base64 -w0)$(head -c 48 /dev/urandom | base64 -w0)

if [[ " $SERVERS " == *" node "* ]]; then
  command -v node >/dev/null || fail "needs node and npm for the Node server (or SERVERS=ours)"
  if [ ! -d bench/node/node_modules/ws ] || [ bench/node/package-lock.json -nt bench/node/node_modules/.package-lock.json ]; then
    (cd bench/node && npm ci --no-audit --no-fund --silent)
  fi
fi

# Whether process $1 runs (an exited one not yet reaped is a zombie: it does not).
running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

# Starts a fresh server ($1: ours or node) pinned to SERVER_CPU; sets SERVER_PID.
start_server() {
  if [ "$1" = ours ]; then
    (cd "$work/benchapp" && TSPAWN_SECRET_KEY=$secret TSPAWN_LISTEN=127.0.0.1 TSPAWN_LOG=warn \
      exec taskset -c "$SERVER_CPU" "$app" -e product -p "$PORT" >>"$work/ours.log" 2>&1) &
  else
    (cd bench/node && PORT=$PORT exec taskset -c "$SERVER_CPU" node server.js >>"$work/node.log" 2>&1) &
  fi
  SERVER_PID=$!
  for _ in $(seq 200); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && return 0
    running "$SERVER_PID" || fail "the $1 server exited at start (see its log in $work)"
    sleep 0.05
  done
  fail "the $1 server did not answer on port $PORT"
}

# Stops the server if it still runs (SIGTERM, then SIGKILL after 10 s) and reaps it.
stop_server() {
  if running "$SERVER_PID"; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 200); do
      running "$SERVER_PID" || break
      sleep 0.05
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

results=${RESULTS:-$work/results}
touch "$results"
run() { # $1 rep, $2 mode, $3 server
  local rep=$1 mode=$2 server=$3 args
  case $mode in
    closed) args=(--mode closed --connections "$CONNECTIONS" --senders "$SENDERS" --window "$WINDOW"
      --size "$SIZE" --warmup "$WARMUP" --duration "$DURATION") ;;
    open) args=(--mode open --connections "$CONNECTIONS" --senders "$SENDERS" --rate "$OPEN_RATE"
      --size "$SIZE" --warmup "$WARMUP" --duration "$OPEN_DURATION") ;;
    idle) args=(--mode idle --connections "$IDLE_CONNECTIONS" --drain-timeout "$DRAIN_TIMEOUT") ;;
    storm) args=(--mode storm --connections "$STORM_CONNECTIONS" --drain-timeout "$DRAIN_TIMEOUT") ;;
    overlimit) args=(--mode storm --connections "$OVERLIMIT_CONNECTIONS" --drain-timeout "$DRAIN_TIMEOUT"
      --handshake-timeout 10) ;;
  esac
  start_server "$server"
  local line
  # The generator may hold more descriptors than the server (root can raise its own hard
  # limit): past the server's limit, it is the server that must refuse.
  line=$(
    if [ "$mode" = overlimit ]; then
      ulimit -Hn $((OVERLIMIT_CONNECTIONS + 1000)) 2>/dev/null || true
    fi
    ulimit -n "$(ulimit -Hn)"
    taskset -c "$GENERATOR_CPU" "$generator" --url "ws://127.0.0.1:$PORT/chat" --pid "$SERVER_PID" \
      --label "$server" --concurrency "$CONCURRENCY" --connect-timeout "$CONNECT_TIMEOUT" "${args[@]}"
  ) || line="RESULT mode=$mode server=$server error=generator_failed"
  stop_server
  line="${line/RESULT mode=storm/RESULT mode=$mode}"
  echo "$line rep=$rep" | tee -a "$results"
}

echo "== $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{printf "%.0f", $2/1048576}') GiB," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); descriptors: $hard per process" >&2
for rep in $(seq "$REPS"); do
  order=$SERVERS
  if [ $((rep % 2)) -eq 0 ]; then order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  for mode in $MODES; do
    [ "$mode" = overlimit ] && [ "$rep" -gt 1 ] && continue
    for server in $order; do run "$rep" "$mode" "$server"; done
  done
done

echo
bench/tables.sh "$results"
