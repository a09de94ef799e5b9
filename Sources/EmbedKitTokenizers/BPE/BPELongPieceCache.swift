/// A bounded cache of the ids of long pieces (more than ``BPEPieceCache/maxPieceBytes`` bytes, up to
/// ``maxPieceBytes``), one per ``BPEPieceCache`` (so one thread at a time).
///
/// Long pieces (runs of Chinese characters, long identifiers) cost a merge of tens to hundreds of steps, and
/// real text repeats some of them (a quoted line, a signature, a separator run): a hit costs a hash and a
/// compare of the bytes instead. Direct-mapped by a 64-bit hash of the bytes; an entry keeps a copy of the
/// piece's bytes and ids in two arenas, and a hit compares the full bytes, so results never depend on the
/// cache. When an arena is full every entry is dropped at once (memory stays fixed: ~1.3 MiB).
struct BPELongPieceCache {
    static let maxPieceBytes = 1024
    static let slotBits = 12
    static let slotCount = 1 << slotBits
    static let byteCapacity = 1 << 20
    static let idCapacity = 1 << 16

    struct Slot {
        var hash: UInt64
        var byteOffset: UInt32
        var length: UInt32
        var idOffset: UInt32
        var idCount: UInt32
    }

    let slots: UnsafeMutablePointer<Slot>
    let bytes: UnsafeMutablePointer<UInt8>
    let ids: UnsafeMutablePointer<UInt32>
    /// Bytes and ids used in the arenas: `[0]` bytes, `[1]` ids.
    let used: UnsafeMutablePointer<Int>

    static func allocate() -> BPELongPieceCache {
        let cache = BPELongPieceCache(slots: .allocate(capacity: slotCount), bytes: HugePageMemory.allocate(UInt8.self, capacity: byteCapacity),
                                      ids: .allocate(capacity: idCapacity), used: .allocate(capacity: 2))
        cache.clear()
        return cache
    }

    func deallocate() { slots.deallocate(); HugePageMemory.deallocate(bytes); ids.deallocate(); used.deallocate() }

    /// Writes both arenas once, so their pages (the byte arena is one 2 MiB huge page) are faulted in now
    /// rather than by the first long piece an encode call remembers (a 2 MiB page zeroed inside a timed
    /// batch: ~0.1–0.3 ms). Entries are unaffected (only bytes below `used` are ever read).
    func faultIn() {
        bytes.update(repeating: 0, count: Self.byteCapacity)
        ids.update(repeating: 0, count: Self.idCapacity)
    }

    /// Forgets every entry.
    func clear() {
        slots.initialize(repeating: Slot(hash: 0, byteOffset: 0, length: 0, idOffset: 0, idCount: 0), count: Self.slotCount)
        used[0] = 0
        used[1] = 0
    }

    @inline(__always)
    static func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> UInt64(64 - slotBits)) }

    /// Appends the remembered ids of the `n` bytes at `p` (hashed to `hash`) and returns true, or returns false.
    @inline(__always)
    private func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64, into sink: inout BPEBufferSink) -> Bool {
        let s = slots[Self.slot(hash)]
        guard s.hash == hash && s.length == UInt32(n) && memcmpEqual(bytes + Int(s.byteOffset), p, n) else { return false }
        let count = Int(s.idCount)
        (sink.base + sink.count).update(from: ids + Int(s.idOffset), count: count)
        sink.count += count
        return true
    }

    /// Appends the ids of the `n` bytes at `p`: the remembered ones, or those `encode` appends (then
    /// remembered).
    @inline(__always)
    func encode(_ p: UnsafePointer<UInt8>, _ n: Int, into sink: inout BPEBufferSink,
                _ encode: (inout BPEBufferSink) -> Void) {
        let hash = BPEBytesLookup.longHash(p, n)
        if lookup(p, n, hash: hash, into: &sink) { return }
        let first = sink.count
        encode(&sink)
        insert(p, n, hash: hash, ids: sink.base + first, count: sink.count - first)
    }

    /// Remembers that the `n` bytes at `p` (hashed to `hash`) encode to `pieceIds[0..<count]`.
    private func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64, ids pieceIds: UnsafePointer<UInt32>, count: Int) {
        if used[0] + n > Self.byteCapacity || used[1] + count > Self.idCapacity { clear() }
        let byteOffset = used[0], idOffset = used[1]
        (bytes + byteOffset).update(from: p, count: n)
        (ids + idOffset).update(from: pieceIds, count: count)
        used[0] = byteOffset + n
        used[1] = idOffset + count
        slots[Self.slot(hash)] = Slot(hash: hash, byteOffset: UInt32(byteOffset), length: UInt32(n),
                                      idOffset: UInt32(idOffset), idCount: UInt32(count))
    }
}
