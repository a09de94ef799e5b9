import Foundation

/// Reads a Unigram tokenizer.json's `"vocab": [[piece, score], …]` array straight from the bytes.
///
/// Foundation's JSONSerialization returns numbers as NSDecimalNumber whose `doubleValue` can be 1 ulp off the
/// correctly rounded Double; Viterbi ties between equal-score segmentations are then broken differently from
/// HF (which parses scores as f64 exactly). Parsing the scores with `Double(String)` keeps them exact, and
/// leaving the 250k-entry array out of JSONSerialization makes loading several times faster.
enum UnigramVocabularyScanner {
    struct Result {
        var pieces: [String]
        var scores: [Double]
        /// Byte range of the array (from `[` to `]` inclusive) in the file.
        var range: Range<Int>
    }

    /// The vocab array, or nil when the file has no `"vocab": [` array of `[string, number]` pairs.
    static func scan(_ data: Data) -> Result? {
        data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            let key = Array("\"vocab\"".utf8)
            var search = 0
            while let at = find(key, in: b, from: search) {
                var i = skipSpace(b, at + key.count)
                search = at + 1
                guard i < b.count, b[i] == UInt8(ascii: ":") else { continue }
                i = skipSpace(b, i + 1)
                guard i < b.count, b[i] == UInt8(ascii: "[") else { continue }
                return parseArray(b, from: i)
            }
            return nil
        }
    }

    private static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard needle.count <= b.count else { return nil }
        var i = from
        let last = b.count - needle.count
        while i <= last {
            if b[i] == needle[0] {
                var k = 1
                while k < needle.count && b[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    private static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    private static func parseArray(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Result? {
        var pieces: [String] = []
        var scores: [Double] = []
        var i = skipSpace(b, start + 1)
        if i < b.count, b[i] == UInt8(ascii: "]") { return Result(pieces: [], scores: [], range: start..<(i + 1)) }
        var bytes: [UInt8] = []
        while i < b.count {
            guard b[i] == UInt8(ascii: "[") else { return nil }
            i = skipSpace(b, i + 1)
            guard i < b.count, b[i] == UInt8(ascii: "\""), let end = parseString(b, from: i, into: &bytes) else { return nil }
            pieces.append(String(decoding: bytes, as: UTF8.self))
            i = skipSpace(b, end)
            guard i < b.count, b[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(b, i + 1)
            let numberStart = i
            while i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: ".")
                    || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") || (b[i] >= 0x30 && b[i] <= 0x39) { i += 1 }
            guard let score = Double(String(decoding: UnsafeBufferPointer(rebasing: b[numberStart..<i]), as: UTF8.self)) else { return nil }
            scores.append(score)
            i = skipSpace(b, i)
            guard i < b.count, b[i] == UInt8(ascii: "]") else { return nil }
            i = skipSpace(b, i + 1)
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: "]") { return Result(pieces: pieces, scores: scores, range: start..<(i + 1)) }
            guard b[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(b, i + 1)
        }
        return nil
    }

    /// Decodes the JSON string starting at the quote `start` into `out` (UTF-8); returns the index after it.
    private static func parseString(_ b: UnsafeBufferPointer<UInt8>, from start: Int, into out: inout [UInt8]) -> Int? {
        out.removeAll(keepingCapacity: true)
        var i = start + 1
        var pendingHigh: UInt32? = nil
        func appendScalar(_ v: UInt32) {
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            out.append(contentsOf: String(Character(scalar)).utf8)
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                if let high = pendingHigh { appendScalar(high) }
                return i + 1
            }
            if c != UInt8(ascii: "\\") {
                if let high = pendingHigh { appendScalar(high); pendingHigh = nil }
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < b.count else { return nil }
            let e = b[i + 1]
            i += 2
            if e == UInt8(ascii: "u") {
                guard i + 4 <= b.count, let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: b[i..<(i + 4)]), as: UTF8.self), radix: 16) else { return nil }
                i += 4
                if let high = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(v) { appendScalar(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00)); continue }
                    appendScalar(0xFFFD)
                }
                if (0xD800...0xDBFF).contains(v) { pendingHigh = v } else if (0xDC00...0xDFFF).contains(v) { appendScalar(0xFFFD) } else { appendScalar(v) }
                continue
            }
            if let high = pendingHigh { appendScalar(high); pendingHigh = nil }
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            default: out.append(e)  // \" \\ \/
            }
        }
        return nil
    }
}
