import EmbedKitCKernels
import Foundation
import Synchronization

/// A bounded, direct-mapped cache from a pre-tokenized piece (≤ 16 bytes) to its ids (up to 3 in the entry, up
/// to 16 in a side store), so a word seen before costs one probe into a small table instead of rank lookups in
/// the multi-megabyte rank tables and a merge. Natural text repeats its pieces heavily (Zipf), so most pieces
/// hit.
///
/// A cache belongs to one thread at a time: ``TiktokenEncoding`` lends caches from a small locked pool for
/// the duration of one encode call (or one batch worker) and takes them back. The cache never changes results:
/// an entry holds exactly the ids the merge produced for exactly those bytes (full key compared on every hit).
/// Memory is bounded, ~3.8 MiB per cache: `slotCount` × 32 bytes (2 MiB: 64k slots, so the ~41k distinct
/// 3–16-byte pieces of a few MB of mixed text rarely evict each other; 16k slots missed ~20 % more often), the
/// 272 KiB many-id store, the 64 KiB ``BPEPairCache``, the ~1.4 MiB ``BPELongPieceCache``, the 4 KiB padded
/// copy of short texts, the id buffer (64 KiB, shrunk back after a call
/// that grew it past 1 MiB; a call on a long text sizes it to 4 bytes per text byte), the 8 KiB widened-id
/// buffer and ~3 KiB of look-ahead records.
final class BPEPieceCache {
    static let maxPieceBytes = 16
    static let slotBits = 16
    static let slotCount = 1 << slotBits

    /// Piece bytes zero-padded to 16, `length | idCount << 5` (0 = empty), and up to 3 ids.
    struct Entry {
        var k0: UInt64
        var k1: UInt64
        var meta: UInt32
        var id0: UInt32
        var id1: UInt32
        var id2: UInt32

        /// Whether this entry is the piece scanned as `ahead`, of `length` bytes (full key compared).
        @inline(__always)
        func holds(_ ahead: BPEPieceAhead, length: Int) -> Bool {
            meta & 0x1F == UInt32(truncatingIfNeeded: length) && k0 == ahead.k0 && k1 == ahead.k1
        }

        /// `meta` at or above this: more than 3 ids, kept in the many-id store (see ``BPEPieceCache/many``).
        static let manyMeta: UInt32 = 4 << 5

        /// Appends the entry's ids to `sink` (an entry of at most 3 ids: `meta < manyMeta`). All three slots
        /// are stored whatever the count: the caller reserved at least the piece's length (≥ 3) past
        /// `sink.count`.
        @inline(__always)
        func write(into sink: inout BPEBufferSink) {
            let o = sink.base + sink.count
            o[0] = id0; o[1] = id1; o[2] = id2
            sink.count &+= Int(truncatingIfNeeded: meta >> 5)
        }
    }

    let entries: UnsafeMutablePointer<Entry>
    /// The ids of pieces with 4–16 of them (whitespace runs in r50k/p50k, CJK words), 16 per record: record
    /// `slot & (manyCount - 1)` belongs to the entry in `slot` when `manyOwner` says so (a later piece of
    /// another slot may take the record over; its entry then misses). 4096 × 64 B + 16 KiB.
    let many: UnsafeMutablePointer<UInt32>
    let manyOwner: UnsafeMutablePointer<UInt32>
    static let manyCount = 4096
    /// Where a missed piece is merged (ids and pair ranks: 2 × 32 words, see ``BytePairMerge/mergeSmall``).
    let scratch: UnsafeMutablePointer<UInt32>
    /// The pieces scanned ahead (``TiktokenEncoding/lookahead``).
    let ahead: UnsafeMutablePointer<BPEPieceAhead>
    /// Short texts are copied here with ``padding`` readable bytes after them (see
    /// ``TiktokenEncoding/encodeWhole(_:cache:into:)``).
    let padded: UnsafeMutablePointer<UInt8>
    static let paddedCapacity = 4096
    static let padding = 16
    /// The encoding's lookups, fetched on this cache's first use (a cache belongs to one encoding's pool).
    /// Kept behind a pointer: reading an optional struct of ~180 bytes cost four `memcpy` calls per encode
    /// call, a visible share of a short document's.
    private(set) var tables: UnsafeMutablePointer<BPEMergeTables>?

    /// Stores the encoding's lookups (first use) and returns where they are kept.
    @inline(never)
    func setTables(_ value: BPEMergeTables) -> UnsafeMutablePointer<BPEMergeTables> {
        if let kept = tables { return kept }
        let kept = UnsafeMutablePointer<BPEMergeTables>.allocate(capacity: 1)
        kept.initialize(to: value)
        tables = kept
        return kept
    }
    /// Recent id-pair lookups of the merge (see ``BPEPairCache``).
    let pairCache = BPEPairCache.allocate()
    /// Recently encoded long pieces (see ``BPELongPieceCache``).
    let longPieces = BPELongPieceCache.allocate()
    /// Where encode calls write their ids (grown on demand, shrunk back after a large call; see ``takeIds``).
    var ids: UnsafeMutablePointer<UInt32>
    var idCapacity: Int
    static let idBaseCapacity = 1 << 14
    /// The ids of a call with at most ``wideCapacity`` of them, widened to `Int` before they become the
    /// returned `[Int]` (see ``TiktokenEncoding/takeIds(_:cache:)``).
    let wide: UnsafeMutablePointer<Int>
    static let wideCapacity = 1024
    /// Set once when a pool dedicates this cache to one thread (see ``BPEPieceCachePool/borrowForCall(_:)``).
    var pinned = false
    /// The pool's reset epoch this cache was last emptied at (pinned caches are emptied by their own thread).
    var clearedEpoch = 0

    init() {
        entries = HugePageMemory.allocate(Entry.self, capacity: Self.slotCount)
        entries.initialize(repeating: Entry(k0: 0, k1: 0, meta: 0, id0: 0, id1: 0, id2: 0), count: Self.slotCount)
        many = .allocate(capacity: 16 * Self.manyCount)
        many.initialize(repeating: 0, count: 16 * Self.manyCount)
        manyOwner = .allocate(capacity: Self.manyCount)
        manyOwner.initialize(repeating: .max, count: Self.manyCount)
        scratch = .allocate(capacity: BytePairMerge.smallScratch)
        scratch.initialize(repeating: 0, count: BytePairMerge.smallScratch)
        ahead = .allocate(capacity: 64)
        padded = .allocate(capacity: Self.paddedCapacity + Self.padding)
        padded.initialize(repeating: 0, count: Self.paddedCapacity + Self.padding)
        ids = .allocate(capacity: Self.idBaseCapacity)
        idCapacity = Self.idBaseCapacity
        wide = .allocate(capacity: Self.wideCapacity)
    }

    /// Makes room for at least `needed` ids in ``ids``, keeping the first `count`; returns the (new) buffer.
    @inline(never)
    func growIds(keeping count: Int, needed: Int) -> UnsafeMutablePointer<UInt32> {
        var capacity = idCapacity
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        grown.update(from: ids, count: count)
        ids.deallocate()
        ids = grown
        idCapacity = capacity
        return grown
    }

    /// Frees a buffer that a large call grew (a pooled cache keeps only the base capacity).
    func shrinkIds() {
        guard idCapacity > 16 * Self.idBaseCapacity else { return }
        ids.deallocate()
        ids = .allocate(capacity: Self.idBaseCapacity)
        idCapacity = Self.idBaseCapacity
    }

    deinit {
        HugePageMemory.deallocate(entries)
        many.deallocate()
        manyOwner.deallocate()
        scratch.deallocate()
        ahead.deallocate()
        padded.deallocate()
        pairCache.deallocate()
        longPieces.deallocate()
        ids.deallocate()
        wide.deallocate()
        tables?.deallocate()
    }

    /// Faults in the memory an encode call writes only when it needs it — the long-piece arenas and the id
    /// buffer — so that one-time cost is paid here (``TiktokenEncoding/prepare(threads:)``), not by the first
    /// call that reaches it. Results are unaffected.
    func faultIn() {
        longPieces.faultIn()
        ids.update(repeating: 0, count: idCapacity)
        wide.update(repeating: 0, count: Self.wideCapacity)
    }

    /// Forgets every entry.
    func clear() {
        entries.update(repeating: Entry(k0: 0, k1: 0, meta: 0, id0: 0, id1: 0, id2: 0), count: Self.slotCount)
        pairCache.slots.update(repeating: .max, count: BPEPairCache.slotCount)
        longPieces.clear()
    }

    /// Keeps the `count` ids at `ids` (1…16) as the encoding of the piece with key `k0`/`k1` and `length`
    /// bytes, in `slot`: in the entry itself when there are at most 3, else in the slot's many-id record.
    @inline(__always)
    func remember(slot: Int, k0: UInt64, k1: UInt64, length: Int, ids: UnsafePointer<UInt32>, count: Int) {
        if count > 3 {
            guard count <= 16 else { return }
            let record = slot & (Self.manyCount - 1)
            (many + record << 4).update(from: ids, count: count)
            manyOwner[record] = UInt32(truncatingIfNeeded: slot)
            entries[slot] = Entry(k0: k0, k1: k1, meta: UInt32(length) | UInt32(count) << 5, id0: 0, id1: 0, id2: 0)
            return
        }
        entries[slot] = Entry(k0: k0, k1: k1, meta: UInt32(length) | UInt32(count) << 5, id0: ids[0],
                              id1: count > 1 ? ids[1] : 0, id2: count > 2 ? ids[2] : 0)
    }

    /// Appends the ids of `entry` (in `slot`, holding the piece just scanned) to `sink` and returns true; or
    /// returns false when its many-id record was taken over by another slot (the piece must be encoded).
    /// The caller reserved the piece's length past `sink.count` (the count of ids never exceeds it).
    @inline(__always)
    func write(_ entry: Entry, slot: Int, into sink: inout BPEBufferSink) -> Bool {
        if entry.meta < Entry.manyMeta {
            entry.write(into: &sink)
            return true
        }
        return writeMany(entry, slot: slot, into: &sink)
    }

    @inline(never)
    func writeMany(_ entry: Entry, slot: Int, into sink: inout BPEBufferSink) -> Bool {
        let record = slot & (Self.manyCount - 1)
        guard manyOwner[record] == UInt32(truncatingIfNeeded: slot) else { return false }
        let count = Int(truncatingIfNeeded: entry.meta >> 5)
        (sink.base + sink.count).update(from: many + record << 4, count: count)
        sink.count &+= count
        return true
    }
}

/// A cacheable piece's key and piece-cache slot. A caseless enum rather than static methods of
/// ``BPEPieceCache``: called from the hot loop without being inlined, a class's static method is handed the
/// class's metadata, fetched on every piece.
enum BPEPieceKey {
    /// The `n` bytes at `p` (2 ≤ n ≤ 16) zero-padded into two words; `readable` bytes may be read at `p`.
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> (UInt64, UInt64) {
        if readable >= 16 {
            // Branch-free masks: the low min(n, 8) bytes of the first word, the low n - 8 of the second.
            let raw = UnsafeRawPointer(p)
            let w0 = raw.loadUnaligned(as: UInt64.self), w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let m0 = UInt64.max &>> (UInt64(truncatingIfNeeded: 8 &- min(n, 8)) &<< 3)
            let m1 = n > 8 ? UInt64.max &>> (UInt64(truncatingIfNeeded: 16 &- n) &<< 3) : 0
            return (w0 & m0, w1 & m1)
        }
        if n > 8 { return (BPERankTable.pack(p, 8), BPERankTable.pack(p + 8, n - 8)) }
        return (BPERankTable.pack(p, n), 0)
    }

    /// The mixed hash of a key: its top ``BPEPieceCache/slotBits`` bits are the slot. The whole-token tables
    /// (``BPEBytesLookup``) hash their keys with it too.
    @inline(__always)
    static func hash(_ k0: UInt64, _ k1: UInt64, _ n: Int) -> UInt64 {
        let h = (k0 &+ UInt64(truncatingIfNeeded: n)) &* 0x9E37_79B9_7F4A_7C15 ^ (k1 &* 0xBF58_476D_1CE4_E5B9)
        return (h ^ h &>> 31) &* 0x94D0_49BB_1331_11EB
    }

    @inline(__always)
    static func slot(_ k0: UInt64, _ k1: UInt64, _ n: Int) -> Int {
        slot(hash: hash(k0, k1, n))
    }

    @inline(__always)
    static func slot(hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash &>> UInt64(64 - BPEPieceCache.slotBits))
    }
}

/// A piece scanned ahead: its end and, when it is cacheable (3…16 bytes), its cache slot and key (slot -1
/// otherwise).
struct BPEPieceAhead {
    var end: Int
    var slot: Int
    var k0: UInt64
    var k1: UInt64
}

/// A small pool of piece caches shared by the threads encoding with one ``TiktokenEncoding``: a caller borrows
/// one for a whole encode call or batch worker, so no cache is ever used by two threads at once.
///
/// Single encode calls (`encodeOrdinary`, `count`) go through ``borrowForCall(_:)``: the first
/// ``pinLimit`` threads that call get a cache of their own, kept in a per-thread slot (EmbedKitThreadSlot.h),
/// which each of their later calls takes and puts back with plain loads and stores — on a ~45-byte document the
/// two atomic instructions of the shared slot below were ~10–20 ns of a ~100–200 ns call floor. Other threads,
/// and batch workers (``borrow()``), use the shared caches: one idle cache sits in an atomic slot, holding the
/// reference the pool owns, taken with one exchange and put back with one compare-exchange (no reference
/// counting, no lock); a locked list holds the others. Memory bound: at most `limit` idle caches plus
/// ``pinLimit`` pinned ones, ~4 MiB each; pinned caches live until the pool does (a thread that exits leaves
/// its cache unused).
final class BPEPieceCachePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [BPEPieceCache] = []
    private let limit: Int
    /// An idle cache, retained, as its address (0 = none).
    private let fast = Atomic<Int>(0)
    /// This pool's name in the threads' slots: unique in the process and never reused, so a slot naming a pool
    /// that is gone (its cache freed) never matches a live one.
    private let owner: UInt64
    private static let owners = Atomic<UInt64>(1)
    /// The caches dedicated to threads (owned here; the threads' slots point at them unretained).
    private var pinned: [BPEPieceCache] = []
    static let pinLimit = 4
    /// Counts ``reset()`` calls: a pinned cache emptied at an older epoch is emptied by its thread when it next
    /// takes it (``reset()`` can only empty the caller's own pinned cache: another thread may be using its own).
    private let epoch = Atomic<Int>(0)

    init(limit: Int = 8) {
        self.limit = limit
        owner = Self.owners.add(1, ordering: .relaxed).oldValue
    }

    deinit {
        _ = take(fast.exchange(0, ordering: .acquiring))
        let slot = ek_thread_slot_get()
        if slot.pointee.owner == owner { slot.pointee = ek_thread_slot(owner: 0, value: nil) }
    }

    private func take(_ raw: Int) -> BPEPieceCache? {
        guard let pointer = UnsafeRawPointer(bitPattern: raw) else { return nil }
        return Unmanaged<BPEPieceCache>.fromOpaque(pointer).takeRetainedValue()
    }

    /// Runs `body` with a cache no other thread uses until `body` returns.
    @inline(__always)
    func withCache<R>(_ body: (BPEPieceCache) throws -> R) rethrows -> R {
        let cache = borrow()
        defer { giveBack(cache) }
        return try cache._withUnsafeGuaranteedRef { try body($0) }
    }

    /// Runs `body` (one encode call) with the calling thread's own cache or a shared one (``borrowForCall(_:)``).
    @inline(__always)
    func withCallCache<R>(_ body: (BPEPieceCache) throws -> R) rethrows -> R {
        let slot = ek_thread_slot_get()
        let cache = borrowForCall(slot)
        defer { giveBackFromCall(cache, slot) }
        return try cache._withUnsafeGuaranteedRef { try body($0) }
    }

    /// A cache for one encode call on the calling thread, whose slot is `slot` (`ek_thread_slot_get()`): the
    /// thread's own pinned cache when it has one (plain loads and stores), else a new pinned one while fewer than
    /// ``pinLimit`` exist, else a shared one (``borrow()``). Return it with ``giveBackFromCall(_:_:)``.
    @inline(__always)
    func borrowForCall(_ slot: UnsafeMutablePointer<ek_thread_slot>) -> Unmanaged<BPEPieceCache> {
        if slot.pointee.owner == owner, let value = slot.pointee.value {
            slot.pointee.value = nil
            let cache = Unmanaged<BPEPieceCache>.fromOpaque(value)
            if cache._withUnsafeGuaranteedRef({ $0.clearedEpoch != epoch.load(ordering: .relaxed) }) {
                clearPinned(cache)
            }
            return cache
        }
        return borrowUnpinned(slot)
    }

    /// Returns a cache from ``borrowForCall(_:)``: a pinned one to the thread's slot, a shared one to the pool.
    @inline(__always)
    func giveBackFromCall(_ cache: Unmanaged<BPEPieceCache>, _ slot: UnsafeMutablePointer<ek_thread_slot>) {
        if cache._withUnsafeGuaranteedRef({ $0.pinned }) {
            slot.pointee.value = UnsafeMutableRawPointer(cache.toOpaque())
            return
        }
        giveBack(cache)
    }

    @inline(never)
    private func clearPinned(_ cache: Unmanaged<BPEPieceCache>) {
        cache._withUnsafeGuaranteedRef {
            $0.clearedEpoch = epoch.load(ordering: .relaxed)
            $0.clear()
        }
    }

    /// The calling thread has no pinned cache of this pool: pins a new one when its slot is free (no other
    /// pool's cache in it) and fewer than ``pinLimit`` are pinned; else lends a shared one.
    @inline(never)
    private func borrowUnpinned(_ slot: UnsafeMutablePointer<ek_thread_slot>) -> Unmanaged<BPEPieceCache> {
        guard slot.pointee.value == nil else { return borrow() }
        lock.lock()
        guard pinned.count < Self.pinLimit else { lock.unlock(); return borrow() }
        let cache = BPEPieceCache()
        cache.pinned = true
        cache.clearedEpoch = epoch.load(ordering: .relaxed)
        pinned.append(cache)
        lock.unlock()
        slot.pointee.owner = owner
        return Unmanaged.passUnretained(cache)
    }

    /// A cache for the caller's thread alone until it calls ``giveBack(_:)``; the reference it holds is the
    /// caller's (the fast slot's own, lent, in the common case: no reference counting).
    @inline(__always)
    func borrow() -> Unmanaged<BPEPieceCache> {
        let raw = fast.exchange(0, ordering: .acquiring)
        if let pointer = UnsafeRawPointer(bitPattern: raw) { return Unmanaged.fromOpaque(pointer) }
        return borrowListed()
    }

    /// Returns a borrowed cache: to the fast slot when it is empty, else to the list.
    @inline(__always)
    func giveBack(_ cache: Unmanaged<BPEPieceCache>) {
        let raw = Int(bitPattern: cache.toOpaque())
        if fast.compareExchange(expected: 0, desired: raw, ordering: .releasing).exchanged { return }
        keep(cache.takeRetainedValue())
    }

    /// The slow path: a cache from the list, or a new one.
    @inline(never)
    private func borrowListed() -> Unmanaged<BPEPieceCache> {
        lock.lock()
        let cache = idle.popLast() ?? BPEPieceCache()
        lock.unlock()
        return Unmanaged.passRetained(cache)
    }

    private func keep(_ cache: BPEPieceCache) {
        lock.lock()
        if idle.count < limit { idle.append(cache) }
        lock.unlock()
    }

    /// Makes sure at least `count` caches (up to the pool's limit) exist, idle, so that many threads encoding at
    /// once find one each instead of allocating it.
    func reserve(_ count: Int) {
        let held = fast.load(ordering: .acquiring) != 0 ? 1 : 0
        lock.lock()
        while held + idle.count < min(count, limit) { idle.append(BPEPieceCache()) }
        lock.unlock()
    }

    /// Empties every idle cache and the calling thread's pinned one (the next encode starts cold), keeping their
    /// memory: a cold start then measures unseen text, not the one-time cost of allocating and first touching
    /// ~4 MiB. Other threads' pinned caches are emptied by those threads when they next take them.
    func reset() {
        let now = epoch.add(1, ordering: .relaxed).newValue
        let slot = ek_thread_slot_get()
        if slot.pointee.owner == owner, let value = slot.pointee.value {
            Unmanaged<BPEPieceCache>.fromOpaque(value)._withUnsafeGuaranteedRef {
                $0.clear()
                $0.clearedEpoch = now
            }
        }
        let raw = fast.exchange(0, ordering: .acquiring)
        if let pointer = UnsafeRawPointer(bitPattern: raw) {
            let cache = Unmanaged<BPEPieceCache>.fromOpaque(pointer)
            cache._withUnsafeGuaranteedRef { $0.clear() }
            giveBack(cache)
        }
        lock.lock()
        for cache in idle { cache.clear() }
        lock.unlock()
    }
}
