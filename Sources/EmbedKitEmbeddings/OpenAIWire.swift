import Foundation

// The JSON bodies of OpenAI's `/v1/embeddings`, shared by the client and by `embedkit serve`, so both sides
// speak exactly one contract (../shared/REFERENCE.md, "OpenAI HTTP contract").

/// The `input` of an embeddings request: one string, many strings, one token array or many token arrays.
public enum EmbeddingInput: Codable, Sendable, Equatable {
    case text(String)
    case texts([String])
    case tokens([Int])
    case tokenArrays([[Int]])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .text(text); return }
        if let texts = try? container.decode([String].self) { self = .texts(texts); return }
        if let tokens = try? container.decode([Int].self) { self = .tokens(tokens); return }
        if let arrays = try? container.decode([[Int]].self) { self = .tokenArrays(arrays); return }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "input must be a string, an array of strings, an array of integers or an array of integer arrays")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .texts(let value): try container.encode(value)
        case .tokens(let value): try container.encode(value)
        case .tokenArrays(let value): try container.encode(value)
        }
    }

    /// Number of separate inputs (one vector comes back for each).
    public var count: Int {
        switch self {
        case .text, .tokens: return 1
        case .texts(let value): return value.count
        case .tokenArrays(let value): return value.count
        }
    }
}

/// How vectors travel in the response: JSON floats, or base64 of little-endian float32.
public enum EmbeddingEncodingFormat: String, Codable, Sendable {
    case float, base64
}

/// Body of `POST /v1/embeddings`.
public struct EmbeddingsRequest: Codable, Sendable {
    public var model: String
    public var input: EmbeddingInput
    public var encodingFormat: EmbeddingEncodingFormat?
    public var dimensions: Int?
    public var user: String?

    public init(model: String, input: EmbeddingInput, encodingFormat: EmbeddingEncodingFormat? = nil,
                dimensions: Int? = nil, user: String? = nil) {
        self.model = model
        self.input = input
        self.encodingFormat = encodingFormat
        self.dimensions = dimensions
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions, user
        case encodingFormat = "encoding_format"
    }
}

/// Token counts OpenAI reports with every embeddings response.
public struct EmbeddingsUsage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, totalTokens: Int) {
        self.promptTokens = promptTokens
        self.totalTokens = totalTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case totalTokens = "total_tokens"
    }
}

/// One vector as it travels: a float array, or a base64 string of little-endian float32.
public enum EmbeddingPayload: Codable, Sendable, Equatable {
    case floats([Float])
    case base64(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) { self = .base64(string); return }
        self = .floats(try container.decode([Float].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .floats(let value): try container.encode(value)
        case .base64(let value): try container.encode(value)
        }
    }

    /// The vector, decoding base64 when needed; nil when the base64 is malformed or not a whole number of floats.
    public func vector() -> [Float]? {
        switch self {
        case .floats(let value): return value
        case .base64(let string): return Float32Base64.decode(string)
        }
    }
}

/// One item of `data` in an embeddings response.
public struct EmbeddingObject: Codable, Sendable {
    public var object: String
    public var index: Int
    public var embedding: EmbeddingPayload

    public init(index: Int, embedding: EmbeddingPayload) {
        self.object = "embedding"
        self.index = index
        self.embedding = embedding
    }
}

/// Body of a successful `POST /v1/embeddings` response.
public struct EmbeddingsResponse: Codable, Sendable {
    public var object: String
    public var data: [EmbeddingObject]
    public var model: String
    public var usage: EmbeddingsUsage

    public init(data: [EmbeddingObject], model: String, usage: EmbeddingsUsage) {
        self.object = "list"
        self.data = data
        self.model = model
        self.usage = usage
    }
}

/// The `error` object of every OpenAI error response: `{"error":{"message","type","param","code"}}`.
public struct APIErrorDetail: Codable, Sendable, Equatable {
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?

    public init(message: String, type: String, param: String? = nil, code: String? = nil) {
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// Encodes `param` and `code` as explicit nulls, as OpenAI does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(type, forKey: .type)
        try container.encode(param, forKey: .param)
        try container.encode(code, forKey: .code)
    }

    enum CodingKeys: String, CodingKey { case message, type, param, code }
}

/// The whole body of an OpenAI error response.
public struct APIErrorBody: Codable, Sendable {
    public var error: APIErrorDetail
    public init(error: APIErrorDetail) { self.error = error }
}

/// One entry of `GET /v1/models`.
public struct ModelObject: Codable, Sendable {
    public var id: String
    public var object: String
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String) {
        self.id = id
        self.object = "model"
        self.created = created
        self.ownedBy = ownedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }
}

/// Body of `GET /v1/models`.
public struct ModelList: Codable, Sendable {
    public var object: String
    public var data: [ModelObject]
    public init(data: [ModelObject]) {
        self.object = "list"
        self.data = data
    }
}

/// Base64 of little-endian float32, the `encoding_format: "base64"` transfer form.
public enum Float32Base64 {
    /// Encodes `vector` as base64 of its little-endian float32 bytes.
    public static func encode(_ vector: [Float]) -> String {
        var bytes = [UInt8](repeating: 0, count: vector.count * 4)
        for (i, value) in vector.enumerated() {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { raw in
                for k in 0..<4 { bytes[i * 4 + k] = raw[k] }
            }
        }
        return Data(bytes).base64EncodedString()
    }

    /// Decodes base64 little-endian float32; nil when malformed or not a multiple of 4 bytes.
    public static func decode(_ string: String) -> [Float]? {
        guard let data = Data(base64Encoded: string), data.count % 4 == 0 else { return nil }
        var vector = [Float](repeating: 0, count: data.count / 4)
        data.withUnsafeBytes { raw in
            for i in 0..<vector.count {
                let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                vector[i] = Float(bitPattern: bits)
            }
        }
        return vector
    }
}
