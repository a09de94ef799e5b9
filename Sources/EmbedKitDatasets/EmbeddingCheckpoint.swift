import Foundation
import EmbedKitCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file of finished embedding batches, so a killed job resumes where it stopped.
///
/// Layout: one header line `embedkit-checkpoint 1 <fingerprint> <dimension> <rows> <batch>\n`, then records
/// `[start u32][count u32][count × dimension float32][fnv1a-64 of the preceding record bytes]`, all little-endian,
/// batches in row order. The header is written atomically; each record is appended and `fsync`ed before the
/// job moves on. On opening, records are checked in order and the first torn or corrupt one (a kill mid-write)
/// and everything after it is cut off, so the finished rows are always a prefix.
public final class EmbeddingCheckpoint {
    /// Where the checkpoint lives.
    public let url: URL
    /// Vector length.
    public let dimension: Int
    /// Rows finished (a prefix of the job's rows).
    public private(set) var completedRows = 0

    private let handle: FileHandle
    private let headerLength: Int

    /// Opens the checkpoint at `url` if it belongs to the same job (same `fingerprint`, `dimension`, `rows`,
    /// `batchSize`); otherwise starts a new one there.
    public init(url: URL, fingerprint: String, dimension: Int, rows: Int, batchSize: Int) throws {
        self.url = url
        self.dimension = dimension
        let header = Data("embedkit-checkpoint 1 \(fingerprint) \(dimension) \(rows) \(batchSize)\n".utf8)
        headerLength = header.count
        let existing = FileManager.default.fileExists(atPath: url.path)
            ? (try? FileHandle(forReadingFrom: url)).flatMap { try? $0.read(upToCount: header.count) }
            : nil
        if existing != header {
            try AtomicFile.write(header, to: url)
        }
        do {
            handle = try FileHandle(forUpdating: url)
        } catch {
            throw DatasetError.checkpointUnreadable(path: url.path, reason: "\(error)")
        }
        let validEnd = try scan(rows: rows)
        try handle.truncate(atOffset: UInt64(validEnd))
        try handle.seek(toOffset: UInt64(validEnd))
    }

    deinit { try? handle.close() }

    /// Appends a finished batch starting at row `start` and waits until it is on disk.
    public func append(start: Int, vectors: [[Float]]) throws {
        var record = [UInt8]()
        record.reserveCapacity(8 + vectors.count * dimension * 4 + 8)
        appendLittleEndian(UInt32(start), to: &record)
        appendLittleEndian(UInt32(vectors.count), to: &record)
        for vector in vectors {
            for value in vector { appendLittleEndian(value.bitPattern, to: &record) }
        }
        appendLittleEndian(Self.fnv1a(record[...]), to: &record)
        try handle.write(contentsOf: record)
        try handle.synchronize()
        completedRows = start + vectors.count
    }

    /// Calls `body` with each row's vector in row order (streamed from disk; memory stays at one batch).
    public func forEachVector(_ body: (Int, UnsafeBufferPointer<Float>) throws -> Void) throws {
        let reader = try FileHandle(forReadingFrom: url)
        defer { try? reader.close() }
        try reader.seek(toOffset: UInt64(headerLength))
        var row = 0
        var floats = [Float]()
        while row < completedRows {
            guard let head = try reader.read(upToCount: 8), head.count == 8 else { break }
            let count = Int(head.loadLittleEndianUInt32(at: 4))
            let bodyLength = count * dimension * 4
            guard let payload = try reader.read(upToCount: bodyLength + 8), payload.count == bodyLength + 8 else { break }
            floats.removeAll(keepingCapacity: true)
            floats.reserveCapacity(count * dimension)
            payload.withUnsafeBytes { raw in
                for i in 0..<(count * dimension) {
                    floats.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
                }
            }
            try floats.withUnsafeBufferPointer { buffer in
                for r in 0..<count {
                    try body(row + r, UnsafeBufferPointer(rebasing: buffer[(r * dimension)..<((r + 1) * dimension)]))
                }
            }
            row += count
        }
        if row != completedRows {
            throw DatasetError.checkpointUnreadable(path: url.path, reason: "it changed while being read")
        }
    }

    /// Deletes the checkpoint file.
    public func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }

    /// Reads records from the start, sets `completedRows`, returns the offset after the last good record.
    private func scan(rows: Int) throws -> Int {
        try handle.seek(toOffset: UInt64(headerLength))
        var offset = headerLength
        var next = 0
        while next < rows {
            guard let head = try handle.read(upToCount: 8), head.count == 8 else { break }
            let start = Int(head.loadLittleEndianUInt32(at: 0))
            let count = Int(head.loadLittleEndianUInt32(at: 4))
            guard start == next, count > 0, start + count <= rows else { break }
            let bodyLength = count * dimension * 4
            guard let payload = try handle.read(upToCount: bodyLength + 8), payload.count == bodyLength + 8 else { break }
            var bytes = [UInt8](head)
            bytes.append(contentsOf: payload.prefix(bodyLength))
            let stored = payload.loadLittleEndianUInt64(at: bodyLength)
            guard Self.fnv1a(bytes[...]) == stored else { break }
            offset += 8 + bodyLength + 8
            next = start + count
        }
        completedRows = next
        return offset
    }

    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}

func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}

extension Data {
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    }
    func loadLittleEndianUInt64(at offset: Int) -> UInt64 {
        withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }
}
