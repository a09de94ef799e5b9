import EmbedKitIndex
import Testing

@Suite("Exact search")
struct ExactSearchTests {
    @Test("single and batch queries equal the brute-force top-k, ties by row", arguments: [Metric.dot, .l2])
    func matchesReferenceWithTies(metric: Metric) throws {
        let d = 24, n = 600
        // Duplicate every third row so equal scores are common and must be ordered by row.
        var data = TestData.integers(n: n, dimension: d, seed: 7)
        for r in stride(from: 2, to: n, by: 3) {
            for j in 0..<d { data[r * d + j] = data[(r - 1) * d + j] }
        }
        let index = try VectorIndex(dimension: d, configuration: .init(metric: metric))
        try index.add(data)
        let queries = TestData.integers(n: 40, dimension: d, seed: 8)
        let batch = try index.search(batch: queries, k: 10)
        for qi in 0..<40 {
            let q = TestData.row(queries, qi, d)
            let expected = TestData.reference(data, dimension: d, query: q, k: 10, metric: metric)
            #expect(try index.search(q, k: 10).map(\.row) == expected)
            #expect(batch[qi].map(\.row) == expected)
        }
    }

    @Test("cosine search normalizes stored vectors and queries")
    func cosine() throws {
        let d = 16
        let data = TestData.clustered(n: 300, dimension: d, seed: 3)
        let index = try VectorIndex(dimension: d, configuration: .init(metric: .cosine))
        try index.add(data)
        let q = TestData.row(data, 5, d).map { $0 * 7 }
        let hits = try index.search(q, k: 5)
        #expect(hits.first?.row == 5)
        #expect(abs((hits.first?.score ?? 0) - 1) < 1e-5)
        #expect(hits.map(\.row) == TestData.reference(data, dimension: d, query: q, k: 5, metric: .cosine))
    }

    @Test("wrong dimensions, duplicate ids and id counts are rejected without changing the index")
    func rejectsBadInput() throws {
        let index = try VectorIndex(dimension: 4)
        try index.add([1, 0, 0, 0, 0, 1, 0, 0], ids: [10, 20])
        #expect(throws: IndexError.duplicateID(10)) { try index.add([0, 0, 1, 0], ids: [10]) }
        #expect(throws: IndexError.idCountMismatch(vectors: 1, ids: 2)) { try index.add([0, 0, 1, 0], ids: [1, 2]) }
        #expect(throws: IndexError.dimensionMismatch(expected: 4, got: 3)) { try index.search([1, 2, 3], k: 1) }
        #expect(index.count == 2)
        #expect(try index.search([0, 1, 0, 0], k: 1).first?.id == 20)
    }
}
