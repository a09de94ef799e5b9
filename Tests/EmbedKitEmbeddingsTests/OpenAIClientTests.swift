import EmbedKitCore
import EmbedKitEmbeddings
import EmbedKitTokenizers
import Foundation
import Testing

/// The Swift client against a fake of the OpenAI cloud on real HTTP (127.0.0.1) that misbehaves on purpose.
@Suite("OpenAI client")
struct OpenAIClientTests {
    static let dimension = 16

    func client(_ cloud: FakeOpenAICloud, maxRetries: Int = 2, options: OpenAIEmbeddingModel.Options = .init(),
                dimensions: Int? = nil, cache: EmbeddingCache? = nil, concurrency: Int = 4) throws -> OpenAIEmbeddingModel {
        let configuration = OpenAIConfiguration(
            apiKey: "sk-test", baseURL: cloud.baseURL, organization: "org-1", project: "proj-1", maxRetries: maxRetries,
            initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(20), maxConcurrentRequests: concurrency)
        return try OpenAIEmbeddingModel(model: "fake-embedding", dimensions: dimensions, nativeDimension: Self.dimension,
                                        configuration: configuration, tokenizer: try TestTokenizers.cl100k(),
                                        options: options, cache: cache)
    }

    func expected(_ texts: [String], dimension: Int = dimension) -> [[Float]] {
        texts.map { FakeOpenAICloud.vector(for: $0, dimension: dimension) }
    }

    @Test func embedsInOrderOverBase64WithHeaders() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension)
        let texts = (0..<50).map { "review number \($0): tasty beans" }
        let model = try client(cloud)
        let vectors = try await model.embed(texts)
        #expect(vectors == expected(texts))
        let counters = cloud.counters
        #expect(counters.requests == 1)
        #expect(counters.lastHeaders["authorization"] == "Bearer sk-test")
        #expect(counters.lastHeaders["openai-organization"] == "org-1")
        #expect(counters.lastHeaders["openai-project"] == "proj-1")
        #expect(counters.lastBody.contains(#""encoding_format":"base64""#))
        let usage = await model.usage()
        #expect(usage.requests == 1 && usage.retries == 0 && usage.promptTokens > 0)
        try await cloud.shutdown()
    }

    @Test func fallsBackToFloatWhenBase64IsRefused() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { _ in .refuseBase64 }
        let texts = ["alpha", "beta", "gamma"]
        let model = try client(cloud)
        #expect(try await model.embed(texts) == expected(texts))
        #expect(try await model.embed(["delta"]) == expected(["delta"]))
        #expect(cloud.counters.requests == 3) // refused once, then float for good
        #expect(cloud.counters.lastBody.contains(#""encoding_format":"float""#))
        try await cloud.shutdown()
    }

    @Test func retries429HonouringRetryAfterThen5xx() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { n in
            switch n {
            case 0: return .status(429, headers: ["retry-after-ms": "15"])
            case 1: return .status(429, headers: ["Retry-After": "0"])
            case 2: return .status(500, headers: [:])
            case 3: return .status(503, headers: [:])
            default: return .none
            }
        }
        let model = try client(cloud, maxRetries: 4)
        let texts = ["one", "two"]
        #expect(try await model.embed(texts) == expected(texts))
        let usage = await model.usage()
        #expect(usage.retries == 4)
        #expect(usage.retriesByReason == ["429": 2, "500": 1, "503": 1])
        #expect(cloud.counters.requests == 5)
        try await cloud.shutdown()
    }

    @Test func survivesSlowDroppedTruncatedAndGarbageAnswers() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { n in
            [.dropConnection, .garbage, .truncatedBody, .slow(milliseconds: 200), .none][min(n, 4)]
        }
        let model = try client(cloud, maxRetries: 3)
        let texts = ["slow", "and", "steady"]
        #expect(try await model.embed(texts) == expected(texts))
        let usage = await model.usage()
        #expect(usage.retries == 3)
        #expect(usage.retriesByReason["malformed"] == 1)
        #expect(cloud.counters.requests == 4)
        try await cloud.shutdown()
    }

    @Test(arguments: [400, 401, 403, 404])
    func neverRetriesClientErrors(status: Int) async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { _ in .status(status, headers: [:]) }
        let model = try client(cloud, maxRetries: 5)
        await #expect { try await model.embed(["x"]) } throws: { error in
            (error as? OpenAIError)?.status == status
        }
        #expect(cloud.counters.requests == 1)
        #expect(await model.usage().retries == 0)
        try await cloud.shutdown()
    }

    @Test func givesUpAfterMaxRetries() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { _ in .status(502, headers: [:]) }
        let model = try client(cloud, maxRetries: 3)
        await #expect { try await model.embed(["x"]) } throws: { error in
            guard case let .api(502, _, attempts) = error as? OpenAIError else { return false }
            return attempts == 4
        }
        #expect(cloud.counters.requests == 4)
        try await cloud.shutdown()
    }

    /// Issue 7's fault line: 30 % of requests answered 429/5xx, a 10,000-input job still completes, every vector
    /// once and in order, and the retries are counted.
    @Test func tenThousandInputsThroughThirtyPercentFaults() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { n in
            // Exactly 3 of every 10 consecutive requests fail (in a scrambled order), whatever the interleaving.
            guard (n * 7) % 10 < 3 else { return .none }
            var rng = SplitMix64(seed: UInt64(n) &* 0x9E3779B97F4A7C15 &+ 7)
            let codes = [429, 500, 502, 503]
            let code = codes[Int(rng.unit() * 4) % 4]
            return .status(code, headers: code == 429 ? ["retry-after-ms": "5"] : [:])
        }
        var options = OpenAIEmbeddingModel.Options()
        options.maxInputsPerRequest = 100
        let model = try client(cloud, maxRetries: 12, options: options, concurrency: 8)
        let texts = (0..<10_000).map { "input \($0) of the fault-injection job" }
        let vectors = try await model.embed(texts)
        #expect(vectors.count == texts.count)
        #expect(vectors == expected(texts))
        let usage = await model.usage()
        let counters = cloud.counters
        #expect(usage.requests == 100)
        #expect(usage.retries > 0)
        #expect(usage.retries == counters.faults.values.reduce(0, +))
        #expect(counters.requests == usage.requests + usage.retries)
        #expect(counters.embeddedInputs == texts.count)
        let share = Double(usage.retries) / Double(counters.requests)
        #expect(share > 0.25 && share < 0.35)
        print("fault job: \(texts.count) inputs, \(counters.requests) requests, \(usage.retries) retries (\(Int(share * 100)) % of requests) \(usage.retriesByReason)")
        try await cloud.shutdown()
    }

    @Test func batchesWithinInputAndTokenLimits() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension)
        var options = OpenAIEmbeddingModel.Options()
        options.maxTokensPerRequest = 1000
        let model = try client(cloud, options: options)
        let texts = (0..<5000).map { "w\($0)" }
        #expect(try await model.embed(texts) == expected(texts))
        let tokenizer = try TestTokenizers.cl100k()
        let plan = BatchPlanner(maxInputs: 2048, maxTokens: 1000).plan(tokenCounts: texts.map { tokenizer.count($0) })
        #expect(plan.count > 5)
        #expect(cloud.counters.requests == plan.count)
        try await cloud.shutdown()
    }

    @Test func longInputsTruncateChunkOrRefuse() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension)
        let tokenizer = try TestTokenizers.cl100k()
        let long = String(repeating: "lorem ipsum dolor sit amet ", count: 4000)
        let ids = tokenizer.encodeOrdinary(long)
        #expect(ids.count > 2 * 8191)

        let truncating = try client(cloud)
        let truncated = try await truncating.embed([long])
        #expect(truncated == expected([ids[0..<8191].map(String.init).joined(separator: " ")]))

        var options = OpenAIEmbeddingModel.Options()
        options.longInputPolicy = .chunkAverage
        let averaging = try client(cloud, options: options)
        let averaged = try await averaging.embed([long])[0]
        var sum = [Float](repeating: 0, count: Self.dimension)
        for start in stride(from: 0, to: ids.count, by: 8191) {
            let chunk = Array(ids[start..<min(start + 8191, ids.count)])
            let v = FakeOpenAICloud.vector(for: chunk.map(String.init).joined(separator: " "), dimension: Self.dimension)
            for k in sum.indices { sum[k] += Float(chunk.count) * v[k] }
        }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for k in sum.indices { #expect(abs(averaged[k] - sum[k] / norm) < 1e-5) }

        options.longInputPolicy = .error
        let refusing = try client(cloud, options: options)
        await #expect { try await refusing.embed(["short", long]) } throws: { error in
            guard case let .inputTooLong(index, tokens, limit) = error as? OpenAIError else { return false }
            return index == 1 && tokens == ids.count && limit == 8191
        }
        try await cloud.shutdown()
    }

    @Test func persistentCacheMakesRerunsFree() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("embeddings.sqlite")
        let texts = (0..<300).map { "cached text \($0 % 250)" } // 50 repeats: embedded once
        let first = try client(cloud, cache: try EmbeddingCache(url: url))
        #expect(try await first.embed(texts) == expected(texts))
        let requestsAfterFirst = cloud.counters.requests
        #expect(cloud.counters.embeddedInputs == 250)

        let rerun = try client(cloud, cache: try EmbeddingCache(url: url)) // a new process would open the same file
        #expect(try await rerun.embed(texts) == expected(texts))
        #expect(cloud.counters.requests == requestsAfterFirst)
        let usage = await rerun.usage()
        #expect(usage.cacheHits == 300 && usage.requests == 0)

        let shorter = try client(cloud, dimensions: 8, cache: try EmbeddingCache(url: url)) // other key: calls again
        #expect(try await shorter.embed(["cached text 1"]) == expected(["cached text 1"], dimension: 8))
        #expect(cloud.counters.requests == requestsAfterFirst + 1)
        #expect(cloud.counters.lastBody.contains(#""dimensions":8"#))
        try await cloud.shutdown()
    }

    @Test func knownModelsAndDimensionChecks() throws {
        let tokenizer = try TestTokenizers.cl100k()
        let config = OpenAIConfiguration(apiKey: "k", baseURL: "http://127.0.0.1:9/v1")
        #expect(try OpenAIEmbeddingModel(model: "text-embedding-3-small", configuration: config, tokenizer: tokenizer).dimension == 1536)
        #expect(try OpenAIEmbeddingModel(model: "text-embedding-3-large", configuration: config, tokenizer: tokenizer).dimension == 3072)
        #expect(try OpenAIEmbeddingModel(model: "text-embedding-ada-002", configuration: config, tokenizer: tokenizer).dimension == 1536)
        #expect(try OpenAIEmbeddingModel(model: "text-embedding-3-large", dimensions: 256, configuration: config, tokenizer: tokenizer).dimension == 256)
        #expect(throws: OpenAIError.self) { try OpenAIEmbeddingModel(model: "text-embedding-ada-002", dimensions: 256, configuration: config, tokenizer: tokenizer) }
        #expect(throws: OpenAIError.self) { try OpenAIEmbeddingModel(model: "text-embedding-3-small", dimensions: 4000, configuration: config, tokenizer: tokenizer) }
        #expect(throws: OpenAIError.self) { try OpenAIEmbeddingModel(model: "mystery", configuration: config, tokenizer: tokenizer) }
    }

    @Test func environmentConfiguration() {
        let c = OpenAIConfiguration.fromEnvironment(["OPENAI_API_KEY": "sk-1", "OPENAI_ORG_ID": "o", "OPENAI_PROJECT_ID": "p"])
        #expect(c.apiKey == "sk-1" && c.baseURL == "https://api.openai.com/v1" && c.organization == "o" && c.project == "p")
        #expect(OpenAIConfiguration.fromEnvironment(["OPENAI_BASE_URL": "http://h:1/v1/"]).baseURL == "http://h:1/v1/")
    }

    @Test func retryPolicyFollowsTheSDKs() {
        let policy = RetryPolicy()
        #expect(policy.delay(retry: 0, headers: [("retry-after-ms", "1500")], unitRandom: 0.9) == .milliseconds(1500))
        #expect(policy.delay(retry: 0, headers: [("Retry-After", "3")], unitRandom: 0.9) == .seconds(3))
        #expect(policy.delay(retry: 0, headers: [("retry-after-ms", "250"), ("Retry-After", "3")], unitRandom: 0) == .milliseconds(250))
        #expect(policy.delay(retry: 0, headers: [], unitRandom: 0) == .milliseconds(500))
        #expect(policy.delay(retry: 3, headers: [], unitRandom: 0) == .seconds(4))
        #expect(policy.delay(retry: 9, headers: [], unitRandom: 0) == .seconds(8))
        #expect(policy.delay(retry: 9, headers: [], unitRandom: 0.999) > .seconds(6))
        #expect(policy.delay(retry: 0, headers: [("Retry-After", "600")], unitRandom: 0) == .milliseconds(500)) // above 60 s: ignored
        for status in [408, 409, 429, 500, 502, 503, 504] { #expect(RetryPolicy.isRetryable(status: status)) }
        for status in [400, 401, 403, 404, 422] { #expect(!RetryPolicy.isRetryable(status: status)) }
        let date = Date(timeIntervalSince1970: 1_000_000)
        let later = RetryPolicy.serverRequestedDelay([("Retry-After", "Mon, 12 Jan 1970 13:46:50 GMT")], now: date)
        #expect(later == .seconds(10))
    }

    @Test func batchPlannerRespectsBothLimits() {
        let planner = BatchPlanner(maxInputs: 3, maxTokens: 10)
        #expect(planner.plan(tokenCounts: [1, 1, 1, 1]) == [0..<3, 3..<4])
        #expect(planner.plan(tokenCounts: [6, 5, 4, 20, 1]) == [0..<1, 1..<3, 3..<4, 4..<5])
        #expect(planner.plan(tokenCounts: []) == [])
        let big = BatchPlanner().plan(tokenCounts: Array(repeating: 100, count: 10_000))
        #expect(big.allSatisfy { $0.count <= 2048 } && big.map(\.count).reduce(0, +) == 10_000)
        let heavy = BatchPlanner().plan(tokenCounts: Array(repeating: 8000, count: 100))
        #expect(heavy.allSatisfy { $0.count * 8000 <= 300_000 } && heavy.count == 3)
    }

    @Test func chatCompletionsPlainAndStreamingWithRetries() async throws {
        let cloud = try await FakeOpenAICloud(dimension: Self.dimension) { n in n % 2 == 0 ? .status(503, headers: [:]) : .none }
        let configuration = OpenAIConfiguration(apiKey: "sk", baseURL: cloud.baseURL, initialBackoff: .milliseconds(1))
        let chat = ChatClient(configuration: configuration)
        let request = ChatRequest(model: "gpt-4o-mini", messages: [.system("be brief"), .user("the quick brown fox")], temperature: 0)
        let completion = try await chat.complete(request)
        #expect(completion.text == "the quick brown fox")
        #expect(completion.usage?.promptTokens == 4)
        var streamed = ""
        var chunks = 0
        for try await chunk in chat.stream(request) {
            streamed += chunk.choices.first?.delta.content ?? ""
            chunks += 1
        }
        #expect(streamed == "the quick brown fox" && chunks == 4)
        #expect(await chat.usage().retries == 2)
        #expect(cloud.counters.lastBody.contains(#""stream":true"#))
        try await cloud.shutdown()
    }

    @Test func serverSentEventsParser() {
        var parser = ServerSentEventParser()
        let wire = "data: {\"a\":1}\n\n: comment\ndata: x\r\ndata: y\r\n\r\ndata: [DONE]"
        var events: [String] = []
        for byte in wire.utf8 { events += parser.feed([byte]) }
        events += parser.finish()
        #expect(events == [#"{"a":1}"#, "x\ny", "[DONE]"])
    }
}


@Suite("OpenAI rate-limit headers")
struct RateLimitHeaderTests {
    @Test func readsOpenAIsHeaders() {
        let info = RateLimitHeaders([("x-ratelimit-limit-requests", "3000"), ("X-RateLimit-Limit-Tokens", "1000000"),
                                     ("x-ratelimit-remaining-requests", "2999"), ("x-ratelimit-remaining-tokens", "999950"),
                                     ("x-ratelimit-reset-requests", "20ms"), ("x-ratelimit-reset-tokens", "6m0s")])
        #expect(info.limitRequests == 3000 && info.limitTokens == 1_000_000)
        #expect(info.remainingRequests == 2999 && info.remainingTokens == 999_950)
        #expect(info.resetRequests == .milliseconds(20) && info.resetTokens == .seconds(360))
        #expect(RateLimitHeaders.parseDuration("1h2m3.5s") == .milliseconds(3_723_500))
        #expect(RateLimitHeaders.parseDuration("1s") == .seconds(1))
        #expect(RateLimitHeaders.parseDuration("soon") == nil)
        #expect(RateLimitHeaders([]) == RateLimitHeaders([("x-ratelimit-reset-tokens", "bogus")]))
    }

    @Test func exhaustedBudgetWaitsForTheResetAndCompletes() async throws {
        // Every answer says the request budget is used up until 30 ms later: the client must pause, not fail.
        let cloud = try await FakeOpenAICloud(dimension: 16, rateLimitHeaders: [
            "x-ratelimit-limit-requests": "100000", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "30ms",
            "x-ratelimit-limit-tokens": "100000000", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "30ms"])
        var options = OpenAIEmbeddingModel.Options()
        options.maxInputsPerRequest = 10
        let model = try OpenAIEmbeddingModel(
            model: "fake-embedding", nativeDimension: 16,
            configuration: OpenAIConfiguration(apiKey: "k", baseURL: cloud.baseURL, maxConcurrentRequests: 4),
            tokenizer: try TestTokenizers.cl100k(), options: options)
        let texts = (0..<60).map { "budget \($0)" }
        #expect(try await model.embed(texts) == texts.map { FakeOpenAICloud.vector(for: $0, dimension: 16) })
        #expect(cloud.counters.requests == 6)
        try await cloud.shutdown()
    }
}
