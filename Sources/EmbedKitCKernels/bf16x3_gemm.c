// AMX bf16x3 GEMM (see include/EmbedKitGemm.h).
//
// Layouts (tiles are 16 rows × 64 bytes = 512 bf16):
//   packed weight: for each block of 16 outputs (nb), each block of 32 inputs (kb): a hi tile then a lo
//     tile, each in the VNNI layout TDPBF16PS wants for its B operand: row r (input pair 2r, 2r+1),
//     column c (output nb·16 + c), 2 values. Outputs padded to a multiple of 32, inputs to 32, with zeros.
//   packed activations (scratch, one panel of up to PANEL rows at a time): for each block of 16 rows (mb),
//     each kb: a hi tile then a lo tile, row-major 16 × 32.
// The kernel keeps a 2 × 2 block of float32 accumulator tiles (32 rows × 32 outputs) in tiles 0–3 and
// streams hi/lo operand tiles through tiles 4–7: per 32 inputs, 10 tile loads and 12 TDPBF16PS.
#include "EmbedKitGemm.h"
#include <stdint.h>
#include <string.h>

#define PANEL 128   // activation rows split and packed at a time (stays in L2 while all outputs use it)
#define TILE_ELEMS 512

static size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

size_t ek_bf16x3_packed_weight_bytes(size_t n, size_t k) {
    return round_up(n, 32) * round_up(k, 32) * 2 * sizeof(uint16_t);
}

size_t ek_bf16x3_scratch_bytes(size_t n, size_t k) {
    // activation panel, a 32 × 32 staging block for edge blocks, the bias padded to 32 outputs
    return (size_t)PANEL * round_up(k, 32) * 2 * sizeof(uint16_t) + (32 * 32 + round_up(n, 32)) * sizeof(float);
}

// Round to nearest even; NaN stays NaN.
static inline uint16_t bf16_from(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static inline float float_from(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline void split(float x, uint16_t *hi, uint16_t *lo) {
    uint16_t h = bf16_from(x);
    *hi = h;
    *lo = bf16_from(x - float_from(h));
}

static void pack_weight_portable(const float *w, size_t n, size_t k, size_t ldw, void *packed) {
    size_t np = round_up(n, 32), kb_count = round_up(k, 32) / 32;
    uint16_t *out = (uint16_t *)packed;
    for (size_t nb = 0; nb < np / 16; nb++) {
        for (size_t kb = 0; kb < kb_count; kb++) {
            uint16_t *hi = out + (nb * kb_count + kb) * 2 * TILE_ELEMS, *lo = hi + TILE_ELEMS;
            for (size_t r = 0; r < 16; r++) {
                for (size_t c = 0; c < 16; c++) {
                    for (size_t e = 0; e < 2; e++) {
                        size_t row = nb * 16 + c, col = kb * 32 + 2 * r + e;
                        float v = (row < n && col < k) ? w[row * ldw + col] : 0.0f;
                        split(v, &hi[r * 32 + c * 2 + e], &lo[r * 32 + c * 2 + e]);
                    }
                }
            }
        }
    }
}

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static int amx_state = -1;

int ek_amx_available(void) {
    int state = __atomic_load_n(&amx_state, __ATOMIC_ACQUIRE);
    if (state >= 0) return state;
    unsigned a, b, c, d;
    int ok = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        int tile = (d >> 24) & 1, bf16 = (d >> 22) & 1, avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1;
        unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
        __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1);
        int avx512bf16 = (a1 >> 5) & 1;
        if (tile && bf16 && avx512f && avx512bw && avx512bf16)
            ok = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
    }
    __atomic_store_n(&amx_state, ok, __ATOMIC_RELEASE);
    return ok;
}

// Splits rows [0, rows) of x (k wide) into the packed activation layout; rows up to a multiple of 32 and
// inputs up to a multiple of 32 are zero.
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void pack_panel(const float *x, size_t rows, size_t k, size_t ldx, uint16_t *out) {
    size_t kb_count = round_up(k, 32) / 32, rp = round_up(rows, 32);
    for (size_t r = 0; r < rp; r++) {
        size_t mb = r / 16, rr = r % 16;
        const float *src = x + r * ldx;
        for (size_t kb = 0; kb < kb_count; kb++) {
            uint16_t *hi = out + (mb * kb_count + kb) * 2 * TILE_ELEMS + rr * 32, *lo = hi + TILE_ELEMS;
            size_t col = kb * 32;
            __m512 v0, v1;
            if (r < rows && col + 32 <= k) {
                v0 = _mm512_loadu_ps(src + col);
                v1 = _mm512_loadu_ps(src + col + 16);
            } else if (r < rows) {
                size_t left = k - col;
                __mmask16 m0 = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
                __mmask16 m1 = left >= 32 ? 0xffff : (left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0);
                v0 = _mm512_maskz_loadu_ps(m0, src + col);
                v1 = _mm512_maskz_loadu_ps(m1, src + col + 16);
            } else {
                v0 = _mm512_setzero_ps();
                v1 = _mm512_setzero_ps();
            }
            __m512bh h = _mm512_cvtne2ps_pbh(v1, v0);
            // Back to float: bf16 bits << 16.
            __m512i hbits = (__m512i)h;
            __m512 h0 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(hbits)), 16));
            __m512 h1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(hbits, 1)), 16));
            __m512bh l = _mm512_cvtne2ps_pbh(_mm512_sub_ps(v1, h1), _mm512_sub_ps(v0, h0));
            _mm512_store_si512((void *)hi, hbits);
            _mm512_store_si512((void *)lo, (__m512i)l);
        }
    }
}


// Splits 16 floats (masked load) into their bf16 hi and lo parts.
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static inline void split16(const float *src, __mmask16 mask, __m256i *hi, __m256i *lo) {
    __m512 v = _mm512_maskz_loadu_ps(mask, src);
    __m256bh h = _mm512_cvtneps_pbh(v);
    __m512 hf = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32((__m256i)h), 16));
    *hi = (__m256i)h;
    *lo = (__m256i)_mm512_cvtneps_pbh(_mm512_sub_ps(v, hf));
}

static inline __mmask16 mask16(size_t valid) { return valid >= 16 ? 0xffff : (__mmask16)((1u << valid) - 1); }

// ek_bf16x3_pack_weight's layout for the rows × cols matrix m (row stride ld; rows = outputs, cols = inputs),
// vectorized: each 16 × 32 block is split row by row, then its 16 × 16 input pairs are transposed.
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void pack_rows_as_weight(const float *m, size_t rows, size_t cols, size_t ld, uint16_t *out) {
    size_t np = round_up(rows, 32), kb_count = round_up(cols, 32) / 32;
    uint32_t hi_rows[16][16], lo_rows[16][16];  // [output][input pair]
    for (size_t nb = 0; nb < np / 16; nb++) {
        for (size_t kb = 0; kb < kb_count; kb++) {
            for (size_t c = 0; c < 16; c++) {
                size_t o = nb * 16 + c, i = kb * 32;
                __m256i h0 = _mm256_setzero_si256(), l0 = h0, h1 = h0, l1 = h0;
                if (o < rows && i < cols) {
                    split16(m + o * ld + i, mask16(cols - i), &h0, &l0);
                    if (i + 16 < cols) split16(m + o * ld + i + 16, mask16(cols - i - 16), &h1, &l1);
                }
                _mm256_storeu_si256((__m256i *)&hi_rows[c][0], h0); _mm256_storeu_si256((__m256i *)&hi_rows[c][8], h1);
                _mm256_storeu_si256((__m256i *)&lo_rows[c][0], l0); _mm256_storeu_si256((__m256i *)&lo_rows[c][8], l1);
            }
            uint32_t *hi = (uint32_t *)(out + (nb * kb_count + kb) * 2 * TILE_ELEMS), *lo = hi + TILE_ELEMS / 2;
            for (size_t r = 0; r < 16; r++)
                for (size_t c = 0; c < 16; c++) { hi[r * 16 + c] = hi_rows[c][r]; lo[r * 16 + c] = lo_rows[c][r]; }
        }
    }
}

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} __attribute__((packed)) tile_config;

__attribute__((target("amx-tile")))
static void configure_tiles(void) {
    tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) { cfg.rows[t] = 16; cfg.colsb[t] = 64; }
    _tile_loadconfig(&cfg);
}

// The 32 × 32 block of a · bᵀ + bias: accumulators start from the bias (a tile load with row stride 0 repeats
// the 16 bias values on every row), then go to `out` (row stride ldo floats): y itself for blocks inside the
// matrix, a 32 × 32 staging buffer for edge blocks.
__attribute__((target("amx-tile,amx-bf16")))
static void kernel_2x2(const uint16_t *a0, const uint16_t *a1, const uint16_t *b0, const uint16_t *b1,
                       size_t kb_count, const float *bias, float *out, size_t ldo) {
    _tile_loadd(0, bias, 0); _tile_loadd(1, bias + 16, 0);
    _tile_loadd(2, bias, 0); _tile_loadd(3, bias + 16, 0);
    for (size_t kb = 0; kb < kb_count; kb++) {
        const uint16_t *A0 = a0 + kb * 2 * TILE_ELEMS, *A1 = a1 + kb * 2 * TILE_ELEMS;
        const uint16_t *B0 = b0 + kb * 2 * TILE_ELEMS, *B1 = b1 + kb * 2 * TILE_ELEMS;
        _tile_loadd(4, A0, 64); _tile_loadd(5, A1, 64);
        _tile_loadd(6, B0, 64); _tile_loadd(7, B1, 64);
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);
        _tile_loadd(6, B0 + TILE_ELEMS, 64); _tile_loadd(7, B1 + TILE_ELEMS, 64);
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);
        _tile_loadd(4, A0 + TILE_ELEMS, 64); _tile_loadd(5, A1 + TILE_ELEMS, 64);
        _tile_loadd(6, B0, 64); _tile_loadd(7, B1, 64);
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);
    }
    size_t stride = ldo * sizeof(float);
    _tile_stored(0, out, stride); _tile_stored(1, out + 16, stride);
    _tile_stored(2, out + 16 * ldo, stride); _tile_stored(3, out + 16 * ldo + 16, stride);
}

__attribute__((target("amx-tile")))
static void release_tiles(void) { _tile_release(); }

// Copies the valid part (rows < rows, columns < n) of a staged 32 × 32 block at (row0, col0) into y.
static void copy_edge_block(const float *staged, size_t row0, size_t rows, size_t col0, size_t n, float *y,
                            size_t ldy) {
    size_t height = rows - row0 < 32 ? rows - row0 : 32, width = n - col0 < 32 ? n - col0 : 32;
    for (size_t r = 0; r < height; r++) memcpy(y + (row0 + r) * ldy + col0, staged + r * 32, width * sizeof(float));
}

// y[rows × n] (stride ldy) = the packed activation panel (rows ≤ its padded height) · the packed weights
// (n outputs, kb_count blocks of 32 inputs) + bias (bias_pad: n rounded up to 32 floats). Tiles must be
// configured.
__attribute__((target("amx-tile,amx-bf16")))
static void multiply_panel(const uint16_t *panel, size_t rows, size_t kb_count, const uint16_t *w, size_t n,
                           const float *bias_pad, float *y, size_t ldy, float *staged) {
    size_t tile_stride = kb_count * 2 * TILE_ELEMS;  // one 16-row (or 16-output) block across all inputs
    size_t rp = round_up(rows, 32), np = round_up(n, 32);
    for (size_t nb = 0; nb < np / 16; nb += 2) {
        const uint16_t *b0 = w + nb * tile_stride, *b1 = b0 + tile_stride;
        int full_width = nb * 16 + 32 <= n;
        for (size_t mb = 0; mb < rp / 16; mb += 2) {
            const uint16_t *a0 = panel + mb * tile_stride, *a1 = a0 + tile_stride;
            if (full_width && mb * 16 + 32 <= rows) {
                kernel_2x2(a0, a1, b0, b1, kb_count, bias_pad + nb * 16, y + mb * 16 * ldy + nb * 16, ldy);
            } else {
                kernel_2x2(a0, a1, b0, b1, kb_count, bias_pad + nb * 16, staged, 32);
                copy_edge_block(staged, mb * 16, rows, nb * 16, n, y, ldy);
            }
        }
    }
}

void ek_bf16x3_pack_weight(const float *w, size_t n, size_t k, size_t ldw, void *packed) {
    if (ek_amx_available()) pack_rows_as_weight(w, n, k, ldw, (uint16_t *)packed);
    else pack_weight_portable(w, n, k, ldw, packed);
}

void ek_bf16x3_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n,
                      const float *bias, float *y, size_t ldy, void *scratch) {
    size_t kb_count = round_up(k, 32) / 32;
    uint16_t *panel = (uint16_t *)scratch;
    float *staged = (float *)((char *)scratch + (size_t)PANEL * kb_count * 32 * 2 * sizeof(uint16_t));
    float *bias_pad = staged + 32 * 32;
    size_t np = round_up(n, 32);
    for (size_t j = 0; j < np; j++) bias_pad[j] = (bias && j < n) ? bias[j] : 0.0f;
    configure_tiles();
    for (size_t p = 0; p < m; p += PANEL) {
        size_t rows = m - p < PANEL ? m - p : PANEL;
        pack_panel(x + p * ldx, rows, k, ldx, panel);
        multiply_panel(panel, rows, kb_count, (const uint16_t *)packed, n, bias_pad, y + p * ldy, ldy, staged);
    }
    release_tiles();
}

#else

int ek_amx_available(void) { return 0; }

void ek_bf16x3_pack_weight(const float *w, size_t n, size_t k, size_t ldw, void *packed) {
    pack_weight_portable(w, n, k, ldw, packed);
}

#endif
