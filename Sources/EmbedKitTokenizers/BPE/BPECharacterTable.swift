/// Every three-byte character's ids and its cut classes, one table per encoding (built with the cut filter on
/// first use), so a run of CJK text is encoded a character at a time: one entry load per character answers
/// both "what are its ids" and, with the neighbour's entry and a small bitmap, "may the piece be cut between
/// the two" (see ``BPECutFilter``).
///
/// Entry: the character's ids (1–3: the whole token, else the lower-ranked byte pair plus the remaining byte,
/// else its three bytes — tiktoken's merge of a 3-byte piece), and two classes: `row`, the class of its last
/// two bytes as the left side of a boundary, `col`, the class of its first two bytes as the right side.
/// Indexed by the character's 16-bit value (65,536 × 16 bytes = 1 MiB; a text touches only its own
/// characters' lines).
///
/// The classes compress ``BPECutFilter``'s joined windows (those of the tokens with a partial character)
/// losslessly: its 4,096 rows (the previous character's last two bytes) and 1,024 columns (the next one's first
/// two bytes) fall into a few distinct rows and columns (cl100k: 43 × 42, o200k: 182 × 63; from all tokens they
/// were 248 × 157 and 1,672 × 403), so `refused` (one bit per row class × column class: cl100k 0.2 KiB, o200k
/// 1.4 KiB) stays in L1. A boundary between two three-byte characters is refused by `refused` exactly when the
/// joined table refuses it; the tokens of whole characters refuse it through ``pairRefuses(_:_:)``.
struct BPECharacterTable {
    struct Entry {
        var id0: UInt32
        var id1: UInt32
        var id2: UInt32
        /// `count | row << 2 | col << 17` (0: not a character).
        var meta: UInt32

        @inline(__always) var count: Int { Int(truncatingIfNeeded: meta & 3) }
        @inline(__always) var row: Int { Int(truncatingIfNeeded: (meta >> 2) & 0x7FFF) }
        @inline(__always) var col: Int { Int(truncatingIfNeeded: meta >> 17) }

        /// Appends the ids (all three slots are stored: the caller reserved 3 past `sink.count`).
        @inline(__always)
        func write(into sink: inout BPEBufferSink) {
            let o = sink.base + sink.count
            o[0] = id0; o[1] = id1; o[2] = id2
            sink.count &+= count
        }
    }

    static let entryCount = 1 << 16
    let entries: UnsafeMutablePointer<Entry>
    /// Bit `row * columnCount + col` set: the boundary between a character of row class `row` and one of
    /// column class `col` must not be cut.
    let refused: UnsafeMutablePointer<UInt64>
    let columnCount: Int
    /// The row class of a boundary's left bytes `w0 w1` (continuation bytes), by `(w0 & 0x3F) << 6 | w1 & 0x3F`,
    /// and the column class of its right bytes `w2 w3` (a three-byte lead, a continuation byte), by
    /// `(w2 & 0x0F) << 6 | w3 & 0x3F`: the joined-window test of any boundary, not only between two
    /// three-byte characters (4,096 + 1,024 × 2 bytes).
    let rowClasses: UnsafeMutablePointer<UInt16>
    let columnClasses: UnsafeMutablePointer<UInt16>
    /// Every two three-byte characters that are adjacent in some token of whole characters (o200k 11,890 pairs,
    /// cl100k 407), by the two characters' 16-bit values: open addressing, one slot `pairKey << 32 | value`
    /// (0: empty), at most half full (o200k 256 KiB, cl100k 8 KiB). The value is the rank of the pair's six
    /// bytes when they are a token (o200k 6,374, cl100k 309), else `missing`. Such a token is the only way a
    /// token of whole characters can straddle the boundary between the two (it matches at a character
    /// boundary of the piece, so its characters are the piece's), which is what the cut test asks
    /// (``pairRefuses(_:_:)``); a cut part of exactly two characters takes its id from here (``pairRank(_:_:)``).
    let pairSlots: UnsafeMutablePointer<UInt64>
    let pairShift: UInt64
    let pairMask: Int
    /// One bit per hashed pair key (16 bits per pair, o200k 32 KiB): a clear bit answers "no pair" without a
    /// probe of `pairSlots`.
    let pairBloom: UnsafeMutablePointer<UInt64>
    let pairBloomShift: UInt64

    /// The entry index of the three-byte character at `p` (first byte 0xE0…0xEF).
    @inline(__always)
    static func index(_ p: UnsafePointer<UInt8>) -> Int {
        Int(p[0] & 0x0F) << 12 | Int(p[1] & 0x3F) << 6 | Int(p[2] & 0x3F)
    }

    /// Whether the boundary between a character of entry `left` (value `a`) and one of entry `right` (value
    /// `b`) may be cut: no token with a partial character refuses its window, and no token of whole characters
    /// holds the two side by side.
    @inline(__always)
    func canCut(_ left: Entry, _ a: Int, _ right: Entry, _ b: Int) -> Bool {
        canCut(row: left.row, col: right.col) && !pairRefuses(a, b)
    }

    /// Whether a boundary of row class `row` and column class `col` may be cut.
    @inline(__always)
    func canCut(row: Int, col: Int) -> Bool {
        let bit = row &* columnCount &+ col
        return refused[bit &>> 6] &>> UInt64(bit & 63) & 1 == 0
    }

    /// ``canCut(_:_:_:_:)`` for the two three-byte characters at `p[0..<6]`, read from the text instead of
    /// their entries: the window `p[1] p[2] | p[3] p[4]` through the classes, and their adjacent pair.
    @inline(__always)
    func canCutBetween(_ p: UnsafePointer<UInt8>) -> Bool {
        canCut(row: Int(rowClasses[Int(p[1] & 0x3F) << 6 | Int(p[2] & 0x3F)]),
               col: Int(columnClasses[Int(p[3] & 0x0F) << 6 | Int(p[4] & 0x3F)]))
            && !pairRefuses(Self.index(p), Self.index(p + 3))
    }

    /// The key of the three-byte characters of values `a` and `b` (``index(_:)``; never 0: a value is ≥ 0x800).
    @inline(__always)
    static func pairKey(_ a: Int, _ b: Int) -> UInt32 { UInt32(truncatingIfNeeded: a &<< 16 | b) }

    @inline(__always)
    static func pairHash(_ key: UInt32) -> UInt64 { UInt64(key) &* 0x9E37_79B9_7F4A_7C15 }

    /// The slot value of the pair `a`, `b`, or 0 when no token of whole characters holds them side by side.
    @inline(__always)
    func pairValue(_ a: Int, _ b: Int) -> UInt64 {
        let key = Self.pairKey(a, b)
        var slot = Int(truncatingIfNeeded: Self.pairHash(key) &>> pairShift)
        while true {
            let v = pairSlots[slot]
            if UInt32(truncatingIfNeeded: v &>> 32) == key || v == 0 { return v }
            slot = (slot &+ 1) & pairMask
        }
    }

    /// Whether some token of whole characters holds the three-byte characters `a`, `b` side by side.
    @inline(__always)
    func pairRefuses(_ a: Int, _ b: Int) -> Bool {
        let bit = Self.pairHash(Self.pairKey(a, b)) &>> pairBloomShift
        if pairBloom[Int(truncatingIfNeeded: bit &>> 6)] &>> (bit & 63) & 1 == 0 { return false }
        return pairValue(a, b) != 0
    }

    /// The rank of the token made of the three-byte characters of values `a` and `b` (``index(_:)``), or
    /// `missing` when those six bytes are not a token.
    @inline(__always)
    func pairRank(_ a: Int, _ b: Int) -> UInt32 {
        let v = pairValue(a, b)
        return v == 0 ? BPERankTable.missing : UInt32(truncatingIfNeeded: v)
    }

    /// Whether the six bytes at `p` are two three-byte characters (lead bytes 0xE0…0xEF, continuation bytes).
    static func isCharacterPair(_ p: UnsafePointer<UInt8>) -> Bool {
        p[0] & 0xF0 == 0xE0 && p[3] & 0xF0 == 0xE0
            && p[1] & 0xC0 == 0x80 && p[2] & 0xC0 == 0x80 && p[4] & 0xC0 == 0x80 && p[5] & 0xC0 == 0x80
    }

    /// Builds the table from the cut filter's joined-window bits (`joined`, ``BPECutFilter/joinedIndex``, freed
    /// by the caller afterwards:
    /// row = w0 w1 in the high 12 bits, column = w2 w3 in the low 10; from the tokens with a partial character),
    /// the encoding's byte lookups, its tokens (`arena`, `offsets`, `rankCount`: the two-character tokens) and
    /// the adjacent three-byte character pairs of its tokens of whole characters (`adjacentPairs`, ``pairKey``).
    init(joined: UnsafeMutablePointer<UInt64>, bytes: BPEBytesLookup, arena: UnsafeMutablePointer<UInt8>,
         offsets: UnsafeMutablePointer<UInt32>, rankCount: Int, adjacentPairs: Set<UInt32>) {
        var values: [UInt32: UInt32] = [:]
        for key in adjacentPairs { values[key] = BPERankTable.missing }
        for t in 0..<rankCount {
            let start = Int(offsets[t])
            guard Int(offsets[t + 1]) - start == 6 && Self.isCharacterPair(arena + start) else { continue }
            values[Self.pairKey(Self.index(arena + start), Self.index(arena + start + 3))] = UInt32(t)
        }
        var slotCountLog2: UInt64 = 6
        while (1 << slotCountLog2) < 2 * values.count { slotCountLog2 += 1 }
        let slotCount = 1 << Int(slotCountLog2)
        pairSlots = .allocate(capacity: slotCount)
        pairSlots.initialize(repeating: 0, count: slotCount)
        pairShift = 64 - slotCountLog2
        pairMask = slotCount - 1
        let bloomBitsLog2 = slotCountLog2 + 3                      // ≥ 16 bits per pair
        pairBloomShift = 64 - bloomBitsLog2
        let bloomWords = 1 << Int(bloomBitsLog2 - 6)
        pairBloom = .allocate(capacity: bloomWords)
        pairBloom.initialize(repeating: 0, count: bloomWords)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let h = Self.pairHash(key)
            var slot = Int(truncatingIfNeeded: h >> pairShift)
            while pairSlots[slot] != 0 { slot = (slot + 1) & pairMask }
            pairSlots[slot] = UInt64(key) << 32 | UInt64(value)
            let bit = h >> pairBloomShift
            pairBloom[Int(bit >> 6)] |= 1 << (bit & 63)
        }
        // Row classes: a row is 1,024 bits = 16 words.
        var rowClass = [Int](repeating: 0, count: 4096)
        var rowIds: [[UInt64]: Int] = [:]
        var representatives: [Int] = []
        for r in 0..<4096 {
            let words = Array(UnsafeBufferPointer(start: joined + r * 16, count: 16))
            if let c = rowIds[words] { rowClass[r] = c; continue }
            rowClass[r] = representatives.count
            rowIds[words] = representatives.count
            representatives.append(r)
        }
        // Column classes: a column's bits over the representative rows (rows of one class are identical).
        let signatureWords = (representatives.count + 63) / 64
        var colClass = [Int](repeating: 0, count: 1024)
        var colIds: [[UInt64]: Int] = [:]
        var colRepresentatives: [Int] = []
        for c in 0..<1024 {
            var signature = [UInt64](repeating: 0, count: signatureWords)
            for (k, r) in representatives.enumerated() {
                let bit = r << 10 | c
                if joined[bit >> 6] >> UInt64(bit & 63) & 1 != 0 { signature[k >> 6] |= 1 << UInt64(k & 63) }
            }
            if let id = colIds[signature] { colClass[c] = id; continue }
            colClass[c] = colRepresentatives.count
            colIds[signature] = colRepresentatives.count
            colRepresentatives.append(c)
        }
        columnCount = colRepresentatives.count
        let bitCount = representatives.count * columnCount
        let wordCount = (bitCount + 63) / 64 + 1
        let refused = UnsafeMutablePointer<UInt64>.allocate(capacity: wordCount)
        refused.initialize(repeating: 0, count: wordCount)
        for (rc, r) in representatives.enumerated() {
            for (cc, c) in colRepresentatives.enumerated() {
                let bit = r << 10 | c
                if joined[bit >> 6] >> UInt64(bit & 63) & 1 != 0 {
                    let b = rc * columnCount + cc
                    refused[b >> 6] |= 1 << UInt64(b & 63)
                }
            }
        }
        self.refused = refused
        rowClasses = .allocate(capacity: 4096)
        for r in 0..<4096 { rowClasses[r] = UInt16(rowClass[r]) }
        columnClasses = .allocate(capacity: 1024)
        for c in 0..<1024 { columnClasses[c] = UInt16(colClass[c]) }
        entries = HugePageMemory.allocate(Entry.self, capacity: Self.entryCount)
        entries.initialize(repeating: Entry(id0: 0, id1: 0, id2: 0, meta: 0), count: Self.entryCount)
        for value in 0x800..<0x10000 where value < 0xD800 || value > 0xDFFF {
            let b0 = UInt8(0xE0 | value >> 12), b1 = UInt8(0x80 | (value >> 6) & 0x3F), b2 = UInt8(0x80 | value & 0x3F)
            let (count, ids) = Self.merge(b0, b1, b2, bytes: bytes)
            let row = rowClass[Int(b1 & 0x3F) << 6 | Int(b2 & 0x3F)]
            let col = colClass[Int(b0 & 0x0F) << 6 | Int(b1 & 0x3F)]
            entries[value] = Entry(id0: ids.0, id1: ids.1, id2: ids.2, meta: count | UInt32(row) << 2 | UInt32(col) << 17)
        }
    }

    func deallocate() {
        HugePageMemory.deallocate(entries); refused.deallocate(); rowClasses.deallocate(); columnClasses.deallocate()
        pairSlots.deallocate(); pairBloom.deallocate()
    }

    /// The ids of the 3-byte piece `c0 c1 c2` as tiktoken's merge gives them (unused slots 0): the whole token
    /// when it is one (merging either adjacent pair first, the last merge's rank is the rank of all three
    /// bytes), else the lower-ranked of its two byte pairs when either is a token, plus the remaining byte,
    /// else its three bytes.
    static func merge(_ c0: UInt8, _ c1: UInt8, _ c2: UInt8, bytes: BPEBytesLookup) -> (count: UInt32, ids: (UInt32, UInt32, UInt32)) {
        let b0 = Int(c0), b1 = Int(c1), b2 = Int(c2)
        let whole = bytes.shortRank(UInt64(b0) | UInt64(b1) << 8 | UInt64(b2) << 16, 3)
        if whole != BPERankTable.missing { return (1, (whole, 0, 0)) }
        let left = bytes.pairRank[b0 << 8 | b1], right = bytes.pairRank[b1 << 8 | b2]
        if left == BPERankTable.missing && right == BPERankTable.missing {
            return (3, (bytes.byteRank[b0], bytes.byteRank[b1], bytes.byteRank[b2]))
        }
        if left <= right { return (2, (left, bytes.byteRank[b2], 0)) }
        return (2, (bytes.byteRank[b0], right, 0))
    }
}
