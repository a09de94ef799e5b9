#!/usr/bin/env bash
# Figures for docs/PERFORMANCE.md: dataset-job overhead vs embedding alone, and dry-run scale.
#
# Usage: scripts/benchmarks/dataset.sh [REPEATS]   (needs .build/release/embedkit; EMBEDKIT_BIN overrides)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${EMBEDKIT_BIN:-.build/release/embedkit}
REPEATS=${1:-3}
DATA=""
for candidate in "${EMBEDKIT_SHARED:-/nonexistent}/data" ../shared/data /work/shared/data; do
  if [[ -f "$candidate/fine_food_reviews_1k.csv" ]]; then DATA="$candidate/fine_food_reviews_1k.csv"; break; fi
done
[[ -n "$DATA" ]] || { echo "fine_food_reviews_1k.csv not found"; exit 1; }
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"

elapsed() { local s; s=$(date +%s.%N); "$@" > /dev/null; python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.2f}')" "$s"; }
peak() { /usr/bin/time -f "%e s, peak RSS %M KB" "$@" 2>&1 >/dev/null | tail -n 1; }

echo "## end to end (1000 rows, preset) vs embedding the same 1000 texts alone, $REPEATS runs each"
"$BIN" dataset embed "$DATA" --output "$work/once.csv" --preset cookbook-reviews --json > /dev/null
python3 -c "
import csv, json, sys
csv.field_size_limit(1 << 30)
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
open(sys.argv[2], 'w').write(''.join(json.dumps(r['combined']) + '\n' for r in rows))
" "$work/once.csv" "$work/combined.jsonl"
job=(); alone=()
for i in $(seq "$REPEATS"); do
  alone+=("$(elapsed "$BIN" embed --jsonl "$work/combined.jsonl" --output "$work/alone.npy")")
  job+=("$(elapsed "$BIN" dataset embed "$DATA" --output "$work/job.csv" --preset cookbook-reviews)")
done
python3 -c "
import statistics, sys
job = [float(x) for x in sys.argv[1].split()]; alone = [float(x) for x in sys.argv[2].split()]
print(f'dataset embed: {job} s, median {statistics.median(job):.2f} s')
print(f'embed alone:   {alone} s, median {statistics.median(alone):.2f} s')
print(f'ratio (median job / median alone): {statistics.median(job) / statistics.median(alone):.3f}')
" "${job[*]}" "${alone[*]}"

echo "## dry run at scale (500k rows made from the seed)"
[[ -f "$work/reviews_500k.csv" ]] || python3 scripts/benchmarks/make_large_reviews.py 500000 "$work/reviews_500k.csv"
echo "preset (sort by Time, tail 2000, count 2000): $(peak "$BIN" dataset embed "$work/reviews_500k.csv" --preset cookbook-reviews --dry-run)"
echo "every row counted (no sort/tail): $(peak "$BIN" dataset embed "$work/reviews_500k.csv" --dropna --strip --template 'Title: {Summary}; Content: {Text}' --dry-run)"
"$BIN" dataset embed "$work/reviews_500k.csv" --dropna --strip --template 'Title: {Summary}; Content: {Text}' --dry-run --json \
  | python3 -c "import json,sys; s=json.load(sys.stdin); c=s['counts']; print(f\"  {c['kept']} rows, {c['tokensTotal']} tokens in {s['seconds']:.2f} s: {c['kept']/s['seconds']:.0f} rows/s, {c['tokensTotal']/s['seconds']/1e6:.2f} M tokens/s\")"
