/// Where encoded ids go: an array, or just a count.
@usableFromInline
protocol BPETokenSink {
    mutating func append(_ rank: UInt32)
}

struct BPEArraySink: BPETokenSink {
    var ids: [Int]
    @inline(__always) mutating func append(_ rank: UInt32) { ids.append(Int(rank)) }
}

struct BPECountSink: BPETokenSink {
    var count = 0
    @inline(__always) mutating func append(_ rank: UInt32) { count += 1 }
}

/// Byte-pair merging of one pre-tokenized piece: repeatedly merge the adjacent pair whose bytes have the lowest
/// rank (leftmost on ties) until no pair is a token — the same result as tiktoken's `byte_pair_merge`.
/// Short pieces use a flat array (quadratic in the piece, tiny constants); long pieces a binary heap over a
/// linked list of parts (n log n), so a megabyte without spaces encodes in near-linear time.
enum BytePairMerge {
    static let heapThreshold = 24

    @inline(__always)
    static func encodePiece<Sink: BPETokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int,
                                                 table: BPERankTable, into sink: inout Sink) {
        if n == 1 { sink.append(table.byteRank[Int(p[0])]); return }
        let whole = table.rank(p, n, readable: readable)
        if whole != BPERankTable.missing { sink.append(whole); return }
        if n <= heapThreshold {
            mergeShort(p, n, readable: readable, table: table, into: &sink)
        } else {
            mergeLong(p, n, readable: readable, table: table, into: &sink)
        }
    }

    static func mergeShort<Sink: BPETokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int,
                                               table: BPERankTable, into sink: inout Sink) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 3 * (n + 1)) { buffer in
            let starts = buffer.baseAddress!            // part k is bytes starts[k] ..< starts[k + 1]
            let partRank = starts + (n + 1)             // rank of part k
            let pairRank = partRank + (n + 1)           // rank of part k merged with part k + 1
            var parts = n
            for k in 0...n { starts[k] = UInt32(k) }
            for k in 0..<n { partRank[k] = table.byteRank[Int(p[k])] }
            for k in 0..<(n - 1) { pairRank[k] = table.pairRank[Int(p[k]) << 8 | Int(p[k + 1])] }
            pairRank[n - 1] = BPERankTable.missing
            while parts > 1 {
                var best = BPERankTable.missing, at = -1
                for k in 0..<(parts - 1) where pairRank[k] < best { best = pairRank[k]; at = k }
                if at < 0 { break }
                partRank[at] = best
                for k in (at + 1)..<parts {
                    starts[k] = starts[k + 1]
                    partRank[k] = partRank[k + 1]
                    pairRank[k] = pairRank[k + 1]
                }
                parts -= 1
                @inline(__always) func rankOfPair(_ k: Int) -> UInt32 {
                    guard k + 1 < parts else { return BPERankTable.missing }
                    let s = Int(starts[k])
                    return table.rank(p + s, Int(starts[k + 2]) - s, readable: readable - s)
                }
                pairRank[at] = rankOfPair(at)
                if at > 0 { pairRank[at - 1] = rankOfPair(at - 1) }
            }
            for k in 0..<parts { sink.append(partRank[k]) }
        }
    }

    static func mergeLong<Sink: BPETokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int,
                                              table: BPERankTable, into sink: inout Sink) {
        // 4 UInt32 arrays of n, then a heap of at most 3n UInt64 entries (n - 1 initial pairs, ≤ 2 per merge).
        let bytes = 4 * n * MemoryLayout<UInt32>.stride + 3 * n * MemoryLayout<UInt64>.stride
        if bytes <= 64 * 1024 {
            withUnsafeTemporaryAllocation(byteCount: bytes, alignment: 8) { buffer in
                mergeLong(p, n, readable: readable, table: table, scratch: buffer.baseAddress!, into: &sink)
            }
        } else {
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 8)
            defer { scratch.deallocate() }
            mergeLong(p, n, readable: readable, table: table, scratch: scratch, into: &sink)
        }
    }

    @inline(__always)
    static func mergeLong<Sink: BPETokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int,
                                              table: BPERankTable, scratch: UnsafeMutableRawPointer,
                                              into sink: inout Sink) {
        // Nodes are identified by their first byte; a merge removes the right node.
        let heapItems = scratch.bindMemory(to: UInt64.self, capacity: 3 * n)
        let words = (scratch + 3 * n * MemoryLayout<UInt64>.stride).bindMemory(to: UInt32.self, capacity: 4 * n)
        let next = words, prev = words + n, partRank = words + 2 * n, pairRank = words + 3 * n
        var heap = MinHeap64(items: heapItems)
        let none = UInt32.max
        for k in 0..<n {
            next[k] = UInt32(k + 1)
            prev[k] = k == 0 ? none : UInt32(k - 1)
            partRank[k] = table.byteRank[Int(p[k])]
            let r = k + 1 < n ? table.pairRank[Int(p[k]) << 8 | Int(p[k + 1])] : BPERankTable.missing
            pairRank[k] = r
            if r != BPERankTable.missing { heap.push(UInt64(r) << 32 | UInt64(k)) }
        }
        @inline(__always) func rankOfPair(_ node: Int) -> UInt32 {
            let right = Int(next[node])
            guard right < n else { return BPERankTable.missing }
            let end = Int(next[right])
            return table.rank(p + node, end - node, readable: readable - node)
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
            let r = rankOfPair(node)
            pairRank[node] = r
            if r != BPERankTable.missing { heap.push(UInt64(r) << 32 | UInt64(node)) }
            let left = prev[node]
            if left != none {
                let l = rankOfPair(Int(left))
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
