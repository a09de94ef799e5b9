// HNSW layer-0 beam search and the traversal distances it uses, in one tight C loop: a sorted candidate pool of
// ef entries (no heaps), epoch-stamped visited marks, prefetch of the next neighbours' rows and marks, and
// AVX-512 / AVX2 distance kernels chosen once at start-up (no compiler flags needed).
#include "EmbedKitCKernels.h"
#include <pthread.h>
#include <string.h>

#define EXPANDED 0x80000000u
// Longest neighbour list the search reads (2·M ≤ 256 for M ≤ 128, the parameter limit).
#define EK_MAX_DEGREE 256

// ---- int8 codes × 16-bit query: Σ q[i]·c[i] in int32 ----

static int32_t dot_s8_s16_portable(const int16_t *q, const int8_t *c, size_t n) {
    int32_t s0 = 0, s1 = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) { s0 += (int32_t)q[i] * c[i]; s1 += (int32_t)q[i + 1] * c[i + 1]; }
    for (; i < n; i++) s0 += (int32_t)q[i] * c[i];
    return s0 + s1;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx512vl"))) static inline __attribute__((always_inline))
int32_t dot_s8_s16_avx512_inline(const int16_t *q, const int8_t *c, size_t n) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i c0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c + i)));
        __m512i c1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c + i + 32)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(c0, _mm512_loadu_si512(q + i)));
        s1 = _mm512_add_epi32(s1, _mm512_madd_epi16(c1, _mm512_loadu_si512(q + i + 32)));
    }
    if (i < n) {
        size_t left = n - i;
        __mmask32 m0 = left >= 32 ? 0xffffffffu : (__mmask32)((1u << left) - 1);
        __mmask32 m1 = left > 32 ? (__mmask32)(left >= 64 ? 0xffffffffu : ((1u << (left - 32)) - 1)) : 0;
        __m512i c0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m0, c + i));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(c0, _mm512_maskz_loadu_epi16(m0, q + i)));
        if (m1) {
            __m512i c1 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m1, c + i + 32));
            s1 = _mm512_add_epi32(s1, _mm512_madd_epi16(c1, _mm512_maskz_loadu_epi16(m1, q + i + 32)));
        }
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

__attribute__((target("avx512f,avx512bw,avx512vl")))
static int32_t dot_s8_s16_avx512(const int16_t *q, const int8_t *c, size_t n) {
    return dot_s8_s16_avx512_inline(q, c, n);
}

__attribute__((target("avx2")))
static int32_t dot_s8_s16_avx2(const int16_t *q, const int8_t *c, size_t n) {
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i c0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(c + i)));
        __m256i c1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(c + i + 16)));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(c0, _mm256_loadu_si256((const __m256i *)(q + i))));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(c1, _mm256_loadu_si256((const __m256i *)(q + i + 16))));
    }
    __m256i s = _mm256_add_epi32(s0, s1);
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
    int32_t sum = _mm_cvtsi128_si32(t);
    for (; i < n; i++) sum += (int32_t)q[i] * c[i];
    return sum;
}
#endif

typedef int32_t (*ek_code_kernel)(const int16_t *, const int8_t *, size_t);
static ek_code_kernel code_impl = dot_s8_s16_portable;

__attribute__((constructor))
static void ek_select_code_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) code_impl = dot_s8_s16_avx512;
    else if (__builtin_cpu_supports("avx2")) code_impl = dot_s8_s16_avx2;
#endif
}

int32_t ek_dot_s8_s16(const int16_t *q, const int8_t *c, size_t n) { return code_impl(q, c, n); }

// ---- traversal distance ----

float ek_hnsw_distance(const ek_hnsw_layer *layer, const ek_hnsw_query *q, uint32_t node) {
    const char *row = (const char *)layer->rows + (size_t)node * layer->row_bytes;
    size_t d = layer->dimension;
    switch (layer->kind) {
    case EK_HNSW_F32_DOT: return -ek_dot_f32(q->f32, (const float *)row, d);
    case EK_HNSW_F32_L2: return ek_l2sq_f32(q->f32, (const float *)row, d);
    case EK_HNSW_F16_DOT: return -ek_dot_f16(q->f32, (const unsigned short *)row, d);
    case EK_HNSW_F16_L2: return ek_l2sq_f16(q->f32, (const unsigned short *)row, d);
    case EK_HNSW_I8_DOT: return -(q->offset + q->scale * (float)code_impl(q->i16, (const int8_t *)row, d));
    default:
        return q->norm - 2 * (q->offset + q->scale * (float)code_impl(q->i16, (const int8_t *)row, d)) +
               layer->norms[node];
    }
}

static inline int ranks_before(float da, uint32_t na, float db, uint32_t nb) {
    return da < db || (da == db && (na & ~EXPANDED) < (nb & ~EXPANDED));
}

static inline void prefetch_row(const ek_hnsw_layer *layer, uint32_t node) {
    const char *row = (const char *)layer->rows + (size_t)node * layer->row_bytes;
    for (size_t off = 0; off < layer->row_bytes; off += 64) __builtin_prefetch(row + off, 0, 3);
}

// Inserts (dist, node) into the sorted pool of *size (≤ ef) entries; returns its position or ef when rejected.
static inline size_t pool_insert(ek_hnsw_candidate *pool, size_t *size, size_t ef, float dist, uint32_t node) {
    size_t n = *size;
    if (n == ef && !ranks_before(dist, node, pool[n - 1].distance, pool[n - 1].node)) return ef;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) >> 1;
        if (ranks_before(pool[mid].distance, pool[mid].node, dist, node)) lo = mid + 1;
        else hi = mid;
    }
    size_t moved = (n == ef ? n - 1 : n) - lo;
    memmove(pool + lo + 1, pool + lo, moved * sizeof(ek_hnsw_candidate));
    pool[lo].distance = dist;
    pool[lo].node = node;
    if (n < ef) *size = n + 1;
    return lo;
}

// The search loop, generated once per distance so the distance is inlined (no switch, no indirect call).
#define EK_DEFINE_SEARCH(NAME, ATTRIBUTES, DISTANCE)                                                             \
ATTRIBUTES static size_t NAME(const ek_hnsw_layer *layer, const ek_hnsw_query *q, uint32_t entry,               \
                              float entry_distance, size_t ef, uint32_t *visited, uint32_t epoch,                \
                              ek_hnsw_candidate *pool, uint32_t *scratch_links) {                               \
    const uint32_t *links = layer->links;                                                                        \
    size_t stride = layer->stride;                                                                               \
    pthread_mutex_t *locks = (pthread_mutex_t *)layer->locks;                                                    \
    size_t size = 1, cursor = 0;                                                                                 \
    if (ef == 0) ef = 1;                                                                                         \
    pool[0].distance = entry_distance;                                                                           \
    pool[0].node = entry;                                                                                        \
    visited[entry] = epoch;                                                                                      \
    while (cursor < size) {                                                                                      \
        uint32_t current = pool[cursor].node;                                                                    \
        pool[cursor].node = current | EXPANDED;                                                                  \
        const uint32_t *list = links + (size_t)current * stride;                                                 \
        uint32_t count;                                                                                          \
        if (locks) {                                                                                             \
            pthread_mutex_t *lock = locks + (current & layer->lock_mask);                                        \
            pthread_mutex_lock(lock);                                                                            \
            count = list[0];                                                                                     \
            memcpy(scratch_links, list + 1, count * sizeof(uint32_t));                                           \
            pthread_mutex_unlock(lock);                                                                          \
            list = scratch_links;                                                                                \
        } else {                                                                                                 \
            count = list[0];                                                                                     \
            list = list + 1;                                                                                     \
        }                                                                                                        \
        for (uint32_t j = 0; j < count; j++) __builtin_prefetch(visited + list[j], 1, 3);                        \
        /* Unvisited neighbours first (marked now), then all their rows start loading before any is scored:   \
           small rows (int8 codes) all at once, large rows two ahead. */                                        \
        uint32_t todo[EK_MAX_DEGREE];                                                                            \
        uint32_t fresh = 0;                                                                                      \
        for (uint32_t j = 0; j < count && j < EK_MAX_DEGREE; j++) {                                              \
            uint32_t node = list[j];                                                                             \
            if (visited[node] != epoch) { visited[node] = epoch; todo[fresh++] = node; }                         \
        }                                                                                                        \
        uint32_t ahead = layer->row_bytes <= 512 ? fresh : (fresh < 2 ? fresh : 2);                              \
        for (uint32_t j = 0; j < ahead; j++) prefetch_row(layer, todo[j]);                                       \
        size_t best = size;                                                                                      \
        for (uint32_t j = 0; j < fresh; j++) {                                                                   \
            if (ahead < fresh) prefetch_row(layer, todo[ahead++]);                                               \
            uint32_t node = todo[j];                                                                             \
            float dist = DISTANCE(layer, q, node);                                                               \
            size_t at = pool_insert(pool, &size, ef, dist, node);                                                \
            if (at < best) best = at;                                                                            \
        }                                                                                                        \
        if (best < cursor) cursor = best;                                                                        \
        while (cursor < size && (pool[cursor].node & EXPANDED)) cursor++;                                        \
        if (cursor < size) {                                                                                     \
            const uint32_t *next = links + (size_t)(pool[cursor].node) * stride;                                 \
            __builtin_prefetch(next, 0, 3);                                                                      \
            __builtin_prefetch(next + 16, 0, 3);                                                                 \
        }                                                                                                        \
    }                                                                                                            \
    for (size_t i = 0; i < size; i++) pool[i].node &= ~EXPANDED;                                                 \
    return size;                                                                                                 \
}

EK_DEFINE_SEARCH(search_generic, , ek_hnsw_distance)

#if defined(__x86_64__)
#define EK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

EK_AVX512 static inline __attribute__((always_inline)) float i8_dot_avx512(const ek_hnsw_layer *layer,
                                                                          const ek_hnsw_query *q, uint32_t node) {
    const int8_t *c = (const int8_t *)layer->rows + (size_t)node * layer->row_bytes;
    return -(q->offset + q->scale * (float)dot_s8_s16_avx512_inline(q->i16, c, layer->dimension));
}

EK_AVX512 static inline __attribute__((always_inline)) float i8_l2_avx512(const ek_hnsw_layer *layer,
                                                                         const ek_hnsw_query *q, uint32_t node) {
    const int8_t *c = (const int8_t *)layer->rows + (size_t)node * layer->row_bytes;
    return q->norm - 2 * (q->offset + q->scale * (float)dot_s8_s16_avx512_inline(q->i16, c, layer->dimension)) +
           layer->norms[node];
}

EK_AVX512 static inline __attribute__((always_inline)) float f32_dot_avx512(const ek_hnsw_layer *layer,
                                                                           const ek_hnsw_query *q, uint32_t node) {
    const float *x = (const float *)((const char *)layer->rows + (size_t)node * layer->row_bytes);
    const float *y = q->f32;
    size_t n = layer->dimension, i = 0;
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(y + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 48), _mm512_loadu_ps(y + i + 48), s3);
    }
    for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), s0);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), s1);
    }
    return -_mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

EK_DEFINE_SEARCH(search_i8_dot_avx512, EK_AVX512, i8_dot_avx512)
EK_DEFINE_SEARCH(search_i8_l2_avx512, EK_AVX512, i8_l2_avx512)
EK_DEFINE_SEARCH(search_f32_dot_avx512, EK_AVX512, f32_dot_avx512)
#endif

size_t ek_hnsw_search_layer0(const ek_hnsw_layer *layer, const ek_hnsw_query *q, uint32_t entry,
                             float entry_distance, size_t ef, uint32_t *visited, uint32_t epoch,
                             ek_hnsw_candidate *pool, uint32_t *scratch_links) {
#if defined(__x86_64__)
    if (code_impl == dot_s8_s16_avx512) {
        switch (layer->kind) {
        case EK_HNSW_I8_DOT:
            return search_i8_dot_avx512(layer, q, entry, entry_distance, ef, visited, epoch, pool, scratch_links);
        case EK_HNSW_I8_L2:
            return search_i8_l2_avx512(layer, q, entry, entry_distance, ef, visited, epoch, pool, scratch_links);
        case EK_HNSW_F32_DOT:
            return search_f32_dot_avx512(layer, q, entry, entry_distance, ef, visited, epoch, pool, scratch_links);
        default: break;
        }
    }
#endif
    return search_generic(layer, q, entry, entry_distance, ef, visited, epoch, pool, scratch_links);
}
