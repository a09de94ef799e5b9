import Foundation

/// Where and how to reach an OpenAI-compatible API, and how politely to use it.
public struct OpenAIConfiguration: Sendable {
    /// Bearer token (`OPENAI_API_KEY`). Nil sends no `Authorization` header (fine for a local `embedkit serve`).
    public var apiKey: String?
    /// API root including `/v1` (`OPENAI_BASE_URL`, default `https://api.openai.com/v1`).
    public var baseURL: String
    /// `OpenAI-Organization` header (`OPENAI_ORG_ID`).
    public var organization: String?
    /// `OpenAI-Project` header (`OPENAI_PROJECT_ID`).
    public var project: String?
    /// Retries after the first attempt (the official SDKs use 2).
    public var maxRetries: Int
    /// First backoff delay; doubles per retry up to ``maxBackoff``, minus up to 25 % jitter.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Longest wait a server's `retry-after-ms` / `Retry-After` may impose before it is capped to ``maxBackoff``
    /// rules instead (OpenAI's SDKs accept up to 60 s).
    public var maxServerRetryAfter: Duration
    /// Time allowed for one HTTP attempt (connect + response).
    public var requestTimeout: Duration
    /// Most requests in flight at once.
    public var maxConcurrentRequests: Int
    /// Client-side budget per minute; nil = learn it from the `x-ratelimit-*` headers only.
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    /// Seed of the backoff jitter, so runs are reproducible.
    public var jitterSeed: UInt64

    public init(apiKey: String? = nil, baseURL: String = "https://api.openai.com/v1", organization: String? = nil,
                project: String? = nil, maxRetries: Int = 2, initialBackoff: Duration = .milliseconds(500),
                maxBackoff: Duration = .seconds(8), maxServerRetryAfter: Duration = .seconds(60),
                requestTimeout: Duration = .seconds(600), maxConcurrentRequests: Int = 8,
                requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, jitterSeed: UInt64 = 0x5EED) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.organization = organization
        self.project = project
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxServerRetryAfter = maxServerRetryAfter
        self.requestTimeout = requestTimeout
        self.maxConcurrentRequests = maxConcurrentRequests
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.jitterSeed = jitterSeed
    }

    /// Reads `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OpenAIConfiguration {
        func value(_ key: String) -> String? {
            guard let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        var configuration = OpenAIConfiguration()
        configuration.apiKey = value("OPENAI_API_KEY")
        if let base = value("OPENAI_BASE_URL") { configuration.baseURL = base }
        configuration.organization = value("OPENAI_ORG_ID")
        configuration.project = value("OPENAI_PROJECT_ID")
        return configuration
    }

    /// `baseURL` + `/` + `path`, with exactly one slash between.
    func url(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path
    }
}

/// What the client knows about OpenAI's embedding models: native size, whether `dimensions` is accepted, price.
public struct OpenAIEmbeddingModelInfo: Sendable, Hashable {
    public let name: String
    public let nativeDimension: Int
    public let acceptsDimensions: Bool
    /// Longest input in tokens (8191 for every current embedding model).
    public let maxInputTokens: Int
    /// US dollars per million input tokens (OpenAI's price list).
    public let dollarsPerMillionTokens: Double

    public init(name: String, nativeDimension: Int, acceptsDimensions: Bool, maxInputTokens: Int = 8191,
                dollarsPerMillionTokens: Double) {
        self.name = name
        self.nativeDimension = nativeDimension
        self.acceptsDimensions = acceptsDimensions
        self.maxInputTokens = maxInputTokens
        self.dollarsPerMillionTokens = dollarsPerMillionTokens
    }

    public static let textEmbedding3Small = OpenAIEmbeddingModelInfo(
        name: "text-embedding-3-small", nativeDimension: 1536, acceptsDimensions: true, dollarsPerMillionTokens: 0.02)
    public static let textEmbedding3Large = OpenAIEmbeddingModelInfo(
        name: "text-embedding-3-large", nativeDimension: 3072, acceptsDimensions: true, dollarsPerMillionTokens: 0.13)
    public static let ada002 = OpenAIEmbeddingModelInfo(
        name: "text-embedding-ada-002", nativeDimension: 1536, acceptsDimensions: false, dollarsPerMillionTokens: 0.10)

    /// The three OpenAI embedding models.
    public static let known: [OpenAIEmbeddingModelInfo] = [textEmbedding3Small, textEmbedding3Large, ada002]

    /// The known model of that name, or nil.
    public static func named(_ name: String) -> OpenAIEmbeddingModelInfo? { known.first { $0.name == name } }
}
