// Runs of piece-cache hits, 8 pieces per step (see EmbedKitPieceHits.h).
#include "EmbedKitPieceHits.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static int hits_available = 0;

__attribute__((constructor))
static void ek_select_piece_hits(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    hits_available = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vbmi")
        && __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2");
#endif
}

int ek_piece_hits_available(void) { return hits_available; }
#ifdef EK_HITSTATS
#include <stdio.h>
#include <stdlib.h>
static size_t st_reason[20], st_calls, st_pieces, st_total, st_hist[10], st_stop[20];
__attribute__((destructor)) static void st_dump(void) {
    if (!getenv("EK_HITSTATS")) return;
    fprintf(stderr, "calls %zu pieces %zu offered %zu\n", st_calls, st_pieces, st_total);
    for (int k = 0; k < 10; k++) fprintf(stderr, " h%d=%zu", k, st_hist[k]);
    fprintf(stderr, "\nreason:"); for (int k = 0; k < 20; k++) fprintf(stderr, " %d=%zu", k, st_reason[k]);
    fprintf(stderr, "\nstop-len:");
    for (int k = 0; k < 20; k++) fprintf(stderr, " %d=%zu", k, st_stop[k]);
    fprintf(stderr, "\n");
}
#define STAT(...) __VA_ARGS__
#else
#define STAT(...)
#endif

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi,avx512vbmi2,bmi2")))
static size_t hits_avx512(const uint8_t *window, size_t readable, ek_piece_cursor *cursor, const void *entries,
                          const uint32_t *byte_rank, const uint32_t *pair_rank, uint32_t *out) {
    const uint64_t rest = cursor->rest;
    const size_t total = (size_t)__builtin_popcountll(rest);
    const __mmask64 valid = readable >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << readable) - 1);
    const __m512i text = _mm512_maskz_loadu_epi8(valid, window);        // masked bytes never fault
    const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48,
                                         47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
                                         31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                         15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // Byte k of `ends`: the window offset where piece k ends.
    const __m512i ends = _mm512_maskz_compress_epi8(rest, iota);
    // Byte j of each qword lane: j (the byte of a piece's key), and the lane's number in its lowest byte.
    const __m512i lane_bytes = _mm512_set1_epi64(0x0706050403020100LL);
    const __m512i lane_index = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    // Copies byte 0 of each qword to all 8 of its bytes (vpshufb works within 16-byte lanes).
    const __m512i spread = _mm512_set_epi64(0x0808080808080808LL, 0, 0x0808080808080808LL, 0,
                           0x0808080808080808LL, 0, 0x0808080808080808LL, 0);
    const __m512i eight = _mm512_set1_epi8(8);
    const __m512i m1 = _mm512_set1_epi64((long long)EK_PIECE_HASH_M1);
    const __m512i m2 = _mm512_set1_epi64((long long)EK_PIECE_HASH_M2);
    const __m512i m3 = _mm512_set1_epi64((long long)EK_PIECE_HASH_M3);
    const __m512i entry_base = _mm512_set1_epi64((long long)(uintptr_t)entries);
    const __m512i byte_base = _mm512_set1_epi64((long long)(uintptr_t)byte_rank);
    const __m512i pair_base = _mm512_set1_epi64((long long)(uintptr_t)pair_rank);
    const __m512i missing = _mm512_set1_epi64(0xFFFFFFFFLL);
    __m512i starts_carry = _mm512_set1_epi64(cursor->start);
    // Dword 4k + j of the id layout: lane k's id j — from `first` (dword 2k) for j = 0, from `more` (dwords
    // 16 + 2k + j − 1) for j = 1, 2; lanes 0–3 in gather_lo, 4–7 in gather_hi. slot_index: j.
    const __m512i gather_lo = _mm512_set_epi32(0, 23, 22, 6, 0, 21, 20, 4, 0, 19, 18, 2, 0, 17, 16, 0);
    const __m512i gather_hi = _mm512_set_epi32(0, 31, 30, 14, 0, 29, 28, 12, 0, 27, 26, 10, 0, 25, 24, 8);
    const __m512i count_lo = _mm512_set_epi32(6, 6, 6, 6, 4, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0);
    const __m512i count_hi = _mm512_set_epi32(14, 14, 14, 14, 12, 12, 12, 12, 10, 10, 10, 10, 8, 8, 8, 8);
    const __m512i slot_index = _mm512_set_epi32(3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0);
    size_t done = 0, written = 0;
    while (done < total) {
        // Qword lane k: the end of piece done + k (byte `done + k` of `ends`), its start (the previous end).
        __m512i pick = _mm512_add_epi64(lane_index, _mm512_set1_epi64((long long)done));
        __m512i e = _mm512_permutexvar_epi8(_mm512_maskz_mov_epi8(0x0101010101010101ULL, pick), ends);
        e = _mm512_and_si512(e, _mm512_set1_epi64(0xFF));
        __m512i s = _mm512_alignr_epi64(e, starts_carry, 7);
        __m512i n = _mm512_sub_epi64(e, s);
        size_t left = total - done;
        __mmask8 lanes = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        // Keys: byte j of lane k is text[s + j] when j < n, else 0 (second word: bytes 8…15).
        __m512i sb = _mm512_shuffle_epi8(s, spread), nb = _mm512_shuffle_epi8(n, spread);
        __m512i at0 = _mm512_add_epi8(sb, lane_bytes);
        __mmask64 in0 = _mm512_cmplt_epu8_mask(lane_bytes, nb);
        __mmask64 in1 = _mm512_cmplt_epu8_mask(_mm512_add_epi8(lane_bytes, eight), nb);
        __m512i k0 = _mm512_maskz_permutexvar_epi8(in0, at0, text);
        __m512i k1 = _mm512_maskz_permutexvar_epi8(in1, _mm512_add_epi8(at0, eight), text);
        // The piece cache's slot (BPEPieceKey.hash).
        __m512i h = _mm512_xor_si512(_mm512_mullo_epi64(_mm512_add_epi64(k0, n), m1), _mm512_mullo_epi64(k1, m2));
        h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64(h, 31)), m3);
        __m512i entry = _mm512_add_epi64(entry_base, _mm512_slli_epi64(_mm512_srli_epi64(h, 64 - EK_PIECE_SLOT_BITS), 5));
        __mmask8 one = _mm512_cmpeq_epi64_mask(n, _mm512_set1_epi64(1));
        __mmask8 two = _mm512_cmpeq_epi64_mask(n, _mm512_set1_epi64(2));
        __mmask8 cached = lanes & _mm512_cmpge_epu64_mask(n, _mm512_set1_epi64(3))
                        & _mm512_cmple_epu64_mask(n, _mm512_set1_epi64(16));
        __mmask8 wide = cached & _mm512_cmpgt_epu64_mask(n, _mm512_set1_epi64(8));
        // 1 byte: byte_rank[b0]; 2 bytes: pair_rank[b0 << 8 | b1].
        __m512i pair_index = _mm512_or_si512(_mm512_slli_epi64(_mm512_and_si512(k0, _mm512_set1_epi64(0xFF)), 8),
                                             _mm512_srli_epi64(k0, 8));
        __m512i tiny_at = _mm512_mask_blend_epi64(two, _mm512_add_epi64(byte_base, _mm512_slli_epi64(k0, 2)),
                                                  _mm512_add_epi64(pair_base, _mm512_slli_epi64(pair_index, 2)));
        __mmask8 tiny = lanes & (one | two);
        __m256i rank32 = _mm512_mask_i64gather_epi32(_mm256_set1_epi32(-1), tiny, tiny_at, (const void *)0, 1);
        __m512i rank = _mm512_cvtepu32_epi64(rank32);
        __m512i word0 = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), cached, entry, (const void *)0, 1);
        __m512i meta = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), cached,
                                                   _mm512_add_epi64(entry, _mm512_set1_epi64(16)), (const void *)0, 1);
        __m512i word1 = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), wide,
                                                    _mm512_add_epi64(entry, _mm512_set1_epi64(8)), (const void *)0, 1);
        __m512i more = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), cached,
                                                   _mm512_add_epi64(entry, _mm512_set1_epi64(24)), (const void *)0, 1);
        // meta's low half is length | idCount << 5: this piece's length and 1–3 ids (its high half is id0; the
        // next word holds id1 and id2).
        __m512i low = _mm512_and_si512(meta, missing);
        __m512i count = _mm512_srli_epi64(low, 5);
        __mmask8 held = cached & _mm512_cmpeq_epi64_mask(word0, k0) & _mm512_cmpeq_epi64_mask(word1, k1)
            & _mm512_cmpeq_epi64_mask(_mm512_and_si512(low, _mm512_set1_epi64(31)), n)
            & _mm512_cmpge_epu64_mask(count, _mm512_set1_epi64(1)) & _mm512_cmple_epu64_mask(count, _mm512_set1_epi64(3));
        __mmask8 ranked = tiny & _mm512_cmpneq_epi64_mask(rank, missing);
        __mmask8 ok = held | ranked;
        unsigned run = (unsigned)__builtin_ctz((unsigned)(uint8_t)~ok | 0x100u);
        // Dword 2k of `first` is lane k's first id; dwords 2k, 2k + 1 of `more` its second and third.
        __m512i first = _mm512_mask_blend_epi64(held, rank, _mm512_srli_epi64(meta, 32));
        count = _mm512_mask_blend_epi64(held, _mm512_set1_epi64(1), count);
        // Lanes 0–3 (then 4–7) as 4 dwords each: id0, id1, id2, unused; the ids past a lane's count dropped.
        __m512i low_ids = _mm512_permutex2var_epi32(first, gather_lo, more);
        __m512i high_ids = _mm512_permutex2var_epi32(first, gather_hi, more);
        __m512i low_counts = _mm512_permutexvar_epi32(count_lo, count);
        __m512i high_counts = _mm512_permutexvar_epi32(count_hi, count);
        __mmask16 running = (__mmask16)(run >= 4 ? 0xFFFF : (1u << (4 * run)) - 1);
        __mmask16 running_hi = (__mmask16)(run <= 4 ? 0 : run == 8 ? 0xFFFF : (1u << (4 * (run - 4))) - 1);
        __mmask16 keep_lo = running & _mm512_cmplt_epu32_mask(slot_index, low_counts);
        __mmask16 keep_hi = running_hi & _mm512_cmplt_epu32_mask(slot_index, high_counts);
        _mm512_storeu_si512((void *)(out + written), _mm512_maskz_compress_epi32(keep_lo, low_ids));
        written += (size_t)__builtin_popcount(keep_lo);
        _mm512_storeu_si512((void *)(out + written), _mm512_maskz_compress_epi32(keep_hi, high_ids));
        written += (size_t)__builtin_popcount(keep_hi);
        STAT(if (run < 8 && run < left) { uint64_t w0[8], mt[8], kk[8]; _mm512_storeu_si512(w0, word0); _mm512_storeu_si512(mt, meta); _mm512_storeu_si512(kk, k0);
            int r = (cached >> run) & 1 ? (w0[run] == kk[run] ? 10 + (int)((mt[run] >> 5) & 7) : 1) : 2; st_reason[r]++; })
        // The next step does not wait for this one's loads: it starts 8 pieces on whatever `run` is (the
        // branch is predicted; a data dependency on `run` would serialize the steps' gathers).
        if (run < 8) { done += run; break; }
        done += 8;
        starts_carry = _mm512_permutexvar_epi64(_mm512_set1_epi64(7), e);
    }
    STAT(st_calls++; st_pieces += done; st_total += total; st_hist[done >= 9 ? 9 : done]++;
    if (done < total) { uint8_t o2[64]; _mm512_storeu_si512((void *)o2, ends);
        int st = done ? o2[done-1] : (int)cursor->start; int len = o2[done] - st; st_stop[len > 19 ? 19 : len]++; })
    if (done > 0) {
        // The done-th lowest end: a deposit of bit done − 1 into `rest` (no store of `ends` to reload: a byte
        // load from a vector store just made does not forward and stalls).
        int last = __builtin_ctzll(_pdep_u64((uint64_t)1 << (done - 1), rest));
        cursor->start = last;
        cursor->rest = last >= 63 ? 0 : rest & (~(uint64_t)0 << (last + 1));
    }
    return written;
}

/// Experiment (not in the header's contract): every piece of the window resolved at once, no early stop —
/// piece k's ids at slots[4k…4k+2], its count at counts[k] (0: not a plain hit). slots: 4 × 64 + 32 dwords.
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi,avx512vbmi2,bmi2")))
size_t ek_piece_resolve(const uint8_t *window, size_t readable, uint64_t rest, const void *entries,
                        const uint32_t *byte_rank, const uint32_t *pair_rank, uint32_t *slots, uint8_t *counts) {
    const size_t total = (size_t)__builtin_popcountll(rest);
    const __mmask64 valid = readable >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << readable) - 1);
    const __m512i text = _mm512_maskz_loadu_epi8(valid, window);        // masked bytes never fault
    const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48,
                                         47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
                                         31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                         15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // Byte k of `ends`: the window offset where piece k ends.
    const __m512i ends = _mm512_maskz_compress_epi8(rest, iota);
    // Byte j of each qword lane: j (the byte of a piece's key), and the lane's number in its lowest byte.
    const __m512i lane_bytes = _mm512_set1_epi64(0x0706050403020100LL);
    const __m512i lane_index = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    // Copies byte 0 of each qword to all 8 of its bytes (vpshufb works within 16-byte lanes).
    const __m512i spread = _mm512_set_epi64(0x0808080808080808LL, 0, 0x0808080808080808LL, 0,
                           0x0808080808080808LL, 0, 0x0808080808080808LL, 0);
    const __m512i eight = _mm512_set1_epi8(8);
    const __m512i m1 = _mm512_set1_epi64((long long)EK_PIECE_HASH_M1);
    const __m512i m2 = _mm512_set1_epi64((long long)EK_PIECE_HASH_M2);
    const __m512i m3 = _mm512_set1_epi64((long long)EK_PIECE_HASH_M3);
    const __m512i entry_base = _mm512_set1_epi64((long long)(uintptr_t)entries);
    const __m512i byte_base = _mm512_set1_epi64((long long)(uintptr_t)byte_rank);
    const __m512i pair_base = _mm512_set1_epi64((long long)(uintptr_t)pair_rank);
    const __m512i missing = _mm512_set1_epi64(0xFFFFFFFFLL);
    __m512i starts_carry = _mm512_setzero_si512();
    // Dword 4k + j of the id layout: lane k's id j — from `first` (dword 2k) for j = 0, from `more` (dwords
    // 16 + 2k + j − 1) for j = 1, 2; lanes 0–3 in gather_lo, 4–7 in gather_hi. slot_index: j.
    const __m512i gather_lo = _mm512_set_epi32(0, 23, 22, 6, 0, 21, 20, 4, 0, 19, 18, 2, 0, 17, 16, 0);
    const __m512i gather_hi = _mm512_set_epi32(0, 31, 30, 14, 0, 29, 28, 12, 0, 27, 26, 10, 0, 25, 24, 8);
    const __m512i count_lo = _mm512_set_epi32(6, 6, 6, 6, 4, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0);
    const __m512i count_hi = _mm512_set_epi32(14, 14, 14, 14, 12, 12, 12, 12, 10, 10, 10, 10, 8, 8, 8, 8);
    const __m512i slot_index = _mm512_set_epi32(3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0);
    size_t done = 0, written = 0;
    while (done < total) {
        // Qword lane k: the end of piece done + k (byte `done + k` of `ends`), its start (the previous end).
        __m512i pick = _mm512_add_epi64(lane_index, _mm512_set1_epi64((long long)done));
        __m512i e = _mm512_permutexvar_epi8(_mm512_maskz_mov_epi8(0x0101010101010101ULL, pick), ends);
        e = _mm512_and_si512(e, _mm512_set1_epi64(0xFF));
        __m512i s = _mm512_alignr_epi64(e, starts_carry, 7);
        __m512i n = _mm512_sub_epi64(e, s);
        size_t left = total - done;
        __mmask8 lanes = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        // Keys: byte j of lane k is text[s + j] when j < n, else 0 (second word: bytes 8…15).
        __m512i sb = _mm512_shuffle_epi8(s, spread), nb = _mm512_shuffle_epi8(n, spread);
        __m512i at0 = _mm512_add_epi8(sb, lane_bytes);
        __mmask64 in0 = _mm512_cmplt_epu8_mask(lane_bytes, nb);
        __mmask64 in1 = _mm512_cmplt_epu8_mask(_mm512_add_epi8(lane_bytes, eight), nb);
        __m512i k0 = _mm512_maskz_permutexvar_epi8(in0, at0, text);
        __m512i k1 = _mm512_maskz_permutexvar_epi8(in1, _mm512_add_epi8(at0, eight), text);
        // The piece cache's slot (BPEPieceKey.hash).
        __m512i h = _mm512_xor_si512(_mm512_mullo_epi64(_mm512_add_epi64(k0, n), m1), _mm512_mullo_epi64(k1, m2));
        h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64(h, 31)), m3);
        __m512i entry = _mm512_add_epi64(entry_base, _mm512_slli_epi64(_mm512_srli_epi64(h, 64 - EK_PIECE_SLOT_BITS), 5));
        __mmask8 one = _mm512_cmpeq_epi64_mask(n, _mm512_set1_epi64(1));
        __mmask8 two = _mm512_cmpeq_epi64_mask(n, _mm512_set1_epi64(2));
        __mmask8 cached = lanes & _mm512_cmpge_epu64_mask(n, _mm512_set1_epi64(3))
                        & _mm512_cmple_epu64_mask(n, _mm512_set1_epi64(16));
        __mmask8 wide = cached & _mm512_cmpgt_epu64_mask(n, _mm512_set1_epi64(8));
        // 1 byte: byte_rank[b0]; 2 bytes: pair_rank[b0 << 8 | b1].
        __m512i pair_index = _mm512_or_si512(_mm512_slli_epi64(_mm512_and_si512(k0, _mm512_set1_epi64(0xFF)), 8),
                                             _mm512_srli_epi64(k0, 8));
        __m512i tiny_at = _mm512_mask_blend_epi64(two, _mm512_add_epi64(byte_base, _mm512_slli_epi64(k0, 2)),
                                                  _mm512_add_epi64(pair_base, _mm512_slli_epi64(pair_index, 2)));
        __mmask8 tiny = lanes & (one | two);
        __m256i rank32 = _mm512_mask_i64gather_epi32(_mm256_set1_epi32(-1), tiny, tiny_at, (const void *)0, 1);
        __m512i rank = _mm512_cvtepu32_epi64(rank32);
        __m512i word0 = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), cached, entry, (const void *)0, 1);
        __m512i meta = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), cached,
                                                   _mm512_add_epi64(entry, _mm512_set1_epi64(16)), (const void *)0, 1);
        __m512i word1 = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), wide,
                                                    _mm512_add_epi64(entry, _mm512_set1_epi64(8)), (const void *)0, 1);
        __m512i more = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), cached,
                                                   _mm512_add_epi64(entry, _mm512_set1_epi64(24)), (const void *)0, 1);
        // meta's low half is length | idCount << 5: this piece's length and 1–3 ids (its high half is id0; the
        // next word holds id1 and id2).
        __m512i low = _mm512_and_si512(meta, missing);
        __m512i count = _mm512_srli_epi64(low, 5);
        __mmask8 held = cached & _mm512_cmpeq_epi64_mask(word0, k0) & _mm512_cmpeq_epi64_mask(word1, k1)
            & _mm512_cmpeq_epi64_mask(_mm512_and_si512(low, _mm512_set1_epi64(31)), n)
            & _mm512_cmpge_epu64_mask(count, _mm512_set1_epi64(1)) & _mm512_cmple_epu64_mask(count, _mm512_set1_epi64(3));
        __mmask8 ranked = tiny & _mm512_cmpneq_epi64_mask(rank, missing);
        __mmask8 ok = held | ranked;
        __m512i first = _mm512_mask_blend_epi64(held, rank, _mm512_srli_epi64(meta, 32));
        count = _mm512_maskz_mov_epi64(ok, _mm512_mask_blend_epi64(held, _mm512_set1_epi64(1), count));
        _mm512_storeu_si512((void *)(slots + 4 * done), _mm512_permutex2var_epi32(first, gather_lo, more));
        _mm512_storeu_si512((void *)(slots + 4 * done + 16), _mm512_permutex2var_epi32(first, gather_hi, more));
        _mm_storeu_si64((void *)(counts + done), _mm512_cvtepi64_epi8(count));
        done += 8;
        starts_carry = _mm512_permutexvar_epi64(_mm512_set1_epi64(7), e);
    }
    return total;
}
#endif

size_t ek_piece_hits(const uint8_t *window, size_t readable, ek_piece_cursor *cursor, const void *entries,
                     const uint32_t *byte_rank, const uint32_t *pair_rank, uint32_t *out) {
#if defined(__x86_64__)
    return hits_avx512(window, readable, cursor, entries, byte_rank, pair_rank, out);
#else
    (void)window; (void)readable; (void)cursor; (void)entries; (void)byte_rank; (void)pair_rank; (void)out;
    return 0;
#endif
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi,avx512vbmi2")))
static void prefetch_avx512(const uint8_t *window, size_t readable, uint64_t rest, const void *entries) {
    const size_t total = (size_t)__builtin_popcountll(rest);
    const __mmask64 valid = readable >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << readable) - 1);
    const __m512i text = _mm512_maskz_loadu_epi8(valid, window);
    const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48,
                                         47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
                                         31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                         15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i ends = _mm512_maskz_compress_epi8(rest, iota);
    const __m512i lane_bytes = _mm512_set1_epi64(0x0706050403020100LL);
    const __m512i lane_index = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i spread = _mm512_set_epi64(0x0808080808080808LL, 0, 0x0808080808080808LL, 0,
                                            0x0808080808080808LL, 0, 0x0808080808080808LL, 0);
    const __m512i eight = _mm512_set1_epi8(8);
    __m512i starts_carry = _mm512_setzero_si512();
    for (size_t done = 0; done < total; done += 8) {
        __m512i pick = _mm512_add_epi64(lane_index, _mm512_set1_epi64((long long)done));
        __m512i e = _mm512_permutexvar_epi8(_mm512_maskz_mov_epi8(0x0101010101010101ULL, pick), ends);
        e = _mm512_and_si512(e, _mm512_set1_epi64(0xFF));
        __m512i s = _mm512_alignr_epi64(e, starts_carry, 7);
        __m512i n = _mm512_sub_epi64(e, s);
        size_t left = total - done;
        __mmask8 lanes = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        __m512i sb = _mm512_shuffle_epi8(s, spread), nb = _mm512_shuffle_epi8(n, spread);
        __m512i at0 = _mm512_add_epi8(sb, lane_bytes);
        __mmask64 in0 = _mm512_cmplt_epu8_mask(lane_bytes, nb);
        __mmask64 in1 = _mm512_cmplt_epu8_mask(_mm512_add_epi8(lane_bytes, eight), nb);
        __m512i k0 = _mm512_maskz_permutexvar_epi8(in0, at0, text);
        __m512i k1 = _mm512_maskz_permutexvar_epi8(in1, _mm512_add_epi8(at0, eight), text);
        __m512i h = _mm512_xor_si512(_mm512_mullo_epi64(_mm512_add_epi64(k0, n), _mm512_set1_epi64((long long)EK_PIECE_HASH_M1)),
                                     _mm512_mullo_epi64(k1, _mm512_set1_epi64((long long)EK_PIECE_HASH_M2)));
        h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64(h, 31)), _mm512_set1_epi64((long long)EK_PIECE_HASH_M3));
        __m512i slot = _mm512_srli_epi64(h, 64 - EK_PIECE_SLOT_BITS);
        __mmask8 cached = lanes & _mm512_cmpge_epu64_mask(n, _mm512_set1_epi64(3))
                        & _mm512_cmple_epu64_mask(n, _mm512_set1_epi64(16));
        uint64_t slots[8];
        _mm512_storeu_si512((void *)slots, slot);
        for (unsigned k = 0; k < 8; k++) {
            if (cached >> k & 1) __builtin_prefetch((const uint8_t *)entries + (slots[k] << 5), 0, 3);
        }
        starts_carry = _mm512_permutexvar_epi64(_mm512_set1_epi64(7), e);
    }
}
#endif

void ek_piece_prefetch(const uint8_t *window, size_t readable, uint64_t rest, const void *entries) {
#if defined(__x86_64__)
    prefetch_avx512(window, readable, rest, entries);
#else
    (void)window; (void)readable; (void)rest; (void)entries;
#endif
}
