import EmbedKitAssets
import EmbedKitCKernels
import EmbedKitCore
import Foundation

/// A tiktoken BPE encoding (cl100k_base, o200k_base, p50k_base, r50k_base) giving exactly tiktoken's ids.
///
/// Load one with ``load(_:store:)`` (`try TiktokenEncoding.load("cl100k_base")`) or from a vocabulary file
/// with ``init(spec:vocabularyFile:expectedSHA256:)``. Instances are immutable and safe to share across threads.
public final class TiktokenEncoding: Tokenizer, @unchecked Sendable {
    public let spec: TiktokenSpec
    public var name: String { spec.name }
    public var pattern: PretokenizerPattern { spec.pattern }
    /// Special token string → id.
    public var specialTokens: [String: Int] { spec.specialTokens }
    /// Largest id + 1 (ordinary ranks and special tokens), as tiktoken's `n_vocab`.
    public let vocabularySize: Int

    let table: BPERankTable
    let specialBytes: [(bytes: [UInt8], id: Int, text: String)]
    let specialById: [Int: [UInt8]]
    /// Bounded caches of recently encoded pieces, lent to one thread at a time (see `BPEPieceCache`).
    let pieceCaches = BPEPieceCachePool()
    /// What each call's pre-tokenizer scanner starts from, made once.
    let scannerSetup: PretokenizerScanner.Setup

    /// Loads the encoding called `name` from the asset cache, after the store verifies its sha256.
    public static func load(_ name: String, store: AssetStore = AssetStore()) throws -> TiktokenEncoding {
        try load(TiktokenSpec.named(name), store: store)
    }

    /// Loads `spec`'s vocabulary from the asset cache (refused unless its sha256 is the official one).
    public static func load(_ spec: TiktokenSpec, store: AssetStore = AssetStore()) throws -> TiktokenEncoding {
        let folder = try store.require(spec.asset)
        let url = folder.appendingPathComponent(spec.asset.files[0].path)
        return try TiktokenEncoding(spec: spec, vocabularyFile: url, expectedSHA256: nil)
    }

    /// Loads a `.tiktoken` file. When `expectedSHA256` is given the file is hashed first and refused with
    /// ``TiktokenError/vocabularyHashMismatch(path:expected:actual:)`` if it differs.
    public convenience init(spec: TiktokenSpec, vocabularyFile url: URL, expectedSHA256: String?) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw TiktokenError.unreadableVocabulary(path: url.path, reason: "\(error.localizedDescription)")
        }
        if let expected = expectedSHA256 {
            let actual = SHA256.hexDigest(of: data)
            guard actual == expected.lowercased() else {
                throw TiktokenError.vocabularyHashMismatch(path: url.path, expected: expected, actual: actual)
            }
        }
        try self.init(spec: spec, vocabulary: data)
    }

    /// Builds the encoding from the bytes of a `.tiktoken` file.
    public init(spec: TiktokenSpec, vocabulary: Data) throws {
        self.spec = spec
        table = try vocabulary.withUnsafeBytes { raw in
            try TiktokenVocabularyParser.parse(raw.bindMemory(to: UInt8.self), name: spec.name)
        }
        for b in 0..<256 where table.byteRank[b] == BPERankTable.missing {
            throw TiktokenError.malformedVocabulary(name: spec.name, line: 0, reason: "byte \(b) has no rank")
        }
        specialBytes = spec.specialTokens.map { (Array($0.key.utf8), $0.value, $0.key) }
            .sorted { $0.bytes.count > $1.bytes.count || ($0.bytes.count == $1.bytes.count && $0.id < $1.id) }
        specialById = Dictionary(uniqueKeysWithValues: spec.specialTokens.map { ($0.value, Array($0.key.utf8)) })
        vocabularySize = max(table.rankCount, (spec.specialTokens.values.max() ?? -1) + 1)
        scannerSetup = PretokenizerScanner.Setup(pattern: spec.pattern)
    }

    // MARK: Encoding

    /// The ids of `text`, special-token strings encoded as plain text (tiktoken's `encode_ordinary`).
    public func encodeOrdinary(_ text: String) -> [Int] {
        // Borrowed without a closure: a closure made the caller retain and release `self` and `text` per call.
        let slot = ek_thread_slot_get()
        let borrowed = pieceCaches.borrowForCall(slot)
        defer { pieceCaches.giveBackFromCall(borrowed, slot) }
        return borrowed._withUnsafeGuaranteedRef { encodeOrdinary(text, cache: $0) }
    }

    func encodeOrdinary(_ text: String, cache: BPEPieceCache) -> [Int] {
        var sink = BPEBufferSink(base: cache.ids, count: 0)
        encodeWhole(text, cache: cache, into: &sink)
        return Self.takeIds(sink, cache: cache)
    }

    /// ``encodeOrdinary(_:cache:)`` on a text's UTF-8 bytes (what a batch worker holds).
    @inline(__always)
    func encodeOrdinary(bytes: UnsafeBufferPointer<UInt8>, cache: BPEPieceCache) -> [Int] {
        var sink = BPEBufferSink(base: cache.ids, count: 0)
        encodeWhole(bytes: bytes, cache: cache, into: &sink)
        return Self.takeIds(sink, cache: cache)
    }

    /// Encodes all of `text` (special tokens as plain text) into `sink`, whose buffer is `cache`'s.
    ///
    /// A short text is copied into the cache's padded buffer first, so every piece — including the last ones,
    /// which make up much of a ~45-byte document — is keyed and looked up with whole-word loads instead of
    /// byte-by-byte packing near the end of the string's storage.
    @inline(__always)
    func encodeWhole(_ text: String, cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        Self.withBytes(text) { encodeWhole(bytes: $0, cache: cache, into: &sink) }
    }

    /// ``encodeWhole(_:cache:into:)`` on the text's UTF-8 bytes.
    @inline(__always)
    func encodeWhole(bytes: UnsafeBufferPointer<UInt8>, cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        let n = bytes.count
        if n <= BPEPieceCache.paddedCapacity, let source = bytes.baseAddress {
            Self.copyShort(cache.padded, source, n)
            encodeSegment(UnsafeBufferPointer(start: cache.padded, count: n), 0, n,
                          readablePast: BPEPieceCache.padding, cache: cache, into: &sink)
            return
        }
        // At most one id per byte: size the buffer once instead of doubling it (copies, fresh pages).
        if n + 3 > cache.idCapacity { sink.base = cache.growIds(keeping: 0, needed: n + 3) }
        encodeSegment(bytes, 0, n, cache: cache, into: &sink)
    }

    /// Copies `n` bytes from `source` to `target` (no overlap): up to 64 with a few overlapping vector moves
    /// inline (a short document is ~45 bytes: a `memmove` call was a visible share of its encode), longer ones
    /// with `memmove`.
    @inline(__always)
    static func copyShort(_ target: UnsafeMutablePointer<UInt8>, _ source: UnsafePointer<UInt8>, _ n: Int) {
        let t = UnsafeMutableRawPointer(target), s = UnsafeRawPointer(source)
        if n >= 16 {
            guard n <= 64 else { t.copyMemory(from: s, byteCount: n); return }
            var k = 0
            while k + 16 < n {
                t.storeBytes(of: s.loadUnaligned(fromByteOffset: k, as: SIMD16<UInt8>.self), toByteOffset: k,
                             as: SIMD16<UInt8>.self)
                k += 16
            }
            t.storeBytes(of: s.loadUnaligned(fromByteOffset: n - 16, as: SIMD16<UInt8>.self), toByteOffset: n - 16,
                         as: SIMD16<UInt8>.self)
        } else if n >= 8 {
            let head = s.loadUnaligned(as: UInt64.self), tail = s.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            t.storeBytes(of: head, as: UInt64.self)
            t.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 {
            let head = s.loadUnaligned(as: UInt32.self), tail = s.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            t.storeBytes(of: head, as: UInt32.self)
            t.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
        } else {
            for k in 0..<n { target[k] = source[k] }
        }
    }

    /// The ids written to `cache`'s buffer, as `[Int]`; then lets the cache drop a buffer a large call grew.
    ///
    /// Up to ``BPEPieceCache/wideCapacity`` ids are widened into the cache's `Int` buffer and copied out with
    /// `Array(UnsafeBufferPointer)`, whose allocation is specialized for `Int` in this module; the stdlib's
    /// `Array(unsafeUninitializedCapacity:)` allocates through an unspecialized entry point that looks the
    /// storage class's metadata up in the runtime's generic cache on every call (~60 ns, a quarter of a short
    /// document's encode).
    @inline(__always)
    static func takeIds(_ sink: BPEBufferSink, cache: BPEPieceCache) -> [Int] {
        let count = sink.count, ids = sink.base
        let result: [Int]
        if count <= BPEPieceCache.wideCapacity {
            let wide = cache.wide
            for k in 0..<count { wide[k] = Int(ids[k]) }
            result = Array(UnsafeBufferPointer(start: wide, count: count))
        } else {
            result = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
                let out = buffer.baseAddress!
                for k in 0..<count { out[k] = Int(ids[k]) }
                initialized = count
            }
        }
        cache.shrinkIds()
        return result
    }

    /// Number of tokens in `text` (special-token strings count as plain text), without building the ids.
    public func count(_ text: String) -> Int {
        let slot = ek_thread_slot_get()
        let borrowed = pieceCaches.borrowForCall(slot)
        defer { pieceCaches.giveBackFromCall(borrowed, slot) }
        return borrowed._withUnsafeGuaranteedRef { count(text, cache: $0) }
    }

    func count(_ text: String, cache: BPEPieceCache) -> Int {
        var sink = BPEBufferSink(base: cache.ids, count: 0)
        encodeWhole(text, cache: cache, into: &sink)
        cache.shrinkIds()
        return sink.count
    }

    /// ``count(_:cache:)`` on a text's UTF-8 bytes (what a batch worker holds).
    @inline(__always)
    func count(bytes: UnsafeBufferPointer<UInt8>, cache: BPEPieceCache) -> Int {
        var sink = BPEBufferSink(base: cache.ids, count: 0)
        encodeWhole(bytes: bytes, cache: cache, into: &sink)
        cache.shrinkIds()
        return sink.count
    }

    /// Does the one-time work of the first encode calls ahead of time: builds the id-pair table the merge uses
    /// (built on first use, not at load), the calling thread's piece cache and the ones that `threads` threads
    /// encoding at once will borrow (each with the encoding's lookups fetched, their lazily written buffers
    /// faulted in), and starts the threads a batch runs on, each with a faulted-in malloc reserve of
    /// ``batchHeapReserve`` bytes (4 MiB) for the results it keeps (see ``BatchHeapReserve``; at most 8
    /// threads). A server can call it at start-up; results never depend on it.
    public func prepare(threads: Int = 1) {
        let count = min(max(1, threads), 64)
        pieceCaches.reserve(count)
        // The calling thread's own cache (single calls) ...
        pieceCaches.withCallCache { $0.faultIn() }
        _ = encodeOrdinary("warm up")
        // ... and each shared cache a batch worker may borrow: every cache fetches the encoding's lookups on
        // its first use, and its lazily touched buffers are faulted in (the long-piece arena is a 2 MiB huge
        // page: zeroed by the kernel inside the first batch that remembered a long piece, ~0.1–0.3 ms each).
        let borrowed = (0..<count).map { _ in pieceCaches.borrow() }
        for cache in borrowed {
            cache._withUnsafeGuaranteedRef {
                $0.faultIn()
                _ = encodeOrdinary("warm up", cache: $0)
            }
        }
        for cache in borrowed { pieceCaches.giveBack(cache) }
        // Start the threads a batch runs on: the first batch then neither creates them nor waits for them
        // (creating them cost the calling thread ~0.2 ms and the second worker started 0.3–0.9 ms late), and
        // give each a faulted malloc reserve for the results it will keep (see BatchHeapReserve).
        if count > 1 { BatchHeapReserve.keepOnBatchThreads(count, bytes: Self.batchHeapReserve) }
    }

    /// Bytes of malloc memory ``prepare(threads:)`` keeps faulted in on each batch thread's heap: about the
    /// results of one worker's half of 20,000 short documents (~2.3 MB of `[Int]`).
    static let batchHeapReserve = 4 << 20

    /// Forgets the pieces remembered from earlier encode calls, so the next call starts cold. Results never
    /// depend on the caches; this exists for honest benchmarking (first pass over unseen text).
    public func resetPieceCaches() {
        pieceCaches.reset()
    }

    /// The ids of `text` where the special tokens in `allowedSpecial` become their ids (tiktoken's `encode`).
    /// Any other special token appearing in the text throws ``TiktokenError/disallowedSpecialToken(_:byteOffset:)``,
    /// as tiktoken's default `disallowed_special="all"` does.
    public func encode(_ text: String, allowedSpecial: SpecialTokenSet = .none) throws -> [Int] {
        try pieceCaches.withCallCache { cache in try Self.withBytes(text) { bytes in
            var sink = BPEBufferSink(base: cache.ids, count: 0)
            // Refuse disallowed specials first, like tiktoken.
            var position = 0
            while let hit = nextSpecial(in: bytes, from: position) {
                if !allowedSpecial.contains(hit.text) {
                    throw TiktokenError.disallowedSpecialToken(hit.text, byteOffset: hit.start)
                }
                position = hit.start + 1
            }
            var start = 0
            position = 0
            while true {
                var found: (start: Int, end: Int, id: Int, text: String)?
                while let hit = nextSpecial(in: bytes, from: position) {
                    if allowedSpecial.contains(hit.text) { found = hit; break }
                    position = hit.start + 1
                }
                guard let special = found else { break }
                encodeSegment(bytes, start, special.start, cache: cache, into: &sink)
                if sink.count + 1 > cache.idCapacity { sink.base = cache.growIds(keeping: sink.count, needed: sink.count + 1) }
                sink.append(UInt32(special.id))
                start = special.end
                position = special.end
            }
            encodeSegment(bytes, start, bytes.count, cache: cache, into: &sink)
            return Self.takeIds(sink, cache: cache)
        } }
    }

    /// Encodes many texts on up to `threads` threads (default: every core); results are in input order.
    public func encodeOrdinaryBatch(_ texts: [String], threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [[Int]] {
        let workers = max(1, min(threads, texts.count))
        if workers == 1 {
            return pieceCaches.withCache { cache in texts.map { encodeOrdinary($0, cache: cache) } }
        }
        // Every slot of the returned array is initialized exactly once, in place, by the worker that encodes
        // it: no placeholder to release (that would touch one shared object's reference count from every
        // thread) and no second buffer to move the results from.
        return [[Int]](unsafeUninitializedCapacity: texts.count) { buffer, initialized in
            let shared = SendableBox(buffer.baseAddress!)
            runBatch(texts, workers: workers) { i, bytes, cache in
                let ids = self.encodeOrdinary(bytes: bytes, cache: cache)
                Self.prefetchPast(ids)
                (shared.value + i).initialize(to: ids)
            }
            initialized = texts.count
        }
    }

    /// Token counts of many texts on up to `threads` threads.
    public func countBatch(_ texts: [String], threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int] {
        var counts = [Int](repeating: 0, count: texts.count)
        let workers = max(1, min(threads, texts.count))
        counts.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBox(buffer)
            runBatch(texts, workers: workers) { i, bytes, cache in
                shared.value[i] = self.count(bytes: bytes, cache: cache)
            }
        }
        return counts
    }

    /// Runs `body(i, bytes of texts[i], cache)` for every index on `workers` threads (``BatchChunks`` hands out
    /// the indices), each worker with its own piece cache, borrowed once for the whole batch.
    ///
    /// The body gets the text's UTF-8 bytes, borrowed from the caller's array in place: handing it the
    /// `String` made the loop retain and release each one around the call — two atomic operations per
    /// document on a line the calling thread created (3–5 % of a worker's samples in `swift_retain` /
    /// `swift_release`).
    @inline(__always)
    func runBatch(_ texts: [String], workers: Int,
                  _ body: @Sendable (Int, UnsafeBufferPointer<UInt8>, BPEPieceCache) -> Void) {
        texts.withUnsafeBufferPointer { buffer in
            let chunks = BatchChunks(texts: buffer, workers: workers)
            let shared = SendableBox(buffer)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let borrowed = pieceCaches.borrow()
                defer { pieceCaches.giveBack(borrowed) }
                borrowed._withUnsafeGuaranteedRef { cache in
                    while let range = chunks.next(worker: worker) {
                        for i in range {
                            Self.prefetchText(shared.value, i + 2)
                            Self.withStoredBytes(shared.value, i) { body(i, $0, cache) }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the UTF-8 bytes of `texts[i]` without retaining the string around the call.
    ///
    /// A string of more than 15 UTF-8 bytes cannot be a small (inline) string, so when its bytes are contiguous
    /// they are in its heap storage, which `texts` (the caller's array, borrowed for the whole batch) keeps
    /// alive and unchanged: the address is taken in a closure that only returns it, and `body` runs after.
    /// Passing the string itself, or calling `body` inside `withContiguousStorageIfAvailable`, made the
    /// compiler retain and release it around the opaque call — two atomic operations per document on a line
    /// the calling thread created. Shorter strings (inline: nothing to retain) and strings without contiguous
    /// bytes take the ordinary path.
    @inline(__always)
    static func withStoredBytes(_ texts: UnsafeBufferPointer<String>, _ i: Int,
                                _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let text = texts.baseAddress! + i
        if text.pointee.utf8.count > 15,
           let bytes = text.pointee.utf8.withContiguousStorageIfAvailable({ $0 }) {
            body(bytes)
            return
        }
        Self.withBytes(text.pointee, body)
    }

    /// Asks for the two lines after `ids`' storage for writing: a worker's result arrays are carved one after
    /// another from its heap (see ``BatchHeapReserve``), so the next document's array most likely starts
    /// there, and its stores then find the lines owned instead of waiting for them. A hint only.
    @inline(__always)
    static func prefetchPast(_ ids: [Int]) {
        ids.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let end = UnsafeRawPointer(base + buffer.count)
            ek_prefetch_write(end + 64)
            ek_prefetch_write(end + 128)
        }
    }

    /// Asks for the storage of `texts[i]` (when `i` is in range) two documents before it is encoded: its first
    /// two lines (the text of a native string starts 32 bytes into its storage object), which the calling
    /// thread created and last touched and a second worker otherwise fetches from the other core, stalled,
    /// per document. (For reading: since ``withStoredBytes(_:_:_:)`` no longer retains the string, nothing
    /// writes its header.)
    ///
    /// A hint only: it reads the storage address from the `String`'s second word as the standard library lays
    /// it out on 64-bit platforms (the top nibble holds flags). For a small string (its bytes inline) or any
    /// other layout the address is meaningless; a prefetch never faults, and results never depend on it.
    @inline(__always)
    static func prefetchText(_ texts: UnsafeBufferPointer<String>, _ i: Int) {
        #if arch(x86_64) || arch(arm64)
        guard i < texts.count, MemoryLayout<String>.size == 16 else { return }
        let object = UnsafeRawPointer(texts.baseAddress! + i).load(fromByteOffset: 8, as: UInt.self) & 0x0FFF_FFFF_FFFF_FFFF
        ek_prefetch(UnsafeRawPointer(bitPattern: object))
        ek_prefetch(UnsafeRawPointer(bitPattern: object &+ 64))
        #endif
    }

    // MARK: Decoding

    /// The bytes of `ids` concatenated; throws ``TiktokenError/unknownToken(_:)`` for an id not in the vocabulary.
    public func decodeBytes(_ ids: [Int]) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(ids.count * 4)
        for id in ids {
            if let bytes = table.bytes(of: id) {
                out.append(contentsOf: bytes)
            } else if let special = specialById[id] {
                out.append(contentsOf: special)
            } else {
                throw TiktokenError.unknownToken(id)
            }
        }
        return out
    }

    /// The text of `ids`; throws ``TiktokenError/invalidUTF8(byteOffset:)`` if the bytes are not valid UTF-8
    /// (ids cut in the middle of a character).
    public func decode(_ ids: [Int]) throws -> String {
        let bytes = try decodeBytes(ids)
        if let offset = UTF8Validation.firstInvalidOffset(bytes) { throw TiktokenError.invalidUTF8(byteOffset: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of `ids`, invalid UTF-8 replaced by U+FFFD.
    public func decodeLossy(_ ids: [Int]) throws -> String {
        String(decoding: try decodeBytes(ids), as: UTF8.self)
    }

    /// The bytes of one token (ordinary or special), or nil.
    public func tokenBytes(_ id: Int) -> [UInt8]? {
        if let bytes = table.bytes(of: id) { return Array(bytes) }
        return specialById[id]
    }

    /// The ordinary rank of `bytes` if they form one token.
    public func rank(of bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty else { return nil }
        let r = bytes.withUnsafeBufferPointer { table.rank($0.baseAddress!, $0.count, readable: $0.count) }
        return r == BPERankTable.missing ? nil : Int(r)
    }

    // MARK: Internals

    /// Calls `body` with `text`'s UTF-8 bytes in place (a string whose bytes are not contiguous is made so on a
    /// copy first).
    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try text.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = text
        copy.makeContiguousUTF8()
        return try copy.utf8.withContiguousStorageIfAvailable(body)!
    }

    /// Pieces scanned ahead of the one being encoded (see ``encodeSegment(_:_:_:cache:into:)``).
    static let lookahead = 16

    /// Pre-tokenizes `bytes[start..<end]` (as its own text: `$` is `end`) and writes each piece's ids to `sink`
    /// (growing `cache`'s id buffer as needed). `readablePast` more bytes may be read (never used) past the
    /// buffer's end.
    ///
    /// Pieces are scanned `lookahead` at a time; for each cacheable piece (3…16 bytes) the key and slot are
    /// computed once and its piece-cache and whole-token slots prefetched before any of them is encoded, so
    /// the probes that follow find their cache lines close instead of waiting on memory one piece at a time. A piece-cache hit then costs one compare and three stores;
    /// everything else goes to ``encodeUncached(_:_:readable:ahead:tables:cache:into:)``. Results never
    /// depend on the caches.
    @inline(__always)
    func encodeSegment(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, readablePast: Int = 0,
                       cache: BPEPieceCache, into out: inout BPEBufferSink) {
        guard start < end, let base = bytes.baseAddress else { return }
        var scanner = PretokenizerScanner(bytes: base, end: end, setup: scannerSetup)
        let total = bytes.count + readablePast      // bytes readable at `base` (past `end` only for loads)
        // The table's lookups as plain pointers, fetched once per cache (the pair table is built on first
        // use): no shared reference count or lock is touched per call when several threads encode.
        let tables = (cache.tables ?? cache.setTables(BPEMergeTables(table, pairCache: cache.pairCache))).pointee
        switch spec.pattern {
        case .cl100k: Self.encodePieces(CL100kPieceRule.self, &scanner, base, start, end, total, tables, cache, &out)
        case .o200k: Self.encodePieces(O200kPieceRule.self, &scanner, base, start, end, total, tables, cache, &out)
        case .r50k: Self.encodePieces(R50kPieceRule.self, &scanner, base, start, end, total, tables, cache, &out)
        }
    }

    /// The per-piece loop of ``encodeSegment(_:_:_:readablePast:cache:into:)`` for one pattern: `Rule` is a
    /// type, not a value, so each pattern gets its own copy of the loop with its scanner inlined (a switch on
    /// the pattern per piece left the o200k and r50k scanners as calls).
    ///
    /// Two things are kept in registers rather than in the structs they belong to: the window's pending
    /// piece ends (most pieces of ASCII text are popped from its boundary mask; the scanner's own copy is
    /// written back before any other scanner call) and the sink (only the out-of-line miss path gets its
    /// address, through a copy). Through the structs, every piece loaded and stored them again.
    @inline(__always)
    static func encodePieces<Rule: PretokenizerPieceRule>(
        _ rule: Rule.Type, _ scanner: inout PretokenizerScanner, _ base: UnsafePointer<UInt8>, _ start: Int,
        _ end: Int, _ total: Int, _ tables: BPEMergeTables, _ cache: BPEPieceCache, _ sink: inout BPEBufferSink
    ) {
        let ahead = cache.ahead, entries = cache.entries
        let shortSlots = tables.bytes.shortSlots, shortShift = tables.bytes.shortShift
        let mediumSlots = tables.bytes.mediumSlots, mediumShift = tables.bytes.mediumShift
        let byteRank = tables.bytes.byteRank, twoByteRank = tables.bytes.pairRank
        var capacity = cache.idCapacity
        var out = sink
        // The scanner's window state this loop reads per piece (see PretokenizerScanner.popBoundary).
        var rest = scanner.window.rest, next = scanner.window.next
        var windowBase = scanner.window.base, trustedEnd = scanner.window.trustedEnd
        var i = start
        while i < end {
            var m = 0, j = i
            while m < Self.lookahead && j < end {
                let e: Int
                if j == next && j != trustedEnd {
                    e = windowBase &+ rest.trailingZeroBitCount
                    rest &= rest &- 1
                    next = e
                } else {
                    scanner.window.rest = rest
                    scanner.window.next = next
                    e = Rule.pieceEnd(&scanner, from: j)
                    rest = scanner.window.rest
                    next = scanner.window.next
                    windowBase = scanner.window.base
                    trustedEnd = scanner.window.trustedEnd
                }
                let n = e &- j
                if n >= 3 && n <= BPEPieceCache.maxPieceBytes {
                    let (k0, k1) = BPEPieceKey.key(base + j, n, readable: total &- j)
                    let h = BPEPieceKey.hash(k0, k1, n)
                    let slot = BPEPieceKey.slot(hash: h)
                    // Its entry and its whole-token slot (short or medium table), both found from one hash.
                    let tokenLine = n <= 8 ? UnsafeRawPointer(shortSlots + Int(truncatingIfNeeded: h &>> shortShift))
                        : UnsafeRawPointer(mediumSlots + Int(truncatingIfNeeded: h &>> mediumShift))
                    ek_prefetch(entries + slot)
                    ek_prefetch(tokenLine)
                    ahead[m] = BPEPieceAhead(end: e, slot: slot, k0: k0, k1: k1)
                } else {
                    ahead[m] = BPEPieceAhead(end: e, slot: -1, k0: 0, k1: 0)
                }
                j = e
                m &+= 1
            }
            // These pieces yield at most one id per byte; hits write 3 ids whatever their count.
            let needed = out.count &+ (j &- i) &+ 3
            if needed > capacity {
                out.base = cache.growIds(keeping: out.count, needed: needed)
                capacity = cache.idCapacity
            }
            for k in 0..<m {
                let a = ahead[k]
                let n = a.end &- i
                if a.slot >= 0 {
                    let entry = entries[a.slot]
                    if entry.holds(a, length: n) && cache.write(entry, slot: a.slot, into: &out) {
                        i = a.end
                        continue
                    }
                } else if n <= 2 {
                    Self.encodeTiny(base + i, n, byteRank: byteRank, twoByteRank: twoByteRank, into: &out)
                    i = a.end
                    continue
                }
                var missed = out
                Self.encodeUncached(base + i, n, readable: total &- i, ahead: a, tables: tables, cache: cache,
                                    into: &missed)
                out.count = missed.count
                i = a.end
            }
        }
        scanner.window.rest = rest
        scanner.window.next = next
        sink = out
    }

    /// A piece of 3 bytes or more the piece cache did not answer: 3–16 bytes through the whole-token table or
    /// a merge (then remembered in the piece cache), longer ones through the long-piece cache or cut and merged.
    @inline(never)
    static func encodeUncached(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, ahead: BPEPieceAhead,
                               tables: BPEMergeTables, cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        if ahead.slot < 0 {
            // A non-ASCII piece (a run of CJK text, a box-drawing rule; told apart by a high bit in bytes 0, 1
            // or 3, which a leading space or punctuation byte cannot hide) skips the long-piece cache: cut and
            // encoded a character at a time it costs about what a lookup and insert do, such runs rarely
            // repeat, and its long parts (box-drawing runs) still go through the cache. Which path a piece
            // takes never changes its ids.
            guard n <= BPELongPieceCache.maxPieceBytes && (p[0] | p[1] | p[3]) < 0x80 else {
                encodeCutting(p, n, readable: readable, tables: tables, cache: cache, into: &sink)
                return
            }
            // `cache` is held by the caller for the whole call: lent to the closure as a guaranteed
            // reference, it costs no retain/release pair per long piece.
            let lent = Unmanaged.passUnretained(cache)
            cache.longPieces.encode(p, n, into: &sink) { out in
                lent._withUnsafeGuaranteedRef {
                    encodeCutting(p, n, readable: readable, tables: tables, cache: $0, into: &out)
                }
            }
            return
        }
        encodeMissed(p, n, readable: readable, k0: ahead.k0, k1: ahead.k1, slot: ahead.slot, tables: tables,
                     cache: cache, into: &sink)
    }

    /// A cacheable piece (3…16 bytes, key `k0`/`k1`, cache slot `slot`) the piece cache did not hold: one
    /// whole-token probe, else a merge; the ids are remembered (up to 16: all of them).
    ///
    /// A non-ASCII piece (CJK text) is cut where no token can straddle when it can be. A piece of 9–16 bytes
    /// tries the cut before its whole-token probe (a hashed probe of the large medium table, rarely a hit for
    /// CJK text): a piece that is one token has no boundary to cut (the token straddles every one), so the
    /// order changes nothing but skips that probe for the pieces that do fall apart.
    @inline(__always)
    static func encodeMissed(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, k0: UInt64, k1: UInt64, slot: Int,
                             cut: Bool = true, tables: BPEMergeTables, cache: BPEPieceCache,
                             into sink: inout BPEBufferSink) {
        let bytes = tables.bytes
        let cuttable = cut && n >= 4 && (k0 | k1) & 0x8080_8080_8080_8080 != 0
        if cuttable && n > 8 && encodeCut(p, n, readable: readable, k0: k0, k1: k1, slot: slot, tables: tables,
                                          cache: cache, into: &sink) {
            return
        }
        let h = BPEPieceKey.hash(k0, k1, n)
        let whole = !bytes.mayBeToken(hash: h) ? BPERankTable.missing
            : n <= 8 ? bytes.shortRank(k0, n, from: Int(truncatingIfNeeded: h &>> bytes.shortShift))
            : bytes.mediumRank(k0, k1, n, from: Int(truncatingIfNeeded: h &>> bytes.mediumShift))
        if whole != BPERankTable.missing {
            sink.append(whole)
            cache.remember(slot: slot, k0: k0, k1: k1, length: n, ids: sink.base + sink.count - 1, count: 1)
            return
        }
        if cuttable && n <= 8 && encodeCut(p, n, readable: readable, k0: k0, k1: k1, slot: slot, tables: tables,
                                           cache: cache, into: &sink) {
            return
        }
        let ids = cache.scratch
        let count = BytePairMerge.mergeSmall(p, n, tables: tables, ids: ids)
        for k in 0..<count { sink.append(ids[k]) }
        cache.remember(slot: slot, k0: k0, k1: k1, length: n, ids: ids, count: count)
    }

    /// ``encodeIfCuttable(_:_:readable:tables:cache:into:)`` for a cacheable piece, remembering its ids when
    /// it was cut.
    @inline(__always)
    static func encodeCut(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, k0: UInt64, k1: UInt64, slot: Int,
                          tables: BPEMergeTables, cache: BPEPieceCache, into sink: inout BPEBufferSink) -> Bool {
        let first = sink.count
        guard encodeIfCuttable(p, n, readable: readable, tables: tables, cache: cache, into: &sink) else { return false }
        cache.remember(slot: slot, k0: k0, k1: k1, length: n, ids: sink.base + first, count: sink.count - first)
        return true
    }

    /// A long piece (more than 16 bytes): cut where no token can straddle, else merged whole.
    static func encodeCutting(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, tables: BPEMergeTables,
                              cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        if !encodeIfCuttable(p, n, readable: readable, tables: tables, cache: cache, into: &sink) {
            BytePairMerge.encodePiece(p, n, readable: readable, tables: tables, into: &sink)
        }
    }

    /// Cuts the piece `p[0..<n]` at every character boundary no token can straddle (see ``BPECutFilter``;
    /// exact) and encodes each part on its own, then returns true; or returns false, writing nothing, when
    /// there is no such boundary.
    ///
    /// One pass a character at a time: a three-byte character with a cut on both sides (most of a CJK run)
    /// takes its ids from ``BPECharacterTable`` — one entry load, which with the next character's entry also
    /// decides the cut after it — so it needs no part record, key or cache probe. A part of exactly two
    /// three-byte characters (a two-character word: o200k has 6,374 such tokens) that is a token takes its
    /// id from the table's two-character tokens, one probe of a small table instead of the piece cache and,
    /// cold, a whole-token probe of the large rank table. Any other part goes through
    /// ``encodePart(_:from:to:readable:tables:cache:into:)``.
    @inline(never)
    static func encodeIfCuttable(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, tables: BPEMergeTables,
                                 cache: BPEPieceCache, into sink: inout BPEBufferSink) -> Bool {
        let cuts = tables.pairs.cuts, twoByteRank = tables.bytes.pairRank
        var start = nextCut(p, after: 0, n, cuts: cuts, twoByteRank: twoByteRank)
        if start == n { return false }
        let characters = cuts.characters, chars = characters.entries
        var out = sink
        encodePart(p, from: 0, to: start, readable: readable, tables: tables, cache: cache, into: &out)
        while start < n {
            if p[start] & 0xF0 == 0xE0 {
                let a = BPECharacterTable.index(p + start)
                let entry = chars[a]
                let end = start &+ 3
                if end == n {
                    entry.write(into: &out)
                    break
                }
                if p[end] & 0xF0 == 0xE0 {
                    let b = BPECharacterTable.index(p + end)
                    let second = chars[b]
                    if characters.canCut(entry, a, second, b) {
                        entry.write(into: &out)
                        start = end
                        continue
                    }
                    // Refused between two three-byte characters. When the piece may be cut after the second
                    // (or ends there), the part is the two: a token of both is its merge (see encodePart).
                    let after = end &+ 3
                    let c = after < n && p[after] & 0xF0 == 0xE0 ? BPECharacterTable.index(p + after) : -1
                    if after == n || (c >= 0 ? characters.canCut(second, b, chars[c], c)
                                             : cuts.canCut(p, after, n, twoByteRank: twoByteRank)) {
                        let rank = characters.pairRank(a, b)
                        if rank != BPERankTable.missing {
                            out.append(rank)
                        } else {
                            encodePart(p, from: start, to: after, readable: readable, tables: tables, cache: cache,
                                       into: &out)
                        }
                        start = after
                        continue
                    }
                } else if cuts.canCut(p, end, n, twoByteRank: twoByteRank) {
                    entry.write(into: &out)
                    start = end
                    continue
                }
            }
            let end = nextCut(p, after: start, n, cuts: cuts, twoByteRank: twoByteRank)
            encodePart(p, from: start, to: end, readable: readable, tables: tables, cache: cache, into: &out)
            start = end
        }
        sink = out
        return true
    }

    /// The first character boundary after the one at `k` (< n) where ``BPECutFilter`` allows a cut, or `n`.
    /// Steps a character at a time (the piece is valid UTF-8: its lead bytes give the lengths). In a run of one
    /// repeated three-byte character (a box-drawing rule `────`) every boundary has the same window, so once
    /// one is refused the run is skipped up to its last character without asking again.
    @inline(__always)
    static func nextCut(_ p: UnsafePointer<UInt8>, after k: Int, _ n: Int, cuts: BPECutFilter,
                        twoByteRank: UnsafeMutablePointer<UInt32>) -> Int {
        var k = k
        while true {
            let b = p[k]
            let length = 1 &+ (b >= 0xC0 ? 1 : 0) &+ (b >= 0xE0 ? 1 : 0) &+ (b >= 0xF0 ? 1 : 0)
            k &+= length
            if k >= n { return n }
            if cuts.canCut(p, k, n, twoByteRank: twoByteRank) { return k }
            if length == 3 {
                // Refused between X (at k - 3) and the character at k: while the next two are X as well,
                // the boundary between them is the same window, refused too.
                let x0 = p[k &- 3], x1 = p[k &- 2], x2 = p[k &- 1]
                while k &+ 6 <= n && p[k] == x0 && p[k &+ 1] == x1 && p[k &+ 2] == x2
                    && p[k &+ 3] == x0 && p[k &+ 4] == x1 && p[k &+ 5] == x2 {
                    k &+= 3
                }
            }
        }
    }

    /// Encodes the part `p[from..<to]` of a cut piece: 1–2 bytes from the byte tables, a single three-byte
    /// character from ``BPECharacterTable``, 3–16 bytes through the piece cache (merged whole on a miss,
    /// never cut again: it has no boundary that the whole piece could cut, and merging any piece whole is
    /// exact), longer ones through the long-piece cache or merged. A part is looked up as a whole token
    /// before it is merged: that equals merging it because every token of the four vocabularies is its own
    /// merge result (checked by scripts/check/tiktoken_self_merge.py; ``TiktokenSpec`` admits no other
    /// vocabulary).
    @inline(never)
    static func encodePart(_ p: UnsafePointer<UInt8>, from: Int, to: Int, readable: Int, tables: BPEMergeTables,
                           cache: BPEPieceCache, into sink: inout BPEBufferSink) {
        let n = to &- from, at = p + from
        if n <= 2 {
            encodeTiny(at, n, byteRank: tables.bytes.byteRank, twoByteRank: tables.bytes.pairRank, into: &sink)
            return
        }
        if n == 3 && at[0] & 0xF0 == 0xE0 {
            tables.pairs.cuts.characters.entries[BPECharacterTable.index(at)].write(into: &sink)
            return
        }
        if n <= BPEPieceCache.maxPieceBytes {
            let (k0, k1) = BPEPieceKey.key(at, n, readable: readable &- from)
            let slot = BPEPieceKey.slot(k0, k1, n)
            let entry = cache.entries[slot]
            if entry.holds(BPEPieceAhead(end: to, slot: slot, k0: k0, k1: k1), length: n)
                && cache.write(entry, slot: slot, into: &sink) {
                return
            }
            encodeMissed(at, n, readable: readable &- from, k0: k0, k1: k1, slot: slot, cut: false,
                         tables: tables, cache: cache, into: &sink)
            return
        }
        if n <= BPELongPieceCache.maxPieceBytes {
            // A long part (a box-drawing rule between its crossings, a long word in CJK text): parts repeat
            // where their pieces do not, so they go through the long-piece cache too.
            cache.longPieces.encode(at, n, into: &sink) {
                BytePairMerge.encodePiece(at, n, readable: readable &- from, tables: tables, into: &$0)
            }
        } else {
            BytePairMerge.encodePiece(at, n, readable: readable &- from, tables: tables, into: &sink)
        }
    }

    /// A piece of 1 or 2 bytes: its byte's id, or the two-byte token, else the two bytes' ids.
    @inline(__always)
    static func encodeTiny(_ p: UnsafePointer<UInt8>, _ n: Int, byteRank: UnsafeMutablePointer<UInt32>,
                           twoByteRank: UnsafeMutablePointer<UInt32>, into sink: inout BPEBufferSink) {
        let b0 = Int(p[0])
        if n == 1 { sink.append(byteRank[b0]); return }
        let b1 = Int(p[1])
        let r = twoByteRank[b0 << 8 | b1]
        if r != BPERankTable.missing {
            sink.append(r)
        } else {
            sink.append(byteRank[b0]); sink.append(byteRank[b1])
        }
    }

    /// The leftmost special token at or after `position` (longest first when several start there).
    func nextSpecial(in bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> (start: Int, end: Int, id: Int, text: String)? {
        guard !specialBytes.isEmpty, position < bytes.count else { return nil }
        var i = position
        while i < bytes.count {
            let b = bytes[i]
            for special in specialBytes where special.bytes[0] == b && i + special.bytes.count <= bytes.count {
                var match = true
                for k in 1..<special.bytes.count where bytes[i + k] != special.bytes[k] { match = false; break }
                if match { return (i, i + special.bytes.count, special.id, special.text) }
            }
            i += 1
        }
        return nil
    }

    /// Number of pre-tokenized pieces in `text` (the scanner alone, for profiling).
    public func pieceCount(_ text: String) -> Int {
        Self.withBytes(text) { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var scanner = PretokenizerScanner(bytes: base, end: bytes.count, setup: scannerSetup)
            switch spec.pattern {
            case .cl100k: return Self.countPieces(CL100kPieceRule.self, &scanner, bytes.count)
            case .o200k: return Self.countPieces(O200kPieceRule.self, &scanner, bytes.count)
            case .r50k: return Self.countPieces(R50kPieceRule.self, &scanner, bytes.count)
            }
        }
    }

    /// ``pieceCount(_:)``'s loop for one pattern, with that pattern's scanner inlined as in
    /// ``encodePieces(_:_:_:_:_:_:_:_:_:)`` (through a switch per piece, the o200k scanner stayed a call).
    static func countPieces<Rule: PretokenizerPieceRule>(_ rule: Rule.Type, _ scanner: inout PretokenizerScanner,
                                                         _ end: Int) -> Int {
        var i = 0, n = 0
        while i < end { i = Rule.pieceEnd(&scanner, from: i); n += 1 }
        return n
    }

    /// The pre-tokenized pieces of `text` (ordinary encoding), as strings — for inspection and tests.
    public func pretokenize(_ text: String) -> [String] {
        pieces(of: text) { scanner, i in scanner.pieceEnd(from: i) }
    }

    /// The pieces of `text` as strings, each piece ending where `pieceEnd` says for a piece starting at `i`.
    func pieces(of text: String, _ pieceEnd: (inout PretokenizerScanner, Int) -> Int) -> [String] {
        Self.withBytes(text) { bytes in
            guard let base = bytes.baseAddress else { return [] }
            var scanner = PretokenizerScanner(bytes: base, end: bytes.count, setup: scannerSetup)
            var pieces: [String] = []
            var i = 0
            while i < bytes.count {
                let e = pieceEnd(&scanner, i)
                pieces.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<e]), as: UTF8.self))
                i = e
            }
            return pieces
        }
    }
}

/// Which special tokens ``TiktokenEncoding/encode(_:allowedSpecial:)`` turns into their ids.
public enum SpecialTokenSet: Sendable, Hashable {
    /// None: any special token in the text is an error.
    case none
    /// All of the encoding's special tokens.
    case all
    /// Only these.
    case only(Set<String>)

    public func contains(_ token: String) -> Bool {
        switch self {
        case .none: return false
        case .all: return true
        case .only(let set): return set.contains(token)
        }
    }
}

/// Hands out the indices of a batch to its workers in chunks. Each worker starts on its own contiguous
/// region and walks it front to back, so the texts one thread sees are neighbours in the input — neighbouring
/// texts share vocabulary far more often than distant ones, which keeps each thread's piece cache hitting
/// instead of both threads missing on the same pieces. A worker whose region is done takes chunks from the
/// back of the region with the most left, so no core idles while work remains.
///
/// The regions hold equal shares of the batch's **bytes** (estimated from ~512 evenly spaced texts), not of its
/// texts: where short texts come first and long ones last, equal counts gave the first worker a fraction of
/// the work; it then spent most of the batch taking chunks from the other's region, a vocabulary its cache had
/// not seen, so both workers missed on the same pieces (the short-docs set: +15 % first-seen pieces over one
/// thread with equal counts, +7 % with equal bytes; scripts/bench/batch_split_sim.py). Chunks shrink as the
/// batch runs out (an eighth of a worker's share of what is left, at most the starting size), so the workers
/// finish within a few documents of each other instead of up to one large chunk apart.
final class BatchChunks: @unchecked Sendable {
    private let lock = NSLock()
    private var fronts: [Int]
    private var backs: [Int]
    /// Texts not yet handed out.
    private var left: Int
    private let largest: Int
    private let workers: Int

    /// Regions of equal estimated bytes of `texts` for `workers` workers.
    init(texts: UnsafeBufferPointer<String>, workers: Int) {
        let w = max(1, workers), count = texts.count
        self.workers = w
        left = count
        largest = max(8, count / (w * 64))
        var bounds = [0]
        if w > 1 && count > 2 * w {
            // Sampled sizes: ~512 strings' byte counts (O(1) for native strings: stored in the value), read
            // once — each sample is a cache miss in the caller's array (two passes over 2,048 samples took
            // 50–80 µs, ~1 % of a batch of 20,000 one-line documents, before either worker started).
            let stride = max(1, count / 512)
            var sizes: [Int] = []
            sizes.reserveCapacity(count / stride + 1)
            var total = 0
            for i in Swift.stride(from: 0, to: count, by: stride) {
                let size = texts[i].utf8.count + 1
                sizes.append(size)
                total += size
            }
            var sum = 0, region = 1
            for (k, size) in sizes.enumerated() where region < w {
                sum += size
                while region < w && sum * w >= total * region {
                    bounds.append(min(count, max(bounds[bounds.count - 1], (k + 1) * stride)))
                    region += 1
                }
            }
            while bounds.count < w { bounds.append(count) }
        } else {
            for r in 1..<w { bounds.append(count * r / w) }
        }
        bounds.append(count)
        fronts = Array(bounds.dropLast())
        backs = Array(bounds.dropFirst())
    }

    /// The next indices for worker `worker` (0 ..< workers), or nil when the batch is done.
    func next(worker: Int) -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        let size = min(largest, max(1, left / (workers * 8)))
        let own = worker % fronts.count
        if fronts[own] < backs[own] {
            let start = fronts[own], end = min(backs[own], start + size)
            fronts[own] = end
            left -= end - start
            return start..<end
        }
        var victim = -1, most = 0
        for r in fronts.indices where backs[r] - fronts[r] > most { victim = r; most = backs[r] - fronts[r] }
        guard victim >= 0 else { return nil }
        let end = backs[victim], start = max(fronts[victim], end - size)
        backs[victim] = start
        left -= end - start
        return start..<end
    }
}

struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Finding the first invalid byte of UTF-8.
public enum UTF8Validation {
    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence, or nil if `bytes` is valid.
    public static func firstInvalidOffset<Bytes: Collection>(_ bytes: Bytes) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int, lo: UInt8, hi: UInt8
            switch b0 {
            case 0xC2...0xDF: need = 1; lo = 0x80; hi = 0xBF
            case 0xE0: need = 2; lo = 0xA0; hi = 0xBF
            case 0xE1...0xEC, 0xEE...0xEF: need = 2; lo = 0x80; hi = 0xBF
            case 0xED: need = 2; lo = 0x80; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90; hi = 0xBF
            case 0xF1...0xF3: need = 3; lo = 0x80; hi = 0xBF
            case 0xF4: need = 3; lo = 0x80; hi = 0x8F
            default: return i - bytes.startIndex
            }
            guard i + need < end else { return i - bytes.startIndex }
            let b1 = bytes[i + 1]
            guard b1 >= lo && b1 <= hi else { return i - bytes.startIndex }
            var k = 2
            while k <= need {
                guard bytes[i + k] & 0xC0 == 0x80 else { return i - bytes.startIndex }
                k += 1
            }
            i += need + 1
        }
        return nil
    }
}
