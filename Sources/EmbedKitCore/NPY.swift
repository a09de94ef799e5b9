import Foundation

/// Errors reading `.npy` files.
public enum NPYError: Error, CustomStringConvertible {
    case notNPY(path: String)
    case unsupported(path: String, header: String)

    public var description: String {
        switch self {
        case .notNPY(let path): return "\(path) is not a NumPy .npy file (bad magic or header)"
        case .unsupported(let path, let header):
            return "\(path) holds an array EmbedKit cannot read (\(header)); save it as C-order little-endian float32 or int64 with numpy.save"
        }
    }
}

/// A small reader/writer for NumPy `.npy` (format 1.0) 1-D and 2-D arrays of little-endian float32 (`<f4`) and
/// int64 (`<i8`) in C order — what embedding matrices and id lists need.
public enum NPY {
    /// A 2-D float32 matrix (`shape[0]` rows of `shape[1]` values; a 1-D array has `shape.count == 1`).
    public struct FloatArray: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) { self.shape = shape; self.values = values }
    }

    /// The `.npy` bytes of a float32 array of `shape` (product of shape == values.count).
    public static func encode(_ values: [Float], shape: [Int]) -> Data {
        var data = header(descr: "<f4", shape: shape)
        values.withUnsafeBufferPointer { buffer in
            for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// The `.npy` bytes of an int64 array of `shape`.
    public static func encode(_ values: [Int64], shape: [Int]) -> Data {
        var data = header(descr: "<i8", shape: shape)
        for v in values { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Writes rows of equal length as a `[rows.count, width]` float32 array (atomically).
    public static func write(rows: [[Float]], width: Int, to url: URL) throws {
        var flat: [Float] = []
        flat.reserveCapacity(rows.count * width)
        for row in rows { flat.append(contentsOf: row) }
        try encode(flat, shape: [rows.count, width]).write(to: url, options: .atomic)
    }

    private static func header(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + length (2) + dict + newline, padded with spaces to a multiple of 64.
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dict.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(dict.utf8))
        return data
    }

    /// Parses the header; returns descr, shape and the offset of the data.
    private static func parseHeader(_ data: Data, path: String) throws -> (descr: String, shape: [Int], offset: Int) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else { throw NPYError.notNPY(path: path) }
        let major = bytes[6]
        let length: Int
        let start: Int
        if major == 1 {
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else {
            guard bytes.count >= 12 else { throw NPYError.notNPY(path: path) }
            length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        }
        guard data.count >= start + length else { throw NPYError.notNPY(path: path) }
        let text = String(decoding: data[data.startIndex + start ..< data.startIndex + start + length], as: UTF8.self)
        func field(_ name: String) -> String? {
            guard let r = text.range(of: "'\(name)':") else { return nil }
            return String(text[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let orderField = field("fortran_order"), let shapeField = field("shape"),
              let descrEnd = descrField.dropFirst().firstIndex(of: "'"),
              let open = shapeField.firstIndex(of: "("), let close = shapeField.firstIndex(of: ")") else {
            throw NPYError.notNPY(path: path)
        }
        let descr = String(descrField[descrField.index(after: descrField.startIndex)..<descrEnd])
        if orderField.hasPrefix("True") { throw NPYError.unsupported(path: path, header: text) }
        let shape = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap { Int($0) }
        return (descr, shape, start + length)
    }

    /// Reads a float32 array (1-D or 2-D).
    public static func readFloats(_ url: URL) throws -> FloatArray {
        let data = try Data(contentsOf: url)
        let (descr, shape, offset) = try parseHeader(data, path: url.path)
        guard descr == "<f4" else { throw NPYError.unsupported(path: url.path, header: "descr \(descr)") }
        let count = shape.reduce(1, *)
        guard data.count - offset >= count * 4 else { throw NPYError.notNPY(path: url.path) }
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            for i in 0..<count {
                values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
            }
        }
        return FloatArray(shape: shape, values: values)
    }

    /// Reads an int64 array (1-D or 2-D): its shape and values.
    public static func readInt64(_ url: URL) throws -> (shape: [Int], values: [Int64]) {
        let data = try Data(contentsOf: url)
        let (descr, shape, offset) = try parseHeader(data, path: url.path)
        guard descr == "<i8" else { throw NPYError.unsupported(path: url.path, header: "descr \(descr)") }
        let count = shape.reduce(1, *)
        guard data.count - offset >= count * 8 else { throw NPYError.notNPY(path: url.path) }
        var values = [Int64](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            for i in 0..<count { values[i] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * i, as: Int64.self)) }
        }
        return (shape, values)
    }
}
