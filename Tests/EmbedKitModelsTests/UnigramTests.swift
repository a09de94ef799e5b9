import EmbedKitModels
import EmbedKitTokenizers
import Foundation
import Testing

/// SentencePiece Unigram against ids recorded from HF `tokenizers` (scripts/fixtures/xlmr_models.py): the
/// XLM-R tokenizer.json (Precompiled charsmap, Replace, Metaspace, TemplateProcessing) with a cut vocabulary,
/// and a variant with NFKC/Strip/Lowercase, Metaspace prepend "first" without split, byte fallback and
/// RobertaProcessing.
@Suite("Unigram") struct UnigramTests {
    static let names = ["unigram-small", "unigram-bytes"]

    static func tokenizer(_ name: String) throws -> UnigramTokenizer {
        try UnigramTokenizer(tokenizerJSON: Fixtures.root.appendingPathComponent("xlmr/\(name)/tokenizer.json"))
    }

    static func cases(_ name: String) throws -> (texts: [String], ordinary: [[Int]], framed: [[Int32]], decoded: [String], size: Int) {
        let json = try Fixtures.json("xlmr/unigram-cases.json")
        let entry = (json["tokenizers"] as! [String: [String: Any]])[name]!
        return (json["texts"] as! [String], entry["ordinary"] as! [[Int]], (entry["framed12"] as! [[Int]]).map { $0.map(Int32.init) },
                entry["decoded"] as! [String], entry["vocabulary_size"] as! Int)
    }

    @Test(arguments: names)
    func idsMatchHuggingFaceTokenizers(name: String) throws {
        let tokenizer = try Self.tokenizer(name)
        let (texts, ordinary, framed, _, size) = try Self.cases(name)
        #expect(texts.count > 30)
        #expect(tokenizer.vocabularySize == size)
        for (i, text) in texts.enumerated() {
            #expect(tokenizer.encodeOrdinary(text) == ordinary[i], "text: \(text.debugDescription)")
            #expect(tokenizer.encode(text, maxLength: 12) == framed[i], "text: \(text.debugDescription)")
        }
    }

    /// XLM-R's decoder (Metaspace); the byte-fallback variant's fixture decoder is Metaspace alone, which HF
    /// leaves `<0xXX>` pieces as text for, while EmbedKit turns them into bytes — so only XLM-R's is compared.
    @Test func decodeMatchesHuggingFace() throws {
        let tokenizer = try Self.tokenizer("unigram-small")
        let (texts, ordinary, _, decoded, _) = try Self.cases("unigram-small")
        for i in texts.indices {
            #expect(try tokenizer.decodeLossy(ordinary[i]) == decoded[i], "text: \(texts[i].debugDescription)")
        }
    }

    @Test func loaderPicksUnigramOrWordPieceFromTokenizerJSON() throws {
        let unigram = try EncoderTokenizers.load(Fixtures.root.appendingPathComponent("xlmr/unigram-small/tokenizer.json"))
        #expect(unigram is UnigramTokenizer)
        #expect(unigram.encode("Hello world", maxLength: 512).first == 0)
        let wordPiece = try EncoderTokenizers.load(Fixtures.root.appendingPathComponent("models/tiny-bert-mean/tokenizer.json"))
        #expect(wordPiece is WordPieceTokenizer)
    }

    @Test func unknownCharactersFuseIntoOneUnk() throws {
        let tokenizer = try Self.tokenizer("unigram-small")
        // Runes the cut vocabulary lacks: one <unk> for the whole run, as HF fuses unknowns.
        let ids = tokenizer.encodeOrdinary("ᚠᚢᚦ")
        #expect(ids.filter { $0 == Int(tokenizer.model.unknownId) }.count == 1)
    }

    @Test func badFilesAreTypedErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-unigram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("tokenizer.json")
        try Data(#"{"model":{"type":"BPE","vocab":{}}}"#.utf8).write(to: bad)
        #expect(throws: UnigramError.self) { try EncoderTokenizers.load(bad) }
        try Data(#"{"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0]]},"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAA"}}"#.utf8).write(to: bad)
        #expect(throws: UnigramError.self) { try UnigramTokenizer(tokenizerJSON: bad) }
        try Data(#"{"model":{"type":"Unigram","vocab":[["<unk>",0]]}}"#.utf8).write(to: bad)
        #expect(throws: UnigramError.self) { try UnigramTokenizer(tokenizerJSON: bad) }
    }
}
