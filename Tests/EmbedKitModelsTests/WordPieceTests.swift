import EmbedKitAssets
import EmbedKitTokenizers
import Foundation
import Testing

/// WordPiece against ids produced by HF `tokenizers` (scripts/fixtures/wordpiece.py).
@Suite("WordPiece") struct WordPieceTests {
    struct Case { let text: String; let ids: [Int]; let framed16: [Int32] }

    static func cases() throws -> [Case] {
        let json = try Fixtures.json("wordpiece/cases.json")
        return (json["cases"] as! [[String: Any]]).map {
            Case(text: $0["text"] as! String, ids: $0["ids"] as! [Int], framed16: ($0["framed16"] as! [Int]).map(Int32.init))
        }
    }

    static func miniLMFolder() throws -> URL { try AssetStore().require(AssetCatalog.allMiniLML6v2) }

    @Test func idsMatchHuggingFaceTokenizers() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: Self.miniLMFolder().appendingPathComponent("tokenizer.json"))
        let cases = try Self.cases()
        #expect(cases.count > 300)
        for c in cases {
            #expect(tokenizer.encodeOrdinary(c.text) == c.ids, "text: \(c.text.debugDescription)")
            #expect(tokenizer.encode(c.text, maxLength: 16) == c.framed16, "text: \(c.text.debugDescription)")
        }
    }

    @Test func vocabTxtGivesTheSameIds() throws {
        let folder = try Self.miniLMFolder()
        let fromJSON = try WordPieceTokenizer(tokenizerJSON: folder.appendingPathComponent("tokenizer.json"))
        let fromVocab = try WordPieceTokenizer(vocabTxt: folder.appendingPathComponent("vocab.txt"))
        #expect(fromVocab.vocabularySize == fromJSON.vocabularySize)
        for c in try Self.cases() { #expect(fromVocab.encodeOrdinary(c.text) == c.ids) }
    }

    @Test func batchPadsAndMasks() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: Self.miniLMFolder().appendingPathComponent("tokenizer.json"))
        let batch = tokenizer.batch(["hello world", "", "a much longer sentence than the others"], maxLength: 8)
        #expect(batch.count == 3)
        #expect(batch.length == 8)
        #expect(batch.lengths == [4, 2, 8])
        #expect(Array(batch.ids[8..<16]) == [tokenizer.clsId, tokenizer.sepId] + [Int32](repeating: tokenizer.padId, count: 6))
        #expect(Array(batch.attentionMask[0..<8]) == [1, 1, 1, 1, 0, 0, 0, 0])
        #expect(batch.ids[23] == tokenizer.sepId)
    }

    @Test func normalizerOptions() {
        #expect(BertNormalizer().normalize("HÉLLO\tWörld\u{200B}") == "hello world")
        #expect(BertNormalizer(lowercase: false).normalize("Héllo") == "Héllo")
        #expect(BertNormalizer(stripAccents: false, lowercase: true).normalize("Héllo") == "héllo")
        #expect(BertNormalizer().normalize("我爱") == " 我  爱 ")
        #expect(BertNormalizer(handleChineseChars: false).normalize("我爱") == "我爱")
        #expect(BertNormalizer(cleanText: false, lowercase: false).normalize("a\u{0}b") == "a\u{0}b")
    }

    @Test func longWordsBecomeUnknown() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: Self.miniLMFolder().appendingPathComponent("tokenizer.json"))
        #expect(tokenizer.encodeOrdinary(String(repeating: "a", count: 101)) == [Int(tokenizer.unknownId)])
        #expect(tokenizer.encodeOrdinary(String(repeating: "a", count: 100)).count > 1)
    }

    @Test func decodesWordPieces() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: Self.miniLMFolder().appendingPathComponent("tokenizer.json"))
        #expect(try tokenizer.decodeLossy(tokenizer.encodeOrdinary("Tokenization works, mostly.")) == "tokenization works, mostly.")
    }

    @Test func rejectsNonWordPieceFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-\(UUID().uuidString).json")
        try Data(#"{"model": {"type": "BPE", "vocab": {}}}"#.utf8).write(to: url)
        #expect(throws: WordPieceError.self) { try WordPieceTokenizer(tokenizerJSON: url) }
        #expect(throws: WordPieceError.self) { try WordPieceTokenizer(tokenizerJSON: url.appendingPathExtension("missing")) }
    }
}
