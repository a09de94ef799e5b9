// Shared by the AMX GEMM kernels (private to EmbedKitCKernels): tile configuration and small helpers.
#ifndef EMBEDKIT_AMX_SUPPORT_H
#define EMBEDKIT_AMX_SUPPORT_H
#include <stddef.h>

static inline size_t ek_round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

#if defined(__x86_64__) && defined(__linux__)
/// Configures all 8 tiles as 16 rows × 64 bytes (the only shape the kernels use).
void ek_amx_configure_tiles(void);
/// Releases the tile state (so the OS need not save it on context switches).
void ek_amx_release_tiles(void);
#endif

#endif
