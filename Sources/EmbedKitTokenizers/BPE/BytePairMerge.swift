/// Where encoded ids go: a buffer the caller made large enough (a piece of n bytes never yields more than n ids).
struct BPEBufferSink {
    var base: UnsafeMutablePointer<UInt32>
    var count: Int
    @inline(__always) mutating func append(_ rank: UInt32) { base[count] = rank; count &+= 1 }
}

/// The lookups one merge needs, as plain pointers (copied into each encode call: no reference counting in
/// the hot loop).
struct BPEMergeTables {
    let bytes: BPEBytesLookup
    let pairs: BPEPairTable
    /// The calling thread's cache of recent pair lookups (owned by its ``BPEPieceCache``).
    let pairCache: BPEPairCache

    init(_ table: BPERankTable, pairCache: BPEPairCache) {
        bytes = table.lookup
        pairs = table.pairs
        self.pairCache = pairCache
    }
}

/// Byte-pair merging of one pre-tokenized piece: repeatedly merge the adjacent pair whose bytes have the lowest
/// rank (leftmost on ties) until no pair is a token — the same result as tiktoken's `byte_pair_merge`.
/// Every part is a token, so the merge runs on ids: the rank of two adjacent parts is one probe of the
/// id-pair table (``BPEPairTable``). Short pieces use a flat array with a branch-free minimum scan (quadratic
/// in the piece, tiny constants); long pieces a binary heap over a linked list of parts (n log n), so a
/// megabyte without spaces encodes in near-linear time.
enum BytePairMerge {
    static let heapThreshold = 48

    /// Appends the ids of the piece `p[0..<n]` (n ≥ 1) without a cache.
    @inline(__always)
    static func encodePiece(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int,
                            tables: BPEMergeTables, into sink: inout BPEBufferSink) {
        if n == 1 { sink.append(tables.bytes.byteRank[Int(p[0])]); return }
        let whole = tables.bytes.rank(p, n, readable: readable)
        if whole != BPERankTable.missing { sink.append(whole); return }
        if n <= heapThreshold {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * n) { buffer in
                let ids = buffer.baseAddress!
                let count = mergeShort(p, n, tables: tables, ids: ids)
                for k in 0..<count { sink.append(ids[k]) }
            }
        } else {
            mergeLong(p, n, tables: tables, into: &sink)
        }
    }

    /// Merges the piece `p[0..<n]` (2 ≤ n ≤ 255) in `ids` (room for 2n): returns the number of ids left at
    /// `ids[0..<count]`.
    @inline(__always)
    static func mergeShort(_ p: UnsafePointer<UInt8>, _ n: Int, tables: BPEMergeTables,
                           ids: UnsafeMutablePointer<UInt32>) -> Int {
        merge(p, n, tables: tables, ids: ids, pairRank: ids + n, fixedShifts: false)
    }

    /// Words of scratch ``mergeSmall(_:_:tables:ids:)`` needs: the parts' ids in the first 32, their pair
    /// ranks in the next 32 (room for the fixed-size shifts).
    static let smallScratch = 64

    /// ``mergeShort(_:_:tables:ids:)`` for a piece of 2…16 bytes (a cacheable miss), with `ids` of
    /// ``smallScratch`` words: after each merge the parts right of it move left with two fixed-size vector
    /// copies per array instead of a loop whose length changes with every step. Same steps, same order, same
    /// result; a merged piece costs ~5–10 % less (docs/performance-history.md, tenth session, blk10).
    @inline(__always)
    static func mergeSmall(_ p: UnsafePointer<UInt8>, _ n: Int, tables: BPEMergeTables,
                           ids: UnsafeMutablePointer<UInt32>) -> Int {
        merge(p, n, tables: tables, ids: ids, pairRank: ids + 32, fixedShifts: true)
    }

    /// The flat-array merge both of the above run: `ids[k]` is part k's id, `pairRank[k]` the rank of part k
    /// merged with part k + 1. With `fixedShifts` (a constant at each call site, so each gets its own copy)
    /// the parts right of a merge move with fixed-size vector copies, which needs n ≤ 16 and 32 words for
    /// each array.
    @inline(__always)
    private static func merge(_ p: UnsafePointer<UInt8>, _ n: Int, tables: BPEMergeTables,
                              ids: UnsafeMutablePointer<UInt32>, pairRank: UnsafeMutablePointer<UInt32>,
                              fixedShifts: Bool) -> Int {
        let byteRank = tables.bytes.byteRank, bytePair = tables.bytes.pairRank
        for k in 0..<n { ids[k] = byteRank[Int(p[k])] }
        for k in 0..<(n - 1) { pairRank[k] = bytePair[Int(p[k]) << 8 | Int(p[k + 1])] }
        var parts = n
        while parts > 1 {
            // Branch-free minimum of (rank << 8 | position): lowest rank, leftmost on ties. Ranks are
            // < 2^21 and positions < 256 here, so `missing` (all ones) stays above every real key.
            var key = UInt32.max
            for k in 0..<(parts - 1) { key = min(key, pairRank[k] &<< 8 | UInt32(k)) }
            if key >= 0xFFFF_FF00 { break }
            let at = Int(key & 0xFF)
            ids[at] = key >> 8
            parts -= 1
            if fixedShifts {
                shiftLeft16(ids, from: at + 2)
                shiftLeft16(pairRank, from: at + 2)
            } else {
                var k = at + 1
                while k < parts {
                    ids[k] = ids[k + 1]
                    pairRank[k] = pairRank[k + 1]
                    k += 1
                }
            }
            // Both new pairs are looked up in the pair cache first and, when absent, their filter words and
            // table slots fetched together, so the two probes (and each probe's filter and slot) overlap
            // instead of waiting on memory one after the other.
            let right = at + 1 < parts, left = at > 0
            var r = BPEPairCache.unresolved, l = BPEPairCache.unresolved
            if right { r = tables.pairCache.rankOrPrefetch(ids[at], ids[at + 1], pairs: tables.pairs) }
            if left { l = tables.pairCache.rankOrPrefetch(ids[at - 1], ids[at], pairs: tables.pairs) }
            if right { pairRank[at] = r != BPEPairCache.unresolved ? r : tables.pairCache.probe(ids[at], ids[at + 1], pairs: tables.pairs) }
            if left { pairRank[at - 1] = l != BPEPairCache.unresolved ? l : tables.pairCache.probe(ids[at - 1], ids[at], pairs: tables.pairs) }
        }
        return parts
    }

    /// Moves the 16 words at `words[from..<from + 16]` one place left, as two 8-word vector copies. With at most
    /// 16 parts a merge is at `from - 2 ≤ 14`, so this stays within the array's 32 words; what it moves in
    /// past the last part is never read.
    @inline(__always)
    private static func shiftLeft16(_ words: UnsafeMutablePointer<UInt32>, from: Int) {
        let raw = UnsafeMutableRawPointer(words), source = from &* 4, target = source &- 4
        let low = raw.loadUnaligned(fromByteOffset: source, as: SIMD8<UInt32>.self)
        let high = raw.loadUnaligned(fromByteOffset: source &+ 32, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: low, toByteOffset: target, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: high, toByteOffset: target &+ 32, as: SIMD8<UInt32>.self)
    }

    static func mergeLong(_ p: UnsafePointer<UInt8>, _ n: Int, tables: BPEMergeTables,
                          into sink: inout BPEBufferSink) {
        // 4 UInt32 arrays of n, then a heap of at most 3n UInt64 entries (n - 1 initial pairs, ≤ 2 per merge).
        let bytes = 4 * n * MemoryLayout<UInt32>.stride + 3 * n * MemoryLayout<UInt64>.stride
        if bytes <= 64 * 1024 {
            withUnsafeTemporaryAllocation(byteCount: bytes, alignment: 8) { buffer in
                mergeLong(p, n, tables: tables, scratch: buffer.baseAddress!, into: &sink)
            }
        } else {
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 8)
            defer { scratch.deallocate() }
            mergeLong(p, n, tables: tables, scratch: scratch, into: &sink)
        }
    }

    @inline(__always)
    static func mergeLong(_ p: UnsafePointer<UInt8>, _ n: Int, tables: BPEMergeTables,
                          scratch: UnsafeMutableRawPointer, into sink: inout BPEBufferSink) {
        // Nodes are identified by their first byte; a merge removes the right node.
        let heapItems = scratch.bindMemory(to: UInt64.self, capacity: 3 * n)
        let words = (scratch + 3 * n * MemoryLayout<UInt64>.stride).bindMemory(to: UInt32.self, capacity: 4 * n)
        let next = words, prev = words + n, partRank = words + 2 * n, pairRank = words + 3 * n
        let byteRank = tables.bytes.byteRank, bytePair = tables.bytes.pairRank
        var heap = MinHeap64(items: heapItems)
        let none = UInt32.max
        for k in 0..<n {
            next[k] = UInt32(k + 1)
            prev[k] = k == 0 ? none : UInt32(k - 1)
            partRank[k] = byteRank[Int(p[k])]
            let r = k + 1 < n ? bytePair[Int(p[k]) << 8 | Int(p[k + 1])] : BPERankTable.missing
            pairRank[k] = r
            if r != BPERankTable.missing { heap.push(UInt64(r) << 32 | UInt64(k)) }
        }
        while let top = heap.pop() {
            let rank = UInt32(truncatingIfNeeded: top >> 32), node = Int(top & 0xFFFF_FFFF)
            guard pairRank[node] == rank else { continue }     // stale (removed nodes hold `missing`)
            let right = Int(next[node])
            partRank[node] = rank
            let after = next[right]
            next[node] = after
            if Int(after) < n { prev[Int(after)] = UInt32(node) }
            pairRank[right] = BPERankTable.missing
            // Both neighbours' pairs issued before either is awaited (as in mergeShort).
            let left = prev[node], hasRight = Int(after) < n
            let cache = tables.pairCache, pairs = tables.pairs
            var r = hasRight ? cache.rankOrPrefetch(rank, partRank[Int(after)], pairs: pairs) : BPERankTable.missing
            var l = left != none ? cache.rankOrPrefetch(partRank[Int(left)], rank, pairs: pairs) : BPERankTable.missing
            if r == BPEPairCache.unresolved { r = cache.probe(rank, partRank[Int(after)], pairs: pairs) }
            pairRank[node] = r
            if r != BPERankTable.missing { heap.push(UInt64(r) << 32 | UInt64(node)) }
            if left != none {
                if l == BPEPairCache.unresolved { l = cache.probe(partRank[Int(left)], rank, pairs: pairs) }
                pairRank[Int(left)] = l
                if l != BPERankTable.missing { heap.push(UInt64(l) << 32 | UInt64(left)) }
            }
        }
        var node = 0
        while node < n {
            sink.append(partRank[node])
            node = Int(next[node])
        }
    }
}

/// A binary min-heap of `UInt64` keys (rank << 32 | position: lowest rank first, then leftmost) over a
/// caller-provided buffer large enough for every push.
struct MinHeap64 {
    private let items: UnsafeMutablePointer<UInt64>
    private var count = 0

    init(items: UnsafeMutablePointer<UInt64>) { self.items = items }

    @inline(__always)
    mutating func push(_ value: UInt64) {
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if items[parent] <= value { break }
            items[i] = items[parent]
            i = parent
        }
        items[i] = value
    }

    @inline(__always)
    mutating func pop() -> UInt64? {
        guard count > 0 else { return nil }
        let top = items[0]
        count -= 1
        if count == 0 { return top }
        let last = items[count]
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= count { break }
            if child + 1 < count && items[child + 1] < items[child] { child += 1 }
            if last <= items[child] { break }
            items[i] = items[child]
            i = child
        }
        items[i] = last
        return top
    }
}
