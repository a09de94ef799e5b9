import EmbedKitCore
import Foundation
import Testing

@Suite struct AtomicFileTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-atomic-\(UUID().uuidString)")

    @Test func replacesContentsAndLeavesNoTemporaryFiles() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("nested/out.txt")
        try AtomicFile.write(Data("first".utf8), to: target)
        try AtomicFile.write(Data("second".utf8), to: target)
        #expect(try String(contentsOf: target, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["out.txt"])
    }

    /// A writer that fails half-way must leave the previous file untouched and remove its temporary file.
    @Test func failedWriteKeepsPreviousFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        struct Boom: Error {}
        let target = folder.appendingPathComponent("out.txt")
        try AtomicFile.write(Data("intact".utf8), to: target)
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: target) { handle in
                try handle.write(contentsOf: Data("partial".utf8))
                throw Boom()
            }
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "intact")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.txt"])
    }
}
