import Foundation

/// Minimal NumPy `.npy` (format 1.0/2.0) reading and writing for C-order little-endian float32 and int64
/// matrices — the exchange format of the index CLI and the benchmark scripts.
public enum NPY {
    /// A row-major matrix read from or written to `.npy`.
    public struct Matrix<Element: Sendable>: Sendable {
        public var rows: Int
        public var columns: Int
        public var values: [Element]

        public init(rows: Int, columns: Int, values: [Element]) {
            self.rows = rows
            self.columns = columns
            self.values = values
        }
    }

    /// Why a `.npy` file could not be read.
    public enum NPYError: Error, CustomStringConvertible {
        case notNPY(String)
        case unsupported(String, String)
        case truncated(String)

        public var description: String {
            switch self {
            case .notNPY(let path): return "\(path) is not a .npy file: save arrays with numpy.save"
            case .unsupported(let path, let what):
                return "\(path): \(what); convert with `np.save(path, np.ascontiguousarray(a, dtype=np.float32))`"
            case .truncated(let path): return "\(path) is shorter than its header says: re-save it"
            }
        }
    }

    /// Reads a 1-D or 2-D float32 array (1-D reads as one row).
    public static func readFloat32(_ url: URL) throws -> Matrix<Float> {
        let (rows, columns, payload) = try read(url, descr: "<f4", size: 4)
        let values = payload.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: rows * columns) { buffer, count in
                _ = memcpy(buffer.baseAddress!, raw.baseAddress!, rows * columns * 4)
                count = rows * columns
            }
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// Reads a 1-D or 2-D int64 array.
    public static func readInt64(_ url: URL) throws -> Matrix<Int64> {
        let (rows, columns, payload) = try read(url, descr: "<i8", size: 8)
        let values = payload.withUnsafeBytes { raw in
            [Int64](unsafeUninitializedCapacity: rows * columns) { buffer, count in
                _ = memcpy(buffer.baseAddress!, raw.baseAddress!, rows * columns * 8)
                count = rows * columns
            }
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// Writes a 2-D float32 array atomically.
    public static func write(_ matrix: Matrix<Float>, to url: URL) throws {
        try write(descr: "<f4", rows: matrix.rows, columns: matrix.columns,
                  payload: matrix.values.withUnsafeBytes { Data($0) }, to: url)
    }

    /// Writes a 2-D int64 array atomically.
    public static func write(_ matrix: Matrix<Int64>, to url: URL) throws {
        try write(descr: "<i8", rows: matrix.rows, columns: matrix.columns,
                  payload: matrix.values.withUnsafeBytes { Data($0) }, to: url)
    }

    private static func write(descr: String, rows: Int, columns: Int, payload: Data, to url: URL) throws {
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dict.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(dict.utf8))
        data.append(payload)
        try AtomicFile.write(data, to: url)
    }

    private static func read(_ url: URL, descr: String, size: Int) throws -> (Int, Int, Data) {
        let path = url.path
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else { throw NPYError.notNPY(path) }
        let major = data[data.startIndex + 6]
        let headerLength: Int
        let start: Int
        if major == 1 {
            headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            start = 10
        } else {
            guard data.count >= 12 else { throw NPYError.truncated(path) }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
            start = 12
        }
        guard data.count >= start + headerLength else { throw NPYError.truncated(path) }
        let header = String(decoding: data[(data.startIndex + start)..<(data.startIndex + start + headerLength)], as: UTF8.self)
        guard header.contains("'\(descr)'") else {
            throw NPYError.unsupported(path, "expected dtype \(descr), header is \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard header.contains("'fortran_order': False") else { throw NPYError.unsupported(path, "Fortran order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw NPYError.notNPY(path)
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let rows: Int, columns: Int
        switch dims.count {
        case 1: (rows, columns) = (1, dims[0])
        case 2: (rows, columns) = (dims[0], dims[1])
        default: throw NPYError.unsupported(path, "shape \(dims) (need 1-D or 2-D)")
        }
        let payloadStart = start + headerLength
        guard data.count - payloadStart >= rows * columns * size else { throw NPYError.truncated(path) }
        return (rows, columns, data.subdata(in: (data.startIndex + payloadStart)..<(data.startIndex + payloadStart + rows * columns * size)))
    }
}
