// The simd9 feasibility A/B (docs/performance/simd9.md): every piece of a real text (ends from piece_ends.py)
// looked up in a piece cache laid out as BPEPieceCache's (64k slots of 32 bytes, every 3-16-byte piece
// inserted, 1 id, every tenth piece 2), once by a scalar C loop (key, hash, probe, compare, ids) and once by
// the AVX-512 kernel over 64-byte windows (the piece it stops at taken by the scalar code). Prints ns per piece
// for both and checks the ids are the same.  Usage: real_text_ab TEXT ENDS.bin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "piece_hits.c"
typedef struct { uint64_t k0, k1; uint32_t meta, id0, id1, id2; } E;
static inline uint64_t hsh(uint64_t k0, uint64_t k1, uint64_t n) { uint64_t h = (k0 + n) * EK_PIECE_HASH_M1 ^ (k1 * EK_PIECE_HASH_M2); return (h ^ h >> 31) * EK_PIECE_HASH_M3; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static inline void key(const uint8_t *p, int n, uint64_t *k0, uint64_t *k1) {
    uint64_t w0, w1; memcpy(&w0, p, 8); memcpy(&w1, p + 8, 8);
    uint64_t m0 = ~0ULL >> ((8 - (n < 8 ? n : 8)) * 8); uint64_t m1 = n > 8 ? ~0ULL >> ((16 - n) * 8) : 0;
    *k0 = w0 & m0; *k1 = w1 & m1; }
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
    uint8_t *text = calloc(len + 128, 1); fread(text, 1, len, f); fclose(f);
    f = fopen(argv[2], "rb"); fseek(f, 0, SEEK_END); long ne = ftell(f) / 4; fseek(f, 0, SEEK_SET);
    uint32_t *ends = malloc(ne * 4); fread(ends, 4, ne, f); fclose(f);
    E *entries = aligned_alloc(2 << 20, sizeof(E) << 16); memset(entries, 0, sizeof(E) << 16);
    uint32_t byte_rank[256], *pair = malloc(4 * 65536); for (int i = 0; i < 256; i++) byte_rank[i] = i;
    for (int i = 0; i < 65536; i++) pair[i] = (i % 3) ? 300 + i : 0xFFFFFFFF;
    int start = 0;
    for (long k = 0; k < ne; k++) { int n = ends[k] - start;
        if (n >= 3 && n <= 16) { uint64_t k0, k1; key(text + start, n, &k0, &k1); uint64_t slot = hsh(k0, k1, n) >> 48;
            int c = (k % 10 == 0) ? 2 : 1; entries[slot] = (E){k0, k1, (uint32_t)n | (uint32_t)c << 5, 1000 + (uint32_t)k % 90000, 7, 8}; }
        start = ends[k]; }
    uint32_t *out = malloc(4 * (len + 256)), *out2 = malloc(4 * (len + 256));
    for (int round = 0; round < 3; round++) {
    // scalar loop
    double t0 = now(); size_t w = 0; start = 0; size_t scalar_pieces = 0;
    for (long k = 0; k < ne; k++) { int e = ends[k], n = e - start; const uint8_t *p = text + start;
        if (n == 1) out[w++] = byte_rank[p[0]];
        else if (n == 2) { uint32_t r = pair[p[0] << 8 | p[1]]; if (r != 0xFFFFFFFF) out[w++] = r; else { out[w++] = byte_rank[p[0]]; out[w++] = byte_rank[p[1]]; } }
        else if (n <= 16) { uint64_t k0, k1; key(p, n, &k0, &k1); E *en = &entries[hsh(k0, k1, n) >> 48];
            if ((en->meta & 31) == (uint32_t)n && en->k0 == k0 && en->k1 == k1) { uint32_t c = en->meta >> 5; out[w] = en->id0; out[w+1] = en->id1; out[w+2] = en->id2; w += c; }
            else out[w++] = 0; }
        else out[w++] = 1;
        start = e; }
    double ts = now() - t0;
    // kernel: windows at piece starts
    t0 = now(); size_t w2 = 0; start = 0; long k = 0; size_t kp = 0;
    while (k < ne) {
        uint64_t rest = 0; long j = k;
        while (j < ne && ends[j] - start <= 63) { rest |= 1ULL << (ends[j] - start); j++; }
        if (j == k) { out2[w2++] = 1; start = ends[k]; k++; continue; }
        ek_piece_cursor c = { rest, 0 };
        while (c.rest) {
            size_t got = ek_piece_hits(text + start, 64, &c, entries, byte_rank, pair, out2 + w2);
            w2 += got;
            if (!c.rest) break;
            // the stopping piece: scalar
            int s = (int)c.start; int e = __builtin_ctzll(c.rest); int n = e - s; const uint8_t *p = text + start + s;
            if (n == 2) { out2[w2++] = byte_rank[p[0]]; out2[w2++] = byte_rank[p[1]]; }
            else if (n <= 16) { uint64_t k0, k1; key(p, n, &k0, &k1); E *en = &entries[hsh(k0, k1, n) >> 48];
                if ((en->meta & 31) == (uint32_t)n && en->k0 == k0 && en->k1 == k1) { uint32_t cc = en->meta >> 5; out2[w2] = en->id0; out2[w2+1] = en->id1; out2[w2+2] = en->id2; w2 += cc; } else out2[w2++] = 0; }
            else out2[w2++] = 1;
            c.start = e; c.rest &= c.rest - 1; kp++;
        }
        start = ends[j - 1]; k = j;
    }
    double tk = now() - t0;
    // resolve-all: the kernel answers every piece of the window without stopping; a commit loop copies
    // the answered ids in order and takes the others with the scalar code.
    t0 = now(); size_t w3 = 0; start = 0; k = 0;
    static uint32_t slots[4 * 64 + 64]; static uint8_t counts[72];
    while (k < ne) {
        uint64_t rest = 0; long j = k;
        while (j < ne && ends[j] - start <= 63) { rest |= 1ULL << (ends[j] - start); j++; }
        if (j == k) { out2[w3++] = 1; start = ends[k]; k++; continue; }
        size_t np = ek_piece_resolve(text + start, 64, rest, entries, byte_rank, pair, slots, counts);
        int s0 = start;
        for (size_t q = 0; q < np; q++) {
            int e = ends[k + q]; uint8_t c = counts[q];
            if (__builtin_expect(c != 0, 1)) { memcpy(out2 + w3, slots + 4 * q, 16); w3 += c; }
            else { int n = e - s0; const uint8_t *p = text + s0;
                if (n == 2) { out2[w3++] = byte_rank[p[0]]; out2[w3++] = byte_rank[p[1]]; }
                else if (n <= 16) { uint64_t k0, k1; key(p, n, &k0, &k1); E *en = &entries[hsh(k0, k1, n) >> 48];
                    if ((en->meta & 31) == (uint32_t)n && en->k0 == k0 && en->k1 == k1) { uint32_t cc = en->meta >> 5; out2[w3] = en->id0; out2[w3+1] = en->id1; out2[w3+2] = en->id2; w3 += cc; } else out2[w3++] = 0; }
                else out2[w3++] = 1; }
            s0 = e;
        }
        start = ends[j - 1]; k = j;
    }
    double tr = now() - t0;
    printf("resolve-all: %.2f ns/piece, ratio to scalar %.2f, same=%d\n", tr * 1e9 / ne, ts / tr, w == w3 && !memcmp(out, out2, 4 * w));
    printf("pieces %ld ids %zu/%zu same=%d scalar %.2f ns/piece kernel %.2f ns/piece (stops %zu) ratio %.2f\n", ne, w, w2,
           w == w2 && !memcmp(out, out2, 4 * w), ts * 1e9 / ne, tk * 1e9 / ne, kp, ts / tk);
    }
}
