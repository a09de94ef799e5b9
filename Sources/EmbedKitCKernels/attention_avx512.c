// Fused scaled dot-product attention on AVX-512 (see include/EmbedKitActivations.h): for one packed sequence
// and every head, scores = q·kᵀ·scale, a max-subtracted softmax and the probabilities times v, eight query
// rows at a time, without writing the n × n score matrix anywhere but an eight-row scratch strip.
//
// Per head, k is first transposed into kt[d][np] (np = n rounded up to 16, zero padded) so a 64-key tile of
// scores is sixteen-lane FMAs of a broadcast q value against contiguous kt rows; v is copied into contiguous
// rows. One head's kt, packed v and the 8-row strip stay in L1/L2 while its query rows run.
#include "EmbedKitActivations.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512dq")))
#define INLINE __attribute__((always_inline)) static inline

#include "exp_avx512.h"

static inline size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }
static inline __mmask16 lanes(size_t left) { return left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1); }

size_t ek_attention_scratch_floats(size_t length, size_t head_size) {
    return round16(length) * (head_size + 8 + round16(head_size)) + 16;
}

// vp[j * dp + c] = v[j * ld + c] for c < d, zero for d ≤ c < dp: the head's values as contiguous rows, so the
// probability-weighted sum streams from L1 instead of touching one page per key.
TARGET static void pack_values(const float *v, size_t ld, size_t n, size_t d, float *vp, size_t dp) {
    for (size_t j = 0; j < n; j++)
        for (size_t c = 0; c < dp; c += 16)
            _mm512_storeu_ps(vp + j * dp + c, _mm512_maskz_loadu_ps(lanes(d - c > 16 ? 16 : d - c), v + j * ld + c));
}

// kt[c * np + j] = k[j * ld + c] for j < n, zero for n ≤ j < np.
TARGET static void transpose_keys(const float *k, size_t ld, size_t n, size_t d, float *kt, size_t np) {
    size_t j = 0;
    // Sixteen keys at a time: gather column c of a 16-row block with one strided gather per c.
    if (d > 0 && ld * 15 < (size_t)1 << 30) {
        __m512i index = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                           _mm512_set1_epi32((int)ld));
        for (; j + 16 <= n; j += 16) {
            const float *block = k + j * ld;
            for (size_t c = 0; c < d; c++)
                _mm512_storeu_ps(kt + c * np + j, _mm512_i32gather_ps(index, block + c, 4));
        }
    }
    for (size_t c = 0; c < d; c++) {
        float *row = kt + c * np;
        for (size_t jj = j; jj < n; jj++) row[jj] = k[jj * ld + c];
        for (size_t jj = n; jj < np; jj++) row[jj] = 0;
    }
}

// strip[r][jt .. jt + 16·nv) = scale · Σ_c q_r[c] · kt[c][…] for the four query rows q0…q3.
TARGET INLINE void score_tile(const float *const q[4], const float *kt, size_t np, size_t d, size_t jt, int nv,
                              float scale, float *strip) {
    __m512 acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 4; i++) acc[r][i] = _mm512_setzero_ps();
    for (size_t c = 0; c < d; c++) {
        const float *kr = kt + c * np + jt;
        __m512 kv[4];
        for (int i = 0; i < nv; i++) kv[i] = _mm512_loadu_ps(kr + 16 * i);
        for (int r = 0; r < 4; r++) {
            __m512 b = _mm512_set1_ps(q[r][c]);
            for (int i = 0; i < nv; i++) acc[r][i] = _mm512_fmadd_ps(b, kv[i], acc[r][i]);
        }
    }
    __m512 s = _mm512_set1_ps(scale);
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < nv; i++) _mm512_storeu_ps(strip + r * np + jt + 16 * i, _mm512_mul_ps(acc[r][i], s));
}

// out_r[cg … cg + 16·nv) = inverse[r] · Σ_j p_r[j] · vp[j][…] for eight query rows (the last vector masked to
// the head size): sixteen independent accumulators keep both FMA ports busy.
TARGET INLINE void weighted_values(const float *strip, size_t np, const float *vp, size_t dp, size_t n, size_t cg,
                                   int nv, __mmask16 last, const float inverse[8], float *const out[8], int rows) {
    __m512 acc[8][2];
    for (int r = 0; r < 8; r++)
        for (int i = 0; i < 2; i++) acc[r][i] = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j++) {
        const float *vr = vp + j * dp + cg;
        __m512 vv[2];
        for (int i = 0; i < nv; i++) vv[i] = _mm512_loadu_ps(vr + 16 * i);
        for (int r = 0; r < 8; r++) {
            __m512 p = _mm512_set1_ps(strip[r * np + j]);
            for (int i = 0; i < nv; i++) acc[r][i] = _mm512_fmadd_ps(p, vv[i], acc[r][i]);
        }
    }
    for (int r = 0; r < rows; r++) {
        __m512 s = _mm512_set1_ps(inverse[r]);
        for (int i = 0; i < nv; i++)
            _mm512_mask_storeu_ps(out[r] + cg + 16 * i, i == nv - 1 ? last : 0xffff, _mm512_mul_ps(acc[r][i], s));
    }
}

// Replaces strip row values [0, n) by exp(x − max) and returns their sum.
TARGET static float exponentiate_row(float *row, size_t n) {
    __m512 m = _mm512_set1_ps(-__builtin_inff());
    for (size_t j = 0; j < n; j += 16) m = _mm512_mask_max_ps(m, lanes(n - j), m, _mm512_loadu_ps(row + j));
    __m512 mx = _mm512_set1_ps(_mm512_reduce_max_ps(m));
    __m512 sum = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 k = lanes(n - j);
        __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(row + j), mx));
        _mm512_mask_storeu_ps(row + j, k, e);
        sum = _mm512_mask_add_ps(sum, k, sum, e);
    }
    return _mm512_reduce_add_ps(sum);
}

TARGET void ek_attention_avx512(const float *q, const float *k, const float *v, size_t ld, size_t n, size_t heads,
                                size_t d, float scale, float *out, size_t ldo, float *scratch) {
    if (n == 0 || d == 0) return;
    size_t np = round16(n), dp = round16(d);
    float *kt = scratch;
    float *strip = kt + d * np;
    float *vp = strip + 8 * np;
    for (size_t h = 0; h < heads; h++) {
        const float *qh = q + h * d, *kh = k + h * d, *vh = v + h * d;
        float *oh = out + h * d;
        transpose_keys(kh, ld, n, d, kt, np);
        pack_values(vh, ld, n, d, vp, dp);
        for (size_t r0 = 0; r0 < n; r0 += 8) {
            int rows = n - r0 < 8 ? (int)(n - r0) : 8;
            const float *qr[8];
            float *orow[8];
            for (int r = 0; r < 8; r++) {
                size_t row = r0 + (size_t)(r < rows ? r : rows - 1);  // spare lanes repeat the last row
                qr[r] = qh + row * ld;
                orow[r] = oh + row * ldo;
            }
            for (int half = 0; half < 8 && half < rows; half += 4) {
                const float *const *q4 = qr + half;
                float *s4 = strip + (size_t)half * np;
                size_t jt = 0;
                for (; jt + 64 <= np; jt += 64) score_tile(q4, kt, np, d, jt, 4, scale, s4);
                switch ((np - jt) / 16) {
                case 3: score_tile(q4, kt, np, d, jt, 3, scale, s4); break;
                case 2: score_tile(q4, kt, np, d, jt, 2, scale, s4); break;
                case 1: score_tile(q4, kt, np, d, jt, 1, scale, s4); break;
                default: break;
                }
            }
            float inverse[8];
            for (int r = 0; r < 8; r++) {
                if (r >= rows) { inverse[r] = 0; continue; }
                inverse[r] = 1.0f / exponentiate_row(strip + (size_t)r * np, n);
            }
            if (rows <= 4)  // the upper half was not scored: give its spare lanes finite weights
                for (int r = 4; r < 8; r++)
                    for (size_t j = 0; j < n; j++) strip[(size_t)r * np + j] = 0;
            for (size_t cg = 0; cg < d; cg += 32) {
                size_t width = d - cg < 32 ? d - cg : 32;
                int nv = (int)((width + 15) / 16);
                __mmask16 last = lanes(width - 16 * (size_t)(nv - 1));
                if (nv == 2) weighted_values(strip, np, vp, dp, n, cg, 2, last, inverse, orow, rows);
                else weighted_values(strip, np, vp, dp, n, cg, 1, last, inverse, orow, rows);
            }
        }
    }
}

#else

size_t ek_attention_scratch_floats(size_t length, size_t head_size) {
    return ((length + 15) & ~(size_t)15) * (head_size + 8 + ((head_size + 15) & ~(size_t)15)) + 16;
}
void ek_attention_avx512(const float *q, const float *k, const float *v, size_t ld, size_t n, size_t heads, size_t d,
                         float scale, float *out, size_t ldo, float *scratch) {
    (void)q; (void)k; (void)v; (void)ld; (void)n; (void)heads; (void)d; (void)scale; (void)out; (void)ldo; (void)scratch;
    __builtin_trap();  // callers check ek_activations_avx512() first
}

#endif
