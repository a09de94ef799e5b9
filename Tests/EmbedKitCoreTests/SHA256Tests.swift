import EmbedKitCore
import Foundation
import Testing

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(SHA256.hexDigest(of: Array(input.utf8)) == expected)
    }

    @Test func millionAs() {
        #expect(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the same bytes in uneven pieces must give the digest of the whole.
    @Test func streamingMatchesOneShot() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<10_007).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var hasher = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 127, 500, 3000] where start < bytes.count {
            let end = min(bytes.count, start + size)
            hasher.update(bytes[start..<end])
            start = end
        }
        hasher.update(bytes[start...])
        #expect(SHA256.hex(hasher.finalize()) == SHA256.hexDigest(of: bytes))
    }

    /// Agreement with the system's sha256sum on a file, when the tool exists.
    @Test func fileDigestMatchesSha256sum() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = (0..<3_000_001).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
        try Data(bytes).write(to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        #expect(try SHA256.hexDigest(ofFile: url) == String(output.prefix(64)))
    }
}
