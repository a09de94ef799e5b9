// Transformer kernels on AVX-512 (selected at run time; callers keep a portable path for other CPUs): row
// softmax, exact (erf) GELU, residual + LayerNorm and fused attention, with the same exp/erf polynomials as EmbedKitNumerics'
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
/// x[r][j] = gelu(x[r][j] + bias[j]) for `rows` contiguous rows of `width` values.
void ek_gelu_bias_avx512(float *x, size_t rows, size_t width, const float *bias);
/// Layer normalization of `rows` contiguous rows of `width` values in place, after x = (x + bias) + residual
/// (`bias` is used only together with a residual; either may be NULL):
/// y = (x − mean) / √(var + epsilon) · gamma + beta (two-pass float32 statistics).
void ek_layernorm_avx512(float *x, const float *bias, const float *residual, size_t rows, size_t width,
                         const float *gamma, const float *beta, float epsilon);

/// Floats of scratch ``ek_attention_avx512`` needs for sequences of up to `length` tokens and `head_size`.
size_t ek_attention_scratch_floats(size_t length, size_t head_size);
/// Scaled dot-product attention of one sequence of `n` tokens for `heads` heads of `head_size` values, no mask:
/// out_h = softmax(q_h · k_hᵀ · scale) · v_h. Row i of q, k, v starts at q/k/v + i·ld; head h at + h·head_size;
/// out row i head h at out + i·ldo + h·head_size. `scratch` holds ek_attention_scratch_floats(n, head_size)
/// floats. The softmax subtracts each row's maximum before exponentiating.
void ek_attention_avx512(const float *q, const float *k, const float *v, size_t ld, size_t n, size_t heads,
                         size_t head_size, float scale, float *out, size_t ldo, float *scratch);

#endif
