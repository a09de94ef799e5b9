import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped privately (copy-on-write): reads page in lazily, writes never reach the file.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let size: Int

    init(path: String) throws(IndexError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        size = Int(info.st_size)
        guard size > 0 else { throw .truncated(path: path, expected: IndexFileLayout.headerSize, actual: 0) }
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw .cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = pointer
    }

    deinit { munmap(base, size) }

    /// Drops this process's resident pages of `offset..<offset+length` (whole pages inside it): the data stays
    /// in the file and pages back in on the next read. Only for ranges this process never wrote.
    func releasePages(offset: Int, length: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (offset + page - 1) / page * page
        let end = (offset + length) / page * page
        guard end > first else { return }
        _ = madvise(base + first, end - first, Int32(MADV_DONTNEED))
    }
}
