import EmbedKitCKernels
import Foundation

// Batch encoding: texts spread over worker threads, each with its own piece cache (see BatchChunks).
extension TiktokenEncoding {
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
