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
