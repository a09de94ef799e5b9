import EmbedKitCore
import EmbedKitIndex
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `embedkit index build` as a child process and SIGKILLs it while it is writing its index over an
/// existing one; the existing index must still load, unchanged.
@Suite("Kill during save")
struct KillDuringSaveTests {
    static func embedkitBinary() -> URL? {
        let here = URL(fileURLWithPath: #filePath)
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("embedkit")]
        for config in ["release", "debug"] { candidates.append(repo.appendingPathComponent(".build/\(config)/embedkit")) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @Test("SIGKILL mid-save leaves the previous index intact")
    func sigkillMidSave() throws {
        guard let binary = Self.embedkitBinary() else {
            Issue.record("embedkit binary not found next to the tests or in .build: run `swift build` first")
            return
        }
        let dir = TestData.temporaryDirectory()
        let target = dir.appendingPathComponent("live.ekx")
        let small = try VectorIndex(dimension: 128)
        try small.add(TestData.clustered(n: 50, dimension: 128, seed: 1))
        try small.save(to: target)
        let probe = TestData.row(TestData.clustered(n: 50, dimension: 128, seed: 1), 3, 128)
        let expected = try small.search(probe, k: 5)

        // ~100 MB of vectors so writing the index takes a while.
        let n = 200_000
        var big = [Float](repeating: 0, count: n * 128)
        var rng = SplitMix64(seed: 2)
        for i in big.indices { big[i] = rng.uniform() }
        let vectors = dir.appendingPathComponent("big.npy")
        try NPY.encode(big, shape: [n, 128]).write(to: vectors)

        var killedMidSave = 0
        for _ in 0..<5 where killedMidSave == 0 {
            let child = Process()
            child.executableURL = binary
            child.arguments = ["index", "build", "--vectors", vectors.path, "--out", target.path]
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            // Wait until the child's temporary file exists and has data, then kill it.
            let deadline = Date().addingTimeInterval(60)
            while child.isRunning && Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                if let temp = names.first(where: { $0.hasPrefix(".live.ekx.tmp-") }),
                   let size = try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(temp).path)[.size] as? Int,
                   size > 0 {
                    kill(child.processIdentifier, SIGKILL)
                    killedMidSave += 1
                    break
                }
                usleep(200)
            }
            child.waitUntilExit()
            // Whatever happened, the index at the target path must be a complete, loadable one.
            let reloaded = try VectorIndex.load(contentsOf: target)
            if reloaded.count == 50 {
                #expect(try reloaded.search(probe, k: 5) == expected)
            } else {
                // The child got to rename before the kill landed (a complete new index, also valid): retry.
                #expect(reloaded.count == n)
                killedMidSave = 0
                try small.save(to: target)
            }
        }
        #expect(killedMidSave > 0, "never caught the child mid-save")
    }
}
