import Foundation

/// Token bytes → rank, as flat open-addressing hash tables (linear probing, load ≤ 0.75): pieces of ≤ 8 bytes
/// packed into a `UInt64` key, 9…16 bytes as two overlapping `UInt64` words stored in the slot, longer ones
/// hashed and compared against the token bytes kept for decoding. Also keeps every rank's
/// bytes (for decoding and for verifying long keys), a byte → rank table, and the id-pair table
/// (``BPEPairTable``) the merge runs on.
///
/// The class owns the memory; hot loops use ``lookup`` and ``pairs`` — plain structs of pointers, so no
/// reference counting touches a shared cache line while several threads encode.
final class BPERankTable: @unchecked Sendable {
    /// Concatenated token bytes; the bytes of rank r are `arena[offsets[r] ..< offsets[r + 1]]`.
    let arena: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<UInt32>
    /// Ranks are `0 ..< rankCount`; a rank absent from the file has an empty byte range.
    let rankCount: Int
    /// Byte-keyed lookups (whole pieces).
    let lookup: BPEBytesLookup
    private let pairsLock = NSLock()
    private var builtPairs: BPEPairTable?
    /// (id, id) → id of the concatenation (the merge). Built on first use, not at load: it costs ~3× the
    /// rest of loading (0.5–1.2 M byte-slice lookups), and a caller that only decodes never needs it.
    var pairs: BPEPairTable {
        pairsLock.lock()
        defer { pairsLock.unlock() }
        if let built = builtPairs { return built }
        let built = BPEPairTable(arena: arena, offsets: offsets, rankCount: rankCount, lookup: lookup)
        builtPairs = built
        return built
    }
    var byteRank: UnsafeMutablePointer<UInt32> { lookup.byteRank }

    static let missing: UInt32 = .max

    /// `arena`/`offsets` are taken over (not copied). `offsets` has `rankCount + 1` entries; the arena must
    /// have 8 readable bytes past the last token.
    init(arena: UnsafeMutablePointer<UInt8>, offsets: UnsafeMutablePointer<UInt32>, rankCount: Int) {
        self.arena = arena
        self.offsets = offsets
        self.rankCount = rankCount
        lookup = BPEBytesLookup(arena: arena, offsets: offsets, rankCount: rankCount)
    }

    deinit {
        arena.deallocate(); offsets.deallocate()
        lookup.deallocate(); builtPairs?.deallocate()
    }

    @inline(__always)
    static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var key: UInt64 = 0
        for i in 0..<n { key |= UInt64(p[i]) << (8 * UInt64(i)) }
        return key
    }

    /// The rank of the `n` bytes at `p`, or `missing` (see ``BPEBytesLookup/rank(_:_:readable:)``).
    @inline(__always)
    func rank(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> UInt32 {
        lookup.rank(p, n, readable: readable)
    }

    /// The bytes of `rank`, or nil when the vocabulary has no such rank.
    @inline(__always)
    func bytes(of rank: Int) -> UnsafeBufferPointer<UInt8>? {
        guard rank >= 0 && rank < rankCount else { return nil }
        let start = Int(offsets[rank]), n = Int(offsets[rank + 1]) - start
        return n == 0 ? nil : UnsafeBufferPointer(start: arena + start, count: n)
    }
}

/// The byte-keyed hash tables of a ``BPERankTable`` as plain pointers (freed by the table).
struct BPEBytesLookup {
    let arena: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<UInt32>
    let byteRank: UnsafeMutablePointer<UInt32>
    /// Rank of every two-byte sequence (`missing` when it is not a token), indexed `b0 << 8 | b1`.
    let pairRank: UnsafeMutablePointer<UInt32>

    /// Key and value side by side, so a probe touches one cache line.
    struct ShortSlot {
        var key: UInt64
        /// `rank | length << 28`, 0 for an empty slot (length ≥ 1).
        var value: UInt32
        var unused: UInt32
    }
    let shortSlots: UnsafeMutablePointer<ShortSlot>
    let shortShift: UInt64
    let shortMask: Int
    /// A token of 9…16 bytes keyed as a cacheable piece is (``BPEPieceKey/key(_:_:readable:)``): its first 8
    /// bytes and the rest zero-padded, hashed by ``BPEPieceKey/hash(_:_:_:)`` — so the per-piece loop, which
    /// has that hash for the piece cache, finds a piece's token slot without hashing again.
    struct MediumSlot {
        var first: UInt64
        var last: UInt64
        /// `rank | length << 27`, 0 for an empty slot.
        var value: UInt32
    }
    let mediumSlots: UnsafeMutablePointer<MediumSlot>
    let mediumShift: UInt64
    let mediumMask: Int
    /// One bit per value of the low bits of ``BPEPieceKey/hash(_:_:_:)``, set for every token of 3…16 bytes
    /// (keyed as a cacheable piece is): a clear bit proves a piece is no token, so a piece the piece cache
    /// missed goes to the merge without walking the whole-token table's probe chain, which for a piece that
    /// is no token runs to an empty slot — past its prefetched line about half the time (short table) and
    /// from an unrequested line (medium). ~8 bits per token (128 KiB for cl100k, 256 KiB for o200k): ~12 %
    /// of non-tokens still probe.
    let tokenFilter: UnsafeMutablePointer<UInt64>
    let tokenFilterMask: UInt64
    /// rank + 1, 0 for an empty slot.
    let longValues: UnsafeMutablePointer<UInt32>
    let longShift: UInt64
    let longMask: Int

    init(arena: UnsafeMutablePointer<UInt8>, offsets: UnsafeMutablePointer<UInt32>, rankCount: Int) {
        self.arena = arena
        self.offsets = offsets
        var shortCount = 0, mediumCount = 0, longCount = 0
        for r in 0..<rankCount {
            let n = Int(offsets[r + 1] - offsets[r])
            if n == 0 { continue }
            if n <= 8 { shortCount += 1 } else if n <= 16 { mediumCount += 1 } else { longCount += 1 }
        }
        func bits(for count: Int) -> Int {
            var b = 4
            while (1 << b) * 3 < count * 4 { b += 1 }
            return b
        }
        let sb = bits(for: shortCount), mb = bits(for: mediumCount), lb = bits(for: longCount)
        var filterBits = 1 << 12
        while filterBits < 8 * (shortCount + mediumCount) { filterBits <<= 1 }
        tokenFilterMask = UInt64(filterBits - 1)
        tokenFilter = .allocate(capacity: filterBits / 64)     // not HugePageMemory: that would round to 2 MiB
        tokenFilter.initialize(repeating: 0, count: filterBits / 64)
        mediumShift = UInt64(64 - mb); mediumMask = (1 << mb) - 1
        mediumSlots = HugePageMemory.allocate(MediumSlot.self, capacity: 1 << mb)
        mediumSlots.initialize(repeating: MediumSlot(first: 0, last: 0, value: 0), count: 1 << mb)
        shortShift = UInt64(64 - sb); shortMask = (1 << sb) - 1
        longShift = UInt64(64 - lb); longMask = (1 << lb) - 1
        shortSlots = HugePageMemory.allocate(ShortSlot.self, capacity: 1 << sb)
        shortSlots.initialize(repeating: ShortSlot(key: 0, value: 0, unused: 0), count: 1 << sb)
        pairRank = .allocate(capacity: 65536); pairRank.initialize(repeating: BPERankTable.missing, count: 65536)
        longValues = HugePageMemory.allocate(UInt32.self, capacity: 1 << lb); longValues.initialize(repeating: 0, count: 1 << lb)
        byteRank = .allocate(capacity: 256); byteRank.initialize(repeating: BPERankTable.missing, count: 256)
        for r in 0..<rankCount {
            let start = Int(offsets[r]), n = Int(offsets[r + 1]) - start
            if n == 0 { continue }
            let p = UnsafePointer(arena + start)
            if n == 1 { byteRank[Int(p[0])] = UInt32(r) }
            if n == 2 { pairRank[Int(p[0]) << 8 | Int(p[1])] = UInt32(r) }
            // Keyed as a cacheable piece is: the first 8 bytes, the rest (9…16-byte tokens) zero-padded.
            let first = n <= 16 ? BPERankTable.pack(p, min(n, 8)) : 0
            let last = n > 8 && n <= 16 ? BPERankTable.pack(p + 8, n - 8) : 0
            if n >= 3 && n <= 16 {
                let bit = BPEPieceKey.hash(first, last, n) & tokenFilterMask
                tokenFilter[Int(bit >> 6)] |= 1 << (bit & 63)
            }
            if n <= 8 {
                var slot = Self.shortSlot(first, n, shortShift)
                while shortSlots[slot].value != 0 { slot = (slot + 1) & shortMask }
                shortSlots[slot] = ShortSlot(key: first, value: UInt32(r) | UInt32(n) << 28, unused: 0)
            } else if n <= 16 {
                var slot = Self.mediumSlot(first, last, n, mediumShift)
                while mediumSlots[slot].value != 0 { slot = (slot + 1) & mediumMask }
                mediumSlots[slot] = MediumSlot(first: first, last: last, value: UInt32(r) | UInt32(n) << 27)
            } else {
                var slot = Int(Self.longHash(p, n) >> longShift)
                while longValues[slot] != 0 { slot = (slot + 1) & longMask }
                longValues[slot] = UInt32(r + 1)
            }
        }
    }

    func deallocate() {
        byteRank.deallocate(); pairRank.deallocate()
        HugePageMemory.deallocate(shortSlots); HugePageMemory.deallocate(mediumSlots); HugePageMemory.deallocate(longValues)
        tokenFilter.deallocate()
    }

    /// The home slot of a token of 1…8 bytes packed in `key`: the top bits of the piece cache's hash of the
    /// same key (see ``BPEPieceKey/hash(_:_:_:)``), so the per-piece loop computes one hash per piece.
    @inline(__always)
    static func shortSlot(_ key: UInt64, _ n: Int, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: BPEPieceKey.hash(key, 0, n) &>> shift)
    }

    /// The home slot of a token of 9…16 bytes keyed as in ``MediumSlot``.
    @inline(__always)
    static func mediumSlot(_ first: UInt64, _ last: UInt64, _ n: Int, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: BPEPieceKey.hash(first, last, n) &>> shift)
    }

    @inline(__always)
    static func longHash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < n { h = (h ^ BPERankTable.pack(p + i, n - i)) &* 0x9E37_79B9_7F4A_7C15; h ^= h >> 29 }
        return h &* 0xBF58_476D_1CE4_E5B9
    }

    /// The rank of the `n` bytes at `p` (n ≥ 1), or `missing`. When `readable` bytes may be read at `p`
    /// (≥ 8), short keys are packed with one unaligned load.
    @inline(__always)
    func rank(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> UInt32 {
        if n == 2 { return pairRank[Int(p[0]) << 8 | Int(p[1])] }
        if n <= 8 {
            let key: UInt64
            if readable >= 8 {
                let word = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
                key = n == 8 ? word : word & ((1 << (8 * UInt64(n))) - 1)
            } else {
                key = BPERankTable.pack(p, n)
            }
            return shortRank(key, n)
        }
        if n <= 16 {
            let (first, last) = BPEPieceKey.key(p, n, readable: readable)
            return mediumRank(first, last, n, from: Self.mediumSlot(first, last, n, mediumShift))
        }
        var slot = Int(Self.longHash(p, n) >> longShift)
        while true {
            let v = longValues[slot]
            if v == 0 { return BPERankTable.missing }
            let r = Int(v - 1)
            let start = Int(offsets[r])
            if Int(offsets[r + 1]) - start == n && memcmpEqual(arena + start, p, n) { return UInt32(r) }
            slot = (slot + 1) & longMask
        }
    }

    /// The rank of the `n` (9…16) bytes keyed `first`/`last` (see ``MediumSlot``), or `missing`, probing from
    /// `slot` (the key's ``mediumSlot(_:_:_:_:)``).
    @inline(__always)
    func mediumRank(_ first: UInt64, _ last: UInt64, _ n: Int, from slot: Int) -> UInt32 {
        var slot = slot
        let tag = UInt32(n) << 27
        while true {
            let entry = mediumSlots[slot]
            if entry.value == 0 { return BPERankTable.missing }
            if entry.value & 0xF800_0000 == tag && entry.first == first && entry.last == last {
                return entry.value & 0x07FF_FFFF
            }
            slot = (slot + 1) & mediumMask
        }
    }

    /// Whether a piece of 3…16 bytes whose ``BPEPieceKey/hash(_:_:_:)`` is `hash` may be a token (false: it
    /// certainly is not).
    @inline(__always)
    func mayBeToken(hash: UInt64) -> Bool {
        let bit = hash & tokenFilterMask
        return tokenFilter[Int(truncatingIfNeeded: bit &>> 6)] &>> (bit & 63) & 1 != 0
    }

    /// The rank of the `n` (1…8) bytes packed little-endian in `key`, or `missing`.
    @inline(__always)
    func shortRank(_ key: UInt64, _ n: Int) -> UInt32 {
        shortRank(key, n, from: Self.shortSlot(key, n, shortShift))
    }

    /// ``shortRank(_:_:)`` probing from `slot` (the key's ``shortSlot(_:_:_:)``).
    @inline(__always)
    func shortRank(_ key: UInt64, _ n: Int, from slot: Int) -> UInt32 {
        let tag = UInt32(n) << 28
        var slot = slot
        while true {
            let entry = shortSlots[slot]
            if entry.value == 0 { return BPERankTable.missing }
            if entry.value & 0xF000_0000 == tag && entry.key == key { return entry.value & 0x0FFF_FFFF }
            slot = (slot + 1) & shortMask
        }
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
