#!/usr/bin/env bash
# The simd9 feasibility measurements (docs/performance/simd9.md): the AVX-512 piece-hit kernel against a scalar
# C loop doing the same lookups, on one L1-resident window and on a real text's whole piece list.
#   scripts/bench/piece_hits/run.sh [encoding] [text]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
encoding=${1:-o200k_base}
text=${2:-$HOME/.cache/embedkit/corpus/bench-real.txt}
out=$(mktemp -d)
python=$("$repo/scripts/peers-venv")
"$python" "$here/piece_ends.py" "$encoding" "$text" "$out/ends.bin"
clang -O2 -I"$here" -o "$out/one_window" "$here/one_window.c"
clang -O2 -I"$here" -o "$out/real_text_ab" "$here/real_text_ab.c"
clang -O2 -o "$out/gather_latency" "$here/gather_latency.c"
"$out/gather_latency"
"$out/one_window"
"$out/real_text_ab" "$text" "$out/ends.bin"
rm -rf "$out"
