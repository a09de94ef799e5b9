import EmbedKitCKernels

/// (id a, id b) → rank of the bytes of a followed by the bytes of b, for the merge.
///
/// During a tiktoken merge every part is itself a token, so the rank of merging two adjacent parts only
/// depends on their two ids. At load, for every token t of ≥ 2 bytes and every split of its bytes into a
/// prefix and a suffix that are both tokens, the pair (prefix id, suffix id) → t is stored (t's rank is its
/// id in the `.tiktoken` files). A lookup is then one probe keyed by a `UInt64` instead of hashing a byte
/// slice — and it is exact: a pair is in the table if and only if its concatenation is a token.
///
/// Layout: one flat power-of-two array of `UInt64` slots, `(a << idBits | b) << idBits | rank`, all ones
/// when empty; multiplicative hash, linear probing, load ≤ 0.5. Plain pointers (freed by ``BPERankTable``).
struct BPEPairTable {
    let slots: UnsafeMutablePointer<UInt64>
    let idBits: UInt64
    let valueMask: UInt64
    let shift: UInt64
    let mask: Int
    /// Number of pairs stored.
    let count: Int
    /// A blocked Bloom filter over the keys (one word per 8 pairs, two bits per key: ~4 % false positives),
    /// small enough to stay in the core's L2 — most merge probes ask for pairs that are not tokens (every
    /// merge ends with its neighbours' pairs), and the filter answers those without touching the big table.
    let filter: UnsafeMutablePointer<UInt64>
    let filterShift: UInt64
    /// Where long pieces may be cut (see ``BPECutFilter``).
    let cuts: BPECutFilter

    /// Largest vocabulary the packing supports (3 ids must fit in 64 bits with the empty marker spare).
    static let maxRankCount = (1 << 21) - 1

    init(arena: UnsafeMutablePointer<UInt8>, offsets: UnsafeMutablePointer<UInt32>, rankCount: Int,
         lookup: BPEBytesLookup) {
        var bits: UInt64 = 8
        while (1 << bits) <= rankCount { bits += 1 }   // ids < 2^bits - 1: all ones marks "empty"/"none"
        idBits = bits
        valueMask = (1 << bits) - 1
        // Collect the entries first: their number decides the table size.
        var entries: [UInt64] = []
        entries.reserveCapacity(rankCount * 4)
        let end = Int(offsets[rankCount])
        for t in 0..<rankCount {
            let start = Int(offsets[t]), n = Int(offsets[t + 1]) - start
            if n < 2 { continue }
            let p = UnsafePointer(arena + start)
            let readable = end + 8 - start
            for k in 1..<n {
                let a = lookup.rank(p, k, readable: readable)
                if a == BPERankTable.missing { continue }
                let b = lookup.rank(p + k, n - k, readable: readable - k)
                if b == BPERankTable.missing { continue }
                entries.append((UInt64(a) << bits | UInt64(b)) << bits | UInt64(t))
            }
        }
        count = entries.count
        cuts = BPECutFilter(arena: arena, offsets: offsets, rankCount: rankCount, bytes: lookup)
        var slotBits = 4
        while (1 << slotBits) < 2 * max(count, 1) { slotBits += 1 }
        shift = UInt64(64 - slotBits)
        mask = (1 << slotBits) - 1
        slots = HugePageMemory.allocate(UInt64.self, capacity: 1 << slotBits)
        slots.initialize(repeating: .max, count: 1 << slotBits)
        var filterBits = 6
        while (1 << filterBits) * 8 < count { filterBits += 1 }
        filterShift = UInt64(64 - filterBits)
        filter = HugePageMemory.allocate(UInt64.self, capacity: 1 << filterBits)
        filter.initialize(repeating: 0, count: 1 << filterBits)
        for entry in entries {
            var slot = Int(((entry >> bits) &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while slots[slot] != .max { slot = (slot + 1) & mask }
            slots[slot] = entry
            let (word, bitMask) = Self.filterProbe(entry >> bits, filterShift)
            filter[word] |= bitMask
        }
    }

    func deallocate() { HugePageMemory.deallocate(slots); HugePageMemory.deallocate(filter); cuts.deallocate() }

    /// Bytes held by the table and its filter.
    var byteCount: Int { (mask + 1) * MemoryLayout<UInt64>.stride + (1 << (64 - Int(filterShift))) * 8 }

    /// Word and two bits of `key` in the filter (a blocked Bloom filter: one 64-bit word per key).
    @inline(__always)
    static func filterProbe(_ key: UInt64, _ shift: UInt64) -> (Int, UInt64) {
        let h = key &* 0xBF58_476D_1CE4_E5B9
        let bitMask = (1 as UInt64) &<< ((h &>> 30) & 63) | (1 as UInt64) &<< ((h &>> 36) & 63)
        return (Int(truncatingIfNeeded: h &>> shift), bitMask)
    }

    /// Starts fetching the filter word and first table slot of `key` (`a << idBits | b`).
    @inline(__always)
    func prefetch(_ key: UInt64) {
        let (word, _) = Self.filterProbe(key, filterShift)
        ek_prefetch(filter + word)
        ek_prefetch(slots + Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift))
    }

    /// The rank of token `a`'s bytes followed by token `b`'s, or `missing` when that is not a token.
    @inline(__always)
    func rank(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let key = UInt64(a) &<< idBits | UInt64(b)
        let (word, bitMask) = Self.filterProbe(key, filterShift)
        if filter[word] & bitMask != bitMask { return BPERankTable.missing }
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
        while true {
            let s = slots[slot]
            if s &>> idBits == key { return UInt32(truncatingIfNeeded: s & valueMask) }
            if s == .max { return BPERankTable.missing }
            slot = (slot + 1) & mask
        }
    }
}
