// AVX-512 softmax and GELU (see include/EmbedKitActivations.h). The polynomials and range reductions are
// those of Exponential.swift and ErrorFunction.swift, sixteen lanes at a time with fused multiply-adds.
#include "EmbedKitActivations.h"

#if defined(__x86_64__)
#include <immintrin.h>

int ek_activations_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

#define TARGET __attribute__((target("avx512f,avx512dq")))
#include "exp_avx512.h"

static inline __mmask16 tail_mask(size_t left) { return left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1); }

TARGET void ek_softmax_rows_avx512(float *x, size_t rows, size_t width, size_t stride, float scale) {
    if (width == 0) return;
    __m512 s = _mm512_set1_ps(scale);
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * stride;
        __m512 m = _mm512_set1_ps(-__builtin_inff());
        for (size_t j = 0; j < width; j += 16)
            m = _mm512_mask_max_ps(m, tail_mask(width - j), m, _mm512_maskz_loadu_ps(tail_mask(width - j), row + j));
        float maximum = _mm512_reduce_max_ps(m);
        __m512 mx = _mm512_set1_ps(maximum);
        __m512 sum = _mm512_setzero_ps();
        for (size_t j = 0; j < width; j += 16) {
            __mmask16 k = tail_mask(width - j);
            __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, row + j), mx), s));
            _mm512_mask_storeu_ps(row + j, k, e);
            sum = _mm512_mask_add_ps(sum, k, sum, e);
        }
        __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
        for (size_t j = 0; j < width; j += 16) {
            __mmask16 k = tail_mask(width - j);
            _mm512_mask_storeu_ps(row + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, row + j), inverse));
        }
    }
}

// erf on sixteen lanes: a·P(2a² − 1) below 1, 1 − exp(−a²)·Q((a − 2.75)/1.75) on [1, 4.5), 1 above; sign
// restored; NaN passes through.
TARGET static inline __m512 erf16(__m512 x) {
    __m512 a = _mm512_abs_ps(x);
    __m512 u = _mm512_fmsub_ps(_mm512_add_ps(a, a), a, _mm512_set1_ps(1.0f));
    __m512 p = _mm512_set1_ps(1.2316402262513293e-06f);
    p = _mm512_fmadd_ps(p, u, _mm512_set1_ps(-1.7669080989435315e-05f));
    p = _mm512_fmadd_ps(p, u, _mm512_set1_ps(0.00021751198801212013f));
    p = _mm512_fmadd_ps(p, u, _mm512_set1_ps(-0.002285419497638941f));
    p = _mm512_fmadd_ps(p, u, _mm512_set1_ps(0.019852498546242714f));
    p = _mm512_fmadd_ps(p, u, _mm512_set1_ps(-0.1405360996723175f));
    p = _mm512_fmadd_ps(p, u, _mm512_set1_ps(0.9654687643051147f));
    __m512 small = _mm512_mul_ps(a, p);
    __mmask16 big = _mm512_cmp_ps_mask(a, _mm512_set1_ps(1.0f), _CMP_GE_OQ);
    __m512 result = small;
    if (big) {
        __m512 c = _mm512_min_ps(a, _mm512_set1_ps(4.5f));
        __m512 t = _mm512_mul_ps(_mm512_sub_ps(c, _mm512_set1_ps(2.75f)), _mm512_set1_ps(1.0f / 1.75f));
        __m512 q = _mm512_set1_ps(0.00025593943428248167f);
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.0005825155531056225f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.000653125811368227f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.0014834150206297636f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.003840541699901223f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.008034024387598038f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.016110260039567947f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.03178233280777931f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.060512226074934006f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.11066699028015137f));
        q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.19366207718849182f));
        __m512 large = _mm512_fnmadd_ps(exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), c), c)), q, _mm512_set1_ps(1.0f));
        large = _mm512_mask_mov_ps(large, _mm512_cmp_ps_mask(a, _mm512_set1_ps(4.5f), _CMP_GE_OQ), _mm512_set1_ps(1.0f));
        result = _mm512_mask_mov_ps(small, big, large);
    }
    __m512 sign = _mm512_and_ps(x, _mm512_castsi512_ps(_mm512_set1_epi32((int)0x80000000)));
    result = _mm512_or_ps(result, sign);
    return _mm512_mask_mov_ps(result, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

TARGET void ek_gelu_avx512(float *x, size_t count) {
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f), root = _mm512_set1_ps(0.7071067811865476f);
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 k = tail_mask(count - i);
        __m512 v = _mm512_maskz_loadu_ps(k, x + i);
        __m512 y = _mm512_mul_ps(_mm512_mul_ps(half, v), _mm512_add_ps(one, erf16(_mm512_mul_ps(v, root))));
        _mm512_mask_storeu_ps(x + i, k, y);
    }
}

TARGET void ek_gelu_bias_avx512(float *x, size_t rows, size_t width, const float *bias) {
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f), root = _mm512_set1_ps(0.7071067811865476f);
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * width;
        for (size_t i = 0; i < width; i += 16) {
            __mmask16 k = tail_mask(width - i);
            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(k, row + i), _mm512_maskz_loadu_ps(k, bias + i));
            __m512 y = _mm512_mul_ps(_mm512_mul_ps(half, v), _mm512_add_ps(one, erf16(_mm512_mul_ps(v, root))));
            _mm512_mask_storeu_ps(row + i, k, y);
        }
    }
}

#else

int ek_activations_avx512(void) { return 0; }
void ek_softmax_rows_avx512(float *x, size_t rows, size_t width, size_t stride, float scale) {
    (void)x; (void)rows; (void)width; (void)stride; (void)scale;
    __builtin_trap();  // callers check ek_activations_avx512() first
}
void ek_gelu_avx512(float *x, size_t count) { (void)x; (void)count; __builtin_trap(); }
void ek_gelu_bias_avx512(float *x, size_t rows, size_t width, const float *bias) {
    (void)x; (void)rows; (void)width; (void)bias;
    __builtin_trap();
}

#endif
