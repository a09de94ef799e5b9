/// Finds a tokenizer.json's added tokens (`<s>`, `</s>`, `<mask>`, …) in raw text as HF's AddedVocabulary does
/// for tokens with `normalized: false`: leftmost-longest matches, `lstrip`/`rstrip` absorbing the whitespace
/// beside a match, `single_word` requiring no word character on either side.
struct AddedTokenMatcher: Sendable {
    struct Token: Sendable {
        let content: [UInt8]
        let id: Int32
        let leftStrip: Bool
        let rightStrip: Bool
        let singleWord: Bool
    }

    /// Tokens by first byte, longest first.
    private let byFirstByte: [[Token]]
    let isEmpty: Bool

    init(_ tokens: [Token]) {
        var buckets = [[Token]](repeating: [], count: 256)
        for token in tokens where !token.content.isEmpty { buckets[Int(token.content[0])].append(token) }
        byFirstByte = buckets.map { $0.sorted { $0.content.count > $1.content.count } }
        isEmpty = tokens.isEmpty
    }

    /// A matched token: `range` is the span of text it consumes (including stripped whitespace).
    struct Match { let range: Range<Int>; let id: Int32 }

    /// The matches in `text` (UTF-8 bytes), left to right, non-overlapping.
    func matches(in text: UnsafeBufferPointer<UInt8>) -> [Match] {
        var found: [Match] = []
        guard !isEmpty else { return found }
        var previousEnd = 0
        var i = 0
        while i < text.count {
            var best: Token? = nil
            for token in byFirstByte[Int(text[i])] where token.content.count <= text.count - i {
                var k = 1
                while k < token.content.count && text[i + k] == token.content[k] { k += 1 }
                if k == token.content.count {
                    if token.singleWord && !Self.isWordBoundary(text, before: i, after: i + k) { continue }
                    best = token
                    break
                }
            }
            guard let token = best else { i += 1; continue }
            var start = i, end = i + token.content.count
            if token.leftStrip {
                while start > previousEnd, let (scalar, length) = Self.scalar(endingAt: start, in: text), scalar.properties.isWhitespace {
                    start -= length
                }
            }
            if token.rightStrip {
                while end < text.count, let (scalar, length) = Self.scalar(startingAt: end, in: text), scalar.properties.isWhitespace {
                    end += length
                }
            }
            found.append(Match(range: start..<end, id: token.id))
            previousEnd = end
            i = end
        }
        return found
    }

    static func isWordBoundary(_ text: UnsafeBufferPointer<UInt8>, before start: Int, after end: Int) -> Bool {
        func isWord(_ s: Unicode.Scalar) -> Bool { s == "_" || s.properties.isAlphabetic || s.properties.numericType != nil }
        if let (s, _) = scalar(endingAt: start, in: text), isWord(s) { return false }
        if let (s, _) = scalar(startingAt: end, in: text), isWord(s) { return false }
        return true
    }

    static func scalar(startingAt i: Int, in text: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        guard i < text.count else { return nil }
        let length = min(UnigramTrie.utf8Length(lead: text[i]), text.count - i)
        var decoder = UTF8()
        var iterator = UnsafeBufferPointer(rebasing: text[i..<(i + length)]).makeIterator()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return (s, length) }
        return nil
    }

    static func scalar(endingAt end: Int, in text: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        guard end > 0 else { return nil }
        var start = end - 1
        while start > 0 && end - start < 4 && text[start] & 0xC0 == 0x80 { start -= 1 }
        return scalar(startingAt: start, in: text).flatMap { $0.1 == end - start ? $0 : nil }
    }
}
