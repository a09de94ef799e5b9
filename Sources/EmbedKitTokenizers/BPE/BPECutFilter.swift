/// Where a long piece may be cut without changing its byte-pair merge.
///
/// tiktoken merges the adjacent pair of parts whose concatenation has the lowest rank; every part is always a
/// token. If no token of the vocabulary equals a substring of the piece that straddles byte position k, no
/// pair across k can ever merge, so the parts left of k and right of k evolve independently — the same ids
/// as merging `piece[..<k]` and `piece[k...]` separately (the global choice of lowest rank, leftmost on ties,
/// restricted to either side is that side's own choice). Long runs of CJK text cut this way fall apart into
/// short pieces (mostly single characters that are whole tokens), which are cheap and cacheable.
///
/// The test is a filter over the few bytes around k: a token straddling k at cut q of its bytes contains
/// the window `t[q - min(2, q) ..< q + min(2, len - q)]` at k. Windows of 2 bytes are exactly the two-byte
/// tokens (the byte-pair table); the 3- and 4-byte windows of every token's every cut are set in a bitset
/// (one hash). A boundary is cut only when none of its windows is set: collisions only forgo a cut, so the
/// result is always exact.
///
/// Boundaries between two three-byte characters (CJK text) have their own exact test, in two halves:
/// - Tokens with a partial character (a byte sequence that is not whole UTF-8 characters: o200k 1,562 tokens,
///   cl100k 773): one bit per window `c c | L c` (two continuation bytes, a three-byte lead, a continuation
///   byte: 2^22 windows), set when any of the four tests above would refuse the cut for such a token — the same
///   windows, expanded over the byte a test does not look at, with no hash collisions. That 512 KiB bitmap is
///   built at first use and kept compressed (row and column classes, see ``BPECharacterTable``): o200k 182 × 63
///   classes, 1.4 KiB.
/// - Tokens of whole characters: such a token matches the piece only at a character boundary, so it straddles
///   the boundary between characters A and B only if A and B are adjacent in it. Every such adjacent pair is in
///   ``BPECharacterTable/pairRefuses(_:_:)``'s set (o200k 11,890 pairs).
/// Other boundaries between multi-byte characters (a four-byte character on the left) take the four tests.
struct BPECutFilter {
    static let bitCountLog2: UInt64 = 22
    let words: UnsafeMutablePointer<UInt64>
    /// Every three-byte character's ids and cut classes (built from the joined-window bits).
    let characters: BPECharacterTable

    init(arena: UnsafeMutablePointer<UInt8>, offsets: UnsafeMutablePointer<UInt32>, rankCount: Int,
         bytes: BPEBytesLookup) {
        let wordCount = 1 << (Self.bitCountLog2 - 6)
        words = HugePageMemory.allocate(UInt64.self, capacity: wordCount)
        words.initialize(repeating: 0, count: wordCount)
        let joined = HugePageMemory.allocate(UInt64.self, capacity: Self.joinedWordCount)
        joined.initialize(repeating: 0, count: Self.joinedWordCount)
        var adjacentPairs = Set<UInt32>()
        for t in 0..<rankCount {
            let start = Int(offsets[t]), n = Int(offsets[t + 1]) - start
            let p = arena + start
            if n == 2 {
                if Self.isContinuation(p[0]) && Self.isLead3(p[1]) { Self.refuseJoined(joined, w0: nil, p[0], p[1], w3: nil) }
                continue
            }
            if n < 3 { continue }
            // A token of whole characters refuses a boundary between two three-byte characters only through
            // its adjacent pairs (see ``BPECharacterTable/pairRefuses(_:_:)``); its windows go to the joined
            // bits only when it has a partial character.
            let whole = Self.collectAdjacentPairs(p, n, into: &adjacentPairs)
            for q in 1..<n {
                let left = min(2, q), right = min(2, n - q)
                let key: UInt64
                switch (left, right) {
                case (1, 2):
                    key = Self.key3(p[q - 1], p[q], p[q + 1], kind: 1)
                    if !whole { Self.refuseJoined(joined, w0: nil, p[q - 1], p[q], w3: p[q + 1]) }
                case (2, 1):
                    key = Self.key3(p[q - 2], p[q - 1], p[q], kind: 2)
                    if !whole { Self.refuseJoined(joined, w0: p[q - 2], p[q - 1], p[q], w3: nil) }
                default:
                    key = Self.key4(p + q - 2)
                    if !whole { Self.refuseJoined(joined, w0: p[q - 2], p[q - 1], p[q], w3: p[q + 1]) }
                }
                let bit = Self.bit(key)
                words[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        characters = BPECharacterTable(joined: joined, bytes: bytes, arena: arena, offsets: offsets, rankCount: rankCount,
                                       adjacentPairs: adjacentPairs)
        HugePageMemory.deallocate(joined)
    }

    func deallocate() { HugePageMemory.deallocate(words); characters.deallocate() }

    static let joinedWordCount = 1 << 16

    /// Whether `p[0..<n]` is whole UTF-8 characters (each lead byte followed by its continuation bytes; the
    /// structure only), adding the ``BPECharacterTable/pairKey(_:_:)`` of every two adjacent three-byte
    /// characters in it to `pairs` when it is.
    static func collectAdjacentPairs(_ p: UnsafePointer<UInt8>, _ n: Int, into pairs: inout Set<UInt32>) -> Bool {
        var found: [UInt32] = []
        var i = 0, previous = -1
        while i < n {
            let b = p[i]
            let length = b < 0x80 ? 1 : b & 0xE0 == 0xC0 ? 2 : b & 0xF0 == 0xE0 ? 3 : b & 0xF8 == 0xF0 ? 4 : 0
            guard length > 0 && i + length <= n else { return false }
            for j in 1..<length where !isContinuation(p[i + j]) { return false }
            if length == 3 {
                let index = BPECharacterTable.index(p + i)
                if previous >= 0 { found.append(BPECharacterTable.pairKey(previous, index)) }
                previous = index
            } else {
                previous = -1
            }
            i += length
        }
        pairs.formUnion(found)
        return true
    }

    @inline(__always)
    static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

    @inline(__always)
    static func isLead3(_ b: UInt8) -> Bool { b & 0xF0 == 0xE0 }

    /// Bit of the window `w0 w1 | w2 w3` (continuation, continuation, three-byte lead, continuation).
    @inline(__always)
    static func joinedIndex(_ w0: UInt8, _ w1: UInt8, _ w2: UInt8, _ w3: UInt8) -> Int {
        Int(w0 & 0x3F) << 16 | Int(w1 & 0x3F) << 10 | Int(w2 & 0x0F) << 6 | Int(w3 & 0x3F)
    }

    /// Refuses every `c c | L c` window matching `w0 w1 | w2 w3` (nil: any continuation byte there).
    private static func refuseJoined(_ joined: UnsafeMutablePointer<UInt64>, w0: UInt8?, _ w1: UInt8, _ w2: UInt8, w3: UInt8?) {
        guard Self.isContinuation(w1) && Self.isLead3(w2) else { return }
        if let w0, !Self.isContinuation(w0) { return }
        if let w3, !Self.isContinuation(w3) { return }
        let firsts: ClosedRange<UInt8> = w0.map { $0...$0 } ?? 0x80...0xBF
        let lasts: ClosedRange<UInt8> = w3.map { $0...$0 } ?? 0x80...0xBF
        for a in firsts {
            for d in lasts {
                let bit = Self.joinedIndex(a, w1, w2, d)
                joined[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
    }

    @inline(__always)
    static func key3(_ a: UInt8, _ b: UInt8, _ c: UInt8, kind: UInt64) -> UInt64 {
        UInt64(a) | UInt64(b) << 8 | UInt64(c) << 16 | kind << 32
    }

    @inline(__always)
    static func key4(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(p[0]) | UInt64(p[1]) << 8 | UInt64(p[2]) << 16 | UInt64(p[3]) << 24 | 3 << 32
    }

    @inline(__always)
    static func bit(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bitCountLog2))
    }

    @inline(__always)
    func isSet(_ key: UInt64) -> Bool {
        let bit = Self.bit(key)
        return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// True when no token can straddle position k (1 ≤ k < n, a character boundary) of the piece `p[0..<n]`,
    /// which holds whole UTF-8 characters; `twoByteRank` is the byte-pair rank table (`missing` where two
    /// bytes are not a token).
    @inline(__always)
    func canCut(_ p: UnsafePointer<UInt8>, _ k: Int, _ n: Int, twoByteRank: UnsafeMutablePointer<UInt32>) -> Bool {
        if k >= 3 && Self.isLead3(p[k]) && Self.isLead3(p[k - 3]) {
            // Between two three-byte characters (both in the piece): the joined bits of tokens with a partial
            // character, and the adjacent pairs of tokens of whole characters.
            return characters.canCutBetween(p + k - 3)
        }
        if twoByteRank[Int(p[k - 1]) << 8 | Int(p[k])] != BPERankTable.missing { return false }
        if k + 2 <= n && isSet(Self.key3(p[k - 1], p[k], p[k + 1], kind: 1)) { return false }
        if k >= 2 {
            if isSet(Self.key3(p[k - 2], p[k - 1], p[k], kind: 2)) { return false }
            if k + 2 <= n && isSet(Self.key4(p + k - 2)) { return false }
        }
        return true
    }
}
