import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.safetensors` file, memory-mapped read-only: float32 tensors are used in place, F16/BF16 converted.
///
/// Format: 8-byte little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}}`, then data.
public final class SafeTensorsFile: @unchecked Sendable {
    public struct TensorInfo: Sendable {
        public let dtype: String
        public let shape: [Int]
        let begin: Int
        let end: Int
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    private let base: UnsafeRawPointer
    private let length: Int
    private let dataOffset: Int

    public init(url: URL) throws {
        path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ModelError.invalidFile(path: path, reason: "cannot open (errno \(errno))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 8 else { throw ModelError.invalidFile(path: path, reason: "too short") }
        length = Int(info.st_size)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw ModelError.invalidFile(path: path, reason: "mmap failed (errno \(errno))")
        }
        base = UnsafeRawPointer(mapped)
        let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        guard headerLength > 0, 8 + headerLength <= length else {
            munmap(mapped, length)
            throw ModelError.invalidFile(path: path, reason: "bad safetensors header length \(headerLength)")
        }
        dataOffset = 8 + headerLength
        let headerData = Data(bytes: base + 8, count: headerLength)
        guard let json = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            munmap(mapped, length)
            throw ModelError.invalidFile(path: path, reason: "safetensors header is not JSON")
        }
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in json where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] <= offsets[1], dataOffset + offsets[1] <= length else {
                munmap(mapped, length)
                throw ModelError.invalidFile(path: path, reason: "bad header entry for \(name)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
        }
        self.tensors = tensors
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// The float32 values of tensor `name`, checked against `shape`: a view into the mapping for aligned F32,
    /// otherwise a converted copy (F16, BF16, or unaligned F32).
    public func floats(_ name: String, shape: [Int]) throws -> TensorStorage {
        guard let info = tensors[name] else { throw ModelError.badTensor(path: path, name: name, reason: "is missing") }
        guard info.shape == shape else {
            throw ModelError.badTensor(path: path, name: name, reason: "has shape \(info.shape), expected \(shape)")
        }
        let count = shape.reduce(1, *)
        let start = base + dataOffset + info.begin
        switch info.dtype {
        case "F32":
            guard info.end - info.begin == count * 4 else { throw ModelError.badTensor(path: path, name: name, reason: "has the wrong byte size") }
            if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                return TensorStorage(mapped: start.assumingMemoryBound(to: Float.self), count: count, owner: self)
            }
            return TensorStorage(copy: (0..<count).map { Float(bitPattern: start.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) })
        case "F16":
            guard info.end - info.begin == count * 2 else { throw ModelError.badTensor(path: path, name: name, reason: "has the wrong byte size") }
            return TensorStorage(copy: (0..<count).map { Float(Self.halfToFloat(start.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) })
        case "BF16":
            guard info.end - info.begin == count * 2 else { throw ModelError.badTensor(path: path, name: name, reason: "has the wrong byte size") }
            return TensorStorage(copy: (0..<count).map {
                Float(bitPattern: UInt32(start.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)
            })
        default:
            throw ModelError.badTensor(path: path, name: name, reason: "has dtype \(info.dtype) (supported: F32, F16, BF16)")
        }
    }

    /// IEEE 754 half → float, bit by bit (no Float16 dependency, which x86 Swift lacks on some platforms).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}

/// Float32 tensor data: either a view into a memory-mapped file (kept alive by `owner`) or an owned array.
public struct TensorStorage: @unchecked Sendable {
    public let pointer: UnsafePointer<Float>
    public let count: Int
    /// What keeps `pointer` valid (the mapped file or the owned buffer).
    let owner: AnyObject

    init(mapped pointer: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = pointer
        self.count = count
        self.owner = owner
    }

    init(copy values: [Float]) {
        let box = FloatBuffer(values)
        pointer = UnsafePointer(box.pointer)
        count = values.count
        owner = box
    }
}

/// An owned, fixed-size float buffer with a stable address.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        for i in 0..<count { pointer[i] = values[i] }
    }

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
