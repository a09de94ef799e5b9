import EmbedKitCore
import Foundation
import EmbedKitTokenizers

/// Everything `embedkit serve` can be told: where to listen, what to check, how to batch.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// When set, every `/v1/*` request must carry `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Request bodies above this many bytes get 413.
    public var maxBodyBytes: Int
    /// Most inputs per request (OpenAI: 2048).
    public var maxInputs: Int
    /// Most tokens per input, counted with the model's tokenizer (OpenAI: 8192).
    public var maxInputTokens: Int
    /// Most tokens per request (OpenAI: 300,000).
    public var maxRequestTokens: Int
    /// Most texts one model call embeds; concurrent requests are packed together up to this.
    public var maxBatchTexts: Int
    /// Model calls run at once. The default, 1, suits models that spread one call over all cores (the local
    /// BERT models do); raise it for models that do not (remote ones).
    public var workers: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil, maxBodyBytes: Int = 32 << 20,
                maxInputs: Int = 2048, maxInputTokens: Int = 8192, maxRequestTokens: Int = 300_000,
                maxBatchTexts: Int = 256, workers: Int = 1) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.maxBodyBytes = maxBodyBytes
        self.maxInputs = maxInputs
        self.maxInputTokens = maxInputTokens
        self.maxRequestTokens = maxRequestTokens
        self.maxBatchTexts = maxBatchTexts
        self.workers = workers
    }
}

/// A model the server offers: the embedding model and the tokenizer that counts its tokens for `usage`.
public struct ServedModel: Sendable {
    /// The name clients put in `model` (and `GET /v1/models` lists).
    public var id: String
    public var model: any EmbeddingModel
    public var tokenizer: any Tokenizer
    /// Whether `dimensions` may shorten the vectors (first N components, renormalized).
    public var acceptsDimensions: Bool
    /// A synchronous embedding entry point (CPU-bound models); the server runs it on a dispatch thread so model
    /// work never blocks Swift's cooperative pool. Nil = use `model.embed`.
    public var blockingEmbed: (@Sendable ([String]) throws -> [[Float]])?

    public init(id: String? = nil, model: any EmbeddingModel, tokenizer: any Tokenizer, acceptsDimensions: Bool = true,
                blockingEmbed: (@Sendable ([String]) throws -> [[Float]])? = nil) {
        self.id = id ?? model.name
        self.model = model
        self.tokenizer = tokenizer
        self.acceptsDimensions = acceptsDimensions
        self.blockingEmbed = blockingEmbed
    }
}

