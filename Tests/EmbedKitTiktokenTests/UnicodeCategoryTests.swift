import EmbedKitTokenizers
import Foundation
import Testing

@Suite("Tiktoken Unicode categories")
struct UnicodeCategoryTests {
    /// The fixture is what tiktoken's own regex engine says about every scalar (scripts/fixtures/tokenizers.py);
    /// the table is generated from Unicode 16.0 data (scripts/generate-unicode-tables.py).
    @Test func everyScalarAgreesWithTiktokensRegexEngine() throws {
        let text = try String(contentsOf: Fixtures.folder.appendingPathComponent("unicode-classes.txt"), encoding: .utf8)
        var scalar: UInt32 = 0
        var mismatches: [String] = []
        for run in text.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let parts = run.split(separator: ":")
            let flags = UInt8(parts[0], radix: 16)!, length = UInt32(parts[1], radix: 16)!
            for s in scalar..<(scalar + length) {
                let ours = UnicodeCategoryTable.classes(of: s).rawValue
                if ours != flags && mismatches.count < 10 { mismatches.append(String(format: "U+%04X ours %d tiktoken %d", s, ours, flags)) }
            }
            scalar += length
        }
        #expect(scalar == 0x110000)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func spotChecks() {
        #expect(UnicodeCategoryTable.classes(of: 0x61) == [.letter, .lowerish])          // a
        #expect(UnicodeCategoryTable.classes(of: 0x41) == [.letter, .upperish])          // A
        #expect(UnicodeCategoryTable.classes(of: 0x4E2D) == [.letter, .upperish, .lowerish]) // 中 (Lo)
        #expect(UnicodeCategoryTable.classes(of: 0x0301) == [.upperish, .lowerish])      // combining acute (Mn)
        #expect(UnicodeCategoryTable.classes(of: 0x3000) == [.whitespace])
        #expect(UnicodeCategoryTable.classes(of: 0x0663) == [.number])                   // Arabic-Indic three
        #expect(UnicodeCategoryTable.classes(of: 0x1C89) == [.letter, .upperish])        // Unicode 16.0 Lu
        #expect(UnicodeCategoryTable.classes(of: 0x110000).isEmpty)
    }
}
