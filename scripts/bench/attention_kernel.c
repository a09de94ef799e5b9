// Attention kernel micro-benchmark: the fused AVX-512 kernel (ek_attention_avx512) vs the previous path
// (per head: OpenBLAS sgemm q·kᵀ, AVX-512 row softmax, sgemm p·v), 12 heads of 32 (MiniLM), one thread,
// best of 300 calls in thread CPU time; also the fused kernel's max |Δ| vs a double-precision reference.
//
//   K=Sources/EmbedKitCKernels
//   clang -O2 -I$K/include -I$K -o /tmp/attention_kernel scripts/bench/attention_kernel.c \
//       $K/attention_avx512.c $K/activations_avx512.c -lopenblas -lm
//   OPENBLAS_CORETYPE=SkylakeX /tmp/attention_kernel 17 64 128 190 256
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "EmbedKitActivations.h"

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    const size_t heads = 12, d = 32, h = heads * d, ld = 3 * h;
    for (int a = 1; a < argc; a++) {
        size_t n = (size_t)atoi(argv[a]);
        float *qkv = malloc(n * ld * 4), *out = malloc(n * h * 4), *scores = malloc(n * n * 4);
        float *scratch = malloc(ek_attention_scratch_floats(n, d) * 4);
        srand(1);
        for (size_t i = 0; i < n * ld; i++) qkv[i] = (rand() / (float)RAND_MAX - 0.5f) * 4;
        float scale = 1 / sqrtf((float)d);
        ek_attention_avx512(qkv, qkv + h, qkv + 2 * h, ld, n, heads, d, scale, out, h, scratch);
        double worst = 0, *s = malloc(n * sizeof(double));
        for (size_t hh = 0; hh < heads; hh++)
            for (size_t i = 0; i < n; i++) {
                double m = -1e300, sum = 0;
                for (size_t j = 0; j < n; j++) {
                    double acc = 0;
                    for (size_t c = 0; c < d; c++) acc += (double)qkv[i * ld + hh * d + c] * qkv[j * ld + h + hh * d + c];
                    s[j] = acc * scale;
                    if (s[j] > m) m = s[j];
                }
                for (size_t j = 0; j < n; j++) { s[j] = exp(s[j] - m); sum += s[j]; }
                for (size_t c = 0; c < d; c++) {
                    double acc = 0;
                    for (size_t j = 0; j < n; j++) acc += s[j] * qkv[j * ld + 2 * h + hh * d + c];
                    double e = fabs(acc / sum - out[i * h + hh * d + c]);
                    if (e > worst) worst = e;
                }
            }
        double fused = 1e9, old = 1e9;
        for (int r = 0; r < 300; r++) {
            double t0 = cpu_seconds();
            ek_attention_avx512(qkv, qkv + h, qkv + 2 * h, ld, n, heads, d, scale, out, h, scratch);
            double t1 = cpu_seconds();
            for (size_t hh = 0; hh < heads; hh++) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d, 1, qkv + hh * d, ld, qkv + h + hh * d, ld, 0, scores, n);
                ek_softmax_rows_avx512(scores, n, n, n, scale);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1, scores, n, qkv + 2 * h + hh * d, ld, 0, out + hh * d, h);
            }
            double t2 = cpu_seconds();
            if (t1 - t0 < fused) fused = t1 - t0;
            if (t2 - t1 < old) old = t2 - t1;
        }
        double flops = 4.0 * n * n * d * heads;
        printf("n=%zu: fused %.1f us (%.0f GFLOP/s), sgemm+softmax %.1f us (%.0f GFLOP/s), speed-up %.2fx, max |d| %.1e\n",
               n, fused * 1e6, flops / fused / 1e9, old * 1e6, flops / old / 1e9, old / fused, worst);
        free(qkv); free(out); free(scores); free(scratch); free(s);
    }
    return 0;
}
