#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for the large lookup tables the encoder probes at random (whole-token tables, the id-pair table
/// and its filter, piece caches).
///
/// Regions of ``threshold`` bytes or more are 2 MiB aligned, rounded up to whole 2 MiB pages, and advised
/// for transparent huge pages (`madvise(MADV_HUGEPAGE)`, honoured when the system's THP mode is `madvise` or
/// `always`): random probes into a multi-megabyte table then stop paying a TLB miss (a page walk, twice as
/// long under virtualization) on top of the cache miss. Smaller regions are plain `malloc`. Free with
/// ``deallocate(_:)``. Results never depend on it; the kernel may ignore the advice.
enum HugePageMemory {
    static let pageBytes = 2 << 20
    static let threshold = 256 << 10

    static func allocate<T>(_ type: T.Type, capacity count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        if bytes >= threshold {
            let rounded = (bytes + pageBytes - 1) / pageBytes * pageBytes
            var raw: UnsafeMutableRawPointer?
            if posix_memalign(&raw, pageBytes, rounded) == 0, let raw {
                #if os(Linux)
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                #endif
                return raw.bindMemory(to: T.self, capacity: count)
            }
        }
        return UnsafeMutablePointer<T>.allocate(capacity: count)
    }

    static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>) {
        free(UnsafeMutableRawPointer(pointer))
    }
}
