import EmbedKitCore
import EmbedKitDatasets
import Foundation
import Testing

@Suite("Embedding checkpoint")
struct CheckpointTests {
    private func vectors(_ start: Int, _ count: Int, dimension: Int) -> [[Float]] {
        (0..<count).map { r in (0..<dimension).map { Float(start + r) + Float($0) / 100 } }
    }

    private func collect(_ checkpoint: EmbeddingCheckpoint) throws -> [[Float]] {
        var out: [[Float]] = []
        try checkpoint.forEachVector { index, vector in
            #expect(index == out.count)
            out.append(Array(vector))
        }
        return out
    }

    @Test func tornLastRecordIsCutOffAndAppendingGoesOn() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.csv.checkpoint")
        var generator = SplitMix64(seed: 7)
        do {
            let checkpoint = try EmbeddingCheckpoint(url: url, fingerprint: "abc", dimension: 3, rows: 10, batchSize: 4)
            try checkpoint.append(start: 0, vectors: vectors(0, 4, dimension: 3))
            try checkpoint.append(start: 4, vectors: vectors(4, 4, dimension: 3))
        }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        // Simulate a kill in the middle of writing the second record: cut it anywhere.
        let recordLength = 8 + 4 * 3 * 4 + 8
        let cut = size - 1 - Int(generator.next() % UInt64(recordLength - 1))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(cut))
        try handle.close()

        let resumed = try EmbeddingCheckpoint(url: url, fingerprint: "abc", dimension: 3, rows: 10, batchSize: 4)
        #expect(resumed.completedRows == 4)
        try resumed.append(start: 4, vectors: vectors(4, 4, dimension: 3))
        try resumed.append(start: 8, vectors: vectors(8, 2, dimension: 3))
        #expect(resumed.completedRows == 10)
        #expect(try collect(resumed) == vectors(0, 10, dimension: 3))
    }

    @Test func corruptRecordIsDetectedByItsChecksum() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.checkpoint")
        do {
            let checkpoint = try EmbeddingCheckpoint(url: url, fingerprint: "f", dimension: 2, rows: 4, batchSize: 2)
            try checkpoint.append(start: 0, vectors: vectors(0, 2, dimension: 2))
            try checkpoint.append(start: 2, vectors: vectors(2, 2, dimension: 2))
        }
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 12] ^= 0x40  // a float of the second record
        try bytes.write(to: url)
        let reopened = try EmbeddingCheckpoint(url: url, fingerprint: "f", dimension: 2, rows: 4, batchSize: 2)
        #expect(reopened.completedRows == 2)
    }

    @Test func aDifferentJobStartsOver() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.checkpoint")
        do {
            let checkpoint = try EmbeddingCheckpoint(url: url, fingerprint: "one", dimension: 2, rows: 4, batchSize: 2)
            try checkpoint.append(start: 0, vectors: vectors(0, 2, dimension: 2))
        }
        #expect(try EmbeddingCheckpoint(url: url, fingerprint: "one", dimension: 2, rows: 4, batchSize: 2).completedRows == 2)
        #expect(try EmbeddingCheckpoint(url: url, fingerprint: "two", dimension: 2, rows: 4, batchSize: 2).completedRows == 0)
        #expect(try EmbeddingCheckpoint(url: url, fingerprint: "one", dimension: 2, rows: 4, batchSize: 2).completedRows == 0)
    }
}
