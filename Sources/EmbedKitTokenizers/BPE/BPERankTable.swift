/// Token bytes → rank, as two flat open-addressing hash tables: pieces of ≤ 8 bytes packed into a `UInt64`
/// key, longer ones hashed and compared against the token bytes kept for decoding. Also keeps every rank's
/// bytes (for decoding and for verifying long keys) and a byte → rank table.
final class BPERankTable: @unchecked Sendable {
    /// Concatenated token bytes; the bytes of rank r are `arena[offsets[r] ..< offsets[r + 1]]`.
    let arena: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<UInt32>
    /// Ranks are `0 ..< rankCount`; a rank absent from the file has an empty byte range.
    let rankCount: Int
    let byteRank: UnsafeMutablePointer<UInt32>

    private let shortKeys: UnsafeMutablePointer<UInt64>
    /// `rank | length << 28`, 0 for an empty slot (length ≥ 1).
    private let shortValues: UnsafeMutablePointer<UInt32>
    private let shortShift: UInt64
    private let shortMask: Int
    /// rank + 1, 0 for an empty slot.
    private let longValues: UnsafeMutablePointer<UInt32>
    private let longShift: UInt64
    private let longMask: Int

    static let missing: UInt32 = .max

    /// `arena`/`offsets` are taken over (not copied). `offsets` has `rankCount + 1` entries.
    init(arena: UnsafeMutablePointer<UInt8>, offsets: UnsafeMutablePointer<UInt32>, rankCount: Int) {
        self.arena = arena
        self.offsets = offsets
        self.rankCount = rankCount
        var shortCount = 0, longCount = 0
        for r in 0..<rankCount {
            let n = Int(offsets[r + 1] - offsets[r])
            if n == 0 { continue }
            if n <= 8 { shortCount += 1 } else { longCount += 1 }
        }
        func bits(for count: Int) -> Int {
            var b = 4
            while (1 << b) < count * 2 { b += 1 }
            return b
        }
        let sb = bits(for: shortCount), lb = bits(for: longCount)
        shortShift = UInt64(64 - sb); shortMask = (1 << sb) - 1
        longShift = UInt64(64 - lb); longMask = (1 << lb) - 1
        shortKeys = .allocate(capacity: 1 << sb); shortKeys.initialize(repeating: 0, count: 1 << sb)
        shortValues = .allocate(capacity: 1 << sb); shortValues.initialize(repeating: 0, count: 1 << sb)
        longValues = .allocate(capacity: 1 << lb); longValues.initialize(repeating: 0, count: 1 << lb)
        byteRank = .allocate(capacity: 256); byteRank.initialize(repeating: Self.missing, count: 256)
        for r in 0..<rankCount {
            let start = Int(offsets[r]), n = Int(offsets[r + 1]) - start
            if n == 0 { continue }
            let p = UnsafePointer(arena + start)
            if n == 1 { byteRank[Int(p[0])] = UInt32(r) }
            if n <= 8 {
                let key = Self.pack(p, n)
                var slot = Self.shortSlot(key, n, shortShift)
                while shortValues[slot] != 0 { slot = (slot + 1) & shortMask }
                shortKeys[slot] = key
                shortValues[slot] = UInt32(r) | UInt32(n) << 28
            } else {
                var slot = Int(Self.longHash(p, n) >> longShift)
                while longValues[slot] != 0 { slot = (slot + 1) & longMask }
                longValues[slot] = UInt32(r + 1)
            }
        }
    }

    deinit {
        arena.deallocate(); offsets.deallocate(); byteRank.deallocate()
        shortKeys.deallocate(); shortValues.deallocate(); longValues.deallocate()
    }

    @inline(__always)
    static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var key: UInt64 = 0
        for i in 0..<n { key |= UInt64(p[i]) << (8 * UInt64(i)) }
        return key
    }

    @inline(__always)
    static func shortSlot(_ key: UInt64, _ n: Int, _ shift: UInt64) -> Int {
        Int(((key &+ UInt64(n)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
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
        if i < n { h = (h ^ pack(p + i, n - i)) &* 0x9E37_79B9_7F4A_7C15; h ^= h >> 29 }
        return h &* 0xBF58_476D_1CE4_E5B9
    }

    /// The rank of the `n` bytes at `p` (n ≥ 1), or `missing`. When `readable` bytes may be read at `p`
    /// (≥ 8), short keys are packed with one unaligned load.
    @inline(__always)
    func rank(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> UInt32 {
        if n <= 8 {
            let key: UInt64
            if readable >= 8 {
                let word = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
                key = n == 8 ? word : word & ((1 << (8 * UInt64(n))) - 1)
            } else {
                key = Self.pack(p, n)
            }
            var slot = Self.shortSlot(key, n, shortShift)
            let tag = UInt32(n) << 28
            while true {
                let v = shortValues[slot]
                if v == 0 { return Self.missing }
                if v & 0xF000_0000 == tag && shortKeys[slot] == key { return v & 0x0FFF_FFFF }
                slot = (slot + 1) & shortMask
            }
        }
        var slot = Int(Self.longHash(p, n) >> longShift)
        while true {
            let v = longValues[slot]
            if v == 0 { return Self.missing }
            let r = Int(v - 1)
            let start = Int(offsets[r])
            if Int(offsets[r + 1]) - start == n && memcmpEqual(arena + start, p, n) { return UInt32(r) }
            slot = (slot + 1) & longMask
        }
    }

    /// The bytes of `rank`, or nil when the vocabulary has no such rank.
    @inline(__always)
    func bytes(of rank: Int) -> UnsafeBufferPointer<UInt8>? {
        guard rank >= 0 && rank < rankCount else { return nil }
        let start = Int(offsets[rank]), n = Int(offsets[rank + 1]) - start
        return n == 0 ? nil : UnsafeBufferPointer(start: arena + start, count: n)
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
