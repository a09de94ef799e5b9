// AMX int8 GEMM for dynamically quantized linear layers (see include/EmbedKitGemm.h).
//
// Weights: per output channel o, scale s_w = max|w_o|/127, q = round(w/s_w) ∈ [−127, 127] (symmetric: no
// zero point, so the weight side needs no correction). Activations: per row r (over its k inputs), asymmetric
// u8: the range [min(x, 0), max(x, 0)] is mapped onto 0…255, s_x = range/255, z = round(−min/s_x), q = x/s_x + z.
// Asymmetric because a layer's input is often one-sided (the FFN output layer reads GELU values ≥ −0.17): all
// 256 codes cover the values that occur instead of half of them, and the zero point costs one multiply-add per
// output: x·w ≈ s_x·s_w·(Σ q_x·q_w − z·Σ q_w), Σ q_w per output precomputed at pack time.
//
// Layouts: packed weight = for each block of 32 outputs, each block of 64 inputs, each half (16 outputs): one
// 1 KB tile in TDPBUSD's B layout (row r = inputs 4r…4r+3, column c = output, 4 bytes); then n rounded up to 32
// floats of scales s_w and as many floats s_w·Σq_w (the zero-point correction, so the store needs no integer
// multiply: y = acc·(s_x·s_w) + (b − s_x·z·s_w·Σq_w)). Packed activations (scratch, PANEL rows at a time): for each
// block of 32 rows, each 64 inputs, each half (16 rows): a row-major 16 × 64-byte tile.
#include "EmbedKitGemm.h"
#include "amx_support.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef I8PANEL
#define I8PANEL 64   // activation rows quantized at a time (64: the panel stays in L1; 128+ measured 2–3× slower on wide layers)
#endif
#define PANEL I8PANEL
#define TILE_BYTES 1024

size_t ek_int8_packed_weight_bytes(size_t n, size_t k) {
    size_t np = ek_round_up(n, 32);
    return np * ek_round_up(k, 64) + np * 2 * sizeof(float);
}

size_t ek_int8_scratch_bytes(size_t n, size_t k) {
    // panel, row scales and zero points, 32 × 32 int32 accumulators, bias padded to 32
    return (size_t)PANEL * ek_round_up(k, 64) + PANEL * (sizeof(float) + sizeof(int32_t)) + 32 * 32 * sizeof(int32_t) +
           ek_round_up(n, 32) * sizeof(float);
}

void ek_int8_pack_weight(const float *w, size_t n, size_t k, size_t ldw, void *packed) {
    size_t np = ek_round_up(n, 32), kp = ek_round_up(k, 64), kbc = kp / 64;
    int8_t *tiles = (int8_t *)packed;
    float *scales = (float *)(tiles + np * kp);
    float *corrections = scales + np;
    memset(packed, 0, np * kp);
    for (size_t o = 0; o < np; o++) {
        float top = 0;
        if (o < n) for (size_t i = 0; i < k; i++) top = fmaxf(top, fabsf(w[o * ldw + i]));
        float scale = top > 0 ? top / 127 : 1;
        scales[o] = scale;
        int32_t sum = 0;
        size_t nb = o / 32, half = (o / 16) % 2, c = o % 16;
        for (size_t i = 0; o < n && i < k; i++) {
            float q = rintf(w[o * ldw + i] / scale);
            int8_t v = (int8_t)(q > 127 ? 127 : (q < -127 ? -127 : q));
            sum += v;
            size_t kb = i / 64, r = (i % 64) / 4, e = i % 4;
            tiles[((nb * kbc + kb) * 2 + half) * TILE_BYTES + r * 64 + c * 4 + e] = v;
        }
        corrections[o] = scale * (float)sum;
    }
}

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>

// Quantizes rows [0, rows) of x into the packed panel (rows up to 32 and inputs up to 64 are zero bytes; the
// zero weights there make them contribute nothing) and their scales and zero points.
__attribute__((target("avx512f,avx512bw")))
static void quantize_panel(const float *x, size_t rows, size_t k, size_t ldx, uint8_t *out, float *row_scale,
                           int32_t *row_zero) {
    size_t kp = ek_round_up(k, 64), kbc = kp / 64, rp = ek_round_up(rows, 32);
    for (size_t r = 0; r < rp; r++) {
        size_t mb = r / 32, half = (r / 16) % 2, rr = r % 16;
        uint8_t *base = out + (mb * kbc * 2 + half) * TILE_BYTES + rr * 64;
        if (r >= rows) {
            for (size_t kb = 0; kb < kbc; kb++) memset(base + kb * 2 * TILE_BYTES, 0, 64);
            row_scale[r] = 0; row_zero[r] = 0;
            continue;
        }
        const float *src = x + r * ldx;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        for (size_t i = 0; i < k; i += 16) {
            __mmask16 m = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
            __m512 v = _mm512_maskz_loadu_ps(m, src + i);
            lo = _mm512_min_ps(lo, v); hi = _mm512_max_ps(hi, v);
        }
        float mn = _mm512_reduce_min_ps(lo), mx = _mm512_reduce_max_ps(hi);
        float scale = mx > mn ? (mx - mn) / 255 : 1;
        int32_t zero = (int32_t)rintf(-mn / scale);
        row_scale[r] = scale; row_zero[r] = zero;
        __m512 inv = _mm512_set1_ps(1 / scale), z = _mm512_set1_ps((float)zero);
        __m512i top = _mm512_set1_epi32(255), bottom = _mm512_setzero_si512();
        for (size_t kb = 0; kb < kbc; kb++) {
            uint8_t *dst = base + kb * 2 * TILE_BYTES;
            for (size_t j = 0; j < 64; j += 16) {
                size_t i = kb * 64 + j;
                __m128i q = _mm_setzero_si128();
                if (i < k) {
                    __mmask16 m = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
                    __m512i v = _mm512_cvtps_epi32(_mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, src + i), inv, z));
                    v = _mm512_min_epi32(_mm512_max_epi32(v, bottom), top);
                    q = _mm512_maskz_cvtepi32_epi8(m, v);
                }
                _mm_storeu_si128((__m128i *)(dst + j), q);
            }
        }
    }
}

// acc (32 × 32 int32, row stride 32) = Σ over kbc blocks of 64 inputs of a·b.
__attribute__((target("amx-tile,amx-int8")))
static void kernel_2x2(const uint8_t *a, const int8_t *b, size_t kbc, int32_t *acc) {
    _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
    for (size_t kb = 0; kb < kbc; kb++, a += 2 * TILE_BYTES, b += 2 * TILE_BYTES) {
        _tile_loadd(4, a, 64); _tile_loadd(5, a + TILE_BYTES, 64);
        _tile_loadd(6, b, 64); _tile_loadd(7, b + TILE_BYTES, 64);
        _tile_dpbusd(0, 4, 6); _tile_dpbusd(1, 4, 7); _tile_dpbusd(2, 5, 6); _tile_dpbusd(3, 5, 7);
    }
    _tile_stored(0, acc, 128); _tile_stored(1, acc + 16, 128);
    _tile_stored(2, acc + 16 * 32, 128); _tile_stored(3, acc + 16 * 32 + 16, 128);
}

// y rows [0, height), columns [0, width) of a 32 × 32 block = s_x·s_w·(acc − z·Σq_w) + bias.
__attribute__((target("avx512f")))
static void dequantize_block(const int32_t *acc, size_t height, size_t width, const float *row_scale,
                             const int32_t *row_zero, const float *w_scale, const float *w_correction, const float *bias,
                             float *y, size_t ldy) {
    __m512 ws0 = _mm512_loadu_ps(w_scale), ws1 = _mm512_loadu_ps(w_scale + 16);
    __m512 wc0 = _mm512_loadu_ps(w_correction), wc1 = _mm512_loadu_ps(w_correction + 16);
    __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_loadu_ps(bias + 16);
    __mmask16 m0 = width >= 16 ? 0xffff : (__mmask16)((1u << width) - 1);
    __mmask16 m1 = width >= 32 ? 0xffff : (width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0);
    for (size_t r = 0; r < height; r++) {
        __m512 s = _mm512_set1_ps(row_scale[r]), sz = _mm512_set1_ps(-row_scale[r] * (float)row_zero[r]);
        __m512 y0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_loadu_si512(acc + r * 32)), _mm512_mul_ps(s, ws0),
                                    _mm512_fmadd_ps(sz, wc0, b0));
        __m512 y1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_loadu_si512(acc + r * 32 + 16)), _mm512_mul_ps(s, ws1),
                                    _mm512_fmadd_ps(sz, wc1, b1));
        _mm512_mask_storeu_ps(y + r * ldy, m0, y0);
        _mm512_mask_storeu_ps(y + r * ldy + 16, m1, y1);
    }
}

void ek_int8_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n,
                    const float *bias, float *y, size_t ldy, void *scratch) {
    size_t np = ek_round_up(n, 32), kp = ek_round_up(k, 64), kbc = kp / 64;
    const int8_t *tiles = (const int8_t *)packed;
    const float *w_scale = (const float *)(tiles + np * kp);
    const float *w_correction = w_scale + np;
    uint8_t *panel = (uint8_t *)scratch;
    float *row_scale = (float *)(panel + (size_t)PANEL * kp);
    int32_t *row_zero = (int32_t *)(row_scale + PANEL);
    int32_t *acc = row_zero + PANEL;
    float *bias_pad = (float *)(acc + 32 * 32);
    for (size_t j = 0; j < np; j++) bias_pad[j] = (bias && j < n) ? bias[j] : 0.0f;
    ek_amx_configure_tiles();
    for (size_t p = 0; p < m; p += PANEL) {
        size_t rows = m - p < PANEL ? m - p : PANEL;
        quantize_panel(x + p * ldx, rows, k, ldx, panel, row_scale, row_zero);
        for (size_t nb = 0; nb < np / 32; nb++) {
            size_t width = n - nb * 32 < 32 ? n - nb * 32 : 32;
            const int8_t *b = tiles + nb * kbc * 2 * TILE_BYTES;
            for (size_t mb = 0; mb * 32 < rows; mb++) {
                size_t height = rows - mb * 32 < 32 ? rows - mb * 32 : 32;
                kernel_2x2(panel + mb * kbc * 2 * TILE_BYTES, b, kbc, acc);
                dequantize_block(acc, height, width, row_scale + mb * 32, row_zero + mb * 32, w_scale + nb * 32,
                                 w_correction + nb * 32, bias_pad + nb * 32, y + (p + mb * 32) * ldy + nb * 32, ldy);
            }
        }
    }
    ek_amx_release_tiles();
}

#else
#include <stdlib.h>

// Never called: ek_amx_available() is 0 here.
void ek_int8_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n,
                    const float *bias, float *y, size_t ldy, void *scratch) {
    abort();
}

#endif
