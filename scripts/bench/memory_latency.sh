#!/bin/bash
# Memory latency by working-set size on this host right now (see memory_latency.c). Usage:
# scripts/bench/memory_latency.sh [MiB …]   (default 1 8 64)
set -e
cd "$(dirname "$0")"
out="${TMPDIR:-/tmp}/embedkit-memory-latency"
cc -O2 memory_latency.c -o "$out"
"$out" "$@"
