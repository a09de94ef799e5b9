import EmbedKitNumerics
import Foundation

/// A searchable set of float32 vectors: exact (flat) or HNSW, optionally with int8 / binary quantized codes.
///
/// - Ids: each vector carries a caller-chosen `UInt64` id (default: its row number at insertion). Rows are dense
///   `0..<count` in insertion order; `delete` leaves a tombstone until `compact()`.
/// - Ties: equal scores are ordered by row (insertion order), smallest first.
/// - Threads: searches may run concurrently; mutations (`add`, `delete`, `compact`) must not overlap anything.
public final class VectorIndex: @unchecked Sendable {
    /// Exact scan or HNSW graph.
    public enum Kind: String, Sendable, CaseIterable {
        case flat, hnsw
    }

    /// Optional compressed copy of the vectors searches run on, rescored in float32: int8 and binary for flat
    /// indexes; int8 (build and search walk the codes) and f16 (searches walk half precision) for HNSW.
    public enum Quantization: String, Sendable, CaseIterable {
        case none, int8, binary, f16
    }

    /// What to build.
    public struct Configuration: Sendable, Equatable {
        public var metric: Metric
        public var kind: Kind
        public var hnsw: HNSWParameters
        public var quantization: Quantization

        public init(metric: Metric = .cosine, kind: Kind = .flat, hnsw: HNSWParameters = HNSWParameters(),
                    quantization: Quantization = .none) {
            self.metric = metric
            self.kind = kind
            self.hnsw = hnsw
            self.quantization = quantization
        }
    }

    public let dimension: Int
    public let configuration: Configuration
    let storage: VectorStorage
    var graph: HNSWGraph?
    var scalar: ScalarQuantizer?
    var binary: BinaryQuantizer?
    private let scratchLock = NSLock()
    private var scratchPool: [SearchScratch] = []

    /// An empty index for `dimension`-long vectors.
    public init(dimension: Int, configuration: Configuration = Configuration()) throws(IndexError) {
        guard (1...65536).contains(dimension) else { throw .invalidDimension(dimension) }
        if configuration.kind == .hnsw {
            try configuration.hnsw.validate()
            if configuration.quantization == .binary {
                throw .unsupported("binary quantization with an HNSW index (HNSW takes int8 or f16; binary needs --type flat)")
            }
        } else if configuration.quantization == .f16 {
            throw .unsupported("f16 with a flat index (f16 applies to HNSW; flat takes int8 or binary)")
        }
        self.dimension = dimension
        self.configuration = configuration
        storage = VectorStorage(dimension: dimension, metric: configuration.metric)
        if configuration.kind == .hnsw { graph = HNSWGraph(storage: storage, parameters: configuration.hnsw) }
    }

    init(dimension: Int, configuration: Configuration, storage: VectorStorage, graph: HNSWGraph?,
         scalar: ScalarQuantizer?, binary: BinaryQuantizer?) {
        self.dimension = dimension
        self.configuration = configuration
        self.storage = storage
        self.graph = graph
        self.scalar = scalar
        self.binary = binary
    }

    /// Rows held, including deleted ones not yet compacted.
    public var count: Int { storage.count }
    /// Rows that searches can return.
    public var liveCount: Int { storage.liveCount }
    public var metric: Metric { configuration.metric }

    /// The id stored at `row`.
    public func id(ofRow row: Int) -> UInt64 { storage.id(row) }
    /// The row holding `id`, if it is live.
    public func row(of id: UInt64) -> Int? { storage.row(of: id) }

    /// Copy of the stored vector at `row` (normalized for cosine).
    public func vector(row: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: storage.vector(row), count: dimension))
    }

    // MARK: - Mutation

    /// Appends `vectors` (row-major, a multiple of `dimension` floats) with `ids` (default: their row numbers)
    /// and indexes them (HNSW inserts run on `threads` threads). Returns the new rows.
    @discardableResult
    public func add(_ vectors: [Float], ids: [UInt64]? = nil, threads: Int = 1) throws(IndexError) -> Range<Int> {
        guard vectors.count % dimension == 0 else {
            throw .dimensionMismatch(expected: dimension, got: vectors.count % dimension)
        }
        let n = vectors.count / dimension
        let newIDs = ids ?? (0..<n).map { UInt64(storage.count + $0) }
        guard newIDs.count == n else { throw .idCountMismatch(vectors: n, ids: newIDs.count) }
        try storage.validate(newIDs: newIDs)
        let first = vectors.withUnsafeBufferPointer { storage.append($0.baseAddress!, n: n, ids: newIDs) }
        switch configuration.quantization {
        case .none, .f16: break
        case .int8:
            if scalar == nil {
                scalar = ScalarQuantizer(dimension: dimension, training: storage.vector(first), n: n)
            }
            scalar?.encodePending(storage)
            graph?.codes = scalar
        case .binary:
            if binary == nil {
                binary = BinaryQuantizer(dimension: dimension, training: storage.vector(first), n: n)
            }
            binary?.encodePending(storage)
        }
        graph?.insertPending(threads: max(1, threads))
        if configuration.quantization == .f16 { graph?.encodeHalfPending() }
        return first..<(first + n)
    }

    /// Marks the vector with `id` deleted (searches skip it). Returns false if no live vector has that id.
    @discardableResult
    public func delete(id: UInt64) -> Bool { storage.delete(id: id) != nil }

    /// Drops deleted rows: vectors move down (rows renumber, ids stay), quantized codes are re-encoded and an
    /// HNSW graph is rebuilt over the remaining vectors on `threads` threads.
    public func compact(threads: Int = 1) {
        guard storage.deletedCount > 0 else { return }
        storage.compact()
        scalar?.reencodeAll(storage)
        binary?.reencodeAll(storage)
        if graph != nil {
            let fresh = HNSWGraph(storage: storage, parameters: configuration.hnsw)
            fresh.codes = scalar
            fresh.insertPending(threads: max(1, threads))
            if configuration.quantization == .f16 { fresh.encodeHalfPending() }
            graph = fresh
            scratchLock.withLock { scratchPool.removeAll() }
        }
    }

    // MARK: - Search

    /// The `k` best live vectors for `query`, best first.
    ///
    /// - Parameters:
    ///   - ef: HNSW frontier size (default `configuration.hnsw.efSearch`, never below k).
    ///   - rescore: quantized indexes rescore this many candidates in float32 (flat: default 4·k for int8, 20·k
    ///     for binary, at least 100 for binary; HNSW over int8 or f16: the best `rescore` of the ef found,
    ///     default 2·k).
    ///   - filter: only ids it admits are returned. HNSW searches widen ef and, for very selective filters,
    ///     fall back to an exact scan, so k results come back whenever k vectors match.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, rescore: Int? = nil,
                       filter: ((UInt64) -> Bool)? = nil) throws(IndexError) -> [SearchResult] {
        guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, got: query.count) }
        guard k > 0, storage.liveCount > 0 else { return [] }
        var prepared = query
        if metric.normalizes { prepared.withUnsafeMutableBufferPointer { normalizeInPlace($0.baseAddress!, count: dimension) } }
        return prepared.withUnsafeBufferPointer { q in
            searchPrepared(q.baseAddress!, k: k, ef: ef, rescore: rescore, filter: filter)
        }
    }

    /// Searches `queries` (row-major, `n × dimension`). Flat unquantized indexes use blocked sgemm; the others
    /// search query by query on `threads` threads.
    public func search(batch queries: [Float], k: Int, ef: Int? = nil, rescore: Int? = nil,
                       threads: Int = 1) throws(IndexError) -> [[SearchResult]] {
        guard queries.count % dimension == 0 else {
            throw .dimensionMismatch(expected: dimension, got: queries.count % dimension)
        }
        let nq = queries.count / dimension
        var prepared = queries
        if metric.normalizes {
            prepared.withUnsafeMutableBufferPointer { p in
                for i in 0..<nq { normalizeInPlace(p.baseAddress! + i * dimension, count: dimension) }
            }
        }
        guard k > 0, storage.liveCount > 0 else { return Array(repeating: [], count: nq) }
        if graph == nil && configuration.quantization == .none {
            return prepared.withUnsafeBufferPointer { ExactSearch.searchBatch(storage, queries: $0.baseAddress!, nq: nq, k: k) }
        }
        let out = UnsafeMutablePointer<[SearchResult]>.allocate(capacity: nq)
        out.initialize(repeating: [], count: nq)
        defer { out.deinitialize(count: nq); out.deallocate() }
        let workers = max(1, min(threads, nq))
        prepared.withUnsafeBufferPointer { q in
            let base = UncheckedPointer(UnsafeMutablePointer(mutating: q.baseAddress!))
            let results = UncheckedPointer(out)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < nq {
                    results.pointer[i] = searchPrepared(base.pointer + i * dimension, k: k, ef: ef, rescore: rescore, filter: nil)
                    i += workers
                }
            }
        }
        return Array(UnsafeBufferPointer(start: out, count: nq))
    }

    func searchPrepared(_ query: UnsafePointer<Float>, k: Int, ef: Int?, rescore: Int?,
                        filter: ((UInt64) -> Bool)?) -> [SearchResult] {
        let accept: ((Int) -> Bool)? = filter.map { f in { row in f(self.storage.id(row)) } }
        if let graph {
            return searchGraph(graph, query, k: k, ef: ef ?? configuration.hnsw.efSearch, rescore: rescore,
                               accept: accept)
        }
        if let scalar {
            let keep = max(k, rescore ?? 4 * k)
            return rescored(scalar.scan(storage, query: query, keep: keep, accept: accept), query, k: k)
        }
        if let binary {
            let keep = max(k, rescore ?? max(100, 20 * k))
            return rescored(binary.scan(storage, query: query, keep: keep, accept: accept), query, k: k)
        }
        return ExactSearch.search(storage, query: query, k: k, accept: accept)
    }

    private func rescored(_ candidates: TopKSelection, _ query: UnsafePointer<Float>, k: Int) -> [SearchResult] {
        var top = TopKSelection(k: k)
        for c in candidates.sorted() {
            top.insert(distance: metric.distance(query, storage.vector(c.id), dimension: dimension), id: c.id)
        }
        return ExactSearch.results(storage, top)
    }

    private func searchGraph(_ graph: HNSWGraph, _ query: UnsafePointer<Float>, k: Int, ef: Int, rescore: Int?,
                             accept: ((Int) -> Bool)?) -> [SearchResult] {
        let scratch = takeScratch(graph)
        defer { returnScratch(scratch) }
        func results(_ found: [Candidate]) -> [SearchResult] {
            found.map { SearchResult(id: storage.id(Int($0.node)), row: Int($0.node), score: metric.score(distance: $0.distance)) }
        }
        guard let accept else {
            let filter = LiveNodes(tombstones: storage.tombstones.base, anyDeleted: storage.deletedCount > 0)
            let found = graph.search(query, k: k, ef: ef, rescore: rescore, filter: filter, scratch: scratch)
            if found.count >= min(k, storage.liveCount) { return results(found) }
            return ExactSearch.search(storage, query: query, k: k)
        }
        // Estimate the filter's selectivity on an even sample; very selective filters scan exactly.
        let n = storage.count
        let sampleSize = min(n, 1000)
        var matched = 0
        for s in 0..<sampleSize where accept(s * n / sampleSize) { matched += 1 }
        let selectivity = Double(matched) / Double(max(sampleSize, 1))
        if selectivity < 0.05 {
            return ExactSearch.search(storage, query: query, k: k, accept: accept)
        }
        let filter = PredicateNodes(tombstones: storage.tombstones.base, predicate: accept)
        var widened = max(ef, k)
        widened = Int(Double(widened) / max(selectivity, 0.05).squareRoot())
        for _ in 0..<3 {
            let found = graph.search(query, k: k, ef: widened, rescore: rescore, filter: filter, scratch: scratch)
            if found.count >= k { return results(found) }
            widened *= 4
        }
        return ExactSearch.search(storage, query: query, k: k, accept: accept)
    }

    private func takeScratch(_ graph: HNSWGraph) -> SearchScratch {
        if let s = scratchLock.withLock({ scratchPool.popLast() }) { return s }
        return SearchScratch(nodes: graph.nodeCount, maxDegree: graph.m0, dimension: dimension)
    }

    private func returnScratch(_ scratch: SearchScratch) {
        scratchLock.withLock { scratchPool.append(scratch) }
    }

    // MARK: - Sizes

    /// Bytes of vector data: float32 rows, plus quantized codes if any.
    public var vectorBytes: Int { storage.count * dimension * 4 }
    /// Bytes of quantized codes (0 without quantization).
    public var quantizedBytes: Int { (scalar?.codeBytes ?? 0) + (binary?.codeBytes ?? 0) + (graph?.halfBytes ?? 0) }
    /// Bytes of HNSW links (0 for flat).
    public var graphBytes: Int { graph?.memoryBytes ?? 0 }
}

/// Lets concurrent workers write disjoint slots of one buffer.
struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
