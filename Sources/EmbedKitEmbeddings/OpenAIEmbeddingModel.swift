import AsyncHTTPClient
import EmbedKitCore
import EmbedKitTokenizers
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Embeddings from OpenAI or any OpenAI-compatible server (`embedkit serve` included), as an ``EmbeddingModel``.
///
/// `embed` looks texts up in the persistent cache, counts the rest with the exact tokenizer, applies the
/// long-input policy, packs requests of ≤ 2048 inputs and ≤ 300,000 tokens, sends them concurrently under the
/// rate limits with retries, and returns one vector per text, in order. ``usage()`` reports what it cost.
public final class OpenAIEmbeddingModel: EmbeddingModel {
    /// Knobs beyond the connection itself.
    public struct Options: Sendable {
        /// Transfer form; `base64` (default) is ~4× smaller. Float answers are accepted either way, and a server
        /// that refuses `base64` makes the client switch to `float`.
        public var encodingFormat: EmbeddingEncodingFormat = .base64
        public var longInputPolicy: LongInputPolicy = .truncate
        /// Per-request limits (OpenAI's: 2048 inputs, 300,000 tokens).
        public var maxInputsPerRequest = 2048
        public var maxTokensPerRequest = 300_000
        /// Longest input in tokens; nil = the model's (8191 for OpenAI's models).
        public var maxInputTokens: Int?
        /// Sent as `user`.
        public var user: String?
        public init() {}
    }

    public let name: String
    public let dimension: Int
    public let maxTokens: Int
    /// `dimensions` as sent to the API (nil = the model's native size, and the field is omitted).
    public let requestedDimensions: Int?
    public let options: Options

    private let tokenizer: any Tokenizer
    private let transport: OpenAITransport
    private let cache: EmbeddingCache?
    private let formatState: FormatState

    /// - Parameters:
    ///   - model: `text-embedding-3-small` (default), `-3-large`, `text-embedding-ada-002`, or any name the server
    ///     knows (then `nativeDimension` is required).
    ///   - dimensions: shorter vectors (text-embedding-3 and later).
    ///   - tokenizer: the model's exact tokenizer (cl100k_base for OpenAI's embedding models), for batching and limits.
    ///   - cache: where vectors persist between runs; nil disables caching.
    public init(model: String = OpenAIEmbeddingModelInfo.textEmbedding3Small.name, dimensions: Int? = nil,
                nativeDimension: Int? = nil, configuration: OpenAIConfiguration = .fromEnvironment(),
                tokenizer: any Tokenizer, options: Options = Options(), cache: EmbeddingCache? = nil,
                httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "embedkit.openai")) throws {
        let info = OpenAIEmbeddingModelInfo.named(model)
        guard let native = nativeDimension ?? info?.nativeDimension else {
            throw OpenAIError.invalidRequest("model \(model) is not one of OpenAI's known embedding models: pass nativeDimension")
        }
        if let dimensions {
            guard dimensions >= 1, dimensions <= native else {
                throw OpenAIError.invalidRequest("dimensions must be between 1 and \(native) for \(model), got \(dimensions)")
            }
            if let info, !info.acceptsDimensions {
                throw OpenAIError.invalidRequest("\(model) does not accept dimensions; use text-embedding-3-small or -large")
            }
        }
        self.name = model
        self.requestedDimensions = dimensions
        self.dimension = dimensions ?? native
        self.maxTokens = options.maxInputTokens ?? info?.maxInputTokens ?? 8191
        self.options = options
        self.tokenizer = tokenizer
        self.cache = cache
        self.formatState = FormatState(options.encodingFormat)
        self.transport = OpenAITransport(configuration: configuration, http: httpClient,
                                         dollarsPerMillionTokens: info?.dollarsPerMillionTokens ?? 0, logger: logger)
    }

    /// Requests, retries (by cause), tokens, cache hits and estimated cost so far.
    public func usage() async -> OpenAIUsage { await transport.meter.usage }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        var result = [[Float]?](repeating: nil, count: texts.count)
        let keys = texts.map(EmbeddingCache.key)
        if let cache {
            let cached = try cache.lookup(model: name, dimensions: dimension, keys: keys)
            for (i, vector) in cached.enumerated() where vector?.count == dimension { result[i] = vector }
        }
        // Unique texts still to embed, first occurrence order.
        var uniqueIndex: [String: Int] = [:]
        var missing: [Int] = []
        for i in texts.indices where result[i] == nil && uniqueIndex[keys[i]] == nil {
            uniqueIndex[keys[i]] = missing.count
            missing.append(i)
        }
        let hits = texts.count - result.lazy.filter { $0 == nil }.count
        await transport.meter.cache(hits: hits, misses: texts.count - hits)
        if !missing.isEmpty {
            let vectors = try await embedUncached(missing.map { texts[$0] }, keys: missing.map { keys[$0] })
            for i in texts.indices where result[i] == nil {
                if let slot = uniqueIndex[keys[i]] { result[i] = vectors[slot] }
            }
        }
        return try result.enumerated().map { i, vector in
            guard let vector else { throw OpenAIError.malformedResponse(message: "no vector for input \(i)", attempts: 1) }
            return vector
        }
    }

    /// One unit sent to the API: a whole text, or (truncated / chunked) a run of token ids.
    private struct Piece: Sendable {
        var owner: Int
        var text: String?
        var tokens: [Int]
    }

    private func embedUncached(_ texts: [String], keys: [String]) async throws -> [[Float]] {
        var pieces: [Piece] = []
        pieces.reserveCapacity(texts.count)
        for (i, text) in texts.enumerated() {
            let tokens = tokenizer.encodeOrdinary(text)
            guard !tokens.isEmpty else {
                throw OpenAIError.invalidRequest("input \(i) is empty; the API refuses empty strings")
            }
            if tokens.count <= maxTokens {
                pieces.append(Piece(owner: i, text: text, tokens: tokens))
                continue
            }
            switch options.longInputPolicy {
            case .error: throw OpenAIError.inputTooLong(index: i, tokens: tokens.count, limit: maxTokens)
            case .truncate: pieces.append(Piece(owner: i, text: nil, tokens: Array(tokens[0..<maxTokens])))
            case .chunkAverage:
                for start in stride(from: 0, to: tokens.count, by: maxTokens) {
                    pieces.append(Piece(owner: i, text: nil, tokens: Array(tokens[start..<min(start + maxTokens, tokens.count)])))
                }
            }
        }
        let planner = BatchPlanner(maxInputs: options.maxInputsPerRequest, maxTokens: options.maxTokensPerRequest)
        let batches = planner.plan(tokenCounts: pieces.map(\.tokens.count))
        var pieceVectors = [[Float]](repeating: [], count: pieces.count)
        let owners = pieces.map(\.owner)
        let singlePiece = Set(Dictionary(grouping: owners, by: { $0 }).filter { $0.value.count == 1 }.keys)
        try await withThrowingTaskGroup(of: (Range<Int>, [[Float]]).self) { group in
            for batch in batches {
                let slice = Array(pieces[batch])
                group.addTask { [self] in
                    let vectors = try await self.request(slice)
                    let entries = zip(slice, vectors).filter { singlePiece.contains($0.0.owner) }
                        .map { (key: keys[$0.0.owner], vector: $0.1) }
                    try self.cache?.store(model: self.name, dimensions: self.dimension, entries: entries)
                    return (batch, vectors)
                }
            }
            for try await (batch, vectors) in group {
                for (offset, vector) in vectors.enumerated() { pieceVectors[batch.lowerBound + offset] = vector }
            }
        }
        // Combine pieces per text: one piece is the vector; several are averaged by tokens and renormalized.
        var vectors = [[Float]](repeating: [], count: texts.count)
        var weights = [Int](repeating: 0, count: texts.count)
        var combined: [(key: String, vector: [Float])] = []
        for (p, piece) in pieces.enumerated() {
            if singlePiece.contains(piece.owner) { vectors[piece.owner] = pieceVectors[p]; continue }
            let w = Float(piece.tokens.count)
            if vectors[piece.owner].isEmpty { vectors[piece.owner] = [Float](repeating: 0, count: pieceVectors[p].count) }
            vectors[piece.owner].withUnsafeMutableBufferPointer { acc in
                for k in 0..<min(acc.count, pieceVectors[p].count) { acc[k] += w * pieceVectors[p][k] }
            }
            weights[piece.owner] += piece.tokens.count
        }
        for i in texts.indices where !singlePiece.contains(i) {
            var norm: Float = 0
            for v in vectors[i] { norm += v * v }
            norm = norm.squareRoot()
            if norm > 0 { for k in vectors[i].indices { vectors[i][k] /= norm } }
            combined.append((key: keys[i], vector: vectors[i]))
        }
        try cache?.store(model: name, dimensions: dimension, entries: combined)
        return vectors
    }

    /// One API request for `pieces`; returns their vectors in order.
    private func request(_ pieces: [Piece]) async throws -> [[Float]] {
        let input: EmbeddingInput = pieces.allSatisfy { $0.text != nil }
            ? .texts(pieces.map { $0.text ?? "" })
            : .tokenArrays(pieces.map(\.tokens))
        let tokens = pieces.reduce(0) { $0 + $1.tokens.count }
        let expected = pieces.count
        let dimension = self.dimension
        while true {
            let format = await formatState.format
            let body = try JSONEncoder().encode(EmbeddingsRequest(
                model: name, input: input, encodingFormat: format, dimensions: requestedDimensions, user: options.user))
            do {
                let response = try await transport.post(path: "embeddings", body: body, tokens: tokens) { buffer in
                    try Self.decode(buffer, expected: expected, dimension: dimension)
                }
                await transport.meter.succeeded(promptTokens: response.promptTokens)
                return response.vectors
            } catch let OpenAIError.api(status, detail, _) where status == 400 && format == .base64
                        && (detail?.param == "encoding_format" || detail?.message.contains("encoding_format") == true) {
                await formatState.fallBackToFloat()
            }
        }
    }

    /// Decodes and checks an embeddings response: one vector per input, each index once, the expected size.
    static func decode(_ buffer: ByteBuffer, expected: Int, dimension: Int) throws -> (vectors: [[Float]], promptTokens: Int) {
        let response = try JSONDecoder().decode(EmbeddingsResponse.self, from: Data(buffer: buffer))
        guard response.data.count == expected else {
            throw OpenAIError.malformedResponse(message: "\(response.data.count) vectors for \(expected) inputs", attempts: 1)
        }
        var vectors = [[Float]?](repeating: nil, count: expected)
        for item in response.data {
            guard item.index >= 0, item.index < expected, vectors[item.index] == nil else {
                throw OpenAIError.malformedResponse(message: "bad or repeated index \(item.index)", attempts: 1)
            }
            guard let vector = item.embedding.vector(), vector.count == dimension else {
                throw OpenAIError.malformedResponse(message: "vector \(item.index) is not \(dimension) floats", attempts: 1)
            }
            vectors[item.index] = vector
        }
        return (vectors.map { $0 ?? [] }, response.usage.promptTokens)
    }
}

/// The transfer format in use; flips to `float` once if a server refuses `base64`.
actor FormatState {
    private(set) var format: EmbeddingEncodingFormat
    init(_ format: EmbeddingEncodingFormat) { self.format = format }
    func fallBackToFloat() { format = .float }
}
