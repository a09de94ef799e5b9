import EmbedKitCore
import Foundation

/// The on-disk index format (little-endian), version 1:
///
///     0   magic "EMBKIDX1"        8   version u32        12  kind u32 (0 flat, 1 hnsw)
///     16  dimension u32           20  metric u32         24  count u64 (rows incl. tombstoned)
///     32  file size u64           40  section count u32  44  quantization u32 (0 none, 1 int8, 2 binary, 3 f16)
///     48  checksum u64            56  reserved
///     64  section table: per section tag u32, 0 u32, offset u64, length u64, 0 u64
///     …   sections, each starting on a 64-byte boundary
///
/// The checksum (`Checksum64`) chains the first 48 header bytes, the section table and every section's bytes,
/// so a flipped byte anywhere fails the load; the recorded file size catches truncation first.
enum IndexFileLayout {
    static let magic: [UInt8] = Array("EMBKIDX1".utf8)
    static let version: UInt32 = 1
    static let headerSize = 64
    static let entrySize = 32

    enum Tag: UInt32 {
        case vectors = 1, ids = 2, tombstones = 3
        case hnswMeta = 10, hnswLevel0 = 11, hnswLevels = 12, hnswUpperOffsets = 13, hnswUpperPool = 14
        case int8Ranges = 20, int8Codes = 21, int8Norms = 22
        case binaryMeans = 30, binaryBits = 31
        case hnswHalf = 40
    }

    struct Header {
        var kind: UInt32
        var dimension: UInt32
        var metric: UInt32
        var count: UInt64
        var quantization: UInt32
    }

    static func align(_ x: Int) -> Int { (x + 63) & ~63 }

    /// Writes header + sections atomically (temporary file, fsync, rename) to `url`.
    static func write(to url: URL, header: Header, sections: [(Tag, UnsafeRawBufferPointer)]) throws {
        let tableEnd = headerSize + sections.count * entrySize
        var offset = align(tableEnd)
        var table = Data(count: sections.count * entrySize)
        var offsets: [Int] = []
        for (i, (tag, bytes)) in sections.enumerated() {
            offsets.append(offset)
            table.withUnsafeMutableBytes { t in
                t.storeBytes(of: tag.rawValue.littleEndian, toByteOffset: i * entrySize, as: UInt32.self)
                t.storeBytes(of: 0, toByteOffset: i * entrySize + 4, as: UInt32.self)
                t.storeBytes(of: UInt64(offset).littleEndian, toByteOffset: i * entrySize + 8, as: UInt64.self)
                t.storeBytes(of: UInt64(bytes.count).littleEndian, toByteOffset: i * entrySize + 16, as: UInt64.self)
                t.storeBytes(of: 0, toByteOffset: i * entrySize + 24, as: UInt64.self)
            }
            offset = align(offset + bytes.count)
        }
        let fileSize = offset
        var head = Data(count: headerSize)
        head.withUnsafeMutableBytes { h in
            for (i, b) in magic.enumerated() { h[i] = b }
            h.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt32.self)
            h.storeBytes(of: header.kind.littleEndian, toByteOffset: 12, as: UInt32.self)
            h.storeBytes(of: header.dimension.littleEndian, toByteOffset: 16, as: UInt32.self)
            h.storeBytes(of: header.metric.littleEndian, toByteOffset: 20, as: UInt32.self)
            h.storeBytes(of: header.count.littleEndian, toByteOffset: 24, as: UInt64.self)
            h.storeBytes(of: UInt64(fileSize).littleEndian, toByteOffset: 32, as: UInt64.self)
            h.storeBytes(of: UInt32(sections.count).littleEndian, toByteOffset: 40, as: UInt32.self)
            h.storeBytes(of: header.quantization.littleEndian, toByteOffset: 44, as: UInt32.self)
        }
        var checksum = head.withUnsafeBytes { Checksum64.hash($0.baseAddress!, count: 48, seed: 0) }
        checksum = head.withUnsafeBytes { Checksum64.hash($0.baseAddress! + 56, count: 8, seed: checksum) }
        checksum = table.withUnsafeBytes { Checksum64.hash($0.baseAddress!, count: $0.count, seed: checksum) }
        let zeros = [UInt8](repeating: 0, count: 64)
        var cursor = tableEnd
        for (i, (_, bytes)) in sections.enumerated() {
            checksum = zeros.withUnsafeBytes { Checksum64.hash($0.baseAddress!, count: offsets[i] - cursor, seed: checksum) }
            if bytes.count > 0 { checksum = Checksum64.hash(bytes.baseAddress!, count: bytes.count, seed: checksum) }
            cursor = offsets[i] + bytes.count
        }
        checksum = zeros.withUnsafeBytes { Checksum64.hash($0.baseAddress!, count: fileSize - cursor, seed: checksum) }
        head.withUnsafeMutableBytes { $0.storeBytes(of: checksum.littleEndian, toByteOffset: 48, as: UInt64.self) }
        try AtomicFile.write(to: url) { handle in
            try handle.write(contentsOf: head)
            try handle.write(contentsOf: table)
            var position = tableEnd
            for (i, (_, bytes)) in sections.enumerated() {
                if offsets[i] > position { try handle.write(contentsOf: Data(count: offsets[i] - position)) }
                if bytes.count > 0 {
                    // Large sections go out in chunks without copying.
                    var start = 0
                    while start < bytes.count {
                        let n = min(64 << 20, bytes.count - start)
                        let chunk = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + start),
                                         count: n, deallocator: .none)
                        try handle.write(contentsOf: chunk)
                        start += n
                    }
                }
                position = offsets[i] + bytes.count
            }
            if fileSize > position { try handle.write(contentsOf: Data(count: fileSize - position)) }
        }
    }

    /// A verified, mapped index file.
    struct Loaded {
        let file: MappedFile
        let header: Header
        let sections: [Tag: (offset: Int, length: Int)]

        func section(_ tag: Tag, path: String) throws(IndexError) -> (UnsafeMutableRawPointer, Int) {
            guard let s = sections[tag] else { throw .corrupt(path: path, reason: "missing section \(tag)") }
            return (file.base + s.offset, s.length)
        }

        /// Byte offset of section `tag` in the file.
        func offset(_ tag: Tag) -> Int? { sections[tag]?.offset }

        /// Drops the resident pages of section `tag` (verification read them all); they page back in on use.
        func releasePages(_ tag: Tag) {
            if let s = sections[tag] { file.releasePages(offset: s.offset, length: s.length) }
        }

        /// A typed view of section `tag`, which must hold exactly `count` elements.
        func buffer<T: BitwiseCopyable>(_ tag: Tag, _ type: T.Type, count: Int, path: String) throws(IndexError)
            -> GrowableBuffer<T> {
            let (pointer, length) = try section(tag, path: path)
            guard length == count * MemoryLayout<T>.stride else {
                throw .corrupt(path: path, reason: "section \(tag) has \(length) bytes, expected \(count * MemoryLayout<T>.stride)")
            }
            if count == 0 { return GrowableBuffer(capacity: 1) }
            return GrowableBuffer(mapped: pointer.assumingMemoryBound(to: T.self), count: count, owner: file)
        }
    }

    static func load(path: String) throws(IndexError) -> Loaded {
        let file = try MappedFile(path: path)
        let bytes = UnsafeRawPointer(file.base)
        guard file.size >= headerSize else { throw .truncated(path: path, expected: headerSize, actual: file.size) }
        for (i, b) in magic.enumerated() where bytes.load(fromByteOffset: i, as: UInt8.self) != b {
            throw .notAnIndex(path: path)
        }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        let version = u32(8)
        guard version == IndexFileLayout.version else { throw .unsupportedVersion(path: path, version: version) }
        let recordedSize = u64(32)
        guard recordedSize <= UInt64(Int.max) else { throw .checksumMismatch(path: path) }
        if Int(recordedSize) > file.size { throw .truncated(path: path, expected: Int(recordedSize), actual: file.size) }
        if Int(recordedSize) != file.size { throw .checksumMismatch(path: path) }
        let sectionCount = Int(u32(40))
        let tableEnd = headerSize + sectionCount * entrySize
        guard sectionCount < 64, tableEnd <= file.size else { throw .checksumMismatch(path: path) }
        var checksum = Checksum64.hash(bytes, count: 48, seed: 0)
        checksum = Checksum64.hash(bytes + 56, count: 8, seed: checksum)
        checksum = Checksum64.hash(bytes + headerSize, count: sectionCount * entrySize, seed: checksum)
        var sections: [Tag: (offset: Int, length: Int)] = [:]
        var ranges: [(Int, Int)] = []
        for i in 0..<sectionCount {
            let e = headerSize + i * entrySize
            let offset = u64(e + 8), length = u64(e + 16)
            guard offset <= UInt64(file.size), length <= UInt64(file.size) - offset else {
                throw .checksumMismatch(path: path)
            }
            ranges.append((Int(offset), Int(length)))
            if let tag = Tag(rawValue: u32(e)) { sections[tag] = (Int(offset), Int(length)) }
        }
        // Padding is hashed too (in the writer's chunks), so every byte after the checksum field counts.
        var cursor = tableEnd
        for (offset, length) in ranges {
            guard offset >= cursor, offset - cursor < 64 else { throw .checksumMismatch(path: path) }
            checksum = Checksum64.hash(bytes + cursor, count: offset - cursor, seed: checksum)
            if length > 0 { checksum = Checksum64.hash(bytes + offset, count: length, seed: checksum) }
            cursor = offset + length
        }
        guard file.size - cursor < 64 else { throw .checksumMismatch(path: path) }
        checksum = Checksum64.hash(bytes + cursor, count: file.size - cursor, seed: checksum)
        guard checksum == u64(48) else { throw .checksumMismatch(path: path) }
        let header = Header(kind: u32(12), dimension: u32(16), metric: u32(20), count: u64(24), quantization: u32(44))
        return Loaded(file: file, header: header, sections: sections)
    }
}
