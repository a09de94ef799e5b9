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

    /// The scanner reads classes straight from UTF-8, with shortcuts (a three-byte scalar by its first two
    /// bytes when its 64-scalar block is uniform): on every scalar it must agree with the table.
    @Test func scannerAgreesWithTableOnEveryScalar() {
        var scalars = String.UnicodeScalarView()
        for value in UInt32(0)..<0x110000 {
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        let scanned = UnicodeCategoryTable.classesAsScanned(String(scalars))
        #expect(scanned.count == 0x110000 - 0x800)                                       // all but surrogates
        var mismatches: [String] = []
        for (k, scalar) in scalars.enumerated() where scanned[k] != UnicodeCategoryTable.classes(of: scalar.value) {
            if mismatches.count < 10 { mismatches.append(String(format: "U+%04X", scalar.value)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        // CJK ideographs and kana read as letters (Lo: upper-ish and lower-ish in o200k's classes).
        #expect(UnicodeCategoryTable.classesAsScanned("中文かな") == Array(repeating: [.letter, .upperish, .lowerish], count: 4))
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
