/// The character classes tiktoken's pre-tokenization regexes use, as bit flags.
public struct UnicodeClasses: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `\p{L}`: any letter.
    public static let letter = UnicodeClasses(rawValue: 1)
    /// `\p{N}`: any number.
    public static let number = UnicodeClasses(rawValue: 2)
    /// `\s`: the Unicode White_Space property.
    public static let whitespace = UnicodeClasses(rawValue: 4)
    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (o200k's "upper-ish" word head).
    public static let upperish = UnicodeClasses(rawValue: 8)
    /// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (o200k's "lower-ish" word tail).
    public static let lowerish = UnicodeClasses(rawValue: 16)
}

/// Class lookup for every Unicode scalar, from the generated Unicode 16.0 data (the version tiktoken 0.14's
/// regex engine uses). Two-stage table: 256-scalar blocks, identical blocks shared.
public enum UnicodeCategoryTable {
    /// The Unicode version the table was generated from.
    public static let unicodeVersion = UnicodeCategoryData.unicodeVersion

    /// The classes of `scalar` (a value above 0x10FFFF or a surrogate has none).
    @inlinable
    public static func classes(of scalar: UInt32) -> UnicodeClasses {
        UnicodeClasses(rawValue: flags(scalar))
    }

    /// The classes of each scalar of `text`, read as the pre-tokenizer reads them straight from UTF-8 (for
    /// checking its shortcuts, such as classifying CJK text by its first two bytes, against ``classes(of:)``).
    public static func classesAsScanned(_ text: String) -> [UnicodeClasses] {
        let utf8 = Array(text.utf8)
        return utf8.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            let scanner = PretokenizerScanner(bytes: base, end: buffer.count, pattern: .cl100k)
            var result: [UnicodeClasses] = []
            var i = 0
            while i < buffer.count {
                let (flags, length) = scanner.scalar(at: i)
                result.append(UnicodeClasses(rawValue: flags))
                i += length
            }
            return result
        }
    }

    @usableFromInline
    static func flags(_ scalar: UInt32) -> UInt8 {
        guard scalar < 0x110000 else { return 0 }
        return storage.flags(scalar)
    }

    static let storage = TwoStageTable(runs: UnicodeCategoryData.runs)
}

/// Scalar → flags, as block index (scalar >> 8) → shared 256-entry block.
final class TwoStageTable: @unchecked Sendable {
    let blockIndex: UnsafeMutablePointer<UInt16>
    let blocks: UnsafeMutablePointer<UInt8>
    /// Three-byte UTF-8 by its first two bytes: index `(b0 & 0x0F) << 6 | (b1 & 0x3F)` names the 64 scalars
    /// sharing them; the entry is their flags when all 64 have the same, else ``mixed``. Runs of CJK text
    /// classify from one small table this way (every such block is all `\p{Lo}`).
    let threeByte: UnsafeMutablePointer<UInt8>
    static let mixed: UInt8 = 0xFF

    init(runs: String) {
        var flat = [UInt8](repeating: 0, count: 0x110000)
        var position = 0
        for run in runs.utf8.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\n") }) {
            let parts = run.split(separator: UInt8(ascii: ":"))
            let value = UInt8(TwoStageTable.hex(parts[0]))
            let length = TwoStageTable.hex(parts[1])
            for i in position..<min(position + length, flat.count) { flat[i] = value }
            position += length
        }
        precondition(position == 0x110000, "generated Unicode table is damaged: covers \(position) scalars")
        var unique: [[UInt8]: UInt16] = [:]
        var ordered: [[UInt8]] = []
        blockIndex = .allocate(capacity: 0x1100)
        for block in 0..<0x1100 {
            let slice = Array(flat[block * 256..<(block + 1) * 256])
            if let index = unique[slice] {
                blockIndex[block] = index
            } else {
                let index = UInt16(ordered.count)
                unique[slice] = index
                ordered.append(slice)
                blockIndex[block] = index
            }
        }
        blocks = .allocate(capacity: ordered.count * 256)
        for (i, block) in ordered.enumerated() {
            for j in 0..<256 { blocks[i * 256 + j] = block[j] }
        }
        threeByte = .allocate(capacity: 1024)
        for lead in 0..<1024 {
            let first = flat[lead << 6]
            threeByte[lead] = flat[lead << 6 ..< (lead + 1) << 6].allSatisfy { $0 == first } ? first : Self.mixed
        }
    }

    @inline(__always)
    func flags(_ scalar: UInt32) -> UInt8 {
        blocks[Int(blockIndex[Int(scalar >> 8)]) &* 256 &+ Int(scalar & 0xFF)]
    }

    private static func hex<S: Sequence>(_ digits: S) -> Int where S.Element == UInt8 {
        var value = 0
        for d in digits {
            value = value * 16 + Int(d >= UInt8(ascii: "a") ? d - UInt8(ascii: "a") + 10 : d - UInt8(ascii: "0"))
        }
        return value
    }
}
