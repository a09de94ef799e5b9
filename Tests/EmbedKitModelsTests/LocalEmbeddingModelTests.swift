import EmbedKitAssets
import EmbedKitModels
import Foundation
import Testing

/// Local models against sentence-transformers outputs (scripts/fixtures/bert_models.py).
@Suite("LocalEmbeddingModel") struct LocalEmbeddingModelTests {
    static let tinyModels = ["tiny-bert-mean", "tiny-bert-cls", "tiny-bert-max-f16"]

    static func expected(_ path: String) throws -> (texts: [String], ids: [[Int32]], vectors: [[Float]]) {
        let json = try Fixtures.json(path)
        return (json["texts"] as! [String], (json["ids"] as! [[Int]]).map { $0.map(Int32.init) },
                (json["vectors"] as! [[Double]]).map { $0.map(Float.init) })
    }

    static func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).map { x, y in zip(x, y).map { abs($0 - $1) }.max() ?? 0 }.max() ?? .infinity
    }

    @Test(arguments: tinyModels)
    func tinyRandomBertMatchesTransformers(name: String) async throws {
        let model = try LocalEmbeddingModel(folder: Fixtures.root.appendingPathComponent("models/\(name)"))
        let (texts, ids, vectors) = try Self.expected("models/\(name)/expected.json")
        #expect(texts.map { model.tokenIds($0) } == ids)
        let ours = try await model.embed(texts)
        #expect(ours.count == vectors.count)
        #expect(Self.maxDifference(ours, vectors) <= 1e-5)
    }

    @Test func miniLMMatchesSentenceTransformers() async throws {
        let model = try await LocalEmbeddingModel.load()
        #expect(model.dimension == 384)
        #expect(model.maxTokens == 256)
        #expect(model.normalizes)
        let (texts, ids, vectors) = try Self.expected("models/minilm-expected.json")
        #expect(texts.map { model.tokenIds($0) } == ids)
        let ours = try await model.embed(texts)
        #expect(Self.maxDifference(ours, vectors) <= 1e-5)
        for (a, b) in zip(ours, vectors) {
            let cosine = zip(a, b).map { $0 * $1 }.reduce(0, +)
            #expect(cosine >= 0.99999)
        }
    }

    @Test func dimensionsTruncateThenRenormalize() async throws {
        let folder = Fixtures.root.appendingPathComponent("models/tiny-bert-mean")
        let full = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(normalize: false))
        let short = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(dimensions: 8))
        #expect(short.dimension == 8)
        let text = ["the coffee is good"]
        let raw = try await full.embed(text)[0]
        let truncated = try await short.embed(text)[0]
        let head = Array(raw.prefix(8))
        let norm = head.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(zip(truncated, head.map { $0 / norm }).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(throws: ModelError.self) { try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(dimensions: 33)) }
    }

    @Test func normalizeOffKeepsRawPooling() async throws {
        let folder = Fixtures.root.appendingPathComponent("models/tiny-bert-mean")
        let raw = try await LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(normalize: false)).embed(["a"])[0]
        let unit = try await LocalEmbeddingModel(folder: folder).embed(["a"])[0]
        let norm = raw.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(abs(norm - 1) > 1e-3)
        #expect(zip(raw, unit).allSatisfy { abs($0 / norm - $1) < 1e-6 })
    }

    @Test func prefixesAndMaxLength() async throws {
        let folder = Fixtures.root.appendingPathComponent("models/tiny-bert-mean")
        let plain = try LocalEmbeddingModel(folder: folder)
        let prefixed = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(queryPrefix: "the ", passagePrefix: "a "))
        #expect(try await prefixed.embed(["dog"]) == plain.embed(["the dog"]))
        #expect(try await prefixed.embedPassages(["dog"]) == plain.embed(["a dog"]))
        let short = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(maxLength: 5))
        #expect(short.tokenIds("the dog will love this food").count == 5)
    }

    @Test func manyTextsInSmallChunksMatchOneByOne() async throws {
        let folder = Fixtures.root.appendingPathComponent("models/tiny-bert-cls")
        let chunked = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(tokensPerChunk: 16, workers: 2))
        let texts = (0..<100).map { i in String(repeating: "the dog ", count: i % 9) + "\(i)" }
        let batch = try await chunked.embed(texts)
        let single = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (i, t) in texts.enumerated() { group.addTask { (i, try await chunked.embed([t])[0]) } }
            var out = [[Float]](repeating: [], count: texts.count)
            for try await (i, v) in group { out[i] = v }
            return out
        }
        #expect(Self.maxDifference(batch, single) <= 1e-5)  // sgemm blocking differs with the row count
        #expect(try await chunked.embed([]).isEmpty)
    }

    @Test func missingFileIsNamed() throws {
        for file in ["model.safetensors", "config.json", "tokenizer.json", "1_Pooling/config.json"] {
            let folder = try Fixtures.copy("models/tiny-bert-mean")
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.removeItem(at: folder.appendingPathComponent(file))
            do {
                _ = try LocalEmbeddingModel(folder: folder)
                Issue.record("loading without \(file) succeeded")
            } catch let error as ModelError {
                #expect(error.description.contains(file.hasPrefix("tokenizer") ? "tokenizer.json (or vocab.txt)" : file))
            }
        }
    }

    @Test func unsupportedArchitectureIsClear() throws {
        let folder = try Fixtures.copy("models/tiny-bert-mean")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configURL = folder.appendingPathComponent("config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
        config["model_type"] = "gpt2"
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        do {
            _ = try LocalEmbeddingModel(folder: folder)
            Issue.record("a gpt2 config loaded")
        } catch let error as ModelError {
            #expect(error.description.contains("unsupported architecture"))
            #expect(error.description.contains("gpt2"))
        }
    }

    @Test func nonFiniteWeightsNeverReachTheCaller() async throws {
        let folder = try Fixtures.copy("models/tiny-bert-mean")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Overwrite the first float of the word embeddings of [CLS] (row 2) with NaN.
        let url = folder.appendingPathComponent("model.safetensors")
        var data = try Data(contentsOf: url)
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: data[8..<(8 + headerLength)]) as! [String: Any]
        let entry = header["embeddings.word_embeddings.weight"] as! [String: Any]
        let offset = 8 + headerLength + (entry["data_offsets"] as! [Int])[0] + 2 * 32 * 4
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { data.replaceSubrange(offset..<(offset + 4), with: $0) }
        try data.write(to: url)
        let model = try LocalEmbeddingModel(folder: folder)
        await #expect(throws: ModelError.self) { try await model.embed(["fine", "also fine"]) }
    }

    @Test func unknownModelNameListsKnownOnes() async throws {
        do {
            _ = try await LocalEmbeddingModel.load("no-such-model")
            Issue.record("an unknown model loaded")
        } catch let error as ModelError {
            #expect(error.description.contains("all-MiniLM-L6-v2"))
        }
    }
}
