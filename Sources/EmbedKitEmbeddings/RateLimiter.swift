import Foundation

/// Client-side requests/min and tokens/min budgets over a sliding 60 s window, tightened by what the server
/// says in its `x-ratelimit-*` headers (limit, remaining, reset), plus a cap on requests in flight.
actor RateLimiter {
    private var requestsPerMinute: Int?
    private var tokensPerMinute: Int?
    private let maxConcurrent: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// (when, tokens) of each request sent in the last minute.
    private var window: [(ContinuousClock.Instant, Int)] = []
    /// Server-reported remaining budgets and when they refill.
    private var remainingRequests: (count: Int, until: ContinuousClock.Instant)?
    private var remainingTokens: (count: Int, until: ContinuousClock.Instant)?
    private let clock = ContinuousClock()

    init(requestsPerMinute: Int?, tokensPerMinute: Int?, maxConcurrent: Int) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrent = max(1, maxConcurrent)
    }

    /// Waits for a concurrency slot and for budget to send `tokens` tokens; pair with ``release()``.
    func acquire(tokens: Int) async throws {
        if inFlight >= maxConcurrent {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            inFlight += 1
        }
        do {
            while let wait = waitNeeded(tokens: tokens) {
                try await Task.sleep(for: wait)
            }
        } catch {
            release()
            throw error
        }
        window.append((clock.now, tokens))
        if let r = remainingRequests { remainingRequests = (max(0, r.count - 1), r.until) }
        if let t = remainingTokens { remainingTokens = (max(0, t.count - tokens), t.until) }
    }

    /// Frees the concurrency slot taken by ``acquire(tokens:)``.
    func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().resume() // hand the slot over
        }
    }

    /// Learns from a response's `x-ratelimit-*` headers.
    func update(headers: [(String, String)]) {
        let info = RateLimitHeaders(headers)
        if let limit = info.limitRequests, limit > 0 { requestsPerMinute = min(requestsPerMinute ?? limit, limit) }
        if let limit = info.limitTokens, limit > 0 { tokensPerMinute = min(tokensPerMinute ?? limit, limit) }
        let now = clock.now
        if let remaining = info.remainingRequests { remainingRequests = (remaining, now + (info.resetRequests ?? .seconds(1))) }
        if let remaining = info.remainingTokens { remainingTokens = (remaining, now + (info.resetTokens ?? .seconds(1))) }
    }

    private func waitNeeded(tokens: Int) -> Duration? {
        let now = clock.now
        let minuteAgo = now - .seconds(60)
        window.removeAll { $0.0 <= minuteAgo }
        var wait: Duration?
        func need(_ until: ContinuousClock.Instant) {
            let d = until - now
            if d > .zero { wait = max(wait ?? .zero, d) }
        }
        if let r = remainingRequests, r.count <= 0 { need(r.until) }
        if let t = remainingTokens, t.count < tokens { need(t.until) }
        if let rpm = requestsPerMinute, window.count >= rpm, let oldest = window.first {
            need(oldest.0 + .seconds(60))
        }
        if let tpm = tokensPerMinute, !window.isEmpty {
            var used = window.reduce(0) { $0 + $1.1 }
            // A request bigger than the whole budget goes alone once the window is empty.
            var i = 0
            while used + tokens > tpm, i < window.count {
                used -= window[i].1
                i += 1
                need(window[i - 1].0 + .seconds(60))
            }
        }
        return wait
    }
}

/// OpenAI's `x-ratelimit-*` response headers: the per-minute limits, what remains, and when it refills.
public struct RateLimitHeaders: Sendable, Equatable {
    public var limitRequests: Int?
    public var limitTokens: Int?
    public var remainingRequests: Int?
    public var remainingTokens: Int?
    public var resetRequests: Duration?
    public var resetTokens: Duration?

    /// Reads the headers (names compared case-insensitively); absent or unreadable ones stay nil.
    public init(_ headers: [(String, String)]) {
        func value(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1.trimmingCharacters(in: .whitespaces)
        }
        limitRequests = value("x-ratelimit-limit-requests").flatMap { Int($0) }
        limitTokens = value("x-ratelimit-limit-tokens").flatMap { Int($0) }
        remainingRequests = value("x-ratelimit-remaining-requests").flatMap { Int($0) }
        remainingTokens = value("x-ratelimit-remaining-tokens").flatMap { Int($0) }
        resetRequests = value("x-ratelimit-reset-requests").flatMap(Self.parseDuration)
        resetTokens = value("x-ratelimit-reset-tokens").flatMap(Self.parseDuration)
    }

    /// Parses OpenAI's reset durations: `1s`, `6m0s`, `20ms`, `1h2m3.5s`.
    public static func parseDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var matched = false
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber || c == "." { number.append(c); i += 1; continue }
            guard let value = Double(number) else { return nil }
            if c == "m", i + 1 < chars.count, chars[i + 1] == "s" { total += value / 1000; i += 2 }
            else if c == "h" { total += value * 3600; i += 1 }
            else if c == "m" { total += value * 60; i += 1 }
            else if c == "s" { total += value; i += 1 }
            else { return nil }
            number = ""
            matched = true
        }
        if !number.isEmpty { guard let value = Double(number) else { return nil }; total += value; matched = true }
        return matched ? .milliseconds(Int64((total * 1000).rounded(.up))) : nil
    }
}
