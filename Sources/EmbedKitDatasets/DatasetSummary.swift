/// What a dataset job did: the `--json` summary and the basis of the human-readable one.
public struct DatasetSummary: Sendable, Codable {
    public var input: String
    public var output: String?
    public var format: String
    public var dryRun: Bool
    public var encoding: String
    public var counts: DatasetCounts
    public var embeddingModel: String?
    public var dimension: Int?
    /// Rows taken from a checkpoint instead of embedded again.
    public var rowsResumed = 0
    /// Rows embedded by this run.
    public var rowsEmbedded = 0
    public var seconds: Double
    /// What embedding the kept rows would cost with OpenAI's models (at the given price per million tokens).
    public var costs: [EmbeddingCost]

    init(job: DatasetJob, counts: DatasetCounts, encoding: String, dryRun: Bool, seconds: Double) {
        input = job.input.path
        output = dryRun ? nil : job.output.path
        format = job.format.rawValue
        self.dryRun = dryRun
        self.encoding = encoding
        self.counts = counts
        self.seconds = seconds
        costs = EmbeddingCost.openAI(tokens: counts.tokensTotal)
    }
}

/// The price of embedding a number of tokens with one hosted model.
public struct EmbeddingCost: Sendable, Codable, Equatable {
    public var model: String
    public var usdPerMillionTokens: Double
    public var tokens: Int
    public var usd: Double

    /// OpenAI's list prices for its embedding models (all count tokens with cl100k_base).
    public static let prices: [(model: String, usdPerMillion: Double)] = [
        ("text-embedding-3-small", 0.02), ("text-embedding-3-large", 0.13), ("text-embedding-ada-002", 0.10),
    ]

    /// The cost of `tokens` with each of OpenAI's embedding models.
    public static func openAI(tokens: Int) -> [EmbeddingCost] {
        prices.map { EmbeddingCost(model: $0.model, usdPerMillionTokens: $0.usdPerMillion, tokens: tokens,
                                   usd: Double(tokens) * $0.usdPerMillion / 1_000_000) }
    }
}
