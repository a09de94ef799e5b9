import ArgumentParser
import EmbedKit
import Foundation
import Logging

/// `embedkit serve`: OpenAI's embeddings API (`POST /v1/embeddings`, `GET /v1/models`, `GET /health`) over
/// local models, for every OpenAI client library.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve local embedding models over OpenAI's HTTP API.",
        discussion: """
            Point any OpenAI client at it: OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="…").
            SIGTERM or Ctrl-C stops accepting connections and lets in-flight requests finish.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 = any free port).") var port = 8080
    @Option(name: .customLong("model"), help: "A model name or folder to serve (repeatable; default all-MiniLM-L6-v2).")
    var models: [String] = []
    @Option(help: "Environment variable holding the API key clients must send (none = no auth).")
    var apiKeyEnv: String?
    @Option(help: "Largest request body in bytes (413 above).") var maxBodyBytes = 32 << 20
    @Option(help: "Most inputs per request.") var maxInputs = 2048
    @Option(help: "Most tokens per input, counted with the model's tokenizer.") var maxInputTokens = 8192
    @Option(help: "Most tokens per request.") var maxRequestTokens = 300_000
    @Option(help: "Most texts per model call (concurrent requests are packed together up to this).") var batchSize = 256
    @Option(help: "Model calls running at once (1 suits local models, which spread each call over all cores).") var workers = 1
    @Option(help: "Log level: trace, debug, info (access log), warning, error.") var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxInputs >= 1, maxInputTokens >= 1, maxRequestTokens >= 1, batchSize >= 1, maxBodyBytes >= 1024 else {
            throw ValidationError("limits must be positive (and --max-body-bytes at least 1024)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        var apiKey: String?
        if let apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[apiKeyEnv], !value.isEmpty else {
                throw ValidationError("--api-key-env \(apiKeyEnv): that environment variable is empty or unset")
            }
            apiKey = value
        }
        var logger = Logger(label: "embedkit.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let served = try await ServedModels.load(models.isEmpty ? [AssetCatalog.allMiniLML6v2.name] : models)
        let cl100k = try? TiktokenEncoding.load("cl100k_base")
        if cl100k == nil { Output.note("cl100k_base not available: token-array inputs will be refused (run `embedkit assets fetch cl100k_base`)") }
        let configuration = ServerConfiguration(
            host: host, port: port, apiKey: apiKey, maxBodyBytes: maxBodyBytes, maxInputs: maxInputs,
            maxInputTokens: maxInputTokens, maxRequestTokens: maxRequestTokens, maxBatchTexts: batchSize,
            workers: workers)
        let server = EmbeddingServer(models: served, configuration: configuration, tokenDecoder: cl100k, logger: logger)
        let names = served.map(\.id).joined(separator: ", ")
        let auth = apiKey == nil ? "off" : "on"
        try await server.run { port in
            Output.note("embedkit serve: \(names) on http://\(host):\(port)/v1 (auth \(auth))")
        }
        Output.note("embedkit serve: stopped after draining in-flight requests")
    }
}
