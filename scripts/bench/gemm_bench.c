// Per-shape speed of the AMX linear-layer kernels vs OpenBLAS sgemm (one thread), y = x·wᵀ + b, for the
// all-MiniLM-L6-v2 linear layers. Build and run (scripts/bench/gemm_bench.sh does both):
//   clang -O2 -I Sources/EmbedKitCKernels/include -I Sources/EmbedKitCKernels scripts/bench/gemm_bench.c Sources/EmbedKitCKernels/amx_support.c \
//     Sources/EmbedKitCKernels/bf16_split_gemm.c Sources/EmbedKitCKernels/int8_gemm.c -lopenblas -lm -o /tmp/gemm_bench
//   OPENBLAS_NUM_THREADS=1 /tmp/gemm_bench [rows…]
// Rates are fp32-equivalent GFLOP/s (2·m·n·k per product, whatever the engine does inside), from thread CPU
// time, best of REPEATS; errors are max |y − y_float64| / Σ|x·w| over a sample of outputs.
#include "EmbedKitGemm.h"
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 15

#include "bench_common.h"

typedef struct { const char *name; int kind; int parts; } Engine;  // kind 0 BLAS, 1 bf16 split, 2 int8

static double error_of(const float *x, const float *w, const float *b, const float *y, size_t m, size_t n, size_t k) {
    double worst = 0;
    for (size_t s = 0; s < 2000; s++) {
        size_t r = (s * 7919) % m, o = (s * 104729) % n;
        double sum = b[o], mag = fabs(b[o]);
        for (size_t i = 0; i < k; i++) { double p = (double)x[r * k + i] * w[o * k + i]; sum += p; mag += fabs(p); }
        double e = fabs(y[r * n + o] - sum) / mag;
        if (e > worst) worst = e;
    }
    return worst;
}

int main(int argc, char **argv) {
    if (!ek_amx_available()) { fprintf(stderr, "no AMX on this CPU/OS\n"); return 2; }
    size_t rows_list[8] = {512, 1024, 2048, 4096};
    int nrows = 4;
    if (argc > 1) { nrows = 0; for (int i = 1; i < argc && nrows < 8; i++) rows_list[nrows++] = (size_t)atol(argv[i]); }
    struct { const char *name; size_t n, k; } shapes[] = {
        {"QKV 384→1152", 1152, 384}, {"out 384→384", 384, 384}, {"FFN 384→1536", 1536, 384}, {"FFN 1536→384", 384, 1536}};
    Engine engines[] = {{"openblas", 0, 0}, {"amx-bf16x3", 1, 2}, {"amx-bf16x6", 1, 3}, {"amx-int8", 2, 0}};
    printf("| rows | layer | engine | GFLOP/s | vs OpenBLAS | max error / Σ|x·w| |\n|---:|---|---|---:|---:|---:|\n");
    for (int ri = 0; ri < nrows; ri++) {
        size_t m = rows_list[ri];
        for (int si = 0; si < 4; si++) {
            size_t n = shapes[si].n, k = shapes[si].k;
            float *x = malloc(m * k * 4), *w = malloc(n * k * 4), *b = malloc(n * 4), *y = malloc(m * n * 4);
            for (size_t i = 0; i < m * k; i++) x[i] = uniform() * 2;
            for (size_t i = 0; i < n * k; i++) w[i] = uniform() * 0.1f;
            for (size_t i = 0; i < n; i++) b[i] = uniform();
            double blas_rate = 0;
            for (int e = 0; e < 4; e++) {
                Engine en = engines[e];
                void *packed = NULL, *scratch = NULL;
                if (en.kind == 1) {
                    packed = aligned_alloc(64, ((ek_bf16s_packed_weight_bytes(n, k, en.parts) + 63) / 64 * 64));
                    ek_bf16s_pack_weight(w, n, k, k, en.parts, packed);
                    scratch = aligned_alloc(64, ((ek_bf16s_scratch_bytes(n, k, en.parts) + 63) / 64 * 64));
                } else if (en.kind == 2) {
                    packed = aligned_alloc(64, ((ek_int8_packed_weight_bytes(n, k) + 63) / 64 * 64));
                    ek_int8_pack_weight(w, n, k, k, packed);
                    scratch = aligned_alloc(64, ((ek_int8_scratch_bytes(n, k) + 63) / 64 * 64));
                }
                double best = 1e30;
                for (int rep = 0; rep < REPEATS; rep++) {
                    double t0 = now();
                    if (en.kind == 0) {
                        for (size_t r = 0; r < m; r++) memcpy(y + r * n, b, n * 4);
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k, 1, x, (int)k, w, (int)k, 1, y, (int)n);
                    } else if (en.kind == 1) {
                        ek_bf16s_linear(x, m, k, k, packed, n, en.parts, b, y, n, scratch);
                    } else {
                        ek_int8_linear(x, m, k, k, packed, n, b, y, n, scratch);
                    }
                    double t = now() - t0;
                    if (t < best) best = t;
                }
                double rate = 2.0 * m * n * k / best / 1e9;
                if (en.kind == 0) blas_rate = rate;
                printf("| %zu | %s | %s | %.0f | %.2f× | %.1e |\n", m, shapes[si].name, en.name, rate, rate / blas_rate,
                       error_of(x, w, b, y, m, n, k));
                fflush(stdout);
                free(packed); free(scratch);
            }
            free(x); free(w); free(b); free(y);
        }
    }
    return 0;
}
