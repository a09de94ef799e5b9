import EmbedKitCKernels
import EmbedKitCore
import EmbedKitTokenizers
import Foundation
import Testing

/// The block scanner (64-byte windows of byte-class bitmasks, boundary masks) must split exactly where the
/// scalar scanner does; `referencePretokenize` is the scalar scanner alone, itself checked against tiktoken by
/// the exactness tests and scripts/check-tokenizers.
@Suite("Pretokenizer block path")
struct PretokenizerBlockTests {
    static let patterns = ["cl100k_base", "o200k_base", "r50k_base"]

    /// Snippets whose pieces depend on look-ahead, contractions, prefixes or non-ASCII neighbours.
    static let snippets = [
        "'s", "'S", "'ſ", "'ll", "'LL", "'ve", "'re", "'d", "'m", "'t", "'x", "don't", "DON'T", "it'ſ",
        "  word", "\t\tword", " \n word", "\r\n\r\n", "\n\n  x", " \n \n y", ".\n\n  z", ".\n/x", ".\n/.", "..b",
        " .b", ".b", "a.b", "x .b", "  .b", "HTTPServer", "helloWorld", "HELLO", "HELLo", "12345678", "1234",
        " 12", "a1b2", "é", "aé", " é", "éa", "\u{A0}x", " \u{3000} ", "٣٤٥6", "12٣", "中文", "x中", "👋🏽", "ǅx",
        "   ", " ", "\n", "\r", "/", "//", "a//b", " ?!", "\u{0B}\u{0C}x", "\u{1C}\u{1F}", "\u{85}x", "ŉ'S",
        "a't's", "it'sx'd", "I'M'll", "x'll'", "don't'", "e's'S", "9's", ".'s", "rock'n'roll", "it'd've",
    ]

    static let filler = Array("The quick brown fox, jumps over 12345 lazy dogs.\n  Indented\tline: x/y; \"q\" [ok]\r\n".utf8)

    /// `snippet` after `offset` bytes of filler, then more filler (or the end of the text).
    static func padded(_ snippet: String, at offset: Int, tail: Bool) -> String {
        var bytes = Array(filler.prefix(offset % filler.count))
        while bytes.count < offset { bytes.append(UInt8(ascii: "a")) }
        bytes += Array(snippet.utf8)
        if tail { bytes += filler }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: patterns)
    func snippetsAtEveryWindowOffset(_ name: String) throws {
        let enc = try Encodings.named(name)
        var failures: [String] = []
        for snippet in Self.snippets {
            for offset in 0..<140 {
                for tail in [true, false] {
                    let text = Self.padded(snippet, at: offset, tail: tail)
                    let ours = enc.pretokenize(text), reference = enc.referencePretokenize(text)
                    if ours != reference { failures.append("\(text.debugDescription): \(ours) vs \(reference)") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) texts split differently, first: \(failures.prefix(3))")
    }

    /// Piece ends exactly at 63/64/65 bytes (letter, digit, whitespace and other runs), and runs longer than
    /// a window.
    @Test(arguments: patterns)
    func runsAroundWindowEdges(_ name: String) throws {
        let enc = try Encodings.named(name)
        for unit in ["a", "A", "aB", "7", " ", "\n", "\r\n", ".", "' ", " \t"] {
            for count in [1, 2, 31, 32, 47, 48, 49, 62, 63, 64, 65, 66, 127, 128, 129, 200] {
                for tail in ["", "x", " x", "é", "\n", ".", "'s"] {
                    let text = String(repeating: unit, count: count) + tail
                    #expect(enc.pretokenize(text) == enc.referencePretokenize(text), "\(text.debugDescription)")
                    let shifted = "q " + text
                    #expect(enc.pretokenize(shifted) == enc.referencePretokenize(shifted), "\(shifted.debugDescription)")
                }
            }
        }
    }

    /// Seeded random texts over an alphabet of ASCII classes and a few non-ASCII letters, digits and spaces.
    @Test(arguments: patterns)
    func seededRandomTexts(_ name: String) throws {
        let enc = try Encodings.named(name)
        let alphabet = ["a", "b", "Q", "Z", "s", "t", "l", "e", "0", "9", " ", " ", " ", "\t", "\n", "\r", ".", ",",
                        "/", "'", "-", "é", "ſ", "Ä", "中", "٣", "\u{A0}", "\u{3000}", "👋", "\u{301}"]
        var rng = SplitMix64(seed: 64)
        var failures: [String] = []
        for _ in 0..<4000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...180, using: &rng) {
                // Mostly ASCII runs, so windows are trusted far and their edges fall everywhere.
                let pick = Int.random(in: 0..<100, using: &rng)
                text += pick < 85 ? alphabet[pick % 21] : alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            }
            let ours = enc.pretokenize(text), reference = enc.referencePretokenize(text)
            if ours != reference { failures.append("\(text.debugDescription): \(ours) vs \(reference)") }
        }
        #expect(failures.isEmpty, "\(failures.count) texts split differently, first: \(failures.prefix(3))")
    }
}

/// The vector window classifier and the portable loop give the same masks (the scanner uses whichever the CPU
/// supports; on this machine both run here).
@Suite("Pretokenizer window classifier")
struct PretokenizerClassifierTests {
    @Test func vectorAndPortableAgree() throws {
        var rng = SplitMix64(seed: 128)
        var classes = [UInt8](repeating: 0, count: 128)
        for b in 0..<128 { classes[b] = UInt8(UnicodeCategoryTable.classes(of: UInt32(b)).rawValue) }
        let alphabet = Array("aZ09 \t\n\r'/.,-_\u{0B}\u{1F}\u{7F}".utf8) + [0xC3, 0xA9, 0xE4, 0xB8, 0xAD, 0x00]
        for _ in 0..<2000 {
            let count = Int.random(in: 0...64, using: &rng)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &rng)! }
            var vector = ek_pretok_masks(), portable = ek_pretok_masks()
            let padded = bytes + [0]                     // a valid pointer even for an empty window
            ek_pretok_classify(padded, count, classes, &vector)
            ek_pretok_classify_portable(padded, count, classes, &portable)
            let a = [vector.letter, vector.upper, vector.lower, vector.digit, vector.space, vector.newline,
                     vector.other, vector.nonascii, vector.apostrophe, vector.slash, vector.blank]
            let b = [portable.letter, portable.upper, portable.lower, portable.digit, portable.space,
                     portable.newline, portable.other, portable.nonascii, portable.apostrophe, portable.slash,
                     portable.blank]
            #expect(a == b, "\(bytes)")
            #expect(portable.letter.nonzeroBitCount == bytes.filter { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }.count)
        }
    }
}
