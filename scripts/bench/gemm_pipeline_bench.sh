#!/bin/bash
# The linear-layer engines as the encoder calls them (6 layers × 4 matrices with their own weights, AVX-512 steps
# in between), one thread; see scripts/bench/gemm_pipeline_bench.c. Interleaves the engines and the activation
# offsets `rounds` times (the machine is shared: read the best of the rounds).
#   usage: scripts/bench/gemm_pipeline_bench.sh [ROWS=1900] [ROUNDS=3] [ENGINES="openblas bf16x6 bf16x3"] [OFFSETS="0 16"]
set -e
cd "$(dirname "$0")/../.."
out="${TMPDIR:-/tmp}/embedkit-gemm-pipeline-bench"
k=Sources/EmbedKitCKernels
clang -O2 $CFLAGS -I "$k/include" -I "$k" scripts/bench/gemm_pipeline_bench.c "$k/amx_support.c" "$k/bf16_split_gemm.c" \
    "$k/attention_avx512.c" "$k/activations_avx512.c" "$k/layernorm_avx512.c" -lopenblas -lm -o "$out"
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX} OPENBLAS_NUM_THREADS=1
for round in $(seq "${2:-3}"); do
    for engine in ${3:-openblas bf16x6 bf16x3}; do
        for offset in ${4:-0 16}; do EMBEDKIT_OFFSET=$offset "$out" "${1:-1900}" "$engine" 4 1; done
    done
done
