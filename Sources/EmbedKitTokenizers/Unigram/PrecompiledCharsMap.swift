import Foundation

/// SentencePiece's `precompiled_charsmap`: the normalization rules of a SentencePiece model as HF `tokenizers`
/// stores them (base64 in tokenizer.json's `Precompiled` normalizer).
///
/// Layout: a little-endian `UInt32` giving the trie's size in bytes, the trie (a darts-clone double array of
/// `UInt32` units keyed by UTF-8 bytes), then the replacement strings, each NUL-terminated; a trie leaf's value
/// is the offset of its replacement.
public struct PrecompiledCharsMap: Sendable {
    let units: [UInt32]
    let replacements: [UInt8]
    /// Replacement of each one-byte (ASCII) key, precomputed: the common case skips the trie walk.
    let asciiReplacements: [Range<Int>?]

    /// Decodes the base64 blob of a tokenizer.json `Precompiled` normalizer.
    public init(base64: String) throws {
        guard let data = Data(base64Encoded: base64) else { throw UnigramError.invalidCharsMap("not valid base64") }
        try self.init(bytes: [UInt8](data))
    }

    init(bytes: [UInt8]) throws {
        guard bytes.count >= 4 else { throw UnigramError.invalidCharsMap("shorter than its 4-byte header") }
        let trieBytes = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard trieBytes % 4 == 0, 4 + trieBytes <= bytes.count else {
            throw UnigramError.invalidCharsMap("trie size \(trieBytes) does not fit the \(bytes.count)-byte blob")
        }
        var units = [UInt32](repeating: 0, count: trieBytes / 4)
        for i in units.indices {
            let b = 4 + 4 * i
            units[i] = UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24
        }
        let replacements = Array(bytes[(4 + trieBytes)...])
        self.units = units
        self.replacements = replacements
        var ascii: [Range<Int>?] = []
        for byte in UInt8(0)..<128 {
            ascii.append([byte].withUnsafeBufferPointer { Self.lookup(units: units, replacements: replacements, key: $0) })
        }
        asciiReplacements = ascii
    }

    /// The replacement (a range of ``replacements``) of the shortest key that is a prefix of `key`, or nil.
    ///
    /// HF `tokenizers` uses the first (shortest) match of a common-prefix search and replaces the whole chunk
    /// with it — not SentencePiece's longest match; EmbedKit follows HF.
    func replacement(of key: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        if key.count == 1 && key[0] < 128 { return asciiReplacements[Int(key[0])] }
        return Self.lookup(units: units, replacements: replacements, key: key)
    }

    private static func lookup(units: [UInt32], replacements: [UInt8], key: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard !units.isEmpty else { return nil }
        // darts-clone unit fields: label = bits 0–7 (+ bit 31 for leaf units), has-leaf = bit 8,
        // offset = bits 10–31 shifted left by 8 when bit 9 is set, value = bits 0–30 of a leaf unit.
        @inline(__always) func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }
        var position = offset(units[0])
        for byte in key {
            if byte == 0 { return nil }
            position ^= Int(byte)
            guard position < units.count else { return nil }
            let unit = units[position]
            guard unit & 0x8000_00FF == UInt32(byte) else { return nil }
            position ^= offset(unit)
            if (unit >> 8) & 1 == 1 {
                guard position < units.count else { return nil }
                let start = Int(units[position] & 0x7FFF_FFFF)
                guard start <= replacements.count else { return nil }
                var end = start
                while end < replacements.count && replacements[end] != 0 { end += 1 }
                return start..<end
            }
        }
        return nil
    }

    /// Applies the map as HF's `Precompiled` normalizer does: per extended grapheme cluster, the whole cluster
    /// is looked up when it is under 6 UTF-8 bytes; otherwise (or on a miss) each scalar is looked up alone.
    public func apply(_ text: Substring, into out: inout [UInt8]) {
        var chunk: [UInt8] = []
        for character in text {
            let utf8 = character.utf8
            if utf8.count == 1 {
                let byte = utf8.first!
                if byte < 128, let r = asciiReplacements[Int(byte)] { out.append(contentsOf: replacements[r]) } else { out.append(byte) }
                continue
            }
            chunk.removeAll(keepingCapacity: true)
            chunk.append(contentsOf: utf8)
            if chunk.count < 6, let r = chunk.withUnsafeBufferPointer({ replacement(of: $0) }) {
                out.append(contentsOf: replacements[r])
                continue
            }
            var start = 0
            while start < chunk.count {
                let length = UnigramTrie.utf8Length(lead: chunk[start])
                let end = min(chunk.count, start + length)
                if let r = chunk.withUnsafeBufferPointer({ replacement(of: UnsafeBufferPointer(rebasing: $0[start..<end])) }) {
                    out.append(contentsOf: replacements[r])
                } else {
                    out.append(contentsOf: chunk[start..<end])
                }
                start = end
            }
        }
    }
}
