#!/usr/bin/env bash
# Wall time of `tspawn new app` and of `tspawn websocket chat` in a fresh app: median of RUNS (10)
# runs each, release build of tspawn from this tree, in a temporary directory. Uses hyperfine
# when installed (`apt-get install hyperfine`; it also subtracts the shell's start-up), else a
# loop timing each run with `date +%s%N`.
#
#   bench/generate.sh
#   RUNS=20 bench/generate.sh
#   TSPAWN=/path/to/tspawn bench/generate.sh     # that binary, nothing built
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
if [ -n "${TSPAWN:-}" ]; then
  tspawn=$(realpath "$TSPAWN")
else
  cargo build --release --quiet --bin tspawn
  tspawn=$CARGO_TARGET_DIR/release/tspawn
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$tspawn" -q new base # the app `websocket chat` runs in, copied fresh before each run

median_ms() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'; }

# $1 label, $2 preparation, $3 command (both run by bash in $work)
measure() {
  local median
  if command -v hyperfine >/dev/null; then
    hyperfine --runs "$RUNS" --warmup 1 --style none --prepare "$2" --export-json "$work/h.json" "$3" >/dev/null
    median=$(grep -o '"median": *[0-9.e+-]*' "$work/h.json" | head -1 | sed 's/.*: *//' |
      awk '{ printf "%.1f", $1 * 1000 }')
    # CPU time (user + system, mean): what the run cost, even when other work delays it.
    cpu=$(grep -oE '"(user|system)": *[0-9.e+-]*' "$work/h.json" | sed 's/.*: *//' |
      awk '{ s += $1 } END { printf "%.1f", s * 1000 }')
    echo "| \`$1\` | $median ms | $cpu ms | hyperfine, $RUNS runs |"
  else
    bash -c "$2"
    bash -c "$3" >/dev/null # warm-up
    median=$(for _ in $(seq "$RUNS"); do
      bash -c "$2"
      start=$(date +%s%N)
      bash -c "$3" >/dev/null
      echo $(($(date +%s%N) - start))
    done | median_ms)
    echo "| \`$1\` | $median ms | - | loop, $RUNS runs (includes starting bash) |"
  fi
}

echo "| command | median wall time | CPU time (mean) | how |"
echo "|---|---|---|---|"
measure "tspawn new app" "rm -rf app" "$tspawn -q new app"
measure "tspawn websocket chat" "rm -rf chat && cp -a base chat" "cd chat && $tspawn -q websocket chat"
