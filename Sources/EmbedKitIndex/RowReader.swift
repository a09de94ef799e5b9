#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads float32 rows of a saved index with `pread` rather than through its memory mapping.
///
/// Used for the few rows an HNSW search over int8 / f16 codes rescores: a mapped read would make the kernel map
/// whole neighbourhoods of the file into the process (fault-around, large folios), so after enough queries every
/// float32 row would count as resident even though the graph walk never reads them.
final class RowReader: @unchecked Sendable {
    private let descriptor: Int32
    private let offset: Int
    private let rowBytes: Int

    /// Opens `path` for reading rows of `rowBytes` bytes starting at byte `offset`; nil if it cannot be opened.
    init?(path: String, offset: Int, rowBytes: Int) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        descriptor = fd
        self.offset = offset
        self.rowBytes = rowBytes
    }

    deinit { close(descriptor) }

    /// Copies row `row` into `buffer` (room for one row); false if the read failed.
    func read(_ row: Int, into buffer: UnsafeMutableRawPointer) -> Bool {
        var done = 0
        while done < rowBytes {
            let n = pread(descriptor, buffer + done, rowBytes - done, off_t(offset + row * rowBytes + done))
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }
}
