import EmbedKitCore
import Foundation

/// When and how long to wait before another attempt, as OpenAI's official SDKs do: retry 408, 409, 429, every
/// 5xx and connection failures; never 400/401/403/404/422; honour `retry-after-ms`, then `Retry-After`
/// (seconds or an HTTP date), else back off 0.5 s → 8 s exponentially with up to 25 % jitter.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var maxServerRetryAfter: Duration

    public init(maxRetries: Int = 2, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(8),
                maxServerRetryAfter: Duration = .seconds(60)) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxServerRetryAfter = maxServerRetryAfter
    }

    /// True for the statuses worth another attempt.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// The wait before retry number `retry` (0 for the first retry). `headers` are the failed response's, looked
    /// up case-insensitively; `unitRandom` in [0, 1) drives the jitter.
    public func delay(retry: Int, headers: [(String, String)], unitRandom: Double) -> Duration {
        if let serverDelay = Self.serverRequestedDelay(headers), serverDelay >= .zero, serverDelay <= maxServerRetryAfter {
            return serverDelay
        }
        let exponent = min(retry, 30)
        let base = min(initialBackoff * (1 << exponent), maxBackoff)
        return base * (1.0 - 0.25 * unitRandom)
    }

    /// `retry-after-ms` (milliseconds, fractional allowed), else `Retry-After` as seconds or an HTTP date.
    public static func serverRequestedDelay(_ headers: [(String, String)], now: Date = Date()) -> Duration? {
        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1.trimmingCharacters(in: .whitespaces)
        }
        if let ms = header("retry-after-ms").flatMap(Double.init), ms.isFinite {
            return .milliseconds(Int64(ms.rounded(.up)))
        }
        guard let value = header("retry-after") else { return nil }
        if let seconds = Double(value), seconds.isFinite { return .milliseconds(Int64((seconds * 1000).rounded(.up))) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) {
            return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
        }
        return nil
    }
}

