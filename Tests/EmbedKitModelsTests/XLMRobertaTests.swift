import EmbedKitModels
import Foundation
import Testing

/// Tiny random XLM-RoBERTa models against `transformers` (scripts/fixtures/xlmr_models.py): position ids
/// from padding_idx + 1, one token type, the Unigram tokenizer, mean and cls pooling.
@Suite("XLMRoberta") struct XLMRobertaTests {
    static let tinyModels = ["tiny-xlmr-mean", "tiny-xlmr-cls"]

    @Test(arguments: tinyModels)
    func tinyRandomXLMRMatchesTransformers(name: String) async throws {
        let model = try LocalEmbeddingModel(folder: Fixtures.root.appendingPathComponent("xlmr/\(name)"))
        #expect(model.configuration.encoder.modelType == "xlm-roberta")
        #expect(model.configuration.encoder.positionOffset == 2)
        let (texts, ids, vectors) = try LocalEmbeddingModelTests.expected("xlmr/\(name)/expected.json")
        #expect(texts.map { model.tokenIds($0) } == ids)
        let ours = try await model.embed(texts)
        #expect(ours.count == vectors.count)
        let difference = LocalEmbeddingModelTests.maxDifference(ours, vectors)
        #expect(difference <= 1e-5, "max |Δ| \(difference)")
    }

    @Test func maxLengthLeavesRoomForThePositionOffset() throws {
        let folder = Fixtures.root.appendingPathComponent("xlmr/tiny-xlmr-mean")
        let config = try LocalEmbeddingModel(folder: folder).configuration.encoder
        #expect(config.maxTokens == config.maxPositions - 2)
        #expect(throws: ModelError.self) {
            try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(maxLength: config.maxPositions))
        }
        let longest = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(maxLength: config.maxTokens))
        #expect(longest.tokenIds(String(repeating: "the quick brown fox ", count: 20)).count == config.maxTokens)
    }

    @Test func e5PrefixesAreAppliedToQueriesAndPassages() async throws {
        let folder = Fixtures.root.appendingPathComponent("xlmr/tiny-xlmr-mean")
        let plain = try LocalEmbeddingModel(folder: folder)
        let e5 = try LocalEmbeddingModel(folder: folder, options: LocalEmbeddingOptions(queryPrefix: "query: ", passagePrefix: "passage: "))
        #expect(try await e5.embed(["how much protein"]) == plain.embed(["query: how much protein"]))
        #expect(try await e5.embedPassages(["protein"]) == plain.embed(["passage: protein"]))
    }

    @Test func missingTokenizerJSONIsNamed() throws {
        let folder = try Fixtures.copy("xlmr/tiny-xlmr-cls")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tokenizer.json"))
        let error = #expect(throws: ModelError.self) { try LocalEmbeddingModel(folder: folder) }
        #expect(error.map { "\($0)".contains("tokenizer.json") } == true)
    }

    @Test func unsupportedArchitectureKeepsItsClearError() throws {
        let folder = try Fixtures.copy("xlmr/tiny-xlmr-cls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"xlm-roberta\"", with: "\"deberta-v2\"")
        try Data(text.utf8).write(to: config)
        let error = #expect(throws: ModelError.self) { try LocalEmbeddingModel(folder: folder) }
        #expect(error.map { "\($0)".contains("deberta-v2") && "\($0)".contains("xlm-roberta") } == true)
    }
}
