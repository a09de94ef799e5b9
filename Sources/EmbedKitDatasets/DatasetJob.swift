import Foundation
import EmbedKitCore
import EmbedKitTokenizers

/// `embedkit dataset embed` as a library call: read a CSV, select and count rows (``DatasetSelector``), embed
/// `combined` in batches with a resumable checkpoint, and write the output atomically.
///
/// Checkpoint and resume: finished batches go to `<output>.checkpoint` (``EmbeddingCheckpoint``), fsynced one
/// by one. A job killed at any moment and run again with the same input, options, model and batch size skips
/// the finished rows; the output appears only when complete, holds each row once, in order, and is byte-for-byte
/// what an uninterrupted run writes (batches keep the same boundaries). The checkpoint is removed at the end.
public struct DatasetJob: Sendable {
    /// The CSV to read.
    public var input: URL
    /// Where the result goes.
    public var output: URL
    /// The result's format.
    public var format: DatasetOutputFormat
    /// The pipeline's steps.
    public var options: DatasetOptions
    /// Texts per embedding call.
    public var batchSize: Int

    public init(input: URL, output: URL, format: DatasetOutputFormat? = nil, options: DatasetOptions, batchSize: Int = 64) {
        self.input = input
        self.output = output
        self.format = format ?? DatasetOutputFormat.guess(from: output)
        self.options = options
        self.batchSize = batchSize
    }

    /// The checkpoint file used while the job runs.
    public var checkpointURL: URL { output.appendingPathExtension("checkpoint") }

    /// Counts rows and tokens and prices the embedding, with no embedding calls.
    public func dryRun(tokenizer: any Tokenizer, progress: DatasetProgressHandler? = nil) throws -> DatasetSummary {
        let clock = ContinuousClock.now
        var selector = DatasetSelector(input: input, options: options, tokenizer: tokenizer)
        selector.keepTexts = false
        selector.onRead = progress.map { handler in { bytes, rows in handler(.reading(bytes: bytes, rows: rows)) } }
        let selection = try selector.select()
        return DatasetSummary(job: self, counts: selection.counts, encoding: tokenizer.name, dryRun: true,
                              seconds: seconds(since: clock))
    }

    /// Runs the whole job, resuming from a checkpoint left by an interrupted run of the same job.
    public func run(tokenizer: any Tokenizer, model: any EmbeddingModel,
                    progress: DatasetProgressHandler? = nil) async throws -> DatasetSummary {
        guard batchSize > 0 else { throw DatasetError.badOption("--batch-size must be at least 1") }
        let clock = ContinuousClock.now
        var selector = DatasetSelector(input: input, options: options, tokenizer: tokenizer)
        selector.onRead = progress.map { handler in { bytes, rows in handler(.reading(bytes: bytes, rows: rows)) } }
        let selection = try selector.select()
        let rows = selection.rows
        let dimension = model.dimension
        let checkpoint = try EmbeddingCheckpoint(
            url: checkpointURL, fingerprint: fingerprint(selection, model: model), dimension: dimension,
            rows: rows.count, batchSize: batchSize)
        let resumed = checkpoint.completedRows
        let totalTokens = selection.counts.tokensTotal
        var tokensDone = rows[..<resumed].reduce(0) { $0 + $1.tokens }
        progress?(.embedding(rows: resumed, ofRows: rows.count, tokens: tokensDone, ofTokens: totalTokens, resumed: resumed))
        var start = resumed
        while start < rows.count {
            let end = min(start + batchSize, rows.count)
            let texts = rows[start..<end].map(\.combined)
            let vectors = try await model.embed(texts)
            guard vectors.count == texts.count, vectors.allSatisfy({ $0.count == dimension }) else {
                throw DatasetError.modelReturnedWrongShape(expected: texts.count, got: vectors.count, dimension: dimension)
            }
            try checkpoint.append(start: start, vectors: vectors)
            tokensDone += rows[start..<end].reduce(0) { $0 + $1.tokens }
            start = end
            progress?(.embedding(rows: start, ofRows: rows.count, tokens: tokensDone, ofTokens: totalTokens, resumed: resumed))
        }
        progress?(.writing)
        try DatasetOutputWriter(selection: selection, format: format, dimension: dimension)
            .write(to: output, vectors: checkpoint)
        checkpoint.remove()
        var summary = DatasetSummary(job: self, counts: selection.counts, encoding: tokenizer.name, dryRun: false,
                                     seconds: seconds(since: clock))
        summary.embeddingModel = model.name
        summary.dimension = dimension
        summary.rowsResumed = resumed
        summary.rowsEmbedded = rows.count - resumed
        return summary
    }

    /// Identifies what the checkpoint's vectors depend on: the texts, their order, the model and the batching.
    func fingerprint(_ selection: DatasetSelection, model: any EmbeddingModel) -> String {
        var hasher = SHA256()
        hasher.update(Array("\(model.name)\u{0}\(model.dimension)\u{0}\(batchSize)\u{0}\(selection.rows.count)\u{0}".utf8))
        for row in selection.rows {
            hasher.update(Array(row.label.utf8)); hasher.update([0])
            hasher.update(Array(row.combined.utf8)); hasher.update([0])
        }
        return SHA256.hex(hasher.finalize())
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// What a job is doing, for progress bars.
public enum DatasetProgress: Sendable {
    /// Reading and selecting rows.
    case reading(bytes: Int, rows: Int)
    /// Embedding: rows and tokens done so far (including `resumed` rows from a checkpoint).
    case embedding(rows: Int, ofRows: Int, tokens: Int, ofTokens: Int, resumed: Int)
    /// Writing the output.
    case writing
}

/// Receives ``DatasetProgress`` updates.
public typealias DatasetProgressHandler = @Sendable (DatasetProgress) -> Void
