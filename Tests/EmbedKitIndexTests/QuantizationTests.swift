import EmbedKitIndex
import Testing

@Suite("Quantization")
struct QuantizationTests {
    static let d = 64
    static let data = TestData.clustered(n: 4000, dimension: d, clusters: 40, spread: 0.6, seed: 21)
    static let queries = TestData.clustered(n: 50, dimension: d, clusters: 40, spread: 0.6, seed: 22)

    func recall(_ quantization: VectorIndex.Quantization, metric: Metric, rescore: Int? = nil) throws -> (Double, VectorIndex) {
        let index = try VectorIndex(dimension: Self.d, configuration: .init(metric: metric, quantization: quantization))
        try index.add(Self.data)
        var found: [[Int]] = [], truth: [[Int]] = []
        for qi in 0..<50 {
            let q = TestData.row(Self.queries, qi, Self.d)
            found.append(try index.search(q, k: 10, rescore: rescore).map(\.row))
            truth.append(TestData.reference(Self.data, dimension: Self.d, query: q, k: 10, metric: metric))
        }
        return (TestData.recall(found, truth), index)
    }

    @Test("int8 codes are ≥ 3.5× smaller and recall@10 ≥ 0.95 after rescoring", arguments: [Metric.cosine, .l2])
    func int8(metric: Metric) throws {
        let (r, index) = try recall(.int8, metric: metric)
        #expect(r >= 0.95)
        #expect(Double(index.vectorBytes) / Double(index.quantizedBytes) >= 3.5)
    }

    @Test("binary codes are 32× smaller; rescoring more candidates raises recall")
    func binary() throws {
        let (few, index) = try recall(.binary, metric: .cosine, rescore: 20)
        let (many, _) = try recall(.binary, metric: .cosine, rescore: 1200)
        print("binary recall@10 (64 bits): rescore 20 → \(few), rescore 1200 → \(many)")
        #expect(many > few)
        #expect(many >= 0.9)
        #expect(index.vectorBytes / index.quantizedBytes == 32)
    }

    @Test("HNSW with binary quantization, and f16 with a flat index, are refused with a clear error")
    func unsupportedCombinationsRefused() {
        #expect(throws: IndexError.self) {
            try VectorIndex(dimension: 8, configuration: .init(kind: .hnsw, quantization: .binary))
        }
        #expect(throws: IndexError.self) {
            try VectorIndex(dimension: 8, configuration: .init(kind: .flat, quantization: .f16))
        }
    }
}
