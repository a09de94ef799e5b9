#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of mutexes, node n guarded by lock n mod stripes: per-node locking without a mutex per node.
final class StripedLocks: @unchecked Sendable {
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    /// Stripe of node n: n & mask.
    let mask: Int
    /// The mutexes, for C code that locks them directly.
    var base: UnsafeMutablePointer<pthread_mutex_t> { locks }

    init(stripes: Int = 4096) {
        locks = .allocate(capacity: stripes)
        mask = stripes - 1
        for i in 0..<stripes { pthread_mutex_init(locks + i, nil) }
    }

    deinit {
        for i in 0...mask { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
    }

    @inline(__always) func lock(_ node: Int) { pthread_mutex_lock(locks + (node & mask)) }
    @inline(__always) func unlock(_ node: Int) { pthread_mutex_unlock(locks + (node & mask)) }
}
