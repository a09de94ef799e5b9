import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary file in the same
/// directory, are flushed to disk, and the temporary file is renamed over the destination in one step.
/// A process killed mid-write leaves the previous file (or none) in place.
public enum AtomicFile {
    /// Atomically replaces `url` with `data`, creating parent directories as needed.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { handle in try handle.write(contentsOf: data) }
    }

    /// Atomically replaces `url` with what `body` writes into the handle it is given.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = temporaryURL(beside: url)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw FileError.cannotCreate(temporary.path)
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try body(handle)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            try commit(temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// A fresh temporary path in the same directory as `url` (same file system, so `rename` is atomic).
    public static func temporaryURL(beside url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// Renames `temporary` over `url` in one step (POSIX `rename`).
    public static func commit(_ temporary: URL, to url: URL) throws {
        if rename(temporary.path, url.path) != 0 {
            throw FileError.cannotRename(from: temporary.path, to: url.path, errno: errno)
        }
    }

    /// Why an atomic write failed.
    public enum FileError: Error, CustomStringConvertible {
        case cannotCreate(String)
        case cannotRename(from: String, to: String, errno: Int32)

        public var description: String {
            switch self {
            case .cannotCreate(let path):
                return "cannot create \(path): check that the directory exists and is writable"
            case .cannotRename(let from, let to, let code):
                return "cannot move \(from) to \(to): \(String(cString: strerror(code)))"
            }
        }
    }
}
