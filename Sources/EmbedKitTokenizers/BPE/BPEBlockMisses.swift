import EmbedKitCKernels

/// A cacheable piece (3…16 bytes, not cut) the piece cache missed while a long text was scanned, set aside so
/// that a block's misses are resolved together (see ``BPEBlockMisses``). Its ids go to the gap of `length` ids
/// left at `position` in the id buffer.
struct BPEDeferredMiss {
    var k0: UInt64
    var k1: UInt64
    /// Offset of the piece in the scanned text.
    var text: Int
    var position: Int32
    var slot: Int32
    var length: Int32
    /// Ids written to the gap once resolved; for a repeat of an earlier piece of the block (`source` ≥ 0),
    /// copied from that record.
    var count: Int32
    var source: Int32
}

/// One piece being merged by ``BPEBlockMisses``: its parts' ids and pair ranks live in the lane's 32 words.
struct BPEMergeLane {
    var record: Int32
    var parts: Int32
    /// Where the last merge happened (the new pairs are at `at - 1` and `at`).
    var at: Int32
    /// Bit 0: the pair at `at` awaits its probe; bit 1: the pair at `at - 1`.
    var pending: Int32
}

/// Resolves the piece-cache misses of a block of a long text together instead of one at a time.
///
/// A cold miss is a chain of dependent memory probes: the whole-token slot, then for most pieces ~6 merge
/// steps, each waiting on the pair filter and the pair table (DRAM-sized). One piece at a time, each wait is
/// whole. Here the misses of a block (tens of them) are resolved in two phases: first every piece's
/// whole-token probe (its line was prefetched while the block was scanned, so these overlap), then the
/// pieces that are no token are merged ``laneCount`` at a time in rounds — each round takes one merge step
/// per lane and issues its new pairs' prefetches, which are awaited only a round later, after the other
/// lanes' steps (group prefetching). The merge steps of each piece are tiktoken's, in its order; only the
/// interleaving across pieces differs, so the ids are the same. Then the block's ids are closed up over the
/// gaps the misses left.
enum BPEBlockMisses {
    /// Pieces merged at once.
    static let laneCount = 8
    /// Misses a block collects before they are resolved.
    static let blockMisses = 96
    /// Records a cache keeps: a block's misses plus one look-ahead window.
    static let capacity = blockMisses + TiktokenEncoding.lookahead + 1
    /// Segments shorter than this (short documents) resolve each miss as it comes.
    static let minimumSegment = 4096

    /// The `meta` of an entry marking a piece deferred in this block (record index in `id0`): never a valid
    /// entry's (its length bits are 0), so a lookup misses it.
    @inline(__always)
    static func pendingMeta(_ length: Int) -> UInt32 { 0x8000_0000 | UInt32(truncatingIfNeeded: length) << 16 }

    /// The piece `ahead` (`length` bytes at offset `text`, missed by the piece cache, whose entry for its slot
    /// is `entry`): when it is one token, writes its id at `ids[position]`, remembers it and returns 1; else
    /// records it as miss `index` of the block, to be merged into the gap of `length` ids left at `position`,
    /// and returns `length`. Its entry is then marked pending, unless it already names an earlier miss of the
    /// block with the same bytes: then this one is a repeat, copied from it.
    @inline(never)
    static func setAside(_ ahead: BPEPieceAhead, length n: Int, text: Int, position: Int, entry: BPEPieceCache.Entry,
                         index: Int, cache: BPEPieceCache, tables: BPEMergeTables,
                         ids: UnsafeMutablePointer<UInt32>) -> Int {
        var source: Int32 = -1
        let pending = pendingMeta(n)
        if entry.meta == pending && entry.k0 == ahead.k0 && entry.k1 == ahead.k1 {
            source = Int32(bitPattern: entry.id0)
        } else {
            let bytes = tables.bytes
            let h = BPEPieceKey.hash(ahead.k0, ahead.k1, n)
            let whole = !bytes.mayBeToken(hash: h) ? BPERankTable.missing
                : n <= 8 ? bytes.shortRank(ahead.k0, n, from: Int(truncatingIfNeeded: h &>> bytes.shortShift))
                : bytes.mediumRank(ahead.k0, ahead.k1, n, from: Int(truncatingIfNeeded: h &>> bytes.mediumShift))
            if whole != BPERankTable.missing {
                ids[position] = whole
                cache.remember(slot: ahead.slot, k0: ahead.k0, k1: ahead.k1, length: n, ids: ids + position, count: 1)
                return 1
            }
            cache.entries[ahead.slot] = BPEPieceCache.Entry(k0: ahead.k0, k1: ahead.k1, meta: pending,
                                                            id0: UInt32(truncatingIfNeeded: index), id1: 0, id2: 0)
        }
        cache.deferred[index] = BPEDeferredMiss(
            k0: ahead.k0, k1: ahead.k1, text: text, position: Int32(truncatingIfNeeded: position),
            slot: Int32(truncatingIfNeeded: ahead.slot), length: Int32(truncatingIfNeeded: n), count: 0,
            source: source)
        return n
    }

    /// Resolves `records[0..<count]` (pieces of the text at `base`), writes their ids into their gaps in
    /// `sink`, remembers them in `cache`, and closes the gaps up (`sink.count` shrinks accordingly).
    @inline(never)
    static func resolve(_ records: UnsafeMutablePointer<BPEDeferredMiss>, _ count: Int, base: UnsafePointer<UInt8>,
                        tables: BPEMergeTables, cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        let ids = sink.base
        let queue = cache.mergeQueue
        var queued = 0
        // Every record that is not a repeat is a merge (whole tokens were answered when set aside).
        for r in 0..<count where records[r].source < 0 {
            queue[queued] = Int32(truncatingIfNeeded: r)
            queued &+= 1
        }
        if queued > 0 { merge(records, queue, queued, base: base, tables: tables, cache: cache, ids: ids) }
        // Repeats within the block copy their first occurrence's ids.
        for r in 0..<count {
            let source = records[r].source
            if source < 0 { continue }
            let from = records[Int(truncatingIfNeeded: source)]
            let c = Int(truncatingIfNeeded: from.count)
            (ids + Int(truncatingIfNeeded: records[r].position)).update(from: ids + Int(truncatingIfNeeded: from.position),
                                                                       count: c)
            records[r].count = Int32(truncatingIfNeeded: c)
        }
        close(records, count, into: &sink)
    }

    /// Phase 2: merges the pieces `queue[0..<queued]` name, ``laneCount`` at a time, one step per lane per round.
    @inline(never)
    static func merge(_ records: UnsafeMutablePointer<BPEDeferredMiss>, _ queue: UnsafeMutablePointer<Int32>,
                      _ queued: Int, base: UnsafePointer<UInt8>, tables: BPEMergeTables, cache: BPEPieceCache,
                      ids: UnsafeMutablePointer<UInt32>) {
        let lanes = cache.lanes, words = cache.laneWords
        let byteRank = tables.bytes.byteRank, bytePair = tables.bytes.pairRank
        let pairCache = tables.pairCache, pairs = tables.pairs
        var next = 0, live = 0
        let width = min(laneCount, queued)
        // Starts lane `l` on the next queued piece: its bytes' ids and pair ranks (small tables).
        @inline(__always) func start(_ l: Int) {
            let r = Int(truncatingIfNeeded: queue[next])
            next &+= 1
            let record = records[r]
            let p = base + record.text, n = Int(truncatingIfNeeded: record.length)
            let w = words + l &* 32, pairRank = w + 16
            for k in 0..<n { w[k] = byteRank[Int(p[k])] }
            for k in 0..<(n &- 1) { pairRank[k] = bytePair[Int(p[k]) << 8 | Int(p[k &+ 1])] }
            lanes[l] = BPEMergeLane(record: Int32(truncatingIfNeeded: r), parts: Int32(truncatingIfNeeded: n), at: 0,
                                    pending: 0)
        }
        for l in 0..<width { start(l) }
        live = width
        while live > 0 {
            for l in 0..<width {
                var lane = lanes[l]
                if lane.record < 0 { continue }
                let w = words + l &* 32, pairRank = w + 16
                var parts = Int(truncatingIfNeeded: lane.parts)
                // The probes issued last round (their lines were asked for then).
                if lane.pending != 0 {
                    let at = Int(truncatingIfNeeded: lane.at)
                    if lane.pending & 1 != 0 { pairRank[at] = pairCache.probe(w[at], w[at &+ 1], pairs: pairs) }
                    if lane.pending & 2 != 0 { pairRank[at &- 1] = pairCache.probe(w[at &- 1], w[at], pairs: pairs) }
                }
                // One merge step: the lowest-ranked pair, leftmost on ties (as BytePairMerge.mergeShort).
                var key = UInt32.max
                for k in 0..<(parts &- 1) { key = min(key, pairRank[k] &<< 8 | UInt32(truncatingIfNeeded: k)) }
                if key >= 0xFFFF_FF00 {
                    // Done: its ids go to the gap and the piece cache; the lane takes the next piece.
                    let r = Int(truncatingIfNeeded: lane.record)
                    let record = records[r]
                    let at = Int(truncatingIfNeeded: record.position)
                    (ids + at).update(from: w, count: parts)
                    records[r].count = Int32(truncatingIfNeeded: parts)
                    cache.remember(slot: Int(truncatingIfNeeded: record.slot), k0: record.k0, k1: record.k1,
                                   length: Int(truncatingIfNeeded: record.length), ids: w, count: parts)
                    if next < queued {
                        start(l)
                    } else {
                        lanes[l].record = -1
                        live &-= 1
                    }
                    continue
                }
                let at = Int(truncatingIfNeeded: key & 0xFF)
                w[at] = key >> 8
                parts &-= 1
                var k = at &+ 1
                while k < parts {
                    w[k] = w[k &+ 1]
                    pairRank[k] = pairRank[k &+ 1]
                    k &+= 1
                }
                var pending: Int32 = 0
                if at &+ 1 < parts {
                    let r = pairCache.rankOrPrefetch(w[at], w[at &+ 1], pairs: pairs)
                    if r == BPEPairCache.unresolved { pending |= 1 } else { pairRank[at] = r }
                }
                if at > 0 {
                    let r = pairCache.rankOrPrefetch(w[at &- 1], w[at], pairs: pairs)
                    if r == BPEPairCache.unresolved { pending |= 2 } else { pairRank[at &- 1] = r }
                }
                lane.parts = Int32(truncatingIfNeeded: parts)
                lane.at = Int32(truncatingIfNeeded: at)
                lane.pending = pending
                lanes[l] = lane
            }
        }
    }

    /// Closes the gaps: each record's `count` ids follow the ids before it, then the ids after its gap.
    @inline(never)
    static func close(_ records: UnsafeMutablePointer<BPEDeferredMiss>, _ count: Int, into sink: inout BPEBufferSink) {
        let ids = UnsafeMutableRawPointer(sink.base)
        let size = MemoryLayout<UInt32>.stride
        let first = records[0]
        var write = Int(truncatingIfNeeded: first.position) &+ Int(truncatingIfNeeded: first.count)
        var read = Int(truncatingIfNeeded: first.position) &+ Int(truncatingIfNeeded: first.length)
        for r in 1..<max(count, 1) {
            let record = records[r]
            let position = Int(truncatingIfNeeded: record.position)
            // The ids between the last gap and this one, then this piece's ids.
            let between = position &- read
            (ids + write &* size).copyMemory(from: ids + read &* size, byteCount: between &* size)
            write &+= between
            let c = Int(truncatingIfNeeded: record.count)
            (ids + write &* size).copyMemory(from: ids + position &* size, byteCount: c &* size)
            write &+= c
            read = position &+ Int(truncatingIfNeeded: record.length)
        }
        let tail = sink.count &- read
        (ids + write &* size).copyMemory(from: ids + read &* size, byteCount: tail &* size)
        sink.count = write &+ tail
    }
}
