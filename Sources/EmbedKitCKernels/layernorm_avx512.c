// Bias + residual add + layer normalization on AVX-512 (see include/EmbedKitActivations.h). Two passes over each row
// in float32 with sixteen-lane partial sums (mean, then the mean of squared deviations), then the affine map;
// a row of a few hundred floats stays in L1 across the passes.
#include "EmbedKitActivations.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512dq")))

static inline __mmask16 lanes(size_t left) { return left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1); }

TARGET void ek_layernorm_avx512(float *x, const float *bias, const float *residual, size_t rows, size_t width,
                                const float *gamma, const float *beta, float epsilon) {
    if (width == 0) return;
    const __m512 count = _mm512_set1_ps((float)width);
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * width;
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        size_t j = 0;
        if (bias && residual) {
            const float *res = residual + r * width;
            for (; j < width; j += 16) {
                __mmask16 k = lanes(width - j);
                __m512 a = _mm512_add_ps(_mm512_maskz_loadu_ps(k, row + j), _mm512_maskz_loadu_ps(k, bias + j));
                a = _mm512_add_ps(a, _mm512_maskz_loadu_ps(k, res + j));
                _mm512_mask_storeu_ps(row + j, k, a);
                s0 = _mm512_add_ps(s0, a);
            }
        } else if (residual) {
            const float *res = residual + r * width;
            for (; j + 32 <= width; j += 32) {
                __m512 a = _mm512_add_ps(_mm512_loadu_ps(row + j), _mm512_loadu_ps(res + j));
                __m512 b = _mm512_add_ps(_mm512_loadu_ps(row + j + 16), _mm512_loadu_ps(res + j + 16));
                _mm512_storeu_ps(row + j, a);
                _mm512_storeu_ps(row + j + 16, b);
                s0 = _mm512_add_ps(s0, a);
                s1 = _mm512_add_ps(s1, b);
            }
            for (; j < width; j += 16) {
                __mmask16 k = lanes(width - j);
                __m512 a = _mm512_add_ps(_mm512_maskz_loadu_ps(k, row + j), _mm512_maskz_loadu_ps(k, res + j));
                _mm512_mask_storeu_ps(row + j, k, a);
                s0 = _mm512_add_ps(s0, a);
            }
        } else {
            for (; j + 32 <= width; j += 32) {
                s0 = _mm512_add_ps(s0, _mm512_loadu_ps(row + j));
                s1 = _mm512_add_ps(s1, _mm512_loadu_ps(row + j + 16));
            }
            for (; j < width; j += 16) s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(lanes(width - j), row + j));
        }
        __m512 mean = _mm512_div_ps(_mm512_set1_ps(_mm512_reduce_add_ps(_mm512_add_ps(s0, s1))), count);
        __m512 q0 = _mm512_setzero_ps(), q1 = _mm512_setzero_ps();
        for (j = 0; j + 32 <= width; j += 32) {
            __m512 a = _mm512_sub_ps(_mm512_loadu_ps(row + j), mean);
            __m512 b = _mm512_sub_ps(_mm512_loadu_ps(row + j + 16), mean);
            q0 = _mm512_fmadd_ps(a, a, q0);
            q1 = _mm512_fmadd_ps(b, b, q1);
        }
        for (; j < width; j += 16) {
            __mmask16 k = lanes(width - j);
            __m512 a = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, row + j), mean);
            q0 = _mm512_fmadd_ps(a, a, q0);
        }
        float variance = _mm512_reduce_add_ps(_mm512_add_ps(q0, q1)) / (float)width;
        __m512 inverse = _mm512_set1_ps(1.0f / __builtin_sqrtf(variance + epsilon));
        for (j = 0; j < width; j += 16) {
            __mmask16 k = lanes(width - j);
            __m512 a = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, row + j), mean), inverse);
            __m512 y = _mm512_fmadd_ps(a, _mm512_maskz_loadu_ps(k, gamma + j), _mm512_maskz_loadu_ps(k, beta + j));
            _mm512_mask_storeu_ps(row + j, k, y);
        }
    }
}

#else

void ek_layernorm_avx512(float *x, const float *bias, const float *residual, size_t rows, size_t width,
                         const float *gamma, const float *beta, float epsilon) {
    (void)x; (void)bias; (void)residual; (void)rows; (void)width; (void)gamma; (void)beta; (void)epsilon;
    __builtin_trap();  // callers check ek_activations_avx512() first
}

#endif
