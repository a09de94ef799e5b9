import EmbedKitCore
import EmbedKitIndex
import Foundation
import Testing

@Suite("Index files")
struct PersistenceTests {
    static let d = 16
    static let data = TestData.clustered(n: 1500, dimension: d, seed: 31)

    static func configurations() -> [VectorIndex.Configuration] {
        [.init(metric: .cosine), .init(metric: .l2, kind: .hnsw), .init(metric: .dot, quantization: .int8),
         .init(metric: .cosine, quantization: .binary), .init(metric: .cosine, kind: .hnsw, quantization: .f16),
         .init(metric: .l2, kind: .hnsw, quantization: .int8)]
    }

    @Test("save → load gives identical results (flat, HNSW, int8, binary, HNSW f16/int8)", arguments: configurations())
    func roundTrip(configuration: VectorIndex.Configuration) throws {
        let index = try VectorIndex(dimension: Self.d, configuration: configuration)
        try index.add(Self.data, ids: (0..<1500).map { UInt64($0) * 3 + 1 })
        #expect(index.delete(id: 4))
        let url = TestData.temporaryDirectory().appendingPathComponent("a.ekx")
        try index.save(to: url)
        let loaded = try VectorIndex.load(contentsOf: url)
        #expect(loaded.configuration == configuration)
        #expect(loaded.count == 1500 && loaded.liveCount == 1499)
        for qi in 0..<20 {
            let q = TestData.row(Self.data, qi * 7, Self.d)
            #expect(try loaded.search(q, k: 10) == index.search(q, k: 10))
        }
        // A loaded (memory-mapped) index still accepts new vectors.
        try loaded.add(TestData.row(Self.data, 0, Self.d), ids: [99_999])
        #expect(loaded.count == 1501 && loaded.row(of: 99_999) == 1500)
        if configuration.metric != .dot {  // under dot another vector may outscore a vector's own copy
            #expect(try loaded.search(TestData.row(Self.data, 0, Self.d), k: 2).map(\.id).contains(99_999))
        }
    }

    static func savedFile() throws -> (URL, Data) {
        let index = try VectorIndex(dimension: Self.d, configuration: .init(kind: .hnsw))
        try index.add(Self.data)
        let url = TestData.temporaryDirectory().appendingPathComponent("b.ekx")
        try index.save(to: url)
        return (url, try Data(contentsOf: url))
    }

    @Test("a flipped byte anywhere fails the load with a checksum error")
    func flippedByte() throws {
        let (url, original) = try Self.savedFile()
        var rng = SplitMix64(seed: 5)
        var positions = [9, 20, 30, 47, 60, 70, original.count - 1]
        for _ in 0..<12 { positions.append(Int(rng.next() % UInt64(original.count))) }
        for position in positions {
            var damaged = original
            damaged[position] ^= 0x20
            try damaged.write(to: url)
            #expect(throws: IndexError.self) { try VectorIndex.load(contentsOf: url) }
        }
        var damaged = original
        damaged[original.count / 2] ^= 1
        try damaged.write(to: url)
        #expect(throws: IndexError.checksumMismatch(path: url.path)) { try VectorIndex.load(contentsOf: url) }
    }

    @Test("a truncated file fails with a truncation error; a foreign file with a bad-magic error")
    func truncatedAndForeign() throws {
        let (url, original) = try Self.savedFile()
        for size in [original.count - 1, original.count / 2, 100] {
            try original.prefix(size).write(to: url)
            #expect(throws: IndexError.truncated(path: url.path, expected: original.count, actual: size)) {
                try VectorIndex.load(contentsOf: url)
            }
        }
        try original.prefix(10).write(to: url)
        #expect(throws: IndexError.self) { try VectorIndex.load(contentsOf: url) }
        try Data("hello, this is not an index at all, just some text........................".utf8).write(to: url)
        #expect(throws: IndexError.notAnIndex(path: url.path)) { try VectorIndex.load(contentsOf: url) }
        let missing = url.deletingLastPathComponent().appendingPathComponent("missing.ekx")
        #expect(throws: IndexError.self) { try VectorIndex.load(contentsOf: missing) }
    }
}
