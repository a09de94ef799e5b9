#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A faulted-in reserve of malloc memory on a batch thread's heap, so the result arrays a batch worker
/// allocates come from pages already mapped instead of growing the heap a page at a time.
///
/// Why: a batch keeps every result (20,000 short documents: ~4.5 MB of `[Int]`), and on the first batch of a
/// process each worker grows its malloc heap as it goes — a page fault, and on a non-main thread's own glibc
/// arena an `mprotect` call, per 4 KiB. In `perf` of first batches that kernel work (`clear_page_erms`,
/// `exc_page_fault`, `sysmalloc`, …) was ~5–10 % of the second worker's samples. When a caller later frees
/// the results, glibc merges them into the top of the heap and gives all but 128 KiB back to the kernel, so
/// the next batch pays again.
///
/// How (glibc): ``keep(bytes:)`` allocates `bytes` in 64 KiB blocks, writes them (faulting their pages),
/// allocates a small plug block above them and frees the blocks. glibc merges the freed blocks into one free
/// chunk that stays below the plug, so it is never trimmed (only free memory at the top of a heap goes back
/// to the kernel) and this thread's later allocations are carved from it; results freed later merge back into
/// it. The plug is kept for the life of the process (one 4 KiB block per thread, at most ``threadLimit``
/// threads). Memory: `bytes` resident per thread that called it (``TiktokenEncoding/prepare(threads:)``: 4 MiB
/// per batch thread). Results never depend on this: it only decides which addresses malloc hands out.
enum BatchHeapReserve {
    static let blockBytes = 64 * 1024
    static let threadLimit = 8
    /// Threads (`pthread_self`) that already hold a reserve, and their plugs' addresses (never freed).
    private static let reserved = Mutex<[UInt: UInt]>([:])

    /// Starts the threads a batch of `count` workers runs on (`DispatchQueue.concurrentPerform`) and gives each
    /// a reserve of `bytes`. Each iteration waits (up to 20 ms) until as many iterations as there are cores to
    /// run them have arrived, so they run on distinct threads: otherwise the calling thread often ran every
    /// iteration before the pool's thread woke up, and the thread that later runs the batch had no reserve.
    static func keepOnBatchThreads(_ count: Int, bytes: Int) {
        let target = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount))
        let arrived = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            keep(bytes: bytes)
            arrived.add(1, ordering: .acquiringAndReleasing)
            let deadline = DispatchTime.now().uptimeNanoseconds + 20_000_000
            while arrived.load(ordering: .acquiring) < target && DispatchTime.now().uptimeNanoseconds < deadline {
                sched_yield()
            }
        }
    }

    /// Gives the calling thread's malloc heap a faulted reserve of about `bytes`, once per thread.
    static func keep(bytes: Int) {
        #if os(Linux) && canImport(Glibc)
        let thread = UInt(pthread_self())
        let fresh = reserved.withLock { $0[thread] == nil && $0.count < threadLimit }
        guard fresh, bytes > 0 else { return }
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(bytes / blockBytes + 1)
        for _ in 0..<max(1, bytes / blockBytes) {
            guard let block = malloc(blockBytes) else { break }
            // Written with a call the optimizer must keep: a plain `memset` of fresh memory that is then freed
            // became `calloc`, which skips writing memory it knows is zero — and so never faulted it in.
            explicit_bzero(block, blockBytes)
            blocks.append(block)
        }
        guard let plug = malloc(4096) else {
            for block in blocks { free(block) }
            return
        }
        for block in blocks { free(block) }
        let address = UInt(bitPattern: plug)
        reserved.withLock { $0[thread] = address }
        #endif
    }
}
