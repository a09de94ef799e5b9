import Foundation

/// Parses a `.tiktoken` vocabulary (`base64(token bytes) SP rank` per line) straight from its bytes into a
/// ``BPERankTable``: base64 decoded by hand into one arena, no per-line allocation.
enum TiktokenVocabularyParser {
    static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    static func parse(_ file: UnsafeBufferPointer<UInt8>, name: String) throws -> BPERankTable {
        let n = file.count
        guard let base = file.baseAddress, n > 0 else { throw TiktokenError.malformedVocabulary(name: name, line: 1, reason: "empty file") }
        // Decoded bytes are at most 3/4 of the file.
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: n * 3 / 4 + 8)
        var starts = [UInt32](), ranks = [UInt32]()
        starts.reserveCapacity(n / 8); ranks.reserveCapacity(n / 8)
        var used = 0, i = 0, line = 1, maxRank = -1
        var inOrder = true
        func fail(_ reason: String) -> TiktokenError {
            arena.deallocate()
            return .malformedVocabulary(name: name, line: line, reason: reason)
        }
        try base64Values.withUnsafeBufferPointer { values in
            while i < n {
                if base[i] == 0x0A { i += 1; line += 1; continue }          // blank line
                // base64 field
                var accumulator: UInt32 = 0, bits = 0
                let tokenStart = used
                while i < n && base[i] != 0x20 {
                    let c = base[i]
                    if c == UInt8(ascii: "=") { i += 1; continue }
                    let v = values[Int(c)]
                    if v == 0xFF { throw fail("invalid base64 character \(c)") }
                    accumulator = accumulator << 6 | UInt32(v)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        arena[used] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                        used += 1
                    }
                    i += 1
                }
                guard i < n, used > tokenStart else { throw fail("expected `base64 rank`") }
                i += 1
                var rank = 0, digits = 0
                while i < n && base[i] >= 0x30 && base[i] <= 0x39 {
                    rank = rank * 10 + Int(base[i] - 0x30)
                    digits += 1
                    i += 1
                    if rank > 0x0FFF_FFFF { throw fail("rank too large") }
                }
                if i < n && base[i] == 0x0D { i += 1 }
                guard digits > 0, i == n || base[i] == 0x0A else { throw fail("expected a decimal rank") }
                if rank != ranks.count { inOrder = false }
                starts.append(UInt32(tokenStart)); ranks.append(UInt32(rank))
                maxRank = max(maxRank, rank)
                i += 1; line += 1
            }
        }
        let rankCount = maxRank + 1
        guard rankCount <= BPEPairTable.maxRankCount else {
            arena.deallocate()
            throw TiktokenError.malformedVocabulary(name: name, line: line,
                                                    reason: "ranks up to \(maxRank): at most \(BPEPairTable.maxRankCount) are supported")
        }
        let offsets = UnsafeMutablePointer<UInt32>.allocate(capacity: rankCount + 1)
        if inOrder {
            for k in 0..<starts.count { offsets[k] = starts[k] }
            offsets[rankCount] = UInt32(used)
            return BPERankTable(arena: arena, offsets: offsets, rankCount: rankCount)
        }
        // Ranks out of order or with gaps: lay the arena out by rank (a missing rank gets an empty range).
        var length = [Int](repeating: 0, count: rankCount), from = [Int](repeating: 0, count: rankCount)
        for k in 0..<starts.count {
            let end = k + 1 < starts.count ? Int(starts[k + 1]) : used
            length[Int(ranks[k])] = end - Int(starts[k]); from[Int(ranks[k])] = Int(starts[k])
        }
        let ordered = UnsafeMutablePointer<UInt8>.allocate(capacity: used + 8)
        var position = 0
        for r in 0..<rankCount {
            offsets[r] = UInt32(position)
            (ordered + position).update(from: arena + from[r], count: length[r])
            position += length[r]
        }
        offsets[rankCount] = UInt32(position)
        arena.deallocate()
        return BPERankTable(arena: ordered, offsets: offsets, rankCount: rankCount)
    }
}
