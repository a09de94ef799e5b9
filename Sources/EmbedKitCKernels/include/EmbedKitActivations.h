// Transformer activation kernels on AVX-512 (selected at run time; callers keep a portable path for other
// CPUs): row softmax and exact (erf) GELU, with the same exp/erf polynomials as EmbedKitNumerics'
// Exponential / ErrorFunction (coefficients from scripts/fixtures/erf_exp_coefficients.py).
#ifndef EMBEDKIT_ACTIVATIONS_H
#define EMBEDKIT_ACTIVATIONS_H
#include <stddef.h>

/// 1 when the AVX-512 activation kernels below can run on this CPU.
int ek_activations_avx512(void);
/// Softmax of each of `rows` rows (`width` values, row stride `stride`) of x·scale, in place.
void ek_softmax_rows_avx512(float *x, size_t rows, size_t width, size_t stride, float scale);
/// x[i] = x[i]/2 · (1 + erf(x[i]/√2)) for count values; NaN stays NaN.
void ek_gelu_avx512(float *x, size_t count);

#endif
