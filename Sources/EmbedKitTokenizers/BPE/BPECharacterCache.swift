/// The ids of single three-byte characters (U+0800…U+FFFF: CJK ideographs, kana, hangul, full-width
/// punctuation) met as parts of cut pieces, indexed directly by the character's 16-bit value: cutting a run of
/// Chinese text (see ``BPECutFilter``) leaves mostly one-character parts, and a direct index costs one load
/// where the piece cache costs a key, a hash and a compare. One per ``BPEPieceCache`` (so one thread at a
/// time, emptied with it); 65,536 × 8 bytes = 512 KiB.
///
/// An entry is 0 (unknown) or `count << 60 | id0 | id1 << 20 | id2 << 40` (ranks are below 2^20 in every
/// encoding). A miss computes the character's merge directly: a 3-byte piece is the whole token when it is
/// one (merging either adjacent pair first, the last merge's rank is the rank of all three bytes), else the
/// lower-ranked of its two byte pairs when either is a token, plus the remaining byte, else its three bytes.
struct BPECharacterCache {
    static let slotCount = 1 << 16
    let slots: UnsafeMutablePointer<UInt64>

    static func allocate() -> BPECharacterCache {
        let cache = BPECharacterCache(slots: .allocate(capacity: slotCount))
        cache.clear()
        return cache
    }

    func deallocate() { slots.deallocate() }

    func clear() { slots.initialize(repeating: 0, count: Self.slotCount) }

    /// The slot of the three-byte character at `p` (whose first byte is 0xE0…0xEF).
    @inline(__always)
    static func slot(_ p: UnsafePointer<UInt8>) -> Int {
        Int(p[0] & 0x0F) << 12 | Int(p[1] & 0x3F) << 6 | Int(p[2] & 0x3F)
    }

    /// Appends the ids of the three-byte character at `p` (in slot `slot`), computing them on a miss. The
    /// caller reserved 3 ids past `sink.count`.
    @inline(__always)
    func write(_ p: UnsafePointer<UInt8>, slot: Int, bytes: BPEBytesLookup, into sink: inout BPEBufferSink) {
        var entry = slots[slot]
        if entry == 0 {
            entry = Self.merge(p, bytes: bytes)
            slots[slot] = entry
        }
        let o = sink.base + sink.count
        o[0] = UInt32(truncatingIfNeeded: entry & 0xF_FFFF)
        o[1] = UInt32(truncatingIfNeeded: (entry >> 20) & 0xF_FFFF)
        o[2] = UInt32(truncatingIfNeeded: (entry >> 40) & 0xF_FFFF)
        sink.count &+= Int(truncatingIfNeeded: entry >> 60)
    }

    /// The packed ids of the 3-byte piece at `p`, as tiktoken's merge gives them.
    @inline(never)
    static func merge(_ p: UnsafePointer<UInt8>, bytes: BPEBytesLookup) -> UInt64 {
        merge(p[0], p[1], p[2], bytes: bytes)
    }

    /// The packed ids of the 3-byte piece `c0 c1 c2`.
    static func merge(_ c0: UInt8, _ c1: UInt8, _ c2: UInt8, bytes: BPEBytesLookup) -> UInt64 {
        let b0 = Int(c0), b1 = Int(c1), b2 = Int(c2)
        let whole = bytes.shortRank(UInt64(b0) | UInt64(b1) << 8 | UInt64(b2) << 16, 3)
        if whole != BPERankTable.missing { return 1 << 60 | UInt64(whole) }
        let left = bytes.pairRank[b0 << 8 | b1], right = bytes.pairRank[b1 << 8 | b2]
        if left == BPERankTable.missing && right == BPERankTable.missing {
            return 3 << 60 | UInt64(bytes.byteRank[b0]) | UInt64(bytes.byteRank[b1]) << 20
                | UInt64(bytes.byteRank[b2]) << 40
        }
        if left <= right { return 2 << 60 | UInt64(left) | UInt64(bytes.byteRank[b2]) << 20 }
        return 2 << 60 | UInt64(bytes.byteRank[b0]) | UInt64(right) << 20
    }
}

extension BPEPieceAhead {
    /// The `slot` of a cut part that is one three-byte character (its ``BPECharacterCache`` slot in `k0`).
    static let character = -2
}
