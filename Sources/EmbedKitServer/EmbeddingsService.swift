import EmbedKitCore
import EmbedKitEmbeddings
import EmbedKitTokenizers
import Foundation

/// The logic of `POST /v1/embeddings`, apart from HTTP: validate as OpenAI does, turn token arrays into text
/// (cl100k ids, as OpenAI defines them), embed through the batcher, shorten to `dimensions`, count usage.
public struct EmbeddingsService: Sendable {
    struct Entry: Sendable {
        var served: ServedModel
        var batcher: EmbeddingBatcher
    }

    let entries: [String: Entry]
    /// Model ids in the order they were given (for `/v1/models`).
    public let modelIDs: [String]
    let configuration: ServerConfiguration
    let tokenDecoder: (any Tokenizer)?

    /// - Parameter tokenDecoder: cl100k_base, to read token-array inputs; nil refuses them with 400.
    public init(models: [ServedModel], configuration: ServerConfiguration, tokenDecoder: (any Tokenizer)?) {
        var entries: [String: Entry] = [:]
        var ids: [String] = []
        for served in models where entries[served.id] == nil {
            entries[served.id] = Entry(served: served, batcher: EmbeddingBatcher(
                model: served.model, blockingEmbed: served.blockingEmbed, maxBatchTexts: configuration.maxBatchTexts, workers: configuration.workers))
            ids.append(served.id)
        }
        self.entries = entries
        self.modelIDs = ids
        self.configuration = configuration
        self.tokenDecoder = tokenDecoder
    }

    /// The vectors for `request`, or an ``APIFailure`` saying what OpenAI would say.
    public func embeddings(_ request: EmbeddingsRequest) async throws -> (vectors: [[Float]], promptTokens: Int, model: String) {
        guard let entry = entries[request.model] else { throw APIFailure.modelNotFound(request.model) }
        let native = entry.served.model.dimension
        if let dimensions = request.dimensions {
            guard entry.served.acceptsDimensions else {
                throw APIFailure.invalid("This model does not support specifying dimensions.", param: "dimensions")
            }
            guard dimensions >= 1, dimensions <= native else {
                throw APIFailure.invalid("Invalid value for 'dimensions' = \(dimensions). Must be between 1 and \(native).",
                                         param: "dimensions")
            }
        }
        let texts = try texts(of: request.input)
        var promptTokens = 0
        for (i, text) in texts.enumerated() {
            let count = entry.served.tokenizer.count(text)
            guard count <= configuration.maxInputTokens else {
                throw APIFailure.invalid("Input \(i) has \(count) tokens; this model's maximum input length is "
                                         + "\(configuration.maxInputTokens) tokens. Please reduce the length of the input.")
            }
            promptTokens += count
        }
        guard promptTokens <= configuration.maxRequestTokens else {
            throw APIFailure.invalid("Requested \(promptTokens) tokens, max \(configuration.maxRequestTokens) tokens per request.")
        }
        var vectors = try await entry.batcher.embed(texts)
        if let dimensions = request.dimensions, dimensions < native {
            vectors = vectors.map { Self.shorten($0, to: dimensions) }
        }
        return (vectors, promptTokens, entry.served.id)
    }

    /// The inputs as texts, checked against OpenAI's rules.
    func texts(of input: EmbeddingInput) throws -> [String] {
        let texts: [String]
        switch input {
        case .text(let text): texts = [text]
        case .texts(let list): texts = list
        case .tokens(let ids): texts = [try decode(ids, index: 0)]
        case .tokenArrays(let arrays):
            try checkCount(arrays.count)
            texts = try arrays.enumerated().map { try decode($1, index: $0) }
        }
        try checkCount(texts.count)
        for (i, text) in texts.enumerated() where text.isEmpty {
            throw APIFailure.invalid("'$.input[\(i)]' is invalid: input strings must not be empty.")
        }
        return texts
    }

    private func checkCount(_ count: Int) throws {
        guard count >= 1 else { throw APIFailure.invalid("'$.input' is invalid: it must not be empty.") }
        guard count <= configuration.maxInputs else {
            throw APIFailure.invalid("'$.input' is invalid: \(count) inputs, at most \(configuration.maxInputs) per request.")
        }
    }

    private func decode(_ ids: [Int], index: Int) throws -> String {
        guard let tokenDecoder else {
            throw APIFailure.invalid("Token-array inputs need the cl100k_base vocabulary, which this server could not load.")
        }
        guard !ids.isEmpty else { throw APIFailure.invalid("'$.input[\(index)]' is invalid: token arrays must not be empty.") }
        guard ids.count <= configuration.maxInputTokens else {
            throw APIFailure.invalid("Input \(index) has \(ids.count) tokens; the maximum input length is \(configuration.maxInputTokens) tokens.")
        }
        guard ids.allSatisfy({ $0 >= 0 && $0 < tokenDecoder.vocabularySize }) else {
            throw APIFailure.invalid("'$.input[\(index)]' holds token ids outside cl100k_base (0..<\(tokenDecoder.vocabularySize)).")
        }
        do {
            return try tokenDecoder.decodeLossy(ids)
        } catch {
            throw APIFailure.invalid("'$.input[\(index)]' could not be decoded as cl100k_base tokens: \(error)")
        }
    }

    /// The first `dimensions` components, L2-normalized again (what OpenAI's `dimensions` does).
    static func shorten(_ vector: [Float], to dimensions: Int) -> [Float] {
        var out = Array(vector[0..<dimensions])
        var norm: Float = 0
        for v in out { norm += v * v }
        norm = norm.squareRoot()
        if norm > 0 { for k in out.indices { out[k] /= norm } }
        return out
    }

    /// `GET /v1/models`.
    public func modelList() -> ModelList {
        ModelList(data: modelIDs.map { ModelObject(id: $0, created: 0, ownedBy: "embedkit") })
    }

    /// Model calls and texts embedded per model (for `/health`).
    public func statistics() async -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for (id, entry) in entries {
            result[id] = ["calls": await entry.batcher.calls, "texts": await entry.batcher.texts,
                          "dimension": entry.served.model.dimension]
        }
        return result
    }
}
