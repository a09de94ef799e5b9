import EmbedKit
import Foundation
import Testing

/// Stops after a number of embedding calls, like a job killed mid-run (wraps the real model; not a mock).
struct StopsAfter: EmbeddingModel {
    struct Stopped: Error {}
    let model: any EmbeddingModel
    let calls: Int
    let counter = Counter()
    var name: String { model.name }
    var dimension: Int { model.dimension }
    var maxTokens: Int { model.maxTokens }
    func embed(_ texts: [String]) async throws -> [[Float]] {
        if counter.next() > calls { throw Stopped() }
        return try await model.embed(texts)
    }
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}

@Suite("Dataset job (local model, checkpoint and resume)")
struct JobTests {
    /// The default local model (loaded per test: blocking on an async load in a static would starve the pool).
    private func localModel() async throws -> LocalEmbeddingModel {
        do { return try await LocalEmbeddingModel.load() } catch {
            Issue.record("all-MiniLM-L6-v2 is not available (run `embedkit assets fetch`): \(error)")
            throw error
        }
    }

    private func options(keepLast: Int) -> DatasetOptions {
        var options = DatasetOptions.cookbookReviews
        options.keepLast = keepLast
        return options
    }

    @Test func interruptedRunsResumeToTheSameBytes() async throws {
        let input = try #require(SeedData.reviews)
        let model = try await localModel()
        let tokenizer = try TiktokenEncoding.load("cl100k_base")
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("reference.csv")
        let resumed = directory.appendingPathComponent("resumed.csv")
        let options = options(keepLast: 40)
        _ = try await DatasetJob(input: input, output: reference, options: options, batchSize: 8)
            .run(tokenizer: tokenizer, model: model)
        let job = DatasetJob(input: input, output: resumed, options: options, batchSize: 8)
        var generator = SplitMix64(seed: 3)
        for stopAfter in [1, 0, 2, 1] {
            do {
                _ = try await job.run(tokenizer: tokenizer, model: StopsAfter(model: model, calls: stopAfter))
                Issue.record("the job should have been interrupted")
            } catch is StopsAfter.Stopped {}
            #expect(!FileManager.default.fileExists(atPath: resumed.path))
            // Tear the checkpoint's last record as a kill during a write would.
            let size = try #require(try FileManager.default.attributesOfItem(atPath: job.checkpointURL.path)[.size] as? Int)
            let handle = try FileHandle(forWritingTo: job.checkpointURL)
            try handle.truncate(atOffset: UInt64(max(0, size - Int(generator.next() % 64))))
            try handle.close()
        }
        let summary = try await job.run(tokenizer: tokenizer, model: model)
        #expect(summary.rowsResumed > 0)
        #expect(summary.rowsResumed + summary.rowsEmbedded == 40)
        #expect(try Data(contentsOf: resumed) == Data(contentsOf: reference))
        #expect(!FileManager.default.fileExists(atPath: job.checkpointURL.path))
    }

    @Test func outputRowsMatchTheSelectionAndVectorsAreUnitLength() async throws {
        let input = try #require(SeedData.reviews)
        let model = try await localModel()
        let tokenizer = try TiktokenEncoding.load("cl100k_base")
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.npy")
        let summary = try await DatasetJob(input: input, output: output, options: options(keepLast: 20), batchSize: 7)
            .run(tokenizer: tokenizer, model: model)
        #expect(summary.dimension == 384 && summary.rowsEmbedded == 20)
        let bytes = try Data(contentsOf: output)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(bytes.count == 10 + headerLength + 20 * 384 * 4)
        let ids = try String(contentsOf: DatasetOutputFormat.idsURL(for: output), encoding: .utf8).split(separator: "\n")
        #expect(ids.count == 20 && ids.last == "999")
    }
}
