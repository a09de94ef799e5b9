import EmbedKitCKernels
import EmbedKitNumerics
import Foundation

/// Which nodes may appear in results (the graph is still traversed through the others).
protocol NodeFilter {
    func accepts(_ node: Int) -> Bool
    /// True when every node is accepted, letting the search stop as soon as it converges.
    var acceptsAll: Bool { get }
}

/// Accepts every live (not deleted) node.
struct LiveNodes: NodeFilter {
    let tombstones: UnsafeMutablePointer<UInt8>
    let anyDeleted: Bool
    @inline(__always) func accepts(_ node: Int) -> Bool { !anyDeleted || tombstones[node] == 0 }
    var acceptsAll: Bool { !anyDeleted }
}

/// Accepts live nodes a caller's predicate admits.
struct PredicateNodes: NodeFilter {
    let tombstones: UnsafeMutablePointer<UInt8>
    let predicate: (Int) -> Bool
    @inline(__always) func accepts(_ node: Int) -> Bool { tombstones[node] == 0 && predicate(node) }
    var acceptsAll: Bool { false }
}

/// The HNSW graph over a `VectorStorage`: node n is storage row n.
///
/// Layout: layer-0 links for all nodes in one flat array (`count, n₁ … n_{2M}` per node, UInt32), upper-layer
/// links in one pool addressed by a per-node offset. Searches run on raw pointers with an epoch-stamped
/// visited array; inserts may run on several threads, guarded by striped per-node locks.
final class HNSWGraph: @unchecked Sendable {
    let parameters: HNSWParameters
    let m: Int
    let m0: Int
    let storage: VectorStorage
    private(set) var nodeCount = 0
    let level0: GrowableBuffer<UInt32>
    let levels: GrowableBuffer<UInt8>
    let upperOffsets: GrowableBuffer<UInt64>
    let upperPool: GrowableBuffer<UInt32>
    private(set) var upperPoolUsed = 0
    var entryPoint = -1
    var maxLevel = -1
    /// Optional half-precision copy of the vectors that searches traverse with (results rescored in float32).
    var half: GrowableBuffer<UInt16>?
    private(set) var halfCount = 0
    /// Optional int8 codes that builds and searches traverse with (results rescored in float32).
    var codes: ScalarQuantizer?
    private let nodeLocks = StripedLocks()
    private let globalLock = StripedLocks(stripes: 1)
    private let levelMultiplier: Double

    init(storage: VectorStorage, parameters: HNSWParameters) {
        self.storage = storage
        self.parameters = parameters
        m = parameters.m
        m0 = 2 * parameters.m
        level0 = GrowableBuffer(capacity: 1024 * (2 * parameters.m + 1))
        levels = GrowableBuffer(capacity: 1024)
        upperOffsets = GrowableBuffer(capacity: 1024)
        upperPool = GrowableBuffer(capacity: 1024)
        levelMultiplier = 1 / log(Double(max(parameters.m, 2)))
    }

    /// A graph over loaded buffers.
    init(storage: VectorStorage, parameters: HNSWParameters, nodeCount: Int, level0: GrowableBuffer<UInt32>,
         levels: GrowableBuffer<UInt8>, upperOffsets: GrowableBuffer<UInt64>, upperPool: GrowableBuffer<UInt32>,
         upperPoolUsed: Int, entryPoint: Int, maxLevel: Int) {
        self.storage = storage
        self.parameters = parameters
        m = parameters.m
        m0 = 2 * parameters.m
        self.nodeCount = nodeCount
        self.level0 = level0
        self.levels = levels
        self.upperOffsets = upperOffsets
        self.upperPool = upperPool
        self.upperPoolUsed = upperPoolUsed
        self.entryPoint = entryPoint
        self.maxLevel = maxLevel
        levelMultiplier = 1 / log(Double(max(parameters.m, 2)))
    }

    var stride0: Int { m0 + 1 }

    /// Encodes rows `halfCount..<nodeCount` into the half-precision copy (creating it if needed).
    func encodeHalfPending() {
        let d = storage.dimension
        let buffer = half ?? GrowableBuffer<UInt16>(capacity: max(1, nodeCount) * d)
        half = buffer
        buffer.reserve(nodeCount * d, used: halfCount * d)
        for row in halfCount..<nodeCount {
            HalfPrecisionDistance.encode(storage.vector(row), into: buffer.base + row * d, count: d)
        }
        halfCount = nodeCount
    }

    /// Adopts a loaded half-precision copy of all nodes.
    func adoptHalf(_ buffer: GrowableBuffer<UInt16>) {
        half = buffer
        halfCount = nodeCount
    }

    /// Bytes of graph structure (links and bookkeeping), not counting vectors.
    var memoryBytes: Int {
        nodeCount * (stride0 * 4 + 1 + 8) + upperPoolUsed * 4
    }

    /// Bytes of the half-precision copy (0 without one).
    var halfBytes: Int { half == nil ? 0 : halfCount * storage.dimension * 2 }

    @inline(__always) func links(_ node: Int, level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return level0.base + node &* stride0 }
        return upperPool.base + Int(upperOffsets.base[node]) + (level - 1) * (m + 1)
    }

    @inline(__always) func distance(_ query: UnsafePointer<Float>, _ node: Int) -> Float {
        storage.metric.distance(query, storage.vector(node), dimension: storage.dimension)
    }

    @inline(__always) func distance(_ query: UnsafePointer<Float>, _ row: UnsafePointer<Float>) -> Float {
        storage.metric.distance(query, row, dimension: storage.dimension)
    }

    /// What inserts score with: int8 codes when the graph has them, else float32; lists read under their locks.
    private func buildTraversal() -> HNSWTraversal {
        if let codes {
            return HNSWTraversal(links: level0.base, stride: stride0, codes: codes, metric: storage.metric,
                                 locks: nodeLocks)
        }
        return HNSWTraversal(links: level0.base, stride: stride0, rows: storage.vectors.base,
                             rowBytes: storage.dimension * 4, half: false, metric: storage.metric,
                             dimension: storage.dimension, locks: nodeLocks)
    }

    /// What searches score with: the half-precision copy, int8 codes, or float32.
    func searchTraversal() -> HNSWTraversal {
        let d = storage.dimension
        if let half {
            return HNSWTraversal(links: level0.base, stride: stride0, rows: half.base, rowBytes: d * 2, half: true,
                                 metric: storage.metric, dimension: d, locks: nil)
        }
        if let codes {
            return HNSWTraversal(links: level0.base, stride: stride0, codes: codes, metric: storage.metric, locks: nil)
        }
        return HNSWTraversal(links: level0.base, stride: stride0, rows: storage.vectors.base, rowBytes: d * 4,
                             half: false, metric: storage.metric, dimension: d, locks: nil)
    }

    /// The seeded layer of node `n`: ⌊−ln(u)·mL⌋ with u from splitmix64(seed, n).
    func randomLevel(_ n: Int) -> Int {
        var z = parameters.seed &+ UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let u = (Double(z >> 11) + 0.5) / Double(1 << 53)
        return min(Int(-log(u) * levelMultiplier), 32)
    }

    // MARK: - Building

    /// Inserts storage rows `nodeCount..<storage.count` on `threads` threads.
    func insertPending(threads: Int) {
        let first = nodeCount
        let end = storage.count
        guard end > first else { return }
        level0.reserve(end * stride0, used: first * stride0)
        levels.reserve(end, used: first)
        upperOffsets.reserve(end, used: first)
        var poolNeeded = upperPoolUsed
        for n in first..<end {
            let level = randomLevel(n)
            levels.base[n] = UInt8(level)
            upperOffsets.base[n] = UInt64(poolNeeded)
            poolNeeded += level * (m + 1)
            level0.base[n * stride0] = 0
        }
        upperPool.reserve(poolNeeded, used: upperPoolUsed)
        for n in first..<end {
            let level = Int(levels.base[n])
            for l in 0..<level { upperPool.base[Int(upperOffsets.base[n]) + l * (m + 1)] = 0 }
        }
        upperPoolUsed = poolNeeded
        nodeCount = end
        let traversal = buildTraversal()
        let d = storage.dimension
        var start = first
        if entryPoint < 0 {
            insert(first, traversal: traversal, scratch: SearchScratch(nodes: end, maxDegree: m0, dimension: d))
            start += 1
        }
        let begin = start
        let workers = max(1, min(threads, end - begin))
        if workers == 1 {
            let scratch = SearchScratch(nodes: end, maxDegree: m0, dimension: d)
            for n in start..<end { insert(n, traversal: traversal, scratch: scratch) }
        } else {
            // Rows are handed out in small blocks from a shared counter, so both threads stay busy.
            let next = StripedLocks(stripes: 1)
            let cursor = UncheckedPointer(UnsafeMutablePointer<Int>.allocate(capacity: 1))
            cursor.pointer.initialize(to: begin)
            defer { cursor.pointer.deallocate() }
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let scratch = SearchScratch(nodes: end, maxDegree: m0, dimension: d)
                while true {
                    next.lock(0)
                    let from = cursor.pointer.pointee
                    cursor.pointer.pointee = min(end, from + 16)
                    next.unlock(0)
                    if from >= end { break }
                    for n in from..<min(end, from + 16) { insert(n, traversal: traversal, scratch: scratch) }
                }
            }
        }
    }

    private func insert(_ node: Int, traversal: HNSWTraversal, scratch: SearchScratch) {
        let level = Int(levels.base[node])
        globalLock.lock(0)
        let currentMax = maxLevel
        var entry = entryPoint
        if entry < 0 {
            entryPoint = node
            maxLevel = level
            globalLock.unlock(0)
            return
        }
        let holdsGlobal = level > currentMax
        if !holdsGlobal { globalLock.unlock(0) }
        defer { if holdsGlobal { globalLock.unlock(0) } }

        var query = traversal.prepare(storage.vector(node), buffer: scratch.queryCodes)
        var entryDistance = traversal.distance(&query, entry)
        if level < currentMax {
            for l in stride(from: currentMax, to: level, by: -1) {
                var changed = true
                while changed {
                    changed = false
                    nodeLocks.lock(entry)
                    let list = links(entry, level: l)
                    let count = Int(list[0])
                    scratch.neighbours.update(from: list + 1, count: count)
                    nodeLocks.unlock(entry)
                    for j in 0..<count {
                        let candidate = Int(scratch.neighbours[j])
                        let d = traversal.distance(&query, candidate)
                        if d < entryDistance {
                            entryDistance = d
                            entry = candidate
                            changed = true
                        }
                    }
                }
            }
        }
        for l in stride(from: min(level, currentMax), through: 0, by: -1) {
            var found: [Candidate]
            if l == 0 {
                found = searchLayer0C(traversal, &query, entry: entry, entryDistance: entryDistance,
                                      ef: parameters.efConstruction, scratch: scratch)
            } else {
                searchLayerLocked(traversal, &query, entry: entry, entryDistance: entryDistance, level: l,
                                  ef: parameters.efConstruction, scratch: scratch)
                found = Array(scratch.results.elements())
                found.sort(by: ranksBefore)
            }
            let selected = selectNeighbours(found, limit: m, traversal: traversal, scratch: scratch)
            entry = Int(found[0].node)
            entryDistance = found[0].distance
            let own = links(node, level: l)
            nodeLocks.lock(node)
            own[0] = UInt32(selected.count)
            for (j, c) in selected.enumerated() { own[1 + j] = c.node }
            nodeLocks.unlock(node)
            let limit = l == 0 ? m0 : m
            for c in selected { link(Int(c.node), to: node, level: l, limit: limit, traversal: traversal, scratch: scratch) }
        }
        if holdsGlobal {
            entryPoint = node
            maxLevel = level
        }
    }

    /// Adds `node` to `target`'s list on `level`, shrinking it by the heuristic when it overflows.
    private func link(_ target: Int, to node: Int, level: Int, limit: Int, traversal: HNSWTraversal,
                      scratch: SearchScratch) {
        nodeLocks.lock(target)
        defer { nodeLocks.unlock(target) }
        let list = links(target, level: level)
        let count = Int(list[0])
        for j in 0..<count where Int(list[1 + j]) == node { return }
        if count < limit {
            list[1 + count] = UInt32(node)
            list[0] = UInt32(count + 1)
            return
        }
        var base = traversal.prepare(storage.vector(target), buffer: scratch.linkCodes)
        var candidates = [Candidate(distance: traversal.distance(&base, node), node: UInt32(node))]
        candidates.reserveCapacity(count + 1)
        for j in 0..<count {
            let other = Int(list[1 + j])
            candidates.append(Candidate(distance: traversal.distance(&base, other), node: UInt32(other)))
        }
        candidates.sort(by: ranksBefore)
        let kept = selectNeighbours(candidates, limit: limit, traversal: traversal, scratch: scratch)
        list[0] = UInt32(kept.count)
        for (j, c) in kept.enumerated() { list[1 + j] = c.node }
    }

    /// HNSW's neighbour heuristic: walk candidates nearest first and keep one only if it is closer to the base
    /// than to every neighbour already kept (spreads links across directions).
    private func selectNeighbours(_ sorted: [Candidate], limit: Int, traversal: HNSWTraversal,
                                  scratch: SearchScratch) -> [Candidate] {
        if sorted.count <= limit { return sorted }
        var kept: [Candidate] = []
        kept.reserveCapacity(limit)
        let d = storage.dimension
        let keptQueries = scratch.keptQueries
        for c in sorted {
            var good = true
            for r in 0..<kept.count
            where traversal.distance(keptQueries + r, Int(c.node)) < c.distance {
                good = false
                break
            }
            if good {
                keptQueries[kept.count] = traversal.prepare(storage.vector(Int(c.node)),
                                                            buffer: scratch.keptCodes + kept.count * d)
                kept.append(c)
                if kept.count == limit { break }
            }
        }
        return kept
    }

    /// Layer-0 beam search in C; the found nodes nearest first.
    private func searchLayer0C(_ traversal: HNSWTraversal, _ query: UnsafePointer<ek_hnsw_query>, entry: Int,
                               entryDistance: Float, ef: Int, scratch: SearchScratch) -> [Candidate] {
        scratch.begin(nodes: nodeCount)
        scratch.reservePool(ef)
        let found = withUnsafePointer(to: traversal.layer) { layer in
            ek_hnsw_search_layer0(layer, query, UInt32(entry), entryDistance, ef, scratch.visited, scratch.epoch,
                                  scratch.pool, scratch.neighbours)
        }
        return scratch.pool.withMemoryRebound(to: Candidate.self, capacity: found) {
            Array(UnsafeBufferPointer(start: $0, count: found))
        }
    }

    /// ef-nearest search on one upper layer during construction, reading neighbour lists under their locks.
    private func searchLayerLocked(_ traversal: HNSWTraversal, _ query: UnsafePointer<ek_hnsw_query>, entry: Int,
                                   entryDistance: Float, level: Int, ef: Int, scratch: SearchScratch) {
        scratch.begin(nodes: nodeCount)
        let visited = scratch.visited
        let epoch = scratch.epoch
        let copied = scratch.neighbours
        visited[entry] = epoch
        var frontier = scratch.frontier
        var results = scratch.results
        defer {
            scratch.frontier = frontier
            scratch.results = results
        }
        let start = Candidate(distance: entryDistance, node: UInt32(entry))
        frontier.push(start)
        results.push(start)
        var bound = entryDistance
        while !frontier.isEmpty {
            let current = frontier.top
            if current.distance > bound && results.count >= ef { break }
            frontier.pop()
            let node = Int(current.node)
            nodeLocks.lock(node)
            let list = links(node, level: level)
            let count = Int(list[0])
            copied.update(from: list + 1, count: count)
            nodeLocks.unlock(node)
            for j in 0..<count {
                let next = copied[j]
                let n = Int(next)
                if visited[n] == epoch { continue }
                visited[n] = epoch
                let dist = traversal.distance(query, n)
                if results.count < ef || dist < bound {
                    let c = Candidate(distance: dist, node: next)
                    frontier.push(c)
                    results.push(c)
                    if results.count > ef { results.pop() }
                    bound = results.top.distance
                }
            }
        }
    }

    // MARK: - Searching

    /// The `k` nearest accepted nodes to `query`, nearest first, exploring with frontier size `ef` (≥ k).
    /// Traversals over f16 or int8 copies rescore their best `rescore` nodes (default 2·k) in float32.
    func search<F: NodeFilter>(_ query: UnsafePointer<Float>, k: Int, ef: Int, rescore: Int? = nil, filter: F,
                               scratch: SearchScratch) -> [Candidate] {
        guard entryPoint >= 0 else { return [] }
        let traversal = searchTraversal()
        var prepared = traversal.prepare(query, buffer: scratch.queryCodes)
        var entry = entryPoint
        var entryDistance = traversal.distance(&prepared, entry)
        if maxLevel > 0 {
            for l in stride(from: maxLevel, to: 0, by: -1) {
                var changed = true
                while changed {
                    changed = false
                    let list = links(entry, level: l)
                    let count = Int(list[0])
                    for j in 0..<count {
                        let candidate = Int(list[1 + j])
                        let d = traversal.distance(&prepared, candidate)
                        if d < entryDistance {
                            entryDistance = d
                            entry = candidate
                            changed = true
                        }
                    }
                }
            }
        }
        let width = max(ef, k)
        var found: [Candidate]
        if filter.acceptsAll {
            found = searchLayer0C(traversal, &prepared, entry: entry, entryDistance: entryDistance, ef: width,
                                  scratch: scratch)
        } else {
            searchLayer0Filtered(traversal, &prepared, entry: entry, entryDistance: entryDistance, ef: width,
                                 filter: filter, scratch: scratch)
            found = Array(scratch.results.elements())
            found.sort(by: ranksBefore)
        }
        if half != nil || codes != nil {
            // Traversal ranked by approximate distances; report exact float32 ones for the best of them.
            let keep = max(rescore ?? 2 * k, k)
            if found.count > keep { found.removeLast(found.count - keep) }
            let rowBytes = storage.dimension * 4
            if let reader = storage.rowReader {
                for i in found.indices {
                    let node = Int(found[i].node)
                    found[i].distance = reader.read(node, into: scratch.row)
                        ? distance(query, UnsafePointer(scratch.row)) : distance(query, node)
                }
            } else {
                for i in found.indices {
                    if i + 1 < found.count {
                        // The next row loads while this one is scored.
                        let next = UnsafeRawPointer(storage.vector(Int(found[i + 1].node)))
                        var line = 0
                        while line < rowBytes {
                            Prefetch.read(next + line)
                            line &+= 64
                        }
                    }
                    found[i].distance = distance(query, Int(found[i].node))
                }
            }
            found.sort(by: ranksBefore)
        }
        if found.count > k { found.removeLast(found.count - k) }
        return found
    }

    /// Layer-0 search that admits only `filter`'s nodes into the results (routing through all of them).
    private func searchLayer0Filtered<F: NodeFilter>(_ traversal: HNSWTraversal,
                                                     _ query: UnsafePointer<ek_hnsw_query>, entry: Int,
                                                     entryDistance: Float, ef: Int, filter: F,
                                                     scratch: SearchScratch) {
        scratch.begin(nodes: nodeCount)
        let visited = scratch.visited
        let epoch = scratch.epoch
        visited[entry] = epoch
        let graph = UnsafePointer(level0.base)
        let stride = stride0
        let rows = traversal.layer.rows!
        let rowBytes = traversal.layer.row_bytes
        // Heaps live in locals for the loop (no class-property exclusivity checks), written back at the end.
        var frontier = scratch.frontier
        var results = scratch.results
        defer {
            scratch.frontier = frontier
            scratch.results = results
        }
        var bound = Float.infinity
        frontier.push(Candidate(distance: entryDistance, node: UInt32(entry)))
        if filter.accepts(entry) {
            results.push(Candidate(distance: entryDistance, node: UInt32(entry)))
            bound = entryDistance
        }
        while !frontier.isEmpty {
            let current = frontier.top
            if current.distance > bound && results.count >= ef { break }
            frontier.pop()
            let list = graph + Int(current.node) &* stride
            let count = Int(list[0])
            var p = 1
            while p <= count {
                let n = Int(list[p])
                if visited[n] != epoch { Prefetch.read(rows + n &* rowBytes) }
                p &+= 1
            }
            var j = 1
            while j <= count {
                let next = list[j]
                j &+= 1
                let n = Int(next)
                if visited[n] == epoch { continue }
                visited[n] = epoch
                let dist = traversal.distance(query, n)
                if results.count < ef || dist < bound {
                    frontier.push(Candidate(distance: dist, node: next))
                    if filter.accepts(n) {
                        results.push(Candidate(distance: dist, node: next))
                        if results.count > ef { results.pop() }
                        bound = results.top.distance
                    }
                }
            }
        }
    }
}
