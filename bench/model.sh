#!/usr/bin/env bash
# Wall time of `tspawn model` on a 20-column table of an SQLite app, and of the app's
# incremental build after it (BENCHMARKS.md, "Generating a model").
#   bench/model.sh            # 10 runs of each, medians
#   RUNS=20 bench/model.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
cargo build -q --release --bin tspawn
tspawn=$CARGO_TARGET_DIR/release/tspawn
apps=$work/target

# Milliseconds a command takes.
ms() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

cd "$work"
"$tspawn" -q new benchapp
cd benchapp
columns="id INTEGER PRIMARY KEY AUTOINCREMENT"
for i in $(seq 1 4); do
  columns+=", title_$i VARCHAR(80) NOT NULL, count_$i BIGINT, price_$i DECIMAL(12,2) NOT NULL, seen_$i DATETIME, note_$i TEXT"
done
# 1 + 4 x 5 = 21 columns: the key and 20 others.
sqlite3 db/dev.sqlite3 "CREATE TABLE wide ($columns)"
CARGO_TARGET_DIR=$apps cargo build -q --locked --tests

model=()
for _ in $(seq "$runs"); do
  model+=("$(ms "$tspawn" -q --force model wide)")
  rm -f src/models/sqlobjects/wide.rs  # so every run writes the generated file again
done
# One more so the tree has the model, then incremental builds after touching it.
"$tspawn" -q model wide
CARGO_TARGET_DIR=$apps cargo build -q --locked --tests
build=()
for _ in $(seq "$runs"); do
  touch src/models/sqlobjects/wide.rs
  build+=("$(ms env CARGO_TARGET_DIR="$apps" cargo build -q --locked --tests)")
done
echo "tspawn model wide (21 columns), median of $runs: $(printf '%s\n' "${model[@]}" | median) ms"
echo "cargo build --tests after it (incremental), median of $runs: $(printf '%s\n' "${build[@]}" | median) ms"
