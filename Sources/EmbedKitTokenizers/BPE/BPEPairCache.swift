import EmbedKitCKernels

/// A small direct-mapped cache in front of the id-pair table (``BPEPairTable``), one per piece cache (so one
/// thread at a time). The pair table is 4 MiB (cl100k) to 8 MiB (o200k) and its probes were the top cost of
/// the merge (most of them leave the core's L2); text repeats its pairs heavily, so the recent ones are kept
/// here densely — 8 bytes per pair instead of a 64-byte line each — in 64 KiB.
///
/// A slot holds `(a << idBits | b) << idBits | value`, where value is the rank of the concatenation or
/// all ones when it is not a token (misses are cached too); an empty slot is all ones, which no key can
/// match because ids stay below `2^idBits - 1`. The full key is compared, so results never depend on it.
struct BPEPairCache {
    static let slotBits = 13
    static let slotCount = 1 << slotBits

    let slots: UnsafeMutablePointer<UInt64>

    static func allocate() -> BPEPairCache {
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: slotCount)
        slots.initialize(repeating: .max, count: slotCount)
        return BPEPairCache(slots: slots)
    }

    func deallocate() { slots.deallocate() }

    /// Returned by ``rankOrPrefetch(_:_:pairs:)`` for a pair the cache does not hold (above every real rank,
    /// below `missing`).
    static let unresolved: UInt32 = .max - 1

    /// The cached rank of (a, b) (or `missing`); when the pair is not cached, prefetches its filter word and
    /// table slot and returns ``unresolved`` — finish with ``probe(_:_:pairs:)``, after issuing other work.
    @inline(__always)
    func rankOrPrefetch(_ a: UInt32, _ b: UInt32, pairs: BPEPairTable) -> UInt32 {
        let bits = pairs.idBits
        let key = UInt64(a) &<< bits | UInt64(b)
        let slot = Int(truncatingIfNeeded: (key &* 0xD6E8_FEB8_6659_FD93) &>> UInt64(64 - Self.slotBits))
        let s = slots[slot]
        if s &>> bits == key {
            let v = s & pairs.valueMask
            return v == pairs.valueMask ? BPERankTable.missing : UInt32(truncatingIfNeeded: v)
        }
        pairs.prefetch(key)
        return Self.unresolved
    }

    /// The pair table's answer for (a, b), kept in the cache (the pair was not cached).
    @inline(__always)
    func probe(_ a: UInt32, _ b: UInt32, pairs: BPEPairTable) -> UInt32 {
        let bits = pairs.idBits
        let key = UInt64(a) &<< bits | UInt64(b)
        let slot = Int(truncatingIfNeeded: (key &* 0xD6E8_FEB8_6659_FD93) &>> UInt64(64 - Self.slotBits))
        let r = pairs.rank(a, b)
        slots[slot] = key &<< bits | (r == BPERankTable.missing ? pairs.valueMask : UInt64(r))
        return r
    }
}
