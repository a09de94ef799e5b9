import EmbedKitAssets

/// What defines a tiktoken encoding besides its ranks: the pre-tokenization rules, the special tokens and the
/// verified asset holding its vocabulary.
public struct TiktokenSpec: Sendable, Hashable {
    public let name: String
    public let pattern: PretokenizerPattern
    public let specialTokens: [String: Int]
    public let asset: AssetDescriptor
    /// Number of ordinary ranks in the vocabulary file.
    public let rankCount: Int

    public static let cl100kBase = TiktokenSpec(
        name: "cl100k_base", pattern: .cl100k,
        specialTokens: ["<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                        "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276],
        asset: AssetCatalog.cl100kBase, rankCount: 100_256)
    public static let o200kBase = TiktokenSpec(
        name: "o200k_base", pattern: .o200k,
        specialTokens: ["<|endoftext|>": 199_999, "<|endofprompt|>": 200_018],
        asset: AssetCatalog.o200kBase, rankCount: 199_998)
    public static let p50kBase = TiktokenSpec(
        name: "p50k_base", pattern: .r50k, specialTokens: ["<|endoftext|>": 50256],
        asset: AssetCatalog.p50kBase, rankCount: 50_281)
    public static let r50kBase = TiktokenSpec(
        name: "r50k_base", pattern: .r50k, specialTokens: ["<|endoftext|>": 50256],
        asset: AssetCatalog.r50kBase, rankCount: 50_256)

    /// Every encoding EmbedKit knows, by name.
    public static let all: [TiktokenSpec] = [cl100kBase, o200kBase, p50kBase, r50kBase]

    /// The encoding called `name`; throws ``TiktokenError/unknownEncoding(_:known:)`` listing the known ones.
    public static func named(_ name: String) throws -> TiktokenSpec {
        if let spec = all.first(where: { $0.name == name }) { return spec }
        throw TiktokenError.unknownEncoding(name, known: all.map(\.name))
    }
}

/// Which encoding an OpenAI model uses (tiktoken 0.14's `encoding_name_for_model`, for the four encodings
/// EmbedKit ships), and what embedding models cost.
public enum TiktokenModels {
    /// Exact model names.
    public static let encodingByModel: [String: String] = [
        "o1": "o200k_base", "o3": "o200k_base", "o4-mini": "o200k_base", "gpt-5": "o200k_base",
        "gpt-4.1": "o200k_base", "gpt-4o": "o200k_base",
        "gpt-4": "cl100k_base", "gpt-3.5-turbo": "cl100k_base", "gpt-3.5": "cl100k_base",
        "gpt-35-turbo": "cl100k_base", "davinci-002": "cl100k_base", "babbage-002": "cl100k_base",
        "text-embedding-ada-002": "cl100k_base", "text-embedding-3-small": "cl100k_base",
        "text-embedding-3-large": "cl100k_base",
        "text-davinci-003": "p50k_base", "text-davinci-002": "p50k_base", "code-davinci-002": "p50k_base",
        "code-davinci-001": "p50k_base", "code-cushman-002": "p50k_base", "code-cushman-001": "p50k_base",
        "davinci-codex": "p50k_base", "cushman-codex": "p50k_base",
        "text-davinci-001": "r50k_base", "text-curie-001": "r50k_base", "text-babbage-001": "r50k_base",
        "text-ada-001": "r50k_base", "davinci": "r50k_base", "curie": "r50k_base", "babbage": "r50k_base",
        "ada": "r50k_base", "text-similarity-davinci-001": "r50k_base", "text-similarity-curie-001": "r50k_base",
        "text-similarity-babbage-001": "r50k_base", "text-similarity-ada-001": "r50k_base",
        "text-search-davinci-doc-001": "r50k_base", "text-search-curie-doc-001": "r50k_base",
        "text-search-babbage-doc-001": "r50k_base", "text-search-ada-doc-001": "r50k_base",
        "code-search-babbage-code-001": "r50k_base", "code-search-ada-code-001": "r50k_base",
    ]

    /// Name prefixes (dated and fine-tuned variants), tried in this order.
    public static let encodingByPrefix: [(prefix: String, encoding: String)] = [
        ("o1-", "o200k_base"), ("o3-", "o200k_base"), ("o4-mini-", "o200k_base"), ("gpt-5", "o200k_base"),
        ("gpt-4.5-", "o200k_base"), ("gpt-4.1-", "o200k_base"), ("chatgpt-4o-", "o200k_base"),
        ("gpt-4o-", "o200k_base"), ("gpt-4-", "cl100k_base"), ("gpt-3.5-turbo-", "cl100k_base"),
        ("gpt-35-turbo-", "cl100k_base"), ("ft:gpt-4o", "o200k_base"), ("ft:gpt-4", "cl100k_base"),
        ("ft:gpt-3.5-turbo", "cl100k_base"), ("ft:davinci-002", "cl100k_base"), ("ft:babbage-002", "cl100k_base"),
    ]

    /// US dollars per million input tokens for OpenAI's embedding models.
    public static let embeddingPricePerMillion: [String: Double] = [
        "text-embedding-3-small": 0.02, "text-embedding-3-large": 0.13, "text-embedding-ada-002": 0.10,
    ]

    /// The encoding `model` uses; throws ``TiktokenError/unknownModel(_:knownPrefixes:)``.
    public static func encodingName(forModel model: String) throws -> String {
        if let name = encodingByModel[model] { return name }
        if let hit = encodingByPrefix.first(where: { model.hasPrefix($0.prefix) }) { return hit.encoding }
        throw TiktokenError.unknownModel(model, knownPrefixes: encodingByModel.keys.sorted())
    }

    /// The spec of the encoding `model` uses.
    public static func spec(forModel model: String) throws -> TiktokenSpec {
        try TiktokenSpec.named(encodingName(forModel: model))
    }
}

extension TiktokenEncoding {
    /// Loads the encoding `model` uses (`text-embedding-3-small` → cl100k_base, `gpt-4o` → o200k_base, …).
    public static func load(forModel model: String, store: AssetStore = AssetStore()) throws -> TiktokenEncoding {
        try load(TiktokenModels.spec(forModel: model), store: store)
    }
}
