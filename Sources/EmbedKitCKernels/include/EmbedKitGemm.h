// Matrix multiplication for linear layers on Intel AMX (Sapphire Rapids and later), close to float32 accuracy
// (~17 significant bits per product, float32 has 24) by "bf16x3" splitting: every float x = hi + lo with hi = bf16(x), lo = bf16(x − hi), and
// x·w ≈ hi·hi' + hi·lo' + lo·hi', accumulated in float32 by TDPBF16PS. Weights are split and packed once
// (ek_bf16x3_pack_weight); activations are split per call. Used through EmbedKitNumerics only.
#ifndef EMBEDKIT_GEMM_H
#define EMBEDKIT_GEMM_H
#include <stddef.h>

/// 1 when this CPU and OS can run the AMX kernels (CPUID AMX-TILE/AMX-BF16/AVX512-BF16 and the Linux
/// permission request for tile data succeeded), else 0. The answer is computed once.
int ek_amx_available(void);
/// Bytes of the packed form of an n × k weight matrix.
size_t ek_bf16x3_packed_weight_bytes(size_t n, size_t k);
/// Splits and packs w (n rows of k floats, row stride ldw; PyTorch's [out, in] layout) into `packed`
/// (ek_bf16x3_packed_weight_bytes(n, k) bytes, 64-byte aligned). Runs without AMX.
void ek_bf16x3_pack_weight(const float *w, size_t n, size_t k, size_t ldw, void *packed);
/// Bytes of scratch ek_bf16x3_linear needs for up to n outputs and k inputs (independent of the row count).
size_t ek_bf16x3_scratch_bytes(size_t n, size_t k);
/// y[m × n] (row stride ldy) = x[m × k] (row stride ldx) · wᵀ + bias (bias may be NULL), with w packed by
/// ek_bf16x3_pack_weight(…, n, k, …). scratch: ek_bf16x3_scratch_bytes(≥ n, ≥ k) bytes, 64-byte aligned.
/// Requires ek_amx_available().
void ek_bf16x3_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n,
                      const float *bias, float *y, size_t ldy, void *scratch);

#endif
