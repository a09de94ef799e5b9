import EmbedKitCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// A bounded load test of an OpenAI-compatible `/v1/embeddings` endpoint: `clients` concurrent loops, each
/// sending requests of a seeded-random `inputRange` count of texts for `duration`, recording latencies.
public struct EndpointLoadTest: Sendable {
    public var baseURL: String
    public var apiKey: String?
    public var model: String
    public var clients: Int
    public var duration: Duration
    public var inputRange: ClosedRange<Int>
    public var seed: UInt64

    public init(baseURL: String, apiKey: String? = nil, model: String, clients: Int = 16, duration: Duration = .seconds(60),
                inputRange: ClosedRange<Int> = 1...64, seed: UInt64 = 42) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.clients = clients
        self.duration = duration
        self.inputRange = inputRange
        self.seed = seed
    }

    /// What a run measured.
    public struct Report: Sendable, Codable {
        public var requests: Int
        public var errors: Int
        public var firstError: String?
        public var inputs: Int
        public var seconds: Double
        public var inputsPerSecond: Double
        public var requestsPerSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
    }

    /// Runs the test over `texts` (taken round-robin from a seeded start per request).
    public func run(texts: [String], httpClient: HTTPClient = .shared) async throws -> Report {
        precondition(!texts.isEmpty)
        let url = baseURL.hasSuffix("/") ? baseURL + "embeddings" : baseURL + "/embeddings"
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let perClient = try await withThrowingTaskGroup(of: ClientTally.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var rng = SplitMix64(seed: seed &+ UInt64(client) &* 0x9E37_79B9_7F4A_7C15)
                    var tally = ClientTally()
                    while clock.now < deadline {
                        let count = inputRange.lowerBound + Int(rng.next() % UInt64(inputRange.count))
                        let first = Int(rng.next() % UInt64(texts.count))
                        let batch = (0..<count).map { texts[(first + $0) % texts.count] }
                        let body = try JSONEncoder().encode(EmbeddingsRequest(model: model, input: .texts(batch), encodingFormat: .base64))
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
                        request.body = .bytes(ByteBuffer(bytes: body))
                        let sent = clock.now
                        do {
                            let response = try await httpClient.execute(request, timeout: .seconds(120))
                            let answer = try await response.body.collect(upTo: 1 << 28)
                            let decoded = try? JSONDecoder().decode(EmbeddingsResponse.self, from: Data(buffer: answer))
                            if response.status.code == 200, decoded?.data.count == count {
                                tally.inputs += count
                            } else {
                                tally.errors += 1
                                tally.firstError = tally.firstError ?? "HTTP \(response.status.code): \(String(buffer: answer).prefix(200))"
                            }
                        } catch {
                            tally.errors += 1
                            tally.firstError = tally.firstError ?? "\(error)"
                        }
                        tally.latencies.append(Self.milliseconds(clock.now - sent))
                    }
                    return tally
                }
            }
            var all: [ClientTally] = []
            for try await tally in group { all.append(tally) }
            return all
        }
        let seconds = Self.milliseconds(clock.now - start) / 1000
        let latencies = perClient.flatMap(\.latencies).sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)]
        }
        let inputs = perClient.reduce(0) { $0 + $1.inputs }
        return Report(requests: latencies.count, errors: perClient.reduce(0) { $0 + $1.errors },
                      firstError: perClient.compactMap(\.firstError).first, inputs: inputs, seconds: seconds,
                      inputsPerSecond: Double(inputs) / seconds, requestsPerSecond: Double(latencies.count) / seconds,
                      p50Milliseconds: percentile(0.50), p99Milliseconds: percentile(0.99), maxMilliseconds: latencies.last ?? 0)
    }

    private struct ClientTally: Sendable {
        var inputs = 0
        var errors = 0
        var firstError: String?
        var latencies: [Double] = []
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
