/// HF `tokenizers`' BertNormalizer: clean text, pad CJK ideographs with spaces, strip accents, lowercase.
///
/// Character classes come from tables generated from HF `tokenizers` itself (see ``BertUnicodeTables``), so
/// the result is the same as HF's for every Unicode scalar.
public struct BertNormalizer: Sendable, Hashable {
    /// Drop control/format characters, NUL and U+FFFD; map whitespace to a space.
    public var cleanText: Bool
    /// Surround each CJK ideograph with spaces so it becomes its own word.
    public var handleChineseChars: Bool
    /// Decompose (NFD) and drop nonspacing marks. HF's default (`null` in tokenizer.json) follows `lowercase`.
    public var stripAccents: Bool
    /// Lowercase each scalar (Unicode simple + special casing, context-free).
    public var lowercase: Bool

    /// - Parameter stripAccents: nil means "same as `lowercase`", as in HF.
    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents ?? lowercase
        self.lowercase = lowercase
    }

    /// Appends the normalized scalars of `text` to `output`.
    func normalize(_ text: Substring, into output: inout [UInt32]) {
        let classes = BertCharacterClasses.shared
        for scalar in text.unicodeScalars {
            var c = scalar.value
            var flags = classes.flags(c)
            if cleanText {
                if flags.contains(.removed) { continue }
                if flags.contains(.whitespace) { c = 0x20; flags = [] }
            }
            if handleChineseChars && flags.contains(.chinese) {
                output.append(0x20)
                appendStripped(c, flags: flags, classes, into: &output)
                output.append(0x20)
            } else {
                appendStripped(c, flags: flags, classes, into: &output)
            }
        }
    }

    @inline(__always)
    private func appendStripped(_ c: UInt32, flags: BertCharacterClasses.Flags, _ classes: BertCharacterClasses,
                                into output: inout [UInt32]) {
        if stripAccents {
            if c >= 0xAC00 && c < 0xAC00 + 11172 {
                let s = c - 0xAC00
                output.append(0x1100 + s / 588)
                output.append(0x1161 + (s % 588) / 28)
                if s % 28 != 0 { output.append(0x11A7 + s % 28) }
                return
            }
            if flags.contains(.stripMapped), let parts = classes.stripAccents[c] {
                for part in parts { appendCased(part, flags: classes.flags(part), classes, into: &output) }
                return
            }
        }
        appendCased(c, flags: flags, classes, into: &output)
    }

    @inline(__always)
    private func appendCased(_ c: UInt32, flags: BertCharacterClasses.Flags, _ classes: BertCharacterClasses,
                             into output: inout [UInt32]) {
        if lowercase && flags.contains(.lowerMapped), let lower = classes.lowercase[c] {
            output.append(contentsOf: lower)
        } else {
            output.append(c)
        }
    }

    /// The normalized form of `text` (for inspection and tests).
    public func normalize(_ text: String) -> String {
        var scalars: [UInt32] = []
        normalize(text[...], into: &scalars)
        var result = String.UnicodeScalarView()
        for c in scalars { if let s = Unicode.Scalar(c) { result.append(s) } }
        return String(result)
    }
}
