// AMX GEMM with float32 operands split into bf16 parts (see include/EmbedKitGemm.h): 2 parts and 3 products
// ("bf16x3") or 3 parts and 6 products ("bf16x6").
//
// Layouts (tiles are 16 rows × 64 bytes = 512 bf16; P = number of parts):
//   packed weight: for each block of 32 outputs, each block of 32 inputs (kb), each part, each half (16
//     outputs): one tile in the VNNI layout TDPBF16PS wants for its B operand: row r = input pair 2r, 2r+1,
//     column c = output, 2 values. So the 2·P tiles one kernel step needs are contiguous. Zero padded.
//   packed activations (scratch, one panel of up to PANEL rows at a time): for each block of 32 rows, each kb,
//     each part, each half (16 rows): one row-major 16 × 32 tile.
// The kernel keeps a 2 × 2 block of float32 accumulator tiles (32 rows × 32 outputs) in tiles 0–3 and streams
// operand tiles through tiles 4–5 (activations) and 6–7 (weights), ordered so a loaded weight pair serves two
// activation parts where it can: per 32 inputs, bf16x3 is 8 tile loads for 12 TDPBF16PS, bf16x6 14 for 24.
// The input dimension is walked in chunks of KC so the 32-output weight block of a chunk stays in L1 while
// every 32-row block of the panel uses it; partial sums live in y (or a staging strip for edge blocks).
#include "EmbedKitGemm.h"
#include "amx_support.h"
#include <stdint.h>
#include <string.h>

#ifndef PANEL
#define PANEL 128   // activation rows split and packed at a time (stays in L2 while all outputs use it)
#endif
#ifndef KC_BYTES
#define KC_BYTES (24 * 1024)  // weight bytes of one 32-output × KC chunk (L1 is 48 KB)
#endif
#define TILE 512    // bf16 values per tile

static size_t kb_per_chunk(int parts) { return KC_BYTES / (2 * (size_t)parts * TILE * 2); }

size_t ek_bf16s_packed_weight_bytes(size_t n, size_t k, int parts) {
    return ek_round_up(n, 32) * ek_round_up(k, 32) * (size_t)parts * sizeof(uint16_t);
}

size_t ek_bf16s_scratch_bytes(size_t n, size_t k, int parts) {
    // activation panel, a PANEL × 32 staging strip for edge blocks, the bias padded to 32 outputs
    return (size_t)PANEL * ek_round_up(k, 32) * (size_t)parts * sizeof(uint16_t) +
           ((size_t)PANEL * 32 + ek_round_up(n, 32)) * sizeof(float);
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

void ek_bf16s_pack_weight(const float *w, size_t n, size_t k, size_t ldw, int parts, void *packed) {
    size_t kbc = ek_round_up(k, 32) / 32, nbc = ek_round_up(n, 32) / 32;
    uint16_t *out = (uint16_t *)packed;
    for (size_t nb = 0; nb < nbc; nb++)
        for (size_t kb = 0; kb < kbc; kb++)
            for (size_t half = 0; half < 2; half++)
                for (size_t c = 0; c < 16; c++) {
                    size_t row = nb * 32 + half * 16 + c;
                    for (size_t i = 0; i < 32; i++) {
                        size_t col = kb * 32 + i;
                        float rest = (row < n && col < k) ? w[row * ldw + col] : 0.0f;
                        for (int p = 0; p < parts; p++) {
                            uint16_t h = bf16_from(rest);
                            rest -= float_from(h);
                            uint16_t *tile = out + (((nb * kbc + kb) * (size_t)parts + (size_t)p) * 2 + half) * TILE;
                            tile[(i / 2) * 32 + c * 2 + (i % 2)] = h;
                        }
                    }
                }
}

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>

// Splits rows [0, rows) of x (k wide) into the packed activation layout; rows up to a multiple of 32 and
// inputs up to a multiple of 32 are zero.
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void pack_panel(const float *x, size_t rows, size_t k, size_t ldx, int parts, uint16_t *out) {
    size_t kbc = ek_round_up(k, 32) / 32, rp = ek_round_up(rows, 32);
    for (size_t r = 0; r < rp; r++) {
        size_t mb = r / 32, half = (r / 16) % 2, rr = r % 16;
        const float *src = x + r * ldx;
        for (size_t kb = 0; kb < kbc; kb++) {
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
            uint16_t *dst = out + ((mb * kbc + kb) * (size_t)parts * 2 + half) * TILE + rr * 32;
            for (int p = 0; p < parts; p++) {
                __m512i h = (__m512i)_mm512_cvtne2ps_pbh(v1, v0);
                _mm512_store_si512((void *)(dst + (size_t)p * 2 * TILE), h);
                if (p + 1 == parts) break;
                __m512 h0 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(h)), 16));
                __m512 h1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(h, 1)), 16));
                v0 = _mm512_sub_ps(v0, h0);
                v1 = _mm512_sub_ps(v1, h1);
            }
        }
    }
}

// Tile operands of one kernel step: part p, half h of the activation (A) and weight (B) blocks.
#define A_AT(p, h) (a + ((p) * 2 + (h)) * TILE)
#define B_AT(p, h) (b + ((p) * 2 + (h)) * TILE)
#define LOAD_A(p) do { _tile_loadd(4, A_AT(p, 0), 64); _tile_loadd(5, A_AT(p, 1), 64); } while (0)
#define LOAD_B(p) do { _tile_loadd(6, B_AT(p, 0), 64); _tile_loadd(7, B_AT(p, 1), 64); } while (0)
#define PRODUCTS() do { _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); \
                        _tile_dpbf16ps(3, 5, 7); } while (0)

// acc (32 × 32) = init + Σ over kbn input blocks of the split products; init rows 0–15 from init0 and rows
// 16–31 from init1 (row stride init_stride bytes: 0 repeats a bias row), result to dst (row stride ldo floats).
__attribute__((target("amx-tile,amx-bf16")))
static void kernel_2x2(int parts, const uint16_t *a, const uint16_t *b, size_t kbn, const float *init0,
                       const float *init1, size_t init_stride, float *dst, size_t ldo) {
    _tile_loadd(0, init0, init_stride); _tile_loadd(1, init0 + 16, init_stride);
    _tile_loadd(2, init1, init_stride); _tile_loadd(3, init1 + 16, init_stride);
    size_t step = (size_t)parts * 2 * TILE;
    if (parts == 2) {
        for (size_t kb = 0; kb < kbn; kb++, a += step, b += step) {
            LOAD_A(0); LOAD_B(1); PRODUCTS();   // hi·lo′
            LOAD_B(0); PRODUCTS();              // hi·hi′
            LOAD_A(1); PRODUCTS();              // lo·hi′
        }
    } else {
        for (size_t kb = 0; kb < kbn; kb++, a += step, b += step) {
            LOAD_A(0); LOAD_B(2); PRODUCTS();   // h·l′
            LOAD_B(1); PRODUCTS();              // h·m′
            LOAD_B(0); PRODUCTS();              // h·h′
            LOAD_A(2); PRODUCTS();              // l·h′
            LOAD_A(1); PRODUCTS();              // m·h′
            LOAD_B(1); PRODUCTS();              // m·m′
        }
    }
    size_t stride = ldo * sizeof(float);
    _tile_stored(0, dst, stride); _tile_stored(1, dst + 16, stride);
    _tile_stored(2, dst + 16 * ldo, stride); _tile_stored(3, dst + 16 * ldo + 16, stride);
}

// y[rows × n] (stride ldy) = the packed activation panel · the packed weights + bias (bias_pad: n rounded up
// to 32 floats). Edge blocks go through `strip` (PANEL × 32 floats). Tiles must be configured.
__attribute__((target("amx-tile,amx-bf16")))
static void multiply_panel(int parts, const uint16_t *panel, size_t rows, size_t kbc, const uint16_t *w, size_t n,
                           const float *bias_pad, float *y, size_t ldy, float *strip) {
    size_t block = kbc * (size_t)parts * 2 * TILE;  // one 32-row (or 32-output) block across all inputs
    size_t kc = kb_per_chunk(parts);
    size_t mbc = ek_round_up(rows, 32) / 32, nbc = ek_round_up(n, 32) / 32;
    size_t full_rows = rows / 32;
    for (size_t nb = 0; nb < nbc; nb++) {
        int full_width = nb * 32 + 32 <= n;
        for (size_t k0 = 0; k0 < kbc; k0 += kc) {
            size_t kbn = kbc - k0 < kc ? kbc - k0 : kc;
            const uint16_t *b = w + nb * block + k0 * (size_t)parts * 2 * TILE;
            for (size_t mb = 0; mb < mbc; mb++) {
                const uint16_t *a = panel + mb * block + k0 * (size_t)parts * 2 * TILE;
                float *dst; size_t ldo;
                if (full_width && mb < full_rows) { dst = y + mb * 32 * ldy + nb * 32; ldo = ldy; }
                else { dst = strip + mb * 32 * 32; ldo = 32; }
                if (k0 == 0) kernel_2x2(parts, a, b, kbn, bias_pad + nb * 32, bias_pad + nb * 32, 0, dst, ldo);
                else kernel_2x2(parts, a, b, kbn, dst, dst + 16 * ldo, ldo * sizeof(float), dst, ldo);
            }
        }
        // Edge blocks: copy the valid part out of the strip.
        size_t width = n - nb * 32 < 32 ? n - nb * 32 : 32;
        for (size_t mb = 0; mb < mbc; mb++) {
            if (full_width && mb < full_rows) continue;
            size_t height = rows - mb * 32 < 32 ? rows - mb * 32 : 32;
            for (size_t r = 0; r < height; r++)
                memcpy(y + (mb * 32 + r) * ldy + nb * 32, strip + mb * 32 * 32 + r * 32, width * sizeof(float));
        }
    }
}

void ek_bf16s_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n, int parts,
                     const float *bias, float *y, size_t ldy, void *scratch) {
    size_t kbc = ek_round_up(k, 32) / 32;
    uint16_t *panel = (uint16_t *)scratch;
    float *strip = (float *)((char *)scratch + (size_t)PANEL * kbc * 32 * (size_t)parts * sizeof(uint16_t));
    float *bias_pad = strip + PANEL * 32;
    size_t np = ek_round_up(n, 32);
    for (size_t j = 0; j < np; j++) bias_pad[j] = (bias && j < n) ? bias[j] : 0.0f;
    ek_amx_configure_tiles();
    for (size_t p = 0; p < m; p += PANEL) {
        size_t rows = m - p < PANEL ? m - p : PANEL;
        pack_panel(x + p * ldx, rows, k, ldx, parts, panel);
        multiply_panel(parts, panel, rows, kbc, (const uint16_t *)packed, n, bias_pad, y + p * ldy, ldy, strip);
    }
    ek_amx_release_tiles();
}

#else
#include <stdlib.h>

// Never called: ek_amx_available() is 0 here.
void ek_bf16s_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n, int parts,
                     const float *bias, float *y, size_t ldy, void *scratch) {
    abort();
}

#endif
