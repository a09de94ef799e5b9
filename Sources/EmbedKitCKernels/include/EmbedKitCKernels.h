// Distance kernels in C so x86-64 builds can use AVX2/FMA and AVX-512 (selected at run time by CPU features)
// without compiler flags: Swift code built without -target-cpu only gets SSE. Also a prefetch hint, which Swift
// cannot express. Used through EmbedKitNumerics only.
#ifndef EMBEDKIT_CKERNELS_H
#define EMBEDKIT_CKERNELS_H
#include <stddef.h>

/// Σ a[i]·b[i] over n floats (widest vector unit the CPU has).
float ek_dot_f32(const float *a, const float *b, size_t n);
/// Σ (a[i] − b[i])² over n floats.
float ek_l2sq_f32(const float *a, const float *b, size_t n);
/// Σ q[i]·half(v[i]) over n elements: float32 query against IEEE half-precision (binary16) vector bits.
float ek_dot_f16(const float *q, const unsigned short *v, size_t n);
/// Σ (q[i] − half(v[i]))² over n elements.
float ek_l2sq_f16(const float *q, const unsigned short *v, size_t n);
/// Name of the selected instruction set ("avx512f", "avx2+fma", "portable").
const char *ek_kernel_isa(void);

/// Hints the CPU to start loading the cache line at p (no effect on results).
static inline void ek_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
