import EmbedKitCKernels
import Foundation

// Non-ASCII pieces (CJK runs, box-drawing rules) cut at the character boundaries no token can straddle
// (BPECutFilter), and their parts encoded one at a time.
extension TiktokenEncoding {
    /// Cuts the piece `p[0..<n]` at every character boundary no token can straddle (see ``BPECutFilter``;
    /// exact) and encodes each part on its own, then returns true; or returns false, writing nothing, when
    /// there is no such boundary.
    ///
    /// One pass a character at a time: a three-byte character with a cut on both sides (most of a CJK run)
    /// takes its ids from ``BPECharacterTable`` — one entry load, which with the next character's entry also
    /// decides the cut after it — so it needs no part record, key or cache probe. A part of exactly two
    /// three-byte characters (a two-character word: o200k has 6,374 such tokens) that is a token takes its
    /// id from the table's two-character tokens, one probe of a small table instead of the piece cache and,
    /// cold, a whole-token probe of the large rank table. Any other part goes through
    /// ``encodePart(_:from:to:readable:tables:cache:into:)``.
    @inline(never)
    static func encodeIfCuttable(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, tables: BPEMergeTables,
                                 cache: BPEPieceCache, into sink: inout BPEBufferSink) -> Bool {
        let cuts = tables.pairs.cuts, twoByteRank = tables.bytes.pairRank
        var start = nextCut(p, after: 0, n, cuts: cuts, twoByteRank: twoByteRank)
        if start == n { return false }
        let characters = cuts.characters, chars = characters.entries
        var out = sink
        encodePart(p, from: 0, to: start, readable: readable, tables: tables, cache: cache, into: &out)
        while start < n {
            if p[start] & 0xF0 == 0xE0 {
                let a = BPECharacterTable.index(p + start)
                let entry = chars[a]
                let end = start &+ 3
                if end == n {
                    entry.write(into: &out)
                    break
                }
                if p[end] & 0xF0 == 0xE0 {
                    let b = BPECharacterTable.index(p + end)
                    let second = chars[b]
                    if characters.canCut(entry, a, second, b) {
                        entry.write(into: &out)
                        start = end
                        continue
                    }
                    // Refused between two three-byte characters. When the piece may be cut after the second
                    // (or ends there), the part is the two: a token of both is its merge (see encodePart).
                    let after = end &+ 3
                    let c = after < n && p[after] & 0xF0 == 0xE0 ? BPECharacterTable.index(p + after) : -1
                    if after == n || (c >= 0 ? characters.canCut(second, b, chars[c], c)
                                             : cuts.canCut(p, after, n, twoByteRank: twoByteRank)) {
                        let rank = characters.pairRank(a, b)
                        if rank != BPERankTable.missing {
                            out.append(rank)
                        } else {
                            encodePart(p, from: start, to: after, readable: readable, tables: tables, cache: cache,
                                       into: &out)
                        }
                        start = after
                        continue
                    }
                } else if cuts.canCut(p, end, n, twoByteRank: twoByteRank) {
                    entry.write(into: &out)
                    start = end
                    continue
                }
            }
            let end = nextCut(p, after: start, n, cuts: cuts, twoByteRank: twoByteRank)
            encodePart(p, from: start, to: end, readable: readable, tables: tables, cache: cache, into: &out)
            start = end
        }
        sink = out
        return true
    }

    /// The first character boundary after the one at `k` (< n) where ``BPECutFilter`` allows a cut, or `n`.
    /// Steps a character at a time (the piece is valid UTF-8: its lead bytes give the lengths). In a run of one
    /// repeated three-byte character (a box-drawing rule `────`) every boundary has the same window, so once
    /// one is refused the run is skipped up to its last character without asking again.
    @inline(__always)
    static func nextCut(_ p: UnsafePointer<UInt8>, after k: Int, _ n: Int, cuts: BPECutFilter,
                        twoByteRank: UnsafeMutablePointer<UInt32>) -> Int {
        var k = k
        while true {
            let b = p[k]
            let length = 1 &+ (b >= 0xC0 ? 1 : 0) &+ (b >= 0xE0 ? 1 : 0) &+ (b >= 0xF0 ? 1 : 0)
            k &+= length
            if k >= n { return n }
            if cuts.canCut(p, k, n, twoByteRank: twoByteRank) { return k }
            if length == 3 {
                // Refused between X (at k - 3) and the character at k: while the next two are X as well,
                // the boundary between them is the same window, refused too.
                let x0 = p[k &- 3], x1 = p[k &- 2], x2 = p[k &- 1]
                while k &+ 6 <= n && p[k] == x0 && p[k &+ 1] == x1 && p[k &+ 2] == x2
                    && p[k &+ 3] == x0 && p[k &+ 4] == x1 && p[k &+ 5] == x2 {
                    k &+= 3
                }
            }
        }
    }

    /// Encodes the part `p[from..<to]` of a cut piece: 1–2 bytes from the byte tables, a single three-byte
    /// character from ``BPECharacterTable``, 3–16 bytes through the piece cache (merged whole on a miss,
    /// never cut again: it has no boundary that the whole piece could cut, and merging any piece whole is
    /// exact), longer ones through the long-piece cache or merged. A part is looked up as a whole token
    /// before it is merged: that equals merging it because every token of the four vocabularies is its own
    /// merge result (checked by scripts/check/tiktoken_self_merge.py; ``TiktokenSpec`` admits no other
    /// vocabulary).
    @inline(never)
    static func encodePart(_ p: UnsafePointer<UInt8>, from: Int, to: Int, readable: Int, tables: BPEMergeTables,
                           cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        let n = to &- from, at = p + from
        if n <= 2 {
            encodeTiny(at, n, byteRank: tables.bytes.byteRank, twoByteRank: tables.bytes.pairRank, into: &sink)
            return
        }
        if n == 3 && at[0] & 0xF0 == 0xE0 {
            tables.pairs.cuts.characters.entries[BPECharacterTable.index(at)].write(into: &sink)
            return
        }
        if n <= BPEPieceCache.maxPieceBytes {
            let (k0, k1) = BPEPieceKey.key(at, n, readable: readable &- from)
            let slot = BPEPieceKey.slot(k0, k1, n)
            let entry = cache.entries[slot]
            if entry.holds(BPEPieceAhead(end: to, slot: slot, k0: k0, k1: k1), length: n)
                && cache.write(entry, slot: slot, into: &sink) {
                return
            }
            encodeMissed(at, n, readable: readable &- from, k0: k0, k1: k1, slot: slot, cut: false,
                         tables: tables, cache: cache, into: &sink)
            return
        }
        if n <= BPELongPieceCache.maxPieceBytes {
            // A long part (a box-drawing rule between its crossings, a long word in CJK text): parts repeat
            // where their pieces do not, so they go through the long-piece cache too.
            cache.longPieces.encode(at, n, into: &sink) {
                BytePairMerge.encodePiece(at, n, readable: readable &- from, tables: tables, into: &$0)
            }
        } else {
            BytePairMerge.encodePiece(at, n, readable: readable &- from, tables: tables, into: &sink)
        }
    }
}
