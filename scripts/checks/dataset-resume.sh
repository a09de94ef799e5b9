#!/usr/bin/env bash
# Kill `embedkit dataset embed` with SIGKILL five times at random moments, resume, and check that the output is
# byte-identical to an uninterrupted run (issue 5's acceptance line). Exit 0 when it holds.
#
# Usage: scripts/checks/dataset-resume.sh [SEED]   (EMBEDKIT_BIN overrides the binary, default .build/release/embedkit;
#        DATASET_ARGS overrides the job's flags)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${EMBEDKIT_BIN:-.build/release/embedkit}
SEED=${1:-5}
RANDOM=$SEED
DATA=""
for candidate in "${EMBEDKIT_SHARED:-/nonexistent}/data" ../shared/data /work/shared/data; do
  if [[ -f "$candidate/fine_food_reviews_1k.csv" ]]; then DATA="$candidate/fine_food_reviews_1k.csv"; break; fi
done
[[ -n "$DATA" ]] || { echo "fine_food_reviews_1k.csv not found (set EMBEDKIT_SHARED)"; exit 1; }
[[ -x "$BIN" ]] || { echo "$BIN missing: swift build -c release --product embedkit"; exit 1; }
read -r -a ARGS <<< "${DATASET_ARGS:---preset cookbook-reviews --batch-size 32}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
"$BIN" dataset embed "$DATA" --output "$work/reference.csv" "${ARGS[@]}" --json > "$work/reference.json"
full=$(echo "$(date +%s.%N) - $start" | bc)
echo "uninterrupted run: ${full}s"

for kill in 1 2 3 4 5; do
  # A moment uniformly in [0, full/4): five kills land spread over the first part of the remaining work.
  delay=$(echo "scale=3; $full / 4 * $RANDOM / 32768" | bc)
  "$BIN" dataset embed "$DATA" --output "$work/resumed.csv" "${ARGS[@]}" --json > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then state="killed"; else state="had finished"; fi
  wait "$pid" 2>/dev/null || true
  done_rows=0
  if [[ -f "$work/resumed.csv.checkpoint" ]]; then
    done_rows=$(python3 - "$work/resumed.csv.checkpoint" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
header_end = data.index(b"\n") + 1
fields = data[:header_end].split()
dim = int(fields[3]); pos = header_end; rows = 0
while pos + 8 <= len(data):
    start, count = struct.unpack_from("<II", data, pos)
    size = 8 + count * dim * 4 + 8
    if pos + size > len(data): break
    pos += size; rows = start + count
print(rows)
PY
)
  fi
  echo "kill $kill after ${delay}s: $state; checkpoint holds $done_rows rows"
done

"$BIN" dataset embed "$DATA" --output "$work/resumed.csv" "${ARGS[@]}" --json > "$work/resumed.json"
resumed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rowsResumed"])' "$work/resumed.json")
echo "final run resumed $resumed rows from the checkpoint"
[[ ! -e "$work/resumed.csv.checkpoint" ]] || { echo "FAIL: checkpoint left behind"; exit 1; }
if cmp -s "$work/reference.csv" "$work/resumed.csv"; then
  echo "1 passed, 0 failed: output byte-identical to the uninterrupted run ($(wc -c < "$work/reference.csv") bytes)"
else
  echo "0 passed, 1 failed: output differs from the uninterrupted run"; exit 1
fi
