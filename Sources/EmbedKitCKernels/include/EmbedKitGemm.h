// Matrix multiplication for linear layers (y = x·wᵀ + b) on Intel AMX (Sapphire Rapids and later). Weights are
// packed once into the tile layout; activations are converted per call, a panel of rows at a time. Used
// through EmbedKitNumerics only.
//
// bf16 splitting (bf16_split_gemm.c): every float is split into `parts` bf16 numbers, x = x₀ + x₁ (+ x₂), each
// the bf16 rounding of what the earlier parts left, and x·w is the sum of the part products that matter,
// accumulated in float32 by TDPBF16PS:
//   parts 2, "bf16x3": x₀w₀ + x₀w₁ + x₁w₀ — about 17 significant bits per product (dropped x₁w₁ and the
//     2-part representation error are ~2⁻¹⁸ relative);
//   parts 3, "bf16x6": x₀w₀ + x₀w₁ + x₁w₀ + x₁w₁ + x₀w₂ + x₂w₀ — 3 parts hold float32's 24-bit significand
//     (to ~2⁻²⁷), the dropped products are ≤ ~2⁻²⁶ relative, below float32's own product rounding (2⁻²⁴).
//
// int8 (int8_gemm.c): weights quantized per output channel (symmetric, s8, scale max|w|/127) at pack time;
// activations per row on the fly (asymmetric u8 with a zero point, scale (max − min)/255), TDPBUSD with int32
// accumulation, then y = s_x·s_w·(acc − z·Σw_q) + b.
#ifndef EMBEDKIT_GEMM_H
#define EMBEDKIT_GEMM_H
#include <stddef.h>

/// 1 when this CPU and OS can run the AMX kernels (CPUID AMX-TILE/AMX-BF16/AMX-INT8/AVX512-BF16 and the Linux
/// permission request for tile data succeeded), else 0. The answer is computed once.
int ek_amx_available(void);

/// Bytes of the packed form of an n × k weight matrix split into `parts` (2 or 3) bf16 parts.
size_t ek_bf16s_packed_weight_bytes(size_t n, size_t k, int parts);
/// Splits and packs w (n rows of k floats, row stride ldw; PyTorch's [out, in] layout) into `packed`
/// (ek_bf16s_packed_weight_bytes bytes, 64-byte aligned). Runs without AMX.
void ek_bf16s_pack_weight(const float *w, size_t n, size_t k, size_t ldw, int parts, void *packed);
/// Bytes of scratch ek_bf16s_linear needs for up to n outputs and k inputs (independent of the row count).
size_t ek_bf16s_scratch_bytes(size_t n, size_t k, int parts);
/// y[m × n] (row stride ldy) = x[m × k] (row stride ldx) · wᵀ + bias (bias may be NULL), with w packed by
/// ek_bf16s_pack_weight(…, n, k, …, parts, …). scratch: ek_bf16s_scratch_bytes(≥ n, ≥ k, parts) bytes,
/// 64-byte aligned. Requires ek_amx_available().
void ek_bf16s_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n, int parts,
                     const float *bias, float *y, size_t ldy, void *scratch);

/// Bytes of the int8 packed form of an n × k weight matrix (tiles, then per-output scales and zero-point terms).
size_t ek_int8_packed_weight_bytes(size_t n, size_t k);
/// Quantizes (per output row, symmetric) and packs w (n × k, row stride ldw) into `packed`
/// (ek_int8_packed_weight_bytes bytes, 64-byte aligned). Runs without AMX.
void ek_int8_pack_weight(const float *w, size_t n, size_t k, size_t ldw, void *packed);
/// Bytes of scratch ek_int8_linear needs for up to n outputs and k inputs.
size_t ek_int8_scratch_bytes(size_t n, size_t k);
/// y[m × n] (row stride ldy) ≈ x[m × k] · wᵀ + bias with int8 weights (packed by ek_int8_pack_weight) and
/// activations quantized per row to u8. Requires ek_amx_available().
void ek_int8_linear(const float *x, size_t m, size_t k, size_t ldx, const void *packed, size_t n,
                    const float *bias, float *y, size_t ldy, void *scratch);

#endif
