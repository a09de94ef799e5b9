import EmbedKitAssets
import EmbedKitEmbeddings
import EmbedKitModels
import EmbedKitServer
import EmbedKitTokenizers
import Foundation
import Testing

/// `embedkit serve` on 127.0.0.1 with the real local model, called by the official Python SDK and by our client.
@Suite("Embedding server", .serialized)
struct EmbeddingServerTests {
    static let apiKey = "sk-embedkit-test"
    static let maxBodyBytes = 1 << 20
    static let texts = [
        "This is an example sentence",
        "Title: Delicious!; Content: The beans were tasty and arrived quickly.",
        "Crème brûlée, naïve café — ünïcödé text 日本語のテキスト",
        "2 + 2 = 4",
        "antidisestablishmentarianism",
        "A somewhat longer review that goes on about the packaging, the price, the taste and the shipping time.",
    ]

    static func server() async throws -> (EmbeddingServer, LocalEmbeddingModel) {
        let model = try await LocalEmbeddingModel.load("all-MiniLM-L6-v2")
        let configuration = ServerConfiguration(port: 0, apiKey: apiKey, maxBodyBytes: maxBodyBytes)
        let server = EmbeddingServer(models: [ServedModel(local: model)],
                                     configuration: configuration, tokenDecoder: try TestTokenizers.cl100k())
        return (server, model)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for k in a.indices { dot += Double(a[k] * b[k]); na += Double(a[k] * a[k]); nb += Double(b[k] * b[k]) }
        return dot / (na * nb).squareRoot()
    }

    @Test func officialPythonSDKAgainstOurServer() async throws {
        let python = try PeersPython.locate()
        let (server, model) = try await Self.server()
        let vectors = try await model.embed(Self.texts)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = folder.appendingPathComponent("expected.json")
        try JSONSerialization.data(withJSONObject: ["texts": Self.texts, "vectors": vectors.map { $0.map(Double.init) }])
            .write(to: expected)
        let output = try await server.withRunning { port in
            try await PeersPython.run(python, script: "scripts/checks/openai_sdk_server.py", arguments: [
                "--base-url", "http://127.0.0.1:\(port)/v1", "--api-key", Self.apiKey, "--model", "all-MiniLM-L6-v2",
                "--expected", expected.path, "--max-body-bytes", String(Self.maxBodyBytes)])
        }
        print("openai SDK: \(output.stdout)")
        #expect(output.status == 0, "SDK check failed: \(output.stdout) \(output.stderr)")
        #expect(output.stdout.contains(#""ok": true"#))
    }

    @Test func swiftClientAgainstOurServer() async throws {
        let (server, model) = try await Self.server()
        let local = try await model.embed(Self.texts)
        try await server.withRunning { port in
            let configuration = OpenAIConfiguration(apiKey: Self.apiKey, baseURL: "http://127.0.0.1:\(port)/v1", maxRetries: 0)
            let client = try OpenAIEmbeddingModel(model: "all-MiniLM-L6-v2", nativeDimension: 384, configuration: configuration,
                                                  tokenizer: try TestTokenizers.cl100k())
            let remote = try await client.embed(Self.texts)
            #expect(remote.count == local.count)
            for (a, b) in zip(remote, local) { #expect(Self.cosine(a, b) >= 0.999999) }

            let short = try OpenAIEmbeddingModel(model: "all-MiniLM-L6-v2", dimensions: 128, nativeDimension: 384,
                                                 configuration: configuration, tokenizer: try TestTokenizers.cl100k())
            for v in try await short.embed(Self.texts) {
                #expect(v.count == 128)
                #expect(abs(v.reduce(0) { $0 + $1 * $1 }.squareRoot() - 1) < 1e-5)
            }

            // Truncated over-long input travels as cl100k token ids; the server decodes them and embeds the text.
            var options = OpenAIEmbeddingModel.Options()
            options.maxInputTokens = 5
            let truncating = try OpenAIEmbeddingModel(model: "all-MiniLM-L6-v2", nativeDimension: 384, configuration: configuration,
                                                      tokenizer: try TestTokenizers.cl100k(), options: options)
            let cl100k = try TestTokenizers.cl100k()
            let text = Self.texts[1]
            let head = try cl100k.decodeLossy(Array(cl100k.encodeOrdinary(text).prefix(5)))
            let viaTokens = try await truncating.embed([text])[0]
            #expect(Self.cosine(viaTokens, try await model.embed([head])[0]) >= 0.999999)

            // Many concurrent requests share model calls and still get their own vectors back.
            let results = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
                for r in 0..<24 {
                    group.addTask {
                        let slice = (0..<(1 + r % 5)).map { Self.texts[($0 + r) % Self.texts.count] }
                        return (r, try await client.embed(slice))
                    }
                }
                var all: [(Int, [[Float]])] = []
                for try await result in group { all.append(result) }
                return all
            }
            for (r, vectors) in results {
                for (k, v) in vectors.enumerated() {
                    #expect(Self.cosine(v, local[(k + r) % Self.texts.count]) >= 0.999999)
                }
            }
        }
    }

    @Test func errorsAreOpenAIShaped() async throws {
        let (server, _) = try await Self.server()
        try await server.withRunning { port in
            let base = "http://127.0.0.1:\(port)/v1"
            func client(key: String?, model: String = "all-MiniLM-L6-v2") throws -> OpenAIEmbeddingModel {
                try OpenAIEmbeddingModel(model: model, nativeDimension: 384,
                                         configuration: OpenAIConfiguration(apiKey: key, baseURL: base, maxRetries: 3),
                                         tokenizer: try TestTokenizers.cl100k())
            }
            func expectFailure(_ model: OpenAIEmbeddingModel, status: Int, type: String, code: String?) async {
                await #expect { try await model.embed(["hello"]) } throws: { error in
                    guard case let .api(s, detail, attempts) = error as? OpenAIError else { return false }
                    return s == status && detail?.type == type && detail?.code == code && attempts == 1
                }
            }
            await expectFailure(try client(key: nil), status: 401, type: "invalid_request_error", code: "missing_api_key")
            await expectFailure(try client(key: "sk-wrong"), status: 401, type: "invalid_request_error", code: "invalid_api_key")
            await expectFailure(try client(key: Self.apiKey, model: "nope"), status: 404, type: "invalid_request_error", code: "model_not_found")
        }
    }

    @Test func validationFollowsOpenAIRules() async throws {
        let (server, _) = try await Self.server()
        let service = server.service
        func status(_ request: EmbeddingsRequest) async -> (Int, String?)? {
            do { _ = try await service.embeddings(request); return nil } catch let failure as APIFailure {
                return (Int(failure.status.code), failure.detail.param)
            } catch { return (-1, nil) }
        }
        let m = "all-MiniLM-L6-v2"
        #expect(await status(.init(model: m, input: .text(""))) ?? (0, nil) == (400, "input"))
        #expect(await status(.init(model: m, input: .texts([]))) ?? (0, nil) == (400, "input"))
        #expect(await status(.init(model: m, input: .texts(Array(repeating: "x", count: 2049)))) ?? (0, nil) == (400, "input"))
        #expect(await status(.init(model: m, input: .tokenArrays([[1, 2], []]))) ?? (0, nil) == (400, "input"))
        #expect(await status(.init(model: m, input: .tokens([100_000_000]))) ?? (0, nil) == (400, "input"))
        #expect(await status(.init(model: m, input: .text(String(repeating: "word ", count: 9000)))) ?? (0, nil) == (400, "input"))
        #expect(await status(.init(model: m, input: .text("x"), dimensions: 0)) ?? (0, nil) == (400, "dimensions"))
        #expect(await status(.init(model: m, input: .text("x"), dimensions: 385)) ?? (0, nil) == (400, "dimensions"))
        #expect(await status(.init(model: "gpt-none", input: .text("x"))) ?? (0, nil) == (404, "model"))
        let ok = try await service.embeddings(.init(model: m, input: .tokens([15339, 1917]), dimensions: 384))
        #expect(ok.vectors.count == 1 && ok.vectors[0].count == 384 && ok.promptTokens == 2) // "hello world"
    }
}

/// The peers venv's Python (pinned `openai` SDK), and running repo scripts with it.
enum PeersPython {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct PythonMissing: Error, CustomStringConvertible {
        var description: String { "no peers venv found: run scripts/peers-venv (or set EMBEDKIT_PEERS_PYTHON)" }
    }

    static func locate() throws -> URL {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["EMBEDKIT_PEERS_PYTHON"] { candidates.append(explicit) }
        if let venv = ProcessInfo.processInfo.environment["EMBEDKIT_PEERS"] { candidates.append(venv + "/bin/python") }
        candidates += [repoRoot.appendingPathComponent(".venv-peers/bin/python").path,
                       repoRoot.appendingPathComponent("../main/.venv-peers/bin/python").standardizedFileURL.path,
                       "/work/main/.venv-peers/bin/python"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw PythonMissing() }
        return URL(fileURLWithPath: found)
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a repo script and waits for it (off the cooperative pool).
    static func run(_ python: URL, script: String, arguments: [String]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = python
                    process.arguments = [repoRoot.appendingPathComponent(script).path] + arguments
                    let out = Pipe(), err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    let stderr = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: Output(status: process.terminationStatus,
                                                          stdout: String(decoding: stdout, as: UTF8.self),
                                                          stderr: String(decoding: stderr, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
