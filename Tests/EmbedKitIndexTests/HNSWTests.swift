import EmbedKitIndex
import Testing

@Suite("HNSW")
struct HNSWTests {
    static let d = 32
    static let data = TestData.clustered(n: 3000, dimension: d, clusters: 30, seed: 11)
    static let queries = TestData.clustered(n: 60, dimension: d, clusters: 30, seed: 11 &+ 99)

    static func truth(metric: Metric = .l2) -> [[Int]] {
        (0..<60).map { TestData.reference(data, dimension: d, query: TestData.row(queries, $0, d), k: 10, metric: metric) }
    }

    static func build(threads: Int = 1, metric: Metric = .l2, seed: UInt64 = 42) throws -> VectorIndex {
        let index = try VectorIndex(dimension: d, configuration: .init(
            metric: metric, kind: .hnsw, hnsw: HNSWParameters(m: 12, efConstruction: 100, efSearch: 64, seed: seed)))
        try index.add(data, threads: threads)
        return index
    }

    @Test("recall@10 ≥ 0.95 on clustered data, single- and two-thread builds", arguments: [1, 2])
    func recall(threads: Int) throws {
        let index = try Self.build(threads: threads)
        let found = try (0..<60).map { try index.search(TestData.row(Self.queries, $0, Self.d), k: 10).map(\.row) }
        #expect(TestData.recall(found, Self.truth()) >= 0.95)
    }

    @Test("f16 traversal keeps recall@10 ≥ 0.95, reports float32 scores and halves vector bytes")
    func halfPrecision() throws {
        let index = try VectorIndex(dimension: Self.d, configuration: .init(
            metric: .l2, kind: .hnsw, hnsw: HNSWParameters(m: 12, efConstruction: 100, efSearch: 64), quantization: .f16))
        try index.add(Self.data, threads: 2)
        let found = try (0..<60).map { try index.search(TestData.row(Self.queries, $0, Self.d), k: 10) }
        #expect(TestData.recall(found.map { $0.map(\.row) }, Self.truth()) >= 0.95)
        #expect(index.quantizedBytes * 2 == index.vectorBytes)
        let exact = try VectorIndex(dimension: Self.d, configuration: .init(metric: .l2))
        try exact.add(Self.data)
        let q = TestData.row(Self.queries, 0, Self.d)
        let best = try exact.search(q, k: 1)[0]
        if found[0].first?.row == best.row { #expect(found[0][0].score == best.score) }
    }

    @Test("int8 traversal (build and search on codes) keeps float32 traversal's recall@10 (≥ 0.95 for l2/cosine) with float32 scores",
          arguments: [(Metric.l2, 1), (.dot, 2), (.cosine, 2)])
    func int8Traversal(metric: Metric, threads: Int) throws {
        let index = try VectorIndex(dimension: Self.d, configuration: .init(
            metric: metric, kind: .hnsw, hnsw: HNSWParameters(m: 12, efConstruction: 100, efSearch: 64),
            quantization: .int8))
        try index.add(Self.data, threads: threads)
        let found = try (0..<60).map { try index.search(TestData.row(Self.queries, $0, Self.d), k: 10) }
        let recall = TestData.recall(found.map { $0.map(\.row) }, Self.truth(metric: metric))
        // The same graph parameters walked in float32: int8 may lose at most 0.02 of its recall.
        let float = try Self.build(threads: 1, metric: metric)
        let floatFound = try (0..<60).map { try float.search(TestData.row(Self.queries, $0, Self.d), k: 10).map(\.row) }
        let floatRecall = TestData.recall(floatFound, Self.truth(metric: metric))
        print("int8 traversal \(metric): recall \(recall), float32 \(floatRecall)")
        #expect(recall >= floatRecall - 0.02)
        if metric != .dot { #expect(recall >= 0.95) }
        #expect(index.vectorBytes >= 3 * index.quantizedBytes)
        // Reported scores are exact float32 ones, not the int8 estimates.
        let exact = try VectorIndex(dimension: Self.d, configuration: .init(metric: metric))
        try exact.add(Self.data)
        for qi in 0..<10 {
            let q = TestData.row(Self.queries, qi, Self.d)
            let truth = try exact.search(q, k: 1)[0]
            if let first = found[qi].first, first.row == truth.row { #expect(first.score == truth.score) }
        }
        // Rescoring only the best 10 of ef still returns k results.
        #expect(try index.search(TestData.row(Self.queries, 0, Self.d), k: 10, ef: 64, rescore: 10).count == 10)
    }

    @Test("an int8 single-thread build is deterministic for a seed")
    func int8Deterministic() throws {
        func make() throws -> VectorIndex {
            let index = try VectorIndex(dimension: Self.d, configuration: .init(
                metric: .dot, kind: .hnsw, hnsw: HNSWParameters(m: 8, efConstruction: 50, seed: 7), quantization: .int8))
            try index.add(Self.data)
            return index
        }
        let a = try make(), b = try make()
        for qi in 0..<20 {
            let q = TestData.row(Self.queries, qi, Self.d)
            #expect(try a.search(q, k: 10, ef: 20) == b.search(q, k: 10, ef: 20))
        }
    }

    @Test("a single-thread build is deterministic for a seed")
    func deterministic() throws {
        let a = try Self.build(), b = try Self.build()
        for qi in 0..<20 {
            let q = TestData.row(Self.queries, qi, Self.d)
            #expect(try a.search(q, k: 10, ef: 20) == b.search(q, k: 10, ef: 20))
        }
    }

    @Test("a filter matching 1 % of vectors still returns k matches, the exact filtered top-k")
    func selectiveFilter() throws {
        let index = try Self.build(metric: .dot)
        for qi in 0..<10 {
            let q = TestData.row(Self.queries, qi, Self.d)
            let hits = try index.search(q, k: 10, filter: { $0 % 100 == 7 })
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { $0.id % 100 == 7 })
            let expected = TestData.reference(Self.data, dimension: Self.d, query: q, k: 10, metric: .dot,
                                              allowed: { $0 % 100 == 7 })
            #expect(hits.map(\.row) == expected)
        }
    }

    @Test("a filter matching 30 % returns k matches through the graph")
    func broadFilter() throws {
        let index = try Self.build(metric: .dot)
        for qi in 0..<10 {
            let hits = try index.search(TestData.row(Self.queries, qi, Self.d), k: 10, filter: { $0 % 10 < 3 })
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { $0.id % 10 < 3 })
        }
    }

    @Test("deleted vectors never come back; compaction keeps ids and results")
    func deleteAndCompact() throws {
        let index = try Self.build()
        let q = TestData.row(Self.queries, 0, Self.d)
        let before = try index.search(q, k: 10, ef: 300)
        for hit in before.prefix(5) { #expect(index.delete(id: hit.id)) }
        #expect(!index.delete(id: before[0].id))
        let after = try index.search(q, k: 10, ef: 300)
        #expect(after.count == 10)
        #expect(Set(after.map(\.id)).isDisjoint(with: before.prefix(5).map(\.id)))
        #expect(Array(after.prefix(5).map(\.id)) == Array(before.suffix(5).map(\.id)))
        index.compact(threads: 2)
        #expect(index.count == 3000 - 5)
        #expect(index.liveCount == 3000 - 5)
        let compacted = try index.search(q, k: 10, ef: 300)
        #expect(compacted.map(\.id) == after.map(\.id))
        #expect(index.row(of: after[0].id) == compacted[0].row)
    }
}
