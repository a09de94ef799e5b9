// exp on sixteen AVX-512 lanes, shared by the activation and attention kernels (private to this target).
#ifndef EMBEDKIT_EXP_AVX512_H
#define EMBEDKIT_EXP_AVX512_H
#if defined(__x86_64__)
#include <immintrin.h>

// exp(x) for x in [−87, 88] (inputs clamped): 2ⁿ · P(r / (ln2/2)), relative error < 2e-7.
__attribute__((target("avx512f,avx512dq"))) static inline __m512 exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
    __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.4426950408889634f), _mm512_set1_ps(12582912.0f));
    __m512 n = _mm512_sub_ps(shifted, _mm512_set1_ps(12582912.0f));
    __m512i exponent = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 t = _mm512_mul_ps(r, _mm512_set1_ps(2.8853900817779268f));
    __m512 p = _mm512_set1_ps(1.1961000723204052e-07f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(2.4171456516342005e-06f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(4.166703365626745e-05f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.00060112657956779f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.006938013713806868f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.06005662679672241f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.3465735912322998f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.0f));
    __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(exponent, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(p, scale);
}

#endif
#endif
