#!/usr/bin/env bash
# Bounded loopback load test of `embedkit serve` (issue 7): 16 clients × 60 s, 1–64 inputs per request, against
# in-process embedding throughput on the same texts (the cookbook's review texts).
#
#   scripts/bench/server-load.sh [SECONDS] [CLIENTS]      # writes bench-out/server-load.json
#
# Release build; the server runs as its own process on 127.0.0.1 and is stopped with SIGTERM (graceful drain).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
seconds=${1:-60}
clients=${2:-16}
port=${EMBEDKIT_BENCH_PORT:-18080}
shared=${EMBEDKIT_SHARED:-}
csv=""
for candidate in "$shared/data/fine_food_reviews_1k.csv" "$here/../shared/data/fine_food_reviews_1k.csv" /work/shared/data/fine_food_reviews_1k.csv; do
  [[ -f "$candidate" ]] && { csv=$candidate; break; }
done
[[ -n "$csv" ]] || { echo "fine_food_reviews_1k.csv not found: set EMBEDKIT_SHARED" >&2; exit 1; }
mkdir -p bench-out
python3 - "$csv" bench-out/server-load-texts.jsonl <<'PY'
import csv, json, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w") as out:
    for row in csv.DictReader(f):
        if row["Summary"] and row["Text"]:
            out.write(json.dumps("Title: " + row["Summary"].strip() + "; Content: " + row["Text"].strip()) + "\n")
PY
swift build -c release --product embedkit >&2
bin=.build/release/embedkit
"$bin" serve --host 127.0.0.1 --port "$port" --log-level warning &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.5
done
"$bin" serve-bench --url "http://127.0.0.1:$port/v1" --texts bench-out/server-load-texts.jsonl \
  --clients "$clients" --seconds "$seconds" --json | tee bench-out/server-load.json
kill -TERM "$server"
wait "$server" || true
trap - EXIT
