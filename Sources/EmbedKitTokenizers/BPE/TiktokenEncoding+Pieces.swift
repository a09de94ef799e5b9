import EmbedKitCKernels
import Foundation

// The per-piece encode loop: pre-tokenized pieces looked up in the piece cache, and what a piece the cache
// does not hold goes through (whole-token probe, merge, long-piece cache).
extension TiktokenEncoding {
    /// Pieces scanned ahead of the one being encoded (see ``encodeSegment(_:_:_:cache:into:)``).
    static let lookahead = 16

    /// Pre-tokenizes `bytes[start..<end]` (as its own text: `$` is `end`) and writes each piece's ids to `sink`
    /// (growing `cache`'s id buffer as needed). `readablePast` more bytes may be read (never used) past the
    /// buffer's end.
    ///
    /// Pieces are scanned `lookahead` at a time; for each cacheable piece (3…16 bytes) the key and slot are
    /// computed once and its piece-cache and whole-token slots prefetched before any of them is encoded, so
    /// the probes that follow find their cache lines close instead of waiting on memory one piece at a time. A piece-cache hit then costs one compare and three stores;
    /// everything else goes to ``encodeUncached(_:_:readable:ahead:tables:cache:into:)``. Results never
    /// depend on the caches.
    @inline(__always)
    func encodeSegment(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, readablePast: Int = 0,
                       cache: BPEPieceCache, into out: inout BPEBufferSink) {
        guard start < end, let base = bytes.baseAddress else { return }
        var scanner = PretokenizerScanner(bytes: base, end: end, setup: scannerSetup)
        let total = bytes.count + readablePast      // bytes readable at `base` (past `end` only for loads)
        // The table's lookups as plain pointers, fetched once per cache (the pair table is built on first
        // use): no shared reference count or lock is touched per call when several threads encode.
        let tables = (cache.tables ?? cache.setTables(BPEMergeTables(table, pairCache: cache.pairCache))).pointee
        switch spec.pattern {
        case .cl100k: Self.encodePieces(CL100kPieceRule.self, &scanner, base, start, end, total, tables, cache, &out)
        case .o200k: Self.encodePieces(O200kPieceRule.self, &scanner, base, start, end, total, tables, cache, &out)
        case .r50k: Self.encodePieces(R50kPieceRule.self, &scanner, base, start, end, total, tables, cache, &out)
        }
    }

    /// The per-piece loop of ``encodeSegment(_:_:_:readablePast:cache:into:)`` for one pattern: `Rule` is a
    /// type, not a value, so each pattern gets its own copy of the loop with its scanner inlined (a switch on
    /// the pattern per piece left the o200k and r50k scanners as calls).
    ///
    /// Two things are kept in registers rather than in the structs they belong to: the window's pending
    /// piece ends (most pieces of ASCII text are popped from its boundary mask; the scanner's own copy is
    /// written back before any other scanner call) and the sink (only the out-of-line miss path gets its
    /// address, through a copy). Through the structs, every piece loaded and stored them again.
    @inline(__always)
    static func encodePieces<Rule: PretokenizerPieceRule>(
        _ rule: Rule.Type, _ scanner: inout PretokenizerScanner, _ base: UnsafePointer<UInt8>, _ start: Int,
        _ end: Int, _ total: Int, _ tables: BPEMergeTables, _ cache: BPEPieceCache, _ sink: inout BPEBufferSink
    ) {
        let ahead = cache.ahead, entries = cache.entries
        let shortSlots = tables.bytes.shortSlots, shortShift = tables.bytes.shortShift
        let mediumSlots = tables.bytes.mediumSlots, mediumShift = tables.bytes.mediumShift
        let byteRank = tables.bytes.byteRank, twoByteRank = tables.bytes.pairRank
        var capacity = cache.idCapacity
        var out = sink
        // The scanner's window state this loop reads per piece (see PretokenizerScanner.popBoundary).
        var rest = scanner.window.rest, next = scanner.window.next
        var windowBase = scanner.window.base, trustedEnd = scanner.window.trustedEnd
        var i = start
        while i < end {
            var m = 0, j = i
            while m < Self.lookahead && j < end {
                let e: Int
                if j == next && j != trustedEnd {
                    e = windowBase &+ rest.trailingZeroBitCount
                    rest &= rest &- 1
                    next = e
                } else {
                    scanner.window.rest = rest
                    scanner.window.next = next
                    e = Rule.pieceEnd(&scanner, from: j)
                    rest = scanner.window.rest
                    next = scanner.window.next
                    windowBase = scanner.window.base
                    trustedEnd = scanner.window.trustedEnd
                }
                let n = e &- j
                if n >= 3 && n <= BPEPieceCache.maxPieceBytes {
                    let (k0, k1) = BPEPieceKey.key(base + j, n, readable: total &- j)
                    let h = BPEPieceKey.hash(k0, k1, n)
                    let slot = BPEPieceKey.slot(hash: h)
                    // Its entry and its whole-token slot (short or medium table), both found from one hash.
                    let tokenLine = n <= 8 ? UnsafeRawPointer(shortSlots + Int(truncatingIfNeeded: h &>> shortShift))
                        : UnsafeRawPointer(mediumSlots + Int(truncatingIfNeeded: h &>> mediumShift))
                    ek_prefetch(entries + slot)
                    ek_prefetch(tokenLine)
                    ahead[m] = BPEPieceAhead(end: e, slot: slot, k0: k0, k1: k1)
                } else {
                    ahead[m] = BPEPieceAhead(end: e, slot: -1, k0: 0, k1: 0)
                }
                j = e
                m &+= 1
            }
            // These pieces yield at most one id per byte; hits write 3 ids whatever their count.
            let needed = out.count &+ (j &- i) &+ 3
            if needed > capacity {
                out.base = cache.growIds(keeping: out.count, needed: needed)
                capacity = cache.idCapacity
            }
            for k in 0..<m {
                let a = ahead[k]
                let n = a.end &- i
                if a.slot >= 0 {
                    let entry = entries[a.slot]
                    if entry.holds(a, length: n) && cache.write(entry, slot: a.slot, into: &out) {
                        i = a.end
                        continue
                    }
                } else if n <= 2 {
                    Self.encodeTiny(base + i, n, byteRank: byteRank, twoByteRank: twoByteRank, into: &out)
                    i = a.end
                    continue
                }
                var missed = out
                Self.encodeUncached(base + i, n, readable: total &- i, ahead: a, tables: tables, cache: cache,
                                    into: &missed)
                out.count = missed.count
                i = a.end
            }
        }
        scanner.window.rest = rest
        scanner.window.next = next
        sink = out
    }

    /// A piece of 3 bytes or more the piece cache did not answer: 3–16 bytes through the whole-token table or
    /// a merge (then remembered in the piece cache), longer ones through the long-piece cache or cut and merged.
    @inline(never)
    static func encodeUncached(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, ahead: BPEPieceAhead,
                               tables: BPEMergeTables, cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        if ahead.slot < 0 {
            // A non-ASCII piece (a run of CJK text, a box-drawing rule; told apart by a high bit in bytes 0, 1
            // or 3, which a leading space or punctuation byte cannot hide) skips the long-piece cache: cut and
            // encoded a character at a time it costs about what a lookup and insert do, such runs rarely
            // repeat, and its long parts (box-drawing runs) still go through the cache. Which path a piece
            // takes never changes its ids.
            guard n <= BPELongPieceCache.maxPieceBytes && (p[0] | p[1] | p[3]) < 0x80 else {
                encodeCutting(p, n, readable: readable, tables: tables, cache: cache, into: &sink)
                return
            }
            // `cache` is held by the caller for the whole call: lent to the closure as a guaranteed
            // reference, it costs no retain/release pair per long piece.
            let lent = Unmanaged.passUnretained(cache)
            cache.longPieces.encode(p, n, into: &sink) { out in
                lent._withUnsafeGuaranteedRef {
                    encodeCutting(p, n, readable: readable, tables: tables, cache: $0, into: &out)
                }
            }
            return
        }
        encodeMissed(p, n, readable: readable, k0: ahead.k0, k1: ahead.k1, slot: ahead.slot, tables: tables,
                     cache: cache, into: &sink)
    }

    /// A cacheable piece (3…16 bytes, key `k0`/`k1`, cache slot `slot`) the piece cache did not hold: one
    /// whole-token probe, else a merge; the ids are remembered (up to 16: all of them).
    ///
    /// A non-ASCII piece (CJK text) is cut where no token can straddle when it can be. A piece of 9–16 bytes
    /// tries the cut before its whole-token probe (a hashed probe of the large medium table, rarely a hit for
    /// CJK text): a piece that is one token has no boundary to cut (the token straddles every one), so the
    /// order changes nothing but skips that probe for the pieces that do fall apart.
    @inline(__always)
    static func encodeMissed(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, k0: UInt64, k1: UInt64, slot: Int,
                             cut: Bool = true, tables: BPEMergeTables, cache: BPEPieceCache,
                             into sink: inout BPEBufferSink) {
        let bytes = tables.bytes
        let cuttable = cut && n >= 4 && (k0 | k1) & 0x8080_8080_8080_8080 != 0
        if cuttable && n > 8 && encodeCut(p, n, readable: readable, k0: k0, k1: k1, slot: slot, tables: tables,
                                          cache: cache, into: &sink) {
            return
        }
        let h = BPEPieceKey.hash(k0, k1, n)
        let whole = !bytes.mayBeToken(hash: h) ? BPERankTable.missing
            : n <= 8 ? bytes.shortRank(k0, n, from: Int(truncatingIfNeeded: h &>> bytes.shortShift))
            : bytes.mediumRank(k0, k1, n, from: Int(truncatingIfNeeded: h &>> bytes.mediumShift))
        if whole != BPERankTable.missing {
            sink.append(whole)
            cache.remember(slot: slot, k0: k0, k1: k1, length: n, ids: sink.base + sink.count - 1, count: 1)
            return
        }
        if cuttable && n <= 8 && encodeCut(p, n, readable: readable, k0: k0, k1: k1, slot: slot, tables: tables,
                                           cache: cache, into: &sink) {
            return
        }
        let ids = cache.scratch
        let count = BytePairMerge.mergeSmall(p, n, tables: tables, ids: ids)
        for k in 0..<count { sink.append(ids[k]) }
        cache.remember(slot: slot, k0: k0, k1: k1, length: n, ids: ids, count: count)
    }

    /// ``encodeIfCuttable(_:_:readable:tables:cache:into:)`` for a cacheable piece, remembering its ids when
    /// it was cut.
    @inline(__always)
    static func encodeCut(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, k0: UInt64, k1: UInt64, slot: Int,
                          tables: BPEMergeTables, cache: BPEPieceCache, into sink: inout BPEBufferSink) -> Bool {
        let first = sink.count
        guard encodeIfCuttable(p, n, readable: readable, tables: tables, cache: cache, into: &sink) else { return false }
        cache.remember(slot: slot, k0: k0, k1: k1, length: n, ids: sink.base + first, count: sink.count - first)
        return true
    }

    /// A long piece (more than 16 bytes): cut where no token can straddle, else merged whole.
    static func encodeCutting(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, tables: BPEMergeTables,
                              cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        if !encodeIfCuttable(p, n, readable: readable, tables: tables, cache: cache, into: &sink) {
            BytePairMerge.encodePiece(p, n, readable: readable, tables: tables, into: &sink)
        }
    }

    /// A piece of 1 or 2 bytes: its byte's id, or the two-byte token, else the two bytes' ids.
    @inline(__always)
    static func encodeTiny(_ p: UnsafePointer<UInt8>, _ n: Int, byteRank: UnsafeMutablePointer<UInt32>,
                           twoByteRank: UnsafeMutablePointer<UInt32>, into sink: inout BPEBufferSink) {
        let b0 = Int(p[0])
        if n == 1 { sink.append(byteRank[b0]); return }
        let b1 = Int(p[1])
        let r = twoByteRank[b0 << 8 | b1]
        if r != BPERankTable.missing {
            sink.append(r)
        } else {
            sink.append(byteRank[b0]); sink.append(byteRank[b1])
        }
    }
}
