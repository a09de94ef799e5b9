import EmbedKitCore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One JSON POST to an OpenAI-compatible API with the whole client policy around it: auth and org/project
/// headers, rate limits and the concurrency cap, retries with backoff, usage accounting.
final class OpenAITransport: Sendable {
    let configuration: OpenAIConfiguration
    let limiter: RateLimiter
    let meter: UsageMeter
    private let http: HTTPClient
    private let policy: RetryPolicy
    private let jitter: JitterSource
    private let logger: Logger

    init(configuration: OpenAIConfiguration, http: HTTPClient, dollarsPerMillionTokens: Double, logger: Logger) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
        self.limiter = RateLimiter(requestsPerMinute: configuration.requestsPerMinute,
                                   tokensPerMinute: configuration.tokensPerMinute,
                                   maxConcurrent: configuration.maxConcurrentRequests)
        self.meter = UsageMeter(dollarsPerMillionTokens: dollarsPerMillionTokens)
        self.policy = RetryPolicy(maxRetries: configuration.maxRetries, initialBackoff: configuration.initialBackoff,
                                  maxBackoff: configuration.maxBackoff, maxServerRetryAfter: configuration.maxServerRetryAfter)
        self.jitter = JitterSource(seed: configuration.jitterSeed)
    }

    /// A fully read, successful (2xx) answer.
    struct Answer: Sendable {
        var body: ByteBuffer
        var headers: [(String, String)]
    }

    /// POSTs `body` to `path` and decodes the 2xx answer with `decode`; retries per the policy, including when
    /// `decode` throws (a truncated or garbled body). `tokens` is what the request costs against tokens/min.
    func post<T: Sendable>(path: String, body: Data, tokens: Int, decode: @Sendable (ByteBuffer) throws -> T) async throws -> T {
        try await withinLimits(tokens: tokens) {
            try await attempts(path: path, body: body) { response in
                let collected = try await response.body.collect(upTo: 1 << 30)
                do { return .accepted(try decode(collected)) } catch { return .malformed("\(error)") }
            }
        }
    }

    /// POSTs `body` and hands back the open streaming response once a 2xx status arrived; retries (same policy)
    /// only until then, since a stream cannot be replayed.
    func openStream(path: String, body: Data) async throws -> HTTPClientResponse {
        try await withinLimits(tokens: 0) {
            try await attempts(path: path, body: body) { response in
                await self.meter.succeeded(promptTokens: 0)
                return .accepted(response)
            }
        }
    }

    /// Runs `body` holding a slot of the concurrency cap and `tokens` of the tokens/min budget.
    private func withinLimits<T: Sendable>(tokens: Int, _ body: () async throws -> T) async throws -> T {
        try await limiter.acquire(tokens: tokens)
        do {
            let value = try await body()
            await limiter.release()
            return value
        } catch {
            await limiter.release()
            throw error
        }
    }

    /// What a 2xx answer turned into: a value, or a body unusable enough to ask again.
    private enum Outcome<T> {
        case accepted(T)
        case malformed(String)
    }

    /// The retry loop shared by every request: sends, hands a 2xx answer to `accept`, and retries retryable
    /// statuses, connection failures and malformed 2xx bodies with the policy's backoff.
    private func attempts<T: Sendable>(path: String, body: Data,
                                       accept: (HTTPClientResponse) async throws -> Outcome<T>) async throws -> T {
        var retry = 0
        while true {
            let failure: (reason: String, headers: [(String, String)], error: OpenAIError)
            do {
                let response = try await http.execute(makeRequest(path: path, body: body), timeout: timeAmount(configuration.requestTimeout))
                let headers = response.headers.map { ($0.name, $0.value) }
                await limiter.update(headers: headers)
                let status = Int(response.status.code)
                if (200..<300).contains(status) {
                    switch try await accept(response) {
                    case .accepted(let value):
                        return value
                    case .malformed(let message):
                        failure = ("malformed", headers, .malformedResponse(message: message, attempts: retry + 1))
                    }
                } else {
                    let collected = try await response.body.collect(upTo: 1 << 24)
                    let detail = try? JSONDecoder().decode(APIErrorBody.self, from: Data(buffer: collected)).error
                    let error = OpenAIError.api(status: status, detail: detail, attempts: retry + 1)
                    guard RetryPolicy.isRetryable(status: status) else {
                        await meter.failed()
                        throw error
                    }
                    failure = (String(status), headers, error)
                }
            } catch let error as OpenAIError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = ("connection", [], .transport(message: "\(error)", attempts: retry + 1))
            }
            guard retry < policy.maxRetries else {
                await meter.failed()
                throw failure.error
            }
            let wait = policy.delay(retry: retry, headers: failure.headers, unitRandom: await jitter.next())
            await meter.retried(reason: failure.reason)
            logger.debug("retrying \(path) after \(failure.reason) in \(wait)", metadata: ["attempt": "\(retry + 2)"])
            try await Task.sleep(for: wait)
            retry += 1
        }
    }

    private func makeRequest(path: String, body: Data) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.url(path))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "EmbedKit/\(OpenAITransport.version)")
        if let key = configuration.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let org = configuration.organization { request.headers.add(name: "OpenAI-Organization", value: org) }
        if let project = configuration.project { request.headers.add(name: "OpenAI-Project", value: project) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    private func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    static let version = "0.1.0"
}

/// Seeded jitter shared by all requests of one client.
actor JitterSource {
    private var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    func next() -> Double { generator.unit() }
}
