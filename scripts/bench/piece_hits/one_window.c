// The piece-hit kernel alone on one 64-byte English window whose 15 pieces all hit (1-3 ids), entries in L1:
// its best case, ns per call and per id (docs/performance/simd9.md).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "piece_hits.c"
typedef struct { uint64_t k0, k1; uint32_t meta, id0, id1, id2; } E;
static uint64_t hsh(uint64_t k0, uint64_t k1, uint64_t n) { uint64_t h = (k0 + n) * EK_PIECE_HASH_M1 ^ (k1 * EK_PIECE_HASH_M2); return (h ^ h >> 31) * EK_PIECE_HASH_M3; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
    E *entries = aligned_alloc(64, sizeof(E) << 16); memset(entries, 0, sizeof(E) << 16);
    uint32_t byte_rank[256], *pair = malloc(4 * 65536); for (int i = 0; i < 256; i++) byte_rank[i] = i; memset(pair, 0xFF, 4 * 65536);
    const char *t = " the cat sat on the mat and then it went to sleep for a long while, ok";
    uint8_t w[128] = {0}; memcpy(w, t, 64);
    // piece ends: before each space, and punctuation
    uint64_t rest = 0; int starts[64], ns = 0; int s = 0;
    for (int k = 1; k < 64; k++) if (w[k] == ' ' || w[k] == ',' || w[k-1] == ',') { rest |= 1ULL << k; }
    rest &= ~(1ULL << 63);
    // fill entries for each piece
    int prev = 0;
    for (int k = 1; k < 64; k++) if (rest >> k & 1) {
        int n = k - prev; uint64_t k0 = 0, k1 = 0; memcpy(&k0, w + prev, n > 8 ? 8 : n); if (n > 8) memcpy(&k1, w + prev + 8, n - 8);
        if (n >= 3) { uint64_t slot = hsh(k0, k1, n) >> 48; int c = 1 + (prev % 3); entries[slot] = (E){k0, k1, (uint32_t)n | (uint32_t)c << 5, 1000 + prev, 2000 + prev, 3000 + prev}; }
        else if (n == 2) pair[w[prev] << 8 | w[prev+1]] = 5000 + prev;
        starts[ns++] = prev; prev = k; }
    uint32_t out[128];
    ek_piece_cursor c = { rest, 0 };
    size_t got = ek_piece_hits(w, 64, &c, entries, byte_rank, pair, out);
    printf("pieces %d got %zu end %lld\n", ns, got, (long long)c.start);
    for (size_t k = 0; k < got; k++) printf("%u ", out[k]); printf("\n");
    double best = 1e9;
    for (int r = 0; r < 5; r++) { double t0 = now(); size_t sum = 0;
        for (int it = 0; it < 1000000; it++) { ek_piece_cursor cc = { rest, 0 }; sum += ek_piece_hits(w, 64, &cc, entries, byte_rank, pair, out); __asm__ volatile("" ::: "memory"); }
        double dt = now() - t0; if (dt < best) best = dt; if (r == 4) printf("sum %zu\n", sum); }
    printf("ns per call %.1f, per piece %.2f, per id %.2f\n", best * 1e3, best * 1e3 / ns, best * 1e3 / got);
}
