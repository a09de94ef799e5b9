import EmbedKitCore
import Foundation
import Testing

@Suite("NPY")
struct NPYTests {
    @Test("float32 and int64 matrices round-trip; wrong dtype is refused")
    func roundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(getpid())")
        let f = dir.appendingPathComponent("f.npy"), i = dir.appendingPathComponent("i.npy")
        let floats = NPY.Matrix<Float>(rows: 3, columns: 2, values: [1, -2, 3.5, 4, 5, 6e-7])
        try NPY.write(floats, to: f)
        let back = try NPY.readFloat32(f)
        #expect(back.rows == 3 && back.columns == 2 && back.values == floats.values)
        let ints = NPY.Matrix<Int64>(rows: 2, columns: 2, values: [-1, 0, 1 << 40, 7])
        try NPY.write(ints, to: i)
        let intsBack = try NPY.readInt64(i)
        #expect(intsBack.values == ints.values && intsBack.rows == 2)
        #expect(throws: NPY.NPYError.self) { try NPY.readFloat32(i) }
        // Header is 64-byte aligned as numpy writes it.
        let raw = try Data(contentsOf: f)
        #expect((raw.count - 24) % 64 == 0)
    }
}
