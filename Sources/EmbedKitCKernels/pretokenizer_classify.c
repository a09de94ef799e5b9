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

static inline uint64_t below(int k) { return k >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << k) - 1); }

/// seed plus every bit of `through` from which a run of `through` bits reaches a seed bit upwards.
static inline uint64_t fill_down(uint64_t g, uint64_t p) {
    g |= p & (g >> 1); p &= p >> 1;
    g |= p & (g >> 2); p &= p >> 2;
    g |= p & (g >> 4); p &= p >> 4;
    g |= p & (g >> 8); p &= p >> 8;
    g |= p & (g >> 16); p &= p >> 16;
    g |= p & (g >> 32);
    return g;
}

static inline int min_int(int a, int b) { return a < b ? a : b; }

// All piece starts of a 64-byte window at once. The window starts at a piece start, so every later boundary
// follows from the classes of the bytes around it; the rules restate each pattern (PretokenizerPattern's doc)
// for ASCII text in bit-parallel form: bit k is byte k, `x << 1` moves a byte's bit onto the next byte and
// `x >> 1` onto the previous one.
//
// - r50k: a letter, number or other run starts a piece unless a ' ' before it joins it (' ?'); whitespace runs
//   start a piece, and their last byte starts another when \S follows (\s+(?!\S) leaves it); a run reaching
//   the end of the segment is one piece (\s++$).
// - cl100k / o200k: a letter run starts a word unless its prefix [^\r\n\p{L}\p{N}] does (a whitespace byte,
//   or a lone other byte not after ' ': "..b" and " .b" are other pieces, ".b" is a word); o200k also starts a
//   word at every lower→upper step. Digit groups of 3 from each run start. Other runs start a piece unless
//   joined to a ' ', and absorb the newlines right after them ([\r\n]*). Whitespace runs: their start (unless
//   absorbed), the first space after absorbed newlines, the spaces after the run's last newline when \S
//   follows (\s*[\r\n] ends at that newline), and the last byte before \S.
//
// The answer is trusted only up to `trusted`, a piece start: the start of the run holding the byte before
// the first non-ASCII byte or the window's end (that run may go on), an apostrophe whose contraction the
// window cannot decide (r50k, cl100k: the bytes after it are unknown; decided ones become pieces; o200k: the
// letter before it, as a word takes a contraction as its suffix) and for o200k a '/' after a newline (other
// pieces take [\r\n/]*).
/// Length of the contraction at p[q] (an apostrophe that starts a piece): r50k '(?:[sdmt]|ll|ve|re), cl100k the
/// same case-insensitively; 0 when none, -1 when the bytes needed are not known ASCII (past the window, or
/// non-ASCII: 'ſ folds to 's).
static int contraction_length(const uint8_t *p, int q, int n, int complete, int folded) {
    if (q + 1 >= n) return complete ? 0 : -1;
    uint8_t a = p[q + 1];
    if (a >= 0x80) return -1;
    if (folded) a |= 0x20;
    if (a == 's' || a == 'd' || a == 'm' || a == 't') return 2;
    if (a != 'l' && a != 'v' && a != 'r') return 0;
    if (q + 2 >= n) return complete ? 0 : -1;
    uint8_t c = p[q + 2];
    if (c >= 0x80) return 0;
    if (folded) c |= 0x20;
    return c == (a == 'l' ? 'l' : 'e') ? 3 : 0;
}

static void window_bounds(const uint8_t *p, const ek_pretok_masks *m, int n, int complete, int pattern,
                          ek_pretok_bounds *out) {
    const uint64_t L = m->letter, D = m->digit, O = m->other, SP = m->blank, W = m->space;
    const uint64_t F = L | D | O;
    uint64_t b;
    int apostrophe_limit = 64, slash_limit = 64;
    if (pattern == EK_PRETOK_R50K) {
        uint64_t runs = (L & ~(L << 1)) | (D & ~(D << 1)) | (O & ~(O << 1));
        b = (runs & ~(SP << 1)) | (W & ~(W << 1)) | (W & (F >> 1));
    } else {
        const uint64_t N = m->newline, S = W & ~N;
        uint64_t absorbed_start = N & (O << 1);
        uint64_t after_absorbed = (N + absorbed_start) & ~N;
        uint64_t single_other = O & ~(O << 1) & ~(O >> 1);
        uint64_t prefix = ((single_other & ~(SP << 1)) | S) & (L >> 1);
        b = (L & ~(L << 1) & ~(prefix << 1)) | prefix;
        if (pattern == EK_PRETOK_O200K) b |= m->upper & (m->lower << 1);
        uint64_t g = D & ~(D << 1), three = D & (D << 1) & (D << 2), groups = g;
        while (g) { g = (g << 3) & three; groups |= g; }
        b |= groups;
        b |= O & ~(O << 1) & ~(SP << 1);
        b |= W & ~(W << 1) & ~absorbed_start;
        b |= after_absorbed & S;
        b |= fill_down(F, S) & S & (N << 1);
        b |= S & (F >> 1);
        if (pattern == EK_PRETOK_O200K) {
            uint64_t slash = m->slash & (N << 1);
            if (slash) slash_limit = __builtin_ctzll(slash) - 1;
        }
    }
    // Contractions (r50k, cl100k): an apostrophe that starts a piece and matches one is a piece of its own; the
    // bytes after it start the next piece (r50k's letter run would otherwise start one byte after the ').
    if (pattern != EK_PRETOK_O200K) {
        uint64_t ap = m->apostrophe;
        while (ap) {
            int q = __builtin_ctzll(ap);
            ap &= ap - 1;
            if (q != 0 && !((b >> q) & 1)) continue;               // inside a piece: no contraction
            int k = contraction_length(p, q, n, complete, pattern == EK_PRETOK_CL100K);
            if (k < 0 || q + k >= 64) { apostrophe_limit = q; break; }
            if (k == 0) continue;
            if (pattern == EK_PRETOK_R50K) b &= ~((uint64_t)1 << (q + 1));
            b |= (uint64_t)1 << (q + k);
        }
    }
    // o200k: contractions are only a word's optional suffix, (?i:'s|'t|'re|'ve|'m|'ll|'d). An apostrophe right
    // after an ASCII letter ends that letter's word; a matching contraction joins the word (no piece starts at
    // the apostrophe or inside the contraction, the next one starts after it); otherwise the apostrophe is an
    // other byte like any (rules above). An apostrophe after anything else starts no contraction. Undecidable
    // ones (bytes past the window or non-ASCII: 'ſ folds to 's) end the trusted part at their word's start.
    if (pattern == EK_PRETOK_O200K) {
        uint64_t ap = m->apostrophe & (L << 1);
        int after = -1;                                            // the byte after the last contraction
        while (ap) {
            int q = __builtin_ctzll(ap);
            ap &= ap - 1;
            if (q == after) continue;                              // its letter ends a contraction, not a word
            int k = contraction_length(p, q, n, complete, 1);
            if (k < 0 || q + k >= 64) { apostrophe_limit = q - 1; break; }
            if (k == 0) continue;
            b &= ~(below(q + k) & ~below(q));
            b |= (uint64_t)1 << (q + k);
            after = q + k;
        }
    }
    int limit = complete ? n : 64;
    uint64_t nonascii = m->nonascii;
    if (nonascii || !complete) {
        int q = nonascii ? __builtin_ctzll(nonascii) : 64;
        if (q == 0) { out->bounds = 0; out->trusted = 0; return; }
        uint64_t continues = (L & (L << 1)) | (D & (D << 1)) | (O & (O << 1)) | (W & (W << 1));
        uint64_t starts = ~continues & below(q);                   // bit 0 is always a start
        limit = min_int(limit, 63 - __builtin_clzll(starts));     // start of the run holding byte q-1
    }
    limit = min_int(limit, apostrophe_limit);
    limit = min_int(limit, slash_limit);
    if (limit < 0) { out->bounds = 0; out->trusted = 0; return; }
    if (complete && limit == n) b |= (uint64_t)1 << n;
    uint64_t candidates = (b | 1) & below(limit + 1);
    out->bounds = b & ~(uint64_t)1;
    out->trusted = 63 - __builtin_clzll(candidates);
}

void ek_pretok_window(const uint8_t *p, size_t n, int complete, int pattern, const uint8_t *classes,
                      ek_pretok_masks *masks, ek_pretok_bounds *out) {
    classify_impl(p, n, classes, masks);
    window_bounds(p, masks, (int)n, complete, pattern, out);
}
