// Byte-class bitmasks for the pre-tokenizer's block scanner (see EmbedKitPretokenizer.h).
#include "EmbedKitPretokenizer.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

void ek_pretok_classify_portable(const uint8_t *p, size_t n, const uint8_t *classes, ek_pretok_masks *out) {
    uint64_t letter = 0, upper = 0, lower = 0, digit = 0, space = 0, newline = 0, other = 0;
    uint64_t nonascii = 0, apostrophe = 0, slash = 0, blank = 0;
    for (size_t k = 0; k < n && k < 64; k++) {
        uint8_t b = p[k];
        uint64_t bit = (uint64_t)1 << k;
        if (b >= 0x80) { nonascii |= bit; continue; }
        uint8_t f = classes[b];
        if (f & 1) letter |= bit;
        if (f & 2) digit |= bit;
        if (f & 4) space |= bit;
        if (f & 8) upper |= bit;
        if (f & 16) lower |= bit;
        if ((f & 7) == 0) other |= bit;
        if (b == '\n' || b == '\r') newline |= bit;
        if (b == '\'') apostrophe |= bit;
        if (b == '/') slash |= bit;
        if (b == ' ') blank |= bit;
    }
    out->letter = letter; out->upper = upper; out->lower = lower; out->digit = digit; out->space = space;
    out->newline = newline; out->other = other; out->nonascii = nonascii; out->apostrophe = apostrophe;
    out->slash = slash; out->blank = blank;
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vbmi")))
static void classify_avx512(const uint8_t *p, size_t n, const uint8_t *classes, ek_pretok_masks *out) {
    __mmask64 valid = n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
    __m512i v = _mm512_maskz_loadu_epi8(valid, p);            // masked lanes never fault
    __mmask64 nonascii = _mm512_movepi8_mask(v) & valid;
    __mmask64 ascii = valid & ~nonascii;
    __m512i t0 = _mm512_loadu_si512((const void *)classes);
    __m512i t1 = _mm512_loadu_si512((const void *)(classes + 64));
    __m512i f = _mm512_permutex2var_epi8(t0, v, t1);           // classes[b & 0x7F]
    out->letter = _mm512_mask_test_epi8_mask(ascii, f, _mm512_set1_epi8(1));
    out->digit = _mm512_mask_test_epi8_mask(ascii, f, _mm512_set1_epi8(2));
    out->space = _mm512_mask_test_epi8_mask(ascii, f, _mm512_set1_epi8(4));
    out->upper = _mm512_mask_test_epi8_mask(ascii, f, _mm512_set1_epi8(8));
    out->lower = _mm512_mask_test_epi8_mask(ascii, f, _mm512_set1_epi8(16));
    out->other = _mm512_mask_testn_epi8_mask(ascii, f, _mm512_set1_epi8(7));
    out->newline = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('\n'))
                 | _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('\r'));
    out->nonascii = nonascii;
    out->apostrophe = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('\''));
    out->slash = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('/'));
    out->blank = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8(' '));
}
#endif

typedef void (*ek_pretok_kernel)(const uint8_t *, size_t, const uint8_t *, ek_pretok_masks *);
static ek_pretok_kernel classify_impl = ek_pretok_classify_portable;
static const char *pretok_isa = "portable";

__attribute__((constructor))
static void ek_select_pretok_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi")) {
        classify_impl = classify_avx512; pretok_isa = "avx512vbmi";
    }
#endif
}

void ek_pretok_classify(const uint8_t *p, size_t n, const uint8_t *classes, ek_pretok_masks *out) {
    classify_impl(p, n, classes, out);
}

const char *ek_pretok_isa(void) { return pretok_isa; }
