import Dispatch
import EmbedKitCore

/// Packs the texts of concurrent requests into shared model calls: requests queue their texts, up to
/// `workers` tasks take up to `maxBatchTexts` queued texts at a time and embed them in one call. An idle server
/// answers a lone request at once (no waiting window); a busy one gets bigger batches.
actor EmbeddingBatcher {
    private struct Job {
        var texts: [String]
        var continuation: CheckedContinuation<[[Float]], any Error>
    }

    private let model: any EmbeddingModel
    private let blockingEmbed: (@Sendable ([String]) throws -> [[Float]])?
    private let maxBatchTexts: Int
    private let workers: Int
    private var queue: [Job] = []
    private var head = 0
    private var running = 0
    /// Model calls made and texts embedded, for `/health`.
    private(set) var calls = 0
    private(set) var texts = 0

    init(model: any EmbeddingModel, blockingEmbed: (@Sendable ([String]) throws -> [[Float]])?, maxBatchTexts: Int, workers: Int) {
        self.model = model
        self.blockingEmbed = blockingEmbed
        self.maxBatchTexts = max(1, maxBatchTexts)
        self.workers = max(1, workers)
    }

    /// Embeds `texts` (in order), sharing model calls with other requests.
    func embed(_ texts: [String]) async throws -> [[Float]] {
        if texts.count <= maxBatchTexts { return try await submit(texts) }
        // Large requests go in batch-sized jobs so they interleave with small ones.
        let chunks = stride(from: 0, to: texts.count, by: maxBatchTexts).map {
            Array(texts[$0..<min($0 + maxBatchTexts, texts.count)])
        }
        return try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (i, chunk) in chunks.enumerated() {
                group.addTask { (i, try await self.submit(chunk)) }
            }
            var parts = [[[Float]]](repeating: [], count: chunks.count)
            for try await (i, vectors) in group { parts[i] = vectors }
            return parts.flatMap { $0 }
        }
    }

    private func submit(_ texts: [String]) async throws -> [[Float]] {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(texts: texts, continuation: continuation))
            if running < workers {
                running += 1
                Task { await self.work() }
            }
        }
    }

    /// Takes whole jobs from the queue up to `maxBatchTexts` texts; nil (and one worker fewer) when empty.
    private func nextBatch() -> [Job]? {
        guard head < queue.count else {
            running -= 1
            queue.removeAll(keepingCapacity: true)
            head = 0
            return nil
        }
        var batch: [Job] = []
        var count = 0
        while head < queue.count, batch.isEmpty || count + queue[head].texts.count <= maxBatchTexts {
            count += queue[head].texts.count
            batch.append(queue[head])
            head += 1
        }
        if head > 1024 { queue.removeFirst(head); head = 0 }
        calls += 1
        self.texts += count
        return batch
    }

    private func work() async {
        while let batch = nextBatch() {
            await run(batch)
        }
    }

    private nonisolated func run(_ batch: [Job]) async {
        do {
            let texts = batch.flatMap(\.texts)
            let vectors: [[Float]]
            if let blockingEmbed {
                vectors = try await withCheckedThrowingContinuation { continuation in
                    DispatchQueue.global().async { continuation.resume(with: Result { try blockingEmbed(texts) }) }
                }
            } else {
                vectors = try await model.embed(texts)
            }
            guard vectors.count == texts.count else {
                throw APIFailure(.internalServerError, "model \(model.name) returned \(vectors.count) vectors for \(texts.count) texts",
                                 type: "server_error")
            }
            var offset = 0
            for job in batch {
                job.continuation.resume(returning: Array(vectors[offset..<offset + job.texts.count]))
                offset += job.texts.count
            }
        } catch {
            for job in batch { job.continuation.resume(throwing: error) }
        }
    }
}
