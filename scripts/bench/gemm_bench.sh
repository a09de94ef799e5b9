#!/bin/bash
# Per-shape GFLOP/s of the AMX linear-layer kernels (bf16x3, bf16x6, int8) vs OpenBLAS sgemm, one thread, for
# the all-MiniLM-L6-v2 layer shapes. Usage: scripts/bench/gemm_bench.sh [rows…]   (default 512 1024 2048 4096)
set -e
cd "$(dirname "$0")/../.."
out="${TMPDIR:-/tmp}/embedkit-gemm-bench"
k=Sources/EmbedKitCKernels
clang -O2 $CFLAGS -I "$k/include" -I "$k" scripts/bench/gemm_bench.c "$k/amx_support.c" "$k/bf16_split_gemm.c" "$k/int8_gemm.c" \
    -lopenblas -lm -o "$out"
OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX} OPENBLAS_NUM_THREADS=1 "$out" "$@"
