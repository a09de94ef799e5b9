import EmbedKitCKernels

/// A (distance, node) pair in a search frontier.
struct Candidate {
    var distance: Float
    var node: UInt32
}

/// Whether `a` ranks before `b`: smaller distance, ties by smaller node.
@inline(__always) func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool {
    a.distance < b.distance || (a.distance == b.distance && a.node < b.node)
}

/// Binary heap of candidates on a raw, reusable buffer; `nearestFirst` picks min-heap (frontier) or max-heap
/// (current results, worst on top).
struct CandidateHeap {
    private(set) var storage: UnsafeMutablePointer<Candidate>
    private(set) var capacity: Int
    private(set) var count = 0
    let nearestFirst: Bool

    init(capacity: Int, nearestFirst: Bool) {
        self.capacity = max(16, capacity)
        storage = .allocate(capacity: self.capacity)
        self.nearestFirst = nearestFirst
    }

    func free() { storage.deallocate() }

    @inline(__always) var isEmpty: Bool { count == 0 }
    @inline(__always) var top: Candidate { storage[0] }
    @inline(__always) mutating func removeAll() { count = 0 }

    /// Whether `a` belongs above `b` in this heap.
    @inline(__always) private func above(_ a: Candidate, _ b: Candidate) -> Bool {
        nearestFirst ? ranksBefore(a, b) : ranksBefore(b, a)
    }

    @inline(__always) mutating func push(_ c: Candidate) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Candidate>.allocate(capacity: capacity * 2)
            bigger.update(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            capacity *= 2
        }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if above(c, storage[parent]) {
                storage[i] = storage[parent]
                i = parent
            } else { break }
        }
        storage[i] = c
    }

    @inline(__always) @discardableResult mutating func pop() -> Candidate {
        let result = storage[0]
        count -= 1
        if count == 0 { return result }
        let last = storage[count]
        var i = 0
        while true {
            let left = 2 * i + 1
            if left >= count { break }
            var child = left
            if left + 1 < count && above(storage[left + 1], storage[left]) { child = left + 1 }
            if above(storage[child], last) {
                storage[i] = storage[child]
                i = child
            } else { break }
        }
        storage[i] = last
        return result
    }

    /// The held candidates (unordered).
    func elements() -> UnsafeBufferPointer<Candidate> { UnsafeBufferPointer(start: storage, count: count) }
}

/// Per-thread search state: visited marks by epoch (never cleared between searches), the heaps and the sorted
/// pool of the C layer-0 search, a buffer for copying neighbour lists, and room for 16-bit quantized queries.
final class SearchScratch {
    var visited: UnsafeMutablePointer<UInt32>
    var visitedCapacity: Int
    var epoch: UInt32 = 0
    var frontier = CandidateHeap(capacity: 256, nearestFirst: true)
    var results = CandidateHeap(capacity: 256, nearestFirst: false)
    var neighbours: UnsafeMutablePointer<UInt32>
    let neighbourCapacity: Int
    private(set) var pool: UnsafeMutablePointer<ek_hnsw_candidate>
    private var poolCapacity = 256
    /// The query's 16-bit codes (int8 traversal).
    let queryCodes: UnsafeMutablePointer<Int16>
    /// The base node's codes while a neighbour list is shrunk.
    let linkCodes: UnsafeMutablePointer<Int16>
    /// Kept neighbours as prepared queries (and their codes) during neighbour selection.
    let keptQueries: UnsafeMutablePointer<ek_hnsw_query>
    let keptCodes: UnsafeMutablePointer<Int16>
    /// One float32 row read for rescoring.
    let row: UnsafeMutablePointer<Float>

    init(nodes: Int, maxDegree: Int, dimension: Int) {
        visitedCapacity = max(nodes, 1)
        visited = .allocate(capacity: visitedCapacity)
        visited.initialize(repeating: 0, count: visitedCapacity)
        neighbourCapacity = maxDegree + 1
        neighbours = .allocate(capacity: neighbourCapacity)
        pool = .allocate(capacity: poolCapacity)
        queryCodes = .allocate(capacity: dimension)
        linkCodes = .allocate(capacity: dimension)
        keptQueries = .allocate(capacity: maxDegree + 1)
        keptCodes = .allocate(capacity: (maxDegree + 1) * dimension)
        row = .allocate(capacity: dimension)
    }

    deinit {
        visited.deallocate()
        neighbours.deallocate()
        pool.deallocate()
        queryCodes.deallocate()
        linkCodes.deallocate()
        keptQueries.deallocate()
        keptCodes.deallocate()
        row.deallocate()
        frontier.free()
        results.free()
    }

    /// Makes the pool hold at least `ef` candidates.
    func reservePool(_ ef: Int) {
        guard ef > poolCapacity else { return }
        pool.deallocate()
        poolCapacity = max(ef, poolCapacity * 2)
        pool = .allocate(capacity: poolCapacity)
    }

    /// Starts a new search over `nodes` nodes: bumps the epoch (resetting marks only on wrap-around).
    func begin(nodes: Int) {
        if nodes > visitedCapacity {
            visited.deallocate()
            visitedCapacity = max(nodes, visitedCapacity * 2)
            visited = .allocate(capacity: visitedCapacity)
            visited.initialize(repeating: 0, count: visitedCapacity)
            epoch = 0
        }
        epoch &+= 1
        if epoch == 0 {
            visited.update(repeating: 0, count: visitedCapacity)
            epoch = 1
        }
        frontier.removeAll()
        results.removeAll()
    }
}
