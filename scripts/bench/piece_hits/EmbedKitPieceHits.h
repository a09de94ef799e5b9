// PROTOTYPE, not part of the library (session 9, simd9; docs/performance/simd9.md): measured slower than the
// scalar loop it was meant to replace, kept so the figures can be reproduced (run.sh in this folder).
//
// A vector kernel for the tiktoken encoder's most common case (EmbedKitTokenizers' TiktokenEncoding): a run of
// consecutive pre-tokenized pieces, all ending at the trusted piece ends of one 64-byte scanner window, each
// either a 1–2-byte piece with a direct rank or a 3–16-byte piece whose piece-cache entry holds it with one id.
// AVX-512 (F/BW/DQ/VBMI/VBMI2) when the CPU has it, picked at run time; otherwise unavailable (the caller keeps
// its scalar loop, which gives the same ids).
#ifndef EMBEDKIT_PIECE_HITS_H
#define EMBEDKIT_PIECE_HITS_H
#include <stddef.h>
#include <stdint.h>

/// The piece-cache key hash's multipliers (EmbedKitTokenizers' BPEPieceKey.hash, the one definition of the mix:
/// h = ((k0 + n)·M1 ⊕ k1·M2), h ⊕= h >> 31, h ·= M3; the slot is the top 16 bits). Shared so the vector kernel
/// and the Swift scalar path cannot drift apart.
#define EK_PIECE_HASH_M1 0x9E3779B97F4A7C15ULL
#define EK_PIECE_HASH_M2 0xBF58476D1CE4E5B9ULL
#define EK_PIECE_HASH_M3 0x94D049BB133111EBULL
/// Piece-cache slots: 1 << EK_PIECE_SLOT_BITS entries of 32 bytes (k0, k1, meta = length | idCount << 5, id0,
/// id1, id2).
#define EK_PIECE_SLOT_BITS 16

/// Where a run stands in the window: `rest` has bit k set when a trusted piece ends at window byte k (lowest
/// first), `start` is the window offset where the next piece starts (the previous end).
typedef struct {
    uint64_t rest;
    int64_t start;
} ek_piece_cursor;

/// Whether ek_piece_hits is available on this CPU.
int ek_piece_hits_available(void);

/// Writes to `out` the id of each piece, in order, from `cursor->start` to the ends in `cursor->rest` while
/// every piece is a plain hit: 1 byte (`byte_rank`), 2 bytes that are one token (`pair_rank[b0 << 8 | b1]`,
/// 0xFFFFFFFF when not) or 3–16 bytes whose entry in `entries` (the piece cache) holds exactly those bytes and
/// one id. Stops before the first other piece; returns the number of pieces (= ids) written, at most
/// popcount(rest), and advances the cursor past them. `window` is the window's first byte; `readable` bytes
/// may be read from it (the pieces lie inside it). Only call when ek_piece_hits_available().
size_t ek_piece_hits(const uint8_t *window, size_t readable, ek_piece_cursor *cursor, const void *entries,
                     const uint32_t *byte_rank, const uint32_t *pair_rank, uint32_t *out);

/// Prefetches the piece-cache entries of the 3–16-byte pieces of a window that starts at a piece start: piece
/// k ends at the k-th lowest bit of `rest` (so the first starts at 0). Only call when ek_piece_hits_available().
void ek_piece_prefetch(const uint8_t *window, size_t readable, uint64_t rest, const void *entries);

#endif
