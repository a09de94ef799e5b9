/// Per-scalar facts HF's BertNormalizer and BertPreTokenizer rely on, parsed once from ``BertUnicodeTables``.
///
/// The Basic Multilingual Plane is a flat 64 KiB flag table; scalars above it are looked up by binary search.
struct BertCharacterClasses: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let removed = Flags(rawValue: 1)
        static let whitespace = Flags(rawValue: 2)
        static let chinese = Flags(rawValue: 4)
        static let stripMapped = Flags(rawValue: 8)
        static let lowerMapped = Flags(rawValue: 16)
        static let preTokenizerWhitespace = Flags(rawValue: 32)
        static let punctuation = Flags(rawValue: 64)
    }

    /// The shared instance (tables are parsed on first use).
    static let shared = BertCharacterClasses()

    private let bmp: [UInt8]
    /// Per flag kind, its sorted ranges above U+FFFF.
    private let astral: [([ClosedRange<UInt32>], Flags)]
    let stripAccents: [UInt32: [UInt32]]
    let lowercase: [UInt32: [UInt32]]

    private init() {
        let sets: [(String, Flags)] = [
            (BertUnicodeTables.removed, .removed), (BertUnicodeTables.whitespace, .whitespace),
            (BertUnicodeTables.chinese, .chinese), (BertUnicodeTables.preTokenizerWhitespace, .preTokenizerWhitespace),
            (BertUnicodeTables.punctuation, .punctuation),
        ]
        var bmp = [UInt8](repeating: 0, count: 0x10000)
        var astral: [([ClosedRange<UInt32>], Flags)] = []
        for (text, flag) in sets {
            var above: [ClosedRange<UInt32>] = []
            defer { if !above.isEmpty { astral.append((above, flag)) } }
            for range in Self.parseRanges(text) {
                if range.lowerBound < 0x10000 {
                    for c in range.lowerBound...min(range.upperBound, 0xFFFF) { bmp[Int(c)] |= flag.rawValue }
                }
                if range.upperBound >= 0x10000 {
                    above.append(max(range.lowerBound, 0x10000)...range.upperBound)
                }
            }
        }
        let strip = Self.parseMap(BertUnicodeTables.stripAccents)
        let lower = Self.parseMap(BertUnicodeTables.lowercase)
        for (c, _) in strip where c < 0x10000 { bmp[Int(c)] |= Flags.stripMapped.rawValue }
        for (c, _) in lower where c < 0x10000 { bmp[Int(c)] |= Flags.lowerMapped.rawValue }
        self.bmp = bmp
        self.astral = astral
        self.stripAccents = strip
        self.lowercase = lower
    }

    /// The flags of scalar `c`.
    @inline(__always)
    func flags(_ c: UInt32) -> Flags {
        if c < 0x10000 { return Flags(rawValue: bmp[Int(c)]) }
        return astralFlags(c)
    }

    private func astralFlags(_ c: UInt32) -> Flags {
        var result: Flags = []
        for (ranges, flag) in astral where Self.contains(ranges, c) { result.insert(flag) }
        if stripAccents[c] != nil { result.insert(.stripMapped) }
        if lowercase[c] != nil { result.insert(.lowerMapped) }
        return result
    }

    private static func contains(_ ranges: [ClosedRange<UInt32>], _ c: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(c)
    }

    static func parseRanges(_ text: String) -> [ClosedRange<UInt32>] {
        text.split(separator: ",").map { item in
            let parts = item.split(separator: "-").map { UInt32($0, radix: 16)! }
            return parts[0]...(parts.count > 1 ? parts[1] : parts[0])
        }
    }

    static func parseMap(_ text: String) -> [UInt32: [UInt32]] {
        var map: [UInt32: [UInt32]] = [:]
        for entry in text.split(separator: ";") {
            let halves = entry.split(separator: ":", omittingEmptySubsequences: false)
            let key = UInt32(halves[0], radix: 16)!
            map[key] = halves[1].split(separator: " ").map { UInt32($0, radix: 16)! }
        }
        return map
    }
}
