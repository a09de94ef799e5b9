import EmbedKitCore
import Foundation
import Testing

@Suite struct NPYTests {
    @Test func floatRoundTripWithAlignedHeader() throws {
        let values: [Float] = [1, -2.5, .pi, 0, 1e-30, 7]
        let data = NPY.encode(values, shape: [2, 3])
        #expect(Array(data.prefix(6)) == [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy")
        try data.write(to: url)
        let read = try NPY.readFloats(url)
        #expect(read.shape == [2, 3])
        #expect(read.values == values)
    }

    @Test func int64RoundTrip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy")
        try NPY.encode([Int64(-1), 42, Int64.max], shape: [3]).write(to: url)
        let (shape, values) = try NPY.readInt64(url)
        #expect(shape == [3])
        #expect(values == [-1, 42, Int64.max])
        #expect(throws: NPYError.self) { try NPY.readFloats(url) }
    }

    @Test func rejectsOtherFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy")
        try Data("not numpy".utf8).write(to: url)
        #expect(throws: NPYError.self) { try NPY.readFloats(url) }
    }
}
