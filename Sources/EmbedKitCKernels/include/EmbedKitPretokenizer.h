// Byte-class bitmasks for the tiktoken pre-tokenizer's block scanner (EmbedKitTokenizers' PretokenizerScanner):
// one 64-byte window of UTF-8 classified into one bit per byte and class, so runs end at a trailing-zero count
// instead of a byte loop. AVX-512 VBMI when the CPU has it (picked at run time), a portable loop otherwise.
#ifndef EMBEDKIT_PRETOKENIZER_H
#define EMBEDKIT_PRETOKENIZER_H
#include <stddef.h>
#include <stdint.h>

/// Bit k describes byte k of the window; bits at and past the window's length are 0 in every mask.
/// The ASCII classes come from the caller's 128-entry flag table (1 letter, 2 number, 4 space, 8 upper-ish,
/// 16 lower-ish); bytes ≥ 0x80 are only in `nonascii`.
typedef struct {
    uint64_t letter;      ///< ASCII \p{L}
    uint64_t upper;       ///< ASCII upper-ish letters
    uint64_t lower;       ///< ASCII lower-ish letters
    uint64_t digit;       ///< ASCII \p{N}
    uint64_t space;       ///< ASCII \s (\r and \n included)
    uint64_t newline;     ///< \r or \n
    uint64_t other;       ///< ASCII [^\s\p{L}\p{N}]
    uint64_t nonascii;    ///< bytes ≥ 0x80
    uint64_t apostrophe;  ///< '
    uint64_t slash;       ///< /
    uint64_t blank;       ///< ' ' (U+0020)
} ek_pretok_masks;

/// Classifies p[0..<n] (n ≤ 64; never reads past p + n) with the flag table `classes` (128 entries).
void ek_pretok_classify(const uint8_t *p, size_t n, const uint8_t *classes, ek_pretok_masks *out);
/// The portable loop ek_pretok_classify falls back to (same results), for tests.
void ek_pretok_classify_portable(const uint8_t *p, size_t n, const uint8_t *classes, ek_pretok_masks *out);
/// Pre-tokenization patterns for ek_pretok_window (EmbedKitTokenizers' PretokenizerPattern).
enum { EK_PRETOK_R50K = 0, EK_PRETOK_CL100K = 1, EK_PRETOK_O200K = 2 };

/// Piece starts of a window that begins at a piece start: bit k set when a piece starts at byte k (k ≥ 1),
/// exact for every piece that starts before `trusted` (itself a piece start, or the segment's end); pieces from
/// `trusted` on need the per-piece scanners. Rules and limits: pretokenizer_classify.c documents them.
typedef struct {
    uint64_t bounds;
    int64_t trusted;
} ek_pretok_bounds;

/// Classifies p[0..<n] (n ≤ 64) into `masks` and computes its piece starts for `pattern`; `complete` when the
/// window reaches the end of the segment (then n < 64).
void ek_pretok_window(const uint8_t *p, size_t n, int complete, int pattern, const uint8_t *classes,
                      ek_pretok_masks *masks, ek_pretok_bounds *out);

/// Name of the selected implementation ("avx512vbmi" or "portable").
const char *ek_pretok_isa(void);

#endif
