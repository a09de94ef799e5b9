// Distance kernels in C so x86-64 builds can use AVX2/FMA and AVX-512 (selected at run time by CPU features)
// without compiler flags: Swift code built without -target-cpu only gets SSE. Also a prefetch hint, which Swift
// cannot express. Used through EmbedKitNumerics, and by EmbedKitIndex for the HNSW layer-0 search.
#ifndef EMBEDKIT_CKERNELS_H
#define EMBEDKIT_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

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

/// Σ q[i]·c[i] in int32 over n elements: a 16-bit quantized query against int8 codes (AVX-512BW / AVX2).
/// The caller keeps |q[i]| ≤ (2³¹ − 1) / (128·n) so the sum cannot overflow.
int32_t ek_dot_s8_s16(const int16_t *q, const int8_t *c, size_t n);

/// How an HNSW traversal scores a row (smaller is nearer).
enum {
    EK_HNSW_F32_DOT = 0,  ///< −q·x, float32 rows
    EK_HNSW_F32_L2 = 1,   ///< ‖q − x‖², float32 rows
    EK_HNSW_F16_DOT = 2,  ///< −q·x, half-precision rows
    EK_HNSW_F16_L2 = 3,   ///< ‖q − x‖², half-precision rows
    EK_HNSW_I8_DOT = 4,   ///< −(offset + scale·Σ q16·code), int8 rows
    EK_HNSW_I8_L2 = 5     ///< norm − 2(offset + scale·Σ q16·code) + norms[node], int8 rows
};

/// One HNSW layer-0 graph as the C search sees it.
typedef struct {
    const uint32_t *links;   ///< node n's list at links + n·stride: count, then neighbour ids
    size_t stride;
    const void *rows;        ///< traversal rows, row n at rows + n·row_bytes
    size_t row_bytes;
    size_t dimension;
    int kind;                ///< EK_HNSW_*
    const float *norms;      ///< ‖x̂‖² per row (EK_HNSW_I8_L2 only)
    void *locks;             ///< pthread_mutex_t array guarding lists while building (NULL when read-only)
    size_t lock_mask;        ///< node n's list is guarded by locks[n & lock_mask]
} ek_hnsw_layer;

/// A prepared query: float32 for the float kinds, a 16-bit quantized copy plus affine terms for the int8 kinds.
typedef struct {
    const float *f32;
    const int16_t *i16;
    float scale;
    float offset;
    float norm;              ///< ‖q‖² (EK_HNSW_I8_L2)
} ek_hnsw_query;

/// A (distance, node) pair; the same layout as the Swift `Candidate`.
typedef struct {
    float distance;
    uint32_t node;
} ek_hnsw_candidate;

/// The traversal distance from q to node (smaller is nearer).
float ek_hnsw_distance(const ek_hnsw_layer *layer, const ek_hnsw_query *q, uint32_t node);

/// HNSW beam search on layer 0 from `entry`: the ef nearest nodes found, written to pool (capacity ≥ ef) sorted
/// nearest first (ties by node); returns how many. visited[n] == epoch marks visited nodes (the caller bumps the
/// epoch per search); scratch_links (capacity ≥ stride) is used when layer->locks is set. Nodes < 2³¹.
size_t ek_hnsw_search_layer0(const ek_hnsw_layer *layer, const ek_hnsw_query *q, uint32_t entry,
                             float entry_distance, size_t ef, uint32_t *visited, uint32_t epoch,
                             ek_hnsw_candidate *pool, uint32_t *scratch_links);

/// Hints the CPU to start loading the cache line at p (no effect on results).
static inline void ek_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Hints the CPU to fetch the cache line at p for writing, owned by this core (`prefetchw`: a no-op on x86
/// cores without it; `__builtin_prefetch(p, 1, …)` emits a plain read prefetch unless the target enables it).
/// Never faults, whatever p; no effect on results.
static inline void ek_prefetch_write(const void *p) {
#if defined(__x86_64__)
    __asm__ volatile("prefetchw (%0)" : : "r"(p));   // p as an address in a register: never dereferenced in C
#else
    __builtin_prefetch(p, 1, 3);
#endif
}

#endif
