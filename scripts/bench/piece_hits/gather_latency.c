// vpgatherqq zmm on this host: throughput of independent gathers vs 8 scalar loads, and the latency of
// dependent gathers, all from an L1-resident 32 KiB table (docs/performance/simd9.md).
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
__attribute__((target("avx512f"))) int main(void) {
    static uint64_t tab[4096];
    for (int i = 0; i < 4096; i++) tab[i] = i * 7 % 4096;
    __m512i idx = _mm512_set_epi64(7, 100, 200, 300, 400, 500, 600, 700), acc = _mm512_setzero_si512(), x = _mm512_setzero_si512();
    for (int r = 0; r < 3; r++) {
    double t0 = now();
    for (int i = 0; i < 10000000; i++) { __m512i g = _mm512_i64gather_epi64(_mm512_add_epi64(idx, _mm512_set1_epi64(i & 1023)), tab, 8); acc = _mm512_add_epi64(acc, g); }
    double t1 = now();
    uint64_t s = 0; for (int i = 0; i < 10000000; i++) { int j = i & 1023; s += tab[7+j] + tab[100+j] + tab[200+j] + tab[300+j] + tab[400+j] + tab[500+j] + tab[600+j] + tab[700+j]; __asm__ volatile("" : "+r"(s)); }
    double t2 = now();
    printf("gather (independent) %.2f ns each; 8 scalar loads %.2f ns\n", (t1 - t0) * 1e9 / 1e7, (t2 - t1) * 1e9 / 1e7);
    // dependent gathers: latency

    t0 = now();
    for (int i = 0; i < 10000000; i++) { x = _mm512_i64gather_epi64(_mm512_and_si512(x, _mm512_set1_epi64(4095)), tab, 8); }
    t1 = now();
    printf("gather latency %.2f ns\n", (t1 - t0) * 1e9 / 1e7);
    }
    uint64_t o[8]; _mm512_storeu_si512(o, _mm512_add_epi64(acc, x)); printf("%llu\n", (unsigned long long)o[0]);
}
