/// Splits a sequence of inputs into API requests that respect OpenAI's per-request limits
/// (≤ 2048 inputs, ≤ 300,000 tokens), keeping the inputs' order.
public struct BatchPlanner: Sendable {
    public var maxInputs: Int
    public var maxTokens: Int

    public init(maxInputs: Int = 2048, maxTokens: Int = 300_000) {
        self.maxInputs = max(1, maxInputs)
        self.maxTokens = max(1, maxTokens)
    }

    /// Consecutive index ranges over `tokenCounts`; each range is one request. An input alone above `maxTokens`
    /// still gets a request of its own (the per-input limit is enforced earlier, by the long-input policy).
    public func plan(tokenCounts: [Int]) -> [Range<Int>] {
        var batches: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (i, count) in tokenCounts.enumerated() {
            if i > start, i - start >= maxInputs || tokens + count > maxTokens {
                batches.append(start..<i)
                start = i
                tokens = 0
            }
            tokens += count
        }
        if start < tokenCounts.count { batches.append(start..<tokenCounts.count) }
        return batches
    }
}

/// What to do with an input longer than the model's token limit.
public enum LongInputPolicy: String, Sendable, CaseIterable, Codable {
    /// Keep the first `limit` tokens and send them as token ids (OpenAI's cookbook default).
    case truncate
    /// Embed each `limit`-token chunk, average the vectors weighted by chunk tokens, then L2-normalize.
    case chunkAverage = "chunk-average"
    /// Refuse with ``OpenAIError/inputTooLong(index:tokens:limit:)``.
    case error
}
