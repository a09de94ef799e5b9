import Foundation

/// What a client has spent and suffered so far: requests, retries and why, tokens, cache hits, dollars.
public struct OpenAIUsage: Sendable, Codable, Equatable {
    /// Successful HTTP requests.
    public var requests = 0
    /// Attempts beyond the first, over all requests.
    public var retries = 0
    /// Retries by cause: `429`, `500`, `connection`, `malformed`, …
    public var retriesByReason: [String: Int] = [:]
    /// Requests that failed for good (after their retries, or at once for 4xx).
    public var failures = 0
    /// `usage.prompt_tokens` summed over successful responses.
    public var promptTokens = 0
    /// Texts answered from the persistent cache without a call.
    public var cacheHits = 0
    /// Texts that needed a call.
    public var cacheMisses = 0
    /// Estimated price of `promptTokens` in US dollars (0 for models without a known price).
    public var costDollars = 0.0

    public init() {}
}

/// Thread-safe accumulator behind ``OpenAIUsage``.
actor UsageMeter {
    private(set) var usage = OpenAIUsage()
    private let dollarsPerMillionTokens: Double

    init(dollarsPerMillionTokens: Double) { self.dollarsPerMillionTokens = dollarsPerMillionTokens }

    func retried(reason: String) {
        usage.retries += 1
        usage.retriesByReason[reason, default: 0] += 1
    }
    func succeeded(promptTokens: Int) {
        usage.requests += 1
        usage.promptTokens += promptTokens
        usage.costDollars = Double(usage.promptTokens) * dollarsPerMillionTokens / 1_000_000
    }
    func failed() { usage.failures += 1 }
    func cache(hits: Int, misses: Int) {
        usage.cacheHits += hits
        usage.cacheMisses += misses
    }
}
