import EmbedKitAssets
import EmbedKitCore
import EmbedKitNumerics
import EmbedKitTokenizers
import Foundation

public typealias SequencePoolingMode = SequencePooling.Mode

/// How a ``LocalEmbeddingModel`` turns texts into vectors beyond what the model folder says.
public struct LocalEmbeddingOptions: Sendable {
    /// Keep only the first `dimensions` values (Matryoshka truncation after pooling), then renormalize if
    /// normalization is on. nil keeps the model's full dimension.
    public var dimensions: Int?
    /// L2-normalize the vectors. nil follows the model folder (a Normalize module in modules.json).
    public var normalize: Bool?
    /// Tokens per input including [CLS]/[SEP] (`<s>`/`</s>`); nil uses sentence_bert_config.json's max_seq_length.
    public var maxLength: Int?
    /// Prepended to every text by ``LocalEmbeddingModel/embed(_:)`` (e5 style, e.g. "query: ").
    public var queryPrefix: String
    /// Prepended to every text by ``LocalEmbeddingModel/embedPassages(_:)`` (e.g. "passage: ").
    public var passagePrefix: String
    /// Tokens per forward-pass chunk (bounds memory: ~ tokens × (6·hidden + intermediate) × 4 bytes per worker).
    public var tokensPerChunk: Int
    /// Parallel workers (each with single-threaded BLAS); nil = the number of active cores.
    public var workers: Int?
    /// The linear-layer engine; nil = ``MatrixEngine/preferred`` (OpenBLAS unless `EMBEDKIT_GEMM` names another). `.amxInt8` is the
    /// dynamically quantized int8 path (cosine ≈ 0.99x vs float32); an engine this CPU lacks is an error.
    public var matrixEngine: MatrixEngine?

    public init(dimensions: Int? = nil, normalize: Bool? = nil, maxLength: Int? = nil, queryPrefix: String = "",
                passagePrefix: String = "", tokensPerChunk: Int = 2048, workers: Int? = nil,
                matrixEngine: MatrixEngine? = nil) {
        self.dimensions = dimensions
        self.normalize = normalize
        self.maxLength = maxLength
        self.queryPrefix = queryPrefix
        self.passagePrefix = passagePrefix
        self.tokensPerChunk = tokensPerChunk
        self.workers = workers
        self.matrixEngine = matrixEngine
    }
}

/// A sentence-embedding model (BERT or XLM-RoBERTa, sentence-transformers layout) run locally on BLAS.
///
/// Loaded once; `embed` is thread-safe. Inputs are tokenized, sorted by length and packed into chunks with no
/// padding; chunks run on parallel workers.
public final class LocalEmbeddingModel: EmbeddingModel, Sendable {
    public let name: String
    public let configuration: SentenceModelConfiguration
    public let options: LocalEmbeddingOptions
    /// The folder's tokenizer: WordPiece (BERT) or SentencePiece Unigram (XLM-R), chosen by tokenizer.json.
    public let tokenizer: any EncoderTokenizer
    /// Length of the returned vectors (after `dimensions` truncation).
    public let dimension: Int
    public let maxTokens: Int
    /// Whether returned vectors are L2-normalized.
    public let normalizes: Bool
    let encoder: BertEncoder
    let weightsFile: SafeTensorsFile

    /// Loads the model in `folder` (Hugging Face / sentence-transformers layout).
    public init(folder: URL, name: String? = nil, options: LocalEmbeddingOptions = LocalEmbeddingOptions()) throws {
        let configuration = try SentenceModelConfiguration(folder: folder)
        self.configuration = configuration
        self.name = name ?? folder.standardizedFileURL.lastPathComponent
        self.options = options
        tokenizer = try EncoderTokenizers.load(configuration.tokenizerFile)
        weightsFile = try SafeTensorsFile(url: configuration.weightsFile)
        let engine = options.matrixEngine ?? .preferred
        guard engine.isAvailable else { throw ModelError.engineUnavailable(engine.rawValue) }
        encoder = BertEncoder(config: configuration.encoder, weights: try BertWeights(file: weightsFile, config: configuration.encoder, engine: engine))
        let hidden = configuration.encoder.hiddenSize
        if let d = options.dimensions, !(1...hidden).contains(d) {
            throw ModelError.invalidOption("dimensions must be between 1 and \(hidden) for \(self.name) (got \(d))")
        }
        dimension = options.dimensions ?? hidden
        if let m = options.maxLength, !(2...configuration.encoder.maxTokens).contains(m) {
            throw ModelError.invalidOption("max length must be between 2 and \(configuration.encoder.maxTokens) for \(self.name) (got \(m))")
        }
        maxTokens = options.maxLength ?? configuration.maxSequenceLength
        normalizes = options.normalize ?? configuration.normalize
        guard tokenizer.vocabularySize <= configuration.encoder.vocabularySize else {
            throw ModelError.invalidFile(path: configuration.tokenizerFile.path,
                                         reason: "vocabulary of \(tokenizer.vocabularySize) tokens exceeds the model's vocab_size \(configuration.encoder.vocabularySize)")
        }
    }

    /// Names `--model` accepts besides folder paths.
    public static let knownModels: [AssetDescriptor] = [AssetCatalog.allMiniLML6v2]

    /// Loads a known model by name (fetching/verifying it through the asset store) or a folder by path.
    public static func load(_ nameOrPath: String = AssetCatalog.allMiniLML6v2.name, options: LocalEmbeddingOptions = LocalEmbeddingOptions(),
                            store: AssetStore = AssetStore()) async throws -> LocalEmbeddingModel {
        if let asset = knownModels.first(where: { $0.name == nameOrPath }) {
            let folder = try store.require(asset)
            return try LocalEmbeddingModel(folder: folder, name: asset.name, options: options)
        }
        var isDirectory: ObjCBool = false
        let expanded = (nameOrPath as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue {
            return try LocalEmbeddingModel(folder: URL(fileURLWithPath: expanded), options: options)
        }
        throw ModelError.unknownModel(nameOrPath, known: knownModels.map(\.name))
    }

    /// Embeds texts with the query prefix (if any).
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try embedSync(options.queryPrefix.isEmpty ? texts : texts.map { options.queryPrefix + $0 })
    }

    /// Embeds texts with the passage prefix (if any).
    public func embedPassages(_ texts: [String]) async throws -> [[Float]] {
        try embedSync(options.passagePrefix.isEmpty ? texts : texts.map { options.passagePrefix + $0 })
    }

    /// The framed, truncated token ids the model sees for `text`.
    public func tokenIds(_ text: String) -> [Int32] { tokenizer.encode(text, maxLength: maxTokens) }

    /// Embeds `texts` synchronously (the work runs on `workers` threads; the caller blocks).
    public func embedSync(_ texts: [String]) throws -> [[Float]] {
        let hidden = configuration.encoder.hiddenSize
        var flat = [Float](repeating: 0, count: texts.count * hidden)
        try flat.withUnsafeMutableBufferPointer { out in try embed(texts, into: out.baseAddress!) }
        return (0..<texts.count).map { i in Array(flat[(i * hidden)..<(i * hidden + dimension)]) }
    }

    /// Embeds into `output` (texts.count × hidden floats, row i = text i; only the first `dimension` values
    /// of each row are meaningful after truncation).
    func embed(_ texts: [String], into output: UnsafeMutablePointer<Float>) throws {
        guard !texts.isEmpty else { return }
        let hidden = configuration.encoder.hiddenSize
        let sequences = tokenize(texts)
        let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
        let sorted = order.map { sequences[$0] }
        // Chunks of consecutive (similar-length) sequences within the token budget.
        var chunkList: [Range<Int>] = []
        var start = 0, tokens = 0
        for (i, ids) in sorted.enumerated() {
            if i > start && tokens + ids.count > max(options.tokensPerChunk, maxTokens) {
                chunkList.append(start..<i)
                start = i
                tokens = 0
            }
            tokens += ids.count
        }
        chunkList.append(start..<sorted.count)
        let chunks = chunkList
        let workers = min(options.workers ?? ProcessInfo.processInfo.activeProcessorCount, chunks.count)
        let pooled = FloatBuffer(count: sorted.count * hidden)
        let budget = chunks.map { r in sorted[r].reduce(0) { $0 + $1.count } }.max() ?? 1
        let longest = sorted.last?.count ?? 1
        let next = ChunkCounter()
        let previousThreads = BLAS.threads
        BLAS.threads = workers > 1 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        defer { BLAS.threads = previousThreads }
        let encoder = self.encoder
        let pooling = configuration.pooling
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let workspace = BertWorkspace(tokens: budget, maxLength: longest, config: encoder.config)
            // Longest sequences first: their chunks cost the most (attention grows with length), so the
            // workers finish together on the cheap short chunks at the end.
            while let c = next.take(below: chunks.count) {
                let range = chunks[chunks.count - 1 - c]
                encoder.encode(sorted[range], pooling: pooling, workspace: workspace, into: pooled.pointer + range.lowerBound * hidden)
            }
        }
        // Back to input order, truncated and normalized; nothing non-finite leaves.
        for (sortedIndex, original) in order.enumerated() {
            let row = output + original * hidden
            row.update(from: pooled.pointer + sortedIndex * hidden, count: hidden)
            if normalizes { RowL2Normalization.applyInPlace(row, rows: 1, width: dimension) }
            for j in 0..<dimension where !row[j].isFinite { throw ModelError.nonFiniteOutput(textIndex: original) }
        }
    }

    func tokenize(_ texts: [String]) -> [[Int32]] {
        let maxLength = maxTokens
        let tokenizer = self.tokenizer
        if texts.count < 64 { return texts.map { tokenizer.encode($0, maxLength: maxLength) } }
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let results = ResultSlots<[Int32]>(count: texts.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < texts.count {
                results.set(i, tokenizer.encode(texts[i], maxLength: maxLength))
                i += workers
            }
        }
        return results.values
    }
}

/// Hands out chunk indices to workers.
final class ChunkCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Fixed slots that parallel workers fill, each index written by exactly one worker.
final class ResultSlots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil, count: count)
    }

    deinit {
        buffer.deinitialize(count: count)
        buffer.deallocate()
    }

    func set(_ index: Int, _ value: T) { buffer[index] = value }

    var values: [T] { (0..<count).map { buffer[$0]! } }
}
