import EmbedKitTokenizers
import Foundation
import Testing

@Suite("Tiktoken exactness")
struct TiktokenExactnessTests {
    @Test func goldenVectors() throws {
        let cl = try Encodings.named("cl100k_base")
        #expect(cl.encodeOrdinary("hello world") == [15339, 1917])
        #expect(cl.encodeOrdinary("Hello, world!") == [9906, 11, 1917, 0])
        #expect(cl.encodeOrdinary("antidisestablishmentarianism") == [519, 85342, 34500, 479, 8997, 2191])
        #expect(cl.encodeOrdinary("2 + 2 = 4") == [17, 489, 220, 17, 284, 220, 19])
        #expect(try Encodings.named("o200k_base").encodeOrdinary("tiktoken is great!") == [83, 8251, 2488, 382, 2212, 0])
    }

    /// Tricky cases, seeded random mixes and long pieces recorded from tiktoken 0.14 for all four encodings.
    @Test(arguments: Encodings.names)
    func fixtureCases(encoding: String) throws {
        let enc = try Encodings.named(encoding)
        let cases = try Fixtures.cases("cases.jsonl").filter { $0.encoding == encoding }
        #expect(cases.count > 400)
        var failures: [String] = []
        for c in cases {
            let ids = enc.encodeOrdinary(c.text)
            if ids != c.ids && failures.count < 5 {
                failures.append("\(c.text.debugDescription): ours \(ids) tiktoken \(c.ids) pieces \(enc.pretokenize(c.text))")
            }
            #expect(enc.count(c.text) == c.ids.count)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test(arguments: Encodings.names)
    func specialTokensAllowed(encoding: String) throws {
        let enc = try Encodings.named(encoding)
        let cases = try Fixtures.cases("special.jsonl").filter { $0.encoding == encoding }
        #expect(!cases.isEmpty)
        for c in cases { #expect(try enc.encode(c.text, allowedSpecial: .all) == c.ids, "\(c.text.debugDescription)") }
    }

    /// The seed dataset's reviews: totals from REFERENCE.md (tiktoken 0.14).
    @Test func seedDatasetCounts() throws {
        guard let texts = try SeedData.combinedTexts() else {
            Issue.record("seed data not found: set EMBEDKIT_SHARED to the folder holding data/fine_food_reviews_1k.csv")
            return
        }
        #expect(texts.count == 1000)
        let cl = try Encodings.named("cl100k_base")
        let counts = texts.map { cl.count($0) }
        #expect(counts.reduce(0, +) == 95_895)
        #expect(counts[0] == 52)
        #expect(counts[297] == 178)
        #expect(counts.min() == 28 && counts.max() == 645)
        #expect(cl.countBatch(texts, threads: 2) == counts)
        let o200k = try Encodings.named("o200k_base")
        #expect(texts.map { o200k.count($0) }.reduce(0, +) == 93_922)
    }
}
