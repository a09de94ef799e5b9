#!/usr/bin/env bash
# One command for the vector-index figures in docs/PERFORMANCE.md.
#
#   scripts/bench/index_run.sh [contextual|static|1m|all] [REPEAT]
#
# contextual: all-MiniLM-L6-v2 sentence embeddings of the 111,000 benchmark texts (ctx_all.npy, split here into
#             ctx_base.npy = rows 0..109,999 and ctx_queries.npy = the last 1,000);
# static:     the static-MiniLM set of the same texts (index_static_embed.py);
# 1m:         1,000,000 static-MiniLM vectors + 1,000 held-out queries (index_static_1m.py), hnswlib vs EmbedKit.
# Every run: release build first, peers single-threaded for search, builds on 2 threads, medians of REPEAT (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT=${1:-contextual}
REPEAT=${2:-3}
PY=${PYTHON:-$(scripts/peers-venv --models | tail -n 1)}
H=${EMBEDKIT_HOME:-$HOME/.cache/embedkit}/bench
swift build -c release --product embedkit >/dev/null
EK=.build/release/embedkit

run_110k() {  # $1 = set name, $2 = base, $3 = queries
    "$PY" scripts/bench/index_bench.py --embedkit "$EK" --base "$2" --queries "$3" --repeat "$REPEAT" \
        --workdir "$H/work_$1" --json-out "$H/index_bench_$1.json" | tee "$H/index_bench_$1.log"
}

if [[ $WHAT == contextual || $WHAT == all ]]; then
    if [[ ! -f $H/ctx_base.npy ]]; then
        "$PY" -c "
import numpy as np, sys
a = np.load('$H/ctx_all.npy', mmap_mode='r')
assert a.shape == (111000, 384), a.shape
np.save('$H/ctx_base.npy', np.ascontiguousarray(a[:110000]))
np.save('$H/ctx_queries.npy', np.ascontiguousarray(a[110000:]))
"
    fi
    run_110k ctx "$H/ctx_base.npy" "$H/ctx_queries.npy"
fi
if [[ $WHAT == static || $WHAT == all ]]; then
    [[ -f $H/static_base.npy ]] || "$PY" scripts/bench/index_static_embed.py
    run_110k static "$H/static_base.npy" "$H/static_queries.npy"
fi
if [[ $WHAT == 1m || $WHAT == all ]]; then
    [[ -f $H/static1m_base.npy ]] || "$PY" scripts/bench/index_static_1m.py
    "$PY" scripts/bench/index_bench.py --embedkit "$EK" --base "$H/static1m_base.npy" \
        --queries "$H/static1m_queries.npy" --repeat 1 --skip numpy,faiss,faiss-hnsw,usearch,embedkit-flat \
        --ek-variants int8 --workdir "$H/work_1m" --json-out "$H/index_bench_1m.json" | tee "$H/index_bench_1m.log"
fi
