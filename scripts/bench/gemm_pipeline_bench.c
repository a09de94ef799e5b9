// The linear-layer engines the way the encoder calls them, one thread: 6 layers × 4 linear layers of
// all-MiniLM-L6-v2 (QKV 384→1152, out 384→384, FFN 384→1536, FFN 1536→384), each layer with its own weights
// (64 MB packed for bf16x6, so every call starts from weights evicted by the 23 others, as in the pipeline;
// gemm_bench.c re-runs one matrix hot), optionally with the AVX-512 steps in between (fused attention after
// QKV, GELU after the FFN-up, LayerNorm after the others), and with the activation buffers at a chosen byte
// offset from a 64-byte boundary (EMBEDKIT_OFFSET; malloc'ed big buffers start 16 bytes into a page).
// Prints fp32-equivalent GFLOP/s per layer kind (thread CPU time of the linear calls only), best of `repeats`.
// scripts/bench/gemm_pipeline_bench.sh builds and runs it.
//   usage: gemm_pipeline_bench ROWS ENGINE(openblas|bf16x3|bf16x6) [REPEATS=5] [STEPS_BETWEEN=1]
#include "EmbedKitActivations.h"
#include "EmbedKitGemm.h"
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAYERS 6

#include "bench_common.h"

static float *buffer(size_t floats, size_t offset) {
    char *p = aligned_alloc(64, (floats * 4 + 64 + 63) / 64 * 64);
    float *f = (float *)(p + offset);
    for (size_t i = 0; i < floats; i++) f[i] = uniform();
    return f;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s ROWS openblas|bf16x3|bf16x6 [REPEATS] [STEPS_BETWEEN]\n", argv[0]); return 2; }
    size_t m = (size_t)atol(argv[1]);
    int parts = strcmp(argv[2], "bf16x6") == 0 ? 3 : strcmp(argv[2], "bf16x3") == 0 ? 2 : 0;
    int repeats = argc > 3 ? atoi(argv[3]) : 5, between = argc > 4 ? atoi(argv[4]) : 1;
    size_t offset = getenv("EMBEDKIT_OFFSET") ? (size_t)atol(getenv("EMBEDKIT_OFFSET")) : 0;
    if (parts && !ek_amx_available()) { fprintf(stderr, "no AMX on this CPU/OS\n"); return 2; }
    const size_t n[4] = {1152, 384, 1536, 384}, k[4] = {384, 384, 384, 1536};
    const char *names[4] = {"QKV", "out", "FFN-up", "FFN-down"};
    float *w[LAYERS][4];
    void *packed[LAYERS][4];
    float *bias = buffer(1536, 0), *gamma = buffer(384, 0), *beta = buffer(384, 0);
    for (int l = 0; l < LAYERS; l++)
        for (int j = 0; j < 4; j++) {
            w[l][j] = buffer(n[j] * k[j], 0);
            for (size_t i = 0; i < n[j] * k[j]; i++) w[l][j][i] *= 0.1f;
            packed[l][j] = NULL;
            if (parts) {
                packed[l][j] = aligned_alloc(64, (ek_bf16s_packed_weight_bytes(n[j], k[j], parts) + 63) / 64 * 64);
                ek_bf16s_pack_weight(w[l][j], n[j], k[j], k[j], parts, packed[l][j]);
            }
        }
    float *hidden = buffer(m * 384, offset), *qkv = buffer(m * 1152, offset), *out = buffer(m * 384, offset),
          *inner = buffer(m * 1536, offset);
    void *scratch = aligned_alloc(64, (ek_bf16s_scratch_bytes(1536, 1536, 3) + 63) / 64 * 64);
    float *attention_scratch = buffer(ek_attention_scratch_floats(256, 32), 0);
    float *in[4] = {hidden, hidden, hidden, inner}, *dst[4] = {qkv, out, inner, out};
    double best[4] = {1e30, 1e30, 1e30, 1e30};
    for (int r = 0; r < repeats; r++) {
        double t[4] = {0};
        for (int l = 0; l < LAYERS; l++)
            for (int j = 0; j < 4; j++) {
                double t0 = now();
                if (parts)
                    ek_bf16s_linear(in[j], m, k[j], k[j], packed[l][j], n[j], parts, bias, dst[j], n[j], scratch);
                else
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n[j], (int)k[j], 1, in[j], (int)k[j],
                                w[l][j], (int)k[j], 0, dst[j], (int)n[j]);
                t[j] += now() - t0;
                if (!between) continue;
                if (j == 0) {  // attention over sequences of 190 tokens, like the long workload
                    for (size_t s = 0; s + 190 <= m; s += 190)
                        ek_attention_avx512(qkv + s * 1152, qkv + s * 1152 + 384, qkv + s * 1152 + 768, 1152, 190, 12, 32,
                                            0.177f, hidden + s * 384, 384, attention_scratch);
                } else if (j == 2) {
                    ek_gelu_avx512(inner, m * 1536);
                } else {
                    ek_layernorm_avx512(out, NULL, hidden, m, 384, gamma, beta, 1e-12f);
                }
            }
        for (int j = 0; j < 4; j++) if (t[j] < best[j]) best[j] = t[j];
    }
    printf("rows %zu, %s, activations at +%zu bytes, AVX-512 steps between: %s — GFLOP/s:", m, argv[2], offset,
           between ? "yes" : "no");
    for (int j = 0; j < 4; j++) printf(" %s %.0f", names[j], LAYERS * 2.0 * m * n[j] * k[j] / best[j] / 1e9);
    printf("\n");
    return 0;
}
