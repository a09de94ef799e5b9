import EmbedKitTokenizers
import Foundation
import Testing

/// Texts of three-byte characters (CJK runs) go through the cut path a character at a time (the per-encoding
/// character table and its cut classes): every three-byte scalar in order, and 200,000 seeded ideographs and
/// full-width punctuation, checked against tiktoken 0.14's ids (as a count and checksum recorded by
/// scripts/fixtures/tiktoken_characters.py), cold and warm. Per encoding, its tokens of two three-byte
/// characters (the cut loop's two-character table), each after "。" and as one run.
@Suite("Tiktoken three-byte characters")
struct TiktokenCharacterTests {
    struct Expected: Decodable {
        let count: Int
        let checksum: String
    }

    static func texts() -> [String: String] {
        var every = String.UnicodeScalarView()
        for value in UInt32(0x800)..<0x10000 where !(0xD800...0xDFFF).contains(value) {
            every.append(Unicode.Scalar(value)!)
        }
        let pool = Array(UInt32(0x4E00)..<0xA000) + Array(UInt32(0x3000)..<0x3040) + Array(UInt32(0xFF00)..<0xFF5F)
        var x: UInt64 = 7
        var random = String.UnicodeScalarView()
        for _ in 0..<200_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            random.append(Unicode.Scalar(pool[Int((x >> 33) % UInt64(pool.count))])!)
        }
        return ["every": String(every), "cjk-random": String(random)]
    }

    /// The encoding's tokens of exactly two three-byte characters, in rank order: each after "。" ("pairs"),
    /// and in reverse order with nothing between them ("pairs-run").
    static func pairTexts(_ enc: TiktokenEncoding) -> [String: String] {
        let special = Set(enc.specialTokens.values)
        var pairs: [String] = []
        for id in 0..<enc.vocabularySize where !special.contains(id) {
            guard let b = enc.tokenBytes(id), b.count == 6, b[0] & 0xF0 == 0xE0, b[3] & 0xF0 == 0xE0,
                  [b[1], b[2], b[4], b[5]].allSatisfy({ $0 & 0xC0 == 0x80 }) else { continue }
            pairs.append(String(decoding: b, as: UTF8.self))
        }
        return ["pairs": pairs.map { "\u{3002}" + $0 }.joined(), "pairs-run": pairs.reversed().joined()]
    }

    static func checksum(_ ids: [Int]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids { h = (h ^ UInt64(id)) &* 0x100_0000_01B3 }
        return h
    }

    @Test(arguments: Encodings.names)
    func idsMatchTiktoken(encoding: String) throws {
        let url = Fixtures.folder.appendingPathComponent("three-byte-characters.json")
        let expected = try JSONDecoder().decode([String: [String: Expected]].self, from: Data(contentsOf: url))
        let enc = try Encodings.named(encoding)
        let wanted = try #require(expected[encoding])
        let texts = Self.texts().merging(Self.pairTexts(enc)) { a, _ in a }
        #expect(wanted.count == texts.count)
        for (key, text) in texts.sorted(by: { $0.key < $1.key }) {
            let want = try #require(wanted[key])
            enc.resetPieceCaches()
            for pass in ["cold", "warm"] {
                let ids = enc.encodeOrdinary(text)
                #expect(ids.count == want.count, "\(encoding) \(key) \(pass)")
                #expect(String(Self.checksum(ids)) == want.checksum, "\(encoding) \(key) \(pass)")
            }
            #expect(enc.count(text) == want.count)
        }
    }
}
