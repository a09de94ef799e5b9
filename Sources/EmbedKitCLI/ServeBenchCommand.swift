import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit serve-bench`: in-process embedding throughput, then a bounded load test of a running
/// `embedkit serve` on the same texts, and the ratio of the two (docs/PERFORMANCE.md).
struct ServeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-bench",
        abstract: "Load-test an OpenAI-compatible embeddings endpoint against in-process embedding throughput.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The endpoint's base URL (loopback only).") var url = "http://127.0.0.1:8080/v1"
    @Option(help: "Model name (served, and loaded in-process for the baseline).") var model = "all-MiniLM-L6-v2"
    @Option(help: "A file of texts, one JSON string per line.") var texts: String
    @Option(help: "Concurrent clients.") var clients = 16
    @Option(help: "Seconds of load.") var seconds = 60
    @Option(help: "Fewest inputs per request.") var minInputs = 1
    @Option(help: "Most inputs per request.") var maxInputs = 64
    @Option(help: "In-process repetitions (median reported).") var repeats = 3
    @Option(help: "Environment variable with the API key, if the server wants one.") var apiKeyEnv: String?

    func validate() throws {
        guard let host = URL(string: url)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw ValidationError("--url must be a loopback address: this is a load test")
        }
        guard clients >= 1, clients <= 256, seconds >= 1, seconds <= 600, minInputs >= 1, maxInputs >= minInputs, maxInputs <= 2048 else {
            throw ValidationError("bounds: 1…256 clients, 1…600 s, 1 ≤ min-inputs ≤ max-inputs ≤ 2048")
        }
    }

    func run() async throws {
        let lines = try String(contentsOfFile: texts, encoding: .utf8).split(separator: "\n")
        let corpus = try lines.map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
        guard !corpus.isEmpty else { throw ValidationError("\(texts) holds no texts") }

        let local = try await LocalEmbeddingModel.load(model)
        _ = try await local.embed(Array(corpus.prefix(64)))
        var rates: [Double] = []
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            _ = try await local.embed(corpus)
            let elapsed = ContinuousClock.now - start
            rates.append(Double(corpus.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        }
        let inProcess = rates.sorted()[rates.count / 2]
        Output.note("in-process: \(String(format: "%.1f", inProcess)) texts/s (median of \(repeats) over \(corpus.count) texts)")

        let apiKey = apiKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        let test = EndpointLoadTest(baseURL: url, apiKey: apiKey, model: model, clients: clients,
                                    duration: .seconds(seconds), inputRange: minInputs...maxInputs)
        let report = try await test.run(texts: corpus)
        let result = Result(inProcessTextsPerSecond: inProcess, server: report,
                            ratio: report.inputsPerSecond / inProcess, clients: clients, seconds: seconds,
                            inputsPerRequest: "\(minInputs)-\(maxInputs)", texts: corpus.count)
        if global.json {
            try Output.json(result)
        } else {
            Output.table(["metric", "value"], [
                ["in-process texts/s", String(format: "%.1f", inProcess)],
                ["server texts/s", String(format: "%.1f", report.inputsPerSecond)],
                ["ratio", String(format: "%.3f", result.ratio)],
                ["requests", "\(report.requests) (\(String(format: "%.1f", report.requestsPerSecond))/s)"],
                ["errors", "\(report.errors)\(report.firstError.map { " — " + $0 } ?? "")"],
                ["p50 ms", String(format: "%.1f", report.p50Milliseconds)],
                ["p99 ms", String(format: "%.1f", report.p99Milliseconds)],
            ])
        }
    }

    struct Result: Codable {
        var inProcessTextsPerSecond: Double
        var server: EndpointLoadTest.Report
        var ratio: Double
        var clients: Int
        var seconds: Int
        var inputsPerRequest: String
        var texts: Int
    }
}
