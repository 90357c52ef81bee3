#!/usr/bin/env bash
# The chat app alone, quickly: bench/fanout.sh with SERVERS=ours REPS=1 MODES="closed open"
# (any of its variables can still be set). The full comparison with Node is bench/fanout.sh;
# BENCHMARKS.md explains the figures.
#
#   bench/chat.sh
#   MODES=idle IDLE_CONNECTIONS=5000 bench/chat.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export SERVERS=${SERVERS:-ours} REPS=${REPS:-1} MODES=${MODES:-closed open}
exec bench/fanout.sh
